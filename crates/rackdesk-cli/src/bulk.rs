//! `rackdesk bulk template|plan|apply|status|resume|cancel|results` and `rackdesk export mailboxes`.
//!
//! Everything here is printing and prompting; the engine is `rackdesk_core::bulk`.

use crate::{count, exit, print_table, Cli, Failure, Format, Outcome, Table};
use clap::{Subcommand, ValueEnum};
use rackdesk_core::bulk::input;
use rackdesk_core::bulk::jobs::{self, JobFile};
use rackdesk_core::bulk::plan::{self, eta_text, Plan};
use rackdesk_core::bulk::run::{JobEvent, PasswordSink, RunReport, Runner};
use rackdesk_core::bulk::store::{JobInfo, JobStore, RowState};
use rackdesk_core::bulk::{results, JobKind};
use rackdesk_core::policy;
use secrecy::{ExposeSecret, SecretString};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The job types, as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobArg {
    Create,
    Update,
    ResetPassword,
    Aliases,
    Delete,
    Offboard,
    Contacts,
    ListMembers,
    SpamList,
}

impl JobArg {
    fn kind(self) -> JobKind {
        match self {
            JobArg::Create => JobKind::Create,
            JobArg::Update => JobKind::Update,
            JobArg::ResetPassword => JobKind::ResetPassword,
            JobArg::Aliases => JobKind::Aliases,
            JobArg::Delete => JobKind::Delete,
            JobArg::Offboard => JobKind::Offboard,
            JobArg::Contacts => JobKind::Contacts,
            JobArg::ListMembers => JobKind::ListMembers,
            JobArg::SpamList => JobKind::SpamList,
        }
    }
}

#[derive(Subcommand)]
pub enum BulkCmd {
    /// Print a CSV template for a job (the CSV on standard output, what each column means on standard error).
    Template { job: JobArg },
    /// Check a CSV file and show exactly what would change, row by row. Changes nothing.
    Plan {
        file: PathBuf,
        #[arg(long)]
        job: JobArg,
        /// Read the file's column THEIRS as our column OURS (THEIRS=- leaves it out). Repeatable.
        #[arg(long = "map", value_name = "THEIRS=OURS")]
        map: Vec<String>,
    },
    /// Plan, then apply the changes, row by row, at Rackspace's rate limits.
    Apply {
        file: PathBuf,
        #[arg(long)]
        job: JobArg,
        #[arg(long = "map", value_name = "THEIRS=OURS")]
        map: Vec<String>,
        /// Apply without asking (accepts the plan's warnings).
        #[arg(long)]
        yes: bool,
        /// Write generated passwords to this file as they are set (it will hold passwords: keep it safe).
        #[arg(long)]
        passwords_out: Option<PathBuf>,
    },
    /// List bulk jobs, or show one job's rows.
    Status { job: Option<String> },
    /// Resume a job that was stopped or interrupted (the newest unfinished one when none is named).
    Resume {
        job: Option<String>,
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        passwords_out: Option<PathBuf>,
    },
    /// Cancel an unfinished job: the rows not done are left undone.
    Cancel {
        job: String,
        #[arg(long)]
        yes: bool,
    },
    /// Write a job's per-row results to a CSV file (failures first), ready to fix and import again.
    Results {
        job: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Every mailbox (of all domains, or one) with usage, size, enabled, last login, forwarding,
    /// auto-reply and aliases: the starting point of an update job.
    Mailboxes {
        #[arg(long)]
        domain: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// A domain's Hosted Exchange mailboxes with size and usage.
    ExMailboxes {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// A domain's contacts, in the columns of a contact import.
    Contacts {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// A domain's distribution lists, one row per member and per allowed sender.
    Lists {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Every spam list of a domain — its own and each mailbox's — one row per entry, in the
    /// columns of a spam-list job (target, list, entry).
    Spam {
        /// The domain.
        #[arg(required_unless_present = "domain_flag", conflicts_with = "domain_flag")]
        domain: Option<String>,
        /// The domain (the same as DOMAIN, as the other exports take it).
        #[arg(long = "domain", value_name = "DOMAIN")]
        domain_flag: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
}

fn store() -> Result<Arc<JobStore>, Failure> {
    Ok(Arc::new(JobStore::open_default()?))
}

/// One progress line for the planning and export steps (see [`crate::Progress`]); an empty
/// message clears it.
fn progress_line(progress: &crate::Progress, done: u64, total: u64, msg: &str) {
    if msg.is_empty() {
        progress.clear();
    } else {
        progress.update(done, total, msg);
    }
}

fn absolute(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())).display().to_string()
}

fn maps(args: &[String]) -> Result<Vec<(String, Option<String>)>, Failure> {
    args.iter().map(|a| input::parse_map(a).map_err(crate::user_error)).collect()
}

/// A column problem's fix, said with this edge's control: `--map`.
pub(crate) fn map_fix(f: &rackdesk_core::bulk::ColumnFix) -> String {
    use rackdesk_core::bulk::ColumnFix as F;
    match f {
        F::NameOrLeaveOut { theirs } => format!("Say which column it is with --map \"{theirs}=COLUMN\", or leave it out with --map \"{theirs}=-\"."),
        F::LeaveOut { theirs } => format!("Leave the others out with --map \"{theirs}=-\"."),
        F::Choose { ours } => format!("If one of the file's columns holds it, say so with --map \"THEIRS={ours}\"."),
        F::ChangeMatching { theirs } => format!("Change or remove --map \"{theirs}=…\"."),
    }
}

/// Reads and checks the file, reads what the server has, and plans (the core's use case);
/// file-level problems are listed and refused here.
async fn make_plan(client: &rackdesk_core::Client, store: &JobStore, file: &Path, kind: JobKind, map: &[(String, Option<String>)]) -> Result<jobs::Planned, Failure> {
    let f = JobFile::read(file)?;
    let progress = crate::Progress::stderr();
    let planned = jobs::plan(client, store, kind, f, map.to_vec(), &|m: &str| progress_line(&progress, 0, 0, m)).await?;
    progress.clear();
    if planned.plan.is_none() {
        for p in planned.problems(&map_fix) {
            eprintln!("{p}");
        }
        return Err(crate::user_error(format!(
            "{} cannot be used as it is: {} to fix first (listed above). Nothing was sent to Rackspace.",
            file.display(),
            count(planned.errors(), "problem", "problems")
        )));
    }
    Ok(planned)
}

fn print_plan(format: Format, file: &Path, p: &Plan, all_rows: bool) -> Outcome {
    match format {
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(p).unwrap_or_default());
            return Ok(());
        }
        Format::Csv => {
            let rows = p.rows.iter().map(|r| vec![r.row.to_string(), r.target.clone(), r.text.clone()]).collect();
            print_table(format, &Table { header: vec!["row", "target", "plan"], rows, items: Vec::<()>::new(), summary: None })?;
            return Ok(());
        }
        Format::Table => {}
    }
    println!("Plan: {} from {} (row numbers as in a spreadsheet: the header is row 1).", p.kind.label(), file.display());
    for n in &p.notes {
        println!("  {n}");
    }
    let changing: Vec<_> = p.rows.iter().filter(|r| all_rows || r.op.as_ref().is_none_or(|o| o.steps() > 0)).collect();
    let shown: Vec<_> = if all_rows || changing.len() <= 30 { changing.clone() } else { changing.iter().take(20).cloned().collect() };
    if !shown.is_empty() {
        println!();
        let rows = shown.iter().map(|r| vec![r.row.to_string(), r.target.clone(), r.text.clone()]).collect();
        print_table(Format::Table, &Table { header: vec!["row", "address", "what will happen"], rows, items: Vec::<()>::new(), summary: None })?;
        if shown.len() < changing.len() {
            println!("… and {} more rows (`rackdesk bulk plan` lists them all).", changing.len() - shown.len());
        }
    }
    if !p.problems.is_empty() {
        println!();
        println!("Problems:");
        for x in &p.problems {
            println!("  {}", x.text_with(&map_fix));
        }
    }
    let c = &p.counts;
    println!();
    println!(
        "{}: {} to create, {} to change, {} to delete, {} without changes, {} with errors. {}, {}.",
        count(c.rows, "row", "rows"),
        c.creates,
        c.changes,
        c.deletes,
        c.no_change,
        c.with_errors,
        count(c.errors, "error", "errors"),
        count(c.warnings, "warning", "warnings")
    );
    println!(
        "Rackspace calls: {} and {}; {} at Rackspace's published limits (30 changes and 60 reads a minute). Checking the file took {}.",
        count(p.writes as usize, "change", "changes"),
        count(p.reads as usize, "read", "reads"),
        eta_text(p.eta_secs),
        count(p.checked_with_reads as usize, "read", "reads")
    );
    Ok(())
}

/// Writes passwords to the file the person chose, as each row is done (flushed to disk).
struct FileSink {
    file: Mutex<std::fs::File>,
}

impl FileSink {
    fn open(path: &Path) -> Result<FileSink, Failure> {
        // A new file only, owner-only: an existing file is never appended to or overwritten.
        let mut file = rackdesk_core::csv_safe::create_private_new(path).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::File,
            message: if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!("{} already exists; Rackdesk never adds passwords to an existing file. Choose a new file name; nothing was changed.", path.display())
            } else {
                format!("Rackdesk could not create {} for the passwords; nothing was changed.", path.display())
            },
            detail: Some(e.to_string()),
            code: exit::USER_ERROR,
        })?;
        writeln!(file, "row,address,password")?;
        eprintln!(
            "Warning: {} will hold passwords in plain text. Hand them over by a safe route, then delete the file. Rackdesk does not keep them.",
            path.display()
        );
        Ok(FileSink { file: Mutex::new(file) })
    }
}

impl PasswordSink for FileSink {
    fn deliver(&self, row: usize, address: &str, password: &SecretString) -> bool {
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // Generated passwords have no commas or quotes; addresses neither.
        writeln!(f, "{row},{address},{}", password.expose_secret()).is_ok() && f.flush().is_ok() && f.sync_data().is_ok()
    }
}

fn confirm(question: &str, yes: bool) -> Outcome {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(crate::user_error(format!("{question} Run the command again with --yes to confirm. Nothing was changed.")));
    }
    eprint!("{question} Type yes to go ahead: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    if line.trim().eq_ignore_ascii_case("yes") || line.trim().eq_ignore_ascii_case("y") {
        Ok(())
    } else {
        Err(crate::user_error("Not confirmed. Nothing was changed."))
    }
}

/// Runs a job (new or resumed) with progress on standard error and Ctrl+C to stop.
async fn run_job(cli: &Cli, ops: rackdesk_core::ops::Ops, store: Arc<JobStore>, job: &JobInfo, passwords_out: Option<&Path>, format: Format) -> Outcome {
    let mut opts = jobs::RunOptions { file: std::fs::read(&job.file_path).ok(), ..Default::default() };
    if let Some(p) = passwords_out {
        opts.sink = Some(Arc::new(FileSink::open(p)?));
    }
    let control = jobs::reserve(&job.id)?;
    let progress = Arc::new(crate::Progress::stderr());
    let shown = progress.clone();
    opts.events = Some(Arc::new(move |ev: &JobEvent| match ev {
        JobEvent::Progress(p) => {
            let done = p.done + p.failed + p.skipped;
            let line = format!(
                "{} of {} rows done, {} failed{} — {} left",
                done,
                p.total,
                p.failed,
                if p.paused { " (paused)" } else { "" },
                eta_text(p.eta_secs)
            );
            shown.update(done as u64, p.total as u64, &line);
        }
        JobEvent::Row { row, target, state: RowState::Failed, message } => shown.note(&format!("Row {row} ({target}) failed: {message}")),
        JobEvent::Row { .. } => {}
        JobEvent::Note { message } => shown.note(message),
    }));
    {
        let c = control.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nStopping after the current row… (the job can be resumed with `rackdesk bulk resume`)");
                c.stop();
            }
        });
    }
    eprintln!(
        "Job {}: {}, {} to do. Stop it any time with Ctrl+C and resume it later.",
        job.id,
        job.kind.label(),
        count(job.counts.open(), "row", "rows")
    );
    let report = jobs::run(ops, store.clone(), &job.id, opts).await;
    progress.clear();
    let report = report?;
    finish(cli, &store, report, format)
}

fn finish(_cli: &Cli, store: &JobStore, report: RunReport, format: Format) -> Outcome {
    let j = &report.job;
    let c = &j.counts;
    let passwords: Vec<serde_json::Value> =
        report.passwords.iter().map(|p| serde_json::json!({"row": p.row, "address": p.address, "password": p.password.expose_secret()})).collect();
    match format {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"job": j, "passwords": passwords, "lostPasswords": report.lost_passwords, "stopped": report.stopped}))
                    .unwrap_or_default()
            );
        }
        _ => {
            println!(
                "Job {} ({}): {} — {} done, {} failed, {} without changes{}.",
                j.id,
                j.kind.label(),
                j.state.as_str(),
                c.done,
                c.failed,
                c.skipped,
                if c.open() > 0 { format!(", {} not done yet", c.open()) } else { String::new() }
            );
            if !report.passwords.is_empty() {
                println!();
                println!("New passwords — shown only this once; Rackdesk does not keep them. Give each to its person by a safe route:");
                let rows = report.passwords.iter().map(|p| vec![p.address.clone(), p.password.expose_secret().to_owned()]).collect();
                print_table(if format == Format::Csv { Format::Csv } else { Format::Table }, &Table { header: vec!["address", "password"], rows, items: Vec::<()>::new(), summary: None })?;
            }
        }
    }
    // Printed: only now are they delivered.
    let seqs: Vec<usize> = report.passwords.iter().map(|p| p.seq).collect();
    jobs::passwords_delivered(store, &j.id, &seqs)?;
    if !report.lost_passwords.is_empty() {
        eprintln!(
            "Rackdesk stopped before it could show the new passwords of: {}. Reset them: `rackdesk mailbox reset-password ADDRESS --generate-password` (or a reset-password job).",
            report.lost_passwords.join(", ")
        );
    }
    if c.failed > 0 {
        eprintln!("Write the per-row results with `rackdesk bulk results {} --out results.csv`; fix the failed rows there and import the file again as a new job.", j.id);
    }
    if let Some(s) = &report.stopped {
        return Err(Failure { kind: rackdesk_core::ErrorKind::JobUnfinished, message: format!("{s} Resume with `rackdesk bulk resume {}`.", j.id), detail: None, code: exit::FAILURE });
    }
    if c.failed > 0 {
        let rows = store.rows(&j.id)?;
        let kinds: Vec<&str> = rows.iter().filter(|r| r.state == RowState::Failed).filter_map(|r| r.error_kind.as_deref()).collect();
        let code = if kinds.contains(&"not-allowed") {
            exit::NOT_ALLOWED
        } else if kinds.iter().all(|k| matches!(*k, "invalid-input" | "rejected" | "conflict" | "not-found")) {
            exit::USER_ERROR
        } else {
            exit::SERVER
        };
        // The kind of the first failed row whose exit code is the job's.
        let kind = kinds.iter().filter_map(|k| rackdesk_core::ErrorKind::parse(k)).find(|k| crate::failure::exit_code(*k) == code).unwrap_or(
            if code == exit::USER_ERROR { rackdesk_core::ErrorKind::Rejected } else { rackdesk_core::ErrorKind::ServerFault },
        );
        return Err(Failure { kind, message: format!("{} of job {} failed; the other rows were applied.", count(c.failed, "row", "rows"), j.id), detail: None, code });
    }
    Ok(())
}

fn require(role: rackdesk_core::identity::Role, kind: JobKind) -> Result<(), Failure> {
    for a in kind.actions() {
        policy::check(role, a).map_err(|r| Failure { kind: rackdesk_core::ErrorKind::NotAllowed, message: r.message(), detail: None, code: exit::NOT_ALLOWED })?;
    }
    Ok(())
}

pub async fn bulk(cli: &Cli, cmd: &BulkCmd, format: Format) -> Outcome {
    match cmd {
        BulkCmd::Template { job } => {
            let kind = job.kind();
            print!("{}", kind.template());
            eprintln!("Columns of a {} job ({}); only the first is required unless marked:", kind.name(), kind.label());
            for c in kind.columns() {
                eprintln!("  {}{}: {}", c.name, if c.required { " (required)" } else { "" }, c.help);
            }
            eprintln!("UTF-8, comma or semicolon, quoted fields allowed. Other headers can be matched with --map THEIRS=OURS.");
        }
        BulkCmd::Plan { file, job, map } => {
            let kind = job.kind();
            let session = crate::session(cli)?;
            let planned = make_plan(&session.client, &*store()?, file, kind, &maps(map)?).await?;
            let p = planned.planned()?;
            print_plan(format, file, p, true)?;
            if let Err(f) = require(session.actor.operator.role, kind) {
                eprintln!("Note: {}", f.message);
            }
            if p.has_errors() {
                return Err(crate::user_error(format!(
                    "{} must be fixed before this job can start (listed above). Nothing was sent to Rackspace.",
                    count(p.counts.errors, "problem", "problems")
                )));
            }
        }
        BulkCmd::Apply { file, job, map, yes, passwords_out } => {
            let kind = job.kind();
            let map = maps(map)?;
            let store = store()?;
            let mut ops = crate::ops(cli).await?;
            Runner::permitted(&ops, kind, &absolute(file))?;
            let planned = make_plan(&ops.session.client, &store, file, kind, &map).await?;
            let p = planned.planned()?;
            if format == Format::Json {
                // Standard output carries only the job's JSON; the problems go to standard error.
                for x in &p.problems {
                    eprintln!("{}", x.text_with(&map_fix));
                }
            } else {
                print_plan(format, file, p, false)?;
            }
            if p.has_errors() {
                return Err(crate::user_error(format!(
                    "{} must be fixed before this job can start (listed above). Nothing was changed.",
                    count(p.counts.errors, "problem", "problems")
                )));
            }
            let n = p.changing_rows();
            if n == 0 {
                println!("Nothing to change: every row is already as the file says.");
                return Ok(());
            }
            let warnings = p.warnings();
            confirm(
                &format!(
                    "Apply {} to account {}{}?",
                    count(n, "row", "rows"),
                    ops.session.actor.account,
                    if warnings > 0 { format!(", accepting {}", count(warnings, "warning", "warnings")) } else { String::new() }
                ),
                *yes,
            )?;
            let job = jobs::start(&ops, &store, &planned)?;
            ops.correlation_id = Some(job.id.clone());
            run_job(cli, ops, store, &job, passwords_out.as_deref(), format).await?;
        }
        BulkCmd::Resume { job, yes, passwords_out } => {
            let store = store()?;
            let j = jobs::to_resume(&store, job.as_deref())?;
            eprintln!(
                "Job {} ({} from {}): {}, {} of {} rows left, {}.",
                j.id,
                j.kind.label(),
                j.file_path,
                j.state_text(),
                j.counts.open(),
                j.counts.total,
                eta_text(j.summary.eta_secs.saturating_mul(j.counts.open() as u64) / (j.counts.total.max(1) as u64))
            );
            confirm(&format!("Resume job {}?", j.id), *yes)?;
            let ops = crate::ops(cli).await?;
            run_job(cli, ops, store, &j, passwords_out.as_deref(), format).await?;
        }
        BulkCmd::Status { job: None } => {
            let store = store()?;
            let jobs: Vec<_> = rackdesk_core::bulk::jobs::list(&store)?.into_iter().map(|l| l.info).collect();
            let rows = jobs
                .iter()
                .map(|j| {
                    vec![
                        j.id.clone(),
                        j.kind.name().to_owned(),
                        j.state_text().to_owned(),
                        format!("{} done, {} failed, {} of {}", j.counts.done, j.counts.failed, j.counts.finished(), j.counts.total),
                        Path::new(&j.file_path).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
                        j.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    ]
                })
                .collect();
            let unfinished: Vec<String> = jobs.iter().filter(|j| !j.state.is_finished()).map(|j| j.id.clone()).collect();
            let mut summary = count(jobs.len(), "job", "jobs");
            if let Some(first) = unfinished.first() {
                summary.push_str(&format!(" — {} unfinished; resume with `rackdesk bulk resume {first}`", unfinished.len()));
            }
            print_table(format, &Table { header: vec!["job", "type", "state", "rows", "file", "created (UTC)"], rows, items: jobs, summary: Some(summary) })?;
        }
        BulkCmd::Status { job: Some(id) } => {
            let store = store()?;
            let j = store.job(id)?;
            let rows = store.rows(id)?;
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({"job": j, "rows": rows})).unwrap_or_default());
                return Ok(());
            }
            let c = &j.counts;
            let fields = vec![
                ("Job", j.id.clone()),
                ("Type", j.kind.label().to_owned()),
                ("File", j.file_path.clone()),
                ("State", format!("{}{}", j.state_text(), j.message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default())),
                ("Rows", format!("{} done, {} failed, {} without changes, {} not done yet, {} cancelled (of {})", c.done, c.failed, c.skipped, c.open(), c.cancelled, c.total)),
                ("Account", format!("{} through {}", j.account, j.identity_label)),
                ("Operator", j.operator.clone()),
                ("Created (UTC)", j.created_at.format("%Y-%m-%d %H:%M:%S").to_string()),
            ];
            crate::print_record(format, &fields, &j)?;
            if c.passwords_lost > 0 {
                println!("{} generated passwords were never shown (Rackdesk stopped first): reset those mailboxes' passwords.", c.passwords_lost);
            }
            let failed: Vec<_> = rows.iter().filter(|r| r.state == RowState::Failed).collect();
            if !failed.is_empty() && format == Format::Table {
                println!();
                println!("Failed rows:");
                for r in failed {
                    println!("  Row {} ({}): {}", r.row, r.target, results::message(r));
                }
            }
            if !j.state.is_finished() {
                println!("Resume with `rackdesk bulk resume {}`.", j.id);
            }
        }
        BulkCmd::Cancel { job, yes } => {
            let store = store()?;
            let j = store.job(job)?;
                confirm(&format!("Cancel job {}? Its {} not done will stay undone.", j.id, count(j.counts.open(), "row", "rows")), *yes)?;
            println!("{}", jobs::cancel(&store, &j.id)?);
        }
        BulkCmd::Results { job, out } => {
            let store = store()?;
            let j = store.job(job)?;
            let rows = store.rows(job)?;
            let file = std::fs::File::create(out).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::File,
                message: format!("Rackdesk could not write {}.", out.display()),
                detail: Some(e.to_string()),
                code: exit::USER_ERROR,
            })?;
            let n = results::write_csv(&j, &rows, std::io::BufWriter::new(file))?;
            println!(
                "Wrote {} to {} (failures first). Fix the failed rows and import the file again as a new job; rows marked done are skipped.",
                count(n, "row", "rows"),
                out.display()
            );
        }
    }
    Ok(())
}

pub async fn export(cli: &Cli, cmd: &ExportCmd) -> Outcome {
    let session = crate::session(cli)?;
    policy::check(session.actor.operator.role, policy::Action::Export).map_err(|r| Failure { kind: rackdesk_core::ErrorKind::NotAllowed, message: r.message(), detail: None, code: exit::NOT_ALLOWED })?;
    let (domain, out) = match cmd {
        ExportCmd::Mailboxes { domain, out } => (domain, out),
        ExportCmd::Spam { domain, domain_flag, out } => {
            let d = domain.as_deref().or(domain_flag.as_deref()).unwrap_or_default();
            return export_spam(&session.client, d, out).await;
        }
        ExportCmd::ExMailboxes { domain, out } | ExportCmd::Contacts { domain, out } | ExportCmd::Lists { domain, out } => {
            return export_exchange(&session.client, cmd, domain, out).await;
        }
    };
    let c = &session.client;
    let domains: Vec<String> = match domain {
        Some(d) => vec![rackdesk_core::names::domain_name(d)?],
        None => c.domains().await?.into_iter().map(|d| d.name).collect(),
    };
    let mut rows = Vec::new();
    let progress = crate::Progress::stderr();
    for d in &domains {
        let part = rackdesk_core::export::collect_mailboxes(c, d, &|done, total| {
            if done == 1 || done % 25 == 0 || done == total {
                let left = plan::eta((total - done) as u64, 0, c.config().scheduler.limits()).as_secs();
                progress_line(&progress, done as u64, total as u64, &format!("{d}: read {done} of {total} mailboxes — {} left", eta_text(left)));
            }
        })
        .await?;
        rows.extend(part);
    }
    progress.clear();
    let file = std::fs::File::create(out).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::File,
        message: format!("Rackdesk could not write {}.", out.display()),
        detail: Some(e.to_string()),
        code: exit::USER_ERROR,
    })?;
    let n = rackdesk_core::export::full_mailboxes_csv(&rows, std::io::BufWriter::new(file))?;
    println!(
        "Wrote {} from {} to {}. Edit it and use it as an update job: `rackdesk bulk plan {} --job update`.",
        count(n, "mailbox", "mailboxes"),
        count(domains.len(), "domain", "domains"),
        out.display(),
        out.display()
    );
    Ok(())
}

/// Every spam list of a domain and its mailboxes: read first (four reads per owner, with
/// progress), then the file is written.
async fn export_spam(c: &rackdesk_core::Client, domain: &str, out: &Path) -> Outcome {
    let domain = rackdesk_core::names::domain_name(domain)?;
    let progress = crate::Progress::stderr();
    let owners = rackdesk_core::spam::export::collect(c, &domain, &|done, total| {
        if done == 1 || done % 10 == 0 || done == total {
            let left = plan::eta(4 * (total - done) as u64, 0, c.config().scheduler.limits()).as_secs();
            let line = format!("{domain}: read the lists of {done} of {total} (the domain and its mailboxes) — {} left", eta_text(left));
            progress_line(&progress, done as u64, total as u64, &line);
        }
    })
    .await?;
    progress.clear();
    let file = std::fs::File::create(out).map_err(|e| Failure {
        kind: rackdesk_core::ErrorKind::File,
        message: format!("Rackdesk could not write {}.", out.display()),
        detail: Some(e.to_string()),
        code: exit::USER_ERROR,
    })?;
    let n = rackdesk_core::spam::export::spam_csv(&owners, std::io::BufWriter::new(file))?;
    let with = owners.iter().filter(|o| !o.lists.is_empty()).count();
    println!(
        "Wrote {} of {domain} ({} with entries, of {} read) to {}. Edit it and use it as a spam-list job: `rackdesk bulk plan {} --job spam-list`.",
        count(n, "spam list entry", "spam list entries"),
        count(with, "owner", "owners"),
        owners.len(),
        out.display(),
        out.display()
    );
    Ok(())
}

/// Exchange exports: everything is read first, then the file is written.
async fn export_exchange(c: &rackdesk_core::Client, cmd: &ExportCmd, domain: &str, out: &Path) -> Outcome {
    use rackdesk_core::exchange::export as ex;
    let domain = rackdesk_core::names::domain_name(domain)?;
    let create = || {
        std::fs::File::create(out).map(std::io::BufWriter::new).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::File,
            message: format!("Rackdesk could not write {}.", out.display()),
            detail: Some(e.to_string()),
            code: exit::USER_ERROR,
        })
    };
    let (n, what) = match cmd {
        ExportCmd::ExMailboxes { .. } => {
            let rows = ex::collect_ex_mailboxes(c, &domain).await?;
            (ex::ex_mailboxes_csv(&domain, &rows, create()?)?, count(rows.len(), "Exchange mailbox", "Exchange mailboxes"))
        }
        ExportCmd::Contacts { .. } => {
            let rows = ex::collect_contacts(c, &domain).await?;
            (ex::contacts_csv(&domain, &rows, create()?)?, count(rows.len(), "contact", "contacts"))
        }
        _ => {
            let lists = ex::collect_lists(c, &domain).await?;
            (ex::lists_csv(&lists, create()?)?, count(lists.len(), "distribution list", "distribution lists"))
        }
    };
    println!("Wrote {what} of {domain} to {} ({}).", out.display(), count(n, "row", "rows"));
    Ok(())
}
