#!/usr/bin/env bash
# Benchmarks in the real webview (issue #14): prints each figure against its target, with ✓/✗
# and, for a miss, one line on why. Asserts nothing (exit 0 unless something could not run).
#
#   tests/bench/webview.sh [--no-build]
#
# Builds in release (the UI, Rackdesk, a bare Tauri app as the yardstick and the large account's
# preparer, tests/bench/{bare-app,prep}), then, on its own virtual display (Xvfb) in its own
# D-Bus session with an unlocked gnome-keyring and its own XDG folders:
#   (c) cold start: launch → first interactive screen, median of RUNS launches each of the bare
#       app (its one screen) and of Rackdesk (the sandbox's mailbox list, 400-mailbox demo data);
#   (a) Rackdesk opening on an account of 50,000 mailboxes already indexed (an identity for a
#       local simulator, its index filled beforehand): launch → first interactive list;
#   (d) memory: PSS of the app and all its child processes (WebKitWebProcess,
#       WebKitNetworkProcess, ...) 2 s after the screen is shown, (a)'s app against the bare app;
#   (b) "Find a person" over those 50,000: real keystrokes (xdotool, 150 ms apart) into the box,
#       keydown → results in the page and → the next frame, per keystroke;
#   (e) the release binary's size, and the .deb's when one was built.
# Times come from the app's benchmark probe (RACKDESK_BENCH=1, src-tauri/src/bench.rs and
# ui/src/bench.ts): "launch" is a wall-clock stamp the script takes just before executing the app.
#
# Environment: RACKDESK_BENCH_RUNS (default 7), RACKDESK_BENCH_MAILBOXES (default 50000),
# CARGO_TARGET_DIR, RACKDESK_BUILD_LOCK (a file: cargo runs under `flock` on it, for shared
# build machines), RACKDESK_BENCH_KEEP=1 (keep the raw reports and logs).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
RUNS="${RACKDESK_BENCH_RUNS:-7}"
MAILBOXES="${RACKDESK_BENCH_MAILBOXES:-50000}"

if [ "${1:-}" != "--inside" ]; then
  # shellcheck source=../../src-tauri/scripts/setup.sh
  source "$ROOT/src-tauri/scripts/setup.sh"
  set +e
  install_apt "${BUILD_PKGS[@]}" xvfb xauth xdotool dbus-x11 gnome-keyring fonts-dejavu-core at-spi2-core
  if [ "${1:-}" != "--no-build" ]; then
    install_rust
    install_node
    build_ui || exit 1
    cargo_() { if [ -n "${RACKDESK_BUILD_LOCK:-}" ]; then flock "$RACKDESK_BUILD_LOCK" cargo "$@"; else cargo "$@"; fi; }
    say "Building Rackdesk (release)"
    (cd "$ROOT" && cargo_ build --release --quiet -p rackdesk --bin rackdesk-app) || exit 1
    say "Building the bare Tauri app and the large account's preparer (release)"
    (cd "$ROOT" && cargo_ build --release --quiet -p rackdesk-bench-bare -p rackdesk-bench-prep) || exit 1
  fi
  for b in rackdesk-app rackdesk-bench-bare rackdesk-bench-prep; do
    [ -x "$TARGET/release/$b" ] || { echo "missing $TARGET/release/$b (run without --no-build)" >&2; exit 1; }
  done
  # Our own D-Bus session and an unlocked keyring (identities keep their keys in the vault),
  # the keyring's files in our own folder.
  RACKDESK_BENCH_WORK="$(mktemp -d)"
  mkdir -p "$RACKDESK_BENCH_WORK/keyring/data" "$RACKDESK_BENCH_WORK/keyring/runtime"
  chmod 700 "$RACKDESK_BENCH_WORK/keyring/runtime"
  export RACKDESK_BENCH_WORK XDG_DATA_HOME="$RACKDESK_BENCH_WORK/keyring/data" XDG_RUNTIME_DIR="$RACKDESK_BENCH_WORK/keyring/runtime"
  exec dbus-run-session -- sh -c 'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec bash "$0" --inside' "${BASH_SOURCE[0]}"
fi

# ---- Inside the private session ----
WORK="$RACKDESK_BENCH_WORK"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${RACKDESK_BENCH_KEEP:-}" ]; then echo "raw reports and logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

display=90
while [ -e "/tmp/.X${display}-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"
for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
sleep 0.3

APP="$TARGET/release/rackdesk-app"
BARE="$TARGET/release/rackdesk-bench-bare"
PREP="$TARGET/release/rackdesk-bench-prep"

# Separate folders (settings, data, caches, webview storage) for each kind of run.
use_home() {
  local h="$WORK/$1"
  mkdir -p "$h"/{data,config,cache,state,runtime,tmp}
  chmod 700 "$h/runtime"
  export XDG_DATA_HOME="$h/data" XDG_CONFIG_HOME="$h/config" XDG_CACHE_HOME="$h/cache" XDG_STATE_HOME="$h/state"
  export XDG_RUNTIME_DIR="$h/runtime" TMPDIR="$h/tmp"
  unset RACKDESK_CONFIG_DIR RACKDESK_SANDBOX_DATA
}

# Every process started by $1, at any depth.
descendants() {
  local kids k
  kids="$(cat /proc/"$1"/task/*/children 2>/dev/null)"
  for k in $kids; do echo "$k"; descendants "$k"; done
}
# PSS of a process and all its descendants, in kB; their names to $WORK/pss-names.
pss_tree() {
  local total=0 p v names=""
  for p in "$1" $(descendants "$1"); do
    v="$(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null)"
    [ -n "$v" ] || continue
    total=$((total + v))
    names+="$(cat /proc/"$p"/comm 2>/dev/null) "
  done
  echo "$names" >"$WORK/pss-names"
  # Other WebKit web processes on the machine right now (someone else's tests, say).
  echo $(( $(pgrep -c -x WebKitWebProces) - 1 )) >>"$WORK/others"
  echo "$total"
}

# launch NAME PROBE BINARY: starts it, waits for its report PROBE (printed by its probe), leaves
# the report in $WORK/NAME.line and the process id in $APP_PID. Fails after 30 s.
launch() {
  local name="$1" probe="$2" bin="$3"
  : >"$WORK/$name.out"
  env RACKDESK_BENCH=1 RACKDESK_BENCH_T0_NS="$(date +%s%N)" "$bin" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  APP_PID=$!
  for _ in $(seq 1 600); do
    if grep -q "\"probe\":\"$probe\"" "$WORK/$name.out" 2>/dev/null; then
      grep -m1 "\"probe\":\"$probe\"" "$WORK/$name.out" | sed 's/^RACKDESK_BENCH //' >"$WORK/$name.line"
      return 0
    fi
    kill -0 "$APP_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "  $name: no \"$probe\" report (see below)" >&2
  tail -5 "$WORK/$name.err" >&2
  stop_app
  return 1
}
# Ends the app and waits until it and its webview processes are gone (a second copy would
# only hand over to the first one).
stop_app() {
  local kids
  kids="$(descendants "$APP_PID")"
  kill "$APP_PID" 2>/dev/null
  wait "$APP_PID" 2>/dev/null
  for _ in $(seq 1 100); do
    local alive=0
    for k in $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.05
  done
  for k in $kids; do kill -9 "$k" 2>/dev/null; done
}
field() { node -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8"));const v=process.argv[1].split(".").reduce((a,k)=>a==null?a:a[k],o);console.log(v==null?"":v)' "$1"; }

echo "Rackdesk webview benchmarks — release builds, $(nproc) cores, Xvfb $DISPLAY, $RUNS launches each"
echo "  times: launch (a wall-clock stamp just before exec) → the page's report reaching the Rust side"

# ---- (c) cold start, and the bare app's memory ----
echo "  measuring cold starts (bare app and Rackdesk's sandbox, alternately)…"
: >"$WORK/bare.ms"; : >"$WORK/sandbox.ms"; : >"$WORK/bare.pss"; : >"$WORK/sandbox.pss"
use_home bare
for i in $(seq 1 "$RUNS"); do
  use_home bare
  if launch bare screen-shown "$BARE"; then
    field sinceLaunchMs <"$WORK/bare.line" >>"$WORK/bare.ms"
    sleep 2
    pss_tree "$APP_PID" >>"$WORK/bare.pss"
    cp "$WORK/pss-names" "$WORK/bare.names"
    stop_app
  fi
  use_home sandbox
  if launch sandbox list-interactive "$APP"; then
    field sinceLaunchMs <"$WORK/sandbox.line" >>"$WORK/sandbox.ms"
    cp "$WORK/sandbox.line" "$WORK/sandbox.last"
    sleep 2
    pss_tree "$APP_PID" >>"$WORK/sandbox.pss"
    stop_app
  fi
done

# ---- (a), (d), (b): the large account ----
use_home large
echo "  preparing an account of $MAILBOXES mailboxes and filling its index…"
mkfifo "$WORK/prep.in"
"$PREP" --mailboxes "$MAILBOXES" <"$WORK/prep.in" >"$WORK/prep.out" 2>"$WORK/prep.err" &
pids+=($!)
exec 7>"$WORK/prep.in" # holds the preparer's stdin open: it serves until the script ends
for _ in $(seq 1 1200); do grep -q '^READY' "$WORK/prep.out" 2>/dev/null && break; kill -0 "${pids[-1]}" 2>/dev/null || break; sleep 0.1; done
if ! grep -q '^READY' "$WORK/prep.out"; then
  echo "could not prepare the large account:" >&2; cat "$WORK/prep.err" >&2; exit 1
fi
ITEMS="$(awk '/^READY/ {print $3}' "$WORK/prep.out")"
sed 's/^/    /' "$WORK/prep.err"

: >"$WORK/large.ms"; : >"$WORK/large.pss"
QUERIES=("elena" "garcia" "nakamura" "chen" "rosa s" "initech")
: >"$WORK/bare2.ms"; : >"$WORK/bare2.pss"
for i in $(seq 1 "$RUNS"); do
  # The bare app again, alternately: PSS splits shared pages among every process mapping them
  # (other apps on this machine too), so both are measured under the same conditions.
  use_home bare
  if launch bare screen-shown "$BARE"; then
    field sinceLaunchMs <"$WORK/bare.line" >>"$WORK/bare2.ms"
    sleep 2
    pss_tree "$APP_PID" >>"$WORK/bare2.pss"
    stop_app
  fi
  use_home large
  if launch large list-interactive "$APP"; then
    field sinceLaunchMs <"$WORK/large.line" >>"$WORK/large.ms"
    cp "$WORK/large.line" "$WORK/large.last"
    sleep 2
    pss_tree "$APP_PID" >>"$WORK/large.pss"
    cp "$WORK/pss-names" "$WORK/large.names"
    if [ "$i" = "$RUNS" ]; then
      # (b): real keystrokes into "Find a person" (Ctrl+K), 150 ms apart.
      echo "  typing into \"Find a person\": ${QUERIES[*]}"
      wid="$(xdotool search --onlyvisible --name '^Rackdesk$' | head -1)"
      [ -n "$wid" ] && xdotool windowfocus --sync "$wid" 2>/dev/null
      sleep 0.3
      for q in "${QUERIES[@]}"; do
        xdotool key --clearmodifiers ctrl+k
        sleep 0.2
        xdotool key --clearmodifiers ctrl+a BackSpace
        sleep 0.4
        xdotool type --delay 150 "$q"
        sleep 0.6
      done
      sleep 1
      grep '"probe":"find-key"' "$WORK/large.out" | sed 's/^RACKDESK_BENCH //' >"$WORK/keys.jsonl"
    fi
    stop_app
  fi
done

# ---- Figures ----
node - "$WORK" "$ITEMS" "$MAILBOXES" "$TARGET" <<'EOF'
const fs = require("fs");
const [work, items, mailboxes, target] = process.argv.slice(2);
const read = (f) => (fs.existsSync(`${work}/${f}`) ? fs.readFileSync(`${work}/${f}`, "utf8") : "");
const nums = (f) => read(f).split("\n").filter((l) => l.trim() !== "").map(Number).filter((n) => Number.isFinite(n));
const sorted = (a) => [...a].sort((x, y) => x - y);
const pct = (a, p) => { const s = sorted(a); return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN; };
const median = (a) => { const s = sorted(a), n = s.length; return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "n/a");
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : "n/a");
const range = (a) => (a.length ? ` (min ${ms(Math.min(...a))}, max ${ms(Math.max(...a))}, n=${a.length})` : " (no run succeeded)");
const mark = (ok) => (ok ? "✓" : "✗");
const line = (f) => { try { return JSON.parse(read(f)); } catch { return null; } };
const names = (f) => [...new Set(read(f).trim().split(/\s+/).filter(Boolean))].join(", ");

const large = nums("large.ms"), bare = nums("bare.ms"), sandbox = nums("sandbox.ms");
const last = line("large.last");
const a = median(large);
console.log(`\n(a) Open on ${Number(mailboxes).toLocaleString("en-US")} mailboxes already indexed → first interactive list`);
console.log(`    median ${ms(a)}${range(large)}; ${last ? `${last.page.rows} rows from the ${last.page.fromIndex ? "index" : "server (NOT the index)"}, ${last.page.options} in the page, list focusable: ${last.page.focusable}; main() → report ${ms(last.sinceMainMs)}; in the page's own clock (from its navigation start) DOM ready at ${ms(last.page.domReadyMs)}, list reported at ${ms(last.page.pageMs)}` : "no report"}`);
console.log(`    target ≤ 300 ms: ${mark(a <= 300)}${a <= 300 ? "" : `  — the bare Tauri app alone takes ${ms(median(nums("bare2.ms")))} to its first screen here (launch → webview processes → page), so the list cannot be usable sooner than that`}`);

const keys = read("keys.jsonl").split("\n").filter(Boolean).map((l) => JSON.parse(l).page);
const shown = keys.filter((k) => !k.overtaken);
const frame = shown.map((k) => k.frameMs), commit = shown.map((k) => k.commitMs);
const over = keys.length - shown.length;
const b = pct(frame, 0.95);
console.log(`\n(b) "Find a person" over ${Number(items).toLocaleString("en-US")} indexed items, ${shown.length} keystrokes (${over} overtaken by the next one)`);
console.log(`    keydown → results in the page:     p50 ${ms(pct(commit, 0.5))}, p95 ${ms(pct(commit, 0.95))}, max ${ms(Math.max(...commit))}`);
console.log(`    keydown → the frame that shows them: p50 ${ms(pct(frame, 0.5))}, p95 ${ms(b)}, max ${ms(Math.max(...frame))}`);
const bOk = shown.length >= 30 && b <= 16;
const slow = [...shown].sort((x, y) => y.frameMs - x.frameMs).slice(0, 3).map((k) => `"${k.q}" ${ms(k.frameMs)} (in the page after ${ms(k.commitMs)})`);
console.log(`    slowest: ${slow.join(", ")}`);
const stalled = shown.filter((k) => k.frameMs - k.commitMs > 100).length;
if (stalled) console.log(`    ${stalled} keystroke(s) waited over 100 ms for a frame after their results were in the page: the webview's accelerated compositing starting up for the results pop-up (Xvfb, no GPU here; with WEBKIT_DISABLE_COMPOSITING_MODE=1 the wait was gone)`);
console.log(`    target p95 ≤ 16 ms (to the frame): ${mark(bOk)}${shown.length < 30 ? "  — fewer than 30 keystrokes were measured" : bOk ? "" : pct(commit, 0.95) <= 16 ? "  — the results are in the page in time; the rest is waiting for the next frame (≈16.7 ms apart at 60 Hz)" : "  — the search and its rendering take longer than a frame"}`);

const c = median(sandbox) / median(bare);
console.log(`\n(c) Cold start → first interactive screen, median of ${sandbox.length} / ${bare.length} launches`);
console.log(`    Rackdesk (sandbox, its mailbox list shown): ${ms(median(sandbox))}${range(sandbox)}`);
console.log(`    bare Tauri app (its one screen):            ${ms(median(bare))}${range(bare)}`);
const sl = line("sandbox.last"), bl = line("bare.line");
if (sl && bl) console.log(`    last launches, main() → report: Rackdesk ${ms(sl.sinceMainMs)} (its page: DOM ready ${ms(sl.page.domReadyMs)}, list ${ms(sl.page.pageMs)}), bare ${ms(bl.sinceMainMs)} (its page: ${ms(bl.page.pageMs)})`);
console.log(`    ratio ${c.toFixed(2)}×, target ≤ 1.1×: ${mark(c <= 1.1)}${c <= 1.1 ? "" : `  — Rackdesk needs ${ms(median(sandbox) - median(bare))} more, mostly in its page: loading and running its script (React), then the status, domains and first page of the list over IPC`}`);

const lp = median(nums("large.pss")), bp = median(nums("bare2.pss")), sp = median(nums("sandbox.pss"));
const d = lp / bp;
console.log(`\n(d) Memory (PSS of the app and its child processes, 2 s after the screen is shown; median)`);
console.log(`    Rackdesk, ${Number(mailboxes).toLocaleString("en-US")} indexed, list shown: ${mb(lp)}  [${names("large.names")}]`);
console.log(`    bare Tauri app (launched alternately): ${mb(bp)}  [${names("bare.names")}]`);
console.log(`    (Rackdesk, demo sandbox:              ${mb(sp)})`);
console.log(`    ratio ${d.toFixed(2)}×, target ≤ 1.5×: ${mark(d <= 1.5)}${d <= 1.5 ? "" : `  — mostly the web process's own heap for Rackdesk's page (script, React, DOM); the list itself adds ${mb(lp - sp)} over the demo sandbox`}`);

const othersSeen = nums("others"), others = othersSeen.filter((n) => n > 0).length;
if (others > 0) console.log(`\n    note: other WebKit web processes ran on this machine during ${others} of ${othersSeen.length} memory samples: CPU was shared and PSS splits shared pages with them — compare ratios, and run again on a quiet machine`);

const size = (p) => { try { return fs.statSync(p).size; } catch { return null; } };
const human = (n) => `${(n / 1048576).toFixed(1)} MiB (${n.toLocaleString("en-US")} bytes)`;
console.log(`\n(e) Sizes`);
console.log(`    release binary rackdesk-app: ${human(size(`${target}/release/rackdesk-app`))}; bare Tauri app: ${human(size(`${target}/release/rackdesk-bench-bare`))}`);
const debDir = `${target}/release/bundle/deb`;
const debs = fs.existsSync(debDir) ? fs.readdirSync(debDir).filter((f) => f.endsWith(".deb")) : [];
if (debs.length) for (const f of debs) console.log(`    ${f}: ${human(size(`${debDir}/${f}`))}`);
else console.log(`    no .deb in ${debDir} (build one with \`npx tauri build --bundles deb\`)`);
EOF
