//! A children query off an input wire: `hot.js`'s `childQueryInto` writes a query whose
//! fields are ASCII strings and whole numbers as numbers and one text straight into wasm
//! memory, which spares a page of children `JSON.stringify`, a string crossing into wasm and
//! serde_json (together about a sixteenth of a page of 50 in Node).

use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};
use tenantree::ChildQuery;

use crate::{MAX_SAFE_INTEGER, whole};

/// The slots of a query on the wire: where each string field ends in the text (`kind`,
/// `status`, `search`, `sort`, `dir`, `cursor`, in this order; -1 for an absent one), then
/// `offset` and `limit` (NaN for absent).
pub const CHILD_QUERY_SLOTS: usize = 8;

/// A variant of a unit enum by its serde name, as serde_json reads it from a JSON string.
fn variant<T: for<'de> Deserialize<'de>>(name: &str) -> Option<T> {
    let de: StrDeserializer<'_, ValueError> = name.into_deserializer();
    T::deserialize(de).ok()
}

/// The query `hot.js` wrote: `text` holds the string fields one after the other (ASCII), and
/// `nums` the slots of [`CHILD_QUERY_SLOTS`]. `None` for anything the JSON way must decide
/// (a value it would refuse, such as an unknown sort), so that the errors stay its own.
#[must_use]
pub fn child_query_wire(nums: &[f64; CHILD_QUERY_SLOTS], text: &[u8]) -> Option<ChildQuery> {
    let [kind, status, search, sort, dir, cursor, offset, limit] = *nums;
    let mut start = 0;
    let mut take = |end: f64| -> Option<Option<String>> {
        if end < 0.0 {
            return Some(None);
        }
        #[allow(clippy::cast_possible_truncation)] // checked against the text's length
        let end = usize::try_from(whole(end, text.len() as u64)?).ok()?;
        let s = std::str::from_utf8(text.get(start..end)?).ok()?;
        start = end;
        Some(Some(s.to_owned()))
    };
    let (kind, status, search, sort, dir, cursor) =
        (take(kind)?, take(status)?, take(search)?, take(sort)?, take(dir)?, take(cursor)?);
    Some(ChildQuery {
        kind,
        status: match status {
            None => None,
            Some(s) => Some(variant(&s)?),
        },
        search,
        sort: match sort {
            None => Default::default(),
            Some(s) => variant(&s)?,
        },
        dir: match dir {
            None => Default::default(),
            Some(s) => variant(&s)?,
        },
        offset: if offset.is_nan() { 0 } else { whole(offset, MAX_SAFE_INTEGER)? },
        limit: if limit.is_nan() { None } else { Some(u32::try_from(whole(limit, u64::from(u32::MAX))?).ok()?) },
        cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire `hot.js` writes for these fields (strings in slot order, then the numbers).
    fn wire(strings: [Option<&str>; 6], offset: f64, limit: f64) -> ([f64; CHILD_QUERY_SLOTS], Vec<u8>) {
        let mut nums = [0.0; CHILD_QUERY_SLOTS];
        let mut text = Vec::new();
        for (slot, s) in nums.iter_mut().zip(strings) {
            *slot = match s {
                None => -1.0,
                Some(s) => {
                    text.extend_from_slice(s.as_bytes());
                    #[allow(clippy::cast_precision_loss)]
                    let end = text.len() as f64;
                    end
                }
            };
        }
        nums[6] = offset;
        nums[7] = limit;
        (nums, text)
    }

    /// The same query as JSON, as `JSON.stringify` writes it (absent fields left out).
    fn json(strings: [Option<&str>; 6], offset: f64, limit: f64) -> String {
        let names = ["kind", "status", "search", "sort", "dir", "cursor"];
        let mut fields: Vec<String> = names
            .iter()
            .zip(strings)
            .filter_map(|(name, s)| s.map(|s| format!("\"{name}\":{}", serde_json::Value::from(s))))
            .collect();
        if !offset.is_nan() {
            fields.push(format!("\"offset\":{offset}"));
        }
        if !limit.is_nan() {
            fields.push(format!("\"limit\":{limit}"));
        }
        format!("{{{}}}", fields.join(","))
    }

    #[test]
    fn a_query_off_the_wire_is_the_query_its_json_gives() {
        // The last four are values the JSON way refuses: the wire leaves them to it.
        let cases: [([Option<&str>; 6], f64, f64, bool); 9] = [
            ([None; 6], f64::NAN, f64::NAN, true),
            ([None, None, None, Some("name"), None, Some("AAEC-x_y")], f64::NAN, 50.0, true),
            ([Some("tenant"), Some("suspended"), Some("bak"), Some("created"), Some("desc"), None], 20.0, 1000.0, true),
            ([Some(""), Some("enabled"), Some(""), None, Some("asc"), Some("")], 0.0, 0.0, true),
            ([None, Some("disabled"), None, None, None, None], 9_007_199_254_740_991.0, 4_294_967_295.0, true),
            ([None, None, None, Some("size"), None, None], f64::NAN, f64::NAN, false),
            ([None, Some("Enabled"), None, None, None, None], f64::NAN, f64::NAN, false),
            ([None, None, None, None, Some("up"), None], f64::NAN, f64::NAN, false),
            ([None; 6], f64::NAN, 4_294_967_296.0, false),
        ];
        for (strings, offset, limit, valid) in cases {
            let (nums, text) = wire(strings, offset, limit);
            let json = json(strings, offset, limit);
            let by_json = crate::child_query(&json).ok().flatten();
            assert_eq!(by_json.is_some(), valid, "{json}");
            assert_eq!(child_query_wire(&nums, &text), by_json, "{json}");
        }
    }

    #[test]
    fn numbers_the_json_way_would_refuse_are_left_to_it() {
        for (offset, limit) in
            [(-1.0, f64::NAN), (0.5, f64::NAN), (f64::NAN, -1.0), (f64::NAN, 2.5), (9_007_199_254_740_992.0, f64::NAN)]
        {
            let (nums, text) = wire([None; 6], offset, limit);
            assert_eq!(child_query_wire(&nums, &text), None, "offset {offset}, limit {limit}");
        }
    }

    #[test]
    fn a_text_out_of_step_with_its_slots_is_refused() {
        let (mut nums, text) = wire([Some("tenant"), None, None, None, None, None], f64::NAN, f64::NAN);
        nums[0] = 7.0;
        assert_eq!(child_query_wire(&nums, &text), None, "past the end");
        nums[0] = 2.5;
        assert_eq!(child_query_wire(&nums, &text), None, "not a whole offset");
        let (mut nums, text) = wire([Some("ab"), Some("enabled"), None, None, None, None], f64::NAN, f64::NAN);
        nums[1] = 1.0;
        assert_eq!(child_query_wire(&nums, &text), None, "an end before the start");
        assert_eq!(
            child_query_wire(&wire([Some("\u{e9}"), None, None, None, None, None], f64::NAN, f64::NAN).0, &[0xC3]),
            None,
            "not UTF-8"
        );
    }
}
