//! Typed errors of the API client.
//!
//! Inside, an error says what happened and keeps everything the server told us (status,
//! `x-error-message`, the fault body). At the edge, [`ApiError::user_message`] gives the plain
//! sentence a person reads, and [`ApiError::detail`] the server's own words, shown as "Details".
//! No variant ever holds a secret: requests are never stored in errors.

use serde::Serialize;
use std::fmt;
use std::time::Duration;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// Whether a failed request could have reached the server. This decides whether a retry
/// of a write is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendPhase {
    /// The request certainly did not leave this computer (e.g. connection refused).
    NotSent,
    /// The request may have reached the server (e.g. the connection dropped mid-response).
    MaybeSent,
}

/// Why a server certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertReason {
    /// Issued by a certificate authority this computer does not trust (e.g. a company's
    /// TLS-inspecting proxy whose root is not installed).
    Untrusted,
    Expired,
    NotYetValid,
    /// Made out for another name than the server's.
    WrongName,
    Revoked,
    /// This computer's trusted root certificates could not be loaded at all.
    NoTrustedRoots,
    /// Anything else wrong with it (damaged, wrong purpose, unsupported algorithm).
    Invalid,
}

/// A fault body as the service sends it: `{"badRequestFault":{"message":..,"details":..,"code":400}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// The root name, e.g. `badRequestFault`, `itemNotFoundFault`, `unauthorizedFault`.
    pub kind: String,
    pub message: Option<String>,
    pub details: Option<String>,
    pub code: Option<u16>,
    /// `itemNotFoundFault` names what was missing (Domain, Mailbox, ...).
    pub resource_type: Option<String>,
}

/// Everything the server said about a failed request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServerReply {
    pub status: u16,
    /// The `x-error-message` response header.
    pub error_message: Option<String>,
    pub fault: Option<Fault>,
    /// The server's `Date` header, RFC 1123, when it sent one (used to measure clock skew).
    pub server_date: Option<String>,
}

impl ServerReply {
    /// The server's own words: the fault message, else the header, else nothing.
    pub fn message(&self) -> Option<&str> {
        self.fault
            .as_ref()
            .and_then(|f| f.message.as_deref())
            .filter(|m| !m.trim().is_empty())
            .or(self.error_message.as_deref().filter(|m| !m.trim().is_empty()))
    }
}

/// Every class of failure in Rackdesk, API or not: one short, stable name each. The CLI's
/// exit codes come from one match on it, the app sends it to the page (as a TypeScript union
/// generated from [`ErrorKind::ALL`]), and the journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    // What Rackspace (or the connection to it) answered.
    InvalidInput,
    AuthFailed,
    Forbidden,
    Throttled,
    NotFound,
    Rejected,
    Conflict,
    /// A mailbox or alias of that name already exists in the domain.
    AlreadyExists,
    /// Deleting a mailbox that aliases still deliver to, without saying what to do with them.
    AliasesDeliverHere,
    /// An address whose domain looks like a misspelling of one of the account's domains.
    DomainTypo,
    ServerFault,
    Network,
    Timeout,
    /// The proxy this computer uses could not be reached.
    ProxyUnreachable,
    /// The proxy asks for a user name and password (HTTP 407), or refused the ones given.
    ProxyAuth,
    /// The proxy would not connect Rackdesk to the server.
    ProxyRefused,
    /// The server's certificate did not pass the check against this computer's trust store.
    Certificate,
    /// The server's name could not be found (DNS).
    NameNotFound,
    Undecodable,
    Unconfirmed,
    /// A listing that did not page as the API says (looping, not advancing, past its total).
    BadPaging,
    /// An answer longer than Rackdesk reads.
    TooLarge,
    // Checking keys with a real call.
    WrongKeys,
    ClockSkew,
    Offline,
    WrongAccount,
    // Keys bound to the API address they were stored for.
    WrongHost,
    // The credential vault.
    VaultUnavailable,
    VaultLocked,
    VaultEntryMissing,
    VaultFailure,
    // Identities, settings and roles on this computer.
    Config,
    Duplicate,
    NoIdentity,
    NotAllowed,
    Passphrase,
    // The audit journal.
    Journal,
    // Bulk jobs.
    JobStore,
    NoSuchJob,
    JobBusy,
    JobUnfinished,
    // Files the person chose.
    File,
    /// The system clipboard could not be used.
    Clipboard,
    // The team journal (a shared PostgreSQL database).
    /// The team database cannot be reached (network, server stopped, timeout).
    TeamUnreachable,
    /// The team database's certificate is not trusted, or names another server.
    TeamTls,
    /// The team database refused the login (password, certificate, or not allowed to connect).
    TeamAuth,
    /// Team mode is not set up on this computer, or the team database is not set up (or is newer).
    TeamNotReady,
    /// The team database refused or failed something else; the details say what.
    TeamDatabase,
    // Updates of the app itself.
    /// A downloaded update did not pass the signature check, and was not installed.
    UpdateUnverified,
    /// An update could not be found, downloaded or installed (other than a network failure).
    UpdateFailed,
    /// Something Rackdesk did not expect (a bug); the details say what.
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 51] = [
        ErrorKind::InvalidInput,
        ErrorKind::AuthFailed,
        ErrorKind::Forbidden,
        ErrorKind::Throttled,
        ErrorKind::NotFound,
        ErrorKind::Rejected,
        ErrorKind::Conflict,
        ErrorKind::AlreadyExists,
        ErrorKind::AliasesDeliverHere,
        ErrorKind::DomainTypo,
        ErrorKind::ServerFault,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::ProxyUnreachable,
        ErrorKind::ProxyAuth,
        ErrorKind::ProxyRefused,
        ErrorKind::Certificate,
        ErrorKind::NameNotFound,
        ErrorKind::Undecodable,
        ErrorKind::Unconfirmed,
        ErrorKind::BadPaging,
        ErrorKind::TooLarge,
        ErrorKind::WrongKeys,
        ErrorKind::ClockSkew,
        ErrorKind::Offline,
        ErrorKind::WrongAccount,
        ErrorKind::WrongHost,
        ErrorKind::VaultUnavailable,
        ErrorKind::VaultLocked,
        ErrorKind::VaultEntryMissing,
        ErrorKind::VaultFailure,
        ErrorKind::Config,
        ErrorKind::Duplicate,
        ErrorKind::NoIdentity,
        ErrorKind::NotAllowed,
        ErrorKind::Passphrase,
        ErrorKind::Journal,
        ErrorKind::JobStore,
        ErrorKind::NoSuchJob,
        ErrorKind::JobBusy,
        ErrorKind::JobUnfinished,
        ErrorKind::File,
        ErrorKind::Clipboard,
        ErrorKind::TeamUnreachable,
        ErrorKind::TeamTls,
        ErrorKind::TeamAuth,
        ErrorKind::TeamNotReady,
        ErrorKind::TeamDatabase,
        ErrorKind::UpdateUnverified,
        ErrorKind::UpdateFailed,
        ErrorKind::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::AuthFailed => "auth-failed",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Throttled => "throttled",
            ErrorKind::NotFound => "not-found",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Conflict => "conflict",
            ErrorKind::AlreadyExists => "already-exists",
            ErrorKind::AliasesDeliverHere => "aliases-deliver-here",
            ErrorKind::DomainTypo => "domain-typo",
            ErrorKind::ServerFault => "server-fault",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::ProxyUnreachable => "proxy-unreachable",
            ErrorKind::ProxyAuth => "proxy-auth",
            ErrorKind::ProxyRefused => "proxy-refused",
            ErrorKind::Certificate => "certificate",
            ErrorKind::NameNotFound => "name-not-found",
            ErrorKind::Undecodable => "undecodable",
            ErrorKind::Unconfirmed => "unconfirmed",
            ErrorKind::BadPaging => "bad-paging",
            ErrorKind::TooLarge => "too-large",
            ErrorKind::WrongKeys => "wrong-keys",
            ErrorKind::ClockSkew => "clock-skew",
            ErrorKind::Offline => "offline",
            ErrorKind::WrongAccount => "wrong-account",
            ErrorKind::WrongHost => "wrong-host",
            ErrorKind::VaultUnavailable => "vault-unavailable",
            ErrorKind::VaultLocked => "vault-locked",
            ErrorKind::VaultEntryMissing => "vault-entry-missing",
            ErrorKind::VaultFailure => "vault-failure",
            ErrorKind::Config => "config",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::NoIdentity => "no-identity",
            ErrorKind::NotAllowed => "not-allowed",
            ErrorKind::Passphrase => "passphrase",
            ErrorKind::Journal => "journal",
            ErrorKind::JobStore => "job-store",
            ErrorKind::NoSuchJob => "no-such-job",
            ErrorKind::JobBusy => "job-busy",
            ErrorKind::JobUnfinished => "job-unfinished",
            ErrorKind::File => "file",
            ErrorKind::Clipboard => "clipboard",
            ErrorKind::TeamUnreachable => "team-unreachable",
            ErrorKind::TeamTls => "team-tls",
            ErrorKind::TeamAuth => "team-auth",
            ErrorKind::TeamNotReady => "team-not-ready",
            ErrorKind::TeamDatabase => "team-database",
            ErrorKind::UpdateUnverified => "update-unverified",
            ErrorKind::UpdateFailed => "update-failed",
            ErrorKind::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What every error of the core can say about itself: its kind, one plain sentence for a
/// person (what happened, what to do), and the technical detail or the server's own words.
/// Each edge (app, CLI) converts errors in one place through this trait.
pub trait Explain {
    fn kind(&self) -> ErrorKind;
    fn user_message(&self) -> String;
    fn detail(&self) -> Option<String>;
    /// All three, as one value.
    fn failure(&self) -> Failure {
        Failure { kind: self.kind(), message: self.user_message(), detail: self.detail() }
    }
}

impl<T: Explain + ?Sized> Explain for &T {
    fn kind(&self) -> ErrorKind {
        (**self).kind()
    }
    fn user_message(&self) -> String {
        (**self).user_message()
    }
    fn detail(&self) -> Option<String> {
        (**self).detail()
    }
}

/// An error as a person reads it: the edge-neutral form every error becomes at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    pub detail: Option<String>,
}

impl Failure {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Failure {
        Failure { kind, message: message.into(), detail: None }
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Failure {
        self.detail = Some(detail.into());
        self
    }
}

impl Explain for Failure {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn user_message(&self) -> String {
        self.message.clone()
    }
    fn detail(&self) -> Option<String> {
        self.detail.clone()
    }
}

/// Implements [`Explain`] for an error type whose inherent `kind`, `user_message` and `detail`
/// already say it.
macro_rules! explain_by_methods {
    ($t:ty) => {
        impl $crate::error::Explain for $t {
            fn kind(&self) -> $crate::ErrorKind {
                <$t>::kind(self)
            }
            fn user_message(&self) -> String {
                <$t>::user_message(self)
            }
            fn detail(&self) -> Option<String> {
                <$t>::detail(self)
            }
        }
    };
}
pub(crate) use explain_by_methods;

impl Explain for ApiError {
    fn kind(&self) -> ErrorKind {
        ApiError::kind(self)
    }
    fn user_message(&self) -> String {
        ApiError::user_message(self)
    }
    fn detail(&self) -> Option<String> {
        ApiError::detail(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Refused before anything was sent: a name or value that cannot be right.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },

    /// 403 `Authentication failed.`: wrong keys, a mismatched User-Agent or a clock that is off.
    #[error("authentication failed (HTTP {})", .0.status)]
    AuthFailed(ServerReply),

    /// 403 that is neither a signature failure nor throttling (e.g. a reseller-only operation).
    #[error("not allowed (HTTP {})", .0.status)]
    Forbidden(ServerReply),

    /// 403 `Exceeded request limits`, still so after waiting and retrying.
    #[error("rate limit still exceeded after {attempts} attempts")]
    Throttled { attempts: u32, reply: ServerReply },

    /// 404.
    #[error("not found (HTTP {})", .0.status)]
    NotFound(ServerReply),

    /// 400 (`badRequestFault`, `validationFault`) or 406/417: the server refused the input.
    #[error("request refused (HTTP {})", .0.status)]
    Rejected(ServerReply),

    /// 409: conflicts with what exists (e.g. the name is taken).
    #[error("conflict (HTTP {})", .0.status)]
    Conflict(ServerReply),

    /// 5xx, or any other status we do not expect.
    #[error("server fault (HTTP {})", .0.status)]
    ServerFault(ServerReply),

    /// The connection failed.
    #[error("network failure ({phase:?}): {message}")]
    Network { phase: SendPhase, message: String },

    /// No answer in time. `via_proxy` names the proxy the connection went through, if any.
    #[error("timed out after {after:?} ({phase:?})")]
    Timeout { phase: SendPhase, after: Duration, via_proxy: Option<crate::net::ProxyInUse> },

    /// The proxy could not be reached (nothing was sent).
    #[error("the proxy {proxy} could not be reached: {message}")]
    ProxyUnreachable { proxy: crate::net::ProxyInUse, message: String },

    /// The proxy answered the connection request with 407: it wants a user name and password,
    /// or did not accept the ones in its address (nothing was sent to the server).
    #[error("the proxy {proxy} requires authentication (HTTP 407)")]
    ProxyAuth { proxy: crate::net::ProxyInUse },

    /// The proxy answered the connection request with another refusal, or closed it: it
    /// blocks the server, or could not reach it (nothing was sent to the server).
    #[error("the proxy {proxy} refused to connect to {host}: {message}")]
    ProxyRefused { proxy: crate::net::ProxyInUse, host: String, message: String },

    /// The server's certificate was refused by the check against this computer's trust store
    /// (nothing was sent). `issuer` and `subject` are read from the certificate it presented.
    #[error("the certificate of {host} was refused ({reason:?}): {cause}")]
    Certificate { host: String, reason: CertReason, issuer: Option<String>, subject: Option<String>, cause: String },

    /// The server's name could not be resolved (nothing was sent).
    #[error("the name {host} could not be found: {message}")]
    NameNotFound { host: String, message: String },

    /// The server answered 2xx but the body is not what the API documents.
    #[error("could not read the server's answer at `{path}`: {message}")]
    Undecodable { status: u16, path: String, message: String },

    /// A change may or may not have been made: the request may have reached the server and
    /// reading the object back did not settle it.
    #[error("outcome unknown: {cause}")]
    Unconfirmed { cause: Box<ApiError> },

    /// A listing broke the paging rules (reference §5.1): an offset other than the one asked
    /// for, an empty page before the reported total, more pages than the total allows, a
    /// total that jumped, or an offset past the largest number. Reading stopped there rather
    /// than loop; only reads page, so nothing was changed.
    #[error("bad paging at offset {offset} (page {page}, total {total}): {reason}")]
    BadPaging { offset: u32, page: u32, total: u32, reason: String },

    /// A successful answer was longer than the client reads (`limit` bytes), whether the
    /// `Content-Length` said so or the body ran past it. The server answered with `status`;
    /// the body was set aside unread.
    #[error("the answer (HTTP {status}) is longer than {limit} bytes")]
    TooLarge { limit: u64, status: u16 },

    /// An asynchronous Exchange change (distribution lists, reference §6.11) was accepted,
    /// then settled with an error: `reply` holds the object's `Error` (its `Message` as the
    /// fault message, `Details`, `Code`), `action` the `Error.Action` it names.
    #[error("the change was accepted but then failed ({})", .reply.message().unwrap_or("no message"))]
    AsyncFailed { action: Option<String>, reply: ServerReply },

    /// An asynchronous change was accepted but had not settled when Rackdesk stopped
    /// waiting: it may still happen, or fail. Never reported as done.
    #[error("not settled after {waited:?} (last status: {})", .last_status.as_deref().unwrap_or("none"))]
    NotSettled { waited: Duration, last_status: Option<String> },
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::InvalidInput { field: field.into(), reason: reason.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::InvalidInput { .. } => ErrorKind::InvalidInput,
            ApiError::AuthFailed(_) => ErrorKind::AuthFailed,
            ApiError::Forbidden(_) => ErrorKind::Forbidden,
            ApiError::Throttled { .. } => ErrorKind::Throttled,
            ApiError::NotFound(_) => ErrorKind::NotFound,
            ApiError::Rejected(_) => ErrorKind::Rejected,
            ApiError::Conflict(_) => ErrorKind::Conflict,
            ApiError::ServerFault(_) => ErrorKind::ServerFault,
            ApiError::Network { .. } => ErrorKind::Network,
            ApiError::Timeout { .. } => ErrorKind::Timeout,
            ApiError::ProxyUnreachable { .. } => ErrorKind::ProxyUnreachable,
            ApiError::ProxyAuth { .. } => ErrorKind::ProxyAuth,
            ApiError::ProxyRefused { .. } => ErrorKind::ProxyRefused,
            ApiError::Certificate { .. } => ErrorKind::Certificate,
            ApiError::NameNotFound { .. } => ErrorKind::NameNotFound,
            ApiError::Undecodable { .. } => ErrorKind::Undecodable,
            ApiError::Unconfirmed { .. } => ErrorKind::Unconfirmed,
            ApiError::BadPaging { .. } => ErrorKind::BadPaging,
            ApiError::TooLarge { .. } => ErrorKind::TooLarge,
            // No new kinds (the app's page and the CLI's exit codes already know these): a
            // change Rackspace accepted and then could not carry out is refused input in
            // effect; one that has not settled has an unknown outcome.
            ApiError::AsyncFailed { .. } => ErrorKind::Rejected,
            ApiError::NotSettled { .. } => ErrorKind::Unconfirmed,
        }
    }

    /// What the server said, if it said anything.
    pub fn reply(&self) -> Option<&ServerReply> {
        match self {
            ApiError::AuthFailed(r)
            | ApiError::Forbidden(r)
            | ApiError::NotFound(r)
            | ApiError::Rejected(r)
            | ApiError::Conflict(r)
            | ApiError::ServerFault(r)
            | ApiError::Throttled { reply: r, .. }
            | ApiError::AsyncFailed { reply: r, .. } => Some(r),
            ApiError::Unconfirmed { cause } => cause.reply(),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Undecodable { status, .. } => Some(*status),
            other => other.reply().map(|r| r.status),
        }
    }

    /// True when the server said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound(_))
    }

    /// One plain sentence for a person: what happened and what to do.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::InvalidInput { field, reason } => {
                format!("The {field} is not valid: {reason}. Nothing was sent to Rackspace.")
            }
            ApiError::AuthFailed(_) => "Rackspace did not accept the API keys. Check that the user key and secret key \
                 belong together and were copied in full, and that this computer's clock is right."
                .into(),
            ApiError::Forbidden(_) => "Rackspace refused this operation for these API keys. It may need a reseller \
                 account or a super admin."
                .into(),
            ApiError::Throttled { attempts, .. } => format!(
                "Rackspace's rate limit was still exceeded after {attempts} tries. Another program may be \
                 using the same API keys; wait a few minutes and try again."
            ),
            ApiError::NotFound(r) => match r.fault.as_ref().and_then(|f| f.resource_type.as_deref()) {
                Some(t) => format!("Rackspace could not find that {}. Check the spelling.", resource_words(t)),
                None => "Rackspace could not find that. Check the spelling.".into(),
            },
            ApiError::Rejected(_) => "Rackspace refused the request because something in it is not valid; see the details.".into(),
            ApiError::Conflict(_) => "Rackspace refused the request because it conflicts with what already exists; see the details.".into(),
            ApiError::ServerFault(r) => format!(
                "Rackspace had a problem on its side (HTTP {}). Nothing is wrong with your input; try again later.",
                r.status
            ),
            ApiError::Network { phase: SendPhase::NotSent, .. } => "Rackdesk could not reach Rackspace. Check the internet connection; nothing was sent.".into(),
            ApiError::Network { phase: SendPhase::MaybeSent, .. } => "The connection to Rackspace broke before the answer arrived. Check the internet connection and try again.".into(),
            ApiError::Timeout { after, via_proxy: None, .. } => format!(
                "Rackspace did not answer within {} seconds. Try again in a moment.",
                after.as_secs().max(1)
            ),
            ApiError::Timeout { after, via_proxy: Some(p), .. } => format!(
                "Rackspace did not answer within {} seconds through the proxy {}. Try again in a moment; if it keeps \
                 happening, the proxy may be slow or blocking the connection (ask IT).",
                after.as_secs().max(1),
                p.address
            ),
            ApiError::ProxyUnreachable { proxy, .. } => format!(
                "Rackdesk could not reach the proxy server {}, which this computer is set to use for the internet \
                 (set in {}). Check that the proxy address is right and the proxy is running, or ask IT. Nothing was sent.",
                proxy.address, proxy.from
            ),
            ApiError::ProxyAuth { proxy } if proxy.has_credentials => format!(
                "The proxy server {} did not accept the user name and password in its address (set in {}). Check them, \
                 or ask IT to let Rackdesk reach Rackspace without signing in. Nothing was sent.",
                proxy.address, proxy.from
            ),
            ApiError::ProxyAuth { proxy } => format!(
                "The proxy server {} asks for a user name and password. Put them in the proxy address \
                 (http://USER:PASSWORD@{} in {}), or ask IT to let Rackdesk reach Rackspace without signing in; \
                 proxies that need a Windows sign-in (NTLM or Kerberos) are not supported. Nothing was sent.",
                proxy.address, proxy.address, proxy.from
            ),
            ApiError::ProxyRefused { proxy, host, .. } => format!(
                "The proxy server {} refused to connect Rackdesk to {host}: it blocks that address, or could not reach \
                 it{}. Ask IT to allow https://{host}. Nothing was sent.",
                proxy.address,
                // Some proxies (tinyproxy, for one) answer wrong credentials with a refusal, not 407.
                if proxy.has_credentials { ", or did not accept the user name and password in its address" } else { "" }
            ),
            ApiError::Certificate { host, reason, issuer, .. } => {
                let by = match issuer {
                    Some(i) => format!("\"{}\"", crate::x509::short(i)),
                    None => "a certificate authority it could not name".to_owned(),
                };
                match reason {
                    CertReason::Untrusted => format!(
                        "The server {host} presented a certificate issued by {by}, which this computer does not trust, so \
                         Rackdesk did not connect. If your company inspects secure traffic, IT must install that \
                         certificate authority in this computer's trusted root certificates; if not, the connection \
                         may be intercepted. Rackdesk never skips this check."
                    ),
                    CertReason::Expired => format!(
                        "The certificate of {host} (issued by {by}) has expired, or this computer's date is wrong, so \
                         Rackdesk did not connect. Check the date and time; if they are right, tell IT."
                    ),
                    CertReason::NotYetValid => format!(
                        "The certificate of {host} (issued by {by}) is not valid yet, or this computer's date is wrong, \
                         so Rackdesk did not connect. Check the date and time; if they are right, tell IT."
                    ),
                    CertReason::WrongName => format!(
                        "The certificate presented for {host} (issued by {by}) is made out for another name, so Rackdesk \
                         did not connect. Something between this computer and Rackspace may be answering in its place; \
                         tell IT."
                    ),
                    CertReason::Revoked => format!(
                        "The certificate of {host} (issued by {by}) has been revoked, so Rackdesk did not connect. Tell IT."
                    ),
                    CertReason::NoTrustedRoots => "This computer's trusted root certificates could not be loaded, so no \
                         secure connection can be checked and Rackdesk did not connect. On Linux, install the \
                         ca-certificates package; otherwise tell IT."
                        .to_owned(),
                    CertReason::Invalid => format!(
                        "The certificate of {host} (issued by {by}) could not be verified, so Rackdesk did not connect. \
                         Tell IT, with the details."
                    ),
                }
            }
            ApiError::NameNotFound { host, .. } => format!(
                "Rackdesk could not find the server {host}: the name does not exist, or this computer cannot reach \
                 its name servers (DNS). Check the internet connection and the API address. Nothing was sent."
            ),
            ApiError::Undecodable { .. } => "Rackspace sent an answer Rackdesk could not read. Try again; if it keeps happening, report it with the details.".into(),
            ApiError::Unconfirmed { .. } => "The connection broke while the change was being sent, and Rackdesk could not confirm whether Rackspace made it. Check the object before trying again.".into(),
            ApiError::BadPaging { .. } => "Rackspace's list did not page as it should, so Rackdesk stopped reading it. Nothing was changed. Try again; if it keeps happening, report it with the details.".into(),
            ApiError::AsyncFailed { .. } => "Rackspace accepted the change but then could not carry it out; see the details for its own words. \
                 Check the object before trying again."
                .into(),
            ApiError::NotSettled { waited, last_status } => format!(
                "Rackspace accepted the change but had not finished it after {} seconds{}. It may still be carried out, or fail: \
                 check the object in a few minutes before trying again.",
                waited.as_secs().max(1),
                match last_status {
                    Some(s) => format!(" (its status was still \"{s}\")"),
                    None => String::new(),
                }
            ),
            ApiError::TooLarge { limit, .. } => {
                let size = if limit % (1024 * 1024) == 0 {
                    format!("{} MiB", limit / (1024 * 1024))
                } else {
                    format!("{limit} bytes")
                };
                format!(
                    "Rackspace sent an answer larger than Rackdesk reads ({size}), so it was set aside unread. \
                     Nothing was changed. Try again; if it keeps happening, report it with the details."
                )
            }
        }
    }

    /// The server's own words, or the technical cause, for the "Details" line.
    pub fn detail(&self) -> Option<String> {
        match self {
            ApiError::Network { message, .. } => Some(message.clone()),
            ApiError::ProxyUnreachable { message, .. } | ApiError::ProxyRefused { message, .. } | ApiError::NameNotFound { message, .. } => {
                Some(message.clone())
            }
            ApiError::ProxyAuth { proxy } => Some(format!("HTTP 407 Proxy Authentication Required from {proxy}")),
            ApiError::Certificate { issuer, subject, cause, .. } => Some(format!(
                "certificate: {}; issued by: {}; {cause}",
                subject.as_deref().unwrap_or("(no name)"),
                issuer.as_deref().unwrap_or("(no name)")
            )),
            ApiError::Timeout { via_proxy: Some(p), .. } => Some(format!("through the proxy {p}")),
            ApiError::Undecodable { path, message, status } => {
                Some(format!("HTTP {status}, at `{path}`: {message}"))
            }
            ApiError::Unconfirmed { cause } => Some(format!("{cause}")),
            ApiError::BadPaging { offset, page, total, reason } => {
                Some(format!("page {page}, offset {offset}, reported total {total}: {reason}"))
            }
            ApiError::TooLarge { limit, status } => Some(format!("HTTP {status}: the answer is longer than {limit} bytes")),
            ApiError::NotSettled { waited, last_status } => {
                Some(format!("waited {} ms; last status: {}", waited.as_millis(), last_status.as_deref().unwrap_or("none reported")))
            }
            ApiError::AsyncFailed { action, reply } => {
                let mut d = reply.message().unwrap_or("no message").to_owned();
                if let Some(f) = &reply.fault {
                    if let Some(x) = f.details.as_deref().filter(|x| !x.trim().is_empty()) {
                        d.push_str(&format!(" ({x})"));
                    }
                }
                if let Some(a) = action {
                    d = format!("{a}: {d}");
                }
                Some(d)
            }
            ApiError::InvalidInput { .. } | ApiError::Timeout { .. } => None,
            other => other.reply().and_then(|r| r.message().map(str::to_owned)),
        }
    }
}

/// A fault's `resourceType` as words: `Mailbox` → "mailbox", `SpamListEntry` → "spam list
/// entry", `DistributionList` → "distribution list".
fn resource_words(t: &str) -> String {
    let mut out = String::new();
    for (i, c) in t.trim().chars().enumerate() {
        if c.is_uppercase() && i > 0 && !out.ends_with(' ') {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message.as_deref().unwrap_or(""))
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    #[test]
    fn missing_things_are_named_in_words() {
        assert_eq!(resource_words("SpamListEntry"), "spam list entry");
        assert_eq!(resource_words("Mailbox"), "mailbox");
        assert_eq!(resource_words("DistributionList"), "distribution list");
    }

    #[test]
    fn every_kind_is_listed_once_and_serialized_under_its_name() {
        let names: std::collections::BTreeSet<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        for k in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
            assert_eq!(ErrorKind::parse(k.as_str()), Some(k));
        }
    }
}
