//! App commands called through Tauri's real IPC path on the mock runtime (no window), each
//! against the in-process sandbox.

mod common;

use common::{app, call, mailbox_exists};
use serde_json::{json, Value};

#[test]
fn status_says_who_is_acting_in_the_sandbox() {
    let a = app();
    let v = call(&a, "app_status", json!({})).unwrap();
    assert_eq!(v["sandbox"], true);
    assert_eq!(v["acting"]["apiAdmin"], "api-rackdesk");
    assert_eq!(v["acting"]["account"], "123456");
    assert!(v["acting"]["sentence"].as_str().unwrap().ends_with(") — acting through API admin api-rackdesk on account 123456"));
    let d = call(&a, "list_domains", json!({})).unwrap();
    // Rackspace Email mailboxes per domain, and Exchange ones where the domain has Exchange
    // (adatum is Exchange only; tailspin has both).
    assert_eq!(d, json!([
        {"name": "adatum.example", "mailboxes": 0, "service": "exchange", "exMailboxes": 36},
        {"name": "contoso-lab.example", "mailboxes": 24, "service": "rsemail", "exMailboxes": 0},
        {"name": "fabrikam.example", "mailboxes": 110, "service": "rsemail", "exMailboxes": 0},
        {"name": "northwind.example", "mailboxes": 260, "service": "rsemail", "exMailboxes": 0},
        {"name": "tailspin.example", "mailboxes": 12, "service": "both", "exMailboxes": 14}
    ]));
}

#[test]
fn mailboxes_are_paged_created_changed_reset_and_deleted() {
    let a = app();
    // The page walks the list with the core's `next` offset until it says the list is complete.
    let first = call(&a, "mailbox_page", json!({"domain": "northwind.example", "offset": 0, "size": 250, "firstTotal": null, "pageNumber": 1})).unwrap();
    assert_eq!((first["total"].as_u64(), first["next"].as_u64()), (Some(260), Some(250)));
    let p = call(&a, "mailbox_page", json!({"domain": "northwind.example", "offset": 250, "size": 250, "firstTotal": 260, "pageNumber": 2})).unwrap();
    assert_eq!(p["total"], 260);
    assert_eq!(p["rows"].as_array().unwrap().len(), 10);
    assert_eq!(p["next"], Value::Null, "complete");
    assert!(p["rows"][0]["address"].as_str().unwrap().ends_with("@northwind.example"));
    // A walk that claims more pages than the total allows is stopped with its own error.
    let e = call(&a, "mailbox_page", json!({"domain": "northwind.example", "offset": 0, "size": 250, "firstTotal": 260, "pageNumber": 5})).unwrap_err();
    assert_eq!(e["kind"], "bad-paging", "{e}");

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

    let e = call(&a, "delete_mailbox", json!({"domain": "contoso-lab.example", "name": "new.hire", "confirmAddress": "new.hire", "removeFromAliases": false})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(mailbox_exists(&a, "contoso-lab.example", "new.hire"));
    call(&a, "delete_mailbox", json!({"domain": "contoso-lab.example", "name": "new.hire", "confirmAddress": "New.Hire@contoso-lab.example", "removeFromAliases": false})).unwrap();
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
    let caps: Value = serde_json::from_str(&std::fs::read_to_string(root.join("src-tauri/capabilities/main.json")).unwrap()).unwrap();
    let perms: Vec<&str> = caps["permissions"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    for name in rackdesk_app::commands::catalog::NAMES {
        let perm = format!("allow-{}", name.replace('_', "-"));
        assert!(perms.contains(&perm.as_str()), "{perm} is missing from capabilities/main.json");
    }
    assert_eq!(perms.len(), rackdesk_app::commands::catalog::NAMES.len() + 1, "only core:default and our commands are granted");
    assert!(!perms.iter().any(|p| p.starts_with("shell:") || p.starts_with("fs:") || p.starts_with("http:")));
}

#[test]
fn an_account_is_verified_connected_switched_and_removed() {
    let a = app();
    // A separate "real" service: the simulator with other keys and an empty account.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut cfg = rackdesk_sim::SimConfig::new("RealUserKey000000001", "RealSecretKey-0123456789");
    cfg.account = "654321".into();
    let real = rt.block_on(rackdesk_sim::Simulator::start_local(cfg)).unwrap();
    let input = |secret: &str| json!({"input": {"label": "Example Co", "account": "654321", "apiUrl": real.api_url(), "testServer": true,
        "apiAdmin": "api-rackdesk", "userKey": "RealUserKey000000001", "secretKey": secret}});

    let e = call(&a, "verify_keys", input("wrong")).unwrap_err();
    assert_eq!(e["kind"], "wrong-keys");
    assert!(e["message"].as_str().unwrap().contains("refused these keys"));
    assert_eq!(e["detail"], "Authentication failed.");

    let r = call(&a, "verify_keys", input("RealSecretKey-0123456789")).unwrap();
    assert_eq!(r["accountNumber"], "654321");
    assert_eq!(r["domains"], json!(["example.com", "example.net"]));
    assert_eq!(r["apiAdminOk"], true);
    assert!(a.store.entries().is_empty(), "verifying stores nothing");

    let st = call(&a, "connect_account", input("RealSecretKey-0123456789")).unwrap();
    assert_eq!(st["sandbox"], false);
    assert_eq!(st["acting"]["identityLabel"], "Example Co");
    assert_eq!(st["acting"]["account"], "654321");
    assert_eq!(st["identities"][0]["active"], true);
    assert_eq!(st["identities"][0]["userKeyHint"], "Real…0001");
    assert!(!st.to_string().contains("RealSecretKey"), "the secret never goes back to the page");
    assert_eq!(a.store.entries().len(), 2);
    // Commands now act on the connected account.
    let d = call(&a, "list_domains", json!({})).unwrap();
    assert_eq!(d, json!([
        {"name": "example.com", "mailboxes": 0, "service": "rsemail", "exMailboxes": 0},
        {"name": "example.net", "mailboxes": 0, "service": "exchange", "exMailboxes": 0}
    ]));

    let st = call(&a, "use_sandbox", json!({})).unwrap();
    assert_eq!(st["sandbox"], true);
    assert_eq!(call(&a, "list_domains", json!({})).unwrap().as_array().unwrap().len(), 5);
    let st = call(&a, "use_identity", json!({"label": "Example Co"})).unwrap();
    assert_eq!(st["sandbox"], false);
    // New keys generated in the control panel replace the old ones (checked first).
    real.sim().add_key("RealUserKey000000002", "RealSecretKey-9876543210", "api-rackdesk");
    let st = call(&a, "rotate_keys", json!({"label": "Example Co", "userKey": "RealUserKey000000002", "secretKey": "RealSecretKey-9876543210"})).unwrap();
    assert_eq!(st["identities"][0]["userKeyHint"], "Real…0002");
    assert!(a.store.entries().iter().all(|e| e.contains("/2/")), "only the new pair is kept");

    let e = call(&a, "remove_identity", json!({"label": "Example Co", "confirmLabel": "example"})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    let st = call(&a, "remove_identity", json!({"label": "Example Co", "confirmLabel": "Example Co"})).unwrap();
    assert_eq!(st["sandbox"], true);
    assert_eq!(st["identities"], json!([]));
    assert!(a.store.entries().is_empty());
    // Keys for an address that is not Rackspace's are stored only for a declared test server.
    let mut plain = input("RealSecretKey-0123456789");
    plain["input"]["testServer"] = json!(false);
    let e = call(&a, "connect_account", plain).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(e["message"].as_str().unwrap().contains("test server"), "{e}");
    assert!(a.store.entries().is_empty());
    // Each identity change left its journal entry, written by the core with the same actor.
    let entries = call(&a, "journal_query", json!({"filter": {"target": "Example Co"}})).unwrap();
    let got: Vec<(String, String)> = entries.as_array().unwrap().iter().rev().map(|e| (e["action"].as_str().unwrap().to_owned(), e["result"].as_str().unwrap().to_owned())).collect();
    let want = [("keys.add", "success"), ("identity.use", "success"), ("identity.use", "success"), ("keys.rotate", "success"), ("keys.remove", "success"), ("keys.add", "failed")];
    assert_eq!(got, want.map(|(a, r)| (a.to_owned(), r.to_owned())), "{entries}");
    assert!(entries.as_array().unwrap().iter().all(|e| e["through"].as_str().unwrap().contains("api-rackdesk") && e["sandbox"] == true), "{entries}");
    drop(real);
}

#[test]
fn a_vault_that_cannot_be_used_is_reported_and_nothing_is_stored() {
    let a = app();
    a.store.fail_with(|| rackdesk_core::vault::VaultError::Unavailable { detail: "no D-Bus session".into() });
    let e = call(&a, "connect_account", json!({"input": {"label": "X", "account": "123456", "apiUrl": null,
        "apiAdmin": null, "userKey": "abcd", "secretKey": "efgh"}})).unwrap_err();
    assert_eq!(e["kind"], "vault-unavailable");
    assert!(e["message"].as_str().unwrap().contains("will not store or use API keys"), "{e}");
    assert!(!a.dir.join("config.json").exists());
}

#[test]
fn the_mailbox_export_writes_every_row_and_says_when_it_cannot() {
    let a = app();
    let rows = a.sim.with_store(|s| {
        s.domains["fabrikam.example"]
            .mailboxes
            .iter()
            .map(|(n, m)| rackdesk_core::models::MailboxSummary {
                name: n.clone(),
                display_name: Some(m.display_name.clone()),
                size: Some(m.size),
                current_usage: Some(m.current_usage),
                enabled: Some(m.enabled),
                created_date: None,
                last_login: None,
            })
            .collect::<Vec<_>>()
    });
    let path = a.dir.join("export.csv");
    std::fs::create_dir_all(&a.dir).unwrap();
    let n = rackdesk_app::commands::mailboxes::write_mailbox_export(&path, "fabrikam.example", &rows).unwrap();
    assert_eq!(n, 110);
    let mut r = csv::Reader::from_path(&path).unwrap();
    assert_eq!(r.records().count(), 110);
    let e = rackdesk_app::commands::mailboxes::write_mailbox_export(std::path::Path::new("/nonexistent/dir/x.csv"), "fabrikam.example", &rows).unwrap_err();
    assert_eq!(e.kind, rackdesk_core::ErrorKind::File);
    assert!(e.message.contains("could not write"));
    // Without the desktop's save dialog (the mock runtime), the command refuses instead of writing anywhere.
    let e = call(&a, "export_mailboxes", json!({"domain": "fabrikam.example"})).unwrap_err();
    assert_eq!(e["kind"], "file");
}

#[test]
fn help_desk_mode_is_enforced_in_the_backend_and_journaled() {
    let a = app();
    let target = a.sim.with_store(|s| s.domains["contoso-lab.example"].mailboxes.keys().next().cloned().unwrap());
    let addr = format!("{target}@contoso-lab.example");
    // A super admin sets the passphrase, then hands the computer to the help desk.
    let st = call(&a, "set_passphrase", json!({"newPassphrase": "desk passphrase 42", "current": null})).unwrap();
    assert_eq!(st["passphraseSet"], true);
    let set = call(&a, "journal_query", json!({"filter": {"action": "passphrase.set"}})).unwrap();
    assert_eq!((set[0]["result"].as_str(), set[0]["through"].as_str()), (Some("success"), Some("this computer")), "{set}");
    assert!(!set.to_string().contains("desk passphrase 42"), "the passphrase is never recorded");
    let st = call(&a, "switch_role", json!({"role": "help-desk", "passphrase": null})).unwrap();
    assert_eq!(st["role"], "help desk");
    let allowed: Vec<&str> = st["allowed"].as_array().unwrap().iter().filter_map(|x| x.as_str()).collect();
    assert!(allowed.contains(&"mailbox.reset-password") && !allowed.contains(&"mailbox.delete"), "{allowed:?}");

    call(&a, "reset_mailbox_password", json!({"domain": "contoso-lab.example", "name": target})).unwrap();
    let e = call(&a, "delete_mailbox", json!({"domain": "contoso-lab.example", "name": target, "confirmAddress": addr, "removeFromAliases": false})).unwrap_err();
    assert_eq!(e["kind"], "not-allowed");
    assert!(e["message"].as_str().unwrap().starts_with("As help desk you cannot do this here"), "{e}");
    assert!(mailbox_exists(&a, "contoso-lab.example", &target), "the backend refused, not only the page");
    let e = call(&a, "remove_identity", json!({"label": "x", "confirmLabel": "x"})).unwrap_err();
    assert_eq!(e["kind"], "not-allowed");
    // The wrong passphrase keeps the help desk where it is.
    let e = call(&a, "switch_role", json!({"role": "super-admin", "passphrase": "guess"})).unwrap_err();
    assert_eq!(e["kind"], "passphrase");

    let entries = call(&a, "journal_query", json!({"filter": {"target": addr}})).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["action"], "mailbox.delete");
    assert_eq!(entries[0]["result"], "refused");
    assert_eq!(entries[1]["action"], "mailbox.reset-password");
    assert_eq!(entries[1]["result"], "success");
    assert_eq!(entries[1]["role"], "help desk");
    assert_eq!(entries[1]["through"], "API admin api-rackdesk on account 123456");
    assert_eq!(entries[1]["sandbox"], true);
    assert_eq!(entries[1]["changes"], json!(["password: changed"]));
    let switches = call(&a, "journal_query", json!({"filter": {"action": "role.switch"}})).unwrap();
    assert_eq!(switches.as_array().unwrap().len(), 2, "both switches, the refused one too");

    let st = call(&a, "switch_role", json!({"role": "super-admin", "passphrase": "desk passphrase 42"})).unwrap();
    assert_eq!(st["role"], "super admin");
    let roles = call(&a, "roles", json!({})).unwrap();
    assert!(roles.as_array().unwrap().iter().any(|r| r["action"] == "mailbox.delete" && r["helpDesk"] == false && r["superAdmin"] == true));
}

#[test]
fn without_a_journal_no_change_is_made() {
    let dir = std::env::temp_dir().join(format!("rackdesk-ipc-nj-{}", rackdesk_core::sandbox_keys().0));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("journal.sqlite3"), vec![b'x'; 4096]).unwrap();
    let journal = rackdesk_core::journal::Journal::open(&dir.join("journal.sqlite3"));
    assert!(journal.is_err());
    let a = common::app_with(dir, journal);
    let st = call(&a, "app_status", json!({})).unwrap();
    assert_eq!(st["journalProblem"]["kind"], "journal");
    let name = a.sim.with_store(|s| s.domains["contoso-lab.example"].mailboxes.keys().next().cloned().unwrap());
    let e = call(&a, "set_mailbox_enabled", json!({"domain": "contoso-lab.example", "name": name, "enabled": false})).unwrap_err();
    assert_eq!(e["kind"], "journal");
    assert!(e["message"].as_str().unwrap().contains("Nothing was changed"), "{e}");
    assert!(a.sim.with_store(|s| s.domains["contoso-lab.example"].mailboxes[&name].enabled));
}

#[test]
fn types_that_carry_passwords_keep_them_out_of_debug_output() {
    use rackdesk_app::commands::bulk::BulkFinishedView;
    use rackdesk_app::commands::mailboxes::{NewMailboxInput, PasswordResult};
    let pw = PasswordResult { address: "a@example.com".into(), password: "Blue-Harbor7-Secret".into() };
    let finished = BulkFinishedView {
        job_id: "j".into(),
        state: "done".into(),
        done: 1,
        failed: 0,
        skipped: 0,
        passwords: vec![pw.clone()],
        lost_passwords: vec![],
        stopped: None,
    };
    let input: NewMailboxInput = serde_json::from_value(json!({"domain": "example.com", "name": "a", "displayName": null, "sizeMb": null, "password": "Blue-Harbor7-Secret"})).unwrap();
    for shown in [format!("{pw:?}"), format!("{finished:?}"), format!("{input:?}")] {
        assert!(!shown.contains("Blue-Harbor7-Secret"), "{shown}");
        assert!(shown.contains("a@example.com") || shown.contains("example.com") || shown.contains("\"j\""), "{shown}");
    }
}

/// The team journal's commands through IPC, without a team database: off by default, the
/// address checked before anything is stored (a password in it refused and never recorded),
/// and help desk refused.
#[test]
fn team_journal_commands_are_thin_and_refuse_in_plain_words() {
    let a = app();
    let st = call(&a, "team_status", json!({})).unwrap();
    assert_eq!((st["connected"].as_bool(), st["state"].as_str(), st["line"].as_str()), (Some(false), Some("off"), Some("team journal: off")), "{st}");
    assert_eq!(st["mayManage"], true);
    assert_eq!(call(&a, "app_status", json!({})).unwrap()["team"]["state"], "off");
    let e = call(&a, "team_query", json!({"filter": {}})).unwrap_err();
    assert_eq!(e["kind"], "team-not-ready", "{e}");
    let e = call(&a, "team_connect", json!({"input": {"url": "postgres://pc:hunter2-secret@db.example.com/rd", "caPath": null, "password": ""}})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("holds a password"), "{e}");
    let entries = call(&a, "journal_query", json!({"filter": {"action": "team"}})).unwrap();
    assert_eq!(entries[0]["action"], "team.connect", "{entries}");
    assert_eq!(entries[0]["result"], "failed", "{entries}");
    assert!(!entries.to_string().contains("hunter2"), "the password is never recorded");
    assert!(!a.dir.join("team.json").exists(), "nothing stored");

    call(&a, "set_passphrase", json!({"newPassphrase": "desk passphrase 42", "current": null})).unwrap();
    call(&a, "switch_role", json!({"role": "help-desk", "passphrase": null})).unwrap();
    let e = call(&a, "team_connect", json!({"input": {"url": "postgres://rackdesk_pc@db.example.com/rd", "caPath": null, "password": "x"}})).unwrap_err();
    assert_eq!(e["kind"], "not-allowed", "{e}");
    let st = call(&a, "team_status", json!({})).unwrap();
    assert_eq!((st["mayManage"].as_bool(), st["mayView"].as_bool()), (Some(false), Some(false)), "{st}");
}
