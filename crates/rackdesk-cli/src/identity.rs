//! `rackdesk identity ...`, `rackdesk operator ...` and `rackdesk admins create-api-admin`:
//! thin over `rackdesk_core::identity`.

use crate::{base_config, exit, identities, print_record, print_table, user_error, Cli, Failure, Format, Outcome, Table};
use clap::Subcommand;
use rackdesk_core::identity::{api_admin_warnings, Identity, NewIdentity, Role};
use rackdesk_core::manage::Manage;
use rackdesk_core::verify::{human_duration, AdminCheck, Verified, SKEW_WARN_SECS};
use rackdesk_core::Credentials;
use secrecy::SecretString;
use std::io::{BufRead, IsTerminal};

#[derive(Subcommand)]
pub enum IdentityCmd {
    /// Add an API admin's keys: they are checked with Rackspace, then kept in the credential vault.
    /// The user key and secret key are asked for without echo (or read one per line from stdin).
    Add {
        /// A name for this identity, e.g. the company.
        #[arg(long)]
        name: String,
        /// The customer account number.
        #[arg(long)]
        account: String,
        /// The admin login the keys belong to (e.g. api-rackdesk), so Rackdesk can check it.
        #[arg(long)]
        api_admin: Option<String>,
        /// The API address (--api-url) is a test server (a simulator), not Rackspace. Needed to
        /// store keys for any address other than Rackspace's; the identity is marked as such.
        #[arg(long)]
        test_server: bool,
    },
    /// List identities; the active one is marked.
    List,
    /// Show one identity (never its keys).
    Show { name: Option<String> },
    /// Check the stored keys again with Rackspace.
    Verify { name: Option<String> },
    /// Replace the keys after generating new ones in the control panel.
    Rotate { name: Option<String> },
    /// Delete an identity's keys from the vault and forget it.
    Remove {
        name: String,
        #[arg(long)]
        yes: bool,
    },
    /// Act through this identity from now on.
    Use { name: String },
    /// After how many days `identity list` and the app remind you to rotate keys (default 90).
    Reminder { days: u32 },
}

#[derive(Subcommand)]
pub enum OperatorCmd {
    /// Who Rackdesk records as the person acting.
    Show,
    /// Switch role. To super admin needs the super-admin passphrase (asked without echo, or
    /// the first line of stdin); to help desk needs nothing. Journaled either way.
    Switch {
        /// super-admin or help-desk
        #[arg(value_parser = |s: &str| Role::parse(s).ok_or_else(|| "use super-admin or help-desk".to_string()))]
        role: Role,
    },
    /// Set or change the super-admin passphrase (super admins only). Asks for the current one
    /// first when one is set; from stdin: current (if set), then new, one per line.
    Passphrase,
    /// Set the full name shown for you ("Alice Martin"), beside the OS login; "" goes back to
    /// the OS account's full name. Journaled.
    Name {
        full_name: String,
    },
    /// Set the operator's name and role (on a shared help-desk computer, each person's name).
    Set {
        #[arg(long)]
        name: String,
        /// super-admin or help-desk
        #[arg(long, value_parser = |s: &str| Role::parse(s).ok_or_else(|| "use super-admin or help-desk".to_string()))]
        role: Role,
    },
}

/// Reads the user key and then the secret key: hidden prompts on a terminal, else one per
/// line from stdin. Never from arguments.
fn read_keys(what: &str) -> Result<Credentials, Failure> {
    let stdin = std::io::stdin();
    let (user_key, secret) = if stdin.is_terminal() {
        eprintln!("{what}: paste the keys from the control panel (My Profile → API Keys). They are not shown as you type.");
        let uk = rpassword::prompt_password("User key: ").map_err(read_failed)?;
        let sk = rpassword::prompt_password("Secret key: ").map_err(read_failed)?;
        (uk, SecretString::from(sk))
    } else {
        let mut lines = stdin.lock().lines();
        let uk = lines.next().transpose().map_err(read_failed)?.unwrap_or_default();
        let sk = lines.next().transpose().map_err(read_failed)?.unwrap_or_default();
        (uk, SecretString::from(sk))
    };
    if user_key.trim().is_empty() {
        return Err(user_error("No user key arrived. Give the user key, then the secret key, one per line."));
    }
    if secrecy::ExposeSecret::expose_secret(&secret).trim().is_empty() {
        return Err(user_error("No secret key arrived. Give the user key, then the secret key, one per line."));
    }
    Ok(Credentials::new(user_key, secret)?)
}

fn read_failed(e: std::io::Error) -> Failure {
    Failure { kind: rackdesk_core::ErrorKind::InvalidInput, message: "Rackdesk could not read the keys.".into(), detail: Some(e.to_string()), code: exit::USER_ERROR }
}

fn age(i: &Identity) -> String {
    let d = i.key_age_days(chrono::Utc::now());
    if d == 1 { "1 day".into() } else { format!("{d} days") }
}

fn report_verified(v: &Verified, ident: &Identity, warnings: &[String]) {
    let names: Vec<&str> = v.domains.iter().map(|d| d.name.as_str()).collect();
    println!(
        "The keys work: account {} ({}), {} domain{}{}{}.",
        v.customer.account_number,
        v.customer.name,
        v.domains.len(),
        if v.domains.len() == 1 { "" } else { "s" },
        if names.is_empty() { "" } else { ": " },
        names.join(", ")
    );
    if let (Some(login), AdminCheck::Found { is_super: true, enabled: true }) = (&ident.api_admin, &v.api_admin) {
        println!("API admin \"{login}\" exists and is a super admin.");
    }
    if let Some(s) = v.clock_skew_secs.filter(|s| s.abs() > SKEW_WARN_SECS) {
        eprintln!(
            "Warning: this computer's clock is {} {} Rackspace's. Set it to update automatically before it causes refused requests.",
            human_duration(s),
            if s > 0 { "behind" } else { "ahead of" }
        );
    }
    for w in warnings {
        eprintln!("Warning: {w}");
    }
}

pub async fn identity(cli: &Cli, cmd: &IdentityCmd, format: Format) -> Outcome {
    let ids = identities()?;
    let base = base_config(cli);
    // Changes to identities are journaled; without a journal, none is made.
    let journal = || crate::context::journal();
    match cmd {
        IdentityCmd::Add { name, account, api_admin, test_server } => {
            let journal = journal()?;
            let manage = Manage::new(&ids, &journal);
            // Refuse early, before asking for keys, if the role or the address or the vault
            // rules it out.
            manage.may_manage_keys("keys.add", name)?;
            rackdesk_core::identity::check_api_root(&base.api_url, *test_server)?;
            ids.check_vault()?;
            let credentials = read_keys("New identity")?;
            eprintln!("Checking the keys with Rackspace…");
            let new = NewIdentity {
                label: name.clone(),
                account: account.clone(),
                api_url: base.api_url.clone(),
                api_admin: api_admin.clone(),
                credentials,
                test_server: *test_server,
            };
            let (ident, verified) = manage.add(new, &base).await?;
            let warnings = api_admin_warnings(ident.api_admin.as_deref(), &ids.operator()?, &verified.api_admin, &ident.account);
            report_verified(&verified, &ident, &warnings);
            let active = ids.find(None).map(|a| a.id == ident.id).unwrap_or(false);
            println!(
                "Stored the keys of \"{}\" in {}.{}",
                ident.label,
                ids.store_name(),
                if active { " It is the active identity." } else { "" }
            );
        }
        IdentityCmd::List => {
            let (list, active) = ids.list()?;
            let reminder = ids.key_reminder_days()? as i64;
            let rows = list
                .iter()
                .map(|i| {
                    vec![
                        if active.as_deref() == Some(&i.id) { "*".into() } else { String::new() },
                        if i.test_server { format!("{} (test server)", i.label) } else { i.label.clone() },
                        i.account.clone(),
                        i.api_admin.clone().unwrap_or_default(),
                        i.user_key_hint.clone(),
                        if i.key_age_days(chrono::Utc::now()) >= reminder { format!("{} (rotate soon)", age(i)) } else { age(i) },
                        i.last_verified_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "never".into()),
                    ]
                })
                .collect();
            let summary = Some(if list.is_empty() {
                "No identities yet: add one with `rackdesk identity add`.".into()
            } else {
                crate::count(list.len(), "identity", "identities")
            });
            print_table(format, &Table { header: vec!["active", "name", "account", "API admin", "user key", "key age", "last verified"], rows, items: list, summary })?;
        }
        IdentityCmd::Show { name } => {
            let i = ids.find(name.as_deref())?;
            let reminder = ids.key_reminder_days()?;
            let fields = vec![
                ("Name", i.label.clone()),
                ("Account", i.account.clone()),
                ("API address", if i.test_server { format!("{} (a test server, not Rackspace)", i.api_url) } else { i.api_url.clone() }),
                ("API admin", i.api_admin.clone().unwrap_or_else(|| "(not named)".into())),
                ("User key", i.user_key_hint.clone()),
                ("Secret key", format!("stored in {}", ids.store_name())),
                ("Keys stored", format!("{} ({} ago)", i.keys_stored_at.format("%Y-%m-%d"), age(&i))),
                ("Last verified", i.last_verified_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "never".into())),
                ("Rotation reminder", format!("after {reminder} days")),
            ];
            print_record(format, &fields, &i)?;
        }
        IdentityCmd::Verify { name } => {
            eprintln!("Checking the stored keys with Rackspace…");
            let journal = journal()?;
            let (ident, verified) = Manage::new(&ids, &journal).verify(name.as_deref(), &base).await?;
            let warnings = api_admin_warnings(ident.api_admin.as_deref(), &ids.operator()?, &verified.api_admin, &ident.account);
            report_verified(&verified, &ident, &warnings);
        }
        IdentityCmd::Rotate { name } => {
            let journal = journal()?;
            let manage = Manage::new(&ids, &journal);
            let ident = ids.find(name.as_deref())?;
            manage.may_manage_keys("keys.rotate", &ident.label)?;
            eprintln!(
                "Rotating the keys of \"{}\". Generating new keys in the control panel stops the old ones at once, for \
                 every program using them; the old keys stay stored here until the new ones are checked.",
                ident.label
            );
            let credentials = read_keys("New keys")?;
            eprintln!("Checking the new keys with Rackspace…");
            let (ident, verified) = manage.rotate(Some(&ident.id), credentials, &base).await?;
            report_verified(&verified, &ident, &[]);
            println!("The new keys of \"{}\" replace the old ones in {}.", ident.label, ids.store_name());
        }
        IdentityCmd::Remove { name, yes } => {
            let journal = journal()?;
            let manage = Manage::new(&ids, &journal);
            let ident = ids.find(Some(name))?;
            if !yes {
                // A refusal for the role is journaled before asking for confirmation.
                manage.may_manage_keys("keys.rotate", &ident.label)?;
                return Err(user_error(format!(
                    "Removing \"{}\" deletes its keys from this computer's credential vault; Rackdesk can then no longer act \
                     through it (the keys stay valid at Rackspace until regenerated). Run again with --yes to confirm.",
                    ident.label
                )));
            }
            let removed = manage.remove(&ident.label, &ident.label)?;
            println!("Removed \"{}\": its keys are gone from {} and its settings from this computer.", removed.label, ids.store_name());
        }
        IdentityCmd::Reminder { days } => {
            ids.set_key_reminder_days(*days)?;
            println!("Rackdesk will remind you to rotate keys older than {days} days.");
        }
        IdentityCmd::Use { name } => {
            let journal = journal()?;
            let i = Manage::new(&ids, &journal).use_identity(name)?;
            println!("Rackdesk now acts through \"{}\" (account {}).", i.label, i.account);
        }
    }
    Ok(())
}

fn read_secret_line(prompt: &str) -> Result<SecretString, Failure> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password(prompt).map_err(read_failed)?
    } else {
        let mut l = String::new();
        stdin.lock().read_line(&mut l).map_err(read_failed)?;
        l.trim_end_matches(['\r', '\n']).to_owned()
    };
    Ok(SecretString::from(line))
}

pub fn operator(cmd: &OperatorCmd, format: Format) -> Outcome {
    let ids = identities()?;
    let journal = || crate::context::journal();
    let op = match cmd {
        OperatorCmd::Show => ids.operator()?,
        OperatorCmd::Name { full_name } => Manage::new(&ids, &*journal()?).set_operator_name(full_name)?,
        OperatorCmd::Set { name, role } => {
            if *role == Role::HelpDesk && !ids.has_passphrase()? {
                eprintln!(
                    "Warning: no super-admin passphrase is set on this computer, so nobody can switch back to super admin \
                     here. Set one first with `rackdesk operator passphrase`."
                );
            }
            Manage::new(&ids, &*journal()?).set_operator(name, *role)?
        }
        OperatorCmd::Switch { role } => {
            let from = ids.operator()?.role;
            let pass = if *role == Role::SuperAdmin && from != Role::SuperAdmin {
                Some(read_secret_line("Super-admin passphrase: ")?)
            } else {
                None
            };
            Manage::new(&ids, &*journal()?).switch_role(*role, pass.as_ref(), chrono::Utc::now())?
        }
        OperatorCmd::Passphrase => {
            let current = if ids.has_passphrase()? { Some(read_secret_line("Current passphrase: ")?) } else { None };
            let new = read_secret_line("New super-admin passphrase: ")?;
            Manage::new(&ids, &*journal()?).set_passphrase(&new, current.as_ref())?;
            println!("The super-admin passphrase is set. Rackdesk keeps only a slow salted hash of it.");
            return Ok(());
        }
    };
    let fields = vec![
        ("Operator", op.display_name()),
        ("Full name", op.shown_full_name().unwrap_or_else(|| "(none)".into())),
        ("Role", op.role.label().into()),
        ("OS user", op.login()),
    ];
    print_record(format, &fields, &op)?;
    Ok(())
}

/// Creates the dedicated API admin with a random password that is thrown away at once: the
/// person sets the real one in the control panel. Then explains how to get its keys.
pub async fn create_api_admin(ops: &rackdesk_core::ops::Ops, login: &str, email: &str, first: &str, last: &str) -> Outcome {
    let new = rackdesk_core::api::NewAdmin {
        admin_type: "super".into(),
        password: rackdesk_core::password::generate(Some(login), None),
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
    };
    ops.create_admin(login, &new).await?;
    drop(new);
    println!("Created the super admin login \"{login}\" for Rackdesk. Rackdesk did not keep its password.");
    println!("Next, in the Cloud Office Control Panel (cp.rackspace.com):");
    println!("  1. Under Admins & Contacts, open \"{login}\" and set a password for it (only you will know it).");
    println!("  2. Log out, then log in as \"{login}\".");
    println!("  3. Click the account name at the top, then My Profile → Generate API Keys.");
    println!("     Generating keys stops any older keys of that login at once.");
    println!("  4. Give the keys to Rackdesk: `rackdesk identity add --api-admin {login} ...` (or `identity rotate`).");
    println!("  5. Stop using keys generated under a person's own login, so changes by people and by Rackdesk stay apart.");
    Ok(())
}
