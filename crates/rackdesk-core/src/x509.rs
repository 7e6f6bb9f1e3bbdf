//! The issuer and subject names of an X.509 certificate, read from its DER bytes for messages
//! only ("issued by Contoso Inspection CA"). Nothing here decides trust: that is the
//! platform verifier's job (see [`crate::net`]). The input comes from whoever answered the
//! connection, so every read is bounds-checked and the text is cleaned and capped.

/// The longest name shown.
const MAX_NAME_CHARS: usize = 200;

/// One DER element: its tag and contents, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers do not occur in the parts we read
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The contents of an element with tag `want`, and what follows.
fn expect(input: &[u8], want: u8) -> Option<(&[u8], &[u8])> {
    let (tag, body, rest) = element(input)?;
    (tag == want).then_some((body, rest))
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;

/// `(issuer, subject)` of a DER certificate, each as `CN=…, O=…` (most specific first, as
/// RFC 4514 writes names); `None` for what cannot be read.
pub fn names(der: &[u8]) -> (Option<String>, Option<String>) {
    let parsed = (|| {
        let (cert, _) = expect(der, SEQUENCE)?;
        let (tbs, _) = expect(cert, SEQUENCE)?;
        let mut rest = tbs;
        // [0] EXPLICIT version, absent in version 1 certificates.
        if let Some((0xa0, _, after)) = element(rest) {
            rest = after;
        }
        let (_, rest) = expect(rest, 0x02)?; // serialNumber
        let (_, rest) = expect(rest, SEQUENCE)?; // signature algorithm
        let (issuer, rest) = expect(rest, SEQUENCE)?;
        let (_, rest) = expect(rest, SEQUENCE)?; // validity
        let (subject, _) = expect(rest, SEQUENCE)?;
        Some((name_text(issuer), name_text(subject)))
    })();
    parsed.unwrap_or((None, None))
}

/// A Name (the contents of its SEQUENCE) as text.
fn name_text(mut rdns: &[u8]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    while !rdns.is_empty() {
        let (set, rest) = expect(rdns, SET)?;
        rdns = rest;
        let mut attrs = set;
        while !attrs.is_empty() {
            let (atv, rest) = expect(attrs, SEQUENCE)?;
            attrs = rest;
            let (oid, value) = expect(atv, 0x06)?;
            let (tag, bytes, _) = element(value)?;
            let label = match oid {
                [0x55, 0x04, 0x03] => "CN",
                [0x55, 0x04, 0x0a] => "O",
                [0x55, 0x04, 0x0b] => "OU",
                [0x55, 0x04, 0x06] => "C",
                [0x55, 0x04, 0x07] => "L",
                [0x55, 0x04, 0x08] => "ST",
                _ => continue, // other attributes (e-mail, serial number, ...) are not shown
            };
            if let Some(text) = string_value(tag, bytes) {
                parts.push(format!("{label}={text}"));
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.reverse();
    let mut s: String = parts.join(", ").chars().filter(|c| !c.is_control()).collect();
    if s.chars().count() > MAX_NAME_CHARS {
        s = s.chars().take(MAX_NAME_CHARS).collect::<String>() + "…";
    }
    Some(s)
}

fn string_value(tag: u8, bytes: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, PrintableString, IA5String, VisibleString
        0x0c | 0x13 | 0x16 | 0x1a => Some(String::from_utf8_lossy(bytes).into_owned()),
        // TeletexString: read as Latin-1, as most software does.
        0x14 => Some(bytes.iter().map(|b| *b as char).collect()),
        // BMPString: UTF-16, big-endian.
        0x1e if bytes.len() % 2 == 0 => {
            let units: Vec<u16> = bytes.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}

/// The common name alone (`CN=…`) of a name as [`names`] writes it, else the whole name.
pub fn short(name: &str) -> &str {
    name.split(", ").find_map(|p| p.strip_prefix("CN=")).unwrap_or(name)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine;

    /// A version-1 certificate for api.emailsrvr.com issued by "Example Inspection CA" of
    /// "Example Corp" (made with openssl for this test).
    pub(crate) fn sample_cert() -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(
                "MIIBTDCB9AIUdOap/DMzgcDo10jOY4R4bPisUhMwCgYIKoZIzj0EAwIwNzEVMBMGA1UECgwMRXhhbXBsZSBDb3JwMR4wHAYDVQQDDBVFeGFtcGxlIEluc3BlY3Rpb24gQ0EwHhcNMjYxMTMwMTAwMzQ5WhcNMzYxMTI3MTAwMzQ5WjAcMRowGAYDVQQDDBFhcGkuZW1haWxzcnZyLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHba6NZ1T2D8GULkSas3QOiG8ze0CKaZXT9Zx3s5eu8ZmxMXKlrafgd3AYV9x65owQGalSt5VsBdRtNPcjttLjIwCgYIKoZIzj0EAwIDRwAwRAIgCgrSmOPlSBvET7hU2xmWgIxt8hgpapPlq/xSlSkDghICIFghpsBJ9vUWBl2WQgxksoGUO06YAivXWmTr1oYYTX50",
            )
            .unwrap()
    }

    #[test]
    fn reads_issuer_and_subject() {
        let (issuer, subject) = names(&sample_cert());
        assert_eq!(issuer.as_deref(), Some("CN=Example Inspection CA, O=Example Corp"));
        assert_eq!(subject.as_deref(), Some("CN=api.emailsrvr.com"));
        assert_eq!(short(issuer.as_deref().unwrap()), "Example Inspection CA");
        assert_eq!(short("O=Only An Org"), "O=Only An Org");
    }

    #[test]
    fn never_panics_on_damaged_input() {
        let good = sample_cert();
        for n in 0..good.len() {
            let _ = names(&good[..n]);
            let mut bad = good.clone();
            bad[n] ^= 0xff;
            let _ = names(&bad);
        }
        assert_eq!(names(b""), (None, None));
        assert_eq!(names(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), (None, None));
    }

    #[test]
    fn other_string_types_and_long_names() {
        // A Name with one BMPString CN "Ab" and a control character in an O.
        let cn = [0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x04, 0x00, 0x41, 0x00, 0x62];
        let o = [0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x03, b'x', 0x07, b'y'];
        let name: Vec<u8> = o.iter().chain(cn.iter()).copied().collect();
        assert_eq!(name_text(&name).as_deref(), Some("CN=Ab, O=xy"));
        let long = vec![b'a'; 300];
        let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x82, 0x01, 0x2c];
        atv.extend(&long);
        let mut seq = vec![0x30, 0x82, (atv.len() >> 8) as u8, (atv.len() & 0xff) as u8];
        seq.extend(&atv);
        let mut set = vec![0x31, 0x82, (seq.len() >> 8) as u8, (seq.len() & 0xff) as u8];
        set.extend(&seq);
        let t = name_text(&set).unwrap();
        assert_eq!(t.chars().count(), MAX_NAME_CHARS + 1);
        assert!(t.ends_with('…'));
    }
}
