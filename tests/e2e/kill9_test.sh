#!/usr/bin/env bash
# Zero acknowledged readings lost: 200 simulated loggers stream into ecohub serve,
# which is killed with SIGKILL three times mid-stream and restarted on the same
# data directory. At the end every line of the simulator's acked log (one per
# reading whose packet got a 9014) must be in `ecohub db dump`.
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
SIM_PID=""
SERVER_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

DEVICES=200
GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --demo --demo-devices $DEVICES \
  --demo-history-days 0

"$BIN" sim --target "127.0.0.1:$GW" --devices $DEVICES --duration 45 --interval 1 \
  --ack-timeout 3 --drain 90 --seed 11 --acked-log "$WORK/acked.log" >"$WORK/sim.out" 2>"$WORK/sim.log" &
SIM_PID=$!

kills=0
for pause in 8 9 7; do
  sleep "$pause"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  kills=$((kills + 1))
  lines=$(wc -l <"$WORK/acked.log" 2>/dev/null || echo 0)
  echo "kill -9 #$kills after ${lines} acked readings"
  sleep 1
  start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --demo --demo-devices $DEVICES \
    --demo-history-days 0
done

sim_rc=0
wait "$SIM_PID" || sim_rc=$?
SIM_PID=""
echo "sim: $(cat "$WORK/sim.out") (exit $sim_rc)"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

"$BIN" db dump --data "$WORK/data" >"$WORK/dump.csv"
sort -u "$WORK/acked.log" >"$WORK/acked.sorted"
sort -u "$WORK/dump.csv" >"$WORK/dump.sorted"
acked=$(wc -l <"$WORK/acked.sorted")
stored=$(wc -l <"$WORK/dump.sorted")
missing=$(comm -23 "$WORK/acked.sorted" "$WORK/dump.sorted" | wc -l)
echo "acked readings: $acked, stored readings: $stored, acked but missing: $missing, kills: $kills"
if [ "$missing" -ne 0 ]; then
  echo "FAIL: acknowledged readings lost, first ones:"
  comm -23 "$WORK/acked.sorted" "$WORK/dump.sorted" | head -5
  exit 1
fi
# Not vacuous: the run must have acknowledged a substantial stream.
if [ "$acked" -lt 20000 ]; then
  echo "FAIL: only $acked readings acknowledged; the stream did not flow"
  tail -20 "$WORK/serve.log"
  exit 1
fi
[ "$kills" -eq 3 ] || { echo "FAIL: expected 3 kills"; exit 1; }
echo "PASS"
