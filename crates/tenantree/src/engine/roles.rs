//! Roles: named sets of permission patterns, built in or stored.

use crate::account::Role;
use crate::error::{Error, Result};
use crate::store::{Blob, RoleRecord, View, WriteView, decode, encode};

/// The segment that wildcards never match: reading secrets in clear needs a pattern that names
/// it, so that broad roles like `*.instance.*` do not grant it by accident.
const SECRETS: &str = "secrets";

/// Whether `pattern` grants `permission`. `*` matches one segment; a trailing `*` matches one
/// or more; neither matches the `secrets` segment. Also used to decide whether one pattern
/// covers another (a literal never matches a `*`).
pub(crate) fn matches(pattern: &str, permission: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let q: Vec<&str> = permission.split('.').collect();
    for (i, seg) in p.iter().enumerate() {
        if *seg == "*" && i + 1 == p.len() {
            let rest = q.get(i..).unwrap_or(&[]);
            return !rest.is_empty() && !rest.contains(&SECRETS);
        }
        let Some(target) = q.get(i) else { return false };
        if *seg == "*" {
            if *target == SECRETS {
                return false;
            }
        } else if seg != target {
            return false;
        }
    }
    p.len() == q.len()
}

/// The roles every store has.
pub(crate) fn builtin(name: &str) -> Option<&'static [&'static str]> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

const DEALER: &[&str] = &["*.list", "*.create", "*.instance.*"];
const TENANT_ADMIN: &[&str] = &[
    "*.list",
    "*.instance.read",
    "*.instance.update",
    "*.instance.quotas.allocate",
    "*.instance.quotas.release",
    "*.instance.admins.*",
    "*.instance.password_policy.*",
    "*.instance.configurations.*",
    "*.instance.settings.*",
    "*.instance.holidays.*",
    "*.instance.balance.*",
    "*.instance.markups.read",
    "*.instance.changes.read",
];
/// 004's tenant user sees its tenant and its own account, nothing of its colleagues.
const TENANT_USER: &[&str] = &[
    "*.list",
    "*.instance.read",
    "*.instance.settings.read",
    "*.instance.holidays.list",
    "*.instance.holidays.read",
    "*.instance.password_policy.read",
    "*.instance.configurations.*.list",
    "*.instance.balance.read",
];

/// Built-in roles: the system administrator (everything, secrets included); 000's partner
/// admin; 001/003's distributor, sub-distributor and reseller admins (everything in their
/// subtree but their own node's status, limits, place and existence); 004's tenant admin and
/// read-only tenant user.
pub(crate) const BUILTIN: &[(&str, &[&str])] = &[
    ("system_admin", &["*", "*.instance.configurations.*.secrets.read"]),
    ("partner_admin", DEALER),
    ("distributor_admin", DEALER),
    ("sub_distributor_admin", DEALER),
    ("reseller_admin", DEALER),
    ("tenant_admin", TENANT_ADMIN),
    ("tenant_user", TENANT_USER),
];

fn check_role_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "role",
            format!("{name:?} must be 1-64 lower-case letters, digits or _, starting with a letter"),
        ))
    }
}

fn check_pattern(pattern: &str) -> Result<()> {
    let ok = !pattern.is_empty()
        && pattern.len() <= 200
        && pattern.split('.').all(|seg| {
            seg == "*"
                || (!seg.is_empty() && seg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "permissions",
            format!("{pattern:?} is not a permission pattern (dot-separated lower-case segments or *)"),
        ))
    }
}

/// The permission patterns of a role, built in or stored.
pub(crate) fn patterns(v: &impl View, name: &str) -> Result<Option<Vec<String>>> {
    if let Some(p) = builtin(name) {
        return Ok(Some(p.iter().map(|s| (*s).to_owned()).collect()));
    }
    match v.blob(Blob::Roles, name.as_bytes())? {
        Some(bytes) => Ok(Some(decode::<RoleRecord>(&bytes)?.permissions)),
        None => Ok(None),
    }
}

/// Every role: the built-in ones, then the stored ones by name.
pub(crate) fn list(v: &impl View) -> Result<Vec<Role>> {
    let mut out: Vec<Role> = BUILTIN
        .iter()
        .map(|(n, p)| Role {
            name: (*n).to_owned(),
            permissions: p.iter().map(|s| (*s).to_owned()).collect(),
            builtin: true,
        })
        .collect();
    v.scan(Blob::Roles, crate::store::KeyRange::all(), false, &mut |k, val| {
        let rec: RoleRecord = decode(val)?;
        out.push(Role { name: String::from_utf8_lossy(k).into_owned(), permissions: rec.permissions, builtin: false });
        Ok(crate::store::Flow::Continue(()))
    })?;
    Ok(out)
}

/// Stores a custom role (creating or replacing it).
pub(crate) fn define(w: &mut WriteView<'_>, role: &Role) -> Result<Role> {
    check_role_name(&role.name)?;
    if builtin(&role.name).is_some() {
        return Err(Error::AlreadyExists { entity: "role", field: "name", value: role.name.clone(), existing: None });
    }
    if role.permissions.is_empty() {
        return Err(Error::invalid("permissions", "a role needs at least one permission"));
    }
    let max = crate::validate::limits::ROLE_PERMISSIONS;
    if role.permissions.len() > max {
        let n = role.permissions.len();
        return Err(Error::invalid("permissions", format!("a role has at most {max} permissions, not {n}")));
    }
    for p in &role.permissions {
        check_pattern(p)?;
    }
    let accounts = match w.blob(Blob::Roles, role.name.as_bytes())? {
        Some(bytes) => decode::<RoleRecord>(&bytes)?.accounts,
        None => 0,
    };
    let rec = RoleRecord { permissions: role.permissions.clone(), accounts };
    w.put_blob(Blob::Roles, role.name.as_bytes(), &encode(&rec)?)?;
    Ok(Role { name: role.name.clone(), permissions: rec.permissions, builtin: false })
}

/// Removes a custom role no account holds. Returns whether it existed.
pub(crate) fn remove(w: &mut WriteView<'_>, name: &str) -> Result<bool> {
    if builtin(name).is_some() {
        return Err(Error::invalid("role", format!("{name:?} is built in")));
    }
    let Some(bytes) = w.blob(Blob::Roles, name.as_bytes())? else { return Ok(false) };
    let rec: RoleRecord = decode(&bytes)?;
    if rec.accounts > 0 {
        return Err(Error::StillInUse {
            node: name.to_owned(),
            blockers: vec![crate::error::Blocker { kind: "account".into(), count: rec.accounts, names: Vec::new() }],
        });
    }
    w.remove_blob(Blob::Roles, name.as_bytes())
}

/// Adjusts the holder count of a custom role (built-in roles are not counted).
pub(crate) fn count_holder(w: &mut WriteView<'_>, name: &str, add: bool) -> Result<()> {
    if builtin(name).is_some() {
        return Ok(());
    }
    let bytes = w.blob(Blob::Roles, name.as_bytes())?.ok_or_else(|| Error::not_found("role", name))?;
    let mut rec: RoleRecord = decode(&bytes)?;
    rec.accounts = if add { rec.accounts.saturating_add(1) } else { rec.accounts.saturating_sub(1) };
    w.put_blob(Blob::Roles, name.as_bytes(), &encode(&rec)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments() {
        assert!(matches("*", "reseller.instance.read"));
        assert!(matches("reseller.*", "reseller.instance.read"));
        assert!(!matches("reseller.*", "reseller"));
        assert!(matches("*.instance.read", "tenant.instance.read"));
        assert!(!matches("*.instance.read", "tenant.instance.update"));
        assert!(!matches("*.instance.read", "tenant.instance.read.more"));
        assert!(matches("*.instance.*.read", "tenant.instance.settings.read"));
        assert!(!matches("*.instance.*.read", "tenant.instance.configurations.general.read"));
        assert!(matches("reseller.list", "reseller.list"));
        assert!(!matches("reseller.list", "tenant.list"));
    }

    #[test]
    fn wildcards_never_grant_secrets() {
        let secret = "reseller.instance.configurations.general.secrets.read";
        assert!(!matches("*", secret));
        assert!(!matches("*.instance.*", secret));
        assert!(!matches("*.instance.configurations.*.*.read", secret));
        assert!(matches("*.instance.configurations.*.secrets.read", secret));
    }

    #[test]
    fn coverage_is_matching_with_literal_stars() {
        // A literal segment never covers a wildcard.
        assert!(!matches("*.list", "*"));
        assert!(!matches("reseller.*", "*.list"));
        assert!(matches("*", "*.list"));
        assert!(matches("*.list", "*.list"));
    }

    #[test]
    fn builtin_roles_are_valid() {
        for (name, patterns) in BUILTIN {
            check_role_name(name).unwrap();
            for p in *patterns {
                check_pattern(p).unwrap();
            }
        }
        assert!(check_pattern("a..b").is_err());
        assert!(check_pattern("a.b*").is_err());
        assert!(check_role_name("Admin").is_err());
    }
}
