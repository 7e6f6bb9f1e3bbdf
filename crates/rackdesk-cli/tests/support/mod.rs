//! A private Linux Secret Service for one test: its own D-Bus session bus and its own
//! GNOME Keyring, in a temporary folder, gone when dropped.
//!
//! Needs the programs of the packages dbus (`dbus-daemon`), gnome-keyring
//! (`gnome-keyring-daemon`) and libsecret-tools (`secret-tool`). Nothing of the person's own
//! session is touched: HOME and every XDG folder point into the temporary folder, and the bus
//! starts no service by itself (no activation), so only our keyring answers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Variables a test process must never inherit from the person running the tests.
const SCRUBBED: &[&str] = &[
    "RACKDESK_USER_KEY",
    "RACKDESK_SECRET_KEY",
    "RACKDESK_API_URL",
    "RACKDESK_ACCOUNT",
    "RACKDESK_CONFIG_DIR",
    "RACKDESK_MINUTE_MS",
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "HOME",
];

/// A temporary folder, removed (with everything in it) when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        // Short: the bus socket lives inside, and socket paths are limited to 107 bytes.
        let p = std::env::temp_dir().join(format!(
            "rd-{what}-{}-{}-{nanos:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir(&p).unwrap_or_else(|e| panic!("cannot create {}: {e}", p.display()));
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mkdir_private(p: &Path) {
    std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("cannot create {}: {e}", p.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700)).expect("chmod 700");
    }
}

fn spawn(cmd: &mut Command, program: &str) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot start {program}: {e}. These tests need a private Secret Service: install the packages dbus, \
             gnome-keyring and libsecret-tools."
        )
    })
}

/// A private session bus with GNOME Keyring on it, unlocked with the password "test".
pub struct Vault {
    address: String,
    bus: Child,
    keyring: Child,
    // Last: removed after both daemons are stopped.
    tmp: TempDir,
}

impl Vault {
    pub fn start() -> Vault {
        let tmp = TempDir::new("vault");
        let root = tmp.path();
        mkdir_private(&root.join("run"));
        for d in ["data", "config", "xdg-config", "cache", "state"] {
            mkdir_private(&root.join(d));
        }
        // A session bus that starts nothing on its own: without <servicedir>, a call to
        // org.freedesktop.secrets cannot launch the system's keyring (with the real HOME) behind
        // our back; only the keyring started below answers.
        let conf = root.join("bus.conf");
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                root.join("run").join("bus").display()
            ),
        )
        .expect("write bus.conf");

        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", conf.display())).args(["--nofork", "--print-address=1"]);
        isolate(&mut cmd, root);
        let mut bus = spawn(cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()), "dbus-daemon");
        let mut address = String::new();
        let read = BufReader::new(bus.stdout.take().expect("bus stdout")).read_line(&mut address);
        let address = address.trim().to_owned();
        if read.is_err() || address.is_empty() {
            let _ = bus.kill();
            let _ = bus.wait();
            panic!("dbus-daemon did not print its address");
        }

        let mut cmd = Command::new("gnome-keyring-daemon");
        // --foreground: stays our child, so it can be stopped; --unlock: the password comes on
        // stdin and creates (and unlocks) the default "login" keyring.
        cmd.args(["--foreground", "--unlock", "--components=secrets"]).env("DBUS_SESSION_BUS_ADDRESS", &address);
        isolate(&mut cmd, root);
        let mut keyring = match cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
            Ok(k) => k,
            Err(e) => {
                let _ = bus.kill();
                let _ = bus.wait();
                panic!("cannot start gnome-keyring-daemon: {e}. Install the packages dbus, gnome-keyring and libsecret-tools.");
            }
        };
        {
            let mut stdin = keyring.stdin.take().expect("keyring stdin");
            let _ = stdin.write_all(b"test");
        } // closed: the daemon reads the password up to EOF

        let vault = Vault { address, bus, keyring, tmp };
        vault.wait_until_ready();
        vault
    }

    /// Polls the Secret Service until it answers (the daemon needs a moment to claim its name).
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let o = self.secret_tool(&["search", "--all", "service", "Rackdesk"]);
            if o.status.success() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "the private Secret Service did not answer within 20 s: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The temporary folder that is HOME and holds every XDG folder.
    pub fn home(&self) -> &Path {
        self.tmp.path()
    }

    /// RACKDESK_CONFIG_DIR.
    pub fn config_dir(&self) -> PathBuf {
        self.home().join("config")
    }

    /// The keyring's own files (the encrypted vault: allowed to hold the keys).
    pub fn keyring_dir(&self) -> PathBuf {
        self.home().join("data").join("keyrings")
    }

    /// Gives a command this vault's session: bus, HOME, XDG folders, Rackdesk's config folder,
    /// and nothing of the caller's keys or settings.
    pub fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        isolate(cmd, self.home());
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("RACKDESK_CONFIG_DIR", self.config_dir())
            .env("RACKDESK_MINUTE_MS", "1000")
    }

    /// Runs `secret-tool ARGS` in this session.
    pub fn secret_tool(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("secret-tool");
        self.env(&mut cmd).args(args).stdin(Stdio::null());
        cmd.output().unwrap_or_else(|e| panic!("cannot run secret-tool: {e}. Install the package libsecret-tools."))
    }

    /// The `username` attributes of every Rackdesk item in the vault, sorted.
    pub fn rackdesk_entries(&self) -> Vec<String> {
        let o = self.secret_tool(&["search", "--all", "service", "Rackdesk"]);
        assert!(o.status.success(), "secret-tool search failed: {}", String::from_utf8_lossy(&o.stderr));
        // secret-tool prints the attributes on stderr, the rest (with the secret) on stdout.
        let mut v: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&o.stderr).lines())
            .filter_map(|l| l.trim().strip_prefix("attribute.username = ").map(str::to_owned))
            .collect();
        v.sort();
        v
    }

    /// Runs `rackdesk ARGS` in this session with `stdin` piped in.
    pub fn rackdesk(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
        self.env(&mut cmd).args(args);
        run_with_stdin(cmd, stdin)
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
        // `tmp` is dropped after this: the folder goes.
    }
}

/// HOME and the XDG folders inside `root`; nothing of the caller's session or keys.
pub fn isolate<'c>(cmd: &'c mut Command, root: &Path) -> &'c mut Command {
    for v in SCRUBBED {
        cmd.env_remove(v);
    }
    cmd.env("HOME", root)
        .env("XDG_RUNTIME_DIR", root.join("run"))
        .env("XDG_DATA_HOME", root.join("data"))
        .env("XDG_CONFIG_HOME", root.join("xdg-config"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_STATE_HOME", root.join("state"))
}

/// Runs a prepared command, writing `stdin` to it and closing it.
pub fn run_with_stdin(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("rackdesk runs");
    {
        let mut i = child.stdin.take().expect("stdin");
        // The process may exit before reading (e.g. a refused command): ignore a broken pipe.
        let _ = i.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("rackdesk finishes")
}

/// Every regular file under `dir`, recursively, except those under `skip`.
pub fn files_under(dir: &Path, skip: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if skip.iter().any(|s| p.starts_with(s)) {
                continue;
            }
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => todo.push(p),
                Ok(m) if m.is_file() => out.push(p),
                _ => {} // sockets, symlinks
            }
        }
    }
    out.sort();
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}
