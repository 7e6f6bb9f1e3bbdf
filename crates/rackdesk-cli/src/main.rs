//! `rackdesk`: the command line over Rackdesk's core, for admins who automate.
//!
//! Each subcommand parses its arguments, calls the core once or twice, and prints. All
//! rules (names, passwords, sizes, pacing, retries) live in the core, so the CLI and the
//! desktop app behave the same.

mod bulk;
mod identity;
mod journal;
mod output;

use clap::{Args, Parser, Subcommand};
pub(crate) use output::{count, print_record, print_table, storage, Format, Table};
use rackdesk_core::api::{MailboxChanges, MailboxQuery, NewMailbox, Search, Vacation};
use rackdesk_core::names::EmailAddress;
use rackdesk_core::{ApiError, Client, ClientConfig, ClientEvent, Credentials, ErrorKind};
use secrecy::{ExposeSecret, SecretString};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes: what a script can rely on.
pub(crate) mod exit {
    pub const OK: u8 = 0;
    /// Something unexpected (a bug, or output could not be written).
    pub const FAILURE: u8 = 1;
    /// The input was wrong: a bad name, value or flag, an unknown object, a missing `--yes`.
    pub const USER_ERROR: u8 = 2;
    /// The keys were refused, missing, or lack the rights.
    pub const AUTH: u8 = 3;
    /// Rackspace's rate limit was still exceeded after waiting and retrying.
    pub const THROTTLED: u8 = 4;
    /// Rackspace or the network failed (or the outcome of a change is unknown).
    pub const SERVER: u8 = 5;
    /// The credential vault cannot be used: nothing was stored or read.
    pub const VAULT: u8 = 6;
    /// The operator's role does not allow this (help-desk mode); refused and journaled.
    pub const NOT_ALLOWED: u8 = 7;
}

const AFTER_HELP: &str = "\
Keys: Rackdesk acts through an identity whose API keys are kept in this computer's credential
vault (`rackdesk identity add`). For automation, RACKDESK_USER_KEY and RACKDESK_SECRET_KEY in the
environment are used instead when set — LESS SAFE: environment variables can be read by other
programs of the same user and end up in logs. Secrets are never accepted as arguments.

Exit codes: 0 success, 2 wrong input, 3 keys refused or missing, 4 rate limit still exceeded,
5 Rackspace or network failure, 6 credential vault unavailable or locked, 7 not allowed for
your role (help-desk mode), 1 anything else (including a journal that cannot be written: then
nothing is changed).";

/// Administer Rackspace Email mailboxes from the command line.
#[derive(Parser)]
#[command(name = "rackdesk", version, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// The API root, including the version [default: the identity's, else https://api.emailsrvr.com/v1].
    #[arg(long, global = true, env = "RACKDESK_API_URL")]
    api_url: Option<String>,
    /// Which identity (API admin keys in the credential vault) to act through [default: the active one].
    #[arg(long, global = true)]
    identity: Option<String>,
    /// The customer account number ("me" is the account that owns the keys) [default: the identity's, else me].
    #[arg(long, global = true, env = "RACKDESK_ACCOUNT")]
    account: Option<String>,
    /// How to print results.
    #[arg(long, global = true, value_enum, default_value = "table")]
    output: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// Bulk jobs from CSV: create, update, reset passwords, aliases, delete, offboard.
    #[command(subcommand)]
    Bulk(bulk::BulkCmd),
    /// Export lists to CSV.
    #[command(subcommand)]
    Export(bulk::ExportCmd),
}

#[derive(Subcommand)]
enum DomainsCmd {
    /// List every domain.
    List,
}

#[derive(Subcommand)]
enum MailboxesCmd {
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
struct PasswordSource {
    /// Generate a strong password and show it once.
    #[arg(long)]
    generate_password: bool,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum MailboxCmd {
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
    },
}

#[derive(Subcommand)]
enum AliasesCmd {
    /// List every alias of DOMAIN.
    List { domain: String },
}

#[derive(Subcommand)]
enum AliasCmd {
    /// Show an alias and where it delivers.
    Show { address: String },
    /// Create an alias delivering to the given addresses.
    Create {
        address: String,
        /// Addresses the alias delivers to (comma-separated).
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
    },
    /// Replace the addresses an alias delivers to.
    Set {
        address: String,
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
    },
    /// Delete an alias (the mailboxes it delivers to are not touched).
    Delete {
        address: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum AdminsCmd {
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

/// A failure at the edge: a sentence, optional details, an exit code.
pub(crate) struct Failure {
    pub message: String,
    pub detail: Option<String>,
    pub code: u8,
}

impl From<rackdesk_core::identity::IdentityError> for Failure {
    fn from(e: rackdesk_core::identity::IdentityError) -> Self {
        use rackdesk_core::identity::IdentityError as E;
        use rackdesk_core::verify::VerifyError as V;
        let code = match &e {
            E::Vault(rackdesk_core::vault::VaultError::Unavailable { .. } | rackdesk_core::vault::VaultError::Locked { .. }) => exit::VAULT,
            E::Vault(rackdesk_core::vault::VaultError::Missing { .. }) | E::NoIdentity => exit::AUTH,
            E::Vault(_) | E::Config { .. } => exit::FAILURE,
            E::Verify(V::WrongKeys(_) | V::ClockSkew { .. }) => exit::AUTH,
            E::Verify(V::Throttled(_)) => exit::THROTTLED,
            E::Verify(V::Offline(_) | V::ServerFault(_)) => exit::SERVER,
            E::Verify(V::WrongAccount { .. }) | E::Invalid { .. } | E::NotFound(_) | E::Duplicate(_) => exit::USER_ERROR,
            E::NotAllowed(_) | E::Passphrase(_) => exit::NOT_ALLOWED,
            E::Verify(V::Other(api)) | E::Api(api) => {
                return Failure { message: api.user_message(), detail: api.detail(), code: api_exit_code(api) }
            }
        };
        Failure { message: e.user_message(), detail: e.detail(), code }
    }
}

pub(crate) fn api_exit_code(e: &ApiError) -> u8 {
    match e.kind() {
        ErrorKind::InvalidInput | ErrorKind::NotFound | ErrorKind::Rejected | ErrorKind::Conflict => exit::USER_ERROR,
        ErrorKind::AuthFailed | ErrorKind::Forbidden => exit::AUTH,
        ErrorKind::Throttled => exit::THROTTLED,
        ErrorKind::ServerFault | ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Undecodable | ErrorKind::Unconfirmed => exit::SERVER,
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure { message: e.user_message(), detail: e.detail(), code: api_exit_code(&e) }
    }
}

impl From<rackdesk_core::ops::OpsError> for Failure {
    fn from(e: rackdesk_core::ops::OpsError) -> Self {
        use rackdesk_core::ops::OpsError as E;
        let code = match &e {
            E::Refused(_) => exit::NOT_ALLOWED,
            E::Journal(_) => exit::FAILURE,
            E::Api(api) => api_exit_code(api),
        };
        Failure { message: e.user_message(), detail: e.detail(), code }
    }
}

impl From<rackdesk_core::journal::JournalError> for Failure {
    fn from(e: rackdesk_core::journal::JournalError) -> Self {
        Failure { message: e.user_message(), detail: e.detail(), code: exit::FAILURE }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure { message: "Rackdesk could not write its output.".into(), detail: Some(e.to_string()), code: exit::FAILURE }
    }
}

pub(crate) fn user_error(message: impl Into<String>) -> Failure {
    Failure { message: message.into(), detail: None, code: exit::USER_ERROR }
}

pub(crate) type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("RACKDESK_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rackdesk: could not start: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => {
            eprintln!("rackdesk: {}", f.message);
            if let Some(d) = f.detail {
                eprintln!("  Details: {d}");
            }
            ExitCode::from(f.code)
        }
    }
}

/// The client settings every command starts from: address, account, pacing, progress.
pub(crate) fn base_config(cli: &Cli) -> ClientConfig {
    let mut cfg = ClientConfig::new(cli.api_url.clone().unwrap_or_else(|| rackdesk_core::DEFAULT_API_URL.into()));
    cfg.account = cli.account.clone().unwrap_or_else(|| "me".into());
    // The simulator can shorten its "minute" (--minute-ms); this keeps the CLI's pacing in
    // step with it. Ignored unless it is a positive number; never needed against Rackspace.
    if let Some(ms) = std::env::var("RACKDESK_MINUTE_MS").ok().and_then(|v| v.parse::<u64>().ok()).filter(|ms| *ms > 0) {
        cfg.scheduler = rackdesk_core::limits::Scheduler::new(rackdesk_core::limits::Limits::with_window(
            std::time::Duration::from_millis(ms),
        ));
        cfg.retry.backoff = std::time::Duration::from_millis((ms / 20).max(10));
    }
    cfg.events = Some(Arc::new(|ev: &ClientEvent| match ev {
        ClientEvent::WaitingForRateLimit { wait } => {
            eprintln!("Waiting for Rackspace's rate limit ({} s)…", wait.as_secs().max(1))
        }
        ClientEvent::Throttled { wait, .. } => {
            eprintln!("Rackspace asked us to slow down; waiting {} s before trying again…", wait.as_secs().max(1))
        }
        ClientEvent::Retrying { attempt, .. } => eprintln!("Rackspace did not answer properly; trying again ({attempt})…"),
        ClientEvent::CheckingOutcome { .. } => eprintln!("The connection broke; checking whether the change was made…"),
    }));
    cfg
}

/// Identities in the platform's config folder, keys in the OS credential vault.
pub(crate) fn identities() -> Result<rackdesk_core::identity::Identities, Failure> {
    let dir = rackdesk_core::identity::config_dir()?;
    Ok(rackdesk_core::identity::Identities::open(&dir, Arc::new(rackdesk_core::vault::OsVault)))
}

/// The keys from the environment, if the environment names any.
fn env_credentials() -> Result<Option<Credentials>, Failure> {
    let user_key = std::env::var("RACKDESK_USER_KEY").unwrap_or_default();
    let secret = SecretString::from(std::env::var("RACKDESK_SECRET_KEY").unwrap_or_default());
    match (user_key.trim().is_empty(), secret.expose_secret().trim().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some(Credentials::new(user_key, secret)?)),
        _ => Err(Failure {
            message: "No API keys were given: set both RACKDESK_USER_KEY and RACKDESK_SECRET_KEY, or neither (and use an identity)."
                .into(),
            detail: None,
            code: exit::AUTH,
        }),
    }
}

/// The client for a command: keys from the environment when set, else from the identity in
/// the credential vault (`--identity`, or the active one).
fn client(cli: &Cli) -> Result<Client, Failure> {
    let base = base_config(cli);
    if let Some(creds) = env_credentials()? {
        return Ok(Client::new(base, creds)?);
    }
    let ids = identities()?;
    let (session, ident) = ids.session(cli.identity.as_deref(), &base)?;
    if cli.api_url.is_none() && cli.account.is_none() {
        return Ok(session.client);
    }
    let mut cfg = base;
    cfg.api_url = cli.api_url.clone().unwrap_or(ident.api_url);
    cfg.account = cli.account.clone().unwrap_or(ident.account);
    Ok(Client::new(cfg, session.client.credentials().clone())?)
}

/// The session (client + who acts) for a command: as `client`, with the actor.
pub(crate) fn session(cli: &Cli) -> Result<rackdesk_core::identity::Session, Failure> {
    use rackdesk_core::identity::{current_operator, Actor, Session};
    let base = base_config(cli);
    if let Some(creds) = env_credentials()? {
        let client = Client::new(base, creds)?;
        let actor = Actor {
            operator: current_operator(),
            identity_label: "keys from the environment".into(),
            account: client.account().to_owned(),
            api_admin: None,
        };
        return Ok(Session { actor, client });
    }
    let ids = identities()?;
    let (mut session, _) = ids.session(cli.identity.as_deref(), &base)?;
    session.client = client(cli)?;
    Ok(session)
}

/// Changes go through the journal and the role's allow-list. Entries left open by a crash
/// are settled first, by reading their objects back.
pub(crate) async fn ops(cli: &Cli) -> Result<rackdesk_core::ops::Ops, Failure> {
    let session = session(cli)?;
    let journal = rackdesk_core::journal::Journal::default_path()
        .and_then(|p| rackdesk_core::journal::Journal::open(&p))
        .map_err(|e| Failure::from(rackdesk_core::ops::OpsError::Journal(e)))?;
    let sandbox = url_is_local(&session.client.config().api_url);
    let ops = rackdesk_core::ops::Ops::new(session, Arc::new(journal), sandbox);
    for (id, result) in ops.reconcile().await? {
        eprintln!("Journal entry {id} was left open by an interrupted run; checked with Rackspace: {result}.");
    }
    Ok(ops)
}

/// A simulator on this computer (the sandbox, tests), as opposed to Rackspace.
fn url_is_local(url: &str) -> bool {
    ["://127.", "://localhost", "://[::1]"].iter().any(|p| url.contains(p))
}

fn address(s: &str) -> Result<EmailAddress, Failure> {
    Ok(EmailAddress::parse(s)?)
}

/// The password of a create or reset: generated, or the first line of stdin.
fn password_for(src: &PasswordSource, addr: &EmailAddress) -> Result<(SecretString, bool), Failure> {
    if src.generate_password {
        return Ok((rackdesk_core::password::generate(Some(&addr.local), Some(&addr.domain)), true));
    }
    let mut buf = String::new();
    std::io::stdin().read_to_string(&mut buf).map_err(|e| Failure {
        message: "Rackdesk could not read the password from standard input.".into(),
        detail: Some(e.to_string()),
        code: exit::USER_ERROR,
    })?;
    let line = buf.lines().next().unwrap_or("").trim_end_matches(['\r', '\n']).to_owned();
    let secret = SecretString::from(line);
    drop(buf);
    if secret.expose_secret().is_empty() {
        return Err(user_error("No password arrived on standard input. Pipe the password in, or use --generate-password."));
    }
    rackdesk_core::password::check(secret.expose_secret(), Some(&addr.local), Some(&addr.domain)).map_err(|p| {
        user_error(format!(
            "The password is not valid: {p}. Passwords need {}. Nothing was sent to Rackspace.",
            rackdesk_core::password::RULE_TEXT
        ))
    })?;
    Ok((secret, false))
}

fn show_generated(format: Format, addr: &EmailAddress, pw: &SecretString) -> Outcome {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::json!({"address": addr.to_string(), "password": pw.expose_secret()}))?,
        Format::Csv => writeln!(out, "address,password\n{addr},{}", pw.expose_secret())?,
        Format::Table => {
            writeln!(out, "New password for {addr}: {}", pw.expose_secret())?;
            writeln!(out, "It is shown only this once and Rackdesk does not keep it. Give it to the person by a safe route.")?;
        }
    }
    Ok(())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

async fn run(cli: Cli) -> Outcome {
    let format = cli.output;
    match &cli.command {
        Command::Domains(DomainsCmd::List) => {
            let c = client(&cli)?;
            let domains = c.domains().await?;
            let rows = domains
                .iter()
                .map(|d| vec![d.name.clone(), d.service_type.clone().unwrap_or_default()])
                .collect();
            let summary = Some(count(domains.len(), "domain", "domains"));
            print_table(format, &Table { header: vec!["domain", "service"], rows, items: domains, summary })?;
        }
        Command::Mailboxes(MailboxesCmd::List { domain, search, starts_with, enabled }) => {
            let c = client(&cli)?;
            let query = MailboxQuery {
                search: match (search, starts_with) {
                    (Some(s), _) => Some(Search::Contains(s.clone())),
                    (None, Some(s)) => Some(Search::StartsWith(s.clone())),
                    _ => None,
                },
                enabled: *enabled,
                ..MailboxQuery::default()
            };
            let domain = rackdesk_core::names::domain_name(domain)?;
            let progress = std::io::stderr().is_terminal();
            let mut items = Vec::new();
            {
                use futures_lite::StreamExt;
                let pages = c.mailbox_pages(&domain, query);
                futures_lite::pin!(pages);
                while let Some(page) = pages.next().await {
                    let page = page?;
                    items.extend(page.items);
                    if progress && page.total as usize > items.len() {
                        eprint!("\rLoaded {} of {}…", items.len(), page.total);
                    }
                }
                if progress {
                    eprint!("\r\x1b[K");
                }
            }
            let rows = items
                .iter()
                .map(|m| {
                    vec![
                        format!("{}@{domain}", m.name),
                        m.display_name.clone().unwrap_or_default(),
                        m.enabled.map(yes_no).unwrap_or_default(),
                        match (m.current_usage, m.size) {
                            (Some(u), Some(s)) => format!("{} of {}", storage(u), storage(s)),
                            _ => String::new(),
                        },
                        m.last_login.clone().unwrap_or_else(|| "never".into()),
                    ]
                })
                .collect();
            let summary = Some(count(items.len(), "mailbox", "mailboxes"));
            print_table(format, &Table { header: vec!["address", "display name", "enabled", "storage", "last login"], rows, items, summary })?;
        }
        Command::Mailbox(cmd) => mailbox(&cli, cmd, format).await?,
        Command::Aliases(AliasesCmd::List { domain }) => {
            let c = client(&cli)?;
            let domain = rackdesk_core::names::domain_name(domain)?;
            let aliases = c.aliases(&domain).await?;
            let rows = aliases
                .iter()
                .map(|a| {
                    vec![
                        format!("{}@{domain}", a.name),
                        a.number_of_members.map(|n| n.to_string()).unwrap_or_default(),
                        a.single_member_name.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let summary = Some(count(aliases.len(), "alias", "aliases"));
            print_table(format, &Table { header: vec!["alias", "members", "delivers to"], rows, items: aliases, summary })?;
        }
        Command::Alias(cmd) => alias(&cli, cmd, format).await?,
        Command::Identity(cmd) => identity::identity(&cli, cmd, format).await?,
        Command::Operator(cmd) => identity::operator(cmd, format)?,
        Command::Admins(AdminsCmd::CreateApiAdmin { login, email, first_name, last_name }) => {
            let ops = ops(&cli).await?;
            identity::create_api_admin(&ops, login, email, first_name, last_name).await?;
        }
        Command::Journal(cmd) => journal::journal(cmd, format)?,
        Command::Bulk(cmd) => bulk::bulk(&cli, cmd, format).await?,
        Command::Export(cmd) => bulk::export(&cli, cmd).await?,
        Command::Admins(AdminsCmd::List) => {
            let c = client(&cli)?;
            let admins = c.admins().await?;
            let rows = admins
                .iter()
                .map(|a| {
                    vec![
                        a.admin_id.clone(),
                        format!("{} {}", a.first_name.as_deref().unwrap_or(""), a.last_name.as_deref().unwrap_or("")).trim().to_owned(),
                        a.admin_type.clone().unwrap_or_default(),
                        a.enabled.map(yes_no).unwrap_or_default(),
                        if a.is_super() { "yes".into() } else { "no (only super admins can use the API)".into() },
                    ]
                })
                .collect();
            let summary = Some(count(admins.len(), "admin", "admins"));
            print_table(format, &Table { header: vec!["login", "name", "type", "enabled", "API access"], rows, items: admins, summary })?;
        }
    }
    Ok(())
}

async fn mailbox(cli: &Cli, cmd: &MailboxCmd, format: Format) -> Outcome {
    match cmd {
        MailboxCmd::Show { address: a } => {
            let addr = address(a)?;
            let c = client(cli)?;
            let m = c.mailbox(&addr.domain, &addr.local).await?;
            let fields = vec![
                ("Address", addr.to_string()),
                ("Display name", m.display_name.clone().unwrap_or_default()),
                ("Enabled", yes_no(m.enabled)),
                ("Storage", format!("{} of {}", storage(m.current_usage.unwrap_or(0)), storage(m.size))),
                ("Created", m.created_date.clone().unwrap_or_default()),
                ("Last login", m.last_login.clone().unwrap_or_else(|| "never".into())),
                (
                    "Forwarding",
                    if m.email_forwarding_address_list.is_empty() { "off".into() } else { m.email_forwarding_address_list.join(", ") },
                ),
                ("Keep a copy", yes_no(m.save_forwarded_email)),
                (
                    "Auto-reply",
                    if m.enable_vacation_message { format!("on: {}", m.vacation_message.clone().unwrap_or_default()) } else { "off".into() },
                ),
            ];
            print_record(format, &fields, &m)?;
        }
        MailboxCmd::Create { address: a, display_name, size, password } => {
            let addr = address(a)?;
            let (pw, generated) = password_for(password, &addr)?;
            if let Some(s) = size {
                // Checked here too so a wrong size is refused before any call.
                if *s == 0 || *s > rackdesk_core::api::MAX_MAILBOX_MB {
                    return Err(ApiError::invalid("mailbox size", format!("it must be between 1 and {} MB (25 GB); {s} MB was asked", rackdesk_core::api::MAX_MAILBOX_MB)).into());
                }
            }
            let mut new = NewMailbox::new(pw.clone(), size.unwrap_or(1));
            new.display_name = display_name.clone();
            new.to_form(&addr.local, &addr.domain)?; // validate everything before any call
            let ops = ops(cli).await?;
            if size.is_none() {
                let d = ops.session.client.domain(&addr.domain).await?;
                new.size = d.rs_email_base_mailbox_size.filter(|s| *s > 0).unwrap_or(rackdesk_core::api::MAX_MAILBOX_MB);
            }
            ops.create_mailbox(&addr, &new).await?;
            if format == Format::Table {
                println!("Created {addr} ({}).", storage(new.size));
            }
            if generated {
                show_generated(format, &addr, &pw)?;
            } else if format == Format::Json {
                println!("{}", serde_json::json!({"address": addr.to_string(), "created": true}));
            }
        }
        MailboxCmd::Set { address: a, enabled, display_name, size, forward_to, no_forwarding, keep_copy, vacation_message, no_vacation } => {
            let addr = address(a)?;
            let changes = MailboxChanges {
                display_name: display_name.clone(),
                enabled: *enabled,
                password: None,
                size: *size,
                forward_to: if *no_forwarding { Some(vec![]) } else { forward_to.clone() },
                save_forwarded_email: *keep_copy,
                vacation: if *no_vacation {
                    Some(Vacation { enabled: false, message: String::new() })
                } else {
                    vacation_message.as_ref().map(|m| Vacation { enabled: true, message: m.clone() })
                },
            };
            changes.to_form(&addr.local, &addr.domain)?;
            ops(cli).await?.edit_mailbox(&addr, &changes).await?;
            match format {
                Format::Json => println!("{}", serde_json::json!({"address": addr.to_string(), "changed": true})),
                _ => println!("Changed {addr}."),
            }
        }
        MailboxCmd::ResetPassword { address: a, password } => {
            let addr = address(a)?;
            let (pw, generated) = password_for(password, &addr)?;
            let changes = MailboxChanges { password: Some(pw.clone()), ..Default::default() };
            ops(cli).await?.edit_mailbox(&addr, &changes).await?;
            if generated {
                show_generated(format, &addr, &pw)?;
            } else {
                match format {
                    Format::Json => println!("{}", serde_json::json!({"address": addr.to_string(), "passwordChanged": true})),
                    _ => println!("The password of {addr} was changed."),
                }
            }
        }
        MailboxCmd::Delete { address: a, yes } => {
            let addr = address(a)?;
            if !yes {
                return Err(user_error(format!(
                    "Deleting {addr} removes the mailbox and all of its mail. Run the command again with --yes to confirm."
                )));
            }
            ops(cli).await?.delete_mailbox(&addr).await?;
            match format {
                Format::Json => println!("{}", serde_json::json!({"address": addr.to_string(), "deleted": true})),
                _ => println!("Deleted {addr}."),
            }
        }
    }
    Ok(())
}

async fn alias(cli: &Cli, cmd: &AliasCmd, format: Format) -> Outcome {
    match cmd {
        AliasCmd::Show { address: a } => {
            let addr = address(a)?;
            let c = client(cli)?;
            let al = c.alias(&addr.domain, &addr.local).await?;
            let fields = vec![("Alias", addr.to_string()), ("Delivers to", al.members.join(", "))];
            print_record(format, &fields, &al)?;
        }
        AliasCmd::Create { address: a, to } | AliasCmd::Set { address: a, to } => {
            let addr = address(a)?;
            rackdesk_core::api::alias_members(&addr.domain, to)?;
            let ops = ops(cli).await?;
            let created = matches!(cmd, AliasCmd::Create { .. });
            if created {
                ops.create_alias(&addr, to).await?;
            } else {
                ops.set_alias_members(&addr, to).await?;
            }
            match format {
                Format::Json => println!("{}", serde_json::json!({"alias": addr.to_string(), "members": to})),
                _ => println!("{} {addr}: delivers to {}.", if created { "Created" } else { "Changed" }, to.join(", ")),
            }
        }
        AliasCmd::Delete { address: a, yes } => {
            let addr = address(a)?;
            if !yes {
                return Err(user_error(format!(
                    "Deleting the alias {addr} stops mail to it from being delivered. Run the command again with --yes to confirm."
                )));
            }
            ops(cli).await?.delete_alias(&addr).await?;
            match format {
                Format::Json => println!("{}", serde_json::json!({"alias": addr.to_string(), "deleted": true})),
                _ => println!("Deleted the alias {addr}."),
            }
        }
    }
    Ok(())
}
