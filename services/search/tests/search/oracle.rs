//! The index answers exactly what a brute-force scan of the domain's state
//! answers, over random listings, random legal histories and random queries,
//! every page followed to the end.

use berth_search::Index;

use crate::support::{World, all_pages, today};

fn check(seed: u64, properties: usize, steps: usize) {
    let mut world = World::new(seed);
    world.list_properties(properties);
    let mut index = Index::new(today());
    // Odd seeds walk every city in sort order, even ones scan them whole.
    if seed % 2 == 1 {
        index.set_ordered_scan_from(1);
    }
    let mut applied = 0;
    let mut checked_queries = 0;
    for round in 0..steps / 50 {
        for _ in 0..50 {
            world.step();
        }
        for (seq, event) in world.events.iter().enumerate().skip(applied) {
            index.apply(seq as u64 + 1, event);
        }
        applied = world.events.len();
        for _ in 0..20 {
            let query = world.query();
            let expected = world.expected(&query);
            let got = all_pages(&index, &query, world.now);
            assert_eq!(got, expected, "seed {seed}, round {round}: {query}");
            checked_queries += usize::from(!expected.is_empty());
        }
    }
    assert!(
        checked_queries > steps / 50 * 5,
        "too few queries found anything: {checked_queries}"
    );
}

#[test]
fn results_are_exactly_the_available_matching_properties() {
    for seed in 1..=4 {
        check(seed, 120, 1_000);
    }
}

#[test]
fn a_crowded_calendar_still_agrees() {
    // Few properties, many bookings: most nights end up taken.
    check(99, 15, 2_000);
}
