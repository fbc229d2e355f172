#!/usr/bin/env bash
# make demo: a fresh demo city on the embedded SQLite store, with the simulator
# streaming into it. Ctrl-C stops both.
set -euo pipefail
BIN=$1 DATA=$2 HTTP=$3 GW=$4
rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")"
SHARED="$(cd "$(dirname "$0")/.." && pwd)/../shared/data/beijing_multisite_2013_2017"

# The demo's administrator: admin / ecohub-demo-2026 (a demo only; change it).
printf 'ecohub-demo-2026\n' >"$DATA.admin.pw"
"$BIN" serve --data "$DATA" --demo --gateway-listen "$GW" --http-listen "$HTTP" \
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
demo_user chaoyang staff "朝阳分局" --district-id 3 --department monitoring
demo_user inspector inspector "朝阳网格员" --district-id 3
demo_user water partner "水务局" --department water_authority
demo_user jingneng enterprise "京能热电" --enterprise-id 1
demo_user security security_admin "安全管理员"
demo_user auditor audit_admin "审计管理员"
DEVICES=$("$BIN" demo devices | wc -l)
"$BIN" sim --target "$GW" --devices "$DEVICES" --duration 604800 --interval 30 \
  >"$DATA.sim.out" 2>"$DATA.sim.log" &
SIM=$!

if [ -d "$SHARED" ]; then
  REAL="the 12 national stations replay the Beijing multi-site dataset (Zhang et al. 2017)"
else
  REAL="the Beijing dataset is absent here: every station is simulated"
fi
cat <<TXT

EcoHub demo city is running (Beijing: 16 districts, 30 air stations, 10 river sections,
40 enterprises with 60 outlets; 30 days of hourly history; $REAL).

  web             http://$HTTP/            public portal (air, water, enterprises, open data)
                  http://$HTTP/console     staff console and enterprise view (log in)
                  http://$HTTP/cockpit     the 1920×1080 cockpit (leader, staff, admin)
  accounts        password ecohub-demo-2026 for each of: admin, leader (局领导),
                  monitor (监测处 staff), chaoyang (朝阳 district staff), inspector
                  (朝阳 grid inspector), water (水务局 partner), jingneng (an enterprise),
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
  devices         $BIN demo devices   (MN, password, site, ST for a real logger)
  raw dump        $BIN db dump --data $DATA
  logs            $DATA.serve.log, $DATA.sim.log

Ctrl-C stops the demo.
TXT
wait $SERVER
