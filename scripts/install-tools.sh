#!/usr/bin/env bash
# Installs archsim's build and test tools at the versions pinned in scripts/versions.env, and only
# those that are missing or at the wrong version. A second run is a quick no-op that says what it
# skipped. Used by scripts/serve.sh and scripts/test.sh; safe to run on its own.
#
# What it checks, in order:
#   rustfmt + clippy, the wasm32 target                     (rustup)
#   wasm-bindgen-cli == Cargo.lock's wasm-bindgen version   (cargo install, ~3 min when missing)
#   trunk == TRUNK_VERSION                                  (cargo install --locked, ~11 min)
#   binaryen (wasm-opt) + playwright-core + axe-core        (npm ci from package-lock.json)
#   chromium + chromium-driver                              (apt-get, Debian)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

skipped=()
installed=()

say "Checking tools (pins: scripts/versions.env)"

# --- Rust toolchain pieces ------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"
command -v rustup >/dev/null || die "rustup not found: it is needed to add the $WASM_TARGET target"

for component in rustfmt clippy; do
  if rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    skipped+=("$component (installed)")
  else
    note "adding rustup component $component"
    rustup component add "$component"
    installed+=("$component")
  fi
done

if rustup target list --installed | grep -qx "$WASM_TARGET"; then
  skipped+=("$WASM_TARGET target (installed)")
else
  note "adding rustup target $WASM_TARGET"
  rustup target add "$WASM_TARGET"
  installed+=("$WASM_TARGET target")
fi

# --- wasm-bindgen-cli: exactly Cargo.lock's version ------------------------------------------
lock_wbg="$(cargo_lock_wasm_bindgen_version)"
[[ -n "$lock_wbg" ]] || die "could not read the wasm-bindgen version from Cargo.lock"
[[ "$lock_wbg" == "$WASM_BINDGEN_VERSION" ]] ||
  die "Cargo.lock has wasm-bindgen $lock_wbg but scripts/versions.env pins WASM_BINDGEN_VERSION=$WASM_BINDGEN_VERSION; update both (and the '=' pin in Cargo.toml) together"

have_wbg="$(tool_version wasm-bindgen)"
have_runner="$(tool_version wasm-bindgen-test-runner)"
if [[ "$have_wbg" == "wasm-bindgen $lock_wbg" && "$have_runner" == *" $lock_wbg" ]]; then
  skipped+=("wasm-bindgen-cli $lock_wbg (installed)")
else
  note "installing wasm-bindgen-cli $lock_wbg (found: ${have_wbg:-none})"
  # Without --locked (verified to build on this toolchain): what must match is the CLI version.
  cargo install wasm-bindgen-cli --version "$lock_wbg" --force
  installed+=("wasm-bindgen-cli $lock_wbg")
fi

# --- trunk ---------------------------------------------------------------------------------
have_trunk="$(tool_version trunk)"
if [[ "$have_trunk" == "trunk $TRUNK_VERSION" ]]; then
  skipped+=("trunk $TRUNK_VERSION (installed)")
else
  note "installing trunk $TRUNK_VERSION (found: ${have_trunk:-none}); this compiles for ~11 minutes on 2 cores"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
  installed+=("trunk $TRUNK_VERSION")
fi

# --- npm: binaryen (wasm-opt) and playwright-core --------------------------------------------
command -v node >/dev/null || die "node not found: Node.js >= 20 is needed for the end-to-end tests"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || die "Node.js >= 20 is needed (playwright-core $PLAYWRIGHT_CORE_VERSION); found $(node --version)"

npm_pkg_version() {
  node -p "require('./node_modules/$1/package.json').version" 2>/dev/null || true
}
for pin in "binaryen:$BINARYEN_NPM_VERSION" "playwright-core:$PLAYWRIGHT_CORE_VERSION" "axe-core:$AXE_CORE_VERSION"; do
  pkg="${pin%%:*}" want="${pin#*:}"
  locked="$(node -p "require('./package-lock.json').packages['node_modules/$pkg'].version")"
  [[ "$locked" == "$want" ]] ||
    die "package-lock.json has $pkg $locked but scripts/versions.env pins $want; update both together"
done

if [[ "$(npm_pkg_version binaryen)" == "$BINARYEN_NPM_VERSION" &&
  "$(npm_pkg_version playwright-core)" == "$PLAYWRIGHT_CORE_VERSION" &&
  "$(npm_pkg_version axe-core)" == "$AXE_CORE_VERSION" ]]; then
  skipped+=("npm binaryen $BINARYEN_NPM_VERSION + playwright-core $PLAYWRIGHT_CORE_VERSION + axe-core $AXE_CORE_VERSION (installed)")
else
  note "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
  installed+=("npm binaryen $BINARYEN_NPM_VERSION + playwright-core $PLAYWRIGHT_CORE_VERSION + axe-core $AXE_CORE_VERSION")
fi
wasm_opt_version="$(tool_version wasm-opt)"
[[ "$wasm_opt_version" == "wasm-opt version $WASM_OPT_VERSION "* ]] ||
  die "wasm-opt on PATH is '${wasm_opt_version:-missing}', expected version $WASM_OPT_VERSION from node_modules/.bin"

# --- Chromium and its WebDriver (Debian) -----------------------------------------------------
if [[ -x "$CHROMIUM_BIN" && -x "$CHROMEDRIVER_BIN" ]]; then
  skipped+=("$APT_PACKAGES (installed)")
else
  note "installing $APT_PACKAGES with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  # shellcheck disable=SC2086 # APT_PACKAGES is a word list on purpose
  as_root apt-get install -y -q --no-install-recommends $APT_PACKAGES
  installed+=("$APT_PACKAGES")
fi
# The driver only drives a browser of its own major version.
chromium_major="$("$CHROMIUM_BIN" --version 2>/dev/null | grep -oE '[0-9]+\.' | head -n 1 | tr -d .)"
driver_major="$("$CHROMEDRIVER_BIN" --version 2>/dev/null | grep -oE '[0-9]+\.' | head -n 1 | tr -d .)"
[[ -n "$chromium_major" && "$chromium_major" == "$driver_major" ]] ||
  die "chromium (major ${chromium_major:-?}) and chromedriver (major ${driver_major:-?}) differ; run: apt-get install --only-upgrade $APT_PACKAGES"

for item in "${skipped[@]}"; do note "skipped: $item"; done
for item in "${installed[@]+"${installed[@]}"}"; do ok "installed: $item"; done
ok "tools ready: $(tool_version trunk), $(tool_version wasm-bindgen), wasm-opt $WASM_OPT_VERSION, playwright-core $PLAYWRIGHT_CORE_VERSION, chromium $chromium_major"
