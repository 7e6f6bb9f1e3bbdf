//! `rackdesk journal list|export|verify`.

use crate::{exit, print_table, Failure, Format, Outcome, Table};
use clap::{Args, Subcommand};
use rackdesk_core::journal::{words, Filter, FilterText, Journal};

#[derive(Args, Clone)]
pub struct FilterArgs {
    /// Only entries by this operator.
    #[arg(long)]
    operator: Option<String>,
    /// Only entries whose target contains this text (a mailbox, an alias, a domain).
    #[arg(long)]
    target: Option<String>,
    /// Only this action: a code (mailbox.reset-password, mailbox.*) or plain words (reset, delete, alias).
    #[arg(long)]
    action: Option<String>,
    /// From this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    since: Option<String>,
    /// Up to this day, inclusive (YYYY-MM-DD, UTC).
    #[arg(long)]
    until: Option<String>,
    /// success, failed, refused, unknown, reconciled or pending.
    #[arg(long)]
    result: Option<String>,
    /// Entries of one bulk job.
    #[arg(long)]
    correlation_id: Option<String>,
}

#[derive(Subcommand)]
pub enum JournalCmd {
    /// The newest entries, newest first.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Write entries to a CSV file.
    Export {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check that no entry was edited or deleted since it was written.
    Verify,
}

fn filter(a: &FilterArgs, limit: Option<usize>) -> Result<Filter, Failure> {
    let text = FilterText {
        operator: a.operator.clone(),
        target: a.target.clone(),
        action: a.action.clone(),
        since: a.since.clone(),
        until: a.until.clone(),
        result: a.result.clone(),
        correlation_id: a.correlation_id.clone(),
        limit,
    };
    Ok(Filter::from_text(&text)?)
}


pub fn journal(cmd: &JournalCmd, format: Format) -> Outcome {
    let j = Journal::open(&Journal::default_path()?)?;
    match cmd {
        JournalCmd::List { filter: f, limit } => {
            let entries = j.query(&filter(f, Some(*limit))?)?;
            let rows = entries
                .iter()
                .map(|e| {
                    vec![
                        e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        format!("{} ({})", e.operator, e.role),
                        match &e.api_admin {
                            Some(a) => format!("{a} @ {}{}", e.account, if e.sandbox { " (sandbox)" } else { "" }),
                            None => format!("{} @ {}{}", e.identity_label, e.account, if e.sandbox { " (sandbox)" } else { "" }),
                        },
                        words::summary(e),
                        words::result_words(e.outcome.as_ref()),
                    ]
                })
                .collect();
            let summary = Some(crate::count(entries.len(), "entry", "entries") + " (newest first, UTC)");
            print_table(format, &Table { header: vec!["time (UTC)", "operator", "through", "what", "result"], rows, items: entries, summary })?;
        }
        JournalCmd::Export { filter: f, out } => {
            let file = std::fs::File::create(out).map_err(|e| Failure { kind: rackdesk_core::ErrorKind::File,
                message: format!("Rackdesk could not write {}.", out.display()),
                detail: Some(e.to_string()),
                code: exit::USER_ERROR,
            })?;
            let n = j.export_csv(&filter(f, None)?, std::io::BufWriter::new(file))?;
            println!("Wrote {} to {}.", crate::count(n, "entry", "entries"), out.display());
        }
        JournalCmd::Verify => {
            let report = j.verify()?;
            if report.problems.is_empty() {
                println!("The journal is intact: {} rows, none edited or deleted.", report.rows);
            } else {
                for p in &report.problems {
                    eprintln!("{}", p.message);
                }
                return Err(Failure { kind: rackdesk_core::ErrorKind::Journal,
                    message: format!(
                        "The journal has been tampered with: {} found. Keep a copy of the file {} for investigation.",
                        crate::count(report.problems.len(), "problem", "problems"),
                        j.path().display()
                    ),
                    detail: None,
                    code: exit::FAILURE,
                });
            }
        }
    }
    Ok(())
}
