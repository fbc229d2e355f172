#!/usr/bin/env bash
# `ecohub audit verify --data DIR` (a stable contract): exit 0 on an intact chain; a
# row edited directly in the database, deleted, the whole chain re-hashed without
# the key, or its tail cut after an anchor, is caught and named (exit 1). Also: what
# serve and the CLI create is readable by their owner only (issue 11, hole 11).
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
work_dir
umask 022  # what a shell usually has: the modes below must not depend on it

# files_open_to_others DIR: the files and directories under DIR that group or others
# may use (nothing, when EcoHub created them).
files_open_to_others() { find "$1" -perm /077 -printf '%m %p\n'; }

# A data directory with a few audited changes: the demo's reference tables, then
# devices registered from the command line.
GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --demo --demo-devices 1 --demo-history-days 0
OPEN=$(files_open_to_others "$WORK/data")
ls "$WORK/data/ecohub.db-wal" "$WORK/data/keys" >/dev/null
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
[ -z "$OPEN" ] || { echo "FAIL files open to others while serving:"; echo "$OPEN"; exit 1; }
echo "ok   data dir, database, WAL and key file are 0700/0600 while serving"
grep -q 'created with a fresh key; in production keep the key file on other storage' \
  "$WORK/serve.log" || { echo "FAIL no warning about the key file's place"; exit 1; }
# The demo registers its city through the audited paths (city init, registry import):
# those rows go, with the anchor the stop wrote for them, so that the chain below is
# the five device changes alone.
python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \
db.execute('DELETE FROM audit_log'); db.commit()" "$WORK/data/ecohub.db"
rm -f "$WORK/data/audit-anchors.log"
# A copy from before any audit row, without the key: the chain older versions wrote.
cp -a "$WORK/data" "$WORK/legacy"; rm "$WORK/legacy/keys"
SITE=$("$BIN" demo devices --count 1 | cut -d, -f3)
for d in data legacy; do
  for i in 1 2 3 4 5; do
    "$BIN" device put --data "$WORK/$d" --mn "MNAUDIT$i" --password "secret$i" --site "$SITE" >/dev/null
  done
done
# A clean stop anchors the head of the chain outside the store.
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve2.log"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
OPEN=$(files_open_to_others "$WORK/data")
[ -z "$OPEN" ] || { echo "FAIL files open to others after serving:"; echo "$OPEN"; exit 1; }
[ -s "$WORK/data/audit-anchors.log" ] || { echo "FAIL no anchor written at a clean stop"; exit 1; }
echo "ok   anchor file written at a clean stop, 0600"

PYTHONPATH="$(dirname "$0")" python3 - "$BIN" "$WORK" <<'PY'
import hashlib, json, os, shutil, sqlite3, subprocess, sys
from ehtest import check, finish
bin_, work = sys.argv[1], sys.argv[2]

def run(*args, env=None):
    return subprocess.run([bin_, *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))

def verify(d, *extra):
    p = run("audit", "verify", "--data", d, *extra)
    return p.returncode, json.loads(p.stdout) if p.stdout.strip() else {}, p.stderr

def copy(name, src="data"):
    shutil.copytree(f"{work}/{src}", f"{work}/{name}")
    return f"{work}/{name}"

def row_hash(r):  # the SHA-256 serialisation of rows written before keying
    return hashlib.sha256("".join(f"{len(str(v).encode())}:{v};" for v in r).encode()).hexdigest()

COLS = "id, t, actor, action, object, detail, prev_hash, hash, key_id"

rc, out, _ = verify(f"{work}/data")
check(rc == 0 and out["ok"] and out["rows"] == 5 and len(out["head"]) == 64
      and out["keyed_from"] == 1 and out["anchors"] == 1,
      f"intact keyed chain of 5 device changes, anchored: exit {rc}, {out}")
db = sqlite3.connect(f"{work}/data/ecohub.db")
rows = [list(r) for r in db.execute(f"SELECT {COLS} FROM audit_log ORDER BY id")]
check(all("secret" not in r[5] for r in rows), "device passwords never enter the audit log")
check(all(r[8] == "k1" for r in rows), "every row names the key that signed it")
keys = open(f"{work}/data/keys").read()
check(all(line.split()[1] not in open(f"{work}/data/ecohub.db", "rb").read().hex()
          for line in keys.splitlines() if line and not line.startswith("#")),
      "the key is not in the database")
db.close()

# An edited row: the detail of row 3 changed behind EcoHub's back.
d = copy("edited")
db = sqlite3.connect(f"{d}/ecohub.db")
db.execute("""UPDATE audit_log SET detail = replace(detail, '"enabled":true', '"enabled":false') WHERE id = 3""")
db.commit(); db.close()
rc, out, err = verify(d)
check(rc == 1 and out["first_broken_row"] == 3 and "edited" in out["reason"] and "row 3" in err,
      f"edited row 3 named: exit {rc}, {out}")

# Every row re-hashed with plain SHA-256 (the format is no secret, the key is): the
# rows look like a chain written before keying, but the anchors say it was keyed.
d = copy("rehashed_all")
db = sqlite3.connect(f"{d}/ecohub.db")
prev = "0" * 64
for r in rows:
    forged = r[:2] + ["someone else"] + r[3:6] + [prev]
    h = row_hash(forged)
    db.execute("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ?, key_id = '' WHERE id = ?",
               (forged[2], prev, h, r[0]))
    prev = h
db.commit(); db.close()
rc, out, err = verify(d)
check(rc == 1 and out["first_broken_row"] == 1 and "without the key" in out["reason"],
      f"chain re-hashed with SHA-256 caught at row 1: exit {rc}, {out}")

# The tail cut: rows 4 and 5 deleted, after the anchor named row 5.
d = copy("cut")
db = sqlite3.connect(f"{d}/ecohub.db")
db.execute("DELETE FROM audit_log WHERE id > 3")
db.commit(); db.close()
rc, out, err = verify(d)
check(rc == 1 and out["first_broken_row"] == 4 and "deleted" in out["reason"],
      f"cut tail caught at row 4: exit {rc}, {out}")

# The anchor moved back to row 3 to cover the cut: its signature no longer holds.
with open(f"{d}/audit-anchors.log") as f:
    line = f.readline().split(" ")
line[0] = "3"; line[1] = rows[2][7]
with open(f"{d}/audit-anchors.log", "w") as f:
    f.write(" ".join(line))
rc, out, err = verify(d)
check(rc == 1 and "line 1" in out.get("reason", ""), f"forged anchor line caught: exit {rc}, {out}")

# A deleted row: row 3 gone, so row 4 no longer follows row 2.
d = copy("deleted")
db = sqlite3.connect(f"{d}/ecohub.db")
db.execute("DELETE FROM audit_log WHERE id = 3")
db.commit(); db.close()
rc, out, err = verify(d)
check(rc == 1 and out["first_broken_row"] == 4 and "deleted" in out["reason"],
      f"deleted row 3 caught at row 4: exit {rc}, {out}")

# A deleted row with the later ids renumbered to hide the gap: the prev_hash link breaks.
d = copy("renumbered", "deleted")
db = sqlite3.connect(f"{d}/ecohub.db")
db.execute("UPDATE audit_log SET id = id - 1 WHERE id > 3")
db.commit(); db.close()
rc, out, _ = verify(d)
check(rc == 1 and out["first_broken_row"] == 3, f"renumbered gap caught at row 3: exit {rc}, {out}")

# Keys: a rotation adds k2, new rows are signed with it and the old ones still verify;
# a key file others can read is refused.
d = copy("rotated")
p = run("keys", "rotate", "--key-file", f"{d}/keys")
check(p.returncode == 0 and p.stdout.strip() == "k2", f"keys rotate: {p.returncode} {p.stdout}")
site = run("demo", "devices", "--count", "1").stdout.split(",")[2].strip()
run("device", "put", "--data", d, "--mn", "MNROT", "--password", "pw", "--site", site)
rc, out, _ = verify(d)
last = sqlite3.connect(f"{d}/ecohub.db").execute("SELECT key_id FROM audit_log WHERE id = 6").fetchone()
check(rc == 0 and out["rows"] == 6 and last == ("k2",), f"rotated keys verify: exit {rc}, {out}, {last}")
os.chmod(f"{d}/keys", 0o644)
rc, out, err = verify(d)
check(rc == 2 and "chmod 600" in err, f"a key file others can read is refused: exit {rc}, {err}")

# A chain written before keying (no key anywhere) verifies as SHA-256 rows.
legacy = f"{work}/legacy"
rc, out, _ = verify(legacy)
check(rc == 0 and out["rows"] == 5 and out["keyed_from"] == 0, f"SHA-256 chain intact: exit {rc}, {out}")
db = sqlite3.connect(f"{legacy}/ecohub.db")
old = [list(r) for r in db.execute(f"SELECT {COLS} FROM audit_log ORDER BY id")]
check(all(row_hash(r[:7]) == r[7] and r[8] == "" for r in old),
      "unkeyed rows hold SHA-256 of the documented serialisation")
db.close()
# An edit that also recomputes that row's hash is caught at the next row.
d = copy("rehashed", "legacy")
db = sqlite3.connect(f"{d}/ecohub.db")
row = old[1][:7]
row[2] = "someone else"
db.execute("UPDATE audit_log SET actor = ?, hash = ? WHERE id = 2", (row[2], row_hash(row)))
db.commit(); db.close()
rc, out, _ = verify(d)
check(rc == 1 and out["first_broken_row"] == 3, f"re-hashed row 2 caught at row 3: exit {rc}, {out}")
# Given a key, the old chain goes on keyed, and both parts verify.
env = {"ECOHUB_KEYS": "e1:" + "ab" * 32}
run("device", "put", "--data", legacy, "--mn", "MNKEYED", "--password", "pw", "--site", site, env=env)
p = run("audit", "verify", "--data", legacy, env=env)
out = json.loads(p.stdout) if p.stdout.strip() else {}
check(p.returncode == 0 and out.get("rows") == 6 and out.get("keyed_from") == 6,
      f"SHA-256 prefix then keyed rows verify: {p.returncode} {out}")
p = run("device", "put", "--data", legacy, "--mn", "MNNOKEY", "--password", "pw", "--site", site)
check(p.returncode != 0 and "no key is loaded" in p.stderr,
      f"a keyed chain is not extended without the key: {p.returncode} {p.stderr}")

rc, _, err = verify(f"{work}/nowhere")
check(rc == 2, f"a missing data directory is an error, not a verdict: exit {rc}")
finish()
PY
