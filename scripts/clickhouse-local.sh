#!/usr/bin/env bash
# A private ClickHouse server for tests and benchmarks: the machine's clickhouse-server binary,
# run as a user process with its data, logs and config in one folder, on 127.0.0.1 only.
#
#   scripts/clickhouse-local.sh start DIR [HTTP_PORT]   prints the storage URL on success
#   scripts/clickhouse-local.sh stop DIR                stops it (the folder stays; remove it)
#
# The config is the packaged one (/etc/clickhouse-server) with its paths pointed into DIR, its
# ports moved (HTTP_PORT, default a free one; the native port another free one; no interserver
# port) and one extra user, agentops/agentops, so that URLs carry credentials as in production.
#
# The server runs with MALLOC_CONF (unless the caller sets its own) telling the jemalloc that
# Debian's build links to keep freed memory for reuse: by default it returns every allocation
# over 8 MiB (a column of a large insert) to the kernel at once, and the next insert faults it
# back in page by page, which on a virtual machine costs ClickHouse a third of its ingest CPU
# (docs/scale.md); and to ask for transparent huge pages for its memory (thp:always, which the
# kernel's default "madvise" mode grants), so that what it does fault in costs one fault per
# 2 MiB instead of one per 4 KiB. Production servers want the same settings.
set -euo pipefail

command=${1:-}
dir=${2:-}
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [HTTP_PORT]" >&2; exit 2; }

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

case "$command" in
start)
  binary=/usr/sbin/clickhouse-server
  [ -x "$binary" ] || { echo "clickhouse-server is not installed ($binary is missing)" >&2; exit 1; }
  [ -f /etc/clickhouse-server/config.xml ] || { echo "/etc/clickhouse-server/config.xml is missing" >&2; exit 1; }
  mkdir -p "$dir"/data "$dir"/tmp "$dir"/user_files "$dir"/format_schemas "$dir"/log
  dir=$(cd "$dir" && pwd)
  http_port=${3:-$(free_port)}
  tcp_port=$(free_port)
  if curl -fsS "http://127.0.0.1:$http_port/ping" >/dev/null 2>&1; then
    echo "127.0.0.1:$http_port already answers: another server uses that port" >&2
    exit 1
  fi
  sed -e "s#<log>.*</log>#<log>$dir/log/clickhouse-server.log</log>#" \
      -e "s#<errorlog>.*</errorlog>#<errorlog>$dir/log/clickhouse-server.err.log</errorlog>#" \
      -e "s#<http_port>.*</http_port>#<http_port>$http_port</http_port><listen_host>127.0.0.1</listen_host>#" \
      -e "s#<tcp_port>.*</tcp_port>#<tcp_port>$tcp_port</tcp_port>#" \
      -e "/<interserver_http_port>/d" \
      -e "s#<path>/var/lib/clickhouse/</path>#<path>$dir/data/</path>#" \
      -e "s#<tmp_path>.*</tmp_path>#<tmp_path>$dir/tmp/</tmp_path>#" \
      -e "s#<user_files_path>.*</user_files_path>#<user_files_path>$dir/user_files/</user_files_path>#" \
      -e "s#<format_schema_path>.*</format_schema_path>#<format_schema_path>$dir/format_schemas/</format_schema_path>#" \
      /etc/clickhouse-server/config.xml >"$dir/config.xml"
  # The agentops user: the default user's rights, with a password.
  sed -e "s#<users>#<users><agentops><password>agentops</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></agentops>#" \
      /etc/clickhouse-server/users.xml >"$dir/users.xml"
  if grep -q "/var/lib/clickhouse\|/var/log/clickhouse" "$dir/config.xml"; then
    echo "the generated config still points at system paths" >&2
    exit 1
  fi
  # Detached (own session, no inherited descriptors), so that whoever reads this script's output
  # is not kept waiting by the server. As root it runs as root: it only ever touches DIR.
  cd "$dir"
  export MALLOC_CONF="${MALLOC_CONF:-oversize_threshold:0,dirty_decay_ms:30000,muzzy_decay_ms:30000,thp:always}"
  setsid "$binary" --config-file="$dir/config.xml" </dev/null >"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/server.pid"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$http_port/ping" >/dev/null 2>&1 && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
      echo "clickhouse://agentops:agentops@127.0.0.1:$http_port/default"
      exit 0
    fi
    if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "clickhouse-server did not answer on 127.0.0.1:$http_port; its log:" >&2
  tail -n 20 "$dir/log/clickhouse-server.err.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
  "$0" stop "$dir" >/dev/null 2>&1 || true
  exit 1
  ;;
stop)
  [ -f "$dir/server.pid" ] || exit 0
  pid=$(cat "$dir/server.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$dir/server.pid"
  ;;
*)
  echo "usage: $0 start|stop DIR [HTTP_PORT]" >&2
  exit 2
  ;;
esac
