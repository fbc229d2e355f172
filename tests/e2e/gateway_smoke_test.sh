#!/usr/bin/env bash
# The gateway as a device sees it: a good packet is answered with a 9014 echoing
# its QN, a damaged one is not answered and is counted, a wrong password or unknown
# MN is not stored, and the site's latest values appear at /api/v1/sites/{id}/latest.
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
work_dir  # $WORK, removed with any server left running on exit

GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --demo --demo-devices 3 --demo-history-days 1
"$BIN" demo devices --count 3 >"$WORK/devices.csv"

PYTHONPATH="$(dirname "$0")" python3 - "$BIN" "$GW" "$HTTP_PORT" "$WORK/devices.csv" "$WORK/data" <<'PY'
import json, socket, subprocess, sys, time, urllib.request, ehtest
bin_, gw, http, devices = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mn, pw, site_code = open(devices).readline().strip().split(",")[:3]

def encode(header, cp):
    line = json.dumps({"header": header, "cp": cp})
    out = subprocess.run([bin_, "hj212", "encode"], input=line, capture_output=True, text=True, check=True)
    return out.stdout.strip().encode() + b"\r\n"

def exchange(frames, wait=3.0, expect=1):
    return ehtest.exchange(gw, frames, wait, expect)

from ehtest import check, finish, login
def metric(name):
    return ehtest.metric(http, name)


now = time.strftime("%Y%m%d%H%M00", time.gmtime(time.time() + 8 * 3600))
hdr = {"QN": "20261123080000001", "ST": "22", "CN": "2011", "PW": pw, "MN": mn, "Flag": "5"}
good = encode(hdr, {"DataTime": now, "a34004-Rtd": "87", "a34004-Flag": "N", "a21005-Rtd": "1.250", "a21005-Flag": "N"})

# 1. A good packet, split over two writes: answered with 9014 echoing QN, PW, MN, Flag=4.
reply = exchange([good[:40], good[40:]])
check("CN=9014" in reply and "QN=20261123080000001" in reply and f"MN={mn}" in reply
      and "Flag=4" in reply and "ST=91" in reply, f"9014 for a split packet: {reply.strip()}")

# 2. Bad CRC: no answer, counted.
bad = bytearray(good); bad[-3] = ord("0") if bad[-3] != ord("0") else ord("1")
before = metric('ecohub_gateway_rejected_total{code="crc_mismatch"}')
reply = exchange([bytes(bad)], wait=1.0)
check("9014" not in reply, "no answer to a bad CRC")
check(metric('ecohub_gateway_rejected_total{code="crc_mismatch"}') == before + 1, "crc_mismatch counted")

# 3. Wrong password and unknown MN: no answer, counted, not stored.
wrong = encode(dict(hdr, PW="badpw0", QN="20261123080000002"), {"DataTime": now, "a34004-Rtd": "999"})
unknown = encode(dict(hdr, MN="FFFFFFFFFFFFFFFFFFFFFFFF", QN="20261123080000003"), {"DataTime": now, "a34004-Rtd": "999"})
reply = exchange([wrong, unknown], wait=1.0)
check("9014" not in reply, "no answer to wrong password / unknown MN")
check(metric('ecohub_gateway_auth_rejected_total{reason="bad_password"}') >= 1, "bad password counted")
check(metric('ecohub_gateway_auth_rejected_total{reason="unknown_mn"}') >= 1, "unknown MN counted")

# 4. Sticky packets with garbage between them: both answered.
g2 = encode(dict(hdr, QN="20261123080000004"), {"DataTime": now, "a34002-Rtd": "120"})
g3 = encode(dict(hdr, QN="20261123080000005", Flag="4"), {"DataTime": now, "a34002-Rtd": "121"})  # A=0: no answer
g4 = encode(dict(hdr, QN="20261123080000006"), {"DataTime": now, "a21026-Rtd": "7"})
reply = exchange([g2 + b"garbage\r\n#" + g3 + g4], expect=2)
check("QN=20261123080000004" in reply and "QN=20261123080000006" in reply, "sticky packets answered")
check("QN=20261123080000005" not in reply, "no answer when the A bit is clear")

# 5. Latest values over HTTP.
auth = {"Authorization": "Bearer " + login(http)}
try:
    urllib.request.urlopen(f"http://127.0.0.1:{http}/api/v1/sites/1/latest", timeout=5)
    check(False, "latest values need a login")
except urllib.error.HTTPError as e:
    check(e.code == 401, f"latest values without a token -> 401 ({e.code})")
sites = json.loads(urllib.request.urlopen(urllib.request.Request(
    f"http://127.0.0.1:{http}/api/v1/sites/1/latest", headers=auth), timeout=5).read())
vals = {(v["factor"], v["field"], v["period"]): v["value"] for v in sites["values"]}
check(vals.get(("a34004", "Rtd", "realtime")) == "87", f"latest PM2.5 realtime is 87: {vals.get(('a34004','Rtd','realtime'))}")
check(vals.get(("a21005", "Rtd", "realtime")) == "1.250", "latest CO keeps its text 1.250")
check(vals.get(("a34002", "Rtd", "realtime")) == "121", "latest PM10 is the last packet's (121)")
try:
    urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{http}/api/v1/sites/abc/latest", headers=auth), timeout=5)
    check(False, "bad id rejected")
except urllib.error.HTTPError as e:
    check(e.code == 400 and e.headers["Content-Type"] == "application/problem+json", "bad id -> 400 problem+json")
health = urllib.request.urlopen(f"http://127.0.0.1:{http}/healthz", timeout=5)
check(health.status == 200, "healthz 200")

# 6. A logger registered while the server runs is accepted within the refresh period.
new_mn = "0123456789ABCDEF01234567"
subprocess.run([bin_, "device", "put", "--data", sys.argv[5], "--mn", new_mn, "--password", "abc123",
                "--site", site_code], check=True, capture_output=True)
late = encode(dict(hdr, MN=new_mn, PW="abc123", QN="20261123080000007"), {"DataTime": now, "a34004-Rtd": "55"})
deadline, reply = time.time() + 15, ""
while time.time() < deadline and "9014" not in reply:
    reply = exchange([late], wait=1.0)
check("QN=20261123080000007" in reply, "device registered at run time is accepted")

# 7. A legacy logger registered with a Modbus CRC is accepted; the same frame from a
#    device registered with the HJ 212 CRC is not.
def modbus(data):
    reg = 0xFFFF
    for b in data:
        reg ^= b
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg
legacy_mn = "0123456789ABCDEF0123LEGA"
subprocess.run([bin_, "device", "put", "--data", sys.argv[5], "--mn", legacy_mn, "--password", "abc123",
                "--site", site_code, "--crc-variant", "modbus"], check=True, capture_output=True)
def modbus_frame(mn, qn):
    seg = f"QN={qn};ST=22;CN=2011;PW=abc123;MN={mn};Flag=5;CP=&&DataTime={now};a34004-Rtd=66&&".encode()
    return b"##%04d" % len(seg) + seg + b"%04X" % modbus(seg) + b"\r\n"
deadline, reply = time.time() + 15, ""
while time.time() < deadline and "9014" not in reply:
    reply = exchange([modbus_frame(legacy_mn, "20261123080000008")], wait=1.0)
check("QN=20261123080000008" in reply, "Modbus-CRC frame accepted from a device registered for it")
check(metric("ecohub_gateway_legacy_crc_frames_total") >= 1, "legacy CRC frames counted")
reply = exchange([modbus_frame(new_mn, "20261123080000009")], wait=1.0)
check("9014" not in reply, "Modbus-CRC frame refused from an HJ 212 device")
finish()
PY

# The data was stored, the rejected ones were not.
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
MN=$(cut -d, -f1 "$WORK/devices.csv" | head -1)
"$BIN" db dump --data "$WORK/data" >"$WORK/dump.csv"
grep -q "^$MN,2011,.*,a34004,Rtd,87$" "$WORK/dump.csv" || { echo "FAIL: reading not in dump"; exit 1; }
if grep -q ",999$" "$WORK/dump.csv"; then echo "FAIL: rejected data stored"; exit 1; fi
echo PASS
