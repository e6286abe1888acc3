//! Node kinds and quota resources as data: which kinds exist, which may hang under which, how
//! names are checked and kept unique, and which resources carry quotas.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::validate::NameRule;

/// How a stored roll-up is addressed: the count of a kind (`0..=255`), a resource
/// (`0x100 + index`), or the number of direct children.
pub(crate) type RollupKey = u16;
/// Roll-up key of the direct-children counter.
pub(crate) const CHILDREN_KEY: RollupKey = u16::MAX;
const RESOURCE_BASE: RollupKey = 0x100;

/// The most kinds a schema may define.
pub const MAX_KINDS: usize = 200;
/// The most resources a schema may define.
pub const MAX_RESOURCES: usize = 1000;
/// The deepest tree any schema may allow.
pub const MAX_DEPTH: u32 = 64;

/// Where a kind's names must be unique, compared ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "scope")]
pub enum Uniqueness {
    /// No two children of one parent, of this kind, share a name.
    Siblings,
    /// No two nodes anywhere in the store share a name, among all kinds of the same `group`
    /// (001's dealers of every level share one login namespace; 002 answers ALREADY_EXISTS).
    Store {
        /// Kinds with the same group share one namespace.
        group: String,
    },
}

/// Where billing ids (003's `billingId`) must be unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "scope")]
pub enum BillingScope {
    /// Unique in the whole store.
    Store,
    /// Unique among the descendants of the nearest ancestor of this kind ("unique per Group"
    /// in 003); store-wide for nodes without such an ancestor.
    Ancestor {
        /// The kind of the ancestor that scopes uniqueness.
        kind: String,
    },
}

/// One node kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KindDef {
    /// The kind's name: 1–32 characters of lower-case ASCII letters, digits and `_`, starting
    /// with a letter.
    pub name: String,
    /// The kinds a node of this kind may hang under.
    pub parents: Vec<String>,
    /// Whether a node of this kind may stand at the top level, without a parent.
    pub top_level: bool,
    /// How names of this kind are checked.
    pub name_rule: NameRule,
    /// Where names of this kind must be unique.
    pub unique: Uniqueness,
    /// Whether nodes of this kind are tenants: the leaves that 001's `tenant_full_access`
    /// protects from their dealers' writes.
    #[serde(default)]
    pub tenant: bool,
}

/// One quota resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ResourceDef {
    /// The resource's name, with the same rule as kind names.
    pub name: String,
    /// If set, usage is the number of descendants of this kind, kept by the store itself
    /// (creates, deletes and moves); otherwise usage is taken and given back with
    /// allocate/release.
    #[serde(default)]
    pub counts: Option<String>,
}

/// The shape of a store's tree. Written into the database when it is created and read back on
/// every open; a store's schema never changes afterwards.
///
/// # Examples
///
/// ```
/// use tenantree::Schema;
///
/// let schema = Schema::channel();
/// assert!(schema.may_parent(Some("reseller"), "tenant"));
/// assert!(!schema.may_parent(Some("tenant"), "reseller"));
/// assert!(schema.may_parent(None, "platform"));
/// assert_eq!(schema.max_depth, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    /// A label for the schema (the preset's name for presets).
    pub name: String,
    /// The kinds, in a stable order (a kind's position is its stored number).
    pub kinds: Vec<KindDef>,
    /// The quota resources, in a stable order.
    pub resources: Vec<ResourceDef>,
    /// The deepest a node may be; a top-level node has depth 1.
    pub max_depth: u32,
    /// When false, the children's limits on a resource may not add up to more than their
    /// parent's limit.
    pub allow_overcommit: bool,
    /// Where billing ids must be unique.
    pub billing_scope: BillingScope,
}

/// The ready-made schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Preset {
    /// [`Schema::channel`]: the default.
    Channel,
    /// [`Schema::clients`] (000).
    Clients,
    /// [`Schema::fusion`] (003).
    Fusion,
    /// [`Schema::seeds`]: every seed API on one store.
    Seeds,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 4] = [Preset::Channel, Preset::Clients, Preset::Fusion, Preset::Seeds];

    /// The preset's name: `channel`, `clients` or `fusion`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Preset::Channel => "channel",
            Preset::Clients => "clients",
            Preset::Fusion => "fusion",
            Preset::Seeds => "seeds",
        }
    }

    /// The schema of this preset.
    #[must_use]
    pub fn schema(self) -> Schema {
        match self {
            Preset::Channel => Schema::channel(),
            Preset::Clients => Schema::clients(),
            Preset::Fusion => Schema::fusion(),
            Preset::Seeds => Schema::seeds(),
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Preset> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::invalid("preset", format!("{s:?} is not one of channel, clients, fusion, seeds")))
    }
}

fn kind(name: &str, parents: &[&str], top_level: bool, rule: NameRule, unique: Uniqueness) -> KindDef {
    KindDef {
        name: name.to_owned(),
        parents: parents.iter().map(|p| (*p).to_owned()).collect(),
        top_level,
        name_rule: rule,
        unique,
        tenant: false,
    }
}

fn resource(name: &str, counts: Option<&str>) -> ResourceDef {
    ResourceDef { name: name.to_owned(), counts: counts.map(str::to_owned) }
}

fn store_group(group: &str) -> Uniqueness {
    Uniqueness::Store { group: group.to_owned() }
}

/// The PBX resources of 001 and 004, besides the tenant count.
const PBX_RESOURCES: [&str; 7] = [
    "extensions",
    "concurrent_calls",
    "ring_groups",
    "virtual_receptionists",
    "call_queues",
    "conference_rooms",
    "disk_bytes",
];

impl Schema {
    /// The default channel tree of 001 and 004: a `platform` root; `distributor`,
    /// `sub_distributor` and `reseller` dealers (a reseller may hang directly under the platform
    /// or a distributor); `tenant` under any dealer level. Dealer and platform names follow
    /// 001's login rule and are unique store-wide across all dealer levels; tenant names are
    /// unique among siblings. Resources: `tenants` (counted) and the PBX limits of 004
    /// (`extensions`, `concurrent_calls`, `ring_groups`, `virtual_receptionists`,
    /// `call_queues`, `conference_rooms`, `disk_bytes`). Depth 5, overcommit allowed.
    #[must_use]
    pub fn channel() -> Schema {
        let dealers = ["distributor", "sub_distributor", "reseller"];
        let mut tenant = kind("tenant", &dealers, false, NameRule::Login, Uniqueness::Siblings);
        tenant.tenant = true;
        let mut resources = vec![resource("tenants", Some("tenant"))];
        resources.extend(PBX_RESOURCES.iter().map(|r| resource(r, None)));
        Schema {
            name: "channel".to_owned(),
            kinds: vec![
                kind("platform", &[], true, NameRule::Login, store_group("platform")),
                kind("distributor", &["platform"], false, NameRule::Login, store_group("dealer")),
                kind("sub_distributor", &["distributor"], false, NameRule::Login, store_group("dealer")),
                kind(
                    "reseller",
                    &["platform", "distributor", "sub_distributor"],
                    false,
                    NameRule::Login,
                    store_group("dealer"),
                ),
                tenant,
            ],
            resources,
            max_depth: 5,
            allow_overcommit: true,
            billing_scope: BillingScope::Store,
        }
    }

    /// 000's client tree: one self-nesting kind, `client`, any number of top-level clients,
    /// free-label names unique among siblings, depth 16. Resources: `clients` (counted),
    /// `users`, `channels`.
    #[must_use]
    pub fn clients() -> Schema {
        Schema {
            name: "clients".to_owned(),
            kinds: vec![kind("client", &["client"], true, NameRule::Label, Uniqueness::Siblings)],
            resources: vec![resource("clients", Some("client")), resource("users", None), resource("channels", None)],
            max_depth: 16,
            allow_overcommit: true,
            billing_scope: BillingScope::Store,
        }
    }

    /// 003's Fusion tree: `group` at the top, `distributor` under a group, `reseller` under a
    /// group or a distributor, `tenant` under a reseller. Free-label names unique among
    /// siblings; billing ids unique per group. Resources: `resellers` and `tenants` (counted),
    /// `users`, `numbers`. Depth 4.
    #[must_use]
    pub fn fusion() -> Schema {
        let mut tenant = kind("tenant", &["reseller"], false, NameRule::Label, Uniqueness::Siblings);
        tenant.tenant = true;
        Schema {
            name: "fusion".to_owned(),
            kinds: vec![
                kind("group", &[], true, NameRule::Label, Uniqueness::Siblings),
                kind("distributor", &["group"], false, NameRule::Label, Uniqueness::Siblings),
                kind("reseller", &["group", "distributor"], false, NameRule::Label, Uniqueness::Siblings),
                tenant,
            ],
            resources: vec![
                resource("resellers", Some("reseller")),
                resource("tenants", Some("tenant")),
                resource("users", None),
                resource("numbers", None),
            ],
            max_depth: 4,
            allow_overcommit: true,
            billing_scope: BillingScope::Ancestor { kind: "group".to_owned() },
        }
    }

    /// Every seed API on one store (what `tenantree serve` uses): 001/004's channel
    /// (`platform`, `distributor`, `sub_distributor`, `reseller`, `tenant`), 003's `group` at
    /// the top with distributors and resellers under it, 002's groups under resellers and
    /// tenants, and 000's self-nesting `client` (at the top or under a platform). 001's create
    /// names no parent, so a store-wide administrator creates a dealer of any level at the top:
    /// a sub-distributor and a reseller may also sit right under the platform. Names are
    /// free labels (003 uses spaces; the 001 dialect checks its stricter login rule itself);
    /// reseller names are unique store-wide (002's ALREADY_EXISTS), the rest among siblings;
    /// billing ids are unique per group (003). Resources: `tenants`, `resellers` and `clients`
    /// (counted), the PBX limits of 004, `users` and `numbers`. Depth 16.
    #[must_use]
    pub fn seeds() -> Schema {
        let label =
            |name: &str, parents: &[&str], top: bool| kind(name, parents, top, NameRule::Label, Uniqueness::Siblings);
        let mut tenant = label("tenant", &["distributor", "sub_distributor", "reseller"], false);
        tenant.tenant = true;
        let mut reseller = label("reseller", &["platform", "group", "distributor", "sub_distributor"], false);
        reseller.unique = store_group("reseller");
        let mut resources = vec![
            resource("tenants", Some("tenant")),
            resource("resellers", Some("reseller")),
            resource("clients", Some("client")),
        ];
        resources.extend(PBX_RESOURCES.iter().map(|r| resource(r, None)));
        resources.push(resource("users", None));
        resources.push(resource("numbers", None));
        Schema {
            name: "seeds".to_owned(),
            kinds: vec![
                kind("platform", &[], true, NameRule::Label, store_group("platform")),
                label("group", &["reseller", "tenant"], true),
                label("client", &["client", "platform"], true),
                label("distributor", &["platform", "group"], false),
                label("sub_distributor", &["distributor", "platform"], false),
                reseller,
                tenant,
            ],
            resources,
            max_depth: 16,
            allow_overcommit: true,
            billing_scope: BillingScope::Ancestor { kind: "group".to_owned() },
        }
    }

    /// Whether every store valid under `older` is valid under this schema too, which then
    /// replaces it in that store: the same schema but for kinds that may hang under more
    /// parents or stand at the top level where they could not (how a preset grows, as the
    /// seeds schema did when 001's administrator could create a sub-distributor at the top).
    /// Kinds keep their positions, which are their stored numbers. Equal schemas admit each
    /// other.
    pub(crate) fn admits(&self, older: &Schema) -> bool {
        if self.kinds.len() != older.kinds.len() {
            return false;
        }
        let mut narrowed = self.clone();
        for (kind, old) in narrowed.kinds.iter_mut().zip(&older.kinds) {
            if !old.parents.iter().all(|p| kind.parents.contains(p)) || (old.top_level && !kind.top_level) {
                return false;
            }
            kind.parents.clone_from(&old.parents);
            kind.top_level = old.top_level;
        }
        narrowed == *older
    }

    /// Checks that the schema is well formed.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` naming the first problem: a malformed or repeated name, a parent or
    /// counted kind that does not exist, a kind no node can ever be created in, a depth out of
    /// 1–64, or too many kinds or resources.
    pub fn validate(&self) -> Result<()> {
        if self.kinds.is_empty() {
            return Err(Error::invalid("schema.kinds", "a schema needs at least one kind"));
        }
        if self.kinds.len() > MAX_KINDS {
            return Err(Error::invalid("schema.kinds", format!("at most {MAX_KINDS} kinds")));
        }
        if self.resources.len() > MAX_RESOURCES {
            return Err(Error::invalid("schema.resources", format!("at most {MAX_RESOURCES} resources")));
        }
        if self.max_depth == 0 || self.max_depth > MAX_DEPTH {
            return Err(Error::invalid("schema.maxDepth", format!("must be 1 to {MAX_DEPTH}")));
        }
        for (i, k) in self.kinds.iter().enumerate() {
            check_ident("schema.kinds.name", &k.name)?;
            if self.kinds.iter().take(i).any(|o| o.name == k.name) {
                return Err(Error::invalid("schema.kinds.name", format!("kind {:?} is defined twice", k.name)));
            }
            for p in &k.parents {
                if self.kind_index(p).is_none() {
                    return Err(Error::invalid(
                        "schema.kinds.parents",
                        format!("kind {:?} names unknown parent kind {p:?}", k.name),
                    ));
                }
            }
            if let Uniqueness::Store { group } = &k.unique {
                check_ident("schema.kinds.unique.group", group)?;
            }
        }
        if let BillingScope::Ancestor { kind } = &self.billing_scope
            && self.kind_index(kind).is_none()
        {
            return Err(Error::invalid("schema.billingScope", format!("unknown kind {kind:?}")));
        }
        // Every kind must be reachable from the top level within the depth.
        let depths = self.min_depths();
        for (k, d) in self.kinds.iter().zip(&depths) {
            if d.is_none_or(|d| d > self.max_depth) {
                return Err(Error::invalid(
                    "schema.kinds",
                    format!("no node of kind {:?} can ever be created within depth {}", k.name, self.max_depth),
                ));
            }
        }
        let mut counted: Vec<&str> = Vec::new();
        for (i, r) in self.resources.iter().enumerate() {
            check_ident("schema.resources.name", &r.name)?;
            if self.resources.iter().take(i).any(|o| o.name == r.name) {
                return Err(Error::invalid("schema.resources.name", format!("resource {:?} is defined twice", r.name)));
            }
            if let Some(kind) = &r.counts {
                if self.kind_index(kind).is_none() {
                    return Err(Error::invalid(
                        "schema.resources.counts",
                        format!("resource {:?} counts unknown kind {kind:?}", r.name),
                    ));
                }
                if counted.contains(&kind.as_str()) {
                    return Err(Error::invalid(
                        "schema.resources.counts",
                        format!("kind {kind:?} is counted by two resources"),
                    ));
                }
                counted.push(kind);
            }
        }
        Ok(())
    }

    fn min_depths(&self) -> Vec<Option<u32>> {
        let mut depths: Vec<Option<u32>> = self.kinds.iter().map(|k| k.top_level.then_some(1)).collect();
        // Bellman-Ford style relaxation; the kind graph is tiny.
        for _ in 0..self.kinds.len() {
            let mut changed = false;
            for (i, k) in self.kinds.iter().enumerate() {
                for p in &k.parents {
                    let parent_depth = self.kind_index(p).and_then(|pi| depths.get(pi as usize).copied().flatten());
                    if let Some(pd) = parent_depth {
                        let candidate = pd + 1;
                        if let Some(slot) = depths.get_mut(i)
                            && slot.is_none_or(|d| candidate < d)
                        {
                            *slot = Some(candidate);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        depths
    }

    /// The kind definition with this name.
    #[must_use]
    pub fn kind(&self, name: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// Whether a node of kind `child` may hang under a node of kind `parent` (`None`: the top
    /// level).
    #[must_use]
    pub fn may_parent(&self, parent: Option<&str>, child: &str) -> bool {
        match (self.kind(child), parent) {
            (Some(k), None) => k.top_level,
            (Some(k), Some(p)) => k.parents.iter().any(|x| x == p),
            (None, _) => false,
        }
    }

    /// The resource definition with this name.
    #[must_use]
    pub fn resource(&self, name: &str) -> Option<&ResourceDef> {
        self.resources.iter().find(|r| r.name == name)
    }

    pub(crate) fn kind_index(&self, name: &str) -> Option<u8> {
        self.kinds.iter().position(|k| k.name == name).and_then(|i| u8::try_from(i).ok())
    }

    pub(crate) fn kind_at(&self, index: u8) -> Result<&KindDef> {
        self.kinds
            .get(usize::from(index))
            .ok_or_else(|| Error::corrupted(format!("kind number {index} is not in the schema")))
    }

    /// The roll-up key where a resource's usage and limits are kept: a counted resource shares
    /// its kind's counter.
    pub(crate) fn resource_key(&self, name: &str) -> Option<RollupKey> {
        self.resource_key_at(self.resources.iter().position(|r| r.name == name)?)
    }

    /// The roll-up key of the resource at `index` in [`Schema::resources`].
    pub(crate) fn resource_key_at(&self, index: usize) -> Option<RollupKey> {
        let def = self.resources.get(index)?;
        match &def.counts {
            Some(kind) => self.kind_index(kind).map(RollupKey::from),
            None => u16::try_from(index).ok().map(|i| RESOURCE_BASE + i),
        }
    }

    /// The resource name for a roll-up key, when the key is a resource (or a counted kind).
    pub(crate) fn key_resource(&self, key: RollupKey) -> Option<&ResourceDef> {
        if key < RESOURCE_BASE {
            let kind = self.kinds.get(usize::from(key))?;
            self.resources.iter().find(|r| r.counts.as_deref() == Some(kind.name.as_str()))
        } else if key == CHILDREN_KEY {
            None
        } else {
            self.resources.get(usize::from(key - RESOURCE_BASE)).filter(|r| r.counts.is_none())
        }
    }

    /// Whether the key is a kind counter (maintained by the store, never allocated).
    pub(crate) fn is_count_key(key: RollupKey) -> bool {
        key < RESOURCE_BASE
    }

    pub(crate) fn resource_key_or_err(&self, field: &str, name: &str) -> Result<RollupKey> {
        self.resource_key(name)
            .ok_or_else(|| Error::invalid(field, format!("{name:?} is not a resource of schema {:?}", self.name)))
    }

    /// The name of a roll-up key: its resource's, or its kind's for a count of a kind that no
    /// resource counts; `#key` for a key the schema does not know.
    pub(crate) fn key_name(&self, key: RollupKey) -> String {
        self.key_name_ref(key).into_owned()
    }

    /// [`Schema::key_name`], borrowed from the schema when the key has a name there.
    pub(crate) fn key_name_ref(&self, key: RollupKey) -> std::borrow::Cow<'_, str> {
        match self.key_resource(key) {
            Some(r) => r.name.as_str().into(),
            None if key < RESOURCE_BASE => {
                self.kinds.get(usize::from(key)).map_or_else(|| format!("#{key}").into(), |k| k.name.as_str().into())
            }
            None => format!("#{key}").into(),
        }
    }
}

fn check_ident(field: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{name:?} must be 1-32 lower-case letters, digits or _, starting with a letter"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_admits_an_older_one_whose_kinds_it_only_lets_hang_in_more_places() {
        let new = Schema::seeds();
        let mut old = new.clone();
        assert!(new.admits(&old), "equal schemas admit each other");
        if let Some(sub) = old.kinds.iter_mut().find(|k| k.name == "sub_distributor") {
            sub.parents.retain(|p| p == "distributor");
        }
        assert!(new.admits(&old) && !old.admits(&new), "more parents admit fewer, not the reverse");
        let mut top = old.clone();
        if let Some(sub) = top.kinds.iter_mut().find(|k| k.name == "sub_distributor") {
            sub.top_level = true;
        }
        assert!(top.admits(&old) && !old.admits(&top));
        // Anything else that differs is no relaxation: a name rule, uniqueness, the order of
        // the kinds, a resource, the depth, the schema's name.
        let mut other = new.clone();
        if let Some(k) = other.kinds.first_mut() {
            k.name_rule = NameRule::Login;
        }
        assert!(!other.admits(&old) && !new.admits(&other));
        let mut reordered = new.clone();
        reordered.kinds.swap(0, 1);
        assert!(!reordered.admits(&new));
        let mut fewer = new.clone();
        fewer.resources.pop();
        assert!(!fewer.admits(&new) && !new.admits(&fewer));
        let mut shallower = new.clone();
        shallower.max_depth -= 1;
        assert!(!shallower.admits(&new));
        let mut renamed = new.clone();
        renamed.name = "other".to_owned();
        assert!(!renamed.admits(&new));
    }

    #[test]
    fn presets_are_valid() {
        for p in Preset::ALL {
            p.schema().validate().unwrap();
            assert_eq!(p.name().parse::<Preset>().unwrap(), p);
        }
        assert!("nope".parse::<Preset>().is_err());
    }

    #[test]
    fn a_resource_has_the_same_key_by_position_and_by_name() {
        for p in Preset::ALL {
            let schema = p.schema();
            for (index, resource) in schema.resources.iter().enumerate() {
                let key = schema.resource_key_at(index);
                assert!(key.is_some(), "{} of {}", resource.name, p.name());
                assert_eq!(key, schema.resource_key(&resource.name), "{} of {}", resource.name, p.name());
                assert_eq!(key.map(|k| schema.key_name(k)).as_deref(), Some(resource.name.as_str()));
            }
            assert_eq!(schema.resource_key_at(schema.resources.len()), None);
        }
    }

    #[test]
    fn channel_preset_matches_the_documented_tree() {
        let s = Schema::channel();
        assert!(s.may_parent(None, "platform"));
        assert!(!s.may_parent(None, "distributor"));
        assert!(s.may_parent(Some("platform"), "distributor"));
        assert!(s.may_parent(Some("distributor"), "sub_distributor"));
        for p in ["platform", "distributor", "sub_distributor"] {
            assert!(s.may_parent(Some(p), "reseller"), "{p}");
        }
        for p in ["distributor", "sub_distributor", "reseller"] {
            assert!(s.may_parent(Some(p), "tenant"), "{p}");
        }
        assert!(!s.may_parent(Some("platform"), "tenant"));
        assert!(!s.may_parent(Some("tenant"), "tenant"));
        assert_eq!(s.resource_key("tenants"), s.kind_index("tenant").map(u16::from));
        assert_eq!(s.key_name(s.resource_key("extensions").unwrap()), "extensions");
    }

    #[test]
    fn clients_nest_and_fusion_scopes_billing() {
        let c = Schema::clients();
        assert!(c.may_parent(None, "client") && c.may_parent(Some("client"), "client"));
        let f = Schema::fusion();
        assert!(f.may_parent(Some("group"), "reseller") && f.may_parent(Some("distributor"), "reseller"));
        assert!(!f.may_parent(Some("group"), "tenant"));
        assert_eq!(f.billing_scope, BillingScope::Ancestor { kind: "group".into() });
    }

    #[test]
    fn the_seeds_preset_holds_every_dialect() {
        let s = Schema::seeds();
        for (parent, child) in [
            (None, "platform"),
            (Some("platform"), "distributor"),
            (Some("distributor"), "sub_distributor"),
            (Some("sub_distributor"), "reseller"),
            (Some("reseller"), "tenant"),
            (None, "group"),
            (Some("group"), "distributor"),
            (Some("group"), "reseller"),
            (Some("reseller"), "group"),
            (Some("tenant"), "group"),
            (None, "client"),
            (Some("client"), "client"),
        ] {
            assert!(s.may_parent(parent, child), "{parent:?} -> {child}");
        }
        assert!(!s.may_parent(Some("tenant"), "tenant"));
        assert!(matches!(s.kind("reseller").map(|k| &k.unique), Some(Uniqueness::Store { .. })));
    }

    #[test]
    fn malformed_schemas_are_refused() {
        let mut s = Schema::channel();
        s.kinds[1].parents.push("nowhere".into());
        assert_eq!(s.validate().unwrap_err().code(), "INVALID_ARGUMENT");

        let mut s = Schema::channel();
        s.kinds.push(s.kinds[0].clone());
        assert!(s.validate().is_err());

        let mut s = Schema::channel();
        s.kinds[0].name = "Platform".into();
        assert!(s.validate().is_err());

        let mut s = Schema::channel();
        s.kinds[0].top_level = false;
        assert!(s.validate().is_err(), "nothing is reachable");

        let mut s = Schema::channel();
        s.max_depth = 2;
        assert!(s.validate().is_err(), "the shallowest tenant (platform, distributor, tenant) needs depth 3");

        let mut s = Schema::channel();
        s.max_depth = 0;
        assert!(s.validate().is_err());

        let mut s = Schema::channel();
        s.resources.push(resource("more_tenants", Some("tenant")));
        assert!(s.validate().is_err());

        let mut s = Schema::channel();
        s.resources.push(resource("extensions", None));
        assert!(s.validate().is_err());

        let mut s = Schema::fusion();
        s.billing_scope = BillingScope::Ancestor { kind: "nope".into() };
        assert!(s.validate().is_err());
    }
}
