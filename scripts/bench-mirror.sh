#!/usr/bin/env bash
# Measures the static mirror at scale: the demo page (six languages enabled) plus N incidents
# (default 10,000), each with an English original and translations into the five other
# languages, spread over the last five years. The incidents are created through the write API
# (POST /api/v1/incidents, one request each over a kept-alive connection, from Python's
# http.client), so they are stored exactly as a real page's would be.
#
# Then: `herald export DIR` cold (time, files, bytes), the same export again (nothing changed:
# nothing written), and `herald serve --mirror DIR` with one new update posted: how many files
# that rewrites, and how long it takes.
#
# Usage: scripts/bench-mirror.sh [N]   (HERALD_BIN=path/to/herald to use another build, e.g. a
# release one; the default is the debug binary `cargo test` builds)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
if [ -z "${HERALD_BIN:-}" ]; then
  cargo test --quiet --no-run --test it
  HERALD_BIN="${CARGO_TARGET_DIR:-target}/debug/herald"
fi
herald="$HERALD_BIN"
work="${HERALD_BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export DATABASE_URL="$work/bench.db" HERALD_LOG="${HERALD_LOG:-warn}"
rm -f "$work"/bench.db*
"$herald" demo 2>/dev/null
token=$("$herald" token create --name bench --role admin 2>/dev/null)
port=$(free_port)
"$herald" serve --listen "127.0.0.1:$port" --workers 1 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "== creating $count incidents in six languages through the API"
start=$(date +%s.%N)
python3 - "$port" "$token" "$count" <<'PY'
import http.client, json, sys, datetime
port, token, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
now = datetime.datetime.now(datetime.timezone.utc)
words = {"fr": "Panne", "de": "Störung", "es": "Incidente", "ja": "障害", "pt-BR": "Incidente"}
for n in range(count):
    at = now - datetime.timedelta(minutes=60 * 24 * 5 * 365 * (n + 1) // count + 60)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {
        "title": f"Incident {n}: elevated error rates",
        "impact": ["minor", "major", "critical"][n % 3],
        "status": "resolved",
        "message": f"Errors were elevated for some requests (incident {n}); this is resolved.",
        "started_at": stamp,
        "display_at": stamp,
        "translations": {
            locale: {"title": f"{word} {n}", "message": f"{word} {n} : résolu.", "provenance": "human"}
            for locale, word in words.items()
        },
    }
    conn.request("POST", "/api/v1/incidents", json.dumps(body), headers)
    answer = conn.getresponse()
    text = answer.read()
    if answer.status != 201:
        sys.exit(f"incident {n}: {answer.status} {text[:300]!r}")
PY
echo "   $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
kill "$server"; wait "$server" 2>/dev/null || true; server=""

mirror="$work/mirror"
rm -rf "$mirror"
timed() {
  local t0; t0=$(date +%s.%N)
  "$@" 2>&1 | sed 's/^/   /'
  echo "   $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
}
summary() { echo "   files: $(find "$mirror" -type f | wc -l) ($(find "$mirror" -type f ! -name '*.gz' ! -name '*.br' | wc -l) without .gz and .br); bytes: $(du -sb "$mirror" | cut -f1)"; }
echo "== herald export (cold)"
timed "$herald" export "$mirror"
summary
echo "== herald export again (no change)"
timed "$herald" export "$mirror"

echo "== herald serve --mirror: one new update"
port=$(free_port)
HERALD_LOG=info "$herald" serve --listen "127.0.0.1:$port" --workers 1 --mirror "$mirror" 2>"$work/mirror-serve.log" &
server=$!
until grep -q "mirror written" "$work/mirror-serve.log" 2>/dev/null; do
  kill -0 "$server" || { cat "$work/mirror-serve.log" >&2; exit 1; }
  sleep 1
done
marker="$work/marker"
touch "$marker"
sleep 1.1
incident=$(curl -fs "http://127.0.0.1:$port/api/v1/incidents?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["incidents"][0]["id"])')
posted=$(date +%s.%N)
curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"status":"resolved","message":"Bench: one more update."}' "http://127.0.0.1:$port/api/v1/incidents/$incident/updates"
page="$mirror/incidents/$incident.html"
until grep -q "Bench: one more update" "$page" 2>/dev/null; do sleep 0.02; done
echo "   the incident page had the update after $(python3 -c "print(round($(date +%s.%N) - $posted, 2))") s"
sleep 3
echo "   files rewritten: $(find "$mirror" -type f -newer "$marker" | wc -l) ($(find "$mirror" -type f -newer "$marker" ! -name '*.gz' ! -name '*.br' | wc -l) without .gz and .br), of $(find "$mirror" -type f | wc -l)"
echo "   work directory: $work"
