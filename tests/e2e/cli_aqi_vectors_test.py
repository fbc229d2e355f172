#!/usr/bin/env python3
"""`ecohub aqi` (a stable contract) over every AQI vector of standards_vectors.json,
then bad lines: each gets an error object, the others still get answers."""
import json
import os
import subprocess
import sys

BIN = sys.argv[1]
VECTORS = os.path.join(sys.argv[2] if len(sys.argv) > 2 else
                       os.path.join(os.path.dirname(__file__), "../../../shared"),
                       "reference", "standards_vectors.json")


def run(lines):
    p = subprocess.run([BIN, "aqi"], input="".join(l + "\n" for l in lines), capture_output=True,
                       text=True, timeout=60)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines()], p.stderr


def main():
    if not os.path.exists(VECTORS):
        print(f"{VECTORS} absent: skipped")
        return 77
    vectors = json.load(open(VECTORS, encoding="utf-8"))["aqi"]
    requests = []
    for v in vectors:
        r = {"edition": v["edition"], "mode": v["mode"], "conc": v["conc"],
             "round_inputs": v["round_inputs"]}
        if "o3_8h_in_hourly" in v:
            r["o3_8h_in_hourly"] = v["o3_8h_in_hourly"]
        requests.append(json.dumps(r, ensure_ascii=False))
    rc, out, err = run(requests)
    failures = []
    if rc != 0 or len(out) != len(vectors):
        failures.append(f"exit {rc}, {len(out)} answers for {len(vectors)} lines: {err[:500]}")
    for v, got in zip(vectors, out):
        want = {"aqi": v["aqi"], "level": v["level"], "category": v["category"],
                "primary": v["primary"], "iaqi": v["iaqi"], "published": v["aqi_published"]}
        for k, w in want.items():
            if got.get(k) != w:
                failures.append(f"{v['id']} ({v['note']}): {k} = {got.get(k)!r}, want {w!r}")
        colours = {1: "#00E400", 2: "#FFFF00", 3: "#FF7E00", 4: "#FF0000", 5: "#99004C", 6: "#7E0023"}
        if v["aqi"] is not None and got.get("color") != colours[v["level"]]:
            failures.append(f"{v['id']}: color {got.get('color')}")
        for k in ("missing", "over_standard"):
            if k in v and got.get(k) != v[k]:
                failures.append(f"{v['id']}: {k} = {got.get(k)!r}, want {v[k]!r}")

    # Bad lines among good ones: the good ones are still answered, in order.
    good = '{"edition":"HJ633-2026","mode":"hourly","conc":{"PM2.5_1h":72}}'
    bad = ['{"edition":"HJ633-2020","mode":"hourly","conc":{}}',
           '{"edition":"HJ633-2026","mode":"weekly","conc":{}}',
           '{"edition":"HJ633-2026","mode":"hourly","conc":{"PM25_1h":3}}',
           '{"edition":"HJ633-2026","mode":"hourly","conc":{"PM2.5_1h":-1}}',
           '{"edition":"HJ633-2026","mode":"hourly","conc":{"PM2.5_1h":true}}',
           '{"edition":"HJ633-2026","mode":"hourly","conc":[1,2]}',
           '[1,2,3]', '{"edition":', '\u00ff\u00fe garbage']
    lines = [good]
    for b in bad:
        lines += [b, good]
    rc, out, err = run(lines)
    if rc != 1:
        failures.append(f"bad lines: exit code {rc}, want 1")
    if len(out) != len(lines):
        failures.append(f"bad lines: {len(out)} answers for {len(lines)} lines")
    else:
        for i, (line, got) in enumerate(zip(lines, out)):
            if line == good and got.get("aqi") != 111:
                failures.append(f"line {i}: good line answered {got}")
            if line != good and "error" not in got:
                failures.append(f"line {i}: bad line {line!r} answered {got}")

    # Nothing to compute: aqi null, not published.
    rc, out, _ = run(['{"edition":"HJ633-2026","mode":"daily","conc":{"PM2.5_24h":null,"SO2_24h":"/"}}'])
    if out[0]["aqi"] is not None or out[0]["published"] is not False or out[0]["level"] is not None:
        failures.append(f"empty report: {out[0]}")

    for f in failures[:50]:
        print("FAIL", f)
    print(f"{len(vectors)} AQI vectors through the CLI, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
