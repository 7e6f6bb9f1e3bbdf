// Starts the real Rackdesk app through tauri-driver (WebDriver) and helps tests look at it.
import { Builder, By, Key, until } from "selenium-webdriver";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const APP = process.env.RACKDESK_APP;
const ARTIFACTS = process.env.RACKDESK_ARTIFACTS ?? "test-artifacts";

export async function openApp() {
  if (!APP) throw new Error("RACKDESK_APP must name the built app binary (tests/run-all.sh sets it)");
  return new Builder()
    .usingServer("http://127.0.0.1:4444/")
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
