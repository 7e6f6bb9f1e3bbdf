//! `paging`: any sequence of pages a server might send → the core's bounded pager
//! ([`rackdesk_core::api::next_offset`] through [`rackdesk_core::api::Pager`]).
//!
//! Properties: it never panics; each next offset is strictly greater than the last; the
//! listing always ends (in its last page or a typed error) within the number of pages the
//! first reported total allows, however the server answers.
//!
//! Input layout: 4 bytes page size, then records of 13 bytes per page the "server" sends:
//! echoed offset (4), item count (2, capped at the page size + 2), total (4), and 3 bytes of
//! noise that perturb the echoed offset and the total.

use crate::Target;
use rackdesk_core::api::Pager;
use rackdesk_core::models::Page;

pub const TARGET: Target = Target {
    name: "paging",
    about: "the bounded pager of paged listings: always moves forward, always ends, never panics",
    run,
    seeds,
    dictionary: &[b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x00\x00\x00\xfa", b"\x7f\xff\xff\xff"],
};

fn u32_at(b: &[u8], i: usize) -> u32 {
    let mut x = [0u8; 4];
    for (k, slot) in x.iter_mut().enumerate() {
        *slot = b.get(i + k).copied().unwrap_or(0);
    }
    u32::from_be_bytes(x)
}

pub fn seeds() -> Vec<Vec<u8>> {
    let page = |offset: u32, items: u16, total: u32| {
        let mut v = offset.to_be_bytes().to_vec();
        v.extend_from_slice(&items.to_be_bytes());
        v.extend_from_slice(&total.to_be_bytes());
        v.extend_from_slice(&[0, 0, 0]);
        v
    };
    let size = |s: u32| s.to_be_bytes().to_vec();
    vec![
        // A well-behaved listing of 600 in pages of 250.
        [size(250), page(0, 250, 600), page(250, 250, 600), page(500, 100, 600)].concat(),
        // The same offset again and again.
        [size(250), page(0, 250, 1000), page(0, 250, 1000), page(0, 250, 1000)].concat(),
        // Pages past the total.
        [size(10), page(0, 10, 15), page(10, 10, 15), page(20, 10, 15), page(30, 10, 15)].concat(),
        // An offset near the top of u32.
        [size(250), page(0, 250, u32::MAX), page(u32::MAX - 5, 250, u32::MAX)].concat(),
        // An empty page early, and a size of 0.
        [size(0), page(0, 0, 100)].concat(),
    ]
}

pub fn run(input: &[u8]) -> u64 {
    let page_size = u32_at(input, 0) % 1000;
    let mut pager = Pager::new(0, page_size);
    let mut last: Option<u32> = None;
    let mut first_total: Option<u32> = None;
    let mut pages = 0u64;
    let mut fingerprint = 0u64;
    for rec in input.get(4..).unwrap_or(&[]).chunks(13) {
        let Some(asked) = pager.offset() else { break };
        if let Some(l) = last {
            assert!(asked > l, "the offset did not move forward: {l} then {asked}");
        }
        last = Some(asked);
        let noise = rec.get(10..13).unwrap_or(&[0, 0, 0]);
        // Mostly echo the asked offset (as a real server does), sometimes not.
        let offset = if noise[0] % 4 == 0 { u32_at(rec, 0) } else { asked };
        let count = (u16::from_be_bytes([rec.first().copied().unwrap_or(0), rec.get(5).copied().unwrap_or(0)]) as u32) % (page_size + 3);
        let total = if noise[1] % 3 == 0 { u32_at(rec, 6) } else { *first_total.get_or_insert(u32_at(rec, 6)) };
        let page = Page { offset, size: page_size, total, items: vec![(); count as usize] };
        pages += 1;
        match pager.advance(&page) {
            Ok(()) => fingerprint = fingerprint.wrapping_mul(31).wrapping_add(1),
            Err(e) => {
                assert_eq!(e.kind(), rackdesk_core::ErrorKind::BadPaging, "{e:?}");
                return fingerprint.wrapping_mul(31).wrapping_add(2);
            }
        }
        let ft = first_total.unwrap_or(total) as u64;
        let size = page_size.max(1) as u64;
        assert!(pages <= ft.div_ceil(size).max(u64::from(total).div_ceil(size)) + 2, "more pages than the totals allow: {pages}");
    }
    fingerprint
}
