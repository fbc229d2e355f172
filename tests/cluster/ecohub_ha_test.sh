#!/usr/bin/env bash
# No acknowledged reading lost on the highly available cluster (issue 14): 200
# simulated loggers stream into an EcoHub node on the Patroni cluster of
# scripts/cluster.sh (three PostgreSQL nodes, three etcd members; EcoHub reaches the
# primary through libpq's multi-host URL). The EcoHub node is killed with SIGKILL
# three times and the PostgreSQL primary once (Patroni promotes the synchronous
# replica). Every reading a logger saw acknowledged must be in the store afterwards.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../e2e/lib.sh"
for tool in patroni etcd psql curl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -x /usr/lib/postgresql/15/bin/postgres ] || { echo "SKIP: postgresql-15 not installed"; exit 77; }

WORK=$(mktemp -d)
CLUSTER=$(mktemp -d -u)
SIM_PID="" SERVER_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  "$HERE/../../scripts/cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$WORK" "$CLUSTER"
}
trap cleanup EXIT

"$HERE/../../scripts/cluster.sh" start "$CLUSTER" --no-haproxy >"$WORK/cluster.out" 2>&1 ||
  { cat "$WORK/cluster.out"; exit 1; }
PG_URL=$(sed -n 's/^PG_URL=//p' "$WORK/cluster.out")
echo "cluster up: $PG_URL"

DEVICES=200
GW=$(free_port)
node() {
  start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --store "$PG_URL" \
    --demo --demo-devices $DEVICES --demo-history-days 0
}
node
"$BIN" sim --target "127.0.0.1:$GW" --devices $DEVICES --duration 60 --interval 1 \
  --ack-timeout 3 --drain 120 --seed 5 --acked-log "$WORK/acked.log" >"$WORK/sim.out" 2>"$WORK/sim.log" &
SIM_PID=$!
acked() { wc -l <"$WORK/acked.log" 2>/dev/null || echo 0; }

kills=0
for step in node primary node node; do
  sleep 8
  if [ "$step" = node ]; then
    kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    kills=$((kills + 1))
    echo "EcoHub node killed (#$kills) after $(acked) acked readings"
    sleep 1
    node
  else
    echo "PostgreSQL primary killed after $(acked) acked readings"
    "$HERE/../../scripts/cluster.sh" kill-primary "$CLUSTER" | grep -E "PRIMARY=|PROMOTION_SECONDS="
  fi
done

sim_rc=0
wait "$SIM_PID" || sim_rc=$?
SIM_PID=""
echo "sim: $(cat "$WORK/sim.out") (exit $sim_rc)"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

"$BIN" db dump --store "$PG_URL" >"$WORK/dump.csv"
fail=0
acked_all_stored "$WORK/acked.log" "$WORK/dump.csv" 20000 || { fail=1; tail -n 30 "$WORK/serve.log"; }
[ "$kills" -eq 3 ] || { echo "FAIL: expected 3 node kills"; fail=1; }
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
