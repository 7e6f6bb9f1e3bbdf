//! Signed self-updates, through Tauri's updater plugin.
//!
//! Where updates come from is fixed when a release is built: the manifest address is compiled in
//! from `RACKDESK_UPDATE_URL`, and the public key that every update must be signed with is in
//! `tauri.conf.json` (`plugins.updater.pubkey`). A build without the address (a developer's
//! build, or one a company makes for itself) says so and never looks for updates.
//!
//! The plugin checks the artifact's minisign signature against that key, and (with
//! `requireSignedVersion`) that the signed version is the one the manifest announced, before it
//! hands the package to the system's installer (`dpkg -i` / `rpm -U` through pkexec or sudo on
//! Linux, the MSI/NSIS installer on Windows, the .app on macOS). Nothing is installed without
//! the person's go-ahead: the page asks first.

use super::{CmdResult, CommandError};
use rackdesk_core::ErrorKind;
use serde::Serialize;
use tauri::{Emitter, Runtime};
use ts_rs::TS;

/// The update manifest's address, compiled in by release builds (`RACKDESK_UPDATE_URL`).
pub const UPDATE_URL: Option<&str> = option_env!("RACKDESK_UPDATE_URL");

/// The update found by the last check, kept until the person installs it or checks again.
#[derive(Default)]
pub struct UpdateState {
    pending: tokio::sync::Mutex<Option<tauri_plugin_updater::Update>>,
}

/// What a check found.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCheck {
    /// `available`, `latest`, or `off` (this copy does not update itself; `reason` says why).
    pub status: String,
    /// The version running now.
    pub current_version: String,
    /// The newer version, when there is one.
    pub version: Option<String>,
    /// What is new in it, as the publisher wrote it.
    pub notes: Option<String>,
    /// When it was published (RFC 3339), when the manifest says.
    pub published: Option<String>,
    /// Why this copy does not update itself, in plain words (status `off`).
    pub reason: Option<String>,
    /// The server updates come from (host name only).
    pub source: Option<String>,
}

/// An installed update.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstalled {
    pub version: String,
}

/// Download progress, sent as the `update-progress` event while an update downloads.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProgress {
    pub received: u64,
    pub total: Option<u64>,
}

fn source_host() -> Option<String> {
    UPDATE_URL.and_then(|u| url::Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_string))
}

/// Why this copy cannot update itself, if it cannot.
fn off_reason() -> Option<String> {
    if UPDATE_URL.map_or(true, |u| u.trim().is_empty()) {
        return Some("This copy of Rackdesk was built without an update address, so it does not look for updates. Whoever gave it to you provides new versions.".into());
    }
    if tauri::utils::platform::bundle_type().is_none() {
        return Some("This copy of Rackdesk was not installed from a Rackdesk package or installer, so it cannot replace itself. Install a package to get updates.".into());
    }
    None
}

fn updater<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<tauri_plugin_updater::Updater, CommandError> {
    use tauri_plugin_updater::UpdaterExt;
    let url = UPDATE_URL.unwrap_or_default();
    let endpoint = url::Url::parse(url)
        .map_err(|e| CommandError::new(ErrorKind::Config, "This copy of Rackdesk was built with an update address that is not a web address.").with_detail(e))?;
    app.updater_builder()
        .endpoints(vec![endpoint])
        .and_then(|b| b.timeout(std::time::Duration::from_secs(60)).build())
        .map_err(explain)
}

/// Looks for a newer version (at start, quietly, and from *Help → Check for updates*).
#[tauri::command]
pub async fn check_for_update<R: Runtime>(app: tauri::AppHandle<R>, updates: tauri::State<'_, UpdateState>) -> CmdResult<UpdateCheck> {
    let current = app.package_info().version.to_string();
    let mut check = UpdateCheck { status: "off".into(), current_version: current, version: None, notes: None, published: None, reason: None, source: source_host() };
    if let Some(reason) = off_reason() {
        check.reason = Some(reason);
        return Ok(check);
    }
    let found = updater(&app)?.check().await.map_err(explain)?;
    let mut pending = updates.pending.lock().await;
    match found {
        Some(u) => {
            tracing::info!(current = %check.current_version, available = %u.version, "an update is available");
            check.status = "available".into();
            check.version = Some(u.version.clone());
            check.notes = u.body.clone().filter(|b| !b.trim().is_empty());
            check.published = u.date.and_then(|d| chrono::DateTime::from_timestamp(d.unix_timestamp(), 0)).map(|d| d.to_rfc3339());
            *pending = Some(u);
        }
        None => {
            check.status = "latest".into();
            *pending = None;
        }
    }
    Ok(check)
}

/// Downloads the update the last check found, checks its signature, and installs it. The page
/// has asked the person first; `version` is the one they agreed to.
#[tauri::command]
pub async fn install_update<R: Runtime>(app: tauri::AppHandle<R>, updates: tauri::State<'_, UpdateState>, version: String) -> CmdResult<UpdateInstalled> {
    let mut pending = updates.pending.lock().await;
    let update = match pending.as_ref() {
        Some(u) if u.version == version => u,
        _ => return Err(CommandError::new(ErrorKind::InvalidInput, "That update is no longer the one on offer. Check for updates again.")),
    };
    tracing::info!(from = %update.current_version, to = %update.version, "downloading and installing an update");
    let mut received: u64 = 0;
    let mut last_sent = std::time::Instant::now();
    let handle = app.clone();
    let result = update
        .download_and_install(
            |chunk, total| {
                received += chunk as u64;
                if last_sent.elapsed() >= std::time::Duration::from_millis(100) || total == Some(received) {
                    last_sent = std::time::Instant::now();
                    let _ = handle.emit("update-progress", UpdateProgress { received, total });
                }
            },
            || {},
        )
        .await;
    match result {
        Ok(()) => {
            tracing::info!(version = %version, "update installed");
            *pending = None;
            Ok(UpdateInstalled { version })
        }
        Err(e) => {
            tracing::warn!(version = %version, error = %e, "update not installed");
            Err(explain(e))
        }
    }
}

/// Starts the newly installed version in place of this one.
#[tauri::command]
pub fn restart_app<R: Runtime>(app: tauri::AppHandle<R>) {
    app.restart()
}

/// The plugin's errors in plain words; its own text is kept as the detail.
fn explain(e: tauri_plugin_updater::Error) -> CommandError {
    use tauri_plugin_updater::Error as E;
    let host = source_host().unwrap_or_else(|| "the update server".into());
    let (kind, message) = match &e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) | E::SignedVersionMismatch { .. } | E::MissingSignedVersion => (
            ErrorKind::UpdateUnverified,
            "The downloaded update is not signed with Rackdesk's key, so it was not installed and the version you have keeps working. Tell whoever looks after Rackdesk at your company: the file on the update server may have been altered.".to_string(),
        ),
        E::Reqwest(_) | E::Network(_) | E::Http(_) => (
            ErrorKind::Network,
            format!("Rackdesk could not reach {host} to look for or download an update. Check the network connection (and the proxy, if your company uses one), then try again."),
        ),
        E::ReleaseNotFound | E::Serialization(_) | E::Semver(_) | E::TargetNotFound(_) | E::TargetsNotFound(_) | E::UrlParse(_) => (
            ErrorKind::UpdateFailed,
            format!("The answer from {host} does not describe a Rackdesk update for this computer. Try again later; if it persists, tell whoever looks after Rackdesk."),
        ),
        E::AuthenticationFailed => (
            ErrorKind::UpdateFailed,
            "Installing the update needs an administrator's permission, which was not given. Nothing was changed; ask your IT team to install it, or try again.".to_string(),
        ),
        E::InsecureTransportProtocol => (
            ErrorKind::Config,
            "This copy of Rackdesk was built with an update address that does not use HTTPS, so it does not look for updates there.".to_string(),
        ),
        _ => (
            ErrorKind::UpdateFailed,
            "The update was downloaded and its signature checked, but the system's installer did not install it. The version you have keeps working; try again, or ask your IT team to install the package.".to_string(),
        ),
    };
    CommandError::new(kind, message).with_detail(e)
}
