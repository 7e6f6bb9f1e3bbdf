//! The Rackdesk desktop app: a thin Tauri shell over `rackdesk-core`.
//!
//! `run()` only builds the real app on the real runtime; [`build_app`] wires commands and
//! state generically, so tests boot the same wiring on Tauri's mock runtime and call
//! commands through the real IPC path.

pub mod commands;
pub mod sandbox;

use tauri::{Manager, Runtime};

/// Everything the app wires up, for any runtime (the real one, or the mock one in tests).
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![commands::app_status])
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RACKDESK_LOG").unwrap_or_else(|_| "warn,rackdesk_sim=info".into()),
        )
        .init();
    let result = build_app(tauri::Builder::default())
        .setup(|app| {
            // No account is connected yet (key setup arrives with the identities work), so
            // the app opens on the built-in sandbox.
            let sandbox = tauri::async_runtime::block_on(sandbox::Sandbox::start())?;
            app.manage(sandbox);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Rackdesk could not start: {e}");
        std::process::exit(1);
    }
}
