#!/usr/bin/env bash
# bench/api_bench.sh ECOHUB_BINARY: the HTTP API under wrk, beside nginx serving the very
# same bytes as static files.
#
# Starts `ecohub serve --demo` on a fresh data directory with BENCH_API_DAYS (366) days of
# hourly history and the rate limits raised out of the way ([limits] in a --config file),
# creates an API key, and measures with wrk (BENCH_API_SECONDS, 10 s, per run; -t2, or -t1
# at one connection) at BENCH_API_CONNECTIONS (1 16 256) connections:
#   latest-all    GET /api/v1/latest (the latest values of every site)
#   station-year  GET /api/v1/readings?site=<air station>&factor=a34004&period=hour&from=<366
#                 days ago>&to=<tomorrow> (one station's year of hourly PM2.5)
# Then nginx (worker_processes 2, access_log off, on a free 127.0.0.1 port) serves each
# body ecohub returned as a static JSON file, measured the same way. BENCH_API_GZIP: off
# (default: no Accept-Encoding), on (Accept-Encoding: gzip; nginx compresses on the fly at
# level 1, as ecohub does) or both. Targets: latest-all >= 0.5x nginx's requests/s;
# station-year median < 10 ms (judged at one connection, where no queueing is in it).
#
# Comparing two builds on a shared machine: BENCH_API_RUNS (1) measures every row that
# many times, in rounds, and reports each figure's median (every run is in wrk.log);
# BENCH_API_ENDPOINTS ("latest year") picks the endpoints; BENCH_API_NGINX=off skips
# nginx; BENCH_API_DATA_FROM=DIR starts from a copy of a data directory kept by an
# earlier run (BENCH_API_KEEP=1: $WORK/data) instead of seeding and compacting anew,
# so that both builds read the very same file (its admin password is the earlier
# run's: the login-token row is then skipped).
#
# BENCH_API_STORE=postgresql runs the same on PostgreSQL (a server of the bench's own
# from Debian's postgresql-15, started on a free loopback port as the tests do, default
# settings, fsync on) instead of the SQLite data directory.
#
# Installs nginx-light and wrk from Debian when missing. The startup derivation of AQI etc.
# over the whole history is switched off ([derive] enabled = false; BENCH_API_DERIVE=on
# keeps it): neither endpoint reads derived rows, and it would add minutes. Everything it
# starts is stopped on exit. Client and servers share this machine's cores: compare runs.
set -uo pipefail

BIN=$(realpath "${1:-build/ecohub}")
DAYS=${BENCH_API_DAYS:-366}
SECS=${BENCH_API_SECONDS:-10}
CONNS=${BENCH_API_CONNECTIONS:-"1 16 256"}
GZIP_MODE=${BENCH_API_GZIP:-off}
DERIVE=${BENCH_API_DERIVE:-off}
RUNS=${BENCH_API_RUNS:-1}
ENDPOINTS=${BENCH_API_ENDPOINTS:-"latest year"}
WITH_NGINX=${BENCH_API_NGINX:-on}
DATA_FROM=${BENCH_API_DATA_FROM:-}
STORE=${BENCH_API_STORE:-sqlite}

say() { echo "api_bench: $*" >&2; }

# --- tools ---------------------------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! command -v wrk >/dev/null || [ ! -x "$NGINX" ]; then
  say "installing nginx-light and wrk"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q --no-install-recommends nginx-light wrk >/dev/null 2>&1 ||
    { $SUDO apt-get update -q >/dev/null 2>&1 &&
      $SUDO apt-get install -y -q --no-install-recommends nginx-light wrk >/dev/null; } ||
    { say "cannot install nginx-light and wrk"; exit 1; }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
for t in curl python3; do command -v $t >/dev/null || { say "$t is required"; exit 1; }; done
[ -x "$BIN" ] || { say "no ecohub binary at $BIN"; exit 1; }

# --- cleanup ---------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/ecohub-api-bench.XXXXXX)
WWW=$(mktemp -d /tmp/ecohub-api-bench-www.XXXXXX)  # readable by nginx's workers (nobody)
chmod 755 "$WWW"
SERVER_PID="" NGINX_PID=""
stop() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
cleanup() {
  stop "$NGINX_PID"
  stop "$SERVER_PID"
  wait 2>/dev/null
  [ "$STORE" = postgresql ] && stop_pg
  rm -rf "$WORK" "$WWW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- ecohub ----------------------------------------------------------------------------
# The binary is copied: a rebuild during the run neither replaces it nor hides its symbols
# from `perf`.
cp "$BIN" "$WORK/ecohub"
PASSWORD="bench-$(date +%s)-$RANDOM$RANDOM"
printf '%s\n' "$PASSWORD" >"$WORK/admin.pw"
chmod 600 "$WORK/admin.pw"
cat >"$WORK/ecohub.toml" <<EOF
[limits]
per_second = 1000000
burst = 1000000
per_address_per_second = 1000000
per_address_burst = 1000000

[http]
max_connections_per_address = 100000
EOF
[ "$DERIVE" = off ] && printf '\n[derive]\nenabled = false\n' >>"$WORK/ecohub.toml"

DATA="$WORK/data"
STORE_ARGS=()
case "$STORE" in
  sqlite) ;;
  postgresql)
    [ -z "$DATA_FROM" ] || { say "BENCH_API_DATA_FROM is a SQLite data directory: not with PostgreSQL"; exit 1; }
    source "$(dirname "$0")/../tests/e2e/lib.sh"
    start_pg || { say "cannot start PostgreSQL (postgresql-15 installed? scripts/setup.sh)"; exit 1; }
    STORE_ARGS=(--store "$PG_URL")
    echo "store: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $PG_URL (default settings)" ;;
  *) say "BENCH_API_STORE is sqlite or postgresql, not '$STORE'"; exit 1 ;;
esac
if [ -n "$DATA_FROM" ]; then
  [ -f "$DATA_FROM/ecohub.db" ] || { say "no ecohub.db in $DATA_FROM"; exit 1; }
  cp -a "$DATA_FROM" "$DATA"
fi
T0=$(date +%s.%N)
"$WORK/ecohub" --log-level info serve --config "$WORK/ecohub.toml" --data "$DATA" "${STORE_ARGS[@]}" --demo \
  --demo-history-days "$DAYS" --http-listen 127.0.0.1:0 --gateway-listen 127.0.0.1:0 \
  --admin-password-file "$WORK/admin.pw" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 24000); do  # up to 40 minutes
  PORT=$(sed -n 's/^http listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/serve.out")
  [ -n "$PORT" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    say "ecohub serve exited before listening:"
    tail -20 "$WORK/serve.err" >&2
    if grep -qi 'limits' "$WORK/serve.err"; then
      say "the server rejected the [limits] section of $WORK/ecohub.toml"
    fi
    exit 1
  fi
  sleep 0.1
done
[ -n "$PORT" ] || { say "ecohub serve did not start"; exit 1; }
T1=$(date +%s.%N)
BASE="http://127.0.0.1:$PORT"
echo "ecohub serve: ready in $(python3 -c "print(round($T1-$T0,1))") s (demo city, $DAYS days of hourly history, derivation at start-up $DERIVE)"
grep -E 'seeding|devices registered|deriving|\[derive\]' "$WORK/serve.err" | sed 's/^/  /'

# The seeded history lands in the write-optimised table; the housekeeper's first pass (30 s
# after start) compacts it into per-day chunks, as a long-running server has it, for
# minutes, and figures taken meanwhile measure the compaction. Wait for it: the server's
# CPU time idle (< 5% of a core over 3 s, twice running).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }
T2=$(date +%s)
sleep 35
idle=0
prev=$(cpu_ticks)
HZ=$(getconf CLK_TCK)
for _ in $(seq 1200); do
  sleep 3
  now=$(cpu_ticks)
  if [ $(( (now - prev) * 100 / HZ )) -lt 15 ]; then idle=$((idle + 1)); else idle=0; fi
  prev=$now
  [ "$idle" -ge 2 ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { say "ecohub serve died"; tail -5 "$WORK/serve.err" >&2; exit 1; }
done
echo "start-up compaction of the history (housekeeping): settled after $(( $(date +%s) - T2 )) s"

KEY=$("$WORK/ecohub" --log-level error key add --data "$DATA" "${STORE_ARGS[@]}" --owner admin --name bench 2>"$WORK/key.err" |
      grep -o 'ehk_[A-Za-z0-9_-]*' | head -1)
[ -n "$KEY" ] || { say "ecohub key add failed:"; cat "$WORK/key.err" >&2; exit 1; }
AUTH="Authorization: Bearer $KEY"
TOKEN=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
          --data "$(python3 -c 'import json,sys; print(json.dumps({"username":"admin","password":sys.argv[1]}))' "$PASSWORD")" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)

# The rate limits must be out of the way, or the figures are 429s.
LIMIT=$(curl -s -D - -o /dev/null -H "$AUTH" "$BASE/api/v1/latest" | tr -d '\r' |
        sed -n 's/^[Rr]ate[Ll]imit-[Ll]imit: *//p')
if [ "$LIMIT" != "1000000" ]; then
  say "RateLimit-Limit is '$LIMIT', not 1000000: [limits] of the config file was not applied"
  say "(grep -n limits src/app/config.cc); figures below may be 429s"
fi

SITE=$(curl -sf -H "$AUTH" "$BASE/api/v1/sites?kind=air&limit=1" |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
[ -n "$SITE" ] || { say "no air station found"; exit 1; }
FROM=$(date -d '366 days ago' +%F)
TO=$(date -d tomorrow +%F)
PATH_LATEST="/api/v1/latest"
PATH_YEAR="/api/v1/readings?site=$SITE&factor=a34004&period=hour&from=$FROM&to=$TO"

# The bodies, byte for byte, for nginx.
for name in latest year; do
  p=PATH_${name^^}
  code=$(curl -s -o "$WWW/$name.json" -w '%{http_code}' -H "$AUTH" "$BASE${!p}")
  [ "$code" = 200 ] || { say "GET ${!p}: HTTP $code"; head -c 300 "$WWW/$name.json" >&2; exit 1; }
  chmod 644 "$WWW/$name.json"
done

# --- nginx -----------------------------------------------------------------------------
start_nginx() {  # $1: on|off (gzip)
  stop "$NGINX_PID"
  NGINX_PID=""
  local ng="$WORK/nginx" port
  mkdir -p "$ng/tmp"
  port=$(free_port)
  cat >"$ng/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  types { application/json json; }
  default_type application/json;
  client_body_temp_path $ng/tmp/body;
  gzip $1;
  gzip_comp_level 1;
  gzip_min_length 1024;
  gzip_types application/json;
  gzip_vary on;
  server {
    listen 127.0.0.1:$port;
    root $WWW;
  }
}
EOF
  "$NGINX" -e "$ng/error.log" -p "$ng" -c "$ng/nginx.conf" 2>>"$ng/error.log" &
  NGINX_PID=$!
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/latest.json" && { NGINX_BASE="http://127.0.0.1:$port"; return 0; }
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  say "nginx did not start:"; tail -5 "$ng/error.log" >&2
  exit 1
}

# --- wrk -------------------------------------------------------------------------------
# Prints "req/s p50_ms p99_ms errors" for one run.
measure() {  # $1 url, $2 connections, $3 extra header (may be empty), $4 seconds
  local threads=2 out
  [ "$2" -lt 2 ] && threads=1
  local hdr=(-H "$AUTH")
  [ -n "$3" ] && hdr+=(-H "$3")
  out=$(wrk -t"$threads" -c"$2" -d"${4:-$SECS}s" --timeout 10s --latency "${hdr[@]}" "$1" 2>&1)
  echo "$out" >>"$WORK/wrk.log"
  echo "$out" | awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000;  if (v ~ /m$/) return v * 60000; return v + 0 }
    /^Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    END { printf "%s %.2f %.2f %d\n", (rps == "" ? 0 : rps), p50, p99, err }'
}

# The median of each column over the runs given as lines "req/s p50 p99 errors"
# (errors: the sum).
median_of() {
  python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
m = [statistics.median([r[i] for r in rows]) for i in range(3)] if rows else [0, 0, 0]
print("%s %.2f %.2f %d" % (m[0], m[1], m[2], sum(r[3] for r in rows)))'
}

declare -A R NSIZE
run_side() {  # $1 ecohub|nginx, $2 base url, $3 enc, $4 latest path, $5 year path
  local hdr="" c run
  declare -A runs=()
  [ "$3" = gzip ] && hdr="Accept-Encoding: gzip"
  for ep in $ENDPOINTS; do
    local path=$4
    [ "$ep" = year ] && path=$5
    measure "$2$path" 4 "$hdr" 2 >/dev/null  # warm-up: caches, page cache
  done
  for run in $(seq "$RUNS"); do
    for ep in $ENDPOINTS; do
      local path=$4
      [ "$ep" = year ] && path=$5
      for c in $CONNS; do
        runs[$ep,$c]+="$(measure "$2$path" "$c" "$hdr")"$'\n'
      done
    done
  done
  for ep in $ENDPOINTS; do
    for c in $CONNS; do
      [ "$RUNS" -gt 1 ] && printf '%s %s %s %s runs (req/s p50 p99 errors): %s\n' "$1" "$3" "$ep" "$c" \
        "$(echo "${runs[$ep,$c]}" | paste -sd'|' | sed 's/|$//; s/|/ | /g')" >>"$WORK/runs.log"
      R[$1,$3,$ep,$c]=$(echo -n "${runs[$ep,$c]}" | median_of)
    done
  done
}

case "$GZIP_MODE" in
  off) ENCS="identity" ;;
  on) ENCS="gzip" ;;
  both) ENCS="identity gzip" ;;
  *) say "BENCH_API_GZIP is off, on or both"; exit 1 ;;
esac
declare -A SIZE
for ep in latest year; do
  p=PATH_${ep^^}
  SIZE[$ep,identity]=$(curl -s -o /dev/null -w '%{size_download}' -H "$AUTH" "$BASE${!p}")
  SIZE[$ep,gzip]=$(curl -s -o /dev/null -w '%{size_download}' -H "$AUTH" -H 'Accept-Encoding: gzip' "$BASE${!p}")
done
for enc in $ENCS; do
  say "measuring ecohub ($enc, ${SECS} s per run)"
  run_side ecohub "$BASE" "$enc" "$PATH_LATEST" "$PATH_YEAR"
  [ "$WITH_NGINX" = off ] && continue
  start_nginx "$([ "$enc" = gzip ] && echo on || echo off)"
  say "measuring nginx ($enc)"
  run_side nginx "$NGINX_BASE" "$enc" "/latest.json" "/year.json"
  for ep in latest year; do
    NSIZE[$ep,$enc]=$(curl -s -o /dev/null -w '%{size_download}' \
      $([ "$enc" = gzip ] && echo "-H Accept-Encoding:gzip") "$NGINX_BASE/$ep.json")
  done
done
# The key's readings are audited (one audit row per request, API keys and partners only):
# the same year with a login token shows what that row costs.
if [ -n "$TOKEN" ]; then
  SAVE_AUTH=$AUTH
  AUTH="Authorization: Bearer $TOKEN"
  TOKEN_YEAR=$(measure "$BASE$PATH_YEAR" 1 "")
  AUTH=$SAVE_AUTH
fi

# --- report ----------------------------------------------------------------------------
echo
echo "body sizes (bytes): latest-all $(printf "%'d" "${SIZE[latest,identity]}") (gzip $(printf "%'d" "${SIZE[latest,gzip]}")), station-year $(printf "%'d" "${SIZE[year,identity]}") (gzip $(printf "%'d" "${SIZE[year,gzip]}"))"
echo "station-year: site $SITE, a34004 hourly, $FROM .. $TO; auth: API key (Bearer); wrk ${SECS} s per run"
[ "$RUNS" -gt 1 ] && echo "figures: the median of $RUNS runs of each row (every run below the table)"
echo
printf '%-13s %-8s %5s | %12s %9s %9s | %12s %9s | %6s  %s\n' endpoint encoding conns \
  "ecohub req/s" "p50 ms" "p99 ms" "nginx req/s" "p99 ms" ratio target
printf '%s\n' "--------------------------------------------------------------------------------------------------------------"
FAILS=0
for enc in $ENCS; do
  for ep in $ENDPOINTS; do
    for c in $CONNS; do
      read -r ers ep50 ep99 eerr <<<"${R[ecohub,$enc,$ep,$c]}"
      read -r nrs np50 np99 nerr <<<"${R[nginx,$enc,$ep,$c]:-0 0 0 0}"
      ratio=$(python3 -c "print(f'{$ers/$nrs:.3f}' if $nrs > 0 else '-')")
      if [ "$ep" = latest ]; then
        name=latest-all
        ok=$(python3 -c "print(int($nrs > 0 and $ers >= 0.5 * $nrs))")
        verdict=">=0.5x nginx: $([ "$ok" = 1 ] && echo PASS || echo FAIL)"
      else
        name=station-year
        ok=$(python3 -c "print(int($ep50 < 10))")
        verdict="p50<10ms: $([ "$ok" = 1 ] && echo PASS || echo FAIL)"
        [ "$c" != 1 ] && verdict="($verdict, queueing included)" && ok=1
      fi
      [ "$ok" = 1 ] || FAILS=$((FAILS + 1))
      [ "$eerr" != 0 ] || [ "$nerr" != 0 ] && verdict="$verdict  non-2xx/socket errors: ecohub $eerr, nginx $nerr"
      printf '%-13s %-8s %5s | %12s %9s %9s | %12s %9s | %6s  %s\n' "$name" "$enc" "$c" \
        "$(printf '%.0f' "$ers")" "$ep50" "$ep99" "$(printf '%.0f' "$nrs")" "$np99" "$ratio" "$verdict"
    done
  done
done
echo
[ -f "$WORK/runs.log" ] && cat "$WORK/runs.log"
echo "targets: latest-all >= 0.5x nginx req/s (every row); station-year median < 10 ms (at 1 connection)"
if [ -n "${TOKEN_YEAR:-}" ]; then
  read -r trs tp50 tp99 terr <<<"$TOKEN_YEAR"
  echo "station-year with a login token instead of the key (no audit row per request), 1 connection:" \
       "$(printf '%.0f' "$trs") req/s, p50 $tp50 ms, p99 $tp99 ms, non-2xx/socket errors $terr"
fi
echo "nginx bodies: $(for ep in latest year; do for enc in $ENCS; do printf '%s/%s %s B  ' "$ep" "$enc" "${NSIZE[$ep,$enc]:-}"; done; done)"
echo "(${FAILS} target(s) missed; wrk output in full: BENCH_API_KEEP=1 keeps $WORK)"
[ "${BENCH_API_KEEP:-0}" = 1 ] && trap - EXIT && stop "$NGINX_PID" && stop "$SERVER_PID" && say "kept $WORK and $WWW"
exit 0
