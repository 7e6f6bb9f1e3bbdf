//! `rackdesk team ...`: the team journal, thin over `rackdesk_core::team`.
//!
//! Shipping: every other command that runs while this computer is in team mode ships in the
//! background as it works (a long bulk job ships as it goes), and gives it up to two seconds
//! at the end while the team database answers; whatever is still waiting goes with the next
//! command, the app, or `rackdesk team ship`, which ships everything waiting and waits for it.

use crate::{count, exit, identities, print_record, print_table, user_error, Failure, Format, Outcome, Table};
use clap::{Args, Subcommand};
use rackdesk_core::journal::words;
use rackdesk_core::policy::HelpDeskView;
use rackdesk_core::team::{ConnectRequest, InitRequest, Team, TeamFilter, TeamFilterText, TrustChoice, DEFAULT_PC_LOGIN};
use secrecy::SecretString;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Clone)]
pub struct Sign {
    /// The CA certificate file (PEM) that signed the database server's certificate [default:
    /// this computer's trusted certificates].
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Read the password from the first line of standard input (else it is asked for, unseen).
    #[arg(long)]
    password_stdin: bool,
    /// Sign in with a client certificate (PEM) instead of (or besides) a password.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM, unencrypted); kept in the credential vault.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    client_key: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct TeamFilterArgs {
    /// Only this computer (its name, or the start of its machine id).
    #[arg(long)]
    machine: Option<String>,
    /// Only entries by this operator.
    #[arg(long)]
    operator: Option<String>,
    /// Only entries through this identity (part of its name, its API admin, or the account number).
    #[arg(long)]
    identity: Option<String>,
    /// Only this action: a code (mailbox.reset-password, mailbox.*) or plain words (reset, delete, team).
    #[arg(long)]
    action: Option<String>,
    /// Only entries whose target contains this text.
    #[arg(long)]
    target: Option<String>,
    /// From this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    since: Option<String>,
    /// Up to this day, inclusive (YYYY-MM-DD, UTC).
    #[arg(long)]
    until: Option<String>,
    /// success, failed, refused, unknown, reconciled or pending.
    #[arg(long)]
    result: Option<String>,
}

#[derive(Subcommand)]
pub enum TeamCmd {
    /// Connect this computer to the team journal (super admins). URL: postgres://LOGIN@HOST:PORT/DATABASE,
    /// with the login made for the computers (rackdesk_pc). The password goes into the credential vault.
    Connect {
        url: String,
        #[command(flatten)]
        sign: Sign,
    },
    /// Set up (or update) a team database (super admins), signing in as its owner. URL names the
    /// owner's login; its password is used once and not kept. Makes the login for the computers and
    /// shows its password once.
    Init {
        url: String,
        #[command(flatten)]
        sign: Sign,
        /// The login the computers sign in with.
        #[arg(long, default_value = DEFAULT_PC_LOGIN)]
        pc_login: String,
    },
    /// Up to date, entries waiting, or unreachable since when.
    Status,
    /// Ship every entry waiting now, and wait for it.
    Ship,
    /// Check every computer's entries in the team database: edited, deleted or reordered rows, gaps,
    /// computers that stopped shipping (and this computer's rows against its own journal).
    Verify {
        /// A computer that has not been in touch for this many days counts as having stopped shipping.
        #[arg(long, default_value_t = 7.0)]
        quiet_days: f64,
    },
    /// Every computer's entries, newest first.
    List {
        #[command(flatten)]
        filter: TeamFilterArgs,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Keep printing entries as they arrive (Ctrl+C stops).
        #[arg(long)]
        follow: bool,
    },
    /// Write every computer's entries to a CSV file.
    Export {
        #[command(flatten)]
        filter: TeamFilterArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Leave team mode: shipping stops, the password leaves the vault; this computer's journal is kept.
    Disconnect {
        #[arg(long)]
        yes: bool,
    },
    /// What the help desk sees of the team journal on this computer: hidden or read-only (super admins).
    HelpDeskView {
        #[arg(value_parser = |s: &str| HelpDeskView::parse(s).ok_or_else(|| "use hidden or read-only".to_string()))]
        view: HelpDeskView,
    },
}

fn read_password(sign: &Sign, who: &str) -> Result<Option<SecretString>, Failure> {
    let failed = |e: std::io::Error| Failure { kind: rackdesk_core::ErrorKind::InvalidInput, message: "Rackdesk could not read the password.".into(), detail: Some(e.to_string()), code: exit::USER_ERROR };
    if sign.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(failed)?;
        let p = line.trim_end_matches(['\r', '\n']).to_owned();
        if p.is_empty() {
            return Err(user_error("No password arrived on standard input."));
        }
        return Ok(Some(SecretString::from(p)));
    }
    if sign.client_cert.is_some() {
        return Ok(None);
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password(format!("Password of {who} (not shown): ")).map_err(failed)?;
        return Ok((!p.is_empty()).then(|| SecretString::from(p)));
    }
    Err(user_error("No password was given: use --password-stdin (or run it in a terminal to be asked)."))
}

fn trust(sign: &Sign) -> TrustChoice {
    match &sign.ca {
        Some(f) => TrustChoice::CaFile(f.clone()),
        None => TrustChoice::System,
    }
}

fn login_of(url: &str) -> String {
    rackdesk_core::team::Address::parse(url).map(|a| format!("{}@{}", a.login, a.host)).unwrap_or_else(|_| "the login".into())
}

fn filter(a: &TeamFilterArgs, limit: Option<usize>) -> Result<TeamFilter, Failure> {
    Ok(TeamFilter::from_text(&TeamFilterText {
        machine: a.machine.clone(),
        operator: a.operator.clone(),
        identity: a.identity.clone(),
        action: a.action.clone(),
        target: a.target.clone(),
        since: a.since.clone(),
        until: a.until.clone(),
        result: a.result.clone(),
        limit,
    })?)
}

fn rows(entries: &[rackdesk_core::team::TeamEntry]) -> Vec<Vec<String>> {
    entries
        .iter()
        .map(|t| {
            let e = &t.entry;
            vec![
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.machine.clone(),
                format!("{} ({})", e.operator, e.role),
                match &e.api_admin {
                    Some(a) => format!("{a} @ {}{}", e.account, if e.sandbox { " (sandbox)" } else { "" }),
                    None => format!("{}{}", e.identity_label, if e.sandbox { " (sandbox)" } else { "" }),
                },
                words::summary(e),
                words::result_words(e.outcome.as_ref()),
            ]
        })
        .collect()
}

const HEADER: [&str; 6] = ["time (UTC)", "computer", "operator", "through", "what", "result"];

pub async fn team(cmd: &TeamCmd, format: Format) -> Outcome {
    let ids = identities()?;
    let journal = crate::context::journal()?;
    let team = Team::new(&ids, &journal);
    match cmd {
        TeamCmd::Connect { url, sign } => {
            let password = read_password(sign, &login_of(url))?;
            eprintln!("Checking the connection to the team database…");
            let c = team
                .connect(ConnectRequest {
                    url: url.clone(),
                    trust: trust(sign),
                    password,
                    client_cert: sign.client_cert.clone().zip(sign.client_key.clone()),
                })
                .await?;
            for w in &c.warnings {
                eprintln!("Warning: {w}");
            }
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default()),
                _ => {
                    println!("Connected to the team journal {} as {} (certificate checked against {}).", c.database, c.login, c.trust);
                    println!("The password is kept in {}. This computer's journal ({}) ships in the background from now on.", ids.store_name(), count(c.waiting.max(0) as usize, "entry", "entries"));
                }
            }
            // Ship what is there now, so the status says where things stand.
            if let Err(e) = team.ship(journal.clone()).await {
                eprintln!("Not shipped yet: {}", rackdesk_core::Explain::user_message(&e));
            }
        }
        TeamCmd::Init { url, sign, pc_login } => {
            let password = read_password(sign, &login_of(url))?;
            eprintln!("Setting up the team database…");
            let r = team.init(InitRequest { url: url.clone(), trust: trust(sign), password, client_cert: sign.client_cert.clone().zip(sign.client_key.clone()), pc_login: pc_login.clone() }).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
                _ => {
                    if r.applied.is_empty() {
                        println!("The team database {} was already set up (schema version {}); roles and grants checked.", r.database, r.schema_version);
                    } else {
                        println!("Set up the team database {} (schema version {}), owned by {}.", r.database, r.schema_version, r.owner);
                    }
                    if !r.roles_created.is_empty() {
                        println!("Made the roles {}.", r.roles_created.join(" and "));
                    }
                    match &r.pc_password {
                        Some(p) => {
                            println!("Made the login for the computers: {}", r.pc_login);
                            println!("Its password (shown only this once; Rackdesk does not keep it): {}", secrecy::ExposeSecret::expose_secret(p));
                            println!("On each computer: rackdesk team connect postgres://{}@HOST:PORT/DATABASE [--ca FILE]", r.pc_login);
                        }
                        None => println!("The login {} exists already; its password was left as it is.", r.pc_login),
                    }
                }
            }
        }
        TeamCmd::Status => {
            let s = team.status(Duration::from_secs(5)).await?;
            let fields = vec![
                ("Team journal", s.database.clone().unwrap_or_else(|| "off (not connected)".into())),
                ("Login", s.login.clone().unwrap_or_default()),
                ("Status", s.line.trim_start_matches("team journal: ").to_owned()),
                ("Last shipped", s.last_shipped_at.clone().unwrap_or_else(|| "never".into())),
                ("Help desk", HelpDeskView::parse(&s.help_desk_view).unwrap_or_default().words().to_owned()),
            ];
            print_record(format, &fields, &s)?;
            if let Some(p) = &s.problem {
                eprintln!("Last problem: {p}");
            }
        }
        TeamCmd::Ship => {
            let r = team.ship(journal.clone()).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
                _ => println!("Shipped {} to {}; team journal: up to date ({} in all).", count(r.shipped_now as usize, "entry", "entries"), r.database, count(r.shipped as usize, "entry", "entries")),
            }
        }
        TeamCmd::Verify { quiet_days } => {
            let quiet = Duration::from_secs_f64((quiet_days * 86400.0).clamp(0.0, 1e12));
            let r = team.verify(quiet).await?;
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                for m in &r.machines {
                    println!(
                        "{} (machine {}): {}{}",
                        m.machine,
                        &m.machine_id[..8.min(m.machine_id.len())],
                        count(m.rows as usize, "entry", "entries"),
                        match m.last_seen {
                            Some(t) => format!(", last in touch {}", t.format("%Y-%m-%d %H:%M UTC")),
                            None => String::new(),
                        }
                    );
                }
            }
            if !r.is_clean() {
                for p in &r.problems {
                    eprintln!("{}", p.message);
                }
                return Err(Failure {
                    kind: rackdesk_core::ErrorKind::TeamDatabase,
                    message: format!(
                        "The team journal has {}: rows were changed or removed in the team database, or a computer stopped shipping.",
                        count(r.problems.len(), "problem", "problems")
                    ),
                    detail: None,
                    code: exit::FAILURE,
                });
            }
            if format != Format::Json {
                println!("The team journal is intact: {} from {}, none edited, deleted or out of order.", count(r.rows as usize, "entry", "entries"), count(r.machines.len(), "computer", "computers"));
            }
        }
        TeamCmd::List { filter: f, limit, follow } => {
            let flt = filter(f, Some(*limit))?;
            let entries = team.list(&flt).await?;
            let summary = Some(count(entries.len(), "entry", "entries") + " (newest first, UTC)");
            print_table(format, &Table { header: HEADER.to_vec(), rows: rows(&entries), items: entries, summary })?;
            if *follow {
                let mut watch = team.watch(flt).await?;
                loop {
                    let new = watch.next().await?;
                    if new.is_empty() {
                        continue;
                    }
                    match format {
                        Format::Json => {
                            for e in &new {
                                println!("{}", serde_json::to_string(e).unwrap_or_default());
                            }
                        }
                        _ => {
                            for r in rows(&new) {
                                println!("{}", r.join("  "));
                            }
                        }
                    }
                }
            }
        }
        TeamCmd::Export { filter: f, out } => {
            let file = std::fs::File::create(out).map_err(|e| Failure {
                kind: rackdesk_core::ErrorKind::File,
                message: format!("Rackdesk could not write {}.", out.display()),
                detail: Some(e.to_string()),
                code: exit::USER_ERROR,
            })?;
            let n = team.export(&filter(f, None)?, std::io::BufWriter::new(file)).await?;
            println!("Wrote {} from every computer to {}.", count(n, "entry", "entries"), out.display());
        }
        TeamCmd::Disconnect { yes } => {
            if !yes {
                return Err(user_error(
                    "Leaving the team journal stops shipping this computer's entries (its own journal is kept). Run it again with --yes to confirm.",
                ));
            }
            let s = team.disconnect()?;
            println!("Left the team journal {}. This computer's journal is kept; the team database keeps what it has.", s.database_label());
        }
        TeamCmd::HelpDeskView { view } => {
            team.set_help_desk_view(*view)?;
            println!("On this computer, {}.", view.words());
        }
    }
    Ok(())
}

