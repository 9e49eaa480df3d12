#!/usr/bin/env bash
# Screenshots of the public site in headless Chromium: home and incident pages, desktop and
# phone widths, light and dark. Writes docs/screenshots/*.png.
#   scripts/screenshots.sh            (builds Herald, loads the demo, serves it on a free port)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
command -v chromium >/dev/null || { echo "needs chromium (apt-get install -y chromium)" >&2; exit 1; }
cargo build --quiet
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="$work/demo.db" HERALD_LOG=warn
target/debug/herald demo
target/debug/herald serve --listen "127.0.0.1:$port" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
incident=$(curl -fs "$base/api/v1/incidents?status=resolved&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["incidents"][0]["id"])')
shoot() { # name url width height scheme
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --no-first-run --disable-sync --hide-scrollbars --user-data-dir="$work/chrome-$1" \
    --force-prefers-color-scheme="$5" --blink-settings=preferredColorScheme=$([ "$5" = dark ] && echo 0 || echo 1) \
    --window-size="$3,$4" --screenshot="$out/$1.png" "$2" >/dev/null 2>&1
}
for scheme in light dark; do
  shoot "home-desktop-$scheme" "$base/en/" 1280 1800 "$scheme"
  shoot "home-phone-$scheme" "$base/en/" 390 2400 "$scheme"
  shoot "incident-desktop-$scheme" "$base/en/incidents/$incident" 1280 2000 "$scheme"
  shoot "incident-phone-$scheme" "$base/fr/incidents/$incident" 390 3000 "$scheme"
done
ls -1 "$out"
