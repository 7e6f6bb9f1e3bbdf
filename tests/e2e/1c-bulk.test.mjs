// A bulk job in the real app on the sandbox: import a CSV, see the plan, apply, watch the
// progress bar, and save the result file through the system's save dialog.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp, waitForText, screenshot, clickButton, skipWelcome, answerFileDialog, chooseCsv, By, until } from "./driver.mjs";
import { sandboxGet } from "./sandbox-api.mjs";

const dir = mkdtempSync(join(tmpdir(), "rackdesk-bulk-e2e-"));
const people = ["bulk.one", "bulk.two", "bulk.three"];
let driver;
before(async () => {
  driver = await openApp();
});
after(async () => {
  await driver?.quit();
});
afterEach(async (t) => {
  if (t.passed === false && driver) await screenshot(driver, `failed-1c-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

test("a CSV is checked and its plan shown before anything is sent", async () => {
  await skipWelcome(driver);
  await clickButton(driver, "Bulk changes");
  const file = join(dir, "new-starters.csv");
  writeFileSync(file, "email,displayName\n" + people.map((p) => `${p}@fabrikam.example,${p.replace(".", " ")}`).join("\n") + "\n");
  await chooseCsv(driver, file);
  const summary = await waitForText(driver, "#bulk-summary", (t) => t.startsWith("3 rows"));
  assert.match(summary, /3 to create/);
  await screenshot(driver, "40-bulk-plan");
  const { status } = await sandboxGet("domains/fabrikam.example/rs/mailboxes/bulk.one");
  assert.equal(status, 404, "planning changed nothing");
});

test("applying shows progress and creates every row once", async () => {
  await clickButton(driver, "Create 3 mailboxes");
  await waitForText(driver, "#bulk-progress-text", (t) => t.startsWith("Finished: 3 done"), 60000);
  await screenshot(driver, "41-bulk-done");
  const pw = await driver.findElements(By.css("#bulk-passwords tr"));
  assert.equal(pw.length, 3, "three new passwords, shown once");
  for (const p of people) {
    const { status, body } = await sandboxGet(`domains/fabrikam.example/rs/mailboxes/${p}`);
    assert.equal(status, 200, p);
    assert.equal(body.displayName, p.replace(".", " "));
  }
});

test("the results and new passwords stay while the person looks elsewhere", async () => {
  await clickButton(driver, "Mailboxes");
  await waitForText(driver, "#mailbox-count", (t) => / mailbox(es)?/.test(t));
  const nav = await driver.findElement(By.xpath("//nav//button[starts-with(normalize-space(.), 'Bulk changes')]"));
  assert.equal(await nav.getText(), "Bulk changes — results waiting");
  await nav.click();
  const pw = await driver.findElements(By.css("#bulk-passwords tr"));
  assert.equal(pw.length, 3, "the three passwords are still there");
  assert.ok(await driver.findElement(By.css("#bulk-save-results")).isDisplayed());
  const choose = await driver.findElement(By.css("#bulk-choose"));
  assert.equal(await choose.isEnabled(), false, "no new job over unsaved results");
  assert.match(await driver.findElement(By.css("#bulk-file-refusal")).getText(), /Dismiss them to start another job/);
});

test("the result file is saved where the person chooses", async () => {
  const out = join(dir, "results.csv");
  await driver.findElement(By.css("#bulk-save-results")).click();
  // The system's save dialog (GTK): there is no window manager under Xvfb, so give the dialog
  // the keyboard, then type the full path into its name field and press Enter.
  answerFileDialog("Save File", out);
  for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 200));
  assert.ok(existsSync(out), "the results file was written");
  const lines = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.match(lines[0], /result/i);
  await waitForText(driver, ".statusbar", (t) => t.includes("Saved the results"));
});

test("dismissing passwords nobody saved or copied asks first, naming them", async () => {
  await clickButton(driver, "Dismiss the results");
  const warning = await waitForText(driver, ".dialog", (t) => t.includes("neither saved nor copied"));
  for (const p of people) assert.ok(warning.includes(`${p}@fabrikam.example`), `${p} is named`);
  await screenshot(driver, "43-bulk-dismiss-warning");
  await clickButton(driver, "Keep the results");
  assert.equal((await driver.findElements(By.css("#bulk-passwords tr"))).length, 3);
  await clickButton(driver, "Dismiss the results");
  await clickButton(driver, "Dismiss and forget 3 passwords");
  await driver.wait(async () => (await driver.findElements(By.css("#bulk-passwords"))).length === 0, 10000);
  assert.equal(await driver.findElement(By.css("#bulk-choose")).isEnabled(), true);
  // The job is listed with the past ones, its results still to be had.
  const past = await waitForText(driver, "#bulk-past-jobs", (t) => t.includes("new-starters.csv"));
  assert.match(past, /done: 3 done, 0 failed/);
  assert.ok(await driver.findElement(By.css("#bulk-past-jobs button")).isDisplayed());
});

test("columns Rackdesk does not know are named by the person, not ignored", async () => {
  const file = join(dir, "their-format.csv");
  writeFileSync(file, "Addr;Who\nbulk.four@fabrikam.example;Bulk Four\n");
  await chooseCsv(driver, file);
  await waitForText(driver, "#bulk-summary", (t) => /problems? to fix first/.test(t));
  const selects = await driver.findElements(By.css(".column-maps select"));
  assert.equal(selects.length, 2, "one question per unknown column");
  await selects[0].findElement(By.css("option[value='email']")).click();
  await waitForText(driver, "#bulk-summary", (t) => t.length > 0);
  const again = await driver.findElements(By.css(".column-maps select"));
  await again[1].findElement(By.css("option[value='displayName']")).click();
  const summary = await waitForText(driver, "#bulk-summary", (t) => t.startsWith("1 row: 1 to create") && !t.includes("fix first"));
  assert.match(summary, /1 to create/);
  await screenshot(driver, "42-bulk-columns");
});

test("the same file chosen again is read again, and so is Check again", async () => {
  const file = join(dir, "their-format.csv");
  writeFileSync(file, "Addr;Who\nbulk.four@fabrikam.example;Bulk Four\nbulk.five@fabrikam.example;Bulk Five\n");
  await chooseCsv(driver, file);
  await waitForText(driver, "#bulk-summary", (t) => t.startsWith("2 rows: 2 to create"));
  writeFileSync(file, "Addr;Who\nbulk.four@fabrikam.example;Bulk Four\nbulk.five@fabrikam.example;Bulk Five\nnot an address;Nobody\n");
  await clickButton(driver, "Check their-format.csv again");
  await waitForText(driver, "#bulk-summary", (t) => t.startsWith("3 rows") && /1 problem to fix first/.test(t));
  const apply = await driver.findElement(By.css("#bulk-apply"));
  assert.equal(await apply.getText(), "Fix 1 problem to continue");
  assert.equal(await apply.isEnabled(), false);
  await screenshot(driver, "44-bulk-fix-first");
});
