//! TLS to the team database with rustls (no OpenSSL): the certificate chain checked up to
//! this computer's trusted roots or the admin's CA file, and the server's name checked
//! against the certificate. There is no "accept any certificate" switch.

use super::settings::Trust;
use super::TeamError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::RootCertStore;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The roots `trust` names.
pub(crate) fn roots(trust: &Trust) -> Result<RootCertStore, TeamError> {
    let mut roots = RootCertStore::empty();
    match trust {
        Trust::System => {
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                let _ = roots.add(c);
            }
            if roots.is_empty() {
                let detail = found.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
                return Err(TeamError::Tls {
                    detail: if detail.is_empty() { "no trusted certificates were found on this computer".into() } else { detail },
                });
            }
        }
        Trust::CaFile { file, pem } => {
            for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let c = c.map_err(|e| TeamError::CaFile { file: file.clone(), detail: e.to_string() })?;
                roots.add(c).map_err(|e| TeamError::CaFile { file: file.clone(), detail: e.to_string() })?;
            }
            if roots.is_empty() {
                return Err(TeamError::CaFile { file: file.clone(), detail: "it holds no certificate (PEM, -----BEGIN CERTIFICATE-----)".into() });
            }
        }
    }
    Ok(roots)
}

/// A client certificate chain (PEM) and its key (PEM, from the vault), checked to be usable.
pub(crate) fn client_auth(cert_pem: &str, key_pem: &SecretString) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TeamError> {
    let bad = |detail: String| TeamError::ClientCertificate { detail };
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>().map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("the certificate file holds no certificate".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.expose_secret().as_bytes()).map_err(|e| bad(format!("the key file holds no private key ({e})")))?;
    Ok((certs, key))
}

/// The rustls settings for the team database.
pub(crate) fn client_config(trust: &Trust, client: Option<(&str, &SecretString)>) -> Result<rustls::ClientConfig, TeamError> {
    let roots = roots(trust)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TeamError::Tls { detail: e.to_string() })?
        .with_root_certificates(roots);
    match client {
        None => Ok(builder.with_no_client_auth()),
        Some((cert, key)) => {
            let (certs, key) = client_auth(cert, key)?;
            builder.with_client_auth_cert(certs, key).map_err(|e| TeamError::ClientCertificate { detail: e.to_string() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_without_certificates_is_refused_with_its_name() {
        let t = Trust::CaFile { file: "/tmp/notes.txt".into(), pem: "hello".into() };
        let e = roots(&t).unwrap_err();
        assert!(e.user_message().contains("notes.txt"), "{}", e.user_message());
    }

    #[test]
    fn a_client_key_that_is_not_a_key_is_refused() {
        let e = client_auth("nothing", &SecretString::from("x")).unwrap_err();
        assert!(matches!(e, TeamError::ClientCertificate { .. }));
    }
}
