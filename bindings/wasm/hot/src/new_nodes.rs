//! New nodes for `createNodes` off an input wire: `hot.js`'s `newNodesWire` puts a batch of
//! simple records (kind, name, parent, limits) as numbers and one text, which is cheaper for
//! both sides than `JSON.stringify` and serde's flattened `NewNode`.

use tenantree::{NewNode, NodeId};

use crate::{MAX_SAFE_INTEGER, whole};

/// Takes strings off the front of a text by their lengths in UTF-16 code units (JavaScript's
/// `length`).
struct Strings<'a> {
    rest: &'a str,
}

impl<'a> Strings<'a> {
    fn take(&mut self, units: usize) -> Option<&'a str> {
        let mut counted = 0;
        let mut end = 0;
        for c in self.rest.chars() {
            if counted == units {
                break;
            }
            counted += c.len_utf16();
            end += c.len_utf8();
        }
        if counted != units {
            return None;
        }
        let (head, rest) = self.rest.split_at_checked(end)?;
        self.rest = rest;
        Some(head)
    }
}

/// A wire number that is a count or a length (wasm32's `usize` is 32 bits).
fn count(n: f64) -> Option<usize> {
    usize::try_from(whole(n, MAX_SAFE_INTEGER)?).ok()
}

/// A batch of new nodes as `newNodesWire` described it, checked whole and borrowing its text:
/// [`NewNodesWire::each`] hands the nodes out one at a time, built in one [`NewNode`] reused
/// for all of them (a batch's kinds and limits repeat), instead of a `NewNode` made and
/// dropped per record.
#[derive(Debug)]
pub struct NewNodesWire<'a> {
    /// The repeated strings (kinds, parents, limit keys).
    table: Vec<&'a str>,
    records: Vec<Record<'a>>,
    /// Every record's limits, one after the other: key entry and value.
    limits: Vec<(usize, u64)>,
}

#[derive(Debug)]
struct Record<'a> {
    /// The kind's entry in the table.
    kind: usize,
    name: &'a str,
    parent: Option<NodeId>,
    /// The record's slice of `limits`.
    limits: std::ops::Range<usize>,
}

impl<'a> NewNodesWire<'a> {
    /// The batch `newNodesWire` described; `None` when the wire does not hold exactly such a
    /// batch, or when a value would decode differently from its JSON (a lone surrogate, which
    /// the text carries as U+FFFD; a parent that is not a UUID): the caller then takes the
    /// JSON way, which gives the same answer or the error.
    ///
    /// The numbers: the size of the table of repeated strings (kinds, parents, limit keys)
    /// and each one's length; then per record the kind's entry, the name's length, the
    /// parent's entry (-1 for none), the number of limits, then per limit its key's entry and
    /// its value. The text: the table's strings, then the names.
    #[must_use]
    pub fn read(nums: &[f64], text: &'a str) -> Option<NewNodesWire<'a>> {
        if text.contains('\u{FFFD}') {
            return None;
        }
        let mut strings = Strings { rest: text };
        let mut nums = nums.iter().copied();
        let mut table = Vec::new();
        for _ in 0..count(nums.next()?)? {
            table.push(strings.take(count(nums.next()?)?)?);
        }
        // Each distinct parent is parsed once.
        let mut parents: Vec<Option<NodeId>> = vec![None; table.len()];
        let mut records = Vec::new();
        let mut limits = Vec::new();
        while let Some(kind) = nums.next() {
            let kind = count(kind)?;
            table.get(kind)?;
            let name = strings.take(count(nums.next()?)?)?;
            let parent_at = nums.next()?;
            let parent = if parent_at < 0.0 {
                None
            } else {
                let at = count(parent_at)?;
                let slot = parents.get_mut(at)?;
                if slot.is_none() {
                    *slot = Some(table.get(at)?.parse::<NodeId>().ok()?);
                }
                *slot
            };
            let first = limits.len();
            for _ in 0..count(nums.next()?)? {
                let key = count(nums.next()?)?;
                table.get(key)?;
                limits.push((key, whole(nums.next()?, MAX_SAFE_INTEGER)?));
            }
            records.push(Record { kind, name, parent, limits: first..limits.len() });
        }
        strings.rest.is_empty().then_some(NewNodesWire { table, records, limits })
    }

    /// How many nodes the batch holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the batch holds no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Calls `f` with each node in order, until it fails.
    ///
    /// # Errors
    ///
    /// The first error of `f`.
    pub fn each<E>(&self, mut f: impl FnMut(&NewNode) -> Result<(), E>) -> Result<(), E> {
        let mut node = NewNode::default();
        let mut last_limits: &[(usize, u64)] = &[];
        for record in &self.records {
            node.kind.clear();
            node.kind.push_str(self.entry(record.kind));
            node.name.clear();
            node.name.push_str(record.name);
            node.parent = record.parent;
            let limits = self.limits.get(record.limits.clone()).unwrap_or_default();
            // Only when they differ from the last node's (a batch's mostly do not): a map
            // made again allocates a string per key.
            if limits != last_limits || node.limits.len() != limits.len() {
                node.limits.clear();
                for &(key, value) in limits {
                    node.limits.insert(self.entry(key).to_owned(), value);
                }
                last_limits = limits;
            }
            f(&node)?;
        }
        Ok(())
    }

    /// The nodes, each made whole.
    #[cfg(test)]
    fn to_vec(&self) -> Vec<NewNode> {
        let mut out = Vec::with_capacity(self.len());
        let Ok(()) = self.each(|node| {
            out.push(node.clone());
            Ok::<(), std::convert::Infallible>(())
        });
        out
    }

    /// An entry of the table (checked when the batch was read).
    fn entry(&self, at: usize) -> &'a str {
        self.table.get(at).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::cast_precision_loss)]

    use std::collections::BTreeMap;

    use super::*;

    /// [`NewNodesWire::read`], each node made whole.
    fn new_nodes_wire(nums: &[f64], text: &str) -> Option<Vec<NewNode>> {
        NewNodesWire::read(nums, text).map(|batch| batch.to_vec())
    }

    const ID: &str = "018bcfe5-6800-7a21-9e6a-663bd37311ab";

    #[test]
    fn decodes_records_with_and_without_parents_and_limits() {
        // Table: platform, tenant, the parent, extensions, tenants; then the names.
        let text = format!("platformtenant{ID}extensionstenantsacme😀-bc");
        let nums = [
            5.0, 8.0, 6.0, 36.0, 10.0, 7.0, // the table
            0.0, 4.0, -1.0, 0.0, // acme
            1.0, 4.0, 2.0, 2.0, 3.0, 20.0, 4.0, 0.0, // 😀-b
            1.0, 1.0, 2.0, 1.0, 3.0, 5.0, // c
        ];
        let nodes = new_nodes_wire(&nums, &text).unwrap();
        assert_eq!(nodes.len(), 3);
        assert_eq!((nodes[0].kind.as_str(), nodes[0].name.as_str(), nodes[0].parent), ("platform", "acme", None));
        assert!(nodes[0].limits.is_empty());
        assert_eq!(nodes[1].name, "😀-b", "a surrogate pair is two UTF-16 units");
        assert_eq!(nodes[1].parent, Some(ID.parse().unwrap()));
        assert_eq!(nodes[1].limits, BTreeMap::from([("extensions".to_owned(), 20), ("tenants".to_owned(), 0)]));
        assert_eq!((nodes[2].name.as_str(), nodes[2].parent), ("c", nodes[1].parent));
        // The JSON way gives the same records.
        let json = format!(
            r#"[{{"kind":"platform","name":"acme"}},{{"kind":"tenant","name":"😀-b","parent":"{ID}","limits":{{"extensions":20,"tenants":0}}}},{{"kind":"tenant","name":"c","parent":"{ID}","limits":{{"extensions":5}}}}]"#
        );
        assert_eq!(crate::new_nodes(&json).unwrap(), nodes);
    }

    #[test]
    fn each_hands_out_every_node_as_made_whole_whatever_its_limits_after_the_last() {
        // Table: tenant, a, b; records x {a: 1}, y {}, z {a: 1}, w {a: 1, b: 2}, v {a: 3}.
        let text = "tenantabxyzwv";
        let nums = [
            3.0, 6.0, 1.0, 1.0, // the table
            0.0, 1.0, -1.0, 1.0, 1.0, 1.0, // x
            0.0, 1.0, -1.0, 0.0, // y
            0.0, 1.0, -1.0, 1.0, 1.0, 1.0, // z
            0.0, 1.0, -1.0, 2.0, 1.0, 1.0, 2.0, 2.0, // w
            0.0, 1.0, -1.0, 1.0, 1.0, 3.0, // v
        ];
        let batch = NewNodesWire::read(&nums, text).unwrap();
        assert_eq!(batch.len(), 5);
        let mut seen = Vec::new();
        batch
            .each(|node| {
                seen.push((node.name.clone(), node.limits.clone()));
                Ok::<(), ()>(())
            })
            .unwrap();
        let limits = |pairs: &[(&str, u64)]| pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect::<BTreeMap<_, _>>();
        assert_eq!(
            seen,
            [
                ("x".to_owned(), limits(&[("a", 1)])),
                ("y".to_owned(), limits(&[])),
                ("z".to_owned(), limits(&[("a", 1)])),
                ("w".to_owned(), limits(&[("a", 1), ("b", 2)])),
                ("v".to_owned(), limits(&[("a", 3)])),
            ]
        );
        // The JSON way gives the same records.
        let json = r#"[{"kind":"tenant","name":"x","limits":{"a":1}},{"kind":"tenant","name":"y"},{"kind":"tenant","name":"z","limits":{"a":1}},{"kind":"tenant","name":"w","limits":{"a":1,"b":2}},{"kind":"tenant","name":"v","limits":{"a":3}}]"#;
        assert_eq!(crate::new_nodes(json).unwrap(), batch.to_vec());
        // The first error stops the walk.
        let mut calls = 0;
        assert_eq!(
            batch.each(|_| {
                calls += 1;
                if calls == 2 { Err("stop") } else { Ok(()) }
            }),
            Err("stop")
        );
        assert_eq!(calls, 2);
        assert!(NewNodesWire::read(&[0.0], "").unwrap().is_empty());
    }

    #[test]
    fn refuses_what_it_cannot_take_exactly() {
        // A lone surrogate arrives as U+FFFD; JSON keeps it and refuses it.
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 0.0, 1.0, -1.0, 0.0], "tenant\u{FFFD}"), None);
        // A parent that is not a UUID: the JSON way names the error.
        assert_eq!(new_nodes_wire(&[2.0, 6.0, 3.0, 0.0, 1.0, 1.0, 0.0], "tenantnotx"), None);
        // Entries and lengths past the table or the text, text left over, a count that is
        // not one, a missing number.
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 1.0, 1.0, -1.0, 0.0], "tenantx"), None);
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 0.0, 9.0, -1.0, 0.0], "tenantx"), None);
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 0.0, 1.0, -1.0, 0.0], "tenantxy"), None);
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 0.0, 1.5, -1.0, 0.0], "tenantx"), None);
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 0.0, 1.0, -1.0, 1.0, 0.0, -2.0], "tenantx"), None);
        assert_eq!(new_nodes_wire(&[1.0, 6.0, 0.0, 1.0, -1.0], "tenantx"), None);
        assert_eq!(new_nodes_wire(&[2.0, 6.0], "tenant"), None);
        // A length that splits a surrogate pair.
        assert_eq!(new_nodes_wire(&[1.0, 1.0], "😀"), None);
        assert_eq!(new_nodes_wire(&[0.0], ""), Some(vec![]));
        // The largest limit a JS number holds exactly is taken whole, one more is not.
        let top = MAX_SAFE_INTEGER as f64;
        let wire = |value: f64| new_nodes_wire(&[2.0, 6.0, 1.0, 0.0, 1.0, -1.0, 1.0, 1.0, value], "tenantkx");
        assert_eq!(wire(top).unwrap()[0].limits["k"], MAX_SAFE_INTEGER);
        assert_eq!(wire(top + 2.0), None);
    }
}
