// Signed self-update of the INSTALLED app (tests/package.sh installs the older .deb first):
// a local static server offers the newer version; a tampered package is refused with a plain
// message and the installed version keeps working; the genuine one is verified and installed by
// the system's package manager; the new version then runs and finds nothing newer.
// Needs RACKDESK_UPDATE_FILES (folders good/ and tampered/, each with latest.json and the
// package), RACKDESK_UPDATE_PORT, RACKDESK_OLD_VERSION and RACKDESK_NEW_VERSION.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { execFileSync } from "node:child_process";
import { openApp, waitForText, screenshot, skipWelcome, clickButton, quitQuietly, By, until } from "../driver.mjs";

const FILES = process.env.RACKDESK_UPDATE_FILES;
const PORT = Number(process.env.RACKDESK_UPDATE_PORT ?? 18870);
const OLD = process.env.RACKDESK_OLD_VERSION;
const NEW = process.env.RACKDESK_NEW_VERSION;
let offer = "tampered";
let served = [];
let server;
let driver;

/** Help → Check for updates…, as a person chooses it. */
async function checkForUpdates() {
  await driver.findElement(By.css("#help-button")).click();
  await driver.wait(until.elementLocated(By.css("#help-check-updates")), 10000).click();
}

const installed = () => execFileSync("dpkg-query", ["-W", "-f=${Version}", "rackdesk"], { encoding: "utf8" }).trim();

before(async () => {
  assert.ok(FILES && OLD && NEW, "tests/package.sh sets RACKDESK_UPDATE_FILES, RACKDESK_OLD_VERSION and RACKDESK_NEW_VERSION");
  // /latest.json and /files/NAME, from the folder of the offer being made.
  server = createServer((req, res) => {
    const path = req.url === "/latest.json" ? join(FILES, offer, "latest.json") : req.url.startsWith("/files/") ? join(FILES, offer, basename(decodeURIComponent(req.url.slice(7)))) : null;
    served.push(`${offer} ${req.url}`);
    if (!path || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(path);
    res.writeHead(200, { "content-type": path.endsWith(".json") ? "application/json" : "application/octet-stream", "content-length": body.length }).end(body);
  });
  await new Promise((r) => server.listen(PORT, "127.0.0.1", r));
  assert.equal(installed(), OLD, "the older version is installed before the test");
});
after(async () => {
  await quitQuietly(driver);
  server?.close();
});
afterEach(async (t) => {
  if (t.passed === false && driver) await screenshot(driver, `failed-update-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

test("the installed version finds the newer one at start and shows what is new", async () => {
  driver = await openApp();
  await skipWelcome(driver);
  const banner = await waitForText(driver, "#update-banner", (t) => t.includes("is available"), 30000);
  assert.match(banner, new RegExp(`Rackdesk ${NEW.replaceAll(".", "\\.")} is available \\(you have ${OLD.replaceAll(".", "\\.")}\\)`));
  await clickButton(driver, "What's new…");
  const notes = await waitForText(driver, "#update-notes", (t) => t.length > 0);
  assert.match(notes, /test release/i);
  await screenshot(driver, "update-1-available");
  // In a small window the dialog still shows its buttons (it scrolls inside).
  await driver.manage().window().setRect({ width: 800, height: 600 });
  await driver.wait(async () => (await driver.executeScript("return window.innerWidth")) <= 800, 5000);
  const install = await driver.findElement(By.xpath(`//button[normalize-space(.)="Install Rackdesk ${NEW}"]`));
  assert.equal(await install.isDisplayed(), true);
  await screenshot(driver, "update-1-available-800x600");
  await driver.manage().window().setRect({ width: 1100, height: 720 });
});

test("a tampered package is refused, nothing is installed, and the app keeps working", async () => {
  await clickButton(driver, `Install Rackdesk ${NEW}`);
  const failed = await waitForText(driver, "#update-failed", (t) => t.length > 0, 120000);
  assert.match(failed, /not signed with Rackdesk's key, so it was not installed/);
  assert.match(failed, new RegExp(`Rackdesk ${OLD.replaceAll(".", "\\.")} is still installed`));
  assert.ok(served.some((s) => s.startsWith("tampered /files/")), `the tampered package was downloaded: ${served.join(", ")}`);
  await screenshot(driver, "update-2-tampered-refused");
  assert.equal(installed(), OLD, "the package manager still has the older version");
  await clickButton(driver, "Close");
  // Still working: the sandbox's mailbox list is there and answers a search.
  await waitForText(driver, "#mailbox-list", (t) => t.includes("@contoso-lab.example"), 30000);
  const acting = await waitForText(driver, "#acting", (t) => t.includes("acting through"));
  assert.match(acting, /on account 123456/);
});

test("the genuine package is verified and installed after the person agrees", async () => {
  offer = "good";
  await checkForUpdates();
  await waitForText(driver, "#update-available", (t) => t.includes(NEW), 30000);
  assert.equal(installed(), OLD, "nothing is installed before the person says so");
  await clickButton(driver, `Install Rackdesk ${NEW}`);
  const done = await waitForText(driver, "#update-installed, #update-failed", (t) => t.length > 0, 240000);
  assert.match(done, new RegExp(`Rackdesk ${NEW.replaceAll(".", "\\.")} is installed`));
  await screenshot(driver, "update-3-installed");
  assert.equal(installed(), NEW, "the package manager now has the newer version");
  await quitQuietly(driver);
  driver = null;
});

test("the new version runs and finds nothing newer", async () => {
  driver = await openApp();
  await skipWelcome(driver);
  await checkForUpdates();
  const latest = await waitForText(driver, "#update-latest", (t) => t.length > 0, 30000);
  assert.equal(latest, `You have the latest version of Rackdesk, ${NEW}.`);
  await screenshot(driver, "update-4-latest");
});
