//! Checking a key pair with a real signed call before anything is stored, and telling the
//! ways it can fail apart: wrong keys, a clock that is off, the rate limit, no network, a
//! fault at Rackspace.

use crate::error::ApiError;
use crate::models::{Admin, Customer, Domain};
use crate::{Client, ClientConfig, Credentials, RetryPolicy};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How far the clocks may differ before we blame the clock for a refused signature. The
/// service's tolerance is not documented [U]; 5 minutes is below any window we would expect.
pub const SKEW_BLAME_SECS: i64 = 300;
/// How far they may differ before we warn even though the keys worked.
pub const SKEW_WARN_SECS: i64 = 60;

/// What we learned about the API admin named for an identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum AdminCheck {
    /// No login was named.
    NotNamed,
    /// The login exists.
    Found { is_super: bool, enabled: bool },
    /// No admin with that login exists in the account.
    NotFound,
    /// The admins could not be listed.
    Unknown { reason: String },
}

/// A key pair that works.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    pub customer: Customer,
    pub domains: Vec<Domain>,
    pub admins: Vec<Admin>,
    pub api_admin: AdminCheck,
    /// Server clock minus ours, in seconds, when the server said.
    pub clock_skew_secs: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the keys were refused")]
    WrongKeys(#[source] ApiError),
    #[error("the clock is off by {seconds} s")]
    ClockSkew { seconds: i64, source: ApiError },
    #[error("throttled")]
    Throttled(#[source] ApiError),
    #[error("Rackspace could not be reached")]
    Offline(#[source] ApiError),
    #[error("Rackspace failed")]
    ServerFault(#[source] ApiError),
    #[error("the account number does not belong to these keys")]
    WrongAccount { account: String, source: ApiError },
    #[error(transparent)]
    Other(ApiError),
}

/// "3 minutes", "2 hours", "45 seconds".
pub fn human_duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    // Rounded to the nearest unit: a clock 3 hours off measures as 10,799 s or 10,801 s.
    if s >= 2 * 3600 - 1800 {
        format!("about {} hours", (s + 1800) / 3600)
    } else if s >= 120 {
        format!("about {} minutes", (s + 30) / 60)
    } else {
        format!("{s} seconds")
    }
}

impl VerifyError {
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            VerifyError::WrongKeys(_) => K::WrongKeys,
            VerifyError::ClockSkew { .. } => K::ClockSkew,
            VerifyError::Throttled(_) => K::Throttled,
            VerifyError::Offline(_) => K::Offline,
            VerifyError::ServerFault(_) => K::ServerFault,
            VerifyError::WrongAccount { .. } => K::WrongAccount,
            VerifyError::Other(e) => e.kind(),
        }
    }

    pub fn user_message(&self) -> String {
        match self {
            VerifyError::WrongKeys(_) => "Rackspace refused these keys. Check that the user key and the secret key are of the same \
                 pair and were copied in full. Keys of an admin who is not a super admin are refused the same way: \
                 only super admins can use the API."
                .into(),
            VerifyError::ClockSkew { seconds, .. } => format!(
                "This computer's clock is {} {} Rackspace's, so Rackspace refuses its signed requests. Set the clock \
                 to update automatically (internet time), then try again.",
                human_duration(*seconds),
                if *seconds > 0 { "behind" } else { "ahead of" }
            ),
            VerifyError::Throttled(_) => "Rackspace's rate limit for these keys is used up right now, perhaps by another program \
                 using the same keys. Wait a minute and try again."
                .into(),
            VerifyError::Offline(_) => "Rackdesk could not reach Rackspace. Check the internet connection (and any proxy or \
                 firewall), then try again."
                .into(),
            VerifyError::ServerFault(e) => format!(
                "Rackspace had a problem on its side{}; the keys could not be checked. Try again in a few minutes.",
                e.status().map(|s| format!(" (HTTP {s})")).unwrap_or_default()
            ),
            VerifyError::WrongAccount { account, .. } => format!(
                "The keys work, but not for account {account}. Check the account number: it is shown at the top of the \
                 Cloud Office Control Panel."
            ),
            VerifyError::Other(e) => e.user_message(),
        }
    }

    pub fn detail(&self) -> Option<String> {
        match self {
            VerifyError::WrongKeys(e)
            | VerifyError::ClockSkew { source: e, .. }
            | VerifyError::Throttled(e)
            | VerifyError::Offline(e)
            | VerifyError::ServerFault(e)
            | VerifyError::WrongAccount { source: e, .. }
            | VerifyError::Other(e) => e.detail(),
        }
    }
}

/// Server time minus `ours`, from an RFC 1123 `Date` header.
pub fn skew_from_date(date: &str, ours: DateTime<Utc>) -> Option<i64> {
    let server: DateTime<Utc> = httpdate::parse_http_date(date).ok()?.into();
    Some((server - ours).num_seconds())
}

/// Verifies keys with real signed calls: the account (`customers/me`), its domains, and its
/// admins (to check the named API admin). Nothing is stored here.
pub async fn verify(base: &ClientConfig, creds: Credentials, api_admin: Option<&str>) -> Result<Verified, VerifyError> {
    let mut cfg = base.clone();
    // Fail fast: a person is waiting at the screen.
    cfg.retry = RetryPolicy { throttle_retries: 0, transient_retries: 1, ..cfg.retry };
    let clock = cfg.clock.clone();
    let client = Client::new(cfg, creds).map_err(VerifyError::Other)?;
    let customer = match client.customer().await {
        Ok(c) => c,
        // Another account's data: "not found", or (the reference's answer for a business key
        // reading another account) a 403 that is not a signature failure.
        Err(e) if e.is_not_found() || matches!(e, ApiError::Forbidden(_)) => {
            return Err(VerifyError::WrongAccount { account: client.account().to_owned(), source: e })
        }
        Err(e) => return Err(classify(e, clock.now_utc())),
    };
    let skew = client.last_server_date().and_then(|d| skew_from_date(&d, clock.now_utc()));
    let domains = client.domains().await.map_err(|e| classify(e, clock.now_utc()))?;
    let (admins, api_admin) = match client.admins().await {
        Ok(list) => {
            let check = match api_admin {
                None => AdminCheck::NotNamed,
                Some(login) => match list.iter().find(|a| a.admin_id.eq_ignore_ascii_case(login)) {
                    Some(a) => AdminCheck::Found { is_super: a.is_super(), enabled: a.enabled.unwrap_or(true) },
                    None => AdminCheck::NotFound,
                },
            };
            (list, check)
        }
        Err(e) => (vec![], if api_admin.is_some() { AdminCheck::Unknown { reason: e.user_message() } } else { AdminCheck::NotNamed }),
    };
    Ok(Verified { customer, domains, admins, api_admin, clock_skew_secs: skew })
}

fn classify(e: ApiError, now: DateTime<Utc>) -> VerifyError {
    match &e {
        ApiError::AuthFailed(reply) => {
            match reply.server_date.as_deref().and_then(|d| skew_from_date(d, now)) {
                Some(s) if s.abs() > SKEW_BLAME_SECS => VerifyError::ClockSkew { seconds: s, source: e },
                _ => VerifyError::WrongKeys(e),
            }
        }
        ApiError::Throttled { .. } => VerifyError::Throttled(e),
        ApiError::Network { .. } | ApiError::Timeout { .. } => VerifyError::Offline(e),
        ApiError::ServerFault(_) | ApiError::Undecodable { .. } => VerifyError::ServerFault(e),
        _ => VerifyError::Other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn skew_is_server_minus_ours() {
        let ours = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        assert_eq!(skew_from_date("Thu, 26 Nov 2026 10:30:00 GMT", ours), Some(1800));
        assert_eq!(skew_from_date("Thu, 26 Nov 2026 09:59:00 GMT", ours), Some(-60));
        assert_eq!(skew_from_date("yesterday", ours), None);
    }

    #[test]
    fn clock_messages_say_which_way() {
        let e = || ApiError::invalid("x", "y");
        let behind = VerifyError::ClockSkew { seconds: 1800, source: e() };
        assert!(behind.user_message().contains("about 30 minutes behind"), "{}", behind.user_message());
        let ahead = VerifyError::ClockSkew { seconds: -7200, source: e() };
        assert!(ahead.user_message().contains("about 2 hours ahead of"), "{}", ahead.user_message());
    }
}

crate::error::explain_by_methods!(VerifyError);
