#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR SECONDS: builds the libFuzzer targets with clang (ASan+UBSan)
# into BUILD_DIR/fuzz, seeds the corpus with every HJ 212 reference vector, and fuzzes
# for SECONDS. Exits non-zero on a crash (the crashing input is left in BUILD_DIR/fuzz).
set -euo pipefail
BUILD=$(realpath "$1")
SECONDS_TO_RUN=${2:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$BUILD/fuzz"
mkdir -p "$OUT/corpus"
SRC="$ROOT/src"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$SRC" "$ROOT/fuzz/hj212_fuzz.cc" "$SRC"/hj212/{crc,error,framer,packet,builder,reply}.cc \
  "$SRC"/core/{status,time,reading}.cc -o "$OUT/hj212_fuzz"
VECTORS="$ROOT/../shared/reference/hj212_vectors.json"
if [ -f "$VECTORS" ]; then
  python3 - "$VECTORS" "$OUT/corpus" <<'PY'
import json, sys, os, hashlib
for v in json.load(open(sys.argv[1])):
    data = bytes.fromhex(v["wire_hex"]) if "wire_hex" in v else (v.get("wire") or v["packet"] + "\r\n").encode()
    open(os.path.join(sys.argv[2], hashlib.sha1(data).hexdigest()), "wb").write(data)
PY
fi
cd "$OUT"
"$OUT/hj212_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -print_final_stats=1 corpus 2>&1 | tail -12
