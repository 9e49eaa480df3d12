#!/usr/bin/env bash
# Wire compatibility with a real, third-party Statuspage v2 client: builds Herald (the build
# `cargo test` makes, so nothing new after it), loads `herald demo` into a temporary SQLite
# database, serves it on a free local port, installs the
# `statuspage.io` npm package into a temporary directory, and reads status, components,
# incidents and scheduled maintenances through it (scripts/statuspage-client-check.cjs).
# Then the same through the static mirror: `herald export` of the same database, served by
# nginx (scripts/mirror-nginx.sh), read by the same client as the live server.
# Exits non-zero on any failure; always stops the server and removes what it made.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENT="statuspage.io@3.3.8"

work="$(mktemp -d)"
server_pid=""
nginx_pid=""
cleanup() {
  for pid in "$server_pid" "$nginx_pid"; do
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

for tool in cargo node npm curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is required" >&2; exit 1; }
done

# The binary `cargo test` builds, with the same features and profile: after `cargo test` (as
# in CI) this builds nothing, where `cargo build` would resolve features without the
# dev-dependencies and recompile dozens of crates.
cargo test --quiet --no-run --test it
herald="${CARGO_TARGET_DIR:-target}/debug/herald"

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:${port}"

echo "== loading the demo into $work/demo.db"
export DATABASE_URL="$work/demo.db"
"$herald" demo >/dev/null 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }

echo "== serving on $base"
"$herald" serve --listen "127.0.0.1:${port}" --public-url "$base" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

echo "== installing $CLIENT into $work/client"
npm install --prefix "$work/client" --no-audit --no-fund --loglevel=error "$CLIENT" >/dev/null
echo "   $(node -e 'console.log(require(process.argv[1]).version)' "$work/client/node_modules/statuspage.io/package.json")"

echo "== reading Herald through the client"
NODE_PATH="$work/client/node_modules" node scripts/statuspage-client-check.cjs "$base"

echo "== the static mirror of the same page, served by nginx"
"$herald" export "$work/mirror" 2>"$work/export.log" || { cat "$work/export.log" >&2; exit 1; }
mirror_port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
bash scripts/mirror-nginx.sh "$work/mirror" "$mirror_port" "$work/nginx" >"$work/nginx.log" 2>&1 &
nginx_pid=$!
mirror="http://127.0.0.1:${mirror_port}"
for _ in $(seq 1 100); do
  if curl -fsS "$mirror/api/v2/status.json" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$nginx_pid" 2>/dev/null; then cat "$work/nginx.log" "$work/nginx/error.log" >&2 2>/dev/null; exit 1; fi
  sleep 0.1
done
NODE_PATH="$work/client/node_modules" node scripts/statuspage-client-check.cjs "$mirror"
