//! A real PostgreSQL server for one test: the distribution's server binaries
//! (`/usr/lib/postgresql/<version>/bin`, Debian's `postgresql` package), a cluster made by
//! `initdb` in a temporary folder, TLS on with a certificate signed by a CA this module makes
//! (rcgen), stopped and removed when dropped.
//!
//! * TCP on 127.0.0.1 only, TLS only (`hostssl` lines; a plain connection is refused), the
//!   superuser `rackdesk_admin` with a SCRAM password; client certificates are accepted for
//!   the login `rackdesk_cert` (`cert` method).
//! * Unix socket in the temporary folder with `trust`, for the test's own look inside.
//! * PostgreSQL refuses to run as root. When the test runs as root (CI), the server runs as
//!   the system user `nobody` through `runuser` (util-linux), and its folder is handed to
//!   that user; otherwise it runs as the test's own user.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const ADMIN: &str = "rackdesk_admin";
pub const ADMIN_PASSWORD: &str = "Admin-Pass-For-Tests-Only-7f3";
pub const DATABASE: &str = "rackdesk";
/// The login the server accepts with a client certificate (no password).
pub const CERT_LOGIN: &str = "rackdesk_cert";

pub struct Pg {
    dir: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    pub port: u16,
    /// The CA that signed the server's certificate (and the client certificate).
    pub ca_file: PathBuf,
    pub ca_pem: String,
    /// A client certificate for [`CERT_LOGIN`], and its key (elliptic curve, PEM).
    pub client_cert_file: PathBuf,
    pub client_key_file: PathBuf,
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.split('.').next()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server programs were not found under /usr/lib/postgresql/*/bin. Install the package \
             postgresql (tests/run-all.sh does), then run the tests again."
        )
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[cfg(unix)]
fn give(path: &Path, user: &Option<String>, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    if let Some(u) = user {
        let ok = Command::new("chown").arg(format!("{u}:")).arg(path).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "chown {u} {}", path.display());
    }
}

fn certificates(dir: &Path) -> (String, String, String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Rackdesk test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let mut server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    server.distinguished_name.push(DnType::CommonName, "localhost");
    let server_key = KeyPair::generate().unwrap();
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client.distinguished_name.push(DnType::CommonName, CERT_LOGIN);
    let client_key = KeyPair::generate().unwrap();
    let client_cert = client.signed_by(&client_key, &issuer).unwrap();
    let _ = dir;
    (ca_cert.pem(), server_cert.pem(), server_key.serialize_pem(), client_cert.pem(), client_key.serialize_pem())
}

impl Pg {
    /// Makes, configures and starts a cluster with the database [`DATABASE`].
    pub fn start() -> Pg {
        static N: AtomicUsize = AtomicUsize::new(0);
        let bin = bin_dir();
        let run_as = is_root().then(|| "nobody".to_string());
        let dir = std::env::temp_dir().join(format!("rd-pg-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        give(&dir, &run_as, 0o755);
        let data = dir.join("data");
        let socket_dir = dir.join("sock");
        std::fs::create_dir_all(&socket_dir).unwrap();
        give(&socket_dir, &run_as, 0o755);

        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, ADMIN_PASSWORD).unwrap();
        give(&pwfile, &run_as, 0o600);
        let mut pg = Pg {
            dir: dir.clone(),
            data: data.clone(),
            socket_dir: socket_dir.clone(),
            bin,
            run_as,
            port: free_port(),
            ca_file: dir.join("ca.pem"),
            ca_pem: String::new(),
            client_cert_file: dir.join("client.pem"),
            client_key_file: dir.join("client.key"),
        };
        pg.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                ADMIN,
                &format!("--pwfile={}", pwfile.display()),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let (ca, server_cert, server_key, client_cert, client_key) = certificates(&dir);
        std::fs::write(&pg.ca_file, &ca).unwrap();
        give(&pg.ca_file, &pg.run_as, 0o644);
        pg.ca_pem = ca;
        for (name, text) in [("server.crt", server_cert.as_str()), ("server.key", server_key.as_str())] {
            let p = data.join(name);
            std::fs::write(&p, text).unwrap();
            give(&p, &pg.run_as, 0o600);
        }
        std::fs::write(&pg.client_cert_file, client_cert).unwrap();
        std::fs::write(&pg.client_key_file, client_key).unwrap();
        let ca_copy = data.join("root.crt");
        std::fs::copy(&pg.ca_file, &ca_copy).unwrap();
        give(&ca_copy, &pg.run_as, 0o600);
        let conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nssl = on\nssl_cert_file = 'server.crt'\n\
             ssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\nfsync = off\nmax_connections = 60\nlog_min_messages = warning\n",
            pg.port,
            socket_dir.display()
        );
        let mut c = std::fs::read_to_string(data.join("postgresql.conf")).unwrap();
        c.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), c).unwrap();
        // TLS only over TCP: no `host` line, so a plain connection finds no rule and is refused.
        std::fs::write(
            data.join("pg_hba.conf"),
            format!("local all all trust\nhostssl all {CERT_LOGIN} 127.0.0.1/32 cert\nhostssl all all 127.0.0.1/32 scram-sha-256\n"),
        )
        .unwrap();
        pg.start_again();
        pg.psql_admin(&format!("CREATE DATABASE {DATABASE}"), "postgres");
        pg
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut c = match &self.run_as {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(&path);
                c
            }
            None => Command::new(&path),
        };
        c.current_dir(&self.dir).env_remove("PGPASSWORD").env_remove("PGHOST").env_remove("PGPORT");
        c
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}\nlog: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    /// Stops the server (fast: open connections are cut, as when a database server restarts).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", "fast", "-w", "stop"]);
    }

    /// Starts it (again) and waits until it takes connections.
    pub fn start_again(&self) {
        let log = self.dir.join("log");
        if !log.exists() {
            std::fs::write(&log, "").unwrap();
            give(&log, &self.run_as, 0o644);
        }
        self.run("pg_ctl", &["-D", self.data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-w", "-t", "60", "start"]);
    }

    /// `postgres://LOGIN@127.0.0.1:PORT/rackdesk`.
    pub fn url(&self, login: &str) -> String {
        format!("postgres://{login}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The same with `localhost`, the other name in the server's certificate.
    pub fn url_by_name(&self, login: &str) -> String {
        format!("postgres://{login}@localhost:{}/{DATABASE}", self.port)
    }

    fn psql_admin(&self, sql: &str, db: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self
                .command("psql")
                .args(["-h", self.socket_dir.to_str().unwrap(), "-p", &self.port.to_string(), "-U", ADMIN, "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql])
                .stdin(Stdio::null())
                .output()
                .unwrap();
            if out.status.success() {
                return;
            }
            assert!(Instant::now() < deadline, "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A connection through the Unix socket (trusted) as `login`, for looking inside.
    pub async fn connect_as(&self, login: &str) -> tokio_postgres::Client {
        let mut cfg = tokio_postgres::Config::new();
        cfg.host_path(&self.socket_dir).port(self.port).user(login).dbname(DATABASE);
        let (client, conn) = cfg.connect(tokio_postgres::NoTls).await.unwrap_or_else(|e| panic!("connect as {login}: {e}"));
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    }

    /// The folder of the server's Unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.socket_dir.clone()
    }

    pub async fn admin(&self) -> tokio_postgres::Client {
        self.connect_as(ADMIN).await
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self.command("pg_ctl").args(["-D", self.data.to_str().unwrap(), "-m", "immediate", "-w", "stop"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
