//! Spam protection: the settings and the four lists (safe senders, blocked senders, allowed
//! and blocked IP addresses) of a domain (reference §6.4), of a Rackspace Email mailbox
//! (§6.6) and of an Exchange mailbox (§6.9), with the confirmations of §13.
//!
//! * [`SpamTarget`] is what a person names (`example.com` or `jane@example.com`);
//!   [`resolve`] finds what it is on the server ([`SpamOwner`]: the domain, or a Rackspace
//!   Email or an Exchange mailbox — in a domain with both services, whichever holds the
//!   address).
//! * [`settings`]: typed settings, each explained in words ([`FilterLevel::explain`],
//!   [`SpamSettings::lines`]); a person's [`SpamChanges`] are applied to what the server has
//!   and the **whole** settings are sent (§13: partial edits changed other values).
//! * [`entry`]: one entry as typed ([`SpamEntry::parse`]: addresses, whole domains, `%`
//!   wildcards, IPv4 addresses), the lists ([`SpamList`], [`SpamLists`]) and matching.
//! * [`mod@why`]: "why did this land in spam?" — the effective result of the domain's and the
//!   mailbox's settings and lists for one sender, in words, naming what decided.
//! * Changes go through [`crate::ops::Ops`] (the role's allow-list and the journal):
//!   [`Ops::set_spam_settings`](crate::ops::Ops::set_spam_settings),
//!   [`Ops::change_spam_list`](crate::ops::Ops::change_spam_list),
//!   [`Ops::spam_senders`](crate::ops::Ops::spam_senders).
//! * [`export`]: every list of a domain and of its mailboxes as CSV, in the columns of the
//!   `spam-list` bulk job.
//!
//! # For an edge (the app's Spam tab and Spam protection page, the CLI)
//!
//! * Read: [`SpamTarget::parse`] → [`resolve`] → [`show_owner`] (settings, their
//!   [`SettingLine`]s in words, the four lists); or [`show`] in one call.
//! * Check as the person types: [`SpamEntry::parse`] (its `note` says "example.com was read as
//!   @example.com"), [`SpamEntry::describe`], [`sender_plan`] for several entries at once;
//!   [`SpamChanges::apply`] on the settings read, to show the result before saving.
//! * Change: [`Ops::set_spam_settings`](crate::ops::Ops::set_spam_settings) (or `_of` with an
//!   owner already found), [`Ops::spam_senders`](crate::ops::Ops::spam_senders) for allow /
//!   block / unallow / unblock, [`Ops::change_spam_list`](crate::ops::Ops::change_spam_list)
//!   for one list (add and remove at once). Each returns what it did, with sentences.
//! * Whether the role may: [`action_for_list`], [`action_for_settings`] with
//!   [`crate::policy::allowed`] (grey out what the help desk may not do).
//! * Why: [`SpamPicture::read`] once, then [`explain`] for each sender typed (pure, no reads).
//! * Export: [`export::collect`] and [`export::spam_csv`].
//!
//! Errors are the core's usual ones: `invalid-input` (refused before sending, in words),
//! `not-allowed` (the role; journaled), `not-found` (no such domain or mailbox), `rejected`
//! (Rackspace refused; its words as detail), `unconfirmed`, `server-fault`, `throttled`, ….
//!
//! The client uses the lists' current names (`blocklist`, `ipblocklist`, `safelist`,
//! `ipsafelist`); the older `blacklist` names are not sent.
//!
//! Where the reference marks something unconfirmed [U], the choice is the safe one and is
//! said beside the code.

pub mod entry;
pub mod export;
mod ops;
pub mod settings;
pub mod why;

pub use entry::{EntryKind, ListSide, ParsedEntry, Sender, SpamEntry, SpamList, SpamLists};
pub use ops::{action_for_list, action_for_settings, sender_plan, ListChange, SenderPlan, SenderVerb, SendersChange, SettingsChange};
pub(crate) use ops::reconcile_entry;
pub use settings::{DomainQuarantine, DomainSpamSettings, ExMailboxSpamSettings, FilterLevel, RsEmailSpam, RsMailboxSpamSettings, SettingLine, SpamChanges, SpamHandling, SpamSettings};
pub use why::{explain, why, Decider, Level, SpamPicture, Verdict, VerdictResult};

use crate::api::gated;
use crate::client::{Client, Form};
use crate::error::{ApiError, Result};
use crate::limits::Category;
use crate::models::Service;
use crate::names::{self, path_segment, EmailAddress};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person names: a domain, or a mailbox address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpamTarget {
    Domain(String),
    Mailbox(EmailAddress),
}

impl SpamTarget {
    /// `example.com` is the domain; `jane@example.com` a mailbox of it.
    pub fn parse(s: &str) -> Result<SpamTarget> {
        let v = s.trim();
        if v.contains('@') {
            Ok(SpamTarget::Mailbox(EmailAddress::parse_as("mailbox address", v)?))
        } else {
            Ok(SpamTarget::Domain(names::domain_name(v)?))
        }
    }

    pub fn domain(&self) -> &str {
        match self {
            SpamTarget::Domain(d) => d,
            SpamTarget::Mailbox(a) => &a.domain,
        }
    }

    pub fn is_domain(&self) -> bool {
        matches!(self, SpamTarget::Domain(_))
    }
}

impl fmt::Display for SpamTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpamTarget::Domain(d) => f.write_str(d),
            SpamTarget::Mailbox(a) => write!(f, "{a}"),
        }
    }
}

/// Whose spam protection it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerKind {
    Domain,
    RsMailbox,
    ExMailbox,
}

/// A domain or a mailbox as found on the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpamOwner {
    pub kind: OwnerKind,
    pub domain: String,
    /// The mailbox's name (before the `@`), for a mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    /// The services the domain has, as read when it was resolved.
    #[serde(default)]
    pub services: Vec<Service>,
}

impl SpamOwner {
    pub fn domain(domain: &str, services: Vec<Service>) -> SpamOwner {
        SpamOwner { kind: OwnerKind::Domain, domain: domain.to_owned(), mailbox: None, services }
    }

    pub fn mailbox(kind: OwnerKind, a: &EmailAddress, services: Vec<Service>) -> SpamOwner {
        SpamOwner { kind, domain: a.domain.clone(), mailbox: Some(a.local.clone()), services }
    }

    /// `example.com` or `jane@example.com`: how the journal and the plan name it.
    pub fn target(&self) -> String {
        match &self.mailbox {
            Some(m) => format!("{m}@{}", self.domain),
            None => self.domain.clone(),
        }
    }

    pub fn is_mailbox(&self) -> bool {
        self.kind != OwnerKind::Domain
    }

    /// The domain the mailbox belongs to (the owner itself for a domain).
    pub fn domain_owner(&self) -> SpamOwner {
        SpamOwner::domain(&self.domain, self.services.clone())
    }

    /// "the domain example.com", "the mailbox jane@example.com", "the Exchange mailbox …".
    pub fn describe(&self) -> String {
        match self.kind {
            OwnerKind::Domain => format!("the domain {}", self.domain),
            OwnerKind::RsMailbox => format!("the mailbox {}", self.target()),
            OwnerKind::ExMailbox => format!("the Exchange mailbox {}", self.target()),
        }
    }

    pub fn has(&self, s: Service) -> bool {
        self.services.contains(&s)
    }
}

impl fmt::Display for SpamOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.target())
    }
}

/// Everything about one owner's spam protection, for a settings card or `spam show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpamView {
    pub owner: SpamOwner,
    pub settings: SpamSettings,
    /// The settings in plain words (for a domain, those of the services it has).
    pub lines: Vec<SettingLine>,
    pub lists: SpamLists,
}

/// Finds what `target` is: a domain of the account, or which service's mailbox the address
/// is (read from the server: the domain, then the mailbox — Rackspace Email first in a domain
/// with both). One read for a domain, two or three for a mailbox.
pub async fn resolve(client: &Client, target: &SpamTarget) -> Result<SpamOwner> {
    let d = client.domain(target.domain()).await?;
    let services: Vec<Service> = [Service::RackspaceEmail, Service::Exchange].into_iter().filter(|s| d.has(*s)).collect();
    resolve_in(client, target, services).await
}

/// [`resolve`] when the domain's services are already known (a bulk plan read them).
pub async fn resolve_in(client: &Client, target: &SpamTarget, services: Vec<Service>) -> Result<SpamOwner> {
    let a = match target {
        SpamTarget::Domain(d) => return Ok(SpamOwner::domain(d, services)),
        SpamTarget::Mailbox(a) => a,
    };
    let mut last: Option<ApiError> = None;
    for s in services.clone() {
        let found = match s {
            Service::RackspaceEmail => client.mailbox(&a.domain, &a.local).await.map(|_| OwnerKind::RsMailbox),
            Service::Exchange => client.ex_mailbox(&a.domain, &a.local).await.map(|_| OwnerKind::ExMailbox),
        };
        match found {
            Ok(kind) => return Ok(SpamOwner::mailbox(kind, a, services)),
            Err(e) if e.is_not_found() => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| ApiError::invalid("mailbox address", format!("{} has neither Rackspace Email nor Hosted Exchange", a.domain))))
}

/// Reads an owner's settings and lists (five reads).
pub async fn show(client: &Client, target: &SpamTarget) -> Result<SpamView> {
    let owner = resolve(client, target).await?;
    show_owner(client, owner).await
}

/// [`show`] for an owner already found.
pub async fn show_owner(client: &Client, owner: SpamOwner) -> Result<SpamView> {
    let settings = client.spam_settings(&owner).await?;
    let lists = client.spam_lists(&owner).await?;
    Ok(SpamView { lines: settings.lines_for(&owner.services), owner, settings, lists })
}

/// Everything in a path segment but the unreserved characters is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[derive(Debug, Deserialize)]
struct WireList {
    addresses: Vec<String>,
}

/// How the server changes a list for one request.
enum ListWrite<'a> {
    Add(&'a SpamEntry),
    Remove(&'a SpamEntry),
    Edit { add: &'a [SpamEntry], remove: &'a [SpamEntry] },
}

impl ListWrite<'_> {
    /// Whether `now` shows the change made.
    fn done(&self, now: &[SpamEntry]) -> bool {
        match self {
            ListWrite::Add(e) => entry::contains(now, e),
            ListWrite::Remove(e) => !entry::contains(now, e),
            ListWrite::Edit { add, remove } => add.iter().all(|e| entry::contains(now, e)) && !remove.iter().any(|e| entry::contains(now, e)),
        }
    }
}

/// Builds a list edit's body for a write.
type BodyOf = fn(&ListWrite<'_>) -> Form;

fn joined(entries: &[SpamEntry]) -> String {
    entries.iter().map(SpamEntry::as_str).collect::<Vec<_>>().join(",")
}

impl Client {
    /// `.../domains/{d}/spam`, `.../rs/mailboxes/{m}/spam` or `.../ex/mailboxes/{m}/spam`.
    fn spam_base(&self, owner: &SpamOwner) -> Result<String> {
        let (dp, _) = self.domain_path(&owner.domain)?;
        let mailbox = |m: &Option<String>| -> Result<String> {
            let m = m.as_deref().ok_or_else(|| ApiError::invalid("mailbox address", "no mailbox was named"))?;
            path_segment("mailbox name", &names::mailbox_name("mailbox name", m)?)
        };
        Ok(match owner.kind {
            OwnerKind::Domain => format!("{dp}/spam"),
            OwnerKind::RsMailbox => format!("{dp}/rs/mailboxes/{}/spam", mailbox(&owner.mailbox)?),
            OwnerKind::ExMailbox => format!("{dp}/ex/mailboxes/{}/spam", mailbox(&owner.mailbox)?),
        })
    }

    /// The settings of a domain or a mailbox (`GET .../spam/settings`).
    pub async fn spam_settings(&self, owner: &SpamOwner) -> Result<SpamSettings> {
        let path = format!("{}/settings", self.spam_base(owner)?);
        match owner.kind {
            OwnerKind::Domain => self.get_json::<settings::WireDomain>(path, vec![]).await?.typed(),
            OwnerKind::RsMailbox => self.get_json::<settings::WireRsMailbox>(path, vec![]).await?.typed(),
            OwnerKind::ExMailbox => self.get_json::<settings::WireExMailbox>(path, vec![]).await?.typed(),
        }
    }

    /// One list (`GET .../spam/{list}`, `{"addresses":[...]}`, §13).
    pub async fn spam_list(&self, owner: &SpamOwner, list: SpamList) -> Result<Vec<SpamEntry>> {
        let path = format!("{}/{}", self.spam_base(owner)?, list.api_name());
        let l: WireList = self.get_json(path, vec![]).await?;
        let mut out: Vec<SpamEntry> = l.addresses.iter().map(|a| SpamEntry::from_server(a)).filter(|e| !e.as_str().is_empty()).collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The four lists (four reads).
    pub async fn spam_lists(&self, owner: &SpamOwner) -> Result<SpamLists> {
        let mut l = SpamLists::default();
        for list in SpamList::ALL {
            *l.get_mut(list) = self.spam_list(owner, list).await?;
        }
        Ok(l)
    }

    /// Sends one list write. It is not repeated blindly: a request that may have reached the
    /// server is decided by reading the list back, and sent again only if the list shows it
    /// did not happen (a repeated removal would be refused as "not on the list").
    async fn spam_list_write(&self, owner: &SpamOwner, list: SpamList, w: ListWrite<'_>) -> Result<()> {
        let base = format!("{}/{}", self.spam_base(owner)?, list.api_name());
        let (method, path, form): (Method, String, Option<BodyOf>) = match &w {
            ListWrite::Add(e) if e.path_safe() => (Method::POST, format!("{base}/{}", utf8_percent_encode(e.as_str(), SEGMENT)), None),
            ListWrite::Remove(e) if e.path_safe() => (Method::DELETE, format!("{base}/{}", utf8_percent_encode(e.as_str(), SEGMENT)), None),
            // Entries with a wildcard (or a character a server might read as part of the URL)
            // travel in the body of a list edit, as §13 shows for `%`.
            _ => (Method::PUT, base.clone(), Some(|w: &ListWrite<'_>| {
                let mut f = Form::new();
                match w {
                    ListWrite::Add(e) => f.text("addList", e.as_str()),
                    ListWrite::Remove(e) => f.text("removeList", e.as_str()),
                    ListWrite::Edit { add, remove } => f.text("addList", joined(add)).text("removeList", joined(remove)),
                };
                f
            })),
        };
        for attempt in 0..2 {
            match self.write_once(method.clone(), path.clone(), form.map(|f| f(&w))).await {
                Ok(()) => return Ok(()),
                Err(e @ ApiError::Unconfirmed { .. }) => match self.spam_list(owner, list).await {
                    Ok(now) if w.done(&now) => return Ok(()),
                    Ok(_) if attempt == 0 => continue,
                    _ => return Err(e),
                },
                Err(e) => return Err(e),
            }
        }
        Err(ApiError::Unconfirmed { cause: Box::new(ApiError::Network { phase: crate::error::SendPhase::MaybeSent, message: "the list change could not be confirmed".into() }) })
    }

    gated! {
        /// Replaces the settings of a domain or a mailbox with `settings`, all of them
        /// (`PUT .../spam/settings`). `apply_to_all` (a domain only) gives every mailbox the
        /// domain's filter level and handling.
        fn edit_spam_settings(&self, owner: &SpamOwner, settings: &SpamSettings, apply_to_all: bool) -> Result<()> {
            if settings.owner_kind() != owner.kind {
                return Err(ApiError::invalid("spam settings", format!("these are not settings of {}", owner.describe())));
            }
            let form = settings.to_form(apply_to_all)?;
            let path = format!("{}/settings", self.spam_base(owner)?);
            self.write(Method::PUT, path, Some(form), Category::Write).await
        }
    }

    gated! {
        /// Adds one entry (`POST .../spam/{list}/{entry}`; an entry with a wildcard goes as a
        /// list edit's `addList`).
        fn add_spam_entry(&self, owner: &SpamOwner, list: SpamList, entry: &SpamEntry) -> Result<()> {
            list.check(entry)?;
            self.spam_list_write(owner, list, ListWrite::Add(entry)).await
        }
    }

    gated! {
        /// Removes one entry (`DELETE .../spam/{list}/{entry}`, or a list edit's `removeList`).
        fn remove_spam_entry(&self, owner: &SpamOwner, list: SpamList, entry: &SpamEntry) -> Result<()> {
            list.check(entry)?;
            self.spam_list_write(owner, list, ListWrite::Remove(entry)).await
        }
    }

    gated! {
        /// Adds and removes many entries in one request (`PUT .../spam/{list}` with
        /// `addList` and `removeList`, comma-separated, §13).
        fn edit_spam_list(&self, owner: &SpamOwner, list: SpamList, add: &[SpamEntry], remove: &[SpamEntry]) -> Result<()> {
            for e in add.iter().chain(remove) {
                list.check(e)?;
            }
            if add.is_empty() && remove.is_empty() {
                return Err(ApiError::invalid("request", "no change was asked for"));
            }
            if let Some(both) = add.iter().find(|e| entry::contains(remove, e)) {
                return Err(ApiError::invalid(format!("entry \"{both}\""), "it is both added and removed"));
            }
            self.spam_list_write(owner, list, ListWrite::Edit { add, remove }).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_domains_or_mailboxes() {
        assert_eq!(SpamTarget::parse(" Example.COM ").unwrap(), SpamTarget::Domain("example.com".into()));
        let t = SpamTarget::parse("Jane.Doe@Example.com").unwrap();
        assert_eq!(t.to_string(), "jane.doe@example.com");
        assert_eq!(t.domain(), "example.com");
        assert!(SpamTarget::parse("localhost").is_err());
        assert!(SpamTarget::parse("a b@example.com").is_err());
    }

    #[test]
    fn owners_name_themselves() {
        let a = EmailAddress::parse("jane@example.com").unwrap();
        let o = SpamOwner::mailbox(OwnerKind::ExMailbox, &a, vec![Service::Exchange]);
        assert_eq!(o.target(), "jane@example.com");
        assert_eq!(o.describe(), "the Exchange mailbox jane@example.com");
        assert_eq!(o.domain_owner().describe(), "the domain example.com");
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "ex-mailbox", "domain": "example.com", "mailbox": "jane", "services": ["exchange"]}));
        let back: SpamOwner = serde_json::from_value(json).unwrap();
        assert_eq!(back, o);
    }
}
