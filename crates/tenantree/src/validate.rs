//! Validators and validated newtypes for the fields the seeds constrain.
//!
//! Each rule is written down once, on the type or function that enforces it, and tested against
//! that text below.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Names that only the platform itself may use (001), compared ignoring case.
pub const RESERVED_NAMES: [&str; 4] = ["admin", "system", "administrator", "root"];

/// Field limits, in characters unless said otherwise. Listed in the README's limits table.
pub mod limits {
    /// Longest node name under [`NameRule::Login`](crate::NameRule::Login) (001).
    pub const LOGIN_NAME: usize = 64;
    /// Longest node name under [`NameRule::Label`](crate::NameRule::Label).
    pub const LABEL_NAME: usize = 128;
    /// Longest e-mail address (001).
    pub const EMAIL: usize = 128;
    /// Longest display name (001).
    pub const DISPLAY_NAME: usize = 1024;
    /// Longest phone number (001).
    pub const PHONE: usize = 32;
    /// Longest postal address (001).
    pub const ADDRESS: usize = 128;
    /// Longest website URL.
    pub const WEBSITE: usize = 256;
    /// Longest description.
    pub const DESCRIPTION: usize = 1024;
    /// Longest external name (002).
    pub const EXTERNAL_NAME: usize = 128;
    /// Longest billing id (003).
    pub const BILLING_ID: usize = 128;
    /// Largest free-form extra data (002), in bytes of compact JSON.
    pub const EXTRA_BYTES: usize = 16 * 1024;
    /// Deepest nesting of extra data.
    pub const EXTRA_DEPTH: usize = 32;
    /// Longest search string.
    pub const SEARCH: usize = 256;
    /// Largest page a query returns.
    pub const PAGE_SIZE: u32 = 1000;
    /// Longest account username.
    pub const USERNAME: usize = 128;
    /// Longest first or last name of an account.
    pub const PERSON_NAME: usize = 128;
    /// Longest password, whatever the policy says (bounds the hashing work asked for).
    pub const PASSWORD: usize = 1024;
    /// Longest configuration namespace.
    pub const NAMESPACE: usize = 64;
    /// Longest configuration property key.
    pub const PROPERTY_KEY: usize = 128;
    /// Largest configuration property value, in bytes of compact JSON.
    pub const PROPERTY_VALUE_BYTES: usize = 64 * 1024;
    /// Most keys in one namespace of one node.
    pub const PROPERTIES_PER_NAMESPACE: usize = 1000;
    /// Most permission patterns in one custom role.
    pub const ROLE_PERMISSIONS: usize = 256;
    /// The largest limit, allocation or amount of a resource: 2^53 − 1, the largest integer a
    /// JavaScript number holds exactly, so that every figure crosses into JS unchanged.
    pub const QUANTITY: u64 = (1 << 53) - 1;
}

/// How the names of a kind's nodes are checked. Part of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum NameRule {
    /// 001's account-name rule, for nodes whose name is also a login: 1–64 characters, only
    /// ASCII letters, digits and `_ - ' .`; not starting or ending with `.`; `admin`, `system`,
    /// `administrator` and `root` reserved in any case. Compared ignoring ASCII case.
    Login,
    /// A free label (000's clients, 003's resellers such as `Netaxis NL Reseller 1`): 1–128
    /// characters, no control characters, no leading or trailing white space. Compared ignoring
    /// case (Unicode lower case).
    Label,
}

/// A node's name, valid under the [`NameRule`] of its kind when it was written.
///
/// Invariant: non-empty, at most 128 characters, free of control characters and of leading or
/// trailing white space (the weakest of the rules); the kind's own rule was checked on write.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct NodeName(String);

impl NodeName {
    /// Validates `name` under `rule`.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (field `name`) naming the broken rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{NameRule, NodeName};
    ///
    /// assert!(NodeName::new("o'brien.sales-1", NameRule::Login).is_ok());
    /// assert!(NodeName::new("Netaxis NL Reseller 1", NameRule::Label).is_ok());
    /// assert_eq!(NodeName::new("Root", NameRule::Login).unwrap_err().code(), "INVALID_ARGUMENT");
    /// ```
    pub fn new(name: &str, rule: NameRule) -> Result<NodeName> {
        check_name("name", name, rule)?;
        Ok(NodeName(name.to_owned()))
    }

    /// The name as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as compared for uniqueness and sorted: lower case.
    #[must_use]
    pub fn folded(&self) -> String {
        fold(&self.0)
    }

    pub(crate) fn from_stored(name: String) -> NodeName {
        NodeName(name)
    }

    /// Makes this the stored name `name`, in the string it already has when that is long
    /// enough: what [`NodeName::from_stored`] is to a record read into one kept by the caller.
    pub(crate) fn set_stored(&mut self, name: &str) {
        set_str(&mut self.0, name);
    }
}

/// Makes `s` equal to `v`, reusing its buffer: a record read into one the caller keeps
/// allocates only for a string longer than the one it replaces.
///
/// Copied without comparing first, though the string is mostly the same (a resource's name):
/// in wasm a comparison is a byte loop and a copy one `memory.copy` (measured: W4 in the npm
/// package 1-2 K fewer instructions a get, about 3 %).
pub(crate) fn set_str(s: &mut String, v: &str) {
    s.clear();
    s.push_str(v);
}

/// [`set_str`] for an optional string.
pub(crate) fn set_opt_str(s: &mut Option<String>, v: Option<&str>) {
    match (s.as_mut(), v) {
        (Some(s), Some(v)) => set_str(s, v),
        (None, None) => {}
        (_, v) => *s = v.map(str::to_owned),
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for NodeName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for NodeName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<NodeName, D::Error> {
        let s = String::deserialize(d)?;
        NodeName::new(&s, NameRule::Label).map_err(serde::de::Error::custom)
    }
}

/// Case folding for comparisons: Unicode lower case (ASCII lower case for login names, which
/// are ASCII).
pub(crate) fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// Checks a name under a rule, reporting errors against `field`.
pub(crate) fn check_name(field: &str, name: &str, rule: NameRule) -> Result<()> {
    let chars = name.chars().count();
    if chars == 0 {
        return Err(Error::invalid(field, "must not be empty"));
    }
    match rule {
        NameRule::Login => {
            if chars > limits::LOGIN_NAME {
                return Err(Error::invalid(
                    field,
                    format!("is {chars} characters long, the maximum is {}", limits::LOGIN_NAME),
                ));
            }
            if let Some(bad) =
                name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\'' | '.')))
            {
                return Err(Error::invalid(
                    field,
                    format!(
                        "contains {bad:?}: only letters, digits, underscore, dash, single quote and period are allowed"
                    ),
                ));
            }
            if name.starts_with('.') || name.ends_with('.') {
                return Err(Error::invalid(field, "must not start or end with a period"));
            }
            if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(Error::invalid(field, format!("{name:?} is reserved")));
            }
        }
        NameRule::Label => {
            if chars > limits::LABEL_NAME {
                return Err(Error::invalid(
                    field,
                    format!("is {chars} characters long, the maximum is {}", limits::LABEL_NAME),
                ));
            }
            if name.chars().any(char::is_control) {
                return Err(Error::invalid(field, "must not contain control characters"));
            }
            if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
                return Err(Error::invalid(field, "must not start or end with white space"));
            }
        }
    }
    Ok(())
}

/// An e-mail address.
///
/// Invariant: at most 128 characters; exactly one `@`; a local part of 1–64 characters from
/// letters, digits and ``!#$%&'*+/=?^_`{|}~.-``, with no leading, trailing or doubled period; a
/// domain of at least two dot-separated labels, each 1–63 letters, digits or hyphens, not
/// starting or ending with a hyphen, the last label at least two letters.
///
/// # Examples
///
/// ```
/// use tenantree::Email;
///
/// assert_eq!(Email::parse("john.doe@netaxis.be")?.as_str(), "john.doe@netaxis.be");
/// assert!(Email::parse("john@localhost").is_err());
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates an e-mail address.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (field `email`) saying what is malformed.
    pub fn parse(s: &str) -> Result<Email> {
        check_email("email", s)?;
        Ok(Email(s.to_owned()))
    }

    /// The address as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Email, D::Error> {
        let s = String::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

pub(crate) fn check_email(field: &str, s: &str) -> Result<()> {
    let bad = |reason: &str| Err(Error::invalid(field, format!("{s:?} is not a valid e-mail address: {reason}")));
    let chars = s.chars().count();
    if chars > limits::EMAIL {
        return Err(Error::invalid(field, format!("is {chars} characters long, the maximum is {}", limits::EMAIL)));
    }
    let Some((local, domain)) = s.split_once('@') else {
        return bad("no @");
    };
    if domain.contains('@') {
        return bad("more than one @");
    }
    if local.is_empty() || local.len() > 64 {
        return bad("the part before @ must be 1 to 64 characters");
    }
    if !local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c)) {
        return bad("the part before @ has a character that is not allowed");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("misplaced period before @");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("the domain needs at least two labels");
    }
    for label in &labels {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return bad("malformed domain");
        }
    }
    if labels.last().is_none_or(|tld| tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic())) {
        return bad("the top-level domain must be at least two letters");
    }
    Ok(())
}

/// Checks free text: at most `max` characters and no control characters other than line
/// breaks and tabs (descriptions and addresses may span lines).
pub(crate) fn check_text(field: &str, s: &str, max: usize) -> Result<()> {
    let chars = s.chars().count();
    if chars > max {
        return Err(Error::invalid(field, format!("is {chars} characters long, the maximum is {max}")));
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks a phone number: at most 32 characters of digits, spaces and `+ - ( ) .`, with at
/// least one digit.
pub(crate) fn check_phone(field: &str, s: &str) -> Result<()> {
    check_text(field, s, limits::PHONE)?;
    if !s.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return Err(Error::invalid(field, "may contain only digits, spaces and + - ( ) ."));
    }
    if !s.chars().any(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(field, "must contain a digit"));
    }
    Ok(())
}

/// Checks a single-line value (website, external name, billing id): bounded text without
/// line breaks and without leading or trailing white space.
pub(crate) fn check_line(field: &str, s: &str, max: usize) -> Result<()> {
    check_text(field, s, max)?;
    if s.contains(['\n', '\r', '\t']) {
        return Err(Error::invalid(field, "must be a single line"));
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return Err(Error::invalid(field, "must not start or end with white space"));
    }
    Ok(())
}

/// Checks free-form extra data: a JSON object of at most 16 KiB (compact) nested at most 32
/// deep. Returns its compact text, which is what is stored.
pub(crate) fn check_extra(field: &str, value: &serde_json::Value) -> Result<String> {
    if !value.is_object() {
        return Err(Error::invalid(field, "must be a JSON object"));
    }
    if json_depth(value) > limits::EXTRA_DEPTH {
        return Err(Error::invalid(field, format!("is nested deeper than {}", limits::EXTRA_DEPTH)));
    }
    let text = serde_json::to_string(value).map_err(|e| Error::invalid(field, e.to_string()))?;
    if text.len() > limits::EXTRA_BYTES {
        return Err(Error::invalid(
            field,
            format!("is {} bytes of JSON, the maximum is {}", text.len(), limits::EXTRA_BYTES),
        ));
    }
    Ok(text)
}

pub(crate) fn json_depth(value: &serde_json::Value) -> usize {
    // Iterative, so a hostile document cannot exhaust the stack.
    let mut max = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        max = max.max(depth);
        match v {
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            serde_json::Value::Object(map) => stack.extend(map.values().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    max
}

/// Checks a free search string.
pub(crate) fn check_search(field: &str, s: &str) -> Result<()> {
    check_text(field, s, limits::SEARCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<()>) -> &'static str {
        r.err().map_or("OK", |e| e.code())
    }

    #[test]
    fn login_names_follow_001() {
        // 1–64 characters.
        assert_eq!(code(check_name("name", "", NameRule::Login)), "INVALID_ARGUMENT");
        assert_eq!(code(check_name("name", "a", NameRule::Login)), "OK");
        assert_eq!(code(check_name("name", &"a".repeat(64), NameRule::Login)), "OK");
        assert_eq!(code(check_name("name", &"a".repeat(65), NameRule::Login)), "INVALID_ARGUMENT");
        // Only letters, digits, _ - ' .
        assert_eq!(code(check_name("name", "Ab9_-'.x", NameRule::Login)), "OK");
        for bad in ["a b", "a@b", "a/b", "naïve", "a\u{0430}", "tab\t", "a+b"] {
            assert_eq!(code(check_name("name", bad, NameRule::Login)), "INVALID_ARGUMENT", "{bad:?}");
        }
        // Not starting or ending with a period; inside is fine.
        assert_eq!(code(check_name("name", ".a", NameRule::Login)), "INVALID_ARGUMENT");
        assert_eq!(code(check_name("name", "a.", NameRule::Login)), "INVALID_ARGUMENT");
        assert_eq!(code(check_name("name", "a.b", NameRule::Login)), "OK");
        // Reserved in any case; longer names containing them are fine.
        for reserved in ["admin", "ADMIN", "System", "administrator", "rOOt"] {
            assert_eq!(code(check_name("name", reserved, NameRule::Login)), "INVALID_ARGUMENT");
        }
        assert_eq!(code(check_name("name", "admin2", NameRule::Login)), "OK");
    }

    #[test]
    fn label_names_allow_spaces_but_not_control_or_edges() {
        assert_eq!(code(check_name("name", "Netaxis NL Reseller 1", NameRule::Label)), "OK");
        assert_eq!(code(check_name("name", "Zürich GmbH", NameRule::Label)), "OK");
        assert_eq!(code(check_name("name", "admin", NameRule::Label)), "OK");
        assert_eq!(code(check_name("name", &"é".repeat(128), NameRule::Label)), "OK");
        assert_eq!(code(check_name("name", &"é".repeat(129), NameRule::Label)), "INVALID_ARGUMENT");
        for bad in ["", " a", "a ", "a\nb", "a\u{0}b", "\u{7f}"] {
            assert_eq!(code(check_name("name", bad, NameRule::Label)), "INVALID_ARGUMENT", "{bad:?}");
        }
    }

    #[test]
    fn node_name_folds_case() {
        let n = NodeName::new("MiXed", NameRule::Login).unwrap();
        assert_eq!(n.folded(), "mixed");
        assert_eq!(n.as_str(), "MiXed");
        let json: std::result::Result<NodeName, _> = serde_json::from_str("\" bad\"");
        assert!(json.is_err());
    }

    #[test]
    fn emails_follow_the_documented_shape() {
        for good in ["john.doe@netaxis.be", "a@b.co", "x+tag@sub.example.org", "o'neil@ex-ample.com"] {
            assert_eq!(code(check_email("email", good)), "OK", "{good}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        let too_long = format!("{}@{}.com", "a".repeat(60), "b".repeat(64));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a@b@c.com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a b@c.com",
            "a@-b.com",
            "a@b-.com",
            "a@b..com",
            "a@b.c",
            "a@b.c0m",
            "a@exämple.com",
            long_local.as_str(),
            too_long.as_str(),
        ] {
            assert_eq!(code(check_email("email", bad)), "INVALID_ARGUMENT", "{bad}");
        }
        let max = format!("{}@{}.com", "a".repeat(64), "b".repeat(59));
        assert_eq!(max.chars().count(), 128);
        assert_eq!(code(check_email("email", &max)), "OK");
    }

    #[test]
    fn text_phone_and_lines() {
        assert_eq!(code(check_text("address", &"x".repeat(128), limits::ADDRESS)), "OK");
        assert_eq!(code(check_text("address", &"x".repeat(129), limits::ADDRESS)), "INVALID_ARGUMENT");
        assert_eq!(code(check_text("description", "two\nlines", 1024)), "OK");
        assert_eq!(code(check_text("description", "bell\u{7}", 1024)), "INVALID_ARGUMENT");
        assert_eq!(code(check_phone("phone", "+33 6 13 57 56 07")), "OK");
        assert_eq!(code(check_phone("phone", "(555) 123-4567")), "OK");
        assert_eq!(code(check_phone("phone", &"1".repeat(33))), "INVALID_ARGUMENT");
        assert_eq!(code(check_phone("phone", "call me")), "INVALID_ARGUMENT");
        assert_eq!(code(check_phone("phone", "+-")), "INVALID_ARGUMENT");
        assert_eq!(code(check_line("billingId", "cloudblue::reseller::27", 128)), "OK");
        assert_eq!(code(check_line("billingId", "a\nb", 128)), "INVALID_ARGUMENT");
        assert_eq!(code(check_line("billingId", " a", 128)), "INVALID_ARGUMENT");
    }

    #[test]
    fn extra_data_is_a_bounded_object() {
        assert_eq!(check_extra("extraData", &serde_json::json!({"a": [1, 2]})).unwrap(), r#"{"a":[1,2]}"#);
        assert!(check_extra("extraData", &serde_json::json!([1])).is_err());
        assert!(check_extra("extraData", &serde_json::json!("s")).is_err());
        let big = serde_json::json!({ "k": "x".repeat(limits::EXTRA_BYTES) });
        assert!(check_extra("extraData", &big).is_err());
        let mut deep = serde_json::json!({});
        for _ in 0..limits::EXTRA_DEPTH {
            deep = serde_json::json!({ "d": deep });
        }
        assert_eq!(check_extra("extraData", &deep).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(json_depth(&serde_json::json!({"a": {"b": 1}})), 3);
    }
}
