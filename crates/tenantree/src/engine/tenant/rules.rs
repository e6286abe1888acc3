//! Field rules of 004's tenant documents: each checks one value and names the field it came
//! from. The documented limits live here, next to the checks that enforce them.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};
use crate::tenant::{HEADER_SCOPES, iso};
use crate::validate;

/// Retention periods: days.
pub(crate) const RETENTION_DAYS: (u32, u32) = (1, 3650);
/// `contact_match_length`: characters.
pub(crate) const MATCH_LENGTH: (u32, u32) = (1, 32);
/// `contact_update_interval`: minutes (up to 30 days).
pub(crate) const UPDATE_INTERVAL: (u32, u32) = (1, 43_200);
/// Ranges per weekday of the office hours.
pub(crate) const MAX_RANGES: usize = 16;
/// Outbound caller ids per tenant.
pub(crate) const MAX_CALLER_IDS: usize = 100;
/// `custom_options`, STIR/SHAKEN certificate and key: bytes / characters.
pub(crate) const MAX_DOCUMENT: usize = 16 * 1024;
/// URLs.
pub(crate) const MAX_URL: usize = 2048;
/// Custom headers per list (added, relayed).
pub(crate) const MAX_HEADERS: usize = 32;
/// Header names.
pub(crate) const MAX_HEADER_NAME: usize = 64;
/// Header values.
pub(crate) const MAX_HEADER_VALUE: usize = 256;
/// Voicemail `retain_days`.
pub(crate) const VOICEMAIL_DAYS: (u32, u32) = (1, 3650);
/// Voicemail `min_seconds`.
pub(crate) const VOICEMAIL_SECONDS: (u32, u32) = (0, 3600);
/// Holiday names: characters.
pub(crate) const MAX_HOLIDAY_NAME: usize = 64;

/// The headers that carry the SIP dialog itself, with their compact forms: never added.
const DIALOG_HEADERS: [&str; 18] = [
    "via",
    "v",
    "from",
    "f",
    "to",
    "t",
    "call-id",
    "i",
    "cseq",
    "contact",
    "m",
    "max-forwards",
    "route",
    "record-route",
    "content-length",
    "l",
    "content-type",
    "c",
];

/// A number within `(lo, hi)`, both included.
pub(crate) fn within(field: &str, n: u32, (lo, hi): (u32, u32)) -> Result<u32> {
    if n < lo || n > hi {
        return Err(Error::invalid(field, format!("is {n}, it must be {lo} to {hi}")));
    }
    Ok(n)
}

fn is_host_name(s: &str) -> bool {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    s.len() <= 253
        && s.split('.').all(label_ok)
        && s.rsplit('.').next().is_some_and(|l| !l.bytes().all(|b| b.is_ascii_digit()))
}

/// See [`SipDomain`](crate::SipDomain).
pub(crate) fn sip_domain(field: &str, s: &str) -> Result<()> {
    if s.is_empty() || s.len() > crate::SipDomain::MAX_LEN {
        return Err(Error::invalid(field, format!("must be 1 to {} characters", crate::SipDomain::MAX_LEN)));
    }
    if s.parse::<Ipv4Addr>().is_ok() || s.parse::<Ipv6Addr>().is_ok() || is_host_name(s) {
        return Ok(());
    }
    Err(Error::invalid(field, format!("{s:?} is neither a host name nor an IP address")))
}

/// An `http` or `https` URL: scheme (any case), a host name, IPv4 address or bracketed IPv6
/// address, an optional port 1–65535, then anything without white space or control
/// characters; no credentials before the host; at most 2048 characters.
pub(crate) fn http_url(field: &str, s: &str) -> Result<()> {
    let bad = |why: &str| Error::invalid(field, format!("{s:?} {why}"));
    if s.len() > MAX_URL {
        return Err(Error::invalid(field, format!("is {} bytes long, the maximum is {MAX_URL}", s.len())));
    }
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        s.get(8..)
    } else if lower.starts_with("http://") {
        s.get(7..)
    } else {
        None
    }
    .ok_or_else(|| bad("must start with http:// or https://"))?;
    if rest.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("must not contain white space or control characters"));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or_default();
    if authority.contains('@') {
        return Err(bad("must not carry credentials: use the username and password fields"));
    }
    let (host_ok, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (addr, after) = v6.split_once(']').ok_or_else(|| bad("has an unclosed IPv6 address"))?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| bad("has a malformed port"))?),
            };
            (addr.parse::<Ipv6Addr>().is_ok(), port)
        }
        None => {
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            (host.parse::<Ipv4Addr>().is_ok() || is_host_name(host), port)
        }
    };
    if !host_ok {
        return Err(bad("has no valid host"));
    }
    if let Some(p) = port {
        let ok = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
        if !ok || !(1..=65_535).contains(&p.parse::<u32>().unwrap_or(0)) {
            return Err(bad("has a port outside 1 to 65535"));
        }
    }
    Ok(())
}

/// `HH:MM` on the 24-hour clock, `00:00` to `23:59`; the minutes since midnight.
pub(crate) fn clock_time(field: &str, s: &str) -> Result<u16> {
    let bad = || Error::invalid(field, format!("{s:?} is not a time HH:MM from 00:00 to 23:59"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let two = |p: &str| -> Option<u16> {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok()).flatten()
    };
    match (two(h), two(m)) {
        (Some(h), Some(m)) if h < 24 && m < 60 => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

/// The `HH:MM` text of minutes since midnight.
pub(crate) fn clock_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Digits only, at most `max`; empty allowed.
pub(crate) fn digits(field: &str, s: &str, max: usize) -> Result<()> {
    if s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(field, format!("{s:?} must be at most {max} digits")));
    }
    Ok(())
}

/// A dial prefix: at most 16 digits, `+`, `*` or `#`; empty allowed.
pub(crate) fn dial_prefix(field: &str, s: &str) -> Result<()> {
    if s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit() || b"+*#".contains(&b)) {
        return Err(Error::invalid(field, format!("{s:?} must be at most 16 digits, + * or #")));
    }
    Ok(())
}

/// An E.164 country: empty, or a name and its calling code, `Angola(244)`.
pub(crate) fn e164_country(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Ok(());
    }
    let bad = || Error::invalid(field, format!("{s:?} is not a country and calling code such as Angola(244)"));
    let (name, code) = s.strip_suffix(')').and_then(|r| r.rsplit_once('(')).ok_or_else(bad)?;
    let name_ok = !name.is_empty()
        && name.chars().count() <= 64
        && !name.starts_with(char::is_whitespace)
        && !name.ends_with(char::is_whitespace)
        && !name.chars().any(|c| c.is_control() || c == '(' || c == ')');
    let code_ok = (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0');
    if name_ok && code_ok { Ok(()) } else { Err(bad()) }
}

/// An opaque id: 1 to `max` ASCII letters, digits or `- _ = + / . :`.
pub(crate) fn opaque_id(field: &str, s: &str, max: usize) -> Result<()> {
    let ok = !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=+/.:".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{s:?} must be 1 to {max} ASCII letters, digits or - _ = + / . :")))
    }
}

/// At most `max` characters without control characters (so on one line); empty allowed.
pub(crate) fn plain(field: &str, s: &str, max: usize) -> Result<()> {
    let chars = s.chars().count();
    if chars > max {
        return Err(Error::invalid(field, format!("is {chars} characters long, the maximum is {max}")));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters or line breaks"));
    }
    Ok(())
}

/// At most `max` visible ASCII characters (no spaces); empty allowed.
pub(crate) fn visible_ascii(field: &str, s: &str, max: usize) -> Result<()> {
    if s.len() > max || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(field, format!("must be at most {max} visible ASCII characters")));
    }
    Ok(())
}

/// A one-line value without surrounding white space (see `validate::check_line`); empty
/// allowed.
pub(crate) fn line(field: &str, s: &str, max: usize) -> Result<()> {
    if s.is_empty() { Ok(()) } else { validate::check_line(field, s, max) }
}

/// JSON text of at most 16 KiB nested at most 32 deep; empty allowed.
pub(crate) fn json_text(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Ok(());
    }
    if s.len() > MAX_DOCUMENT {
        return Err(Error::invalid(field, format!("is {} bytes long, the maximum is {MAX_DOCUMENT}", s.len())));
    }
    let value: serde_json::Value =
        serde_json::from_str(s).map_err(|e| Error::invalid(field, format!("is not JSON text: {e}")))?;
    if validate::json_depth(&value) > validate::limits::EXTRA_DEPTH {
        return Err(Error::invalid(field, format!("is nested deeper than {}", validate::limits::EXTRA_DEPTH)));
    }
    Ok(())
}

/// PEM text (a `-----BEGIN ` and an `-----END ` line) of at most 16 KiB, without control
/// characters other than line breaks and tabs; empty allowed.
pub(crate) fn pem(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Ok(());
    }
    validate::check_text(field, s, MAX_DOCUMENT)?;
    if !(s.contains("-----BEGIN ") && s.contains("-----END ")) {
        return Err(Error::invalid(field, "must be PEM text (-----BEGIN ... -----END ...)"));
    }
    Ok(())
}

/// The canonical IANA time-zone name.
pub(crate) fn time_zone(field: &str, s: &str) -> Result<&'static str> {
    iso::time_zone(s).ok_or_else(|| Error::invalid(field, format!("{s:?} is not an IANA time-zone name")))
}

/// The canonical ISO 4217 code.
pub(crate) fn currency(field: &str, s: &str) -> Result<&'static str> {
    iso::currency(s).ok_or_else(|| Error::invalid(field, format!("{s:?} is not an ISO 4217 currency code")))
}

/// The canonical ISO 3166-1 alpha-3 code, or `""`.
pub(crate) fn region(field: &str, s: &str) -> Result<&'static str> {
    if s.is_empty() {
        return Ok("");
    }
    iso::country(s).ok_or_else(|| Error::invalid(field, format!("{s:?} is not an ISO 3166-1 alpha-3 country code")))
}

/// An RFC 3261 token of 1–64 characters.
pub(crate) fn header_name(field: &str, s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= MAX_HEADER_NAME
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{s:?} must be a SIP token of 1 to {MAX_HEADER_NAME} letters, digits or - . ! % * _ + ` ' ~"),
        ))
    }
}

/// Whether a header name carries the SIP dialog.
pub(crate) fn is_dialog_header(name: &str) -> bool {
    DIALOG_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// One of [`HEADER_SCOPES`].
pub(crate) fn header_scope(field: &str, s: &str) -> Result<()> {
    if HEADER_SCOPES.contains(&s) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{s:?} is not a header scope ({})", HEADER_SCOPES.join(", "))))
    }
}

/// A voicemail extension number: 3–64 digits (004's `[0-9]{3,64}`), or `""` for none.
pub(crate) fn extension_number(field: &str, s: &str) -> Result<()> {
    if s.is_empty() || ((3..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{s:?} must be 3 to 64 digits")))
    }
}

/// Whether `year` is a leap year of the Gregorian calendar.
pub(crate) fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// The days of `month` (1–12); `year` `None` when it does not count (29 for February).
pub(crate) fn days_in_month(month: u32, year: Option<u32>) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if !is_leap(y) => 28,
            _ => 29,
        },
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(r: Result<()>) -> bool {
        match r {
            Ok(()) => true,
            Err(e) => {
                assert_eq!(e.code(), "INVALID_ARGUMENT");
                false
            }
        }
    }

    #[test]
    fn sip_domains_are_host_names_or_addresses() {
        for good in ["example.com", "Bakery.SIP.example.com", "pbx", "a-b.c1", "192.0.2.1", "2001:db8::1", "::1"] {
            assert!(ok(sip_domain("domain", good)), "{good}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        let too_long = vec!["a".repeat(50); 6].join(".");
        for bad in [
            "",
            "-a.com",
            "a-.com",
            "a..com",
            "a.com.",
            "a_b.com",
            "a b.com",
            "1.2.3",
            "999.1.1.1",
            "sip:x.com",
            "x.com:5060",
            "[::1]",
            "é.com",
            long_label.as_str(),
            too_long.as_str(),
        ] {
            assert!(!ok(sip_domain("domain", bad)), "{bad}");
        }
    }

    #[test]
    fn urls_are_http_without_credentials() {
        for good in [
            "https://hooks.example.com/cdr",
            "HTTP://10.0.0.1:8080/x?y=1#z",
            "https://[2001:db8::1]:443/",
            "http://localhost",
            "https://a.example/p%20q",
        ] {
            assert!(ok(http_url("url", good)), "{good}");
        }
        let huge = format!("https://a.example/{}", "x".repeat(MAX_URL));
        for bad in [
            "",
            "ftp://a.example",
            "https://",
            "https:///path",
            "https://user:pw@a.example/",
            "https://a.example/with space",
            "https://a.example:0/",
            "https://a.example:70000/",
            "https://a.example:/",
            "https://[::1/",
            "https://[zz]/",
            "https://a_b.example/",
            huge.as_str(),
        ] {
            assert!(!ok(http_url("url", bad)), "{bad}");
        }
    }

    #[test]
    fn clock_times_are_hh_mm() {
        assert_eq!(clock_time("t", "00:00").unwrap(), 0);
        assert_eq!(clock_time("t", "09:30").unwrap(), 570);
        assert_eq!(clock_time("t", "23:59").unwrap(), 1439);
        for bad in ["24:00", "9:00", "09:60", "0900", "09:00:00", "+9:00", "ab:cd", ""] {
            assert!(clock_time("t", bad).is_err(), "{bad}");
        }
        assert_eq!(clock_text(570), "09:30");
        assert_eq!(clock_text(0), "00:00");
    }

    #[test]
    fn small_text_rules() {
        assert!(ok(digits("d", "", 8)) && ok(digits("d", "0044", 8)));
        assert!(!ok(digits("d", "123456789", 8)) && !ok(digits("d", "12a", 8)));
        assert!(ok(dial_prefix("p", "+*#0")) && !ok(dial_prefix("p", "1-2")));
        assert!(!ok(dial_prefix("p", &"1".repeat(17))));
        for good in ["", "Angola(244)", "United States(1)", "Côte d'Ivoire(225)", "X(1234)"] {
            assert!(ok(e164_country("c", good)), "{good}");
        }
        for bad in ["Angola", "Angola()", "Angola(0244)", "Angola(12345)", "(244)", " Angola(244)", "A(n)gola(244)"] {
            assert!(!ok(e164_country("c", bad)), "{bad}");
        }
        assert!(ok(opaque_id("i", "NzAwNTUxOTA5NzczMTQ4MTYw", 64)) && !ok(opaque_id("i", "", 64)));
        assert!(!ok(opaque_id("i", "a b", 64)) && !ok(opaque_id("i", &"a".repeat(65), 64)));
        assert!(ok(plain("p", "pa ss wörd", 256)) && !ok(plain("p", "a\nb", 256)) && !ok(plain("p", "ab", 1)));
        assert!(ok(visible_ascii("t", "abc.DEF-123", 11)) && !ok(visible_ascii("t", "abc.DEF-123", 10)));
        assert!(
            ok(visible_ascii("t", "", 10)) && !ok(visible_ascii("t", "a b", 10)) && !ok(visible_ascii("t", "é", 10))
        );
        assert!(ok(json_text("j", "")) && ok(json_text("j", r#"{"a":[1,2]}"#)) && ok(json_text("j", "3")));
        assert!(!ok(json_text("j", "{")) && !ok(json_text("j", &format!("{}{}", "[".repeat(40), "]".repeat(40)))));
        assert!(!ok(json_text("j", &format!("\"{}\"", "x".repeat(MAX_DOCUMENT)))));
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert!(ok(pem("c", "")) && ok(pem("c", cert)) && !ok(pem("c", "MIIB")) && !ok(pem("c", "-----BEGIN x\0")));
        assert!(within("n", 5, (1, 5)).is_ok() && within("n", 0, (1, 5)).is_err() && within("n", 6, (1, 5)).is_err());
    }

    #[test]
    fn reference_lists_return_canonical_spellings() {
        assert_eq!(time_zone("tz", "europe/brussels").unwrap(), "Europe/Brussels");
        assert_eq!(currency("c", "eur").unwrap(), "EUR");
        assert_eq!(region("r", "").unwrap(), "");
        assert_eq!(region("r", "ago").unwrap(), "AGO");
        assert!(time_zone("tz", "Europe/Nowhere").is_err());
        assert!(currency("c", "EURO").is_err());
        assert!(region("r", "AO").is_err());
    }

    #[test]
    fn header_rules() {
        for good in ["X-Customer-Id", "P-Asserted-Identity", "x.y!%*_+`'~"] {
            assert!(ok(header_name("h", good)), "{good}");
        }
        for bad in ["", "X Header", "X:Y", "X-\u{e9}", &"x".repeat(65)] {
            assert!(!ok(header_name("h", bad)), "{bad}");
        }
        assert!(is_dialog_header("Call-ID") && is_dialog_header("v") && !is_dialog_header("X-Via"));
        assert!(ok(header_scope("s", "TRUNK")) && ok(header_scope("s", "EXTENSION")));
        assert!(!ok(header_scope("s", "trunk")) && !ok(header_scope("s", "ALL")));
        assert!(ok(extension_number("e", "")) && ok(extension_number("e", "800")));
        assert!(!ok(extension_number("e", "80")) && !ok(extension_number("e", "8a0")));
        assert!(!ok(extension_number("e", &"1".repeat(65))));
    }

    #[test]
    fn calendar() {
        assert!(is_leap(2024) && is_leap(2000) && !is_leap(1900) && !is_leap(2023));
        assert_eq!(days_in_month(2, Some(2023)), 28);
        assert_eq!(days_in_month(2, Some(2024)), 29);
        assert_eq!(days_in_month(2, None), 29);
        assert_eq!(days_in_month(4, None), 30);
        assert_eq!(days_in_month(12, Some(1)), 31);
    }
}
