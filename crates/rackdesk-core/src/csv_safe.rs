//! Files we write for people to open: CSV cells a spreadsheet would not run as formulas, and
//! files only their owner can read (generated passwords).
//!
//! # Formula cells
//!
//! Excel, LibreOffice and Google Sheets treat a cell that begins with `=`, `+`, `-` or `@`
//! as a formula, and some also react to a leading tab or carriage return. A display name or
//! auto-reply such as `=HYPERLINK("http://…")` would then run when someone opens our export.
//! [`neutralize`] puts a single quote (`'`) before such a cell, which spreadsheets show as
//! text; every CSV writer of Rackdesk (mailbox exports, bulk results, the journal export)
//! writes its cells through [`write_record`].
//!
//! Every cell is treated alike, numbers included: the numbers we write (sizes, counts,
//! percentages, row numbers, journal ids) are never negative, so they never start with `-`
//! and pass unchanged. Anything that does start with a trigger character came from a person
//! or from the server, and is text.
//!
//! Our own import reads such cells back as they were: [`unneutralize`] drops the leading
//! `'` of a cell that is `'` followed by a trigger character. The cost is that a value which
//! really begins with `'` and then a trigger character (say `'-note`) cannot be told apart
//! from a neutralized one and loses its quote on import; we accept that.

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The first characters that make a spreadsheet treat a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_with_trigger(s: &str) -> bool {
    s.starts_with(FORMULA_TRIGGERS)
}

/// The cell as it is safe to write: with a leading `'` when it starts with one of
/// [`FORMULA_TRIGGERS`], otherwise unchanged.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if starts_with_trigger(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralize`]: a leading `'` followed by a trigger character
/// is dropped; anything else is returned unchanged.
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_with_trigger(rest) => rest,
        _ => cell,
    }
}

/// Writes one record, each cell passed through [`neutralize`].
pub fn write_record<W, I, S>(w: &mut csv::Writer<W>, cells: I) -> csv::Result<()>
where
    W: Write,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for cell in cells {
        w.write_field(neutralize(cell.as_ref()).as_bytes())?;
    }
    // An empty record ends the one begun with write_field.
    w.write_record(None::<&[u8]>)
}

/// Creates a new file that only its owner can read and write, for generated passwords.
///
/// The file must not exist yet: an existing file is never overwritten or appended to, and
/// the error then has the kind [`std::io::ErrorKind::AlreadyExists`], so the caller can say
/// "that file exists; choose another name". On Unix the file is created with mode 0600 in
/// the same system call (no window in which it is readable by others); a umask can only
/// take permissions away. On other systems the file gets the folder's default permissions.
pub fn create_private_new(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_cells_get_a_quote_and_lose_it_on_the_way_back() {
        for s in ["=1+2", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"x\")", "-", "="] {
            let n = neutralize(s);
            assert_eq!(n, format!("'{s}"), "{s:?}");
            assert_eq!(unneutralize(&n), s);
        }
        for s in ["", "Jane", "2048", " =x", "'", "'x", "a=b", "jane@example.com", "''=x"] {
            assert_eq!(neutralize(s), s, "{s:?}");
            assert_eq!(unneutralize(s), s, "{s:?}");
        }
        // The documented ambiguity: a real leading quote before a trigger is dropped.
        assert_eq!(unneutralize("'-note"), "-note");
    }

    #[test]
    fn records_are_written_neutralized_and_still_quoted_as_csv() {
        let mut w = csv::Writer::from_writer(Vec::new());
        write_record(&mut w, ["a", "=1,2", "-3", "x\"y"]).unwrap();
        write_record(&mut w, vec![String::from("+b"), "".into(), "@".into(), "2048".into()]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "a,\"'=1,2\",'-3,\"x\"\"y\"\n'+b,,'@,2048\n");
    }

    #[test]
    fn private_files_are_new_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passwords.csv");
        let mut f = create_private_new(&path).unwrap();
        f.write_all(b"first").unwrap();
        drop(f);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{mode:o}");
        }
        let e = create_private_new(&path).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
    }
}
