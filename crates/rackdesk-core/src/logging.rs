//! The log file for support: the app and the CLI each write one in the platform's log folder,
//! rotated by size, at info level by default (`RACKDESK_LOG` changes it, as it changes what
//! goes to stderr).
//!
//! What is in it: each request's method, path below the API root, status and time; which API
//! root and proxy a client uses; failures with their kind, plain sentence and details; the
//! journal's and the vault's problems. What is never in it: keys, signatures, passwords, form
//! bodies, CSV contents — nothing logs them, and [`redact`] masks anything shaped like a
//! signature or a password in a URL on the way to the file as a second line of defence.
//!
//! Where (see [`log_dir`]): `$XDG_STATE_HOME/rackdesk/logs` on Linux (`~/.local/state/...`,
//! the XDG folder meant for logs), `~/Library/Logs/Rackdesk` on macOS,
//! `%LOCALAPPDATA%\Rackdesk\logs` on Windows; `RACKDESK_LOG_DIR` overrides it, and with
//! `RACKDESK_DATA_DIR` set (and no `RACKDESK_LOG_DIR`) the logs go to its `logs` folder. Files:
//! `rackdesk-app.log` and `rackdesk-cli.log`, each up to [`MAX_FILE_BYTES`], with
//! [`KEEP_OLD_FILES`] older ones (`rackdesk-cli.1.log`, ...): at most 20 MiB per program.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The variable that sets what is logged (an `EnvFilter`, e.g. `debug` or `rackdesk_core=trace`).
pub const LOG_ENV: &str = "RACKDESK_LOG";
/// The variable that moves the log folder.
pub const LOG_DIR_ENV: &str = "RACKDESK_LOG_DIR";
/// A log file is rotated before it grows past this.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// How many rotated files are kept besides the current one.
pub const KEEP_OLD_FILES: usize = 3;
/// What the file gets when `RACKDESK_LOG` is not set: Rackdesk's own info lines (requests,
/// clients), everyone's warnings. The in-app simulator's own request lines stay out.
pub const FILE_DEFAULT: &str = "warn,rackdesk=info,rackdesk_sim=warn";

/// Which program writes: each has its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    App,
    Cli,
}

impl Program {
    pub fn file_stem(self) -> &'static str {
        match self {
            Program::App => "rackdesk-app",
            Program::Cli => "rackdesk-cli",
        }
    }
    pub const ALL: [Program; 2] = [Program::App, Program::Cli];
}

/// The platform's folder for Rackdesk's logs (see the module docs), or `None` without a home folder.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(LOG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    // A data folder moved elsewhere (a portable setup, a test) takes its logs along.
    if let Some(d) = std::env::var_os("RACKDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("logs"));
    }
    let base = directories::BaseDirs::new()?;
    if cfg!(target_os = "macos") {
        Some(base.home_dir().join("Library").join("Logs").join("Rackdesk"))
    } else if cfg!(target_os = "windows") {
        Some(base.data_local_dir().join("Rackdesk").join("logs"))
    } else {
        Some(base.state_dir().unwrap_or_else(|| base.data_local_dir()).join("rackdesk").join("logs"))
    }
}

/// The current log file of `program` in `dir`.
pub fn log_file(dir: &Path, program: Program) -> PathBuf {
    dir.join(format!("{}.log", program.file_stem()))
}

fn rotated(dir: &Path, program: Program, n: usize) -> PathBuf {
    dir.join(format!("{}.{n}.log", program.file_stem()))
}

/// A log file that rotates by size. Several processes may write the same file (two CLI runs
/// at once): every line is one append, the size is read from the file itself before each
/// line, and a process whose file was rotated by another opens the new one. (Two processes
/// rotating at the same instant may rotate twice: only an older file's lines are lost.)
pub struct RotatingFile {
    dir: PathBuf,
    program: Program,
    max_bytes: u64,
    keep: usize,
    file: Mutex<Option<File>>,
}

impl RotatingFile {
    pub fn open(dir: &Path, program: Program, max_bytes: u64, keep: usize) -> io::Result<RotatingFile> {
        create_private_dir(dir)?;
        let f = RotatingFile { dir: dir.to_path_buf(), program, max_bytes, keep, file: Mutex::new(None) };
        *f.file.lock().unwrap_or_else(|p| p.into_inner()) = Some(f.open_current()?);
        Ok(f)
    }

    pub fn path(&self) -> PathBuf {
        log_file(&self.dir, self.program)
    }

    fn open_current(&self) -> io::Result<File> {
        let mut o = OpenOptions::new();
        o.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        o.open(self.path())
    }

    fn rotate(&self) {
        let _ = std::fs::remove_file(rotated(&self.dir, self.program, self.keep));
        for n in (1..self.keep).rev() {
            let _ = std::fs::rename(rotated(&self.dir, self.program, n), rotated(&self.dir, self.program, n + 1));
        }
        let _ = std::fs::rename(self.path(), rotated(&self.dir, self.program, 1));
    }

    /// Appends one record (a whole line), rotating first if it would pass the size.
    pub fn write_record(&self, record: &[u8]) -> io::Result<()> {
        let mut slot = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let on_disk = std::fs::metadata(self.path()).ok().map(|m| m.len());
        match on_disk {
            Some(len) if len > 0 && len + record.len() as u64 > self.max_bytes => {
                self.rotate();
                *slot = Some(self.open_current()?);
            }
            // Gone (another process rotated it, or someone deleted it), or ours is no longer
            // the file at the path: open the one there now.
            None => *slot = Some(self.open_current()?),
            Some(len) => {
                let ours = slot.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.len());
                if ours != Some(len) {
                    *slot = Some(self.open_current()?);
                }
            }
        }
        match slot.as_mut() {
            Some(f) => f.write_all(record),
            None => Ok(()),
        }
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Mailbox names are personal data: the folder is the user's own.
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// The writer the log layer uses: every formatted event arrives as one `write` and is
/// redacted, then appended.
#[derive(Clone)]
pub struct FileWriter(Arc<RotatingFile>);

impl io::Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_record(redact(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for FileWriter {
    type Writer = FileWriter;
    fn make_writer(&'a self) -> FileWriter {
        self.clone()
    }
}

/// Masks what must never be in a log, should anything ever try to write it: the hash of an
/// `X-Api-Signature` (`UserKey:YYYYMMDDHHmmss:Base64`) and a password in a URL
/// (`scheme://user:password@host`).
pub fn redact(line: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    // Signatures: ":" + 14 digits + ":" + 20 or more base64 characters.
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut last = 0;
    let mut buf = String::new();
    while i + 16 < bytes.len() {
        if bytes[i] == b':' && bytes[i + 1..i + 15].iter().all(u8::is_ascii_digit) && bytes[i + 15] == b':' {
            let start = i + 16;
            let end = start + bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')).count();
            if end - start >= 20 {
                buf.push_str(&line[last..start]);
                buf.push_str("[redacted]");
                last = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if last > 0 {
        buf.push_str(&line[last..]);
        out = Some(buf);
    }
    // user:password@ after "://".
    let cur = out.as_deref().unwrap_or(line);
    if cur.contains("://") && cur.contains('@') {
        let mut s = String::with_capacity(cur.len());
        let mut rest = cur;
        while let Some(p) = rest.find("://") {
            let (head, tail) = rest.split_at(p + 3);
            s.push_str(head);
            let auth_end = tail.find(|c: char| c == '/' || c.is_whitespace() || c == '"').unwrap_or(tail.len());
            match tail[..auth_end].rfind('@') {
                Some(at) if tail[..at].contains(':') => {
                    s.push_str("[redacted]");
                    rest = &tail[at..];
                }
                _ => rest = tail,
            }
        }
        s.push_str(rest);
        if s != cur {
            out = Some(s);
        }
    }
    match out {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(line),
    }
}

/// Where this process logs, once [`init`] has run.
static CURRENT: std::sync::OnceLock<LogSetup> = std::sync::OnceLock::new();

/// Where this process logs ([`init`]'s answer; the default — no file — before it ran).
pub fn current() -> LogSetup {
    CURRENT.get().cloned().unwrap_or_default()
}

/// Where logging went, for diagnostics and for the edges to mention.
#[derive(Debug, Clone, Default)]
pub struct LogSetup {
    /// The current log file, when one could be opened.
    pub file: Option<PathBuf>,
    /// Why there is no log file, when there is none.
    pub problem: Option<String>,
}

/// Sets up logging for `program`: stderr (at `stderr_default` unless `RACKDESK_LOG` says
/// otherwise, coloured only on a terminal) and the log file (at [`FILE_DEFAULT`] unless
/// `RACKDESK_LOG` says otherwise). A log folder that cannot be written leaves stderr only.
/// Call once, first thing; a second call changes nothing.
pub fn init(program: Program, stderr_default: &str) -> LogSetup {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer};

    let from_env = || EnvFilter::try_from_env(LOG_ENV).ok();
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()) && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
        .with_filter(from_env().unwrap_or_else(|| EnvFilter::new(stderr_default)));
    let mut setup = LogSetup::default();
    let file_layer = match log_dir() {
        None => {
            setup.problem = Some("no home folder, so no log folder".into());
            None
        }
        Some(dir) => match RotatingFile::open(&dir, program, MAX_FILE_BYTES, KEEP_OLD_FILES) {
            Ok(f) => {
                setup.file = Some(f.path());
                Some(
                    tracing_subscriber::fmt::layer()
                        .with_writer(FileWriter(Arc::new(f)))
                        .with_ansi(false)
                        .with_filter(from_env().unwrap_or_else(|| EnvFilter::new(FILE_DEFAULT))),
                )
            }
            Err(e) => {
                setup.problem = Some(format!("the log folder {} cannot be written: {e}", dir.display()));
                None
            }
        },
    };
    if tracing_subscriber::registry().with(stderr_layer).with(file_layer).try_init().is_err() {
        // Someone set up logging first: this file layer is not in use.
        return current();
    }
    if let Some(p) = &setup.problem {
        tracing::debug!("no log file: {p}");
    }
    let _ = CURRENT.set(setup.clone());
    setup
}

/// The last `n` warnings and errors of every program's log in `dir` (newest last), redacted
/// and cut to a readable length: the "last errors" of diagnostics.
pub fn last_problems(dir: &Path, n: usize) -> Vec<String> {
    const TAIL: u64 = 256 * 1024;
    let mut found: Vec<String> = Vec::new();
    for program in Program::ALL {
        for path in [rotated(dir, program, 1), log_file(dir, program)] {
            let Ok(mut f) = File::open(&path) else { continue };
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let mut buf = Vec::new();
            use std::io::{Read, Seek, SeekFrom};
            if f.seek(SeekFrom::Start(len.saturating_sub(TAIL))).is_err() || f.take(TAIL).read_to_end(&mut buf).is_err() {
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            for line in text.lines() {
                // "2026-11-30T10:00:00.123456Z  WARN target: message"
                let level = line.split_whitespace().nth(1).unwrap_or("");
                if level == "WARN" || level == "ERROR" {
                    let mut l = redact(line).into_owned();
                    if l.chars().count() > 600 {
                        l = l.chars().take(600).collect::<String>() + "…";
                    }
                    found.push(format!("[{}] {l}", program.file_stem()));
                }
            }
        }
    }
    // The timestamp after the program tag orders lines of both programs.
    found.sort_by(|a, b| a.split_once("] ").map(|x| x.1).cmp(&b.split_once("] ").map(|x| x.1)));
    let skip = found.len().saturating_sub(n);
    found.into_iter().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(what: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("rd-log-{what}-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    #[test]
    fn rotates_by_size_and_keeps_a_few_files() {
        let dir = tmp("rotate");
        let f = RotatingFile::open(&dir, Program::Cli, 100, 2).unwrap();
        for i in 0..30 {
            f.write_record(format!("line {i:03} ..........\n").as_bytes()).unwrap();
        }
        let cur = std::fs::read_to_string(log_file(&dir, Program::Cli)).unwrap();
        assert!(cur.len() <= 100 && cur.ends_with("line 029 ..........\n"), "{cur}");
        assert!(rotated(&dir, Program::Cli, 1).exists() && rotated(&dir, Program::Cli, 2).exists());
        assert!(!rotated(&dir, Program::Cli, 3).exists(), "no more than 2 old files");
        let total: u64 = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.metadata().unwrap().len()).sum();
        assert!(total <= 300, "{total}");
        // Another writer rotating the file under us: we follow to the new one.
        let g = RotatingFile::open(&dir, Program::Cli, 100, 2).unwrap();
        for i in 0..10 {
            g.write_record(format!("other {i:03} .........\n").as_bytes()).unwrap();
        }
        f.write_record(b"back to f\n").unwrap();
        let cur = std::fs::read_to_string(log_file(&dir, Program::Cli)).unwrap();
        assert!(cur.ends_with("back to f\n"), "{cur}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
            assert_eq!(std::fs::metadata(log_file(&dir, Program::Cli)).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn redaction_masks_signatures_and_proxy_passwords() {
        let sig = "X-Api-Signature: AbCdEfGhIjKlMnOpQrSt:20261130100000:q3Jc8fRr1b2P0Wv0c5hYq8o1J9A=";
        let r = redact(sig);
        assert_eq!(r, "X-Api-Signature: AbCdEfGhIjKlMnOpQrSt:20261130100000:[redacted]");
        assert_eq!(redact("proxy http://alice:S3cret@proxy:3128 used"), "proxy http://[redacted]@proxy:3128 used");
        // Ordinary lines are left alone (a time, an address, a path).
        for plain in [
            "2026-11-30T10:00:00.123456Z  INFO rackdesk_core::client: request method=GET path=customers/me/domains status=200 ms=12",
            "mail to jane@example.com at https://api.emailsrvr.com/v1",
            "at 10:00:00:123",
        ] {
            assert_eq!(redact(plain), plain);
        }
    }

    #[test]
    fn last_problems_come_from_both_programs_in_time_order() {
        let dir = tmp("problems");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            log_file(&dir, Program::Cli),
            "2026-11-30T10:00:01.000000Z  WARN rackdesk_core::client: Rackdesk could not reach the proxy\n\
             2026-11-30T10:00:02.000000Z  INFO rackdesk_core::client: request\n\
             2026-11-30T10:00:04.000000Z ERROR rackdesk: boom http://u:pw@p:1\n",
        )
        .unwrap();
        std::fs::write(log_file(&dir, Program::App), "2026-11-30T10:00:03.000000Z  WARN rackdesk_app: app problem\n").unwrap();
        let p = last_problems(&dir, 10);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("[rackdesk-cli]") && p[0].contains("proxy"));
        assert!(p[1].starts_with("[rackdesk-app]"));
        assert!(p[2].contains("[redacted]@p:1") && !p[2].contains("pw"));
        assert_eq!(last_problems(&dir, 1).len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
