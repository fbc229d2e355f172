#!/usr/bin/env bash
# make demo: a fresh demo city on the embedded SQLite store, with the simulator
# streaming into it. Ctrl-C stops both. CITY is a city of demo/ (beijing, xianyang).
set -euo pipefail
BIN=$1 DATA=$2 HTTP=$3 GW=$4 CITY=${5:-beijing}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$ROOT/demo/$CITY/city.json" ] || { echo "demo: no demo city '$CITY' in demo/ ($(ls "$ROOT/demo" | tr '\n' ' '))" >&2; exit 2; }
# What the accounts bound to a district and an enterprise are called in this city.
city() { python3 -c "import json,sys; j=json.load(open('$ROOT/demo/$CITY/city.json')); print($1)"; }
NAME=$(city 'j["name"]')
DUSER=$(city 'j["demo_accounts"]["district_user"]')
DOFFICE=$(city 'j["demo_accounts"]["district_office"]')
EUSER=$(city 'j["demo_accounts"]["enterprise_user"]')
ENAME=$(city 'j["demo_accounts"]["enterprise_name"]')
# Districts are registered in the order of the boundary file: its id is its place there.
DID=$(python3 -c "import json; c=json.load(open('$ROOT/demo/$CITY/city.json'))['demo_accounts']['district']; \
f=json.load(open('$ROOT/demo/$CITY/districts.geojson'))['features']; \
print([x['properties']['code'] for x in f].index(c) + 1)")
rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")"
SHARED="$(cd "$(dirname "$0")/.." && pwd)/../shared/data/beijing_multisite_2013_2017"

# The demo's administrator: admin / ecohub-demo-2026 (a demo only; change it).
printf 'ecohub-demo-2026\n' >"$DATA.admin.pw"
"$BIN" serve --data "$DATA" --demo --demo-city "$CITY" --gateway-listen "$GW" --http-listen "$HTTP" \
  --admin-password-file "$DATA.admin.pw" --dataset "$SHARED" 2>"$DATA.serve.log" >"$DATA.serve.out" &
SERVER=$!
trap 'kill $SERVER $SIM 2>/dev/null; wait 2>/dev/null; echo; echo "demo stopped"' EXIT INT TERM
for _ in $(seq 1 1800); do  # seeding + deriving 30 days takes ~30 s
  grep -q '^http listening' "$DATA.serve.out" 2>/dev/null && break
  kill -0 $SERVER 2>/dev/null || { cat "$DATA.serve.log"; exit 1; }
  sleep 0.1
done
# One account per role, all with the demo password, so every view can be tried.
demo_user() {  # username role display-name [options...]
  local u=$1 r=$2 n=$3; shift 3
  printf 'ecohub-demo-2026\n' | "$BIN" user add --data "$DATA" --username "$u" --role "$r" \
    --display-name "$n" "$@" >/dev/null 2>>"$DATA.serve.log" || echo "demo: could not add $u" >&2
}
demo_user leader leader "局领导"
demo_user monitor staff "监测处" --department monitoring
demo_user "$DUSER" staff "$DOFFICE" --district-id "$DID" --department monitoring
demo_user inspector inspector "${DOFFICE%分局}网格员" --district-id "$DID"
demo_user water partner "水务局" --department water_authority
demo_user "$EUSER" enterprise "$ENAME" --enterprise-id 1
demo_user security security_admin "安全管理员"
demo_user auditor audit_admin "审计管理员"
DEVICES=$("$BIN" demo devices --demo-city "$CITY" | wc -l)
"$BIN" sim --demo-city "$CITY" --target "$GW" --devices "$DEVICES" --duration 604800 --interval 30 \
  >"$DATA.sim.out" 2>"$DATA.sim.log" &
SIM=$!

count() { tail -n +2 "$ROOT/demo/$CITY/$1" | grep -c "$2" || true; }
WHAT="$(python3 -c "import json; print(len(json.load(open('$ROOT/demo/$CITY/districts.geojson'))['features']))") districts, \
$(count sites.csv ',air,') air stations, $(count sites.csv ',water,') river sections, \
$(count sites.csv ',noise,') noise stations, $(count enterprises.csv .) enterprises with \
$(count sites.csv ',outlet_') outlets"
if grep -q dataset "$ROOT/demo/$CITY/sites.csv"; then
  if [ -d "$SHARED" ]; then
    REAL="the national stations replay the Beijing multi-site dataset (Zhang et al. 2017)"
  else
    REAL="the Beijing dataset is absent here: every station is simulated"
  fi
else
  REAL="every station is simulated"
fi
cat <<TXT

EcoHub demo city is running ($NAME: $WHAT; 30 days of hourly history; $REAL).

  web             http://$HTTP/            public portal (air, water, enterprises, open data)
                  http://$HTTP/console     staff console and enterprise view (log in)
                  http://$HTTP/cockpit     the 1920×1080 cockpit (leader, staff, admin)
  accounts        password ecohub-demo-2026 for each of: admin, leader (局领导),
                  monitor (监测处 staff), $DUSER ($DOFFICE, district staff), inspector
                  (its grid inspector), water (水务局 partner), $EUSER ($ENAME, an enterprise),
                  security (安全管理员: accounts), auditor (审计管理员: the audit log)
  health          http://$HTTP/healthz
  metrics         http://$HTTP/metrics
  login           admin / ecohub-demo-2026:
                  curl -s -XPOST http://$HTTP/api/v1/auth/login \\
                    -d '{"username":"admin","password":"ecohub-demo-2026"}'
                  then send Authorization: Bearer <token>
  API             http://$HTTP/api/docs   (OpenAPI: /api/v1/openapi.json)
  latest values   http://$HTTP/api/v1/latest   (login; one site: /api/v1/sites/1/latest)
  open data       http://$HTTP/api/v1/public/datasets
  HJ 212 gateway  $GW   ($DEVICES simulated loggers streaming, with faults:
                  bad CRCs, split packets, disconnects, non-N flags, one silent device)
  city AQI now    http://$HTTP/api/v1/public/aqi/city   (recomputed after every commit)
  ranking         http://$HTTP/api/v1/aqi/ranking?level=district&period=hour
  water classes   http://$HTTP/api/v1/water/classes
  exceedances     http://$HTTP/api/v1/exceedances
  data quality    http://$HTTP/api/v1/quality/rates?level=district
  year report     http://$HTTP/api/v1/air/report?scope=city
  devices         $BIN demo devices --demo-city $CITY   (MN, password, site, ST for a real logger)
  raw dump        $BIN db dump --data $DATA
  logs            $DATA.serve.log, $DATA.sim.log

Ctrl-C stops the demo.
TXT
wait $SERVER
