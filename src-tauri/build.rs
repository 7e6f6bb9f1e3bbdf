/// Every app command, put under Tauri's permission system (a test checks this list against
/// `commands::COMMANDS`, which also drives the generated TypeScript).
const COMMANDS: &[&str] = &[
    "app_status",
    "list_domains",
    "check_password",
    "mailbox_page",
    "mailbox_detail",
    "create_mailbox",
    "update_mailbox",
    "set_mailbox_enabled",
    "reset_mailbox_password",
    "delete_mailbox",
    "export_mailboxes",
    "list_aliases",
    "alias_detail",
    "create_alias",
    "set_alias_members",
    "delete_alias",
    "verify_keys",
    "connect_account",
    "use_sandbox",
    "use_identity",
    "rotate_keys",
    "remove_identity",
    "journal_query",
    "journal_export",
    "roles",
    "switch_role",
    "set_passphrase",
    "bulk_kinds",
    "bulk_plan",
    "bulk_apply",
    "bulk_control",
    "bulk_save_results",
    "bulk_save_template",
    "bulk_save_passwords",
    "bulk_forget_passwords",
];

fn main() {
    // tauri.conf.json lives at the repository root; capabilities live under src-tauri/.
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build step failed: {e:#}");
    }
}
