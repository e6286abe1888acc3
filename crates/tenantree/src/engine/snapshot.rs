//! Snapshots: the store's state as a stream of records, exported in one read transaction and
//! imported in one write transaction.
//!
//! Format: a header (magic, version, schema, subtree root), then records in an order that lets
//! every record be checked as it arrives (custom roles; store-wide policy and accounts; then the
//! nodes depth-first, parents before children, each followed by its allocations, password
//! policy, properties, markups, 004's tenant documents (settings, holidays, ledger entries,
//! custom headers, voicemail), accounts and their tokens), then an end record with the count
//! of records before it and the SHA-256 of their encoded frames. Binary snapshots are
//! length-prefixed postcard frames after an 8-byte magic; JSON snapshots hold one record per
//! line (the checksum is optional there, so that people can write fixtures by hand).
//!
//! Import goes through the same operations as live writes, so every record is validated and
//! every invariant kept as it is applied; a snapshot that fails anywhere (truncated, corrupted,
//! hostile, or simply invalid) is refused and the target stays empty. Memory stays bounded:
//! records are streamed one at a time. The change feed and the outbox are not part of a
//! snapshot: they are logs of the store that wrote them.

use std::io::{BufRead, Read, Write};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::account::{AccountId, NewToken, PasswordPolicy};
use crate::decimal::Decimal;
use crate::engine::access::Principal;
use crate::engine::nodes::{self, Restored};
use crate::engine::tenant::restore::{self as tenant_restore, TenantRow};
use crate::engine::{
    Chain, Ctx, accounts, auth, load_chain, markups, node_id, profile_out, props, quota, resolve, roles,
};
use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::model::NewNode;
use crate::schema::Schema;
use crate::store::{
    AccountRecord, Blob, Flow, HeadersRecord, HolidayRecord, KeyRange, LedgerRecord, NodeRecord, ProfileRec,
    RoleRecord, SettingsRecord, StatusRec, TokenRecord, View, VoicemailRecord, WriteView, decode, keys,
};

/// How a snapshot is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SnapshotFormat {
    /// Length-prefixed postcard frames: compact and fast.
    Binary,
    /// One JSON record per line: for people and fixtures.
    Json,
}

/// What a snapshot held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSummary {
    /// Nodes.
    pub nodes: u64,
    /// Accounts.
    pub accounts: u64,
    /// API tokens.
    pub tokens: u64,
    /// Custom roles.
    pub roles: u64,
    /// Password policies.
    pub policies: u64,
    /// Configuration properties.
    pub properties: u64,
    /// Markups.
    pub markups: u64,
    /// Allocations.
    pub allocations: u64,
    /// Rows of 004's tenant documents: settings, holidays, ledger entries, custom headers and
    /// voicemail settings.
    pub tenant_documents: u64,
    /// Records in all, header and end included.
    pub records: u64,
}

/// The largest record a snapshot may hold, in bytes.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// The version of the snapshot format this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"TTSNAP\x00\x01";
const HEADER_MAGIC: &str = "tenantree-snapshot";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Record {
    Header(HeaderSnap),
    Role(RoleSnap),
    Node(NodeSnap),
    Allocation(AllocationSnap),
    Account(AccountSnap),
    Token(TokenSnap),
    Policy(PolicySnap),
    Property(PropertySnap),
    Markup(MarkupSnap),
    End(EndSnap),
    // 004's tenant documents. After `End`, so that the variant numbers of older records stay.
    TenantSettings(TenantSettingsSnap),
    Holiday(HolidaySnap),
    LedgerEntry(LedgerSnap),
    SipHeaders(SipHeadersSnap),
    Voicemail(VoicemailSnap),
}

/// A tenant's settings (004). The limits, name and website are the node's and travel with it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantSettingsSnap {
    node: NodeId,
    settings: Box<SettingsRecord>,
}

/// One holiday of a tenant, with its id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HolidaySnap {
    node: NodeId,
    id: u64,
    holiday: HolidayRecord,
}

/// One entry of a tenant's balance ledger (amounts in units of 10^-5), with its id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LedgerSnap {
    node: NodeId,
    id: u64,
    entry: LedgerRecord,
}

/// A tenant's custom SIP headers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SipHeadersSnap {
    node: NodeId,
    headers: HeadersRecord,
}

/// A tenant's voicemail settings.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VoicemailSnap {
    node: NodeId,
    voicemail: VoicemailRecord,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderSnap {
    magic: String,
    version: u32,
    /// The schema as JSON text.
    schema: String,
    /// The root of a subtree export (its ancestors come first, without their other data).
    root: Option<NodeId>,
    exported_at: Timestamp,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleSnap {
    name: String,
    permissions: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeSnap {
    id: NodeId,
    parent: Option<NodeId>,
    kind: String,
    name: String,
    status: StatusRec,
    created: Timestamp,
    updated: Timestamp,
    version: u64,
    profile: ProfileRec,
    tenant_full_access: bool,
    limits: Vec<(String, u64)>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AllocationSnap {
    node: NodeId,
    resource: String,
    amount: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountSnap {
    id: u64,
    username: String,
    node: Option<NodeId>,
    role: String,
    first_name: Option<String>,
    last_name: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    /// The argon2id PHC string, never a password.
    password: Option<String>,
    force_reset: bool,
    enabled: bool,
    created: Timestamp,
    updated: Timestamp,
    version: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenSnap {
    id: u64,
    account: u64,
    name: String,
    /// SHA-256 of the secret, in hex. The secret itself is never stored.
    hash: String,
    created: Timestamp,
    expires: Option<Timestamp>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicySnap {
    node: Option<NodeId>,
    policy: PasswordPolicy,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PropertySnap {
    node: NodeId,
    namespace: String,
    key: String,
    /// The value as JSON text.
    value: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarkupSnap {
    node: NodeId,
    start: Timestamp,
    percent: Decimal,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EndSnap {
    /// Records before this one, the header included.
    records: u64,
    /// SHA-256 of every frame before this one, in hex (optional in JSON).
    sha256: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn bad(reason: impl Into<String>) -> Error {
    Error::invalid("snapshot", reason)
}

fn io_error(e: std::io::Error) -> Error {
    Error::Storage { message: format!("snapshot i/o failed: {e}") }
}

struct FrameWriter<'a> {
    format: SnapshotFormat,
    out: &'a mut dyn Write,
    hash: sha2::Sha256,
    records: u64,
}

impl<'a> FrameWriter<'a> {
    fn new(format: SnapshotFormat, out: &'a mut dyn Write) -> Result<FrameWriter<'a>> {
        if format == SnapshotFormat::Binary {
            out.write_all(MAGIC).map_err(io_error)?;
        }
        Ok(FrameWriter { format, out, hash: sha2::Sha256::new(), records: 0 })
    }

    fn write(&mut self, record: &Record) -> Result<()> {
        let frame = match self.format {
            SnapshotFormat::Binary => {
                let body = postcard::to_allocvec(record)
                    .map_err(|e| Error::corrupted(format!("a record does not encode: {e}")))?;
                let len = u32::try_from(body.len()).map_err(|_| Error::corrupted("a record is too large"))?;
                let mut frame = len.to_le_bytes().to_vec();
                frame.extend_from_slice(&body);
                frame
            }
            SnapshotFormat::Json => {
                let mut line = serde_json::to_vec(record)
                    .map_err(|e| Error::corrupted(format!("a record does not encode: {e}")))?;
                line.push(b'\n');
                line
            }
        };
        if frame.len() > MAX_RECORD_BYTES + 4 {
            return Err(Error::corrupted("a record exceeds the snapshot record size"));
        }
        self.hash.update(&frame);
        self.records += 1;
        self.out.write_all(&frame).map_err(io_error)
    }

    fn finish(mut self) -> Result<u64> {
        let sha = hex(&std::mem::take(&mut self.hash).finalize());
        let end = Record::End(EndSnap { records: self.records, sha256: Some(sha) });
        let records = self.records + 1;
        let frame = match self.format {
            SnapshotFormat::Binary => {
                let body = postcard::to_allocvec(&end).map_err(|e| Error::corrupted(e.to_string()))?;
                let mut frame = u32::try_from(body.len()).unwrap_or(0).to_le_bytes().to_vec();
                frame.extend_from_slice(&body);
                frame
            }
            SnapshotFormat::Json => {
                let mut line = serde_json::to_vec(&end).map_err(|e| Error::corrupted(e.to_string()))?;
                line.push(b'\n');
                line
            }
        };
        self.out.write_all(&frame).map_err(io_error)?;
        self.out.flush().map_err(io_error)?;
        Ok(records)
    }
}

struct FrameReader<'a> {
    format: SnapshotFormat,
    input: std::io::BufReader<&'a mut dyn Read>,
    hash: sha2::Sha256,
    records: u64,
}

impl<'a> FrameReader<'a> {
    fn new(format: SnapshotFormat, input: &'a mut dyn Read) -> Result<FrameReader<'a>> {
        let mut reader =
            FrameReader { format, input: std::io::BufReader::new(input), hash: sha2::Sha256::new(), records: 0 };
        if format == SnapshotFormat::Binary {
            let mut magic = [0u8; 8];
            reader.read_exact(&mut magic, "the magic")?;
            if &magic != MAGIC {
                return Err(bad("not a tenantree binary snapshot (wrong magic)"));
            }
        }
        Ok(reader)
    }

    fn read_exact(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        self.input.read_exact(buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => bad(format!("truncated in {what} (after {} records)", self.records)),
            _ => io_error(e),
        })
    }

    /// The next record and the bytes of its frame; `None` at a clean end of input.
    fn next(&mut self) -> Result<Option<(Record, Vec<u8>)>> {
        let n = self.records;
        let frame = match self.format {
            SnapshotFormat::Binary => {
                let mut len = [0u8; 4];
                match self.input.fill_buf().map_err(io_error)? {
                    [] => return Ok(None),
                    _ => self.read_exact(&mut len, "a record length")?,
                }
                let len = u32::from_le_bytes(len) as usize;
                if len > MAX_RECORD_BYTES {
                    return Err(bad(format!("record {n} claims {len} bytes, the limit is {MAX_RECORD_BYTES}")));
                }
                let mut body = vec![0u8; len];
                self.read_exact(&mut body, "a record")?;
                let mut frame = (len as u32).to_le_bytes().to_vec();
                frame.extend_from_slice(&body);
                frame
            }
            SnapshotFormat::Json => {
                let mut line = Vec::new();
                let mut limited = (&mut self.input).take(MAX_RECORD_BYTES as u64 + 2);
                let read = limited.read_until(b'\n', &mut line).map_err(io_error)?;
                if read == 0 {
                    return Ok(None);
                }
                // The record is the line without its newline.
                if line.strip_suffix(b"\n").map_or(line.len(), <[u8]>::len) > MAX_RECORD_BYTES {
                    return Err(bad(format!("record {n} is longer than {MAX_RECORD_BYTES} bytes")));
                }
                if !line.ends_with(b"\n") {
                    // A last line without its newline is fine for hand-written fixtures.
                    line.push(b'\n');
                }
                line
            }
        };
        let record: Record = match self.format {
            SnapshotFormat::Binary => postcard::from_bytes(frame.get(4..).unwrap_or(&[]))
                .map_err(|e| bad(format!("record {n} does not decode: {e}")))?,
            SnapshotFormat::Json => {
                serde_json::from_slice(&frame).map_err(|e| bad(format!("record {n} does not decode: {e}")))?
            }
        };
        self.records += 1;
        Ok(Some((record, frame)))
    }
}

/// Exports the store (or the subtree under `root`, with its ancestors first) as a snapshot.
/// The system actor, or a store-wide account allowed `store.snapshot.export`, only.
pub(crate) fn export(
    v: &impl View,
    ctx: &Ctx<'_>,
    who: &Principal,
    root: Option<NodeId>,
    format: SnapshotFormat,
    out: &mut dyn Write,
) -> Result<SnapshotSummary> {
    if !who.sees_everything() {
        return Err(Error::Forbidden { action: "store.snapshot.export".into(), target: "the store".into() });
    }
    who.require_permission("store.snapshot.export", "the store")?;
    let schema = ctx.schema;
    let mut sum = SnapshotSummary::default();
    let mut fw = FrameWriter::new(format, out)?;
    let schema_text = serde_json::to_string(schema).map_err(|e| Error::corrupted(e.to_string()))?;
    fw.write(&Record::Header(HeaderSnap {
        magic: HEADER_MAGIC.to_owned(),
        version: SNAPSHOT_VERSION,
        schema: schema_text,
        root,
        exported_at: ctx.now(),
    }))?;

    let mut role_records = Vec::new();
    v.scan(Blob::Roles, KeyRange::all(), false, &mut |k, val| {
        let rec: RoleRecord = decode(val)?;
        role_records.push(RoleSnap { name: String::from_utf8_lossy(k).into_owned(), permissions: rec.permissions });
        Ok(Flow::Continue(()))
    })?;
    for r in role_records {
        sum.roles += 1;
        fw.write(&Record::Role(r))?;
    }

    let start_seq = match root {
        Some(id) => {
            let chain = load_chain(v, resolve(v, id)?)?;
            // The ancestors, top-down, as context: their records only.
            for link in chain.links.iter().skip(1).rev() {
                let parent = link.rec.parent().and_then(|p| chain.links.iter().find(|l| l.seq == p)).map(|l| l.id());
                fw.write(&Record::Node(node_snap(schema, &link.rec, parent)?))?;
                sum.nodes += 1;
            }
            let parent = chain.links.get(1).map(|l| l.id());
            emit_node(v, schema, &mut fw, &mut sum, chain.seq(), &chain.node()?.rec, parent)?;
            chain.seq()
        }
        None => {
            emit_owned(v, &mut fw, &mut sum, 0, None)?;
            0
        }
    };
    // Depth first through the children index: one range read per step, memory O(depth).
    let mut stack: Vec<(u64, NodeId, Option<Vec<u8>>)> = Vec::new();
    let root_id = match root {
        Some(id) => id,
        None => NodeId::from_bytes([0xff; 16])?,
    };
    stack.push((start_seq, root_id, None));
    while let Some((parent, parent_id, after)) = stack.last().cloned() {
        let prefix = keys::slot_prefix(parent);
        let mut range = KeyRange::prefix(&prefix);
        if let Some(a) = &after {
            range.lo = std::ops::Bound::Excluded(a.clone());
        }
        let next = v.keys(crate::store::Index::ByParent, range, false)?.next().transpose()?;
        match next {
            Some(key) => {
                let (_, child) =
                    keys::split_child_slot(&key).ok_or_else(|| Error::corrupted("malformed by_parent key"))?;
                if let Some(top) = stack.last_mut() {
                    top.2 = Some(key);
                }
                let rec =
                    v.node(child)?.ok_or_else(|| Error::corrupted(format!("by_parent names missing node #{child}")))?;
                let parent_ref = (parent != 0).then_some(parent_id);
                emit_node(v, schema, &mut fw, &mut sum, child, &rec, parent_ref)?;
                stack.push((child, node_id(&rec), None));
            }
            None => {
                stack.pop();
            }
        }
    }
    sum.records = fw.finish()?;
    Ok(sum)
}

fn node_snap(schema: &Schema, rec: &NodeRecord, parent: Option<NodeId>) -> Result<NodeSnap> {
    Ok(NodeSnap {
        id: node_id(rec),
        parent,
        kind: schema.kind_at(rec.kind)?.name.clone(),
        name: rec.name.clone(),
        status: rec.status,
        created: Timestamp::from_micros(rec.created),
        updated: Timestamp::from_micros(rec.updated),
        version: rec.version,
        profile: rec.profile.clone(),
        tenant_full_access: rec.tenant_full_access,
        limits: rec.limits.iter().map(|(k, v)| (schema.key_name(*k), *v)).collect(),
    })
}

fn emit_node(
    v: &impl View,
    schema: &Schema,
    fw: &mut FrameWriter<'_>,
    sum: &mut SnapshotSummary,
    seq: u64,
    rec: &NodeRecord,
    parent: Option<NodeId>,
) -> Result<()> {
    let id = node_id(rec);
    fw.write(&Record::Node(node_snap(schema, rec, parent)?))?;
    sum.nodes += 1;
    for (key, cell) in v.cells(seq)? {
        if cell.own > 0 {
            fw.write(&Record::Allocation(AllocationSnap {
                node: id,
                resource: schema.key_name(key),
                amount: cell.own,
            }))?;
            sum.allocations += 1;
        }
    }
    let mut rows: Vec<Record> = Vec::new();
    let prefix = keys::parent_prefix(seq);
    v.scan(Blob::Props, KeyRange::prefix(&prefix), false, &mut |k, val| {
        let rest = k.get(prefix.len()..).unwrap_or(&[]);
        let nul = rest.iter().position(|b| *b == 0).ok_or_else(|| Error::corrupted("a property key"))?;
        let namespace = String::from_utf8_lossy(rest.get(..nul).unwrap_or(&[])).into_owned();
        let key = String::from_utf8_lossy(rest.get(nul + 1..).unwrap_or(&[])).into_owned();
        rows.push(Record::Property(PropertySnap {
            node: id,
            namespace,
            key,
            value: String::from_utf8_lossy(val).into_owned(),
        }));
        Ok(Flow::Continue(()))
    })?;
    for m in markups::history_of(v, seq)?.into_iter().rev() {
        rows.push(Record::Markup(MarkupSnap { node: id, start: m.start, percent: m.percent }));
    }
    for r in rows {
        match r {
            Record::Property(_) => sum.properties += 1,
            _ => sum.markups += 1,
        }
        fw.write(&r)?;
    }
    tenant_restore::rows(v, seq, &mut |row| {
        sum.tenant_documents += 1;
        fw.write(&match row {
            TenantRow::Settings(settings) => Record::TenantSettings(TenantSettingsSnap { node: id, settings }),
            TenantRow::Holiday(hid, holiday) => Record::Holiday(HolidaySnap { node: id, id: hid, holiday }),
            TenantRow::Ledger(eid, entry) => Record::LedgerEntry(LedgerSnap { node: id, id: eid, entry }),
            TenantRow::Headers(headers) => Record::SipHeaders(SipHeadersSnap { node: id, headers }),
            TenantRow::Voicemail(voicemail) => Record::Voicemail(VoicemailSnap { node: id, voicemail }),
        })
    })?;
    emit_owned(v, fw, sum, seq, Some(id))
}

/// A node's (or, for 0, the store's) password policy and accounts with their tokens.
fn emit_owned(
    v: &impl View,
    fw: &mut FrameWriter<'_>,
    sum: &mut SnapshotSummary,
    seq: u64,
    node: Option<NodeId>,
) -> Result<()> {
    if let Some(bytes) = v.blob(Blob::Policies, &keys::parent_prefix(seq))? {
        fw.write(&Record::Policy(PolicySnap { node, policy: decode(&bytes)? }))?;
        sum.policies += 1;
    }
    let mut ids = Vec::new();
    v.scan(Blob::AccountsByNode, KeyRange::prefix(&keys::parent_prefix(seq)), false, &mut |k, _| {
        if let Some((_, id)) = keys::split_by_parent(k) {
            ids.push(id);
        }
        Ok(Flow::Continue(()))
    })?;
    for id in ids {
        let Some(rec) = crate::engine::access::load_account(v, id)? else { continue };
        fw.write(&Record::Account(account_snap(id, rec, node)))?;
        sum.accounts += 1;
        let mut tokens = Vec::new();
        v.scan(Blob::TokensByAccount, KeyRange::prefix(&keys::parent_prefix(id)), false, &mut |k, _| {
            if let Some((_, t)) = keys::split_by_parent(k) {
                tokens.push(t);
            }
            Ok(Flow::Continue(()))
        })?;
        for t in tokens {
            if let Some(bytes) = v.blob(Blob::Tokens, &t.to_be_bytes())? {
                let tr: TokenRecord = decode(&bytes)?;
                fw.write(&Record::Token(TokenSnap {
                    id: t,
                    account: id,
                    name: tr.name,
                    hash: hex(&tr.hash),
                    created: Timestamp::from_micros(tr.created),
                    expires: tr.expires.map(Timestamp::from_micros),
                }))?;
                sum.tokens += 1;
            }
        }
    }
    Ok(())
}

fn account_snap(id: u64, rec: AccountRecord, node: Option<NodeId>) -> AccountSnap {
    AccountSnap {
        id,
        username: rec.username,
        node,
        role: rec.role,
        first_name: rec.first_name,
        last_name: rec.last_name,
        mobile: rec.mobile,
        email: rec.email,
        password: rec.password,
        force_reset: rec.force_reset,
        enabled: rec.enabled,
        created: Timestamp::from_micros(rec.created),
        updated: Timestamp::from_micros(rec.updated),
        version: rec.version,
    }
}

/// The schema a snapshot was taken with, from its header.
pub(crate) fn read_schema(format: SnapshotFormat, input: &mut dyn Read) -> Result<Schema> {
    let mut reader = FrameReader::new(format, input)?;
    match reader.next()? {
        Some((Record::Header(h), _)) => header_schema(&h),
        _ => Err(bad("the snapshot does not start with a header")),
    }
}

fn header_schema(h: &HeaderSnap) -> Result<Schema> {
    if h.magic != HEADER_MAGIC {
        return Err(bad("not a tenantree snapshot"));
    }
    if h.version != SNAPSHOT_VERSION {
        return Err(Error::IncompatibleFormat {
            found: format!("snapshot version {}", h.version),
            supported: format!("snapshot version {SNAPSHOT_VERSION}"),
        });
    }
    let schema: Schema =
        serde_json::from_str(&h.schema).map_err(|e| bad(format!("its schema does not decode: {e}")))?;
    schema.validate()?;
    Ok(schema)
}

fn require_empty(w: &WriteView<'_>) -> Result<()> {
    let mut empty = w.all_ids()?.next().is_none();
    for table in [Blob::Accounts, Blob::Roles, Blob::Policies] {
        w.scan(table, KeyRange::all(), false, &mut |_, _| {
            empty = false;
            Ok(Flow::Break(()))
        })?;
    }
    if empty { Ok(()) } else { Err(bad("a snapshot is imported into an empty store only")) }
}

/// Imports a snapshot into an empty store with the same schema, in the caller's transaction.
/// The system actor only.
pub(crate) fn import(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    format: SnapshotFormat,
    input: &mut dyn Read,
) -> Result<SnapshotSummary> {
    if !matches!(who, Principal::System) {
        return Err(Error::Forbidden { action: "store.snapshot.import".into(), target: "the store".into() });
    }
    require_empty(w)?;
    // Restoring writes no feed events of its own; one event at the end records the import.
    let quiet = Ctx { feed: false, ..*ctx };
    let mut reader = FrameReader::new(format, input)?;
    let header = match reader.next()? {
        Some((Record::Header(h), frame)) => {
            reader.hash.update(&frame);
            h
        }
        Some(_) => return Err(bad("the snapshot does not start with a header")),
        None => return Err(bad("the snapshot is empty")),
    };
    let schema = header_schema(&header)?;
    // A snapshot of a store whose schema this store's admits (the same, or one whose kinds
    // could hang in fewer places) holds nothing this store's rules refuse.
    if !ctx.schema.admits(&schema) {
        return Err(Error::SchemaMismatch {
            reason: format!("the snapshot has schema {:?}, the store {:?}", schema.name, ctx.schema.name),
        });
    }
    let mut sum = SnapshotSummary::default();
    loop {
        let index = reader.records;
        let Some((record, frame)) = reader.next()? else {
            return Err(bad(format!("truncated: no end record after {index} records")));
        };
        if let Record::End(end) = record {
            let expected = std::mem::take(&mut reader.hash).finalize();
            if end.records != index {
                return Err(bad(format!("the end record counts {} records, {index} came", end.records)));
            }
            match (&end.sha256, format) {
                (Some(sha), _) if unhex32(sha).as_ref().map(|s| &s[..]) != Some(&expected[..]) => {
                    return Err(bad("the checksum does not match: the snapshot was altered or damaged"));
                }
                (None, SnapshotFormat::Binary) => return Err(bad("a binary snapshot needs its checksum")),
                _ => {}
            }
            if reader.next()?.is_some() {
                return Err(bad("data after the end record"));
            }
            sum.records = index + 1;
            break;
        }
        reader.hash.update(&frame);
        apply(w, &quiet, who, record, &mut sum).map_err(|e| match e {
            Error::InvalidArgument { field, reason } if field == "snapshot" => Error::InvalidArgument { field, reason },
            other => Error::Batch { index: usize::try_from(index).unwrap_or(usize::MAX), source: Box::new(other) },
        })?;
    }
    let changes = serde_json::to_value(sum).ok();
    crate::engine::feed::emit(
        w,
        ctx,
        who,
        crate::engine::feed::Event {
            op: "store.import",
            entity: "store",
            id: None,
            node: None,
            path: Vec::new(),
            old_path: Vec::new(),
            changes,
        },
    )?;
    Ok(sum)
}

/// A profile from a snapshot: untrusted input, so a bad `extra` is an invalid argument, not
/// damaged storage.
fn profile_in(p: &ProfileRec) -> Result<crate::model::Profile> {
    let mut clean = p.clone();
    let extra = clean.extra.take();
    let mut profile = profile_out(&clean)?;
    if let Some(text) = extra {
        profile.extra =
            Some(serde_json::from_str(&text).map_err(|e| Error::invalid("extraData", format!("is not JSON: {e}")))?);
    }
    Ok(profile)
}

fn chain_of(w: &WriteView<'_>, id: NodeId) -> Result<Chain> {
    load_chain(w, resolve(w, id)?)
}

fn apply(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    record: Record,
    sum: &mut SnapshotSummary,
) -> Result<()> {
    match record {
        Record::Header(_) => return Err(bad("a second header")),
        Record::End(_) => return Err(bad("an end record in the middle")),
        Record::Role(r) => {
            roles::define(w, &crate::account::Role::new(r.name, r.permissions))?;
            sum.roles += 1;
        }
        Record::Node(n) => {
            let new = NewNode {
                id: Some(n.id),
                kind: n.kind,
                parent: n.parent,
                name: n.name,
                status: n.status.into(),
                profile: profile_in(&n.profile)?,
                tenant_full_access: Some(n.tenant_full_access),
                limits: n.limits.into_iter().collect(),
            };
            let restored =
                Restored { created: n.created.as_micros(), updated: n.updated.as_micros(), version: n.version };
            nodes::create_with(w, ctx, who, &new, Some(restored))?;
            sum.nodes += 1;
        }
        Record::Allocation(a) => {
            quota::allocate_with(w, ctx, who, a.node, &a.resource, a.amount, true)?;
            sum.allocations += 1;
        }
        Record::Policy(p) => {
            accounts::set_policy(w, ctx, who, p.node, Some(&p.policy))?;
            sum.policies += 1;
        }
        Record::Property(p) => {
            let value: serde_json::Value = serde_json::from_str(&p.value)
                .map_err(|e| Error::invalid("properties", format!("{:?}: {e}", p.key)))?;
            let one = crate::config::Properties::from([(p.key, value)]);
            props::upsert(w, ctx, who, p.node, &p.namespace, &one)?;
            sum.properties += 1;
        }
        Record::Markup(m) => {
            markups::add(w, ctx, who, m.node, m.percent, Some(m.start))?;
            sum.markups += 1;
        }
        Record::Account(a) => {
            let node = match a.node {
                Some(id) => Some(chain_of(w, id)?.seq()),
                None => None,
            };
            let rec = AccountRecord {
                username: a.username,
                node: node.unwrap_or(0),
                role: a.role,
                first_name: a.first_name,
                last_name: a.last_name,
                mobile: a.mobile,
                email: a.email,
                password: a.password,
                force_reset: a.force_reset,
                enabled: a.enabled,
                created: a.created.as_micros(),
                updated: a.updated.as_micros(),
                version: a.version.max(1),
            };
            accounts::restore(w, AccountId::new(a.id)?, rec)?;
            sum.accounts += 1;
        }
        Record::Token(t) => {
            let hash = unhex32(&t.hash).ok_or_else(|| Error::invalid("token", "a token hash is 64 hex digits"))?;
            let info = NewToken { name: t.name, expires_in: None };
            auth::restore(w, t.id, AccountId::new(t.account)?, &info, hash, t.created, t.expires)?;
            sum.tokens += 1;
        }
        Record::TenantSettings(t) => {
            tenant_restore::restore(w, ctx, t.node, TenantRow::Settings(t.settings))?;
            sum.tenant_documents += 1;
        }
        Record::Holiday(h) => {
            tenant_restore::restore(w, ctx, h.node, TenantRow::Holiday(h.id, h.holiday))?;
            sum.tenant_documents += 1;
        }
        Record::LedgerEntry(e) => {
            tenant_restore::restore(w, ctx, e.node, TenantRow::Ledger(e.id, e.entry))?;
            sum.tenant_documents += 1;
        }
        Record::SipHeaders(h) => {
            tenant_restore::restore(w, ctx, h.node, TenantRow::Headers(h.headers))?;
            sum.tenant_documents += 1;
        }
        Record::Voicemail(vm) => {
            tenant_restore::restore(w, ctx, vm.node, TenantRow::Voicemail(vm.voicemail))?;
            sum.tenant_documents += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Postcard numbers enum variants: the tenant records come after `End`, so a snapshot
    /// written before they existed still decodes.
    #[test]
    fn older_records_keep_their_variant_numbers() {
        let end = postcard::to_allocvec(&Record::End(EndSnap { records: 0, sha256: None })).unwrap();
        assert_eq!(end.first(), Some(&9));
        let node = NodeId::from_bytes([1; 16]).unwrap();
        let voicemail = VoicemailRecord { extension_number: "800".into(), retain_days: 30, min_seconds: 1 };
        let vm = postcard::to_allocvec(&Record::Voicemail(VoicemailSnap { node, voicemail })).unwrap();
        assert_eq!(vm.first(), Some(&14));
        let back: Record = postcard::from_bytes(&vm).unwrap();
        assert!(matches!(back, Record::Voicemail(v) if v.voicemail.extension_number == "800"));
    }
}
