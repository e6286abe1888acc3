//! The public records of 004's tenant document family: the tenant settings document, its
//! status, holidays, the balance ledger, custom SIP headers and voicemail settings.
//!
//! These documents use 004's wire format: their JSON field names are 004's snake_case names
//! (`enable_audio_recording`, `office_hours`, ...), unlike the camelCase of the rest of the
//! crate, so that an HTTP layer can pass them through unchanged.
//!
//! Secrets (the password and token of the event hooks, the STIR/SHAKEN private key) read as
//! [`MASK`](crate::MASK) on every read path; writing the mask back keeps the stored secret.

mod balance;
mod holiday;
pub mod iso;
mod iso_data;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

pub use balance::{Balance, LedgerEntry, LedgerQuery};
pub use holiday::{
    FilterOp, FilterValue, Holiday, HolidayField, HolidayFilter, HolidayId, HolidayOrder, HolidayPage, HolidayQuery,
    HolidayUpdate, NewHoliday,
};

use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};

/// A size in bytes, written as 004 writes its disk quotas: a positive whole number and a unit,
/// such as `100MB` or `1000GB`.
///
/// Invariant: positive. Units are binary and ignore case: `KB` = 1024 bytes, `MB` = 1024 KB,
/// then `GB`, `TB` and `PB`; `B` counts single bytes, so that every size can be written back
/// exactly. A size is written with the largest unit that divides it exactly. Where a quota is
/// optional, the empty string means "unlimited" (see [`ByteSize::parse_quota`]).
///
/// # Examples
///
/// ```
/// use tenantree::ByteSize;
///
/// assert_eq!("100MB".parse::<ByteSize>()?.bytes(), 100 * 1024 * 1024);
/// assert_eq!(ByteSize::new(1024 * 1024 * 1024)?.to_string(), "1GB");
/// assert_eq!(ByteSize::new(1500)?.to_string(), "1500B");
/// assert!("0MB".parse::<ByteSize>().is_err());
/// assert!("1.5GB".parse::<ByteSize>().is_err());
/// assert_eq!(ByteSize::parse_quota("")?, None);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(u64);

const SIZE_UNITS: [(&str, u32); 6] = [("PB", 5), ("TB", 4), ("GB", 3), ("MB", 2), ("KB", 1), ("B", 0)];

impl ByteSize {
    /// A size of `bytes` bytes.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for 0.
    pub fn new(bytes: u64) -> Result<ByteSize> {
        if bytes == 0 {
            return Err(Error::invalid("size", "must be positive"));
        }
        Ok(ByteSize(bytes))
    }

    /// The number of bytes.
    #[must_use]
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// Parses a size, naming `field` in errors.
    pub(crate) fn parse_field(field: &str, s: &str) -> Result<ByteSize> {
        let bad = |why: &str| Error::invalid(field, format!("{s:?} {why}"));
        let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| bad("has no unit (KB, MB, GB, TB or PB)"))?;
        let (number, unit) = s.split_at(split);
        if number.is_empty() {
            return Err(bad("must start with a whole number"));
        }
        let power = SIZE_UNITS
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(unit))
            .map(|(_, p)| *p)
            .ok_or_else(|| bad("must be a whole number followed by B, KB, MB, GB, TB or PB"))?;
        let n: u64 = number.parse().map_err(|_| bad("is too large"))?;
        let bytes = 1024u64.checked_pow(power).and_then(|m| n.checked_mul(m)).ok_or_else(|| bad("is too large"))?;
        if bytes == 0 {
            return Err(bad("must be positive"));
        }
        Ok(ByteSize(bytes))
    }

    /// Parses an optional quota: the empty string is `None` (unlimited), anything else a size.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for a malformed, zero or too large size.
    pub fn parse_quota(s: &str) -> Result<Option<ByteSize>> {
        if s.is_empty() { Ok(None) } else { ByteSize::parse_field("size", s).map(Some) }
    }

    /// Writes an optional quota: `None` is the empty string.
    pub(crate) fn quota_text(bytes: Option<u64>) -> String {
        bytes.and_then(|b| ByteSize::new(b).ok()).map(|b| b.to_string()).unwrap_or_default()
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, power) in SIZE_UNITS {
            let Some(m) = 1024u64.checked_pow(power) else { continue };
            if self.0.is_multiple_of(m) {
                return write!(f, "{}{unit}", self.0 / m);
            }
        }
        write!(f, "{}B", self.0)
    }
}

impl FromStr for ByteSize {
    type Err = Error;

    fn from_str(s: &str) -> Result<ByteSize> {
        ByteSize::parse_field("size", s)
    }
}

/// A tenant's SIP domain (004): a host name or an IP address.
///
/// Invariant: at most 253 characters; either an IPv4 address in dotted-quad form, an IPv6
/// address (without brackets), or a host name of dot-separated labels, each 1–63 ASCII letters,
/// digits or hyphens, not starting or ending with a hyphen, the last label not all digits, and
/// no trailing dot. Compared ignoring ASCII case: it is unique across the store that way.
///
/// # Examples
///
/// ```
/// use tenantree::SipDomain;
///
/// assert_eq!(SipDomain::new("Bakery.SIP.example.com")?.folded(), "bakery.sip.example.com");
/// assert!(SipDomain::new("192.0.2.10").is_ok());
/// assert!(SipDomain::new("2001:db8::1").is_ok());
/// assert!(SipDomain::new("-bad-.example").is_err());
/// assert!(SipDomain::new("under_score.example").is_err());
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SipDomain(String);

impl SipDomain {
    /// The longest domain.
    pub const MAX_LEN: usize = 253;

    /// Checks a SIP domain.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (field `domain`) for anything but a host name or an IP address.
    pub fn new(s: &str) -> Result<SipDomain> {
        crate::engine::tenant::rules::sip_domain("domain", s)?;
        Ok(SipDomain(s.to_owned()))
    }

    /// The domain as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain in lower case: what uniqueness compares.
    #[must_use]
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for SipDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One time range of a day, `HH:MM` to `HH:MM` (24-hour clock, `00:00` to `23:59`).
///
/// Invariant (checked on write): `from` < `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TimeRange {
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM`, after `from`.
    pub to: String,
}

impl TimeRange {
    /// A range from `from` to `to`.
    #[must_use]
    pub fn new(from: &str, to: &str) -> TimeRange {
        TimeRange { from: from.to_owned(), to: to.to_owned() }
    }
}

/// The office hours of one weekday.
///
/// Invariant (checked on write): at most 16 ranges, which do not overlap (touching ranges, such
/// as 09:00–12:00 and 12:00–17:00, are fine). They are kept sorted by start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DayHours {
    /// Whether the day has office hours at all.
    pub enabled: bool,
    /// The open ranges.
    pub ranges: Vec<TimeRange>,
}

impl Default for DayHours {
    /// Enabled, 09:00 to 17:00 (004's example).
    fn default() -> DayHours {
        DayHours { enabled: true, ranges: vec![TimeRange::new("09:00", "17:00")] }
    }
}

/// Office hours for every weekday (004), one field per day. Each day defaults to 09:00–17:00,
/// enabled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct OfficeHours {
    pub monday: DayHours,
    pub tuesday: DayHours,
    pub wednesday: DayHours,
    pub thursday: DayHours,
    pub friday: DayHours,
    pub saturday: DayHours,
    pub sunday: DayHours,
}

/// A partial change of the office hours: each day given replaces that day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct OfficeHoursUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monday: Option<DayHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tuesday: Option<DayHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wednesday: Option<DayHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thursday: Option<DayHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friday: Option<DayHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saturday: Option<DayHours>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sunday: Option<DayHours>,
}

/// A caller id the tenant may present on outbound calls through a provider (004).
///
/// Invariant (checked on write): `provider_id` is 1–64 ASCII letters, digits or `- _ = + / . :`;
/// `caller_id` is a phone number (at most 32 digits, spaces and `+ - ( ) .`, with a digit);
/// `description` at most 256 characters on one line; no two entries share provider and caller
/// id; at most 100 entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct OutboundCallerId {
    /// The provider (trunk) the caller id is used with.
    pub provider_id: String,
    /// The number presented.
    pub caller_id: String,
    /// A note.
    #[serde(default)]
    pub description: String,
}

/// E.164 number normalisation (004).
///
/// Invariant (checked on write): `international_code`, `area_code` and `national_code` are at
/// most 8 digits; `prefix` at most 16 digits, `+`, `*` or `#`; `country` is empty or a name and
/// its calling code, `Angola(244)`: 1–64 characters without parentheses, then 1–4 digits not
/// starting with 0 in parentheses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct E164Settings {
    /// Whether numbers are normalised. Default false.
    pub enabled: bool,
    /// The international dialling prefix, such as `00`.
    pub international_code: String,
    /// The tenant's country and calling code, such as `Angola(244)`.
    pub country: String,
    /// The local area code.
    pub area_code: String,
    /// The national (trunk) prefix, such as `0`.
    pub national_code: String,
    /// A prefix to dial.
    pub prefix: String,
    /// Strip characters other than digits and `+`. Default false.
    pub remove_special_chars: bool,
    /// Remove a repeated country code. Default true.
    pub remove_duplicate_countries: bool,
    /// Remove a repeated area code. Default true.
    pub remove_duplicate_area_codes: bool,
}

impl Default for E164Settings {
    fn default() -> E164Settings {
        E164Settings {
            enabled: false,
            international_code: String::new(),
            country: String::new(),
            area_code: String::new(),
            national_code: String::new(),
            prefix: String::new(),
            remove_special_chars: false,
            remove_duplicate_countries: true,
            remove_duplicate_area_codes: true,
        }
    }
}

/// A partial change of the E.164 settings: fields left out are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct E164Update {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub international_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_special_chars: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_duplicate_countries: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_duplicate_area_codes: Option<bool>,
}

/// How an event hook authenticates to its URL (004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HookAuth {
    /// No authentication (the default).
    #[default]
    Disable,
    /// HTTP basic authentication with `username` and `password`.
    Basic,
    /// A bearer `token`.
    Token,
}

/// A web hook the PBX calls with events: 004's `cdr_event` and `extension_event`.
///
/// Invariant (checked on write): when enabled, `url` is set; a set `url` is an `http` or
/// `https` URL of at most 2048 characters, without credentials in it; `BASIC` needs a
/// `username` (at most 128 characters, one line) and `TOKEN` a `token` (at most 1024 visible
/// ASCII characters); `password` is at most 256 characters without control characters.
/// `password` and `token` are secrets: they read as [`MASK`](crate::MASK) when set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EventHook {
    /// Whether events are sent. Default false.
    pub enabled: bool,
    /// How to authenticate. Default `DISABLE`.
    pub auth: HookAuth,
    /// User for `BASIC`.
    pub username: String,
    /// Password for `BASIC` (masked when read).
    pub password: String,
    /// Token for `TOKEN` (masked when read).
    pub token: String,
    /// Where events go.
    pub url: String,
}

/// A partial change of an event hook: fields left out are unchanged; a `password` or `token`
/// equal to [`MASK`](crate::MASK) also leaves the stored secret unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct EventHookUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<HookAuth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// How incoming caller numbers are matched to contacts (004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContactMatchType {
    /// No matching.
    Disable,
    /// The whole number must match (the default).
    #[default]
    MatchExactly,
    /// At least `contact_match_length` characters must match.
    MatchLength,
}

/// Whether group, queue or DID names are added to the caller id (004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContactAppendType {
    /// Not added.
    Disable,
    /// Appended (the default).
    #[default]
    Append,
    /// Prepended.
    Prepend,
}

/// The tenant document of 004's `GET /api/tenant`, as the store keeps it.
///
/// Where the values come from: `id` and `name` are the node's; `website` is the node's profile
/// website; the `max_*` limits and `disk_quota` are the node's own quota limits on the
/// resources `extensions`, `concurrent_calls`, `ring_groups`, `virtual_receptionists`,
/// `call_queues`, `conference_rooms` and `disk_bytes` (`None`, or `""` for the disk, when the
/// node has no limit or the schema no such resource), and `used_disk_quota` the usage of
/// `disk_bytes`. Everything else is the tenant's settings record; a tenant that never stored
/// one reads the defaults given on each field.
///
/// Secrets (`cdr_event`/`extension_event` `password` and `token`, `stir_shaken_key`) read as
/// [`MASK`](crate::MASK) when set, and as `""` when not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TenantSettings {
    /// The tenant node.
    pub id: NodeId,
    /// The node's name.
    pub name: String,
    /// The SIP domain, unique across the store ignoring case (see [`SipDomain`]); `""` when
    /// none is set (the default).
    pub domain: String,
    /// The node's profile website; `""` when none.
    pub website: String,
    /// An IANA time-zone name (see [`iso::TIME_ZONES`]). Default `UTC`.
    pub timezone: String,
    /// An ISO 4217 currency code. Default `USD`.
    pub currency: String,
    /// An ISO 3166-1 alpha-3 country code, or `""` (the default).
    pub region: String,
    /// Default false.
    pub enable_video_recording: bool,
    /// Default false.
    pub enable_audio_recording: bool,
    /// Default false.
    pub enable_dual_track_recording: bool,
    /// Set by the dealer above (needs `instance.quotas.update`). Default false.
    pub enable_billing: bool,
    /// Set by the dealer above. Default false.
    pub enable_feature_billing: bool,
    /// Set by the dealer above. Default true.
    pub enable_feature_call_statistics: bool,
    /// Set by the dealer above. Default true.
    pub enable_feature_contact_center: bool,
    /// Set by the dealer above. Default true.
    pub enable_feature_message_channels: bool,
    /// Set by the dealer above. Default true.
    pub enable_feature_microsoft_teams: bool,
    /// Set by the dealer above. Default true.
    pub enable_feature_trunks: bool,
    /// Set by the dealer above. Default true.
    pub enable_feature_whats_app: bool,
    /// Default false.
    pub enable_night_mode: bool,
    /// Default false.
    pub enable_two_factor_authentication: bool,
    /// JSON text, or `""` (the default); at most 16 KiB, nested at most 32 deep.
    pub custom_options: String,
    /// The node's `extensions` limit.
    pub max_extensions: Option<u64>,
    /// The node's `concurrent_calls` limit.
    pub max_concurrent_calls: Option<u64>,
    /// The node's `ring_groups` limit.
    pub max_ring_groups: Option<u64>,
    /// The node's `virtual_receptionists` limit.
    pub max_virtual_receptionists: Option<u64>,
    /// The node's `call_queues` limit.
    pub max_call_queues: Option<u64>,
    /// The node's `conference_rooms` limit.
    pub max_conference_rooms: Option<u64>,
    /// The node's `disk_bytes` limit as a [`ByteSize`]; `""` for none.
    pub disk_quota: String,
    /// The usage of `disk_bytes` as a [`ByteSize`]; `"0B"` for none.
    pub used_disk_quota: String,
    /// The tenant's IM disk quota ([`ByteSize`]; `""`, the default, is unlimited). Set by the
    /// dealer above.
    pub im_disk_quota: String,
    /// Each extension's IM disk quota ([`ByteSize`]; `""` is unlimited). Default `1GB`.
    pub extension_im_disk_quota: String,
    /// Days, 1–3650. Default 180.
    pub recording_retention: u32,
    /// Days, 1–3650. Default 30.
    pub call_report_retention: u32,
    /// Days, 1–3650. Default 180.
    pub log_retention: u32,
    /// Days, 1–3650. Default 30.
    pub temp_file_retention: u32,
    /// Office hours per weekday. Default 09:00–17:00 every day, enabled.
    pub office_hours: OfficeHours,
    /// Default none.
    pub outbound_caller_ids: Vec<OutboundCallerId>,
    /// Number normalisation.
    pub e164: E164Settings,
    /// The call-detail-record hook.
    pub cdr_event: EventHook,
    /// The extension-event hook.
    pub extension_event: EventHook,
    /// Default `MATCH_EXACTLY`.
    pub contact_match_type: ContactMatchType,
    /// 1–32. Default 1.
    pub contact_match_length: u32,
    /// Default `APPEND`.
    pub contact_append_type: ContactAppendType,
    /// Minutes between contact synchronisations, 1–43200. Default 720.
    pub contact_update_interval: u32,
    /// Whether new users must change their initial password. Default false.
    pub password_force_reset: bool,
    /// The avatar's file id (004's `avatar_file_id`); `""` for none. At most 128 ASCII
    /// letters, digits or `- _ = + / . :`.
    pub avatar_file_id: String,
    /// The avatar's file name, as the host reports it; at most 255 characters, one line.
    pub avatar_file_name: String,
    /// The avatar's size in bytes, as the host reports it.
    pub avatar_file_size: u64,
    /// Where the host serves the avatar: a path starting with `/` or an `http(s)` URL, at most
    /// 2048 characters.
    pub avatar_file_url: String,
    /// The STIR/SHAKEN certificate, PEM text of at most 16 KiB; `""` for none.
    pub stir_shaken_cert: String,
    /// The STIR/SHAKEN private key, PEM text of at most 16 KiB (masked when read).
    pub stir_shaken_key: String,
}

/// A partial change of a tenant's settings (004's `POST /api/tenant`): every field left out
/// (`None`) stays as it is. Fields of the read document that are not here (`id`,
/// `used_disk_quota`) are ignored when a whole document is sent back.
///
/// Routing: `name` and `website` change the node (as [`WriteTx::update_node`](crate::WriteTx::update_node),
/// with `instance.update`); the `max_*` limits and `disk_quota` change the node's quota limits
/// (as [`WriteTx::set_limits`](crate::WriteTx::set_limits), with `instance.quotas.update`, so
/// every quota rule applies); the dealer-controlled entitlements (`enable_billing`,
/// `enable_feature_*`, `im_disk_quota`) also need `instance.quotas.update`. Only values that
/// differ from the current ones need those permissions, so a tenant admin may send back the
/// document it read. The whole update is all or nothing.
///
/// For the `max_*` limits, JSON `null` removes the limit; for `disk_quota` and the IM quotas,
/// `""` means unlimited. A secret equal to [`MASK`](crate::MASK) leaves the stored one as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct TenantSettingsUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_video_recording: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_audio_recording: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_dual_track_recording: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_billing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_billing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_call_statistics: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_contact_center: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_message_channels: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_microsoft_teams: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_trunks: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_feature_whats_app: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_night_mode: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_two_factor_authentication: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_options: Option<String>,
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub max_extensions: Option<Option<u64>>,
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub max_concurrent_calls: Option<Option<u64>>,
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub max_ring_groups: Option<Option<u64>>,
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub max_virtual_receptionists: Option<Option<u64>>,
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub max_call_queues: Option<Option<u64>>,
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub max_conference_rooms: Option<Option<u64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_quota: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub im_disk_quota: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_im_disk_quota: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_report_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_file_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_hours: Option<OfficeHoursUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_caller_ids: Option<Vec<OutboundCallerId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e164: Option<E164Update>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdr_event: Option<EventHookUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_event: Option<EventHookUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_match_type: Option<ContactMatchType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_match_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_append_type: Option<ContactAppendType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_update_interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_force_reset: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_file_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_file_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_file_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stir_shaken_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stir_shaken_key: Option<String>,
}

/// Deserialises a present field (even `null`) as `Some`, so that absent and `null` differ.
fn double_option<'de, T, D>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// One bucket of 004's `calls_in_24_hours`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CallCount {
    /// Start of the bucket.
    pub time: Timestamp,
    /// Calls in it.
    pub count: u64,
}

/// 004's `GET /api/tenant/status`, with what the store knows.
///
/// The store keeps no live call state: `online_users`, `current_trunks` (unless the schema has
/// a `trunks` resource) and `calls_in_24_hours` read 0 or empty, for the PBX to fill in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TenantStatus {
    /// The version of tenantree that answers.
    pub version: String,
    /// The tenant's own `extensions` limit; `None` when it has none.
    pub licensed_users: Option<u64>,
    /// The accounts bound to the tenant node.
    pub current_users: u64,
    /// Always 0: the store does not see registrations.
    pub online_users: u64,
    /// Usage of `concurrent_calls`.
    pub current_calls: u64,
    /// Usage of `call_queues`.
    pub current_queues: u64,
    /// Usage of `conference_rooms`.
    pub current_conference_rooms: u64,
    /// Usage of `ring_groups`.
    pub current_ring_groups: u64,
    /// Usage of `virtual_receptionists`.
    pub current_ivrs: u64,
    /// Usage of a `trunks` resource when the schema has one, else 0.
    pub current_trunks: u64,
    /// Always empty: the store keeps no call history.
    pub calls_in_24_hours: Vec<CallCount>,
}

/// The scopes a custom SIP header may apply to: `TRUNK` (calls through trunks, 004's example)
/// and `EXTENSION` (calls to and from extensions).
pub const HEADER_SCOPES: [&str; 2] = ["TRUNK", "EXTENSION"];

/// A SIP header added to calls (004).
///
/// Invariant (checked on write): `name` is an RFC 3261 token (letters, digits and
/// `` - . ! % * _ + ` ' ~ ``) of 1–64 characters and not one of the headers that carry the
/// dialog itself (`Via`, `From`, `To`, `Call-ID`, `CSeq`, `Contact`, `Max-Forwards`, `Route`,
/// `Record-Route`, `Content-Length`, `Content-Type`, or their compact forms); `value` is 1–256
/// characters without control characters (so no CR or LF); `scope` is one of
/// [`HEADER_SCOPES`]; a name appears once per scope, ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AddedHeader {
    /// The header name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Where it applies.
    pub scope: String,
}

/// A SIP header relayed from one call leg to the other (004). Same rules as [`AddedHeader`]
/// for the name and scope (the dialog headers may be relayed: they are only named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RelayedHeader {
    /// The header name.
    pub name: String,
    /// Where it applies.
    pub scope: String,
}

/// 004's tenant custom headers. At most 32 added and 32 relayed headers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct CustomHeaders {
    /// Headers added.
    pub add: Vec<AddedHeader>,
    /// Headers relayed.
    pub relay: Vec<RelayedHeader>,
}

/// A change of the custom headers: a list given replaces that list; one left out stays.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct CustomHeadersUpdate {
    /// The new added headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<Vec<AddedHeader>>,
    /// The new relayed headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<Vec<RelayedHeader>>,
}

/// 004's voicemail server settings of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct VoicemailSettings {
    /// The voicemail server's extension number: 3–64 digits, or `""` (the default) when none is
    /// set.
    pub extension_number: String,
    /// Days a voicemail is kept, 1–3650. Default 30.
    pub retain_days: u32,
    /// Shorter calls leave no voicemail: seconds, 0–3600. Default 1.
    pub min_seconds: u32,
}

impl Default for VoicemailSettings {
    fn default() -> VoicemailSettings {
        VoicemailSettings { extension_number: String::new(), retain_days: 30, min_seconds: 1 }
    }
}

/// A partial change of the voicemail settings: fields left out are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct VoicemailUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retain_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_seconds: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_follow_their_doc() {
        let mb = 1024 * 1024;
        assert_eq!("100MB".parse::<ByteSize>().unwrap().bytes(), 100 * mb);
        assert_eq!("100mb".parse::<ByteSize>().unwrap().bytes(), 100 * mb, "units ignore case");
        assert_eq!("1KB".parse::<ByteSize>().unwrap().bytes(), 1024);
        assert_eq!("2TB".parse::<ByteSize>().unwrap().bytes(), 2 << 40);
        assert_eq!("3PB".parse::<ByteSize>().unwrap().bytes(), 3 << 50);
        assert_eq!("7B".parse::<ByteSize>().unwrap().bytes(), 7);
        for bad in ["", "MB", "100", "0MB", "0B", "-1MB", "1.5GB", "1 GB", "100XB", "100MBs", "16384PB"] {
            let err = bad.parse::<ByteSize>().unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad:?}");
        }
        assert!("99999999999999999999999KB".parse::<ByteSize>().is_err(), "overflow");
        assert!(ByteSize::new(0).is_err());
        for (bytes, text) in
            [(1, "1B"), (1023, "1023B"), (1024, "1KB"), (1536, "1536B"), (3 * mb, "3MB"), (1 << 30, "1GB")]
        {
            assert_eq!(ByteSize::new(bytes).unwrap().to_string(), text);
            assert_eq!(text.parse::<ByteSize>().unwrap().bytes(), bytes, "{text} round-trips");
        }
        assert_eq!(ByteSize::parse_quota("").unwrap(), None);
        assert_eq!(ByteSize::quota_text(None), "");
        assert_eq!(ByteSize::quota_text(Some(1 << 30)), "1GB");
    }

    #[test]
    fn defaults_follow_004() {
        let d = DayHours::default();
        assert!(d.enabled);
        assert_eq!(d.ranges, vec![TimeRange::new("09:00", "17:00")]);
        let e = E164Settings::default();
        assert!(!e.enabled && !e.remove_special_chars && e.remove_duplicate_countries && e.remove_duplicate_area_codes);
        assert_eq!(EventHook::default().auth, HookAuth::Disable);
        assert_eq!(ContactMatchType::default(), ContactMatchType::MatchExactly);
        assert_eq!(ContactAppendType::default(), ContactAppendType::Append);
        assert_eq!(
            VoicemailSettings::default(),
            VoicemailSettings { extension_number: String::new(), retain_days: 30, min_seconds: 1 }
        );
        assert_eq!(serde_json::to_value(ContactMatchType::MatchLength).unwrap(), "MATCH_LENGTH");
        assert_eq!(serde_json::to_value(HookAuth::Token).unwrap(), "TOKEN");
    }

    #[test]
    fn updates_tell_absent_from_null() {
        let u: TenantSettingsUpdate =
            serde_json::from_str(r#"{"max_extensions": null, "max_call_queues": 5, "id": "ignored"}"#).unwrap();
        assert_eq!(u.max_extensions, Some(None));
        assert_eq!(u.max_call_queues, Some(Some(5)));
        assert_eq!(u.max_ring_groups, None);
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            serde_json::json!({"max_extensions": null, "max_call_queues": 5})
        );
    }
}
