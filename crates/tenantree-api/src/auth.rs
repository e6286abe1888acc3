//! Bearer tokens and the login.

use serde_json::json;
use tenantree::{Actor, Error, NewToken, Session};

use crate::error::ApiError;
use crate::request::{Response, header};
use crate::{Api, Call};

/// The secret of `Authorization: Bearer SECRET` (the scheme ignoring case).
pub(crate) fn bearer(headers: &[(String, String)]) -> Option<&str> {
    let value = header(headers, "authorization")?.trim();
    let (scheme, token) = value.split_once(char::is_whitespace)?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Any failure to authenticate is the same 401; a storage failure stays a 500.
fn unauthenticated(e: Error) -> ApiError {
    match e.code() {
        "STORAGE" | "CORRUPTED" => ApiError::from(e),
        _ => ApiError::from(Error::Unauthenticated),
    }
}

/// The session of the request's bearer token.
pub(crate) fn authenticate(api: &Api, headers: &[(String, String)]) -> Result<Session, ApiError> {
    let token = bearer(headers).ok_or_else(|| ApiError::from(Error::Unauthenticated))?;
    api.store.authenticate(token).map_err(unauthenticated)
}

/// `POST /api/login` `{"name", "password"}` → `{"access_token", "expires_in"}`.
pub(crate) fn login(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    // Credentials of the wrong type are wrong credentials: the same 401 as any other.
    let text = |field: &str| body.string(field).ok().flatten().unwrap_or_default();
    let (name, password) = (text("name"), text("password"));
    let store = &call.api.store;
    let session = store.login(&name, &password).map_err(unauthenticated)?;
    let new = NewToken { name: "login".to_owned(), expires_in: Some(call.api.token_ttl) };
    let issued = match store.issue_token(&session.actor, session.account.id, &new) {
        // The account's node is off: it may still log in and read. The password was checked.
        Err(e) if e.code() == "SERVICE_DISABLED" => store.issue_token(&Actor::system(), session.account.id, &new),
        other => other,
    }?;
    Ok(Response::json(200, json!({"access_token": issued.secret, "expires_in": call.api.token_ttl})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> Vec<(String, String)> {
        vec![("AUTHORIZATION".to_owned(), v.to_owned())]
    }

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        assert_eq!(bearer(&h("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&h("bearer   abc ")), Some("abc"));
        assert_eq!(bearer(&h("Basic abc")), None);
        assert_eq!(bearer(&h("Bearer")), None);
        assert_eq!(bearer(&h("Bearer  ")), None);
        assert_eq!(bearer(&[]), None);
    }
}
