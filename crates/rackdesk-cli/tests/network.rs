//! Company networks, for real: the simulator served over HTTPS with a certificate from a
//! private certificate authority made by this test (as a TLS-inspecting proxy's would be), a
//! real proxy from the distribution's packages (tinyproxy) in front of it, and this computer's
//! trust store.
//!
//! The `rackdesk` binary first fails with "certificate not trusted", naming the authority;
//! once the authority is installed in the system's trust store (`update-ca-certificates`, as
//! IT would install a company root; the test runs as root in CI and removes it again at the
//! end) it works through the proxy. A proxy that is down, one that refuses the address, one
//! that asks for a password and a name that does not exist each get their own message.
//!
//! Not root (a developer's machine): the same checks run with the authority given the other
//! documented way the verifier reads the system's roots on Linux, `SSL_CERT_FILE` naming a
//! bundle of the system's roots plus the authority (rustls-native-certs, under
//! rustls-platform-verifier, reads it instead of the system bundle).
//!
//! Needs the packages tinyproxy and ca-certificates (src-tauri/scripts/setup.sh installs them).
//! The simulator is reached by this computer's host name (not `localhost`: an address on this
//! computer is never sent through a proxy), which must resolve — as it does on Debian, Ubuntu
//! and in CI containers.

use rackdesk_sim::tls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rackdesk_sim::{DataSet, SimConfig, Simulator};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const USER_KEY: &str = "NetTestUserKey0001";
const SECRET: &str = "NetTestSecretKey-Do-Not-Print-0001";
const PROXY_PASSWORD: &str = "Proxy-Pw-Do-Not-Print-77";
const CA_NAME: &str = "Rackdesk Test Inspection CA";
const CA_ORG: &str = "Rackdesk tests";

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);
impl TempDir {
    fn new(what: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("rd-net-{what}-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
}

/// This computer's host name and the address it resolves to.
fn host_name() -> (String, IpAddr) {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| Command::new("hostname").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .expect("this computer has a host name");
    assert!(!name.eq_ignore_ascii_case("localhost"), "the host name is \"localhost\": the proxy test needs a name that is not");
    let ip = (name.as_str(), 0)
        .to_socket_addrs()
        .unwrap_or_else(|e| panic!("this computer's host name {name:?} does not resolve ({e}); add it to /etc/hosts"))
        .map(|a| a.ip())
        .find(IpAddr::is_ipv4)
        .unwrap_or_else(|| panic!("{name:?} has no IPv4 address"));
    (name, ip)
}

/// A private certificate authority and a server certificate for `host` signed by it.
struct Pki {
    ca_pem: String,
    leaf: CertificateDer<'static>,
    key: Vec<u8>,
}

fn make_pki(host: &str) -> Pki {
    use rcgen13::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::OrganizationName, CA_ORG);
    p.distinguished_name.push(DnType::CommonName, CA_NAME);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = p.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut lp = CertificateParams::new(vec![host.to_owned()]).unwrap();
    lp.distinguished_name.push(DnType::CommonName, host);
    lp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = lp.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    Pki { ca_pem: ca.pem(), leaf: leaf.der().clone(), key: leaf_key.serialize_der() }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// The test authority trusted by this computer, until dropped.
enum Trust {
    /// Installed in the system's store (root): `/usr/local/share/ca-certificates` + `update-ca-certificates`.
    System(PathBuf),
    /// A bundle of the system's roots plus ours, named by `SSL_CERT_FILE` for each run.
    CertFile(PathBuf),
}

const SYSTEM_CA_DIR: &str = "/usr/local/share/ca-certificates";

fn update_ca_certificates() {
    let o = Command::new("update-ca-certificates").output().expect("update-ca-certificates runs (package ca-certificates)");
    assert!(o.status.success(), "update-ca-certificates: {}", String::from_utf8_lossy(&o.stderr));
}

impl Trust {
    fn install(pki: &Pki, tmp: &Path) -> Trust {
        if is_root() && Path::new(SYSTEM_CA_DIR).is_dir() {
            let path = Path::new(SYSTEM_CA_DIR).join(format!("rackdesk-test-{}.crt", std::process::id()));
            std::fs::write(&path, &pki.ca_pem).unwrap();
            update_ca_certificates();
            Trust::System(path)
        } else {
            eprintln!("network test: not root, so the test authority is given through SSL_CERT_FILE instead of the system store");
            Trust::cert_file(pki, tmp)
        }
    }

    fn cert_file(pki: &Pki, tmp: &Path) -> Trust {
        let mut bundle = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
        bundle.push('\n');
        bundle.push_str(&pki.ca_pem);
        let path = tmp.join("bundle.pem");
        std::fs::write(&path, bundle).unwrap();
        Trust::CertFile(path)
    }

    fn apply(&self, cmd: &mut Command) {
        if let Trust::CertFile(p) = self {
            cmd.env("SSL_CERT_FILE", p);
        }
    }
}

impl Drop for Trust {
    fn drop(&mut self) {
        if let Trust::System(p) = self {
            let _ = std::fs::remove_file(&*p);
            update_ca_certificates();
        }
    }
}

/// Authorities a crashed earlier run may have left in the system store.
fn remove_stale_test_authorities() {
    if !is_root() {
        return;
    }
    let Ok(rd) = std::fs::read_dir(SYSTEM_CA_DIR) else { return };
    let mut removed = false;
    for e in rd.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("rackdesk-test-") && n.ends_with(".crt") && n != format!("rackdesk-test-{}.crt", std::process::id()) {
            removed |= std::fs::remove_file(e.path()).is_ok();
        }
    }
    if removed {
        update_ca_certificates();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// tinyproxy on a loopback port, with `extra` configuration lines; stopped when dropped.
struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Tinyproxy {
    fn start(dir: &Path, name: &str, extra: &[String]) -> Tinyproxy {
        let port = free_port();
        let conf = dir.join(format!("{name}.conf"));
        let log = dir.join(format!("{name}.log"));
        let mut text = format!("Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\nLogLevel Connect\nLogFile \"{}\"\n", log.display());
        for l in extra {
            text.push_str(l);
            text.push('\n');
        }
        // No "User" line: tinyproxy keeps running as whoever started it (and can write its log).
        std::fs::write(&conf, text).unwrap();
        let child = Command::new("tinyproxy")
            .args(["-d", "-c"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tinyproxy: {e}. Install the package tinyproxy (src-tauri/scripts/setup.sh does)."));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tinyproxy did not listen on {port} within 10 s");
            std::thread::sleep(Duration::from_millis(25));
        }
        Tinyproxy { child, port, log }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `rackdesk` against `api_url` with nothing inherited of the caller's network settings,
/// then `set` adds this case's.
fn rackdesk(dir: &Path, api_url: &str, args: &[&str], set: &dyn Fn(&mut Command)) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
    for v in [
        "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE",
        "SSL_CERT_DIR", "RACKDESK_API_URL", "RACKDESK_LOG", "RACKDESK_LOG_DIR", "REQUEST_METHOD",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("RACKDESK_CONFIG_DIR", dir)
        .env("RACKDESK_DATA_DIR", dir)
        .env("RACKDESK_USER_KEY", USER_KEY)
        .env("RACKDESK_SECRET_KEY", SECRET)
        .args(["--api-url", api_url])
        .args(args)
        .stdin(Stdio::null());
    set(&mut cmd);
    let o = cmd.output().expect("rackdesk runs");
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!all.contains(SECRET), "the secret key appeared in the output of {args:?}");
    assert!(!all.contains(PROXY_PASSWORD), "the proxy's password appeared in the output of {args:?}: {all}");
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The JSON failure object `--output json` writes on stderr.
fn json_failure(o: &Output) -> serde_json::Value {
    let e = stderr(o);
    let line = e.lines().rev().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON failure on stderr: {e}"));
    serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"))
}

fn via(proxy: &str) -> impl Fn(&mut Command) + '_ {
    move |c: &mut Command| {
        c.env("HTTPS_PROXY", proxy);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_and_proxies_of_a_company_network() {
    remove_stale_test_authorities();
    let tmp = TempDir::new("tls");
    let dir = tmp.0.as_path();
    let (host, ip) = host_name();
    let pki = make_pki(&host);

    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = DataSet::Empty;
    let acceptor = rackdesk_sim::tls::acceptor(vec![pki.leaf.clone()], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key.clone()))).unwrap();
    let s = Simulator::start_tls(cfg, SocketAddr::new(ip, 0), acceptor, &host).await.expect("the simulator serves HTTPS");
    let api = s.api_url().to_owned();
    assert_eq!(api, format!("https://{host}:{}/v1", s.addr().port()));
    let sim_port = s.addr().port();
    let proxy = Tinyproxy::start(dir, "open", &[format!("ConnectPort {sim_port}")]);
    let connects = |p: &Tinyproxy| p.log().matches(&format!("CONNECT {host}:{sim_port}")).count();

    // 1. Before the authority is trusted: refused, naming it, whether through the proxy or not.
    let o = rackdesk(dir, &api, &["domains", "list"], &via(&proxy.url()));
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(&format!("presented a certificate issued by \"{CA_NAME}\", which this computer does not trust")), "{e}");
    assert!(e.contains("Rackdesk never skips this check"), "{e}");
    let details = e.lines().find(|l| l.trim_start().starts_with("Details:")).unwrap_or("");
    assert!(details.contains(&format!("CN={CA_NAME}")) && details.contains(&format!("O={CA_ORG}")), "the details name the whole issuer: {e}");
    assert_eq!(connects(&proxy), 1, "the connection went through the proxy: {}", proxy.log());
    let o = rackdesk(dir, &api, &["--output", "json", "domains", "list"], &|_| {});
    let j = json_failure(&o);
    assert_eq!((j["kind"].as_str(), j["exitCode"].as_i64()), (Some("certificate"), Some(5)), "{j}");
    assert!(j["message"].as_str().unwrap().contains(CA_NAME) && j["detail"].as_str().unwrap().contains(CA_ORG), "{j}");
    assert!(s.sim().requests().is_empty(), "no request reached the server: {:?}", s.sim().requests());

    // SSL_CERT_FILE naming a bundle with the authority is honoured (the way without root).
    let bundle = Trust::cert_file(&pki, dir);
    let o = rackdesk(dir, &api, &["domains", "list"], &|c| bundle.apply(c));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    drop(bundle);
    let o = rackdesk(dir, &api, &["domains", "list"], &|_| {});
    assert_eq!(code(&o), 5, "without it, refused again: {}", stderr(&o));

    // 2. The authority installed as IT would: it works, through the proxy.
    {
        let trust = Trust::install(&pki, dir);
        let o = rackdesk(dir, &api, &["domains", "list"], &|c| {
            trust.apply(c);
            c.env("https_proxy", proxy.url()); // the lower-case spelling works too
        });
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stdout(&o).contains("example.com") && stdout(&o).contains("2 domains"), "{}", stdout(&o));
        assert_eq!(connects(&proxy), 2, "through the proxy: {}", proxy.log());
        assert!(!s.sim().requests().is_empty(), "the simulator answered");

        // NO_PROXY naming the host: straight to it, the proxy not asked.
        let o = rackdesk(dir, &api, &["domains", "list"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", proxy.url()).env("NO_PROXY", format!("example.org,{host}"));
        });
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(connects(&proxy), 2, "NO_PROXY went around the proxy: {}", proxy.log());

        // Diagnostics through the proxy: the proxy, the answer, the clock; no key, no password.
        let o = rackdesk(dir, &api, &["diagnostics"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", proxy.url());
        });
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let d = stdout(&o);
        assert!(d.contains(&format!("Proxy: 127.0.0.1:{} (from HTTPS_PROXY)", proxy.port)), "{d}");
        assert!(d.contains(&format!("API root: {api}")), "{d}");
        assert!(d.contains("Connection: the API answered (HTTP "), "{d}");
        assert!(d.contains("Clock: the same as the server's") || d.contains("Clock: this computer is"), "{d}");
        assert!(d.contains("Certificates checked against:"), "{d}");
        assert!(d.contains("Last errors (newest last") && d.contains("kind=certificate"), "the earlier refusal is among the last errors: {d}");
        assert!(!d.contains(USER_KEY), "{d}");

        // A proxy that refuses the address (it allows only port 443).
        let strict = Tinyproxy::start(dir, "strict", &["ConnectPort 443".to_owned()]);
        let o = rackdesk(dir, &api, &["--output", "json", "domains", "list"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", strict.url());
        });
        let j = json_failure(&o);
        assert_eq!((j["kind"].as_str(), j["exitCode"].as_i64()), (Some("proxy-refused"), Some(5)), "{j}");
        assert!(
            j["message"].as_str().unwrap().contains(&format!("The proxy server 127.0.0.1:{} refused to connect Rackdesk to {host}", strict.port)),
            "{j}"
        );

        // A proxy that asks for a user name and password.
        let guarded = Tinyproxy::start(dir, "auth", &[format!("ConnectPort {sim_port}"), format!("BasicAuth alice {PROXY_PASSWORD}")]);
        let o = rackdesk(dir, &api, &["domains", "list"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", guarded.url());
        });
        assert_eq!(code(&o), 5, "{}", stderr(&o));
        assert!(stderr(&o).contains(&format!("The proxy server 127.0.0.1:{} asks for a user name and password", guarded.port)), "{}", stderr(&o));
        let o = rackdesk(dir, &api, &["--output", "json", "domains", "list"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", guarded.url());
        });
        assert_eq!(json_failure(&o)["kind"], "proxy-auth");
        // ... with them in its address, it works (and the password is shown nowhere).
        let with_pw = format!("http://alice:{PROXY_PASSWORD}@127.0.0.1:{}", guarded.port);
        let o = rackdesk(dir, &api, &["domains", "list"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", &with_pw);
        });
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = rackdesk(dir, &api, &["diagnostics"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", &with_pw);
        });
        assert!(stdout(&o).contains("with a user name and password (not shown)"), "{}", stdout(&o));
        // ... and wrong ones are refused (tinyproxy answers 401 rather than 407).
        let o = rackdesk(dir, &api, &["domains", "list"], &|c| {
            trust.apply(c);
            c.env("HTTPS_PROXY", format!("http://alice:wrong@127.0.0.1:{}", guarded.port));
        });
        assert_eq!(code(&o), 5, "{}", stderr(&o));
        assert!(stderr(&o).contains("or did not accept the user name and password in its address"), "{}", stderr(&o));
    } // the authority is removed from the trust store here

    // 3. Removed again: refused again.
    let o = rackdesk(dir, &api, &["--output", "json", "domains", "list"], &via(&proxy.url()));
    assert_eq!(json_failure(&o)["kind"], "certificate", "{}", stderr(&o));

    // The log file has each request's line and the failures, and never a key, signature or password.
    let logs: Vec<PathBuf> = std::fs::read_dir(dir.join("logs")).expect("a log folder").flatten().map(|e| e.path()).collect();
    let text: String = logs.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(text.contains("method=GET path=customers/me/domains status=200"), "{text}");
    assert!(text.contains("kind=proxy-auth") && text.contains("kind=certificate"), "{text}");
    for needle in [SECRET, PROXY_PASSWORD] {
        assert!(!text.contains(needle), "{needle} is in the log");
    }
    for sig in s.sim().seen_signatures() {
        let hash = sig.rsplit(':').next().unwrap();
        assert!(!text.contains(hash), "a signature is in the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_is_down_and_a_name_that_does_not_exist() {
    let tmp = TempDir::new("down");
    let dir = tmp.0.as_path();
    // Nothing listens on this port.
    let down = format!("http://127.0.0.1:{}", free_port());
    let o = rackdesk(dir, "https://api.emailsrvr.com/v1", &["domains", "list"], &via(&down));
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("Rackdesk could not reach the proxy server {},", down.trim_start_matches("http://"))), "{}", stderr(&o));
    assert!(stderr(&o).contains("(set in HTTPS_PROXY)") && stderr(&o).contains("Connection refused"), "{}", stderr(&o));
    let o = rackdesk(dir, "https://api.emailsrvr.com/v1", &["--output", "json", "domains", "list"], &via(&down));
    let j = json_failure(&o);
    assert_eq!((j["kind"].as_str(), j["exitCode"].as_i64()), (Some("proxy-unreachable"), Some(5)), "{j}");

    // A name that cannot exist (.invalid is reserved), reached directly.
    let o = rackdesk(dir, "https://rackdesk-test.invalid/v1", &["--output", "json", "domains", "list"], &|_| {});
    let j = json_failure(&o);
    assert_eq!(j["kind"], "name-not-found", "{j}");
    assert!(j["message"].as_str().unwrap().starts_with("Rackdesk could not find the server rackdesk-test.invalid"), "{j}");

    // This computer is reached directly even with a proxy set: the (local) address answers
    // "connection refused" itself, not "proxy unreachable".
    let local = format!("http://127.0.0.1:{}/v1", free_port());
    let o = rackdesk(dir, &local, &["--output", "json", "domains", "list"], &via(&down));
    assert_eq!(json_failure(&o)["kind"], "network", "{}", stderr(&o));
}
