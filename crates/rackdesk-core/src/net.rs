//! Company networks: which proxy a request goes through, how server certificates are checked,
//! and what a failed connection means in words a person (and their IT department) can act on.
//!
//! * **Proxies.** `HTTPS_PROXY`/`https_proxy` (and `ALL_PROXY`, `HTTP_PROXY`, `NO_PROXY`, in
//!   upper or lower case, read as curl reads them) for the app and the CLI; on Windows and
//!   macOS also the system's proxy settings (reqwest's `system-proxy`). [`proxy_for`] makes
//!   the same decision reqwest makes (the same hyper-util matcher, built the same way), so
//!   errors and diagnostics name the proxy actually used. An API address on this computer
//!   (the sandbox, a local simulator) is always reached directly, never through a proxy.
//!   A proxy's user name and password are taken from its address
//!   (`http://USER:PASSWORD@host:port`) and never shown: [`ProxyInUse`] holds only host and port.
//! * **Certificates.** Checked in full against the operating system's trust store through
//!   `rustls-platform-verifier` (Windows and macOS: the system's own verifier; Linux: the
//!   system's CA bundle, e.g. `/etc/ssl/certs/ca-certificates.crt` as `update-ca-certificates`
//!   writes it, or the files `SSL_CERT_FILE`/`SSL_CERT_DIR` name). A company root installed on
//!   the computer is therefore trusted; nothing else is, and there is no way to skip the check.
//!   When a certificate is refused, [`Checked`] adds the names of its issuer and subject, so the
//!   message can name e.g. a TLS-inspecting proxy's certificate authority.

use crate::error::{ApiError, CertReason};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use serde::Serialize;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// The proxy a request to the API goes through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyInUse {
    /// `host:port` (with the scheme when it is not plain `http`); never a user name or password.
    pub address: String,
    /// Where the setting comes from: `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, `all_proxy`,
    /// or "the system's proxy settings".
    pub from: String,
    /// Whether the setting carries a user name (and password) for the proxy.
    pub has_credentials: bool,
}

impl fmt::Display for ProxyInUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.address, self.from)
    }
}

/// The proxy variables, in the order they are looked at for an `https` address.
const HTTPS_PROXY_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

/// The proxy a request to `api_url` goes through, or `None` for a direct connection: none is
/// set, `NO_PROXY` names the host, or the address is on this computer.
pub fn proxy_for(api_url: &str) -> Option<ProxyInUse> {
    let url = url::Url::parse(api_url.trim()).ok()?;
    if crate::client::is_loopback_url(url.as_str()) {
        return None;
    }
    let uri: http::Uri = url.as_str().parse().ok()?;
    let hit = hyper_util::client::proxy::matcher::Matcher::from_system().intercept(&uri)?;
    let p = hit.uri();
    let authority = p.authority().map(|a| a.as_str()).unwrap_or("");
    let address = match p.scheme_str() {
        Some("http") | None => authority.to_owned(),
        Some(s) => format!("{s}://{authority}"),
    };
    let from = if url.scheme() == "https" {
        HTTPS_PROXY_VARS.iter().find(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()))
    } else {
        ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"].iter().find(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()))
    }
    .map(|v| (*v).to_owned())
    .unwrap_or_else(|| "the system's proxy settings".to_owned());
    Some(ProxyInUse { address, from, has_credentials: hit.basic_auth().is_some() || hit.raw_auth().is_some() })
}

/// The `NO_PROXY` list as set (`NO_PROXY`, else `no_proxy`), for diagnostics.
pub fn no_proxy_setting() -> Option<String> {
    ["NO_PROXY", "no_proxy"].iter().find_map(|v| std::env::var(v).ok()).filter(|v| !v.trim().is_empty())
}

/// How certificates are checked, in words (for diagnostics).
pub fn trust_store_description() -> String {
    let mut s = if cfg!(target_os = "windows") {
        "the Windows certificate store (the system's own verifier)".to_owned()
    } else if cfg!(target_os = "macos") {
        "the macOS Keychain's trust settings (the system's own verifier)".to_owned()
    } else {
        "the system's CA certificates (as update-ca-certificates installs them)".to_owned()
    };
    if cfg!(all(unix, not(target_os = "macos"))) {
        for v in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if let Some(x) = std::env::var_os(v).filter(|x| !x.is_empty()) {
                s.push_str(&format!("; {v}={}", x.to_string_lossy()));
            }
        }
    }
    s
}

/// The TLS settings of every client that talks HTTPS: TLS 1.2 and 1.3 with rustls (ring),
/// HTTP/1.1, and certificates checked by [`Checked`] over the operating system's verifier.
pub(crate) fn tls_config() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Checked::new(provider.clone());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        // "dangerous" is rustls' name for supplying one's own verifier; ours is the platform's
        // full verification, only with better words when it refuses.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    cfg
}

/// Why a certificate was refused, with the names a person can recognise. Carried inside
/// rustls' error (`CertificateError::Other`) up to [`classify`].
#[derive(Debug, Clone)]
pub struct CertRejection {
    pub reason: CertReason,
    /// The issuer of the server's certificate, e.g. `CN=Contoso Inspection CA, O=Contoso`.
    pub issuer: Option<String>,
    /// The certificate's own subject.
    pub subject: Option<String>,
    /// The verifier's own words.
    pub cause: String,
}

impl fmt::Display for CertRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.cause)?;
        if let Some(i) = &self.issuer {
            write!(f, " (issued by {i})")?;
        }
        Ok(())
    }
}

impl StdError for CertRejection {}

/// The operating system's verifier, unchanged in what it accepts; a refusal is returned with
/// the certificate's issuer and subject. If the system's roots cannot be loaded at all, every
/// certificate is refused ([`CertReason::NoTrustedRoots`]); plain-http clients (this computer
/// only) never reach it.
#[derive(Debug)]
pub(crate) struct Checked {
    inner: Result<Arc<dyn ServerCertVerifier>, String>,
    provider: Arc<CryptoProvider>,
}

impl Checked {
    pub(crate) fn new(provider: Arc<CryptoProvider>) -> Checked {
        let inner = rustls_platform_verifier::Verifier::new(provider.clone())
            .map(|v| Arc::new(v) as Arc<dyn ServerCertVerifier>)
            .map_err(|e| e.to_string());
        if let Err(e) = &inner {
            tracing::warn!("no trusted root certificates could be loaded: {e}");
        }
        Checked { inner, provider }
    }

    #[cfg(test)]
    fn with(inner: Arc<dyn ServerCertVerifier>, provider: Arc<CryptoProvider>) -> Checked {
        Checked { inner: Ok(inner), provider }
    }
}

fn reason_of(e: &CertificateError) -> CertReason {
    match e {
        CertificateError::UnknownIssuer => CertReason::Untrusted,
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => CertReason::Expired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => CertReason::NotYetValid,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => CertReason::WrongName,
        CertificateError::Revoked => CertReason::Revoked,
        _ => CertReason::Invalid,
    }
}

impl ServerCertVerifier for Checked {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let names = || crate::x509::names(end_entity.as_ref());
        let inner = match &self.inner {
            Ok(v) => v,
            Err(e) => {
                let (issuer, subject) = names();
                let r = CertRejection { reason: CertReason::NoTrustedRoots, issuer, subject, cause: e.clone() };
                return Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(r)))));
            }
        };
        inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now).map_err(|e| match e {
            rustls::Error::InvalidCertificate(ce) => {
                let (issuer, subject) = names();
                let r = CertRejection { reason: reason_of(&ce), issuer, subject, cause: ce.to_string() };
                tracing::debug!(server = ?server_name, "certificate refused: {r}");
                rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(r))))
            }
            other => other,
        })
    }

    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.inner {
            Ok(v) => v.verify_tls12_signature(message, cert, dss),
            Err(_) => rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms),
        }
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.inner {
            Ok(v) => v.verify_tls13_signature(message, cert, dss),
            Err(_) => rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms),
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match &self.inner {
            Ok(v) => v.supported_verify_schemes(),
            Err(_) => self.provider.signature_verification_algorithms.supported_schemes(),
        }
    }
}

/// The errors behind `e`, outermost first. An `io::Error` wrapping another error (as TLS and
/// tunnel errors are wrapped) is looked into: its `source()` skips the wrapped error.
fn chain<'a>(e: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut cur = Some(e);
    while let Some(x) = cur {
        out.push(x);
        if out.len() > 32 {
            break;
        }
        cur = match x.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => x.source(),
        };
    }
    out
}

/// One line from every error in the chain, joined (for "Details").
pub(crate) fn chain_text(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for x in chain(e) {
        let s = x.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

/// What a failed connection means, when it is one of the failures a person on a company
/// network meets: a refused certificate, a proxy that cannot be reached, asks for a password
/// or refuses, a name that cannot be found. `None` for anything else (the caller keeps its
/// general network error). Every one of these happened before the request left this computer.
pub(crate) fn classify(e: &(dyn StdError + 'static), host: &str, proxy: Option<&ProxyInUse>) -> Option<ApiError> {
    let links = chain(e);
    let text = chain_text(e);
    for x in &links {
        if let Some(rustls::Error::InvalidCertificate(ce)) = x.downcast_ref::<rustls::Error>() {
            let r = match ce {
                CertificateError::Other(OtherError(inner)) => inner.downcast_ref::<CertRejection>().cloned(),
                _ => None,
            }
            .unwrap_or_else(|| CertRejection { reason: reason_of(ce), issuer: None, subject: None, cause: ce.to_string() });
            return Some(ApiError::Certificate {
                host: host.to_owned(),
                reason: r.reason,
                issuer: r.issuer,
                subject: r.subject,
                cause: r.cause,
            });
        }
    }
    let has = |needle: &str| links.iter().any(|x| x.to_string().contains(needle));
    if let Some(p) = proxy {
        // hyper-util's tunnel errors (the CONNECT request to the proxy); its error type is
        // not public, so its stable texts are matched (tests/network.rs runs them for real).
        if has("proxy authorization required") {
            return Some(ApiError::ProxyAuth { proxy: p.clone() });
        }
        if has("tunnel error: unsuccessful") || has("tunnel error: unexpected end of file") || has("proxy response headers too long") {
            return Some(ApiError::ProxyRefused { proxy: p.clone(), host: host.to_owned(), message: text });
        }
        if has("tunnel error: failed to create underlying connection") || has("tcp connect error") || has("dns error") {
            return Some(ApiError::ProxyUnreachable { proxy: p.clone(), message: text });
        }
        return None;
    }
    if has("dns error") {
        return Some(ApiError::NameNotFound { host: host.to_owned(), message: text });
    }
    None
}

/// Whether `e` is (or wraps) a failure to resolve a name; kept apart from `classify` for tests.
#[cfg(test)]
fn is_dns(e: &(dyn StdError + 'static)) -> bool {
    chain(e).iter().any(|x| x.to_string().contains("dns error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrap(&'static str, Option<Box<dyn StdError + Send + Sync>>);
    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    fn proxy() -> ProxyInUse {
        ProxyInUse { address: "proxy.example:3128".into(), from: "HTTPS_PROXY".into(), has_credentials: false }
    }

    #[test]
    fn a_refused_certificate_is_found_inside_io_errors_with_its_issuer() {
        let r = CertRejection {
            reason: CertReason::Untrusted,
            issuer: Some("CN=Contoso Inspection CA, O=Contoso".into()),
            subject: Some("CN=api.emailsrvr.com".into()),
            cause: "invalid peer certificate: UnknownIssuer".into(),
        };
        let tls = rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(r))));
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let outer = Wrap("error sending request", Some(Box::new(Wrap("client error (Connect)", Some(Box::new(io))))));
        match classify(&outer, "api.emailsrvr.com", None) {
            Some(ApiError::Certificate { reason: CertReason::Untrusted, issuer: Some(i), host, .. }) => {
                assert_eq!(i, "CN=Contoso Inspection CA, O=Contoso");
                assert_eq!(host, "api.emailsrvr.com");
            }
            other => panic!("{other:?}"),
        }
        // A plain rustls certificate error (no names) is still a certificate error.
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::InvalidCertificate(CertificateError::Expired));
        assert!(matches!(classify(&io, "h", None), Some(ApiError::Certificate { reason: CertReason::Expired, issuer: None, .. })));
    }

    #[test]
    fn proxy_failures_are_told_apart() {
        let p = proxy();
        let e = Wrap("client error (Connect)", Some(Box::new(Wrap("tunnel error: proxy authorization required", None))));
        assert!(matches!(classify(&e, "h", Some(&p)), Some(ApiError::ProxyAuth { .. })));
        let e = Wrap("client error (Connect)", Some(Box::new(Wrap("tunnel error: unsuccessful", None))));
        assert!(matches!(classify(&e, "h", Some(&p)), Some(ApiError::ProxyRefused { .. })));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let e = Wrap(
            "client error (Connect)",
            Some(Box::new(Wrap("tunnel error: failed to create underlying connection", Some(Box::new(Wrap("tcp connect error", Some(Box::new(refused)))))))),
        );
        match classify(&e, "h", Some(&p)) {
            Some(ApiError::ProxyUnreachable { message, .. }) => assert!(message.contains("tcp connect error"), "{message}"),
            other => panic!("{other:?}"),
        }
        // Without a proxy, the same tunnel words mean nothing special; a DNS failure is a name not found.
        assert!(classify(&Wrap("tunnel error: unsuccessful", None), "h", None).is_none());
        let dns = Wrap("client error (Connect)", Some(Box::new(Wrap("dns error", Some(Box::new(Wrap("failed to lookup address information: Name or service not known", None)))))));
        assert!(is_dns(&dns));
        match classify(&dns, "nowhere.invalid", None) {
            Some(ApiError::NameNotFound { host, message }) => {
                assert_eq!(host, "nowhere.invalid");
                assert!(message.contains("Name or service not known"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Through a proxy, the proxy's own name not found is the proxy being unreachable.
        assert!(matches!(classify(&dns, "h", Some(&p)), Some(ApiError::ProxyUnreachable { .. })));
    }

    #[test]
    fn the_proxy_decision_follows_the_environment_and_never_shows_a_password() {
        // The only test of this crate that touches these variables.
        let vars = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"];
        let saved: Vec<_> = vars.iter().map(|v| (v, std::env::var_os(v))).collect();
        for v in vars {
            std::env::remove_var(v);
        }
        assert_eq!(proxy_for("https://api.emailsrvr.com/v1"), None);
        std::env::set_var("https_proxy", "http://alice:S3cret-pw@proxy.example:3128");
        let p = proxy_for("https://api.emailsrvr.com/v1").expect("a proxy");
        assert_eq!(p.address, "proxy.example:3128");
        assert_eq!(p.from, "https_proxy");
        assert!(p.has_credentials);
        assert!(!format!("{p} {p:?}").contains("S3cret"), "{p:?}");
        // This computer is always reached directly.
        assert_eq!(proxy_for("http://127.0.0.1:8808/v1"), None);
        assert_eq!(proxy_for("https://localhost:8443/v1"), None);
        // NO_PROXY names the host (or its domain).
        std::env::set_var("NO_PROXY", "emailsrvr.com, 10.0.0.0/8");
        assert_eq!(proxy_for("https://api.emailsrvr.com/v1"), None);
        assert!(proxy_for("https://other.example/v1").is_some());
        assert_eq!(no_proxy_setting().as_deref(), Some("emailsrvr.com, 10.0.0.0/8"));
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("https_proxy");
        std::env::set_var("HTTPS_PROXY", "https://proxy.example:8443");
        let p = proxy_for("https://api.emailsrvr.com/v1").expect("a proxy");
        assert_eq!((p.address.as_str(), p.from.as_str(), p.has_credentials), ("https://proxy.example:8443", "HTTPS_PROXY", false));
        for (v, x) in saved {
            match x {
                Some(x) => std::env::set_var(v, x),
                None => std::env::remove_var(v),
            }
        }
    }

    #[test]
    fn the_verifier_adds_names_and_never_accepts_what_the_system_refuses() {
        #[derive(Debug)]
        struct Refuses;
        impl ServerCertVerifier for Refuses {
            fn verify_server_cert(&self, _: &CertificateDer<'_>, _: &[CertificateDer<'_>], _: &ServerName<'_>, _: &[u8], _: UnixTime) -> Result<ServerCertVerified, rustls::Error> {
                Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))
            }
            fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
                Err(rustls::Error::General("no".into()))
            }
            fn verify_tls13_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
                Err(rustls::Error::General("no".into()))
            }
            fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
                vec![]
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let v = Checked::with(Arc::new(Refuses), provider);
        let cert = CertificateDer::from(crate::x509::tests::sample_cert());
        let name = ServerName::try_from("api.emailsrvr.com").unwrap();
        let e = v.verify_server_cert(&cert, &[], &name, &[], UnixTime::now()).unwrap_err();
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        match classify(&io, "api.emailsrvr.com", None) {
            Some(ApiError::Certificate { reason: CertReason::Untrusted, issuer: Some(i), subject: Some(s), .. }) => {
                assert_eq!(i, "CN=Example Inspection CA, O=Example Corp");
                assert_eq!(s, "CN=api.emailsrvr.com");
            }
            other => panic!("{other:?}"),
        }
    }
}
