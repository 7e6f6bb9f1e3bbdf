//! The app on Tauri's mock runtime, for the IPC tests: commands called through the real IPC
//! path, against the in-process sandbox.
#![allow(dead_code)]

use rackdesk_app::{build_app, sandbox::Sandbox, state::AppState};
use rackdesk_core::identity::Identities;
use rackdesk_core::vault::MemoryStore;
use std::sync::Arc;
use serde_json::Value;
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

pub struct App {
    pub app: tauri::App<MockRuntime>,
    pub webview: WebviewWindow<MockRuntime>,
    pub sim: std::sync::Arc<rackdesk_sim::Sim>,
    pub store: MemoryStore,
    pub dir: std::path::PathBuf,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The app on the mock runtime, with the sandbox, settings in a temp folder and keys in the
/// shared in-memory store (the real vault is tested through the CLI and the E2E tests).
pub fn app() -> App {
    let dir = std::env::temp_dir().join(format!("rackdesk-ipc-{}", rackdesk_core::sandbox_keys().0));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = rackdesk_core::journal::Journal::open(&dir.join("journal.sqlite3"));
    app_with(dir, journal)
}

/// The app with settings in `dir` and this journal (or the reason it could not be opened).
pub fn app_with(dir: std::path::PathBuf, journal: Result<rackdesk_core::journal::Journal, rackdesk_core::journal::JournalError>) -> App {
    let app = build_app(mock_builder()).build(mock_context(noop_assets())).expect("app builds");
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).expect("sandbox starts");
    let sim = sandbox.simulator.sim().clone();
    let store = MemoryStore::new();
    let ids = Identities::open(&dir, Arc::new(store.clone()));
    app.manage(AppState::new(sandbox, Some(ids), None, journal));
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("webview");
    App { app, webview, sim, store, dir }
}

pub fn call(a: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&a.webview, req).map(|r| r.deserialize::<Value>().expect("json"))
}

pub fn mailbox_exists(a: &App, domain: &str, name: &str) -> bool {
    a.sim.with_store(|s| s.domains[domain].mailboxes.contains_key(name))
}

