//! The one declaration of every command the page may call: its module, name, the arguments
//! the page sends (with their Rust types) and the result's type. From it come the handler
//! list ([`handler`]), the names ([`NAMES`]: build.rs reads this file for the permission
//! manifest, and a test checks the capability file), and the TypeScript signatures
//! ([`signatures`], written into `ui/src/bindings.ts`). Nothing is listed twice.

use super::aliases::*;
use super::bulk::*;
use super::exchange::*;
use super::find::*;
use super::spam::*;
use super::identity::*;
use super::journal::*;
use super::mailboxes::*;
use super::support::*;
use super::team::*;
use super::updates::*;
use super::*;
use rackdesk_core::team::TeamStatus;

macro_rules! commands {
    ($( $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $result:ty ; )*) => {
        /// The handler for every declared command.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$( $module::$name ),*]
        }

        /// Every command's name, in declaration order.
        pub const NAMES: &[&str] = &[$( stringify!($name) ),*];

        /// Every command: name, TypeScript argument type, TypeScript result type.
        pub fn signatures() -> Vec<(&'static str, String, String)> {
            vec![$(
                (
                    stringify!($name),
                    args_type(&[$( (stringify!($arg), <$ty as ts_rs::TS>::name()) ),*]),
                    <$result as ts_rs::TS>::name(),
                )
            ),*]
        }
    };
}

/// `{ someArg: T; other: U }` (Tauri takes arguments in camelCase), or an empty record.
fn args_type(args: &[(&str, String)]) -> String {
    if args.is_empty() {
        return "Record<string, never>".into();
    }
    let fields: Vec<String> = args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
    format!("{{ {} }}", fields.join("; "))
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The root module of the commands, for the declaration below.
mod root {
    pub use super::super::*;
}

// One line per command: `module::name(argument: Type, ...) -> Result;` (the Ok type of the
// command's result). build.rs takes the names from here.
commands! {
    root::app_status() -> AppStatus;
    root::list_domains() -> Vec<DomainInfo>;
    root::check_password(password: String, mailbox: String, domain: String) -> Option<String>;
    root::check_size(size: String) -> Option<String>;
    root::password_rule() -> String;
    mailboxes::mailbox_page(domain: String, offset: u32, size: u32, first_total: Option<u32>, page_number: u32) -> MailboxPage;
    mailboxes::mailbox_detail(domain: String, name: String) -> MailboxDetail;
    mailboxes::create_mailbox(input: NewMailboxInput) -> Option<PasswordResult>;
    mailboxes::update_mailbox(domain: String, name: String, update: MailboxUpdate) -> MailboxDetail;
    mailboxes::set_mailbox_enabled(domain: String, name: String, enabled: bool) -> MailboxDetail;
    mailboxes::reset_mailbox_password(domain: String, name: String) -> PasswordResult;
    mailboxes::mailbox_delete_impact(domain: String, name: String) -> DeleteImpact;
    mailboxes::delete_mailbox(domain: String, name: String, confirm_address: String, remove_from_aliases: bool) -> ();
    mailboxes::check_addresses(addresses: Vec<String>) -> Vec<AddressWarning>;
    mailboxes::check_new_address(domain: String, name: String) -> Option<NameCheck>;
    mailboxes::export_mailboxes(domain: String) -> Option<ExportResult>;
    aliases::list_aliases(domain: String) -> Vec<AliasRow>;
    aliases::alias_detail(domain: String, name: String) -> AliasDetail;
    aliases::create_alias(domain: String, name: String, members: Vec<String>) -> AliasDetail;
    aliases::set_alias_members(domain: String, name: String, members: Vec<String>) -> AliasDetail;
    aliases::delete_alias(domain: String, name: String, confirm_address: String) -> ();
    identity::verify_keys(input: KeysInput) -> VerifyReport;
    identity::connect_account(input: KeysInput) -> AppStatus;
    identity::use_sandbox() -> AppStatus;
    identity::use_identity(label: String) -> AppStatus;
    identity::rotate_keys(label: String, user_key: String, secret_key: String) -> AppStatus;
    identity::remove_identity(label: String, confirm_label: String) -> AppStatus;
    journal::journal_query(filter: JournalFilter) -> Vec<JournalEntry>;
    journal::journal_export(filter: JournalFilter) -> Option<ExportResult>;
    journal::roles() -> Vec<RoleRow>;
    journal::switch_role(role: String, passphrase: Option<String>) -> AppStatus;
    journal::set_passphrase(new_passphrase: String, current: Option<String>) -> AppStatus;
    journal::set_operator_name(full_name: String) -> AppStatus;
    bulk::bulk_kinds() -> Vec<BulkKindInfo>;
    bulk::bulk_plan(kind: String, file_name: String, text: String, maps: Vec<ColumnMap>) -> BulkPlanView;
    bulk::bulk_choose_file() -> Option<ChosenFile>;
    bulk::bulk_plan_file(kind: String, path: String, maps: Vec<ColumnMap>) -> BulkPlanView;
    bulk::bulk_apply() -> String;
    bulk::bulk_resume(job_id: String) -> String;
    bulk::bulk_jobs() -> Vec<BulkJobView>;
    bulk::bulk_control(action: String) -> ();
    bulk::bulk_cancel(job_id: String) -> String;
    bulk::bulk_save_results(job_id: String) -> Option<ExportResult>;
    bulk::bulk_save_template(kind: String) -> Option<ExportResult>;
    bulk::bulk_save_passwords(job_id: String) -> Option<ExportResult>;
    bulk::bulk_passwords_seen(job_id: String) -> ();
    exchange::ex_mailbox_page(domain: String, offset: u32, size: u32, first_total: Option<u32>, page_number: u32) -> ExMailboxPage;
    exchange::ex_mailbox_detail(domain: String, name: String) -> ExMailboxDetail;
    exchange::create_ex_mailbox(input: NewExMailboxInput) -> Option<PasswordResult>;
    exchange::update_ex_mailbox(domain: String, name: String, update: ExMailboxUpdate) -> ExMailboxDetail;
    exchange::set_ex_mailbox_enabled(domain: String, name: String, enabled: bool) -> ExMailboxDetail;
    exchange::reset_ex_mailbox_password(domain: String, name: String) -> PasswordResult;
    exchange::delete_ex_mailbox(domain: String, name: String, confirm_address: String) -> ();
    exchange::grant_ex_delegate(domain: String, name: String, delegate: String) -> ExMailboxDetail;
    exchange::revoke_ex_delegate(domain: String, name: String, delegate: String) -> ExMailboxDetail;
    exchange::list_contacts(domain: String, search: Option<String>) -> Vec<ContactRow>;
    exchange::contact_detail(domain: String, name: String) -> ContactDetail;
    exchange::create_contact(domain: String, input: ContactInput) -> ContactDetail;
    exchange::update_contact(domain: String, name: String, update: ContactUpdate) -> ContactDetail;
    exchange::delete_contact(domain: String, name: String, confirm_name: String) -> ();
    exchange::list_dlists(domain: String) -> Vec<DListRow>;
    exchange::dlist_detail(domain: String, name: String) -> DListDetail;
    exchange::create_dlist(domain: String, name: String, display_name: String, members: Vec<String>) -> DListDetail;
    exchange::change_dlist_recipients(domain: String, name: String, kind: String, action: String, addresses: Vec<String>) -> DListDetail;
    exchange::delete_dlist(domain: String, name: String, confirm_address: String) -> ();
    exchange::export_exchange(domain: String, what: String) -> Option<ExportResult>;
    exchange::suggest_contact_name(display_name: String) -> String;
    team::team_status() -> TeamStatus;
    team::team_connect(input: TeamConnectInput) -> TeamStatus;
    team::team_init(input: TeamInitInput) -> TeamInitView;
    team::team_choose_ca() -> Option<String>;
    team::team_disconnect() -> TeamStatus;
    team::team_set_help_desk_view(view: String) -> TeamStatus;
    team::team_query(filter: TeamJournalFilter) -> Vec<TeamJournalEntry>;
    team::team_export(filter: TeamJournalFilter) -> Option<ExportResult>;
    team::team_verify() -> TeamVerifyView;
    team::team_follow(filter: TeamJournalFilter) -> ();
    team::team_unfollow() -> ();
    window::copy_secret(text: String) -> u32;
    window::set_zoom(percent: u32, steps: i32) -> u32;
    find::index_status() -> IndexInfo;
    find::refresh_index() -> IndexInfo;
    find::find_anywhere(text: String, limit: u32) -> FindAnswer;
    find::indexed_mailboxes(domain: String, service: String, first: Option<u32>) -> Option<Indexed<MailboxRow>>;
    find::indexed_aliases(domain: String) -> Option<Indexed<AliasRow>>;
    find::indexed_contacts(domain: String) -> Option<Indexed<ContactRow>>;
    find::indexed_dlists(domain: String) -> Option<Indexed<DListRow>>;
    spam::spam_view(target: String) -> SpamPageView;
    spam::spam_check_entry(text: String, side: String) -> SpamEntryCheck;
    spam::spam_change_list(target: String, list: String, add: Vec<String>, remove: Vec<String>) -> SpamListChanged;
    spam::spam_set(target: String, filter_level: String, handling: Option<String>, forward_to: Option<String>) -> SpamSettingsChanged;
    spam::spam_why(target: String, sender: String) -> SpamVerdictView;
    spam::export_spam(domain: String) -> Option<ExportResult>;
    support::diagnostics() -> DiagnosticsReport;
    support::open_log_folder() -> LogFolder;
    updates::check_for_update() -> UpdateCheck;
    updates::install_update(version: String) -> UpdateInstalled;
    updates::restart_app() -> ();
}
