//! A dispatcher on an in-memory seeds store, and short ways to call it.

use serde_json::{Value, json};
use tenantree::{PasswordParams, Preset, Store};
use tenantree_api::{Api, Config, Request, Response};

/// The system administrator's token.
pub(crate) const ADMIN: &str = "seed-test-admin-token-0001";

pub(crate) struct H {
    pub(crate) api: Api,
}

pub(crate) fn harness() -> H {
    harness_for("default")
}

/// A harness serving the instance `instance`.
pub(crate) fn harness_for(instance: &str) -> H {
    let store = Store::builder().preset(Preset::Seeds).password_params(PasswordParams::fast()).in_memory().unwrap();
    let api = Api::open(store, Config { instance: instance.to_owned(), ..Config::default() }).unwrap();
    api.ensure_admin_token("tenantree-admin", ADMIN).unwrap();
    H { api }
}

impl H {
    pub(crate) fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut req = Request::new(method, path);
        if let Some(t) = token {
            req = req.bearer(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.api.handle(&req)
    }

    /// A call with a token and an optional body that must answer `status`; its body.
    #[track_caller]
    pub(crate) fn expect(&self, status: u16, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
        let r = self.call(method, path, Some(token), body);
        assert_eq!(r.status, status, "{method} {path}: {:?}", r.body);
        r.body.unwrap_or(Value::Null)
    }

    /// Logs in with `POST /api/login`; the bearer token.
    #[track_caller]
    pub(crate) fn login(&self, name: &str, password: &str) -> String {
        let r = self.call("POST", "/api/login", None, Some(json!({"name": name, "password": password})));
        assert_eq!(r.status, 200, "login {name}: {:?}", r.body);
        r.body.unwrap()["access_token"].as_str().unwrap().to_owned()
    }

    /// A node created through `/v1` as the administrator; its id.
    #[track_caller]
    pub(crate) fn node(&self, kind: &str, name: &str, parent: Option<&str>) -> String {
        let mut body = json!({"kind": kind, "name": name});
        if let Some(p) = parent {
            body["parent"] = json!(p);
        }
        let n = self.expect(201, "POST", "/v1/nodes", ADMIN, Some(body));
        n["id"].as_str().unwrap().to_owned()
    }

    /// An account bound to `node` with a password, and its login token.
    #[track_caller]
    pub(crate) fn account(&self, username: &str, node: &str, role: &str) -> String {
        let body = json!({"username": username, "node": node, "role": role, "password": "pass-word-1"});
        self.expect(201, "POST", "/v1/accounts", ADMIN, Some(body));
        self.login(username, "pass-word-1")
    }

    /// A dealer created with `POST /api/dealers` (password `pw`); its id.
    #[track_caller]
    pub(crate) fn dealer(&self, token: &str, level: &str, name: &str) -> String {
        let body = json!({"level": level, "name": name, "password": "pw"});
        self.expect(201, "POST", "/api/dealers", token, Some(body))["id"].as_str().unwrap().to_owned()
    }

    pub(crate) fn platform(&self) -> String {
        self.api.platform().to_string()
    }
}

/// The keys of a JSON object, sorted.
pub(crate) fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

/// Asserts the error body of the engine, 000, 001 and 003: `{"code", "message", "details"}`.
#[track_caller]
pub(crate) fn error_code(r: &Response, status: u16, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    let b = r.body.as_ref().unwrap();
    assert_eq!(b["code"], code, "{b}");
    assert!(b["message"].is_string() && b["details"].is_object(), "{b}");
}
