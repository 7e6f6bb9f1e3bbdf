//! Doors for the fuzz harnesses (`crates/rackdesk-fuzz`) into pure functions that are private
//! to this crate: how an answer of the service is decoded and how an error answer is
//! classified. Not part of Rackdesk's API; nothing else should call these.

use crate::client::{classify, decode};
use crate::error::ApiError;
use crate::models;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;

/// Classifies an error answer exactly as the client does after a request. Headers that are
/// not valid HTTP (which the HTTP stack would never hand over) are left out; `None` when
/// `status` is not a valid HTTP status (100 to 999).
pub fn classify_reply(status: u16, headers: &[(&[u8], &[u8])], body: &[u8]) -> Option<ApiError> {
    let status = StatusCode::from_u16(status).ok()?;
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            map.append(n, v);
        }
    }
    Some(classify(status, &map, body))
}

/// The answers the client decodes from JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Customer,
    Admin,
    AdminList,
    Domain,
    DomainList,
    Mailbox,
    MailboxList,
    AliasList,
    Alias,
}

impl Answer {
    pub const ALL: [Answer; 9] = [
        Answer::Customer,
        Answer::Admin,
        Answer::AdminList,
        Answer::Domain,
        Answer::DomainList,
        Answer::Mailbox,
        Answer::MailboxList,
        Answer::AliasList,
        Answer::Alias,
    ];
}

/// Decodes `body` as the client decodes a successful answer of that kind. On success, the
/// number of items read (1 for a single resource); on failure, the client's error.
pub fn decode_answer(kind: Answer, status: u16, body: &[u8]) -> Result<usize, ApiError> {
    Ok(match kind {
        Answer::Customer => decode::<models::Customer>(status, body).map(|_| 1)?,
        Answer::Admin => decode::<models::Admin>(status, body).map(|_| 1)?,
        Answer::AdminList => decode::<models::AdminList>(status, body)?.admins.len(),
        Answer::Domain => decode::<models::Domain>(status, body).map(|_| 1)?,
        Answer::DomainList => decode::<models::DomainList>(status, body)?.domains.len(),
        Answer::Mailbox => decode::<models::Mailbox>(status, body).map(|_| 1)?,
        Answer::MailboxList => decode::<models::MailboxList>(status, body)?.rs_mailboxes.len(),
        Answer::AliasList => decode::<models::AliasList>(status, body)?.aliases.len(),
        Answer::Alias => decode::<models::Alias>(status, body)?.members.len(),
    })
}
