// The app protects the person's data and speaks plainly, in the real webview: leaving the
// sandbox for a real account asks first and is announced; a misspelt own domain in an alias
// member or a forwarding address is caught with a one-click fix; members are picked by name;
// a name already taken is said as it is typed, with a way to open what holds it; the journal
// reads in words (its CSV keeps the codes); the person's full name is set once and shown with
// the login.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp, waitForText, screenshot, clickButton, type, skipWelcome, actInSandbox, quitQuietly, answerFileDialog, By, Key, until } from "./driver.mjs";
import { sandboxGet } from "./sandbox-api.mjs";

const DOMAIN = "contoso-lab.example";
const ACCOUNT = "555666";
const LABEL = "Everyday lab";
const USER_KEY = "E2eEverydayUserKey01";
const SECRET = "E2eEverydaySecretKey-0123456789ab";
let driver;
let sim;
let apiUrl;

before(async () => {
  const bin = process.env.RACKDESK_SIM;
  if (!bin) throw new Error("RACKDESK_SIM must name the rackdesk-sim binary (tests/run-all.sh sets it)");
  sim = spawn(bin, ["--listen", "127.0.0.1:0", "--user-key", USER_KEY, "--account", ACCOUNT, "--data", "demo"], {
    env: { ...process.env, RACKDESK_SIM_SECRET_KEY: SECRET },
    stdio: ["ignore", "pipe", "ignore"],
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
  if (t.passed === false && driver) await screenshot(driver, `failed-6-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

const focused = () =>
  driver.executeScript("const a = document.activeElement; return { id: a.id, text: (a.innerText || '').trim(), inDialog: !!a.closest('[role=dialog]'), body: a === document.body };");
const acting = () => driver.findElement(By.css("#acting")).getText();
async function keys(...k) {
  await driver.actions({ async: true }).sendKeys(...k).perform();
}
const toSandbox = () => actInSandbox(driver);

test("the connect wizard moves focus into each next step", async () => {
  await skipWelcome(driver);
  // Start from the sandbox whatever an earlier test left active.
  if (!(await acting()).endsWith("on account 123456")) await toSandbox();
  await clickButton(driver, "Connect an account…");
  await waitForText(driver, "#dialog-title", (t) => t === "Connect your Rackspace account");
  await clickButton(driver, "I have the login — next");
  let f = await focused();
  assert.equal(f.inDialog, true, `after Next, focus is in the dialog (${JSON.stringify(f)})`);
  await clickButton(driver, "I have the keys — next");
  f = await focused();
  assert.equal(f.inDialog, true);
  assert.equal(f.id, "connect-label", "the first field of the keys step");
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
  await waitForText(driver, "#acting", (t) => t.includes(`on account ${ACCOUNT}`));
});

test("leaving the sandbox for a real account asks first, names it, and is announced", async () => {
  // Back to the sandbox: no question asked, but announced.
  await toSandbox();
  await waitForText(driver, ".statusbar", (t) => t === "Now in the sandbox: practice data, nothing real changes.");
  // One arrow key on the menu (it lands on the first connected account) only asks.
  await driver.executeScript("document.getElementById('identity-switch').focus()");
  await keys(Key.ARROW_DOWN);
  const asked = await waitForText(driver, "#dialog-title", (t) => /^Act on the real account \d+\?$/.test(t));
  const first = asked.match(/\d+/)[0];
  assert.match(await driver.findElement(By.css(".dialog")).getText(), new RegExp(`on account ${first}`));
  assert.match(await acting(), /on account 123456$/, "still in the sandbox while it asks");
  assert.equal(await driver.executeScript("return !!document.getElementById('identity-switch').closest('[inert]')"), true, "the menu cannot be used while the question is open");
  await screenshot(driver, "90-switch-to-real-account");
  await keys(Key.ESCAPE);
  await driver.wait(async () => (await driver.findElements(By.css(".dialog"))).length === 0, 5000);
  assert.match(await acting(), /on account 123456$/, "Esc keeps the sandbox");
  assert.equal((await focused()).id, "identity-switch", "focus back on the menu");
  assert.equal(await driver.findElement(By.css("#identity-switch")).getAttribute("value"), "");
  // Choosing this test's account asks about it by name; yes switches and says so.
  await driver.executeScript(
    `const s = document.getElementById('identity-switch'); s.value = ${JSON.stringify(LABEL)}; s.dispatchEvent(new Event('change', { bubbles: true }));`,
  );
  await waitForText(driver, "#dialog-title", (t) => t === `Act on the real account ${ACCOUNT}?`);
  assert.match(await driver.findElement(By.css(".dialog")).getText(), new RegExp(`API admin ${LABEL} on account ${ACCOUNT}`));
  await clickButton(driver, `Switch to account ${ACCOUNT}`);
  await waitForText(driver, "#acting", (t) => t.includes(`on account ${ACCOUNT}`));
  await waitForText(driver, ".statusbar", (t) => t === `Now acting on the real account ${ACCOUNT} through ${LABEL}. Changes are real.`);
  assert.equal((await driver.findElements(By.css("#sandbox-banner"))).length, 0);
  assert.equal(await driver.findElement(By.css("#identity-switch")).getAttribute("value"), LABEL, "the menu shows the account in use");
  // Back to the sandbox for the rest.
  await toSandbox();
});

test("a misspelt own domain in an alias member is caught, with the fix one click away; members are picked by name", async () => {
  await clickButton(driver, "Aliases");
  await waitForText(driver, ".aliases .toolbar .count", (t) => / alias(es)?$/.test(t));
  await clickButton(driver, "New alias");
  await type(driver, "#alias-name", "typo-check");
  await type(driver, "#alias-new-members", "amara.quispe@contoso-lab.exmaple");
  const warning = await waitForText(driver, ".address-warnings", (t) => t.includes("did you mean"), 15000);
  assert.match(warning, /amara\.quispe@contoso-lab\.exmaple: contoso-lab\.exmaple is not one of this account's domains — did you mean contoso-lab\.example\?/);
  const create = await driver.findElement(By.xpath("//div[@role='dialog']//button[@type='submit']"));
  assert.equal(await create.getText(), "Check the addresses marked above");
  assert.equal(await create.isEnabled(), false);
  await screenshot(driver, "91-alias-typo-warning");
  await clickButton(driver, `Use amara.quispe@${DOMAIN}`);
  assert.equal(await driver.findElement(By.css("#alias-new-members")).getAttribute("value"), `amara.quispe@${DOMAIN}`);
  await driver.wait(async () => (await driver.findElements(By.css(".address-warnings"))).length === 0, 10000, "the warning goes once fixed");
  // Pick a second member by name, by keyboard.
  await type(driver, "#member-picker", "bruno");
  await waitForText(driver, "#member-picker-list", (t) => t.includes("Bruno"), 20000);
  await screenshot(driver, "92-member-picker");
  await keys(Key.ENTER);
  await driver.wait(async () => (await driver.findElement(By.css("#alias-new-members")).getAttribute("value")).includes("bruno."), 5000);
  await clickButton(driver, `Create typo-check@${DOMAIN}`);
  await waitForText(driver, "#alias-pane-title", (t) => t === `typo-check@${DOMAIN}`);
  const { status, body } = await sandboxGet(`domains/${DOMAIN}/rs/aliases/typo-check`);
  assert.equal(status, 200);
  const members = body.emailAddressList.emailAddress.map((m) => m.toLowerCase());
  assert.ok(members.includes(`amara.quispe@${DOMAIN}`), members.join(", "));
  assert.ok(members.some((m) => m.startsWith("bruno.")), members.join(", "));
});

test("a name already taken is said as it is typed, with a way to open what holds it", async () => {
  await driver.findElement(By.css(".pane [aria-label='Close details']")).click();
  await clickButton(driver, "New alias");
  await type(driver, "#alias-name", "typo-check");
  await waitForText(driver, "#alias-name-check", (t) => t === `typo-check@${DOMAIN} is already an alias. Open it, or choose another name.`, 15000);
  await clickButton(driver, `Open typo-check@${DOMAIN}`);
  await waitForText(driver, "#alias-pane-title", (t) => t === `typo-check@${DOMAIN}`);

  await clickButton(driver, "Mailboxes");
  await clickButton(driver, "New mailbox");
  await type(driver, "#new-name", "amara.quispe");
  await waitForText(driver, "#new-name-rule", (t) => t === `amara.quispe@${DOMAIN} is already a mailbox. Open it, or choose another name.`, 15000);
  await screenshot(driver, "93-name-taken");
  await clickButton(driver, `Open amara.quispe@${DOMAIN}`);
  await waitForText(driver, "#pane-title", (t) => t === `amara.quispe@${DOMAIN}`);
});

test("forwarding to a misspelt own domain is caught before saving", async () => {
  await waitForText(driver, "#pane-status", (t) => t.length > 0, 60000);
  await clickButton(driver, "Edit");
  await type(driver, "textarea", "amara.q@contoso-lab.exmaple");
  await waitForText(driver, ".address-warnings", (t) => t.includes("did you mean contoso-lab.example?"), 15000);
  const save = await driver.findElement(By.css("#edit-save"));
  assert.equal(await save.getText(), "Check the addresses marked above");
  assert.equal(await save.isEnabled(), false);
  await clickButton(driver, "Cancel");
});

test("the journal says what happened in words; its CSV keeps the codes", async () => {
  await clickButton(driver, "Journal");
  await type(driver, "#journal-target", `typo-check@${DOMAIN}`);
  const text = await waitForText(driver, "table.journal tbody", (t) => t.includes(`Created the alias typo-check@${DOMAIN}`));
  assert.doesNotMatch(text, /alias\.create|\[|\]|`/, "no codes, lists or backticks for people");
  assert.match(text, /Done/);
  await screenshot(driver, "94-journal-words");
  const dir = mkdtempSync(join(tmpdir(), "rackdesk-journal-e2e-"));
  const out = join(dir, "journal.csv");
  await clickButton(driver, "Export CSV…");
  answerFileDialog("Save File", out);
  for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 200));
  const csv = readFileSync(out, "utf8");
  assert.match(csv, /alias\.create/, "the export keeps the action codes");
});

test("the person's full name is set once and shown with the login", async () => {
  await clickButton(driver, "Roles");
  await type(driver, "#operator-full-name", "Erin Example");
  await clickButton(driver, "Save the name");
  const login = await driver.executeScript("return document.querySelector('#operator-display').innerText");
  await waitForText(driver, "#acting", (t) => /^You \(Erin Example \([^)]+\), super admin\)/.test(t));
  await waitForText(driver, "#operator-display", (t) => /^Erin Example \(.+\)$/.test(t));
  assert.ok(login);
  await clickButton(driver, "Journal");
  await type(driver, "#journal-target", "");
  await waitForText(driver, "table.journal tbody", (t) => t.includes("Erin Example ("));
});
