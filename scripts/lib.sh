# Shared helpers for scripts/*.sh. Source it; do not run it.
#
# Sets ROOT (the repository root), loads the pinned versions and puts the project's tools first on
# PATH: node_modules/.bin (wasm-opt from npm `binaryen`) before ~/.cargo/bin (trunk, wasm-bindgen),
# so trunk finds tools at the pinned versions and never tries to download its own.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env
source "$ROOT/scripts/versions.env"

CARGO_BIN_DIR="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$ROOT/node_modules/.bin:$CARGO_BIN_DIR:$PATH"

# Colour only when a person is watching.
if [[ -t 1 ]]; then
  _BOLD=$'\e[1m' _RED=$'\e[31m' _GREEN=$'\e[32m' _DIM=$'\e[2m' _RESET=$'\e[0m'
else
  _BOLD='' _RED='' _GREEN='' _DIM='' _RESET=''
fi

say() { printf '%s==> %s%s\n' "$_BOLD" "$*" "$_RESET"; }
note() { printf '%s    %s%s\n' "$_DIM" "$*" "$_RESET"; }
ok() { printf '%s    ok: %s%s\n' "$_GREEN" "$*" "$_RESET"; }
die() {
  printf '%sERROR: %s%s\n' "$_RED" "$*" "$_RESET" >&2
  exit 1
}

# The wasm-bindgen crate version Cargo.lock resolved; wasm-bindgen-cli must equal it.
cargo_lock_wasm_bindgen_version() {
  awk '
    $0 == "name = \"wasm-bindgen\"" { want = 1; next }
    want && /^version = / { gsub(/"/, "", $3); print $3; exit }
    /^\[\[package\]\]/ { want = 0 }
  ' "$ROOT/Cargo.lock"
}

# First line of `tool --version`, or nothing if the tool is absent or broken.
tool_version() {
  command -v "$1" >/dev/null 2>&1 || return 0
  "$@" --version 2>/dev/null | head -n 1 || true
}

# Run as root, via sudo when we are not root (fresh developer machines).
as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (no sudo available)"
  fi
}
