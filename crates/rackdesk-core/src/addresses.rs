//! Rules about addresses that every edge needs before a change is sent, each written once:
//! what deleting a mailbox does to the aliases that deliver to it, which typed addresses look
//! like a misspelling of one of the account's domains, and whether a new mailbox or alias
//! name is usable and free.

use crate::names::{self, EmailAddress};
use crate::{ApiError, Client};
use serde::Serialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Deleting a mailbox that aliases deliver to
// ---------------------------------------------------------------------------------------------

/// What deleting a mailbox would do to the aliases of its domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteImpact {
    /// Addresses of the aliases that deliver to the mailbox.
    pub aliases: Vec<String>,
    /// Those of them that deliver only to it: removing it would leave them with no address,
    /// so they are deleted.
    pub emptied: Vec<String>,
}

impl DeleteImpact {
    /// From every alias of the domain with its members (as [`crate::rules::alias_members`]
    /// gives them), for the mailbox `address`. Case does not matter.
    pub fn of(aliases: &[(String, Vec<String>)], address: &str) -> DeleteImpact {
        let mut out = DeleteImpact::default();
        for (alias, members) in aliases {
            if members.iter().any(|m| m.eq_ignore_ascii_case(address)) {
                out.aliases.push(alias.clone());
                if members.iter().all(|m| m.eq_ignore_ascii_case(address)) {
                    out.emptied.push(alias.clone());
                }
            }
        }
        out
    }

    /// The members an alias keeps once `address` is taken out of it.
    pub fn members_left(members: &[String], address: &str) -> Vec<String> {
        members.iter().filter(|m| !m.eq_ignore_ascii_case(address)).cloned().collect()
    }

    /// The aliases that keep other members (updated rather than deleted).
    pub fn updated(&self) -> Vec<String> {
        self.aliases.iter().filter(|a| !self.emptied.contains(a)).cloned().collect()
    }

    /// One plain sentence of what will happen to the aliases, or `None` when none deliver here.
    pub fn sentence(&self, address: &str) -> Option<String> {
        if self.aliases.is_empty() {
            return None;
        }
        let updated = self.updated();
        let mut parts = Vec::new();
        if !updated.is_empty() {
            parts.push(format!("{address} is taken out of {}", updated.join(", ")));
        }
        if !self.emptied.is_empty() {
            parts.push(format!(
                "{} {} deleted, as {} no other address",
                self.emptied.join(", "),
                if self.emptied.len() == 1 { "is" } else { "are" },
                if self.emptied.len() == 1 { "it would have" } else { "they would have" }
            ));
        }
        Some(format!("{}.", parts.join("; ")))
    }
}

/// What deleting the mailbox `addr` would do to its domain's aliases (reads the aliases).
pub async fn mailbox_delete_impact(client: &Client, addr: &EmailAddress) -> Result<DeleteImpact, ApiError> {
    let aliases = crate::rules::alias_members(client, &addr.domain).await?;
    Ok(DeleteImpact::of(&aliases, &addr.to_string()))
}

// ---------------------------------------------------------------------------------------------
// A domain that looks misspelt
// ---------------------------------------------------------------------------------------------

/// An address to look at again before it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressWarning {
    /// The address as it was typed.
    pub address: String,
    /// One plain sentence.
    pub message: String,
    /// The address with the domain it probably meant.
    pub suggestion: Option<String>,
}

/// The edit distance between two strings, where swapping two neighbouring letters counts as
/// one edit ("exmaple" is one edit from "example").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

fn letters_only(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The account's domain that `domain` probably meant, if it is not one of them but close to
/// one: at most two edits away (one for short names), or the same once dots and hyphens are
/// taken out. An unrelated outside domain gets `None`: forwarding outside is legitimate.
pub fn likely_domain<'a>(domain: &str, account_domains: &'a [String]) -> Option<&'a str> {
    let d = domain.trim().trim_end_matches('.').to_lowercase();
    if d.is_empty() || account_domains.iter().any(|a| a.eq_ignore_ascii_case(&d)) {
        return None;
    }
    let flat = letters_only(&d);
    account_domains
        .iter()
        .map(|a| (a, a.to_lowercase()))
        .filter_map(|(orig, a)| {
            if letters_only(&a) == flat {
                return Some((0, orig));
            }
            let dist = edit_distance(&d, &a);
            let allowed = if a.len() < 8 { 1 } else { 2 };
            (dist <= allowed).then_some((dist, orig))
        })
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, a)| a.as_str())
}

/// For each address whose domain looks like a misspelling of one of `account_domains`, a
/// warning with the corrected address. Addresses that are not addresses at all are left to
/// the other checks.
pub fn address_warnings(addresses: &[String], account_domains: &[String]) -> Vec<AddressWarning> {
    let mut out = Vec::new();
    for raw in addresses {
        let a = raw.trim();
        let Some((local, domain)) = a.rsplit_once('@') else { continue };
        if let Some(meant) = likely_domain(domain, account_domains) {
            out.push(AddressWarning {
                address: a.to_owned(),
                message: format!("{a}: {domain} is not one of this account's domains — did you mean {meant}?"),
                suggestion: Some(format!("{local}@{meant}")),
            });
        }
    }
    out
}

/// The account's domain names, read once and kept for a few minutes (for the live checks of a
/// form). Kept per API address and account, so switching identity never mixes lists.
#[derive(Default)]
pub struct DomainCache {
    held: Mutex<Option<(String, Instant, Vec<String>)>>,
}

impl DomainCache {
    /// How long a list read from the server is used before it is read again.
    pub const KEEP: Duration = Duration::from_secs(300);

    pub fn new() -> DomainCache {
        DomainCache::default()
    }

    /// The domain names of the client's account.
    pub async fn get(&self, client: &Client) -> Result<Vec<String>, ApiError> {
        let key = format!("{} {}", client.config().api_url, client.config().account);
        if let Ok(g) = self.held.lock() {
            if let Some((k, at, list)) = g.as_ref() {
                if *k == key && at.elapsed() < Self::KEEP {
                    return Ok(list.clone());
                }
            }
        }
        let list: Vec<String> = client.domains().await?.into_iter().map(|d| d.name.to_lowercase()).collect();
        if let Ok(mut g) = self.held.lock() {
            *g = Some((key, Instant::now(), list.clone()));
        }
        Ok(list)
    }

    /// Forgets the list (e.g. after a domain was added).
    pub fn clear(&self) {
        if let Ok(mut g) = self.held.lock() {
            *g = None;
        }
    }
}

/// [`address_warnings`] against the client's account (one read of its domains).
pub async fn check_addresses(client: &Client, addresses: &[String]) -> Result<Vec<AddressWarning>, ApiError> {
    let domains: Vec<String> = client.domains().await?.into_iter().map(|d| d.name.to_lowercase()).collect();
    Ok(address_warnings(addresses, &domains))
}

/// Before a change that sends `addresses` (alias members, forwarding): refuses addresses whose
/// domain looks misspelt ([`crate::ops::OpsError::DomainTypo`]) unless the person `accepted`
/// them; answers the warnings either way, for the edge to show (one read of the domains).
pub async fn confirm_domains(client: &Client, addresses: &[String], accepted: bool) -> Result<Vec<AddressWarning>, crate::ops::OpsError> {
    if addresses.is_empty() {
        return Ok(vec![]);
    }
    let warnings = check_addresses(client, addresses).await?;
    if !warnings.is_empty() && !accepted {
        return Err(crate::ops::OpsError::DomainTypo { warnings });
    }
    Ok(warnings)
}

// ---------------------------------------------------------------------------------------------
// A new name that is taken
// ---------------------------------------------------------------------------------------------

/// What already holds an address in a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Existing {
    Mailbox,
    Alias,
}

impl Existing {
    /// "mailbox" or "alias".
    pub fn as_str(self) -> &'static str {
        match self {
            Existing::Mailbox => "mailbox",
            Existing::Alias => "alias",
        }
    }
}

/// Whether a mailbox or an alias of that name exists (one or two signed reads; a 404 means free).
pub async fn existing(client: &Client, addr: &EmailAddress) -> Result<Option<Existing>, ApiError> {
    match client.mailbox(&addr.domain, &addr.local).await {
        Ok(_) => return Ok(Some(Existing::Mailbox)),
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    match client.alias(&addr.domain, &addr.local).await {
        Ok(_) => Ok(Some(Existing::Alias)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The sentence for a taken address.
pub fn taken_sentence(address: &str, existing: Option<Existing>) -> String {
    match existing {
        Some(Existing::Mailbox) => format!("{address} is already a mailbox. Open it, or choose another name."),
        Some(Existing::Alias) => format!("{address} is already an alias. Open it, or choose another name."),
        None => format!("{address} is already in use in this domain. Choose another name."),
    }
}

/// Why a new mailbox or alias name cannot be used, for a form as it is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameCheck {
    pub message: String,
    /// What holds the name now, when it is taken.
    pub existing: Option<Existing>,
}

/// For a new mailbox or alias: a name the rules refuse (checked first, without any call), or
/// a name already taken by a mailbox or an alias; `None` when the name is free.
pub async fn check_new_address(client: &Client, domain: &str, name: &str) -> Result<Option<NameCheck>, ApiError> {
    let syntax = |e: ApiError| match e {
        ApiError::InvalidInput { reason, .. } => Some(NameCheck { message: format!("This name cannot be used: {reason}."), existing: None }),
        other => Some(NameCheck { message: other.user_message(), existing: None }),
    };
    if name.trim().is_empty() {
        return Ok(Some(NameCheck { message: "Enter a name.".into(), existing: None }));
    }
    let local = match names::mailbox_name("name", name) {
        Ok(l) => l,
        Err(e) => return Ok(syntax(e)),
    };
    let domain = match names::domain_name(domain) {
        Ok(d) => d,
        Err(e) => return Ok(syntax(e)),
    };
    let addr = EmailAddress { local, domain };
    Ok(existing(client, &addr).await?.map(|x| NameCheck { message: taken_sentence(&addr.to_string(), Some(x)), existing: Some(x) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn delete_impact_names_the_aliases_and_those_left_empty() {
        let aliases = vec![
            ("sales@x.com".to_string(), s(&["Jane@x.com", "sam@x.com"])),
            ("boss@x.com".to_string(), s(&["jane@x.com"])),
            ("all@x.com".to_string(), s(&["sam@x.com"])),
        ];
        let i = DeleteImpact::of(&aliases, "jane@x.com");
        assert_eq!(i.aliases, s(&["sales@x.com", "boss@x.com"]));
        assert_eq!(i.emptied, s(&["boss@x.com"]));
        assert_eq!(i.updated(), s(&["sales@x.com"]));
        assert_eq!(
            i.sentence("jane@x.com").unwrap(),
            "jane@x.com is taken out of sales@x.com; boss@x.com is deleted, as it would have no other address."
        );
        assert_eq!(DeleteImpact::members_left(&aliases[0].1, "JANE@x.com"), s(&["sam@x.com"]));
        assert_eq!(DeleteImpact::of(&aliases, "kim@x.com"), DeleteImpact::default());
        assert_eq!(DeleteImpact::default().sentence("kim@x.com"), None);
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("example", "exmaple"), 1);
        assert_eq!(edit_distance("example", "example"), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("contoso", "contsoo"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_misspelt_domain_of_the_account_is_warned_about() {
        let mine = s(&["contoso-lab.example", "fabrikam.example"]);
        let w = address_warnings(&s(&["x@contoso-lab.exmaple", "y@contosolab.example", "z@fabrikam.example", "a@gmail.com", "not an address"]), &mine);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].address, "x@contoso-lab.exmaple");
        assert_eq!(w[0].message, "x@contoso-lab.exmaple: contoso-lab.exmaple is not one of this account's domains — did you mean contoso-lab.example?");
        assert_eq!(w[0].suggestion.as_deref(), Some("x@contoso-lab.example"));
        assert_eq!(w[1].suggestion.as_deref(), Some("y@contoso-lab.example"), "same once the hyphen is taken out");
    }

    #[test]
    fn outside_domains_and_exact_ones_are_left_alone() {
        let mine = s(&["ab.io", "fabrikam.example"]);
        assert_eq!(likely_domain("FABRIKAM.example", &mine), None, "case does not matter");
        assert_eq!(likely_domain("gmail.com", &mine), None);
        assert_eq!(likely_domain("fabrikan.exampel", &mine), Some("fabrikam.example"), "two edits on a long name");
        assert_eq!(likely_domain("cd.io", &mine), None, "two edits on a short name is another domain");
        assert_eq!(likely_domain("ab.iq", &mine), Some("ab.io"));
        assert!(address_warnings(&s(&["friend@outlook.com"]), &mine).is_empty());
    }

    #[test]
    fn taken_names_say_what_holds_them() {
        assert_eq!(taken_sentence("a@x.com", Some(Existing::Alias)), "a@x.com is already an alias. Open it, or choose another name.");
        assert!(taken_sentence("a@x.com", Some(Existing::Mailbox)).contains("already a mailbox"));
        assert_eq!(serde_json::to_value(Existing::Mailbox).unwrap(), serde_json::json!("mailbox"));
    }
}
