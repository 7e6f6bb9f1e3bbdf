// "Find a person" across every domain, from the local index, in the real webview: the first
// search reads the sandbox account once (progress shown), later ones answer from the index;
// a whole task is done without the mouse: find someone, reset their password, copy it.
import { test, after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { openApp, waitForText, screenshot, skipWelcome, actInSandbox, quitQuietly, By, Key } from "./driver.mjs";
import { sandboxGet, SANDBOX } from "./sandbox-api.mjs";

let driver;
before(async () => {
  driver = await openApp();
});
after(async () => {
  await quitQuietly(driver);
});
afterEach(async (t) => {
  if (t.passed === false && driver) await screenshot(driver, `failed-8-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
});

function clipboard() {
  try {
    return execFileSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}
let presses = 0;
async function press(...keys) {
  for (const k of keys) {
    await driver.actions({ async: true }).sendKeys(k).perform();
    presses += 1;
  }
}
async function chord(modifier, key) {
  await driver.actions({ async: true }).keyDown(modifier).sendKeys(key).keyUp(modifier).perform();
  presses += 1;
}
async function typeText(text) {
  await driver.actions({ async: true }).sendKeys(text).perform();
  presses += text.length;
}
const focused = () =>
  driver.executeScript(
    "const a = document.activeElement; return { text: (a.innerText || a.value || '').trim(), id: a.id, inDialog: !!a.closest('[role=dialog]') };",
  );
async function waitFocus(pred, what, timeoutMs = 30000) {
  let last;
  await driver.wait(async () => pred((last = await focused())), timeoutMs).catch(() => {
    throw new Error(`focus never reached ${what}; it is on ${JSON.stringify(last)}`);
  });
  return last;
}

// Someone in a domain the page is not showing: the demo's smallest Rackspace Email domain.
const DOMAIN = "contoso-lab.example";
let person;

test("the first search reads the account once, then finds people in any domain", async () => {
  await skipWelcome(driver);
  await actInSandbox(driver);
  const { status, body } = await sandboxGet(`domains/${DOMAIN}/rs/mailboxes?size=50`);
  assert.equal(status, 200);
  person = body.rsMailboxes.find((m) => m.displayName && m.displayName.includes(" "));
  assert.ok(person, "a person with a display name");
  person.address = `${person.name}@${DOMAIN}`;
  await driver.findElement(By.css("#find")).click();
  await driver.findElement(By.css("#find")).sendKeys(person.displayName);
  // The index is filled in the background first; the status says so, then the results come.
  await waitForText(driver, "#find-status", (t) => t.startsWith("Searching ") && t.includes("as of"), 120000);
  await driver.wait(async () => (await driver.findElements(By.css(`#find-results [data-address="${person.address}"]`))).length === 1, 30000);
  await screenshot(driver, "80-find-results");
  const status2 = await driver.findElement(By.css("#find-status")).getText();
  assert.match(status2, /^Searching [\d,]+ people and groups, as of less than a minute ago$/);
  // Clear the box for the next test.
  await driver.executeScript("const f = document.getElementById('find'); f.blur();");
});

test("a whole task without the mouse: find a person, reset their password, copy it", async () => {
  await driver.executeScript("document.activeElement && document.activeElement.blur()");
  presses = 0;
  await chord(Key.CONTROL, "k");
  await waitFocus((f) => f.id === "find", "the find box");
  // Select what an earlier search left, and type over it.
  await chord(Key.CONTROL, "a");
  await typeText(person.displayName);
  // The answer to the last keystroke: the results have stopped changing (an earlier
  // keystroke's answer may show first) and hold the person.
  const shown = () => driver.executeScript("return [...document.querySelectorAll('#find-results [role=option]')].map((o) => o.dataset.address).join(' ')");
  let at = -1;
  await driver.wait(async () => {
    const before = await shown();
    await driver.sleep(300);
    const now = await shown();
    at = now.split(" ").indexOf(person.address);
    return before === now && at >= 0;
  }, 30000);
  for (let i = 0; i < at; i++) await press(Key.ARROW_DOWN);
  assert.equal(await driver.findElement(By.css("#find")).getAttribute("aria-activedescendant"), `find-option-${at}`, "the active result is announced");
  await press(Key.ENTER);
  // The person's mailbox opens in its own domain, its details beside the list.
  await waitForText(driver, "#pane-title", (t) => t === person.address, 60000);
  assert.equal(await driver.findElement(By.css("#domain")).getAttribute("value"), DOMAIN);
  await waitFocus((f) => f.text === "Reset password…", "the pane's Reset password… button", 60000);
  await press(Key.ENTER);
  await waitFocus((f) => f.inDialog && f.text === `Reset the password of ${person.address}`, "the dialog's confirm button");
  await press(Key.ENTER);
  await waitFocus((f) => f.inDialog && f.text === "Copy", "the Copy button next to the new password");
  const pw = await driver.findElement(By.css("[data-testid=new-password]")).getText();
  await press(Key.ENTER);
  await waitForText(driver, "#copy-state", (t) => t.includes("clears the clipboard in 30 seconds"));
  assert.equal(clipboard(), pw, "the new password is on the clipboard");
  console.log(`keyboard-only: find, reset and copy in ${presses} key presses (${person.displayName.length} of them typing the name)`);
  await screenshot(driver, "81-find-reset-copied");
  await press(Key.ESCAPE);
  // The list beside it came from the index: it says how fresh it is.
  await waitForText(driver, "#mailbox-count", (t) => /as of/.test(t));
});

test("the aliases of a domain open from the index too, saying how fresh it is", async () => {
  const { status, body } = await sandboxGet(`domains/${DOMAIN}/rs/aliases?size=250`);
  assert.equal(status, 200);
  const total = body.total ?? body.aliases.length;
  assert.ok(total > 0, "the demo domain has aliases");
  await driver.findElement(By.xpath("//nav//button[normalize-space(.)='Aliases']")).click();
  const count = await waitForText(driver, "#aliases-count", (t) => /as of/.test(t), 30000);
  assert.match(count, new RegExp(`^${total} alias(es)? — as of `), "the index holds every alias Rackspace lists");
  await screenshot(driver, "84-aliases-from-index");
  await driver.findElement(By.xpath("//nav//button[normalize-space(.)='Mailboxes']")).click();
});

test("the results are readable in a small window", async () => {
  await driver.manage().window().setRect({ width: 800, height: 600 });
  await driver.wait(async () => (await driver.executeScript("return window.innerWidth")) <= 800, 5000);
  const find = await driver.findElement(By.css("#find"));
  await find.click();
  await driver.executeScript("const f = document.getElementById('find'); f.select();");
  await find.sendKeys(person.displayName.split(" ")[0]);
  await driver.wait(async () => (await driver.findElements(By.css("#find-results [role=option]"))).length > 0, 30000);
  await screenshot(driver, "82-find-results-800x600");
  // Every result's name and address are shown whole, inside the window.
  const clipped = await driver.executeScript(`
    return [...document.querySelectorAll('#find-results [role=option] .dn, #find-results [role=option] .addr')]
      .filter((e) => { const r = e.getBoundingClientRect(); return e.scrollWidth > e.clientWidth + 1 || r.right > window.innerWidth || r.left < 0; }).map((e) => e.textContent);`);
  assert.deepEqual(clipped, []);
});

test("Help → Copy diagnostics puts a redacted report on the clipboard, ready for a support ticket", async () => {
  await driver.manage().window().setRect({ width: 1100, height: 720 });
  await driver.findElement(By.css("#help-button")).click();
  await driver.findElement(By.xpath("//*[@id='help-items']//button[normalize-space(.)='Copy diagnostics']")).click();
  const said = await waitForText(driver, ".statusbar", (t) => t.includes("diagnostics"), 60000);
  const text = said.startsWith("Copied") ? clipboard() : await driver.findElement(By.css("#diagnostics-text")).getAttribute("textContent");
  assert.match(text, /Rackdesk/);
  assert.ok(!text.includes(SANDBOX.secretKey), "no secret key in the diagnostics");
  await screenshot(driver, "83-help-diagnostics");
});
