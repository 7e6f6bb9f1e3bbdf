//! Reading a bulk CSV: encoding, delimiter, header mapping, ragged rows.
//!
//! Accepts what spreadsheet programs write: UTF-8 with or without a byte-order mark, comma,
//! semicolon (European Excel) or tab as the delimiter (guessed from the header line), and
//! quoted fields with embedded delimiters, quotes and line breaks. Headers are matched to our
//! columns without regard to case, spaces, `-`, `_` or `.`, and through a few common
//! synonyms ("E-mail" → `email`); `--map theirs=ours` says it explicitly, `--map theirs=-`
//! drops a column. A column we do not know is an error, never silently ignored.

use super::{ColumnFix, JobKind, Problem};
use crate::csv_safe;
use secrecy::SecretString;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Most data rows (below the header) a file may have. Far above any onboarding; keeps a wrong
/// file from running for days.
pub const MAX_ROWS: usize = 20_000;

/// Largest file read, in bytes (20 MiB): a few times what [`MAX_ROWS`] rows of our columns
/// take. A bigger file is refused before it is parsed.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Most cells a row may have (the header included). Our jobs have at most ten columns;
/// exports from other systems have a few dozen.
pub const MAX_COLUMNS: usize = 100;

/// How a column of the file is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "use", content = "column")]
pub enum ColumnUse {
    /// Read as this column of ours.
    Ours(&'static str),
    /// One of our export's or results file's columns: read and ignored.
    Informational(&'static str),
    /// Dropped with `--map theirs=-`.
    Dropped,
    /// Not known (an error).
    Unknown,
}

/// One data row, its cells keyed by our column names. The password (if any) is kept apart,
/// as a secret, and never in `cells`.
#[derive(Clone)]
pub struct InputRow {
    /// Spreadsheet row number: the header is row 1.
    pub row: usize,
    pub cells: BTreeMap<&'static str, String>,
    pub password: Option<SecretString>,
    /// The `result` column of a results file we wrote ("done", "failed", ...), lower case.
    pub prior_result: Option<String>,
    /// The row's cells do not line up with the header (reported; not validated further).
    pub broken: bool,
}

impl InputRow {
    /// A cell, `None` when empty.
    pub fn get(&self, col: &str) -> Option<&str> {
        self.cells.get(col).map(String::as_str).filter(|s| !s.is_empty())
    }
}

impl fmt::Debug for InputRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputRow")
            .field("row", &self.row)
            .field("cells", &self.cells)
            .field("password", &self.password.as_ref().map(|_| "[given]"))
            .field("prior_result", &self.prior_result)
            .finish()
    }
}

/// A read file.
#[derive(Debug, Clone)]
pub struct CsvInput {
    pub kind: JobKind,
    /// The file's headers, as written.
    pub headers: Vec<String>,
    /// How each of the file's columns is used, in file order.
    pub uses: Vec<ColumnUse>,
    pub rows: Vec<InputRow>,
    pub delimiter: char,
    pub problems: Vec<Problem>,
    /// How headers were read ("Column \"E-mail\" is read as email."), for the plan.
    pub notes: Vec<String>,
    /// SHA-256 of the file's bytes, hex: tells whether a file changed since a job was planned.
    pub sha256: String,
}

impl CsvInput {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
}

/// Parses a `--map` argument: `theirs=ours`, or `theirs=-` to drop the column.
pub fn parse_map(arg: &str) -> Result<(String, Option<String>), String> {
    let Some((theirs, ours)) = arg.rsplit_once('=') else {
        return Err(format!("--map \"{arg}\" needs the form THEIRS=OURS, e.g. --map \"E-mail Address=email\" (or THEIRS=- to drop a column)."));
    };
    let (theirs, ours) = (theirs.trim(), ours.trim());
    if theirs.is_empty() || ours.is_empty() {
        return Err(format!("--map \"{arg}\" needs a column name on both sides of the ="));
    }
    Ok((theirs.to_owned(), (ours != "-").then(|| ours.to_owned())))
}

fn norm(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, ' ' | '-' | '_' | '.')).flat_map(char::to_lowercase).collect()
}

/// The SHA-256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn sniff_delimiter(text: &str) -> u8 {
    // Count candidates on the header line, outside quotes.
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                for (d, n) in counts.iter_mut() {
                    if *d == c {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // Ties go to the comma (first in the list).
    let mut best = counts[0];
    for c in &counts[1..] {
        if c.1 > best.1 {
            best = *c;
        }
    }
    best.0
}

/// Reads a bulk CSV for `kind`. Never fails: every problem is in [`CsvInput::problems`].
pub fn read(bytes: &[u8], kind: JobKind, maps: &[(String, Option<String>)]) -> CsvInput {
    let mut out = CsvInput {
        kind,
        headers: vec![],
        uses: vec![],
        rows: vec![],
        delimiter: ',',
        problems: vec![],
        notes: vec![],
        sha256: sha256_hex(bytes),
    };

    if bytes.len() > MAX_BYTES {
        file_err(&mut out.problems, format!(
            "The file is {} bytes ({:.1} MB); Rackdesk reads at most {} MB ({} bytes) for one job. Split it into smaller files.",
            thousands(bytes.len()),
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_BYTES / (1024 * 1024),
            thousands(MAX_BYTES)
        ));
        return out;
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        file_err(&mut out.problems, "The file is saved as UTF-16 text. Save it as \"CSV UTF-8\" (in Excel: File → Save As → CSV UTF-8) and try again.".into());
        return out;
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let line = body[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            file_err(&mut out.problems, format!(
                "The file is not UTF-8 text: line {line} has a character in another encoding (often an accented letter saved by an older Excel). \
                 Save it as \"CSV UTF-8\" (in Excel: File → Save As → CSV UTF-8) and try again."
            ));
            return out;
        }
    };
    if text.trim().is_empty() {
        file_err(&mut out.problems, "The file is empty. It needs a header row with the column names, then one row per change; the job's template shows an example.".into());
        return out;
    }
    let delim = sniff_delimiter(text);
    out.delimiter = delim as char;
    if let Some(m) = over_limits(text, delim) {
        file_err(&mut out.problems, m);
        return out;
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    let mut records: Vec<csv::StringRecord> = Vec::new();
    for r in reader.records() {
        match r {
            Ok(r) => records.push(r),
            Err(e) => {
                let row = records.len() + 1;
                out.problems.push(Problem::error(Some(row), None, format!("Row {row} could not be read as CSV ({e}). Check its quotes.")));
                return out;
            }
        }
    }
    let Some(header) = records.first() else {
        file_err(&mut out.problems, "The file has no header row.".into());
        return out;
    };
    out.headers = header.iter().map(|h| h.trim().to_owned()).collect();
    let cols = kind.columns();
    let col_names: Vec<&str> = cols.iter().map(|c| c.name).collect();

    // User maps: every THEIRS must be a header, every OURS one of our columns.
    let mut user: BTreeMap<String, Option<&'static str>> = BTreeMap::new();
    for (theirs, ours) in maps {
        if !out.headers.iter().any(|h| h.eq_ignore_ascii_case(theirs)) {
            out.problems.push(
                Problem::error(None, None, format!("The column \"{theirs}\" was matched, but the file has no such column. Its columns are: {}.", out.headers.join(", ")))
                    .with_fix(ColumnFix::ChangeMatching { theirs: theirs.clone() }),
            );
            continue;
        }
        let ours = match ours {
            None => None,
            Some(o) => match cols.iter().find(|c| norm(c.name) == norm(o)) {
                Some(c) => Some(c.name),
                None => {
                    out.problems.push(
                        Problem::error(None, None, format!(
                            "The file's column \"{theirs}\" was matched to \"{o}\", which is not a column of a {} job. Its columns are: {}.",
                            kind.name(),
                            col_names.join(", ")
                        ))
                        .with_fix(ColumnFix::ChangeMatching { theirs: theirs.clone() }),
                    );
                    continue;
                }
            },
        };
        user.insert(theirs.to_lowercase(), ours);
    }

    // Exact names first, then synonyms, so "email" in an aliases file is not taken as member
    // when an exact "member" column exists.
    let mut uses: Vec<ColumnUse> = vec![ColumnUse::Unknown; out.headers.len()];
    for (i, h) in out.headers.iter().enumerate() {
        if let Some(m) = user.get(&h.to_lowercase()) {
            uses[i] = match m {
                Some(c) => ColumnUse::Ours(c),
                None => ColumnUse::Dropped,
            };
        } else if let Some(c) = cols.iter().find(|c| norm(c.name) == norm(h)) {
            uses[i] = ColumnUse::Ours(c.name);
        }
    }
    for (i, h) in out.headers.iter().enumerate() {
        if uses[i] != ColumnUse::Unknown || h.is_empty() {
            continue;
        }
        let n = norm(h);
        let taken = |c: &str| uses.iter().any(|u| *u == ColumnUse::Ours(leak(c, cols)));
        if let Some(c) = cols.iter().find(|c| c.synonyms.iter().any(|s| norm(s) == n) && !taken(c.name)) {
            uses[i] = ColumnUse::Ours(c.name);
            out.notes.push(format!("Column \"{h}\" is read as {}.", c.name));
        } else if let Some(c) = kind.informational_columns().iter().find(|c| norm(c) == n) {
            uses[i] = ColumnUse::Informational(c);
        }
    }
    let informational: Vec<&str> = out.headers.iter().zip(&uses).filter(|(_, u)| matches!(u, ColumnUse::Informational(_))).map(|(h, _)| h.as_str()).collect();
    if !informational.is_empty() {
        out.notes.push(format!(
            "{} {} only for information (from an export or a results file) and will not be changed.",
            informational.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", "),
            if informational.len() == 1 { "is read" } else { "are read" }
        ));
    }
    // Which columns hold data (an unnamed column without data is harmless).
    let has_data = |i: usize| records.iter().skip(1).any(|r| r.get(i).is_some_and(|v| !v.trim().is_empty()));
    for (i, h) in out.headers.clone().iter().enumerate() {
        if uses[i] != ColumnUse::Unknown {
            continue;
        }
        if h.is_empty() {
            if has_data(i) {
                file_err(&mut out.problems, format!("Column {} has no name in the header row but holds data. Give it a name (one of: {}), or delete it.", i + 1, col_names.join(", ")));
            } else {
                uses[i] = ColumnUse::Dropped;
            }
            continue;
        }
        out.problems.push(
            Problem::error(
                None,
                Some(h),
                format!(
                    "\"{h}\" is not a column of a {} job, so Rackdesk would not know what to do with it. The columns are: {}.",
                    kind.name(),
                    col_names.join(", ")
                ),
            )
            .with_fix(ColumnFix::NameOrLeaveOut { theirs: h.clone() }),
        );
    }
    // Two file columns feeding one of ours.
    for c in &col_names {
        let idx: Vec<usize> = uses.iter().enumerate().filter(|(_, u)| **u == ColumnUse::Ours(leak(c, cols))).map(|(i, _)| i).collect();
        if idx.len() > 1 {
            let names: Vec<String> = idx.iter().map(|i| format!("\"{}\"", out.headers[*i])).collect();
            out.problems.push(
                Problem::error(None, None, format!("Columns {} are all read as {c}. Keep one and leave the others out.", names.join(" and ")))
                    .with_fix(ColumnFix::LeaveOut { theirs: out.headers[idx[1]].clone() }),
            );
        }
    }
    for c in cols.iter().filter(|c| c.required) {
        if !uses.contains(&ColumnUse::Ours(c.name)) {
            out.problems.push(
                Problem::error(None, None, format!(
                    "The file has no {} column, which a {} job needs ({}). Its columns are: {}.",
                    c.name,
                    kind.name(),
                    c.help,
                    out.headers.join(", ")
                ))
                .with_fix(ColumnFix::Choose { ours: c.name.to_owned() }),
            );
        }
    }
    out.uses = uses;

    // Fewer than MAX_ROWS rows, each of at most MAX_COLUMNS cells: checked by over_limits.
    let data = &records[1..];
    let width = out.headers.len();
    // An odd number of quotes: one opens and never closes, and the reader took the rest of
    // the file into that row's cell. It is the last record read.
    let unbalanced = text.bytes().filter(|b| *b == b'"').count() % 2 == 1;
    for (i, rec) in data.iter().enumerate() {
        let row = i + 2;
        if rec.iter().all(|v| v.trim().is_empty()) {
            continue; // blank lines and rows of empty cells, as spreadsheets leave at the end
        }
        let mut r = InputRow { row, cells: BTreeMap::new(), password: None, prior_result: None, broken: false };
        let extra_filled = rec.iter().skip(width).any(|v| !v.trim().is_empty());
        if unbalanced && i + 1 == data.len() {
            r.broken = true;
            out.problems.push(Problem::error(
                Some(row),
                None,
                "A quote (\") opens on this row and is never closed, so the rest of the file was read into this row. Check the quotes in this row.",
            ));
        } else if rec.len() < width || extra_filled {
            r.broken = true;
            out.problems.push(Problem::error(
                Some(row),
                None,
                format!(
                    "This row has {} cells but the header has {width}. A missing or extra quote (\") or {} in the row often causes this.",
                    rec.len(),
                    if delim == b';' { "semicolon" } else if delim == b'\t' { "tab" } else { "comma" }
                ),
            ));
        }
        for (j, u) in out.uses.iter().enumerate() {
            let raw = rec.get(j).unwrap_or("");
            match u {
                ColumnUse::Ours("password") if !raw.trim().is_empty() => {
                    r.password = Some(SecretString::from(raw.to_owned()));
                }
                ColumnUse::Ours("password") => {}
                // Our exports put a ' before cells a spreadsheet would run as formulas
                // (csv_safe); it is taken off again here. Never from passwords (above),
                // which we never write.
                ColumnUse::Ours(c) => {
                    r.cells.insert(c, csv_safe::unneutralize(raw.trim()).trim().to_owned());
                }
                ColumnUse::Informational("result") => {
                    let v = raw.trim().to_lowercase();
                    if !v.is_empty() {
                        r.prior_result = Some(v);
                    }
                }
                _ => {}
            }
        }
        out.rows.push(r);
    }
    if out.rows.is_empty() && !out.has_errors() {
        file_err(&mut out.problems, "The file has a header row but no rows below it: there is nothing to do.".into());
    }
    out
}

/// Counts the rows and the widest row without keeping them (one record buffer, reused), and
/// says which limit the file is over, if any. A CSV error stops the count: the reading that
/// follows reports it.
fn over_limits(text: &str, delim: u8) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut records = 0usize;
    let mut widest: Option<(usize, usize)> = None; // (row, cells) of the first row over the column limit
    while let Ok(true) = reader.read_byte_record(&mut record) {
        records += 1;
        if widest.is_none() && record.len() > MAX_COLUMNS {
            widest = Some((records, record.len()));
        }
    }
    if let Some((row, cells)) = widest {
        let which = if row == 1 { "The header row".to_owned() } else { format!("Row {row}") };
        return Some(format!(
            "{which} has {} columns; Rackdesk reads at most {MAX_COLUMNS}. Delete the columns the job does not need and try again.",
            thousands(cells)
        ));
    }
    let rows = records.saturating_sub(1);
    (rows > MAX_ROWS).then(|| {
        format!(
            "The file has {} rows; Rackdesk takes at most {} in one job. Split it into smaller files.",
            thousands(rows),
            thousands(MAX_ROWS)
        )
    })
}

/// 60123 → "60,123".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn file_err(problems: &mut Vec<Problem>, m: String) {
    problems.push(Problem::error(None, None, m));
}

/// Our `&'static str` for a column name.
fn leak(name: &str, cols: &'static [super::Column]) -> &'static str {
    cols.iter().find(|c| c.name == name).map(|c| c.name).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn errors(i: &CsvInput) -> Vec<String> {
        i.problems.iter().filter(|p| p.is_error()).map(|p| p.to_string()).collect()
    }

    #[test]
    fn reads_bom_semicolons_and_quotes() {
        let text = "\u{feff}E-mail Address;Display Name;Password;sizeMB\r\n\"jane@example.com\";\"Doe; Jane \"\"JD\"\"\";  Pa ss-Word9 ;2048\r\n;;;\r\nsam@example.com;\"Sam\nLee\";;\r\n";
        let i = read(text.as_bytes(), JobKind::Create, &[]);
        assert!(errors(&i).is_empty(), "{:?}", i.problems);
        assert_eq!(i.delimiter, ';');
        assert_eq!(i.rows.len(), 2);
        assert_eq!(i.rows[0].row, 2);
        assert_eq!(i.rows[0].get("email"), Some("jane@example.com"));
        assert_eq!(i.rows[0].get("displayName"), Some("Doe; Jane \"JD\""));
        // Passwords are kept as given (a stray space is the rule's business) and never in cells.
        assert_eq!(i.rows[0].password.as_ref().unwrap().expose_secret(), "  Pa ss-Word9 ");
        assert!(!i.rows[0].cells.contains_key("password"));
        assert!(!format!("{:?}", i.rows[0]).contains("Word9"));
        // Spreadsheet numbering: the empty row 3 is skipped, Sam is on row 4.
        assert_eq!(i.rows[1].row, 4);
        assert_eq!(i.rows[1].get("displayName"), Some("Sam\nLee"));
        assert!(i.notes.iter().any(|n| n.contains("\"E-mail Address\" is read as email")), "{:?}", i.notes);
    }

    #[test]
    fn unknown_missing_and_duplicate_columns_are_errors() {
        let i = read(b"email,Department\njane@example.com,Sales\n", JobKind::Create, &[]);
        let e = errors(&i);
        assert!(e.iter().any(|m| m.contains("column Department")), "{e:?}");
        assert!(e.iter().all(|m| !m.contains("--map") && !m.contains("Columns in the file")), "no edge's controls in the core's words: {e:?}");
        assert!(i.problems.iter().any(|p| p.fix == Some(ColumnFix::NameOrLeaveOut { theirs: "Department".into() })), "{:?}", i.problems);
        let i = read(b"email,Department\njane@example.com,Sales\n", JobKind::Create, &[("department".into(), None)]);
        assert!(errors(&i).is_empty(), "{:?}", i.problems);
        let i = read(b"Work address,name\njane@example.com,Jane\n", JobKind::Create, &[]);
        assert!(errors(&i).iter().any(|m| m.contains("no email column")), "{:?}", i.problems);
        let i = read(b"Work address,name\njane@example.com,Jane\n", JobKind::Create, &[("work address".into(), Some("email".into()))]);
        assert!(errors(&i).is_empty(), "{:?}", i.problems);
        assert_eq!(i.rows[0].get("email"), Some("jane@example.com"));
        assert_eq!(i.rows[0].get("displayName"), Some("Jane"));
        let i = read(b"email,mail\na@example.com,b@example.com\n", JobKind::Delete, &[]);
        assert!(errors(&i).iter().any(|m| m.contains("column mail")), "{:?}", i.problems);
        let i = read(b"email,mail\na@example.com,b@example.com\n", JobKind::Delete, &[("mail".into(), Some("email".into()))]);
        assert!(errors(&i).iter().any(|m| m.contains("all read as email")), "{:?}", i.problems);
        let i = read(b"email\na@example.com\n", JobKind::Delete, &[("nothere".into(), Some("email".into()))]);
        assert!(errors(&i).iter().any(|m| m.contains("\"nothere\" was matched, but the file has no such column")), "{:?}", i.problems);
        let i = read(b"email\na@example.com\n", JobKind::Delete, &[("email".into(), Some("colour".into()))]);
        assert!(errors(&i).iter().any(|m| m.contains("\"colour\", which is not a column of a delete job")));
    }

    #[test]
    fn export_and_results_columns_are_read_for_information() {
        let i = read(b"result,message,sourceRow,email,usedMB,lastLogin\ndone,,2,a@example.com,5,\n", JobKind::Update, &[]);
        assert!(errors(&i).is_empty(), "{:?}", i.problems);
        assert_eq!(i.rows[0].prior_result.as_deref(), Some("done"));
        assert!(i.notes.iter().any(|n| n.contains("\"usedMB\"")), "{:?}", i.notes);
    }

    #[test]
    fn bad_encodings_ragged_rows_and_empty_files() {
        let e = errors(&read(b"email\nj\xe9r\xf4me@example.com\n", JobKind::Delete, &[]));
        assert!(e[0].contains("not UTF-8") && e[0].contains("line 2"), "{e:?}");
        let e = errors(&read(&[0xFF, 0xFE, b'e', 0], JobKind::Delete, &[]));
        assert!(e[0].contains("UTF-16"), "{e:?}");
        let e = errors(&read(b"  \n", JobKind::Delete, &[]));
        assert!(e[0].contains("empty"), "{e:?}");
        let e = errors(&read(b"email\n", JobKind::Delete, &[]));
        assert!(e[0].contains("no rows"), "{e:?}");
        let i = read(b"email,displayName\na@example.com,\"A, B\nb@example.com,B\n", JobKind::Update, &[]);
        assert!(errors(&i).iter().any(|m| m.contains("row 2") && m.contains("quote")), "{:?}", i.problems);
        // Trailing empty cells (an extra delimiter at the end) are fine.
        let i = read(b"email,displayName\na@example.com,A,,\n", JobKind::Update, &[]);
        assert!(errors(&i).is_empty(), "{:?}", i.problems);
    }

    fn file_of(header: &str, rows: usize, row: &str, extra: usize) -> Vec<u8> {
        let mut s = String::with_capacity(header.len() + rows * (row.len() + 1) + extra + 2);
        s.push_str(header);
        s.push('\n');
        for _ in 0..rows {
            s.push_str(row);
            s.push('\n');
        }
        let mut b = s.into_bytes();
        b.extend(std::iter::repeat_n(b'x', extra));
        b
    }

    #[test]
    fn the_byte_limit_is_checked_first() {
        // Exactly the limit: one row with a very long display name (a validation matter).
        let head = b"email,displayName\na@example.com,";
        let mut at = head.to_vec();
        at.resize(MAX_BYTES, b'x');
        let i = read(&at, JobKind::Update, &[]);
        assert!(errors(&i).is_empty(), "{:?}", errors(&i));
        assert_eq!(i.rows.len(), 1);
        at.push(b'x');
        let i = read(&at, JobKind::Update, &[]);
        let e = errors(&i);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("20,971,521 bytes") && e[0].contains("at most 20 MB"), "{e:?}");
        assert!(i.headers.is_empty() && i.rows.is_empty());
        assert_eq!(i.problems[0].row, None);
    }

    #[test]
    fn the_row_limit_counts_rows_below_the_header() {
        let i = read(&file_of("email", MAX_ROWS, "a@example.com", 0), JobKind::Delete, &[]);
        assert!(errors(&i).is_empty(), "{:?}", errors(&i));
        assert_eq!(i.rows.len(), MAX_ROWS);
        let i = read(&file_of("email", MAX_ROWS + 1, "a@example.com", 0), JobKind::Delete, &[]);
        let e = errors(&i);
        assert_eq!(e, vec!["Error: The file has 20,001 rows; Rackdesk takes at most 20,000 in one job. Split it into smaller files.".to_owned()]);
        assert!(i.rows.is_empty() && i.headers.is_empty());
        // Quoted line breaks are inside a row, not rows of their own.
        let i = read(&file_of("email,displayName", MAX_ROWS, "a@example.com,\"A\nB\"", 0), JobKind::Update, &[]);
        assert!(errors(&i).is_empty(), "{:?}", errors(&i));
    }

    #[test]
    fn the_column_limit_applies_to_every_row() {
        let named = |n: usize| (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        let drop_all = |n: usize| (0..n).map(|i| (format!("c{i}"), None)).collect::<Vec<_>>();
        // At the limit: 99 dropped columns and email.
        let header = format!("email,{}", named(MAX_COLUMNS - 1));
        let row = format!("a@example.com{}", ",".repeat(MAX_COLUMNS - 1));
        let i = read(&file_of(&header, 2, &row, 0), JobKind::Delete, &drop_all(MAX_COLUMNS - 1));
        assert!(errors(&i).is_empty(), "{:?}", errors(&i));
        // Over it in the header.
        let header = format!("email,{}", named(MAX_COLUMNS));
        let row = format!("a@example.com{}", ",".repeat(MAX_COLUMNS));
        let e = errors(&read(&file_of(&header, 2, &row, 0), JobKind::Delete, &drop_all(MAX_COLUMNS)));
        assert_eq!(e, vec!["Error: The header row has 101 columns; Rackdesk reads at most 100. Delete the columns the job does not need and try again.".to_owned()]);
        // Over it in a data row (row 3: the header is row 1).
        let mut b = file_of("email", 1, "a@example.com", 0);
        b.extend(format!("b@example.com{}\n", ",".repeat(MAX_COLUMNS)).as_bytes());
        let i = read(&b, JobKind::Delete, &[]);
        let e = errors(&i);
        assert!(e.len() == 1 && e[0].contains("Row 3 has 101 columns") && e[0].contains("at most 100"), "{e:?}");
        assert_eq!(i.problems[0].row, None);
    }

    #[test]
    fn neutralized_cells_are_read_back_without_their_quote() {
        let i = read(b"email,displayName,autoReply\na@example.com,'=HYPERLINK(\"x\"),'-away\nb@example.com,'Tis,''=x\n", JobKind::Update, &[]);
        assert!(errors(&i).is_empty(), "{:?}", i.problems);
        assert_eq!(i.rows[0].get("displayName"), Some("=HYPERLINK(\"x\")"));
        assert_eq!(i.rows[0].get("autoReply"), Some("-away"));
        assert_eq!(i.rows[1].get("displayName"), Some("'Tis"));
        assert_eq!(i.rows[1].get("autoReply"), Some("''=x"));
        // Passwords are taken exactly as written.
        let i = read(b"email,password\na@example.com,'-Secret99x\n", JobKind::ResetPassword, &[]);
        assert_eq!(i.rows[0].password.as_ref().unwrap().expose_secret(), "'-Secret99x");
    }

    #[test]
    fn map_arguments() {
        assert_eq!(parse_map("E-mail Address=email").unwrap(), ("E-mail Address".into(), Some("email".into())));
        assert_eq!(parse_map("Dept=-").unwrap(), ("Dept".into(), None));
        assert!(parse_map("nothing").is_err());
        assert!(parse_map("=email").is_err());
    }
}
