//! The command line's arguments and subcommands (clap definitions only).

use crate::{bulk, exchange, identity, journal, spam, team, Format};
use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Keys: Rackdesk acts through an identity whose API keys are kept in this computer's credential
vault (`rackdesk identity add`). For automation, RACKDESK_USER_KEY and RACKDESK_SECRET_KEY in the
environment are used instead when set — LESS SAFE: environment variables can be read by other
programs of the same user and end up in logs. Secrets are never accepted as arguments.

Exit codes: 0 success, 2 wrong input, 3 keys refused or missing, 4 rate limit still exceeded,
5 Rackspace or network failure (including a proxy or certificate problem), 6 credential vault
unavailable or locked, 7 not allowed for your role (help-desk mode), 1 anything else (including
a journal that cannot be written: then nothing is changed). With --output json, a failure is
one JSON object on stderr with kind, message, detail and exitCode.

Proxies: HTTPS_PROXY (or https_proxy, ALL_PROXY) and NO_PROXY are honoured, and on Windows and
macOS the system's proxy settings; an address on this computer is always reached directly.
Certificates are checked against this computer's trusted root certificates.

Logs: a log file (requests, failures; never keys or passwords) in the platform's log folder
(Linux: ~/.local/state/rackdesk/logs); RACKDESK_LOG sets the level, RACKDESK_LOG_DIR the folder.
`rackdesk diagnostics` shows where it is.";

/// Administer Rackspace Email and Hosted Exchange mailboxes from the command line.
#[derive(Parser)]
#[command(name = "rackdesk", version, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// The API root, including the version [default: the identity's, else https://api.emailsrvr.com/v1].
    #[arg(long, global = true, env = "RACKDESK_API_URL")]
    pub api_url: Option<String>,
    /// Which identity (API admin keys in the credential vault) to act through [default: the active one].
    #[arg(long, global = true)]
    pub identity: Option<String>,
    /// The customer account number ("me" is the account that owns the keys) [default: the identity's, else me].
    #[arg(long, global = true, env = "RACKDESK_ACCOUNT")]
    pub account: Option<String>,
    /// How to print results.
    #[arg(long, global = true, value_enum, default_value = "table")]
    pub output: Format,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Domains of the account.
    #[command(subcommand)]
    Domains(DomainsCmd),
    /// List the mailboxes of a domain.
    #[command(subcommand)]
    Mailboxes(MailboxesCmd),
    /// Show, create, change, reset or delete one mailbox.
    #[command(subcommand)]
    Mailbox(MailboxCmd),
    /// List the aliases of a domain.
    #[command(subcommand)]
    Aliases(AliasesCmd),
    /// Show, create, change or delete one alias.
    #[command(subcommand)]
    Alias(AliasCmd),
    /// List the Hosted Exchange mailboxes of a domain.
    #[command(subcommand)]
    ExMailboxes(exchange::ExMailboxesCmd),
    /// Show, create, change, reset or delete one Exchange mailbox; who else may use it.
    #[command(subcommand)]
    ExMailbox(exchange::ExMailboxCmd),
    /// List the Exchange contacts (people outside, in the address book) of a domain.
    #[command(subcommand)]
    Contacts(exchange::ContactsCmd),
    /// Show, create, change or delete one Exchange contact.
    #[command(subcommand)]
    Contact(exchange::ContactCmd),
    /// List the Exchange distribution lists of a domain.
    #[command(subcommand)]
    Lists(exchange::ListsCmd),
    /// Show, create, change or delete one distribution list; its members and allowed senders.
    #[command(subcommand)]
    List(exchange::ListCmd),
    /// Spam protection of a domain or a mailbox: settings, safe and blocked senders, and why mail lands in spam.
    #[command(subcommand)]
    Spam(spam::SpamCmd),
    /// Administrator logins of the account, and the dedicated API admin.
    #[command(subcommand)]
    Admins(AdminsCmd),
    /// API admin identities: keys kept in the credential vault.
    #[command(subcommand)]
    Identity(identity::IdentityCmd),
    /// Who is using Rackdesk on this computer.
    #[command(subcommand)]
    Operator(identity::OperatorCmd),
    /// The audit journal: who changed what, through which API admin.
    #[command(subcommand)]
    Journal(journal::JournalCmd),
    /// Bulk jobs from CSV: create, update, reset passwords, aliases, delete, offboard, Exchange contacts and list members, spam lists.
    /// The team journal: every computer's journal in one shared PostgreSQL database.
    #[command(subcommand)]
    Team(team::TeamCmd),
    /// Bulk jobs from CSV: create, update, reset passwords, aliases, delete, offboard.
    #[command(subcommand)]
    Bulk(bulk::BulkCmd),
    /// Export lists to CSV.
    #[command(subcommand)]
    Export(bulk::ExportCmd),
    /// Find a person (or an alias, contact or list) by name or address in every domain, from
    /// the local index (read from Rackspace first when it is empty).
    Find {
        /// Words to look for, e.g. "maria acc" (each must appear; any case).
        #[arg(required = true)]
        text: Vec<String>,
        /// Bring the index up to date with Rackspace before searching.
        #[arg(long)]
        refresh: bool,
        /// At most this many results.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// The local index of the account's mailboxes, aliases, contacts and lists.
    #[command(subcommand)]
    Index(IndexCmd),
    /// Diagnostics for a support ticket: version, system, vault, API address, proxy,
    /// connection, clock offset, log file and the last errors — nothing secret.
    Diagnostics,
    /// Print the completion script for a shell (bash, zsh or fish).
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the manual page (roff), or write one page per command into a folder.
    Man {
        /// Write rackdesk.1 and a page per subcommand (rackdesk-mailbox.1, ...) into this folder.
        #[arg(long)]
        out_dir: Option<std::path::PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Subcommand)]
pub(crate) enum IndexCmd {
    /// How many objects it holds and how fresh it is.
    Status,
    /// Read every domain's listings from Rackspace again (pages of 250, within the rate
    /// limits); an interrupted refresh goes on where it stopped.
    Refresh,
}

#[derive(Subcommand)]
pub(crate) enum DomainsCmd {
    /// List every domain.
    List,
}

#[derive(Subcommand)]
pub(crate) enum MailboxesCmd {
    /// List every mailbox of DOMAIN (all pages).
    List {
        domain: String,
        /// Only mailboxes whose name or display name contains TEXT.
        #[arg(long, conflicts_with = "starts_with")]
        search: Option<String>,
        /// Only mailboxes whose name or display name starts with TEXT ("0-9": a digit).
        #[arg(long)]
        starts_with: Option<String>,
        /// Only enabled (true) or disabled (false) mailboxes.
        #[arg(long)]
        enabled: Option<bool>,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub(crate) struct PasswordSource {
    /// Generate a strong password and show it once.
    #[arg(long)]
    pub generate_password: bool,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Subcommand)]
pub(crate) enum MailboxCmd {
    /// Show one mailbox: usage, last login, forwarding, auto-reply.
    Show { address: String },
    /// Create a mailbox.
    Create {
        address: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Size in MB (default: the domain's standard mailbox size).
        #[arg(long)]
        size: Option<u64>,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Change a mailbox. Only the options given are changed.
    Set {
        address: String,
        #[arg(long)]
        enabled: Option<bool>,
        #[arg(long)]
        display_name: Option<String>,
        /// Size in MB.
        #[arg(long)]
        size: Option<u64>,
        /// Forward mail to these addresses (comma-separated).
        #[arg(long, value_delimiter = ',', conflicts_with = "no_forwarding")]
        forward_to: Option<Vec<String>>,
        /// Use forwarding addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
        /// Stop forwarding.
        #[arg(long)]
        no_forwarding: bool,
        /// Keep a copy of forwarded mail in the mailbox.
        #[arg(long)]
        keep_copy: Option<bool>,
        /// Turn on an auto-reply with this message.
        #[arg(long, conflicts_with = "no_vacation")]
        vacation_message: Option<String>,
        /// Turn the auto-reply off.
        #[arg(long)]
        no_vacation: bool,
    },
    /// Give a mailbox a new password.
    ResetPassword {
        address: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Delete a mailbox and all its mail.
    Delete {
        address: String,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
        /// Take the mailbox out of the aliases that deliver to it first (an alias left with no
        /// address is deleted). Without it, a mailbox that aliases deliver to is not deleted.
        #[arg(long)]
        remove_from_aliases: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum AliasesCmd {
    /// List every alias of DOMAIN.
    List { domain: String },
}

#[derive(Subcommand)]
pub(crate) enum AliasCmd {
    /// Show an alias and where it delivers.
    Show { address: String },
    /// Create an alias delivering to the given addresses.
    Create {
        address: String,
        /// Addresses the alias delivers to (comma-separated).
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Replace the addresses an alias delivers to.
    Set {
        address: String,
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Delete an alias (the mailboxes it delivers to are not touched).
    Delete {
        address: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum AdminsCmd {
    /// List administrator logins and their type.
    List,
    /// Create a super admin login used only by Rackdesk, and explain how to get its keys.
    CreateApiAdmin {
        /// The new login.
        #[arg(long, default_value = "api-rackdesk")]
        login: String,
        /// Where Rackspace sends notices about this login (usually IT's shared address).
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Rackdesk")]
        first_name: String,
        #[arg(long, default_value = "API")]
        last_name: String,
    },
}

