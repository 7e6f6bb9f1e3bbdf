//! Settings → Team journal and the Journal page's team view: thin over
//! `rackdesk_core::team`. The shipper runs in the background for the app's whole life (see
//! `AppState::restart_team`); its status reaches the page as the `team-status` event, and
//! the team view's live updates as `team-entries`.

use super::journal::{view, JournalEntry};
use super::mailboxes::ExportResult;
use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::policy::HelpDeskView;
use rackdesk_core::team::{ConnectRequest, InitRequest, Team, TeamEntry, TeamFilter, TeamFilterText, TeamStatus, TrustChoice};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;
use tauri::{Emitter, Manager, Runtime};
use ts_rs::TS;

/// The filter the team view sends: the core's typed-in team filter.
pub type TeamJournalFilter = TeamFilterText;

/// One entry of the team view: a computer's entry, keyed by computer and number.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamJournalEntry {
    /// "machine id/number": stays the same when the entry's outcome arrives.
    pub key: String,
    pub machine_id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub entry: JournalEntry,
}

fn team_view(e: &TeamEntry) -> TeamJournalEntry {
    TeamJournalEntry { key: e.key(), machine_id: e.machine_id.clone(), entry: view(&e.entry) }
}

/// New or changed entries of the team view (`team-entries`). `reload`: the live connection
/// was lost and is back; read the view again (something may have arrived meanwhile).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamLive {
    pub entries: Vec<TeamJournalEntry>,
    pub reload: bool,
    /// While the live connection is down: why, in words.
    pub problem: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamConnectInput {
    /// postgres://LOGIN@HOST:PORT/DATABASE
    pub url: String,
    /// A CA file; empty or null: this computer's trusted certificates.
    pub ca_path: Option<String>,
    pub password: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamInitInput {
    /// The owner's login: postgres://OWNER@HOST:PORT/DATABASE
    pub url: String,
    pub ca_path: Option<String>,
    /// Used for this once, never stored.
    pub password: String,
    /// The login the computers sign in with (empty: rackdesk_pc).
    pub pc_login: String,
}

/// What setting a team database up did; the computers' password is shown once.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamInitView {
    pub database: String,
    pub owner: String,
    pub schema_version: i32,
    pub already_set_up: bool,
    pub pc_login: String,
    pub pc_password: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamVerifyView {
    pub clean: bool,
    /// "pc-7 (machine 1a2b3c4d): 2,004 entries, last in touch …".
    pub machines: Vec<String>,
    /// Each problem as a sentence naming the computer and the entry.
    pub problems: Vec<String>,
}

fn trust(ca: &Option<String>) -> TrustChoice {
    match ca.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(p) => TrustChoice::CaFile(PathBuf::from(p)),
        None => TrustChoice::System,
    }
}

fn team<'a>(state: &'a AppState, journal: &'a rackdesk_core::journal::Journal) -> CmdResult<Team<'a>> {
    Ok(Team::new(state.identities()?, journal))
}

/// Team mode's status on this computer, for Settings and the status bar.
#[tauri::command]
pub fn team_status(state: tauri::State<'_, AppState>) -> TeamStatus {
    state.team_status()
}

/// Connects this computer to a team database (super admins), then starts shipping.
#[tauri::command]
pub async fn team_connect(state: tauri::State<'_, AppState>, input: TeamConnectInput) -> CmdResult<TeamStatus> {
    let journal = state.journal()?;
    let password = (!input.password.is_empty()).then(|| SecretString::from(input.password));
    team(&state, &journal)?.connect(ConnectRequest { url: input.url, trust: trust(&input.ca_path), password, client_cert: None }).await?;
    state.restart_team();
    Ok(state.team_status())
}

/// Sets a team database up (super admins), signing in as its owner once.
#[tauri::command]
pub async fn team_init(state: tauri::State<'_, AppState>, input: TeamInitInput) -> CmdResult<TeamInitView> {
    let journal = state.journal()?;
    let pc_login = if input.pc_login.trim().is_empty() { rackdesk_core::team::DEFAULT_PC_LOGIN.to_owned() } else { input.pc_login };
    let password = (!input.password.is_empty()).then(|| SecretString::from(input.password));
    let r = team(&state, &journal)?.init(InitRequest { url: input.url, trust: trust(&input.ca_path), password, client_cert: None, pc_login }).await?;
    Ok(TeamInitView {
        database: r.database,
        owner: r.owner,
        schema_version: r.schema_version,
        already_set_up: r.applied.is_empty(),
        pc_login: r.pc_login,
        pc_password: r.pc_password.map(|p| p.expose_secret().to_owned()),
    })
}

/// The system's open dialog, for the CA file.
#[tauri::command]
pub async fn team_choose_ca<R: Runtime>(app: tauri::AppHandle<R>) -> CmdResult<Option<String>> {
    Ok(crate::desktop::choose_open_path(&app, "CA certificate", &["pem", "crt", "cer"]).await?.map(|p| p.display().to_string()))
}

/// Leaves team mode (super admins): shipping stops, this computer's journal is kept.
#[tauri::command]
pub fn team_disconnect(state: tauri::State<'_, AppState>) -> CmdResult<TeamStatus> {
    let journal = state.journal()?;
    team(&state, &journal)?.disconnect()?;
    state.stop_team();
    Ok(state.team_status())
}

/// What the help desk sees of the team journal: "hidden" or "read-only" (super admins).
#[tauri::command]
pub fn team_set_help_desk_view(state: tauri::State<'_, AppState>, view: String) -> CmdResult<TeamStatus> {
    let v = HelpDeskView::parse(&view).ok_or_else(|| CommandError::invalid("Use hidden or read-only."))?;
    let journal = state.journal()?;
    team(&state, &journal)?.set_help_desk_view(v)?;
    Ok(state.team_status())
}

fn filter(f: &TeamJournalFilter) -> CmdResult<TeamFilter> {
    Ok(TeamFilter::from_text(&TeamFilterText { limit: f.limit.or(Some(500)), ..f.clone() })?)
}

/// Every computer's entries matching the filter, newest first.
#[tauri::command]
pub async fn team_query(state: tauri::State<'_, AppState>, filter: TeamJournalFilter) -> CmdResult<Vec<TeamJournalEntry>> {
    let journal = state.journal()?;
    let f = self::filter(&filter)?;
    Ok(team(&state, &journal)?.list(&f).await?.iter().map(team_view).collect())
}

/// Exports every computer's matching entries to a CSV file chosen in the save dialog.
#[tauri::command]
pub async fn team_export<R: Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, filter: TeamJournalFilter) -> CmdResult<Option<ExportResult>> {
    let journal = state.journal()?;
    let f = self::filter(&filter)?;
    let name = format!("rackdesk-team-journal-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let Some(path) = crate::desktop::choose_save_path(&app, &name, "CSV", &["csv"]).await? else { return Ok(None) };
    let file = std::fs::File::create(&path).map_err(|e| {
        CommandError::new(rackdesk_core::ErrorKind::File, format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display())).with_detail(e)
    })?;
    let n = team(&state, &journal)?.export(&f, std::io::BufWriter::new(file)).await?;
    Ok(Some(ExportResult { path: path.display().to_string(), rows: n as u32 }))
}

/// Checks every computer's entries in the team database.
#[tauri::command]
pub async fn team_verify(state: tauri::State<'_, AppState>) -> CmdResult<TeamVerifyView> {
    let journal = state.journal()?;
    let r = team(&state, &journal)?.verify(Duration::from_secs(7 * 86400)).await?;
    Ok(TeamVerifyView {
        clean: r.is_clean(),
        machines: r
            .machines
            .iter()
            .map(|m| {
                format!(
                    "{} (machine {}): {} entries{}",
                    m.machine,
                    &m.machine_id[..m.machine_id.len().min(8)],
                    m.rows,
                    m.last_seen.map(|t| format!(", last in touch {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default()
                )
            })
            .collect(),
        problems: r.problems.iter().map(|p| p.message.clone()).collect(),
    })
}

/// Starts live updates of the team view for `filter` (replacing any): each new or changed
/// entry reaches the page as `team-entries`, without reading the view again.
#[tauri::command]
pub async fn team_follow<R: Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, filter: TeamJournalFilter) -> CmdResult<()> {
    let f = self::filter(&filter)?;
    // Fail now (not allowed, not connected) rather than in the background.
    {
        let journal = state.journal()?;
        let watch = team(&state, &journal)?.watch(f.clone()).await?;
        let handle = tauri::async_runtime::spawn(follow(app.clone(), watch, f));
        state.set_team_follow(Some(handle));
    }
    Ok(())
}

/// Stops live updates of the team view.
#[tauri::command]
pub fn team_unfollow(state: tauri::State<'_, AppState>) {
    state.set_team_follow(None);
}

async fn follow<R: Runtime>(app: tauri::AppHandle<R>, mut watch: rackdesk_core::team::TeamWatch, f: TeamFilter) {
    let mut failures = 0u32;
    loop {
        match watch.next().await {
            Ok(entries) => {
                failures = 0;
                if !entries.is_empty() {
                    let _ = app.emit("team-entries", TeamLive { entries: entries.iter().map(team_view).collect(), reload: false, problem: None });
                }
            }
            Err(e) => {
                let _ = app.emit("team-entries", TeamLive { entries: vec![], reload: false, problem: Some(rackdesk_core::Explain::user_message(&e)) });
                // Reconnect with the shipper's back-off; then the page reads the view again.
                loop {
                    failures = failures.saturating_add(1);
                    tokio::time::sleep(rackdesk_core::team::ShipOptions::default().retry_delay(failures)).await;
                    let state = app.state::<AppState>();
                    let Ok(journal) = state.journal() else { return };
                    let Ok(ids) = state.identities() else { return };
                    match Team::new(ids, &journal).watch(f.clone()).await {
                        Ok(w) => {
                            watch = w;
                            let _ = app.emit("team-entries", TeamLive { entries: vec![], reload: true, problem: None });
                            break;
                        }
                        Err(rackdesk_core::team::TeamError::NotAllowed(_) | rackdesk_core::team::TeamError::NotConnected) => return,
                        Err(_) => continue,
                    }
                }
            }
        }
    }
}
