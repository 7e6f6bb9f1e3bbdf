//! The journal's views, and roles: who may do what, and switching between them.

use super::{app_status_of, mailboxes::ExportResult, AppStatus, CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::identity::Role;
use rackdesk_core::journal::{Entry, Filter, FilterText, Outcome};
use rackdesk_core::manage::Manage;
use secrecy::SecretString;
use serde::Serialize;
use ts_rs::TS;

/// One journal entry as the page shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// ISO 8601, UTC.
    pub at: String,
    pub operator: String,
    pub role: String,
    pub machine: String,
    /// "API admin api-rackdesk on account 123456" or the identity's name.
    pub through: String,
    pub sandbox: bool,
    /// The action's code (for filters and tests; people read `summary`).
    pub action: String,
    /// What was done, as a sentence: "Reset the password of tess@example.com".
    pub summary: String,
    /// A few lines of detail in plain words.
    pub details: Vec<String>,
    pub target: String,
    /// The fields changed, as "field: old → new" lines.
    pub changes: Vec<String>,
    /// "success", "failed", "refused", "unknown", "reconciled" or "pending".
    pub result: String,
    /// The result in words, with the server's message for failures.
    pub result_text: String,
}

/// The filter the page sends: the core's typed-in filter, as the page names it.
pub type JournalFilter = FilterText;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoleRow {
    pub action: String,
    pub label: String,
    pub super_admin: bool,
    pub help_desk: bool,
}

fn short(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn view(e: &Entry) -> JournalEntry {
    let changes = e
        .changes
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| match (v.get("old"), v.get("new")) {
                    (Some(old), Some(new)) => format!("{k}: {} → {}", short(old), short(new)),
                    (None, Some(new)) => format!("{k}: {}", short(new)),
                    _ => format!("{k}: {}", short(v)),
                })
                .collect()
        })
        .unwrap_or_default();
    let (result, result_text) = match &e.outcome {
        None => ("pending".into(), "No outcome recorded yet (interrupted); it is checked on the next start.".into()),
        Some(o @ Outcome::Success) => ("success".into(), rackdesk_core::journal::words::result_words(Some(o))),
        Some(Outcome::Failed { message, server_message, .. }) => (
            "failed".into(),
            match server_message {
                Some(s) => format!("{message} Details: {s}"),
                None => message.clone(),
            },
        ),
        Some(Outcome::Refused { reason }) => ("refused".into(), reason.clone()),
        Some(Outcome::Unknown { note }) => ("unknown".into(), note.clone()),
        Some(Outcome::Reconciled { result }) => ("reconciled".into(), format!("Checked later: {result}")),
    };
    JournalEntry {
        id: e.id,
        at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        operator: e.operator.clone(),
        role: e.role.clone(),
        machine: e.machine.clone(),
        through: match &e.api_admin {
            Some(a) => format!("API admin {a} on account {}", e.account),
            None if e.account.is_empty() => e.identity_label.clone(),
            None => format!("{} on account {}", e.identity_label, e.account),
        },
        sandbox: e.sandbox,
        action: e.action.clone(),
        summary: rackdesk_core::journal::words::summary(e),
        details: rackdesk_core::journal::words::details(e),
        target: e.target.clone(),
        changes,
        result,
        result_text,
    }
}

/// At most this many entries on the page at once.
const PAGE_LIMIT: usize = 500;

fn filter(f: &JournalFilter) -> CmdResult<Filter> {
    Ok(Filter::from_text(&FilterText { limit: f.limit.or(Some(PAGE_LIMIT)), ..f.clone() })?)
}

/// Entries matching the filter, newest first (the mailbox pane asks with its address).
#[tauri::command]
pub fn journal_query(state: tauri::State<'_, AppState>, filter: JournalFilter) -> CmdResult<Vec<JournalEntry>> {
    let f = self::filter(&filter)?;
    Ok(state.journal()?.query(&f)?.iter().map(view).collect())
}

/// Exports matching entries to a CSV file chosen in the system's save dialog.
#[tauri::command]
pub async fn journal_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    filter: JournalFilter,
) -> CmdResult<Option<ExportResult>> {
    let mut f = self::filter(&filter)?;
    f.limit = None;
    let name = format!("rackdesk-journal-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let Some(path) = crate::desktop::choose_save_path(&app, &name, "CSV", &["csv"]).await? else { return Ok(None) };
    let file = std::fs::File::create(&path).map_err(|e| {
        CommandError::new(rackdesk_core::ErrorKind::File, format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display())).with_detail(e)
    })?;
    let n = state.journal()?.export_csv(&f, std::io::BufWriter::new(file))?;
    Ok(Some(ExportResult { path: path.display().to_string(), rows: n as u32 }))
}

/// The allow-list, for the roles page.
#[tauri::command]
pub fn roles() -> Vec<RoleRow> {
    rackdesk_core::policy::table()
        .into_iter()
        .map(|(a, s, h)| RoleRow { action: a.name().into(), label: a.label().into(), super_admin: s, help_desk: h })
        .collect()
}

/// Switches role; to super admin needs the passphrase. Journaled either way (by the core).
#[tauri::command]
pub fn switch_role(state: tauri::State<'_, AppState>, role: String, passphrase: Option<String>) -> CmdResult<AppStatus> {
    let to = Role::parse(&role).ok_or_else(|| CommandError::invalid("Use super-admin or help-desk."))?;
    let pass = passphrase.map(SecretString::from);
    Manage::new(state.identities()?, &*state.journal()?).switch_role(to, pass.as_ref(), chrono::Utc::now())?;
    Ok(app_status_of(&state))
}

/// Sets the super-admin passphrase (super admins only; the current one to replace it).
#[tauri::command]
pub fn set_passphrase(state: tauri::State<'_, AppState>, new_passphrase: String, current: Option<String>) -> CmdResult<AppStatus> {
    Manage::new(state.identities()?, &*state.journal()?).set_passphrase(&SecretString::from(new_passphrase), current.map(SecretString::from).as_ref())?;
    Ok(app_status_of(&state))
}

/// Sets the full name shown for the operator ("Alice Martin"); an empty one goes back to the
/// OS account's. Journaled (by the core).
#[tauri::command]
pub fn set_operator_name(state: tauri::State<'_, AppState>, full_name: String) -> CmdResult<AppStatus> {
    Manage::new(state.identities()?, &*state.journal()?).set_operator_name(&full_name)?;
    Ok(app_status_of(&state))
}
