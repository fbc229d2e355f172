#!/usr/bin/env bash
# make bench: every benchmark, figures on stdout. The machine is shared and noisy:
# run it a few times and compare medians.
set -uo pipefail
BUILD=$1
echo "== codec (HJ 212 framing + CRC + parse, one core)"
"$BUILD/bench/codec_bench" --benchmark_counters_tabular=true 2>/dev/null || echo "codec_bench missing"
echo
echo "== store (SQLite, group commit through the Writer)"
"$BUILD/bench/store_bench" 2>/dev/null || echo "store_bench missing"
echo
echo "== store (PostgreSQL on a server of its own, group commit through the Writer; goal >= 60 % of raw COPY)"
"$BUILD/bench/store_bench" --postgresql 2>/dev/null || echo "store_bench --postgresql failed"
echo
echo "== HJ 633 AQI arithmetic (one core; target >= 10M AQI reports/s)"
"$BUILD/bench/aqi_bench" 2>/dev/null || echo "aqi_bench missing"
echo
echo "== casework: a random draw over 1k-100k enterprises; an enterprise code (target: draw < 1 s, code in µs)"
"$BUILD/bench/casework_bench" 2>/dev/null || echo "casework_bench missing"
echo
echo "== continuous derivation (one hour from every station; a year of one city)"
"$BUILD/bench/derive_bench" 2>/dev/null || echo "derive_bench missing"
echo
echo "== gateway end to end (ecohub serve + ecohub sim on loopback)"
python3 "$(dirname "$0")/gateway_bench.py" "$BUILD/ecohub"
echo
echo "== login flood (20 connections of wrong logins; /healthz and device-ack medians and p99s must stay near idle)"
python3 "$(dirname "$0")/login_flood.py" "$BUILD/ecohub" || echo "login_flood failed"
echo
echo "== HTTP API (wrk; ecohub serve beside nginx serving the same bodies; latest-all >= 0.5x nginx, a station's year p50 < 10 ms)"
bash "$(dirname "$0")/api_bench.sh" "$BUILD/ecohub"
echo
echo "== web front end (cold loads of the home page until its data shows; JS bundle sizes; goals: < 1 s, < 500 KB gzipped JS)"
node "$(dirname "$0")/web_bench.mjs" --bin "$BUILD/ecohub" --out "$BUILD/web-bench" || echo "web_bench failed"
