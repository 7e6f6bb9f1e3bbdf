//! The operator (the person using Rackdesk now) and their role: who they are, switching role
//! with the super-admin passphrase (a slow salted hash, with a growing wait after wrong
//! tries), and the help-desk allow-list check. Identities (the API admins' keys) are in the
//! parent module.

use super::{config_dir, Config, Identities, IdentityError};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// What an operator may do. Enforcement arrives with help-desk mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    SuperAdmin,
    HelpDesk,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::SuperAdmin => "super admin",
            Role::HelpDesk => "help desk",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "super-admin" | "superadmin" => Some(Role::SuperAdmin),
            "help-desk" | "helpdesk" => Some(Role::HelpDesk),
            _ => None,
        }
    }
}

/// The person using Rackdesk now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operator {
    /// The OS user name, or a name chosen on a shared help-desk computer.
    pub name: String,
    pub role: Role,
    /// The person's full name as they set it (`None`: the OS account's full name is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
}

impl Operator {
    pub fn new(name: impl Into<String>, role: Role) -> Operator {
        Operator { name: name.into(), role, full_name: None }
    }

    /// The OS user, as a super admin: who runs Rackdesk before anyone set otherwise.
    pub fn from_os() -> Operator {
        Operator::new(os_user(), Role::SuperAdmin)
    }

    /// The full name to show: the one the person set; else the OS account's full name when
    /// the operator is the OS user; else a name chosen on a shared computer.
    pub fn shown_full_name(&self) -> Option<String> {
        if let Some(f) = self.full_name.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            return Some(f.to_owned());
        }
        if self.name.eq_ignore_ascii_case(&os_user()) {
            os_full_name()
        } else {
            Some(self.name.clone())
        }
    }

    /// The OS login of this computer's session, shown beside the name.
    pub fn login(&self) -> String {
        os_user()
    }

    /// How people see the operator: "Alice Martin (alice)", or the login alone.
    pub fn display_name(&self) -> String {
        display_name(self.shown_full_name().as_deref(), &self.login())
    }
}

/// "Full Name (login)", or the login alone when there is no full name (or it is the login).
pub fn display_name(full_name: Option<&str>, login: &str) -> String {
    match full_name.map(str::trim).filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case(login)) {
        Some(f) => format!("{f} ({login})"),
        None => login.to_owned(),
    }
}

/// The full name of the OS account running Rackdesk, if it has one: the GECOS field of its
/// passwd entry on Linux and macOS (up to the first comma), the display name on Windows.
pub fn os_full_name() -> Option<String> {
    let real = whoami::fallible::realname().ok()?;
    gecos_name(&real).filter(|n| !n.eq_ignore_ascii_case(&os_user()))
}

/// The name part of a GECOS field ("Alice Martin,Room 4,,": "Alice Martin").
pub fn gecos_name(field: &str) -> Option<String> {
    let n = field.split(',').next().unwrap_or("").trim();
    (!n.is_empty()).then(|| n.to_owned())
}

/// The operator as set in the config folder, or the OS user as a super admin. Reads only the
/// non-secret settings file; never the vault.
pub fn current_operator() -> Operator {
    config_dir()
        .ok()
        .and_then(|d| std::fs::read(d.join("config.json")).ok())
        .and_then(|b| serde_json::from_slice::<Config>(&b).ok())
        .and_then(|c| c.operator)
        .unwrap_or_else(Operator::from_os)
}

pub(super) fn passphrase_matches(hash: &str, candidate: &SecretString) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| argon2::Argon2::default().verify_password(candidate.expose_secret().as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// The name of the logged-in OS user.
pub fn os_user() -> String {
    let u = whoami::username();
    if u.trim().is_empty() { "unknown".into() } else { u }
}

/// Why switching to the super-admin role was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassphraseProblem {
    NotSet,
    Wrong { wait_secs: u64 },
    Locked { wait_secs: u64 },
    TooWeak,
    Missing,
}

/// The shortest passphrase we accept for the super-admin role.
pub const MIN_PASSPHRASE: usize = 10;

/// Seconds to wait after the n-th wrong passphrase in a row: none for the first two, then
/// doubling from 2 s up to 5 minutes.
pub fn passphrase_backoff(failures: u32) -> u64 {
    if failures < 3 {
        0
    } else {
        (1u64 << (failures - 2).min(9)).min(300)
    }
}

impl Identities {
    /// Refuses unless the operator's role allows the action (help-desk mode).
    pub fn require(&self, action: crate::policy::Action) -> Result<(), IdentityError> {
        Ok(crate::policy::check(self.operator()?.role, action)?)
    }

    /// The operator: as set, or the OS user as a super admin.
    pub fn operator(&self) -> Result<Operator, IdentityError> {
        Ok(self.load()?.operator.unwrap_or_else(Operator::from_os))
    }

    /// Sets the operator's name and role. Raising the role to super admin goes through
    /// [`Identities::switch_role`] (the passphrase); this refuses it.
    pub fn set_operator(&self, name: &str, role: Role) -> Result<Operator, IdentityError> {
        let n = name.trim();
        if n.is_empty() || n.chars().count() > 64 || n.chars().any(char::is_control) {
            return Err(IdentityError::Invalid { field: "operator name".into(), reason: "use 1 to 64 ordinary characters".into() });
        }
        let mut cfg = self.load()?;
        let current = cfg.operator.as_ref().map(|o| o.role).unwrap_or(Role::SuperAdmin);
        if current == Role::HelpDesk && role == Role::SuperAdmin {
            return Err(IdentityError::Passphrase(PassphraseProblem::Missing));
        }
        let full_name = cfg.operator.as_ref().and_then(|o| o.full_name.clone());
        let op = Operator { name: n.to_owned(), role, full_name };
        cfg.operator = Some(op.clone());
        self.save(&cfg)?;
        Ok(op)
    }

    /// Sets the full name shown for the operator ("Alice Martin"); an empty one goes back to
    /// the OS account's. Kept in the settings file beside the operator.
    pub fn set_full_name(&self, full_name: &str) -> Result<Operator, IdentityError> {
        let n = full_name.trim();
        if n.chars().count() > 100 || n.chars().any(char::is_control) {
            return Err(IdentityError::Invalid { field: "full name".into(), reason: "use at most 100 ordinary characters".into() });
        }
        let mut cfg = self.load()?;
        let mut op = cfg.operator.clone().unwrap_or_else(Operator::from_os);
        op.full_name = (!n.is_empty()).then(|| n.to_owned());
        cfg.operator = Some(op.clone());
        self.save(&cfg)?;
        Ok(op)
    }

    /// Sets (or replaces) the super-admin passphrase. Only a super admin may; replacing it needs
    /// the current one too.
    pub fn set_passphrase(&self, new: &SecretString, current: Option<&SecretString>) -> Result<(), IdentityError> {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let mut cfg = self.load()?;
        let role = cfg.operator.as_ref().map(|o| o.role).unwrap_or(Role::SuperAdmin);
        if role != Role::SuperAdmin {
            return Err(IdentityError::Invalid {
                field: "role".into(),
                reason: "only a super admin can set the super-admin passphrase".into(),
            });
        }
        if let Some(hash) = &cfg.super_admin_passphrase {
            let cur = current.ok_or(IdentityError::Passphrase(PassphraseProblem::Missing))?;
            if !passphrase_matches(hash, cur) {
                return Err(IdentityError::Passphrase(PassphraseProblem::Wrong { wait_secs: 0 }));
            }
        }
        if new.expose_secret().chars().count() < MIN_PASSPHRASE {
            return Err(IdentityError::Passphrase(PassphraseProblem::TooWeak));
        }
        let mut salt = [0u8; 16];
        rand::Rng::fill(&mut rand::rng(), &mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| IdentityError::Invalid { field: "passphrase".into(), reason: e.to_string() })?;
        let hash = argon2::Argon2::default()
            .hash_password(new.expose_secret().as_bytes(), &salt)
            .map_err(|e| IdentityError::Invalid { field: "passphrase".into(), reason: e.to_string() })?
            .to_string();
        cfg.super_admin_passphrase = Some(hash);
        cfg.passphrase_failures = 0;
        cfg.passphrase_locked_until = None;
        self.save(&cfg)
    }

    pub fn has_passphrase(&self) -> Result<bool, IdentityError> {
        Ok(self.load()?.super_admin_passphrase.is_some())
    }

    /// Switches the operator's role. To help desk: always. To super admin: only with the
    /// passphrase, with a growing wait after wrong ones. Returns the operator after the switch.
    pub fn switch_role(&self, to: Role, passphrase: Option<&SecretString>, now: DateTime<Utc>) -> Result<Operator, IdentityError> {
        let mut cfg = self.load()?;
        let mut op = cfg.operator.clone().unwrap_or_else(Operator::from_os);
        if to == Role::SuperAdmin && op.role != Role::SuperAdmin {
            let Some(hash) = cfg.super_admin_passphrase.clone() else {
                return Err(IdentityError::Passphrase(PassphraseProblem::NotSet));
            };
            if let Some(until) = cfg.passphrase_locked_until.filter(|u| *u > now) {
                let wait_secs = (until - now).num_seconds().max(1) as u64;
                return Err(IdentityError::Passphrase(PassphraseProblem::Locked { wait_secs }));
            }
            let p = passphrase.ok_or(IdentityError::Passphrase(PassphraseProblem::Missing))?;
            if !passphrase_matches(&hash, p) {
                cfg.passphrase_failures += 1;
                let wait_secs = passphrase_backoff(cfg.passphrase_failures);
                cfg.passphrase_locked_until = (wait_secs > 0).then(|| now + chrono::Duration::seconds(wait_secs as i64));
                self.save(&cfg)?;
                return Err(IdentityError::Passphrase(PassphraseProblem::Wrong { wait_secs }));
            }
            cfg.passphrase_failures = 0;
            cfg.passphrase_locked_until = None;
        }
        op.role = to;
        cfg.operator = Some(op.clone());
        self.save(&cfg)?;
        Ok(op)
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn the_operator_is_shown_by_full_name_with_the_login_beside_it() {
        assert_eq!(display_name(Some("Alice Martin"), "alice"), "Alice Martin (alice)");
        assert_eq!(display_name(None, "alice"), "alice");
        assert_eq!(display_name(Some("  "), "alice"), "alice");
        assert_eq!(display_name(Some("alice"), "alice"), "alice");
        assert_eq!(gecos_name("Alice Martin,Room 4,,"), Some("Alice Martin".into()));
        assert_eq!(gecos_name(",,,"), None);
        let mut op = Operator::new("tess", Role::HelpDesk);
        assert_eq!(op.shown_full_name().as_deref(), Some("tess"), "a name chosen on a shared computer");
        op.full_name = Some("Tess Quispe".into());
        assert_eq!(op.display_name(), format!("Tess Quispe ({})", os_user()));
    }
}
