//! Tauri commands: thin adapters over the core. Each one takes plain arguments, calls the
//! core, and maps the result to a view type the page renders. Errors cross IPC as
//! `{kind, message, detail}`, the message already in plain language.

pub mod aliases;
pub mod bulk;
pub mod identity;
pub mod journal;
pub mod mailboxes;

use crate::state::AppState;
use rackdesk_core::api::MailboxQuery;
use rackdesk_core::ApiError;
use serde::Serialize;
use ts_rs::TS;

/// An error as the page receives it.
#[derive(Debug, Serialize, TS)]
pub struct CommandError {
    /// A stable name for the class of failure, e.g. `auth-failed`, `throttled`.
    pub kind: String,
    /// One plain sentence: what happened and what to do.
    pub message: String,
    /// The server's own words, when it said something.
    pub detail: Option<String>,
}

impl From<ApiError> for CommandError {
    fn from(e: ApiError) -> Self {
        CommandError { kind: e.kind().as_str().into(), message: e.user_message(), detail: e.detail() }
    }
}

impl From<rackdesk_core::identity::IdentityError> for CommandError {
    fn from(e: rackdesk_core::identity::IdentityError) -> Self {
        CommandError { kind: e.kind().into(), message: e.user_message(), detail: e.detail() }
    }
}

impl From<rackdesk_core::ops::OpsError> for CommandError {
    fn from(e: rackdesk_core::ops::OpsError) -> Self {
        CommandError { kind: e.kind().into(), message: e.user_message(), detail: e.detail() }
    }
}

impl From<rackdesk_core::journal::JournalError> for CommandError {
    fn from(e: rackdesk_core::journal::JournalError) -> Self {
        CommandError { kind: "journal".into(), message: e.user_message(), detail: e.detail() }
    }
}

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError { kind: "invalid-input".into(), message: message.into(), detail: None }
    }
}

pub type CmdResult<T> = Result<T, CommandError>;

/// What the client is doing while the page waits: sent as the `client-event` event.
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
        use rackdesk_core::ClientEvent as E;
        let secs = |d: &std::time::Duration| d.as_secs().max(1) as u32;
        match ev {
            E::WaitingForRateLimit { wait } => ClientNotice {
                kind: "rate-limit".into(),
                message: format!("Waiting for Rackspace's rate limit ({} s)", secs(wait)),
                wait_secs: Some(secs(wait)),
            },
            E::Throttled { wait, .. } => ClientNotice {
                kind: "throttled".into(),
                message: format!("Rackspace asked us to slow down; waiting {} s", secs(wait)),
                wait_secs: Some(secs(wait)),
            },
            E::Retrying { attempt, .. } => ClientNotice {
                kind: "retrying".into(),
                message: format!("Rackspace did not answer properly; trying again ({attempt})"),
                wait_secs: None,
            },
            E::CheckingOutcome { .. } => ClientNotice {
                kind: "checking".into(),
                message: "The connection broke; checking whether the change was made".into(),
                wait_secs: None,
            },
        }
    }
}

/// Who is acting, for the header on every screen.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WhoIsActing {
    pub operator_name: String,
    /// "super admin" or "help desk".
    pub role: String,
    pub identity_label: String,
    pub api_admin: Option<String>,
    pub account: String,
    /// The whole sentence: "You (alice, help desk) — acting through API admin `api-rackdesk` on account 123456".
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
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DomainInfo {
    pub name: String,
    pub mailboxes: u32,
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
            role: a.operator.role.label().into(),
            identity_label: a.identity_label.clone(),
            api_admin: a.api_admin.clone(),
            account: a.account.clone(),
            sentence: a.to_string(),
        },
        identities: identities.iter().map(|i| identity::info(i, active.as_deref() == Some(&i.id), reminder)).collect(),
        vault_name: rackdesk_core::vault::vault_name().into(),
        problem: state.startup_problem.read().ok().and_then(|p| p.as_ref().map(|e| CommandError { kind: e.kind.clone(), message: e.message.clone(), detail: e.detail.clone() })),
        role: a.operator.role.label().into(),
        allowed: rackdesk_core::policy::Action::ALL
            .iter()
            .filter(|x| rackdesk_core::policy::allowed(a.operator.role, **x))
            .map(|x| x.name().to_owned())
            .collect(),
        passphrase_set: state.identities.as_ref().and_then(|i| i.has_passphrase().ok()).unwrap_or(false),
        journal_problem: state.journal.as_ref().err().map(|e| CommandError { kind: "journal".into(), message: e.user_message(), detail: e.detail() }),
    }
}

/// The version, whether this is the sandbox, who is acting, and the identities.
#[tauri::command]
pub fn app_status(state: tauri::State<'_, AppState>) -> AppStatus {
    app_status_of(&state)
}

/// The account's domains with their mailbox counts.
#[tauri::command]
pub async fn list_domains(state: tauri::State<'_, AppState>) -> CmdResult<Vec<DomainInfo>> {
    let c = state.client();
    let mut out = Vec::new();
    for d in c.domains().await? {
        let q = MailboxQuery { size: 1, fields: vec![], ..MailboxQuery::default() };
        let total = c.mailboxes_page(&d.name, &q).await?.total;
        out.push(DomainInfo { name: d.name, mailboxes: total });
    }
    Ok(out)
}

/// Why a password would be refused, or `None` when it is fine (for live checks as you type;
/// the core checks again before sending).
#[tauri::command]
pub fn check_password(password: String, mailbox: String, domain: String) -> Option<String> {
    rackdesk_core::password::check(&password, Some(&mailbox), Some(&domain)).err().map(|p| format!("The password is not valid: {p}."))
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
    ];
    let mut out = String::from(
        "// Generated from the Rust command types by `UPDATE_BINDINGS=1 cargo test --test bindings`.\n// Do not edit by hand.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str("/** The commands the page may call, with their argument and result types. */\nexport interface Commands {\n");
    for (name, args, result) in COMMANDS {
        out.push_str(&format!("  {name}: {{ args: {args}; result: {result} }};\n"));
    }
    out.push_str("}\n");
    out
}

/// Every command: name, TypeScript argument type, TypeScript result type. The same list
/// feeds the permission manifest in build.rs (which a test compares) and the handler.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("app_status", "Record<string, never>", "AppStatus"),
    ("list_domains", "Record<string, never>", "Array<DomainInfo>"),
    ("check_password", "{ password: string; mailbox: string; domain: string }", "string | null"),
    ("mailbox_page", "{ domain: string; offset: number; size: number }", "MailboxPage"),
    ("mailbox_detail", "{ domain: string; name: string }", "MailboxDetail"),
    ("create_mailbox", "{ input: NewMailboxInput }", "PasswordResult | null"),
    ("update_mailbox", "{ domain: string; name: string; update: MailboxUpdate }", "MailboxDetail"),
    ("set_mailbox_enabled", "{ domain: string; name: string; enabled: boolean }", "MailboxDetail"),
    ("reset_mailbox_password", "{ domain: string; name: string }", "PasswordResult"),
    ("delete_mailbox", "{ domain: string; name: string; confirmAddress: string }", "null"),
    ("export_mailboxes", "{ domain: string }", "ExportResult | null"),
    ("list_aliases", "{ domain: string }", "Array<AliasRow>"),
    ("alias_detail", "{ domain: string; name: string }", "AliasDetail"),
    ("create_alias", "{ domain: string; name: string; members: Array<string> }", "AliasDetail"),
    ("set_alias_members", "{ domain: string; name: string; members: Array<string> }", "AliasDetail"),
    ("delete_alias", "{ domain: string; name: string; confirmAddress: string }", "null"),
    ("verify_keys", "{ input: KeysInput }", "VerifyReport"),
    ("connect_account", "{ input: KeysInput }", "AppStatus"),
    ("use_sandbox", "Record<string, never>", "AppStatus"),
    ("use_identity", "{ label: string }", "AppStatus"),
    ("rotate_keys", "{ label: string; userKey: string; secretKey: string }", "AppStatus"),
    ("remove_identity", "{ label: string; confirmLabel: string }", "AppStatus"),
    ("journal_query", "{ filter: JournalFilter }", "Array<JournalEntry>"),
    ("journal_export", "{ filter: JournalFilter }", "ExportResult | null"),
    ("roles", "Record<string, never>", "Array<RoleRow>"),
    ("switch_role", "{ role: string; passphrase: string | null }", "AppStatus"),
    ("set_passphrase", "{ newPassphrase: string; current: string | null }", "AppStatus"),
    ("bulk_kinds", "Record<string, never>", "Array<BulkKindInfo>"),
    ("bulk_plan", "{ kind: string; fileName: string; text: string; maps: Array<ColumnMap> }", "BulkPlanView"),
    ("bulk_apply", "Record<string, never>", "string"),
    ("bulk_control", "{ action: string }", "null"),
    ("bulk_save_results", "{ jobId: string }", "ExportResult | null"),
    ("bulk_save_template", "{ kind: string }", "ExportResult | null"),
    ("bulk_save_passwords", "Record<string, never>", "ExportResult | null"),
    ("bulk_forget_passwords", "Record<string, never>", "null"),
];
