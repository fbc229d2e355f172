#!/usr/bin/env bash
# The historical path: four days of the Beijing 12-station dataset imported, derived
# (then dropped and derived again with `ecohub derive`), and read back over HTTP. Pinned station-days were computed by hand from the raw rows
# (GB/T 8170 half-even means of the 24 hours, the 17 same-day 8-h O3 windows, HJ
# 633-2012 daily IAQIs rounded up):
#   东四 2014-01-02: PM2.5 129 (IAQI 170), PM10 170, SO2 82, NO2 92, CO 3.8 mg/m3,
#                    O3 8-h max 12, O3 1-h max 17 -> AQI 170, primary PM2.5
#   奥体中心 2014-01-03: PM2.5 50 (69), PM10 115 (83) ... -> AQI 83, primary PM10
#   怀柔镇 2014-01-04: PM2.5 108 (142) -> AQI 142, O3 8-h 12
#   万柳 2014-01-01: no O3 at all that day (no valid 8-h window), NO2 129 (IAQI 125)
#                    above PM10 153 (102) -> AQI 125, primary NO2
set -euo pipefail
BIN=$1
DATASET=${2:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data/beijing_multisite_2013_2017}
source "$(dirname "$0")/lib.sh"
work_dir
if [ ! -f "$DATASET/PRSA_Data_Dongsi_20130301-20170228.csv.gz" ]; then
  echo "dataset not found at $DATASET: skipped"; exit 77
fi
# --to names the last day taken (included), like every date range a user types.
"$BIN" import beijing --data "$WORK/data" --dataset "$DATASET" --from 20140101 --to 20140104 \
  >"$WORK/import.json" 2>"$WORK/import.log"
cat "$WORK/import.json"
grep -q "took 2014-01-01 .. 2014-01-04" "$WORK/import.log" || { echo "FAIL: import stderr"; exit 1; }
if "$BIN" import beijing --data "$WORK/bad" --dataset "$DATASET" --from 20140105 --to 20140104 \
  >/dev/null 2>&1; then echo "FAIL: --to before --from accepted"; exit 1; fi
# A month with four days of data: report air says so on stderr and in "warnings".
"$BIN" report air --data "$WORK/data" --year 2014 --month 1 >"$WORK/report.json" 2>"$WORK/report.err"
grep -q "warning: 4 of the period's 31 days have a daily AQI" "$WORK/report.err" \
  || { echo "FAIL: report air warning"; cat "$WORK/report.err"; exit 1; }
# Derived values are rebuilt from the readings alone: drop them and derive again.
rm -f "$WORK/data/derived.db" "$WORK/data/derived.db-wal" "$WORK/data/derived.db-shm"
"$BIN" derive --data "$WORK/data" --from 20140101 --to 20140105 2>/dev/null
GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log"

PYTHONPATH="$(dirname "$0")" python3 - "$HTTP_PORT" "$WORK/import.json" "$WORK/report.json" <<'PY'
import json, sys, urllib.request
from ehtest import check, finish, login
http = sys.argv[1]
summary = json.load(open(sys.argv[2]))
check(summary["readings"] == 6758 and summary["missing_values"] == 154 and summary["bad_values"] == 0,
      f"4 days x 24 hours x 12 stations x 6 pollutants, NA kept as gaps: {summary}")
check(summary["first_day"] == "2014-01-01" and summary["last_day"] == "2014-01-04",
      f"the summary names the first and last day taken: {summary}")
report = json.load(open(sys.argv[3]))
check(len(report["warnings"]) == 2 and report["warnings"][0].startswith("4 of the period's 31 days"),
      f"report air warnings: {report['warnings']}")

def day(code, date):
    with urllib.request.urlopen(f"http://127.0.0.1:{http}/api/v1/aqi?scope=site:{code}"
                                f"&period=day&from={date}&to={date}T01", timeout=10) as r:
        items = json.load(r)["items"]
    return items[0] if items else {}

pins = [("AIR-Dongsi", "2014-01-02", 170, ["PM2.5"],
         {"PM2.5": 129, "PM10": 170, "SO2": 82, "NO2": 92, "CO": 3.8, "O3_8h": 12, "O3_1h": 17}),
        ("AIR-Aotizhongxin", "2014-01-03", 83, ["PM10"],
         {"PM2.5": 50, "PM10": 115, "SO2": 34, "NO2": 48, "CO": 1.1, "O3_8h": 48, "O3_1h": 63}),
        ("AIR-Huairou", "2014-01-04", 142, ["PM2.5"],
         {"PM2.5": 108, "PM10": 135, "SO2": 46, "NO2": 71, "CO": 1.8, "O3_8h": 12, "O3_1h": 17}),
        ("AIR-Wanliu", "2014-01-01", 125, ["NO2"],
         {"PM2.5": 69, "PM10": 153, "SO2": 24, "NO2": 129, "CO": 2.1})]
for code, date, aqi, primary, conc in pins:
    row = day(code, date)
    check(row.get("aqi") == aqi and row.get("primary") == primary and row.get("conc") == conc
          and row.get("edition") == "HJ633-2012",
          f"{code} {date}: AQI {row.get('aqi')} {row.get('primary')} {row.get('conc')}")
with urllib.request.urlopen(f"http://127.0.0.1:{http}/api/v1/aqi?scope=city&period=day"
                            f"&from=2013-12-01&to=2014-02-01", timeout=10) as r:
    days = json.load(r)["items"]
check([d["time_text"][:10] for d in days] == ["2014-01-01", "2014-01-02", "2014-01-03", "2014-01-04"]
      and all(d["coverage"]["present"] == 12 for d in days), "four city days from 12 stations")
row = day("AIR-Wanliu", "2014-01-01")
check(row["validity"]["O3_8h"] == {"windows": 0, "valid": False} and "O3_8h" in row["missing"],
      "万柳 2014-01-01: O3 8-h invalid and reported missing, not zero")
with urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{http}/api/v1/air/report?scope=city&year=2014&month=1",
        headers={"Authorization": "Bearer " + login(http)}),
                            timeout=10) as r:
    rep = json.load(r)
check(rep["days_with_aqi"] == 4 and rep["statistics"]["PM2.5"]["valid"] is False
      and rep["warnings"] == report["warnings"],
      f"January 2014 report: {rep['days_with_aqi']} days, PM2.5 statistic marked invalid (< 27 days)")
finish()
PY
