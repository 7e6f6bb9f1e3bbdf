//! Reading a job's CSV file from disk, the same way for the app and the CLI: by its path, so
//! that "check again" after the person fixed the file reads what is on disk now. At most one
//! byte more than the CSV limit is read; the CSV rules then refuse an oversized file by name.

use super::input::MAX_BYTES;
use super::jobs::JobFile;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a job file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("Rackdesk could not read {}.", path.display())]
pub struct FileReadError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl crate::Explain for FileReadError {
    fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::File
    }
    fn user_message(&self) -> String {
        let what = match self.source.kind() {
            std::io::ErrorKind::NotFound => "It is not there any more (moved, renamed or deleted?). Choose the file again.",
            std::io::ErrorKind::PermissionDenied => "This user account may not open it. Copy it somewhere you can read, then choose it there.",
            _ => "Check that it is a file you can open, then try again.",
        };
        format!("{} {what}", self)
    }
    fn detail(&self) -> Option<String> {
        Some(self.source.to_string())
    }
}

impl JobFile {
    /// Reads the file at `path` (recorded as its absolute path).
    pub fn read(path: &Path) -> Result<JobFile, FileReadError> {
        let err = |source| FileReadError { path: path.to_path_buf(), source };
        let mut bytes = Vec::new();
        std::fs::File::open(path).and_then(|f| f.take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes)).map_err(err)?;
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(JobFile { path: absolute.display().to_string(), bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Explain;

    #[test]
    fn reads_what_is_on_disk_now_and_says_plainly_when_it_cannot() {
        let dir = std::env::temp_dir().join(format!("rackdesk-jobfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("people.csv");
        std::fs::write(&p, "email\na@example.com\n").unwrap();
        assert_eq!(JobFile::read(&p).unwrap().bytes, b"email\na@example.com\n");
        std::fs::write(&p, "email\na@example.com\nb@example.com\n").unwrap();
        let again = JobFile::read(&p).unwrap();
        assert_eq!(again.bytes.len(), 34, "the second read sees the new content");
        assert!(again.path.ends_with("people.csv") && Path::new(&again.path).is_absolute());

        let big = dir.join("big.csv");
        std::fs::write(&big, vec![b'x'; MAX_BYTES + 4096]).unwrap();
        assert_eq!(JobFile::read(&big).unwrap().bytes.len(), MAX_BYTES + 1, "reads no more than the limit allows to judge");

        let gone = JobFile::read(&dir.join("gone.csv")).unwrap_err();
        assert!(gone.user_message().contains("not there any more"), "{}", gone.user_message());
        assert_eq!(gone.kind(), crate::ErrorKind::File);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
