#!/usr/bin/env bash
# Serves a static mirror (`herald export DIR`) with nginx, in the foreground, as an unprivileged
# user: scripts/mirror-nginx.sh DIR PORT WORKDIR. WORKDIR holds the generated nginx.conf, the
# pid file, the error log and nginx's temporary directories. The configuration is the one the
# README's "Static mirror" section describes (and tests/it/mirror.rs uses): pages are found at
# PATH.html or PATH/index.html, a query (older history pages, a component's older incidents)
# at PATH__QUERY.html, precompressed .gz copies are sent to clients that accept gzip, and a
# missing file gets 404.html.
set -euo pipefail
root=$(cd "$1" && pwd)
port=$2
work=$(mkdir -p "$3" && cd "$3" && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "mirror-nginx: nginx is not installed (apt-get install -y nginx)" >&2; exit 1; }
cat >"$work/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  types { application/atom+xml atom; application/rss+xml rss; }
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  map \$args \$mirror_query { "" ""; default "__\$args"; }
  server {
    listen 127.0.0.1:$port;
    root $root;
    gzip_static on;
    error_page 404 /404.html;
    location / {
      try_files \$uri\$mirror_query.html \$uri.html \$uri \${uri}index.html \$uri/index.html =404;
    }
  }
}
CONF
exec "$nginx" -e "$work/startup.log" -p "$work" -c "$work/nginx.conf"
