//! Spam settings of a domain (§6.4, §13), a Rackspace Email mailbox (§6.6) and an Exchange
//! mailbox (§6.9): typed, explained in plain words, changed by applying a person's changes to
//! what the server has, checked, and sent **whole** — a client written against the real
//! service sends every setting on each edit, because partial edits changed other values (§13).

use super::OwnerKind;
use crate::client::Form;
use crate::error::ApiError;
use crate::names::EmailAddress;
use serde::{Deserialize, Serialize};

/// Largest folder limit sent: the limits are whole numbers and the service is a .NET one, so a
/// 32-bit signed integer is the widest it can hold [U].
pub const MAX_FOLDER_LIMIT: i64 = i32::MAX as i64;

/// `filterLevel`: how strictly mail is filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterLevel {
    On,
    Off,
    Exclusive,
}

impl FilterLevel {
    pub const ALL: [FilterLevel; 3] = [FilterLevel::On, FilterLevel::Off, FilterLevel::Exclusive];

    /// The value in the API (and on the command line).
    pub fn api(self) -> &'static str {
        match self {
            FilterLevel::On => "on",
            FilterLevel::Off => "off",
            FilterLevel::Exclusive => "exclusive",
        }
    }

    /// `on`, `off`, `exclusive`, in any case.
    pub fn parse(s: &str) -> Option<FilterLevel> {
        FilterLevel::ALL.into_iter().find(|l| l.api().eq_ignore_ascii_case(s.trim()))
    }

    /// What the level does, in one sentence for a person.
    pub fn explain(self) -> &'static str {
        match self {
            FilterLevel::On => "on: mail is checked for spam, and spam is handled as set",
            FilterLevel::Off => "off: mail is not checked for spam; it is delivered as it comes",
            FilterLevel::Exclusive => "exclusive: only mail from senders on the safe list gets through",
        }
    }
}

/// What Rackspace Email does with spam (`rsEmail.spamHandling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SpamHandling {
    ToFolder,
    Delete,
    LabelSubject,
    ToAddress,
}

impl SpamHandling {
    pub const ALL: [SpamHandling; 4] = [SpamHandling::ToFolder, SpamHandling::Delete, SpamHandling::LabelSubject, SpamHandling::ToAddress];

    pub fn api(self) -> &'static str {
        match self {
            SpamHandling::ToFolder => "toFolder",
            SpamHandling::Delete => "delete",
            SpamHandling::LabelSubject => "labelSubject",
            SpamHandling::ToAddress => "toAddress",
        }
    }

    /// The short word used on the command line: `folder`, `delete`, `label`, `forward`.
    pub fn word(self) -> &'static str {
        match self {
            SpamHandling::ToFolder => "folder",
            SpamHandling::Delete => "delete",
            SpamHandling::LabelSubject => "label",
            SpamHandling::ToAddress => "forward",
        }
    }

    /// The command line's word or the API's value, in any case.
    pub fn parse(s: &str) -> Option<SpamHandling> {
        let s = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        SpamHandling::ALL.into_iter().find(|h| h.word() == s || h.api().eq_ignore_ascii_case(&s))
    }

    pub fn explain(self) -> &'static str {
        match self {
            SpamHandling::ToFolder => "to the Spam folder: spam goes to the mailbox's Spam folder",
            SpamHandling::Delete => "delete: spam is deleted at once, and nobody sees it",
            SpamHandling::LabelSubject => "label: spam is delivered to the inbox with [SPAM] at the start of its subject",
            SpamHandling::ToAddress => "forward: spam goes to another address instead (for example someone who reviews it)",
        }
    }
}

/// `exchange.forwardToDomainQuarantine` of a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainQuarantine {
    On,
    Off,
    #[serde(rename = "nonuser")]
    NonUser,
}

impl DomainQuarantine {
    pub const ALL: [DomainQuarantine; 3] = [DomainQuarantine::On, DomainQuarantine::Off, DomainQuarantine::NonUser];

    pub fn api(self) -> &'static str {
        match self {
            DomainQuarantine::On => "on",
            DomainQuarantine::Off => "off",
            DomainQuarantine::NonUser => "nonuser",
        }
    }

    pub fn parse(s: &str) -> Option<DomainQuarantine> {
        let s = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        DomainQuarantine::ALL.into_iter().find(|q| q.api() == s)
    }

    pub fn explain(self) -> &'static str {
        match self {
            DomainQuarantine::On => "on: spam for the domain's Exchange mailboxes is held in one quarantine for the whole domain",
            DomainQuarantine::Off => "off: each Exchange mailbox keeps its own quarantine",
            // [U] The value is named in §13 but not explained.
            DomainQuarantine::NonUser => "nonuser: only spam for addresses with no mailbox goes to the domain's quarantine (Rackspace does not document this value further)",
        }
    }
}

/// Rackspace Email's handling of spam (`rsEmailSettings`): the folder settings mean something
/// only with [`SpamHandling::ToFolder`], the forwarding address only with
/// [`SpamHandling::ToAddress`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RsEmailSpam {
    pub handling: SpamHandling,
    /// The folder cleaner empties the Spam folder by age and by count.
    pub folder_cleaner: bool,
    /// Days a message stays in the Spam folder; 0 is no limit.
    pub folder_age_limit: u32,
    /// Messages the Spam folder keeps; 0 is no limit.
    pub folder_count_limit: u32,
    /// Where spam is forwarded ([`SpamHandling::ToAddress`] only).
    pub forward_to: Option<String>,
}

impl Default for RsEmailSpam {
    fn default() -> Self {
        RsEmailSpam { handling: SpamHandling::ToFolder, folder_cleaner: false, folder_age_limit: 0, folder_count_limit: 0, forward_to: None }
    }
}

impl RsEmailSpam {
    /// Where spam goes, in a sentence that continues "If it looks like spam, …".
    pub fn destination(&self) -> String {
        match self.handling {
            SpamHandling::ToFolder => {
                let mut s = "it is moved to the mailbox's Spam folder".to_string();
                if self.folder_cleaner {
                    s.push_str(&format!(" ({})", self.cleaner_words()));
                }
                s
            }
            SpamHandling::Delete => "it is deleted at once, and nobody sees it".into(),
            SpamHandling::LabelSubject => "it is delivered to the inbox with [SPAM] at the start of its subject".into(),
            SpamHandling::ToAddress => format!("it is sent to {} instead of the mailbox", self.forward_to.as_deref().unwrap_or("another address")),
        }
    }

    /// "the folder cleaner deletes spam after 30 days and keeps at most 500 messages".
    pub fn cleaner_words(&self) -> String {
        if !self.folder_cleaner {
            return "the folder cleaner is off".into();
        }
        let age = match self.folder_age_limit {
            0 => None,
            1 => Some("deletes spam after 1 day".to_string()),
            n => Some(format!("deletes spam after {n} days")),
        };
        let num = match self.folder_count_limit {
            0 => None,
            1 => Some("keeps at most 1 message".to_string()),
            n => Some(format!("keeps at most {n} messages")),
        };
        match (age, num) {
            (Some(a), Some(n)) => format!("the folder cleaner {a} and {n}"),
            (Some(x), None) | (None, Some(x)) => format!("the folder cleaner {x}"),
            (None, None) => "the folder cleaner is on, with no limits set".into(),
        }
    }

    /// The combinations the reference allows (§6.6): folder settings with `toFolder` only, a
    /// forwarding address with `toAddress` only (and there required).
    pub fn check(&self) -> Result<(), ApiError> {
        if self.handling != SpamHandling::ToFolder && (self.folder_cleaner || self.folder_age_limit > 0 || self.folder_count_limit > 0) {
            return Err(ApiError::invalid("spam handling", "the folder cleaner and its limits apply only when spam goes to the Spam folder"));
        }
        match (&self.handling, &self.forward_to) {
            (SpamHandling::ToAddress, None) => Err(ApiError::invalid("spam handling", "say which address spam is forwarded to")),
            (SpamHandling::ToAddress, Some(a)) => address("spam forwarding address", a).map(|_| ()),
            (_, Some(_)) => Err(ApiError::invalid("spam forwarding address", "it is used only when spam is forwarded to an address")),
            _ => Ok(()),
        }
    }

    fn add_to(&self, f: &mut Form) -> Result<(), ApiError> {
        self.check()?;
        f.text("rsEmail.spamHandling", self.handling.api())
            .flag("rsEmail.hasFolderCleaner", self.folder_cleaner)
            .text("rsEmail.spamFolderAgeLimit", self.folder_age_limit.to_string())
            .text("rsEmail.spamFolderNumLimit", self.folder_count_limit.to_string())
            .text("rsEmail.spamForwardingAddress", self.forward_to.clone().unwrap_or_default());
        Ok(())
    }
}

/// A domain's spam settings (§6.4, §13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSpamSettings {
    pub filter_level: FilterLevel,
    /// The Rackspace Email side.
    pub rs_email: RsEmailSpam,
    /// The Exchange side: one quarantine for the domain, or each mailbox its own.
    pub domain_quarantine: DomainQuarantine,
    /// Who receives the domain quarantine's notices.
    pub quarantine_owner: Option<String>,
    /// [U] The quarantine owner of Exchange mailboxes that have none of their own.
    pub default_quarantine_owner: Option<String>,
}

/// A Rackspace Email mailbox's spam settings (§6.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RsMailboxSpamSettings {
    pub filter_level: FilterLevel,
    pub rs_email: RsEmailSpam,
}

/// An Exchange mailbox's spam settings (§6.9): its spam is held in its own quarantine, or in
/// the domain's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExMailboxSpamSettings {
    pub filter_level: FilterLevel,
    pub send_to_domain_quarantine: bool,
    /// Who receives this mailbox's quarantine notices.
    pub quarantine_owner: Option<String>,
}

/// The settings of a domain or a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SpamSettings {
    Domain(DomainSpamSettings),
    RsMailbox(RsMailboxSpamSettings),
    ExMailbox(ExMailboxSpamSettings),
}

/// One setting as a person reads it: its name, its value in words, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingLine {
    /// Stable key for the app (`filterLevel`, `handling`, `folderCleaner`, …).
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub explanation: String,
}

fn line(key: &'static str, label: &'static str, value: impl Into<String>, explanation: impl Into<String>) -> SettingLine {
    SettingLine { key, label, value: value.into(), explanation: explanation.into() }
}

fn owner_words(o: &Option<String>) -> String {
    o.clone().unwrap_or_else(|| "none".into())
}

fn rs_lines(out: &mut Vec<SettingLine>, rs: &RsEmailSpam) {
    out.push(line("handling", "What happens to spam", rs.handling.word(), capital(rs.handling.explain())));
    if rs.handling == SpamHandling::ToFolder {
        out.push(line(
            "folderCleaner",
            "Spam folder cleaner",
            if rs.folder_cleaner { "on" } else { "off" },
            format!("{}; 0 means no limit", capital(&rs.cleaner_words())),
        ));
    }
    if rs.handling == SpamHandling::ToAddress {
        out.push(line("forwardTo", "Spam is forwarded to", rs.forward_to.clone().unwrap_or_default(), "The address that receives the spam instead of the mailbox"));
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl SpamSettings {
    pub fn filter_level(&self) -> FilterLevel {
        match self {
            SpamSettings::Domain(d) => d.filter_level,
            SpamSettings::RsMailbox(m) => m.filter_level,
            SpamSettings::ExMailbox(m) => m.filter_level,
        }
    }

    pub fn owner_kind(&self) -> OwnerKind {
        match self {
            SpamSettings::Domain(_) => OwnerKind::Domain,
            SpamSettings::RsMailbox(_) => OwnerKind::RsMailbox,
            SpamSettings::ExMailbox(_) => OwnerKind::ExMailbox,
        }
    }

    /// The Rackspace Email handling, where there is one (a domain, a Rackspace Email mailbox).
    pub fn rs_email(&self) -> Option<&RsEmailSpam> {
        match self {
            SpamSettings::Domain(d) => Some(&d.rs_email),
            SpamSettings::RsMailbox(m) => Some(&m.rs_email),
            SpamSettings::ExMailbox(_) => None,
        }
    }

    /// Every setting in plain words, in the order a person reads them (the app's settings
    /// card, `rackdesk spam show`).
    pub fn lines(&self) -> Vec<SettingLine> {
        let mut out = vec![line("filterLevel", "Spam filter", self.filter_level().api(), capital(self.filter_level().explain()))];
        match self {
            SpamSettings::Domain(d) => {
                rs_lines(&mut out, &d.rs_email);
                out.push(line("domainQuarantine", "Exchange domain quarantine", d.domain_quarantine.api(), capital(d.domain_quarantine.explain())));
                out.push(line("quarantineOwner", "Quarantine owner", owner_words(&d.quarantine_owner), "Who receives the domain quarantine's notices"));
                out.push(line(
                    "defaultQuarantineOwner",
                    "Default quarantine owner",
                    owner_words(&d.default_quarantine_owner),
                    "Who receives the quarantine notices of Exchange mailboxes that have no owner of their own",
                ));
            }
            SpamSettings::RsMailbox(m) => rs_lines(&mut out, &m.rs_email),
            SpamSettings::ExMailbox(m) => {
                out.push(line(
                    "sendToDomainQuarantine",
                    "Spam is held in",
                    if m.send_to_domain_quarantine { "the domain's quarantine" } else { "the mailbox's own quarantine" },
                    "Exchange holds spam in a quarantine: the mailbox's own, or the one of the whole domain",
                ));
                out.push(line("quarantineOwner", "Quarantine owner", owner_words(&m.quarantine_owner), "Who receives this mailbox's quarantine notices"));
            }
        }
        out
    }

    /// [`SpamSettings::lines`] for a domain that has only some of the services: a domain
    /// without Hosted Exchange shows no quarantine lines, one without Rackspace Email no
    /// Spam-folder lines (the server reports both sides for every domain).
    pub fn lines_for(&self, services: &[crate::models::Service]) -> Vec<SettingLine> {
        use crate::models::Service;
        let mut out = self.lines();
        if matches!(self, SpamSettings::Domain(_)) && !services.is_empty() {
            let rs = ["handling", "folderCleaner", "forwardTo"];
            let ex = ["domainQuarantine", "quarantineOwner", "defaultQuarantineOwner"];
            out.retain(|l| (services.contains(&Service::RackspaceEmail) || !rs.contains(&l.key)) && (services.contains(&Service::Exchange) || !ex.contains(&l.key)));
        }
        out
    }

    /// Checks the settings as a whole: the reference's valid combinations, the addresses.
    pub fn check(&self) -> Result<(), ApiError> {
        match self {
            SpamSettings::Domain(d) => {
                d.rs_email.check()?;
                if let Some(a) = &d.quarantine_owner {
                    address("quarantine owner", a)?;
                }
                if let Some(a) = &d.default_quarantine_owner {
                    address("default quarantine owner", a)?;
                }
            }
            SpamSettings::RsMailbox(m) => m.rs_email.check()?,
            SpamSettings::ExMailbox(m) => {
                // §6.9: `off` forces `sendtodomainquarantine=false`.
                if m.filter_level == FilterLevel::Off && m.send_to_domain_quarantine {
                    return Err(ApiError::invalid("domain quarantine", "with the spam filter off there is no spam to send to the domain's quarantine; turn the filter on, or the domain quarantine off"));
                }
                if let Some(a) = &m.quarantine_owner {
                    address("quarantine owner", a)?;
                }
            }
        }
        Ok(())
    }

    /// The whole edit form: every setting, with each resource's own field names (camelCase
    /// and dotted for a domain and a Rackspace Email mailbox, lower case for an Exchange
    /// mailbox, §6.9). `apply_to_all` (`overrideUserSettings`, a domain only) gives every
    /// mailbox of the domain its filter level and handling.
    ///
    /// A quarantine owner is sent when there is one; when there is none, the `remove…` flag
    /// says so (sending an empty address would be read as "no change" by some servers and as
    /// an invalid address by others [U]).
    pub fn to_form(&self, apply_to_all: bool) -> Result<Form, ApiError> {
        self.check()?;
        let mut f = Form::new();
        match self {
            SpamSettings::Domain(d) => {
                f.text("filterLevel", d.filter_level.api()).flag("overrideUserSettings", apply_to_all);
                d.rs_email.add_to(&mut f)?;
                f.text("exchange.forwardToDomainQuarantine", d.domain_quarantine.api());
                match &d.quarantine_owner {
                    Some(a) => f.text("exchange.quarantineOwner", a.clone()).flag("exchange.removeQuarantineOwner", false),
                    None => f.flag("exchange.removeQuarantineOwner", true),
                };
                match &d.default_quarantine_owner {
                    Some(a) => f.text("exchange.defaultQuarantineOwner", a.clone()).flag("exchange.removeDefaultQuarantineOwner", false),
                    None => f.flag("exchange.removeDefaultQuarantineOwner", true),
                };
            }
            SpamSettings::RsMailbox(m) => {
                if apply_to_all {
                    return Err(ApiError::invalid("apply to all mailboxes", "it is a setting of a domain, not of a mailbox"));
                }
                f.text("filterLevel", m.filter_level.api());
                m.rs_email.add_to(&mut f)?;
            }
            SpamSettings::ExMailbox(m) => {
                if apply_to_all {
                    return Err(ApiError::invalid("apply to all mailboxes", "it is a setting of a domain, not of a mailbox"));
                }
                f.text("filterlevel", m.filter_level.api()).flag_capitalised("sendtodomainquarantine", m.send_to_domain_quarantine);
                match &m.quarantine_owner {
                    Some(a) => f.text("quarantineowner", a.clone()).flag_capitalised("removeQuarantineOwner", false),
                    None => f.flag_capitalised("removeQuarantineOwner", true),
                };
            }
        }
        Ok(f)
    }
}

/// A settings address (forwarding, quarantine owners): one deliverable address, lower case.
fn address(field: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    if v.contains([',', ';']) || v.split_whitespace().count() > 1 {
        return Err(ApiError::invalid(field, "give one address"));
    }
    Ok(EmailAddress::parse_external(field, v)?.to_string().to_ascii_lowercase())
}

/// A folder limit as a person gave it: a whole number, 0 (no limit) or more.
fn limit(field: &str, v: i64) -> Result<u32, ApiError> {
    if v < 0 {
        return Err(ApiError::invalid(field, format!("it cannot be negative ({v}); use 0 for no limit")));
    }
    if v > MAX_FOLDER_LIMIT {
        return Err(ApiError::invalid(field, format!("it is too large; at most {MAX_FOLDER_LIMIT}")));
    }
    Ok(v as u32)
}

/// What a person asks to change; `None` leaves a setting as it is. The same value for a
/// domain, a Rackspace Email mailbox and an Exchange mailbox: [`SpamChanges::apply`] refuses a
/// change that does not belong to the owner (an Exchange quarantine for a Rackspace Email
/// mailbox, a spam folder for an Exchange mailbox).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SpamChanges {
    pub filter_level: Option<FilterLevel>,
    /// Rackspace Email (a domain, a Rackspace Email mailbox).
    pub handling: Option<SpamHandling>,
    /// Where spam is forwarded; needs [`SpamHandling::ToAddress`].
    pub forward_to: Option<String>,
    /// Needs [`SpamHandling::ToFolder`].
    pub folder_cleaner: Option<bool>,
    /// Days; 0 is no limit. Signed so that a negative number is refused in words.
    pub folder_age_limit: Option<i64>,
    /// Messages; 0 is no limit.
    pub folder_count_limit: Option<i64>,
    /// A domain's Exchange quarantine.
    pub domain_quarantine: Option<DomainQuarantine>,
    /// An Exchange mailbox: hold its spam in the domain's quarantine.
    pub send_to_domain_quarantine: Option<bool>,
    /// `Some(None)` removes the owner (a domain, an Exchange mailbox). In JSON: absent leaves
    /// it, `null` removes it, an address sets it.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub quarantine_owner: Option<Option<String>>,
    /// `Some(None)` removes it (a domain). In JSON as `quarantineOwner`.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub default_quarantine_owner: Option<Option<String>>,
    /// A domain: give every mailbox of the domain its filter level and handling
    /// (`overrideUserSettings`).
    pub apply_to_all_mailboxes: bool,
}

impl SpamChanges {
    /// Nothing asked for.
    pub fn is_empty(&self) -> bool {
        *self == SpamChanges::default()
    }

    /// Refuses changes that belong to another kind of owner, before anything is read.
    pub fn check_for(&self, kind: OwnerKind) -> Result<(), ApiError> {
        if self.is_empty() {
            return Err(ApiError::invalid("request", "no change was asked for"));
        }
        let rs = self.handling.is_some() || self.forward_to.is_some() || self.folder_cleaner.is_some() || self.folder_age_limit.is_some() || self.folder_count_limit.is_some();
        match kind {
            OwnerKind::Domain => {
                if self.send_to_domain_quarantine.is_some() {
                    return Err(ApiError::invalid("domain quarantine", "for a domain, choose on, off or nonuser (sending one mailbox's spam to the domain's quarantine is a setting of that Exchange mailbox)"));
                }
            }
            OwnerKind::RsMailbox => {
                if self.domain_quarantine.is_some() || self.send_to_domain_quarantine.is_some() || self.quarantine_owner.is_some() || self.default_quarantine_owner.is_some() {
                    return Err(ApiError::invalid("quarantine", "quarantines are Hosted Exchange settings; a Rackspace Email mailbox handles spam with a Spam folder, delete, label or forward"));
                }
                if self.apply_to_all_mailboxes {
                    return Err(ApiError::invalid("apply to all mailboxes", "it is a setting of a domain, not of a mailbox"));
                }
            }
            OwnerKind::ExMailbox => {
                if rs {
                    return Err(ApiError::invalid("spam handling", "an Exchange mailbox has no Spam folder, delete, label or forward setting: its spam is held in a quarantine (its own, or the domain's)"));
                }
                if self.domain_quarantine.is_some() || self.default_quarantine_owner.is_some() {
                    return Err(ApiError::invalid("domain quarantine", "that is a setting of the domain; for one Exchange mailbox, choose whether its spam goes to the domain's quarantine"));
                }
                if self.apply_to_all_mailboxes {
                    return Err(ApiError::invalid("apply to all mailboxes", "it is a setting of a domain, not of a mailbox"));
                }
            }
        }
        Ok(())
    }

    /// The settings after the changes, checked. Changing the handling away from the Spam
    /// folder clears the folder settings, and away from forwarding clears the address (as the
    /// service keeps them); asking for a folder setting or an address that the resulting
    /// handling does not use is refused, as is forwarding with no address to forward to.
    pub fn apply(&self, current: &SpamSettings) -> Result<SpamSettings, ApiError> {
        self.check_for(current.owner_kind())?;
        let level = self.filter_level.unwrap_or(current.filter_level());
        let next = match current {
            SpamSettings::Domain(d) => SpamSettings::Domain(DomainSpamSettings {
                filter_level: level,
                rs_email: self.apply_rs(&d.rs_email)?,
                domain_quarantine: self.domain_quarantine.unwrap_or(d.domain_quarantine),
                quarantine_owner: owner(&self.quarantine_owner, &d.quarantine_owner, "quarantine owner")?,
                default_quarantine_owner: owner(&self.default_quarantine_owner, &d.default_quarantine_owner, "default quarantine owner")?,
            }),
            SpamSettings::RsMailbox(m) => SpamSettings::RsMailbox(RsMailboxSpamSettings { filter_level: level, rs_email: self.apply_rs(&m.rs_email)? }),
            SpamSettings::ExMailbox(m) => {
                if level == FilterLevel::Off && self.send_to_domain_quarantine == Some(true) {
                    return Err(ApiError::invalid("domain quarantine", "with the spam filter off there is no spam to send to the domain's quarantine; turn the filter on, or leave the domain quarantine off"));
                }
                // §6.9: turning the filter off turns the domain quarantine off too.
                let quarantine = if level == FilterLevel::Off { false } else { self.send_to_domain_quarantine.unwrap_or(m.send_to_domain_quarantine) };
                SpamSettings::ExMailbox(ExMailboxSpamSettings {
                    filter_level: level,
                    send_to_domain_quarantine: quarantine,
                    quarantine_owner: owner(&self.quarantine_owner, &m.quarantine_owner, "quarantine owner")?,
                })
            }
        };
        next.check()?;
        Ok(next)
    }

    fn apply_rs(&self, cur: &RsEmailSpam) -> Result<RsEmailSpam, ApiError> {
        let handling = self.handling.unwrap_or(cur.handling);
        let age = self.folder_age_limit.map(|v| limit("folder age limit (days)", v)).transpose()?;
        let num = self.folder_count_limit.map(|v| limit("folder size limit (messages)", v)).transpose()?;
        if handling != SpamHandling::ToFolder {
            let asked = [
                ("folder cleaner", self.folder_cleaner.is_some_and(|c| c)),
                ("folder age limit (days)", age.is_some_and(|n| n > 0)),
                ("folder size limit (messages)", num.is_some_and(|n| n > 0)),
            ];
            if let Some((field, _)) = asked.iter().find(|(_, on)| *on) {
                return Err(ApiError::invalid(
                    *field,
                    format!("it applies only when spam goes to the Spam folder, and spam is set to {} (\"{}\")", handling.word(), handling.explain()),
                ));
            }
        }
        if handling != SpamHandling::ToAddress && self.forward_to.as_deref().is_some_and(|a| !a.trim().is_empty()) {
            return Err(ApiError::invalid(
                "spam forwarding address",
                format!("it is used only when spam is forwarded (handling \"forward\"), and spam is set to {}", handling.word()),
            ));
        }
        Ok(match handling {
            SpamHandling::ToFolder => {
                let was = cur.handling == SpamHandling::ToFolder;
                RsEmailSpam {
                    handling,
                    folder_cleaner: self.folder_cleaner.unwrap_or(was && cur.folder_cleaner),
                    folder_age_limit: age.unwrap_or(if was { cur.folder_age_limit } else { 0 }),
                    folder_count_limit: num.unwrap_or(if was { cur.folder_count_limit } else { 0 }),
                    forward_to: None,
                }
            }
            SpamHandling::ToAddress => {
                let kept = if cur.handling == SpamHandling::ToAddress { cur.forward_to.clone() } else { None };
                let to = match self.forward_to.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                    Some(a) => address("spam forwarding address", a)?,
                    None => kept.ok_or_else(|| ApiError::invalid("spam forwarding address", "say which address spam is forwarded to"))?,
                };
                RsEmailSpam { handling, forward_to: Some(to), ..RsEmailSpam::default() }
            }
            other => RsEmailSpam { handling: other, ..RsEmailSpam::default() },
        })
    }
}

/// A field that is there, even as `null` (`Some(None)`); one that is absent is the default.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn owner(change: &Option<Option<String>>, cur: &Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    match change {
        None => Ok(cur.clone()),
        Some(None) => Ok(None),
        Some(Some(a)) if a.trim().is_empty() => Ok(None),
        Some(Some(a)) => Ok(Some(address(field, a)?)),
    }
}

// ---- reading Show ----

fn undecodable(path: &str, message: String) -> ApiError {
    ApiError::Undecodable { status: 200, path: path.into(), message }
}

fn level_of(path: &str, s: &str) -> Result<FilterLevel, ApiError> {
    FilterLevel::parse(s).ok_or_else(|| undecodable(path, format!("\"{s}\" is not a filter level Rackdesk knows (on, off, exclusive)")))
}

fn opt_address(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireRsEmail {
    #[serde(default)]
    spam_handling: Option<String>,
    #[serde(default)]
    has_folder_cleaner: Option<bool>,
    #[serde(default)]
    spam_folder_age_limit: Option<u32>,
    #[serde(default)]
    spam_folder_num_limit: Option<u32>,
    #[serde(default)]
    spam_forwarding_address: Option<String>,
}

impl WireRsEmail {
    fn typed(self, path: &str) -> Result<RsEmailSpam, ApiError> {
        let raw = self.spam_handling.unwrap_or_else(|| "toFolder".into());
        let handling = SpamHandling::ALL
            .into_iter()
            .find(|h| h.api().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| undecodable(&format!("{path}.spamHandling"), format!("\"{raw}\" is not a spam handling Rackdesk knows")))?;
        Ok(RsEmailSpam {
            handling,
            folder_cleaner: self.has_folder_cleaner.unwrap_or(false),
            folder_age_limit: self.spam_folder_age_limit.unwrap_or(0),
            folder_count_limit: self.spam_folder_num_limit.unwrap_or(0),
            forward_to: opt_address(self.spam_forwarding_address),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireExchange {
    #[serde(default)]
    forward_to_domain_quarantine: Option<String>,
    #[serde(default)]
    quarantine_owner: Option<String>,
    #[serde(default)]
    default_quarantine_owner: Option<String>,
}

/// A domain's Show (§6.4): `{"filterLevel", "rsEmailSettings": {...}, "exchangeSettings": {...}}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireDomain {
    filter_level: String,
    #[serde(default)]
    rs_email_settings: Option<WireRsEmail>,
    #[serde(default)]
    exchange_settings: Option<WireExchange>,
}

/// A Rackspace Email mailbox's Show (§6.6).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireRsMailbox {
    filter_level: String,
    #[serde(default)]
    rs_email_settings: Option<WireRsEmail>,
}

/// An Exchange mailbox's Show (§6.9): `{"filterLevel", "sendToDomainQuarantine", "quarantineOwner"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireExMailbox {
    filter_level: String,
    #[serde(default)]
    send_to_domain_quarantine: Option<bool>,
    #[serde(default)]
    quarantine_owner: Option<String>,
}

impl WireDomain {
    pub(crate) fn typed(self) -> Result<SpamSettings, ApiError> {
        let ex = self.exchange_settings.unwrap_or(WireExchange { forward_to_domain_quarantine: None, quarantine_owner: None, default_quarantine_owner: None });
        let q = ex.forward_to_domain_quarantine.unwrap_or_else(|| "off".into());
        Ok(SpamSettings::Domain(DomainSpamSettings {
            filter_level: level_of("filterLevel", &self.filter_level)?,
            rs_email: match self.rs_email_settings {
                Some(r) => r.typed("rsEmailSettings")?,
                None => RsEmailSpam::default(),
            },
            domain_quarantine: DomainQuarantine::parse(&q)
                .ok_or_else(|| undecodable("exchangeSettings.forwardToDomainQuarantine", format!("\"{q}\" is not on, off or nonuser")))?,
            quarantine_owner: opt_address(ex.quarantine_owner),
            default_quarantine_owner: opt_address(ex.default_quarantine_owner),
        }))
    }
}

impl WireRsMailbox {
    pub(crate) fn typed(self) -> Result<SpamSettings, ApiError> {
        Ok(SpamSettings::RsMailbox(RsMailboxSpamSettings {
            filter_level: level_of("filterLevel", &self.filter_level)?,
            rs_email: match self.rs_email_settings {
                Some(r) => r.typed("rsEmailSettings")?,
                None => RsEmailSpam::default(),
            },
        }))
    }
}

impl WireExMailbox {
    pub(crate) fn typed(self) -> Result<SpamSettings, ApiError> {
        Ok(SpamSettings::ExMailbox(ExMailboxSpamSettings {
            filter_level: level_of("filterLevel", &self.filter_level)?,
            send_to_domain_quarantine: self.send_to_domain_quarantine.unwrap_or(false),
            quarantine_owner: opt_address(self.quarantine_owner),
        }))
    }
}

/// Every setting under a stable key with its value as the journal records it.
pub(crate) fn flat(s: &SpamSettings) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let mut v = vec![("filterLevel", json!(s.filter_level().api()))];
    if let Some(r) = s.rs_email() {
        v.push(("handling", json!(r.handling.api())));
        v.push(("folderCleaner", json!(r.folder_cleaner)));
        v.push(("folderAgeLimit", json!(r.folder_age_limit)));
        v.push(("folderCountLimit", json!(r.folder_count_limit)));
        v.push(("forwardTo", json!(r.forward_to)));
    }
    match s {
        SpamSettings::Domain(d) => {
            v.push(("domainQuarantine", json!(d.domain_quarantine.api())));
            v.push(("quarantineOwner", json!(d.quarantine_owner)));
            v.push(("defaultQuarantineOwner", json!(d.default_quarantine_owner)));
        }
        SpamSettings::ExMailbox(m) => {
            v.push(("sendToDomainQuarantine", json!(m.send_to_domain_quarantine)));
            v.push(("quarantineOwner", json!(m.quarantine_owner)));
        }
        SpamSettings::RsMailbox(_) => {}
    }
    v
}

/// The journal's record of a settings change: each setting that changes, old and new, under
/// the keys of [`flat`] (read back when an entry is settled, put in words by the journal).
pub(crate) fn diff(old: &SpamSettings, new: &SpamSettings) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for ((k, o), (_, n)) in flat(old).into_iter().zip(flat(new)) {
        if o != n {
            out.insert(k.into(), serde_json::json!({"old": o, "new": n}));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> SpamSettings {
        SpamSettings::Domain(DomainSpamSettings {
            filter_level: FilterLevel::On,
            rs_email: RsEmailSpam { folder_cleaner: true, folder_age_limit: 30, ..RsEmailSpam::default() },
            domain_quarantine: DomainQuarantine::Off,
            quarantine_owner: None,
            default_quarantine_owner: None,
        })
    }

    fn rs() -> SpamSettings {
        SpamSettings::RsMailbox(RsMailboxSpamSettings { filter_level: FilterLevel::On, rs_email: RsEmailSpam::default() })
    }

    fn ex() -> SpamSettings {
        SpamSettings::ExMailbox(ExMailboxSpamSettings { filter_level: FilterLevel::On, send_to_domain_quarantine: true, quarantine_owner: Some("it@example.com".into()) })
    }

    fn msg<T: std::fmt::Debug>(r: Result<T, ApiError>) -> String {
        r.unwrap_err().user_message()
    }

    #[test]
    fn show_answers_are_read_into_types() {
        let d: WireDomain = serde_json::from_str(
            r#"{"filterLevel":"on","rsEmailSettings":{"spamHandling":"toAddress","hasFolderCleaner":false,"spamFolderAgeLimit":0,"spamFolderNumLimit":0,"spamForwardingAddress":"someone@mail.com"},
            "exchangeSettings":{"forwardToDomainQuarantine":"on","quarantineOwner":"someone@mail.com","defaultQuarantineOwner":null}}"#,
        )
        .unwrap();
        let SpamSettings::Domain(d) = d.typed().unwrap() else { panic!() };
        assert_eq!(d.rs_email.handling, SpamHandling::ToAddress);
        assert_eq!(d.rs_email.forward_to.as_deref(), Some("someone@mail.com"));
        assert_eq!(d.domain_quarantine, DomainQuarantine::On);
        assert_eq!(d.default_quarantine_owner, None, "a real Show had null (§13)");
        let m: WireRsMailbox = serde_json::from_str(r#"{"filterLevel":"on","rsEmailSettings":{"hasFolderCleaner":false,"spamFolderAgeLimit":0,"spamFolderNumLimit":0,"spamForwardingAddress":"","spamHandling":"toFolder"}}"#).unwrap();
        let m = m.typed().unwrap();
        assert_eq!(m.rs_email().unwrap().forward_to, None, "an empty address is no address");
        let e: WireExMailbox = serde_json::from_str(r#"{"filterLevel":"exclusive","sendToDomainQuarantine":false,"quarantineOwner":""}"#).unwrap();
        assert_eq!(e.typed().unwrap(), SpamSettings::ExMailbox(ExMailboxSpamSettings { filter_level: FilterLevel::Exclusive, send_to_domain_quarantine: false, quarantine_owner: None }));
        let bad: WireRsMailbox = serde_json::from_str(r#"{"filterLevel":"high"}"#).unwrap();
        assert!(matches!(bad.typed().unwrap_err(), ApiError::Undecodable { ref path, .. } if path == "filterLevel"));
    }

    #[test]
    fn every_setting_is_sent_with_each_resources_own_names() {
        let f = domain().to_form(false).unwrap();
        assert_eq!(
            f.field_names(),
            vec![
                "filterLevel", "overrideUserSettings", "rsEmail.spamHandling", "rsEmail.hasFolderCleaner", "rsEmail.spamFolderAgeLimit",
                "rsEmail.spamFolderNumLimit", "rsEmail.spamForwardingAddress", "exchange.forwardToDomainQuarantine",
                "exchange.removeQuarantineOwner", "exchange.removeDefaultQuarantineOwner",
            ]
        );
        assert_eq!(f.value("rsEmail.spamFolderAgeLimit"), Some("30"));
        assert_eq!(f.value("exchange.removeQuarantineOwner"), Some("true"));
        let f = rs().to_form(false).unwrap();
        assert_eq!(f.field_names()[0], "filterLevel");
        assert_eq!(f.field_names().len(), 6);
        let f = ex().to_form(false).unwrap();
        assert_eq!(f.field_names(), vec!["filterlevel", "sendtodomainquarantine", "quarantineowner", "removeQuarantineOwner"]);
        assert_eq!(f.value("sendtodomainquarantine"), Some("True"));
        assert!(msg(rs().to_form(true)).contains("setting of a domain"));
    }

    #[test]
    fn changes_apply_on_top_of_what_is_there() {
        // Forward spam: the folder settings go with the folder.
        let c = SpamChanges { handling: Some(SpamHandling::ToAddress), forward_to: Some("Review@Example.com".into()), ..Default::default() };
        let SpamSettings::Domain(d) = c.apply(&domain()).unwrap() else { panic!() };
        assert_eq!(d.rs_email, RsEmailSpam { handling: SpamHandling::ToAddress, forward_to: Some("review@example.com".into()), ..RsEmailSpam::default() });
        // Only the filter level: the rest stays.
        let c = SpamChanges { filter_level: Some(FilterLevel::Exclusive), ..Default::default() };
        let SpamSettings::Domain(d2) = c.apply(&domain()).unwrap() else { panic!() };
        assert_eq!((d2.filter_level, d2.rs_email.folder_age_limit), (FilterLevel::Exclusive, 30));
        // Folder limits on the folder.
        let c = SpamChanges { folder_count_limit: Some(500), folder_cleaner: Some(true), ..Default::default() };
        let SpamSettings::RsMailbox(m) = c.apply(&rs()).unwrap() else { panic!() };
        assert_eq!((m.rs_email.folder_cleaner, m.rs_email.folder_count_limit), (true, 500));
        // Exchange: off turns the domain quarantine off; an owner is removed.
        let c = SpamChanges { filter_level: Some(FilterLevel::Off), quarantine_owner: Some(None), ..Default::default() };
        assert_eq!(c.apply(&ex()).unwrap(), SpamSettings::ExMailbox(ExMailboxSpamSettings { filter_level: FilterLevel::Off, send_to_domain_quarantine: false, quarantine_owner: None }));
    }

    #[test]
    fn invalid_combinations_are_refused_with_a_reason() {
        let fwd = |to: &str| SpamChanges { handling: Some(SpamHandling::ToAddress), forward_to: Some(to.into()), ..Default::default() };
        assert!(msg(SpamChanges::default().apply(&rs())).contains("no change was asked for"));
        assert!(msg(SpamChanges { handling: Some(SpamHandling::ToAddress), ..Default::default() }.apply(&rs())).contains("say which address"));
        assert!(msg(fwd("not-an-address").apply(&rs())).contains("spam forwarding address"));
        assert!(msg(fwd("a@x.example, b@x.example").apply(&rs())).contains("one address"));
        let e = msg(SpamChanges { handling: Some(SpamHandling::Delete), folder_cleaner: Some(true), ..Default::default() }.apply(&rs()));
        assert!(e.contains("folder cleaner") && e.contains("only when spam goes to the Spam folder"), "{e}");
        let e = msg(SpamChanges { handling: Some(SpamHandling::LabelSubject), folder_age_limit: Some(7), ..Default::default() }.apply(&domain()));
        assert!(e.contains("age limit"), "{e}");
        let e = msg(SpamChanges { forward_to: Some("a@x.example".into()), ..Default::default() }.apply(&rs()));
        assert!(e.contains("only when spam is forwarded"), "{e}");
        let e = msg(SpamChanges { folder_age_limit: Some(-1), ..Default::default() }.apply(&rs()));
        assert!(e.contains("cannot be negative"), "{e}");
        assert!(msg(SpamChanges { folder_count_limit: Some(i64::MAX), ..Default::default() }.apply(&rs())).contains("too large"));
        // Neutral values with another handling are fine (what a form that shows every field sends).
        let ok = SpamChanges { handling: Some(SpamHandling::Delete), folder_cleaner: Some(false), folder_age_limit: Some(0), ..Default::default() };
        assert!(ok.apply(&domain()).is_ok());
        // Each owner's own settings only.
        assert!(msg(SpamChanges { quarantine_owner: Some(Some("a@x.example".into())), ..Default::default() }.apply(&rs())).contains("Hosted Exchange"));
        assert!(msg(SpamChanges { handling: Some(SpamHandling::Delete), ..Default::default() }.apply(&ex())).contains("quarantine"));
        assert!(msg(SpamChanges { domain_quarantine: Some(DomainQuarantine::On), ..Default::default() }.apply(&ex())).contains("setting of the domain"));
        assert!(msg(SpamChanges { send_to_domain_quarantine: Some(true), ..Default::default() }.apply(&domain())).contains("on, off or nonuser"));
        assert!(msg(SpamChanges { apply_to_all_mailboxes: true, ..Default::default() }.apply(&rs())).contains("setting of a domain"));
        let e = msg(SpamChanges { filter_level: Some(FilterLevel::Off), send_to_domain_quarantine: Some(true), ..Default::default() }.apply(&ex()));
        assert!(e.contains("filter off"), "{e}");
        assert!(msg(SpamChanges { quarantine_owner: Some(Some("reception".into())), ..Default::default() }.apply(&ex())).contains("quarantine owner"));
    }

    #[test]
    fn changes_from_json_tell_removing_from_leaving() {
        let c: SpamChanges = serde_json::from_str(r#"{"filterLevel":"exclusive","quarantineOwner":null,"handling":"toAddress","forwardTo":"a@b.example"}"#).unwrap();
        assert_eq!((c.filter_level, c.quarantine_owner.clone(), c.default_quarantine_owner.clone()), (Some(FilterLevel::Exclusive), Some(None), None));
        assert_eq!(c.handling, Some(SpamHandling::ToAddress));
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["quarantineOwner"], serde_json::Value::Null);
        assert!(back.get("defaultQuarantineOwner").is_none());
        let c: SpamChanges = serde_json::from_str(r#"{"quarantineOwner":"it@example.com","applyToAllMailboxes":true}"#).unwrap();
        assert_eq!((c.quarantine_owner, c.apply_to_all_mailboxes), (Some(Some("it@example.com".into())), true));
    }

    #[test]
    fn settings_read_in_plain_words() {
        assert_eq!(FilterLevel::Exclusive.explain(), "exclusive: only mail from senders on the safe list gets through");
        let lines = domain().lines();
        let keys: Vec<&str> = lines.iter().map(|l| l.key).collect();
        assert_eq!(keys, ["filterLevel", "handling", "folderCleaner", "domainQuarantine", "quarantineOwner", "defaultQuarantineOwner"]);
        assert_eq!(lines[2].explanation, "The folder cleaner deletes spam after 30 days; 0 means no limit");
        let rs = RsEmailSpam { folder_cleaner: true, folder_age_limit: 1, folder_count_limit: 500, ..RsEmailSpam::default() };
        assert_eq!(rs.cleaner_words(), "the folder cleaner deletes spam after 1 day and keeps at most 500 messages");
        assert_eq!(ex().lines()[1].value, "the domain's quarantine");
        use crate::models::Service;
        let keys = |s: &[Service]| domain().lines_for(s).iter().map(|l| l.key).collect::<Vec<_>>();
        assert_eq!(keys(&[Service::RackspaceEmail]), ["filterLevel", "handling", "folderCleaner"]);
        assert_eq!(keys(&[Service::Exchange]), ["filterLevel", "domainQuarantine", "quarantineOwner", "defaultQuarantineOwner"]);
        assert_eq!(keys(&[Service::RackspaceEmail, Service::Exchange]).len(), 6);
        for h in SpamHandling::ALL {
            assert_eq!(SpamHandling::parse(h.word()), Some(h));
            assert_eq!(SpamHandling::parse(h.api()), Some(h));
        }
        assert_eq!(DomainQuarantine::parse("NonUser"), Some(DomainQuarantine::NonUser));
        assert_eq!(FilterLevel::parse(" Exclusive "), Some(FilterLevel::Exclusive));
    }

    #[test]
    fn the_journal_gets_what_changed() {
        let c = SpamChanges { filter_level: Some(FilterLevel::Exclusive), handling: Some(SpamHandling::Delete), ..Default::default() };
        let new = c.apply(&domain()).unwrap();
        let d = diff(&domain(), &new);
        let keys: Vec<&String> = d.keys().collect();
        assert_eq!(keys, ["filterLevel", "handling", "folderCleaner", "folderAgeLimit"]);
        assert_eq!(d["filterLevel"], serde_json::json!({"old": "on", "new": "exclusive"}));
    }
}
