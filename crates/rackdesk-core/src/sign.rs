//! Request signing, exactly as the API reference §2 describes:
//! `UserKey:YYYYMMDDHHmmss:Base64(SHA1(UserKey + UserAgent + Timestamp + SecretKey))`.
//!
//! The timestamp is UTC (the reference leaves the zone open; the official C# sample uses UTC).

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use std::fmt::Debug;

/// Where "now" comes from. Injected so that tests can sign at a chosen instant and the
/// simulator can pretend its clock is off.
pub trait Clock: Send + Sync + Debug {
    fn now_utc(&self) -> DateTime<Utc>;
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The computer's clock shifted by a number of seconds (tests of clock skew).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock(pub i64);

impl Clock for OffsetClock {
    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0)
    }
}

/// `YYYYMMDDHHmmss`, 14 digits.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%d%H%M%S").to_string()
}

/// Parses a 14-digit timestamp back into UTC. `None` when it is not one.
pub fn parse_timestamp(ts: &str) -> Option<DateTime<Utc>> {
    if ts.len() != 14 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(ts, "%Y%m%d%H%M%S")
        .ok()
        .map(|n| n.and_utc())
}

/// Base64 of the binary SHA-1 digest of the four parts, concatenated without separators.
pub fn signature_hash(user_key: &str, user_agent: &str, timestamp: &str, secret_key: &str) -> String {
    let mut h = Sha1::new();
    h.update(user_key.as_bytes());
    h.update(user_agent.as_bytes());
    h.update(timestamp.as_bytes());
    h.update(secret_key.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// The full `X-Api-Signature` header value.
pub fn signature_header(user_key: &str, user_agent: &str, timestamp: &str, secret_key: &str) -> String {
    let hash = signature_hash(user_key, user_agent, timestamp, secret_key);
    format!("{user_key}:{timestamp}:{hash}")
}

/// The three parts of a received header: user key, timestamp, hash.
/// The user key itself may contain neither `:` nor whitespace in practice, so we split from
/// the right: the hash and the timestamp never contain `:`.
pub fn split_header(value: &str) -> Option<(&str, &str, &str)> {
    let value = value.trim();
    let (rest, hash) = value.rsplit_once(':')?;
    let (user_key, ts) = rest.rsplit_once(':')?;
    if user_key.is_empty() || ts.is_empty() || hash.is_empty() {
        return None;
    }
    Some((user_key, ts, hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const WIKI_UK: &str = "eGbq9/2hcZsRlr1JV1Pi";
    const WIKI_SK: &str = "QHOvchm/40czXhJ1OxfxK7jDHr3t";
    const WIKI_UA: &str = "Rackspace Management Interface";

    #[test]
    fn official_vector_of_the_8th() {
        assert_eq!(
            signature_hash(WIKI_UK, WIKI_UA, "20010308143725", WIKI_SK),
            "46VIwd66mOFGG8IkbgnLlXnfnkU="
        );
    }

    #[test]
    fn official_vector_of_the_17th_as_a_header() {
        assert_eq!(
            signature_header(WIKI_UK, WIKI_UA, "20010317143725", WIKI_SK),
            "eGbq9/2hcZsRlr1JV1Pi:20010317143725:HKUn0aajpSDx7qqGK3vqzn3FglI="
        );
    }

    #[test]
    fn worked_example_with_fake_keys() {
        assert_eq!(
            signature_header(
                "AbCdEfGhIjKlMnOpQrSt",
                "cloud-office-client/1.0",
                "20240131235959",
                "0123456789abcdefghijABCDEFGHIJklmnopqrst"
            ),
            "AbCdEfGhIjKlMnOpQrSt:20240131235959:BggE8Izft4vzi733CZMXSYqA6Yo="
        );
    }

    #[test]
    fn timestamp_comes_from_the_injected_clock_in_utc() {
        let clock = FixedClock(Utc.with_ymd_and_hms(2001, 3, 8, 14, 37, 25).unwrap());
        let ts = timestamp(clock.now_utc());
        assert_eq!(ts, "20010308143725");
        assert_eq!(signature_hash(WIKI_UK, WIKI_UA, &ts, WIKI_SK), "46VIwd66mOFGG8IkbgnLlXnfnkU=");
    }

    #[test]
    fn timestamp_pads_every_part() {
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(timestamp(t), "20240102030405");
        assert_eq!(parse_timestamp("20240102030405"), Some(t));
    }

    #[test]
    fn malformed_timestamps_do_not_parse() {
        for bad in ["2024010203040", "2024010203040x", "20241302030405", "", "202401020304056"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn header_splits_into_its_three_parts() {
        let h = "eGbq9/2hcZsRlr1JV1Pi:20010317143725:HKUn0aajpSDx7qqGK3vqzn3FglI=\n";
        assert_eq!(
            split_header(h),
            Some(("eGbq9/2hcZsRlr1JV1Pi", "20010317143725", "HKUn0aajpSDx7qqGK3vqzn3FglI="))
        );
        assert_eq!(split_header("nocolons"), None);
        assert_eq!(split_header(":20010317143725:abc"), None);
    }
}
