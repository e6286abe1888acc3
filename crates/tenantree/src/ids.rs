//! Public identifiers and timestamps.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// The public id of a node: a UUID version 7, so ids sort by creation time.
///
/// Invariant: the wrapped UUID is never nil. Ids are minted by the store; parsing accepts any
/// non-nil UUID so that ids from snapshots and other systems can be named.
///
/// # Examples
///
/// ```
/// use tenantree::NodeId;
///
/// let id: NodeId = "0190b3c4-5f6e-7a8b-9c0d-1e2f3a4b5c6d".parse()?;
/// assert_eq!(id.to_string(), "0190b3c4-5f6e-7a8b-9c0d-1e2f3a4b5c6d");
/// assert_eq!("nope".parse::<NodeId>().unwrap_err().code(), "INVALID_ARGUMENT");
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct NodeId(uuid::Uuid);

impl NodeId {
    /// Builds an id from its 16 bytes.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for the nil UUID.
    pub fn from_bytes(bytes: [u8; 16]) -> Result<NodeId, Error> {
        let uuid = uuid::Uuid::from_bytes(bytes);
        if uuid.is_nil() {
            return Err(Error::invalid("id", "the nil UUID is not a node id"));
        }
        Ok(NodeId(uuid))
    }

    /// The 16 bytes of the id, big-endian as in the UUID's text form.
    #[must_use]
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.into_bytes()
    }

    /// The id as a [`uuid::Uuid`].
    #[must_use]
    pub fn as_uuid(&self) -> &uuid::Uuid {
        &self.0
    }

    /// Mints a UUIDv7 from a millisecond timestamp and ten bytes of randomness.
    pub(crate) fn v7(millis: u64, random: &[u8; 10]) -> NodeId {
        let mut uuid = uuid::Builder::from_unix_timestamp_millis(millis, random).into_uuid();
        if uuid.is_nil() {
            // Unreachable for a v7 UUID (its version bits are set), kept so the invariant holds
            // by construction rather than by argument.
            uuid = uuid::Uuid::max();
        }
        NodeId(uuid)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.0.hyphenated())
    }
}

impl FromStr for NodeId {
    type Err = Error;

    fn from_str(s: &str) -> Result<NodeId, Error> {
        let uuid = uuid::Uuid::try_parse(s.trim()).map_err(|_| Error::invalid("id", format!("{s:?} is not a UUID")))?;
        NodeId::from_bytes(uuid.into_bytes())
    }
}

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.hyphenated())
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NodeId, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A point in time: microseconds since the Unix epoch, UTC.
///
/// Time in tenantree always comes from the store's injected [`Clock`](crate::Clock), never from
/// the operating system directly, so the core runs unchanged in WASM and in tests with a manual
/// clock.
///
/// # Examples
///
/// ```
/// use tenantree::Timestamp;
///
/// let t = Timestamp::from_micros(1_653_316_502_705_016);
/// assert_eq!(t.to_string(), "2022-05-23T14:35:02.705016Z");
/// assert_eq!("2022-05-23T14:35:02.705016".parse::<Timestamp>()?, t);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// A timestamp from microseconds since the epoch.
    #[must_use]
    pub const fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// A timestamp from milliseconds since the epoch (JavaScript's `Date.now()`), saturating.
    #[must_use]
    pub const fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis.saturating_mul(1000))
    }

    /// Microseconds since the epoch.
    #[must_use]
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Milliseconds since the epoch, rounded down.
    #[must_use]
    pub const fn as_millis(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This timestamp moved by `micros` (negative goes back), saturating at the ends of time.
    #[must_use]
    pub const fn add_micros(self, micros: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(micros))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with microseconds, e.g. `2022-05-23T14:35:02.705016Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000);
        let micros = self.0.rem_euclid(1_000_000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(f, "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z", rem / 3600, (rem / 60) % 60, rem % 60)
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]`; a missing zone means UTC (003's
    /// `startDate` values carry none).
    fn from_str(s: &str) -> Result<Timestamp, Error> {
        parse_rfc3339(s.trim())
            .ok_or_else(|| Error::invalid("timestamp", format!("{s:?} is not an RFC 3339 date-time")))
    }
}

fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    let year = num(0..4)?;
    let month = num(5..7)?;
    let day = num(8..10)?;
    if !sep(4, b'-') || !sep(7, b'-') {
        return None;
    }
    if !(sep(10, b'T') || sep(10, b't') || sep(10, b' ')) {
        return None;
    }
    let hour = num(11..13)?;
    let minute = num(14..16)?;
    let second = num(17..19)?;
    if !sep(13, b':') || !sep(16, b':') {
        return None;
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > i64::from(days_in_month(year, month))
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if sep(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = b.get(start..i)?;
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        for (n, d) in digits.iter().enumerate() {
            if n < 6 {
                micros = micros * 10 + i64::from(d - b'0');
            }
        }
        for _ in digits.len()..6 {
            micros *= 10;
        }
    }
    let offset_secs = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && sep(i + 3, b':') => {
            let h = num(i + 1..i + 3)?;
            let m = num(i + 4..i + 6)?;
            if h > 23 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_secs;
    Some(Timestamp(secs.checked_mul(1_000_000)?.checked_add(micros)?))
}

/// Days in a month of the proleptic Gregorian calendar; `month` is 1–12.
pub(crate) fn days_in_month(year: i64, month: i64) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's civil-date algorithms (public domain), on the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_id_round_trips_and_rejects_nil() {
        let id = NodeId::v7(1_700_000_000_000, &[7; 10]);
        assert_eq!(id.to_string().parse::<NodeId>().unwrap(), id);
        assert_eq!(id.as_uuid().get_version_num(), 7);
        let nil = "00000000-0000-0000-0000-000000000000".parse::<NodeId>().unwrap_err();
        assert_eq!(nil.code(), "INVALID_ARGUMENT");
        assert!(NodeId::from_bytes([0; 16]).is_err());
    }

    #[test]
    fn v7_ids_sort_by_time() {
        let a = NodeId::v7(1_000, &[0xff; 10]);
        let b = NodeId::v7(1_001, &[0; 10]);
        assert!(a < b);
    }

    #[test]
    fn timestamps_format_and_parse() {
        for micros in [0, 1, 951_782_400_000_000, 1_653_316_502_705_016, -1, 4_102_444_800_000_000] {
            let t = Timestamp::from_micros(micros);
            assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t, "{t}");
        }
        assert_eq!(Timestamp::EPOCH.to_string(), "1970-01-01T00:00:00.000000Z");
        let t: Timestamp = "2022-01-01T21:42:07.234119".parse().unwrap();
        assert_eq!(t.to_string(), "2022-01-01T21:42:07.234119Z");
        let offset: Timestamp = "2022-01-01T23:42:07.234119+02:00".parse().unwrap();
        assert_eq!(offset, t);
        let no_fraction: Timestamp = "2017-07-21T17:32:28Z".parse().unwrap();
        assert_eq!(no_fraction.to_string(), "2017-07-21T17:32:28.000000Z");
    }

    #[test]
    fn bad_timestamps_are_refused() {
        for bad in [
            "",
            "2022",
            "2022-13-01T00:00:00",
            "2022-02-29T00:00:00",
            "2022-01-01T24:00:00",
            "2022-01-01T00:00:00Zjunk",
            "2022-01-01T00:00:00.Z",
            "２022-01-01T00:00:00",
        ] {
            assert_eq!(bad.parse::<Timestamp>().unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
        }
        assert!("2024-02-29T00:00:00".parse::<Timestamp>().is_ok());
    }

    #[test]
    fn days_in_month_follows_the_calendar() {
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2024, 4), 30);
        assert_eq!(days_in_month(2024, 13), 0);
    }
}
