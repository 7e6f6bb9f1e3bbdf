//! The per-row results file: failures first, then rows not done, then the rest. Its columns
//! are `result`, `message`, `sourceRow` and then the job's own columns, so a person can fix
//! the failed rows and import the same file as a new job: rows marked `done` or `no change`
//! are skipped then. Passwords are never written (the password column is left empty).
//! Cells a spreadsheet would run as formulas are written with a leading `'`
//! ([`crate::csv_safe`]); the import takes it off again.

use super::store::{JobInfo, JobRow, RowState, SecretState};
use crate::csv_safe::write_record;
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
    write_record(&mut w, &header)?;
    let mut sorted: Vec<&JobRow> = rows.iter().collect();
    sorted.sort_by_key(|r| (rank(r), r.seq));
    for r in &sorted {
        let mut rec = vec![result_word(r).to_owned(), message(r), r.row.to_string()];
        for c in &cols {
            rec.push(if *c == "password" { String::new() } else { r.cells.get(*c).cloned().unwrap_or_default() });
        }
        write_record(&mut w, &rec)?;
    }
    w.flush()?;
    Ok(sorted.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::store::JobState;
    use crate::bulk::{input, JobKind};

    #[test]
    fn formula_cells_are_neutralized_and_read_back() {
        let now = chrono::Utc::now();
        let job = JobInfo {
            id: "j1".into(),
            kind: JobKind::Update,
            file_path: "people.csv".into(),
            file_sha256: String::new(),
            mapping: vec![],
            account: "123".into(),
            identity_label: "Main".into(),
            api_url: "http://127.0.0.1:1/v1".into(),
            operator: "op".into(),
            created_at: now,
            updated_at: now,
            finished_at: None,
            state: JobState::Done,
            message: None,
            summary: Default::default(),
            counts: Default::default(),
            interrupted: false,
        };
        let cells = [("email", "a@example.com"), ("displayName", "=HYPERLINK(\"x\")"), ("autoReply", "@SUM(A1)")];
        let row = JobRow {
            seq: 0,
            row: 2,
            target: "a@example.com".into(),
            op: None,
            text: "change".into(),
            cells: cells.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            state: RowState::Failed,
            step: 0,
            result: Some("-failed: the server said no".into()),
            error_kind: None,
            detail: None,
            secret: None,
            attempts: 1,
        };
        let mut buf = Vec::new();
        assert_eq!(write_csv(&job, &[row], &mut buf).unwrap(), 1);
        let text = String::from_utf8(buf.clone()).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\"") && text.contains("'@SUM(A1)") && text.contains("'-failed"), "{text}");
        let back = input::read(&buf, JobKind::Update, &[]);
        assert!(!back.has_errors(), "{:?}", back.problems);
        assert_eq!(back.rows[0].get("displayName"), Some("=HYPERLINK(\"x\")"));
        assert_eq!(back.rows[0].get("autoReply"), Some("@SUM(A1)"));
        assert_eq!(back.rows[0].prior_result.as_deref(), Some("failed"));
    }
}
