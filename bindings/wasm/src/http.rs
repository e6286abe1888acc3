//! The seed APIs in JavaScript: `store.handle(request)` answers one request through the
//! transport-free dispatcher of `tenantree-api`, as `tenantree serve` does over HTTP, so a
//! browser app can run against an in-page backend; `store.fetchHandler()` wraps it as a
//! `fetch`-compatible function for service workers and tests.
//!
//! Conversions only: every route, rule and status is the dispatcher's and the core's.

use serde::Deserialize;
use tenantree_api::{Api, Config, Request, Response};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::convert::{arg, error, invalid, js_message, to_js};
use crate::store::Store;

/// `configureApi`'s options: `{ instance?, tokenTtl?, relaxPasswordPolicy?, adminToken?,
/// adminUser? }`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApiOptions {
    /// 003's `{draas_instance}` and the name of the platform root (default `default`).
    instance: Option<String>,
    /// Lifetime in seconds of the tokens `POST /api/login` issues (default 3600).
    token_ttl: Option<u64>,
    /// Whether a store without a default password policy gets the relaxed one (default true).
    relax_password_policy: Option<bool>,
    /// A token to ensure for a store-wide system administrator (as `serve --admin-token`).
    admin_token: Option<String>,
    /// That administrator's username (default `tenantree-admin`).
    admin_user: Option<String>,
}

#[wasm_bindgen]
impl Store {
    /// Sets up the seed-API dispatcher of `handle` and `fetchHandler` (the store must have
    /// been created with `preset: 'seeds'`): ensures the instance's platform root and, with
    /// `adminToken`, a system administrator's token, as `tenantree serve` does.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for unknown options, a store of another schema, a bad instance name
    /// or a token that is not 16 to 256 printable ASCII characters; `STORAGE`.
    #[wasm_bindgen(js_name = configureApi)]
    pub fn configure_api(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ instance?: string, tokenTtl?: number, relaxPasswordPolicy?: boolean, adminToken?: string, adminUser?: string }"
        )]
        options: JsValue,
    ) -> Result<(), JsValue> {
        let _busy = self.enter()?;
        let options: ApiOptions = arg::<Option<ApiOptions>>("options", &options)?.unwrap_or_default();
        let defaults = Config::default();
        let config = Config {
            instance: options.instance.unwrap_or(defaults.instance),
            token_ttl: options.token_ttl.unwrap_or(defaults.token_ttl),
            relax_password_policy: options.relax_password_policy.unwrap_or(defaults.relax_password_policy),
        };
        let api = Api::open(self.inner.clone(), config).map_err(|e| error(&e))?;
        if let Some(token) = options.admin_token {
            let user = options.admin_user.unwrap_or_else(|| "tenantree-admin".to_owned());
            api.ensure_admin_token(&user, &token).map_err(|e| error(&e))?;
        }
        *self.api.borrow_mut() = Some(api);
        Ok(())
    }

    /// Answers one request of the seed APIs or `/v1`: `{ method, path, headers?, body? }`,
    /// where `path` carries the query string, `headers` is an object, an array of pairs or a
    /// `Headers`, and `body` is a string, bytes, or any other value (sent as its JSON). Returns
    /// `{ status, headers, body }` with the JSON body parsed (`null` when there is none).
    /// Failures of the request are answers (401, 404, ...), never exceptions.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when `request` is not of that shape; the errors of `configureApi`
    /// when the dispatcher is set up on first use with the default options.
    #[wasm_bindgen(unchecked_return_type = "{ status: number, headers: Record<string, string>, body: any }")]
    pub fn handle(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ method?: string, path: string, headers?: Record<string, string> | [string, string][] | Headers, body?: string | Uint8Array | ArrayBuffer | unknown }"
        )]
        request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let api = self.api_or_default()?;
        let _busy = self.enter()?;
        let request = request_from_js(&request)?;
        response_to_js(&api.handle(&request))
    }

    /// A `fetch`-compatible function, `(input, init?) => Promise<Response>`, answering from
    /// this store's dispatcher: hand it to a service worker's `fetch` event or use it in place
    /// of `fetch` in tests. Only the URL's path and query matter; the host is ignored.
    ///
    /// # Errors
    ///
    /// As `configureApi` when the dispatcher is set up on first use.
    #[wasm_bindgen(
        js_name = fetchHandler,
        unchecked_return_type = "(input: string | URL | Request, init?: RequestInit) => Promise<Response>"
    )]
    pub fn fetch_handler(&self) -> Result<JsValue, JsValue> {
        let api = self.api_or_default()?;
        let handler = Closure::<dyn Fn(JsValue, JsValue) -> js_sys::Promise>::new(move |input, init| {
            let api = api.clone();
            wasm_bindgen_futures::future_to_promise(async move { fetch(&api, input, init).await })
        });
        Ok(handler.into_js_value())
    }
}

impl Store {
    /// The configured dispatcher, or one with the default options, set up now.
    fn api_or_default(&self) -> Result<Api, JsValue> {
        if let Some(api) = self.api.borrow().as_ref() {
            return Ok(api.clone());
        }
        self.configure_api(JsValue::UNDEFINED)?;
        self.api.borrow().clone().ok_or_else(|| invalid("api", "the dispatcher could not be set up"))
    }
}

/// One `fetch` call: a `Request` from the arguments, its body read, the dispatcher's answer
/// as a `Response`.
async fn fetch(api: &Api, input: JsValue, init: JsValue) -> Result<JsValue, JsValue> {
    let global = js_sys::global();
    let request_class: js_sys::Function = js_sys::Reflect::get(&global, &"Request".into())?
        .dyn_into()
        .map_err(|_| invalid("fetch", "this runtime has no Request class"))?;
    let args = js_sys::Array::of2(&input, &init);
    let js_request = js_sys::Reflect::construct(&request_class, &args)?;
    let url = get_string(&js_request, "url")?;
    let method = get_string(&js_request, "method")?;
    let headers = headers_from_js(&js_sys::Reflect::get(&js_request, &"headers".into())?)?;
    let buffer = call0(&js_request, "arrayBuffer")?;
    let buffer = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(buffer)).await?;
    let body = js_sys::Uint8Array::new(&buffer).to_vec();
    let request = Request { method, path: path_of(&url), headers, body };
    let response = api.handle(&request);

    let response_class: js_sys::Function = js_sys::Reflect::get(&global, &"Response".into())?
        .dyn_into()
        .map_err(|_| invalid("fetch", "this runtime has no Response class"))?;
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"status".into(), &response.status.into())?;
    let headers = js_sys::Object::new();
    for (name, value) in &response.headers {
        js_sys::Reflect::set(&headers, &name.into(), &value.into())?;
    }
    let body: JsValue = if response.body.is_some() {
        if response.header("content-type").is_none() {
            js_sys::Reflect::set(&headers, &"content-type".into(), &"application/json".into())?;
        }
        String::from_utf8_lossy(&response.body_bytes()).into_owned().into()
    } else {
        JsValue::NULL
    };
    js_sys::Reflect::set(&init, &"headers".into(), &headers)?;
    js_sys::Reflect::construct(&response_class, &js_sys::Array::of2(&body, &init))
}

/// The path and query of a URL (`http://host/a/b?c` → `/a/b?c`); a bare path stays as it is.
fn path_of(url: &str) -> String {
    let rest = match url.find("://") {
        Some(at) => url.get(at + 3..).unwrap_or(""),
        None => return url.to_owned(),
    };
    match rest.find(['/', '?']) {
        Some(at) => {
            let path = rest.get(at..).unwrap_or("/");
            if path.starts_with('?') { format!("/{path}") } else { path.to_owned() }
        }
        None => "/".to_owned(),
    }
}

/// `{ method, path, headers?, body? }` as the dispatcher's request.
fn request_from_js(value: &JsValue) -> Result<Request, JsValue> {
    if !value.is_object() {
        return Err(invalid("request", "must be an object { method, path, headers?, body? }"));
    }
    let method = match js_sys::Reflect::get(value, &"method".into())? {
        m if m.is_undefined() || m.is_null() => "GET".to_owned(),
        m => m.as_string().ok_or_else(|| invalid("method", "must be a string"))?,
    };
    let path = js_sys::Reflect::get(value, &"path".into())?
        .as_string()
        .ok_or_else(|| invalid("path", "must be a string: the path with its query, as /clients?limit=10"))?;
    let headers = headers_from_js(&js_sys::Reflect::get(value, &"headers".into())?)?;
    let body = body_from_js(&js_sys::Reflect::get(value, &"body".into())?)?;
    Ok(Request { method, path, headers, body })
}

/// Headers from an object, an array of `[name, value]` pairs, or anything with `entries()`
/// (a `Headers`, a `Map`).
fn headers_from_js(value: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let entries: JsValue = if js_sys::Array::is_array(value) {
        value.clone()
    } else if js_sys::Reflect::get(value, &"entries".into())?.is_function() {
        js_sys::Array::from(&call0(value, "entries")?).into()
    } else if value.is_object() {
        js_sys::Object::entries(value.unchecked_ref()).into()
    } else {
        return Err(invalid("headers", "must be an object, an array of [name, value] pairs or a Headers"));
    };
    let mut out = Vec::new();
    for pair in js_sys::Array::from(&entries).iter() {
        let pair = js_sys::Array::from(&pair);
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(name), Some(value)) if pair.length() == 2 => out.push((name, value)),
            _ => return Err(invalid("headers", "each header must be a [name, value] pair of strings")),
        }
    }
    Ok(out)
}

/// The body's bytes: text as UTF-8, bytes as they are, any other value as its JSON.
fn body_from_js(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if value.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(value).to_vec());
    }
    let json = js_sys::JSON::stringify(value)
        .map_err(|e| invalid("body", &format!("cannot be turned into JSON: {}", js_message(&e))))?;
    json.as_string().map(String::into_bytes).ok_or_else(|| invalid("body", "is not a JSON value"))
}

/// `{ status, headers, body }` for JS.
fn response_to_js(response: &Response) -> Result<JsValue, JsValue> {
    let headers: serde_json::Map<String, serde_json::Value> =
        response.headers.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    to_js(&serde_json::json!({
        "status": response.status,
        "headers": headers,
        "body": response.body,
    }))
}

fn get_string(object: &JsValue, name: &str) -> Result<String, JsValue> {
    js_sys::Reflect::get(object, &name.into())?.as_string().ok_or_else(|| invalid(name, "must be a string"))
}

/// Calls `object[name]()`.
fn call0(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let function: js_sys::Function =
        js_sys::Reflect::get(object, &name.into())?.dyn_into().map_err(|_| invalid(name, "is not a function"))?;
    function.call0(object)
}

#[cfg(test)]
mod tests {
    use super::path_of;

    #[test]
    fn path_of_keeps_the_path_and_query_only() {
        assert_eq!(path_of("http://localhost:8080/clients?limit=2"), "/clients?limit=2");
        assert_eq!(path_of("https://api.example/api/v01/draas/default/resellers"), "/api/v01/draas/default/resellers");
        assert_eq!(path_of("http://host"), "/");
        assert_eq!(path_of("http://host?x=1"), "/?x=1");
        assert_eq!(path_of("/v1/nodes"), "/v1/nodes");
    }
}
