//! The route table: every endpoint, its dialect and its handler, in one place.
//!
//! Matching: a request's decoded path segments are compared with each pattern (`{x}` matches
//! any one segment; a trailing slash is ignored, so 002's `/resellers/` and `/resellers` are
//! the same). Among the patterns that match, those with the request's method win, the one
//! with the most literal segments first (so `POST .../admins/welcome` is the welcome call and
//! `PUT .../admins/welcome` addresses an admin named `welcome`). A path that matches only with
//! other methods answers 405 with `Allow`; a path that matches nothing answers 404.
//!
//! 004's routes (`/api/tenant...`, `/api/voicemail`, `/api/holidays...`) answer in the
//! dealers' error shape ([`Dialect::Dealers`]): it is the same PBX. `/api/tenant` (singular, the
//! caller's own tenant) does not collide with 001's `/api/tenants`.

use crate::error::{ApiError, Dialect};
use crate::request::Response;
use crate::{Call, apio, auth, dealers, draas, horn, tenant, v1};

pub(crate) type Handler = fn(&Call<'_>) -> Result<Response, ApiError>;

/// One endpoint.
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) pattern: &'static str,
    pub(crate) dialect: Dialect,
    /// Whether the endpoint answers without a bearer token (only the login).
    pub(crate) public: bool,
    pub(crate) handler: Handler,
}

const fn route(method: &'static str, pattern: &'static str, dialect: Dialect, handler: Handler) -> Route {
    Route { method, pattern, dialect, public: false, handler }
}

use Dialect::{Apio, Dealers, Draas, Engine, Horn};

/// Every route.
pub(crate) static ROUTES: &[Route] = &[
    // Login, shared by every dialect.
    Route { method: "POST", pattern: "/api/login", dialect: Engine, public: true, handler: auth::login },
    // 000: Horn's clients.
    route("POST", "/clients/create", Horn, horn::create),
    route("POST", "/clients/{id}/service/{state}", Horn, horn::service),
    route("GET", "/clients/{id}", Horn, horn::get),
    route("GET", "/clients", Horn, horn::list),
    // 001: dealers, and the tenants a dealer creates.
    route("GET", "/api/dealers", Dealers, dealers::list),
    route("POST", "/api/dealers", Dealers, dealers::create),
    route("GET", "/api/dealers/{id}", Dealers, dealers::get),
    route("POST", "/api/dealers/{id}", Dealers, dealers::update),
    route("GET", "/api/tenants", Dealers, dealers::list_tenants),
    route("POST", "/api/tenants", Dealers, dealers::create_tenant),
    // 004: the tenant API of the same PBX, for the tenant of the caller's account.
    route("GET", "/api/tenant", Dealers, tenant::get),
    route("POST", "/api/tenant", Dealers, tenant::update),
    route("GET", "/api/tenant/status", Dealers, tenant::status),
    route("GET", "/api/tenant/password_policy", Dealers, tenant::password_policy),
    route("POST", "/api/tenant/password_policy", Dealers, tenant::set_password_policy),
    route("POST", "/api/tenant/balance", Dealers, tenant::recharge),
    route("GET", "/api/tenant/custom_headers", Dealers, tenant::custom_headers),
    route("POST", "/api/tenant/custom_headers", Dealers, tenant::set_custom_headers),
    route("POST", "/api/voicemail", Dealers, tenant::voicemail),
    route("GET", "/api/holidays", Dealers, tenant::holidays),
    route("POST", "/api/holidays", Dealers, tenant::create_holiday),
    route("GET", "/api/holidays/{id}", Dealers, tenant::holiday),
    route("POST", "/api/holidays/{id}", Dealers, tenant::update_holiday),
    route("POST", "/api/holidays/{id}/destroy", Dealers, tenant::destroy_holiday),
    // 002: APIO's local resellers (the update is also served where 002's example puts it).
    route("GET", "/api/v1/local/resellers", Apio, apio::list),
    route("POST", "/api/v1/local/resellers", Apio, apio::create),
    route("GET", "/api/v1/local/resellers/{name}", Apio, apio::get),
    route("PUT", "/api/v1/local/resellers/{name}", Apio, apio::update),
    route("PUT", "/api/v1/local/apio_users/{name}", Apio, apio::update),
    route("DELETE", "/api/v1/local/resellers/{name}", Apio, apio::delete),
    // 003: Fusion DRaaS resellers.
    route("GET", "/api/v01/draas/{instance}/resellers", Draas, draas::list),
    route("POST", "/api/v01/draas/{instance}/resellers", Draas, draas::create),
    route("GET", "/api/v01/draas/{instance}/resellers/{uuid}", Draas, draas::get),
    route("PUT", "/api/v01/draas/{instance}/resellers/{uuid}", Draas, draas::update),
    route("DELETE", "/api/v01/draas/{instance}/resellers/{uuid}", Draas, draas::delete),
    route("PUT", "/api/v01/draas/{instance}/resellers/{uuid}/suspension_profile", Draas, draas::suspension),
    route("POST", "/api/v01/draas/{instance}/resellers/{uuid}/admins", Draas, draas::admin_create),
    route("POST", "/api/v01/draas/{instance}/resellers/{uuid}/admins/welcome", Draas, draas::admin_welcome),
    route("PUT", "/api/v01/draas/{instance}/resellers/{uuid}/admins/{username}", Draas, draas::admin_update),
    route("DELETE", "/api/v01/draas/{instance}/resellers/{uuid}/admins/{username}", Draas, draas::admin_delete),
    route(
        "GET",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/voice_routing/{collection}",
        Draas,
        draas::voice_routing,
    ),
    route("GET", "/api/v01/draas/{instance}/resellers/{uuid}/configurations/general", Draas, draas::general_get),
    route("POST", "/api/v01/draas/{instance}/resellers/{uuid}/configurations/general", Draas, draas::general_upsert),
    route("PUT", "/api/v01/draas/{instance}/resellers/{uuid}/configurations/general", Draas, draas::general_replace),
    route("DELETE", "/api/v01/draas/{instance}/resellers/{uuid}/configurations/general", Draas, draas::general_delete),
    route(
        "GET",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/branding/general",
        Draas,
        draas::branding_general_get,
    ),
    route(
        "PUT",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/branding/general",
        Draas,
        draas::branding_general_put,
    ),
    route(
        "GET",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/branding/pages",
        Draas,
        draas::branding_pages_get,
    ),
    route(
        "PUT",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/branding/pages",
        Draas,
        draas::branding_pages_put,
    ),
    // 003 documents the pages and the styling updates both at `/configurations/pages`; a body
    // with a `type` of font, image or theme is styling, any other body is pages.
    route("PUT", "/api/v01/draas/{instance}/resellers/{uuid}/configurations/pages", Draas, draas::pages_or_styling_put),
    route(
        "GET",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/branding/styling",
        Draas,
        draas::styling_get,
    ),
    route(
        "PUT",
        "/api/v01/draas/{instance}/resellers/{uuid}/configurations/branding/styling",
        Draas,
        draas::styling_put,
    ),
    // tenantree's own API.
    route("GET", "/v1/me", Engine, v1::me),
    route("GET", "/v1/schema", Engine, v1::schema),
    route("GET", "/v1/nodes", Engine, v1::top_level),
    route("POST", "/v1/nodes", Engine, v1::create_node),
    route("GET", "/v1/nodes/{id}", Engine, v1::get_node),
    route("PATCH", "/v1/nodes/{id}", Engine, v1::update_node),
    route("DELETE", "/v1/nodes/{id}", Engine, v1::delete_node),
    route("GET", "/v1/nodes/{id}/children", Engine, v1::children),
    route("GET", "/v1/nodes/{id}/descendants", Engine, v1::descendants),
    route("GET", "/v1/nodes/{id}/ancestors", Engine, v1::ancestors),
    route("GET", "/v1/nodes/{id}/counts", Engine, v1::counts),
    route("POST", "/v1/nodes/{id}/move", Engine, v1::move_node),
    route("PUT", "/v1/nodes/{id}/status", Engine, v1::set_status),
    route("GET", "/v1/nodes/{id}/quotas", Engine, v1::quotas),
    route("PUT", "/v1/nodes/{id}/limits", Engine, v1::set_limits),
    route("POST", "/v1/nodes/{id}/allocate", Engine, v1::allocate),
    route("POST", "/v1/nodes/{id}/release", Engine, v1::release),
    route("GET", "/v1/nodes/{id}/properties/{namespace}", Engine, v1::props_get),
    route("POST", "/v1/nodes/{id}/properties/{namespace}", Engine, v1::props_upsert),
    route("PUT", "/v1/nodes/{id}/properties/{namespace}", Engine, v1::props_replace),
    route("DELETE", "/v1/nodes/{id}/properties/{namespace}", Engine, v1::props_delete),
    route("GET", "/v1/nodes/{id}/markups", Engine, v1::markups),
    route("POST", "/v1/nodes/{id}/markups", Engine, v1::markup_add),
    route("DELETE", "/v1/nodes/{id}/markups/{start}", Engine, v1::markup_remove),
    route("GET", "/v1/nodes/{id}/price", Engine, v1::price),
    route("GET", "/v1/nodes/{id}/accounts", Engine, v1::node_accounts),
    route("GET", "/v1/nodes/{id}/password-policy", Engine, v1::policy_get),
    route("PUT", "/v1/nodes/{id}/password-policy", Engine, v1::policy_put),
    route("DELETE", "/v1/nodes/{id}/password-policy", Engine, v1::policy_delete),
    route("GET", "/v1/nodes/{id}/voice-routing/{collection}", Engine, v1::voice_list),
    route("POST", "/v1/nodes/{id}/voice-routing/{collection}", Engine, v1::voice_create),
    route("PUT", "/v1/nodes/{id}/voice-routing/{collection}/{item}", Engine, v1::voice_update),
    route("DELETE", "/v1/nodes/{id}/voice-routing/{collection}/{item}", Engine, v1::voice_delete),
    route("GET", "/v1/accounts", Engine, v1::accounts),
    route("POST", "/v1/accounts", Engine, v1::create_account),
    route("GET", "/v1/accounts/{id}", Engine, v1::get_account),
    route("PATCH", "/v1/accounts/{id}", Engine, v1::update_account),
    route("DELETE", "/v1/accounts/{id}", Engine, v1::delete_account),
    route("PUT", "/v1/accounts/{id}/password", Engine, v1::set_password),
    route("POST", "/v1/accounts/{id}/welcome", Engine, v1::welcome),
    route("GET", "/v1/accounts/{id}/tokens", Engine, v1::tokens),
    route("POST", "/v1/accounts/{id}/tokens", Engine, v1::issue_token),
    route("DELETE", "/v1/tokens/{id}", Engine, v1::revoke_token),
    route("GET", "/v1/roles", Engine, v1::roles),
    route("PUT", "/v1/roles/{name}", Engine, v1::define_role),
    route("DELETE", "/v1/roles/{name}", Engine, v1::delete_role),
    route("GET", "/v1/password-policy", Engine, v1::store_policy_get),
    route("PUT", "/v1/password-policy", Engine, v1::store_policy_put),
    route("DELETE", "/v1/password-policy", Engine, v1::store_policy_delete),
    route("GET", "/v1/changes", Engine, v1::changes),
    route("GET", "/v1/outbox", Engine, v1::outbox),
    route("POST", "/v1/outbox/ack", Engine, v1::outbox_ack),
    route("GET", "/v1/snapshot", Engine, v1::snapshot),
    route("POST", "/v1/batch", Engine, v1::batch),
];

/// The outcome of matching a request against [`ROUTES`].
pub(crate) enum Match {
    Found(&'static Route, Vec<String>),
    WrongMethod(Dialect, Vec<&'static str>),
    NotFound(Dialect),
}

/// The parameters of `pattern` for `segments`, with the number of literal segments, or `None`
/// when it does not match.
fn matches(pattern: &str, segments: &[String]) -> Option<(usize, Vec<String>)> {
    let parts: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    let mut literals = 0;
    for (part, seg) in parts.iter().zip(segments) {
        if part.starts_with('{') && part.ends_with('}') {
            params.push(seg.clone());
        } else if part == seg {
            literals += 1;
        } else {
            return None;
        }
    }
    Some((literals, params))
}

/// The dialect that answers for a path no route matches, from its prefix.
fn dialect_of(segments: &[String]) -> Dialect {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["api", "v01", "draas", ..] => Draas,
        ["api", "v1", "local", ..] => Apio,
        ["clients", ..] => Horn,
        ["api", "dealers" | "tenants" | "tenant" | "holidays" | "voicemail", ..] => Dealers,
        _ => Engine,
    }
}

/// Finds the route for a method (upper case) and decoded path segments.
pub(crate) fn find(method: &str, segments: &[String]) -> Match {
    let mut best: Option<(usize, &'static Route, Vec<String>)> = None;
    let mut allowed: Vec<&'static str> = Vec::new();
    for r in ROUTES {
        let Some((literals, params)) = matches(r.pattern, segments) else { continue };
        if r.method != method {
            if !allowed.contains(&r.method) {
                allowed.push(r.method);
            }
            continue;
        }
        if best.as_ref().is_none_or(|(l, _, _)| literals > *l) {
            best = Some((literals, r, params));
        }
    }
    match best {
        Some((_, r, params)) => Match::Found(r, params),
        None if !allowed.is_empty() => Match::WrongMethod(dialect_of(segments), allowed),
        None => Match::NotFound(dialect_of(segments)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::split_target;

    fn found(method: &str, path: &str) -> (&'static str, Vec<String>) {
        match find(method, &split_target(path).0) {
            Match::Found(r, p) => (r.pattern, p),
            Match::WrongMethod(..) => panic!("{method} {path}: wrong method"),
            Match::NotFound(_) => panic!("{method} {path}: not found"),
        }
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let (p, params) = found("POST", "/api/v01/draas/default/resellers/abc/admins/welcome");
        assert!(p.ends_with("/admins/welcome"));
        assert_eq!(params, ["default", "abc"]);
        let (p, params) = found("PUT", "/api/v01/draas/default/resellers/abc/admins/welcome");
        assert!(p.ends_with("/admins/{username}"));
        assert_eq!(params[2], "welcome");
        let (p, _) = found("POST", "/clients/create");
        assert_eq!(p, "/clients/create");
        let (p, _) = found("GET", "/clients/create");
        assert_eq!(p, "/clients/{id}");
    }

    #[test]
    fn trailing_slashes_and_escapes_are_handled() {
        let (p, params) = found("GET", "/api/v1/local/resellers/My%20Reseller/");
        assert_eq!(p, "/api/v1/local/resellers/{name}");
        assert_eq!(params, ["My Reseller"]);
        let (p, _) = found("GET", "/api/v1/local/resellers/");
        assert_eq!(p, "/api/v1/local/resellers");
    }

    #[test]
    fn wrong_methods_and_unknown_paths_are_told_apart() {
        match find("DELETE", &split_target("/api/dealers").0) {
            Match::WrongMethod(d, allowed) => {
                assert_eq!(d, Dealers);
                assert_eq!(allowed, ["GET", "POST"]);
            }
            _ => panic!("expected 405"),
        }
        assert!(matches!(find("GET", &split_target("/nope").0), Match::NotFound(Engine)));
        assert!(matches!(find("GET", &split_target("/api/v1/local/nope").0), Match::NotFound(Apio)));
    }

    #[test]
    fn every_route_is_unique_and_well_formed() {
        for (i, a) in ROUTES.iter().enumerate() {
            assert!(a.pattern.starts_with('/'), "{}", a.pattern);
            assert!(!a.pattern.ends_with('/'), "{}", a.pattern);
            for b in ROUTES.iter().skip(i + 1) {
                assert!(!(a.method == b.method && a.pattern == b.pattern), "{} {} twice", a.method, a.pattern);
            }
        }
        assert!(ROUTES.iter().filter(|r| r.pattern.starts_with("/api/v01/draas/{instance}/resellers")).count() >= 20);
    }
}
