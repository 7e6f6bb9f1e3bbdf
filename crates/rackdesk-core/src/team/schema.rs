//! The team database: its schema (versioned migrations), its roles, and setting it up.
//!
//! Everything lives in the schema `rackdesk`, owned by the login that ran `team init` (the
//! *owner*). Two group roles, made once per server:
//!
//! * `rackdesk_writer` — what the computers sign in as (through a login in this role, by
//!   default `rackdesk_pc`): INSERT and SELECT on the journal rows, SELECT on the machines and
//!   the schema version, and EXECUTE on `report_machine` (a computer telling how far its own
//!   journal goes). Nothing else: no UPDATE, DELETE or TRUNCATE, no new objects.
//! * `rackdesk_reader` — SELECT only, for auditors and reporting tools.
//!
//! The rows are append-only in PostgreSQL itself: triggers refuse UPDATE, DELETE and TRUNCATE
//! for everyone, the owner included; only the owner (or a superuser) can switch a trigger off,
//! and that is what `team verify` is there to catch. An INSERT is refused unless it comes after
//! the machine's last row (in order per machine), and the primary key (machine, seq) keeps
//! every row once.

use super::db::{classify, Db};
use super::TeamError;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

/// The schema every object lives in.
pub const SCHEMA: &str = "rackdesk";
/// The group role of the computers' logins.
pub const WRITER_ROLE: &str = "rackdesk_writer";
/// The read-only group role.
pub const READER_ROLE: &str = "rackdesk_reader";
/// The login `team init` makes for the computers unless told another name.
pub const DEFAULT_PC_LOGIN: &str = "rackdesk_pc";
/// The LISTEN/NOTIFY channel: a notification after every insert, naming the machines.
pub const CHANNEL: &str = "rackdesk_team_journal";

/// The table of applied migrations, made before any of them.
const BOOTSTRAP: &str = "
CREATE SCHEMA IF NOT EXISTS rackdesk;
CREATE TABLE IF NOT EXISTS rackdesk.schema_migrations (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by name NOT NULL DEFAULT session_user
);";

/// `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`. Never edit one that has
/// shipped; add a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the journal rows, the machines, the append-only rule, the notifications.
    r#"
CREATE TABLE rackdesk.entries (
    machine_id     text   NOT NULL CHECK (machine_id ~ '^[0-9a-f]{32}$'),
    seq            bigint NOT NULL CHECK (seq > 0),
    -- The local journal's content columns, as stored there (the hash covers them all).
    kind           text,
    intent_id      bigint,
    at             text,
    operator       text,
    os_user        text,
    role           text,
    machine        text,
    identity_label text,
    account        text,
    api_admin      text,
    sandbox        bigint,
    action         text,
    target         text,
    changes        text,
    correlation_id text,
    status         text,
    error_kind     text,
    error_message  text,
    server_message text,
    detail         text,
    -- A value whose type does not fit its column (only in a row edited by hand on the computer),
    -- kept exactly so the hash can still be checked: {"column": {"t": type, "v": value}}.
    odd_values     text,
    prev_hash      text NOT NULL,
    hash           text NOT NULL,
    -- Not hashed: `at` read as a time (for filters), and when and by whom the row arrived.
    at_time        timestamptz,
    received_at    timestamptz NOT NULL DEFAULT now(),
    received_by    name NOT NULL DEFAULT session_user,
    arrival        bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (machine_id, seq)
);
CREATE INDEX entries_intents_by_time ON rackdesk.entries (at_time DESC) WHERE kind = 'intent';
CREATE INDEX entries_outcomes ON rackdesk.entries (machine_id, intent_id, seq) WHERE intent_id IS NOT NULL;
CREATE INDEX entries_arrival ON rackdesk.entries (arrival);

CREATE TABLE rackdesk.machines (
    machine_id     text PRIMARY KEY,
    name           text,
    first_seen     timestamptz NOT NULL,
    last_seen      timestamptz NOT NULL,
    -- What the computer said its own journal holds (its last row), when it last reported.
    head_seq       bigint NOT NULL,
    head_hash      text,
    -- The furthest row this database has held for the computer, and that row's hash then.
    confirmed_seq  bigint NOT NULL,
    confirmed_hash text,
    reported_by    name NOT NULL
);

CREATE FUNCTION rackdesk.entries_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
BEGIN
    SELECT e.seq INTO last_seq FROM rackdesk.entries e WHERE e.machine_id = NEW.machine_id ORDER BY e.seq DESC LIMIT 1;
    IF last_seq IS NOT NULL AND NEW.seq <= last_seq THEN
        RAISE EXCEPTION 'entry % of machine % comes after entry %: rows are added once each, in order',
            NEW.seq, NEW.machine_id, last_seq USING ERRCODE = 'unique_violation';
    END IF;
    NEW.received_at := now();
    NEW.received_by := session_user;
    RETURN NEW;
END $$;
CREATE TRIGGER entries_check_insert BEFORE INSERT ON rackdesk.entries
    FOR EACH ROW EXECUTE FUNCTION rackdesk.entries_check_insert();

CREATE FUNCTION rackdesk.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the Rackdesk team journal is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON rackdesk.entries
    FOR EACH ROW EXECUTE FUNCTION rackdesk.refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON rackdesk.entries
    FOR EACH STATEMENT EXECUTE FUNCTION rackdesk.refuse_change();

CREATE FUNCTION rackdesk.entries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rackdesk_team_journal', coalesce((SELECT string_agg(DISTINCT n.machine_id, ',') FROM new_rows n), ''));
    RETURN NULL;
END $$;
CREATE TRIGGER entries_notify AFTER INSERT ON rackdesk.entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rackdesk.entries_notify();

-- A computer reports how far its own journal goes; the database adds how far it holds it.
-- SECURITY DEFINER: the computers may call it, but cannot write the table themselves.
CREATE FUNCTION rackdesk.report_machine(p_machine text, p_name text, p_head_seq bigint, p_head_hash text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c_seq bigint;
    c_hash text;
BEGIN
    IF p_machine !~ '^[0-9a-f]{32}$' THEN
        RAISE EXCEPTION 'not a machine id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT e.seq, e.hash INTO c_seq, c_hash FROM rackdesk.entries e WHERE e.machine_id = p_machine ORDER BY e.seq DESC LIMIT 1;
    INSERT INTO rackdesk.machines AS m (machine_id, name, first_seen, last_seen, head_seq, head_hash, confirmed_seq, confirmed_hash, reported_by)
    VALUES (p_machine, left(p_name, 200), now(), now(), p_head_seq, p_head_hash, coalesce(c_seq, 0), c_hash, session_user)
    ON CONFLICT (machine_id) DO UPDATE SET
        name = excluded.name,
        last_seen = excluded.last_seen,
        head_seq = excluded.head_seq,
        head_hash = excluded.head_hash,
        confirmed_hash = CASE WHEN excluded.confirmed_seq > m.confirmed_seq THEN excluded.confirmed_hash ELSE m.confirmed_hash END,
        confirmed_seq = greatest(m.confirmed_seq, excluded.confirmed_seq),
        reported_by = excluded.reported_by;
END $$;
"#,
];

/// The schema version this code knows.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The grants, run after the migrations on every `team init` (so they are always as here).
const GRANTS: &str = "
REVOKE ALL ON SCHEMA rackdesk FROM PUBLIC;
GRANT USAGE ON SCHEMA rackdesk TO rackdesk_writer, rackdesk_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA rackdesk FROM PUBLIC, rackdesk_writer, rackdesk_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rackdesk FROM PUBLIC;
GRANT SELECT, INSERT ON rackdesk.entries TO rackdesk_writer;
GRANT SELECT ON rackdesk.entries, rackdesk.machines, rackdesk.schema_migrations TO rackdesk_writer, rackdesk_reader;
GRANT EXECUTE ON FUNCTION rackdesk.report_machine(text, text, bigint, text) TO rackdesk_writer;
";

/// The two group roles, made if missing (roles belong to the whole server).
const ROLES: &str = "
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rackdesk_writer') THEN CREATE ROLE rackdesk_writer NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rackdesk_reader') THEN CREATE ROLE rackdesk_reader NOLOGIN; END IF;
END $$;";

/// The schema version of the team database: `None` when it is not set up.
pub(crate) async fn version(db: &Db) -> Result<Option<i32>, TeamError> {
    let exists: bool = db
        .client
        .query_one("SELECT to_regclass('rackdesk.schema_migrations') IS NOT NULL", &[])
        .await
        .map_err(classify)?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let v: Option<i32> = db.client.query_one("SELECT max(version) FROM rackdesk.schema_migrations", &[]).await.map_err(classify)?.get(0);
    Ok(Some(v.unwrap_or(0)))
}

/// Fails unless the team database is set up at a version this code knows.
pub(crate) async fn require_ready(db: &Db) -> Result<(), TeamError> {
    match version(db).await? {
        None | Some(0) => Err(TeamError::NotSetUp),
        Some(v) if v > SCHEMA_VERSION => Err(TeamError::TooNew { found: v, supported: SCHEMA_VERSION }),
        Some(_) => Ok(()),
    }
}

/// What `team init` did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitReport {
    pub database: String,
    /// The login that ran it: it owns the schema.
    pub owner: String,
    pub schema_version: i32,
    /// Migrations applied now (empty: it was already up to date).
    pub applied: Vec<i32>,
    /// Group roles made now.
    pub roles_created: Vec<String>,
    /// The computers' login.
    pub pc_login: String,
    /// Its password, made now and shown once: `None` when the login existed already (its
    /// password is left as it was).
    #[serde(serialize_with = "expose_once")]
    pub pc_password: Option<SecretString>,
}

fn expose_once<S: serde::Serializer>(p: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_some(p.expose_secret()),
        None => s.serialize_none(),
    }
}

/// A login name Rackdesk will put into SQL: lower-case letters, digits and `_`, 1–63 long.
pub fn check_login(name: &str) -> Result<String, TeamError> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.len() <= 63
        && n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok || n.starts_with("pg_") {
        return Err(TeamError::InvalidLogin { name: n.to_owned() });
    }
    Ok(n.to_owned())
}

/// Sets the team database up, or brings it up to date: the schema's migrations in one
/// transaction (under a lock, so two admins cannot run them at once), the roles, the grants,
/// and the computers' login. Safe to run again.
pub(crate) async fn init(db: &mut Db, database: &str, pc_login: &str) -> Result<InitReport, TeamError> {
    let pc_login = check_login(pc_login)?;
    let tx = db.client.transaction().await.map_err(classify)?;
    tx.execute("SELECT pg_advisory_xact_lock(7301, 1)", &[]).await.map_err(classify)?;
    let owner: String = tx.query_one("SELECT session_user::text", &[]).await.map_err(classify)?.get(0);
    tx.batch_execute(BOOTSTRAP).await.map_err(classify)?;
    let applied_before: Vec<i32> = tx
        .query("SELECT version FROM rackdesk.schema_migrations ORDER BY version", &[])
        .await
        .map_err(classify)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if let Some(&v) = applied_before.iter().max().filter(|v| **v > SCHEMA_VERSION) {
        return Err(TeamError::TooNew { found: v, supported: SCHEMA_VERSION });
    }
    let mut applied = Vec::new();
    for (n, step) in MIGRATIONS.iter().enumerate() {
        let v = n as i32 + 1;
        if applied_before.contains(&v) {
            continue;
        }
        tx.batch_execute(step).await.map_err(|e| match classify(e) {
            TeamError::Database { detail } => TeamError::Database { detail: format!("migration to version {v} failed: {detail}") },
            other => other,
        })?;
        tx.execute("INSERT INTO rackdesk.schema_migrations (version) VALUES ($1)", &[&v]).await.map_err(classify)?;
        applied.push(v);
    }
    let existing: Vec<String> = tx
        .query("SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1)", &[&vec![WRITER_ROLE, READER_ROLE]])
        .await
        .map_err(classify)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    tx.batch_execute(ROLES).await.map_err(classify)?;
    let roles_created = [WRITER_ROLE, READER_ROLE].iter().filter(|r| !existing.iter().any(|e| e == *r)).map(|r| r.to_string()).collect();
    tx.batch_execute(GRANTS).await.map_err(classify)?;

    let login_exists = tx.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&pc_login]).await.map_err(classify)?.is_some();
    let pc_password = if login_exists {
        tx.batch_execute(&format!("GRANT {WRITER_ROLE} TO \"{pc_login}\"")).await.map_err(classify)?;
        None
    } else {
        let password = new_password();
        // The SCRAM verifier is made here, so the password itself never reaches the server
        // (nor its statement log).
        let verifier = postgres_protocol::password::scram_sha_256(password.expose_secret().as_bytes());
        tx.batch_execute(&format!(
            "CREATE ROLE \"{pc_login}\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT PASSWORD '{verifier}' IN ROLE {WRITER_ROLE}"
        ))
        .await
        .map_err(classify)?;
        Some(password)
    };
    tx.commit().await.map_err(classify)?;
    Ok(InitReport { database: database.to_owned(), owner, schema_version: SCHEMA_VERSION, applied, roles_created, pc_login, pc_password })
}

/// A password for the computers' login: 24 letters and digits.
fn new_password() -> SecretString {
    use rand::distr::{Alphanumeric, SampleString};
    SecretString::from(Alphanumeric.sample_string(&mut rand::rng(), 24))
}

/// What the signed-in login may do that a computer should not: own the journal, or change it.
pub(crate) async fn privilege_warnings(db: &Db) -> Result<Vec<String>, TeamError> {
    let row = db
        .client
        .query_one(
            "SELECT r.rolsuper,
                    pg_get_userbyid(c.relowner) = current_user,
                    has_table_privilege('rackdesk.entries', 'UPDATE') OR has_table_privilege('rackdesk.entries', 'DELETE')
                        OR has_table_privilege('rackdesk.entries', 'TRUNCATE'),
                    current_user::text
             FROM pg_roles r, pg_class c
             WHERE r.rolname = current_user AND c.oid = 'rackdesk.entries'::regclass",
            &[],
        )
        .await
        .map_err(classify)?;
    let (superuser, owner, can_change, login): (bool, bool, bool, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
    let mut w = Vec::new();
    if superuser || owner || can_change {
        w.push(format!(
            "The login {login} can change or delete team journal rows ({}). A computer should sign in with the login made \
             for the computers ({DEFAULT_PC_LOGIN} unless you chose another at `team init`), which can only add and read rows.",
            if superuser { "it is a superuser" } else if owner { "it owns them" } else { "it was granted more than adding and reading" }
        ));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_login_names_reach_sql() {
        assert_eq!(check_login(" rackdesk_pc ").unwrap(), "rackdesk_pc");
        for bad in ["", "Robert\"; DROP", "pc-1", "pg_monitor", "9pc", &"a".repeat(64)] {
            assert!(check_login(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn new_passwords_are_long_and_different() {
        let (a, b) = (new_password(), new_password());
        assert_eq!(a.expose_secret().len(), 24);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
