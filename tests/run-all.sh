#!/usr/bin/env bash
# Runs every test of Rackdesk, installing what is missing first (Debian/Ubuntu):
#   1. the Rust workspace (unit, integration, simulator, CLI and app IPC tests), inside a
#      private D-Bus session with an unlocked gnome-keyring, so the real Secret Service is used;
#   2. the UI's unit tests (vitest);
#   3. end-to-end tests of the real app in the real webview (tauri-driver + WebKitWebDriver
#      under Xvfb). Screenshots go to test-artifacts/;
#   4. the Linux packages: the .deb and .rpm built, the .deb installed with apt, the installed
#      app's smoke test and signed-update test, then the package removed (tests/package.sh).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../src-tauri/scripts/setup.sh"
set -e
install_apt "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
install_rust
install_node
build_ui
install_tauri_driver
npm_install "$ROOT"
npm_install "$ROOT/tests/e2e"
set +e

cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d)"
ARTIFACTS="$ROOT/test-artifacts"
mkdir -p "$ARTIFACTS"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
failed=0

# A private session bus with an unlocked keyring; XDG folders point into $WORK so nothing
# lands in the real home.
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache" XDG_RUNTIME_DIR="$WORK/run" \
  XDG_STATE_HOME="$WORK/state"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
in_keyring() {
  dbus-run-session -- sh -c 'echo -n rackdesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "$@"
}

say "Rust tests (cargo test --workspace)"
in_keyring cargo test --workspace --no-fail-fast 2>&1 | tee "$WORK/cargo.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=1

say "UI unit tests (vitest)"
(cd ui && npx --no-install vitest run 2>&1) | tee "$WORK/vitest.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=1

say "End-to-end tests in the real webview (node --test)"
cargo build --quiet -p rackdesk-sim --bin rackdesk-sim -p rackdesk-cli --bin rackdesk
# The team journal's E2E test starts a real PostgreSQL server through this helper.
cargo build --quiet -p rackdesk-cli --example team_pg
RACKDESK_APP="$TARGET/debug/rackdesk-app" RACKDESK_SIM="$TARGET/debug/rackdesk-sim" RACKDESK_ARTIFACTS="$ARTIFACTS" \
  in_keyring bash tests/e2e/run.sh 2>&1 | tee "$WORK/e2e.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=1

say "Linux packages: build, install, smoke and update tests, removal"
TARGET="$TARGET" RACKDESK_SIM="$TARGET/debug/rackdesk-sim" RACKDESK_ARTIFACTS="$ARTIFACTS" \
  in_keyring bash tests/package.sh 2>&1 | tee "$WORK/package.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=1

echo
say "Summary"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
     END { printf "cargo test: %d passed; %d failed (all crates)\n", p, f }' "$WORK/cargo.log"
grep -E "^ *Tests +[0-9]" "$WORK/vitest.log" | sed 's/^ */vitest: /' || echo "vitest: no summary (did it run?)"
grep -E "^ℹ (tests|pass|fail) " "$WORK/e2e.log" | tr '\n' ' ' | sed 's/ℹ /node --test: /; s/ ℹ /, /g'; echo
grep -E "^ℹ (tests|pass|fail) " "$WORK/package.log" | tr '\n' ' ' | sed 's/ℹ /node --test (installed package): /; s/ ℹ /, /g'; echo
exit $failed
