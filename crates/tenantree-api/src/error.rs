//! Errors as HTTP answers: the core's error, the status it maps to, and the body shape of the
//! dialect that answers.

use serde_json::{Value, json};
use tenantree::Error;

use crate::request::Response;

/// Which API family answers; it decides the shape of error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// tenantree's own `/v1` and `/api/login`.
    Engine,
    /// 000, Horn's clients.
    Horn,
    /// 001, the PBX's dealers (and the tenants a dealer creates).
    Dealers,
    /// 002, APIO's local resellers: `{"errors": [{"code": n, ...}]}`.
    Apio,
    /// 003, Fusion DRaaS resellers.
    Draas,
}

/// An error on its way to becoming a response: the core's error and the HTTP status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) error: Error,
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        ApiError { status: status_of(&error), error }
    }
}

impl ApiError {
    pub(crate) fn with_status(status: u16, error: Error) -> ApiError {
        ApiError { status, error }
    }
}

/// The status for a core error (see the crate docs' table).
pub(crate) fn status_of(e: &Error) -> u16 {
    match e.code() {
        "INVALID_ARGUMENT" | "KIND_NOT_ALLOWED" | "DEPTH_EXCEEDED" | "CYCLE" | "QUOTA_EXCEEDED" | "INVALID_LIMIT"
        | "WEAK_PASSWORD" | "STILL_IN_USE" | "ALREADY_EXISTS" => 400,
        "UNAUTHENTICATED" => 401,
        "FORBIDDEN" | "SERVICE_DISABLED" => 403,
        "NOT_FOUND" => 404,
        "CONFLICT" => 409,
        _ => 500,
    }
}

pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument { field: field.to_owned(), reason: reason.into() }
}

pub(crate) fn not_found(entity: &'static str, id: impl Into<String>) -> Error {
    Error::NotFound { entity, id: id.into() }
}

/// An `INVALID_ARGUMENT` from the core, reported against the API's own field name.
pub(crate) fn rename_field(e: Error, field: &str) -> Error {
    match e {
        Error::InvalidArgument { reason, .. } => Error::InvalidArgument { field: field.to_owned(), reason },
        other => other,
    }
}

/// 002's numeric error codes. ALREADY_EXISTS is 11 and STILL_IN_USE 30, as 002 documents; the
/// others, which 002 leaves out, follow the gRPC numbering of the same conditions.
pub(crate) fn apio_code(code: &str) -> u16 {
    match code {
        "ALREADY_EXISTS" => 11,
        "STILL_IN_USE" => 30,
        "INVALID_ARGUMENT" | "KIND_NOT_ALLOWED" | "DEPTH_EXCEEDED" | "CYCLE" | "INVALID_LIMIT" | "WEAK_PASSWORD" => 3,
        "NOT_FOUND" => 5,
        "FORBIDDEN" | "SERVICE_DISABLED" => 7,
        "QUOTA_EXCEEDED" => 8,
        "CONFLICT" => 10,
        "UNAUTHENTICATED" => 16,
        _ => 13,
    }
}

/// 002's STILL_IN_USE details: the names of the tenants, groups and accounts ("local users")
/// that reference the reseller; anything else that blocks (allocations) under `others`.
fn apio_still_in_use(e: &Error) -> Option<Value> {
    let Error::StillInUse { blockers, .. } = e.root() else { return None };
    let names = |kind: &str| -> Vec<String> {
        blockers.iter().filter(|b| b.kind == kind).flat_map(|b| b.names.iter().cloned()).collect()
    };
    let mut details = json!({
        "tenantDatas": names("tenant"),
        "groupDatas": names("group"),
        "localUsers": names("account"),
    });
    let others: Vec<Value> = blockers
        .iter()
        .filter(|b| !matches!(b.kind.as_str(), "tenant" | "group" | "account"))
        .map(|b| json!({"kind": b.kind, "count": b.count, "names": b.names}))
        .collect();
    if !others.is_empty()
        && let Some(map) = details.as_object_mut()
    {
        map.insert("others".to_owned(), Value::Array(others));
    }
    Some(details)
}

/// The response for an error, in the dialect's shape.
pub(crate) fn render(err: &ApiError, dialect: Dialect) -> Response {
    let e = &err.error;
    let message = match e.root() {
        Error::StillInUse { .. } if dialect == Dialect::Apio => {
            "Can not delete Reseller object because referenced by other objects".to_owned()
        }
        _ => e.to_string(),
    };
    let body = match dialect {
        Dialect::Apio => {
            let details = apio_still_in_use(e).unwrap_or_else(|| e.details());
            json!({"errors": [{
                "code": apio_code(e.code()),
                "reason": e.code(),
                "message": message,
                "details": details,
            }]})
        }
        Dialect::Engine | Dialect::Horn | Dialect::Dealers | Dialect::Draas => {
            json!({"code": e.code(), "message": message, "details": e.details()})
        }
    };
    let mut response = Response::json(err.status, body);
    if err.status == 401 {
        response = response.with_header("WWW-Authenticate", "Bearer");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantree::Blocker;

    #[test]
    fn core_codes_map_to_the_documented_statuses() {
        let cases = [
            (invalid("x", "y"), 400),
            (Error::Unauthenticated, 401),
            (Error::Forbidden { action: "a".into(), target: "t".into() }, 403),
            (Error::ServiceDisabled { node: "n".into(), disabled_by: "n".into(), status: "disabled".into() }, 403),
            (not_found("node", "x"), 404),
            (Error::Conflict { entity: "node", id: "x".into(), expected: 1, actual: 2 }, 409),
            (Error::Storage { message: "disk".into() }, 500),
            (Error::WeakPassword { rules: vec!["min_length".into()] }, 400),
        ];
        for (e, status) in cases {
            assert_eq!(ApiError::from(e.clone()).status, status, "{e:?}");
        }
    }

    #[test]
    fn apio_errors_carry_numbers_and_the_blockers_by_kind() {
        let e = Error::StillInUse {
            node: "n".into(),
            blockers: vec![
                Blocker { kind: "tenant".into(), count: 1, names: vec!["ApioSpTest".into()] },
                Blocker { kind: "group".into(), count: 1, names: vec!["ApioGrpTest".into()] },
                Blocker { kind: "account".into(), count: 1, names: vec!["reseller@netaxis.be".into()] },
            ],
        };
        let r = render(&ApiError::from(e), Dialect::Apio);
        assert_eq!(r.status, 400);
        let body = r.body.unwrap();
        assert_eq!(body["errors"][0]["code"], 30);
        assert_eq!(body["errors"][0]["reason"], "STILL_IN_USE");
        assert_eq!(body["errors"][0]["details"]["tenantDatas"], json!(["ApioSpTest"]));
        assert_eq!(body["errors"][0]["details"]["groupDatas"], json!(["ApioGrpTest"]));
        assert_eq!(body["errors"][0]["details"]["localUsers"], json!(["reseller@netaxis.be"]));
        assert!(body["errors"][0]["details"].get("others").is_none());
        let exists = Error::AlreadyExists { entity: "node", field: "name", value: "x".into(), existing: None };
        assert_eq!(render(&ApiError::from(exists), Dialect::Apio).body.unwrap()["errors"][0]["code"], 11);
    }

    #[test]
    fn default_bodies_carry_code_message_and_details() {
        let r = render(&ApiError::from(Error::Unauthenticated), Dialect::Draas);
        assert_eq!(r.status, 401);
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        let body = r.body.unwrap();
        assert_eq!(body["code"], "UNAUTHENTICATED");
        assert!(body["message"].is_string());
        assert!(body.get("details").is_some());
    }
}
