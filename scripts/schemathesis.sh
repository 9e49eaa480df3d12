#!/usr/bin/env bash
# API fuzzing with schemathesis against the document Herald serves at /api/openapi.json, with an
# admin token, on SQLite and on PostgreSQL (a fresh database each, loaded with the demo page so
# that the generated requests reach real objects). Checks: no server error, every response
# conforms to its schema, its status code is documented, its content type is the documented one.
# Prints the test cases run and the failures per database; fails on any failure or error.
#
# Uses the debug binary of `cargo test` (target/debug/herald; `cargo test --no-run` if absent)
# and installs schemathesis from PyPI into a virtualenv under target/.
#
#   HERALD_TEST_POSTGRES_URL   PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test)
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 30)
#   SCHEMATHESIS_DATABASES     "sqlite postgres" (default) or either one
#   SCHEMATHESIS_MAX_TIME      seconds of fuzzing per database (default 120; CI's time budget)
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
HERALD="${HERALD_BIN:-target/debug/herald}"
PG_URL="${HERALD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
DATABASES="${SCHEMATHESIS_DATABASES:-sqlite postgres}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-120}"
VENV="${SCHEMATHESIS_VENV:-$PWD/target/schemathesis-venv}"

if [ ! -x "$HERALD" ]; then
  echo "== building $HERALD (the build of cargo test)"
  cargo test --no-run
fi

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK="$(mktemp -d)"
SERVER_PID=""
PG_DB=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$PG_DB" ]; then psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Database URL for a fresh database on the PostgreSQL server of $PG_URL.
pg_database() {
  local name="$1" base="${PG_URL%%\?*}" query=""
  [ "$base" != "$PG_URL" ] && query="?${PG_URL#*\?}"
  psql -q "$PG_URL" -c "CREATE DATABASE $name" >/dev/null
  echo "${base%/*}/$name$query"
}

summary=()
failed=0
for db in $DATABASES; do
  case "$db" in
    sqlite) url="$WORK/herald-sqlite.db" ;;
    postgres)
      PG_DB="herald_schemathesis_$$"
      url="$(pg_database "$PG_DB")" ;;
    *) echo "error: unknown database $db" >&2; exit 2 ;;
  esac
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  export DATABASE_URL="$url" HERALD_LOG_FORMAT=text
  "$HERALD" migrate >/dev/null 2>&1
  "$HERALD" demo >/dev/null 2>&1
  token="$("$HERALD" token create --name schemathesis --role admin 2>/dev/null)"
  # A high failure limit: fuzzing may send odd Authorization headers, and must not lock itself out.
  "$HERALD" serve --listen "127.0.0.1:$port" --public-url "$base" --auth-failure-limit 1000000 \
    >"$WORK/herald-$db.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "$base/readyz" >/dev/null

  echo "== schemathesis on $db ($MAX_EXAMPLES examples per operation, at most $MAX_TIME s)"
  report="$WORK/report-$db.json"
  set +e
  # From the scratch directory: schemathesis keeps a cache in its working directory.
  (cd "$WORK" && "$VENV/bin/st" --no-color run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --seed 9 \
    --workers 2 \
    --request-timeout 30 \
    --max-time "$MAX_TIME" \
    --generation-database none \
    --report json --report-json-path "$report")
  code=$?
  set -e
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if grep -E ' (ERROR|WARN) ' "$WORK/herald-$db.log" | grep -iE 'internal|panic' >/dev/null; then
    echo "-- server log ($db): internal errors"
    grep -E ' (ERROR|WARN) ' "$WORK/herald-$db.log" | head -n 20
  fi
  if [ "$db" = postgres ]; then
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=""
  fi
  line="$(python3 - "$report" "$db" "$code" <<'PY'
import json, sys
path, db, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    r = json.load(open(path))
except (OSError, ValueError):
    print(f"{db}: no report (schemathesis exit code {code})"); sys.exit(1)
cases = r["test_cases"]
failures = sum(f["count"] for f in r["failures"])
errors = sum(e["count"] for e in r["errors"])
ops = r["operations"]
print(f"{db}: {cases['generated']} cases run on {ops['tested']}/{ops['total']} operations, "
      f"{failures} failures, {errors} errors (exit code {code})")
sys.exit(0 if code == 0 and failures == 0 and errors == 0 and cases["generated"] > 0 else 1)
PY
)" || failed=1
  summary+=("$line")
done

echo "== schemathesis summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
