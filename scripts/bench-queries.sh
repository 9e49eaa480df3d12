#!/usr/bin/env bash
# Times the hottest reads on a SQLite database of N incidents (default 20,000; 4 updates each,
# 10% of updates translated, one audit row per update, 20 components), before and after the
# 0003 indexes and query rewrites (issue 15). The database is built by direct bulk inserts in
# SQL (recursive CTEs) against the migrations' schema; needs the sqlite3 command.
# Query-level only: the page and API timings of issue 15 are not measured here.
set -euo pipefail
N=${1:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/bench.db
{
  cat "$here/migrations/sqlite/0001_initial.sql" "$here/migrations/sqlite/0002_children_label.sql"
  cat <<SQL
INSERT INTO components (id,name,is_group,position,status,only_show_if_degraded,showcase,created_at,updated_at)
 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20)
 SELECT printf('c%025d',i),'C'||i,0,i,'operational',0,1,'2021-01-01T00:00:00Z','2021-01-01T00:00:00Z' FROM n;
INSERT INTO incidents (id,kind,title,impact,status,locale,started_at,auto_transition,created_at,updated_at,resolved_at)
 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<$N)
 SELECT printf('i%025d',i), CASE WHEN i%20=0 THEN 'maintenance' ELSE 'incident' END, 'Incident '||i,
  CASE WHEN i%20=0 THEN 'maintenance' ELSE 'minor' END, CASE WHEN i%20=0 THEN 'completed' ELSE 'resolved' END, 'en',
  strftime('%Y-%m-%dT%H:%M:%fZ', '2021-11-20', '+'||(i*2)||' hours'), 0,
  strftime('%Y-%m-%dT%H:%M:%fZ', '2021-11-20', '+'||(i*2)||' hours'),
  strftime('%Y-%m-%dT%H:%M:%fZ', '2021-11-20', '+'||(i*2)||' hours'),
  strftime('%Y-%m-%dT%H:%M:%fZ', '2021-11-20', '+'||(i*2+1)||' hours') FROM n;
INSERT INTO incident_components SELECT id, printf('c%025d', 1 + (abs(random()) % 20)), 1 FROM incidents;
INSERT INTO incident_updates (id,incident_id,seq,status,message,display_at,created_at,updated_at)
 WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j+1 FROM k WHERE j<4)
 SELECT i.id||'u'||j, i.id, j, CASE WHEN j=4 THEN i.status WHEN i.kind='maintenance' THEN 'in_progress' ELSE 'investigating' END,
  'We are looking into it. '||hex(randomblob(100)), i.started_at, i.started_at, i.started_at FROM incidents i, k;
INSERT INTO translations SELECT 'update', u.id, 'message', 'fr', 'Texte '||hex(randomblob(100)), 'human', '', u.created_at
 FROM incident_updates u WHERE abs(random()) % 10 = 0;
INSERT INTO audit_log (id,at,actor,action,object_kind,object_id,before_json,after_json)
 SELECT 'a'||u.id, u.created_at, 'user:ada', 'update.create', 'update', u.id, NULL,
  '{"message":"'||hex(randomblob(400))||'"}' FROM incident_updates u;
SQL
} | sqlite3 "$db" >/dev/null
last=$(sqlite3 "$db" "SELECT id FROM incidents ORDER BY started_at DESC LIMIT 1")
end=$(sqlite3 "$db" "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', max(started_at), '+1 hour') FROM incidents")
start=$(sqlite3 "$db" "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', max(started_at), '-14 days') FROM incidents")
params=".param init
.param set :k 'incident'
.param set :s '$start'
.param set :b '$end'
.param set :i '$last'
.param set :n NULL"
# Prints "name milliseconds" for each statement (best of three).
time_reads() { # $1: file of "name<TAB>sql" lines
  while IFS=$'\t' read -r name sql; do
    best=""
    for _ in 1 2 3; do
      ms=$(printf '%s\n.timer on\n%s;\n' "$params" "$sql" | sqlite3 "$db" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | tail -1)
      best=$(awk -v a="$ms" -v b="${best:-999}" 'BEGIN { print (a < b) ? a : b }')
    done
    # sqlite3 times to the millisecond.
    printf '%-22s %8s ms\n' "$name" "$(awk -v s="$best" 'BEGIN { ms = s * 1000; if (ms < 1) print "< 1"; else print ms }')"
  done <"$1"
}
tab=$'\t'
cat >"$dir/old" <<SQL
latest_change${tab}SELECT id FROM audit_log ORDER BY at DESC, id DESC LIMIT 1
home: last 14 days${tab}SELECT count(*) FROM (SELECT * FROM incidents WHERE (:k IS NULL OR kind = :k) AND (:b IS NULL OR started_at < :b) AND (:s IS NULL OR started_at >= :s) ORDER BY started_at DESC, created_at DESC, id LIMIT 201)
api/v1 newest 50${tab}SELECT count(*) FROM (SELECT * FROM incidents WHERE (:n IS NULL OR kind = :n) AND (:n IS NULL OR started_at < :n) AND (:n IS NULL OR started_at >= :n) ORDER BY started_at DESC, created_at DESC, id LIMIT 51)
detail translations${tab}SELECT count(*) FROM (SELECT t.* FROM translations t LEFT JOIN incident_updates u ON t.object_kind = 'update' AND u.id = t.object_id LEFT JOIN remediation_items r ON t.object_kind = 'remediation-item' AND r.id = t.object_id WHERE (t.object_kind IN ('incident', 'postmortem') AND t.object_id IN (:i)) OR (t.object_kind = 'update' AND u.incident_id IN (:i)) OR (t.object_kind = 'remediation-item' AND r.incident_id IN (:i)))
SQL
cat >"$dir/new" <<SQL
latest_change${tab}SELECT audit_id FROM change_marker WHERE singleton = 1
home: last 14 days${tab}SELECT count(*) FROM (SELECT * FROM incidents WHERE kind = :k AND started_at < :b AND started_at >= :s ORDER BY started_at DESC, created_at DESC, id LIMIT 201)
api/v1 newest 50${tab}SELECT count(*) FROM (SELECT * FROM incidents ORDER BY started_at DESC, created_at DESC, id LIMIT 51)
detail translations${tab}SELECT count(*) FROM (SELECT t.*, t.object_id AS owner FROM translations t WHERE t.object_kind IN ('incident', 'postmortem') AND t.object_id IN (:i) UNION ALL SELECT t.*, u.incident_id FROM incident_updates u CROSS JOIN translations t WHERE u.incident_id IN (:i) AND t.object_kind = 'update' AND t.object_id = u.id UNION ALL SELECT t.*, r.incident_id FROM remediation_items r CROSS JOIN translations t WHERE r.incident_id IN (:i) AND t.object_kind = 'remediation-item' AND t.object_id = r.id)
SQL
echo "$N incidents, before (0001-0002, old queries):"
time_reads "$dir/old"
sqlite3 "$db" <"$here/migrations/sqlite/0003_query_indexes.sql"
echo "after (0003, new queries):"
time_reads "$dir/new"
