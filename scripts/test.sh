#!/usr/bin/env bash
# The test command: builds the workspace, makes sure the services the tests need are there
# (PostgreSQL and ClickHouse for the second and third stores, Chromium for the dashboard's
# browser tests), runs jest, and ends with one line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq >/dev/null 2>&1 && apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null 2>&1
}

# Chromium (Debian's) for the dashboard's browser tests.
if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium for the browser tests"
  apt_install chromium || say "could not install chromium: the browser tests will fail"
fi

# PostgreSQL: start the machine's cluster and create the test role and database.
if [ -z "${AGENTOPS_TEST_PG_URL:-}" ]; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    say "installing postgresql"
    apt_install postgresql || say "could not install postgresql"
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
    if [ -n "$version" ]; then
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
      for _ in $(seq 1 30); do as_root su postgres -c "pg_isready -q" && break; sleep 0.5; done
      as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='agentops'\"" 2>/dev/null | grep -q 1 ||
        as_root su postgres -c "psql -qc \"CREATE ROLE agentops LOGIN PASSWORD 'agentops' SUPERUSER\"" >/dev/null 2>&1
      as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='agentops_test'\"" 2>/dev/null | grep -q 1 ||
        as_root su postgres -c "createdb -O agentops agentops_test" >/dev/null 2>&1
      if as_root su postgres -c "pg_isready -q"; then
        export AGENTOPS_TEST_PG_URL="postgres://agentops:agentops@127.0.0.1:5432/agentops_test"
        say "PostgreSQL $version is running; its store tests run too"
      fi
    fi
  fi
  [ -n "${AGENTOPS_TEST_PG_URL:-}" ] || say "PostgreSQL is not available: its store tests will report that they did not run"
fi

# ClickHouse: a private server (scripts/clickhouse-local.sh) in a temporary folder on 127.0.0.1,
# stopped and removed however the run ends.
clickhouse_dir=""
clickhouse_problem=""
stop_clickhouse() {
  if [ -n "$clickhouse_dir" ]; then
    scripts/clickhouse-local.sh stop "$clickhouse_dir" >/dev/null 2>&1 || say "could not stop the test ClickHouse server in $clickhouse_dir"
    rm -rf "$clickhouse_dir"
    clickhouse_dir=""
  fi
}
trap stop_clickhouse EXIT
trap 'exit 130' INT TERM
if [ -z "${AGENTOPS_TEST_CLICKHOUSE_URL:-}" ]; then
  if [ ! -x /usr/sbin/clickhouse-server ]; then
    say "installing clickhouse-server"
    apt_install clickhouse-server || clickhouse_problem="apt-get could not install clickhouse-server"
  fi
  if [ -x /usr/sbin/clickhouse-server ]; then
    clickhouse_dir=$(mktemp -d "${TMPDIR:-/tmp}/agentops-clickhouse.XXXXXX")
    if url=$(scripts/clickhouse-local.sh start "$clickhouse_dir" 2>"$clickhouse_dir/start.err"); then
      export AGENTOPS_TEST_CLICKHOUSE_URL="$url"
      port=${url##*:}
      version=$(curl -fsS "http://127.0.0.1:${port%%/*}/?query=SELECT%20version()" -u agentops:agentops 2>/dev/null)
      say "ClickHouse ${version:-?} is running on 127.0.0.1:${port%%/*}; its store tests run too"
    else
      clickhouse_problem="clickhouse-server did not start: $(tr '\n' ' ' <"$clickhouse_dir/start.err")"
    fi
  elif [ -z "$clickhouse_problem" ]; then
    clickhouse_problem="clickhouse-server is not installed"
  fi
  [ -z "$clickhouse_problem" ] || say "ClickHouse is NOT available ($clickhouse_problem): its store tests will report that they did not run"
fi

say "building"
npx -y pnpm@10.20.0 build >/tmp/agentops-build.log 2>&1 || { cat /tmp/agentops-build.log; echo "0 passed, 1 failed"; exit 1; }

say "running the tests"
results=$(mktemp)
rm -f test-artifacts/faults.jsonl
npx jest --json --outputFile="$results" "$@"
status=$?
node scripts/faults-report.mjs || true
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" 2>/dev/null || echo "0 passed, 1 failed"
rm -f "$results"
[ -z "$clickhouse_problem" ] || say "ClickHouse tests did NOT run: $clickhouse_problem"
exit $status
