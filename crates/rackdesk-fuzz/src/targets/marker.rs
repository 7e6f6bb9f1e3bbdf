//! `marker`: any sequence of pages a server might send → the bounded marker pager of
//! distribution-list listings ([`rackdesk_core::exchange::MarkerPager`]).
//!
//! Properties: it never panics; it never asks for a marker it was given before; the listing
//! always ends (an empty page, or a typed `bad-paging` error) within
//! [`rackdesk_core::exchange::lists::MAX_LIST_PAGES`] pages, however the server answers.
//!
//! Input layout: per page, one byte `n` (the page holds `n % 6` names), then `n % 6` bytes,
//! each naming a list from a small alphabet so that repeats are common.

use crate::Target;
use rackdesk_core::exchange::lists::MAX_LIST_PAGES;
use rackdesk_core::exchange::MarkerPager;
use std::collections::HashSet;

pub const TARGET: Target = Target {
    name: "marker",
    about: "the bounded marker pager of distribution lists: never repeats a marker, always ends, never panics",
    run,
    seeds,
    dictionary: &[b"\x00", b"\x05abcde", b"\x02zz"],
};

pub fn seeds() -> Vec<Vec<u8>> {
    vec![
        // a, b | c, d | e | (empty)
        vec![2, b'a', b'b', 2, b'c', b'd', 1, b'e', 0],
        // The same page again and again.
        vec![2, b'a', b'b', 2, b'a', b'b', 2, b'a', b'b'],
        // A page whose last name comes back later.
        vec![1, b'x', 3, b'a', b'b', b'x'],
        // Nothing at all.
        vec![],
    ]
}

pub fn run(input: &[u8]) -> u64 {
    let mut pager = MarkerPager::new();
    let mut asked: HashSet<String> = HashSet::new();
    let mut pages = 0u32;
    let mut fingerprint = 0u64;
    let mut rest = input;
    // A server that keeps sending pages for ever: the input is replayed until the pager stops.
    let mut replays = 0u32;
    loop {
        let Some(marker) = pager.next() else { break };
        if let Some(m) = marker {
            assert!(asked.insert(m.to_ascii_lowercase()), "the marker {m} was asked for twice");
        }
        if rest.is_empty() {
            if input.is_empty() || replays > MAX_LIST_PAGES {
                break;
            }
            replays += 1;
            rest = input;
        }
        let n = (rest[0] % 6) as usize;
        let names: Vec<String> = rest.iter().skip(1).take(n).map(|b| format!("l{}", b % 16)).collect();
        rest = rest.get(1 + n..).unwrap_or(&[]);
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        pages += 1;
        assert!(pages <= MAX_LIST_PAGES, "more than {MAX_LIST_PAGES} pages were read");
        match pager.advance(&refs) {
            Ok(()) => fingerprint = fingerprint.wrapping_mul(31).wrapping_add(refs.len() as u64 + 1),
            Err(e) => {
                assert_eq!(e.kind(), rackdesk_core::ErrorKind::BadPaging, "{e:?}");
                assert!(pager.next().is_none(), "finished after an error");
                return fingerprint.wrapping_mul(31).wrapping_add(99);
            }
        }
    }
    fingerprint
}
