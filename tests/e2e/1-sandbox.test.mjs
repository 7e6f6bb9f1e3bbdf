// The sandbox path, in the real app and the real webview: open, search, create a mailbox,
// reset its password, disable it, add an alias, delete it — checking each change in the
// simulator's state over HTTP. Screenshots of each main screen go to test-artifacts/.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForText, screenshot, skipWelcome, clickButton as clickButtonIn, type as typeIn, By, until } from "./driver.mjs";
import { sandboxGet } from "./sandbox-api.mjs";

const DOMAIN = "contoso-lab.example";
const NEW = `e2e.tester@${DOMAIN}`;
let driver;

before(async () => {
  driver = await openApp();
});
after(async () => {
  await driver?.quit();
});
afterEach(async (t) => {
  // A failed step leaves a picture of the screen for diagnosis.
  if (t.passed === false && driver) await screenshot(driver, `failed-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

async function click(css) {
  const el = await driver.wait(until.elementLocated(By.css(css)), 15000);
  await driver.wait(until.elementIsEnabled(el), 15000);
  await el.click();
}
const clickButton = (text) => clickButtonIn(driver, text);
const type = (css, text) => typeIn(driver, css, text);

test("the first run offers the sandbox or an account, and the sandbox says who is acting", async () => {
  await waitForText(driver, "#dialog-title", (t) => t === "Welcome to Rackdesk");
  await screenshot(driver, "00-welcome");
  await skipWelcome(driver);
  const acting = await waitForText(driver, "#acting", (t) => t.includes("acting through"));
  assert.match(acting, /^You \(.+, super admin\) — acting through API admin api-rackdesk on account 123456$/);
  const banner = await driver.findElement(By.css("#sandbox-banner"));
  assert.equal(await banner.isDisplayed(), true);
  assert.match(await banner.getText(), /Sandbox — practice data, nothing real changes/);
  await waitForText(driver, "#mailbox-count", (t) => t === "24 mailboxes");
  await screenshot(driver, "01-mailboxes");
});

test("search filters the list as you type", async () => {
  await type("#mailbox-search", "amara");
  await waitForText(driver, "#mailbox-count", (t) => t === "1 mailbox of 24");
  await type("#mailbox-search", "");
  await waitForText(driver, "#mailbox-count", (t) => t === "24 mailboxes");
});

test("a new mailbox is created with a password shown once", async () => {
  await clickButton("New mailbox");
  await type("#new-name", "e2e.tester");
  await type("#new-display-name", "E2E Tester");
  await type("#new-size", "2048");
  await screenshot(driver, "02-new-mailbox");
  await clickButton(`Create ${NEW}`);
  const pw = await waitForText(driver, "[data-testid=new-password]", (t) => t.length === 16);
  await screenshot(driver, "03-password-once");
  await clickButton("Done");
  const { status, body } = await sandboxGet(`domains/${DOMAIN}/rs/mailboxes/e2e.tester`);
  assert.equal(status, 200);
  assert.equal(body.displayName, "E2E Tester");
  assert.equal(body.size, 2048);
  assert.equal(body.enabled, true);
  assert.ok(pw.length === 16);
  await waitForText(driver, "#mailbox-count", (t) => t === "25 mailboxes");
});

test("its password is reset and it is disabled", async () => {
  await type("#mailbox-search", "e2e");
  await click(`[data-address="${NEW}"]`);
  await waitForText(driver, "#pane-title", (t) => t === NEW);
  await screenshot(driver, "04-mailbox-detail");
  await clickButton("Reset password…");
  await clickButton(`Reset the password of ${NEW}`);
  const pw = await waitForText(driver, "[data-testid=new-password]", (t) => t.length === 16);
  assert.ok(pw);
  await clickButton("Done");
  await clickButton("Disable…");
  await clickButton(`Disable ${NEW}`);
  await waitForText(driver, "#pane-status", (t) => t.startsWith("Disabled"));
  const { body } = await sandboxGet(`domains/${DOMAIN}/rs/mailboxes/e2e.tester`);
  assert.equal(body.enabled, false);
});

test("an alias is added and shows on the mailbox", async () => {
  await clickButton("Aliases");
  // Let the page finish loading its list first, as a person would.
  await waitForText(driver, ".aliases .toolbar .count", (t) => / alias(es)?$/.test(t));
  await clickButton("New alias");
  await type("#alias-name", "e2e-team");
  await type("#alias-new-members", NEW);
  await clickButton(`Create e2e-team@${DOMAIN}`);
  await waitForText(driver, "#alias-pane-title", (t) => t === `e2e-team@${DOMAIN}`);
  await screenshot(driver, "05-aliases");
  const { status, body } = await sandboxGet(`domains/${DOMAIN}/rs/aliases/e2e-team`);
  assert.equal(status, 200);
  assert.deepEqual(body.emailAddressList.emailAddress, [NEW]);
  await clickButton("Mailboxes");
  await type("#mailbox-search", "e2e");
  await click(`[data-address="${NEW}"]`);
  await waitForText(driver, "#pane-aliases", (t) => t.includes(`e2e-team@${DOMAIN}`));
});

test("the mailbox is deleted only after its address is typed, and taken out of its alias first", async () => {
  await clickButton("Delete…");
  // The alias that delivers only to it is named, and would be left empty, so it goes too.
  await waitForText(driver, "#delete-aliases", (t) => t.includes(`e2e-team@${DOMAIN}`));
  await waitForText(driver, "#delete-emptied", (t) => t.startsWith(`e2e-team@${DOMAIN} would be left with no address`));
  const label = `Delete ${NEW} and update 1 alias`;
  const del = await driver.wait(until.elementLocated(By.xpath(`//button[normalize-space(.)="${label}"]`)), 15000);
  assert.equal(await del.isEnabled(), false, "the delete button waits for the typed address");
  await type("#confirm-address", NEW);
  await screenshot(driver, "06-delete-confirmation");
  await clickButton(label);
  // Reading every alias again before changing them may wait for Rackspace's read budget.
  await waitForText(driver, "#mailbox-count", (t) => t.startsWith("0 mailboxes"), 90000);
  const { status } = await sandboxGet(`domains/${DOMAIN}/rs/mailboxes/e2e.tester`);
  assert.equal(status, 404);
  const alias = await sandboxGet(`domains/${DOMAIN}/rs/aliases/e2e-team`);
  assert.equal(alias.status, 404, "no alias is left pointing at the deleted mailbox");
});

test("the window stays usable at 200% zoom", async () => {
  await type("#mailbox-search", "");
  await waitForText(driver, "#mailbox-count", (t) => t === "24 mailboxes");
  // 200% zoom halves the page's width and height in CSS pixels: a window of half the size
  // lays out exactly the same way.
  const rect = await driver.manage().window().getRect();
  await driver.manage().window().setRect({ width: Math.round(rect.width / 2), height: Math.round(rect.height / 2) });
  await driver.sleep(300);
  const overflow = await driver.executeScript(
    "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
  const button = await driver.findElement(By.xpath("//button[normalize-space(.)='New mailbox']"));
  const r = await button.getRect();
  const width = await driver.executeScript("return document.documentElement.clientWidth");
  await screenshot(driver, "07-zoom-200");
  await driver.manage().window().setRect({ width: rect.width, height: rect.height });
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 200%`);
  assert.ok(r.x + r.width <= width, "the New mailbox button is fully visible at 200%");
});
