//! The team journal end to end: the `rackdesk` binary against a REAL PostgreSQL server (the
//! distribution's, started by the test in a temporary folder with TLS from a CA the test
//! makes; see `pg`), the real Secret Service (see `support`), and the in-process simulator.
//! Each "computer" is its own set of processes with its own config and data folders.

mod pg;
mod support;

use pg::Pg;
use rackdesk_core::journal::Journal;
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{code, stderr, stdout, Vault};

const USER_KEY: &str = "TeamTestUserKey0001";
const SECRET: &str = "TeamTestSecretKey-Do-Not-Print-0001";
const MINUTE_MS: u64 = 200;

async fn sim() -> Simulator {
    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = DataSet::Empty;
    cfg.minute = Duration::from_millis(MINUTE_MS);
    cfg.limits = SimLimits { reads: 1_000_000, writes: 1_000_000, domain_writes: 1000 };
    Simulator::start_local(cfg).await.expect("simulator starts")
}

/// One simulated computer: its own settings and journal, the shared vault session.
struct Pc<'a> {
    name: &'static str,
    vault: &'a Vault,
    dir: PathBuf,
    api_url: String,
}

impl<'a> Pc<'a> {
    fn new(vault: &'a Vault, name: &'static str, sim: &Simulator) -> Pc<'a> {
        let dir = vault.home().join(name);
        std::fs::create_dir_all(dir.join("config")).unwrap();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        Pc { name, vault, dir, api_url: sim.api_url().to_owned() }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
        self.vault.env(&mut cmd);
        cmd.env("RACKDESK_CONFIG_DIR", self.dir.join("config"))
            .env("RACKDESK_DATA_DIR", self.dir.join("data"))
            .env("RACKDESK_USER_KEY", USER_KEY)
            .env("RACKDESK_SECRET_KEY", SECRET)
            .env("RACKDESK_MINUTE_MS", MINUTE_MS.to_string())
            .args(["--api-url", &self.api_url])
            .args(args);
        cmd
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let o = support::run_with_stdin(self.command(args), stdin);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains(SECRET), "{}: the API secret appeared in the output of {args:?}", self.name);
        assert!(!all.contains(pg::ADMIN_PASSWORD), "{}: the owner's password appeared in the output of {args:?}", self.name);
        o
    }

    fn ok(&self, args: &[&str], stdin: &str) -> Output {
        let o = self.run(args, stdin);
        assert_eq!(code(&o), 0, "{} {args:?}: {}\n{}", self.name, stdout(&o), stderr(&o));
        o
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("rackdesk runs")
    }

    fn journal(&self) -> Journal {
        Journal::open(&self.dir.join("data").join("journal.sqlite3")).unwrap()
    }

    fn jobs(&self) -> PathBuf {
        self.dir.join("data").join("jobs.sqlite3")
    }

    fn finished_rows(&self) -> usize {
        if !self.jobs().exists() {
            return 0;
        }
        rackdesk_core::bulk::store::JobStore::open(&self.jobs()).ok().and_then(|s| s.list(1).ok()).and_then(|l| l.first().map(|j| j.counts.finished())).unwrap_or(0)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    }
}

fn ca(pg: &Pg) -> String {
    pg.ca_file.to_str().unwrap().to_owned()
}

/// Sets the team database up from `pc` and returns the computers' login password.
fn init(pc: &Pc, pg: &Pg) -> String {
    let o = pc.ok(&["--output", "json", "team", "init", &pg.url(pg::ADMIN), "--ca", &ca(pg), "--password-stdin"], &format!("{}\n", pg::ADMIN_PASSWORD));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    r["pcPassword"].as_str().expect("a new password for the computers' login").to_owned()
}

fn connect(pc: &Pc, pg: &Pg, password: &str) {
    let o = pc.ok(&["team", "connect", &pg.url("rackdesk_pc"), "--ca", &ca(pg), "--password-stdin"], &format!("{password}\n"));
    assert!(stdout(&o).contains("Connected to the team journal"), "{}", stdout(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_init_makes_the_schema_and_least_privilege_roles_over_checked_tls() {
    let pg = Pg::start();
    let s = sim().await;
    let v = Vault::start();
    let pc = Pc::new(&v, "pc-a", &s);
    let owner = pg.url(pg::ADMIN);
    let pw = format!("{}\n", pg::ADMIN_PASSWORD);

    // A certificate this computer does not trust: refused, nothing made.
    let o = pc.run(&["team", "init", &owner, "--password-stdin"], &pw);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(stderr(&o).contains("could not be trusted"), "{}", stderr(&o));
    // A wrong owner password: refused by the server.
    let o = pc.run(&["team", "init", &owner, "--ca", &ca(&pg), "--password-stdin"], "not-the-password\n");
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("refused the login"), "{}", stderr(&o));
    let admin = pg.admin().await;
    let schema: Option<String> = admin.query_one("SELECT to_regclass('rackdesk.entries')::text", &[]).await.unwrap().get(0);
    assert_eq!(schema, None, "nothing was made");

    // Help desk may not set a team database up; the refusal is journaled.
    pc.ok(&["operator", "set", "--name", "tess", "--role", "help-desk"], "");
    let o = pc.run(&["team", "init", &owner, "--ca", &ca(&pg), "--password-stdin"], &pw);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    let refused = pc.journal().query(&rackdesk_core::journal::Filter { action: Some("team.init".into()), ..Default::default() }).unwrap();
    assert_eq!(refused.first().map(|e| e.status()), Some("refused"));
    // A wrong role is fixed by a super admin's computer: a second one.
    let admin_pc = Pc::new(&v, "pc-admin", &s);

    let password = init(&admin_pc, &pg);
    assert_eq!(password.len(), 24);
    let tables: Vec<String> = admin
        .query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'rackdesk' ORDER BY 1", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["entries", "machines", "schema_migrations"]);
    let version: i32 = admin.query_one("SELECT max(version) FROM rackdesk.schema_migrations", &[]).await.unwrap().get(0);
    assert_eq!(version, 1);
    let privileges: Vec<(String, bool)> = admin
        .query(
            "SELECT p, has_table_privilege('rackdesk_pc', 'rackdesk.entries', p) FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (p, has) in &privileges {
        assert_eq!(*has, p == "SELECT" || p == "INSERT", "rackdesk_pc {p}: {has}");
    }
    let reader: Vec<(String, bool)> = admin
        .query("SELECT p, has_table_privilege('rackdesk_reader', 'rackdesk.entries', p) FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE']) p", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(reader, [("SELECT".into(), true), ("INSERT".into(), false), ("UPDATE".into(), false), ("DELETE".into(), false)]);
    let can_create: bool = admin.query_one("SELECT has_schema_privilege('rackdesk_pc', 'rackdesk', 'CREATE')", &[]).await.unwrap().get(0);
    assert!(!can_create, "the computers' login cannot make objects");
    // Run again: nothing to do, the password left alone.
    let o = admin_pc.ok(&["team", "init", &owner, "--ca", &ca(&pg), "--password-stdin"], &pw);
    assert!(stdout(&o).contains("already set up") && stdout(&o).contains("left as it is"), "{}", stdout(&o));
    assert!(!stdout(&o).contains(&password));

    // The computers' login: UPDATE, DELETE and TRUNCATE refused by PostgreSQL itself.
    connect(&admin_pc, &pg, &password);
    admin_pc.ok(&["operator", "name", "Ada Admin"], "");
    admin_pc.ok(&["team", "ship"], "");
    let as_pc = pg.connect_as("rackdesk_pc").await;
    let n: i64 = as_pc.query_one("SELECT count(*) FROM rackdesk.entries", &[]).await.unwrap().get(0);
    assert!(n >= 2, "the computers' login reads the rows");
    for sql in ["UPDATE rackdesk.entries SET operator = 'mallory'", "DELETE FROM rackdesk.entries", "TRUNCATE rackdesk.entries", "UPDATE rackdesk.machines SET head_seq = 0", "DROP TABLE rackdesk.entries"] {
        let e = as_pc.batch_execute(sql).await.expect_err(sql);
        let db = e.as_db_error().unwrap_or_else(|| panic!("{sql}: {e}"));
        assert_eq!(db.code().code(), "42501", "{sql}: {}", db.message());
    }
    // Inserting out of order, or a row twice, is refused too.
    let e = as_pc
        .batch_execute("INSERT INTO rackdesk.entries (machine_id, seq, prev_hash, hash) SELECT machine_id, 1, 'x', 'y' FROM rackdesk.entries LIMIT 1")
        .await
        .expect_err("a second row 1");
    assert_eq!(e.as_db_error().unwrap().code().code(), "23505", "{e}");
    // Even the owner's UPDATE and DELETE meet the trigger.
    for sql in ["UPDATE rackdesk.entries SET operator = 'mallory'", "DELETE FROM rackdesk.entries", "TRUNCATE rackdesk.entries"] {
        let e = admin.batch_execute(sql).await.expect_err(sql);
        assert!(e.as_db_error().unwrap().message().contains("append-only"), "{sql}: {e}");
    }
    // A plain (non-TLS) connection finds no rule in pg_hba.conf.
    let mut plain = tokio_postgres::Config::new();
    plain.host("127.0.0.1").port(pg.port).user("rackdesk_pc").password(password.as_str()).dbname(pg::DATABASE);
    assert!(plain.connect(tokio_postgres::NoTls).await.is_err(), "no connection without TLS");

    // A client certificate instead of a password: its key goes into the vault.
    admin.batch_execute(&format!("CREATE ROLE {} LOGIN IN ROLE rackdesk_writer", pg::CERT_LOGIN)).await.unwrap();
    let cert_pc = Pc::new(&v, "pc-cert", &s);
    let o = cert_pc.ok(
        &[
            "team",
            "connect",
            &pg.url_by_name(pg::CERT_LOGIN),
            "--ca",
            &ca(&pg),
            "--client-cert",
            pg.client_cert_file.to_str().unwrap(),
            "--client-key",
            pg.client_key_file.to_str().unwrap(),
        ],
        "",
    );
    assert!(stdout(&o).contains("Connected"), "{}", stdout(&o));
    assert!(v.rackdesk_entries().iter().any(|e| e.ends_with("/client-key")), "{:?}", v.rackdesk_entries());
    let settings = std::fs::read_to_string(cert_pc.dir.join("config/team.json")).unwrap();
    assert!(!settings.contains("PRIVATE KEY"), "the key is only in the vault");
    let o = cert_pc.ok(&["team", "status"], "");
    assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    drop(pg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_desk_sees_the_team_view_only_when_allowed_and_leaving_keeps_the_journal() {
    let pg = Pg::start();
    let s = sim().await;
    let v = Vault::start();
    let pc = Pc::new(&v, "pc-hd", &s);
    let password = init(&pc, &pg);
    connect(&pc, &pg, &password);
    // The password is in the vault, nowhere on disk.
    for f in support::files_under(&pc.dir, &[]) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(&password), "{} holds the password", f.display());
    }
    let o = pc.ok(&["team", "status"], "");
    assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    // A formula in a cell is made harmless in the export.
    pc.ok(&["operator", "set", "--name", "=HYPERLINK(\"x\")", "--role", "super-admin"], "");
    pc.ok(&["operator", "name", "Ada Admin"], "");
    pc.ok(&["team", "ship"], "");
    let out = pc.dir.join("team.csv");
    let o = pc.ok(&["team", "export", "--out", out.to_str().unwrap()], "");
    assert!(stdout(&o).contains("from every computer"), "{}", stdout(&o));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("machine id,id,time"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");

    // Help desk: not by default; read only when a super admin allows it.
    pc.ok(&["operator", "passphrase"], "a-long-passphrase-1\n");
    pc.ok(&["operator", "set", "--name", "tess", "--role", "help-desk"], "");
    let o = pc.run(&["team", "list"], "");
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert!(stderr(&o).contains("see and export the team journal"), "{}", stderr(&o));
    let o = pc.run(&["team", "help-desk-view", "read-only"], "");
    assert_eq!(code(&o), 7, "help desk cannot allow itself: {}", stderr(&o));
    pc.ok(&["operator", "switch", "super-admin"], "a-long-passphrase-1\n");
    pc.ok(&["team", "help-desk-view", "read-only"], "");
    pc.ok(&["operator", "switch", "help-desk"], "");
    let o = pc.ok(&["--output", "json", "team", "list", "--action", "team", "--limit", "100"], "");
    let entries: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"team.connect") && actions.contains(&"team.init") && actions.contains(&"team.help-desk-view"), "{actions:?}");
    let o = pc.ok(&["team", "verify"], "");
    assert!(stdout(&o).contains("intact"), "{}", stdout(&o));
    // A computer out of touch longer than allowed is named (here: any time at all).
    let o = pc.run(&["team", "verify", "--quiet-days", "0"], "");
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("has stopped shipping: it was last in touch"), "{}", stderr(&o));
    let o = pc.run(&["team", "disconnect", "--yes"], "");
    assert_eq!(code(&o), 7, "read only: {}", stderr(&o));

    // Leaving: shipping stops, the password leaves the vault, the local journal stays whole.
    pc.ok(&["operator", "switch", "super-admin"], "a-long-passphrase-1\n");
    let before = pc.journal().head().unwrap().0;
    let o = pc.ok(&["team", "disconnect", "--yes"], "");
    assert!(stdout(&o).contains("journal is kept"), "{}", stdout(&o));
    assert!(!v.rackdesk_entries().iter().any(|e| e.starts_with("team-journal/")), "{:?}", v.rackdesk_entries());
    assert!(!pc.dir.join("config/team.json").exists());
    pc.ok(&["operator", "name", "Ada After"], "");
    assert!(pc.journal().head().unwrap().0 > before);
    assert!(pc.journal().verify().unwrap().is_clean());
    let o = pc.run(&["team", "ship"], "");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("not connected to a team journal"), "{}", stderr(&o));
    let admin = pg.admin().await;
    let machine = pc.journal().machine_id().unwrap();
    let there: i64 = admin.query_one("SELECT max(seq) FROM rackdesk.entries WHERE machine_id = $1", &[&machine]).await.unwrap().get(0);
    assert!(there < pc.journal().head().unwrap().0, "nothing shipped after leaving");
    let o = pc.ok(&["team", "status"], "");
    assert!(stdout(&o).contains("off"), "{}", stdout(&o));
}

/// Starts a bulk create job of `n` mailboxes `PREFIX0001@example.com`… on `pc`.
fn create_job(pc: &Pc, prefix: &str, n: usize) -> (String, Child) {
    let rows: String = (1..=n).map(|i| format!("{prefix}{i:04}@example.com,{prefix} {i}\n")).collect();
    let file = pc.write("people.csv", &format!("email,displayName\n{rows}"));
    let child = pc.spawn(&["bulk", "apply", &file, "--job", "create", "--yes"]);
    (file, child)
}

fn wait_ok(pc: &Pc, child: Child) {
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}: {}\n{}", pc.name, stdout(&o), stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_computers_ship_every_entry_exactly_once_in_order_through_restarts_and_a_kill() {
    const N: usize = 1000;
    let pg = Pg::start();
    let s = sim().await;
    let v = Vault::start();
    let pcs = [Pc::new(&v, "pc-1", &s), Pc::new(&v, "pc-2", &s), Pc::new(&v, "pc-3", &s)];
    let password = init(&pcs[0], &pg);
    for pc in &pcs {
        connect(pc, &pg, &password);
    }
    let started = Instant::now();
    let mut children: Vec<Option<Child>> = Vec::new();
    for (i, pc) in pcs.iter().enumerate() {
        children.push(Some(create_job(pc, &format!("p{}u", i + 1), N).1));
    }
    let total = || pcs.iter().map(Pc::finished_rows).sum::<usize>();
    let wait_for = |what: &str, cond: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(240);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    // The database goes away twice while the computers work; one computer is killed.
    wait_for("300 rows", &|| total() >= 300);
    pg.stop();
    eprintln!("database stopped at {} rows ({:?})", total(), started.elapsed());
    std::thread::sleep(Duration::from_millis(1500));
    pg.start_again();
    wait_for("pc-2 at 400 rows", &|| pcs[1].finished_rows() >= 400);
    let mut c = children[1].take().unwrap();
    c.kill().unwrap(); // SIGKILL
    let _ = c.wait();
    eprintln!("pc-2 killed at {} of its rows ({:?})", pcs[1].finished_rows(), started.elapsed());
    children[1] = Some(pcs[1].spawn(&["bulk", "resume", "--yes"]));
    wait_for("1500 rows", &|| total() >= 1500);
    pg.stop();
    eprintln!("database stopped again at {} rows ({:?})", total(), started.elapsed());
    std::thread::sleep(Duration::from_millis(1500));
    pg.start_again();
    for (pc, c) in pcs.iter().zip(children.iter_mut()) {
        wait_ok(pc, c.take().unwrap());
    }
    eprintln!("all jobs done ({:?})", started.elapsed());
    let admin = pg.admin().await;
    let shipped_while_working: i64 = admin.query_one("SELECT count(*) FROM rackdesk.entries", &[]).await.unwrap().get(0);
    eprintln!("{shipped_while_working} rows were in the team database when the jobs ended");
    assert!(shipped_while_working > 0, "shipping went on in the background while the jobs ran");

    // Whatever is left goes now.
    for pc in &pcs {
        let o = pc.ok(&["team", "ship"], "");
        assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
        let o = pc.ok(&["team", "status"], "");
        assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    }

    // Every row of every computer exactly once, in order, the same as on the computer.
    for pc in &pcs {
        let j = pc.journal();
        assert!(j.verify().unwrap().is_clean(), "{}'s own journal is intact", pc.name);
        let id = j.machine_id().unwrap();
        let local = j.rows_after(0, usize::MAX).unwrap();
        let team: Vec<(i64, String, i64)> = admin
            .query("SELECT seq, hash, arrival FROM rackdesk.entries WHERE machine_id = $1 ORDER BY seq", &[&id])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(team.len(), local.len(), "{}: every row, once", pc.name);
        for (t, l) in team.iter().zip(&local) {
            assert_eq!((t.0, &t.1), (l.seq, &l.hash), "{}: row {}", pc.name, l.seq);
        }
        assert!(team.windows(2).all(|w| w[0].2 < w[1].2), "{}: rows arrived in order", pc.name);
        let creates = local.iter().filter(|r| r.value("kind").text() == Some("intent") && r.value("action").text() == Some("mailbox.create")).count();
        assert!(creates >= N, "{}: {creates} journaled creates", pc.name);
        // Every mailbox's creation is recorded as done (a row in flight at the kill as checked
        // on the server afterwards).
        let done: std::collections::BTreeSet<String> = j
            .query(&rackdesk_core::journal::Filter { action: Some("mailbox.create".into()), ..Default::default() })
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e.status(), "success" | "reconciled"))
            .map(|e| e.target)
            .collect();
        assert_eq!(done.len(), N, "{}: every mailbox's creation journaled", pc.name);
    }
    let dup: i64 = admin.query_one("SELECT count(*) FROM (SELECT machine_id, seq FROM rackdesk.entries GROUP BY 1, 2 HAVING count(*) > 1) d", &[]).await.unwrap().get(0);
    assert_eq!(dup, 0);
    let mailboxes = s.sim().with_store(|x| x.domains["example.com"].mailboxes.len());
    assert_eq!(mailboxes, 3 * N);

    let o = pcs[0].ok(&["team", "verify"], "");
    assert!(stdout(&o).contains("The team journal is intact"), "{}", stdout(&o));
    assert_eq!(stdout(&o).matches("(machine ").count(), 3, "{}", stdout(&o));

    // The team view: filters by computer, action and result.
    let o = pcs[2].ok(&["--output", "json", "team", "list", "--machine", &pcs[1].journal().machine_id().unwrap()[..8], "--action", "create", "--result", "success", "--limit", "5"], "");
    let listed: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 5);
    assert!(listed.as_array().unwrap().iter().all(|e| e["target"].as_str().unwrap().starts_with("p2u")), "{listed}");

    // The owner edits a row (switching the append-only trigger off first): named by verify.
    let id = pcs[1].journal().machine_id().unwrap();
    admin
        .batch_execute(&format!(
            "ALTER TABLE rackdesk.entries DISABLE TRIGGER entries_append_only;
             UPDATE rackdesk.entries SET operator = 'mallory' WHERE machine_id = '{id}' AND seq = 10;
             DELETE FROM rackdesk.entries WHERE machine_id = '{id}' AND seq = 20;
             ALTER TABLE rackdesk.entries ENABLE TRIGGER entries_append_only;"
        ))
        .await
        .unwrap();
    let o = pcs[0].run(&["team", "verify"], "");
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("Entry 10 (") && err.contains("was changed after it was written"), "{err}");
    assert!(err.contains("Entry 20 was deleted"), "{err}");
    assert!(err.contains("Computer ") && err.contains(&format!("(machine {})", &id[..8])), "{err}");
    // pc-2 itself also sees that its copy in the team database differs from its journal.
    let o = pcs[1].run(&["--output", "json", "team", "verify"], "");
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(report["problems"].as_array().unwrap().iter().any(|p| p["kind"] == "differs-from-this-computer" && p["row"] == 10), "{report}");
    eprintln!("done in {:?}", started.elapsed());
}

#[allow(dead_code)]
fn _unused(_: &Path) {}
