#!/usr/bin/env bash
# Builds and opens Rackdesk. With no Rackspace account connected it opens the built-in
# sandbox (practice data; nothing real changes).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
install_apt "${BUILD_PKGS[@]}"
install_rust
install_node
build_ui
say "Building Rackdesk"
cd "$ROOT"
cargo build --quiet -p rackdesk --bin rackdesk-app
APP="${CARGO_TARGET_DIR:-$ROOT/target}/debug/rackdesk-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  install_apt xvfb xauth imagemagick
  say "No display found: starting Rackdesk on a virtual display; a screenshot goes to test-artifacts/run-app.png"
  mkdir -p "$ROOT/test-artifacts"
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c "'$APP' & pid=\$!; sleep 8; import -window root '$ROOT/test-artifacts/run-app.png'; kill \$pid"
  say "Rackdesk ran; see test-artifacts/run-app.png"
else
  say "Opening Rackdesk"
  exec "$APP"
fi
