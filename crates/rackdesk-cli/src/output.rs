//! Output in the three forms the CLI offers: an aligned table for people, JSON and CSV for
//! scripts. Commands build a [`Table`] (or a record of fields) and hand it here.

use clap::ValueEnum;
use serde::Serialize;
use std::io::Write;

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
            let mut widths: Vec<usize> = t.header.iter().map(|h| h.chars().count()).collect();
            for r in &t.rows {
                for (i, c) in r.iter().enumerate() {
                    widths[i] = widths[i].max(c.chars().count());
                }
            }
            let line = |cells: Vec<String>| -> String {
                let n = cells.len();
                cells
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| if i + 1 == n { c } else { format!("{c:<w$}", w = widths[i]) })
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            };
            writeln!(out, "{}", line(t.header.iter().map(|h| h.to_string()).collect()))?;
            for r in &t.rows {
                writeln!(out, "{}", line(r.clone()))?;
            }
            if let Some(s) = &t.summary {
                writeln!(out, "{s}")?;
            }
            Ok(())
        }
    }
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
            let width = fields.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 1;
            for (k, v) in fields {
                writeln!(out, "{:<width$} {v}", format!("{k}:"))?;
            }
            Ok(())
        }
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
    fn storage_switches_to_gb() {
        assert_eq!(storage(512), "512 MB");
        assert_eq!(storage(25_600), "25.0 GB");
    }
}
