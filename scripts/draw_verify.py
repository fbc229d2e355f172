#!/usr/bin/env python3
"""Re-runs a published random draw (双随机一公开) and compares it with what was published.

    python3 scripts/draw_verify.py https://<host>/api/v1/public/draws/<id>
    python3 scripts/draw_verify.py draw.json      # the same document, saved

The document holds the draw's "input" and "result". This script is the algorithm
"ecohub-draw-1" of docs/random-inspections.md written apart from the server, with the
Python standard library alone, so that anyone can check a draw without trusting EcoHub.
Exit status 0: the same result; 1: a difference (printed); 2: the document is unusable.
"""
import hashlib
import json
import sys
import urllib.request

CATEGORIES = ("key", "special", "general")


class Stream:
    """Block n = SHA-256(seed ‖ n as 8 bytes big-endian); four 64-bit big-endian words each."""

    def __init__(self, seed):
        self.seed = seed.encode("utf-8")
        self.block = 0
        self.words = []

    def next(self):
        if not self.words:
            d = hashlib.sha256(self.seed + self.block.to_bytes(8, "big")).digest()
            self.block += 1
            self.words = [int.from_bytes(d[i:i + 8], "big") for i in (0, 8, 16, 24)]
        return self.words.pop(0)

    def below(self, m):
        limit = 2**64 - (2**64 % m)
        while True:
            w = self.next()
            if w < limit:
                return w % m


def partial_shuffle(stream, items, k):
    for i in range(k):
        j = i + stream.below(len(items) - i)
        items[i], items[j] = items[j], items[i]
    return items[:k]


def draw(inp):
    if inp.get("algorithm") != "ecohub-draw-1":
        raise ValueError("not an ecohub-draw-1 input")
    s = Stream(inp["seed"])
    picks, pool, drawn = [], {}, {}
    for c in CATEGORIES:
        members = sorted((e for e in inp["enterprises"] if e["category"] == c),
                         key=lambda e: e["credit_code"].encode("utf-8"))
        rate_bp = int(inp["rates"][c] * 100 + 0.5)  # hundredths of a percent, half up
        k = (len(members) * rate_bp + 9999) // 10000
        pool[c], drawn[c] = len(members), k
        picks += partial_shuffle(s, members, k)
    officers = sorted(inp["officers"], key=lambda o: o["id"])
    out = []
    for e in picks:
        last = inp.get("last", {}).get(e["credit_code"], [])
        free = [o["id"] for o in officers
                if not (inp["recuse_own_district"] and o["district_id"] != 0
                        and o["district_id"] == e["district_id"])
                and not (inp["recuse_last"] and o["id"] in last)]
        team = partial_shuffle(s, free, inp["team"]) if len(free) >= inp["team"] else []
        out.append({"credit_code": e["credit_code"], "category": e["category"], "officers": team})
    return {"picks": out, "pool": pool, "drawn": drawn}


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = argv[1]
    try:
        if src.startswith(("http://", "https://")):
            with urllib.request.urlopen(src, timeout=30) as r:
                doc = json.load(r)
        else:
            with open(src, encoding="utf-8") as f:
                doc = json.load(f)
        again = draw(doc["input"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"cannot use {src}: {e}", file=sys.stderr)
        return 2
    published = doc["result"]
    if again["picks"] == published.get("picks"):
        print(f"reproduced: {len(again['picks'])} enterprises drawn, the same as published")
        return 0
    print("DIFFERENT from the published result:")
    for i, (a, b) in enumerate(zip(again["picks"], published.get("picks", []))):
        if a != b:
            print(f"  #{i + 1}: re-run {a}, published {b}")
    if len(again["picks"]) != len(published.get("picks", [])):
        print(f"  re-run drew {len(again['picks'])}, published {len(published.get('picks', []))}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
