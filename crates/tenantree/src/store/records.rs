//! The records as stored: postcard-encoded, positional, without optional-field skipping (the
//! format version in `meta` covers their layout).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::Status;
use crate::schema::RollupKey;

/// Stored form of [`Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum StatusRec {
    Enabled,
    Disabled,
    Suspended(u32),
}

impl From<Status> for StatusRec {
    fn from(s: Status) -> StatusRec {
        match s {
            Status::Enabled => StatusRec::Enabled,
            Status::Disabled => StatusRec::Disabled,
            Status::Suspended { profile } => StatusRec::Suspended(profile),
        }
    }
}

impl From<StatusRec> for Status {
    fn from(s: StatusRec) -> Status {
        match s {
            StatusRec::Enabled => Status::Enabled,
            StatusRec::Disabled => Status::Disabled,
            StatusRec::Suspended(profile) => Status::Suspended { profile },
        }
    }
}

/// Stored form of the profile; `extra` is compact JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct ProfileRec {
    pub(crate) display_name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) website: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) external_name: Option<String>,
    pub(crate) billing_id: Option<String>,
    pub(crate) extra: Option<String>,
}

/// A node, keyed by its sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NodeRecord {
    /// The public UUID.
    pub(crate) id: [u8; 16],
    /// The parent's sequence number; 0 at the top level (no node has sequence number 0).
    pub(crate) parent: u64,
    /// Index of the kind in the schema.
    pub(crate) kind: u8,
    pub(crate) name: String,
    pub(crate) status: StatusRec,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) version: u64,
    pub(crate) profile: ProfileRec,
    pub(crate) tenant_full_access: bool,
    /// Limits by roll-up key, sorted by key, at most one per key.
    pub(crate) limits: Vec<(RollupKey, u64)>,
    // The node's own allocations are not here but in its roll-up cells (`Cell::own`): an
    // allocation then writes one small cell instead of re-encoding this record (format 2).
}

impl NodeRecord {
    pub(crate) fn limit(&self, key: RollupKey) -> Option<u64> {
        lookup(&self.limits, key)
    }

    pub(crate) fn set_limit(&mut self, key: RollupKey, value: Option<u64>) {
        set(&mut self.limits, key, value);
    }

    pub(crate) fn parent(&self) -> Option<u64> {
        (self.parent != 0).then_some(self.parent)
    }
}

fn lookup(list: &[(RollupKey, u64)], key: RollupKey) -> Option<u64> {
    list.binary_search_by_key(&key, |(k, _)| *k).ok().and_then(|i| list.get(i)).map(|(_, v)| *v)
}

fn set(list: &mut Vec<(RollupKey, u64)>, key: RollupKey, value: Option<u64>) {
    match (list.binary_search_by_key(&key, |(k, _)| *k), value) {
        (Ok(i), Some(v)) => {
            if let Some(slot) = list.get_mut(i) {
                slot.1 = v;
            }
        }
        (Ok(i), None) => {
            list.remove(i);
        }
        (Err(i), Some(v)) => list.insert(i, (key, v)),
        (Err(_), None) => {}
    }
}

/// The value of a node's `by_name` entry (format 4; `seq` since format 6, when the key stopped
/// holding it): what a listing of children shows without reading the node's record, so that a
/// page of children sorted by name is one range scan. Kept equal to the record by every write
/// that changes the name or the status (checked by `Store::check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NameEntry {
    /// The public UUID.
    pub(crate) id: [u8; 16],
    /// Index of the kind in the schema.
    pub(crate) kind: u8,
    pub(crate) status: StatusRec,
    /// The name as written, when it differs from the folded name the key holds; `None` saves
    /// repeating it for the many names that are already folded (`tenant-0001234`).
    pub(crate) name: Option<String>,
    /// The node's sequence number (its key in `nodes`).
    pub(crate) seq: u64,
}

impl NameEntry {
    /// The entry of node `seq` with this record and this folded name.
    pub(crate) fn of(seq: u64, rec: &NodeRecord, folded: &str) -> NameEntry {
        NameEntry::new(seq, rec.id, rec.kind, rec.status, &rec.name, folded)
    }

    /// The entry of node `seq` from its fields, before its record exists (a create claims
    /// the entry first); `name` as written, `folded` as the key holds it.
    pub(crate) fn new(seq: u64, id: [u8; 16], kind: u8, status: StatusRec, name: &str, folded: &str) -> NameEntry {
        NameEntry { id, kind, status, name: (name != folded).then(|| name.to_owned()), seq }
    }

    /// Reads an entry's postcard bytes, as [`decode`] does (the same bytes give the same entry
    /// or both fail; tested).
    ///
    /// # Errors
    ///
    /// `CORRUPTED` for bytes that are not an entry.
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<NameEntry> {
        let e = NameEntryRef::from_bytes(bytes)?;
        Ok(NameEntry { id: e.id, kind: e.kind, status: e.status, name: e.name.map(str::to_owned), seq: e.seq })
    }
}

/// A [`NameEntry`] read in place from its bytes, its name borrowed: a page of children reads
/// 50 of these without serde (which reads the 16 bytes of the id one visitor call at a time,
/// measured at 5 % of a page in wasm) and without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameEntryRef<'a> {
    pub(crate) id: [u8; 16],
    pub(crate) kind: u8,
    pub(crate) status: StatusRec,
    /// As [`NameEntry::name`].
    pub(crate) name: Option<&'a str>,
    pub(crate) seq: u64,
}

impl<'a> NameEntryRef<'a> {
    /// Reads an entry's postcard bytes, as [`decode`] does for a [`NameEntry`] (the same bytes
    /// give the same entry or both fail; tested).
    ///
    /// # Errors
    ///
    /// `CORRUPTED` for bytes that are not an entry.
    pub(crate) fn from_bytes(bytes: &'a [u8]) -> Result<NameEntryRef<'a>> {
        Self::parse(bytes).ok_or_else(|| crate::error::Error::corrupted("a by_name entry does not decode"))
    }

    fn parse(bytes: &'a [u8]) -> Option<NameEntryRef<'a>> {
        let (id, rest) = bytes.split_first_chunk::<16>()?;
        let (&kind, rest) = rest.split_first()?;
        let (variant, rest) = varint_u32(rest)?;
        let (status, rest) = match variant {
            0 => (StatusRec::Enabled, rest),
            1 => (StatusRec::Disabled, rest),
            2 => {
                let (profile, rest) = varint_u32(rest)?;
                (StatusRec::Suspended(profile), rest)
            }
            _ => return None,
        };
        let (name, rest) = match rest.split_first()? {
            (0, rest) => (None, rest),
            (1, rest) => {
                let (len, rest) = varint_usize(rest)?;
                let text = rest.get(..len)?;
                (Some(std::str::from_utf8(text).ok()?), rest.get(len..)?)
            }
            _ => return None,
        };
        let (seq, _) = varint_u64(rest)?;
        Some(NameEntryRef { id: *id, kind, status, name, seq })
    }
}

/// A postcard varint `u32` from the front of `input` (LEB128, at most 5 bytes, the last holding
/// at most 4 bits), and the rest.
fn varint_u32(input: &[u8]) -> Option<(u32, &[u8])> {
    let (n, rest) = varint(input, 5, 0x0F)?;
    Some((u32::try_from(n).ok()?, rest))
}

/// A postcard varint `u64` from the front of `input` (LEB128, at most 10 bytes, the last holding
/// at most 1 bit), and the rest.
fn varint_u64(input: &[u8]) -> Option<(u64, &[u8])> {
    varint(input, 10, 0x01)
}

/// A postcard varint `usize` (a string's length): as wide as the target's pointers, so up to
/// 10 bytes on 64-bit targets and 5 on wasm32, as postcard reads it there.
fn varint_usize(input: &[u8]) -> Option<(usize, &[u8])> {
    #[cfg(target_pointer_width = "64")]
    let (n, rest) = varint_u64(input)?;
    #[cfg(not(target_pointer_width = "64"))]
    let (n, rest) = varint_u32(input).map(|(n, rest)| (u64::from(n), rest))?;
    Some((usize::try_from(n).ok()?, rest))
}

/// A LEB128 number of at most `max_bytes` bytes whose last byte is at most `last_max`, as
/// postcard reads its varints (a longer or overflowing one is refused, not wrapped).
fn varint(input: &[u8], max_bytes: usize, last_max: u8) -> Option<(u64, &[u8])> {
    let mut out = 0u64;
    for (i, &byte) in input.iter().take(max_bytes).enumerate() {
        out |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            if i + 1 == max_bytes && byte > last_max {
                return None;
            }
            return Some((out, input.get(i + 1..)?));
        }
    }
    None
}

/// What a node holds and what its subtree adds up to for one roll-up key: kept at interior
/// nodes and at nodes with an allocation (a row of zeros is not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Cell {
    /// The node's own allocation of a resource; always 0 for the count keys (kinds and
    /// children), which are only ever counted below.
    pub(crate) own: u64,
    /// Usage of the strict descendants: for a kind key, how many descendants are of that kind;
    /// for a resource, the sum of their allocations; for the children key, how many children.
    pub(crate) below: u64,
    /// An upper bound of the largest limit set on any strict descendant for this key. Raised
    /// eagerly, lowered only by an exact recomputation (see `quota::lower_limit`).
    pub(crate) max_limit_below: u64,
    /// The sum of the limits the direct children carry for this key (for the no-overcommit
    /// rule).
    /// Wider than a limit, so that no number of children can overflow it.
    pub(crate) child_limits: u128,
}

/// The stored width of a [`Cell`]: `own`, `below` and `max_limit_below` as little-endian
/// `u64`s, then `child_limits` as a little-endian `u128`.
pub(crate) const CELL_BYTES: usize = 40;

impl Cell {
    pub(crate) fn is_zero(&self) -> bool {
        *self == Cell::default()
    }

    /// The stored form (format 3): fixed width, so that redb keeps no per-entry value offsets
    /// in the table's leaves. With variable-width values every in-place update walked and
    /// rewrote the offsets of all the later entries of its leaf (10 % of W3 in wasm, where that
    /// loop is not vectorised); every 40 bytes decode, so reading a cell cannot fail.
    pub(crate) fn to_bytes(self) -> [u8; CELL_BYTES] {
        let mut out = [0u8; CELL_BYTES];
        let (head, limits) = out.split_at_mut(24);
        for (chunk, value) in head.chunks_exact_mut(8).zip([self.own, self.below, self.max_limit_below]) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
        limits.copy_from_slice(&self.child_limits.to_le_bytes());
        out
    }

    /// The cell stored as `bytes` (see [`Cell::to_bytes`]).
    pub(crate) fn from_bytes(bytes: &[u8; CELL_BYTES]) -> Cell {
        let (head, limits) = bytes.split_at(24);
        let mut words = head.chunks_exact(8).map(|c| {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            u64::from_le_bytes(w)
        });
        let mut wide = [0u8; 16];
        wide.copy_from_slice(limits);
        Cell {
            own: words.next().unwrap_or_default(),
            below: words.next().unwrap_or_default(),
            max_limit_below: words.next().unwrap_or_default(),
            child_limits: u128::from_le_bytes(wide),
        }
    }
}

/// An account, keyed by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccountRecord {
    pub(crate) username: String,
    /// The bound node's sequence number; 0 for a store-wide account.
    pub(crate) node: u64,
    pub(crate) role: String,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) mobile: Option<String>,
    pub(crate) email: Option<String>,
    /// argon2id hash in PHC string form; `None` until a password is set.
    pub(crate) password: Option<String>,
    pub(crate) force_reset: bool,
    pub(crate) enabled: bool,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) version: u64,
}

/// An API token, keyed by its id. The secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub(crate) account: u64,
    pub(crate) name: String,
    /// SHA-256 of the secret.
    pub(crate) hash: [u8; 32],
    pub(crate) created: i64,
    pub(crate) expires: Option<i64>,
}

/// A custom role, keyed by its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RoleRecord {
    pub(crate) permissions: Vec<String>,
    /// How many accounts hold the role (a role in use cannot be removed).
    pub(crate) accounts: u64,
}

/// A queued outbox message, keyed by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MessageRecord {
    /// 0: welcome.
    pub(crate) kind: u8,
    pub(crate) account: u64,
    pub(crate) username: String,
    pub(crate) recipient: Option<String>,
    pub(crate) node: Option<[u8; 16]>,
    pub(crate) created: i64,
}

/// A change-feed event, keyed by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EventRecord {
    pub(crate) time: i64,
    /// The acting account's id; 0 for the system.
    pub(crate) actor: u64,
    /// What happened: `node.create`, `account.update`, ...
    pub(crate) op: String,
    /// The entity changed: `node`, `account`, `token`, `role`, `policy`, `props`, ...
    pub(crate) entity: String,
    /// The entity's id when it is not the node itself.
    pub(crate) id: Option<String>,
    /// The node the change concerns.
    pub(crate) node: Option<[u8; 16]>,
    /// That node's path (ancestors, then the node) when the change happened: what decides
    /// who may read the event.
    pub(crate) path: Vec<u64>,
    /// For a move, the path before it.
    pub(crate) old_path: Vec<u64>,
    /// The changed fields and their new values as compact JSON, secrets masked.
    pub(crate) changes: Option<String>,
}

// --- 004's tenant documents (engine::tenant) ---

/// A tenant's settings (004), keyed by `var(node)`. Times of day are minutes since midnight,
/// sizes bytes (`None`: unlimited); enumerations are small numbers (see `engine::tenant`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SettingsRecord {
    /// As written; `""` for none. Indexed folded in `sip_domains`.
    pub(crate) domain: String,
    pub(crate) timezone: String,
    pub(crate) currency: String,
    pub(crate) region: String,
    pub(crate) enable_video_recording: bool,
    pub(crate) enable_audio_recording: bool,
    pub(crate) enable_dual_track_recording: bool,
    pub(crate) enable_billing: bool,
    pub(crate) enable_feature_billing: bool,
    pub(crate) enable_feature_call_statistics: bool,
    pub(crate) enable_feature_contact_center: bool,
    pub(crate) enable_feature_message_channels: bool,
    pub(crate) enable_feature_microsoft_teams: bool,
    pub(crate) enable_feature_trunks: bool,
    pub(crate) enable_feature_whats_app: bool,
    pub(crate) enable_night_mode: bool,
    pub(crate) enable_two_factor_authentication: bool,
    pub(crate) custom_options: String,
    pub(crate) im_disk_quota: Option<u64>,
    pub(crate) extension_im_disk_quota: Option<u64>,
    pub(crate) recording_retention: u32,
    pub(crate) call_report_retention: u32,
    pub(crate) log_retention: u32,
    pub(crate) temp_file_retention: u32,
    /// Seven days, Monday first.
    pub(crate) office_hours: Vec<DayRec>,
    pub(crate) outbound_caller_ids: Vec<CallerIdRec>,
    pub(crate) e164: E164Rec,
    pub(crate) cdr_event: HookRec,
    pub(crate) extension_event: HookRec,
    /// 0 `DISABLE`, 1 `MATCH_EXACTLY`, 2 `MATCH_LENGTH`.
    pub(crate) contact_match_type: u8,
    pub(crate) contact_match_length: u32,
    /// 0 `DISABLE`, 1 `APPEND`, 2 `PREPEND`.
    pub(crate) contact_append_type: u8,
    pub(crate) contact_update_interval: u32,
    pub(crate) password_force_reset: bool,
    pub(crate) avatar_file_id: String,
    pub(crate) avatar_file_name: String,
    pub(crate) avatar_file_size: u64,
    pub(crate) avatar_file_url: String,
    pub(crate) stir_shaken_cert: String,
    pub(crate) stir_shaken_key: String,
}

/// One weekday's office hours: ranges of minutes, sorted, not overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DayRec {
    pub(crate) enabled: bool,
    pub(crate) ranges: Vec<(u16, u16)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CallerIdRec {
    pub(crate) provider_id: String,
    pub(crate) caller_id: String,
    pub(crate) description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct E164Rec {
    pub(crate) enabled: bool,
    pub(crate) international_code: String,
    pub(crate) country: String,
    pub(crate) area_code: String,
    pub(crate) national_code: String,
    pub(crate) prefix: String,
    pub(crate) remove_special_chars: bool,
    pub(crate) remove_duplicate_countries: bool,
    pub(crate) remove_duplicate_area_codes: bool,
}

/// An event hook; `auth`: 0 `DISABLE`, 1 `BASIC`, 2 `TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HookRec {
    pub(crate) enabled: bool,
    pub(crate) auth: u8,
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) token: String,
    pub(crate) url: String,
}

/// A holiday, keyed by `var(node) ‖ var(id)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HolidayRecord {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) consecutive: bool,
    pub(crate) every_year: bool,
    pub(crate) year_start: u32,
    pub(crate) year_end: u32,
    pub(crate) month_start: u32,
    pub(crate) month_end: u32,
    pub(crate) day_start: u32,
    pub(crate) day_end: u32,
    pub(crate) hour_start: u32,
    pub(crate) hour_end: u32,
    pub(crate) minute_start: u32,
    pub(crate) minute_end: u32,
}

/// A tenant's balance, keyed by `var(node)`: the running total of its ledger in units of
/// 10^-5, and how many entries it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct BalanceRecord {
    pub(crate) total: i128,
    pub(crate) entries: u64,
}

/// A ledger entry, keyed by `var(node) ‖ var(id)`; amounts in units of 10^-5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LedgerRecord {
    pub(crate) time: i64,
    /// The acting account's id; 0 for the system.
    pub(crate) actor: u64,
    pub(crate) amount: i128,
    /// The balance after this entry.
    pub(crate) balance: i128,
}

/// A tenant's custom SIP headers, keyed by `var(node)`: added (name, value, scope) and
/// relayed (name, scope).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct HeadersRecord {
    pub(crate) add: Vec<(String, String, String)>,
    pub(crate) relay: Vec<(String, String)>,
}

/// A tenant's voicemail settings, keyed by `var(node)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VoicemailRecord {
    pub(crate) extension_number: String,
    pub(crate) retain_days: u32,
    pub(crate) min_seconds: u32,
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    Ok(postcard::to_allocvec(value)?)
}

/// Encodes into `buf` when the bytes fit (no heap allocation on the write paths, where
/// records and cells are small), on the heap otherwise.
pub(crate) fn encode_in<'b, T: Serialize>(value: &T, buf: &'b mut [u8]) -> Result<std::borrow::Cow<'b, [u8]>> {
    // postcard writes into the slice or fails when it is too small; the heap is the fallback.
    let fits = postcard::to_slice(value, buf).map(|bytes| bytes.len()).ok();
    match fits {
        Some(len) => Ok(std::borrow::Cow::Borrowed(buf.get(..len).unwrap_or_default())),
        None => Ok(std::borrow::Cow::Owned(encode(value)?)),
    }
}

pub(crate) fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T> {
    Ok(postcard::from_bytes(bytes)?)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    fn status_rec() -> impl Strategy<Value = StatusRec> {
        prop_oneof![Just(StatusRec::Enabled), Just(StatusRec::Disabled), any::<u32>().prop_map(StatusRec::Suspended)]
    }

    proptest! {
        /// The hand-written reader of entries agrees with postcard on every entry it wrote.
        #[test]
        fn name_entries_read_back_as_postcard_wrote_them(
            id in any::<[u8; 16]>(),
            kind in any::<u8>(),
            status in status_rec(),
            name in proptest::option::of(".{0,200}"),
            seq in prop_oneof![any::<u64>(), 0u64..300],
            tail in proptest::collection::vec(any::<u8>(), 0..3),
        ) {
            let entry = NameEntry { id, kind, status, name, seq };
            let mut bytes = encode(&entry).unwrap();
            prop_assert_eq!(NameEntry::from_bytes(&bytes).unwrap(), entry.clone());
            // Trailing bytes are ignored by both, as postcard's `from_bytes` does.
            bytes.extend_from_slice(&tail);
            prop_assert_eq!(NameEntry::from_bytes(&bytes).unwrap(), entry);
        }

        /// On any bytes at all, both readers give the same entry or both fail.
        #[test]
        fn name_entries_and_postcard_agree_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            prop_assert_eq!(NameEntry::from_bytes(&bytes).ok(), decode::<NameEntry>(&bytes).ok());
        }

        /// The same for bytes that are mostly a valid entry, so that the later fields are reached.
        #[test]
        fn name_entries_and_postcard_agree_on_damaged_entries(
            status in status_rec(),
            name in proptest::option::of("[a-zé]{0,12}"),
            seq in prop_oneof![any::<u64>(), 0u64..300],
            at in 0usize..48,
            byte in any::<u8>(),
            cut in 0usize..48,
        ) {
            let mut bytes = encode(&NameEntry { id: [7; 16], kind: 3, status, name, seq }).unwrap();
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
            bytes.truncate(cut.max(17));
            prop_assert_eq!(NameEntry::from_bytes(&bytes).ok(), decode::<NameEntry>(&bytes).ok());
        }
    }

    /// Over-long varints, which postcard reads as long as they fit its type: a name's length is
    /// a `usize`, wider than a `u32` on 64-bit targets.
    #[test]
    fn name_entries_and_postcard_agree_on_over_long_varints() {
        let mut bytes = vec![7u8; 16];
        bytes.extend_from_slice(&[3, 0, 1]);
        for len in [vec![0x81, 0x00], vec![0x81, 0x80, 0x80, 0x80, 0x00], vec![0x81, 0x80, 0x80, 0x80, 0x80, 0x00]] {
            let mut entry = bytes.clone();
            entry.extend_from_slice(&len);
            entry.extend_from_slice(&[b'a', 0x85, 0x00]);
            let ours = NameEntry::from_bytes(&entry).ok();
            assert_eq!(ours, decode::<NameEntry>(&entry).ok(), "{entry:?}");
            assert_eq!(ours.and_then(|e| e.name), Some("a".to_owned()));
        }
        let mut too_long = bytes;
        too_long.extend_from_slice(&[1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, b'a', 5]);
        assert_eq!(NameEntry::from_bytes(&too_long).ok(), decode::<NameEntry>(&too_long).ok());
    }

    #[test]
    fn a_cell_is_40_fixed_bytes_and_every_value_round_trips() {
        let cells = [
            Cell::default(),
            Cell { own: 1, below: 2, max_limit_below: 3, child_limits: 4 },
            Cell { own: u64::MAX, below: u64::MAX - 1, max_limit_below: 1 << 40, child_limits: u128::MAX },
        ];
        for cell in cells {
            let bytes = cell.to_bytes();
            assert_eq!(bytes.len(), CELL_BYTES);
            assert_eq!(Cell::from_bytes(&bytes), cell);
        }
        // The documented layout: little-endian words in field order, the child limits last.
        let bytes = Cell { own: 1, below: 2, max_limit_below: 3, child_limits: 4 }.to_bytes();
        assert_eq!((bytes[0], bytes[8], bytes[16], bytes[24]), (1, 2, 3, 4));
        assert!(Cell::default().to_bytes().iter().all(|&b| b == 0));
    }
    use super::*;

    #[test]
    fn sorted_pairs_insert_update_remove() {
        let mut r = NodeRecord {
            id: [1; 16],
            parent: 0,
            kind: 0,
            name: "n".into(),
            status: StatusRec::Enabled,
            created: 0,
            updated: 0,
            version: 1,
            profile: ProfileRec::default(),
            tenant_full_access: true,
            limits: vec![],
        };
        r.set_limit(5, Some(10));
        r.set_limit(2, Some(3));
        r.set_limit(5, Some(11));
        assert_eq!(r.limits, vec![(2, 3), (5, 11)]);
        r.set_limit(2, None);
        assert_eq!(r.limit(5), Some(11));
        assert_eq!(r.limit(2), None);
        let bytes = encode(&r).unwrap();
        assert_eq!(decode::<NodeRecord>(&bytes).unwrap(), r);
        assert!(decode::<NodeRecord>(&bytes[..bytes.len() / 2]).is_err());
    }

    #[test]
    fn encode_in_uses_the_buffer_when_the_bytes_fit_and_the_heap_otherwise() {
        let cell = Cell { own: 3, below: 300, max_limit_below: 7, child_limits: 1 << 70 };
        let mut big = [0u8; 64];
        let fits = encode_in(&cell, &mut big).unwrap();
        assert!(matches!(fits, std::borrow::Cow::Borrowed(_)));
        assert_eq!(&*fits, encode(&cell).unwrap().as_slice());
        let mut small = [0u8; 2];
        let spilled = encode_in(&cell, &mut small).unwrap();
        assert!(matches!(spilled, std::borrow::Cow::Owned(_)));
        assert_eq!(decode::<Cell>(&spilled).unwrap(), cell);
    }
}
