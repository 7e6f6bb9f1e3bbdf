//! App commands called through Tauri's real IPC path on the mock runtime (no window).

use rackdesk_app::{build_app, sandbox::Sandbox};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::Manager;
use tauri::webview::InvokeRequest;

fn request(cmd: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn app_status_reports_the_sandbox_and_its_domains() {
    let app = build_app(mock_builder()).build(mock_context(noop_assets())).expect("app builds");
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).expect("sandbox starts");
    let url = sandbox.simulator.api_url().to_owned();
    app.manage(sandbox);
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("webview");
    let res = get_ipc_response(&webview, request("app_status")).expect("app_status answers");
    let v: serde_json::Value = res.deserialize().expect("json");
    assert_eq!(v["sandbox"], true);
    assert_eq!(v["apiUrl"], url);
    let domains = v["domains"].as_array().expect("domains");
    let names: Vec<&str> = domains.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["contoso-lab.example", "fabrikam.example", "northwind.example"]);
    assert_eq!(domains[2]["mailboxes"], 260);
}

#[test]
fn app_status_errors_cross_ipc_in_plain_language() {
    let app = build_app(mock_builder()).build(mock_context(noop_assets())).expect("app builds");
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).expect("sandbox starts");
    // A failing service: the command must answer with a typed, plain-language error.
    sandbox.simulator.sim().add_fault(
        rackdesk_sim::faults::FaultRule::new(rackdesk_sim::faults::FaultKind::Status(500)).on_path("/domains"),
    );
    app.manage(sandbox);
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("webview");
    let err = get_ipc_response(&webview, request("app_status")).expect_err("fails");
    assert_eq!(err["kind"], "server-fault");
    assert!(err["message"].as_str().unwrap().contains("problem on its side"), "{err}");
    assert_eq!(err["detail"], "The service is temporarily unavailable");
}
