#!/usr/bin/env node
// Writes the update manifest (latest.json) that installed copies of Rackdesk read to find a new
// version: for each platform, the package's address and the signature the Tauri CLI made beside
// it (FILE.sig). Used by the release workflow and by the update test (tests/package.sh).
//
//   node src-tauri/scripts/update-manifest.mjs --version 1.2.0 --notes notes.md|"text" \
//        --base-url https://example.invalid/releases/1.2.0 --out latest.json PACKAGE...
//
// Each package's platform key ({os}-{arch}-{installer}, as the updater plugin looks them up)
// comes from its file name. Node built-ins only: it runs before any `npm ci`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

function fail(message) {
  console.error(`update-manifest: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const opts = {};
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a.startsWith("--")) {
    if (i + 1 >= args.length) fail(`${a} needs a value`);
    opts[a.slice(2)] = args[++i];
  } else files.push(a);
}
for (const k of ["version", "base-url", "out"]) if (!opts[k]) fail(`--${k} is required`);
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(opts.version)) fail(`--version ${opts.version} is not a version like 1.2.3`);
if (files.length === 0) fail("name at least one package (each with its .sig beside it)");
const notes = opts.notes && existsSync(opts.notes) ? readFileSync(opts.notes, "utf8").trim() : (opts.notes ?? "");

/** The platform keys a package serves, from its file name. */
export function platformsOf(name) {
  const arch = /(_|\.|-)(aarch64|arm64)(_|\.|-)/.test(name) ? "aarch64" : /(_|\.|-)(x86_64|amd64|x64)(_|\.|-)/.test(name) ? "x86_64" : null;
  if (!arch) return [];
  if (name.endsWith(".deb")) return [`linux-${arch}-deb`];
  if (name.endsWith(".rpm")) return [`linux-${arch}-rpm`];
  if (name.endsWith(".msi")) return [`windows-${arch}-msi`];
  if (name.endsWith("-setup.exe")) return [`windows-${arch}-nsis`, `windows-${arch}`];
  if (name.endsWith(".app.tar.gz")) return [`darwin-${arch}-app`, `darwin-${arch}`];
  return [];
}

const base = opts["base-url"].replace(/\/+$/, "");
const platforms = {};
for (const file of files) {
  const name = basename(file);
  const keys = platformsOf(name);
  if (keys.length === 0) fail(`${name}: not a package the updater installs (.deb, .rpm, .msi, -setup.exe, .app.tar.gz with its architecture in the name)`);
  if (!existsSync(`${file}.sig`)) fail(`${name}: no signature beside it (${name}.sig); build with TAURI_SIGNING_PRIVATE_KEY set`);
  const signature = readFileSync(`${file}.sig`, "utf8").trim();
  for (const key of keys) {
    if (platforms[key]) fail(`${name}: a second package for ${key}`);
    platforms[key] = { signature, url: `${base}/${encodeURIComponent(name)}` };
  }
}
const manifest = { version: opts.version, notes, pub_date: new Date().toISOString().replace(/\.\d+Z$/, "Z"), platforms };
writeFileSync(opts.out, JSON.stringify(manifest, null, 2) + "\n");
console.log(`update-manifest: ${opts.out} lists ${Object.keys(platforms).sort().join(", ")} for ${opts.version}`);
