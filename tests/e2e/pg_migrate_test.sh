#!/usr/bin/env bash
# `ecohub db migrate` (issue 14): a SQLite deployment (the demo city with two days of
# history, alarms, audit rows and anchors) copied into an empty PostgreSQL database;
# the copy must hold the same readings, pass `ecohub audit verify` against the
# anchors the SQLite deployment wrote, serve the same API answers, and a second
# migrate into the now full database must be refused.
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  stop_pg
  rm -rf "$WORK"
}
trap cleanup EXIT
start_pg_or_exit
fail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL $2"; fail=1; fi; }

GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/sqlite.log" --demo --demo-history-days 2
city_sqlite=$(http_get "$HTTP_PORT" /api/v1/public/aqi/city)
# A session opened on SQLite: the accounts come along, so it still works on PostgreSQL.
token=$(python3 -c "import sys; sys.path.insert(0, '$(dirname "$0")'); from ehtest import login; print(login($HTTP_PORT))")
# A complaint with a photo and a sealed phone: its bytes (a BLOB in SQLite) and the
# sealed number must arrive as they were.
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x00\x12\xff\xd9' >"$WORK/photo.jpg"
code=$(curl -s -X POST "http://127.0.0.1:$HTTP_PORT/api/v1/public/complaints" \
  -d '{"category":"noise","description":"迁移测试：夜间施工噪声","address":"迁移测试地址","phone":"13700001234"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["tracking_code"])')
photo=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$WORK/photo.jpg" \
  "http://127.0.0.1:$HTTP_PORT/api/v1/public/complaints/$code/photos")
check '[ "$photo" = 201 ]' "a photo sent with a complaint on SQLite (HTTP $photo)"
cid=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT/api/v1/complaints?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
# A notification subscription with a sealed e-mail address.
sub=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' "http://127.0.0.1:$HTTP_PORT/api/v1/subscriptions" \
  -d '{"name":"迁移测试","channel":"email","target":"migrate@bureau.test"}')
check '[ "$sub" = 201 ]' "an e-mail subscription on SQLite (HTTP $sub)"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

"$BIN" db dump --data "$WORK/data" | sort >"$WORK/sqlite.csv"
"$BIN" db migrate --from "$WORK/data" --to "$PG_URL" >"$WORK/migrate.out" 2>"$WORK/migrate.err" || rc=$?
cat "$WORK/migrate.out"
check '[ "${rc:-0}" -eq 0 ]' "db migrate exits 0 ($(tail -1 "$WORK/migrate.err"))"
check '! grep -q DIFFERENT "$WORK/migrate.out"' "every count the same on both sides"
check 'grep -q "\"ok\":true" "$WORK/migrate.out"' "the copied audit chain verifies against the SQLite anchors"
check 'grep -Eq "^users +[1-9][0-9]* +[1-9]" "$WORK/migrate.out"' "the accounts copied (users on both sides)"

"$BIN" db dump --store "$PG_URL" | sort >"$WORK/pg.csv"
check '[ "$(wc -l <"$WORK/sqlite.csv")" -gt 10000 ]' "the source held a real history ($(wc -l <"$WORK/sqlite.csv") readings)"
check 'cmp -s "$WORK/sqlite.csv" "$WORK/pg.csv"' "db dump of both stores identical"
"$BIN" audit verify --data "$WORK/data" --store "$PG_URL" >"$WORK/verify.out" 2>&1 && v=0 || v=$?
check '[ "$v" -eq 0 ]' "audit verify on PostgreSQL: $(head -c 200 "$WORK/verify.out")"

# The same answers from a node on the migrated store (the SQLite files moved aside).
mv "$WORK/data/ecohub.db" "$WORK/ecohub.db.old"
start_server "$BIN" "$WORK/data" "$GW" "$WORK/pg.log" --store "$PG_URL"
city_pg=$(http_get "$HTTP_PORT" /api/v1/public/aqi/city)
me=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT/api/v1/me")
check '[ "$me" = 200 ]' "a session opened on SQLite is valid on the migrated PostgreSQL node (HTTP $me)"
curl -s -H "Authorization: Bearer $token" -o "$WORK/photo.pg" \
  "http://127.0.0.1:$HTTP_PORT/api/v1/complaints/$cid/photos/1"
check 'cmp -s "$WORK/photo.jpg" "$WORK/photo.pg"' "the complaint's photo is the same bytes on PostgreSQL"
phone=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT/api/v1/complaints/$cid/contact")
check '[ "$phone" = "{\"phone\":\"13700001234\"}" ]' "and its sealed phone opens there: $phone"
subs=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT/api/v1/subscriptions")
check 'printf "%s" "$subs" | grep -q "mi\*\*\*@bureau.test"' "the subscription and its sealed address came along: ${subs:0:160}"
fresh=$(python3 -c "import sys; sys.path.insert(0, '$(dirname "$0")'); from ehtest import login; print(login($HTTP_PORT))" 2>/dev/null || true)
check '[ -n "$fresh" ]' "admin signs in on the migrated node with the SQLite password"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
mv "$WORK/ecohub.db.old" "$WORK/data/ecohub.db"
sites_sqlite=$(printf '%s' "$city_sqlite" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("time"))')
sites_pg=$(printf '%s' "$city_pg" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("time"))')
check '[ "$sites_sqlite" = "$sites_pg" ]' "the city AQI hour served from both stores ($sites_sqlite / $sites_pg)"

"$BIN" db migrate --from "$WORK/data" --to "$PG_URL" >/dev/null 2>"$WORK/again.err" && again=0 || again=$?
check '[ "$again" -ne 0 ] && grep -q "not empty" "$WORK/again.err"' "a second migrate into the full database is refused"
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
