//! Mailbox password policy and a generator that always meets it.
//!
//! Rackspace's support documentation states the rule: at least 8 characters, with characters
//! from at least 3 of 4 classes (upper case, lower case, digits, symbols). Older control-panel
//! text adds: not "password", no run of three consecutive digits, and not containing the
//! mailbox name or the domain. Whether the API enforces the older rules is not documented [U];
//! we check them all (the safe side), so a password we accept is never refused by the server.

use rand::seq::{IndexedRandom, SliceRandom};
use secrecy::SecretString;

pub const MIN_LEN: usize = 8;
/// Upper bound we impose ourselves [U]: long enough for any passphrase, short enough for forms.
pub const MAX_LEN: usize = 64;

/// The rule in plain words, shown next to password fields.
pub const RULE_TEXT: &str =
    "at least 8 characters, with 3 of these 4: upper case, lower case, digits, symbols";

/// Why a password is refused. Never contains the password itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("it is empty")]
    Empty,
    #[error("it is shorter than {MIN_LEN} characters")]
    TooShort,
    #[error("it is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("it uses only {0} of the 4 kinds of characters; use 3 of: upper case, lower case, digits, symbols")]
    TooFewClasses(usize),
    #[error("it contains spaces or invisible characters at the start or end, or control characters")]
    BadCharacters,
    #[error("it contains the word \"password\"")]
    IsPassword,
    #[error("it contains three digits in a row (like 123)")]
    DigitRun,
    #[error("it contains the mailbox name")]
    ContainsName,
    #[error("it contains the domain name")]
    ContainsDomain,
}

/// Checks a password against the policy. `mailbox` and `domain` are those of the mailbox
/// it is meant for, when known.
pub fn check(password: &str, mailbox: Option<&str>, domain: Option<&str>) -> Result<(), PasswordProblem> {
    if password.is_empty() {
        return Err(PasswordProblem::Empty);
    }
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordProblem::TooShort);
    }
    if n > MAX_LEN {
        return Err(PasswordProblem::TooLong);
    }
    if password.chars().any(char::is_control) || password.trim() != password {
        return Err(PasswordProblem::BadCharacters);
    }
    let classes = [
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 3 {
        return Err(PasswordProblem::TooFewClasses(classes));
    }
    let lower = password.to_lowercase();
    if lower.contains("password") {
        return Err(PasswordProblem::IsPassword);
    }
    let digits: Vec<u8> = password.bytes().collect();
    if digits.windows(3).any(|w| {
        w.iter().all(u8::is_ascii_digit) && ((w[1] == w[0] + 1 && w[2] == w[1] + 1) || (w[0] == w[1] && w[1] == w[2]))
    }) {
        return Err(PasswordProblem::DigitRun);
    }
    if let Some(m) = mailbox.filter(|m| m.len() >= 3) {
        if lower.contains(&m.to_lowercase()) {
            return Err(PasswordProblem::ContainsName);
        }
    }
    if let Some(d) = domain {
        let first = d.split('.').next().unwrap_or("").to_lowercase();
        if first.len() >= 3 && lower.contains(&first) {
            return Err(PasswordProblem::ContainsDomain);
        }
    }
    Ok(())
}

// No look-alike characters (0/O, 1/l/I) so a password read aloud on the phone survives.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGIT: &[u8] = b"23456789";
const SYMBOL: &[u8] = b"!#$%*+-=?@^_";

/// Generates a 16-character password from all four classes that passes [`check`] for the
/// given mailbox, using the operating system's random source.
pub fn generate(mailbox: Option<&str>, domain: Option<&str>) -> SecretString {
    let mut rng = rand::rng();
    loop {
        let mut chars: Vec<u8> = Vec::with_capacity(16);
        for set in [UPPER, LOWER, DIGIT, SYMBOL] {
            chars.extend(set.choose_multiple(&mut rng, 2).copied());
        }
        let all: Vec<u8> = [UPPER, LOWER, DIGIT, SYMBOL].concat();
        while chars.len() < 16 {
            chars.push(*all.choose(&mut rng).unwrap_or(&b'x'));
        }
        chars.shuffle(&mut rng);
        let candidate = String::from_utf8(chars).unwrap_or_default();
        if check(&candidate, mailbox, domain).is_ok() {
            return SecretString::from(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn accepts_a_good_password() {
        assert_eq!(check("Blue-Harbor7", Some("jane"), Some("example.com")), Ok(()));
        assert_eq!(check("sunny day 4 us", None, None), Ok(()));
    }

    #[test]
    fn refuses_each_problem_with_its_reason() {
        use PasswordProblem::*;
        let cases = [
            ("", Empty),
            ("Ab1!", TooShort),
            ("abcdefgh", TooFewClasses(1)),
            ("abcdefg1", TooFewClasses(2)),
            (" Abcdef1!", BadCharacters),
            ("MyPassword1", IsPassword),
            ("Winter123x", DigitRun),
            ("Winter777x", DigitRun),
            ("Jane.Doe-42x", ContainsName),
            ("Example-42x", ContainsDomain),
        ];
        for (pw, want) in cases {
            assert_eq!(check(pw, Some("jane.doe"), Some("example.com")), Err(want.clone()), "{pw:?}");
        }
        assert_eq!(check(&"Aa1!".repeat(17), None, None), Err(TooLong));
    }

    #[test]
    fn the_reason_never_contains_the_password() {
        let pw = "abcdefghijk";
        let msg = check(pw, None, None).unwrap_err().to_string();
        assert!(!msg.contains(pw));
    }

    #[test]
    fn generated_passwords_pass_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..500 {
            let p = generate(Some("jane.doe"), Some("example.com"));
            let s = p.expose_secret();
            assert_eq!(s.len(), 16);
            assert_eq!(check(s, Some("jane.doe"), Some("example.com")), Ok(()), "{s}");
            assert!(seen.insert(s.to_owned()), "duplicate password generated");
        }
    }
}
