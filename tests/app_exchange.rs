//! The Hosted Exchange commands through Tauri's real IPC path on the mock runtime, against the
//! in-app sandbox's demo data (adatum.example: Exchange only).

mod common;

use common::{app, call, App};
use serde_json::{json, Value};

const EX: &str = "adatum.example";

fn ex_mailbox_exists(a: &App, name: &str) -> bool {
    a.sim.with_store(|s| s.domains[EX].ex_mailboxes.contains_key(name))
}

fn contact_exists(a: &App, name: &str) -> bool {
    a.sim.with_store(|s| s.domains[EX].contacts.contains_key(name))
}

fn list_exists(a: &App, name: &str) -> bool {
    a.sim.with_store(|s| s.domains[EX].dist_lists.contains_key(name))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_ascii_lowercase()).collect()
}

/// A super admin sets a passphrase and hands the computer to the help desk.
fn become_help_desk(a: &App) {
    call(a, "set_passphrase", json!({"newPassphrase": "desk passphrase 42", "current": null})).unwrap();
    let st = call(a, "switch_role", json!({"role": "help-desk", "passphrase": null})).unwrap();
    assert_eq!(st["role"], "help desk");
}

fn assert_refused(e: &Value) {
    assert_eq!(e["kind"], "not-allowed", "{e}");
    assert!(e["message"].as_str().unwrap().starts_with("As help desk you cannot do this here"), "{e}");
}

#[test]
fn domains_show_exchange_and_the_exchange_mailboxes_are_paged() {
    let a = app();
    let d = call(&a, "list_domains", json!({})).unwrap();
    let adatum = d.as_array().unwrap().iter().find(|x| x["name"] == EX).unwrap();
    assert_eq!(adatum["service"], "exchange");
    let total = adatum["exMailboxes"].as_u64().unwrap();
    assert!(total > 0, "{adatum}");
    assert!(d.as_array().unwrap().iter().all(|x| x["service"] != "rsemail" || x["exMailboxes"] == 0), "{d}");

    // Walk every page with the core's `next`, in pages smaller than the list.
    let size = (total as u32).div_ceil(3).max(1);
    let (mut offset, mut page, mut first_total, mut seen) = (0u32, 1u32, Value::Null, Vec::new());
    loop {
        let p = call(&a, "ex_mailbox_page", json!({"domain": EX, "offset": offset, "size": size, "firstTotal": first_total, "pageNumber": page})).unwrap();
        assert_eq!(p["total"].as_u64(), Some(total));
        for r in p["rows"].as_array().unwrap() {
            assert_eq!(r["address"].as_str().unwrap(), format!("{}@{EX}", r["name"].as_str().unwrap()));
            assert!(r["sizeMb"].as_u64().unwrap() > 0, "{r}");
            assert!(r["usedMb"].is_u64() && r["enabled"].is_boolean() && r["hidden"].is_boolean(), "{r}");
            seen.push(r["name"].as_str().unwrap().to_owned());
        }
        match p["next"].as_u64() {
            Some(n) => {
                offset = n as u32;
                page += 1;
                first_total = json!(total);
            }
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert!(page >= 3, "more than one page was walked");
    // A walk that claims more pages than the total allows is stopped.
    let e = call(&a, "ex_mailbox_page", json!({"domain": EX, "offset": 0, "size": size, "firstTotal": total, "pageNumber": 50})).unwrap_err();
    assert_eq!(e["kind"], "bad-paging", "{e}");
}

#[test]
fn an_exchange_mailbox_is_created_changed_delegated_and_deleted() {
    let a = app();
    let delegate = a.sim.with_store(|s| s.domains[EX].ex_mailboxes.keys().next().cloned().unwrap());
    let delegate_name = a.sim.with_store(|s| s.domains[EX].ex_mailboxes[&delegate].display_name.clone());

    let r = call(&a, "create_ex_mailbox", json!({"input": {"domain": EX, "name": "nadia.rahman", "displayName": "Nadia Rahman", "sizeMb": 2048, "password": null}})).unwrap();
    assert_eq!(r["address"], format!("nadia.rahman@{EX}"));
    let pw = r["password"].as_str().unwrap().to_owned();
    assert!(pw.len() >= 8);
    // A password given by the person is not sent back.
    let given = call(&a, "create_ex_mailbox", json!({"input": {"domain": EX, "name": "omar.haddad", "displayName": "Omar Haddad", "sizeMb": null, "password": "Blue-Harbor7x!"}})).unwrap();
    assert_eq!(given, Value::Null);
    assert!(ex_mailbox_exists(&a, "omar.haddad"));

    let d = call(&a, "ex_mailbox_detail", json!({"domain": EX, "name": "nadia.rahman"})).unwrap();
    assert_eq!(d["row"]["displayName"], "Nadia Rahman");
    assert_eq!(d["row"]["sizeMb"], 2048);
    assert_eq!(d["row"]["enabled"], true);
    assert_eq!(d["row"]["hidden"], false);
    assert_eq!(d["forwarding"], Value::Null);
    assert!(strings(&d["addresses"]).contains(&format!("nadia.rahman@{EX}")), "{d}");
    assert_eq!(d["delegates"], json!([]));

    let d = call(&a, "update_ex_mailbox", json!({"domain": EX, "name": "nadia.rahman", "update": {
        "displayName": "Nadia R. Rahman", "sizeMb": null, "forwardTo": format!("{delegate}@{EX}"), "keepCopy": true, "hidden": true}})).unwrap();
    assert_eq!(d["row"]["displayName"], "Nadia R. Rahman");
    assert_eq!(d["row"]["hidden"], true);
    assert_eq!(d["forwarding"].as_str().unwrap().to_ascii_lowercase(), format!("{delegate}@{EX}"));
    assert_eq!(d["keepCopy"], true);
    // "" turns forwarding off.
    let d = call(&a, "update_ex_mailbox", json!({"domain": EX, "name": "nadia.rahman", "update": {
        "displayName": null, "sizeMb": null, "forwardTo": "", "keepCopy": null, "hidden": null}})).unwrap();
    assert_eq!(d["forwarding"], Value::Null);
    assert_eq!(d["row"]["hidden"], true, "untouched");

    let d = call(&a, "set_ex_mailbox_enabled", json!({"domain": EX, "name": "nadia.rahman", "enabled": false})).unwrap();
    assert_eq!(d["row"]["enabled"], false);
    assert!(a.sim.with_store(|s| !s.domains[EX].ex_mailboxes["nadia.rahman"].enabled));

    let r = call(&a, "reset_ex_mailbox_password", json!({"domain": EX, "name": "nadia.rahman"})).unwrap();
    assert_eq!(r["address"], format!("nadia.rahman@{EX}"));
    assert_ne!(r["password"].as_str().unwrap(), pw);

    let d = call(&a, "grant_ex_delegate", json!({"domain": EX, "name": "nadia.rahman", "delegate": delegate})).unwrap();
    assert_eq!(d["delegates"], json!([{"delegate": format!("{delegate}@{EX}"), "displayName": delegate_name, "permission": "Full access and send as"}]));
    let d = call(&a, "ex_mailbox_detail", json!({"domain": EX, "name": "nadia.rahman"})).unwrap();
    assert_eq!(d["delegates"].as_array().unwrap().len(), 1, "{d}");
    // A delegate of another domain is refused before anything is sent.
    let e = call(&a, "grant_ex_delegate", json!({"domain": EX, "name": "nadia.rahman", "delegate": "someone@fabrikam.example"})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("another domain"), "{e}");
    // Revoked by full address.
    let d = call(&a, "revoke_ex_delegate", json!({"domain": EX, "name": "nadia.rahman", "delegate": format!("{delegate}@{EX}")})).unwrap();
    assert_eq!(d["delegates"], json!([]));

    let e = call(&a, "delete_ex_mailbox", json!({"domain": EX, "name": "nadia.rahman", "confirmAddress": "nadia.rahman"})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(e["message"].as_str().unwrap().contains("type nadia.rahman@adatum.example exactly"), "{e}");
    assert!(ex_mailbox_exists(&a, "nadia.rahman"), "a wrong confirmation deletes nothing");
    call(&a, "delete_ex_mailbox", json!({"domain": EX, "name": "nadia.rahman", "confirmAddress": " Nadia.Rahman@Adatum.example "})).unwrap();
    assert!(!ex_mailbox_exists(&a, "nadia.rahman"));
    let e = call(&a, "ex_mailbox_detail", json!({"domain": EX, "name": "nadia.rahman"})).unwrap_err();
    assert_eq!(e["kind"], "not-found", "{e}");

    // Every change is in the journal under the mailbox's address.
    let entries = call(&a, "journal_query", json!({"filter": {"target": format!("nadia.rahman@{EX}")}})).unwrap();
    let actions: Vec<&str> = entries.as_array().unwrap().iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"exchange.mailbox.create"), "{actions:?}");
    assert_eq!(actions.last(), Some(&"exchange.mailbox.delete"), "{actions:?}");
    assert!(!entries.to_string().contains(&pw), "passwords are never journaled");
}

#[test]
fn contacts_are_created_searched_changed_and_deleted() {
    let a = app();
    let before = call(&a, "list_contacts", json!({"domain": EX, "search": null})).unwrap();
    let n = before.as_array().unwrap().len();
    assert!(n > 0, "the demo has contacts");

    let c = call(&a, "create_contact", json!({"domain": EX, "input": {"name": "ines-ferreira", "displayName": "Ines Ferreira (Quillwort)", "email": "ines.ferreira@quillwort.example"}})).unwrap();
    assert_eq!(c["name"], "ines-ferreira");
    assert_eq!(c["displayName"], "Ines Ferreira (Quillwort)");
    assert_eq!(c["email"], "ines.ferreira@quillwort.example");
    assert_eq!(c["hidden"], false);
    assert_eq!(call(&a, "list_contacts", json!({"domain": EX, "search": null})).unwrap().as_array().unwrap().len(), n + 1);
    let found = call(&a, "list_contacts", json!({"domain": EX, "search": "quillwort"})).unwrap();
    assert_eq!(found, json!([{"name": "ines-ferreira", "displayName": "Ines Ferreira (Quillwort)", "email": "ines.ferreira@quillwort.example"}]));
    // An empty search is no search.
    assert_eq!(call(&a, "list_contacts", json!({"domain": EX, "search": "  "})).unwrap().as_array().unwrap().len(), n + 1);

    let c = call(&a, "update_contact", json!({"domain": EX, "name": "ines-ferreira", "update": {"displayName": "Ines Ferreira", "email": null}})).unwrap();
    assert_eq!(c["displayName"], "Ines Ferreira");
    assert_eq!(c["email"], "ines.ferreira@quillwort.example");
    let c = call(&a, "update_contact", json!({"domain": EX, "name": "ines-ferreira", "update": {"displayName": null, "email": "ines@quillwort.example"}})).unwrap();
    assert_eq!(c["email"], "ines@quillwort.example");
    assert_eq!(call(&a, "contact_detail", json!({"domain": EX, "name": "ines-ferreira"})).unwrap()["displayName"], "Ines Ferreira");

    // Bad input gets the field named, and nothing is sent.
    let e = call(&a, "create_contact", json!({"domain": EX, "input": {"name": "nobody", "displayName": "Nobody", "email": "not an address"}})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("external address"), "{e}");
    assert!(!contact_exists(&a, "nobody"));
    let e = call(&a, "update_contact", json!({"domain": EX, "name": "ines-ferreira", "update": {"displayName": null, "email": null}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("no change"), "{e}");

    let e = call(&a, "delete_contact", json!({"domain": EX, "name": "ines-ferreira", "confirmName": "ines"})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(contact_exists(&a, "ines-ferreira"));
    call(&a, "delete_contact", json!({"domain": EX, "name": "ines-ferreira", "confirmName": "Ines-Ferreira"})).unwrap();
    assert!(!contact_exists(&a, "ines-ferreira"));
}

#[test]
fn a_distribution_list_is_built_and_each_change_returns_once_settled() {
    let a = app();
    let mailbox = a.sim.with_store(|s| s.domains[EX].ex_mailboxes.keys().next().cloned().unwrap());
    let mailbox = format!("{mailbox}@{EX}");
    let contact = a.sim.with_store(|s| s.domains[EX].contacts.values().next().unwrap().external_email.clone());

    let rows = call(&a, "list_dlists", json!({"domain": EX})).unwrap();
    assert!(rows.as_array().unwrap().len() >= 14, "every demo list: {rows}");
    assert!(rows.as_array().unwrap().iter().all(|r| r["address"].as_str().unwrap().ends_with(&format!("@{EX}"))));

    let d = call(&a, "create_dlist", json!({"domain": EX, "name": "project-atlas", "displayName": "Project Atlas", "members": [mailbox]})).unwrap();
    assert_eq!(d["name"], "project-atlas");
    assert_eq!(d["address"], format!("project-atlas@{EX}"));
    assert_eq!(d["displayName"], "Project Atlas");
    assert_eq!(d["status"], "Ready", "returned only once settled: {d}");
    assert_eq!(strings(&d["members"]), vec![mailbox.to_ascii_lowercase()]);
    assert_eq!(d["senders"], json!([]));

    let d = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": "project-atlas", "kind": "members", "action": "add", "addresses": [contact]})).unwrap();
    assert_eq!(d["status"], "Ready");
    assert!(strings(&d["members"]).contains(&contact.to_ascii_lowercase()), "{d}");
    assert_eq!(d["members"].as_array().unwrap().len(), 2);
    let d = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": "project-atlas", "kind": "senders", "action": "add", "addresses": [mailbox]})).unwrap();
    assert_eq!(strings(&d["senders"]), vec![mailbox.to_ascii_lowercase()]);

    let shown = call(&a, "dlist_detail", json!({"domain": EX, "name": "project-atlas"})).unwrap();
    assert_eq!(shown["members"].as_array().unwrap().len(), 2);
    assert_eq!(shown["senders"].as_array().unwrap().len(), 1);
    let row = call(&a, "list_dlists", json!({"domain": EX})).unwrap();
    let row = row.as_array().unwrap().iter().find(|r| r["name"] == "project-atlas").cloned().unwrap();
    assert_eq!(row, json!({"name": "project-atlas", "address": format!("project-atlas@{EX}"), "displayName": "Project Atlas", "members": 2, "status": "Ready"}));

    let d = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": "project-atlas", "kind": "members", "action": "remove", "addresses": [contact]})).unwrap();
    assert_eq!(strings(&d["members"]), vec![mailbox.to_ascii_lowercase()]);
    let d = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": "project-atlas", "kind": "senders", "action": "remove", "addresses": [mailbox]})).unwrap();
    assert_eq!(d["senders"], json!([]));

    // Words the command does not know, and addresses that are not addresses, are refused.
    let e = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": "project-atlas", "kind": "owners", "action": "add", "addresses": [mailbox]})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    let e = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": "project-atlas", "kind": "members", "action": "add", "addresses": ["nobody at all"]})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input", "{e}");

    // A change Exchange fails after accepting it is an error with the server's words.
    a.sim.add_fault(rackdesk_sim::faults::FaultRule {
        method: Some("DELETE".into()),
        remaining: Some(1),
        ..rackdesk_sim::faults::FaultRule::new(rackdesk_sim::faults::FaultKind::AsyncError)
    });
    let e = call(&a, "delete_dlist", json!({"domain": EX, "name": "project-atlas", "confirmAddress": format!("project-atlas@{EX}")})).unwrap_err();
    assert_eq!(e["kind"], "rejected", "{e}");
    assert!(e["detail"].as_str().unwrap_or("").contains("could not be completed"), "{e}");
    assert!(list_exists(&a, "project-atlas"));
    let row = call(&a, "list_dlists", json!({"domain": EX})).unwrap();
    let row = row.as_array().unwrap().iter().find(|r| r["name"] == "project-atlas").cloned().unwrap();
    assert!(row["status"].as_str().unwrap().starts_with("Failed: "), "{row}");

    let e = call(&a, "delete_dlist", json!({"domain": EX, "name": "project-atlas", "confirmAddress": "project-atlas"})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    call(&a, "delete_dlist", json!({"domain": EX, "name": "project-atlas", "confirmAddress": format!("project-atlas@{EX}")})).unwrap();
    assert!(!list_exists(&a, "project-atlas"));
}

#[test]
fn the_help_desk_is_refused_what_its_allow_list_leaves_out() {
    let a = app();
    let mailbox = a.sim.with_store(|s| s.domains[EX].ex_mailboxes.keys().next().cloned().unwrap());
    let other = a.sim.with_store(|s| s.domains[EX].ex_mailboxes.keys().nth(1).cloned().unwrap());
    let contact = a.sim.with_store(|s| s.domains[EX].contacts.keys().next().cloned().unwrap());
    let list = a.sim.with_store(|s| s.domains[EX].dist_lists.keys().next().cloned().unwrap());
    become_help_desk(&a);

    // Allowed: enable/disable, passwords, contact edits, list members.
    let d = call(&a, "set_ex_mailbox_enabled", json!({"domain": EX, "name": mailbox, "enabled": false})).unwrap();
    assert_eq!(d["row"]["enabled"], false);
    call(&a, "reset_ex_mailbox_password", json!({"domain": EX, "name": mailbox})).unwrap();
    call(&a, "update_contact", json!({"domain": EX, "name": contact, "update": {"displayName": "Changed by the desk", "email": null}})).unwrap();
    let d = call(&a, "change_dlist_recipients", json!({"domain": EX, "name": list, "kind": "members", "action": "add", "addresses": [format!("{other}@{EX}")]})).unwrap();
    assert!(strings(&d["members"]).contains(&format!("{other}@{EX}")), "{d}");

    // Refused in the backend, not only hidden on the page.
    let e = call(&a, "create_ex_mailbox", json!({"input": {"domain": EX, "name": "desk.made", "displayName": "Desk Made", "sizeMb": 1024, "password": null}})).unwrap_err();
    assert_refused(&e);
    assert!(!ex_mailbox_exists(&a, "desk.made"));
    let e = call(&a, "update_ex_mailbox", json!({"domain": EX, "name": mailbox, "update": {"displayName": "X", "sizeMb": null, "forwardTo": null, "keepCopy": null, "hidden": null}})).unwrap_err();
    assert_refused(&e);
    let e = call(&a, "grant_ex_delegate", json!({"domain": EX, "name": mailbox, "delegate": other})).unwrap_err();
    assert_refused(&e);
    let e = call(&a, "delete_ex_mailbox", json!({"domain": EX, "name": mailbox, "confirmAddress": format!("{mailbox}@{EX}")})).unwrap_err();
    assert_refused(&e);
    assert!(ex_mailbox_exists(&a, &mailbox));
    let e = call(&a, "delete_contact", json!({"domain": EX, "name": contact, "confirmName": contact})).unwrap_err();
    assert_refused(&e);
    assert!(contact_exists(&a, &contact));
    let e = call(&a, "create_dlist", json!({"domain": EX, "name": "desk-list", "displayName": "Desk", "members": []})).unwrap_err();
    assert_refused(&e);
    let e = call(&a, "delete_dlist", json!({"domain": EX, "name": list, "confirmAddress": format!("{list}@{EX}")})).unwrap_err();
    assert_refused(&e);
    assert!(list_exists(&a, &list));

    let refused = call(&a, "journal_query", json!({"filter": {"target": format!("{mailbox}@{EX}")}})).unwrap();
    assert!(refused.as_array().unwrap().iter().any(|e| e["action"] == "exchange.mailbox.delete" && e["result"] == "refused"), "{refused}");
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let a = app();
    let e = call(&a, "create_ex_mailbox", json!({"input": {"domain": EX, "name": "a b", "displayName": "A B", "sizeMb": null, "password": null}})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(e["message"].as_str().unwrap().contains("may not contain spaces"), "{e}");
    let e = call(&a, "create_ex_mailbox", json!({"input": {"domain": EX, "name": "pat", "displayName": "  ", "sizeMb": null, "password": null}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("display name"), "{e}");
    let e = call(&a, "create_ex_mailbox", json!({"input": {"domain": EX, "name": "pat", "displayName": "Pat", "sizeMb": 10_000_000, "password": null}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("mailbox size"), "{e}");
    assert!(!ex_mailbox_exists(&a, "pat"));
    let e = call(&a, "update_ex_mailbox", json!({"domain": EX, "name": "x", "update": {"displayName": null, "sizeMb": null, "forwardTo": "a@example.org, b@example.org", "keepCopy": null, "hidden": null}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("one address"), "{e}");
    let e = call(&a, "create_contact", json!({"domain": EX, "input": {"name": "pat", "displayName": "Pat", "email": "pat@@vendor"}})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input");
    assert!(e["message"].as_str().unwrap().contains("external address"), "{e}");
    let e = call(&a, "create_dlist", json!({"domain": EX, "name": "bad list", "displayName": "Bad", "members": []})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input", "{e}");
}

#[test]
fn the_new_input_type_keeps_the_password_out_of_debug_output() {
    use rackdesk_app::commands::exchange::NewExMailboxInput;
    let input: NewExMailboxInput =
        serde_json::from_value(json!({"domain": EX, "name": "pat", "displayName": "Pat", "sizeMb": null, "password": "Blue-Harbor7-Secret"})).unwrap();
    let shown = format!("{input:?}");
    assert!(!shown.contains("Blue-Harbor7-Secret") && shown.contains("pat"), "{shown}");
}

#[test]
fn the_contact_form_proposes_the_cores_short_name() {
    let a = app();
    assert_eq!(call(&a, "suggest_contact_name", json!({"displayName": "Mira Holt (Litware)"})).unwrap(), json!("mira-holt-litware"));
    assert_eq!(call(&a, "suggest_contact_name", json!({"displayName": "  Zoë Ångström  "})).unwrap(), json!("zoe-angstrom"));
    assert_eq!(call(&a, "suggest_contact_name", json!({"displayName": "!!!"})).unwrap(), json!(""));
}
