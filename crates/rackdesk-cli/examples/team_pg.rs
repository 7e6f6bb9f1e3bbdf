//! A PostgreSQL server for the end-to-end tests of the team journal (`tests/e2e/8-team.test.mjs`):
//! the same server the Rust tests use (`tests/pg`: the distribution's binaries, a cluster in a
//! temporary folder, TLS with a CA made here, run as `nobody` when started as root). Prints one
//! JSON line — the owner's address and password, the computers' address without login, the CA
//! file — then keeps the server until its standard input closes, and removes it.
//!
//! `cargo build -p rackdesk-cli --example team_pg` (tests/run-all.sh does).

#[path = "../tests/pg/mod.rs"]
mod pg;

use std::io::Read;

fn main() {
    let server = pg::Pg::start();
    println!(
        "{}",
        serde_json::json!({
            "port": server.port,
            "ownerUrl": server.url(pg::ADMIN),
            "ownerPassword": pg::ADMIN_PASSWORD,
            "pcUrl": server.url("rackdesk_pc"),
            "caFile": server.ca_file,
        })
    );
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(server);
}
