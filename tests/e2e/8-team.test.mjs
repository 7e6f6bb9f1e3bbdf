// The team journal in the real webview: a super admin sets a team database up and connects this
// computer in Settings → Team journal; another computer (the rackdesk CLI with its own folders)
// makes a change, and it arrives in the Journal page's team view without the page being read
// again. The PostgreSQL server is the Rust tests' own (crates/rackdesk-cli/examples/team_pg.rs:
// TLS with a CA made for the test), started and stopped by this file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { openApp, waitForText, screenshot, clickButton, type, skipWelcome, By, until } from "./driver.mjs";

const APP = process.env.RACKDESK_APP ?? ".";
const CLI = process.env.RACKDESK_CLI || join(dirname(APP), "rackdesk");
const HELPER = process.env.RACKDESK_TEAM_PG || join(dirname(APP), "examples", "team_pg");

let driver;
let server;
let db;
const other = mkdtempSync(join(tmpdir(), "rackdesk-team-e2e-"));

before(async () => {
  assert.ok(existsSync(HELPER), `the PostgreSQL helper is built (${HELPER}): cargo build -p rackdesk-cli --example team_pg`);
  server = spawn(HELPER, [], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout });
  db = await new Promise((resolve, reject) => {
    lines.once("line", (l) => resolve(JSON.parse(l)));
    server.once("exit", (c) => reject(new Error(`the PostgreSQL helper exited with ${c}`)));
  });
  driver = await openApp();
});

after(async () => {
  await driver?.quit();
  if (server) {
    server.stdin.end();
    await new Promise((r) => server.once("exit", r));
  }
  rmSync(other, { recursive: true, force: true });
});

/** The rackdesk CLI as another computer: its own settings and journal, this session's vault. */
function otherComputer(args, input = "") {
  return execFileSync(CLI, args, {
    input,
    encoding: "utf8",
    env: { ...process.env, RACKDESK_CONFIG_DIR: join(other, "config"), RACKDESK_DATA_DIR: join(other, "data") },
    timeout: 60000,
  });
}

let pcPassword;

test("a super admin sets up the team database and connects this computer", async () => {
  await skipWelcome(driver);
  await clickButton(driver, "Settings");
  await waitForText(driver, "#team-settings-title", (t) => t === "Team journal");
  await driver.findElement(By.xpath("//summary[normalize-space(.)='Set up a new team database…']")).click();
  await driver.findElement(By.xpath("//label[contains(., 'a CA file')]/input")).click();
  await type(driver, "#team-ca-path", db.caFile);
  await type(driver, "#team-owner-url", db.ownerUrl);
  await type(driver, "#team-owner-password", db.ownerPassword);
  await clickButton(driver, "Set up the database");
  await waitForText(driver, "#team-made", (t) => t.includes("is ready"), 30000);
  pcPassword = await driver.findElement(By.css("#team-pc-password")).getText();
  assert.equal(pcPassword.length, 24);
  await clickButton(driver, "Use it to connect this computer");
  const url = await driver.findElement(By.css("#team-url")).getAttribute("value");
  assert.equal(url, db.pcUrl, "the form offers the computers' login");
  await clickButton(driver, "Connect");
  await waitForText(driver, "#team-line", (t) => t === "team journal: up to date", 30000);
  await waitForText(driver, "#team-settings-status", (t) => t.startsWith("Up to date"));
  await screenshot(driver, "80-team-settings");
});

test("another computer's entry arrives in the team view without a reload", async () => {
  await clickButton(driver, "Journal");
  await driver.wait(until.elementLocated(By.css("#journal-team-tab")), 15000);
  await driver.findElement(By.css("#journal-team-tab")).click();
  await waitForText(driver, "#team-live", (t) => t.startsWith("Live"), 30000);
  await waitForText(driver, "#team-journal-table", (t) => t.includes("Connected this computer to the team journal"), 30000);
  // A mark on the page: gone if the page were loaded again.
  await driver.executeScript("window.__teamMark = 'still here';");
  const before = await driver.findElements(By.css("#team-journal-table tbody tr"));

  otherComputer(["team", "connect", db.pcUrl, "--ca", db.caFile, "--password-stdin"], `${pcPassword}\n`);
  otherComputer(["operator", "set", "--name", "other-desk", "--role", "super-admin"]);
  otherComputer(["operator", "name", "Omar Other"]);
  otherComputer(["team", "ship"]);

  const row = await waitForText(driver, "#team-journal-table", (t) => t.includes("Set the full name of other-desk to \"Omar Other\""), 30000);
  assert.match(row, /other-desk/);
  assert.equal(await driver.executeScript("return window.__teamMark;"), "still here", "the page was not loaded again");
  const after = await driver.findElements(By.css("#team-journal-table tbody tr"));
  assert.ok(after.length > before.length, `rows: ${before.length} → ${after.length}`);
  const fresh = await driver.findElements(By.css("#team-journal-table tbody tr.fresh"));
  assert.ok(fresh.length >= 1, "the arrived rows are marked new");
  await screenshot(driver, "81-team-view-live");
});

test("leaving the team journal keeps this computer's journal", async () => {
  await clickButton(driver, "Settings");
  await clickButton(driver, "Leave the team journal…");
  await clickButton(driver, "Leave the team journal");
  await waitForText(driver, ".statusbar", (t) => t.includes("Left the team journal"));
  assert.equal((await driver.findElements(By.css("#team-line"))).length, 0);
  await clickButton(driver, "Journal");
  await waitForText(driver, "#journal-count", (t) => /entr/.test(t));
  assert.equal((await driver.findElements(By.css("#journal-team-tab"))).length, 0);
  await waitForText(driver, "table.journal", (t) => t.includes("Left the team journal"));
});
