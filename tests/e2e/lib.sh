# Helpers for the end-to-end tests: free ports, starting and stopping ecohub serve.
# Everything runs on 127.0.0.1 and is cleaned up on exit.

# Creates $WORK and arranges that on exit the server ($SERVER_PID) is killed and $WORK
# removed. Scripts with more processes to stop define their own cleanup.
work_dir() {
  WORK=$(mktemp -d)
  SERVER_PID=""
  trap 'if [ -n "$SERVER_PID" ]; then kill -9 "$SERVER_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_server BIN DATA GWPORT LOG [extra args...]: starts serve, waits for its ports.
# Sets SERVER_PID and HTTP_PORT. A new data directory gets the account `admin` with
# the password $ADMIN_PASSWORD (ehtest.login() logs in with it).
ADMIN_PASSWORD=E2e-admin-pass-1
export ADMIN_PASSWORD
start_server() {
  local bin=$1 data=$2 gwport=$3 log=$4
  shift 4
  printf '%s\n' "$ADMIN_PASSWORD" >"$WORK/admin.pw"
  "$bin" serve --data "$data" --gateway-listen "127.0.0.1:$gwport" --http-listen 127.0.0.1:0 \
    --admin-password-file "$WORK/admin.pw" "$@" \
    >"$log.out" 2>>"$log" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q '^http listening on' "$log.out" 2>/dev/null; then
      HTTP_PORT=$(sed -n 's/^http listening on .*:\([0-9]*\)$/\1/p' "$log.out")
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server exited early:"; cat "$log"; return 1
    fi
    sleep 0.1
  done
  echo "server did not start in 30 s"; cat "$log"; return 1
}

http_get() {  # http_get PORT PATH -> body on stdout, fails on connection error
  python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=10) as r:
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode()); sys.exit(22)
PY
}

metric() {  # metric PORT NAME -> value (0 when absent)
  http_get "$1" /metrics | awk -v n="$2" '$1==n {print $2; found=1} END {if (!found) print 0}'
}

# start_pg: a PostgreSQL server of the test's own, from Debian's server programs
# (postgresql-15), in a fresh folder, on a free loopback port, with a database
# `ecohub` owned by the superuser `ecohub` (trust on loopback: tests only). Sets
# PG_DIR, PG_URL; stop_pg stops it and removes the folder. Returns 77 (the tests'
# "skipped") when PostgreSQL is not installed. As root the server runs as `postgres`.
start_pg() {
  PG_BIN=${ECOHUB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  if [ ! -x "$PG_BIN/initdb" ]; then echo "PostgreSQL server programs not installed"; return 77; fi
  PG_DIR=$(mktemp -d)
  PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; PG_AS=(runuser -u postgres --); fi
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U ecohub -E UTF8 --no-locale \
    --no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
  local port
  port=$(free_port)
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=200" start \
    >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U ecohub ecohub
  PG_URL="postgresql://ecohub@127.0.0.1:$port/ecohub"
}

stop_pg() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# start_pg_or_exit: start_pg, leaving the script with 77 (skipped) when PostgreSQL is
# not installed and 1 when it does not start.
start_pg_or_exit() {
  local rc=0
  start_pg || rc=$?
  [ "$rc" -eq 0 ] || exit "$rc"
}

# acked_all_stored ACKED_LOG DUMP MIN: every line of the simulator's acked log (a
# reading whose packet got its 9014) is in DUMP (`ecohub db dump` output), and at
# least MIN readings were acknowledged (a run that streamed nothing proves nothing).
# Prints the counts; returns 1 with the first missing lines otherwise.
acked_all_stored() {
  local acked=$1 dump=$2 min=$3 n missing
  sort -u "$acked" >"$acked.sorted"
  sort -u "$dump" >"$dump.sorted"
  n=$(wc -l <"$acked.sorted")
  missing=$(comm -23 "$acked.sorted" "$dump.sorted" | wc -l)
  echo "acked readings: $n, stored: $(wc -l <"$dump.sorted"), acked but missing: $missing"
  if [ "$missing" -ne 0 ]; then
    echo "FAIL: acknowledged readings lost, first ones:"
    comm -23 "$acked.sorted" "$dump.sorted" | head -5
    return 1
  fi
  if [ "$n" -lt "$min" ]; then
    echo "FAIL: only $n readings acknowledged; the stream did not flow"
    return 1
  fi
}
