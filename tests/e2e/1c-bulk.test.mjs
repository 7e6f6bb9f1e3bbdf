// A bulk job in the real app on the sandbox: import a CSV, see the plan, apply, watch the
// progress bar, and save the result file through the system's save dialog.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp, waitForText, screenshot, clickButton, skipWelcome, By, until } from "./driver.mjs";
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

test("a CSV is checked and its plan shown before anything is sent", async () => {
  await skipWelcome(driver);
  await clickButton(driver, "Bulk changes");
  const file = join(dir, "new-starters.csv");
  writeFileSync(file, "email,displayName\n" + people.map((p) => `${p}@fabrikam.example,${p.replace(".", " ")}`).join("\n") + "\n");
  const input = await driver.wait(until.elementLocated(By.css("#bulk-file")), 15000);
  await input.sendKeys(file);
  const summary = await waitForText(driver, "#bulk-summary", (t) => t.startsWith("3 rows"));
  assert.match(summary, /3 to create/);
  await screenshot(driver, "40-bulk-plan");
  const { status } = await sandboxGet("domains/fabrikam.example/rs/mailboxes/bulk.one");
  assert.equal(status, 404, "planning changed nothing");
});

test("applying shows progress and creates every row once", async () => {
  await clickButton(driver, "Apply 3 rows");
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

test("the result file is saved where the person chooses", async () => {
  const out = join(dir, "results.csv");
  await driver.findElement(By.css("#bulk-save-results")).click();
  // The system's save dialog (GTK): there is no window manager under Xvfb, so give the dialog
  // the keyboard, then type the full path into its name field and press Enter.
  const id = execFileSync("sh", ["-c", "xdotool search --sync --onlyvisible --name 'Save File' | head -1"]).toString().trim();
  execFileSync("xdotool", ["windowfocus", "--sync", id]);
  execFileSync("xdotool", ["key", "--window", id, "ctrl+a"]);
  execFileSync("xdotool", ["type", "--delay", "20", out]);
  execFileSync("xdotool", ["key", "Return"]);
  for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 200));
  assert.ok(existsSync(out), "the results file was written");
  const lines = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.match(lines[0], /result/i);
  await waitForText(driver, ".statusbar", (t) => t.includes("Saved the results"));
});

test("columns Rackdesk does not know are named by the person, not ignored", async () => {
  const file = join(dir, "their-format.csv");
  writeFileSync(file, "Addr;Who\nbulk.four@fabrikam.example;Bulk Four\n");
  const input = await driver.findElement(By.css("#bulk-file"));
  await input.sendKeys(file);
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
