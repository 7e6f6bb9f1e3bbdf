// The connect wizard against a simulator with the real Secret Service: a wrong secret gets
// its own message; the right keys are checked, stored in the vault and then used.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { openApp, waitForText, screenshot, clickButton, type, skipWelcome, By } from "./driver.mjs";

const USER_KEY = "E2eRealUserKey000001";
const SECRET = "E2eRealSecretKey-0123456789abcdef";
let driver;
let sim;
let apiUrl;

before(async () => {
  const bin = process.env.RACKDESK_SIM;
  if (!bin) throw new Error("RACKDESK_SIM must name the rackdesk-sim binary (tests/run-all.sh sets it)");
  sim = spawn(bin, ["--listen", "127.0.0.1:0", "--user-key", USER_KEY, "--account", "777888", "--data", "demo"], {
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
  await driver?.quit();
  sim?.kill();
});

function vaultItems() {
  try {
    return execFileSync("secret-tool", ["search", "--all", "service", "Rackdesk"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return "";
  }
}

async function fillKeys(secret) {
  await type(driver, "#connect-label", "Northwind");
  await type(driver, "#connect-account", "777888");
  await type(driver, "#connect-admin", "api-rackdesk");
  await type(driver, "#connect-user-key", USER_KEY);
  await type(driver, "#connect-secret-key", secret);
  await driver.findElement(By.css("details summary")).click();
  await type(driver, "#connect-api-url", apiUrl);
  const box = await driver.findElement(By.css("#connect-test-server"));
  if (!(await box.isSelected())) await box.click();
}

test("the wizard explains, then a wrong secret gets its own message and nothing is stored", async () => {
  await skipWelcome(driver);
  await clickButton(driver, "Connect an account…");
  await waitForText(driver, "#dialog-title", (t) => t === "Connect your Rackspace account");
  await screenshot(driver, "10-connect-why");
  await clickButton(driver, "I have the login — next");
  await clickButton(driver, "I have the keys — next");
  await fillKeys("WrongSecretKey-0123456789");
  await screenshot(driver, "11-connect-keys");
  await clickButton(driver, "Check the keys");
  const msg = await waitForText(driver, ".dialog .error-note", (t) => t.includes("refused these keys"));
  assert.match(msg, /Details: Authentication failed\./);
  assert.equal(vaultItems(), "", "nothing is in the vault");
});

test("the right keys are checked, stored in the vault and used", async () => {
  await type(driver, "#connect-secret-key", SECRET);
  await clickButton(driver, "Check the keys");
  const report = await waitForText(driver, "#connect-report", (t) => t.includes("The keys work"));
  assert.match(report, /Account 777888 \(Northwind Traders \(demo\)\), 5 domains/);
  await screenshot(driver, "12-connect-verified");
  const store = await driver.findElement(By.xpath("//button[starts-with(normalize-space(.), 'Store the keys in')]"));
  await store.click();
  const acting = await waitForText(driver, "#acting", (t) => t.includes("777888"));
  assert.match(acting, /acting through API admin api-rackdesk on account 777888 — a test server, not Rackspace$/);
  assert.equal((await driver.findElements(By.css("#sandbox-banner"))).length, 0, "no sandbox banner on a real account");
  await waitForText(driver, "#mailbox-count", (t) => t === "24 mailboxes");
  const items = vaultItems();
  assert.match(items, /\/1\/user-key/);
  assert.match(items, /\/1\/secret-key/);
  await clickButton(driver, "Accounts and keys");
  const page = await waitForText(driver, "main", (t) => t.includes("Northwind"));
  assert.ok(!page.includes(SECRET), "the secret key is never shown again");
  assert.match(page, /E2eR…0001/);
  await screenshot(driver, "13-accounts");
});
