//! Opaque paging tokens.
//!
//! A token records the index key of the last entry returned, so the next page starts right
//! after it however the rest of the listing changed meanwhile; plus a fingerprint of the query,
//! so that a token is refused by any other query, and the position reached, for page numbers.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const VERSION: u8 = 1;
/// Longest token accepted, in characters.
const MAX_TOKEN: usize = 4096;

/// A token's fields, the key borrowed: from the listing's last key when it is encoded, from
/// the decoded bytes when it is read (every page of a walk does both).
#[derive(Serialize, Deserialize)]
struct Token<'a> {
    version: u8,
    fingerprint: u64,
    #[serde(borrow)]
    key: &'a [u8],
    position: u64,
}

/// A 64-bit FNV-1a hash of the parts of a query that fix its order and matches.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xFFu8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

pub(crate) fn encode(fingerprint: u64, key: &[u8], position: u64) -> String {
    let token = Token { version: VERSION, fingerprint, key, position };
    let bytes = postcard::to_allocvec(&token).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a token for the query with this fingerprint: the key to continue after, and the
/// position reached.
pub(crate) fn decode(token: &str, fingerprint: u64) -> Result<(Vec<u8>, u64)> {
    let bad = || Error::invalid("cursor", "is not a cursor issued by this query");
    if token.len() > MAX_TOKEN {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let t: Token = postcard::from_bytes(&bytes).map_err(|_| bad())?;
    if t.version != VERSION || t.fingerprint != fingerprint {
        return Err(bad());
    }
    Ok((t.key.to_vec(), t.position))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_belong_to_their_query() {
        let fp = fingerprint(&[b"children", b"name"]);
        let t = encode(fp, &[1, 2, 3], 20);
        assert_eq!(decode(&t, fp).unwrap(), (vec![1, 2, 3], 20));
        let other = fingerprint(&[b"children", b"created"]);
        assert_eq!(decode(&t, other).unwrap_err().code(), "INVALID_ARGUMENT");
        assert!(decode("!!!", fp).is_err());
        assert!(decode("", fp).is_err());
        assert!(decode(&"A".repeat(5000), fp).is_err());
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
    }
}
