#!/usr/bin/env bash
# Speed under a rush: requests per second and p99 latency of Herald's home and incident pages
# against nginx serving the home page's bytes as a static file, on this machine, in one run.
# Also measures how long a new update takes to show on the home page while under load.
#   scripts/bench-pages.sh [seconds per run, default 10] [connections, default 64] [rounds, default 3]
# The three measurements alternate for the given number of rounds and the medians are reported,
# so a slow moment of the machine does not favour one side. HERALD_WORKERS sets Herald's workers.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"; conns="${2:-64}"; rounds="${3:-3}"
need() { command -v "$1" >/dev/null || { apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }; }
need wrk wrk
need nginx nginx-light
cargo build --release --quiet
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hport=$(free_port); nport=$(free_port)
export DATABASE_URL="$work/bench.db" HERALD_LOG=warn
target/release/herald demo
target/release/herald serve --listen "127.0.0.1:$hport" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$hport/healthz" >/dev/null && break; sleep 0.1; done
herald="http://127.0.0.1:$hport"
token=$(target/release/herald token create --name bench --role responder 2>/dev/null)
incident=$(curl -fs "$herald/api/v1/incidents?status=identified&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["incidents"][0]["id"])')
mkdir -p "$work/www"
curl -fs -o "$work/www/index.html" "$herald/en/"
cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { text/html html; }
  server { listen 127.0.0.1:$nport; root $work/www; location / { index index.html; } }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.3
run() { # name url → "rps p99_ms"
  local out; out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$2")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
  echo "$rps $p99"
}
echo "warming up"; wrk -t2 -c"$conns" -d2s "$herald/en/" >/dev/null; wrk -t2 -c"$conns" -d2s "http://127.0.0.1:$nport/" >/dev/null
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
declare -a nr np hr hp ir ip
for round in $(seq "$rounds"); do
  read -r a b < <(run nginx "http://127.0.0.1:$nport/"); nr+=("$a"); np+=("$b")
  read -r a b < <(run home "$herald/en/"); hr+=("$a"); hp+=("$b")
  read -r a b < <(run incident "$herald/en/incidents/$incident"); ir+=("$a"); ip+=("$b")
  echo "round $round: nginx ${nr[-1]} rps, home ${hr[-1]} rps, incident ${ir[-1]} rps"
done
n_rps=$(median "${nr[@]}"); n_p99=$(median "${np[@]}")
h_rps=$(median "${hr[@]}"); h_p99=$(median "${hp[@]}")
i_rps=$(median "${ir[@]}"); i_p99=$(median "${ip[@]}")
# Freshness under load: post an update while wrk hammers the home page; time until it shows.
wrk -t2 -c"$conns" -d"${secs}s" "$herald/en/" >/dev/null &
load=$!
sleep 2
marker="bench-$(date +%s%N)"
start=$(date +%s%N)
curl -fs -o /dev/null -X POST "$herald/api/v1/incidents/$incident/updates" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"status\": \"monitoring\", \"message\": \"$marker\"}"
until curl -fs "$herald/en/" | grep -q "$marker"; do sleep 0.01; done
shown_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$load" || true
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
printf '\nmedians of %s rounds of %s s, %s connections; page bytes: home %s, incident %s\n' "$rounds" "$secs" "$conns" "$(wc -c < "$work/www/index.html")" "$(curl -fs "$herald/en/incidents/$incident" | wc -c)"
printf '%-22s %12s %10s\n' "" "requests/s" "p99 (ms)"
printf '%-22s %12s %10s\n' "nginx (static bytes)" "$n_rps" "$n_p99"
printf '%-22s %12s %10s\n' "Herald home" "$h_rps" "$h_p99"
printf '%-22s %12s %10s\n' "Herald incident" "$i_rps" "$i_p99"
echo
echo "home/nginx throughput ratio:     $(ratio "$h_rps" "$n_rps")   (p99 nginx/home: $(ratio "$n_p99" "$h_p99"))"
echo "incident/nginx throughput ratio: $(ratio "$i_rps" "$n_rps")   (p99 nginx/incident: $(ratio "$n_p99" "$i_p99"))"
echo "a new update showed on the home page ${shown_ms} ms after the API acknowledged it (under load)"
