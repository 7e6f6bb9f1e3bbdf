#!/usr/bin/env bash
# Runs the end-to-end tests in the real webview. Called by tests/run-all.sh inside a private
# D-Bus session with an unlocked gnome-keyring, so the app uses the real Secret Service.
#   - tauri-driver on :4444 starts apps that can use the keyring;
#   - tauri-driver on :4446 starts apps whose D-Bus address leads nowhere (no vault).
# Needs: RACKDESK_APP (the app binary), RACKDESK_SIM (the rackdesk-sim binary), RACKDESK_ARTIFACTS.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
WORK="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

display=98
while [ -e "/tmp/.X${display}-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"

# The app inherits tauri-driver's environment: a fixed port and made-up keys for the sandbox
# (so tests can read the simulator's state), and its own settings folder.
SANDBOX_ENV=(RACKDESK_SANDBOX_LISTEN=127.0.0.1:18808 RACKDESK_SANDBOX_USER_KEY=E2eSandboxUserKey001
  RACKDESK_SANDBOX_SECRET_KEY=E2eSandboxSecret-not-real-0001)
env "${SANDBOX_ENV[@]}" RACKDESK_CONFIG_DIR="$WORK/config" \
  tauri-driver --port 4444 --native-port 4445 >"$WORK/driver.log" 2>&1 &
pids+=($!)
env "${SANDBOX_ENV[@]}" RACKDESK_SANDBOX_LISTEN=127.0.0.1:18809 RACKDESK_CONFIG_DIR="$WORK/config-novault" \
  DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/rackdesk-no-bus \
  tauri-driver --port 4446 --native-port 4447 >"$WORK/driver-novault.log" 2>&1 &
pids+=($!)
for port in 4444 4446; do
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break; sleep 0.2; done
done

# RACKDESK_E2E_ONLY=5-everyday runs only the files whose names contain it (while developing).
# RACKDESK_E2E_NAMES='opens|zoom' runs only the tests whose names match (node's pattern).
# RACKDESK_E2E_FILES='a.test.mjs b.test.mjs' runs exactly those (the package test, tests/package.sh).
if [ -n "${RACKDESK_E2E_FILES:-}" ]; then read -ra files <<<"$RACKDESK_E2E_FILES"; else
  files=(./*"${RACKDESK_E2E_ONLY:-}"*.test.mjs); fi
names=()
[ -n "${RACKDESK_E2E_NAMES:-}" ] && names=(--test-name-pattern="$RACKDESK_E2E_NAMES")
RACKDESK_CONFIG_DIR="$WORK/config" node --test --test-concurrency=1 --test-reporter=spec "${names[@]}" "${files[@]}"
rc=$?
if [ $rc -ne 0 ]; then
  echo "--- tauri-driver log (tail) ---"; tail -20 "$WORK/driver.log"
  echo "--- tauri-driver (no vault) log (tail) ---"; tail -20 "$WORK/driver-novault.log"
fi
exit $rc
