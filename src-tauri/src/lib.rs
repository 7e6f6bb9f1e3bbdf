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
    use commands::{aliases, mailboxes};
    builder.invoke_handler(tauri::generate_handler![
        commands::app_status,
        commands::list_domains,
        commands::check_password,
        mailboxes::mailbox_page,
        mailboxes::mailbox_detail,
        mailboxes::create_mailbox,
        mailboxes::update_mailbox,
        mailboxes::set_mailbox_enabled,
        mailboxes::reset_mailbox_password,
        mailboxes::delete_mailbox,
        aliases::list_aliases,
        aliases::alias_detail,
        aliases::create_alias,
        aliases::set_alias_members,
        aliases::delete_alias,
    ])
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
            let handle = app.handle().clone();
            let events: rackdesk_core::client::EventSink = std::sync::Arc::new(move |ev: &rackdesk_core::ClientEvent| {
                use tauri::Emitter;
                let _ = handle.emit("client-event", commands::ClientNotice::from(ev));
            });
            let sandbox = tauri::async_runtime::block_on(sandbox::Sandbox::start_with_events(Some(events)))?;
            app.manage(sandbox);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Rackdesk could not start: {e}");
        std::process::exit(1);
    }
}
