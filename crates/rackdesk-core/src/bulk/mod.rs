//! Bulk jobs from CSV: onboarding and offboarding many people at once.
//!
//! The stages, each its own module and each usable without the next:
//!
//! 1. [`input`]: read the CSV (UTF-8 with or without BOM, comma or semicolon, quoted fields),
//!    map its headers to our columns (`--map theirs=ours` overrides), report unknown columns.
//! 2. [`validate`]: check every row offline (address syntax, duplicates, passwords, sizes,
//!    yes/no values, forwarding targets) into a typed [`validate::RowSpec`].
//! 3. [`plan`]: read what the server has, in as few calls as possible ([`plan::Snapshot`]),
//!    finish the checks that need it (domain exists, mailbox exists or not, ...) and say
//!    exactly what each row will change, with counts and an ETA from the published limits.
//! 4. [`store`]: the durable job record (`jobs.sqlite3` beside the journal): the plan and
//!    each row's state and result. Never a password.
//! 5. [`run`]: apply the rows one by one in file order through [`crate::ops::Ops`] (the
//!    role's allow-list and the journal), paced by the client's scheduler; resume after a
//!    crash by checking on the server any row whose request may have been sent.
//!
//! Row numbers everywhere are spreadsheet row numbers: the header is row 1, the first data
//! row is row 2, as a spreadsheet program shows them.

pub mod file;
pub mod input;
pub mod jobs;
pub mod plan;
pub mod results;
pub mod run;
pub mod store;
pub mod validate;

use crate::policy::Action;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kinds of bulk job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    Create,
    Update,
    ResetPassword,
    Aliases,
    Delete,
    Offboard,
    /// Hosted Exchange: outside contacts into a domain's address book.
    Contacts,
    /// Hosted Exchange: distribution list members added or removed.
    ListMembers,
    /// Spam protection: entries added to or removed from the safe and blocked lists of
    /// domains and mailboxes (IP addresses to the IP lists).
    SpamList,
}

impl JobKind {
    pub const ALL: [JobKind; 9] = [
        JobKind::Create,
        JobKind::Update,
        JobKind::ResetPassword,
        JobKind::Aliases,
        JobKind::Delete,
        JobKind::Offboard,
        JobKind::Contacts,
        JobKind::ListMembers,
        JobKind::SpamList,
    ];

    /// The name used on the command line and in the job store.
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Create => "create",
            JobKind::Update => "update",
            JobKind::ResetPassword => "reset-password",
            JobKind::Aliases => "aliases",
            JobKind::Delete => "delete",
            JobKind::Offboard => "offboard",
            JobKind::Contacts => "contacts",
            JobKind::ListMembers => "list-members",
            JobKind::SpamList => "spam-list",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        JobKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// What the job does, in plain words.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Create => "create mailboxes",
            JobKind::Update => "change mailboxes",
            JobKind::ResetPassword => "reset passwords",
            JobKind::Aliases => "add people to aliases or remove them",
            JobKind::Delete => "delete mailboxes",
            JobKind::Offboard => "offboard people",
            JobKind::Contacts => "import Exchange contacts",
            JobKind::ListMembers => "add people to distribution lists or remove them",
            JobKind::SpamList => "add or remove safe and blocked senders",
        }
    }

    /// The permissions the whole job needs, checked before anything is read or sent (each
    /// change is checked again by [`crate::ops::Ops`]).
    pub fn actions(self) -> Vec<Action> {
        let mut v = vec![Action::BulkChange];
        v.extend(match self {
            JobKind::Create => vec![Action::CreateMailbox],
            JobKind::Update => vec![],
            JobKind::ResetPassword => vec![Action::ResetPassword],
            JobKind::Aliases => vec![Action::EditAliasMembers],
            // A deleted or offboarded mailbox is taken out of the aliases that deliver to it.
            JobKind::Delete => vec![Action::DeleteMailbox, Action::EditAliasMembers, Action::DeleteAlias],
            JobKind::Offboard => vec![Action::ResetPassword],
            JobKind::Contacts => vec![Action::ExEditContacts],
            JobKind::ListMembers => vec![Action::ExListMembers],
            // Which list of which owner each row changes is known only once the file is read:
            // every row's own permission is checked by Ops (a domain's lists, a mailbox's
            // blocked senders or IP lists, a mailbox's safe senders).
            JobKind::SpamList => vec![],
        });
        v
    }

    /// The columns this job reads, in template order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            JobKind::Create => CREATE,
            JobKind::Update => UPDATE,
            JobKind::ResetPassword => RESET,
            JobKind::Aliases => ALIASES,
            JobKind::Delete => DELETE,
            JobKind::Offboard => OFFBOARD,
            JobKind::Contacts => CONTACTS,
            JobKind::ListMembers => LIST_MEMBERS,
            JobKind::SpamList => SPAM_LIST,
        }
    }

    /// Columns accepted and ignored: those of `rackdesk export mailboxes` and of a results
    /// file, so that both can be read back in. They are listed in the plan as ignored.
    pub fn informational_columns(self) -> &'static [&'static str] {
        INFORMATIONAL
    }

    /// A CSV with our header and example rows (UTF-8, comma-separated).
    pub fn template(self) -> String {
        let cols = self.columns();
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let _ = w.write_record(cols.iter().map(|c| c.name));
        for ex in 0..2 {
            let _ = w.write_record(cols.iter().map(|c| c.examples.get(ex).copied().unwrap_or("")));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One column of a job's CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Our name for it (the template's header).
    pub name: &'static str,
    pub required: bool,
    /// Other headers read as this column (compared without case, spaces, `-` or `_`).
    pub synonyms: &'static [&'static str],
    /// What to write in it, in plain words.
    pub help: &'static str,
    /// Values for the template's two example rows.
    #[serde(skip)]
    pub examples: [&'static str; 2],
}

const fn col(name: &'static str, required: bool, synonyms: &'static [&'static str], help: &'static str, examples: [&'static str; 2]) -> Column {
    Column { name, required, synonyms, help, examples }
}

const EMAIL_SYN: &[&str] = &["emailaddress", "address", "mailbox", "mail", "e-mail", "username", "user"];

const CREATE: &[Column] = &[
    col("email", true, EMAIL_SYN, "The full address of the new mailbox, e.g. jane.doe@example.com. Its domain must be one of this account's.", ["jane.doe@example.com", "sam.lee@example.com"]),
    col("displayName", false, &["name", "fullname"], "The name people see, e.g. Jane Doe. Up to 128 characters.", ["Jane Doe", "Sam Lee"]),
    col("firstName", false, &["givenname", "first"], "First name (contact details). Up to 64 characters.", ["Jane", "Sam"]),
    col("lastName", false, &["surname", "familyname", "last"], "Last name (contact details). Up to 64 characters.", ["Doe", "Lee"]),
    col("password", false, &["pass", "pwd"], "Leave empty to have Rackdesk generate a strong password, shown once at the end. A given password needs at least 8 characters with 3 of: upper case, lower case, digits, symbols.", ["", ""]),
    col("sizeMB", false, &["size", "mailboxsize", "quota", "quotamb"], "Mailbox size in MB: 1 to 25600 for Rackspace Email, up to the domain's limit for Exchange. Empty: the domain's standard size.", ["2048", ""]),
    col("enabled", false, &["active"], "yes or no. Empty: yes.", ["yes", ""]),
    col("forwardTo", false, &["forwarding", "forward", "forwardingaddresses", "forwardaddresses"], "Addresses to forward mail to, separated by ; (up to 15; Exchange forwards to one). Empty: no forwarding.", ["", "sam@partner.example"]),
    col("keepCopy", false, &["savecopy", "saveforwardedemail", "keepforwarded"], "yes or no: keep a copy of forwarded mail in the mailbox. Empty: no.", ["", "yes"]),
    col("autoReply", false, &["vacationmessage", "vacation", "outofoffice", "autoreplymessage"], "A message to send automatically to every sender (auto-reply; Rackspace Email only). Empty: none.", ["", ""]),
    col("service", false, &["servicetype", "mailboxtype", "platform"], "rackspace or exchange: which kind of mailbox to create. Needed only for a domain that has both; empty: the one the domain has.", ["", ""]),
];

const UPDATE: &[Column] = &[
    col("email", true, EMAIL_SYN, "The full address of an existing mailbox.", ["jane.doe@example.com", "sam.lee@example.com"]),
    col("displayName", false, &["name", "fullname"], "New display name. Empty: unchanged.", ["Jane Doe-Smith", ""]),
    col("sizeMB", false, &["size", "mailboxsize", "quota", "quotamb"], "New size in MB: 1 to 25600 for Rackspace Email, up to the domain's limit for Exchange. Empty: unchanged.", ["", "4096"]),
    col("enabled", false, &["active"], "yes or no. Empty: unchanged.", ["", "no"]),
    col("forwardTo", false, &["forwarding", "forward", "forwardingaddresses", "forwardaddresses"], "Addresses to forward mail to, separated by ; (replaces the current list; Exchange forwards to one). \"none\" stops forwarding. Empty: unchanged.", ["", "none"]),
    col("keepCopy", false, &["savecopy", "saveforwardedemail", "keepforwarded"], "yes or no: keep a copy of forwarded mail. Empty: unchanged.", ["", ""]),
    col("autoReply", false, &["vacationmessage", "vacation", "outofoffice", "autoreplymessage"], "A message to turn the auto-reply on with (Rackspace Email only). \"none\" turns it off. Empty: unchanged.", ["I am away until Monday.", ""]),
];

const RESET: &[Column] = &[
    col("email", true, EMAIL_SYN, "The full address of an existing mailbox.", ["jane.doe@example.com", "sam.lee@example.com"]),
    col("password", false, &["pass", "pwd", "newpassword"], "The new password. Empty: Rackdesk generates one, shown once at the end.", ["", ""]),
];

const ALIASES: &[Column] = &[
    col("alias", true, &["aliasaddress", "group", "list"], "The full address of the alias, e.g. sales@example.com. Adding to an alias that does not exist creates it.", ["sales@example.com", "team@example.com"]),
    col("member", true, &["memberaddress", "email", "address"], "The address to add to the alias or remove from it.", ["jane.doe@example.com", "sam.lee@example.com"]),
    col("action", true, &["change", "operation", "addremove"], "add or remove.", ["add", "remove"]),
];

const DELETE: &[Column] = &[col("email", true, EMAIL_SYN, "The full address of the mailbox to delete, with all its mail. Super admins only.", ["old.account@example.com", ""])];

const OFFBOARD: &[Column] = &[
    col("email", true, EMAIL_SYN, "The full address of the person leaving. Their password is always reset to a random one (shown once at the end).", ["jane.doe@example.com", "sam.lee@example.com"]),
    col("forwardTo", false, &["forwarding", "forward", "colleague", "forwardtocolleague"], "A colleague's address to forward their mail to (replaces any forwarding). Empty: forwarding unchanged.", ["boss@example.com", ""]),
    col("keepEnabled", false, &["enabled", "keepactive"], "yes to keep the mailbox enabled (still receiving mail). Empty or no: disable it.", ["", "yes"]),
    col("autoReply", false, &["vacationmessage", "vacation", "outofoffice", "autoreplymessage"], "An auto-reply to turn on, e.g. who to write to instead (Rackspace Email only). Empty: unchanged.", ["Jane has left; please write to boss@example.com.", ""]),
    col("removeFromAliases", false, &["removealiases", "leavealiases"], "yes to remove the person from every alias of their domain (Rackspace Email). Empty: no.", ["yes", ""]),
    col("hideFromAddressBook", false, &["hide", "hidden", "hidefromgal", "hidefromaddresslist"], "yes to hide an Exchange mailbox from the company address book. Empty: no.", ["", ""]),
];

// The target domain is a column of its own: a contact's address is outside the domain, so
// the domain cannot be read from it.
const CONTACTS: &[Column] = &[
    col("domain", true, &["exchangedomain", "targetdomain"], "The Hosted Exchange domain whose address book gets the contact, e.g. example.com.", ["example.com", "example.com"]),
    col("email", true, &["externalemail", "emailaddress", "address", "mail", "e-mail"], "The contact's outside address, e.g. pat@supplier.example.", ["pat.kim@supplier.example", "lee.ray@partner.example"]),
    col("displayName", true, &["fullname", "displayname"], "The name shown in the address book. Up to 128 characters.", ["Pat Kim", "Lee Ray (Partner)"]),
    col("name", false, &["shortname", "contactname", "alias"], "The contact's short name in the domain (letters, digits, . - _). Empty: made from the display name (lower case, accents dropped, other characters as -).", ["", "lee-ray"]),
    col("firstName", false, &["givenname", "first"], "First name. Up to 64 characters.", ["Pat", "Lee"]),
    col("lastName", false, &["surname", "familyname", "last"], "Last name. Up to 64 characters.", ["Kim", "Ray"]),
    col("company", false, &["organization", "organisation"], "Company. Up to 64 characters.", ["Supplier Ltd", ""]),
    col("jobTitle", false, &["title", "position"], "Job title. Up to 64 characters.", ["Buyer", ""]),
    col("businessNumber", false, &["businessphone", "workphone", "phone", "telephone"], "Business phone: digits, spaces and + - ( ) . / x.", ["+1 555 0100", ""]),
    col("mobileNumber", false, &["mobilephone", "mobile", "cellphone", "cell"], "Mobile phone: digits, spaces and + - ( ) . / x.", ["", "+1 555 0199"]),
];

const LIST_MEMBERS: &[Column] = &[
    col("list", true, &["listaddress", "distributionlist", "group"], "The full address of an existing distribution list of a Hosted Exchange domain, e.g. team@example.com.", ["team@example.com", "team@example.com"]),
    col("member", true, &["memberaddress", "email", "address"], "The address to add or remove: a mailbox, contact or list of the domain.", ["jane.doe@example.com", "sam.lee@example.com"]),
    col("action", false, &["change", "operation", "addremove"], "add or remove. Empty: add.", ["add", "remove"]),
];

// The target is a domain (its own lists, for everyone in it) or a mailbox of either service.
const SPAM_LIST: &[Column] = &[
    col("target", true, &["domain", "mailbox", "owner", "for", "targetaddress"], "A domain of the account (example.com: its own lists, for everyone in it) or a mailbox address (jane.doe@example.com, Rackspace Email or Exchange).", ["example.com", "jane.doe@example.com"]),
    col("list", true, &["listname", "side", "spamlist"], "safe (safe senders) or block (blocked senders). An IP address in the entry goes to the allowed or blocked IP addresses of that side.", ["block", "safe"]),
    col("entry", true, &["sender", "address", "value", "pattern", "ip", "ipaddress"], "An address (orders@partner.example), a whole domain (@partner.example; partner.example is read the same), % for any text (@%.partner.example), or an IPv4 address.", ["offers%@bulk-mail.example", "orders@partner.example"]),
    col("action", false, &["change", "operation", "addremove"], "add or remove. Empty: add.", ["", "add"]),
];

/// Columns of our exports and results files, read and ignored.
const INFORMATIONAL: &[&str] =
    &["usedMB", "usedPercent", "lastLogin", "created", "aliases", "result", "message", "sourceRow", "job"];

/// How bad a problem is: errors stop the job from starting; warnings can be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Error,
    Warning,
}

/// How to fix a problem with the file's columns. The core names what to do; each edge says
/// where to do it in its own terms (the command line with `--map`, the app under "Columns in
/// the file"), so no message carries the other edge's controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "fix")]
pub enum ColumnFix {
    /// Say which of the job's columns the file's column `theirs` is, or leave it out.
    NameOrLeaveOut { theirs: String },
    /// Leave the file's column `theirs` out.
    LeaveOut { theirs: String },
    /// Say which of the file's columns holds the job's column `ours`.
    Choose { ours: String },
    /// A column matching given for the file names a column it does not have, or a column the
    /// job does not have: change or remove that matching.
    ChangeMatching { theirs: String },
}

/// One problem with the file or a row, in a plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub severity: Severity,
    /// Spreadsheet row number (the header is row 1); `None` for the whole file.
    pub row: Option<usize>,
    /// Our column name, or the file's header for unknown columns.
    pub column: Option<String>,
    /// What is wrong, in words that fit every edge.
    pub message: String,
    /// What to do about the file's columns, for the edge to phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<ColumnFix>,
}

impl Problem {
    pub fn error(row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem { severity: Severity::Error, row, column: column.map(str::to_owned), message: message.into(), fix: None }
    }
    pub fn warning(row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem { severity: Severity::Warning, row, column: column.map(str::to_owned), message: message.into(), fix: None }
    }
    pub fn with_fix(mut self, fix: ColumnFix) -> Problem {
        self.fix = Some(fix);
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    /// The problem as a sentence, followed by its fix in the edge's words (`phrase`).
    pub fn text_with(&self, phrase: &dyn Fn(&ColumnFix) -> String) -> String {
        match &self.fix {
            Some(f) => format!("{self} {}", phrase(f)),
            None => self.to_string(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        match (&self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "{sev}, row {r}, column {c}: {}", self.message),
            (Some(r), None) => write!(f, "{sev}, row {r}: {}", self.message),
            (None, Some(c)) => write!(f, "{sev}, column {c}: {}", self.message),
            (None, None) => write!(f, "{sev}: {}", self.message),
        }
    }
}

/// Errors of the bulk engine outside a row: each says what the person can do.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Refused(#[from] crate::policy::Refusal),
    #[error(transparent)]
    Journal(Box<crate::journal::JournalError>),
    #[error(transparent)]
    Api(Box<crate::ApiError>),
    #[error("job store: {detail}")]
    Store { path: std::path::PathBuf, detail: String },
    #[error("no such job: {0}")]
    NoSuchJob(String),
    #[error("job {0} is running elsewhere")]
    Busy(String),
    /// A job from the same file (same content) is not finished: resume or cancel it first.
    #[error("job {id} from this file is unfinished")]
    Unfinished { id: String, finished: usize, total: usize, state: String },
    /// A file the person chose could not be read or written.
    #[error("file {path}: {detail}")]
    File { path: String, detail: String, writing: bool },
    #[error("{0}")]
    Invalid(String),
}

impl From<crate::journal::JournalError> for BulkError {
    fn from(e: crate::journal::JournalError) -> Self {
        BulkError::Journal(Box::new(e))
    }
}

impl From<crate::ApiError> for BulkError {
    fn from(e: crate::ApiError) -> Self {
        BulkError::Api(Box::new(e))
    }
}

impl BulkError {
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            BulkError::Refused(_) => K::NotAllowed,
            BulkError::Journal(e) => e.kind(),
            BulkError::Api(e) => e.kind(),
            BulkError::Store { .. } => K::JobStore,
            BulkError::NoSuchJob(_) => K::NoSuchJob,
            BulkError::Busy(_) => K::JobBusy,
            BulkError::Unfinished { .. } => K::JobUnfinished,
            BulkError::Invalid(_) => K::InvalidInput,
            BulkError::File { .. } => K::File,
        }
    }

    pub fn user_message(&self) -> String {
        match self {
            BulkError::Refused(r) => r.message(),
            BulkError::Journal(e) => format!("{} Nothing more was changed: Rackdesk makes no change it cannot record.", e.user_message()),
            BulkError::Api(e) => e.user_message(),
            BulkError::Store { path, .. } => format!(
                "Rackdesk could not use its record of bulk jobs ({}). Check that the disk is not full and the folder is writable.",
                path.display()
            ),
            BulkError::NoSuchJob(id) => format!("There is no bulk job \"{id}\". The list of bulk jobs shows the ones there are."),
            BulkError::Busy(id) => format!("Job {id} is being run by another Rackdesk right now (the app, or another command). Wait for it, or stop it there."),
            BulkError::Unfinished { id, finished, total, state } => format!(
                "Job {id} from this file is not finished ({finished} of {total} rows done, {state}). Resume it or cancel it \
                 first, so no row is applied twice; nothing new was started."
            ),
            BulkError::File { path, writing: false, .. } => {
                format!("Rackdesk could not read {path}. Check that the file is there and that you may open it.")
            }
            BulkError::File { path, writing: true, .. } => {
                format!("Rackdesk could not write {path}. Choose a folder you can write to (and a name not already taken).")
            }
            BulkError::Invalid(m) => m.clone(),
        }
    }
    pub fn detail(&self) -> Option<String> {
        match self {
            BulkError::Journal(e) => e.detail(),
            BulkError::Api(e) => e.detail(),
            BulkError::Store { detail, .. } | BulkError::File { detail, .. } => Some(detail.clone()),
            _ => None,
        }
    }
}

/// Yes/no cells: yes, no, true, false, y, n, 1, 0, on, off (any case).
pub(crate) fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "on" | "enabled" => Some(true),
        "no" | "n" | "false" | "0" | "off" | "disabled" => Some(false),
        _ => None,
    }
}

/// The plain reason of an input error, without the "Nothing was sent" tail.
pub(crate) fn reason_of(e: &crate::ApiError) -> String {
    match e {
        crate::ApiError::InvalidInput { reason, .. } => reason.clone(),
        other => other.user_message(),
    }
}

/// Addresses in a cell: separated by `;`, `,` or spaces.
pub(crate) fn split_addresses(s: &str) -> Vec<String> {
    s.split([';', ',', ' ', '\t', '\n', '\r']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

crate::error::explain_by_methods!(BulkError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_has_a_template_with_its_columns() {
        for k in JobKind::ALL {
            let t = k.template();
            let header = t.lines().next().unwrap();
            let names: Vec<&str> = k.columns().iter().map(|c| c.name).collect();
            assert_eq!(header, names.join(","), "{k}");
            assert_eq!(JobKind::parse(k.name()), Some(k));
            assert!(k.actions().contains(&Action::BulkChange));
        }
        assert!(JobKind::Create.template().starts_with("email,displayName,"));
        assert_eq!(JobKind::parse("Reset_Password"), Some(JobKind::ResetPassword));
        assert_eq!(JobKind::parse("nope"), None);
    }

    #[test]
    fn problems_read_as_sentences() {
        let p = Problem::error(Some(4), Some("email"), "\"x\" has no @.");
        assert_eq!(p.to_string(), "Error, row 4, column email: \"x\" has no @.");
        assert_eq!(Problem::warning(None, None, "Fine.").to_string(), "Warning: Fine.");
    }

    #[test]
    fn yes_no_and_address_lists() {
        assert_eq!(parse_yes_no(" Yes "), Some(true));
        assert_eq!(parse_yes_no("0"), Some(false));
        assert_eq!(parse_yes_no("maybe"), None);
        assert_eq!(split_addresses("a@x.com; b@y.com,c@z.com  d@w.com"), vec!["a@x.com", "b@y.com", "c@z.com", "d@w.com"]);
    }

    #[test]
    fn exchange_jobs_need_their_change_and_stay_with_super_admins() {
        use crate::identity::Role;
        assert!(JobKind::Contacts.actions().contains(&Action::ExEditContacts));
        assert!(JobKind::ListMembers.actions().contains(&Action::ExListMembers));
        for k in [JobKind::Contacts, JobKind::ListMembers] {
            assert!(k.actions().iter().all(|a| crate::policy::check(Role::SuperAdmin, *a).is_ok()), "{k}");
            assert!(k.actions().iter().any(|a| crate::policy::check(Role::HelpDesk, *a).is_err()), "{k}: bulk changes are for super admins");
        }
        assert_eq!(JobKind::parse("list_members"), Some(JobKind::ListMembers));
        assert!(JobKind::Contacts.template().starts_with("domain,email,displayName,name,"));
    }

    #[test]
    fn the_spam_list_job_reads_its_columns_and_stays_with_super_admins() {
        use crate::identity::Role;
        assert_eq!(JobKind::parse("spam_list"), Some(JobKind::SpamList));
        assert_eq!(JobKind::SpamList.template(), "target,list,entry,action\nexample.com,block,offers%@bulk-mail.example,\njane.doe@example.com,safe,orders@partner.example,add\n");
        assert!(JobKind::SpamList.actions().iter().any(|a| crate::policy::check(Role::HelpDesk, *a).is_err()));
    }
}
