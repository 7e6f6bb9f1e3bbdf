//! The per-row results file: failures first, then rows not done, then the rest. Its columns
//! are `result`, `message`, `sourceRow` and then the job's own columns, so a person can fix
//! the failed rows and import the same file as a new job: rows marked `done` or `no change`
//! are skipped then. Passwords are never written (the password column is left empty).

use super::store::{JobInfo, JobRow, RowState, SecretState};
use std::io::Write;

/// The `result` word of a row.
pub fn result_word(r: &JobRow) -> &'static str {
    match r.state {
        RowState::Failed => "failed",
        RowState::Pending | RowState::InFlight | RowState::Cancelled => "not done",
        RowState::Done => "done",
        RowState::Skipped => "no change",
    }
}

fn rank(r: &JobRow) -> u8 {
    match r.state {
        RowState::Failed => 0,
        RowState::Pending | RowState::InFlight | RowState::Cancelled => 1,
        RowState::Done => 2,
        RowState::Skipped => 3,
    }
}

/// The row's message: what happened, the server's words, and a lost password.
pub fn message(r: &JobRow) -> String {
    let mut m = r.result.clone().unwrap_or_else(|| match r.state {
        RowState::Pending | RowState::InFlight => "not done yet: resume the job".into(),
        _ => r.text.clone(),
    });
    if let Some(d) = &r.detail {
        m.push_str(&format!(" Details: {d}"));
    }
    if r.secret == Some(SecretState::Lost) && !m.contains("never shown") {
        m.push_str(" The generated password was never shown: reset it.");
    }
    m
}

/// Writes the results of `rows` as CSV (UTF-8, comma). Returns the number of rows written.
pub fn write_csv<W: Write>(job: &JobInfo, rows: &[JobRow], out: W) -> std::io::Result<usize> {
    let cols: Vec<&str> = job.kind.columns().iter().map(|c| c.name).collect();
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["result", "message", "sourceRow"];
    header.extend(&cols);
    w.write_record(&header)?;
    let mut sorted: Vec<&JobRow> = rows.iter().collect();
    sorted.sort_by_key(|r| (rank(r), r.seq));
    for r in &sorted {
        let mut rec = vec![result_word(r).to_owned(), message(r), r.row.to_string()];
        for c in &cols {
            rec.push(if *c == "password" { String::new() } else { r.cells.get(*c).cloned().unwrap_or_default() });
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(sorted.len())
}
