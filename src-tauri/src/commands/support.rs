//! Help for support: diagnostics to paste into a ticket, and the folder of the log files.
//! Both are the core's (`rackdesk_core::diagnostics`, `rackdesk_core::logging`), as in the CLI.

use super::{app_status_of, CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::ErrorKind;
use serde::Serialize;
use ts_rs::TS;

/// Diagnostics for a support ticket: nothing secret in it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsReport {
    /// The report as plain lines, ready to paste.
    pub text: String,
    /// The app's log file, or why there is none.
    pub log_file: Option<String>,
}

/// The log folder, and whether the system's file manager was asked to show it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogFolder {
    pub path: String,
    /// False when no file manager could be started: then the page shows the path.
    pub opened: bool,
}

/// Version, system, webview, vault, API root, proxy, connection and clock, and the last
/// errors of the log, for *Help → Copy diagnostics*.
#[tauri::command]
pub async fn diagnostics(state: tauri::State<'_, AppState>) -> CmdResult<DiagnosticsReport> {
    let input = rackdesk_core::diagnostics::Input {
        program: "Rackdesk app",
        api_url: state.client().config().api_url.clone(),
        acting: app_status_of(&state).acting.sentence,
        webview: tauri::webview_version().ok(),
        identities: state.identities.as_ref(),
    };
    let d = rackdesk_core::diagnostics::collect(input).await;
    Ok(DiagnosticsReport { text: d.text(), log_file: d.log_file })
}

/// Opens the folder of the log files in the system's file manager (created if missing).
#[tauri::command]
pub fn open_log_folder() -> CmdResult<LogFolder> {
    let current = rackdesk_core::logging::current();
    let dir = current
        .file
        .as_ref()
        .and_then(|f| f.parent().map(|p| p.to_path_buf()))
        .or_else(rackdesk_core::logging::log_dir)
        .ok_or_else(|| CommandError::new(ErrorKind::Config, "Rackdesk has no log folder on this computer (no home folder)."))?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| CommandError::new(ErrorKind::File, format!("Rackdesk could not create its log folder {}.", dir.display())).with_detail(e))?;
    let opened = crate::desktop::open_folder(&dir).is_ok();
    Ok(LogFolder { path: dir.display().to_string(), opened })
}
