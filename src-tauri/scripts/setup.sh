#!/usr/bin/env bash
# Installs what building, running and testing Rackdesk needs on Debian/Ubuntu, skipping
# whatever is already there. Sourced by run-app.sh and tests/run-all.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

BUILD_PKGS=(libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libssl-dev libxdo-dev libdbus-1-dev
  pkg-config build-essential file)
TEST_PKGS=(xvfb xauth imagemagick xdotool webkit2gtk-driver dbus-x11 gnome-keyring
  libsecret-tools keyutils fonts-dejavu-core at-spi2-core sqlite3 xclip
  tinyproxy ca-certificates postgresql sudo)
# tinyproxy and ca-certificates: the company-network test (crates/rackdesk-cli/tests/network.rs)
# puts a real proxy in front of the simulator and installs a test root with update-ca-certificates.
# postgresql: the team journal's tests run a real server (crates/rackdesk-cli/tests/team.rs).
# sudo: the installed app's updater hands the verified package to `sudo dpkg -i` when no
# graphical prompt (pkexec) is there, as in the package test (tests/package.sh).

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Installing system packages needs root (or sudo): $*" >&2; exit 1; fi
}

install_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "Installing system packages: ${missing[*]}"
    need_root apt-get update -qq
    need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_rust() {
  if ! command -v cargo >/dev/null; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; else
      echo "Rust is not installed. Install it from https://rustup.rs (stable), then run this again." >&2; exit 1; fi
  fi
}

install_node() {
  if ! command -v npm >/dev/null; then install_apt nodejs npm; fi
}

# npm packages of one folder: installed from its lockfile when node_modules is missing or stale.
npm_install() {
  local dir="$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "Installing npm packages in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build_ui() {
  npm_install "$ROOT/ui"
  say "Building the UI"
  (cd "$ROOT/ui" && npm run --silent build >/dev/null)
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    say "Installing tauri-driver (WebDriver bridge for end-to-end tests)"
    cargo install tauri-driver --locked --quiet
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
}
