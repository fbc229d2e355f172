#!/usr/bin/env python3
"""`ecohub hj212 decode` (text and --hex) and `encode` over every reference vector:
the kept-stable command-line contract, checked the way outside checks use it."""
import json, os, subprocess, sys

BIN = sys.argv[1]
VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "reference", "hj212_vectors.json")
if not os.path.exists(VECTORS):
    print("reference vectors absent: nothing to check")
    sys.exit(0)
vectors = json.load(open(VECTORS))

def run(args, lines):
    out = subprocess.run([BIN, "hj212"] + args, input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True)
    return [json.loads(l) for l in out.stdout.splitlines()]

failures = 0
def check(v, got):
    global failures
    want_err = v.get("error")
    if want_err:
        ok = got["ok"] is False and got["error"] == want_err
    else:
        ok = got["ok"] is True and got["header"] == v["fields"] and (
            v.get("encoding") == "gbk" or got["cp"] == v["cp"])
    if not ok:
        failures += 1
        print("FAIL", v["name"], json.dumps(got, ensure_ascii=False)[:300])

# Text mode: a line is the packet, its CR LF implied (vectors whose wire differs go to --hex).
text = [v for v in vectors if "wire" not in v and "wire_hex" not in v]
for v, got in zip(text, run(["decode"], [v["packet"] for v in text])):
    check(v, got)
# Hex mode: the exact wire bytes of every vector.
def wire(v):
    if "wire_hex" in v:
        return bytes.fromhex(v["wire_hex"])
    return (v.get("wire") or v["packet"] + "\r\n").encode()
for v, got in zip(vectors, run(["decode", "--hex"], [wire(v).hex() for v in vectors])):
    check(v, got)
# Encode: rebuilding the round-trip vectors from header + cp gives the same packet,
# except where the standard's own text joins top-level items with ',' (C.23).
rt = [v for v in vectors if v.get("roundtrip") and v.get("encoding") != "gbk"]
out = subprocess.run([BIN, "hj212", "encode"], input="\n".join(json.dumps({"header": v["fields"], "cp": v["cp"]}) for v in rt) + "\n",
                     capture_output=True, text=True, check=True).stdout.splitlines()
same = sum(1 for v, o in zip(rt, out) if o == v["packet"])
if same < len(rt) - 1:
    failures += 1
    print(f"FAIL encode: {same}/{len(rt)} round-trip vectors rebuilt identically")
# Bad input never crashes and keeps order.
got = run(["decode"], ["", "garbage", "##", "##9999"])
if len(got) != 4 or any(g["ok"] for g in got):
    failures += 1
    print("FAIL bad lines", got)
print(f"{len(text)} text + {len(vectors)} hex decodes, {same}/{len(rt)} encodes identical, {failures} failures")
sys.exit(1 if failures else 0)
