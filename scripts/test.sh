#!/usr/bin/env bash
# THE test command for archsim: `bash scripts/test.sh`. CI (.ci/run) runs exactly this.
#
# Installs whatever tool is missing (scripts/install-tools.sh), then runs every layer in order and
# stops at the first failure, naming it:
#   fmt          cargo fmt --all --check
#   clippy       native, whole workspace, all targets, warnings are errors
#   clippy-wasm  the app (package archsim) for wasm32, all targets, warnings are errors
#   native       cargo test --workspace --release (fidelity tests run millions of customers)
#   wasm         cargo test -p archsim --target wasm32 in headless Chromium (wasm-bindgen-test)
#   build        trunk build --release, offline, pinned tools on PATH
#   e2e          dist/ on a loopback port; node --test tests/e2e/*.test.mjs drives Chromium
#                through Playwright; screenshots land in target/e2e/
# Each layer's full output is also kept in target/test-logs/<layer>.log. The script ends with one
# summary line per layer and the total count of tests run.
#
# Environment:
#   ARCHSIM_TEST_ONLY="fmt native"   run only these layers (for a quick local loop; CI runs all)
#   E2E_FILTER=editor                only e2e files whose name contains this
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

LAYERS=(fmt clippy clippy-wasm native wasm build e2e)
# A partial run must never pass for a full one in CI.
if [[ -n "${ARCHSIM_TEST_ONLY:-}" && -n "${CI:-}" ]]; then
  die "ARCHSIM_TEST_ONLY='$ARCHSIM_TEST_ONLY' is for local runs; CI runs every layer"
fi
LOG_DIR="$ROOT/target/test-logs"
mkdir -p "$LOG_DIR"

declare -A LAYER_RESULT LAYER_SECONDS
server_pid=''
current_layer='install-tools'

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
on_exit() {
  local status=$?
  cleanup
  if ((status != 0)); then
    printf '\n%sFAILED at step "%s" (exit %d).%s See the output above' \
      "$_RED" "$current_layer" "$status" "$_RESET" >&2
    [[ -f "$LOG_DIR/$current_layer.log" ]] && printf ' or %s' "$LOG_DIR/$current_layer.log" >&2
    printf '.\n' >&2
    print_summary >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

selected() {
  [[ -z "${ARCHSIM_TEST_ONLY:-}" ]] && return 0
  [[ " $ARCHSIM_TEST_ONLY " == *" $1 "* ]]
}

# run_layer NAME COMMAND... : runs it with output to the terminal and to target/test-logs/NAME.log.
run_layer() {
  local name=$1
  shift
  current_layer=$name
  if ! selected "$name"; then
    LAYER_RESULT[$name]='not run (ARCHSIM_TEST_ONLY)'
    return 0
  fi
  say "[$name] $*"
  local started=$SECONDS
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  LAYER_SECONDS[$name]=$((SECONDS - started))
  LAYER_RESULT[$name]='ok'
}

# Tests counted from the runners' own closing lines in each layer's log:
# cargo and wasm-bindgen-test print "test result: ok. 12 passed; 0 failed; ...", node --test
# prints "# pass 3" and "# fail 0".
count_tests() {
  local logs=()
  for layer in native wasm e2e; do
    [[ "${LAYER_RESULT[$layer]:-}" == ok ]] && logs+=("$LOG_DIR/$layer.log")
  done
  ((${#logs[@]} > 0)) || {
    echo "0 0"
    return
  }
  awk '
    /^test result: / { for (i = 1; i < NF; i++) { if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i } }
    /^# pass [0-9]+$/ { p += $3 }
    /^# fail [0-9]+$/ { f += $3 }
    END { print p + 0, f + 0 }
  ' "${logs[@]}"
}

print_summary() {
  printf '\n%sSummary%s\n' "$_BOLD" "$_RESET"
  for layer in "${LAYERS[@]}"; do
    local result=${LAYER_RESULT[$layer]:-}
    if [[ -z "$result" && "$layer" == "$current_layer" ]]; then
      result='FAILED'
    fi
    printf '  %-12s %-28s %s\n' "$layer" "${result:-not reached}" \
      "${LAYER_SECONDS[$layer]:+${LAYER_SECONDS[$layer]}s}"
  done
}

# --- tools ---------------------------------------------------------------------------------
bash "$ROOT/scripts/install-tools.sh"

# The browser for wasm-bindgen-test: chromedriver drives /usr/bin/chromium with the flags in
# scripts/webdriver.json (the runner itself adds headless and no-sandbox).
export CHROMEDRIVER="$CHROMEDRIVER_BIN"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/scripts/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
export CHROMIUM_BIN
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# --- static checks -------------------------------------------------------------------------
run_layer fmt cargo fmt --all --check
run_layer clippy cargo clippy --workspace --all-targets --locked -- -D warnings
run_layer clippy-wasm cargo clippy -p archsim --target "$WASM_TARGET" --all-targets --locked -- -D warnings

# --- native tests --------------------------------------------------------------------------
# Release, because the engine's fidelity tests simulate millions of customers (minutes in debug).
# Fat LTO and one codegen unit (the shipped profile, for size) would make every test binary link
# for minutes, so they are relaxed for tests only; the engine keeps opt-level 3 either way.
run_layer native env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo test --workspace --release --locked

# --- wasm tests in the browser --------------------------------------------------------------
# --tests: the library's unit tests and tests/*.rs (web_smoke, web_state, ...); doc tests are
# native-only.
run_layer wasm cargo test -p archsim --target "$WASM_TARGET" --tests --locked

# --- release build of the web app ----------------------------------------------------------
run_layer build trunk --skip-version-check --offline=true build --release=true --locked=true

# --- end-to-end in Chromium ----------------------------------------------------------------
# The server runs in this shell (not inside run_layer's pipeline) so the EXIT trap can stop it.
start_e2e_server() {
  current_layer=e2e
  local server_log="$LOG_DIR/e2e-server.log"
  node scripts/static-server.mjs dist 0 >"$server_log" 2>&1 &
  server_pid=$!
  E2E_URL=''
  for _ in $(seq 1 100); do
    E2E_URL=$(sed -n 's/^archsim static server: //p' "$server_log")
    [[ -n "$E2E_URL" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || die "static server exited: $(cat "$server_log")"
    sleep 0.1
  done
  die "static server did not start within 10 s: $(cat "$server_log")"
}

e2e_files=()
if selected e2e; then
  for file in tests/e2e/*.test.mjs; do
    [[ -z "${E2E_FILTER:-}" || "$(basename "$file")" == *"$E2E_FILTER"* ]] && e2e_files+=("$file")
  done
  ((${#e2e_files[@]} > 0)) ||
    die "no end-to-end test files matched (tests/e2e/*.test.mjs, E2E_FILTER='${E2E_FILTER:-}')"
  [[ -f dist/index.html ]] || die "dist/index.html is missing: the build layer must run first"
  start_e2e_server
  note "serving dist/ at $E2E_URL"
  mkdir -p target/e2e
fi
run_layer e2e env ARCHSIM_BASE_URL="${E2E_URL:-}" node --test --test-reporter=tap "${e2e_files[@]}"
cleanup
server_pid=''

current_layer=''
print_summary
read -r passed failed < <(count_tests)
if [[ -n "${ARCHSIM_TEST_ONLY:-}" ]]; then
  printf '\n%sThe selected layers passed (ARCHSIM_TEST_ONLY=%s); the others did not run.%s\n' \
    "$_GREEN" "$ARCHSIM_TEST_ONLY" "$_RESET"
else
  printf '\n%sAll layers passed.%s\n' "$_GREEN" "$_RESET"
fi
# The closing line CI reads: tests run across the native, wasm and e2e layers.
echo "${passed} passed, ${failed} failed"
