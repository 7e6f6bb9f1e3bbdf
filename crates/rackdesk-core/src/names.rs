//! Validation of every name that becomes part of a URL, and of e-mail addresses.
//!
//! Two layers: [`path_segment`] refuses anything that could change which URL is called
//! (`/`, `..`, `?`, `#`, `%`, control characters, whitespace) and percent-encodes the rest;
//! the typed parsers ([`domain_name`], [`mailbox_name`], [`EmailAddress`]) apply the rules of
//! each kind of name, so a person hears "a mailbox name may not contain spaces" rather than a
//! server error.

use crate::error::ApiError;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::fmt;

/// Everything except unreserved characters (RFC 3986) is percent-encoded in a segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Checks one URL path segment and returns it percent-encoded.
pub fn path_segment(field: &str, value: &str) -> Result<String, ApiError> {
    if value.is_empty() {
        return Err(ApiError::invalid(field, "it is empty"));
    }
    if value.len() > 255 {
        return Err(ApiError::invalid(field, "it is longer than 255 characters"));
    }
    if value == "." || value.contains("..") {
        return Err(ApiError::invalid(field, "it may not contain \"..\""));
    }
    for c in value.chars() {
        let reason = match c {
            '/' | '\\' => "it may not contain a slash",
            '?' => "it may not contain \"?\"",
            '#' => "it may not contain \"#\"",
            '%' => "it may not contain \"%\"",
            c if c.is_control() => "it may not contain control characters",
            c if c.is_whitespace() => "it may not contain spaces",
            _ => continue,
        };
        return Err(ApiError::invalid(field, reason));
    }
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

/// An account number: digits, or `me` for the account that owns the keys.
pub fn account(value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    if v == "me" || (!v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit())) {
        Ok(v.to_owned())
    } else {
        Err(ApiError::invalid("account number", "use the digits of the account number (or \"me\")"))
    }
}

/// A domain name, lower-cased: letters, digits and hyphens in dot-separated labels.
pub fn domain_name(value: &str) -> Result<String, ApiError> {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    path_segment("domain", &v)?;
    if v.len() > 253 {
        return Err(ApiError::invalid("domain", "it is longer than 253 characters"));
    }
    let labels: Vec<&str> = v.split('.').collect();
    if labels.len() < 2 {
        return Err(ApiError::invalid("domain", format!("\"{v}\" has no dot; use the full domain, like example.com")));
    }
    for l in &labels {
        if l.is_empty() || l.len() > 63 {
            return Err(ApiError::invalid("domain", format!("\"{v}\" has an empty or over-long part")));
        }
        if !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ApiError::invalid(
                "domain",
                format!("\"{v}\" may contain only letters, digits, hyphens and dots"),
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err(ApiError::invalid("domain", format!("\"{v}\" has a part that starts or ends with a hyphen")));
        }
    }
    Ok(v)
}

/// A mailbox (or alias) name: the part before the `@`.
///
/// Rackspace's exact rule is not published [U]. We accept the conservative set the control
/// panel accepts for new mailboxes: letters, digits, `.`, `_`, `-`, `'`, starting and ending
/// with a letter or digit, no two dots in a row, at most 64 characters. Lower-cased.
pub fn mailbox_name(field: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim().to_ascii_lowercase();
    path_segment(field, &v)?;
    if v.len() > 64 {
        return Err(ApiError::invalid(field, "it is longer than 64 characters"));
    }
    if let Some(bad) = v.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '\''))) {
        return Err(ApiError::invalid(
            field,
            format!("\"{bad}\" is not allowed; use letters, digits, dots, hyphens, underscores or apostrophes"),
        ));
    }
    let first = v.chars().next().unwrap_or('.');
    let last = v.chars().last().unwrap_or('.');
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Err(ApiError::invalid(field, "it must start and end with a letter or digit"));
    }
    Ok(v)
}

/// An administrator login id: letters, digits, `.`, `_`, `-`, 1–64 characters.
pub fn admin_id(value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    path_segment("admin login", v)?;
    if v.len() > 64 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return Err(ApiError::invalid(
            "admin login",
            "use up to 64 letters, digits, dots, hyphens or underscores",
        ));
    }
    Ok(v.to_owned())
}

/// A full e-mail address, split into its mailbox name and domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress {
    pub local: String,
    pub domain: String,
}

impl EmailAddress {
    /// Parses an address of a mailbox or alias in an account (strict local-part rules).
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        Self::parse_as("address", value)
    }

    pub fn parse_as(field: &str, value: &str) -> Result<Self, ApiError> {
        let v = value.trim();
        let Some((local, domain)) = v.rsplit_once('@') else {
            return Err(ApiError::invalid(field, format!("\"{v}\" has no @; write the full address, like jane@example.com")));
        };
        if local.contains('@') {
            return Err(ApiError::invalid(field, format!("\"{v}\" has more than one @")));
        }
        Ok(EmailAddress { local: mailbox_name(field, local)?, domain: domain_name(domain)? })
    }

    /// Parses any deliverable address (forwarding targets, external alias members), with
    /// the looser local-part rules of RFC 5321 (no spaces, no control characters).
    pub fn parse_external(field: &str, value: &str) -> Result<Self, ApiError> {
        let v = value.trim();
        let Some((local, domain)) = v.rsplit_once('@') else {
            return Err(ApiError::invalid(field, format!("\"{v}\" is not an e-mail address")));
        };
        if local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
            || !local.chars().all(|c| c.is_ascii_graphic() && !"@\"(),:;<>[\\]".contains(c))
        {
            return Err(ApiError::invalid(field, format!("\"{v}\" is not an e-mail address")));
        }
        Ok(EmailAddress { local: local.to_owned(), domain: domain_name(domain)? })
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_refuses_what_could_change_the_url() {
        for bad in ["", "a/b", "..", "a..b", "a?b", "a#b", "a b", "a\tb", "a\u{7}b", "a%2fb", "a\\b", "a\u{a0}b"] {
            let e = path_segment("mailbox", bad).unwrap_err();
            assert!(matches!(e, ApiError::InvalidInput { .. }), "{bad:?} gave {e:?}");
        }
    }

    #[test]
    fn segment_encodes_the_rest() {
        assert_eq!(path_segment("m", "john.smith").unwrap(), "john.smith");
        assert_eq!(path_segment("m", "o'brien").unwrap(), "o%27brien");
        assert_eq!(path_segment("m", "zoë").unwrap(), "zo%C3%AB");
        assert_eq!(path_segment("m", "a+b").unwrap(), "a%2Bb");
    }

    #[test]
    fn domains_are_checked_and_lowercased() {
        assert_eq!(domain_name(" Example.COM ").unwrap(), "example.com");
        assert_eq!(domain_name("a-b.example.co.uk").unwrap(), "a-b.example.co.uk");
        for bad in ["localhost", "exa_mple.com", "-a.com", "a-.com", "a..com", "a b.com", ""] {
            assert!(domain_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mailbox_names_follow_the_rules() {
        assert_eq!(mailbox_name("mailbox", "John.Smith").unwrap(), "john.smith");
        assert_eq!(mailbox_name("mailbox", "o'brien").unwrap(), "o'brien");
        for bad in [".a", "a.", "a..b", "a b", "a+b", "é", "a/b", &"x".repeat(65)] {
            assert!(mailbox_name("mailbox", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_split_into_name_and_domain() {
        let a = EmailAddress::parse("Jane.Doe@Example.com").unwrap();
        assert_eq!((a.local.as_str(), a.domain.as_str()), ("jane.doe", "example.com"));
        assert_eq!(a.to_string(), "jane.doe@example.com");
        let e = EmailAddress::parse("jane.example.com").unwrap_err();
        assert!(e.user_message().contains("no @"), "{}", e.user_message());
        assert!(EmailAddress::parse("a@b@example.com").is_err());
        assert!(EmailAddress::parse("jane@example").is_err());
    }

    #[test]
    fn external_addresses_allow_plus_but_not_spaces() {
        assert!(EmailAddress::parse_external("forward", "Jane+news@gmail.com").is_ok());
        assert!(EmailAddress::parse_external("forward", "ja ne@gmail.com").is_err());
        assert!(EmailAddress::parse_external("forward", "@gmail.com").is_err());
    }

    #[test]
    fn accounts_are_digits_or_me() {
        assert_eq!(account("123456").unwrap(), "123456");
        assert_eq!(account("me").unwrap(), "me");
        assert!(account("12a").is_err());
        assert!(account("../1").is_err());
    }
}
