#!/usr/bin/env bash
# Run by the Tauri CLI before it makes the Linux packages (tauri.conf.json, beforeBundleCommand):
# puts the `rackdesk` command line, its shell completions and its manual pages, all generated
# from the CLI's own definition, in target/package-extras/, where the .deb and .rpm take them from.
# The CLI is built with the same profile as the app (TAURI_ENV_DEBUG is set by the Tauri CLI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
case "${TAURI_ENV_PLATFORM:-linux}" in linux) ;; *) exit 0 ;; esac

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
if [ "${TAURI_ENV_DEBUG:-false}" = "true" ]; then profile=debug; flags=(); else profile=release; flags=(--release); fi
triple_dir=""
if [ -n "${TAURI_ENV_TARGET_TRIPLE:-}" ] && [ -d "$TARGET_DIR/$TAURI_ENV_TARGET_TRIPLE/$profile" ]; then
  flags+=(--target "$TAURI_ENV_TARGET_TRIPLE"); triple_dir="$TAURI_ENV_TARGET_TRIPLE/"
fi
cargo build --quiet "${flags[@]}" -p rackdesk-cli --bin rackdesk
cli="$TARGET_DIR/$triple_dir$profile/rackdesk"

out="$ROOT/target/package-extras"
rm -rf "$out"
mkdir -p "$out/man1" "$out/completions"
cp "$cli" "$out/rackdesk"
"$cli" completions bash > "$out/completions/rackdesk"
"$cli" completions zsh > "$out/completions/_rackdesk"
"$cli" completions fish > "$out/completions/rackdesk.fish"
"$cli" man --out-dir "$out/man1"
gzip -9 -n "$out"/man1/*.1
echo "package extras: the rackdesk CLI ($profile), completions for bash, zsh and fish, $(ls "$out/man1" | wc -l) manual pages"
