//! Tauri commands: thin adapters over the core. Each one takes plain arguments, calls the
//! core, and maps the result to a view type the page renders. Errors cross IPC as
//! `{kind, message, detail}`, the message already in plain language.

pub mod aliases;
pub mod bulk;
pub mod catalog;
pub mod exchange;
pub mod find;
pub mod spam;
pub mod identity;
pub mod journal;
pub mod mailboxes;
pub mod support;
pub mod team;
pub mod updates;
pub mod window;

use crate::state::AppState;
use rackdesk_core::api::MailboxQuery;
use rackdesk_core::{ErrorKind, Explain};
use serde::Serialize;
use ts_rs::TS;

/// An error as the page receives it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CommandError {
    /// The class of failure (the core's error kind), e.g. `auth-failed`, `throttled`.
    #[ts(type = "ErrorKind")]
    pub kind: ErrorKind,
    /// One plain sentence: what happened and what to do.
    pub message: String,
    /// The server's own words, when it said something.
    pub detail: Option<String>,
}

/// Every core error crosses IPC the same way: the one conversion of this edge.
impl<E: Explain> From<E> for CommandError {
    fn from(e: E) -> Self {
        let f = e.failure();
        CommandError { kind: f.kind, message: f.message, detail: f.detail }
    }
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError { kind, message: message.into(), detail: None }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError::new(ErrorKind::InvalidInput, message)
    }
    pub fn with_detail(mut self, detail: impl ToString) -> Self {
        self.detail = Some(detail.to_string());
        self
    }
}

pub type CmdResult<T> = Result<T, CommandError>;

/// What the client is doing while the page waits: sent as the `client-event` event. The
/// sentence is the core's ([`rackdesk_core::rules::notice`]).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientNotice {
    /// `rate-limit`, `throttled`, `retrying` or `checking`.
    pub kind: String,
    /// A plain sentence for the status bar.
    pub message: String,
    /// Seconds to wait, when waiting.
    pub wait_secs: Option<u32>,
}

impl From<&rackdesk_core::ClientEvent> for ClientNotice {
    fn from(ev: &rackdesk_core::ClientEvent) -> Self {
        let n = rackdesk_core::rules::notice(ev);
        ClientNotice { kind: n.kind.into(), message: n.message, wait_secs: n.wait_secs }
    }
}

/// Who is acting, for the header on every screen.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WhoIsActing {
    /// The operator's name as recorded in the journal (the OS login, or a name chosen on a shared computer).
    pub operator_name: String,
    /// How people see the operator: "Alice Martin (alice)", or the login alone.
    pub operator_display: String,
    /// The person's full name (set in Rackdesk, else the OS account's), if there is one.
    pub operator_full_name: Option<String>,
    /// The OS login of this computer's session.
    pub operator_login: String,
    /// "super admin" or "help desk".
    pub role: String,
    pub identity_label: String,
    pub api_admin: Option<String>,
    pub account: String,
    /// The whole sentence: "You (Alice Martin (alice), help desk) — acting through API admin api-rackdesk on account 123456".
    pub sentence: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: String,
    /// Acting on the built-in sandbox (practice data) rather than a real account.
    pub sandbox: bool,
    pub api_url: String,
    pub acting: WhoIsActing,
    pub identities: Vec<identity::IdentityInfo>,
    /// Where keys are kept, as people know it ("macOS Keychain", ...).
    pub vault_name: String,
    /// Why the active identity could not be opened at start, if so.
    pub problem: Option<CommandError>,
    /// "super admin" or "help desk".
    pub role: String,
    /// What the current role may do (action names of the allow-list, e.g. "mailbox.delete").
    pub allowed: Vec<String>,
    /// Whether a super-admin passphrase is set on this computer.
    pub passphrase_set: bool,
    /// Why the journal cannot be used (then no change is made), if so.
    pub journal_problem: Option<CommandError>,
    /// Bulk jobs that stopped before their end and can be resumed (from the Bulk page).
    pub unfinished_jobs: u32,
    /// The team journal on this computer (off, up to date, waiting, unreachable).
    pub team: rackdesk_core::team::TeamStatus,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DomainInfo {
    pub name: String,
    /// Rackspace Email mailboxes.
    pub mailboxes: u32,
    /// What the domain has, from its `serviceType`: "rsemail", "exchange" or "both".
    pub service: Option<String>,
    /// Hosted Exchange mailboxes (0 when the domain has no Exchange).
    pub ex_mailboxes: u32,
}

pub fn app_status_of(state: &AppState) -> AppStatus {
    let a = state.actor();
    let active = state.active_identity().map(|i| i.id);
    let (identities, reminder) = match state.identities.as_ref() {
        Some(ids) => (ids.list().map(|(l, _)| l).unwrap_or_default(), ids.key_reminder_days().unwrap_or(90)),
        None => (vec![], 90),
    };
    AppStatus {
        version: rackdesk_core::VERSION.into(),
        sandbox: state.is_sandbox(),
        api_url: state.client().config().api_url.clone(),
        acting: WhoIsActing {
            operator_name: a.operator.name.clone(),
            operator_display: a.operator.display_name(),
            operator_full_name: a.operator.shown_full_name(),
            operator_login: a.operator.login(),
            role: a.operator.role.label().into(),
            identity_label: a.identity_label.clone(),
            api_admin: a.api_admin.clone(),
            account: a.account.clone(),
            sentence: match state.active_identity() {
                Some(i) if i.test_server => format!("{a} — a test server, not Rackspace"),
                _ => a.to_string(),
            },
        },
        identities: identities.iter().map(|i| identity::info(i, active.as_deref() == Some(&i.id), reminder)).collect(),
        vault_name: rackdesk_core::vault::vault_name().into(),
        problem: state.startup_problem.read().ok().and_then(|p| p.clone()),
        role: a.operator.role.label().into(),
        allowed: rackdesk_core::policy::Action::ALL
            .iter()
            .filter(|x| rackdesk_core::policy::allowed(a.operator.role, **x))
            .map(|x| x.name().to_owned())
            .collect(),
        passphrase_set: state.identities.as_ref().and_then(|i| i.has_passphrase().ok()).unwrap_or(false),
        journal_problem: state.journal.as_ref().err().map(CommandError::from),
        unfinished_jobs: rackdesk_core::bulk::store::JobStore::open_default()
            .and_then(|s| rackdesk_core::bulk::jobs::resumable(&s))
            .map(|j| j.iter().filter(|j| rackdesk_core::bulk::jobs::running().is_none_or(|(id, _)| id != j.id)).count() as u32)
            .unwrap_or(0),
        team: state.team_status(),
    }
}

/// The version, whether this is the sandbox, who is acting, and the identities. Off the main
/// thread (it reads settings and the bulk jobs' store), like every command the first screen
/// waits for: the main thread stays free to carry the page's other calls.
#[tauri::command]
pub async fn app_status(state: tauri::State<'_, AppState>) -> CmdResult<AppStatus> {
    Ok(app_status_of(&state))
}

/// The account's domains with their mailbox counts. The Exchange count is read (one page of
/// one) only for domains whose service includes Exchange, to keep reads low.
#[tauri::command]
pub async fn list_domains(state: tauri::State<'_, AppState>) -> CmdResult<Vec<DomainInfo>> {
    let c = state.client();
    let mut out = Vec::new();
    for d in c.domains().await? {
        let q = MailboxQuery { size: 1, fields: vec![], ..MailboxQuery::default() };
        let total = c.mailboxes_page(&d.name, &q).await?.total;
        let service = d.service_type.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_ascii_lowercase);
        let has_exchange = d.has(rackdesk_core::models::Service::Exchange);
        let ex_mailboxes = if has_exchange {
            let q = rackdesk_core::exchange::ExMailboxQuery { size: 1, ..Default::default() };
            c.ex_mailboxes_page(&d.name, &q).await?.total
        } else {
            0
        };
        out.push(DomainInfo { name: d.name, mailboxes: total, service, ex_mailboxes });
    }
    Ok(out)
}

/// Why a password would be refused, or `None` when it is fine (live checks as you type; the
/// core's own rule and words, checked again before sending).
#[tauri::command]
pub fn check_password(password: String, mailbox: String, domain: String) -> Option<String> {
    rackdesk_core::rules::password_problem(&password, Some(&mailbox), Some(&domain))
}

/// The password rule in plain words, for the hint beside password fields.
#[tauri::command]
pub fn password_rule() -> String {
    rackdesk_core::password::RULE_TEXT.to_owned()
}

/// Why a mailbox size as typed would be refused, or `None` (empty: the domain's standard size).
#[tauri::command]
pub fn check_size(size: String) -> Option<String> {
    rackdesk_core::rules::size_problem(&size)
}

/// The TypeScript declarations of everything that crosses IPC, in one file. A test checks
/// that `ui/src/bindings.ts` is exactly this, so the page and the commands cannot drift.
pub fn typescript_bindings() -> String {
    use mailboxes::*;
    let decls = [
        CommandError::decl(),
        ClientNotice::decl(),
        WhoIsActing::decl(),
        AppStatus::decl(),
        DomainInfo::decl(),
        MailboxRow::decl(),
        MailboxPage::decl(),
        MailboxDetail::decl(),
        NewMailboxInput::decl(),
        AutoReply::decl(),
        MailboxUpdate::decl(),
        PasswordResult::decl(),
        DeleteImpact::decl(),
        AddressWarning::decl(),
        NameCheck::decl(),
        ExportResult::decl(),
        aliases::AliasRow::decl(),
        aliases::AliasDetail::decl(),
        identity::KeysInput::decl(),
        identity::VerifyReport::decl(),
        identity::IdentityInfo::decl(),
        journal::JournalEntry::decl(),
        journal::JournalFilter::decl(),
        journal::RoleRow::decl(),
        bulk::BulkKindInfo::decl(),
        bulk::ColumnMap::decl(),
        bulk::BulkRowView::decl(),
        bulk::BulkPlanView::decl(),
        bulk::BulkProgressView::decl(),
        bulk::BulkFinishedView::decl(),
        bulk::BulkJobView::decl(),
        bulk::ChosenFile::decl(),
        exchange::ExMailboxRow::decl(),
        exchange::ExMailboxPage::decl(),
        exchange::DelegateRow::decl(),
        exchange::ExMailboxDetail::decl(),
        exchange::NewExMailboxInput::decl(),
        exchange::ExMailboxUpdate::decl(),
        exchange::ContactRow::decl(),
        exchange::ContactDetail::decl(),
        exchange::ContactInput::decl(),
        exchange::ContactUpdate::decl(),
        exchange::DListRow::decl(),
        exchange::DListDetail::decl(),
        find::FoundRow::decl(),
        find::IndexInfo::decl(),
        find::FindAnswer::decl(),
        find::Indexed::<aliases::AliasRow>::decl(),
        spam::SpamLineView::decl(),
        spam::SpamEntryView::decl(),
        spam::SpamListView::decl(),
        spam::SpamChoice::decl(),
        spam::SpamPageView::decl(),
        spam::SpamListChanged::decl(),
        spam::SpamSettingsChanged::decl(),
        spam::SpamEntryCheck::decl(),
        spam::SpamVerdictView::decl(),
        support::DiagnosticsReport::decl(),
        support::LogFolder::decl(),
        updates::UpdateCheck::decl(),
        updates::UpdateInstalled::decl(),
        updates::UpdateProgress::decl(),
        rackdesk_core::team::TeamStatus::decl(),
        team::TeamJournalFilter::decl(),
        team::TeamJournalEntry::decl(),
        team::TeamLive::decl(),
        team::TeamConnectInput::decl(),
        team::TeamInitInput::decl(),
        team::TeamInitView::decl(),
        team::TeamVerifyView::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust command types by `UPDATE_BINDINGS=1 cargo test --test bindings`.\n// Do not edit by hand.\n\n",
    );
    let kinds: Vec<String> = ErrorKind::ALL.iter().map(|k| format!("\"{}\"", k.as_str())).collect();
    out.push_str("/** Every class of failure (the core's error kinds). */\n");
    out.push_str(&format!("export type ErrorKind = {};\n\n", kinds.join(" | ")));
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str("/** The events the app sends to the page, with their payloads. */\nexport interface Events {\n");
    for (name, payload) in EVENTS {
        out.push_str(&format!("  \"{name}\": {};\n", payload()));
    }
    out.push_str("}\n\n");
    out.push_str("/** The commands the page may call, with their argument and result types. */\nexport interface Commands {\n");
    for (name, args, result) in catalog::signatures() {
        out.push_str(&format!("  {name}: {{ args: {args}; result: {result} }};\n"));
    }
    out.push_str("}\n");
    out
}

/// The events the app emits, with their payload types.
pub const EVENTS: &[(&str, fn() -> String)] = &[
    ("client-event", <ClientNotice as TS>::name),
    ("bulk-progress", <bulk::BulkProgressView as TS>::name),
    ("bulk-finished", <bulk::BulkFinishedView as TS>::name),
    ("team-status", <rackdesk_core::team::TeamStatus as TS>::name),
    ("team-entries", <team::TeamLive as TS>::name),
    ("update-progress", <updates::UpdateProgress as TS>::name),
];
