//! How a failure reaches the person and the script: a sentence, optional details, and an exit
//! code taken from one match on the core's error kind.

use rackdesk_core::{ErrorKind, Explain};

/// Exit codes: what a script can rely on.
pub(crate) mod exit {
    pub const OK: u8 = 0;
    /// Something unexpected (a bug, a journal or settings file that cannot be used, output
    /// that cannot be written).
    pub const FAILURE: u8 = 1;
    /// The input was wrong: a bad name, value or flag, an unknown object, a missing `--yes`.
    pub const USER_ERROR: u8 = 2;
    /// The keys were refused, missing, or lack the rights.
    pub const AUTH: u8 = 3;
    /// Rackspace's rate limit was still exceeded after waiting and retrying.
    pub const THROTTLED: u8 = 4;
    /// Rackspace or the network failed (or the outcome of a change is unknown).
    pub const SERVER: u8 = 5;
    /// The credential vault cannot be used: nothing was stored or read.
    pub const VAULT: u8 = 6;
    /// The operator's role does not allow this (help-desk mode); refused and journaled.
    pub const NOT_ALLOWED: u8 = 7;
}

/// The exit code of each kind of failure: the one place that decides it.
pub(crate) fn exit_code(kind: ErrorKind) -> u8 {
    use ErrorKind as K;
    match kind {
        K::InvalidInput
        | K::NotFound
        | K::Rejected
        | K::Conflict
        | K::AlreadyExists
        | K::AliasesDeliverHere
        | K::DomainTypo
        | K::WrongAccount
        | K::WrongHost
        | K::Duplicate
        | K::NoSuchJob
        | K::JobBusy
        | K::JobUnfinished
        | K::File
        | K::Clipboard
        | K::TeamNotReady => exit::USER_ERROR,
        K::AuthFailed | K::Forbidden | K::WrongKeys | K::ClockSkew | K::VaultEntryMissing | K::NoIdentity | K::TeamAuth => exit::AUTH,
        K::Throttled => exit::THROTTLED,
        K::ServerFault
        | K::Network
        | K::Timeout
        | K::ProxyUnreachable
        | K::ProxyAuth
        | K::ProxyRefused
        | K::Certificate
        | K::NameNotFound
        | K::Undecodable
        | K::Unconfirmed
        | K::Offline
        | K::BadPaging
        | K::TooLarge
        | K::TeamUnreachable
        | K::TeamTls => exit::SERVER,
        K::VaultUnavailable | K::VaultLocked => exit::VAULT,
        K::NotAllowed | K::Passphrase => exit::NOT_ALLOWED,
        K::VaultFailure | K::Config | K::Journal | K::JobStore | K::TeamDatabase | K::Internal => exit::FAILURE,
        // Only the app updates itself; listed so every kind has its code.
        K::UpdateUnverified | K::UpdateFailed => exit::FAILURE,
    }
}

/// A failure at the edge: its kind, a sentence, optional details, an exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    pub detail: Option<String>,
    pub code: u8,
}

impl Failure {
    pub fn of(e: &dyn Explain) -> Failure {
        let f = e.failure();
        Failure { kind: f.kind, message: f.message, detail: f.detail, code: exit_code(f.kind) }
    }

    /// The failure as scripts read it under `--output json`: one JSON object on stderr.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"kind": self.kind.as_str(), "message": self.message, "detail": self.detail, "exitCode": self.code})
    }

    /// Writes the failure to stderr: a sentence and `Details:` for people, one JSON object
    /// for `--output json`.
    pub fn report(&self, json: bool) {
        if json {
            eprintln!("{}", self.to_json());
        } else {
            eprintln!("rackdesk: {}", self.message);
            if let Some(d) = &self.detail {
                eprintln!("  Details: {d}");
            }
        }
    }
}

/// Every core error becomes a [`Failure`] the same way.
macro_rules! from_core_errors {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::of(&e)
            }
        }
    )*};
}

from_core_errors!(
    rackdesk_core::ApiError,
    rackdesk_core::Failure,
    rackdesk_core::identity::IdentityError,
    rackdesk_core::ops::OpsError,
    rackdesk_core::journal::JournalError,
    rackdesk_core::policy::Refusal,
    rackdesk_core::bulk::file::FileReadError,
    rackdesk_core::index::IndexError,
    rackdesk_core::team::TeamError,
);

/// A bulk error, with the command that resumes an unfinished job (the core's sentence names
/// no edge's way of doing it).
impl From<rackdesk_core::bulk::BulkError> for Failure {
    fn from(e: rackdesk_core::bulk::BulkError) -> Self {
        let mut f = Failure::of(&e);
        if let rackdesk_core::bulk::BulkError::Unfinished { id, .. } = &e {
            f.message.push_str(&format!(" Resume it with rackdesk bulk resume {id}, or cancel it with rackdesk bulk cancel {id}."));
        }
        f
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure { kind: ErrorKind::Internal, message: "Rackdesk could not write its output.".into(), detail: Some(e.to_string()), code: exit::FAILURE }
    }
}

pub(crate) fn user_error(message: impl Into<String>) -> Failure {
    Failure { kind: ErrorKind::InvalidInput, message: message.into(), detail: None, code: exit::USER_ERROR }
}

pub(crate) type Outcome = Result<(), Failure>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_an_exit_code_scripts_can_rely_on() {
        assert_eq!(exit_code(ErrorKind::NotAllowed), exit::NOT_ALLOWED);
        assert_eq!(exit_code(ErrorKind::VaultLocked), exit::VAULT);
        assert_eq!(exit_code(ErrorKind::Throttled), exit::THROTTLED);
        assert_eq!(exit_code(ErrorKind::WrongHost), exit::USER_ERROR);
        assert_eq!(exit_code(ErrorKind::Journal), exit::FAILURE);
        assert!(ErrorKind::ALL.iter().all(|k| exit_code(*k) != exit::OK));
        for k in [ErrorKind::Certificate, ErrorKind::ProxyAuth, ErrorKind::ProxyRefused, ErrorKind::ProxyUnreachable, ErrorKind::NameNotFound] {
            assert_eq!(exit_code(k), exit::SERVER, "{k}: a network failure");
        }
    }

    #[test]
    fn json_failures_carry_kind_message_detail_and_code() {
        let f = Failure::of(&rackdesk_core::Failure::new(ErrorKind::Certificate, "Not trusted.").with_detail("issued by: CN=X"));
        assert_eq!(
            f.to_json(),
            serde_json::json!({"kind": "certificate", "message": "Not trusted.", "detail": "issued by: CN=X", "exitCode": 5})
        );
        assert_eq!(user_error("Bad.").to_json()["detail"], serde_json::Value::Null);
    }
}
