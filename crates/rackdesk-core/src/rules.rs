//! Small rules that every edge needs, each written once: the size a new mailbox gets, the
//! live checks of a form (password, size) in the core's own words, the sentence for what the
//! client is doing while a person waits, and which aliases deliver to a mailbox.

use crate::api::MAX_MAILBOX_MB;
use crate::{ApiError, Client, ClientEvent};
use serde::Serialize;

/// The size a new mailbox gets when none is asked for: the domain's standard mailbox size,
/// or the largest size when the domain does not say.
pub fn standard_size(domain_base_size: Option<u64>) -> u64 {
    domain_base_size.filter(|s| *s > 0 && *s <= MAX_MAILBOX_MB).unwrap_or(MAX_MAILBOX_MB)
}

/// A size in MB a mailbox can have, or the reason it cannot.
pub fn check_size(size: u64) -> Result<u64, ApiError> {
    if size == 0 || size > MAX_MAILBOX_MB {
        return Err(ApiError::invalid("mailbox size", format!("it must be between 1 and {MAX_MAILBOX_MB} MB (25 GB); {size} MB was asked")));
    }
    Ok(size)
}

/// The size for a new mailbox: the one asked for (checked), else the domain's standard size
/// (one read of the domain). Refuses a wrong size before any call.
pub async fn new_mailbox_size(client: &Client, domain: &str, asked: Option<u64>) -> Result<u64, ApiError> {
    match asked {
        Some(s) => check_size(s),
        None => Ok(standard_size(client.domain(domain).await?.rs_email_base_mailbox_size)),
    }
}

/// For a form's size field, as typed: why it is refused, or `None` (empty means the domain's
/// standard size).
pub fn size_problem(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<u64>() {
        Err(_) | Ok(0) => Some("Enter the size as a whole number of MB.".into()),
        Ok(n) if n > MAX_MAILBOX_MB => Some(format!("At most {MAX_MAILBOX_MB} MB (25 GB).")),
        Ok(_) => None,
    }
}

/// For a form's password field, as typed: why it is refused, or `None`.
pub fn password_problem(password: &str, mailbox: Option<&str>, domain: Option<&str>) -> Option<String> {
    if password.is_empty() {
        return Some("Enter a password.".into());
    }
    crate::password::check(password, mailbox.filter(|m| !m.is_empty()), domain.filter(|d| !d.is_empty()))
        .err()
        .map(|p| format!("The password is not valid: {p}."))
}

/// What the client is doing while a person waits, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// `rate-limit`, `throttled`, `retrying` or `checking`.
    pub kind: &'static str,
    /// One plain sentence.
    pub message: String,
    /// Seconds to wait, when waiting.
    pub wait_secs: Option<u32>,
}

/// The one sentence for each client event (the app's status bar and the CLI's standard error).
pub fn notice(ev: &ClientEvent) -> Notice {
    let secs = |d: &std::time::Duration| d.as_secs().max(1) as u32;
    match ev {
        ClientEvent::WaitingForRateLimit { wait } => Notice {
            kind: "rate-limit",
            message: format!("Waiting for Rackspace's rate limit ({} s)", secs(wait)),
            wait_secs: Some(secs(wait)),
        },
        ClientEvent::Throttled { wait, .. } => Notice {
            kind: "throttled",
            message: format!("Rackspace asked Rackdesk to slow down; waiting {} s before trying again", secs(wait)),
            wait_secs: Some(secs(wait)),
        },
        ClientEvent::Retrying { attempt, .. } => Notice {
            kind: "retrying",
            message: format!("Rackspace did not answer properly; trying again ({attempt})"),
            wait_secs: None,
        },
        ClientEvent::CheckingOutcome { .. } => {
            Notice { kind: "checking", message: "The connection broke; checking whether the change was made".into(), wait_secs: None }
        }
    }
}

/// Every alias of `domain` with its members, reading only the aliases whose members the list
/// does not already name (one-member aliases are named in the list).
pub async fn alias_members(client: &Client, domain: &str) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    let mut out = Vec::new();
    for a in client.aliases(domain).await? {
        let members = match (&a.single_member_name, a.number_of_members) {
            (Some(m), n) if n.is_none_or(|n| n <= 1) => vec![m.clone()],
            (_, Some(0)) => vec![],
            _ => client.alias(domain, &a.name).await?.members,
        };
        out.push((format!("{}@{domain}", a.name), members));
    }
    Ok(out)
}

/// For every address an alias delivers to (in lower case), the aliases that deliver there:
/// [`aliases_delivering_to`] for many mailboxes at once.
pub fn aliases_by_member(aliases: &[(String, Vec<String>)]) -> std::collections::HashMap<String, Vec<String>> {
    let mut by: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (alias, members) in aliases {
        for m in members {
            by.entry(m.to_lowercase()).or_default().push(alias.clone());
        }
    }
    by
}

/// The aliases (full addresses) that deliver to `address`, from [`alias_members`]' result.
pub fn aliases_delivering_to(aliases: &[(String, Vec<String>)], address: &str) -> Vec<String> {
    aliases.iter().filter(|(_, members)| members.iter().any(|m| m.eq_ignore_ascii_case(address))).map(|(a, _)| a.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_size_comes_from_the_domain_else_the_largest() {
        assert_eq!(standard_size(Some(2048)), 2048);
        assert_eq!(standard_size(Some(0)), MAX_MAILBOX_MB);
        assert_eq!(standard_size(None), MAX_MAILBOX_MB);
        assert_eq!(standard_size(Some(MAX_MAILBOX_MB + 1)), MAX_MAILBOX_MB);
    }

    #[test]
    fn sizes_are_checked_in_one_place() {
        assert_eq!(check_size(1).unwrap(), 1);
        assert!(check_size(0).unwrap_err().user_message().contains("between 1 and 25600 MB"));
        assert_eq!(size_problem(""), None);
        assert_eq!(size_problem("2048"), None);
        assert_eq!(size_problem("0").as_deref(), Some("Enter the size as a whole number of MB."));
        assert_eq!(size_problem("1.5").as_deref(), Some("Enter the size as a whole number of MB."));
        assert_eq!(size_problem("99999").as_deref(), Some("At most 25600 MB (25 GB)."));
    }

    #[test]
    fn password_problems_name_the_rule() {
        assert_eq!(password_problem("", None, None).as_deref(), Some("Enter a password."));
        assert!(password_problem("short", None, None).unwrap().starts_with("The password is not valid:"));
        assert_eq!(password_problem("Blue-Harbor7", Some("jane"), Some("example.com")), None);
    }

    #[test]
    fn aliases_delivering_ignore_case() {
        let a = vec![("team@x.com".to_string(), vec!["Jane@X.com".to_string()]), ("all@x.com".to_string(), vec!["sam@x.com".to_string()])];
        assert_eq!(aliases_delivering_to(&a, "jane@x.com"), vec!["team@x.com"]);
        assert!(aliases_delivering_to(&a, "kim@x.com").is_empty());
    }

    #[test]
    fn events_read_as_sentences() {
        let n = notice(&ClientEvent::WaitingForRateLimit { wait: std::time::Duration::from_millis(300) });
        assert_eq!((n.kind, n.message.as_str(), n.wait_secs), ("rate-limit", "Waiting for Rackspace's rate limit (1 s)", Some(1)));
    }
}
