#!/usr/bin/env bash
# Connection limits as configured: beyond max_connections a connection is closed at
# once and counted; a connection that sends nothing for idle_timeout is closed and
# counted; the server keeps serving. Then the limits against non-devices (issue 11):
# connections per address, the first-frame timeout, rejected frames kept within a
# budget, an address refused after repeated wrong passwords, and readings that cannot
# be true (dated 2099, NaN, -99999) acknowledged but neither stored nor latest.
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
work_dir  # $WORK, removed with any server left running on exit
# What both parts below use: whether the server closed a socket within `wait` s.
cat >"$WORK/gwlimits.py" <<'PY'
import socket

def closed(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
PY

cat >"$WORK/ecohub.toml" <<'TOML'
[gateway]
idle_timeout_seconds = 10
max_connections = 3
TOML
GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --config "$WORK/ecohub.toml"

PYTHONPATH="$(dirname "$0"):$WORK" python3 - "$GW" "$HTTP_PORT" <<'PY'
import socket, sys, time, urllib.request, ehtest
gw, http = int(sys.argv[1]), int(sys.argv[2])

from ehtest import check, finish
from gwlimits import closed
def metric(name):
    return ehtest.metric(http, name)


conns = [socket.create_connection(("127.0.0.1", gw)) for _ in range(3)]
time.sleep(0.5)
extra = socket.create_connection(("127.0.0.1", gw))
check(closed(extra, 3), "the 4th connection is closed at once")
check(metric("ecohub_gateway_connections_refused_total") == 1, "refusal counted")
check(all(not closed(c, 0.2) for c in conns), "the first three stay open")
check(all(closed(c, 12) for c in conns), "idle connections closed after the idle timeout")
check(metric("ecohub_gateway_connections_idle_closed_total") == 3, "idle closes counted")
time.sleep(0.5)
check(metric("ecohub_gateway_connections") == 0, "no connection left open")
again = socket.create_connection(("127.0.0.1", gw))
check(not closed(again, 0.5), "new connections are accepted again")
finish()
PY

# Part 2: the limits against non-devices, small enough to reach in a few seconds.
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
cat >"$WORK/limits.toml" <<'TOML'
[gateway]
first_frame_timeout_seconds = 2
max_connections_per_address = 4
shared_addresses = []
auth_failures_per_address = 5
auth_backoff_seconds = 3
auth_backoff_max_seconds = 6
rejected_kept_per_address = 3
TOML
GW=$(free_port)
start_server "$BIN" "$WORK/data2" "$GW" "$WORK/serve2.log" --config "$WORK/limits.toml" \
  --demo --demo-devices 1 --demo-history-days 0
"$BIN" demo devices --count 1 >"$WORK/devices.csv"

PYTHONPATH="$(dirname "$0"):$WORK" python3 - "$BIN" "$GW" "$HTTP_PORT" "$WORK/devices.csv" <<'PY'
import json, socket, subprocess, sys, time, urllib.request, ehtest
from ehtest import check, finish, login
from gwlimits import closed
bin_, gw, http = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mn, pw = open(sys.argv[4]).readline().strip().split(",")[:2]
metric = lambda name: ehtest.metric(http, name)

def encode(qn, cp, password=pw, device=mn):
    line = json.dumps({"header": {"QN": qn, "ST": "22", "CN": "2011", "PW": password, "MN": device,
                                  "Flag": "5"}, "cp": cp})
    out = subprocess.run([bin_, "hj212", "encode"], input=line, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip().encode() + b"\r\n"

def exchange(frames, wait=2.0):  # the replies; "" from a connection closed at accept
    return ehtest.exchange(gw, frames, wait)

# 1. Connections per address, and the first-frame timeout.
conns = [socket.create_connection(("127.0.0.1", gw)) for _ in range(4)]
time.sleep(0.3)
extra = socket.create_connection(("127.0.0.1", gw))
check(closed(extra, 2), "a 5th connection from one address is closed at accept")
check(metric("ecohub_gateway_connections_address_cap_total") == 1, "per-address refusal counted")
check(all(closed(c, 5) for c in conns), "connections without a valid frame closed after 2 s")
check(metric("ecohub_gateway_connections_first_frame_closed_total") == 4, "first-frame closes counted")

# 2. Impossible readings: acknowledged, counted, never stored, never latest.
now = time.strftime("%Y%m%d%H%M00", time.gmtime(time.time() + 8 * 3600))
good = encode("20261123080000001", {"DataTime": now, "a34004-Rtd": "87"})
future = encode("20261123080000002", {"DataTime": "20990101000000", "a34004-Rtd": "999"})
bad = encode("20261123080000003", {"DataTime": now, "a34002-Rtd": "-99999", "a21026-Rtd": "NaN",
                                   "a21005-Rtd": "inf", "a05024-Rtd": "61"})
reply = exchange([good, future, bad], wait=5)
check(all(f"QN=2026112308000000{i}" in reply for i in (1, 2, 3)), f"all three acknowledged: {reply!r}")
check(metric('ecohub_gateway_readings_refused_total{reason="future"}') == 1, "future reading counted")
check(metric('ecohub_gateway_readings_refused_total{reason="impossible"}') == 1, "-99999 counted")
check(metric('ecohub_gateway_readings_refused_total{reason="not_finite"}') == 2, "NaN and inf counted")
auth = {"Authorization": "Bearer " + login(http)}
latest = json.loads(urllib.request.urlopen(urllib.request.Request(
    f"http://127.0.0.1:{http}/api/v1/sites/1/latest", headers=auth), timeout=5).read())
vals = {(v["factor"], v["field"]): (v["value"], v["time"]) for v in latest["values"]}
check(vals.get(("a34004", "Rtd"), ("",))[0] == "87", f"latest PM2.5 is 87, not the 2099 value: {vals}")
check(("a34002", "Rtd") not in vals and ("a21026", "Rtd") not in vals, "refused values not latest")
check(vals.get(("a05024", "Rtd"), ("",))[0] == "61", "the good value of a mixed packet is stored")
check(not any(t.startswith("2099") for _, t in vals.values()), "nothing dated 2099 is latest")

# 3. Rejected frames: counted always, kept within the budget (3 per address here).
crc = bytearray(good)
crc[-6:-2] = b"0000" if crc[-6:-2] != b"0000" else b"FFFF"
s = socket.create_connection(("127.0.0.1", gw))
s.sendall(bytes(crc) * 8)
time.sleep(1)
s.close()
check(metric('ecohub_gateway_rejected_total{code="crc_mismatch"}') == 8, "8 bad CRCs counted")
check(metric("ecohub_gateway_rejected_not_kept_total") == 5, "only 3 kept in raw packets")

# 4. Wrong passwords: 5 from one address refuse it; the right password works after the back-off.
for i in range(5):
    exchange([encode(f"2026112308000010{i}", {"DataTime": now, "a34004-Rtd": "1"}, password="000000")],
             wait=0.2)
check(metric("ecohub_gateway_addresses_blocked_total") == 1, "address refused after 5 failures")
check("9014" not in exchange([good], wait=1), "even the right password is refused meanwhile")
check(metric("ecohub_gateway_connections_blocked_total") >= 1, "refused connection counted")
time.sleep(3.2)
check("QN=20261123080000001" in exchange([good], wait=3), "accepted again after the back-off")
finish()
PY
echo PASS
