//! The transport-free request and response, and the small parsing of paths and queries.

use serde::{Deserialize, Serialize};

/// An HTTP request as the dispatcher sees it: no connection, no streaming, just the parts.
///
/// # Examples
///
/// ```
/// use tenantree_api::Request;
///
/// let req = Request::new("POST", "/clients/create").bearer("secret-token-1234567").json(&serde_json::json!({"name": "acme"}));
/// assert_eq!(req.header("authorization"), Some("Bearer secret-token-1234567"));
/// assert_eq!(req.header("Content-Type"), Some("application/json"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Request {
    /// The method, e.g. `GET` (compared ignoring case).
    pub method: String,
    /// The path with its query string, e.g. `/clients?query=acme&limit=5`.
    pub path: String,
    /// The headers, in order; names compare ignoring case.
    pub headers: Vec<(String, String)>,
    /// The body's bytes (JSON for every endpoint that takes one).
    pub body: Vec<u8>,
}

impl Request {
    /// A request without headers or body.
    #[must_use]
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Request {
        Request { method: method.into(), path: path.into(), headers: Vec::new(), body: Vec::new() }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer TOKEN`.
    #[must_use]
    pub fn bearer(self, token: &str) -> Request {
        self.with_header("Authorization", format!("Bearer {token}"))
    }

    /// Sets a JSON body and its content type.
    #[must_use]
    pub fn json(mut self, body: &serde_json::Value) -> Request {
        self.body = body.to_string().into_bytes();
        self.with_header("Content-Type", "application/json")
    }

    /// The first header of that name, ignoring case.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

pub(crate) fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// What the dispatcher answers: a status, headers and an optional JSON body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Headers to send (`Content-Type` when there is a body, `Allow` on 405,
    /// `WWW-Authenticate` on 401).
    pub headers: Vec<(String, String)>,
    /// The JSON body; `None` for answers without content (204, and 200s the seeds document as
    /// "No content" or "N/A").
    pub body: Option<serde_json::Value>,
}

impl Response {
    /// A JSON answer.
    #[must_use]
    pub fn json(status: u16, body: serde_json::Value) -> Response {
        Response { status, headers: vec![("Content-Type".to_owned(), "application/json".to_owned())], body: Some(body) }
    }

    /// An answer without a body.
    #[must_use]
    pub fn empty(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: None }
    }

    /// The first header of that name, ignoring case.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body as bytes to send (empty without a body).
    #[must_use]
    pub fn body_bytes(&self) -> Vec<u8> {
        self.body.as_ref().map(|b| b.to_string().into_bytes()).unwrap_or_default()
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set). A `%` not followed by two
/// hex digits stays as it is; bytes that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(s: &str, plus: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex =
                    bytes.get(i + 1).copied().and_then(hex_value).zip(bytes.get(i + 2).copied().and_then(hex_value));
                match hex {
                    Some((hi, lo)) => {
                        out.push(hi * 16 + lo);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes a query-string component: everything but unreserved characters as `%XX`.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A parsed query string: `name=value` pairs in order, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=x+y&c`: `+` is a space, a name without `=` has an empty value.
    pub(crate) fn parse(s: &str) -> Query {
        Query(
            s.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
                    None => (percent_decode(pair, true), String::new()),
                })
                .collect(),
        )
    }

    /// The last value given for `name` (a later parameter overrides an earlier one).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value for `name`, or `None` when absent or empty.
    pub(crate) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.to_owned(), value.to_owned()));
    }

    /// Encodes the pairs back into a query string.
    pub(crate) fn encode(&self) -> String {
        let parts: Vec<String> =
            self.0.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
        parts.join("&")
    }
}

/// Splits `/a/b%2Fc/?x=1` into decoded segments (`["a", "b/c"]`, a trailing slash ignored) and
/// the raw query.
pub(crate) fn split_target(target: &str) -> (Vec<String>, &str) {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let path = path.split('#').next().unwrap_or("");
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let segments =
        if trimmed.is_empty() { Vec::new() } else { trimmed.split('/').map(|s| percent_decode(s, false)).collect() };
    (segments, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_decoded_segments() {
        let (segs, q) = split_target("/api/v1/local/resellers/My%20Reseller/?a=1");
        assert_eq!(segs, ["api", "v1", "local", "resellers", "My Reseller"]);
        assert_eq!(q, "a=1");
        let (segs, _) = split_target("/a/b%2Fc");
        assert_eq!(segs, ["a", "b/c"]);
        assert!(split_target("/").0.is_empty());
        assert_eq!(split_target("//x").0, ["", "x"]);
        assert_eq!(split_target("/x#frag").0, ["x"]);
    }

    #[test]
    fn queries_decode_plus_and_escapes_and_keep_the_last_value() {
        let q = Query::parse("query=a+b%26c&limit=5&limit=7&flag&bad=%zz");
        assert_eq!(q.get("query"), Some("a b&c"));
        assert_eq!(q.get("limit"), Some("7"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.non_empty("flag"), None);
        assert_eq!(q.get("bad"), Some("%zz"));
        assert_eq!(q.get("missing"), None);
        let round = Query::parse(&q.encode());
        assert_eq!(round.get("query"), Some("a b&c"));
    }

    #[test]
    fn percent_decoding_survives_garbage() {
        assert_eq!(percent_decode("%", false), "%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("a%40b", false), "a@b");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("%FF", false), "\u{FFFD}");
        assert_eq!(percent_encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
