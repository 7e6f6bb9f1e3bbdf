//! Fault injection, to test how clients cope with a misbehaving service.
//!
//! A rule says what goes wrong (`delay`, a `status`, a `truncated` body, a body that is
//! `not-json`, or a `drop`ped connection), on which requests (a path substring, a method),
//! how often (a rate between 0 and 1, and/or a count), and whether the request is carried
//! out first (`after`: the change happens, then the answer is lost — the hard case for
//! clients that retry writes).
//!
//! A rule may also let the first matching requests through (`skip=N`), to hit a later one.
//!
//! Written on the command line as `KIND[:ARG][,path=TEXT][,method=M][,rate=R][,count=N][,skip=N][,after]`,
//! e.g. `status:503,rate=0.2`, `drop,path=/rs/mailboxes/,method=POST,count=1,after`,
//! `delay:3000,path=/domains`.
//!
//! `async-error` is different: it touches only the asynchronous writes of Exchange
//! distribution lists (a POST, PUT or DELETE under `/ex/distributionlists`). The write is
//! accepted as usual, and the change later settles with an `Error` instead of being carried
//! out, e.g. `async-error,method=DELETE,count=1`.

use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    Delay(Duration),
    Status(u16),
    Truncated,
    NotJson,
    Drop,
    /// The accepted asynchronous change settles with an error.
    AsyncError,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    pub kind: FaultKind,
    pub path_contains: Option<String>,
    pub method: Option<String>,
    pub rate: f64,
    /// How many more times it may fire; `None` for no limit.
    pub remaining: Option<u32>,
    /// How many matching requests still pass untouched before it may fire.
    pub skip: u32,
    pub after_apply: bool,
}

impl FaultRule {
    pub fn new(kind: FaultKind) -> Self {
        FaultRule { kind, path_contains: None, method: None, rate: 1.0, remaining: None, skip: 0, after_apply: false }
    }
    pub fn on_path(mut self, p: &str) -> Self {
        self.path_contains = Some(p.to_owned());
        self
    }
    pub fn on_method(mut self, m: &str) -> Self {
        self.method = Some(m.to_ascii_uppercase());
        self
    }
    pub fn rate(mut self, r: f64) -> Self {
        self.rate = r;
        self
    }
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }
    /// The first `n` matching requests pass untouched.
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = n;
        self
    }
    pub fn after_apply(mut self) -> Self {
        self.after_apply = true;
        self
    }

    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        let async_write = !method.eq_ignore_ascii_case("GET") && path.contains("/ex/distributionlists");
        self.remaining != Some(0)
            && (self.kind != FaultKind::AsyncError || async_write)
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path_contains.as_deref().is_none_or(|p| path.contains(p))
    }
}

impl FromStr for FaultRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split(',');
        let head = parts.next().unwrap_or("").trim();
        let (name, arg) = head.split_once(':').map_or((head, None), |(a, b)| (a, Some(b)));
        let kind = match (name, arg) {
            ("delay", Some(ms)) => {
                FaultKind::Delay(Duration::from_millis(ms.parse().map_err(|_| format!("delay needs milliseconds, not {ms:?}"))?))
            }
            ("status", Some(code)) => match code.parse::<u16>() {
                Ok(c) if (400..=599).contains(&c) => FaultKind::Status(c),
                _ => return Err(format!("status needs an HTTP error code (400-599), not {code:?}")),
            },
            ("truncated", None) => FaultKind::Truncated,
            ("not-json", None) => FaultKind::NotJson,
            ("drop", None) => FaultKind::Drop,
            ("async-error", None) => FaultKind::AsyncError,
            _ => {
                return Err(format!(
                    "unknown fault {head:?}: use delay:MS, status:CODE, truncated, not-json, drop or async-error"
                ))
            }
        };
        let mut rule = FaultRule::new(kind);
        for p in parts {
            let p = p.trim();
            match p.split_once('=') {
                Some(("path", v)) => rule.path_contains = Some(v.to_owned()),
                Some(("method", v)) => rule.method = Some(v.to_ascii_uppercase()),
                Some(("rate", v)) => {
                    rule.rate = v.parse().ok().filter(|r: &f64| (0.0..=1.0).contains(r)).ok_or(format!("rate must be between 0 and 1, not {v:?}"))?
                }
                Some(("count", v)) => rule.remaining = Some(v.parse().map_err(|_| format!("count must be a number, not {v:?}"))?),
                Some(("skip", v)) => rule.skip = v.parse().map_err(|_| format!("skip must be a number, not {v:?}"))?,
                None if p == "after" => rule.after_apply = true,
                _ => return Err(format!("unknown fault option {p:?}")),
            }
        }
        Ok(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_command_line_form() {
        let r: FaultRule = "drop,path=/rs/mailboxes/,method=post,count=1,after".parse().unwrap();
        assert_eq!(r.kind, FaultKind::Drop);
        assert_eq!(r.path_contains.as_deref(), Some("/rs/mailboxes/"));
        assert_eq!(r.method.as_deref(), Some("POST"));
        assert_eq!(r.remaining, Some(1));
        assert!(r.after_apply);
        let r: FaultRule = "status:503,rate=0.25".parse().unwrap();
        assert_eq!((r.kind, r.rate), (FaultKind::Status(503), 0.25));
        assert_eq!("delay:1500".parse::<FaultRule>().unwrap().kind, FaultKind::Delay(Duration::from_millis(1500)));
        let r: FaultRule = "async-error,method=delete,count=1".parse().unwrap();
        assert_eq!((r.kind.clone(), r.remaining), (FaultKind::AsyncError, Some(1)));
        // Only asynchronous distribution-list writes.
        assert!(r.applies_to("DELETE", "/v1/domains/a.example/ex/distributionlists/sales"));
        assert!(!r.applies_to("DELETE", "/v1/domains/a.example/ex/mailboxes/ann"));
        assert!(!FaultRule::new(FaultKind::AsyncError).applies_to("GET", "/v1/domains/a.example/ex/distributionlists"));
    }

    #[test]
    fn refuses_nonsense_with_a_reason() {
        for bad in ["explode", "status:200", "delay:soon", "drop,rate=2", "drop,colour=red"] {
            let e = bad.parse::<FaultRule>().unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
    }
}
