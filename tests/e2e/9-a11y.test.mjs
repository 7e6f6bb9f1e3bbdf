// An accessibility audit with axe-core in the real webview: every main screen and dialog, in
// the light and the dark theme. Fails on any serious or critical violation; the full report
// is saved beside the screenshots (test-artifacts/axe-report.json).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { openApp, screenshot, clickButton, skipWelcome, actInSandbox, quitQuietly, waitForText, By, Key, until } from "./driver.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const ARTIFACTS = process.env.RACKDESK_ARTIFACTS ?? "test-artifacts";
const report = [];
let driver;

before(async () => {
  driver = await openApp();
  await skipWelcome(driver);
  await actInSandbox(driver);
});
after(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(`${ARTIFACTS}/axe-report.json`, JSON.stringify(report, null, 2));
  await quitQuietly(driver);
});

/** The dark theme as the system would ask for it: the stylesheet's dark rules, applied. */
async function theme(dark) {
  await driver.executeScript(`
    document.getElementById('force-dark')?.remove();
    document.documentElement.style.colorScheme = '';
    if (${dark}) {
      const rules = [];
      for (const sheet of document.styleSheets)
        for (const r of sheet.cssRules)
          if (r.media && /prefers-color-scheme:\\s*dark/.test(r.media.mediaText)) for (const inner of r.cssRules) rules.push(inner.cssText);
      const st = document.createElement('style');
      st.id = 'force-dark';
      st.textContent = rules.join('\\n');
      document.head.appendChild(st);
      document.documentElement.style.colorScheme = 'dark';
    }`);
}

/** Runs axe on the page as it is; records every violation; answers the serious ones. */
async function audit(screen, dark) {
  await driver.executeScript(`if (!window.axe) { ${AXE}\n }`);
  const result = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    window.axe.run(document, { resultTypes: ['violations'] }).then(
      (r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) }))),
      (e) => done({ error: String(e) }),
    );`);
  assert.ok(Array.isArray(result), `axe failed on ${screen}: ${JSON.stringify(result)}`);
  report.push({ screen, theme: dark ? "dark" : "light", violations: result });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function esc() {
  await driver.actions({ async: true }).sendKeys(Key.ESCAPE).perform();
}
async function chooseDomain(name) {
  await driver.executeScript(
    `const s = document.getElementById('domain'); s.value = ${JSON.stringify(name)}; s.dispatchEvent(new Event('change', { bubbles: true }));`,
  );
}

// Each screen: how to get there, and how to leave it (dialogs close).
const screens = [
  ["mailboxes", async () => { await clickButton(driver, "Mailboxes"); await waitForText(driver, "#mailbox-count", (t) => / mailbox/.test(t), 60000); }],
  ["mailbox details", async () => { await driver.wait(until.elementLocated(By.css("#mailbox-list [role=option]")), 60000).click(); await waitForText(driver, "#pane-title", (t) => t.includes("@"), 60000); }],
  ["new mailbox dialog", async () => { await clickButton(driver, "New mailbox"); await driver.wait(until.elementLocated(By.css("[role=dialog]")), 15000); }, esc],
  ["aliases", async () => { await clickButton(driver, "Aliases"); await driver.sleep(1500); }],
  ["find results", async () => { const f = await driver.findElement(By.css("#find")); await f.click(); await f.sendKeys("an"); await driver.wait(until.elementLocated(By.css("#find-results")), 60000); await driver.sleep(500); }, async () => { await driver.executeScript("document.getElementById('find').blur()"); await driver.sleep(300); }],
  ["exchange mailboxes", async () => { await clickButton(driver, "Mailboxes"); await chooseDomain("adatum.example"); await waitForText(driver, "#mailbox-count", (t) => / mailbox/.test(t), 60000); }],
  ["contacts", async () => { await clickButton(driver, "Contacts"); await driver.sleep(2000); }],
  ["distribution lists", async () => { await clickButton(driver, "Distribution lists"); await driver.sleep(2000); }],
  ["bulk changes", async () => { await clickButton(driver, "Bulk changes"); await driver.sleep(500); }],
  ["journal", async () => { await clickButton(driver, "Journal"); await driver.sleep(1000); }],
  ["accounts and keys", async () => { await clickButton(driver, "Accounts and keys"); await driver.sleep(500); }],
  ["roles", async () => { await clickButton(driver, "Roles"); await driver.sleep(500); }],
  ["connect wizard", async () => { await clickButton(driver, "Connect an account…"); await driver.wait(until.elementLocated(By.css("[role=dialog]")), 15000); }, esc],
];

for (const dark of [false, true]) {
  test(`every screen in the ${dark ? "dark" : "light"} theme has no serious or critical accessibility violation`, async () => {
    await theme(dark);
    const serious = [];
    for (const [name, go, leave] of screens) {
      await go();
      await theme(dark);
      const found = await audit(name, dark);
      if (found.length) {
        await screenshot(driver, `90-a11y-${dark ? "dark" : "light"}-${name.replace(/ /g, "-")}`);
        serious.push(...found.map((v) => `${name}: ${v.id} (${v.impact}) — ${v.help}: ${v.nodes.map((n) => n.target).join(", ")}`));
      }
      if (leave) await leave();
    }
    await screenshot(driver, `91-a11y-${dark ? "dark" : "light"}-last-screen`);
    assert.deepEqual(serious, [], serious.join("\n"));
  });
}
