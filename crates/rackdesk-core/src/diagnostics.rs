//! Diagnostics for a support ticket: what Rackdesk is, where it runs, how it reaches the API
//! and what went wrong lately — with nothing secret in it, ready to paste. One function for
//! the app (*Help → Copy diagnostics*) and the CLI (`rackdesk diagnostics`).
//!
//! The connection is checked with one **unsigned** `GET` of the API root through the same
//! client construction every request uses (same proxy, same certificate check): any HTTP
//! answer proves the way there works, and its `Date` header gives the clock offset. No key
//! is read or sent.

use crate::client::{http_client, network_error, ClientConfig};
use crate::logging;
use crate::Explain;
use serde::Serialize;
use std::time::Instant;

/// What the edge knows and the core does not.
pub struct Input<'a> {
    /// "Rackdesk app" or "rackdesk command line".
    pub program: &'a str,
    /// The API root in use (the identity's, the sandbox's, or the one given).
    pub api_url: String,
    /// Who is acting, in the core's own sentence, or why nobody can.
    pub acting: String,
    /// The webview's version (the app only).
    pub webview: Option<String>,
    /// The identities and their vault; `None` when there is no settings folder.
    pub identities: Option<&'a crate::identity::Identities>,
}

/// The answer to the connection check.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reach {
    /// The HTTP status of the answer, when there was one.
    pub status: Option<u16>,
    pub millis: u64,
    /// The server's clock minus this computer's, in seconds, from its `Date` header.
    pub clock_offset_secs: Option<i64>,
    /// When there was no answer: the error's kind and plain sentence, and its details.
    pub error: Option<crate::Failure>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    pub program: String,
    pub version: String,
    pub os: String,
    pub webview: Option<String>,
    pub vault: String,
    /// "yes", or why not.
    pub vault_reachable: String,
    pub api_root: String,
    pub acting: String,
    /// "none (direct)" or `host:port (from HTTPS_PROXY)`.
    pub proxy: String,
    pub no_proxy: Option<String>,
    pub certificates: String,
    pub connection: Reach,
    pub log_file: Option<String>,
    pub last_errors: Vec<String>,
}

/// How many of the log's latest warnings and errors are included.
pub const LAST_ERRORS: usize = 10;

/// Gathers everything; never fails (what cannot be found is said in words).
pub async fn collect(input: Input<'_>) -> Diagnostics {
    let connection = reach(&input.api_url).await;
    let proxy = match crate::net::proxy_for(&input.api_url) {
        Some(p) => format!("{p}{}", if p.has_credentials { ", with a user name and password (not shown)" } else { "" }),
        None if crate::client::is_loopback_url(&input.api_url) => "none (this computer is always reached directly)".into(),
        None => "none (direct)".into(),
    };
    let log = logging::current();
    let log_dir = log.file.as_ref().and_then(|f| f.parent().map(|p| p.to_path_buf())).or_else(logging::log_dir);
    Diagnostics {
        program: input.program.to_owned(),
        version: crate::VERSION.to_owned(),
        os: os_description(),
        webview: input.webview,
        vault: input.identities.map_or(crate::vault::vault_name(), |i| i.store_name()).to_owned(),
        vault_reachable: match input.identities.map(|i| i.check_vault()) {
            Some(Ok(())) => "yes".into(),
            Some(Err(e)) => format!("no: {}{}", e.user_message(), e.detail().map(|d| format!(" ({d})")).unwrap_or_default()),
            None => "not checked (no settings folder)".into(),
        },
        api_root: redact_url(&input.api_url),
        acting: input.acting,
        proxy,
        no_proxy: crate::net::no_proxy_setting(),
        certificates: crate::net::trust_store_description(),
        connection,
        log_file: match (&log.file, &log.problem) {
            (Some(f), _) => Some(f.display().to_string()),
            (None, Some(p)) => Some(format!("none: {p}")),
            (None, None) => None,
        },
        last_errors: log_dir.map(|d| logging::last_problems(&d, LAST_ERRORS)).unwrap_or_default(),
    }
}

/// One unsigned `GET` of the API root, as every request would travel.
pub async fn reach(api_url: &str) -> Reach {
    let started = Instant::now();
    let elapsed = |s: Instant| s.elapsed().as_millis() as u64;
    let mut cfg = ClientConfig::new(api_url);
    cfg.timeout = std::time::Duration::from_secs(15);
    let url = match url::Url::parse(api_url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        _ => {
            let e = crate::ApiError::invalid("API address", format!("\"{api_url}\" is not a web address"));
            return Reach { status: None, millis: 0, clock_offset_secs: None, error: Some(e.failure()) };
        }
    };
    let (http, proxy) = match http_client(&cfg, &url) {
        Ok(x) => x,
        Err(e) => return Reach { status: None, millis: 0, clock_offset_secs: None, error: Some(e.failure()) },
    };
    match http.get(url.as_str()).send().await {
        Ok(resp) => {
            let ms = elapsed(started);
            let now = chrono::Utc::now() - chrono::Duration::milliseconds(ms as i64 / 2);
            let offset = resp
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(|d| crate::verify::skew_from_date(d, now));
            Reach { status: Some(resp.status().as_u16()), millis: ms, clock_offset_secs: offset, error: None }
        }
        Err(e) => {
            let err = network_error(&e, &cfg, proxy.as_ref());
            Reach { status: None, millis: elapsed(started), clock_offset_secs: None, error: Some(err.failure()) }
        }
    }
}

/// An identity in diagnostics' words: its name, account, API admin and key age; no key at all.
pub fn identity_words(i: &crate::identity::Identity) -> String {
    format!(
        "identity \"{}\": account {}, API admin {}, keys stored {} days ago (generation {}){}",
        i.label,
        i.account,
        i.api_admin.as_deref().unwrap_or("not named"),
        i.key_age_days(chrono::Utc::now()),
        i.key_generation,
        if i.test_server { ", a test server" } else { "" }
    )
}

fn redact_url(url: &str) -> String {
    logging::redact(url).into_owned()
}

/// The operating system and its version, as far as it can be read without extra programs.
pub fn os_description() -> String {
    let arch = std::env::consts::ARCH;
    if cfg!(target_os = "linux") {
        let pretty = std::fs::read_to_string("/etc/os-release").ok().and_then(|t| {
            t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_owned()))
        });
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|k| k.trim().to_owned());
        format!(
            "Linux{}, {arch}{}",
            pretty.map(|p| format!(" ({p})")).unwrap_or_default(),
            kernel.map(|k| format!(", kernel {k}")).unwrap_or_default()
        )
    } else if cfg!(target_os = "macos") {
        let v = std::process::Command::new("sw_vers").arg("-productVersion").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        format!("macOS {}, {arch}", v.unwrap_or_default())
    } else if cfg!(target_os = "windows") {
        let v = std::process::Command::new("cmd").args(["/C", "ver"]).output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        format!("{}, {arch}", v.filter(|v| !v.is_empty()).unwrap_or_else(|| "Windows".into()))
    } else {
        format!("{}, {arch}", std::env::consts::OS)
    }
}

impl Diagnostics {
    /// The report as plain lines, ready to paste into a ticket.
    pub fn text(&self) -> String {
        let mut lines: Vec<String> = vec![
            "Rackdesk diagnostics (no keys, passwords or signatures are included)".into(),
            format!("Program: {} {}", self.program, self.version),
            format!("System: {}", self.os),
        ];
        if let Some(w) = &self.webview {
            lines.push(format!("Webview: {w}"));
        }
        lines.push(format!("Credential vault: {} — reachable: {}", self.vault, self.vault_reachable));
        lines.push(format!("Acting: {}", self.acting));
        lines.push(format!("API root: {}", self.api_root));
        lines.push(format!("Proxy: {}", self.proxy));
        if let Some(n) = &self.no_proxy {
            lines.push(format!("NO_PROXY: {n}"));
        }
        lines.push(format!("Certificates checked against: {}", self.certificates));
        let c = &self.connection;
        lines.push(match (&c.status, &c.error) {
            (Some(s), _) => format!("Connection: the API answered (HTTP {s}) in {} ms", c.millis),
            (None, Some(f)) => format!(
                "Connection: failed after {} ms — {} [{}]{}",
                c.millis,
                f.message,
                f.kind,
                f.detail.as_deref().map(|d| format!(" Details: {d}")).unwrap_or_default()
            ),
            (None, None) => "Connection: not checked".into(),
        });
        lines.push(match c.clock_offset_secs {
            Some(0) => "Clock: the same as the server's (within a second)".into(),
            Some(s) => format!(
                "Clock: this computer is {} {} the server",
                crate::verify::human_duration(s),
                if s > 0 { "behind" } else { "ahead of" }
            ),
            None => "Clock: not compared (no answer with a date)".into(),
        });
        lines.push(format!("Log file: {}", self.log_file.as_deref().unwrap_or("none")));
        if self.last_errors.is_empty() {
            lines.push("Last errors: none in the log".into());
        } else {
            lines.push(format!("Last errors (newest last, up to {LAST_ERRORS}):"));
            lines.extend(self.last_errors.iter().map(|e| format!("  {e}")));
        }
        lines.join("\n") + "\n"
    }
}
