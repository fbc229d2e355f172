#!/usr/bin/env python3
"""`ecohub water-class` over every "water" reference vector (GB 3838 single-factor
class), checked the way outside checks use the command-line contract: class,
exceeding (order matters), item_class, exceed_multiple (numbers compared as decimals
with the vectors' strings) and reference_only. Then bad lines: each must give an
error object in its place, the good lines around them still answered, exit code 1.

Usage: cli_water_vectors_test.py <path of the ecohub binary>"""
import json, os, subprocess, sys
from decimal import Decimal

BIN = sys.argv[1]
SHARED = os.environ.get("ECOHUB_SHARED_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared")
VECTORS = os.path.join(SHARED, "reference", "standards_vectors.json")
if not os.path.exists(VECTORS):
    print(f"{VECTORS} absent: skipped")
    sys.exit(77)
vectors = json.load(open(VECTORS, encoding="utf-8"))["water"]


def run(lines):
    p = subprocess.run([BIN, "water-class"], input="\n".join(lines) + "\n", capture_output=True,
                       text=True, encoding="utf-8")
    # Decimal for numbers: 0.32 stays 0.32, so it compares exactly with "0.32".
    out = [json.loads(l, parse_float=Decimal) for l in p.stdout.splitlines()]
    return p.returncode, out, p.stderr


def request(v):
    r = {"site_type": v["site_type"], "values": v["values"]}
    if "items" in v:
        r["items"] = v["items"]
    return json.dumps(r, ensure_ascii=False)


def multiples(m):
    """{"TP": "0.32"|0.32|None} -> {"TP": Decimal("0.32")|None}."""
    return {k: (None if x is None else Decimal(str(x))) for k, x in (m or {}).items()}


failures = []


def fail(name, field, want, got):
    failures.append(f"{name}: {field}\n    want {json.dumps(want, ensure_ascii=False, default=str)}"
                    f"\n    got  {json.dumps(got, ensure_ascii=False, default=str)}")


rc, out, err = run([request(v) for v in vectors])
if rc != 0 or len(out) != len(vectors):
    print(f"FAIL: exit code {rc}, {len(out)} results for {len(vectors)} vectors\n{err}")
    sys.exit(1)
for v, got in zip(vectors, out):
    name = v["id"]
    if "error" in got:
        fail(name, "error", None, got["error"])
        continue
    if got.get("class") != v["class"]:
        fail(name, "class", v["class"], got.get("class"))
    if got.get("exceeding") != v["exceeding"]:
        fail(name, "exceeding (ordered)", v["exceeding"], got.get("exceeding"))
    if got.get("item_class") != v["item_class"]:
        fail(name, "item_class", v["item_class"], got.get("item_class"))
    if multiples(got.get("exceed_multiple")) != multiples(v["exceed_multiple"]):
        fail(name, "exceed_multiple", v["exceed_multiple"], got.get("exceed_multiple"))
    # Contract: numbers (or null), never strings.
    for k, x in (got.get("exceed_multiple") or {}).items():
        if x is not None and not isinstance(x, (int, Decimal)):
            fail(name, f"exceed_multiple[{k}] type", "number", x)
    if got.get("reference_only", {}) != v.get("reference_only", {}):
        fail(name, "reference_only", v.get("reference_only", {}), got.get("reference_only"))
    if got.get("reference_only") == {}:
        fail(name, "reference_only present only when non-empty", None, {})
    want_used = "routine" if v.get("items", "routine") in ("routine", "ROUTINE_ITEMS") else "custom"
    if got.get("items_used") != want_used:
        fail(name, "items_used", want_used, got.get("items_used"))

# Bad lines between good ones: each answered by an error object in its place.
good = '{"site_type":"river","values":{"TP":0.25}}'
bad = [
    "this is not json",
    '{"site_type":"sea","values":{"TP":0.1}}',
    '{"values":{"TP":0.1}}',
    '{"site_type":"river","values":{"Unobtainium":1}}',
    '{"site_type":"river","values":{"TP":-0.1}}',
    '{"site_type":"river","values":{"TP":"0.1"}}',
    '{"site_type":"river","values":{"TP":true}}',
    '{"site_type":"river","values":{"NH3N":1,"NH3-N":1}}',
    '{"site_type":"river","values":{"TP":0.1},"items":["TP","Nope"]}',
    '[1,2]',
]
lines = [good]
for b in bad:
    lines += [b, "", good]  # the blank line is skipped, not answered
rc, out, err = run(lines)
want_len = 1 + 2 * len(bad)
if rc != 1:
    failures.append(f"bad lines: exit code {rc}, want 1")
if len(out) != want_len:
    failures.append(f"bad lines: {len(out)} output lines, want {want_len}")
else:
    for i, b in enumerate(bad):
        e, g = out[1 + 2 * i], out[2 + 2 * i]
        if set(e) != {"error"} or not isinstance(e["error"], str) or not e["error"]:
            fail(f"bad line {b!r}", "error object", {"error": "..."}, e)
        if g.get("class") != "IV" or g.get("exceed_multiple") != {"TP": Decimal("0.25")}:
            fail(f"good line after {b!r}", "result", {"class": "IV", "exceed_multiple": {"TP": 0.25}}, g)
if err.count("\n") < len(bad):
    failures.append(f"bad lines: want a message per bad line on stderr, got:\n{err}")

# Null values are not measured; unclassified station parameters are accepted.
rc, out, err = run(['{"site_type":"lake","values":{"TP":null,"DO":8,"Turbidity":12.5}}'])
if rc != 0 or out != [{"class": "I", "exceeding": [], "exceed_multiple": {}, "item_class": {"DO": "I"},
                       "grade": "优", "items_used": "routine"}]:
    failures.append(f"null value / unclassified parameter: rc {rc}, got {out} {err}")

# Named items are all evaluated, TN included (lake and river); without a list TN stays
# reference-only for a lake and is ignored for a river.
rc, out, err = run(['{"site_type":"lake","values":{"TP":0.03,"TN":1.2},"items":["TP","TN"]}',
                    '{"site_type":"river","values":{"TP":0.03,"TN":1.2},"items":["TP","TN"]}',
                    '{"site_type":"lake","values":{"TP":0.03,"TN":1.2}}',
                    '{"site_type":"river","values":{"TP":0.03,"TN":1.2}}'])
want = [{"class": "IV", "exceeding": ["TN"], "exceed_multiple": {"TN": Decimal("0.2")},
         "item_class": {"TP": "III", "TN": "IV"}, "grade": "轻度污染", "items_used": "custom"},
        {"class": "IV", "exceeding": ["TN"], "exceed_multiple": {"TN": Decimal("0.2")},
         "item_class": {"TP": "II", "TN": "IV"}, "grade": "轻度污染", "items_used": "custom"},
        {"class": "III", "exceeding": [], "exceed_multiple": {}, "item_class": {"TP": "III"},
         "reference_only": {"TN": "IV"}, "grade": "良好", "items_used": "routine"},
        {"class": "II", "exceeding": [], "exceed_multiple": {}, "item_class": {"TP": "II"},
         "grade": "优", "items_used": "routine"}]
if rc != 0 or out != want:
    failures.append(f"named TN: rc {rc}\n got  {out}\n want {want}\n{err}")

if failures:
    print(f"{len(failures)} mismatch(es):")
    print("\n".join(failures))
    sys.exit(1)
print(f"ok: {len(vectors)} water vectors and {len(bad)} bad lines")
