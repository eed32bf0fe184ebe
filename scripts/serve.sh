#!/usr/bin/env bash
# Serve the archsim web app for development: `bash scripts/serve.sh`, then open the printed URL.
# trunk rebuilds and reloads the page when sources change.
#
# Installs what's missing first (scripts/install-tools.sh), then runs trunk offline with the
# pinned wasm-bindgen and wasm-opt first on PATH, bound to loopback only.
#
# Environment:
#   PORT=9000      port to listen on (default 8080)
#   RELEASE=1      serve an optimised build (slower to build; what users get)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PORT="${PORT:-8080}"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$PORT'"

bash "$ROOT/scripts/install-tools.sh"

# The `serve` profile (Cargo.toml): the dev build, in which the engine and every dependency are
# optimised, so runs take about as long as in the release bundle while a change to the app's own
# code still rebuilds quickly.
profile_flag=(--cargo-profile serve)
[[ "${RELEASE:-0}" == 1 ]] && profile_flag=(--release=true)

say "Serving archsim at  http://127.0.0.1:$PORT/  (the first build takes several minutes; Ctrl+C stops)"
exec trunk --skip-version-check --offline=true serve \
  --address 127.0.0.1 --port "$PORT" --open=false "${profile_flag[@]}"
