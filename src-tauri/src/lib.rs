//! The Rackdesk desktop app: a thin Tauri shell over `rackdesk-core`.
//!
//! `run()` only builds the real app on the real runtime; [`build_app`] wires commands and
//! state generically, so tests boot the same wiring on Tauri's mock runtime and call
//! commands through the real IPC path.

pub mod bench;
pub mod clipboard;
pub mod commands;
pub mod desktop;
pub mod sandbox;
pub mod state;

use tauri::{Manager, Runtime};

/// Everything the app wires up, for any runtime (the real one, or the mock one in tests).
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .manage(commands::bulk::BulkState::default())
        .manage(commands::updates::UpdateState::default())
        .manage(clipboard::SecretClipboard::system()).invoke_handler(commands::catalog::handler())
}

pub fn run() {
    bench::mark_start();
    // The log file in the platform's log folder (rackdesk-app.log, see rackdesk_core::logging)
    // and stderr, for whoever started the app from a terminal.
    let log = rackdesk_core::logging::init(rackdesk_core::logging::Program::App, "warn,rackdesk_sim=info");
    tracing::info!(version = rackdesk_core::VERSION, log = ?log.file, "Rackdesk app starting");
    let mut builder = tauri::Builder::default();
    // Benchmarks only (tests/bench/webview.sh): reports the page's milestones on stdout.
    if bench::enabled() {
        builder = builder.plugin(bench::plugin());
    }
    let result = build_app(builder)
        // A second start brings the open window forward instead of opening another copy.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        // Remembers the window's size and place between starts (Rust side only: the page is
        // granted none of the plugin's commands).
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        // Signed self-updates (commands/updates.rs); the page is granted none of the plugin's
        // own commands, only Rackdesk's check/install commands.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(|app| {
            bench::mark("setup-start");
            // With no account connected yet, the app opens on the built-in sandbox.
            let handle = app.handle().clone();
            let events: rackdesk_core::client::EventSink = std::sync::Arc::new(move |ev: &rackdesk_core::ClientEvent| {
                use tauri::Emitter;
                let _ = handle.emit("client-event", commands::ClientNotice::from(ev));
            });
            let sandbox = tauri::async_runtime::block_on(sandbox::Sandbox::start_with_events(Some(events.clone())))?;
            bench::mark("sandbox-started");
            // Keys live only in the OS credential vault; settings in the platform's config folder.
            let identities = rackdesk_core::identity::config_dir().ok().map(|dir| {
                rackdesk_core::identity::Identities::open(&dir, std::sync::Arc::new(rackdesk_core::vault::OsVault))
            });
            let journal = rackdesk_core::journal::Journal::default_path().and_then(|p| rackdesk_core::journal::Journal::open(&p));
            if let Err(e) = &journal {
                tracing::warn!("the journal cannot be used: {}", rackdesk_core::Explain::user_message(e));
            }
            let state = state::AppState::new(sandbox, identities, Some(events), journal);
            bench::mark("state-ready");
            if let Some(p) = state.startup_problem.read().ok().and_then(|p| p.clone()) {
                tracing::warn!(kind = %p.kind, "the active identity could not be opened: {}", p.message);
            }
            // The team journal: its status reaches the page (and the status bar) as it changes.
            let handle = app.handle().clone();
            state.set_team_sink(std::sync::Arc::new(move || {
                use tauri::Emitter;
                let _ = handle.emit("team-status", handle.state::<state::AppState>().team_status());
            }));
            // Settle journal entries left open by an interrupted run, by reading the objects back.
            if let Ok(ops) = state.ops() {
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = ops.reconcile().await {
                        tracing::warn!("journal reconciliation: {}", e.user_message());
                    }
                });
            }
            app.manage(state);
            // In team mode, this computer's journal ships in the background from the start.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { handle.state::<state::AppState>().restart_team() });
            bench::mark("setup-done");
            Ok(())
        })
        .build(tauri::generate_context!());
    match result {
        // A password Rackdesk copied does not outlive the app.
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Ready = event {
                bench::mark("event-loop-ready");
            }
            if let tauri::RunEvent::Exit = event {
                app.state::<clipboard::SecretClipboard>().clear_if_still(None);
                // The sandbox's index lives for one run; it does not pile up in the temp folder.
                if let Some(state) = app.try_state::<state::AppState>() {
                    state.remove_sandbox_index();
                }
            }
        }),
        Err(e) => {
            eprintln!("Rackdesk could not start: {e}");
            std::process::exit(1);
        }
    }
}
