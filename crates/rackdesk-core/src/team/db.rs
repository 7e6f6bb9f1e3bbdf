//! One connection to the team database: TLS always, a connect timeout, TCP keep-alives, and
//! the database's notifications (LISTEN/NOTIFY) handed to whoever listens. Errors are sorted
//! by what the person can do about them.

use super::settings::{Address, Secrets, Trust};
use super::TeamError;
use secrecy::ExposeSecret;
use std::error::Error as _;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Notification};

/// How long connecting may take before the database counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An open connection. Dropping it closes it.
pub struct Db {
    pub(crate) client: tokio_postgres::Client,
    pub(crate) notifications: mpsc::UnboundedReceiver<Notification>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Db {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// Connects to `address` over TLS checked against `trust`, signing in with `secrets`
    /// (a password, a client certificate, or both).
    pub async fn connect(address: &Address, trust: &Trust, client_cert_pem: Option<&str>, secrets: &Secrets, timeout: Duration) -> Result<Db, TeamError> {
        let mut cfg = address.config.clone();
        cfg.ssl_mode(SslMode::Require)
            .connect_timeout(timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .application_name("Rackdesk");
        if let Some(p) = &secrets.password {
            cfg.password(p.expose_secret().as_bytes());
        }
        let client_auth = match (client_cert_pem, &secrets.client_key) {
            (Some(c), Some(k)) => Some((c, k)),
            _ => None,
        };
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(super::tls::client_config(trust, client_auth)?);
        let (client, mut connection) = match tokio::time::timeout(timeout, cfg.connect(tls)).await {
            Err(_) => return Err(TeamError::Unreachable { detail: format!("no answer within {} seconds", timeout.as_secs()) }),
            Ok(r) => r.map_err(classify)?,
        };
        let (tx, notifications) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match futures::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(AsyncMessage::Notification(n))) => {
                        let _ = tx.send(n);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        tracing::debug!("team database connection ended: {e}");
                        break;
                    }
                    None => break,
                }
            }
        });
        Ok(Db { client, notifications, task })
    }

    pub fn client(&self) -> &tokio_postgres::Client {
        &self.client
    }
}

/// The error and every cause under it, as one line.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}

/// Sorts a database error by what the person can do about it.
pub(crate) fn classify(e: tokio_postgres::Error) -> TeamError {
    if let Some(db) = e.as_db_error() {
        let mut detail = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        if let Some(d) = db.detail() {
            detail.push_str(&format!("; {d}"));
        }
        if let Some(h) = db.hint() {
            detail.push_str(&format!("; hint: {h}"));
        }
        let code = db.code().code();
        return match code {
            "28P01" | "28000" => TeamError::Auth { detail },
            "3D000" => TeamError::NoSuchDatabase { detail },
            "42501" => TeamError::PermissionDenied { detail },
            "3F000" | "42P01" | "42883" => TeamError::NotSetUp,
            "53300" | "57P01" | "57P02" | "57P03" => TeamError::Unreachable { detail },
            c if c.starts_with("08") => TeamError::Unreachable { detail },
            _ => TeamError::Database { detail },
        };
    }
    let detail = chain(&e);
    let mut src = e.source();
    while let Some(s) = src {
        if s.downcast_ref::<rustls::Error>().is_some() {
            return TeamError::Tls { detail };
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|i| i.downcast_ref::<rustls::Error>().is_some()) {
                return TeamError::Tls { detail };
            }
            return TeamError::Unreachable { detail };
        }
        src = s.source();
    }
    if detail.contains("TLS") || detail.contains("tls") || detail.contains("certificate") {
        TeamError::Tls { detail }
    } else if e.is_closed() || detail.contains("connection") || detail.contains("timed out") {
        TeamError::Unreachable { detail }
    } else {
        TeamError::Database { detail }
    }
}
