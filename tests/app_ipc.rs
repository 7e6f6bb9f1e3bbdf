//! App commands called through Tauri's real IPC path on the mock runtime (no window), each
//! against the in-process sandbox.

use rackdesk_app::{build_app, sandbox::Sandbox};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    sim: std::sync::Arc<rackdesk_sim::Sim>,
}

fn app() -> App {
    let app = build_app(mock_builder()).build(mock_context(noop_assets())).expect("app builds");
    let sandbox = tauri::async_runtime::block_on(Sandbox::start()).expect("sandbox starts");
    let sim = sandbox.simulator.sim().clone();
    app.manage(sandbox);
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("webview");
    App { _app: app, webview, sim }
}

fn call(a: &App, cmd: &str, args: Value) -> Result<Value, Value> {
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

fn mailbox_exists(a: &App, domain: &str, name: &str) -> bool {
    a.sim.with_store(|s| s.domains[domain].mailboxes.contains_key(name))
}

#[test]
fn status_says_who_is_acting_in_the_sandbox() {
    let a = app();
    let v = call(&a, "app_status", json!({})).unwrap();
    assert_eq!(v["sandbox"], true);
    assert_eq!(v["acting"]["apiAdmin"], "api-rackdesk");
    assert_eq!(v["acting"]["account"], "123456");
    assert!(v["acting"]["sentence"].as_str().unwrap().contains("acting through API admin `api-rackdesk` on account 123456"));
    let d = call(&a, "list_domains", json!({})).unwrap();
    assert_eq!(d, json!([
        {"name": "contoso-lab.example", "mailboxes": 24},
        {"name": "fabrikam.example", "mailboxes": 110},
        {"name": "northwind.example", "mailboxes": 260}
    ]));
}

#[test]
fn mailboxes_are_paged_created_changed_reset_and_deleted() {
    let a = app();
    let p = call(&a, "mailbox_page", json!({"domain": "northwind.example", "offset": 250, "size": 250})).unwrap();
    assert_eq!(p["total"], 260);
    assert_eq!(p["rows"].as_array().unwrap().len(), 10);
    assert!(p["rows"][0]["address"].as_str().unwrap().ends_with("@northwind.example"));

    let r = call(&a, "create_mailbox", json!({"input": {"domain": "contoso-lab.example", "name": "new.hire", "displayName": "New Hire", "sizeMb": 2048, "password": null}})).unwrap();
    let pw = r["password"].as_str().unwrap().to_owned();
    assert!(a.sim.with_store(|s| s.domains["contoso-lab.example"].mailboxes["new.hire"].password_hash == rackdesk_sim::store::hash_password(&pw)));

    let d = call(&a, "update_mailbox", json!({"domain": "contoso-lab.example", "name": "new.hire", "update": {
        "displayName": "New Hire (Sales)", "sizeMb": null, "forwardTo": ["lead@contoso-lab.example"], "keepCopy": true,
        "autoReply": {"enabled": true, "message": "Starting Monday"}}})).unwrap();
    assert_eq!(d["row"]["displayName"], "New Hire (Sales)");
    assert_eq!(d["forwarding"], json!(["lead@contoso-lab.example"]));
    assert_eq!(d["autoReplyEnabled"], true);

    let d = call(&a, "set_mailbox_enabled", json!({"domain": "contoso-lab.example", "name": "new.hire", "enabled": false})).unwrap();
    assert_eq!(d["row"]["enabled"], false);
    assert!(a.sim.with_store(|s| !s.domains["contoso-lab.example"].mailboxes["new.hire"].enabled));

    let r = call(&a, "reset_mailbox_password", json!({"domain": "contoso-lab.example", "name": "new.hire"})).unwrap();
    let pw2 = r["password"].as_str().unwrap();
    assert_ne!(pw2, pw);
    assert!(a.sim.with_store(|s| s.domains["contoso-lab.example"].mailboxes["new.hire"].password_hash == rackdesk_sim::store::hash_password(pw2)));

    let e = call(&a, "delete_mailbox", json!({"domain": "contoso-lab.example", "name": "new.hire", "confirmAddress": "new.hire"})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(mailbox_exists(&a, "contoso-lab.example", "new.hire"));
    call(&a, "delete_mailbox", json!({"domain": "contoso-lab.example", "name": "new.hire", "confirmAddress": "New.Hire@contoso-lab.example"})).unwrap();
    assert!(!mailbox_exists(&a, "contoso-lab.example", "new.hire"));
}

#[test]
fn aliases_are_created_changed_and_deleted_and_show_on_the_mailbox() {
    let a = app();
    let target = a.sim.with_store(|s| s.domains["fabrikam.example"].mailboxes.keys().next().cloned().unwrap());
    let addr = format!("{target}@fabrikam.example");
    let d = call(&a, "create_alias", json!({"domain": "fabrikam.example", "name": "events", "members": [addr]})).unwrap();
    assert_eq!(d["members"], json!([addr]));
    let m = call(&a, "mailbox_detail", json!({"domain": "fabrikam.example", "name": target})).unwrap();
    assert!(m["aliases"].as_array().unwrap().contains(&json!("events@fabrikam.example")));
    let d = call(&a, "set_alias_members", json!({"domain": "fabrikam.example", "name": "events", "members": [addr, "partner@example.org"]})).unwrap();
    assert_eq!(d["members"].as_array().unwrap().len(), 2);
    let rows = call(&a, "list_aliases", json!({"domain": "fabrikam.example"})).unwrap();
    assert!(rows.as_array().unwrap().iter().any(|r| r["name"] == "events" && r["members"] == 2));
    call(&a, "delete_alias", json!({"domain": "fabrikam.example", "name": "events", "confirmAddress": "events@fabrikam.example"})).unwrap();
    assert!(a.sim.with_store(|s| !s.domains["fabrikam.example"].aliases.contains_key("events")));
}

#[test]
fn bad_input_and_server_errors_cross_ipc_in_plain_language() {
    let a = app();
    let e = call(&a, "create_mailbox", json!({"input": {"domain": "contoso-lab.example", "name": "a b", "displayName": null, "sizeMb": null, "password": null}})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(e["message"].as_str().unwrap().contains("may not contain spaces"), "{e}");
    let e = call(&a, "create_mailbox", json!({"input": {"domain": "contoso-lab.example", "name": "x", "displayName": null, "sizeMb": 100, "password": "short"}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("shorter than 8"), "{e}");
    assert_eq!(call(&a, "check_password", json!({"password": "abc", "mailbox": "x", "domain": "y.com"})).unwrap(), json!("The password is not valid: it is shorter than 8 characters."));
    assert_eq!(call(&a, "check_password", json!({"password": "Blue-Harbor7", "mailbox": "x", "domain": "y.com"})).unwrap(), Value::Null);

    a.sim.add_fault(rackdesk_sim::faults::FaultRule::new(rackdesk_sim::faults::FaultKind::Status(500)).on_path("/domains"));
    let e = call(&a, "list_domains", json!({})).unwrap_err();
    assert_eq!(e["kind"], "server-fault");
    assert!(e["message"].as_str().unwrap().contains("problem on its side"), "{e}");
    assert_eq!(e["detail"], "The service is temporarily unavailable");
}

#[test]
fn every_command_is_under_the_permission_system() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let build_rs = std::fs::read_to_string(root.join("src-tauri/build.rs")).unwrap();
    let caps: Value = serde_json::from_str(&std::fs::read_to_string(root.join("src-tauri/capabilities/main.json")).unwrap()).unwrap();
    let perms: Vec<&str> = caps["permissions"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    for (name, _, _) in rackdesk_app::commands::COMMANDS {
        assert!(build_rs.contains(&format!("\"{name}\"")), "{name} is missing from build.rs's AppManifest");
        let perm = format!("allow-{}", name.replace('_', "-"));
        assert!(perms.contains(&perm.as_str()), "{perm} is missing from capabilities/main.json");
    }
    assert_eq!(perms.len(), rackdesk_app::commands::COMMANDS.len() + 1, "only core:default and our commands are granted");
    assert!(!perms.iter().any(|p| p.starts_with("shell:") || p.starts_with("fs:") || p.starts_with("http:")));
}
