//! `tenantree serve` started on a loopback port, called over real HTTP/1.1 with a minimal
//! std::net client, and stopped with SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TOKEN: &str = "serve-test-admin-token-0001";

struct Reply {
    status: u16,
    head: String,
    body: serde_json::Value,
}

/// One request on a fresh connection (`Connection: close`), the whole answer read back.
fn call(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&serde_json::Value>) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let payload = body.map(serde_json::Value::to_string).unwrap_or_default();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if body.is_some() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{payload}", payload.len()));
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    // Bodies may come chunked or with a length; strip chunk framing if present.
    let text = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut s = rest;
        while let Some((size, tail)) = s.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            s = &tail[n + 2..];
        }
        out
    } else {
        rest.to_owned()
    };
    let body = if text.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&text).unwrap() };
    Reply { status, head: head.to_owned(), body }
}

struct Server {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
}

/// A failing test must not leave its server running.
impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start(db: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenantree"))
        .args(["serve", "--listen", "127.0.0.1:0", "--admin-token", TOKEN, "--instance", "lab"])
        .arg("--db")
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines.recv_timeout(Duration::from_secs(60)).expect("the server printed where it listens");
    let addr = first.strip_prefix("listening on http://").unwrap().split(' ').next().unwrap().to_owned();
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{first}");
    Server { child, addr, lines }
}

fn stop(server: Server) -> Vec<String> {
    let mut server = server;
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    server.lines.try_iter().collect()
}

#[test]
fn serve_answers_over_http_logs_each_request_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.redb");
    let server = start(&db);
    let addr = server.addr.clone();

    // No token: 401 in the engine's error shape.
    let anonymous = call(&addr, "GET", "/clients", None, None);
    assert_eq!(anonymous.status, 401, "{}", anonymous.head);
    assert_eq!(anonymous.body["code"], "UNAUTHENTICATED");

    // The admin token works; a dealer is created and logs in with its name and password.
    let dealer = serde_json::json!({"level": "DISTRIBUTOR", "name": "north", "password": "s3cret"});
    let created = call(&addr, "POST", "/api/dealers", Some(TOKEN), Some(&dealer));
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.head.to_ascii_lowercase().contains("content-type: application/json"));
    let login =
        call(&addr, "POST", "/api/login", None, Some(&serde_json::json!({"name": "north", "password": "s3cret"})));
    assert_eq!(login.status, 200, "{:?}", login.body);
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(login.body["expires_in"], 3600);
    let bad = call(&addr, "POST", "/api/login", None, Some(&serde_json::json!({"name": "north", "password": "nope"})));
    assert_eq!(bad.status, 401);

    // The dealer sees itself in /v1/me; the instance name is 003's draas_instance.
    let me = call(&addr, "GET", "/v1/me", Some(&token), None);
    assert_eq!(me.status, 200);
    assert_eq!(me.body["account"]["username"], "north");
    let other = call(&addr, "GET", "/api/v01/draas/elsewhere/resellers", Some(TOKEN), None);
    assert_eq!(other.status, 404);

    // 405 carries Allow.
    let wrong = call(&addr, "DELETE", "/api/dealers", Some(TOKEN), None);
    assert_eq!(wrong.status, 405);
    assert!(wrong.head.contains("allow: GET, POST") || wrong.head.contains("Allow: GET, POST"), "{}", wrong.head);

    let log = stop(server);
    assert!(log.iter().any(|l| l.starts_with("GET /clients 401 ")), "{log:?}");
    assert!(log.iter().any(|l| l.starts_with("POST /api/dealers 201 ")), "{log:?}");
    assert_eq!(log.iter().filter(|l| l.ends_with("ms")).count(), 7, "{log:?}");
    assert_eq!(log.last().map(String::as_str), Some("stopped"));

    // A restart with the same token and database keeps the data and the token.
    let again = start(&db);
    let list = call(&again.addr, "GET", "/api/dealers", Some(TOKEN), None);
    assert_eq!(list.status, 200);
    assert_eq!(list.body["count"], 1);
    stop(again);
}
