//! Helpers the dialects share: JSON conversion, exhaustive listings, number formats.

use serde::Serialize;
use serde_json::Value;
use tenantree::{
    Account, AccountQuery, ChildQuery, Decimal, DescendantQuery, EffectiveProperties, Error, Node, NodeId, Page,
    PropQuery, Properties, ReadTx, Timestamp, WriteTx,
};

use crate::error::invalid;

/// Any record as JSON.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::Storage { message: format!("cannot encode the answer: {e}") })
}

/// The reads the dialects need, from a read or a write transaction alike.
pub(crate) trait Reads {
    fn get_node(&self, id: NodeId) -> Result<Node, Error>;
    fn children(&self, parent: Option<NodeId>, query: &ChildQuery) -> Result<Page<Node>, Error>;
    fn descendants(&self, root: Option<NodeId>, query: &DescendantQuery) -> Result<Page<Node>, Error>;
    fn props(&self, node: NodeId, namespace: &str, query: &PropQuery) -> Result<Properties, Error>;
    fn effective_props(&self, node: NodeId, namespace: &str, query: &PropQuery) -> Result<EffectiveProperties, Error>;
    fn account_by_username(&self, username: &str) -> Result<Account, Error>;
    fn accounts(&self, node: Option<NodeId>, query: &AccountQuery) -> Result<Page<Account>, Error>;
}

macro_rules! impl_reads {
    ($t:ty) => {
        impl Reads for $t {
            fn get_node(&self, id: NodeId) -> Result<Node, Error> {
                <$t>::get_node(self, id)
            }
            fn children(&self, parent: Option<NodeId>, query: &ChildQuery) -> Result<Page<Node>, Error> {
                <$t>::children(self, parent, query)
            }
            fn descendants(&self, root: Option<NodeId>, query: &DescendantQuery) -> Result<Page<Node>, Error> {
                <$t>::descendants(self, root, query)
            }
            fn props(&self, node: NodeId, namespace: &str, query: &PropQuery) -> Result<Properties, Error> {
                <$t>::props(self, node, namespace, query)
            }
            fn effective_props(
                &self,
                node: NodeId,
                namespace: &str,
                query: &PropQuery,
            ) -> Result<EffectiveProperties, Error> {
                <$t>::effective_props(self, node, namespace, query)
            }
            fn account_by_username(&self, username: &str) -> Result<Account, Error> {
                <$t>::account_by_username(self, username)
            }
            fn accounts(&self, node: Option<NodeId>, query: &AccountQuery) -> Result<Page<Account>, Error> {
                <$t>::accounts(self, node, query)
            }
        }
    };
}

impl_reads!(ReadTx<'_>);
impl_reads!(WriteTx<'_, '_>);

/// The largest page the core serves; exhaustive listings walk pages of this size.
pub(crate) const MAX_PAGE: u32 = 1000;

/// Every child of `parent` matching `query` (its paging fields are ignored), in the query's
/// order.
pub(crate) fn all_children(tx: &impl Reads, parent: Option<NodeId>, query: &ChildQuery) -> Result<Vec<Node>, Error> {
    let query = ChildQuery { offset: 0, cursor: None, ..query.clone() };
    Ok(children_up_to(tx, parent, &query, u64::MAX)?.0)
}

/// The first `limit` children of `parent` matching `query` from its `offset` on (any count:
/// read a page of at most [`MAX_PAGE`] at a time, each from where the last ended by the core's
/// cursor), and how many match in all. A `limit` of 0 reads a page of one for the total.
pub(crate) fn children_up_to(
    tx: &impl Reads,
    parent: Option<NodeId>,
    query: &ChildQuery,
    limit: u64,
) -> Result<(Vec<Node>, u64), Error> {
    let mut q = ChildQuery { cursor: None, ..query.clone() };
    let mut out = Vec::new();
    loop {
        let left = limit.saturating_sub(out.len() as u64);
        q.limit = Some(u32::try_from(left.clamp(1, u64::from(MAX_PAGE))).unwrap_or(MAX_PAGE));
        let page = tx.children(parent, &q)?;
        let got = page.items.len();
        out.extend(page.items.into_iter().take(usize::try_from(left).unwrap_or(usize::MAX)));
        match page.next {
            Some(next) if got > 0 && (out.len() as u64) < limit => {
                q.cursor = Some(next);
                q.offset = 0;
            }
            _ => return Ok((out, page.total)),
        }
    }
}

/// Every descendant of `kind` under `root` (`None`: everything the caller sees), in tree order.
pub(crate) fn all_descendants(tx: &impl Reads, root: Option<NodeId>, kind: &str) -> Result<Vec<Node>, Error> {
    let mut q = DescendantQuery { kind: kind.to_owned(), offset: 0, limit: Some(MAX_PAGE), cursor: None };
    let mut out = Vec::new();
    loop {
        let page = tx.descendants(root, &q)?;
        out.extend(page.items);
        match page.next {
            Some(next) => q.cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// Every account bound to `node`.
pub(crate) fn all_accounts(tx: &impl Reads, node: NodeId) -> Result<Vec<Account>, Error> {
    let mut q = AccountQuery { limit: Some(MAX_PAGE), ..AccountQuery::default() };
    let mut out = Vec::new();
    loop {
        let page = tx.accounts(Some(node), &q)?;
        out.extend(page.items);
        match page.next {
            Some(next) => q.cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// A decimal as a JSON number (003's `markup: 20.0`).
pub(crate) fn decimal_number(d: Decimal) -> Value {
    d.to_string().parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
}

/// A decimal as 003's markup string: at least one decimal place (`"0.0"`, `"12.5"`).
pub(crate) fn decimal_text(d: Decimal) -> String {
    let s = d.to_string();
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// A time as 003 writes it: `2022-05-23T14:35:02.705016`, UTC without a zone.
pub(crate) fn naive_time(t: Timestamp) -> String {
    let s = t.to_string();
    s.strip_suffix('Z').map_or_else(|| s.clone(), str::to_owned)
}

/// A query parameter as an unsigned integer within `max`.
pub(crate) fn uint_param(field: &str, value: Option<&str>, max: u64) -> Result<Option<u64>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n <= max => Ok(Some(n)),
            Ok(_) => Err(invalid(field, format!("must be at most {max}"))),
            Err(_) => Err(invalid(field, format!("{v:?} is not a non-negative integer"))),
        },
    }
}

/// A boolean query parameter: `true`/`false`/`1`/`0`.
pub(crate) fn bool_param(field: &str, value: Option<&str>) -> Result<Option<bool>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(Some(false)),
        Some(v) => Err(invalid(field, format!("{v:?} is not true or false"))),
    }
}

/// A page size parameter: 1 to 1000.
pub(crate) fn page_size_param(field: &str, value: Option<&str>) -> Result<Option<u32>, Error> {
    match uint_param(field, value, u64::from(MAX_PAGE))? {
        Some(0) => Err(invalid(field, "must be at least 1")),
        Some(n) => Ok(u32::try_from(n).ok()),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_times_format_as_003_shows() {
        let d: Decimal = "10".parse().unwrap();
        assert_eq!(decimal_text(d), "10.0");
        assert_eq!(decimal_text("12.5".parse().unwrap()), "12.5");
        assert_eq!(decimal_number("20".parse().unwrap()), serde_json::json!(20.0));
        assert_eq!(naive_time(Timestamp::from_micros(1_653_316_502_705_016)), "2022-05-23T14:35:02.705016");
    }

    #[test]
    fn query_numbers_are_checked() {
        assert_eq!(uint_param("offset", Some("5"), 10).unwrap(), Some(5));
        assert_eq!(uint_param("offset", Some(""), 10).unwrap(), None);
        assert_eq!(uint_param("offset", Some("-1"), 10).unwrap_err().details()["field"], "offset");
        assert!(uint_param("offset", Some("11"), 10).is_err());
        assert_eq!(page_size_param("page_size", Some("0")).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(bool_param("full", Some("TRUE")).unwrap(), Some(true));
        assert!(bool_param("full", Some("yes")).is_err());
    }
}
