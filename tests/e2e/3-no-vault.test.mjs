// Where the credential vault cannot be reached, Rackdesk says so and stores nothing.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { openApp, waitForText, screenshot, clickButton, type, skipWelcome } from "./driver.mjs";

let driver;
before(async () => {
  driver = await openApp({ vault: false });
});
after(async () => {
  await driver?.quit();
});

test("connecting without a vault fails closed with a clear message", async () => {
  await skipWelcome(driver);
  await clickButton(driver, "Connect an account…");
  await clickButton(driver, "I have the login — next");
  await clickButton(driver, "I have the keys — next");
  await type(driver, "#connect-account", "123456");
  await type(driver, "#connect-user-key", "E2eSandboxUserKey001");
  await type(driver, "#connect-secret-key", "E2eSandboxSecret-not-real-0001");
  // This app's own sandbox stands in for Rackspace: the keys are right, only the vault is missing.
  await driver.findElement({ css: "details summary" }).click();
  await type(driver, "#connect-api-url", "http://127.0.0.1:18809/v1");
  await clickButton(driver, "Check the keys");
  await waitForText(driver, "#connect-report", (t) => t.includes("The keys work"));
  // Not Rackspace's address: stored only once the person says it is a test server.
  await driver.findElement({ xpath: "//button[starts-with(normalize-space(.), 'Store the keys in')]" }).click();
  await waitForText(driver, ".dialog .error-note", (t) => t.includes("test server"));
  await driver.findElement({ css: "#connect-test-server" }).click();
  await driver.findElement({ xpath: "//button[starts-with(normalize-space(.), 'Store the keys in')]" }).click();
  const msg = await waitForText(driver, ".dialog .error-note", (t) => t.includes("credential vault"));
  assert.match(msg, /will not store or use API keys/);
  await screenshot(driver, "20-no-vault");
});
