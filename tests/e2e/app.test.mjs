import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForText, screenshot, By } from "./driver.mjs";

let driver;
before(async () => {
  driver = await openApp();
});
after(async () => {
  await driver?.quit();
});

test("the app opens on the sandbox and lists the demo domains", async () => {
  const status = await waitForText(driver, "#status", (t) => t.includes("domains"));
  assert.match(status, /^Rackdesk \d+\.\d+\.\d+ — 3 domains$/);
  const banner = await driver.findElement(By.css("#sandbox-banner"));
  assert.equal(await banner.isDisplayed(), true);
  assert.match(await banner.getText(), /Sandbox — practice data, nothing real changes/);
  const items = await driver.findElements(By.css("#domains li"));
  const texts = await Promise.all(items.map((li) => li.getText()));
  assert.deepEqual(texts, [
    "contoso-lab.example: 24 mailboxes",
    "fabrikam.example: 110 mailboxes",
    "northwind.example: 260 mailboxes",
  ]);
  await screenshot(driver, "sandbox-home");
});
