//! "Why did this land in spam?": what the domain's and the mailbox's settings and lists do
//! with mail from one sender, in plain words, naming the list or setting that decided.
//!
//! The reference documents each setting and list but not how they combine. The rules used,
//! in order, and which of them are unconfirmed [U]:
//!
//! 1. **Blocked senders first, at any level** [U]. When the sender matches a blocked entry of
//!    the mailbox or of its domain, the mail is blocked — even if it also matches a safe
//!    entry. Which list wins when both match is not documented; assuming the block wins is the
//!    safe side (Rackdesk never tells a person that mail gets through when it may not), and
//!    the explanation names both entries so the person can remove one.
//! 2. **Then safe senders, at any level.** A safe-listed sender is not checked for spam and
//!    gets through even when the filter is exclusive (§6.6: exclusive accepts only mail the
//!    safe list clears). A mailbox's and its domain's safe lists both count [U].
//! 3. **Then the filter level in force**: a mailbox's own (its settings are what Show returns
//!    for it; the domain's are copied to it only when applied to every mailbox [U]), or the
//!    domain's for a domain. `off`: not checked, delivered. `exclusive`: not accepted;
//!    whether such mail is refused or handled like spam is not documented [U], so both are
//!    said. `on`: checked by its content; spam goes where the handling says — for an Exchange
//!    mailbox, its own quarantine or the domain's as its own setting says (§6.9); whether a
//!    domain's quarantine `on` overrides that is not documented [U], and the answer says so.
//!
//! Entries match as [`SpamEntry::matches`] says: any case, `%` for any text, a whole domain
//! (`@example.com`) for that domain only, IP entries only when the sender's IP is known.

use super::entry::{Sender, SpamEntry, SpamList, SpamLists};
use super::settings::{DomainQuarantine, FilterLevel, SpamSettings};
use super::{resolve, OwnerKind, SpamOwner, SpamTarget};
use crate::error::Result;
use crate::models::Service;
use crate::Client;
use serde::Serialize;

/// Everything that decides what happens to mail for one domain or mailbox: the domain's
/// settings and lists, and the mailbox's when the question is about a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpamPicture {
    /// The domain, or the mailbox asked about.
    pub owner: SpamOwner,
    pub domain_settings: SpamSettings,
    pub domain_lists: SpamLists,
    /// The mailbox's own settings and lists, for a mailbox.
    pub mailbox: Option<(SpamSettings, SpamLists)>,
}

impl SpamPicture {
    /// Reads it: the domain's settings and lists, and the mailbox's (5 or 10 reads).
    pub async fn read(client: &Client, owner: SpamOwner) -> Result<SpamPicture> {
        let dom = owner.domain_owner();
        let domain_settings = client.spam_settings(&dom).await?;
        let domain_lists = client.spam_lists(&dom).await?;
        let mailbox = if owner.is_mailbox() { Some((client.spam_settings(&owner).await?, client.spam_lists(&owner).await?)) } else { None };
        Ok(SpamPicture { owner, domain_settings, domain_lists, mailbox })
    }

    /// The settings in force: the mailbox's own, or the domain's.
    pub fn settings(&self) -> &SpamSettings {
        self.mailbox.as_ref().map(|(s, _)| s).unwrap_or(&self.domain_settings)
    }
}

/// Where a list sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Mailbox,
    Domain,
}

/// What decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "by")]
pub enum Decider {
    /// An entry of a list.
    List { level: Level, owner: String, list: SpamList, entry: SpamEntry },
    /// The filter level of `owner` (no list matched).
    FilterLevel { owner: String, level: FilterLevel },
}

/// The effective result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictResult {
    /// On a blocked list: not delivered.
    Blocked,
    /// On a safe list: delivered without a spam check.
    SafeListed,
    /// The filter is off: delivered without a spam check.
    NotChecked,
    /// The filter is exclusive and the sender is on no safe list: not accepted.
    NotAccepted,
    /// Checked by its content; spam is handled as set.
    ContentChecked,
}

/// The answer to "why did this land in spam?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub sender: String,
    /// The domain or mailbox asked about.
    pub target: String,
    pub result: VerdictResult,
    pub decided_by: Decider,
    /// One sentence: what happens and why.
    pub summary: String,
    /// Where spam goes for this mailbox (or the domain's mailboxes), in words, when it matters.
    pub spam_goes: Option<String>,
    /// Other things that are true and worth knowing (a conflict, a rule Rackspace does not
    /// document, a setting that differs between the domain and the mailbox).
    pub notes: Vec<String>,
    /// What the person can do about it.
    pub suggestions: Vec<String>,
}

fn level_words(level: Level, owner: &SpamOwner) -> String {
    match level {
        Level::Mailbox => owner.target(),
        Level::Domain => format!("the domain {}", owner.domain),
    }
}

/// Where spam goes for the owner, in a clause that follows "If it looks like spam, ".
fn destination(p: &SpamPicture) -> String {
    let domain_q = match &p.domain_settings {
        SpamSettings::Domain(d) => Some((d.domain_quarantine, d.quarantine_owner.clone())),
        _ => None,
    };
    let notices = |o: &Option<String>| o.as_ref().map(|a| format!("; {a} gets its notices")).unwrap_or_default();
    match p.settings() {
        SpamSettings::ExMailbox(m) => {
            // §6.9: the mailbox's own setting decides (its quarantine, unless it sends spam to
            // the domain's). Whether the domain's `on` overrides it is not documented [U]: the
            // explanation follows the mailbox's setting, as its Show reports it, and a note
            // says so when the domain's is on (see `explain`).
            if m.send_to_domain_quarantine {
                let owner = domain_q.as_ref().and_then(|(_, o)| o.clone());
                format!("it is held in the domain's quarantine{}", notices(&owner))
            } else {
                format!("it is held in the mailbox's own quarantine{}", notices(&m.quarantine_owner))
            }
        }
        SpamSettings::RsMailbox(m) => m.rs_email.destination(),
        SpamSettings::Domain(d) => {
            let rs = p.owner.has(Service::RackspaceEmail).then(|| d.rs_email.destination());
            let ex = p.owner.has(Service::Exchange).then(|| match d.domain_quarantine {
                DomainQuarantine::On => format!("for an Exchange mailbox it is held in the domain's quarantine{}", notices(&d.quarantine_owner)),
                DomainQuarantine::Off => "for an Exchange mailbox it is held in the mailbox's own quarantine".to_string(),
                DomainQuarantine::NonUser => "for an Exchange mailbox it is held in the mailbox's own quarantine (the domain's quarantine takes mail for addresses with no mailbox)".to_string(),
            });
            match (rs, ex) {
                (Some(r), Some(e)) => format!("for a Rackspace Email mailbox {r}; {e}"),
                (Some(r), None) => r,
                (None, Some(e)) => e,
                (None, None) => d.rs_email.destination(),
            }
        }
    }
}

/// The matches of `sender` on the lists, mailbox before domain, in list order.
fn matches(p: &SpamPicture, sender: &Sender, lists: &[SpamList]) -> Vec<(Level, SpamList, SpamEntry)> {
    let mut out = Vec::new();
    let mut levels: Vec<(Level, &SpamLists)> = Vec::new();
    if let Some((_, l)) = &p.mailbox {
        levels.push((Level::Mailbox, l));
    }
    levels.push((Level::Domain, &p.domain_lists));
    for (level, l) in levels {
        for list in lists {
            for e in l.get(*list).iter().filter(|e| e.matches(sender)) {
                out.push((level, *list, e.clone()));
            }
        }
    }
    out
}

/// Explains what happens to mail from `sender` for the picture's domain or mailbox. Pure:
/// the app shows it as the person types.
pub fn explain(p: &SpamPicture, sender: &Sender) -> Verdict {
    let who = sender.name();
    let target = p.owner.target();
    let to = match p.owner.kind {
        OwnerKind::Domain => format!("the domain {target}"),
        _ => target.clone(),
    };
    let blocked = matches(p, sender, &[SpamList::Block, SpamList::IpBlock]);
    let safe = matches(p, sender, &[SpamList::Safe, SpamList::IpSafe]);
    let mut notes = Vec::new();
    let mut suggestions = Vec::new();
    let level = p.settings().filter_level();
    let decider_of = |(lv, list, e): &(Level, SpamList, SpamEntry)| Decider::List { level: *lv, owner: level_words(*lv, &p.owner), list: *list, entry: e.clone() };
    let on_list = |(lv, list, e): &(Level, SpamList, SpamEntry)| format!("{e} on the {} of {}", list.label(), level_words(*lv, &p.owner));
    let safe_hint = || -> String {
        let (entry, domain) = match &sender.address {
            Some((_, d)) => (who.split(' ').next().unwrap_or(&who).to_owned(), format!(" (or @{d} for everyone there)")),
            None => (sender.ip.map(|i| i.to_string()).unwrap_or_default(), String::new()),
        };
        let list = if sender.address.is_some() { "safe senders" } else { "allowed IP addresses" };
        match p.owner.kind {
            OwnerKind::Domain => format!("To let it through, add {entry}{domain} to the {list} of the domain {}.", p.owner.domain),
            _ => format!("To let it through, add {entry}{domain} to the {list} of {target}, or of the domain {} for everyone there.", p.owner.domain),
        }
    };

    let (result, decided_by, summary, spam_goes) = if let Some(first) = blocked.first() {
        if let Some(s) = safe.first() {
            notes.push(format!(
                "{who} also matches {}. Rackspace does not document which list wins when both match; Rackdesk assumes the block wins (the safe side). Remove one of the two entries to be sure.",
                on_list(s)
            ));
        }
        notes.push("Whether Rackspace refuses blocked mail or deletes it quietly is not documented; either way it does not arrive.".into());
        for (lv, list, e) in &blocked {
            suggestions.push(format!("To let it through, remove {e} from the {} of {}.", list.label(), level_words(*lv, &p.owner)));
        }
        (VerdictResult::Blocked, decider_of(first), format!("Mail from {who} to {to} is blocked: it matches {}. It is not delivered.", on_list(first)), None)
    } else if let Some(first) = safe.first() {
        let extra = if level == FilterLevel::Exclusive { " It gets through even though the filter is exclusive." } else { "" };
        (
            VerdictResult::SafeListed,
            decider_of(first),
            format!("Mail from {who} to {to} is delivered without a spam check: it matches {}.{extra}", on_list(first)),
            None,
        )
    } else {
        let owner_name = match p.owner.kind {
            OwnerKind::Domain => format!("the domain {}", p.owner.domain),
            _ => target.clone(),
        };
        let by = Decider::FilterLevel { owner: owner_name.clone(), level };
        let goes = destination(p);
        match level {
            FilterLevel::Off => (
                VerdictResult::NotChecked,
                by,
                format!("Mail from {who} to {to} is not checked for spam: the spam filter of {owner_name} is off, and {who} is on no blocked list. It is delivered."),
                None,
            ),
            FilterLevel::Exclusive => {
                notes.push(format!("Rackspace does not document whether such mail is refused or kept as spam; if it is kept, {goes}."));
                suggestions.push(safe_hint());
                (
                    VerdictResult::NotAccepted,
                    by,
                    format!("Mail from {who} to {to} does not reach the inbox: the spam filter of {owner_name} is exclusive, which lets through only mail from senders on the safe lists, and {who} is on none."),
                    Some(goes),
                )
            }
            FilterLevel::On => {
                suggestions.push(safe_hint());
                (
                    VerdictResult::ContentChecked,
                    by,
                    format!("Mail from {who} to {to} is checked for spam by its content: no list decides for {who}. If it looks like spam, {goes}; otherwise it is delivered."),
                    Some(goes),
                )
            }
        }
    };
    if let Some((ms, _)) = &p.mailbox {
        let dl = p.domain_settings.filter_level();
        if ms.filter_level() != dl {
            notes.push(format!(
                "The domain's spam filter is {}, but {target} has its own setting ({}), which is what counts for its mail.",
                dl.api(),
                ms.filter_level().api()
            ));
        }
    }
    if let (SpamSettings::ExMailbox(m), SpamSettings::Domain(d)) = (p.settings(), &p.domain_settings) {
        if d.domain_quarantine == DomainQuarantine::On && !m.send_to_domain_quarantine && result != VerdictResult::SafeListed && result != VerdictResult::Blocked && result != VerdictResult::NotChecked {
            notes.push(format!(
                "The domain's Exchange quarantine is on, but {target} keeps spam in its own quarantine; Rackspace does not document which wins, so look in both."
            ));
        }
    }
    if sender.ip.is_none() && p.mailbox.iter().map(|(_, l)| l).chain([&p.domain_lists]).any(|l| !l.ip_safe.is_empty() || !l.ip_block.is_empty()) {
        notes.push("The IP lists were not checked: give the IP address of the sending server to include them.".into());
    }
    Verdict { sender: who, target, result, decided_by, summary, spam_goes, notes, suggestions }
}

/// Reads what decides for `target` and explains what happens to mail from `sender`.
pub async fn why(client: &Client, target: &SpamTarget, sender: &Sender) -> Result<Verdict> {
    let owner = resolve(client, target).await?;
    let p = SpamPicture::read(client, owner).await?;
    Ok(explain(&p, sender))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::EmailAddress;
    use crate::spam::settings::{DomainSpamSettings, ExMailboxSpamSettings, RsEmailSpam, RsMailboxSpamSettings, SpamHandling};

    fn lists(safe: &[&str], block: &[&str], ip_safe: &[&str], ip_block: &[&str]) -> SpamLists {
        let v = |x: &[&str]| x.iter().map(|s| SpamEntry::from_server(s)).collect();
        SpamLists { safe: v(safe), block: v(block), ip_safe: v(ip_safe), ip_block: v(ip_block) }
    }

    fn domain_settings(level: FilterLevel, rs: RsEmailSpam, q: DomainQuarantine) -> SpamSettings {
        SpamSettings::Domain(DomainSpamSettings { filter_level: level, rs_email: rs, domain_quarantine: q, quarantine_owner: Some("it@example.com".into()), default_quarantine_owner: None })
    }

    fn rs_picture(dl: SpamLists, mlevel: FilterLevel, ml: SpamLists) -> SpamPicture {
        let a = EmailAddress::parse("jane@example.com").unwrap();
        SpamPicture {
            owner: SpamOwner::mailbox(OwnerKind::RsMailbox, &a, vec![Service::RackspaceEmail]),
            domain_settings: domain_settings(FilterLevel::On, RsEmailSpam::default(), DomainQuarantine::Off),
            domain_lists: dl,
            mailbox: Some((SpamSettings::RsMailbox(RsMailboxSpamSettings { filter_level: mlevel, rs_email: RsEmailSpam { folder_cleaner: true, folder_age_limit: 14, ..RsEmailSpam::default() } }), ml)),
        }
    }

    fn s(a: &str) -> Sender {
        Sender::parse(a).unwrap()
    }

    #[test]
    fn a_sender_on_no_list_is_checked_by_content_and_the_handling_says_where_spam_goes() {
        let p = rs_picture(lists(&[], &[], &[], &[]), FilterLevel::On, SpamLists::default());
        let v = explain(&p, &s("orders@partner.example"));
        assert_eq!(v.result, VerdictResult::ContentChecked);
        assert_eq!(
            v.summary,
            "Mail from orders@partner.example to jane@example.com is checked for spam by its content: no list decides for orders@partner.example. \
             If it looks like spam, it is moved to the mailbox's Spam folder (the folder cleaner deletes spam after 14 days); otherwise it is delivered."
        );
        assert_eq!(v.decided_by, Decider::FilterLevel { owner: "jane@example.com".into(), level: FilterLevel::On });
        assert!(v.suggestions[0].contains("add orders@partner.example (or @partner.example for everyone there) to the safe senders of jane@example.com"), "{:?}", v.suggestions);
    }

    #[test]
    fn a_safe_entry_at_either_level_lets_mail_through_even_when_exclusive() {
        let p = rs_picture(lists(&["@%.partner.example"], &[], &[], &[]), FilterLevel::Exclusive, SpamLists::default());
        let v = explain(&p, &s("a@mail.partner.example"));
        assert_eq!(v.result, VerdictResult::SafeListed);
        assert!(v.summary.contains("matches @%.partner.example on the safe senders of the domain example.com"), "{}", v.summary);
        assert!(v.summary.ends_with("It gets through even though the filter is exclusive."), "{}", v.summary);
        assert!(matches!(v.decided_by, Decider::List { level: Level::Domain, list: SpamList::Safe, .. }));
        // The whole-domain entry does not cover the bare domain's parent.
        let v = explain(&p, &s("a@partner.example"));
        assert_eq!(v.result, VerdictResult::NotAccepted, "{}", v.summary);
        // The mailbox's own list counts first.
        let p = rs_picture(SpamLists::default(), FilterLevel::Exclusive, lists(&["boss@partner.example"], &[], &[], &[]));
        let v = explain(&p, &s("Boss@Partner.example"));
        assert!(matches!(v.decided_by, Decider::List { level: Level::Mailbox, .. }), "{v:?}");
    }

    #[test]
    fn exclusive_without_a_safe_entry_is_not_accepted_and_says_what_is_not_documented() {
        let p = rs_picture(SpamLists::default(), FilterLevel::Exclusive, SpamLists::default());
        let v = explain(&p, &s("someone@else.example"));
        assert_eq!(v.result, VerdictResult::NotAccepted);
        assert!(v.summary.contains("exclusive, which lets through only mail from senders on the safe lists"), "{}", v.summary);
        assert!(v.notes.iter().any(|n| n.contains("does not document whether such mail is refused")), "{:?}", v.notes);
        assert!(v.notes.iter().any(|n| n.contains("The domain's spam filter is on, but jane@example.com has its own setting (exclusive)")), "{:?}", v.notes);
    }

    #[test]
    fn the_block_list_wins_and_a_conflict_is_named() {
        let p = rs_picture(lists(&[], &["@%.bulk.example"], &[], &[]), FilterLevel::On, lists(&["news@mail.bulk.example"], &[], &[], &[]));
        let v = explain(&p, &s("news@mail.bulk.example"));
        assert_eq!(v.result, VerdictResult::Blocked);
        assert!(v.summary.contains("it matches @%.bulk.example on the blocked senders of the domain example.com"), "{}", v.summary);
        assert!(v.notes[0].contains("also matches news@mail.bulk.example on the safe senders of jane@example.com"), "{:?}", v.notes);
        assert!(v.notes[0].contains("assumes the block wins"));
        assert!(v.suggestions[0].contains("remove @%.bulk.example from the blocked senders of the domain example.com"), "{:?}", v.suggestions);
    }

    #[test]
    fn ip_lists_count_only_with_the_senders_ip() {
        let p = rs_picture(lists(&[], &[], &[], &["192.0.2.66"]), FilterLevel::On, SpamLists::default());
        let v = explain(&p, &s("x@y.example"));
        assert_eq!(v.result, VerdictResult::ContentChecked);
        assert!(v.notes.iter().any(|n| n.contains("IP lists were not checked")));
        let v = explain(&p, &s("x@y.example").with_ip("192.0.2.66").unwrap());
        assert_eq!(v.result, VerdictResult::Blocked);
        assert!(v.summary.contains("192.0.2.66 on the blocked IP addresses of the domain example.com"), "{}", v.summary);
        assert_eq!(v.sender, "x@y.example (from 192.0.2.66)");
    }

    #[test]
    fn filter_off_delivers_unchecked() {
        let p = rs_picture(SpamLists::default(), FilterLevel::Off, SpamLists::default());
        let v = explain(&p, &s("x@y.example"));
        assert_eq!(v.result, VerdictResult::NotChecked);
        assert!(v.summary.contains("the spam filter of jane@example.com is off"), "{}", v.summary);
        assert!(v.suggestions.is_empty());
    }

    #[test]
    fn exchange_spam_goes_to_a_quarantine() {
        let a = EmailAddress::parse("kim@example.net").unwrap();
        let mut p = SpamPicture {
            owner: SpamOwner::mailbox(OwnerKind::ExMailbox, &a, vec![Service::Exchange]),
            domain_settings: domain_settings(FilterLevel::On, RsEmailSpam::default(), DomainQuarantine::Off),
            domain_lists: SpamLists::default(),
            mailbox: Some((SpamSettings::ExMailbox(ExMailboxSpamSettings { filter_level: FilterLevel::On, send_to_domain_quarantine: false, quarantine_owner: Some("kim@example.net".into()) }), SpamLists::default())),
        };
        let v = explain(&p, &s("x@y.example"));
        assert_eq!(v.spam_goes.as_deref(), Some("it is held in the mailbox's own quarantine; kim@example.net gets its notices"));
        p.domain_settings = domain_settings(FilterLevel::On, RsEmailSpam::default(), DomainQuarantine::On);
        let v = explain(&p, &s("x@y.example"));
        assert_eq!(v.spam_goes.as_deref(), Some("it is held in the mailbox's own quarantine; kim@example.net gets its notices"), "the mailbox's own setting, as §6.9 says");
        assert!(v.notes.iter().any(|n| n.contains("The domain's Exchange quarantine is on, but kim@example.net keeps spam in its own quarantine")), "{:?}", v.notes);
        if let Some((SpamSettings::ExMailbox(m), _)) = &mut p.mailbox {
            m.send_to_domain_quarantine = true;
        }
        let v = explain(&p, &s("x@y.example"));
        assert_eq!(v.spam_goes.as_deref(), Some("it is held in the domain's quarantine; it@example.com gets its notices"));
    }

    #[test]
    fn a_domain_with_both_services_says_both() {
        let p = SpamPicture {
            owner: SpamOwner::domain("tailspin.example", vec![Service::RackspaceEmail, Service::Exchange]),
            domain_settings: domain_settings(FilterLevel::On, RsEmailSpam { handling: SpamHandling::ToAddress, forward_to: Some("review@tailspin.example".into()), ..RsEmailSpam::default() }, DomainQuarantine::Off),
            domain_lists: SpamLists::default(),
            mailbox: None,
        };
        let v = explain(&p, &s("x@y.example"));
        assert_eq!(
            v.spam_goes.as_deref(),
            Some("for a Rackspace Email mailbox it is sent to review@tailspin.example instead of the mailbox; for an Exchange mailbox it is held in the mailbox's own quarantine")
        );
        assert!(v.summary.starts_with("Mail from x@y.example to the domain tailspin.example is checked"), "{}", v.summary);
        assert!(v.suggestions[0].contains("to the safe senders of the domain tailspin.example"), "{:?}", v.suggestions);
    }
}
