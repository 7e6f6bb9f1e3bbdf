//! Spam protection: the settings and the four lists of a domain (§6.4), of a Rackspace Email
//! mailbox (§6.6) and of an Exchange mailbox (§6.9), with the route names confirmed in §13.
//!
//! * Settings: `GET`/`PUT .../spam/settings` (form or JSON body, like every classic edit).
//! * Lists: `blocklist`, `ipblocklist`, `safelist`, `ipsafelist`; the names before the
//!   October 2020 rename, `blacklist` and `ipblacklist`, are the same lists (§13). Index
//!   `GET .../spam/{list}` answers `{"addresses":[...]}`; `POST`/`DELETE .../spam/{list}/{entry}`
//!   add or remove one entry (no body); `PUT .../spam/{list}` with `addList`/`removeList`
//!   (comma-separated) edits many at once.
//!
//! Every edit is checked whole before anything changes. Choices where the reference is silent
//! are marked [U] where they are made.

use crate::store::{check_known_fields, parse_bool, printable, ApiFault, DomainRec, Fields, OpResult, Store};
use rackdesk_core::names::EmailAddress;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

/// Most entries one list holds. Not documented [U]: 1000 is far above what a help desk keeps by
/// hand and keeps the simulator's memory bounded; an add past it is refused.
pub const MAX_LIST_ENTRIES: usize = 1000;

/// Longest entry (the longest e-mail address, RFC 5321).
const MAX_ENTRY_LEN: usize = 254;

/// Largest folder limit taken: the limits are whole numbers, and the service is a .NET one, so
/// a 32-bit signed integer is the widest it can hold [U].
const MAX_FOLDER_LIMIT: i64 = i32::MAX as i64;

// ---- values ----

/// `filterLevel`: `on`, `off` or `exclusive` (only mail the safe list clears gets through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterLevel {
    #[default]
    On,
    Off,
    Exclusive,
}

impl FilterLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            FilterLevel::On => "on",
            FilterLevel::Off => "off",
            FilterLevel::Exclusive => "exclusive",
        }
    }

    /// The words are taken in any case [U: the reference writes them in lower case only].
    fn parse(field: &str, raw: &str) -> Result<Self, ApiFault> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "on" => Ok(FilterLevel::On),
            "off" => Ok(FilterLevel::Off),
            "exclusive" => Ok(FilterLevel::Exclusive),
            _ => Err(invalid(field, raw, "use on, off or exclusive")),
        }
    }
}

/// `rsEmail.spamHandling` (§6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpamHandling {
    #[default]
    ToFolder,
    Delete,
    LabelSubject,
    ToAddress,
}

impl SpamHandling {
    pub fn as_str(self) -> &'static str {
        match self {
            SpamHandling::ToFolder => "toFolder",
            SpamHandling::Delete => "delete",
            SpamHandling::LabelSubject => "labelSubject",
            SpamHandling::ToAddress => "toAddress",
        }
    }

    fn parse(field: &str, raw: &str) -> Result<Self, ApiFault> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "tofolder" => Ok(SpamHandling::ToFolder),
            "delete" => Ok(SpamHandling::Delete),
            "labelsubject" => Ok(SpamHandling::LabelSubject),
            "toaddress" => Ok(SpamHandling::ToAddress),
            _ => Err(invalid(field, raw, "use toFolder, delete, labelSubject or toAddress")),
        }
    }
}

/// `exchange.forwardToDomainQuarantine` of a domain: `on`, `off` or `nonuser` (§13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DomainQuarantine {
    On,
    #[default]
    Off,
    NonUser,
}

impl DomainQuarantine {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainQuarantine::On => "on",
            DomainQuarantine::Off => "off",
            DomainQuarantine::NonUser => "nonuser",
        }
    }

    fn parse(field: &str, raw: &str) -> Result<Self, ApiFault> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "on" => Ok(DomainQuarantine::On),
            "off" => Ok(DomainQuarantine::Off),
            "nonuser" => Ok(DomainQuarantine::NonUser),
            _ => Err(invalid(field, raw, "use on, off or nonuser")),
        }
    }
}

/// What Rackspace Email does with spam (`rsEmailSettings`, §6.4, §6.6). The folder fields mean
/// something only with `toFolder` and the forwarding address only with `toAddress`; the
/// simulator keeps them empty otherwise, so Show never reports a setting that does nothing
/// (the §6.4 example, with `toAddress`, shows the folder fields as `false`/`0`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RsEmailSpam {
    pub handling: SpamHandling,
    pub has_folder_cleaner: bool,
    /// Days; 0 is no limit.
    pub folder_age_limit: u32,
    /// Messages; 0 is no limit.
    pub folder_num_limit: u32,
    pub forwarding_address: String,
}

impl RsEmailSpam {
    fn to_json(&self) -> Value {
        json!({
            "spamHandling": self.handling.as_str(), "hasFolderCleaner": self.has_folder_cleaner,
            "spamFolderAgeLimit": self.folder_age_limit, "spamFolderNumLimit": self.folder_num_limit,
            "spamForwardingAddress": self.forwarding_address
        })
    }
}

/// The four lists of one owner, entries kept normalised (lower case) and sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpamLists {
    pub blocklist: BTreeSet<String>,
    pub ipblocklist: BTreeSet<String>,
    pub safelist: BTreeSet<String>,
    pub ipsafelist: BTreeSet<String>,
}

impl SpamLists {
    pub fn get(&self, kind: ListKind) -> &BTreeSet<String> {
        match kind {
            ListKind::Block => &self.blocklist,
            ListKind::IpBlock => &self.ipblocklist,
            ListKind::Safe => &self.safelist,
            ListKind::IpSafe => &self.ipsafelist,
        }
    }

    pub fn get_mut(&mut self, kind: ListKind) -> &mut BTreeSet<String> {
        match kind {
            ListKind::Block => &mut self.blocklist,
            ListKind::IpBlock => &mut self.ipblocklist,
            ListKind::Safe => &mut self.safelist,
            ListKind::IpSafe => &mut self.ipsafelist,
        }
    }
}

/// A domain's spam protection (§6.4, §13).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DomainSpam {
    pub filter_level: FilterLevel,
    pub rs_email: RsEmailSpam,
    pub forward_to_domain_quarantine: DomainQuarantine,
    /// Empty when none is set.
    pub quarantine_owner: String,
    /// `None` shows as `null`, as a real Show did (§13).
    pub default_quarantine_owner: Option<String>,
    pub lists: SpamLists,
}

/// A Rackspace Email mailbox's spam protection (§6.6).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RsMailboxSpam {
    pub filter_level: FilterLevel,
    pub rs_email: RsEmailSpam,
    pub lists: SpamLists,
}

/// An Exchange mailbox's spam protection (§6.9).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExMailboxSpam {
    pub filter_level: FilterLevel,
    pub send_to_domain_quarantine: bool,
    /// Empty when none is set.
    pub quarantine_owner: String,
    pub lists: SpamLists,
}

// ---- routes ----

/// Whose spam protection a route is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpamOwner {
    Domain,
    /// A Rackspace Email mailbox (local part).
    Rs(String),
    /// An Exchange mailbox (local part).
    Ex(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Block,
    IpBlock,
    Safe,
    IpSafe,
}

impl ListKind {
    fn is_ip(self) -> bool {
        matches!(self, ListKind::IpBlock | ListKind::IpSafe)
    }
}

/// A list as named in the request: its kind, and the name used (the XML root and the messages
/// say the name the client used, old or new).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListName {
    pub kind: ListKind,
    pub name: &'static str,
}

impl ListName {
    /// The list names of §13, in any case (paths look case-insensitive there). `blacklist`
    /// and `ipblacklist` are the names before October 2020 and reach the same lists.
    pub fn parse(segment: &str) -> Option<ListName> {
        let (kind, name) = match segment.to_ascii_lowercase().as_str() {
            "blocklist" => (ListKind::Block, "blocklist"),
            "blacklist" => (ListKind::Block, "blacklist"),
            "ipblocklist" => (ListKind::IpBlock, "ipblocklist"),
            "ipblacklist" => (ListKind::IpBlock, "ipblacklist"),
            "safelist" => (ListKind::Safe, "safelist"),
            "ipsafelist" => (ListKind::IpSafe, "ipsafelist"),
            _ => return None,
        };
        Some(ListName { kind, name })
    }
}

/// A path segment after `.../spam/` that names no list (e.g. `allowlist`, which does not exist,
/// §13). Answered 404 with the list names, rather than "unknown resource".
pub fn unknown_list(segment: &str) -> ApiFault {
    ApiFault::not_found(
        "SpamList",
        format!("Unknown spam list: {} (the lists are blocklist, ipblocklist, safelist and ipsafelist)", printable(segment)),
    )
}

/// The XML root of a Show of settings: `rsMailboxSpamSetting` (§6.6) and `MailboxSpamSettings`
/// (§6.9) are documented; the domain's is not [U], so it follows the Rackspace Email one.
pub fn settings_root(owner: &SpamOwner) -> &'static str {
    match owner {
        SpamOwner::Domain => "domainSpamSetting",
        SpamOwner::Rs(_) => "rsMailboxSpamSetting",
        SpamOwner::Ex(_) => "MailboxSpamSettings",
    }
}

// ---- checks ----

fn invalid(field: &str, raw: &str, hint: &str) -> ApiFault {
    ApiFault::bad_request(format!("Invalid value for {field}: {} ({hint})", printable(raw.trim())))
}

/// A folder limit: a whole number, 0 (no limit) or more.
fn parse_limit(f: &Fields, field: &str) -> Result<Option<u32>, ApiFault> {
    let Some(raw) = f.get(field) else { return Ok(None) };
    match raw.trim().parse::<i64>() {
        Ok(n) if n < 0 => Err(ApiFault::validation(format!("Invalid value for {field}: it cannot be negative"))),
        Ok(n) if n > MAX_FOLDER_LIMIT => Err(ApiFault::validation(format!("Invalid value for {field}: it is too large"))),
        Ok(n) => Ok(Some(n as u32)),
        Err(_) => Err(invalid(field, raw, "use a whole number, 0 for no limit")),
    }
}

/// An address setting (forwarding address, quarantine owners): one valid e-mail address.
/// Whether the service also wants it to be a known mailbox is not documented [U]; any
/// deliverable address is taken.
fn parse_address(field: &str, raw: &str) -> Result<String, ApiFault> {
    EmailAddress::parse_external(field, raw.trim())
        .map(|a| a.to_string().to_ascii_lowercase())
        .map_err(|_| ApiFault::validation(format!("Invalid value for {field}: {} is not an e-mail address", printable(raw.trim()))))
}

/// The `rsEmail.*` fields of an edit applied to `current` (§6.6): `toFolder` takes the folder
/// fields, `toAddress` the forwarding address.
///
/// [U] A field that is not sent keeps its value: §13 reports that partial edits changed other
/// values on the real service, so a careful client sends everything anyway, and keeping them is
/// the answer that surprises least. For the same reason the "empty" values of the fields that
/// do not belong to the chosen handling (`hasFolderCleaner=false`, a limit of `0`, an empty
/// forwarding address) are accepted with any handling: a client that sends every setting sends
/// them. Only a value that would do something (`true`, a limit above 0, an address) with the
/// wrong handling is refused.
fn apply_rs_email(f: &Fields, current: &RsEmailSpam) -> Result<RsEmailSpam, ApiFault> {
    let handling = match f.get("rsEmail.spamHandling") {
        Some(raw) => SpamHandling::parse("rsEmail.spamHandling", raw)?,
        None => current.handling,
    };
    let cleaner = parse_bool(f, "rsEmail.hasFolderCleaner")?;
    let age = parse_limit(f, "rsEmail.spamFolderAgeLimit")?;
    let num = parse_limit(f, "rsEmail.spamFolderNumLimit")?;
    let forwarding = f.get("rsEmail.spamForwardingAddress").map(|s| s.trim()).filter(|s| !s.is_empty());
    if handling != SpamHandling::ToFolder {
        let used = [
            ("rsEmail.hasFolderCleaner", cleaner == Some(true)),
            ("rsEmail.spamFolderAgeLimit", age.is_some_and(|n| n > 0)),
            ("rsEmail.spamFolderNumLimit", num.is_some_and(|n| n > 0)),
        ];
        if let Some((field, _)) = used.iter().find(|(_, on)| *on) {
            return Err(ApiFault::validation(format!(
                "{field} is valid only when rsEmail.spamHandling is toFolder (it is {})",
                handling.as_str()
            )));
        }
    }
    if handling != SpamHandling::ToAddress && forwarding.is_some() {
        return Err(ApiFault::validation(format!(
            "rsEmail.spamForwardingAddress is valid only when rsEmail.spamHandling is toAddress (it is {})",
            handling.as_str()
        )));
    }
    let forwarding = forwarding.map(|a| parse_address("rsEmail.spamForwardingAddress", a)).transpose()?;
    let was_folder = current.handling == SpamHandling::ToFolder;
    Ok(match handling {
        SpamHandling::ToFolder => RsEmailSpam {
            handling,
            has_folder_cleaner: cleaner.unwrap_or(was_folder && current.has_folder_cleaner),
            folder_age_limit: age.unwrap_or(if was_folder { current.folder_age_limit } else { 0 }),
            folder_num_limit: num.unwrap_or(if was_folder { current.folder_num_limit } else { 0 }),
            forwarding_address: String::new(),
        },
        SpamHandling::ToAddress => {
            let kept = (current.handling == SpamHandling::ToAddress).then(|| current.forwarding_address.clone());
            let address = forwarding.or(kept).filter(|a| !a.is_empty()).ok_or_else(|| ApiFault::missing("rsEmail.spamForwardingAddress"))?;
            RsEmailSpam { handling, forwarding_address: address, ..RsEmailSpam::default() }
        }
        other => RsEmailSpam { handling: other, ..RsEmailSpam::default() },
    })
}

/// The new owner from a `set` field and a `remove` flag: `None` leaves it as it is. An empty
/// `set` field changes nothing [U: a client that sends every setting sends it empty when there
/// is no owner; removing is what the `remove...` flag is for]. Setting and removing at once is
/// refused.
fn owner_change(f: &Fields, set: &str, remove: &str) -> Result<Option<Option<String>>, ApiFault> {
    let removing = parse_bool(f, remove)? == Some(true);
    let setting = f.get(set).map(|s| s.trim()).filter(|s| !s.is_empty());
    match (setting, removing) {
        (Some(_), true) => Err(ApiFault::validation(format!("{set} and {remove}=true cannot be sent together"))),
        (Some(a), false) => Ok(Some(Some(parse_address(set, a)?))),
        (None, true) => Ok(Some(None)),
        (None, false) => Ok(None),
    }
}

fn required_level(f: &Fields, field: &str) -> Result<FilterLevel, ApiFault> {
    let raw = f.get(field).ok_or_else(|| ApiFault::missing(field))?;
    FilterLevel::parse(field, raw)
}

// ---- list entries ----

/// A domain with `%` wildcards allowed in its labels: at least two labels of letters, digits,
/// hyphens and `%`; the last one (the top-level domain) without a wildcard, so an entry never
/// matches every domain there is [U: the service's own rule is not documented].
fn wildcard_domain_ok(d: &str) -> bool {
    let labels: Vec<&str> = d.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'%')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|t| !t.contains('%') && !t.bytes().all(|b| b.is_ascii_digit()));
    d.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

/// The local part of an address entry: what an address may hold (RFC 5321 without quotes),
/// `%` included as the wildcard.
fn wildcard_local_ok(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 64
        && !l.starts_with('.')
        && !l.ends_with('.')
        && !l.contains("..")
        && l.chars().all(|c| c.is_ascii_graphic() && !"@\"(),:;<>[\\]".contains(c))
}

/// Checks and normalises one entry of a list.
///
/// * Address lists (`blocklist`, `safelist`): a full address (`jane@example.com`) or a whole
///   domain (`@example.com`), `%` matching any text (`@%.example.com`, §13). Lower-cased:
///   entries are compared without regard to case.
/// * IP lists (`ipblocklist`, `ipsafelist`): one IPv4 address, written the usual way. The
///   reference does not say whether ranges (CIDR), wildcards or IPv6 are taken [U]; the
///   simulator refuses them, so a client never believes a range is blocked when it is not.
pub fn normalize_entry(list: ListName, raw: &str) -> Result<String, ApiFault> {
    let v = raw.trim();
    let shown = printable(v);
    let name = list.name;
    if v.is_empty() {
        return Err(ApiFault::validation(format!("An entry of the {name} cannot be empty")));
    }
    if list.kind.is_ip() {
        if let Ok(ip) = v.parse::<Ipv4Addr>() {
            return Ok(ip.to_string());
        }
        let why = if v.contains('/') {
            "ranges (CIDR) are not accepted; add each IPv4 address"
        } else if v.parse::<IpAddr>().is_ok() {
            "IPv6 addresses are not accepted; use an IPv4 address"
        } else if v.contains('@') {
            "that is an e-mail address; it belongs on the blocklist or safelist"
        } else {
            "use an IPv4 address like 192.0.2.10"
        };
        return Err(ApiFault::validation(format!("Invalid entry for the {name}: {shown} ({why})")));
    }
    let lower = v.to_ascii_lowercase();
    let why = if v.len() > MAX_ENTRY_LEN {
        "it is longer than 254 characters"
    } else if v.parse::<IpAddr>().is_ok() {
        "that is an IP address; it belongs on the ipblocklist or ipsafelist"
    } else if v.contains('*') {
        "the wildcard is %, as in @%.example.com"
    } else {
        match lower.rsplit_once('@') {
            None if wildcard_domain_ok(&lower) => "write a whole domain with an @ in front, like @example.com",
            None => "use a full address like jane@example.com or a whole domain like @example.com",
            Some((local, domain)) => {
                let local_ok = local.is_empty() || wildcard_local_ok(local);
                if local_ok && wildcard_domain_ok(domain) {
                    return Ok(lower);
                }
                "use a full address like jane@example.com or a whole domain like @example.com; % matches any text"
            }
        }
    };
    Err(ApiFault::validation(format!("Invalid entry for the {name}: {shown} ({why})")))
}

/// Entries of `addList`/`removeList`: comma-separated, blanks ignored, each checked; the bad
/// ones are named together.
fn parse_entry_list(list: ListName, raw: &str) -> Result<Vec<String>, ApiFault> {
    let mut out: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut first_error = None;
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match normalize_entry(list, item) {
            Ok(e) => {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            Err(f) => {
                bad.push(printable(item));
                first_error.get_or_insert(f);
            }
        }
    }
    match (bad.len(), first_error) {
        (0, _) | (_, None) => Ok(out),
        (1, Some(f)) => Err(f),
        (_, Some(_)) => Err(ApiFault::validation(format!(
            "Invalid entries for the {}: {} (address lists take jane@example.com or @example.com, IP lists take IPv4 addresses)",
            list.name,
            bad.join(", ")
        ))),
    }
}

fn list_full(list: ListName) -> ApiFault {
    ApiFault::validation(format!("The {} can hold at most {MAX_LIST_ENTRIES} entries", list.name))
}

// ---- the store's operations ----

fn mailbox_not_found() -> ApiFault {
    ApiFault::not_found("Mailbox", "Mailbox not found")
}

impl DomainRec {
    fn spam_lists(&self, owner: &SpamOwner) -> Result<&SpamLists, ApiFault> {
        match owner {
            SpamOwner::Domain => Ok(&self.spam.lists),
            SpamOwner::Rs(m) => self.mailboxes.get(m).map(|m| &m.spam.lists).ok_or_else(mailbox_not_found),
            SpamOwner::Ex(m) => self.ex_mailboxes.get(m).map(|m| &m.spam.lists).ok_or_else(mailbox_not_found),
        }
    }

    fn spam_lists_mut(&mut self, owner: &SpamOwner) -> Result<&mut SpamLists, ApiFault> {
        match owner {
            SpamOwner::Domain => Ok(&mut self.spam.lists),
            SpamOwner::Rs(m) => self.mailboxes.get_mut(m).map(|m| &mut m.spam.lists).ok_or_else(mailbox_not_found),
            SpamOwner::Ex(m) => self.ex_mailboxes.get_mut(m).map(|m| &mut m.spam.lists).ok_or_else(mailbox_not_found),
        }
    }
}

/// Mailbox names are compared in lower case, as everywhere in the simulator.
fn lower(owner: &SpamOwner) -> SpamOwner {
    match owner {
        SpamOwner::Domain => SpamOwner::Domain,
        SpamOwner::Rs(m) => SpamOwner::Rs(m.to_ascii_lowercase()),
        SpamOwner::Ex(m) => SpamOwner::Ex(m.to_ascii_lowercase()),
    }
}

const DOMAIN_FIELDS: &[&str] = &[
    "filterLevel", "overrideUserSettings", "exchange.forwardToDomainQuarantine", "exchange.quarantineOwner",
    "exchange.removeQuarantineOwner", "exchange.defaultQuarantineOwner", "exchange.removeDefaultQuarantineOwner",
];
const RS_EMAIL_FIELDS: &[&str] = &[
    "rsEmail.spamHandling", "rsEmail.hasFolderCleaner", "rsEmail.spamFolderAgeLimit", "rsEmail.spamFolderNumLimit",
    "rsEmail.spamForwardingAddress",
];
const RS_MAILBOX_FIELDS: &[&str] = &["filterLevel"];
/// §6.9: lower-case names, except `removeQuarantineOwner`, spelled as documented. Other
/// spellings (e.g. `filterLevel`) are refused by name like every unknown field [U].
const EX_MAILBOX_FIELDS: &[&str] = &["filterlevel", "sendtodomainquarantine", "quarantineowner", "removeQuarantineOwner"];

impl Store {
    /// Show the settings (§6.4, §6.6, §6.9).
    pub fn spam_settings_show(&self, acct: &str, domain: &str, owner: &SpamOwner) -> OpResult {
        let d = self.domain(acct, domain)?;
        Ok(match lower(owner) {
            SpamOwner::Domain => {
                let s = &d.spam;
                json!({
                    "filterLevel": s.filter_level.as_str(),
                    "rsEmailSettings": s.rs_email.to_json(),
                    "exchangeSettings": {
                        "forwardToDomainQuarantine": s.forward_to_domain_quarantine.as_str(),
                        "quarantineOwner": s.quarantine_owner,
                        "defaultQuarantineOwner": s.default_quarantine_owner
                    }
                })
            }
            SpamOwner::Rs(m) => {
                let s = &d.mailboxes.get(&m).ok_or_else(mailbox_not_found)?.spam;
                json!({"filterLevel": s.filter_level.as_str(), "rsEmailSettings": s.rs_email.to_json()})
            }
            SpamOwner::Ex(m) => {
                let s = &d.ex_mailboxes.get(&m).ok_or_else(mailbox_not_found)?.spam;
                json!({
                    "filterLevel": s.filter_level.as_str(), "sendToDomainQuarantine": s.send_to_domain_quarantine,
                    "quarantineOwner": s.quarantine_owner
                })
            }
        })
    }

    /// Edit the settings. `filterLevel` (`filterlevel` for an Exchange mailbox) is required;
    /// every other field that is not sent keeps its value (see [`apply_rs_email`]).
    pub fn spam_settings_edit(&mut self, acct: &str, domain: &str, owner: &SpamOwner, f: &Fields) -> OpResult {
        match lower(owner) {
            SpamOwner::Domain => self.domain_spam_edit(acct, domain, f),
            SpamOwner::Rs(m) => {
                let current = &self.domain(acct, domain)?.mailboxes.get(&m).ok_or_else(mailbox_not_found)?.spam;
                check_known_fields(f, &[RS_MAILBOX_FIELDS, RS_EMAIL_FIELDS])?;
                let level = required_level(f, "filterLevel")?;
                let rs_email = apply_rs_email(f, &current.rs_email)?;
                let s = &mut self.domain_mut(acct, domain)?.mailboxes.get_mut(&m).ok_or_else(mailbox_not_found)?.spam;
                s.filter_level = level;
                s.rs_email = rs_email;
                Ok(Value::Null)
            }
            SpamOwner::Ex(m) => {
                if !self.domain(acct, domain)?.ex_mailboxes.contains_key(&m) {
                    return Err(mailbox_not_found());
                }
                check_known_fields(f, &[EX_MAILBOX_FIELDS])?;
                let level = required_level(f, "filterlevel")?;
                let quarantine = parse_bool(f, "sendtodomainquarantine")?;
                // §6.9: `off` forces `sendtodomainquarantine=false`. Asking for both at once is
                // refused rather than quietly changed [U], so a client is never told "done" for
                // a quarantine that is not there.
                if level == FilterLevel::Off && quarantine == Some(true) {
                    return Err(ApiFault::validation("sendtodomainquarantine cannot be true when filterlevel is off"));
                }
                let owner = owner_change(f, "quarantineowner", "removeQuarantineOwner")?;
                let s = &mut self.domain_mut(acct, domain)?.ex_mailboxes.get_mut(&m).ok_or_else(mailbox_not_found)?.spam;
                s.filter_level = level;
                if let Some(q) = quarantine {
                    s.send_to_domain_quarantine = q;
                }
                if level == FilterLevel::Off {
                    s.send_to_domain_quarantine = false;
                }
                if let Some(o) = owner {
                    s.quarantine_owner = o.unwrap_or_default();
                }
                Ok(Value::Null)
            }
        }
    }

    /// The domain's edit (§6.4, §13). `overrideUserSettings=true` ("apply to every user")
    /// also gives every mailbox of the domain the domain's filter level, and every Rackspace
    /// Email mailbox its `rsEmail` handling [U: what exactly the service copies is not
    /// documented; the lists and an Exchange mailbox's quarantine owner stay the mailbox's own,
    /// and a mailbox set to `off` loses its domain quarantine, as §6.9's rule says]. The flag is
    /// an action, not a setting: Show does not return it.
    fn domain_spam_edit(&mut self, acct: &str, domain: &str, f: &Fields) -> OpResult {
        let current = &self.domain(acct, domain)?.spam;
        check_known_fields(f, &[DOMAIN_FIELDS, RS_EMAIL_FIELDS])?;
        let level = required_level(f, "filterLevel")?;
        let apply_to_all = parse_bool(f, "overrideUserSettings")?.unwrap_or(false);
        let rs_email = apply_rs_email(f, &current.rs_email)?;
        let forward = match f.get("exchange.forwardToDomainQuarantine") {
            Some(raw) => Some(DomainQuarantine::parse("exchange.forwardToDomainQuarantine", raw)?),
            None => None,
        };
        let owner = owner_change(f, "exchange.quarantineOwner", "exchange.removeQuarantineOwner")?;
        let default_owner = owner_change(f, "exchange.defaultQuarantineOwner", "exchange.removeDefaultQuarantineOwner")?;
        let d = self.domain_mut(acct, domain)?;
        let s = &mut d.spam;
        s.filter_level = level;
        s.rs_email = rs_email.clone();
        if let Some(v) = forward {
            s.forward_to_domain_quarantine = v;
        }
        if let Some(o) = owner {
            s.quarantine_owner = o.unwrap_or_default();
        }
        if let Some(o) = default_owner {
            s.default_quarantine_owner = o;
        }
        if apply_to_all {
            for m in d.mailboxes.values_mut() {
                m.spam.filter_level = level;
                m.spam.rs_email = rs_email.clone();
            }
            for m in d.ex_mailboxes.values_mut() {
                m.spam.filter_level = level;
                if level == FilterLevel::Off {
                    m.spam.send_to_domain_quarantine = false;
                }
            }
        }
        Ok(Value::Null)
    }

    /// Index of a list: `{"addresses":[...]}` (§13), IP lists too; sorted, no paging (a list
    /// holds at most [`MAX_LIST_ENTRIES`]).
    pub fn spam_list_index(&self, acct: &str, domain: &str, owner: &SpamOwner, list: ListName) -> OpResult {
        let lists = self.domain(acct, domain)?.spam_lists(&lower(owner))?;
        Ok(json!({"addresses": lists.get(list.kind).iter().collect::<Vec<_>>()}))
    }

    /// Add one entry (`POST .../spam/{list}/{entry}`, no body). An entry already on the list
    /// is a success that changes nothing [U: the service's answer is not documented; a client
    /// retrying an add that may have gone through must not be told it failed].
    pub fn spam_list_add(&mut self, acct: &str, domain: &str, owner: &SpamOwner, list: ListName, entry: &str, f: &Fields) -> OpResult {
        let owner = lower(owner);
        self.domain(acct, domain)?.spam_lists(&owner)?;
        check_known_fields(f, &[])?;
        let e = normalize_entry(list, entry)?;
        let set = self.domain_mut(acct, domain)?.spam_lists_mut(&owner)?.get_mut(list.kind);
        if !set.contains(&e) && set.len() >= MAX_LIST_ENTRIES {
            return Err(list_full(list));
        }
        set.insert(e);
        Ok(Value::Null)
    }

    /// Delete one entry; one that is not on the list is 404. The entry is compared as it would
    /// be stored (lower case), so `Jane@Example.com` removes `jane@example.com`; an entry that
    /// could never be on the list is refused as invalid, not "not found".
    pub fn spam_list_delete(&mut self, acct: &str, domain: &str, owner: &SpamOwner, list: ListName, entry: &str) -> OpResult {
        let owner = lower(owner);
        self.domain(acct, domain)?.spam_lists(&owner)?;
        let e = normalize_entry(list, entry)?;
        let set = self.domain_mut(acct, domain)?.spam_lists_mut(&owner)?.get_mut(list.kind);
        if set.remove(&e) {
            Ok(Value::Null)
        } else {
            Err(ApiFault::not_found("SpamListEntry", format!("{e} is not on the {}", list.name)))
        }
    }

    /// Bulk edit (`PUT .../spam/{list}`, §13): `addList` and `removeList`, each comma-separated.
    /// At least one must be sent (either may be empty). Everything is checked first: an invalid
    /// entry, an entry in both fields, a removal of an entry that is not on the list (404, as
    /// for a single delete) or a list that would grow past [`MAX_LIST_ENTRIES`] refuses the whole
    /// edit. Removals apply before additions; adding an entry already there changes nothing.
    pub fn spam_list_edit(&mut self, acct: &str, domain: &str, owner: &SpamOwner, list: ListName, f: &Fields) -> OpResult {
        let owner = lower(owner);
        let current = self.domain(acct, domain)?.spam_lists(&owner)?.get(list.kind);
        check_known_fields(f, &[&["addList", "removeList"]])?;
        if !f.contains_key("addList") && !f.contains_key("removeList") {
            return Err(ApiFault::missing("addList or removeList"));
        }
        let add = parse_entry_list(list, f.get("addList").map(String::as_str).unwrap_or(""))?;
        let remove = parse_entry_list(list, f.get("removeList").map(String::as_str).unwrap_or(""))?;
        if let Some(both) = add.iter().find(|e| remove.contains(e)) {
            return Err(ApiFault::validation(format!("{both} is in both addList and removeList")));
        }
        let missing: Vec<&str> = remove.iter().filter(|e| !current.contains(*e)).map(String::as_str).collect();
        if !missing.is_empty() {
            return Err(ApiFault::not_found("SpamListEntry", format!("Not on the {}: {}", list.name, missing.join(", "))));
        }
        let after = current.len() - remove.len() + add.iter().filter(|e| !current.contains(*e)).count();
        if after > MAX_LIST_ENTRIES {
            return Err(list_full(list));
        }
        let set = self.domain_mut(acct, domain)?.spam_lists_mut(&owner)?.get_mut(list.kind);
        for e in &remove {
            set.remove(e);
        }
        set.extend(add);
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &str) -> ListName {
        ListName::parse(name).unwrap()
    }

    #[test]
    fn old_and_new_list_names_are_the_same_lists() {
        assert_eq!(list("blacklist").kind, list("blocklist").kind);
        assert_eq!(list("IPBlackList").kind, list("ipblocklist").kind);
        assert_eq!(list("blacklist").name, "blacklist");
        assert!(ListName::parse("allowlist").is_none());
        assert!(ListName::parse("settings").is_none());
    }

    #[test]
    fn address_entries_take_addresses_domains_and_wildcards() {
        let b = list("blocklist");
        for (raw, want) in [
            ("Jane@Example.com", "jane@example.com"),
            ("@example.com", "@example.com"),
            (" @%.example.com ", "@%.example.com"),
            ("news%@lists.example.org", "news%@lists.example.org"),
            ("%@example.com", "%@example.com"),
        ] {
            assert_eq!(normalize_entry(b, raw).as_deref(), Ok(want), "{raw}");
        }
        for raw in ["example.com", "jane", "@example", "@%.%", "@example.%", "*@example.com", "a@@b.com", "a b@c.com", "192.0.2.1", "", "@.com", "a@-x.com"] {
            let e = normalize_entry(b, raw).unwrap_err();
            assert_eq!((e.status, e.kind), (400, "validationFault"), "{raw}");
            assert!(e.message.starts_with("Invalid entry for the blocklist: ") || raw.is_empty(), "{}", e.message);
        }
        assert!(normalize_entry(b, "example.com").unwrap_err().message.contains("@example.com"));
    }

    #[test]
    fn ip_entries_take_ipv4_only() {
        let ip = list("ipsafelist");
        assert_eq!(normalize_entry(ip, " 192.0.2.10 ").as_deref(), Ok("192.0.2.10"));
        for raw in ["192.0.2", "192.0.2.256", "10.0.0.0/8", "2001:db8::1", "192.0.2.%", "a@b.com", "01.2.3.4"] {
            assert!(normalize_entry(ip, raw).is_err(), "{raw}");
        }
        assert!(normalize_entry(ip, "10.0.0.0/8").unwrap_err().message.contains("CIDR"));
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn rs_email_combinations() {
        let folder = RsEmailSpam { has_folder_cleaner: true, folder_age_limit: 30, ..RsEmailSpam::default() };
        // Unsent fields keep their values.
        assert_eq!(apply_rs_email(&fields(&[]), &folder).unwrap(), folder);
        // Neutral values are fine with any handling; the folder settings go with the handling.
        let del = apply_rs_email(&fields(&[("rsEmail.spamHandling", "delete"), ("rsEmail.hasFolderCleaner", "False"), ("rsEmail.spamFolderAgeLimit", "0"), ("rsEmail.spamForwardingAddress", "")]), &folder).unwrap();
        assert_eq!(del, RsEmailSpam { handling: SpamHandling::Delete, ..RsEmailSpam::default() });
        assert!(apply_rs_email(&fields(&[("rsEmail.spamHandling", "delete"), ("rsEmail.spamFolderNumLimit", "5")]), &folder).is_err());
        assert!(apply_rs_email(&fields(&[("rsEmail.spamForwardingAddress", "a@b.com")]), &folder).is_err());
        assert_eq!(apply_rs_email(&fields(&[("rsEmail.spamHandling", "toAddress")]), &folder).unwrap_err().message, "Missing required field: rsEmail.spamForwardingAddress");
        let fwd = apply_rs_email(&fields(&[("rsEmail.spamHandling", "TOADDRESS"), ("rsEmail.spamForwardingAddress", "Spam@Example.com")]), &folder).unwrap();
        assert_eq!((fwd.handling, fwd.forwarding_address.as_str(), fwd.has_folder_cleaner), (SpamHandling::ToAddress, "spam@example.com", false));
        // Kept on a later edit that does not send it.
        assert_eq!(apply_rs_email(&fields(&[]), &fwd).unwrap(), fwd);
        assert!(apply_rs_email(&fields(&[("rsEmail.spamFolderAgeLimit", "-1")]), &folder).unwrap_err().message.contains("negative"));
    }
}
