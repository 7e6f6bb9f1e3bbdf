// The update manifest script (src-tauri/scripts/update-manifest.mjs), which the release workflow
// and the package test use: platform keys from package names, signatures read from the .sig
// beside each package, and clear refusals of what it cannot describe.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const SCRIPT = new URL("../../src-tauri/scripts/update-manifest.mjs", import.meta.url).pathname;
const run = (...args) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8" });

function packages(names, { sig = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "manifest-"));
  return names.map((n) => {
    writeFileSync(join(dir, n), "package bytes");
    if (sig) writeFileSync(join(dir, `${n}.sig`), `signature of ${n}\n`);
    return join(dir, n);
  });
}

test("each package gets its platform key, its signature and its address", () => {
  const files = packages(["Rackdesk_1.2.0_amd64.deb", "Rackdesk-1.2.0-1.x86_64.rpm", "Rackdesk_1.2.0_x64_en-US.msi", "Rackdesk_1.2.0_x64-setup.exe", "Rackdesk_1.2.0_aarch64.app.tar.gz"]);
  const out = join(mkdtempSync(join(tmpdir(), "manifest-out-")), "latest.json");
  const r = run("--version", "1.2.0", "--notes", "Fixes.", "--base-url", "https://updates.test/r/1.2.0/", "--out", out, ...files);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(m.version, "1.2.0");
  assert.equal(m.notes, "Fixes.");
  assert.match(m.pub_date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(m.platforms).sort(), ["darwin-aarch64", "darwin-aarch64-app", "linux-x86_64-deb", "linux-x86_64-rpm", "windows-x86_64", "windows-x86_64-msi", "windows-x86_64-nsis"]);
  assert.deepEqual(m.platforms["linux-x86_64-deb"], { signature: "signature of Rackdesk_1.2.0_amd64.deb", url: "https://updates.test/r/1.2.0/Rackdesk_1.2.0_amd64.deb" });
  assert.equal(m.platforms["windows-x86_64"].url, m.platforms["windows-x86_64-nsis"].url);
});

test("a package without its signature is refused", () => {
  const r = run("--version", "1.2.0", "--base-url", "https://u.test", "--out", "/dev/null", ...packages(["Rackdesk_1.2.0_amd64.deb"], { sig: false }));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no signature beside it \(Rackdesk_1\.2\.0_amd64\.deb\.sig\)/);
});

test("a file the updater cannot install, or a version that is not one, is refused", () => {
  let r = run("--version", "1.2.0", "--base-url", "https://u.test", "--out", "/dev/null", ...packages(["Rackdesk_1.2.0_amd64.AppImage"]));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not a package the updater installs/);
  r = run("--version", "next", "--base-url", "https://u.test", "--out", "/dev/null", ...packages(["Rackdesk_1.2.0_amd64.deb"]));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is not a version like 1\.2\.3/);
});
