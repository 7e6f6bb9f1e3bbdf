//! Rackdesk core: everything that is not a window or a terminal.
//!
//! * [`sign`]: the `X-Api-Signature` recipe and an injectable clock.
//! * [`client`]: the signed HTTP client with rate-limit pacing and safe retries.
//! * [`limits`]: the per-user-key scheduler that keeps to the published limits.
//! * [`models`]: typed models of the API's resources, with the reference's field names.
//! * [`names`]: validation of every name that becomes part of a URL.
//! * [`password`]: the mailbox password policy and a generator that meets it.
//! * [`error`]: typed errors and the plain sentence a person reads for each.
//! * [`journal`]: the local, append-only, tamper-evident record of every change (SQLite).
//! * [`exchange`]: Hosted Exchange mailboxes, permissions, contacts and distribution lists.
//! * [`spam`]: spam settings and safe/blocked lists of domains and mailboxes, and "why did this land in spam?".
//! * [`bulk`]: CSV bulk jobs: read, validate, plan, apply under the rate limits, resume after a crash.
//! * [`net`]: company networks: proxies, certificates against the OS trust store, their errors.
//! * [`logging`]: the rotating log file of the app and the CLI; [`diagnostics`] for support.
//! * [`team`]: the team journal: every computer's journal shipped to one PostgreSQL database.
//!
//! The desktop app, the `rackdesk` CLI, the simulator and the tests all use this crate.

pub mod addresses;
pub mod alias_book;
pub mod api;
pub mod bulk;
pub mod client;
pub mod csv_safe;
pub mod diagnostics;
pub mod identity;
pub mod journal;
pub mod error;
pub mod exchange;
pub mod export;
pub mod hosts;
pub mod index;
#[doc(hidden)]
pub mod fuzz_hooks;
pub mod limits;
pub mod logging;
pub mod manage;
pub mod models;
pub mod names;
pub mod net;
pub mod ops;
pub mod password;
pub mod policy;
pub mod rules;
pub mod sign;
pub mod spam;
pub mod team;
pub mod vault;
pub mod verify;
pub mod x509;

pub use client::{Client, ClientConfig, ClientEvent, Credentials, RetryPolicy};
pub use error::{ApiError, ErrorKind, Explain, Failure, Result};

/// The version of Rackdesk, as it appears in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The User-Agent every request carries and signs: `Rackdesk/<version>`.
pub fn user_agent() -> String {
    format!("Rackdesk/{VERSION}")
}

/// The real service's API root.
pub const DEFAULT_API_URL: &str = "https://api.emailsrvr.com/v1";

/// Random, made-up keys for the built-in sandbox (never real keys, never stored).
pub fn sandbox_keys() -> (String, secrecy::SecretString) {
    use rand::distr::{Alphanumeric, SampleString};
    let mut rng = rand::rng();
    let user_key = format!("sandbox{}", Alphanumeric.sample_string(&mut rng, 13));
    let secret = Alphanumeric.sample_string(&mut rng, 40);
    (user_key, secrecy::SecretString::from(secret))
}
