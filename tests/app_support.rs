//! Help for support in the app: *Copy diagnostics* through the real IPC path, against the
//! in-process sandbox. The same core report as `rackdesk diagnostics` (tested with a real
//! proxy and certificates in crates/rackdesk-cli/tests/network.rs).

mod common;

use common::{app, call};
use rackdesk_app::state::AppState;
use serde_json::json;
use tauri::Manager;

#[test]
fn diagnostics_describe_the_sandbox_connection_without_secrets() {
    let a = app();
    let r = call(&a, "diagnostics", json!({})).unwrap();
    let t = r["text"].as_str().unwrap();
    assert!(t.starts_with("Rackdesk diagnostics (no keys, passwords or signatures are included)\n"), "{t}");
    assert!(t.contains(&format!("Program: Rackdesk app {}", rackdesk_core::VERSION)), "{t}");
    assert!(t.contains("System: "), "{t}");
    assert!(t.contains("Credential vault: ") && t.contains("reachable: yes"), "{t}");
    assert!(t.contains("Acting: You (") && t.contains("acting through API admin api-rackdesk on account 123456"), "{t}");
    let session = a.app.state::<AppState>().session();
    let api = session.client.config().api_url.clone();
    assert!(t.contains(&format!("API root: {api}\n")), "{t}");
    assert!(t.contains("Proxy: none (this computer is always reached directly)"), "{t}");
    assert!(t.contains("Connection: the API answered (HTTP "), "{t}");
    assert!(t.contains("Clock: the same as the server's (within a second)"), "{t}");
    assert!(t.contains("Log file: ") && t.contains("Last errors"), "{t}");
    let user_key = session.client.credentials().user_key().to_owned();
    assert!(!t.contains(&user_key), "the sandbox's user key is not in the report");
    for sig in a.sim.seen_signatures() {
        assert!(!t.contains(sig.rsplit(':').next().unwrap()), "no signature in the report");
    }
}
