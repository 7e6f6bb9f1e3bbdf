//! The checks of every row that need no server: address syntax, duplicates within the file,
//! password rules, sizes, yes/no values, forwarding targets, text lengths. Each problem names
//! the row (spreadsheet numbering: the header is row 1) and the column.

use super::input::{CsvInput, InputRow};
use super::{parse_yes_no, reason_of, split_addresses, JobKind, Problem};
use crate::api::{MAX_ALIAS_MEMBERS, MAX_DISPLAY_NAME, MAX_FORWARDS, MAX_MAILBOX_MB, MAX_VACATION_MESSAGE};
use crate::exchange::contacts::NewContact;
use crate::exchange::{ContactFields, MAX_EX_MAILBOX_MB};
use crate::models::Service;
use crate::names::{self, EmailAddress};
use crate::password;
use crate::spam::{EntryKind, ListSide, SpamEntry, SpamList, SpamTarget};
use crate::ApiError;
use secrecy::ExposeSecret;
use std::collections::{BTreeMap, BTreeSet};

/// A new mailbox, as the row asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSpec {
    pub addr: EmailAddress,
    pub display_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The row gives a password (kept apart, never here); else one is generated.
    pub password_given: bool,
    pub size: Option<u64>,
    pub enabled: Option<bool>,
    pub forward_to: Vec<String>,
    pub keep_copy: Option<bool>,
    pub auto_reply: Option<String>,
    /// The `service` cell: which kind of mailbox; `None`: the one the domain has.
    pub service: Option<Service>,
}

/// Changes to a mailbox; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateSpec {
    pub display_name: Option<String>,
    pub size: Option<u64>,
    pub enabled: Option<bool>,
    /// `Some(vec![])` stops forwarding.
    pub forward_to: Option<Vec<String>>,
    pub keep_copy: Option<bool>,
    /// `Some(None)` turns the auto-reply off.
    pub auto_reply: Option<Option<String>>,
}

/// One person leaving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffboardSpec {
    pub addr: EmailAddress,
    pub forward_to: Option<String>,
    pub keep_enabled: bool,
    pub auto_reply: Option<String>,
    pub remove_from_aliases: bool,
    /// Hide an Exchange mailbox from the address book.
    pub hide: bool,
}

/// An outside contact for a domain's Exchange address book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSpec {
    /// The Exchange domain (lower case).
    pub domain: String,
    /// The short name in the domain (lower case): given, or made from the display name.
    pub name: String,
    /// The name was made from the display name (the plan says so).
    pub name_derived: bool,
    /// The outside address.
    pub email: String,
    pub display_name: String,
    /// The person-details the row gives (empty cells are `None`: left as they are).
    pub fields: ContactFields,
}

impl ContactSpec {
    /// `name@domain`, as the journal names a contact.
    pub fn target(&self) -> String {
        format!("{}@{}", self.name, self.domain)
    }
}

/// A contact's short name made from its display name: lower case, accents dropped, every run
/// of other characters one `-`, none at either end, at most 64 characters.
pub fn contact_name_from(display_name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in display_name.trim().chars().flat_map(char::to_lowercase) {
        let base = fold_accent(c);
        if base.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(base);
        } else {
            gap = true;
        }
    }
    let mut cut: String = out.chars().take(64).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    cut
}

/// The unaccented letter of a lower-case Latin letter with a diacritic; other characters as
/// they are (ß and the ligatures have no one-letter base and count as other characters).
fn fold_accent(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ŧ' | 'ț' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// What a valid row asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowSpec {
    Create(CreateSpec),
    Update(EmailAddress, UpdateSpec),
    ResetPassword { addr: EmailAddress, password_given: bool },
    Alias { alias: EmailAddress, member: String, add: bool },
    Delete(EmailAddress),
    Offboard(OffboardSpec),
    Contact(Box<ContactSpec>),
    /// A distribution list member to add (`add`) or remove.
    ListMember { list: EmailAddress, member: String, add: bool },
    /// An entry to add to (`add`) or remove from a spam list of a domain or a mailbox.
    SpamEntry { target: SpamTarget, list: SpamList, entry: SpamEntry, add: bool },
    /// Marked done in the results file this row comes from: skipped.
    AlreadyDone { target: String, result: String },
}

impl RowSpec {
    /// The address the row is about.
    pub fn target(&self) -> String {
        match self {
            RowSpec::Create(c) => c.addr.to_string(),
            RowSpec::Update(a, _) | RowSpec::Delete(a) => a.to_string(),
            RowSpec::ResetPassword { addr, .. } => addr.to_string(),
            RowSpec::Alias { alias, .. } => alias.to_string(),
            RowSpec::Offboard(o) => o.addr.to_string(),
            RowSpec::Contact(c) => c.target(),
            RowSpec::ListMember { list, .. } => list.to_string(),
            RowSpec::SpamEntry { target, .. } => target.to_string(),
            RowSpec::AlreadyDone { target, .. } => target.clone(),
        }
    }
}

/// Every row's spec (`None` where the row has errors) and the problems found.
#[derive(Debug, Clone)]
pub struct Validated {
    pub kind: JobKind,
    /// (row number, spec) in file order.
    pub rows: Vec<(usize, Option<RowSpec>)>,
    pub problems: Vec<Problem>,
}

struct RowCheck<'a> {
    row: &'a InputRow,
    problems: Vec<Problem>,
}

impl RowCheck<'_> {
    fn error(&mut self, col: &str, m: impl Into<String>) {
        self.problems.push(Problem::error(Some(self.row.row), Some(col), m));
    }
    fn warning(&mut self, col: &str, m: impl Into<String>) {
        self.problems.push(Problem::warning(Some(self.row.row), Some(col), m));
    }
    fn ok(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }

    fn address(&mut self, col: &str) -> Option<EmailAddress> {
        let Some(v) = self.row.get(col) else {
            self.error(col, format!("The {col} cell is empty; write the full address, like jane.doe@example.com."));
            return None;
        };
        match EmailAddress::parse_as("address", v) {
            Ok(a) => Some(a),
            Err(e) => {
                self.error(col, format!("\"{v}\" is not a valid address: {}.", reason_of(&e)));
                None
            }
        }
    }

    fn text(&mut self, col: &str, max: usize) -> Option<String> {
        let v = self.row.get(col)?.to_owned();
        if v.chars().count() > max {
            self.error(col, format!("It is longer than {max} characters ({}).", v.chars().count()));
        } else if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            self.error(col, "It contains control characters; write plain text.");
        }
        Some(v)
    }

    fn yes_no(&mut self, col: &str) -> Option<bool> {
        let v = self.row.get(col)?;
        let b = parse_yes_no(v);
        if b.is_none() {
            self.error(col, format!("\"{v}\" is not yes or no; write yes or no (or leave it empty)."));
        }
        b
    }

    /// A size in MB. Which service the row is for is known only with the server's answers, so
    /// here the largest any mailbox can have is the bound (Exchange's); the plan checks
    /// Rackspace Email rows against their own limit.
    fn size(&mut self) -> Option<u64> {
        let v = self.row.get("sizeMB")?;
        match v.replace(['_', ' '], "").parse::<u64>() {
            Ok(n) if (1..=MAX_EX_MAILBOX_MB).contains(&n) => Some(n),
            Ok(n) => {
                self.error(
                    "sizeMB",
                    format!("{n} MB is outside what a mailbox can have: write a size between 1 and {MAX_MAILBOX_MB} MB (25 GB) for Rackspace Email, or up to {MAX_EX_MAILBOX_MB} MB (100 GB) for Exchange."),
                );
                None
            }
            Err(_) => {
                self.error("sizeMB", format!("\"{v}\" is not a number of MB; write a whole number such as 2048."));
                None
            }
        }
    }

    fn password(&mut self, addr: Option<&EmailAddress>) -> bool {
        let Some(pw) = &self.row.password else { return false };
        let (m, d) = addr.map(|a| (a.local.as_str(), a.domain.as_str())).unzip();
        if let Err(p) = password::check(pw.expose_secret(), m, d) {
            self.error("password", format!("The password is not valid: {p}. Passwords need {}. Leave the cell empty to have one generated.", password::RULE_TEXT));
        }
        true
    }

    /// Forwarding addresses; "none" (when allowed) means stop forwarding.
    fn forwards(&mut self, col: &str, owner: Option<&EmailAddress>, none_allowed: bool) -> Option<Vec<String>> {
        let v = self.row.get(col)?.to_owned();
        if none_allowed && matches!(v.to_ascii_lowercase().as_str(), "none" | "-" | "off") {
            return Some(vec![]);
        }
        let mut out: Vec<String> = Vec::new();
        for a in split_addresses(&v) {
            match EmailAddress::parse_external("forwarding address", &a) {
                Ok(e) => {
                    let s = e.to_string().to_lowercase();
                    if owner.is_some_and(|o| o.to_string() == s) {
                        self.error(col, format!("{s} is the mailbox itself; a mailbox cannot forward to itself."));
                    } else if !out.contains(&s) {
                        out.push(s);
                    }
                }
                Err(_) => self.error(col, format!("\"{a}\" is not an e-mail address. Separate several addresses with ;.")),
            }
        }
        if out.len() > MAX_FORWARDS {
            self.error(col, format!("{} forwarding addresses were given; a mailbox can forward to at most {MAX_FORWARDS}.", out.len()));
        }
        Some(out)
    }

    fn auto_reply(&mut self, none_allowed: bool) -> Option<Option<String>> {
        let raw = self.row.get("autoReply")?;
        if none_allowed && matches!(raw.to_ascii_lowercase().as_str(), "none" | "-" | "off") {
            return Some(None);
        }
        self.text("autoReply", MAX_VACATION_MESSAGE).map(Some)
    }
}

/// Checks every row of `input` (which must have been read for the same job kind).
pub fn validate(input: &CsvInput) -> Validated {
    let kind = input.kind;
    let mut out = Validated { kind, rows: vec![], problems: vec![] };
    // First row of each address (or alias+member pair), for duplicates.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let offboarded: BTreeSet<String> = if kind == JobKind::Offboard {
        input.rows.iter().filter_map(|r| r.get("email")).filter_map(|e| EmailAddress::parse(e).ok()).map(|a| a.to_string()).collect()
    } else {
        BTreeSet::new()
    };
    for row in &input.rows {
        if row.broken {
            out.rows.push((row.row, None));
            continue;
        }
        let mut c = RowCheck { row, problems: vec![] };
        if let Some(done) = row.prior_result.as_deref().filter(|r| r.starts_with("done") || r.starts_with("no change")) {
            let key = match kind {
                JobKind::Aliases => "alias",
                JobKind::ListMembers => "list",
                JobKind::SpamList => "target",
                _ => "email",
            };
            let target = row.get(key).unwrap_or("").to_owned();
            out.rows.push((row.row, Some(RowSpec::AlreadyDone { target, result: done.to_owned() })));
            continue;
        }
        let spec = match kind {
            JobKind::Create => {
                let addr = c.address("email");
                let display_name = c.text("displayName", MAX_DISPLAY_NAME);
                let first_name = c.text("firstName", 64);
                let last_name = c.text("lastName", 64);
                let password_given = c.password(addr.as_ref());
                let size = c.size();
                let enabled = c.yes_no("enabled");
                let forward_to = c.forwards("forwardTo", addr.as_ref(), false).unwrap_or_default();
                let keep_copy = c.yes_no("keepCopy");
                let auto_reply = c.auto_reply(false).flatten();
                if keep_copy == Some(true) && forward_to.is_empty() {
                    c.warning("keepCopy", "keepCopy only matters when mail is forwarded, and this row has no forwardTo.");
                }
                let service = row.get("service").and_then(|v| {
                    let s = Service::parse(v);
                    if s.is_none() {
                        c.error("service", format!("\"{v}\" is not a kind of mailbox; write rackspace or exchange (or leave it empty)."));
                    }
                    s
                });
                addr.map(|addr| {
                    RowSpec::Create(CreateSpec { addr, display_name, first_name, last_name, password_given, size, enabled, forward_to, keep_copy, auto_reply, service })
                })
            }
            JobKind::Update => {
                let addr = c.address("email");
                let u = UpdateSpec {
                    display_name: c.text("displayName", MAX_DISPLAY_NAME),
                    size: c.size(),
                    enabled: c.yes_no("enabled"),
                    forward_to: c.forwards("forwardTo", addr.as_ref(), true),
                    keep_copy: c.yes_no("keepCopy"),
                    auto_reply: c.auto_reply(true),
                };
                if c.ok() && u == UpdateSpec::default() {
                    c.warning("email", "This row changes nothing: every other cell is empty (an empty cell means \"leave as it is\").");
                }
                addr.map(|a| RowSpec::Update(a, u))
            }
            JobKind::ResetPassword => {
                let addr = c.address("email");
                let password_given = c.password(addr.as_ref());
                addr.map(|addr| RowSpec::ResetPassword { addr, password_given })
            }
            JobKind::Delete => c.address("email").map(RowSpec::Delete),
            JobKind::Aliases => {
                let alias = c.address("alias");
                let member = match row.get("member") {
                    None => {
                        c.error("member", "The member cell is empty; write the address to add or remove.");
                        None
                    }
                    Some(m) => match EmailAddress::parse_external("member", m) {
                        Err(_) => {
                            c.error("member", format!("\"{m}\" is not an e-mail address."));
                            None
                        }
                        // Addresses in the alias's own domain are mailbox names: case does not matter.
                        Ok(a) if alias.as_ref().is_some_and(|al| al.domain == a.domain) => match EmailAddress::parse_as("member", m) {
                            Ok(a) => Some(a.to_string()),
                            Err(e) => {
                                c.error("member", format!("\"{m}\" is not a valid address: {}.", reason_of(&e)));
                                None
                            }
                        },
                        Ok(a) => Some(a.to_string()),
                    },
                };
                let add = match row.get("action").map(|a| a.to_ascii_lowercase()) {
                    Some(a) if matches!(a.as_str(), "add" | "+" | "join") => Some(true),
                    Some(a) if matches!(a.as_str(), "remove" | "-" | "delete" | "leave") => Some(false),
                    Some(a) => {
                        c.error("action", format!("\"{a}\" is not an action; write add or remove."));
                        None
                    }
                    None => {
                        c.error("action", "The action cell is empty; write add or remove.");
                        None
                    }
                };
                if let (Some(al), Some(m)) = (&alias, &member) {
                    if al.to_string() == *m {
                        c.error("member", "An alias cannot deliver to itself.");
                    }
                }
                match (alias, member, add) {
                    (Some(alias), Some(member), Some(add)) => Some(RowSpec::Alias { alias, member, add }),
                    _ => None,
                }
            }
            JobKind::Offboard => {
                let addr = c.address("email");
                let forward_to = c.forwards("forwardTo", addr.as_ref(), false).and_then(|mut v| {
                    if v.len() > 1 {
                        c.error("forwardTo", "Write one colleague's address here.");
                    }
                    v.pop()
                });
                if let Some(f) = &forward_to {
                    if offboarded.contains(f) {
                        c.warning("forwardTo", format!("{f} is also being offboarded in this file; their mail may not be read."));
                    }
                }
                let keep_enabled = c.yes_no("keepEnabled").unwrap_or(false);
                let auto_reply = c.auto_reply(false).flatten();
                let remove_from_aliases = c.yes_no("removeFromAliases").unwrap_or(false);
                let hide = c.yes_no("hideFromAddressBook").unwrap_or(false);
                addr.map(|addr| RowSpec::Offboard(OffboardSpec { addr, forward_to, keep_enabled, auto_reply, remove_from_aliases, hide }))
            }
            JobKind::Contacts => contact_row(&mut c),
            JobKind::SpamList => spam_row(&mut c),
            JobKind::ListMembers => {
                let list = c.address("list");
                let member = match row.get("member") {
                    None => {
                        c.error("member", "The member cell is empty; write the address to add or remove.");
                        None
                    }
                    Some(m) => match EmailAddress::parse_external("member", m) {
                        Ok(a) => Some(a.to_string().to_ascii_lowercase()),
                        Err(_) => {
                            c.error("member", format!("\"{m}\" is not an e-mail address."));
                            None
                        }
                    },
                };
                let add = match row.get("action").map(|a| a.to_ascii_lowercase()) {
                    None => Some(true),
                    Some(a) if matches!(a.as_str(), "add" | "+" | "join") => Some(true),
                    Some(a) if matches!(a.as_str(), "remove" | "-" | "delete" | "leave") => Some(false),
                    Some(a) => {
                        c.error("action", format!("\"{a}\" is not an action; write add or remove (empty: add)."));
                        None
                    }
                };
                if let (Some(l), Some(m)) = (&list, &member) {
                    if l.to_string() == *m {
                        c.error("member", "A list cannot be a member of itself.");
                    }
                }
                match (list, member, add) {
                    (Some(list), Some(member), Some(add)) => Some(RowSpec::ListMember { list, member, add }),
                    _ => None,
                }
            }
        };
        // Duplicates within the file.
        if let Some(RowSpec::Contact(ct)) = &spec {
            // One contact per outside address and domain, as well as per name.
            let key = format!("{} {}", ct.domain, ct.email.to_ascii_lowercase());
            if let Some(first) = seen.get(&key) {
                c.error("email", format!("{} is already imported into {} on row {first}; each outside address may appear once per domain. Merge the two rows.", ct.email, ct.domain));
            } else {
                seen.insert(key, row.row);
            }
        }
        if let Some(s) = &spec {
            let key = match s {
                RowSpec::Alias { alias, member, add } => format!("{alias} {member} {add}"),
                // Adding and removing the same member in one file is as much a duplicate.
                RowSpec::ListMember { list, member, .. } => format!("{list} {member}"),
                RowSpec::SpamEntry { target, list, entry, .. } => format!("{target} {} {entry}", list.api_name()),
                other => other.target(),
            };
            if let Some(first) = seen.get(&key) {
                let what = match s {
                    RowSpec::Alias { alias, member, .. } => format!("The same change to {alias} for {member} is already on row {first}; each change may appear only once."),
                    RowSpec::ListMember { list, member, .. } => format!("{member} is already added to or removed from {list} on row {first}; each member may appear once per list."),
                    RowSpec::SpamEntry { target, list, entry, .. } => format!("{entry} is already added to or removed from the {} of {target} on row {first}; each entry may appear once per list.", list.label()),
                    RowSpec::Contact(ct) => format!("The contact {} of {} is also on row {first}; each contact may appear only once in a job. Merge the two rows, or give one of them another name.", ct.name, ct.domain),
                    other => format!("{} is also on row {first}; each address may appear only once in a job. Merge the two rows.", other.target()),
                };
                let col = match kind {
                    JobKind::SpamList => "entry",
                    JobKind::Aliases | JobKind::ListMembers => "member",
                    JobKind::Contacts => "name",
                    _ => "email",
                };
                c.error(col, what);
            } else {
                seen.insert(key, row.row);
            }
        }
        let ok = c.ok();
        out.problems.append(&mut c.problems);
        out.rows.push((row.row, if ok { spec } else { None }));
    }
    if kind == JobKind::Aliases {
        // The documented ceiling, counted per alias over the file's additions.
        let mut adds: BTreeMap<String, usize> = BTreeMap::new();
        for (_, s) in &out.rows {
            if let Some(RowSpec::Alias { alias, add: true, .. }) = s {
                *adds.entry(alias.to_string()).or_default() += 1;
            }
        }
        for (a, n) in adds.into_iter().filter(|(_, n)| *n > MAX_ALIAS_MEMBERS) {
            out.problems.push(Problem::error(None, Some("alias"), format!("The file adds {n} members to {a}; an alias can have at most {MAX_ALIAS_MEMBERS}.")));
        }
    }
    out
}

fn contact_row(c: &mut RowCheck<'_>) -> Option<RowSpec> {
    let row = c.row;
    let domain = match row.get("domain") {
        None => {
            c.error("domain", "The domain cell is empty; write the Exchange domain that gets the contact, like example.com.");
            None
        }
        Some(d) => match names::domain_name(d) {
            Ok(d) => Some(d),
            Err(e) => {
                c.error("domain", format!("\"{d}\" is not a domain: {}.", reason_of(&e)));
                None
            }
        },
    };
    let email = match row.get("email") {
        None => {
            c.error("email", "The email cell is empty; write the contact's outside address, like pat@supplier.example.");
            None
        }
        Some(e) => match EmailAddress::parse_external("email", e) {
            Ok(a) => Some(a.to_string()),
            Err(err) => {
                c.error("email", format!("\"{e}\" is not a valid address: {}.", reason_of(&err)));
                None
            }
        },
    };
    let display_name = match c.text("displayName", crate::exchange::MAX_DISPLAY_NAME) {
        None => {
            c.error("displayName", "The displayName cell is empty; a contact needs the name the address book shows.");
            None
        }
        Some(d) => Some(d),
    };
    let (name, name_derived) = match (row.get("name"), &display_name) {
        (Some(n), _) => match names::mailbox_name("name", n) {
            Ok(n) => (Some(n), false),
            Err(e) => {
                c.error("name", format!("\"{n}\" cannot be a contact's name: {}.", reason_of(&e)));
                (None, false)
            }
        },
        (None, Some(d)) => {
            let n = contact_name_from(d);
            match names::mailbox_name("name", &n) {
                Ok(n) => (Some(n), true),
                Err(_) => {
                    c.error("name", format!("No name can be made from the display name \"{d}\" (it needs letters or digits); write one in the name column."));
                    (None, true)
                }
            }
        }
        (None, None) => (None, true),
    };
    let fields = ContactFields {
        first_name: row.get("firstName").map(str::to_owned),
        last_name: row.get("lastName").map(str::to_owned),
        company: row.get("company").map(str::to_owned),
        job_title: row.get("jobTitle").map(str::to_owned),
        business_number: row.get("businessNumber").map(str::to_owned),
        mobile_number: row.get("mobileNumber").map(str::to_owned),
        ..ContactFields::default()
    };
    let (Some(domain), Some(email), Some(display_name), Some(name)) = (domain, email, display_name, name) else { return None };
    // The same checks as the request itself: field lengths, one line, phone characters.
    let new = NewContact { display_name: display_name.clone(), external_email: email.clone(), is_hidden: None, fields: fields.clone() };
    if let Err(e) = new.to_form() {
        let col = match &e {
            ApiError::InvalidInput { field, .. } => column_of_field(field),
            _ => "email",
        };
        c.error(col, format!("{}.", capitalised(&reason_of(&e))));
        return None;
    }
    Some(RowSpec::Contact(Box::new(ContactSpec { domain, name, name_derived, email, display_name: display_name.trim().to_owned(), fields })))
}

/// A spam list row: a domain or a mailbox, a side (an IP address goes to the IP list of that
/// side), an entry checked as the API takes it (a bare domain read as the whole domain, with a
/// warning that says so), and add or remove.
fn spam_row(c: &mut RowCheck<'_>) -> Option<RowSpec> {
    let row = c.row;
    let target = match row.get("target") {
        None => {
            c.error("target", "The target cell is empty; write a domain (example.com) or a mailbox address (jane@example.com).");
            None
        }
        Some(t) => match SpamTarget::parse(t) {
            Ok(t) => Some(t),
            Err(e) => {
                c.error("target", format!("\"{t}\" is not a domain or a mailbox address: {}.", reason_of(&e)));
                None
            }
        },
    };
    let add = match row.get("action").map(|a| a.to_ascii_lowercase()) {
        None => Some(true),
        Some(a) if matches!(a.as_str(), "add" | "+" | "allow" | "block") => Some(true),
        Some(a) if matches!(a.as_str(), "remove" | "-" | "delete") => Some(false),
        Some(a) => {
            c.error("action", format!("\"{a}\" is not an action; write add or remove (empty: add)."));
            None
        }
    };
    // The list cell: a side, or an IP list by name (then the entry must be an IP address).
    let named = row.get("list").map(|l| (l.to_owned(), ListSide::parse(l), SpamList::parse(l)));
    let side = match &named {
        None => {
            c.error("list", "The list cell is empty; write safe or block.");
            None
        }
        Some((l, None, _)) => {
            c.error("list", format!("\"{l}\" is not a list; write safe (safe senders) or block (blocked senders). An IP address goes to the IP list of that side by itself."));
            None
        }
        Some((_, Some(side), _)) => Some(*side),
    };
    let entry = match row.get("entry") {
        None => {
            c.error("entry", "The entry cell is empty; write an address, @domain or an IPv4 address.");
            None
        }
        Some(e) => {
            let parsed = if add == Some(false) { SpamEntry::parse(e) } else { SpamEntry::parse_new(e) };
            match parsed {
                Ok(p) => {
                    if let Some(note) = &p.note {
                        // Not capitalised: it starts with the entry as typed.
                        c.warning("entry", format!("{note}."));
                    }
                    Some(p.entry)
                }
                Err(err) => {
                    c.error("entry", format!("{}.", capitalised(&reason_of(&err))));
                    None
                }
            }
        }
    };
    if let (Some((l, _, Some(named))), Some(e)) = (&named, &entry) {
        if named.is_ip() && e.kind() != EntryKind::Ip {
            c.error("list", format!("\"{l}\" is a list of IP addresses, and {e} is not one; write safe or block for addresses and domains."));
            return None;
        }
    }
    let (Some(target), Some(side), Some(entry), Some(add)) = (target, side, entry, add) else { return None };
    let list = SpamList::for_entry(side, entry.kind());
    Some(RowSpec::SpamEntry { target, list, entry, add })
}

/// Our column for a field named in an input error ("business phone" → businessNumber).
fn column_of_field(field: &str) -> &'static str {
    match field {
        "first name" => "firstName",
        "last name" => "lastName",
        "company" => "company",
        "job title" => "jobTitle",
        "business phone" => "businessNumber",
        "mobile phone" => "mobileNumber",
        "display name" | "displayName" => "displayName",
        _ => "email",
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::input::read;

    fn check(kind: JobKind, csv: &str) -> Validated {
        let i = read(csv.as_bytes(), kind, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        validate(&i)
    }

    fn msgs(v: &Validated) -> Vec<String> {
        v.problems.iter().map(|p| p.to_string()).collect()
    }

    fn has(v: &Validated, row: usize, col: &str, text: &str) -> bool {
        v.problems.iter().any(|p| p.row == Some(row) && p.column.as_deref() == Some(col) && p.message.contains(text))
    }

    #[test]
    fn create_rows_are_checked_cell_by_cell() {
        let csv = "email,displayName,password,sizeMB,enabled,forwardTo,keepCopy\n\
                   jane@example.com,Jane,,2048,yes,boss@example.org;  jd@gmail.com,\n\
                   jane.example.com,,,,,,\n\
                   sam@example.com,,short,0,perhaps,not-an-address,maybe\n\
                   jane@example.com,,,,,,\n\
                   ann@example.com,,,big,,ann@example.com,yes\n\
                   bob@example.com,,Bob-is-here-42,,,,\n";
        let v = check(JobKind::Create, csv);
        let m = msgs(&v);
        assert!(matches!(&v.rows[0].1, Some(RowSpec::Create(c)) if c.forward_to == vec!["boss@example.org", "jd@gmail.com"] && c.size == Some(2048) && !c.password_given), "{m:?}");
        assert!(has(&v, 3, "email", "no @"), "{m:?}");
        assert!(has(&v, 4, "password", "shorter than 8"), "{m:?}");
        assert!(!m.iter().any(|x| x.contains("short,")), "a password is never echoed");
        assert!(has(&v, 4, "sizeMB", "between 1 and 25600"), "{m:?}");
        assert!(has(&v, 4, "enabled", "not yes or no"), "{m:?}");
        assert!(has(&v, 4, "forwardTo", "not an e-mail address"), "{m:?}");
        assert!(has(&v, 5, "email", "also on row 2"), "{m:?}");
        assert!(has(&v, 6, "sizeMB", "not a number"), "{m:?}");
        assert!(has(&v, 6, "forwardTo", "cannot forward to itself"), "{m:?}");
        assert!(has(&v, 7, "password", "mailbox name") || has(&v, 7, "password", "contains"), "{m:?}");
        assert_eq!(v.rows.iter().filter(|r| r.1.is_some()).count(), 1);
    }

    #[test]
    fn update_rows_know_none_and_empty() {
        let v = check(JobKind::Update, "email,forwardTo,autoReply,displayName\na@example.com,none,none,\nb@example.com,,Away,B\nc@example.com,,,\n");
        assert_eq!(v.rows[0].1, Some(RowSpec::Update(EmailAddress::parse("a@example.com").unwrap(), UpdateSpec { forward_to: Some(vec![]), auto_reply: Some(None), ..Default::default() })));
        assert!(matches!(&v.rows[1].1, Some(RowSpec::Update(_, u)) if u.auto_reply == Some(Some("Away".into())) && u.display_name.as_deref() == Some("B")));
        assert!(has(&v, 4, "email", "changes nothing"));
        assert!(v.rows[2].1.is_some(), "a warning does not invalidate the row");
    }

    #[test]
    fn alias_rows() {
        let v = check(JobKind::Aliases, "alias,member,action\nsales@example.com,Jane@Example.com,add\nsales@example.com,jane@example.com,add\nsales@example.com,x@other.org,drop\nsales@example.com,sales@example.com,remove\n");
        assert_eq!(v.rows[0].1, Some(RowSpec::Alias { alias: EmailAddress::parse("sales@example.com").unwrap(), member: "jane@example.com".into(), add: true }));
        assert!(has(&v, 3, "member", "already on row 2"), "{:?}", msgs(&v));
        assert!(has(&v, 4, "action", "add or remove"));
        assert!(has(&v, 5, "member", "itself"));
    }

    #[test]
    fn offboard_rows_and_results_files() {
        let v = check(JobKind::Offboard, "email,forwardTo,keepEnabled,removeFromAliases\na@example.com,b@example.com,,yes\nb@example.com,a@example.com;c@example.com,no,\n");
        assert!(matches!(&v.rows[0].1, Some(RowSpec::Offboard(o)) if o.forward_to.as_deref() == Some("b@example.com") && !o.keep_enabled && o.remove_from_aliases));
        assert!(has(&v, 2, "forwardTo", "also being offboarded"));
        assert!(has(&v, 3, "forwardTo", "one colleague"));
        let v = check(JobKind::Delete, "result,email\ndone,a@example.com\nfailed,b@example.com\n");
        assert!(matches!(&v.rows[0].1, Some(RowSpec::AlreadyDone { .. })));
        assert!(matches!(&v.rows[1].1, Some(RowSpec::Delete(_))));
    }

    #[test]
    fn contact_names_are_made_from_display_names() {
        assert_eq!(contact_name_from("Zoë Ångström-Núñez"), "zoe-angstrom-nunez");
        assert_eq!(contact_name_from("  Pat   Kim (Supplier) "), "pat-kim-supplier");
        assert_eq!(contact_name_from("O'Brien & Söhne, GmbH"), "o-brien-sohne-gmbh");
        assert_eq!(contact_name_from("!!!"), "");
        assert_eq!(contact_name_from(&"a b ".repeat(40)).len(), 63, "at most 64, never ending in -");
    }

    #[test]
    fn contact_rows_are_checked_cell_by_cell() {
        let csv = "domain,email,displayName,name,firstName,businessNumber\n\
                   example.net,pat@supplier.example,Pat Kim,,Pat,+1 555 0100\n\
                   example.net,lee@partner.example,Lee Ray,lee,,\n\
                   nodot,x@y.example,X,,,\n\
                   example.net,not-an-address,Nobody,,,\n\
                   example.net,sam@partner.example,,,,\n\
                   example.net,ann@partner.example,Ann,,,call me\n\
                   example.net,pat2@supplier.example,Pat  Kim,,,\n\
                   example.net,lee@partner.example,Lee Again,,,\n\
                   example.net,q@partner.example,???,,,\n\
                   example.net,r@partner.example,Bad Name,no spaces,,\n";
        let v = check(JobKind::Contacts, csv);
        let m = msgs(&v);
        match &v.rows[0].1 {
            Some(RowSpec::Contact(c)) => {
                assert_eq!((c.domain.as_str(), c.name.as_str(), c.email.as_str()), ("example.net", "pat-kim", "pat@supplier.example"));
                assert!(c.name_derived);
                assert_eq!(c.fields.first_name.as_deref(), Some("Pat"));
                assert_eq!(c.fields.business_number.as_deref(), Some("+1 555 0100"));
                assert_eq!(c.target(), "pat-kim@example.net");
            }
            other => panic!("{other:?} {m:?}"),
        }
        assert!(matches!(&v.rows[1].1, Some(RowSpec::Contact(c)) if c.name == "lee" && !c.name_derived));
        assert!(has(&v, 4, "domain", "no dot"), "{m:?}");
        assert!(has(&v, 5, "email", "not a valid address"), "{m:?}");
        assert!(has(&v, 6, "displayName", "empty"), "{m:?}");
        assert!(has(&v, 7, "businessNumber", "digits"), "{m:?}");
        // Row 8's name is made the same as row 2's: the duplicate names both rows.
        assert!(has(&v, 8, "name", "pat-kim of example.net is also on row 2"), "{m:?}");
        assert!(has(&v, 9, "email", "lee@partner.example is already imported into example.net on row 3"), "{m:?}");
        assert!(has(&v, 10, "name", "No name can be made"), "{m:?}");
        assert!(has(&v, 11, "name", "cannot be a contact's name"), "{m:?}");
        assert_eq!(v.rows.iter().filter(|(_, s)| s.is_some()).count(), 2, "{m:?}");
    }

    #[test]
    fn a_contacts_file_needs_its_required_columns() {
        let i = read(b"email,name\npat@supplier.example,pat\n", JobKind::Contacts, &[]);
        let e: Vec<String> = i.problems.iter().filter(|p| p.is_error()).map(|p| p.to_string()).collect();
        assert!(e.iter().any(|m| m.contains("no domain column")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("no displayName column")), "{e:?}");
        assert!(!e.iter().any(|m| m.contains("no email column")), "{e:?}");
    }

    #[test]
    fn spam_list_rows_are_checked_cell_by_cell() {
        let csv = "target,list,entry,action\n\
                   example.com,block,@%.bulk.example,\n\
                   jane@example.com,Safe,Partner.example,add\n\
                   jane@example.com,allow,203.0.113.9,\n\
                   example.com,block,@%.com,\n\
                   example.com,block,@%.com,remove\n\
                   localhost,safe,a@b.example,\n\
                   example.com,maybe,a@b.example,\n\
                   example.com,safe,*@b.example,\n\
                   example.com,safe,a@b.example,perhaps\n\
                   example.com,ip-block,a@b.example,\n\
                   jane@example.com,safe,@partner.example,remove\n\
                   example.com,,,\n";
        let v = check(JobKind::SpamList, csv);
        let m = msgs(&v);
        let spec = |i: usize| v.rows[i].1.clone();
        assert!(matches!(spec(0), Some(RowSpec::SpamEntry { list: SpamList::Block, add: true, ref entry, .. }) if entry.as_str() == "@%.bulk.example"), "{m:?}");
        assert!(matches!(spec(1), Some(RowSpec::SpamEntry { list: SpamList::Safe, ref entry, ref target, .. }) if entry.as_str() == "@partner.example" && target.to_string() == "jane@example.com"), "{m:?}");
        assert!(has(&v, 3, "entry", "Partner.example was read as @partner.example"), "{m:?}");
        assert!(matches!(spec(2), Some(RowSpec::SpamEntry { list: SpamList::IpSafe, .. })), "an IP address goes to the IP list of its side: {m:?}");
        assert!(has(&v, 5, "entry", "every domain ending in .com"), "{m:?}");
        assert!(spec(4).is_some(), "a wide entry may be removed: {m:?}");
        assert!(has(&v, 7, "target", "not a domain or a mailbox address"), "{m:?}");
        assert!(has(&v, 8, "list", "not a list; write safe"), "{m:?}");
        assert!(has(&v, 9, "entry", "The wildcard is %"), "{m:?}");
        assert!(has(&v, 10, "action", "not an action"), "{m:?}");
        assert!(has(&v, 11, "list", "is a list of IP addresses"), "{m:?}");
        assert!(has(&v, 12, "entry", "already added to or removed from the safe senders of jane@example.com on row 3"), "{m:?}");
        assert!(has(&v, 13, "list", "empty") && has(&v, 13, "entry", "empty"), "{m:?}");
    }

    #[test]
    fn list_member_rows_and_duplicates() {
        let csv = "list,member,action\n\
                   team@example.com,jane@example.com,\n\
                   team@example.com,JANE@example.com,remove\n\
                   team@example.com,not-an-address,add\n\
                   team@example.com,sam@example.com,maybe\n\
                   team@example.com,team@example.com,add\n\
                   ,sam@example.com,add\n";
        let v = check(JobKind::ListMembers, csv);
        let m = msgs(&v);
        assert!(matches!(&v.rows[0].1, Some(RowSpec::ListMember { add: true, member, .. }) if member == "jane@example.com"), "{m:?}");
        assert!(has(&v, 3, "member", "already added to or removed from team@example.com on row 2"), "{m:?}");
        assert!(has(&v, 4, "member", "not an e-mail address"), "{m:?}");
        assert!(has(&v, 5, "action", "not an action"), "{m:?}");
        assert!(has(&v, 6, "member", "member of itself"), "{m:?}");
        assert!(has(&v, 7, "list", "empty"), "{m:?}");
        let i = read(b"member\njane@example.com\n", JobKind::ListMembers, &[]);
        assert!(i.problems.iter().any(|p| p.is_error() && p.message.contains("no list column")), "{:?}", i.problems);
    }
}
