//! Tauri commands: one-line adapters over the core. Errors cross IPC as
//! `{kind, message, detail}`, with the message already in plain language.

use crate::sandbox::Sandbox;
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

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DomainCount {
    pub name: String,
    pub mailboxes: u32,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: String,
    pub sandbox: bool,
    pub api_url: String,
    pub domains: Vec<DomainCount>,
}

/// What the first screen shows: version, whether this is the sandbox, domains and counts.
#[tauri::command]
pub async fn app_status(sandbox: tauri::State<'_, Sandbox>) -> Result<AppStatus, CommandError> {
    let c = &sandbox.client;
    let mut domains = Vec::new();
    for d in c.domains().await? {
        let q = MailboxQuery { size: 1, fields: vec![], ..MailboxQuery::default() };
        let total = c.mailboxes_page(&d.name, &q).await?.total;
        domains.push(DomainCount { name: d.name, mailboxes: total });
    }
    Ok(AppStatus {
        version: rackdesk_core::VERSION.into(),
        sandbox: true,
        api_url: c.config().api_url.clone(),
        domains,
    })
}

/// The TypeScript declarations of everything that crosses IPC, in one file. A test checks
/// that `ui/src/bindings.ts` is exactly this, so the page and the commands cannot drift.
pub fn typescript_bindings() -> String {
    let decls = [CommandError::decl(), DomainCount::decl(), AppStatus::decl()];
    let mut out = String::from("// Generated from the Rust command types by `UPDATE_BINDINGS=1 cargo test --test bindings`.\n// Do not edit by hand.\n\n");
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str("/** The commands the page may call, with their argument and result types. */\n");
    out.push_str("export interface Commands {\n  app_status: { args: Record<string, never>; result: AppStatus };\n}\n");
    out
}
