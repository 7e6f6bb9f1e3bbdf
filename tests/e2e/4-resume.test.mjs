// A bulk job survives the app being killed mid-job. Against an external simulator (it
// outlives the app, unlike the in-app sandbox) whose mailbox creates answer slowly, a super
// admin applies a create CSV; the app is killed (SIGKILL) while one row's create has reached
// the server but its answer has not reached the app. After a restart the Bulk page lists the
// job as interrupted, refuses a new job from the same file, and resumes it: every mailbox
// exists once, the row that was in flight is checked on the server and not sent again.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openApp, waitForText, screenshot, clickButton, type, skipWelcome, appPids, quitQuietly, chooseCsv, By, until } from "./driver.mjs";
import { signedGet } from "./sandbox-api.mjs";

const N = 20;
const ACCOUNT = "778899";
const LABEL = "Resume lab";
const USER_KEY = "E2eResumeUserKey0001";
const SECRET = "E2eResumeSecretKey-0123456789abcd";
const DOMAIN = "example.com";
// Creates are carried out at once but answered 1.5 s later: a kill in that window leaves a
// row the server has applied and the app has not seen answered.
const SLOW_CREATES = "delay:1500,method=POST,path=/rs/mailboxes/,after";
const people = Array.from({ length: N }, (_, i) => `resume.${String(i + 1).padStart(2, "0")}`);
const dir = mkdtempSync(join(tmpdir(), "rackdesk-resume-e2e-"));
const FILE_NAME = "march-starters.csv";
const file = join(dir, FILE_NAME);
const row = (p) => `${p}@${DOMAIN},Resume Person ${p.slice(-2)},1024\n`;
const HEADER = "email,displayName,sizeMB\n";
writeFileSync(file, HEADER + people.map(row).join(""));

const dataDir = process.env.RACKDESK_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "rackdesk");
const JOBS_DB = join(dataDir, "jobs.sqlite3");
const CLI = process.env.RACKDESK_CLI || join(dirname(process.env.RACKDESK_APP ?? "."), "rackdesk");

let sim;
let apiUrl;
const simLog = []; // "METHOD PATH -> STATUS" per request the simulator finished
let driver;
let jobId;
let victim; // the row in flight when the app was killed
let doneAtKill;
let logAtKill;

before(async () => {
  const bin = process.env.RACKDESK_SIM;
  if (!bin) throw new Error("RACKDESK_SIM must name the rackdesk-sim binary (tests/run-all.sh sets it)");
  sim = spawn(bin, ["--listen", "127.0.0.1:0", "--user-key", USER_KEY, "--account", ACCOUNT, "--data", "empty", "--fault", SLOW_CREATES], {
    env: { ...process.env, RACKDESK_SIM_SECRET_KEY: SECRET, RACKDESK_SIM_LOG: "rackdesk_sim=info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: sim.stderr }).on("line", (l) => {
    const m = l.match(/\b(GET|POST|PUT|DELETE) (\S+) -> (\d{3})\b/);
    if (m) simLog.push({ method: m[1], path: m[2], status: Number(m[3]) });
  });
  apiUrl = await new Promise((resolve, reject) => {
    createInterface({ input: sim.stdout }).once("line", resolve);
    sim.once("exit", (c) => reject(new Error(`rackdesk-sim exited with ${c}`)));
  });
  driver = await openApp();
});
after(async () => {
  await quitQuietly(driver);
  sim?.kill();
});
afterEach(async (t) => {
  if (t.passed === false && driver) await screenshot(driver, `failed-4-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

const simGet = (path) => signedGet(apiUrl, USER_KEY, SECRET, path);

/** Rows of the job as the job store records them (read-only; the app may be writing). */
function jobRows(id) {
  assert.match(id, /^[0-9A-Za-z-]+$/);
  const out = execFileSync(
    "sqlite3",
    ["-readonly", "-cmd", ".timeout 3000", "-json", JOBS_DB, `SELECT seq, target, state, result, secret FROM job_rows WHERE job_id = '${id}' ORDER BY seq`],
    { encoding: "utf8" },
  );
  return out.trim() ? JSON.parse(out) : [];
}
function jobState(id) {
  assert.match(id, /^[0-9A-Za-z-]+$/);
  return execFileSync("sqlite3", ["-readonly", "-cmd", ".timeout 3000", JOBS_DB, `SELECT state FROM jobs WHERE id = '${id}'`], { encoding: "utf8" }).trim();
}

/** Requests of mailbox creates in the simulator's log, by mailbox name. */
function createsIn(log) {
  const by = new Map();
  for (const r of log) {
    const m = r.method === "POST" && r.path.match(/\/domains\/([^/]+)\/rs\/mailboxes\/([^/?]+)$/);
    if (!m || m[1] !== DOMAIN) continue;
    if (!by.has(m[2])) by.set(m[2], []);
    by.get(m[2]).push(r.status);
  }
  return by;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("the super admin connects the test server", async () => {
  await skipWelcome(driver);
  await clickButton(driver, "Connect an account…");
  await waitForText(driver, "#dialog-title", (t) => t === "Connect your Rackspace account");
  await clickButton(driver, "I have the login — next");
  await clickButton(driver, "I have the keys — next");
  await type(driver, "#connect-label", LABEL);
  await type(driver, "#connect-account", ACCOUNT);
  await type(driver, "#connect-admin", "api-rackdesk");
  await type(driver, "#connect-user-key", USER_KEY);
  await type(driver, "#connect-secret-key", SECRET);
  await driver.findElement(By.css(".dialog details summary")).click();
  await type(driver, "#connect-api-url", apiUrl);
  const box = await driver.findElement(By.css("#connect-test-server"));
  if (!(await box.isSelected())) await box.click();
  await clickButton(driver, "Check the keys");
  await waitForText(driver, "#connect-report", (t) => t.includes("The keys work"));
  await driver.findElement(By.xpath("//button[starts-with(normalize-space(.), 'Store the keys in')]")).click();
  await waitForText(driver, "#acting", (t) => t.includes(`on account ${ACCOUNT} — a test server`));
});

test("a create job is interrupted by the app being killed mid-job", async () => {
  await clickButton(driver, "Bulk changes");
  await chooseCsv(driver, file);
  const summary = await waitForText(driver, "#bulk-summary", (t) => t.startsWith(`${N} rows`), 30000);
  assert.match(summary, new RegExp(`${N} to create, 0 to change, 0 to delete`));
  await screenshot(driver, "60-resume-plan");

  // The one app process tauri-driver started (an earlier test's app may still be exiting).
  let pids = [];
  for (let i = 0; i < 50 && (pids = appPids()).length !== 1; i++) await sleep(100);
  assert.equal(pids.length, 1, `one running app, found ${JSON.stringify(pids)}`);

  await clickButton(driver, `Create ${N} mailboxes`);
  jobId = (await waitForText(driver, "#bulk-job h2", (t) => /^Job \S+$/.test(t))).slice(4);
  await waitForText(driver, "#bulk-progress-text", (t) => Number(t.match(/^(\d+) of /)?.[1] ?? 0) >= 2, 60000);
  await screenshot(driver, "61-resume-running");

  // Kill once a few rows are done and the next row's create has been carried out by the
  // server while its answer is still on the way.
  await driver.wait(async () => {
    const rows = jobRows(jobId);
    const inFlight = rows.find((r) => r.state === "in-flight");
    if (rows.filter((r) => r.state === "done").length < 4 || !inFlight) return false;
    const { status } = await simGet(`domains/${DOMAIN}/rs/mailboxes/${inFlight.target.split("@")[0]}`);
    if (status !== 200) return false;
    victim = inFlight;
    return true;
  }, 60000, "no row was ever seen in flight on a server that already has it");
  process.kill(pids[0], "SIGKILL");
  for (let i = 0; i < 50 && appPids().includes(pids[0]); i++) await sleep(100);
  assert.ok(!appPids().includes(pids[0]), "the app is gone");
  await quitQuietly(driver);
  driver = null;
  // Let the simulator finish (and log) whatever was under way.
  await sleep(2500);

  const rows = jobRows(jobId);
  doneAtKill = rows.filter((r) => r.state === "done").length;
  assert.equal(jobState(jobId), "running", "recorded as running: nobody marked it stopped");
  assert.equal(rows.find((r) => r.seq === victim.seq).state, "in-flight", "the killed row stays in flight");
  assert.equal(rows.filter((r) => r.state === "pending").length, N - doneAtKill - 1);
  logAtKill = simLog.length;
});

test("after a restart the job is listed as interrupted and a new job from the file is refused", async () => {
  driver = await openApp();
  await skipWelcome(driver);
  await waitForText(driver, "#acting", (t) => t.includes(`on account ${ACCOUNT}`));
  await clickButton(driver, "Bulk changes");
  const region = await waitForText(driver, "#bulk-unfinished", (t) => t.includes(`Resume job ${jobId}`));
  assert.match(region, new RegExp(`from ${FILE_NAME} — interrupted: ${doneAtKill} of ${N} rows finished, ${N - doneAtKill} rows to do\\.`));
  // The passwords made before the kill were never shown: the page says so.
  const shownBefore = jobRows(jobId).filter((r) => r.state === "done").map((r) => r.target);
  assert.match(region, new RegExp(`New passwords never shown for: ${shownBefore.join(", ").replace(/\./g, "\\.")} \\(reset them\\)`));
  assert.ok(region.includes(`Cancel job ${jobId}`));
  await screenshot(driver, "62-resume-unfinished");
  const rect = await driver.manage().window().getRect();
  try {
    await driver.manage().window().setRect({ width: 800, height: 600 });
    await sleep(300);
    await screenshot(driver, "63-resume-unfinished-800x600");
    // The buttons are below the fold at this size: scrolled to, as a person would.
    await driver.executeScript("document.getElementById('bulk-unfinished').scrollIntoView({block: 'end'})");
    await screenshot(driver, "63b-resume-unfinished-800x600-scrolled");
    const overflow = await driver.executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 800×600`);
    const resume = await driver.findElement(By.xpath(`//button[normalize-space(.)="Resume job ${jobId}"]`));
    const r = await resume.getRect();
    const width = await driver.executeScript("return document.documentElement.clientWidth");
    assert.ok(r.x >= 0 && r.x + r.width <= width, "the Resume button is fully visible at 800×600");
  } finally {
    await driver.manage().window().setRect({ width: rect.width, height: rect.height });
  }

  // The same file again: refused as soon as it is chosen, naming the unfinished job (not
  // as rows that "already exist"), right where the person looks.
  await chooseCsv(driver, file);
  const refusal = await waitForText(driver, ".error-note", (t) => t.includes("not finished"), 30000);
  assert.match(refusal, new RegExp(`^Job ${jobId} from this file is not finished \\(${doneAtKill} of ${N} rows done, interrupted\\)\\. Resume it or cancel it first`));
  assert.match(refusal, /nothing new was started/);
  assert.equal((await driver.findElements(By.css("#bulk-plan"))).length, 0, "no plan to apply");
  const note = await (await driver.findElement(By.css(".error-note"))).getRect();
  const height = await driver.executeScript("return window.innerHeight");
  assert.ok(note.y >= 0 && note.y < height, "the message is on screen without scrolling");
  await screenshot(driver, "64-resume-refused");

  // The file edited in place to the rows not yet done: refused the same way (the app reads
  // it from its path, and the job is recorded under that path).
  const rest = people.filter((p) => !jobRows(jobId).some((r) => r.target === `${p}@${DOMAIN}` && r.state !== "pending"));
  writeFileSync(file, HEADER + rest.map(row).join(""));
  await chooseCsv(driver, file);
  await waitForText(driver, ".error-note", (t) => t.includes(`Job ${jobId} from this file is not finished`), 30000);
  assert.equal(createsIn(simLog.slice(logAtKill)).size, 0, "nothing was sent since the kill");
  assert.equal(jobState(jobId), "running");
});

test("resuming finishes the job, and no mailbox is created twice", async (t) => {
  await clickButton(driver, `Resume job ${jobId}`);
  const end = await waitForText(driver, "#bulk-progress-text", (t) => t.startsWith("Finished:"), 120000);
  assert.equal(end, `Finished: ${N} done, 0 failed, 0 without changes.`);
  await waitForText(driver, "#bulk-passwords", (t) => t.length > 0);
  await screenshot(driver, "65-resume-done");
  const pw = await driver.findElements(By.css("#bulk-passwords tr"));
  assert.equal(pw.length, N - doneAtKill - 1, "new passwords shown for the rows created after the restart");
  const lost = await waitForText(driver, "#bulk-job", (t) => t.includes("Reset the passwords of:"));
  assert.ok(lost.includes(victim.target), "the in-flight row's password was never shown: reset it");
  await driver.executeScript("document.getElementById('bulk-save-results').scrollIntoView({block: 'end'})");
  await screenshot(driver, "65b-resume-done-end");
  assert.equal((await driver.findElements(By.css("#bulk-unfinished"))).length, 0, "no unfinished job is left");

  // 1. The server has exactly the N mailboxes.
  const { status, body } = await simGet(`domains/${DOMAIN}/rs/mailboxes?size=250`);
  assert.equal(status, 200);
  assert.deepEqual(body.rsMailboxes.map((m) => m.name).sort(), people);

  // 2. The simulator's own log: every create was sent once and accepted; none was refused as a
  //    duplicate (409); the row in flight at the kill was not sent again after it.
  const all = createsIn(simLog);
  const afterKill = createsIn(simLog.slice(logAtKill));
  const victimName = victim.target.split("@")[0];
  assert.equal(afterKill.has(victimName), false, "the in-flight row was not sent again");
  for (const p of people) {
    const statuses = all.get(p) ?? [];
    if (p === victimName) {
      // Its answer was cut off by the kill; the simulator may not have logged it.
      assert.ok(statuses.length <= 1 && statuses.every((s) => s === 200), `${p}: ${statuses}`);
    } else {
      assert.deepEqual(statuses, [200], `${p} created exactly once`);
    }
  }
  assert.equal([...all.values()].flat().filter((s) => s === 409).length, 0, "no duplicate create was refused");
  assert.equal(afterKill.size, N - doneAtKill - 1, "after the kill, only the rows never sent were sent");
  t.diagnostic(`killed with ${doneAtKill} rows done and ${victim.target} in flight (already on the server); ` +
    `the simulator logged its create ${all.has(victimName) ? "(answered after the kill)" : "not at all (cut off by the kill)"}`);

  // 3. The job store: every row done; the killed row confirmed on the server, none sent again.
  const rows = jobRows(jobId);
  assert.equal(jobState(jobId), "done");
  assert.ok(rows.every((r) => r.state === "done"), JSON.stringify(rows.filter((r) => r.state !== "done")));
  const v = rows.find((r) => r.seq === victim.seq);
  assert.match(v.result, /confirmed on the server after an interruption/);
  assert.equal(v.secret, "lost");
  assert.ok(!rows.some((r) => /sent again/.test(r.result ?? "")), "no row was sent again");

  // 4. The journal (through the CLI): one mailbox.create per mailbox for this job.
  {
    assert.ok(existsSync(CLI), `the rackdesk CLI is built (${CLI})`);
    const out = execFileSync(CLI, ["--output", "json", "journal", "list", "--correlation-id", jobId, "--action", "mailbox.create", "--limit", "500"], { encoding: "utf8" });
    const list = JSON.parse(out);
    const targets = list.map((e) => e.target).sort();
    assert.deepEqual(targets, people.map((p) => `${p}@${DOMAIN}`), "one journal entry per mailbox");
    for (const e of list) {
      const status = e.outcome?.status ?? "pending";
      if (e.target === victim.target) {
        // Settled when the resumed job checked the row on the server.
        assert.equal(status, "reconciled", `${e.target}: ${JSON.stringify(e.outcome)}`);
        assert.match(e.outcome.result, /^applied: confirmed on the server when the job was resumed/);
      }
      else assert.equal(status, "success", `${e.target}`);
    }
  }

  await clickButton(driver, "Journal");
  await type(driver, "#journal-target", victim.target);
  await waitForText(driver, "#journal-count", (t) => t === "1 entry");
  await screenshot(driver, "66-resume-journal");
});

test("the app is left acting through the sandbox", async () => {
  const select = await driver.findElement(By.css("#identity-switch"));
  await select.findElement(By.css("option[value='']")).click();
  await waitForText(driver, "#sandbox-banner", (t) => t.includes("Sandbox"));
});
