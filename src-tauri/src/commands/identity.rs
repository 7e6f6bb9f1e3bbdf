//! Connecting accounts: verify keys, store them in the vault, switch, rotate, remove.
//! The secret key crosses from the page once, on entry, and never goes back.

use super::{app_status_of, AppStatus, CmdResult};
use crate::state::AppState;
use rackdesk_core::identity::{api_admin_warnings, Identity, NewIdentity};
use rackdesk_core::manage::Manage;
use rackdesk_core::verify::{self, AdminCheck};
use rackdesk_core::Credentials;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the connect wizard sends.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeysInput {
    pub label: String,
    pub account: String,
    /// Leave empty for Rackspace's API; a sandbox or test server otherwise.
    pub api_url: Option<String>,
    pub api_admin: Option<String>,
    pub user_key: String,
    pub secret_key: String,
    /// The person said the address is a test server, not Rackspace (required for any other
    /// address than Rackspace's).
    #[serde(default)]
    pub test_server: bool,
}

impl std::fmt::Debug for KeysInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeysInput").field("label", &self.label).field("account", &self.account).finish_non_exhaustive()
    }
}

/// The outcome of a successful check.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub account_number: String,
    pub account_name: String,
    pub domains: Vec<String>,
    /// The named API admin exists and is an enabled super admin.
    pub api_admin_ok: bool,
    pub warnings: Vec<String>,
    /// Server clock minus ours, when more than a minute.
    #[ts(type = "number | null")]
    pub clock_skew_secs: Option<i64>,
}

/// An identity as the settings screen lists it (never its keys).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IdentityInfo {
    pub label: String,
    pub account: String,
    pub api_url: String,
    pub api_admin: Option<String>,
    pub user_key_hint: String,
    #[ts(type = "number")]
    pub key_age_days: i64,
    pub rotate_soon: bool,
    pub last_verified: Option<String>,
    pub active: bool,
    /// Stored for a test server (a simulator), not Rackspace.
    pub test_server: bool,
}

pub fn info(i: &Identity, active: bool, reminder_days: u32) -> IdentityInfo {
    let age = i.key_age_days(chrono::Utc::now());
    IdentityInfo {
        label: i.label.clone(),
        account: i.account.clone(),
        api_url: i.api_url.clone(),
        api_admin: i.api_admin.clone(),
        user_key_hint: i.user_key_hint.clone(),
        key_age_days: age,
        rotate_soon: age >= reminder_days as i64,
        last_verified: i.last_verified_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        active,
        test_server: i.test_server,
    }
}

fn credentials(user_key: &str, secret_key: String) -> CmdResult<Credentials> {
    Ok(Credentials::new(user_key, SecretString::from(secret_key))?)
}

fn api_url(input: &Option<String>) -> String {
    input.as_deref().map(str::trim).filter(|u| !u.is_empty()).unwrap_or(rackdesk_core::DEFAULT_API_URL).to_owned()
}

/// Checks keys with a real signed call; stores nothing.
#[tauri::command]
pub async fn verify_keys(state: tauri::State<'_, AppState>, input: KeysInput) -> CmdResult<VerifyReport> {
    let ids = state.identities()?;
    let creds = credentials(&input.user_key, input.secret_key)?;
    let mut cfg = state.base_config();
    cfg.api_url = api_url(&input.api_url);
    cfg.account = rackdesk_core::names::account(&input.account)?;
    let admin = input.api_admin.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let v = verify::verify(&cfg, creds, admin).await.map_err(rackdesk_core::identity::IdentityError::from)?;
    let operator = ids.operator()?;
    Ok(VerifyReport {
        account_number: v.customer.account_number.clone(),
        account_name: v.customer.name.clone(),
        domains: v.domains.iter().map(|d| d.name.clone()).collect(),
        api_admin_ok: matches!(v.api_admin, AdminCheck::Found { is_super: true, enabled: true }),
        warnings: api_admin_warnings(admin, &operator, &v.api_admin, &v.customer.account_number),
        clock_skew_secs: v.clock_skew_secs.filter(|s| s.abs() > verify::SKEW_WARN_SECS),
    })
}

/// Verifies, stores the keys in the vault, and acts through the new identity.
#[tauri::command]
pub async fn connect_account(state: tauri::State<'_, AppState>, input: KeysInput) -> CmdResult<AppStatus> {
    let ids = state.identities()?;
    let creds = credentials(&input.user_key, input.secret_key)?;
    let new = NewIdentity {
        label: input.label,
        account: input.account,
        api_url: api_url(&input.api_url),
        api_admin: input.api_admin.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()),
        credentials: creds,
        test_server: input.test_server,
    };
    let journal = state.journal()?;
    let manage = Manage::new(ids, &journal);
    let (ident, _) = manage.add(new, &state.base_config()).await?;
    manage.use_identity(&ident.id)?;
    state.open_identity(&ident.id)?;
    Ok(app_status_of(&state))
}

#[tauri::command]
pub fn use_sandbox(state: tauri::State<'_, AppState>) -> AppStatus {
    state.use_sandbox();
    app_status_of(&state)
}

#[tauri::command]
pub fn use_identity(state: tauri::State<'_, AppState>, label: String) -> CmdResult<AppStatus> {
    let ident = Manage::new(state.identities()?, &*state.journal()?).use_identity(&label)?;
    state.open_identity(&ident.id)?;
    Ok(app_status_of(&state))
}

/// Replaces an identity's keys after new ones were generated: the new pair is verified
/// first; the old pair stays until then.
#[tauri::command]
pub async fn rotate_keys(state: tauri::State<'_, AppState>, label: String, user_key: String, secret_key: String) -> CmdResult<AppStatus> {
    let ids = state.identities()?;
    let creds = credentials(&user_key, secret_key)?;
    let journal = state.journal()?;
    let (ident, _) = Manage::new(ids, &journal).rotate(Some(&label), creds, &state.base_config()).await?;
    if state.active_identity().is_some_and(|a| a.id == ident.id) {
        state.open_identity(&ident.id)?;
    }
    Ok(app_status_of(&state))
}

/// Deletes an identity's keys from the vault and forgets it. The page sends back the name
/// the person typed to confirm.
#[tauri::command]
pub fn remove_identity(state: tauri::State<'_, AppState>, label: String, confirm_label: String) -> CmdResult<AppStatus> {
    let removed = Manage::new(state.identities()?, &*state.journal()?).remove(&label, &confirm_label)?;
    if state.active_identity().is_some_and(|a| a.id == removed.id) {
        state.use_sandbox();
    }
    Ok(app_status_of(&state))
}
