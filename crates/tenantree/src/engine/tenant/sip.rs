//! 004's custom SIP headers and voicemail settings of a tenant.

use super::rules::{self, within};
use super::{node_key, tenant_chain};
use crate::engine::Ctx;
use crate::engine::access::{Action, Principal};
use crate::engine::feed::{self, Event};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::schema::Schema;
use crate::store::{Blob, HeadersRecord, View, VoicemailRecord, WriteView, decode, encode};
use crate::tenant::{
    AddedHeader, CustomHeaders, CustomHeadersUpdate, RelayedHeader, VoicemailSettings, VoicemailUpdate,
};

/// The public form of a headers record.
pub(crate) fn headers_of(r: &HeadersRecord) -> CustomHeaders {
    CustomHeaders {
        add: r
            .add
            .iter()
            .map(|(name, value, scope)| AddedHeader { name: name.clone(), value: value.clone(), scope: scope.clone() })
            .collect(),
        relay: r.relay.iter().map(|(name, scope)| RelayedHeader { name: name.clone(), scope: scope.clone() }).collect(),
    }
}

/// Checks custom headers against the rules of [`AddedHeader`] and [`RelayedHeader`].
pub(crate) fn validate_headers(h: &CustomHeaders) -> Result<HeadersRecord> {
    for (list, n) in [("add", h.add.len()), ("relay", h.relay.len())] {
        if n > rules::MAX_HEADERS {
            return Err(Error::invalid(list, format!("has {n} headers, the maximum is {}", rules::MAX_HEADERS)));
        }
    }
    let mut rec = HeadersRecord::default();
    for (i, a) in h.add.iter().enumerate() {
        let field = |f: &str| format!("add[{i}].{f}");
        rules::header_name(&field("name"), &a.name)?;
        if rules::is_dialog_header(&a.name) {
            return Err(Error::invalid(
                field("name"),
                format!("{} carries the SIP dialog and cannot be added", a.name),
            ));
        }
        if a.value.is_empty() {
            return Err(Error::invalid(field("value"), "must not be empty"));
        }
        rules::plain(&field("value"), &a.value, rules::MAX_HEADER_VALUE)?;
        rules::header_scope(&field("scope"), &a.scope)?;
        if rec.add.iter().any(|(n, _, s)| n.eq_ignore_ascii_case(&a.name) && *s == a.scope) {
            return Err(Error::invalid(field("name"), format!("{} is added twice in scope {}", a.name, a.scope)));
        }
        rec.add.push((a.name.clone(), a.value.clone(), a.scope.clone()));
    }
    for (i, r) in h.relay.iter().enumerate() {
        let field = |f: &str| format!("relay[{i}].{f}");
        rules::header_name(&field("name"), &r.name)?;
        rules::header_scope(&field("scope"), &r.scope)?;
        if rec.relay.iter().any(|(n, s)| n.eq_ignore_ascii_case(&r.name) && *s == r.scope) {
            return Err(Error::invalid(field("name"), format!("{} is relayed twice in scope {}", r.name, r.scope)));
        }
        rec.relay.push((r.name.clone(), r.scope.clone()));
    }
    Ok(rec)
}

fn load_headers(v: &impl View, seq: u64) -> Result<HeadersRecord> {
    match v.blob(Blob::SipHeaders, &node_key(seq))? {
        Some(bytes) => decode(&bytes),
        None => Ok(HeadersRecord::default()),
    }
}

/// A tenant's custom headers (none by default). O(depth).
pub(crate) fn headers(v: &impl View, schema: &Schema, who: &Principal, tenant: NodeId) -> Result<CustomHeaders> {
    let chain = tenant_chain(v, schema, who, tenant, Action::SettingsRead)?;
    Ok(headers_of(&load_headers(v, chain.seq())?))
}

/// Replaces the lists given. O(depth).
pub(crate) fn set_headers(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    tenant: NodeId,
    u: &CustomHeadersUpdate,
) -> Result<CustomHeaders> {
    let chain = tenant_chain(w, ctx.schema, who, tenant, Action::SettingsUpdate)?;
    let seq = chain.seq();
    let old = load_headers(w, seq)?;
    let mut wanted = headers_of(&old);
    if let Some(add) = &u.add {
        wanted.add.clone_from(add);
    }
    if let Some(relay) = &u.relay {
        wanted.relay.clone_from(relay);
    }
    let rec = validate_headers(&wanted)?;
    if rec != old {
        w.put_blob(Blob::SipHeaders, &node_key(seq), &encode(&rec)?)?;
        let changes = serde_json::to_value(u).unwrap_or_default();
        feed::emit(w, ctx, who, Event::on("headers.update", "headers", tenant, Some(&chain), Some(changes))?)?;
    }
    Ok(headers_of(&rec))
}

/// The public form of a voicemail record.
pub(crate) fn voicemail_of(r: &VoicemailRecord) -> VoicemailSettings {
    VoicemailSettings {
        extension_number: r.extension_number.clone(),
        retain_days: r.retain_days,
        min_seconds: r.min_seconds,
    }
}

/// Checks voicemail settings against the rules documented on [`VoicemailSettings`].
pub(crate) fn validate_voicemail(s: &VoicemailSettings) -> Result<VoicemailRecord> {
    rules::extension_number("extension_number", &s.extension_number)?;
    Ok(VoicemailRecord {
        extension_number: s.extension_number.clone(),
        retain_days: within("retain_days", s.retain_days, rules::VOICEMAIL_DAYS)?,
        min_seconds: within("min_seconds", s.min_seconds, rules::VOICEMAIL_SECONDS)?,
    })
}

fn load_voicemail(v: &impl View, seq: u64) -> Result<VoicemailSettings> {
    match v.blob(Blob::Voicemail, &node_key(seq))? {
        Some(bytes) => Ok(voicemail_of(&decode(&bytes)?)),
        None => Ok(VoicemailSettings::default()),
    }
}

/// A tenant's voicemail settings (the defaults until set). O(depth).
pub(crate) fn voicemail(v: &impl View, schema: &Schema, who: &Principal, tenant: NodeId) -> Result<VoicemailSettings> {
    let chain = tenant_chain(v, schema, who, tenant, Action::SettingsRead)?;
    load_voicemail(v, chain.seq())
}

/// Changes the voicemail fields given. O(depth).
pub(crate) fn update_voicemail(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    tenant: NodeId,
    u: &VoicemailUpdate,
) -> Result<VoicemailSettings> {
    let chain = tenant_chain(w, ctx.schema, who, tenant, Action::SettingsUpdate)?;
    let seq = chain.seq();
    let old = load_voicemail(w, seq)?;
    let mut wanted = old.clone();
    if let Some(s) = &u.extension_number {
        wanted.extension_number.clone_from(s);
    }
    if let Some(n) = u.retain_days {
        wanted.retain_days = n;
    }
    if let Some(n) = u.min_seconds {
        wanted.min_seconds = n;
    }
    let rec = validate_voicemail(&wanted)?;
    if wanted != old {
        w.put_blob(Blob::Voicemail, &node_key(seq), &encode(&rec)?)?;
        let changes = serde_json::to_value(u).unwrap_or_default();
        feed::emit(w, ctx, who, Event::on("voicemail.update", "voicemail", tenant, Some(&chain), Some(changes))?)?;
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(name: &str, value: &str, scope: &str) -> AddedHeader {
        AddedHeader { name: name.into(), value: value.into(), scope: scope.into() }
    }

    #[test]
    fn headers_follow_their_doc() {
        let ok = CustomHeaders {
            add: vec![added("X-Customer", "42", "TRUNK"), added("x-customer", "42", "EXTENSION")],
            relay: vec![RelayedHeader { name: "Call-ID".into(), scope: "TRUNK".into() }],
        };
        validate_headers(&ok).unwrap();
        for bad in [
            added("Via", "x", "TRUNK"),
            added("i", "x", "TRUNK"),
            added("X Bad", "x", "TRUNK"),
            added("X-A", "", "TRUNK"),
            added("X-A", "a\r\nInjected: 1", "TRUNK"),
            added("X-A", &"v".repeat(257), "TRUNK"),
            added("X-A", "x", "trunk"),
        ] {
            let h = CustomHeaders { add: vec![bad.clone()], relay: vec![] };
            assert_eq!(validate_headers(&h).unwrap_err().code(), "INVALID_ARGUMENT", "{bad:?}");
        }
        let twice = CustomHeaders { add: vec![added("X-A", "1", "TRUNK"), added("x-a", "2", "TRUNK")], relay: vec![] };
        assert!(validate_headers(&twice).is_err());
        let many =
            CustomHeaders { add: (0..33).map(|i| added(&format!("X-{i}"), "v", "TRUNK")).collect(), relay: vec![] };
        assert!(validate_headers(&many).is_err());
    }

    #[test]
    fn voicemail_follows_its_doc() {
        validate_voicemail(&VoicemailSettings::default()).unwrap();
        let s = |n: &str, d, m| VoicemailSettings { extension_number: n.into(), retain_days: d, min_seconds: m };
        validate_voicemail(&s("800", 1, 0)).unwrap();
        validate_voicemail(&s(&"9".repeat(64), 3650, 3600)).unwrap();
        for bad in [s("80", 30, 1), s("8o0", 30, 1), s("800", 0, 1), s("800", 3651, 1), s("800", 30, 3601)] {
            assert_eq!(validate_voicemail(&bad).unwrap_err().code(), "INVALID_ARGUMENT", "{bad:?}");
        }
    }
}
