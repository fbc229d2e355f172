#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR SECONDS: builds the libFuzzer targets with clang (ASan+UBSan)
# into BUILD_DIR/fuzz, seeds their corpora and fuzzes each for half of SECONDS:
#   hj212_fuzz  every parser of device bytes (corpus: every HJ 212 reference vector);
#   api_fuzz    the HTTP API's parsers of outside input: query strings, times, JSON
#               bodies against documented fields, catalog datasets, uploaded files
#               of readings and mappings (a few seeds).
# Runs both even when the first crashes; exits non-zero on any crash (the crashing
# input is left in BUILD_DIR/fuzz, named after its target).
# Debian's clang (14) builds both; FUZZ_CXX chooses another compiler, and a newer
# clang++-NN found on the machine is preferred.
set -euo pipefail
BUILD=$(realpath "$1")
SECONDS_TO_RUN=${2:-30}
EACH=$(( SECONDS_TO_RUN / 2 > 0 ? SECONDS_TO_RUN / 2 : 1 ))
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$BUILD/fuzz"
mkdir -p "$OUT/corpus" "$OUT/api_corpus"
SRC="$ROOT/src"
CXX=${FUZZ_CXX:-}
if [ -z "$CXX" ]; then
  for c in clang++-19 clang++-18 clang++-17 clang++-16 clang++; do
    command -v "$c" >/dev/null && { CXX=$c; break; }
  done
fi
[ -n "$CXX" ] || { echo "fuzz: no clang++ found" >&2; exit 1; }
FLAGS=(-std=c++20 -O1 -g1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$SRC")

# The objects compile in parallel (nproc at a time), then each target links.
OBJ="$OUT/obj"
mkdir -p "$OBJ"
# api.cc defines the guard and the list exports too, which reach Accounts (its SQLite
# store through store/sqlite/db.cc, its PostgreSQL one through store/pg/{db,lease}.cc and libpq,
# libsodium), exports (libxlsxwriter) and logs
# (spdlog), TOTP and sealing (OpenSSL): those link in, though the parsers never call them.
API_DEFS=(-DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DSPDLOG_SHARED_LIB -DFMT_SHARED)
HJ212_SRCS=("$ROOT/fuzz/hj212_fuzz.cc" "$SRC"/hj212/{crc,error,framer,packet,builder,reply}.cc
            "$SRC"/ingest/{mqtt_codec,mqtt_payload}.cc
            "$SRC"/core/{status,time,reading}.cc)
API_SRCS=("$ROOT/fuzz/api_fuzz.cc" "$SRC"/api/{router,params,api,export,run_once}.cc
          "$SRC"/auth/{catalog,policy,accounts,secrets,sqlite_account_store,pg_account_store}.cc
          "$SRC"/auth/{login_guard,password_workers,password_rules,totp}.cc
          "$SRC"/crypto/{sm,keyring,sealer}.cc
          "$SRC"/store/sqlite/db.cc "$SRC"/store/pg/{db,lease}.cc
          "$SRC"/ingest/{readings_file,readings_mapping,units}.cc "$SRC"/casework/photo.cc
          "$SRC"/core/{status,time,clock,escape,reading,factors,table}.cc)
PQ_CFLAGS=$(pkg-config --cflags libpq 2>/dev/null || echo "-I/usr/include/postgresql")
PQ_LIBS=$(pkg-config --libs libpq 2>/dev/null || echo "-lpq")
XLSX_LIBS=$(pkg-config --libs xlsxwriter 2>/dev/null || echo "-lxlsxwriter -lz")
obj_of() {  # $1 target, $2 source -> object path
  local rel=${2#"$ROOT"/}
  echo "$OBJ/$1/${rel//\//_}.o"
}
JOBS=$(nproc)
failed=0
spawn() {  # runs "$@" in the background, at most JOBS at a time
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || failed=1; done
  "$@" &
}
mkdir -p "$OBJ/hj212" "$OBJ/api"
for f in "${API_SRCS[@]}"; do
  # shellcheck disable=SC2086  # PQ_CFLAGS is a word list
  spawn "$CXX" "${FLAGS[@]}" "${API_DEFS[@]}" $PQ_CFLAGS -c "$f" -o "$(obj_of api "$f")"
done
for f in "${HJ212_SRCS[@]}"; do
  spawn "$CXX" "${FLAGS[@]}" -c "$f" -o "$(obj_of hj212 "$f")"
done
while true; do
  rc=0
  wait -n || rc=$?
  [ "$rc" = 127 ] && break
  [ "$rc" = 0 ] || failed=1
done
if [ "$failed" = 1 ]; then
  echo "fuzz: a source did not compile with $CXX" >&2
  exit 1
fi
hj212_objs=() api_objs=()
for f in "${HJ212_SRCS[@]}"; do hj212_objs+=("$(obj_of hj212 "$f")"); done
for f in "${API_SRCS[@]}"; do api_objs+=("$(obj_of api "$f")"); done
"$CXX" "${FLAGS[@]}" "${hj212_objs[@]}" -o "$OUT/hj212_fuzz"
# shellcheck disable=SC2086  # XLSX_LIBS and PQ_LIBS are word lists
"$CXX" "${FLAGS[@]}" "${api_objs[@]}" -lspdlog -lfmt -lsqlite3 $PQ_LIBS -lsodium -lcrypto $XLSX_LIBS \
  -lzip -lexpat \
  -o "$OUT/api_fuzz"

VECTORS="$ROOT/../shared/reference/hj212_vectors.json"
if [ -f "$VECTORS" ]; then
  python3 - "$VECTORS" "$OUT/corpus" <<'PY'
import json, sys, os, hashlib
for v in json.load(open(sys.argv[1])):
    data = bytes.fromhex(v["wire_hex"]) if "wire_hex" in v else (v.get("wire") or v["packet"] + "\r\n").encode()
    open(os.path.join(sys.argv[2], hashlib.sha1(data).hexdigest()), "wb").write(data)
PY
fi
# api_fuzz seeds: the first byte picks the parser (api_fuzz.cc): 0 a query string, 1 a
# time, 2 + 8k a JSON body against field list k (0 login, 1 key, 2 grant, 3 dataset, 4 none).
python3 - "$OUT/api_corpus" <<'PY'
import hashlib, json, os, sys
dataset = {"id": "noise-grid", "name": "区域声环境", "description": "Grid noise survey",
           "category": "environmental_quality", "subcategory": "noise",
           "source_system": "Noise MIS", "owner_department": "monitoring",
           "update_frequency": "yearly",
           "fields": [{"name": "leq", "type": "number", "unit": "dB(A)", "description": "Leq"}],
           "formats": ["json", "csv"], "coverage": {"from": "2013-03-01", "to": ""},
           "keywords": ["噪声", "noise"], "secrecy": "internal", "sharing": "departments",
           "sharing_departments": ["planning"], "enterprise_own_rows": False}
seeds = [
    b"\x00site=1001A&factor=a34004,a21026&period=hour&from=2026-03-01&to=2026-03-02T08:00&limit=100",
    b"\x00q=%E7%A9%BA%E6%B0%94+x&kind=air&&=&a&cursor=a42&limit=0x10",
    b"\x00from=1767225600&to=2026-03-01%2008:00:00&format=csv&agg=month",
    b"\x012026-03-01", b"\x012026-03-01T08", b"\x012026-03-01T08:00",
    b"\x012026-03-01 08:00:00", b"\x011767225600", b"\x012024-02-29", b"\x012026-02-30",
    b"\x02" + json.dumps({"username": "admin", "password": "p\u00e4ss"}).encode(),
    b"\x0a" + json.dumps({"name": "bench", "expires": "2027-01-01", "datasets": ["air-aqi"],
                          "days": 30}).encode(),
    b"\x12" + json.dumps({"user_id": 3, "dataset": "air-aqi", "from": "2026-03-01T08:00",
                          "to": None, "export": True, "threshold": 1.5e3,
                          "extra": {"a": [1, {"b": None}]}}).encode(),
    b"\x1a" + json.dumps(dataset, ensure_ascii=False).encode(),
    b"\x1a" + json.dumps(dict(dataset, sharing="public", secrecy="public",
                              coverage=None, fields=None)).encode(),
    b"\x0a" + json.dumps({"name": "x" * 4001}).encode(),  # over the 4,000-byte limit
    b"\x22{}", b"\x22[1,2,\"x\"]", b"\x02\"\\ud800\"", b"\x0a{\"name\":\"\xff\"}",
    b"\x03site,factor,period,time,value,flag\nAIR-1,a34004,hour,2026-03-01 08:00,35,N\n"
    b"AIR-1,a21005,day,2026-03-01T00:00:00+08:00,0.8,\n",
    b"\x03No,year,month,day,hour,TEMP,PRES,DEWP,wd,WSPM,station\n"
    b"1,2013,3,1,0,-0.5,1024.5,-21.4,NNW,5.7,Dongsi\n2,2013,3,1,1,0.0333333333333333,1025,x,C,3,Dongsi\n",
    b"\x03date,hour,type,1001A,1002A\n20140513,24,PM2.5,35,\n20140513,1,CO,0.9,1.1\n",
    b"\x03[{\"site\":\"A\",\"factor\":\"a34004\",\"period\":\"hour\",\"time\":\"2026-03-01 08:00\",\"value\":35.7}]",
    b"\x04{\"shape\":\"wide\",\"site\":\"S\",\"period\":\"day\",\"factors\":{\"v\":\"w01018\"}}\x00time,v\n2026-03-01,12.5\n",
    b"\x04{\"columns\":{\"value\":\"v\"}}\x00site,factor,period,time,v\nS,a34004,minute,2026-03-01 08:01,1\n",
    b"\x05\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xe1\x00\x0bExif\x00\x00GPS\xff\xfe\x00\x04hi\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\xff\xd9",
    b"\x05\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(13) + bytes(4)
    + b"\x00\x00\x00\x02tEXtab" + bytes(4) + b"\x00\x00\x00\x00IEND" + bytes(4),
]
for s in seeds:
    open(os.path.join(sys.argv[1], hashlib.sha1(s).hexdigest()), "wb").write(s)
PY

cd "$OUT"
status=0
echo "== hj212_fuzz (${EACH} s)"
"$OUT/hj212_fuzz" -max_total_time="$EACH" -max_len=4096 -print_final_stats=1 corpus 2>&1 | tail -12 ||
  status=1
echo "== api_fuzz (${EACH} s)"
"$OUT/api_fuzz" -max_total_time="$EACH" -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$OUT/api_fuzz-" api_corpus 2>&1 | tail -12 || status=1
exit $status
