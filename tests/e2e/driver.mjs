// Starts the real Rackdesk app through tauri-driver (WebDriver) and helps tests look at it.
import { Builder, By, Key, until } from "selenium-webdriver";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";

const APP = process.env.RACKDESK_APP;
const ARTIFACTS = process.env.RACKDESK_ARTIFACTS ?? "test-artifacts";

/** Starts the app; `vault: false` starts it where the credential vault cannot be reached. */
export async function openApp({ vault = true } = {}) {
  if (!APP) throw new Error("RACKDESK_APP must name the built app binary (tests/run-all.sh sets it)");
  return new Builder()
    .usingServer(vault ? "http://127.0.0.1:4444/" : "http://127.0.0.1:4446/")
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP } })
    .build();
}

export async function textOf(driver, css, timeoutMs = 20000) {
  const el = await driver.wait(until.elementLocated(By.css(css)), timeoutMs);
  return el.getText();
}

/** Waits until the element's text satisfies `pred`; returns the text. */
export async function waitForText(driver, css, pred, timeoutMs = 20000) {
  let last = "";
  await driver.wait(async () => {
    const els = await driver.findElements(By.css(css));
    if (els.length === 0) return false;
    last = await els[0].getText();
    return pred(last);
  }, timeoutMs, `text of ${css} never matched; last seen: ${JSON.stringify(last)}`);
  return last;
}

export async function screenshot(driver, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Let WebKit paint the latest DOM before capturing (two animation frames and a breath).
  await driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 250)));",
  );
  const png = await driver.takeScreenshot();
  writeFileSync(join(ARTIFACTS, `${name}.png`), png, "base64");
}

export { By, Key, until };

/** Clicks a button by its exact visible name. */
export async function clickButton(driver, text, timeoutMs = 15000) {
  const el = await driver.wait(until.elementLocated(By.xpath(`//button[normalize-space(.)=${JSON.stringify(text)}]`)), timeoutMs);
  await driver.wait(until.elementIsEnabled(el), timeoutMs);
  await el.click();
}

/** Replaces a field's text the way a person does (select all, delete, type), so the page's
 * input events fire. */
export async function type(driver, css, text) {
  const el = await driver.wait(until.elementLocated(By.css(css)), 15000);
  await el.click();
  await el.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
  if (text) await el.sendKeys(text);
}

/** Dismisses the first-run welcome by choosing the sandbox, if it is showing. */
export async function skipWelcome(driver) {
  await driver.wait(until.elementLocated(By.css("#acting")), 20000);
  await waitForText(driver, "#acting", (t) => t.includes("acting through"));
  const choice = await driver.findElements(By.xpath("//button[.//strong[normalize-space(.)='Try it in the sandbox']]"));
  if (choice.length) await choice[0].click();
}

/** Process ids of the running app binary (the process tauri-driver started). */
export function appPids() {
  if (!APP) return [];
  try {
    return execFileSync("pgrep", ["-f", `^${APP.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( |$)`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Ends a WebDriver session whose app may already be gone, without waiting forever. */
export async function quitQuietly(driver, timeoutMs = 10000) {
  if (!driver) return;
  await Promise.race([driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, timeoutMs))]);
}

/**
 * Answers the system's (GTK) file dialog titled `title` with `path`: there is no window
 * manager under Xvfb, so the dialog is given the keyboard first; Ctrl+L opens its location
 * field (open dialogs), Ctrl+A selects the name field (save dialogs).
 */
export function answerFileDialog(title, path) {
  const id = execFileSync("sh", ["-c", `xdotool search --sync --onlyvisible --name '${title}' | head -1`], { timeout: 20000 }).toString().trim();
  execFileSync("xdotool", ["windowfocus", "--sync", id]);
  // An open dialog starts on "Recent", where typing searches: go to the home folder first.
  if (title === "Open File") {
    execFileSync("xdotool", ["key", "--window", id, "alt+Home"]);
    execFileSync("sleep", ["0.3"]);
    execFileSync("xdotool", ["key", "--window", id, "ctrl+l"]);
  }
  else execFileSync("xdotool", ["key", "--window", id, "ctrl+a"]);
  execFileSync("xdotool", ["type", "--delay", "20", path]);
  execFileSync("sleep", ["0.3"]);
  execFileSync("xdotool", ["key", "--window", id, "Return"]);
}

/** Chooses a CSV on the Bulk page through the system's open dialog. */
export async function chooseCsv(driver, path) {
  const b = await driver.wait(until.elementLocated(By.css("#bulk-choose")), 15000);
  await driver.wait(until.elementIsEnabled(b), 15000);
  await b.click();
  answerFileDialog("Open File", path);
}

/**
 * Makes the app act through the sandbox, whatever account an earlier test left active (the
 * choice is made through the page: WebKitWebDriver's keys on a select do not always fire its
 * change event). Going to the sandbox asks no question.
 */
export async function actInSandbox(driver) {
  const acting = () => driver.findElement(By.css("#acting")).getText();
  if ((await acting()).endsWith("on account 123456")) return;
  await driver.executeScript(
    "const s = document.getElementById('identity-switch'); s.value = ''; s.dispatchEvent(new Event('change', { bubbles: true }));",
  );
  await waitForText(driver, "#acting", (t) => t.endsWith("on account 123456"));
}
