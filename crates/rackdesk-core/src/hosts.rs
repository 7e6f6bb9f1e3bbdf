//! Which server an API address names, decided from the parsed URL only (never from a
//! substring of it): Rackspace's own API, this computer (the sandbox, a local simulator),
//! or some other server — which Rackdesk treats as a test server, and only when told so.
//!
//! This matters because the signature covers neither the method nor the path: a signed
//! request sent to the wrong host is a usable credential for a few minutes. An identity's
//! keys are therefore only ever signed for the API root stored with it.

/// The host of Rackspace's API.
pub const RACKSPACE_HOST: &str = "api.emailsrvr.com";

fn parse(url: &str) -> Option<url::Url> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then_some(u)
}

/// A server on this computer (the sandbox, a local simulator): see [`crate::client::is_loopback_url`].
pub use crate::client::is_loopback_url;

/// True for Rackspace's API over HTTPS (any path, default port).
pub fn is_rackspace_url(url: &str) -> bool {
    parse(url).is_some_and(|u| {
        u.scheme() == "https" && u.port().is_none() && u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(RACKSPACE_HOST))
    })
}

/// The API root in one spelling (scheme and host in lower case, no trailing slash), so two
/// ways of writing the same root compare equal. Unparseable text is only trimmed.
pub fn normalize_root(url: &str) -> String {
    match parse(url) {
        Some(u) => u.as_str().trim_end_matches('/').to_owned(),
        None => url.trim().trim_end_matches('/').to_owned(),
    }
}

/// Whether two API roots are the same server and path.
pub fn same_root(a: &str, b: &str) -> bool {
    normalize_root(a) == normalize_root(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rackspace_is_only_its_own_host_over_https() {
        assert!(is_rackspace_url("https://api.emailsrvr.com/v1"));
        assert!(is_rackspace_url("https://API.emailsrvr.com/v1/"));
        for no in ["http://api.emailsrvr.com/v1", "https://api.emailsrvr.com.evil.example/v1", "https://api.emailsrvr.com:8443/v1", "https://evil.example/api.emailsrvr.com"] {
            assert!(!is_rackspace_url(no), "{no}");
        }
    }

    #[test]
    fn roots_compare_in_one_spelling() {
        assert!(same_root("https://API.emailsrvr.com/v1/", "https://api.emailsrvr.com/v1"));
        assert!(!same_root("https://api.emailsrvr.com/v1", "http://127.0.0.1:9/v1"));
        assert!(!same_root("http://127.0.0.1:9/v1", "http://127.0.0.1:10/v1"));
    }
}
