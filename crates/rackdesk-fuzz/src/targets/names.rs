//! `names`: any string → the validation and percent-encoding of URL path segments and of
//! the names that become them (domains, mailboxes, admin logins, accounts, addresses).
//!
//! Property: whatever is accepted becomes exactly one path segment: only unreserved
//! characters (RFC 3986: letters, digits, `-`, `.`, `_`, `~`) and `%XX`, so no `/`, no
//! query (`?`), no fragment (`#`), never `.` or `..`; and it decodes back to the value.
//!
//! Input layout: byte 0 picks the function, the rest is the text (invalid UTF-8 is
//! replaced, as a person's input never reaches these functions as bytes).

use crate::Target;
use rackdesk_core::names::{self, EmailAddress};

pub const TARGET: Target = Target {
    name: "names",
    about: "URL path segments: names.rs validation and percent-encoding; accepted = one clean segment",
    run,
    seeds,
    dictionary: DICTIONARY,
};

const DICTIONARY: &[&[u8]] = &[
    b"/", b"\\", b"..", b".", b"?", b"#", b"%2F", b"%2e%2e", b"%", b"@", b"'", b"-", b"_", b"~", b" ", b"\t", b"\n",
    b"\x00", b"\xc2\xa0", b"\xe2\x80\x8b", b"\xef\xbc\x8f", b"\xe2\x80\xae", b"\xc3\xa9", b"me", b"example.com", b"xn--",
    b"jane.doe",
];

pub fn seeds() -> Vec<Vec<u8>> {
    let texts: &[&str] = &[
        "jane.doe", "o'brien", "example.com", "Example.COM.", "sub.example.co.uk", "123456", "me", "admin_1",
        "jane.doe@example.com", "x+tag@partner.example", "../etc", "a/b", "a?b#c", "caf\u{e9}", "a b", "-start", "",
    ];
    let mut out = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let mut v = vec![i as u8];
        v.extend_from_slice(t.as_bytes());
        out.push(v);
    }
    out
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The segment property, for an encoded value and what it stands for.
fn check_segment(encoded: &str, value: &str) {
    let b = encoded.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            assert!(
                i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit(),
                "a bare % in {encoded:?}"
            );
            i += 3;
        } else {
            assert!(unreserved(b[i]), "{:?} left unencoded in {encoded:?}", b[i] as char);
            i += 1;
        }
    }
    assert!(!encoded.is_empty(), "an empty segment was accepted");
    assert!(encoded != "." && encoded != "..", "a dot segment was accepted: {encoded:?}");
    assert!(!encoded.contains(['/', '?', '#']));
    let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8().expect("decodes to UTF-8");
    assert_eq!(decoded, value, "the segment does not decode to the value");
    // Once decoded, it is still not a dot segment (servers decode before resolving).
    assert!(decoded != "." && decoded != "..", "decodes to a dot segment: {encoded:?}");
}

/// A name that passed a typed check is also one clean segment.
fn check_name(name: &str) {
    let enc = names::path_segment("name", name).unwrap_or_else(|e| panic!("accepted {name:?} but not as a segment: {e}"));
    check_segment(&enc, name);
}

pub fn run(data: &[u8]) -> u64 {
    let (sel, text) = match data {
        [a, rest @ ..] => (*a, String::from_utf8_lossy(rest)),
        [] => (0, "".into()),
    };
    let s = text.as_ref();
    let ok = match sel % 7 {
        0 => names::path_segment("name", s).map(|enc| check_segment(&enc, s)).is_ok(),
        1 => names::domain_name(s)
            .map(|d| {
                check_name(&d);
                assert_eq!(names::path_segment("domain", &d).ok().as_deref(), Some(d.as_str()), "a domain needed encoding");
                assert_eq!(names::domain_name(&d).ok().as_deref(), Some(d.as_str()), "domain_name is not stable");
            })
            .is_ok(),
        2 => names::mailbox_name("mailbox", s)
            .map(|m| {
                check_name(&m);
                assert_eq!(names::mailbox_name("mailbox", &m).ok().as_deref(), Some(m.as_str()), "mailbox_name is not stable");
            })
            .is_ok(),
        3 => names::admin_id(s).map(|a| check_name(&a)).is_ok(),
        4 => names::account(s).map(|a| check_name(&a)).is_ok(),
        5 => EmailAddress::parse(s)
            .map(|a| {
                check_name(&a.local);
                check_name(&a.domain);
                assert_eq!(EmailAddress::parse(&a.to_string()).ok().as_ref(), Some(&a), "an address does not parse back");
            })
            .is_ok(),
        _ => EmailAddress::parse_external("address", s)
            .map(|a| {
                // External addresses are never URL segments as a whole, but their domain is.
                check_name(&a.domain);
                assert!(!a.local.is_empty() && !a.local.contains('@') && !a.local.contains(char::is_whitespace), "{a:?}");
            })
            .is_ok(),
    };
    crate::fingerprint((sel % 7, ok, s.len().min(70) / 10))
}
