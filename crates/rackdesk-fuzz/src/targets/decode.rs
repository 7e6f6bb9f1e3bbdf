//! `decode`: an answer of the service (status, headers, body) → the client's JSON decoding
//! of every kind of answer, and its classification of error answers, then the sentences a
//! person reads about the error. Reaches the crate-private functions through
//! `rackdesk_core::fuzz_hooks`.
//!
//! Input layout: bytes 0–1 the status (big-endian, taken modulo 1000), byte 2 which answer
//! to decode, then header lines `name: value` up to an empty line, then the body.

use crate::Target;
use rackdesk_core::fuzz_hooks::{classify_reply, decode_answer, Answer};
use rackdesk_core::{ApiError, ErrorKind};

pub const TARGET: Target = Target {
    name: "decode",
    about: "API answers: JSON decoding of every answer kind, error classification, user messages",
    run,
    seeds,
    dictionary: DICTIONARY,
};

const DICTIONARY: &[&[u8]] = &[
    b"x-error-message: ", b"Date: ", b"Exceeded request limits", b"Authentication failed.", b"{\"", b"\":", b"null",
    b"true", b"false", b"[]", b"{}", b"\"Fault\"", b"unauthorizedFault", b"itemNotFoundFault", b"badRequestFault",
    b"\"message\"", b"\"details\"", b"\"code\"", b"\"resourceType\"", b"65536", b"-1", b"1e999", b"4294967296",
    b"\"offset\"", b"\"size\"", b"\"total\"", b"\"rsMailboxes\"", b"\"domains\"", b"\"aliases\"", b"\"admins\"",
    b"\"emailAddressList\"", b"\"emailAddress\"", b"\"singleMemberName\"", b"\"name\"", b"\\u0000", b"\\ud800",
    b"\xc3\xa9", b"\n\n",
];

/// Whether to insist that nothing follows the JSON value: the client's `decode` refuses
/// `{"name":"x"}garbage` (found by this harness, fixed in client.rs).
const TRAILING: bool = true;

fn seed(status: u16, answer: u8, headers: &str, body: &str) -> Vec<u8> {
    let mut v = status.to_be_bytes().to_vec();
    v.push(answer);
    v.extend_from_slice(headers.as_bytes());
    v.extend_from_slice(b"\n\n");
    v.extend_from_slice(body.as_bytes());
    v
}

pub fn seeds() -> Vec<Vec<u8>> {
    vec![
        seed(403, 0, "", r#"{"unauthorizedFault":{"message":"Authentication failed.","details":"4/11/2014 3:06:57 PM","code":403}}"#),
        seed(403, 0, "x-error-message: Exceeded request limits", ""),
        seed(403, 0, "x-error-message: Reseller only\nDate: Tue, 15 Nov 1994 08:12:31 GMT", ""),
        seed(404, 0, "", r#"{"itemNotFoundFault":{"message":"Mailbox not found","resourceType":"Mailbox","code":404}}"#),
        seed(400, 0, "x-error-message: Missing required field: password", r#"{"badRequestFault":{"message":"Missing required field: password","code":400}}"#),
        seed(503, 0, "", "<html>oops</html>"),
        seed(409, 0, "", r#"{"conflictFault":{"message":"Mailbox already exists","code":409}}"#),
        seed(200, 0, "", r#"{"accountNumber":"123456","name":"Example Inc","referenceNumber":"R1"}"#),
        seed(200, 1, "", r#"{"id":"admin","firstName":"A","lastName":"B","email":"a@example.com","type":"super","securityQuestion":"q","enabled":true}"#),
        seed(200, 2, "", r#"{"offset":0,"size":50,"total":1,"admins":[{"id":"admin","type":"super","enabled":true}]}"#),
        seed(200, 3, "", r#"{"name":"example.com","accountNumber":"123","serviceType":"rsemail","rsEmailBaseMailboxSize":2048,"rsEmailMaxNumberMailboxes":50}"#),
        seed(200, 4, "", r#"{"offset":0,"size":250,"total":2,"domains":[{"name":"example.com"},{"name":"other.example"}]}"#),
        seed(200, 5, "", r#"{"name":"jane","displayName":"Jane Doe","size":2048,"currentUsage":12,"enabled":true,"createdDate":"4/10/2006 7:47:34 PM","lastLogin":"1/1/2020 1:00:00 AM","vacationMessage":"Away","enableVacationMessage":true,"emailForwardingAddressList":{"emailAddress":["boss@example.com"]},"saveForwardedEmail":true,"contactInfo":{"firstName":"Jane"}}"#),
        seed(200, 6, "", r#"{"offset":0,"size":250,"total":1,"rsMailboxes":[{"name":"jane","displayName":"Jane","size":2048,"currentUsage":1,"enabled":true}]}"#),
        seed(200, 7, "", r#"{"aliases":[{"name":"sales","numberOfMembers":2},{"name":"team","singleMemberName":"jane@example.com","numberOfMembers":1}]}"#),
        seed(200, 8, "", r#"{"name":"sales","emailAddressList":{"emailAddress":["jane@example.com","sam@example.com"]}}"#),
        seed(200, 8, "", r#"{"name":"team","emailAddressList":{"emailAddress":"jane@example.com"}}"#),
        seed(200, 8, "", r#"{"name":"solo","singleMemberName":"jane@example.com"}"#),
    ]
}

fn split(data: &[u8]) -> (u16, u8, Vec<(&[u8], &[u8])>, &[u8]) {
    let status = match data {
        [a, b, ..] => u16::from_be_bytes([*a, *b]) % 1000,
        _ => 200,
    };
    let answer = data.get(2).copied().unwrap_or(0);
    let rest = data.get(3..).unwrap_or(&[]);
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (&[][..], rest),
    };
    let headers = head
        .split(|b| *b == b'\n')
        .filter_map(|line| {
            let i = line.iter().position(|b| *b == b':')?;
            let value = &line[i + 1..];
            Some((&line[..i], value.strip_prefix(b" ").unwrap_or(value)))
        })
        .collect();
    (status, answer, headers, body)
}

pub fn run(data: &[u8]) -> u64 {
    let (status, answer, headers, body) = split(data);
    let kind = Answer::ALL[answer as usize % Answer::ALL.len()];
    // Decoding as the client does for a successful answer.
    let decoded = match decode_answer(kind, 200, body) {
        Ok(n) => {
            // The body is one JSON value (see TRAILING).
            // (Not "parses as a serde_json::Value": values of unknown keys are skipped
            // without a full check, e.g. a lone \ud800 escape in them.)
            let first = body.iter().find(|b| !b.is_ascii_whitespace());
            assert!(first.is_some_and(|b| b"{[\"tfn-0123456789".contains(b)), "decoded an answer that does not start with JSON");
            if TRAILING {
                // Only white space may follow the first value (skipped the way the client
                // skips values it ignores).
                let mut values = serde_json::Deserializer::from_slice(body).into_iter::<serde::de::IgnoredAny>();
                if let Some(Ok(_)) = values.next() {
                    let end = values.byte_offset();
                    assert!(body[end..].iter().all(|b| b.is_ascii_whitespace()), "decoded an answer with bytes after the JSON");
                }
            }
            Some(n.min(3))
        }
        Err(ApiError::Undecodable { status, path, message }) => {
            assert_eq!(status, 200);
            assert!(!message.is_empty(), "an Undecodable error without a message (path {path:?})");
            None
        }
        Err(other) => panic!("decoding gave {other:?}, not Undecodable"),
    };
    // Classifying it as an error answer.
    let mut class = None;
    if let Some(e) = classify_reply(status, &headers, body) {
        let k = e.kind();
        match status {
            401 => assert_eq!(k, ErrorKind::AuthFailed),
            404 => assert_eq!(k, ErrorKind::NotFound),
            409 => assert_eq!(k, ErrorKind::Conflict),
            400 | 406 | 413 | 417 | 422 => assert_eq!(k, ErrorKind::Rejected),
            403 => assert!(matches!(k, ErrorKind::AuthFailed | ErrorKind::Throttled | ErrorKind::Forbidden), "{k:?}"),
            _ => assert_eq!(k, ErrorKind::ServerFault),
        }
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.is_not_found(), status == 404);
        let reply = e.reply().expect("a classified answer keeps the reply");
        assert_eq!(reply.status, status);
        if let Some(m) = reply.message() {
            assert!(!m.trim().is_empty(), "an empty server message is shown");
        }
        let said = e.user_message();
        assert!(!said.trim().is_empty(), "no sentence for {k:?}");
        let _ = (e.detail(), e.to_string(), k.as_str());
        class = Some((k.as_str(), reply.fault.is_some(), reply.error_message.is_some()));
    }
    crate::fingerprint((kind as u8, decoded, class))
}
