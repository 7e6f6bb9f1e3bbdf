//! Output in the three forms the CLI offers: an aligned table for people, JSON and CSV for
//! scripts. Commands build a [`Table`] (or a record of fields) and hand it here.

use clap::ValueEnum;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Rows of strings with a header, plus the typed items for JSON.
pub struct Table<T: Serialize> {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub items: Vec<T>,
    /// "312 mailboxes": printed under a table, not in JSON or CSV.
    pub summary: Option<String>,
}

pub fn print_table<T: Serialize>(format: Format, t: &Table<T>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &t.items)?;
            writeln!(out)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&t.header)?;
            for r in &t.rows {
                w.write_record(r)?;
            }
            w.flush()
        }
        Format::Table => {
            for l in table_lines(&t.header, &t.rows) {
                writeln!(out, "{l}")?;
            }
            if let Some(s) = &t.summary {
                writeln!(out, "{s}")?;
            }
            Ok(())
        }
    }
}

/// A cell as it is printed: line breaks and other control characters become spaces, so a
/// value cannot break the table's lines.
fn cell(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `s` padded with spaces to `width` columns as a terminal shows them: wide characters (CJK,
/// most emoji) take two columns, combining marks none.
fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// The header and rows as aligned lines, columns two spaces apart, no trailing spaces.
pub fn table_lines(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| cell(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.width());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let n = cells.len();
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| if i + 1 == n || i >= widths.len() { c.clone() } else { pad(c, widths[i]) })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>())];
    out.extend(rows.iter().map(|r| line(r)));
    out
}

/// One object shown as "Label: value" lines, or as JSON / a two-column CSV.
pub fn print_record<T: Serialize>(format: Format, fields: &[(&str, String)], item: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, item)?;
            writeln!(out)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["field", "value"])?;
            for (k, v) in fields {
                w.write_record([k, v.as_str()])?;
            }
            w.flush()
        }
        Format::Table => {
            let width = fields.iter().map(|(k, _)| k.width()).max().unwrap_or(0) + 1;
            for (k, v) in fields {
                writeln!(out, "{} {}", pad(&format!("{k}:"), width), cell(v))?;
            }
            Ok(())
        }
    }
}

/// Progress on stderr, for things that take more than a moment. On a terminal: one line
/// redrawn in place, with a bar when the total is known (coloured unless `NO_COLOR` is set).
/// Otherwise (a pipe, a file, a CI log, `TERM=dumb`): plain lines, at most one every few
/// seconds, and always the last one — no escape codes at all.
pub struct Progress {
    live: bool,
    color: bool,
    last: Mutex<Option<Instant>>,
}

/// How often a plain (not live) progress line is written.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    pub fn stderr() -> Progress {
        let term = std::env::var("TERM").unwrap_or_default();
        let live = std::io::stderr().is_terminal() && term != "dumb";
        Progress::new(live, live && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
    }

    pub fn new(live: bool, color: bool) -> Progress {
        Progress { live, color, last: Mutex::new(None) }
    }

    /// `done` of `total` (0: unknown), and what is happening.
    pub fn update(&self, done: u64, total: u64, text: &str) {
        if let Some(line) = self.render(done, total, text, Instant::now()) {
            eprint!("{line}");
        }
    }

    /// What [`update`](Progress::update) writes (`None`: nothing now).
    pub fn render(&self, done: u64, total: u64, text: &str, now: Instant) -> Option<String> {
        if text.is_empty() {
            return None;
        }
        if self.live {
            let bar = if total > 0 {
                let filled = ((done.min(total) * 20) / total) as usize;
                let pct = done.min(total) * 100 / total;
                let (on, off) = if self.color { ("\x1b[32m", "\x1b[0m") } else { ("", "") };
                format!("[{on}{}{off}{}] {pct:>3}% ", "#".repeat(filled), "-".repeat(20 - filled))
            } else {
                String::new()
            };
            return Some(format!("\r\x1b[K{bar}{text}"));
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let finished = total > 0 && done >= total;
        if finished || last.is_none_or(|t| now.duration_since(t) >= PLAIN_EVERY) {
            *last = Some(now);
            return Some(format!("{text}\n"));
        }
        None
    }

    /// Removes the live line (before a message of its own, and at the end).
    pub fn clear(&self) {
        if self.live {
            eprint!("\r\x1b[K");
        }
    }

    /// A line that stays: the live line is cleared first.
    pub fn note(&self, text: &str) {
        self.clear();
        eprintln!("{text}");
    }
}

/// "1 mailbox" / "12,000 mailboxes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} {}", if n == 1 { one } else { many })
}

/// Storage in MB as people read it.
pub fn storage(mb: u64) -> String {
    if mb < 1024 {
        format!("{mb} MB")
    } else {
        format!("{:.1} GB", mb as f64 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count(1, "mailbox", "mailboxes"), "1 mailbox");
        assert_eq!(count(0, "mailbox", "mailboxes"), "0 mailboxes");
        assert_eq!(count(12_000, "mailbox", "mailboxes"), "12,000 mailboxes");
        assert_eq!(count(1_234_567, "a", "b"), "1,234,567 b");
    }

    #[test]
    fn tables_align_wide_characters() {
        let rows = vec![
            vec!["yui@example.jp".to_owned(), "山田 結衣".to_owned(), "yes".to_owned()],
            vec!["ana@example.com".to_owned(), "Ana 🎉".to_owned(), "no".to_owned()],
            vec!["zoe@example.com".to_owned(), "Zoe\nline".to_owned(), "yes".to_owned()],
        ];
        let lines = table_lines(&["address", "display name", "enabled"], &rows);
        // The third column starts at the same terminal column on every line.
        let col = |l: &str| l[..l.rfind("  ").unwrap() + 2].width();
        let want = col(&lines[0]);
        assert_eq!(want, "ana@example.com".width() + 2 + "display name".width() + 2);
        for l in &lines {
            assert_eq!(col(l), want, "{lines:#?}");
            assert!(!l.ends_with(' '));
        }
        assert!(lines[3].contains("Zoe line"), "control characters become spaces: {}", lines[3]);
    }

    #[test]
    fn progress_is_plain_off_a_terminal_and_colourless_with_no_color() {
        let t0 = Instant::now();
        let plain = Progress::new(false, false);
        assert_eq!(plain.render(1, 10, "1 of 10", t0).as_deref(), Some("1 of 10\n"));
        assert_eq!(plain.render(2, 10, "2 of 10", t0 + Duration::from_secs(1)), None, "not more than one line every few seconds");
        assert_eq!(plain.render(3, 10, "3 of 10", t0 + PLAIN_EVERY + Duration::from_secs(1)).as_deref(), Some("3 of 10\n"));
        assert_eq!(plain.render(10, 10, "10 of 10", t0 + PLAIN_EVERY + Duration::from_secs(2)).as_deref(), Some("10 of 10\n"), "the last one always");
        for line in [plain.render(10, 10, "x", t0), plain.render(0, 0, "y", t0 + Duration::from_secs(60))].into_iter().flatten() {
            assert!(!line.contains('\x1b'), "{line:?}");
        }
        let live = Progress::new(true, true).render(5, 10, "5 of 10", t0).unwrap();
        assert!(live.starts_with("\r\x1b[K[\x1b[32m##########\x1b[0m----------]  50% 5 of 10"), "{live:?}");
        let no_color = Progress::new(true, false).render(5, 10, "5 of 10", t0).unwrap();
        assert_eq!(no_color, "\r\x1b[K[##########----------]  50% 5 of 10");
        assert_eq!(Progress::new(true, false).render(0, 0, "reading", t0).unwrap(), "\r\x1b[Kreading");
    }

    #[test]
    fn storage_switches_to_gb() {
        assert_eq!(storage(512), "512 MB");
        assert_eq!(storage(25_600), "25.0 GB");
    }
}
