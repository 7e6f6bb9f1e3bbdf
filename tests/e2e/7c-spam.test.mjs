// Spam protection in the real webview, in the sandbox: a domain's page (settings in words,
// block a sender, "why did this land in spam?"), a mailbox's safe senders, and the help desk
// allowed and refused as the allow-list says — each change checked in the simulator.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForText, screenshot, clickButton, skipWelcome, actInSandbox, quitQuietly, By, Key, until } from "./driver.mjs";
import { sandboxGet } from "./sandbox-api.mjs";

const DOMAIN = "fabrikam.example";
const PASS = "e2e desk passphrase"; // the same as the other files: whichever sets it first, the others switch back with it
let driver;
before(async () => {
  driver = await openApp();
});
after(async () => {
  await quitQuietly(driver);
});
afterEach(async (t) => {
  if (t.passed === false && driver) await screenshot(driver, `failed-7c-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

async function chooseDomain(name) {
  await driver.executeScript(
    `const s = document.getElementById('domain'); s.value = ${JSON.stringify(name)}; s.dispatchEvent(new Event('change', { bubbles: true }));`,
  );
}
async function typeInto(css, text) {
  const el = await driver.wait(until.elementLocated(By.css(css)), 30000);
  await el.clear();
  await el.sendKeys(text);
}

test("a domain's spam protection in words, a blocked sender added and explained", async () => {
  await skipWelcome(driver);
  await actInSandbox(driver);
  await clickButton(driver, "Spam protection");
  await chooseDomain(DOMAIN);
  await waitForText(driver, "#spam-settings-title", (t) => t === `Settings of the domain ${DOMAIN}`, 60000);
  const words = await driver.findElement(By.css(".spam-lines")).getText();
  assert.match(words, /Spam filter/i, words);
  await screenshot(driver, "100-spam-domain");
  await typeInto("#spam-add-block", "spam-king.example");
  await waitForText(driver, "#spam-add-block-check", (t) => t.includes("@spam-king.example") && t.includes("blocked senders"));
  await clickButton(driver, "Add to the blocked senders");
  await driver.wait(until.elementLocated(By.css(`#spam-list-block [data-entry="@spam-king.example"]`)), 30000);
  const { status, body } = await sandboxGet(`domains/${DOMAIN}/spam/blocklist`);
  assert.equal(status, 200);
  assert.ok(body.addresses.map((a) => a.toLowerCase()).includes("@spam-king.example"), JSON.stringify(body));
  // An entry that cannot be one is refused as it is typed.
  await typeInto("#spam-add-safe", "not an entry");
  await waitForText(driver, "#spam-add-safe-check", (t) => t.length > 10);
  assert.equal(await driver.findElement(By.css("#spam-add-safe-check")).getAttribute("class"), "field-error");
  // Why: mail from that domain is blocked, and the answer names the entry.
  await typeInto("#spam-why-sender", "offers@spam-king.example");
  await clickButton(driver, "Explain");
  const verdict = await waitForText(driver, "#spam-verdict", (t) => t.includes("@spam-king.example"), 30000);
  assert.equal(await driver.findElement(By.css("#spam-verdict")).getAttribute("class"), "verdict verdict-blocked", verdict);
  await screenshot(driver, "101-spam-why");
});

let mailbox;
test("a mailbox's safe senders, from its details", async () => {
  await clickButton(driver, "Mailboxes");
  const row = await driver.wait(until.elementLocated(By.css("#mailbox-list [role=option]")), 60000);
  mailbox = await row.getAttribute("data-address");
  await row.click();
  await waitForText(driver, "#pane-title", (t) => t === mailbox, 60000);
  await clickButton(driver, "Spam protection…");
  await waitForText(driver, "#spam-settings-title", (t) => t.includes(mailbox), 60000);
  await typeInto("#spam-add-safe", "boss@partner.example");
  await waitForText(driver, "#spam-add-safe-check", (t) => t.includes("safe senders"));
  await clickButton(driver, "Add to the safe senders");
  await waitForText(driver, ".spam-said", (t) => t.startsWith("Added boss@partner.example"), 120000);
  const name = mailbox.split("@")[0];
  const { body } = await sandboxGet(`domains/${DOMAIN}/rs/mailboxes/${name}/spam/safelist`);
  assert.ok(body.addresses.includes("boss@partner.example"), JSON.stringify(body));
  // Exclusive: only the safe senders' mail gets through.
  await driver.findElement(By.css('.dialog input[name="spam-level"][value="exclusive"]')).click();
  await clickButton(driver, "Save spam settings");
  await waitForText(driver, ".spam-said", (t) => t.startsWith("Saved the spam settings"), 120000);
  const settings = await sandboxGet(`domains/${DOMAIN}/rs/mailboxes/${name}/spam/settings`);
  assert.equal(settings.body.filterLevel, "exclusive", JSON.stringify(settings.body));
  await screenshot(driver, "102-spam-mailbox");
  await driver.actions({ async: true }).sendKeys(Key.ESCAPE).perform();
});

// By now the tests have spent much of the minute's read budget: pages may wait for it.
test("the help desk may add a mailbox's safe senders, and nothing else, with the reason in words", async () => {
  await clickButton(driver, "Roles");
  const setPass = await driver.findElements(By.xpath("//button[normalize-space(.)='Set the super-admin passphrase…']"));
  if (setPass.length) {
    await setPass[0].click();
    const fields = await driver.findElements(By.css(".dialog input[type=password]"));
    await fields[0].sendKeys(PASS);
    await fields[1].sendKeys(PASS);
    await clickButton(driver, "Save the passphrase");
  }
  await clickButton(driver, "Switch to help desk");
  await waitForText(driver, "#current-role", (t) => t === "help desk");
  await clickButton(driver, "Spam protection");
  await waitForText(driver, "#spam-settings-title", (t) => t.includes(DOMAIN), 120000);
  assert.match(await driver.findElement(By.css("#spam-settings-refusal")).getText(), /^As help desk you cannot/);
  assert.match(await driver.findElement(By.css("#spam-add-block-refusal")).getText(), /^As help desk you cannot/);
  await clickButton(driver, "Mailboxes");
  await driver.wait(until.elementLocated(By.css(`[data-address="${mailbox}"]`)), 120000).click();
  await clickButton(driver, "Spam protection…");
  await waitForText(driver, "#spam-settings-title", (t) => t.includes(mailbox), 120000);
  await typeInto("#spam-add-safe", "@supplier.example");
  await waitForText(driver, "#spam-add-safe-check", (t) => t.includes("safe senders"));
  await clickButton(driver, "Add to the safe senders");
  await waitForText(driver, ".spam-said", (t) => t.startsWith("Added @supplier.example"), 120000);
  assert.ok((await driver.findElements(By.css("#spam-add-block-refusal"))).length === 1, "blocking is refused for the help desk");
  await screenshot(driver, "103-spam-help-desk");
  await driver.actions({ async: true }).sendKeys(Key.ESCAPE).perform();
  await clickButton(driver, "Roles");
  await clickButton(driver, "Switch to super admin…");
  await driver.findElement(By.css(".dialog input[type=password]")).sendKeys(PASS);
  await clickButton(driver, "Switch to super admin");
  await waitForText(driver, "#current-role", (t) => t === "super admin");
});
