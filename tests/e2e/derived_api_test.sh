#!/usr/bin/env bash
# Continuous derivation end to end: a late hourly packet through the gateway changes
# the station's hourly AQI, its district's and the city's, visible over HTTP within
# seconds; the derived endpoints answer with edition and coverage; bad parameters get
# problem+json 400s; /api/v1/public/aqi/city is 204 before any data.
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
work_dir

# An empty platform has no city AQI yet.
GW0=$(free_port)
start_server "$BIN" "$WORK/empty" "$GW0" "$WORK/empty.log"
EMPTY_PORT=$HTTP_PORT
code=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$EMPTY_PORT/api/v1/public/aqi/city').status)")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
[ "$code" = 204 ] || { echo "FAIL public city AQI on an empty platform: $code, want 204"; exit 1; }
echo "ok   public city AQI on an empty platform: 204"

GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --demo --demo-history-days 2
"$BIN" demo devices --count 1 >"$WORK/devices.csv"

PYTHONPATH="$(dirname "$0")" python3 - "$BIN" "$GW" "$HTTP_PORT" "$WORK/devices.csv" <<'PY'
import json, socket, subprocess, sys, time, urllib.error, urllib.request
from ehtest import check, finish, login
bin_, gw, http, devices = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
token = login(http)
mn, pw, site = open(devices).readline().strip().split(",")[:3]

def get(path):
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{http}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), json.loads(e.read() or b"null")

st, _, city = get("/api/v1/public/aqi/city")
check(st == 200 and isinstance(city.get("aqi"), int) and city["edition"] == "HJ633-2026"
      and city["coverage"]["unit"] == "stations", f"public city AQI: {st} {city.get('aqi')}")

# A late hourly packet for three hours ago: PM2.5 250 -> IAQI 300 under HJ 633-2026.
hour = (int(time.time()) // 3600 - 3) * 3600
data_time = time.strftime("%Y%m%d%H0000", time.gmtime(hour + 8 * 3600))
line = json.dumps({"header": {"QN": "20261123080000001", "ST": "22", "CN": "2061", "PW": pw,
                              "MN": mn, "Flag": "5"},
                   "cp": {"DataTime": data_time, "a34004-Avg": "250", "a34004-Flag": "N"}})
frame = subprocess.run([bin_, "hj212", "encode"], input=line, capture_output=True, text=True,
                       check=True).stdout.strip().encode() + b"\r\n"
s = socket.create_connection(("127.0.0.1", gw))
s.sendall(frame)
s.settimeout(5)
reply = b""
while b"CN=9014" not in reply:
    reply += s.recv(4096)
s.close()
check(b"CN=9014" in reply, "late 2061 packet acknowledged")

path = f"/api/v1/aqi?scope=site:{site}&period=hour&from={hour}&to={hour + 3600}"
row = {}
for _ in range(100):
    st, _, body = get(path)
    row = body["items"][0] if st == 200 and body["items"] else {}
    if row.get("aqi") == 300:
        break
    time.sleep(0.2)
check(row.get("aqi") == 300 and row.get("primary") == ["PM2.5"] and row["conc"]["PM2.5"] == 250,
      f"station hour recomputed after the commit: aqi {row.get('aqi')}")
st, _, body = get(f"/api/v1/aqi?scope=city&period=hour&from={hour}&to={hour + 3600}")
c = body["items"][0] if body.get("items") else {}
check(c.get("coverage", {}).get("present", 0) >= 2 and c["conc"]["PM2.5"] > 0,
      f"city hour follows: PM2.5 {c.get('conc', {}).get('PM2.5')} over {c.get('coverage')}")
st, _, body = get(f"/api/v1/aqi?scope=site:{site}&period=day&from={hour - 86400}&to={hour + 3600}")
check(st == 200 and body["items"] and "validity" in body["items"][-1], "station day rows with validity")

for path, what in [("/api/v1/aqi/ranking?level=district&period=hour", "district ranking by hour"),
                   ("/api/v1/aqi/ranking?level=site&period=month", "station ranking by composite index"),
                   ("/api/v1/water/classes", "water classes"),
                   ("/api/v1/quality/rates?level=district", "quality rates per district"),
                   ("/api/v1/air/report?scope=city", "city year report")]:
    st, ctype, body = get(path)
    ok = st == 200 and ctype.startswith("application/json")
    items = body.get("items") if isinstance(body, dict) else None
    check(ok and (items is None or len(items) > 0), f"{what}: {st}, {len(items or [])} items")
st, _, body = get("/api/v1/aqi/ranking?level=district&period=hour")
ranks = [i["rank"] for i in body["items"] if i["rank"] is not None]
check(ranks == sorted(ranks) and ranks[0] == 1, f"ranks ascending from 1: {ranks[:6]}")
st, _, body = get("/api/v1/water/classes")
check(all(i["class"] in ("I", "II", "III", "IV", "V", "劣V") for i in body["items"])
      and body["items"][0]["standard"] == "GB3838-2002", "every section has a GB 3838 class")

for path in ["/api/v1/aqi?scope=nowhere", "/api/v1/aqi?period=week", "/api/v1/aqi?from=2026-13-01",
             "/api/v1/aqi?from=2026-02-30", "/api/v1/aqi?limit=0", "/api/v1/aqi?limit=abc",
             "/api/v1/aqi?from=2026-03-02&to=2026-03-01", "/api/v1/aqi/ranking?level=planet",
             "/api/v1/aqi/ranking?period=year&year=99999", "/api/v1/exceedances?site=%27%3B%20DROP",
             "/api/v1/quality/rates?date=yesterday", "/api/v1/air/report?scope=city&month=13",
             "/api/v1/aqi?scope=site:%FF%FE"]:
    st, ctype, body = get(path)
    check(st == 400 and ctype.startswith("application/problem+json") and body.get("status") == 400,
          f"400 problem for {path}: {st}")
finish()
PY
