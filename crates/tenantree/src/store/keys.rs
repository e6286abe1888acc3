//! Byte encodings of index keys. All of them sort with plain byte comparison (what redb does for
//! `&[u8]` keys), and every component is prefix-free, so that "all keys starting with X" is
//! exactly one range.

/// Appends `n` in an order-preserving, prefix-free variable-length form: one byte giving the
/// number of significant bytes (0 for zero), then those bytes big-endian. Smaller numbers sort
/// first because a shorter length byte sorts first.
pub(crate) fn put_var(out: &mut Vec<u8>, n: u64) {
    let bytes = n.to_be_bytes();
    let skip = (n.leading_zeros() / 8) as usize;
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(significant.len() as u8);
    out.extend_from_slice(significant);
}

/// Reads a number written by [`put_var`] from the front of `input`, returning it and the rest.
pub(crate) fn take_var(input: &[u8]) -> Option<(u64, &[u8])> {
    let (&len, rest) = input.split_first()?;
    let len = usize::from(len);
    if len > 8 {
        return None;
    }
    let (digits, rest) = (rest.get(..len)?, rest.get(len..)?);
    if digits.first() == Some(&0) {
        // Not the canonical form: a leading zero byte would break ordering.
        return None;
    }
    let n = digits.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    Some((n, rest))
}

/// The smallest byte string greater than every string starting with `prefix`, or `None` when
/// no such string exists (the prefix is all `0xFF`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// `by_name` key (format 6): parent, folded name, NUL, the child's kind. Names never contain
/// NUL (both name rules forbid control characters), so the NUL ends the name unambiguously and
/// a parent's children sort by folded name, then by kind. No two children of one parent share
/// a kind and a folded name (the sibling rule; a store-wide name is unique among siblings too),
/// so the key is the rule: a create claims it with one insert instead of probing for it first.
pub(crate) fn by_name(parent: u64, folded: &str, kind: u8) -> Vec<u8> {
    let mut k = by_name_prefix(parent, folded);
    k.push(kind);
    k
}

/// Prefix of every `by_name` key of `parent` with this folded name.
pub(crate) fn by_name_prefix(parent: u64, folded: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(folded.len() + 12);
    put_var(&mut k, parent);
    k.extend_from_slice(folded.as_bytes());
    k.push(0);
    k
}

/// Prefix of every key of `parent` in `by_name` or `by_parent`.
pub(crate) fn parent_prefix(parent: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    put_var(&mut k, parent);
    k
}

/// Splits a `by_name` key into (parent, folded name, kind).
pub(crate) fn split_by_name(key: &[u8]) -> Option<(u64, &str, u8)> {
    let (parent, rest) = take_var(key)?;
    let nul = rest.iter().position(|&b| b == 0)?;
    let name = std::str::from_utf8(rest.get(..nul)?).ok()?;
    match rest.get(nul + 1..)? {
        &[kind] => Some((parent, name, kind)),
        _ => None,
    }
}

/// `by_parent` key: parent, child. A parent's children sort by creation (sequence number).
pub(crate) fn by_parent(parent: u64, child: u64) -> Vec<u8> {
    let mut k = parent_prefix(parent);
    put_var(&mut k, child);
    k
}

/// Splits a `by_parent` key into (parent, child).
pub(crate) fn split_by_parent(key: &[u8]) -> Option<(u64, u64)> {
    let (parent, rest) = take_var(key)?;
    let (child, tail) = take_var(rest)?;
    tail.is_empty().then_some((parent, child))
}

/// The width of a `by_parent` key.
pub(crate) const SLOT_BYTES: usize = 16;

/// `by_parent` key (format 4): parent, then child, each as 8 big-endian bytes. A fixed width,
/// so that redb keeps no per-entry offsets in the table's leaves: with variable-width keys
/// every insert rewrote the offsets of all the later entries of its leaf (a measured 5 % of
/// building a tree in wasm). A parent's children sort by creation (sequence number).
pub(crate) fn child_slot(parent: u64, child: u64) -> [u8; SLOT_BYTES] {
    let mut k = [0u8; SLOT_BYTES];
    let (hi, lo) = k.split_at_mut(8);
    hi.copy_from_slice(&parent.to_be_bytes());
    lo.copy_from_slice(&child.to_be_bytes());
    k
}

/// Prefix of every `by_parent` key of `parent`.
pub(crate) fn slot_prefix(parent: u64) -> [u8; 8] {
    parent.to_be_bytes()
}

/// Splits a `by_parent` key into (parent, child).
pub(crate) fn split_child_slot(key: &[u8]) -> Option<(u64, u64)> {
    let parent = u64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    let child = u64::from_be_bytes(key.get(8..)?.try_into().ok()?);
    Some((parent, child))
}

/// The bounds over fixed-width keys that select exactly the keys of `SLOT_BYTES` bytes that lie
/// within byte-string bounds of any length (a prefix, a cursor): a bound shorter than the width
/// is padded with zeros, a longer one cut, and its inclusiveness adjusted so that the set of
/// keys selected stays the same.
pub(crate) fn slot_bounds(
    lo: std::ops::Bound<&[u8]>,
    hi: std::ops::Bound<&[u8]>,
) -> (std::ops::Bound<[u8; SLOT_BYTES]>, std::ops::Bound<[u8; SLOT_BYTES]>) {
    use std::cmp::Ordering::{Equal, Greater, Less};
    use std::ops::Bound::{Excluded, Included, Unbounded};
    fn fit(b: &[u8]) -> ([u8; SLOT_BYTES], std::cmp::Ordering) {
        let mut k = [0u8; SLOT_BYTES];
        let n = b.len().min(SLOT_BYTES);
        if let (Some(dst), Some(src)) = (k.get_mut(..n), b.get(..n)) {
            dst.copy_from_slice(src);
        }
        (k, b.len().cmp(&SLOT_BYTES))
    }
    // A fixed key K compares with a shorter bound b as with b padded with zeros, except that
    // K == pad(b) means K > b; with a longer bound, as with b cut, except that K == cut(b)
    // means K < b.
    let lo = match lo {
        Unbounded => Unbounded,
        Included(b) => match fit(b) {
            (k, Less | Equal) => Included(k),
            (k, Greater) => Excluded(k),
        },
        Excluded(b) => match fit(b) {
            (k, Less) => Included(k),
            (k, Equal | Greater) => Excluded(k),
        },
    };
    let hi = match hi {
        Unbounded => Unbounded,
        Included(b) => match fit(b) {
            (k, Less) => Excluded(k),
            (k, Equal | Greater) => Included(k),
        },
        Excluded(b) => match fit(b) {
            (k, Less | Equal) => Excluded(k),
            (k, Greater) => Included(k),
        },
    };
    (lo, hi)
}

/// `paths` key: kind, then the sequence numbers of every ancestor from the top, then the node.
/// All descendants of kind `k` under node `n` share the prefix `k, path(n), n`.
pub(crate) fn path_key(kind: u8, ancestors_top_down: &[u64], node: u64) -> Vec<u8> {
    let mut k = path_prefix(kind, ancestors_top_down);
    put_var(&mut k, node);
    k
}

/// The prefix shared by the `paths` keys of every descendant of kind `kind` of the node whose
/// full path (ancestors top-down, then the node itself) is `path`.
pub(crate) fn path_prefix(kind: u8, path: &[u64]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + 5 * (path.len() + 1));
    k.push(kind);
    for &seq in path {
        put_var(&mut k, seq);
    }
    k
}

/// Splits a `paths` key into its kind and its full path (ancestors, then the node last).
pub(crate) fn split_path(key: &[u8]) -> Option<(u8, Vec<u64>)> {
    let (&kind, mut rest) = key.split_first()?;
    let mut path = Vec::new();
    while !rest.is_empty() {
        let (seq, tail) = take_var(rest)?;
        path.push(seq);
        rest = tail;
    }
    (!path.is_empty()).then_some((kind, path))
}

/// `names` key: uniqueness group, NUL, folded name.
pub(crate) fn unique_name(group: &str, folded: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(group.len() + folded.len() + 1);
    k.extend_from_slice(group.as_bytes());
    k.push(0);
    k.extend_from_slice(folded.as_bytes());
    k
}

/// `billing` key: scope node (0 for store-wide), billing id.
pub(crate) fn billing(scope: u64, billing_id: &str) -> Vec<u8> {
    let mut k = parent_prefix(scope);
    k.extend_from_slice(billing_id.as_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(n: u64) -> Vec<u8> {
        let mut v = Vec::new();
        put_var(&mut v, n);
        v
    }

    #[test]
    fn var_round_trips_and_preserves_order() {
        let samples = [0, 1, 255, 256, 65_535, 65_536, 1 << 40, u64::MAX - 1, u64::MAX];
        for &n in &samples {
            let enc = var(n);
            assert_eq!(take_var(&enc), Some((n, &[][..])));
        }
        for pair in samples.windows(2) {
            assert!(var(pair[0]) < var(pair[1]), "{pair:?}");
        }
        assert_eq!(var(0), vec![0]);
        assert_eq!(var(300), vec![2, 1, 44]);
        assert_eq!(take_var(&[9, 1, 2, 3, 4, 5, 6, 7, 8, 9]), None, "length over 8");
        assert_eq!(take_var(&[2, 0, 1]), None, "non-canonical");
        assert_eq!(take_var(&[3, 1]), None, "truncated");
    }

    #[test]
    fn prefix_end_bounds_exactly_the_prefixed_keys() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        let p = path_prefix(3, &[1, 7]);
        let inside = path_key(3, &[1, 7], 900);
        let end = prefix_end(&p).unwrap();
        assert!(p <= inside && inside < end);
        // A sibling subtree with a longer number never falls inside.
        let sibling = path_key(3, &[1, 1700], 2);
        assert!(!(p <= sibling && sibling < end));
    }

    #[test]
    fn composite_keys_split_back() {
        let k = by_name(42, "acme corp", 7);
        assert_eq!(split_by_name(&k), Some((42, "acme corp", 7)));
        assert!(k.starts_with(&by_name_prefix(42, "acme corp")));
        assert!(!by_name(42, "acme corpx", 7).starts_with(&by_name_prefix(42, "acme corp")));
        let mut long = k.clone();
        long.push(0);
        assert_eq!(split_by_name(&long), None);
        assert_eq!(split_by_name(&by_name_prefix(42, "acme corp")), None);
        assert_eq!(split_by_parent(&by_parent(0, 9)), Some((0, 9)));
        assert_eq!(split_path(&path_key(2, &[1, 5], 6)), Some((2, vec![1, 5, 6])));
        assert_eq!(split_path(&[2]), None);
    }

    #[test]
    fn child_slots_split_back_and_sort_by_parent_then_creation() {
        assert_eq!(split_child_slot(&child_slot(7, 300)), Some((7, 300)));
        assert_eq!(split_child_slot(&[1, 2, 3]), None);
        assert!(child_slot(1, u64::MAX) < child_slot(2, 0));
        assert!(child_slot(2, 255) < child_slot(2, 256));
        assert!(child_slot(2, 9).starts_with(&slot_prefix(2)));
    }

    /// Every bound, of any length, selects through `slot_bounds` exactly the fixed keys that
    /// plain byte comparison puts inside it.
    #[test]
    fn slot_bounds_select_what_the_byte_bounds_select() {
        use std::ops::{Bound, RangeBounds};
        let keys: Vec<[u8; SLOT_BYTES]> =
            [(0, 0), (1, 0), (1, 1), (1, 2), (2, 0), (2, 7), (3, 1)].iter().map(|&(p, c)| child_slot(p, c)).collect();
        let mut bounds: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
        bounds.push(slot_prefix(1).to_vec());
        bounds.push(prefix_end(&slot_prefix(1)).unwrap());
        bounds.push(vec![0, 0, 0, 0, 0, 0, 0, 1, 0]);
        let mut long = child_slot(1, 1).to_vec();
        long.push(0);
        bounds.push(long);
        bounds.push(Vec::new());
        let mut all = vec![Bound::Unbounded];
        for b in &bounds {
            all.push(Bound::Included(b.as_slice()));
            all.push(Bound::Excluded(b.as_slice()));
        }
        for lo in &all {
            for hi in &all {
                let fixed = slot_bounds(*lo, *hi);
                for k in &keys {
                    let want = (*lo, *hi).contains(&k.as_slice());
                    assert_eq!(fixed.contains(k), want, "{k:?} in {lo:?}..{hi:?}");
                }
            }
        }
    }

    #[test]
    fn names_sort_within_a_parent() {
        let a = by_name(1, "alpha", 99);
        let b = by_name(1, "beta", 2);
        let a_long = by_name(1, "alphabet", 1);
        assert!(a < a_long && a_long < b);
        assert!(by_name(1, "zzz", 1) < by_name(2, "aaa", 1));
        assert!(by_name(1, "alpha", 2) < by_name(1, "alpha", 3));
    }
}
