//! 004's tenant settings document and status: reading, partial updates (routed through the
//! node and quota rules where the values belong to them), and the SIP-domain index.

use std::collections::BTreeMap;

use super::rules::{self, within};
use super::{node_key, tenant_chain};
use crate::engine::access::{Action, Principal};
use crate::engine::feed::{self, Event, MASK};
use crate::engine::{Chain, Ctx, load_chain, nodes, quota};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::model::NodeUpdate;
use crate::schema::Schema;
use crate::store::{
    Blob, CallerIdRec, DayRec, E164Rec, Flow, HookRec, KeyRange, SettingsRecord, View, WriteView, decode, encode, keys,
};
use crate::tenant::{
    ByteSize, ContactAppendType, ContactMatchType, DayHours, E164Settings, E164Update, EventHook, EventHookUpdate,
    HookAuth, OfficeHours, OutboundCallerId, TenantSettings, TenantSettingsUpdate, TenantStatus, TimeRange,
};
use crate::validate::{self, NodeName};

/// The limits of 004's document and the schema resources they are.
pub(crate) const LIMITS: [(&str, &str); 6] = [
    ("max_extensions", "extensions"),
    ("max_concurrent_calls", "concurrent_calls"),
    ("max_ring_groups", "ring_groups"),
    ("max_virtual_receptionists", "virtual_receptionists"),
    ("max_call_queues", "call_queues"),
    ("max_conference_rooms", "conference_rooms"),
];
/// The resource behind `disk_quota` and `used_disk_quota`.
pub(crate) const DISK: &str = "disk_bytes";

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DEFAULT_DAY: (u16, u16) = (9 * 60, 17 * 60);

fn default_hook() -> HookRec {
    HookRec {
        enabled: false,
        auth: 0,
        username: String::new(),
        password: String::new(),
        token: String::new(),
        url: String::new(),
    }
}

/// The settings of a tenant that never stored any (documented on [`TenantSettings`]).
pub(crate) fn defaults() -> SettingsRecord {
    let day = DayRec { enabled: true, ranges: vec![DEFAULT_DAY] };
    SettingsRecord {
        domain: String::new(),
        timezone: "UTC".to_owned(),
        currency: "USD".to_owned(),
        region: String::new(),
        enable_video_recording: false,
        enable_audio_recording: false,
        enable_dual_track_recording: false,
        enable_billing: false,
        enable_feature_billing: false,
        enable_feature_call_statistics: true,
        enable_feature_contact_center: true,
        enable_feature_message_channels: true,
        enable_feature_microsoft_teams: true,
        enable_feature_trunks: true,
        enable_feature_whats_app: true,
        enable_night_mode: false,
        enable_two_factor_authentication: false,
        custom_options: String::new(),
        im_disk_quota: None,
        extension_im_disk_quota: Some(1 << 30),
        recording_retention: 180,
        call_report_retention: 30,
        log_retention: 180,
        temp_file_retention: 30,
        office_hours: vec![day; 7],
        outbound_caller_ids: Vec::new(),
        e164: E164Rec {
            enabled: false,
            international_code: String::new(),
            country: String::new(),
            area_code: String::new(),
            national_code: String::new(),
            prefix: String::new(),
            remove_special_chars: false,
            remove_duplicate_countries: true,
            remove_duplicate_area_codes: true,
        },
        cdr_event: default_hook(),
        extension_event: default_hook(),
        contact_match_type: 1,
        contact_match_length: 1,
        contact_append_type: 1,
        contact_update_interval: 720,
        password_force_reset: false,
        avatar_file_id: String::new(),
        avatar_file_name: String::new(),
        avatar_file_size: 0,
        avatar_file_url: String::new(),
        stir_shaken_cert: String::new(),
        stir_shaken_key: String::new(),
    }
}

/// The stored settings of a node, or the defaults.
pub(crate) fn load(v: &impl View, seq: u64) -> Result<SettingsRecord> {
    match v.blob(Blob::TenantSettings, &node_key(seq))? {
        Some(bytes) => decode(&bytes),
        None => Ok(defaults()),
    }
}

/// The stored one-byte codes of the settings' enums, each table read both ways so the two
/// directions cannot drift apart; an unknown stored code is damage (`CORRUPTED`).
macro_rules! codes {
    ($decode:ident, $encode:ident, $ty:ident, $what:literal, { $($code:literal => $variant:ident),+ $(,)? }) => {
        fn $decode(code: u8) -> Result<$ty> {
            match code {
                $($code => Ok($ty::$variant),)+
                other => Err(Error::corrupted(format!(concat!("unknown ", $what, " {}"), other))),
            }
        }

        fn $encode(value: $ty) -> u8 {
            match value {
                $($ty::$variant => $code,)+
            }
        }
    };
}

codes!(match_type, match_code, ContactMatchType, "contact match type", {
    0 => Disable, 1 => MatchExactly, 2 => MatchLength,
});
codes!(append_type, append_code, ContactAppendType, "contact append type", {
    0 => Disable, 1 => Append, 2 => Prepend,
});
codes!(auth_of, auth_code, HookAuth, "hook authentication", {
    0 => Disable, 1 => Basic, 2 => Token,
});

/// A secret as read: the mask when set, unless revealed.
fn secret(s: &str, reveal: bool) -> String {
    if reveal || s.is_empty() { s.to_owned() } else { MASK.to_owned() }
}

fn hook_out(h: &HookRec, reveal: bool) -> Result<EventHook> {
    Ok(EventHook {
        enabled: h.enabled,
        auth: auth_of(h.auth)?,
        username: h.username.clone(),
        password: secret(&h.password, reveal),
        token: secret(&h.token, reveal),
        url: h.url.clone(),
    })
}

fn day_out(d: &DayRec) -> DayHours {
    DayHours {
        enabled: d.enabled,
        ranges: d
            .ranges
            .iter()
            .map(|&(from, to)| TimeRange { from: rules::clock_text(from), to: rules::clock_text(to) })
            .collect(),
    }
}

fn day_of(rec: &SettingsRecord, i: usize) -> Result<DayHours> {
    rec.office_hours.get(i).map(day_out).ok_or_else(|| Error::corrupted("the office hours lack a weekday"))
}

/// A node's limit on a resource, if the schema has it and the node carries one.
fn limit_of(schema: &Schema, chain: &Chain, resource: &str) -> Result<Option<u64>> {
    Ok(schema.resource_key(resource).and_then(|k| chain.node().ok().and_then(|h| h.rec.limit(k))))
}

/// Usage of a resource at the node (0 when the schema lacks it).
fn usage_of(v: &impl View, schema: &Schema, chain: &Chain, resource: &str) -> Result<u64> {
    match schema.resource_key(resource) {
        Some(k) => quota::usage(v, chain.node()?, k),
        None => Ok(0),
    }
}

/// The public document of the tenant at the head of `chain`.
fn to_public(
    v: &impl View,
    schema: &Schema,
    chain: &Chain,
    rec: &SettingsRecord,
    reveal: bool,
) -> Result<TenantSettings> {
    let head = chain.node()?;
    let used = usage_of(v, schema, chain, DISK)?;
    let limit = |i: usize| -> Result<Option<u64>> {
        match LIMITS.get(i) {
            Some((_, resource)) => limit_of(schema, chain, resource),
            None => Ok(None),
        }
    };
    Ok(TenantSettings {
        id: head.id(),
        name: head.rec.name.clone(),
        domain: rec.domain.clone(),
        website: head.rec.profile.website.clone().unwrap_or_default(),
        timezone: rec.timezone.clone(),
        currency: rec.currency.clone(),
        region: rec.region.clone(),
        enable_video_recording: rec.enable_video_recording,
        enable_audio_recording: rec.enable_audio_recording,
        enable_dual_track_recording: rec.enable_dual_track_recording,
        enable_billing: rec.enable_billing,
        enable_feature_billing: rec.enable_feature_billing,
        enable_feature_call_statistics: rec.enable_feature_call_statistics,
        enable_feature_contact_center: rec.enable_feature_contact_center,
        enable_feature_message_channels: rec.enable_feature_message_channels,
        enable_feature_microsoft_teams: rec.enable_feature_microsoft_teams,
        enable_feature_trunks: rec.enable_feature_trunks,
        enable_feature_whats_app: rec.enable_feature_whats_app,
        enable_night_mode: rec.enable_night_mode,
        enable_two_factor_authentication: rec.enable_two_factor_authentication,
        custom_options: rec.custom_options.clone(),
        max_extensions: limit(0)?,
        max_concurrent_calls: limit(1)?,
        max_ring_groups: limit(2)?,
        max_virtual_receptionists: limit(3)?,
        max_call_queues: limit(4)?,
        max_conference_rooms: limit(5)?,
        disk_quota: ByteSize::quota_text(limit_of(schema, chain, DISK)?),
        used_disk_quota: if used == 0 { "0B".to_owned() } else { ByteSize::quota_text(Some(used)) },
        im_disk_quota: ByteSize::quota_text(rec.im_disk_quota),
        extension_im_disk_quota: ByteSize::quota_text(rec.extension_im_disk_quota),
        recording_retention: rec.recording_retention,
        call_report_retention: rec.call_report_retention,
        log_retention: rec.log_retention,
        temp_file_retention: rec.temp_file_retention,
        office_hours: OfficeHours {
            monday: day_of(rec, 0)?,
            tuesday: day_of(rec, 1)?,
            wednesday: day_of(rec, 2)?,
            thursday: day_of(rec, 3)?,
            friday: day_of(rec, 4)?,
            saturday: day_of(rec, 5)?,
            sunday: day_of(rec, 6)?,
        },
        outbound_caller_ids: rec
            .outbound_caller_ids
            .iter()
            .map(|c| OutboundCallerId {
                provider_id: c.provider_id.clone(),
                caller_id: c.caller_id.clone(),
                description: c.description.clone(),
            })
            .collect(),
        e164: E164Settings {
            enabled: rec.e164.enabled,
            international_code: rec.e164.international_code.clone(),
            country: rec.e164.country.clone(),
            area_code: rec.e164.area_code.clone(),
            national_code: rec.e164.national_code.clone(),
            prefix: rec.e164.prefix.clone(),
            remove_special_chars: rec.e164.remove_special_chars,
            remove_duplicate_countries: rec.e164.remove_duplicate_countries,
            remove_duplicate_area_codes: rec.e164.remove_duplicate_area_codes,
        },
        cdr_event: hook_out(&rec.cdr_event, reveal)?,
        extension_event: hook_out(&rec.extension_event, reveal)?,
        contact_match_type: match_type(rec.contact_match_type)?,
        contact_match_length: rec.contact_match_length,
        contact_append_type: append_type(rec.contact_append_type)?,
        contact_update_interval: rec.contact_update_interval,
        password_force_reset: rec.password_force_reset,
        avatar_file_id: rec.avatar_file_id.clone(),
        avatar_file_name: rec.avatar_file_name.clone(),
        avatar_file_size: rec.avatar_file_size,
        avatar_file_url: rec.avatar_file_url.clone(),
        stir_shaken_cert: rec.stir_shaken_cert.clone(),
        stir_shaken_key: secret(&rec.stir_shaken_key, reveal),
    })
}

/// The settings document, secrets masked. O(depth).
pub(crate) fn get(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<TenantSettings> {
    let chain = tenant_chain(v, schema, who, id, Action::SettingsRead)?;
    to_public(v, schema, &chain, &load(v, chain.seq())?, false)
}

/// The settings document with its secrets in clear: `instance.settings.secrets.read`, which
/// wildcards never grant. O(depth).
pub(crate) fn get_secrets(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<TenantSettings> {
    let chain = tenant_chain(v, schema, who, id, Action::SettingsSecretsRead)?;
    to_public(v, schema, &chain, &load(v, chain.seq())?, true)
}

/// 004's status document: what the store knows. O(depth + accounts of the tenant).
pub(crate) fn status(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<TenantStatus> {
    let chain = tenant_chain(v, schema, who, id, Action::SettingsRead)?;
    let mut users = 0u64;
    v.scan(Blob::AccountsByNode, KeyRange::prefix(&keys::parent_prefix(chain.seq())), false, &mut |_, _| {
        users += 1;
        Ok(Flow::Continue(()))
    })?;
    Ok(TenantStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        licensed_users: limit_of(schema, &chain, "extensions")?,
        current_users: users,
        online_users: 0,
        current_calls: usage_of(v, schema, &chain, "concurrent_calls")?,
        current_queues: usage_of(v, schema, &chain, "call_queues")?,
        current_conference_rooms: usage_of(v, schema, &chain, "conference_rooms")?,
        current_ring_groups: usage_of(v, schema, &chain, "ring_groups")?,
        current_ivrs: usage_of(v, schema, &chain, "virtual_receptionists")?,
        current_trunks: usage_of(v, schema, &chain, "trunks")?,
        calls_in_24_hours: Vec::new(),
    })
}

fn day_in(field: &str, d: &DayHours) -> Result<DayRec> {
    if d.ranges.len() > rules::MAX_RANGES {
        return Err(Error::invalid(
            format!("{field}.ranges"),
            format!("has {} ranges, the maximum is {}", d.ranges.len(), rules::MAX_RANGES),
        ));
    }
    let mut ranges = Vec::with_capacity(d.ranges.len());
    for (i, r) in d.ranges.iter().enumerate() {
        let from = rules::clock_time(&format!("{field}.ranges[{i}].from"), &r.from)?;
        let to = rules::clock_time(&format!("{field}.ranges[{i}].to"), &r.to)?;
        if from >= to {
            return Err(Error::invalid(
                format!("{field}.ranges[{i}]"),
                format!("starts at {} but ends at {}: from must be before to", r.from, r.to),
            ));
        }
        ranges.push((from, to));
    }
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        if let [a, b] = pair
            && b.0 < a.1
        {
            return Err(Error::invalid(
                format!("{field}.ranges"),
                format!(
                    "{}-{} overlaps {}-{}",
                    rules::clock_text(a.0),
                    rules::clock_text(a.1),
                    rules::clock_text(b.0),
                    rules::clock_text(b.1)
                ),
            ));
        }
    }
    Ok(DayRec { enabled: d.enabled, ranges })
}

fn caller_ids_in(list: &[OutboundCallerId]) -> Result<Vec<CallerIdRec>> {
    if list.len() > rules::MAX_CALLER_IDS {
        return Err(Error::invalid(
            "outbound_caller_ids",
            format!("has {} entries, the maximum is {}", list.len(), rules::MAX_CALLER_IDS),
        ));
    }
    let mut out: Vec<CallerIdRec> = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let field = |f: &str| format!("outbound_caller_ids[{i}].{f}");
        rules::opaque_id(&field("provider_id"), &c.provider_id, 64)?;
        validate::check_phone(&field("caller_id"), &c.caller_id)?;
        rules::line(&field("description"), &c.description, 256)?;
        if out.iter().any(|o| o.provider_id == c.provider_id && o.caller_id == c.caller_id) {
            return Err(Error::invalid(
                format!("outbound_caller_ids[{i}]"),
                format!("repeats caller id {:?} of provider {:?}", c.caller_id, c.provider_id),
            ));
        }
        out.push(CallerIdRec {
            provider_id: c.provider_id.clone(),
            caller_id: c.caller_id.clone(),
            description: c.description.clone(),
        });
    }
    Ok(out)
}

fn e164_in(rec: &mut E164Rec, u: &E164Update) -> Result<()> {
    if let Some(v) = u.enabled {
        rec.enabled = v;
    }
    if let Some(s) = &u.international_code {
        rules::digits("e164.international_code", s, 8)?;
        rec.international_code.clone_from(s);
    }
    if let Some(s) = &u.country {
        rules::e164_country("e164.country", s)?;
        rec.country.clone_from(s);
    }
    if let Some(s) = &u.area_code {
        rules::digits("e164.area_code", s, 8)?;
        rec.area_code.clone_from(s);
    }
    if let Some(s) = &u.national_code {
        rules::digits("e164.national_code", s, 8)?;
        rec.national_code.clone_from(s);
    }
    if let Some(s) = &u.prefix {
        rules::dial_prefix("e164.prefix", s)?;
        rec.prefix.clone_from(s);
    }
    if let Some(v) = u.remove_special_chars {
        rec.remove_special_chars = v;
    }
    if let Some(v) = u.remove_duplicate_countries {
        rec.remove_duplicate_countries = v;
    }
    if let Some(v) = u.remove_duplicate_area_codes {
        rec.remove_duplicate_area_codes = v;
    }
    Ok(())
}

/// Applies a hook change; a secret equal to the mask keeps the stored one.
fn hook_in(rec: &mut HookRec, u: &EventHookUpdate) {
    if let Some(v) = u.enabled {
        rec.enabled = v;
    }
    if let Some(a) = u.auth {
        rec.auth = auth_code(a);
    }
    if let Some(s) = &u.username {
        rec.username.clone_from(s);
    }
    if let Some(s) = &u.password
        && s != MASK
    {
        rec.password.clone_from(s);
    }
    if let Some(s) = &u.token
        && s != MASK
    {
        rec.token.clone_from(s);
    }
    if let Some(s) = &u.url {
        rec.url.clone_from(s);
    }
}

/// The rules of one hook as a whole (see [`EventHook`]).
fn check_hook(field: &str, h: &HookRec) -> Result<()> {
    let f = |name: &str| format!("{field}.{name}");
    rules::line(&f("username"), &h.username, 128)?;
    rules::plain(&f("password"), &h.password, 256)?;
    rules::visible_ascii(&f("token"), &h.token, 1024)?;
    if !h.url.is_empty() {
        rules::http_url(&f("url"), &h.url)?;
    }
    let auth = auth_of(h.auth)?;
    if h.enabled {
        if h.url.is_empty() {
            return Err(Error::invalid(f("url"), "is required while the hook is enabled"));
        }
        if auth == HookAuth::Basic && h.username.is_empty() {
            return Err(Error::invalid(f("username"), "is required for BASIC authentication"));
        }
        if auth == HookAuth::Token && h.token.is_empty() {
            return Err(Error::invalid(f("token"), "is required for TOKEN authentication"));
        }
    }
    Ok(())
}

fn quota_in(field: &str, s: &str) -> Result<Option<u64>> {
    if s.is_empty() { Ok(None) } else { ByteSize::parse_field(field, s).map(|b| Some(b.bytes())) }
}

fn avatar_url(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Ok(());
    }
    if s.starts_with('/') {
        return rules::visible_ascii(field, s, rules::MAX_URL);
    }
    rules::http_url(field, s)
}

/// Re-checks every rule of a settings record (for `check()`: what validation would refuse).
pub(crate) fn validate_record(rec: &SettingsRecord) -> Result<()> {
    if !rec.domain.is_empty() {
        rules::sip_domain("domain", &rec.domain)?;
    }
    if rules::time_zone("timezone", &rec.timezone)? != rec.timezone {
        return Err(Error::invalid("timezone", "is not in its canonical spelling"));
    }
    if rules::currency("currency", &rec.currency)? != rec.currency {
        return Err(Error::invalid("currency", "is not in its canonical spelling"));
    }
    if rules::region("region", &rec.region)? != rec.region {
        return Err(Error::invalid("region", "is not in its canonical spelling"));
    }
    rules::json_text("custom_options", &rec.custom_options)?;
    for (field, v) in [("im_disk_quota", rec.im_disk_quota), ("extension_im_disk_quota", rec.extension_im_disk_quota)] {
        if v == Some(0) {
            return Err(Error::invalid(field, "is zero"));
        }
    }
    for (field, v) in [
        ("recording_retention", rec.recording_retention),
        ("call_report_retention", rec.call_report_retention),
        ("log_retention", rec.log_retention),
        ("temp_file_retention", rec.temp_file_retention),
    ] {
        within(field, v, rules::RETENTION_DAYS)?;
    }
    if rec.office_hours.len() != DAYS.len() {
        return Err(Error::invalid("office_hours", format!("has {} days", rec.office_hours.len())));
    }
    for (day, d) in DAYS.iter().zip(&rec.office_hours) {
        let field = format!("office_hours.{day}");
        if day_in(&field, &day_out(d))? != *d {
            return Err(Error::invalid(field, "is not sorted"));
        }
    }
    let ids: Vec<OutboundCallerId> = rec
        .outbound_caller_ids
        .iter()
        .map(|c| OutboundCallerId {
            provider_id: c.provider_id.clone(),
            caller_id: c.caller_id.clone(),
            description: c.description.clone(),
        })
        .collect();
    caller_ids_in(&ids)?;
    let mut e164 = rec.e164.clone();
    e164_in(
        &mut e164,
        &E164Update {
            international_code: Some(rec.e164.international_code.clone()),
            country: Some(rec.e164.country.clone()),
            area_code: Some(rec.e164.area_code.clone()),
            national_code: Some(rec.e164.national_code.clone()),
            prefix: Some(rec.e164.prefix.clone()),
            ..E164Update::default()
        },
    )?;
    check_hook("cdr_event", &rec.cdr_event)?;
    check_hook("extension_event", &rec.extension_event)?;
    match_type(rec.contact_match_type)?;
    append_type(rec.contact_append_type)?;
    within("contact_match_length", rec.contact_match_length, rules::MATCH_LENGTH)?;
    within("contact_update_interval", rec.contact_update_interval, rules::UPDATE_INTERVAL)?;
    if !rec.avatar_file_id.is_empty() {
        rules::opaque_id("avatar_file_id", &rec.avatar_file_id, 128)?;
    }
    rules::line("avatar_file_name", &rec.avatar_file_name, 255)?;
    avatar_url("avatar_file_url", &rec.avatar_file_url)?;
    rules::pem("stir_shaken_cert", &rec.stir_shaken_cert)?;
    rules::pem("stir_shaken_key", &rec.stir_shaken_key)?;
    Ok(())
}

/// Applies the settings-record part of an update to `rec`, checking each field given.
fn apply_fields(rec: &mut SettingsRecord, u: &TenantSettingsUpdate) -> Result<()> {
    macro_rules! copy {
        ($($f:ident),* $(,)?) => {
            $(if let Some(v) = u.$f { rec.$f = v; })*
        };
    }
    copy!(
        enable_video_recording,
        enable_audio_recording,
        enable_dual_track_recording,
        enable_billing,
        enable_feature_billing,
        enable_feature_call_statistics,
        enable_feature_contact_center,
        enable_feature_message_channels,
        enable_feature_microsoft_teams,
        enable_feature_trunks,
        enable_feature_whats_app,
        enable_night_mode,
        enable_two_factor_authentication,
        password_force_reset,
        avatar_file_size,
    );
    if let Some(s) = &u.domain {
        if !s.is_empty() {
            rules::sip_domain("domain", s)?;
        }
        rec.domain.clone_from(s);
    }
    if let Some(s) = &u.timezone {
        rules::time_zone("timezone", s)?.clone_into(&mut rec.timezone);
    }
    if let Some(s) = &u.currency {
        rules::currency("currency", s)?.clone_into(&mut rec.currency);
    }
    if let Some(s) = &u.region {
        rules::region("region", s)?.clone_into(&mut rec.region);
    }
    if let Some(s) = &u.custom_options {
        rules::json_text("custom_options", s)?;
        rec.custom_options.clone_from(s);
    }
    if let Some(s) = &u.im_disk_quota {
        rec.im_disk_quota = quota_in("im_disk_quota", s)?;
    }
    if let Some(s) = &u.extension_im_disk_quota {
        rec.extension_im_disk_quota = quota_in("extension_im_disk_quota", s)?;
    }
    for (field, given, slot) in [
        ("recording_retention", u.recording_retention, &mut rec.recording_retention),
        ("call_report_retention", u.call_report_retention, &mut rec.call_report_retention),
        ("log_retention", u.log_retention, &mut rec.log_retention),
        ("temp_file_retention", u.temp_file_retention, &mut rec.temp_file_retention),
    ] {
        if let Some(n) = given {
            *slot = within(field, n, rules::RETENTION_DAYS)?;
        }
    }
    if let Some(h) = &u.office_hours {
        let given = [&h.monday, &h.tuesday, &h.wednesday, &h.thursday, &h.friday, &h.saturday, &h.sunday];
        for ((day, d), slot) in DAYS.iter().zip(given).zip(rec.office_hours.iter_mut()) {
            if let Some(d) = d {
                *slot = day_in(&format!("office_hours.{day}"), d)?;
            }
        }
    }
    if let Some(list) = &u.outbound_caller_ids {
        rec.outbound_caller_ids = caller_ids_in(list)?;
    }
    if let Some(e) = &u.e164 {
        e164_in(&mut rec.e164, e)?;
    }
    if let Some(h) = &u.cdr_event {
        hook_in(&mut rec.cdr_event, h);
    }
    if let Some(h) = &u.extension_event {
        hook_in(&mut rec.extension_event, h);
    }
    check_hook("cdr_event", &rec.cdr_event)?;
    check_hook("extension_event", &rec.extension_event)?;
    if let Some(t) = u.contact_match_type {
        rec.contact_match_type = match_code(t);
    }
    if let Some(n) = u.contact_match_length {
        rec.contact_match_length = within("contact_match_length", n, rules::MATCH_LENGTH)?;
    }
    if let Some(t) = u.contact_append_type {
        rec.contact_append_type = append_code(t);
    }
    if let Some(n) = u.contact_update_interval {
        rec.contact_update_interval = within("contact_update_interval", n, rules::UPDATE_INTERVAL)?;
    }
    if let Some(s) = &u.avatar_file_id {
        if !s.is_empty() {
            rules::opaque_id("avatar_file_id", s, 128)?;
        }
        rec.avatar_file_id.clone_from(s);
    }
    if let Some(s) = &u.avatar_file_name {
        rules::line("avatar_file_name", s, 255)?;
        rec.avatar_file_name.clone_from(s);
    }
    if let Some(s) = &u.avatar_file_url {
        avatar_url("avatar_file_url", s)?;
        rec.avatar_file_url.clone_from(s);
    }
    if let Some(s) = &u.stir_shaken_cert {
        rules::pem("stir_shaken_cert", s)?;
        rec.stir_shaken_cert.clone_from(s);
    }
    if let Some(s) = &u.stir_shaken_key
        && s != MASK
    {
        rules::pem("stir_shaken_key", s)?;
        rec.stir_shaken_key.clone_from(s);
    }
    Ok(())
}

/// Whether the dealer-controlled entitlements differ.
fn entitlements_changed(old: &SettingsRecord, new: &SettingsRecord) -> bool {
    old.enable_billing != new.enable_billing
        || old.enable_feature_billing != new.enable_feature_billing
        || old.enable_feature_call_statistics != new.enable_feature_call_statistics
        || old.enable_feature_contact_center != new.enable_feature_contact_center
        || old.enable_feature_message_channels != new.enable_feature_message_channels
        || old.enable_feature_microsoft_teams != new.enable_feature_microsoft_teams
        || old.enable_feature_trunks != new.enable_feature_trunks
        || old.enable_feature_whats_app != new.enable_feature_whats_app
        || old.im_disk_quota != new.im_disk_quota
}

/// The limit changes an update asks for that differ from the node's limits, by resource.
fn limit_changes(schema: &Schema, chain: &Chain, u: &TenantSettingsUpdate) -> Result<BTreeMap<String, Option<u64>>> {
    let asked: [(&str, &str, Option<Option<u64>>); 6] = [
        ("max_extensions", "extensions", u.max_extensions),
        ("max_concurrent_calls", "concurrent_calls", u.max_concurrent_calls),
        ("max_ring_groups", "ring_groups", u.max_ring_groups),
        ("max_virtual_receptionists", "virtual_receptionists", u.max_virtual_receptionists),
        ("max_call_queues", "call_queues", u.max_call_queues),
        ("max_conference_rooms", "conference_rooms", u.max_conference_rooms),
    ];
    let disk = match &u.disk_quota {
        Some(s) => Some(quota_in("disk_quota", s)?),
        None => None,
    };
    let mut out = BTreeMap::new();
    for (field, resource, value) in asked.into_iter().chain([("disk_quota", DISK, disk)]) {
        let Some(value) = value else { continue };
        if value == limit_of(schema, chain, resource)? {
            continue;
        }
        if schema.resource_key(resource).is_none() {
            return Err(Error::invalid(field, format!("schema {:?} has no resource {resource} to limit", schema.name)));
        }
        out.insert(resource.to_owned(), value);
    }
    Ok(out)
}

/// The node part of an update (name and website), checked now so that applying it later
/// cannot be refused: the same checks as `nodes::update`.
fn node_changes(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    chain: &Chain,
    u: &TenantSettingsUpdate,
) -> Result<NodeUpdate> {
    let head = chain.node()?;
    let mut nu = NodeUpdate::default();
    if let Some(name) = &u.name
        && *name != head.rec.name
    {
        let def = schema.kind_at(head.rec.kind)?;
        let valid = NodeName::new(name, def.name_rule)?;
        let folded = valid.folded();
        if folded != validate::fold(&head.rec.name) {
            let place = nodes::NamePlace { parent: head.rec.parent, kind: head.rec.kind, folded: &folded };
            nodes::check_name_free(v, who, def, &place, valid.as_str(), Some(head.seq))?;
        }
        nu.name = Some(name.clone());
    }
    if let Some(site) = &u.website {
        let wanted = (!site.is_empty()).then(|| site.clone());
        if wanted != head.rec.profile.website {
            if let Some(s) = &wanted {
                validate::check_line("website", s, validate::limits::WEBSITE)?;
            }
            nu.website = Some(wanted);
        }
    }
    if !nu.is_empty() {
        who.require(schema, chain, head.rec.kind, Action::Update)?;
    }
    Ok(nu)
}

/// Refuses a SIP domain held by another node.
pub(crate) fn check_domain_free(v: &impl View, who: &Principal, domain: &str, seq: u64) -> Result<()> {
    let folded = domain.to_ascii_lowercase();
    if let Some(bytes) = v.blob(Blob::SipDomains, folded.as_bytes())? {
        let holder = u64::from_be_bytes(
            <[u8; 8]>::try_from(bytes.as_slice()).map_err(|_| Error::corrupted("malformed SIP-domain index entry"))?,
        );
        if holder != seq {
            let existing = match load_chain(v, holder) {
                Ok(c) if who.sees(&c) => Some(c.node()?.id().to_string()),
                _ => None,
            };
            return Err(Error::AlreadyExists { entity: "tenant", field: "domain", value: domain.to_owned(), existing });
        }
    }
    Ok(())
}

/// Changes a tenant's settings, all or nothing (see [`TenantSettingsUpdate`] for the routing).
/// O(depth) plus what `set_limits` costs for limits.
pub(crate) fn update(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    u: &TenantSettingsUpdate,
) -> Result<TenantSettings> {
    let schema = ctx.schema;
    let chain = tenant_chain(w, schema, who, id, Action::SettingsUpdate)?;
    let seq = chain.seq();
    let kind = chain.node()?.rec.kind;
    let old = load(w, seq)?;
    let mut rec = old.clone();
    apply_fields(&mut rec, u)?;
    let old_domain = old.domain.to_ascii_lowercase();
    let new_domain = rec.domain.to_ascii_lowercase();
    if new_domain != old_domain && !new_domain.is_empty() {
        check_domain_free(w, who, &rec.domain, seq)?;
    }
    let limits = limit_changes(schema, &chain, u)?;
    if !limits.is_empty() || entitlements_changed(&old, &rec) {
        who.require(schema, &chain, kind, Action::Limits)?;
    }
    let node_update = node_changes(w, schema, who, &chain, u)?;

    // Apply. `set_limits` goes first: it is the only step left that may refuse, and it changes
    // nothing when it does; the node update was checked above.
    if !limits.is_empty() {
        quota::set_limits(w, ctx, who, id, &limits, None)?;
    }
    if !node_update.is_empty() {
        nodes::update(w, ctx, who, id, &node_update)?;
    }
    if rec != old {
        w.put_blob(Blob::TenantSettings, &node_key(seq), &encode(&rec)?)?;
        if new_domain != old_domain {
            if !old_domain.is_empty() {
                w.remove_blob(Blob::SipDomains, old_domain.as_bytes())?;
            }
            if !new_domain.is_empty() {
                w.put_blob(Blob::SipDomains, new_domain.as_bytes(), &seq.to_be_bytes())?;
            }
        }
        let mut changes = serde_json::to_value(u).unwrap_or_default();
        if let Some(map) = changes.as_object_mut() {
            // Those went to the node's own events.
            for (field, _) in LIMITS {
                map.remove(field);
            }
            for field in ["name", "website", "disk_quota"] {
                map.remove(field);
            }
            if let Some(key) = map.get_mut("stir_shaken_key") {
                *key = serde_json::Value::String(MASK.to_owned());
            }
        }
        let chain = load_chain(w, seq)?;
        feed::emit(w, ctx, who, Event::on("settings.update", "settings", id, Some(&chain), Some(changes))?)?;
    }
    let chain = load_chain(w, seq)?;
    to_public(w, schema, &chain, &rec, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_their_own_rules() {
        validate_record(&defaults()).unwrap();
    }

    #[test]
    fn office_hours_need_ordered_ranges_that_do_not_overlap() {
        let day = |ranges: &[(&str, &str)]| DayHours {
            enabled: true,
            ranges: ranges.iter().map(|(f, t)| TimeRange::new(f, t)).collect(),
        };
        let ok = day_in("d", &day(&[("13:00", "17:00"), ("09:00", "12:00"), ("12:00", "13:00")])).unwrap();
        assert_eq!(ok.ranges, vec![(540, 720), (720, 780), (780, 1020)], "sorted, touching allowed");
        assert!(day_in("d", &day(&[])).is_ok());
        for bad in [
            vec![("09:00", "09:00")],
            vec![("17:00", "09:00")],
            vec![("09:00", "12:00"), ("11:59", "13:00")],
            vec![("09:00", "17:00"), ("10:00", "11:00")],
            vec![("9:00", "17:00")],
        ] {
            let err = day_in("office_hours.monday", &day(&bad)).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad:?}");
            assert!(err.to_string().contains("office_hours.monday"), "{err}");
        }
        let many: Vec<(String, String)> = (0..17).map(|h| (format!("{h:02}:00"), format!("{h:02}:30"))).collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert!(day_in("d", &day(&many)).is_err(), "at most 16 ranges");
    }

    #[test]
    fn hooks_need_what_their_authentication_uses() {
        let mut h = default_hook();
        check_hook("h", &h).unwrap();
        h.enabled = true;
        assert!(check_hook("h", &h).unwrap_err().to_string().contains("h.url"));
        h.url = "https://x.example/cdr".into();
        check_hook("h", &h).unwrap();
        h.auth = 1;
        assert!(check_hook("h", &h).unwrap_err().to_string().contains("h.username"));
        h.username = "u".into();
        check_hook("h", &h).unwrap();
        h.auth = 2;
        assert!(check_hook("h", &h).unwrap_err().to_string().contains("h.token"));
        h.token = "tok en".into();
        assert!(check_hook("h", &h).is_err(), "tokens are visible ASCII");
        h.token = "tok".into();
        check_hook("h", &h).unwrap();
        h.enabled = false;
        h.url = "notaurl".into();
        assert!(check_hook("h", &h).is_err(), "a set URL is checked even when disabled");
    }

    #[test]
    fn a_masked_secret_keeps_the_stored_one() {
        let mut h = default_hook();
        h.password = "s3cret".into();
        hook_in(
            &mut h,
            &EventHookUpdate { password: Some(MASK.into()), token: Some("t".into()), ..Default::default() },
        );
        assert_eq!(h.password, "s3cret");
        assert_eq!(h.token, "t");
        hook_in(&mut h, &EventHookUpdate { password: Some(String::new()), ..Default::default() });
        assert_eq!(h.password, "", "an empty secret clears it");
        assert_eq!(secret("", false), "");
        assert_eq!(secret("x", false), MASK);
        assert_eq!(secret("x", true), "x");
    }

    #[test]
    fn caller_ids_are_checked_and_unique() {
        let c = |p: &str, n: &str| OutboundCallerId {
            provider_id: p.into(),
            caller_id: n.into(),
            description: String::new(),
        };
        assert_eq!(caller_ids_in(&[c("p1", "+32 2 555 01 01"), c("p2", "+32 2 555 01 01")]).unwrap().len(), 2);
        assert!(caller_ids_in(&[c("p1", "100"), c("p1", "100")]).is_err());
        assert!(caller_ids_in(&[c("", "100")]).is_err());
        assert!(caller_ids_in(&[c("p1", "abc")]).is_err());
        let many: Vec<OutboundCallerId> = (0..101).map(|i| c("p", &format!("{i}"))).collect();
        assert!(caller_ids_in(&many).is_err());
    }
}
