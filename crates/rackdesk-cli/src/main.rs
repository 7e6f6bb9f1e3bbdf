//! `rackdesk`: the command line over Rackdesk's core, for admins who automate.
//!
//! Each subcommand parses its arguments, calls one core function, and prints. All rules
//! (names, passwords, sizes, pacing, retries, journaling, the role's allow-list) live in the
//! core, so the CLI and the desktop app behave the same. The argument definitions are in
//! [`args`], the context a command runs in (keys, client, journal) in [`context`], and how a
//! failure becomes a sentence and an exit code in [`failure`].

mod args;
mod bulk;
mod context;
mod exchange;
mod failure;
mod identity;
mod journal;
mod find;
mod output;
mod spam;
mod team;

pub(crate) use args::*;
pub(crate) use context::{base_config, identities, ops, session};
pub(crate) use failure::{exit, user_error, Failure, Outcome};
pub(crate) use output::{count, print_record, print_table, storage, Format, Progress, Table};
use clap::{CommandFactory, FromArgMatches};
use context::client;
use rackdesk_core::api::{MailboxChanges, MailboxQuery, NewMailbox, Search, Vacation};
use rackdesk_core::names::EmailAddress;
use secrecy::{ExposeSecret, SecretString};
use std::io::{Read, Write};
use std::process::ExitCode;

/// What stderr shows unless RACKDESK_LOG says otherwise: warnings, but not the failures the
/// core logs for the log file (the CLI prints each failure itself, once).
const STDERR_LOG: &str = "warn,rackdesk_core::failure=off,rustls_platform_verifier=off";

fn main() -> ExitCode {
    rackdesk_core::logging::init(rackdesk_core::logging::Program::Cli, STDERR_LOG);
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    // The command's name only: arguments can hold names and messages, never needed here.
    let mut name = vec![];
    let mut m = &matches;
    while let Some((sub, next)) = m.subcommand() {
        name.push(sub);
        m = next;
    }
    let name = name.join(" ");
    tracing::info!(command = %name, version = rackdesk_core::VERSION, "start");
    let json = cli.output == Format::Json;
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let f = Failure { kind: rackdesk_core::ErrorKind::Internal, message: "Rackdesk could not start.".into(), detail: Some(e.to_string()), code: exit::FAILURE };
            f.report(json);
            return ExitCode::from(f.code);
        }
    };
    let started = std::time::Instant::now();
    let result = rt.block_on(run(cli));
    let ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(()) => {
            tracing::info!(command = %name, ms, "done");
            ExitCode::from(exit::OK)
        }
        Err(f) => {
            tracing::info!(command = %name, ms, exit = f.code, kind = %f.kind, "failed: {}", f.message);
            f.report(json);
            ExitCode::from(f.code)
        }
    }
}

/// A command line clap could not read: clap's own words and exit code 2, or under
/// `--output json` one JSON object; `--help` and `--version` print as usual.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as E;
    if matches!(e.kind(), E::DisplayHelp | E::DisplayVersion | E::DisplayHelpOnMissingArgumentOrSubcommand) || !json_requested() {
        e.exit();
    }
    let text = e.render().to_string();
    let mut lines = text.lines();
    let message = lines.next().unwrap_or("").trim_start_matches("error: ").to_owned();
    let rest = lines.map(str::trim_end).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    let f = Failure { kind: rackdesk_core::ErrorKind::InvalidInput, message, detail: (!rest.is_empty()).then_some(rest), code: exit::USER_ERROR };
    f.report(true);
    ExitCode::from(f.code)
}

/// `--output json` (or `--output=json`) among the arguments, read without clap (which failed).
fn json_requested() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).any(|w| w[0] == "--output" && w[1] == "json") || args.iter().any(|a| a == "--output=json")
}


/// `rackdesk diagnostics`: the core's report for the identity (or keys, or address) this
/// command would act through; no key is read.
async fn diagnostics(cli: &Cli, format: Format) -> Outcome {
    let ids = identities().ok();
    let (api_url, acting) = context::diagnostics_target(cli, ids.as_ref());
    let d = rackdesk_core::diagnostics::collect(rackdesk_core::diagnostics::Input {
        program: "rackdesk command line",
        api_url,
        acting,
        webview: None,
        identities: ids.as_ref(),
    })
    .await;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&d).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::Internal, message: "Rackdesk could not write its output.".into(), detail: Some(e.to_string()), code: exit::FAILURE })?),
        _ => print!("{}", d.text()),
    }
    Ok(())
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
    std::io::stdin().read_to_string(&mut buf).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::InvalidInput,
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
    // In team mode every command ships in the background as it works (see `team`).
    let shipper = match &cli.command {
        Command::Team(_) => None,
        _ => context::start_shipper(),
    };
    let result = dispatch(&cli).await;
    if let Some(s) = shipper {
        s.finish(std::time::Duration::from_secs(2)).await;
    }
    result
}

async fn dispatch(cli: &Cli) -> Outcome {
    let cli = cli;
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
            let progress = Progress::stderr();
            let mut items = Vec::new();
            {
                use futures_lite::StreamExt;
                let pages = c.mailbox_pages(&domain, query);
                futures_lite::pin!(pages);
                while let Some(page) = pages.next().await {
                    let page = page?;
                    items.extend(page.items);
                    if page.total as usize > items.len() {
                        progress.update(items.len() as u64, u64::from(page.total), &format!("Loaded {} of {} mailboxes…", items.len(), page.total));
                    }
                }
                progress.clear();
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
        Command::ExMailboxes(cmd) => exchange::ex_mailboxes(&cli, cmd, format).await?,
        Command::ExMailbox(cmd) => exchange::ex_mailbox(&cli, cmd, format).await?,
        Command::Contacts(cmd) => exchange::contacts(&cli, cmd, format).await?,
        Command::Contact(cmd) => exchange::contact(&cli, cmd, format).await?,
        Command::Lists(cmd) => exchange::lists(&cli, cmd, format).await?,
        Command::List(cmd) => exchange::list(&cli, cmd, format).await?,
        Command::Spam(cmd) => spam::spam(&cli, cmd, format).await?,
        Command::Identity(cmd) => identity::identity(&cli, cmd, format).await?,
        Command::Operator(cmd) => identity::operator(cmd, format)?,
        Command::Admins(AdminsCmd::CreateApiAdmin { login, email, first_name, last_name }) => {
            let ops = ops(&cli).await?;
            identity::create_api_admin(&ops, login, email, first_name, last_name).await?;
        }
        Command::Journal(cmd) => journal::journal(cmd, format)?,
        Command::Team(cmd) => team::team(cmd, format).await?,
        Command::Bulk(cmd) => bulk::bulk(&cli, cmd, format).await?,
        Command::Export(cmd) => bulk::export(&cli, cmd).await?,
        Command::Find { text, refresh, limit } => find::find(&cli, &text.join(" "), *refresh, *limit, format).await?,
        Command::Index(cmd) => find::index(&cli, cmd, format).await?,
        Command::Diagnostics => diagnostics(&cli, format).await?,
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let out = &mut std::io::stdout();
            match shell {
                CompletionShell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "rackdesk", out),
                CompletionShell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, "rackdesk", out),
                CompletionShell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "rackdesk", out),
            }
        }
        Command::Man { out_dir } => match out_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(Cli::command(), dir)).map_err(|e| Failure {
                    kind: rackdesk_core::ErrorKind::File,
                    message: format!("Rackdesk could not write the manual pages to {}.", dir.display()),
                    detail: Some(e.to_string()),
                    code: exit::USER_ERROR,
                })?;
            }
            None => clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?,
        },
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
            let mut new = NewMailbox::new(pw.clone(), size.unwrap_or(1));
            new.display_name = display_name.clone();
            new.to_form(&addr.local, &addr.domain)?; // every value checked before any call
            let ops = ops(cli).await?;
            new.size = rackdesk_core::rules::new_mailbox_size(&ops.session.client, &addr.domain, *size).await?;
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
        MailboxCmd::Set { address: a, enabled, display_name, size, forward_to, accept_unknown_domain, no_forwarding, keep_copy, vacation_message, no_vacation } => {
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
            let ops = ops(cli).await?;
            if let Some(f) = &changes.forward_to {
                domains_confirmed(&ops, f, *accept_unknown_domain).await?;
            }
            ops.edit_mailbox(&addr, &changes).await?;
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
        MailboxCmd::Delete { address: a, yes, remove_from_aliases } => {
            let addr = address(a)?;
            if !yes {
                return Err(user_error(format!(
                    "Deleting {addr} removes the mailbox and all of its mail. Run the command again with --yes to confirm."
                )));
            }
            let impact = ops(cli).await?.delete_mailbox(&addr, *remove_from_aliases).await.map_err(|e| {
                let aliases_deliver = matches!(e, rackdesk_core::ops::OpsError::AliasesDeliverHere { .. });
                let mut f = Failure::from(e);
                if aliases_deliver {
                    f.message.push_str(" To do that here, add --remove-from-aliases.");
                }
                f
            })?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({"address": addr.to_string(), "deleted": true, "aliasesUpdated": impact.updated(), "aliasesDeleted": impact.emptied})
                ),
                _ => match impact.sentence(&addr.to_string()) {
                    Some(s) => println!("Deleted {addr}. {s}"),
                    None => println!("Deleted {addr}."),
                },
            }
        }
    }
    Ok(())
}

/// The core's check of addresses whose domain looks misspelt: refused without
/// --accept-unknown-domain (the flag named here, the sentences the core's); with it, the
/// warnings are printed on standard error and the change goes ahead.
async fn domains_confirmed(ops: &rackdesk_core::ops::Ops, addresses: &[String], accepted: bool) -> Outcome {
    match rackdesk_core::addresses::confirm_domains(&ops.session.client, addresses, accepted).await {
        Ok(warnings) => {
            for w in warnings {
                eprintln!("Note: {} (used as given, as --accept-unknown-domain says)", w.message);
            }
            Ok(())
        }
        Err(e) => {
            let typo = matches!(e, rackdesk_core::ops::OpsError::DomainTypo { .. });
            let mut f = Failure::from(e);
            if typo {
                f.message.push_str(" If it is meant, run the command again with --accept-unknown-domain.");
            }
            Err(f)
        }
    }
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
        AliasCmd::Create { address: a, to, accept_unknown_domain } | AliasCmd::Set { address: a, to, accept_unknown_domain } => {
            let addr = address(a)?;
            rackdesk_core::api::alias_members(&addr.domain, to)?;
            let ops = ops(cli).await?;
            domains_confirmed(&ops, to, *accept_unknown_domain).await?;
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
