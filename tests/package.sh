#!/usr/bin/env bash
# The Linux packages, as a user gets them (called by tests/run-all.sh, inside its D-Bus session
# with an unlocked keyring; needs root or password-less sudo, as installing packages does):
#   1. builds the .deb and .rpm with the documented command (npm run tauri -- build), as the
#      current version, with a throwaway update key made here (never the release key);
#   2. builds the next version's .deb, signed with that key, and a tampered copy of it;
#   3. installs the current .deb with apt, checks what it put on the system (app, menu entry,
#      icons, the rackdesk CLI, completions, manual page), runs the sandbox smoke test against
#      the INSTALLED app, then the update test (tampered refused, genuine installed);
#   4. removes the package and checks that nothing of it is left.
# Debug builds keep this quick; the release sizes are printed by the benchmark (README).
# Needs: TARGET (cargo's target dir), RACKDESK_SIM, RACKDESK_ARTIFACTS.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/src-tauri/scripts/setup.sh"
set +e
TARGET="${TARGET:-${CARGO_TARGET_DIR:-$ROOT/target}}"
WORK="$(mktemp -d)"
PORT=18870
fail() { echo "package test: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
cleanup() {
  if dpkg-query -W -f='${Status}' rackdesk 2>/dev/null | grep -q "install ok installed"; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq rackdesk >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null || fail "installing the package needs root or password-less sudo"
if dpkg-query -W -f='${Status}' rackdesk 2>/dev/null | grep -q "install ok installed"; then
  fail "a rackdesk package is already installed on this machine; remove it first (apt-get remove rackdesk)"
fi

OLD="$(node -p 'require("./tauri.conf.json").version')"
NEW="$(node -p 'const v = require("./tauri.conf.json").version.split("."); v[2] = Number(v[2]) + 1; v.join(".")')"
say "Packages: building Rackdesk $OLD (.deb and .rpm) and $NEW (.deb, signed) with a throwaway update key"
npm run --silent tauri -- signer generate --ci -p "" -w "$WORK/update.key" >/dev/null || fail "could not make a test update key"
PUB="$(cat "$WORK/update.key.pub")"
export RACKDESK_UPDATE_URL="http://127.0.0.1:$PORT/latest.json"
bundle() { npm run --silent tauri -- build --debug --ci "$@" 2>&1 | grep -E "Bundling|Finished|error|Error|warning: unused" ; return "${PIPESTATUS[0]}"; }
bundle --bundles deb,rpm --config "{\"plugins\":{\"updater\":{\"pubkey\":\"$PUB\"}}}" || fail "the $OLD packages did not build"
mkdir -p "$WORK/old" "$WORK/offer/good" "$WORK/offer/tampered"
cp "$TARGET/debug/bundle/deb/Rackdesk_${OLD}_amd64.deb" "$WORK/old/" || fail "no .deb was made"
rpm_file="$(ls "$TARGET"/debug/bundle/rpm/Rackdesk-"$OLD"-1.*.rpm 2>/dev/null | head -1)"
[ -n "$rpm_file" ] || fail "no .rpm was made"
TAURI_SIGNING_PRIVATE_KEY="$WORK/update.key" TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" \
  bundle --bundles deb --config "{\"version\":\"$NEW\",\"bundle\":{\"createUpdaterArtifacts\":true},\"plugins\":{\"updater\":{\"pubkey\":\"$PUB\"}}}" \
  || fail "the $NEW package did not build"
new_deb="$TARGET/debug/bundle/deb/Rackdesk_${NEW}_amd64.deb"
[ -f "$new_deb.sig" ] || fail "the $NEW package has no signature (.sig)"
printf 'A test release of Rackdesk %s.\n\n- Made by tests/package.sh to check signed updates.\n' "$NEW" >"$WORK/notes.md"
cp "$new_deb" "$new_deb.sig" "$WORK/offer/good/"
node src-tauri/scripts/update-manifest.mjs --version "$NEW" --notes "$WORK/notes.md" --base-url "http://127.0.0.1:$PORT/files" \
  --out "$WORK/offer/good/latest.json" "$WORK/offer/good/$(basename "$new_deb")" || fail "no update manifest"
# The tampered offer: the same manifest and signature, one byte of the package changed.
cp "$WORK/offer/good/"* "$WORK/offer/tampered/"
python3 - "$WORK/offer/tampered/$(basename "$new_deb")" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0x55; open(p, "wb").write(b)
PY
cmp -s "$WORK/offer/good/$(basename "$new_deb")" "$WORK/offer/tampered/$(basename "$new_deb")" && fail "the tampered copy is unchanged"

say "Packages: installing Rackdesk $OLD with apt-get"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$WORK/old/Rackdesk_${OLD}_amd64.deb" >"$WORK/apt.log" 2>&1 \
  || { cat "$WORK/apt.log"; fail "apt-get could not install the .deb"; }
problems=0
check() { if "$@" >/dev/null 2>&1; then echo "  ok: $*"; else echo "  MISSING: $*"; problems=1; fi; }
check test -x /usr/bin/rackdesk-app
check test -x /usr/bin/rackdesk
check test -f /usr/share/applications/Rackdesk.desktop
check test -f /usr/share/icons/hicolor/128x128/apps/rackdesk-app.png
check test -f /usr/share/man/man1/rackdesk.1.gz
check test -f /usr/share/man/man1/rackdesk-mailbox.1.gz
check test -f /usr/share/bash-completion/completions/rackdesk
check test -f /usr/share/zsh/vendor-completions/_rackdesk
check test -f /usr/share/fish/vendor_completions.d/rackdesk.fish
check grep -q "^Exec=rackdesk-app" /usr/share/applications/Rackdesk.desktop
version_line="$(/usr/bin/rackdesk --version 2>&1)"
echo "  installed CLI: $version_line"
[[ "$version_line" == "rackdesk $OLD"* ]] || { echo "  MISSING: the installed CLI does not say version $OLD"; problems=1; }
bash -c 'source /usr/share/bash-completion/completions/rackdesk && complete -p rackdesk' >/dev/null 2>&1 \
  || { echo "  MISSING: the bash completion does not load"; problems=1; }
depends="$(dpkg-query -W -f='${Depends}' rackdesk)"
echo "  depends: $depends"
for d in libwebkit2gtk-4.1-0 ca-certificates gnome-keyring; do
  [[ "$depends" == *"$d"* ]] || { echo "  MISSING: dependency on $d"; problems=1; }
done
[ "$problems" -eq 0 ] || fail "the installed package is incomplete"

say "Packages: the sandbox smoke test and the update test, against the installed app"
# A first start, as after installing: its own settings and webview data (the app's identifier
# is the same as the development build's, whose tests ran in the caller's folders).
for d in data config cache state; do mkdir -p "$WORK/home/$d"; done
XDG_DATA_HOME="$WORK/home/data" XDG_CONFIG_HOME="$WORK/home/config" XDG_CACHE_HOME="$WORK/home/cache" XDG_STATE_HOME="$WORK/home/state" \
RACKDESK_APP=/usr/bin/rackdesk-app RACKDESK_E2E_FILES="./1-sandbox.test.mjs ./package/update.test.mjs" \
  RACKDESK_UPDATE_FILES="$WORK/offer" RACKDESK_UPDATE_PORT="$PORT" RACKDESK_OLD_VERSION="$OLD" RACKDESK_NEW_VERSION="$NEW" \
  bash tests/e2e/run.sh
rc=$?

say "Packages: removing Rackdesk"
as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq rackdesk >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; rc=1; }
for f in /usr/bin/rackdesk-app /usr/bin/rackdesk /usr/share/applications/Rackdesk.desktop /usr/share/man/man1/rackdesk.1.gz \
  /usr/share/bash-completion/completions/rackdesk; do
  [ -e "$f" ] && { echo "  LEFT BEHIND: $f"; rc=1; }
done
dpkg-query -W -f='${Status}' rackdesk 2>/dev/null | grep -q "install ok installed" && { echo "  still installed"; rc=1; }
[ "$rc" -eq 0 ] && echo "  removed cleanly"
printf 'package sizes (debug builds): .deb %s bytes, .rpm %s bytes\n' "$(stat -c %s "$WORK/old/Rackdesk_${OLD}_amd64.deb")" "$(stat -c %s "$rpm_file")"
exit $rc
