//! Listings: children with filters, search, sorting and both kinds of paging; descendants;
//! ancestors; counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{ChildQuery, DescendantQuery, Direction, NewNode, Node, Preset, SortBy, Status, StatusFilter, Store};

fn names(items: &[Node]) -> Vec<String> {
    items.iter().map(|n| n.name.to_string()).collect()
}

fn reseller_with_tenants(n: usize) -> (Store, Node) {
    let (store, clock) = store_with(Preset::Channel);
    let root = create(&store, "platform", "acme", None);
    let r = create(&store, "reseller", "shop", Some(root.id));
    store
        .write(&sys(), |tx| {
            for i in 0..n {
                // Created in an order different from name order.
                let name = format!("t{:03}", (i * 7) % n);
                tx.create_node(&NewNode::new("tenant", name).parent(r.id))?;
            }
            Ok(())
        })
        .unwrap();
    clock.advance(1);
    (store, r)
}

#[test]
fn children_sort_by_name_or_creation_in_both_directions() {
    let (store, r) = reseller_with_tenants(10);
    let q = ChildQuery { limit: Some(100), ..Default::default() };
    let by_name = store.children(&sys(), Some(r.id), &q).unwrap();
    assert_eq!(names(&by_name.items), (0..10).map(|i| format!("t{i:03}")).collect::<Vec<_>>());
    let desc = store.children(&sys(), Some(r.id), &ChildQuery { dir: Direction::Desc, ..q.clone() }).unwrap();
    let mut reversed = names(&by_name.items);
    reversed.reverse();
    assert_eq!(names(&desc.items), reversed);
    let created = store.children(&sys(), Some(r.id), &ChildQuery { sort: SortBy::Created, ..q.clone() }).unwrap();
    assert_eq!(names(&created.items), (0..10).map(|i| format!("t{:03}", (i * 7) % 10)).collect::<Vec<_>>());
    assert!(created.items.windows(2).all(|w| w[0].id < w[1].id));
}

#[test]
fn offset_paging_reports_totals_and_pages() {
    let (store, r) = reseller_with_tenants(25);
    let page =
        store.children(&sys(), Some(r.id), &ChildQuery { offset: 20, limit: Some(10), ..Default::default() }).unwrap();
    assert_eq!((page.total, page.pages, page.page, page.limit), (25, 3, 3, 10));
    assert_eq!(names(&page.items), (20..25).map(|i| format!("t{i:03}")).collect::<Vec<_>>());
    assert_eq!(page.next, None);
    let default = store.children(&sys(), Some(r.id), &ChildQuery::default()).unwrap();
    assert_eq!(default.items.len(), 10);
    assert!(default.next.is_some());
    let beyond = store.children(&sys(), Some(r.id), &ChildQuery { offset: 100, ..Default::default() }).unwrap();
    assert!(beyond.items.is_empty());
    for bad in [Some(0), Some(1001)] {
        let err = store.children(&sys(), Some(r.id), &ChildQuery { limit: bad, ..Default::default() }).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
    }
}

#[test]
fn cursors_walk_every_entry_once_while_writes_happen() {
    let (store, r) = reseller_with_tenants(30);
    let mut q = ChildQuery { limit: Some(7), ..Default::default() };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = store.children(&sys(), Some(r.id), &q).unwrap();
        pages += 1;
        assert_eq!(page.page, pages);
        seen.extend(names(&page.items));
        if pages == 2 {
            // A write between pages: a name before the cursor and one after.
            create(&store, "tenant", "a-early", Some(r.id));
            create(&store, "tenant", "zz-late", Some(r.id));
        }
        match page.next {
            Some(token) => q.cursor = Some(token),
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..30).map(|i| format!("t{i:03}")).collect();
    expected.push("zz-late".into());
    assert_eq!(seen, expected, "every entry after the cursor, once, in order");
    // A token belongs to its query.
    let page = store.children(&sys(), Some(r.id), &ChildQuery { limit: Some(5), ..Default::default() }).unwrap();
    let other = ChildQuery { sort: SortBy::Created, cursor: page.next.clone(), ..Default::default() };
    assert_eq!(store.children(&sys(), Some(r.id), &other).unwrap_err().code(), "INVALID_ARGUMENT");
    let both = ChildQuery { offset: 1, cursor: page.next, ..Default::default() };
    assert_eq!(store.children(&sys(), Some(r.id), &both).unwrap_err().code(), "INVALID_ARGUMENT");
    let garbage = ChildQuery { cursor: Some("not-a-cursor".into()), ..Default::default() };
    assert_eq!(store.children(&sys(), Some(r.id), &garbage).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn filters_and_search_narrow_the_children_and_their_total() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    let d = create(&store, "distributor", "north", Some(root.id));
    for (kind, name, email) in [
        ("reseller", "alpha", "sales@alpha.example"),
        ("reseller", "beta", "ops@shop.example"),
        ("tenant", "gamma", "x@gamma.example"),
        ("tenant", "delta-shop", "y@delta.example"),
        ("sub_distributor", "epsilon", "z@e.example"),
    ] {
        store.create_node(&sys(), NewNode::new(kind, name).parent(d.id).email(email)).unwrap();
    }
    let beta =
        store.children(&sys(), Some(d.id), &ChildQuery { search: Some("beta".into()), ..Default::default() }).unwrap();
    store.set_status(&sys(), beta.items[0].id, Status::Disabled).unwrap();
    let q = |q: ChildQuery| store.children(&sys(), Some(d.id), &q).unwrap();
    let resellers = q(ChildQuery { kind: Some("reseller".into()), ..Default::default() });
    assert_eq!((names(&resellers.items), resellers.total), (vec!["alpha".to_owned(), "beta".to_owned()], 2));
    let shop = q(ChildQuery { search: Some("SHOP".into()), ..Default::default() });
    assert_eq!(names(&shop.items), ["beta", "delta-shop"], "name or e-mail, ignoring case");
    let disabled = q(ChildQuery { status: Some(StatusFilter::Disabled), ..Default::default() });
    assert_eq!(names(&disabled.items), ["beta"]);
    let enabled_tenants = q(ChildQuery {
        kind: Some("tenant".into()),
        status: Some(StatusFilter::Enabled),
        limit: Some(1),
        ..Default::default()
    });
    assert_eq!((enabled_tenants.total, enabled_tenants.pages, enabled_tenants.items.len()), (2, 2, 1));
    let next = q(ChildQuery {
        kind: Some("tenant".into()),
        status: Some(StatusFilter::Enabled),
        limit: Some(1),
        cursor: enabled_tenants.next.clone(),
        ..Default::default()
    });
    assert_eq!((names(&next.items), next.page, next.next), (vec!["gamma".to_owned()], 2, None));
    assert_eq!(
        store
            .children(&sys(), Some(d.id), &ChildQuery { kind: Some("nope".into()), ..Default::default() })
            .unwrap_err()
            .code(),
        "INVALID_ARGUMENT"
    );
}

#[test]
fn top_level_listing_and_children_inherit_status() {
    let store = store();
    let c = chain(&store);
    create(&store, "platform", "beta", None);
    let top = store.children(&sys(), None, &ChildQuery::default()).unwrap();
    assert_eq!((names(&top.items), top.total), (vec!["acme".to_owned(), "beta".to_owned()], 2));
    store.set_status(&sys(), c.dist.id, Status::Disabled).unwrap();
    let kids = store.children(&sys(), Some(c.sub.id), &ChildQuery::default()).unwrap();
    assert_eq!(kids.items[0].effective_status.source, Some(c.dist.id));
}

#[test]
fn descendants_of_a_kind_are_one_range_with_a_counted_total() {
    let store = store();
    let c = chain(&store);
    let r2 = create(&store, "reseller", "r2", Some(c.dist.id));
    for i in 0..12 {
        create(&store, "tenant", &format!("x{i}"), Some(r2.id));
    }
    let other_dist = create(&store, "distributor", "south", Some(c.platform.id));
    create(&store, "tenant", "elsewhere", Some(other_dist.id));
    let mut q = DescendantQuery { kind: "tenant".into(), limit: Some(5), ..Default::default() };
    let mut all = Vec::new();
    loop {
        let page = store.descendants(&sys(), Some(c.dist.id), &q).unwrap();
        assert_eq!(page.total, 13);
        all.extend(page.items);
        match page.next {
            Some(n) => q.cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(all.len(), 13);
    assert!(all.iter().all(|n| n.kind == "tenant" && n.name.as_str() != "elsewhere"));
    let deep = all.iter().find(|n| n.id == c.tenant.id).unwrap();
    assert_eq!((deep.depth, deep.parent), (5, Some(c.reseller.id)));
    // Offset paging, and a kind that includes the root itself excludes it.
    let off = store
        .descendants(
            &sys(),
            Some(c.dist.id),
            &DescendantQuery { kind: "tenant".into(), offset: 10, ..Default::default() },
        )
        .unwrap();
    assert_eq!(off.items.len(), 3);
    let dists = store
        .descendants(&sys(), Some(c.dist.id), &DescendantQuery { kind: "distributor".into(), ..Default::default() })
        .unwrap();
    assert_eq!((dists.total, dists.items.len()), (0, 0));
    let everywhere =
        store.descendants(&sys(), None, &DescendantQuery { kind: "distributor".into(), ..Default::default() }).unwrap();
    assert_eq!(everywhere.total, 2);
}

#[test]
fn ancestors_and_counts() {
    let store = store();
    let c = chain(&store);
    let up = store.ancestors(&sys(), c.tenant.id).unwrap();
    assert_eq!(names(&up), ["acme", "north", "north-east", "shop"]);
    assert!(store.ancestors(&sys(), c.platform.id).unwrap().is_empty());
    let counts = store.kind_counts(&sys(), Some(c.platform.id)).unwrap();
    assert_eq!(counts["distributor"], 1);
    assert_eq!(counts["sub_distributor"], 1);
    assert_eq!(counts["reseller"], 1);
    assert_eq!(counts["tenant"], 1);
    assert_eq!(counts["platform"], 0);
    assert_eq!(store.kind_counts(&sys(), None).unwrap()["platform"], 1);
}
