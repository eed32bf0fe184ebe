#!/usr/bin/env bash
# One command for every benchmark figure in docs/performance.md:
#   bench/run.sh [--min-seconds S] [--repeat N]
# Builds the CLI natively and the WASM harness (both with the `perf` profile: release settings
# at opt-level 3), sets up target/bench-venv with SimPy and Ciw from PyPI (once), then runs
# bench/compare.py, which prints customers/s against SimPy and Ciw, events/s natively and in
# WASM (in node and in headless Chromium, via playwright-core from `npm ci`), and checks that
# the WASM report is bit-identical to the native one.
# Slow (minutes), so it is not part of the test suite.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MIN_SECONDS=2
REPEAT=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --min-seconds) MIN_SECONDS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--min-seconds S] [--repeat N]" >&2; exit 2 ;;
  esac
done

# The workspace's release profile is tuned for a small browser download (opt-level "z"); the
# benchmark measures speed, so it builds a separate `perf` profile into target/perf.
PERF_PROFILE=(--profile perf --config 'profile.perf.inherits="release"' --config 'profile.perf.opt-level=3')

# Native and WASM are two builds; both must see the same engine source for their report
# fingerprints to match, so say so when the engine has uncommitted edits.
if [[ -n "$(git status --porcelain -- crates/archsim-engine crates/archsim-model 2>/dev/null)" ]]; then
  echo "warning: uncommitted changes in the engine or model; if they change during the builds," \
       "the native and WASM fingerprints will differ" >&2
fi
echo "== building archsim (native) and the WASM harness at $(git rev-parse --short HEAD 2>/dev/null || echo "an exported tree")" >&2
cargo build --quiet -p archsim-cli "${PERF_PROFILE[@]}"
cargo build --quiet -p archsim-wasm-bench --target wasm32-unknown-unknown "${PERF_PROFILE[@]}"
cargo build --quiet -p archsim-engine --example mm1_floor "${PERF_PROFILE[@]}"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

VENV="$TARGET_DIR/bench-venv"
if ! "$VENV/bin/python" -c 'import simpy, ciw' 2>/dev/null; then
  echo "== creating $VENV with SimPy and Ciw" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r bench/python/requirements.txt
fi

if ! node --input-type=module -e "await import('playwright-core')" 2>/dev/null; then
  echo "== installing playwright-core (npm ci) for the Chromium run" >&2
  npm ci --no-audit --no-fund --silent
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" >&2
echo "== $(rustc --version), node $(node --version), $("$VENV/bin/python" --version)" >&2
python3 bench/compare.py \
  --archsim "$TARGET_DIR/perf/archsim" \
  --python "$VENV/bin/python" \
  --wasm "$TARGET_DIR/wasm32-unknown-unknown/perf/archsim_wasm_bench.wasm" \
  --floor "$TARGET_DIR/perf/examples/mm1_floor" \
  --min-seconds "$MIN_SECONDS" \
  --repeat "$REPEAT" \
  --results "$TARGET_DIR/bench-results.json"
