#!/usr/bin/env bash
# `ecohub audit verify --data DIR` (a stable contract): exit 0 on an intact chain; a
# row edited directly in the database, or deleted, is caught and named (exit 1).
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
work_dir

# A data directory with a few audited changes: the demo's reference tables, then
# devices registered from the command line.
GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --demo --demo-devices 1 --demo-history-days 0
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
SITE=$("$BIN" demo devices --count 1 | cut -d, -f3)
for i in 1 2 3 4 5; do
  "$BIN" device put --data "$WORK/data" --mn "MNAUDIT$i" --password "secret$i" --site "$SITE" >/dev/null
done

PYTHONPATH="$(dirname "$0")" python3 - "$BIN" "$WORK" <<'PY'
import json, shutil, sqlite3, subprocess, sys
from ehtest import check, finish
bin_, work = sys.argv[1], sys.argv[2]

def verify(d):
    p = subprocess.run([bin_, "audit", "verify", "--data", d], capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout) if p.stdout.strip() else {}, p.stderr

rc, out, _ = verify(f"{work}/data")
check(rc == 0 and out["ok"] and out["rows"] == 5 and len(out["head"]) == 64,
      f"intact chain of 5 device changes: exit {rc}, {out}")
db = sqlite3.connect(f"{work}/data/ecohub.db")
details = [r[0] for r in db.execute("SELECT detail FROM audit_log ORDER BY id")]
check(all("secret" not in d for d in details), "device passwords never enter the audit log")
db.close()

# An edited row: the detail of row 3 changed behind EcoHub's back.
shutil.copytree(f"{work}/data", f"{work}/edited")
db = sqlite3.connect(f"{work}/edited/ecohub.db")
db.execute("""UPDATE audit_log SET detail = replace(detail, '"enabled":true', '"enabled":false') WHERE id = 3""")
db.commit(); db.close()
rc, out, err = verify(f"{work}/edited")
check(rc == 1 and out["first_broken_row"] == 3 and "edited" in out["reason"] and "row 3" in err,
      f"edited row 3 named: exit {rc}, {out}")

# An edit that also recomputes the row's own hash (the format is no secret) is caught
# at the next row, whose prev_hash still names the original.
import hashlib
def row_hash(r):
    return hashlib.sha256("".join(f"{len(str(v).encode())}:{v};" for v in r).encode()).hexdigest()
shutil.copytree(f"{work}/data", f"{work}/rehashed")
db = sqlite3.connect(f"{work}/rehashed/ecohub.db")
row = list(db.execute("SELECT id, t, actor, action, object, detail, prev_hash, hash FROM audit_log WHERE id = 2").fetchone())
check(row_hash(row[:7]) == row[7], "the stored hash is SHA-256 of the documented serialisation")
row[2] = "someone else"
db.execute("UPDATE audit_log SET actor = ?, hash = ? WHERE id = 2", (row[2], row_hash(row[:7])))
db.commit(); db.close()
rc, out, _ = verify(f"{work}/rehashed")
check(rc == 1 and out["first_broken_row"] == 3, f"re-hashed row 2 caught at row 3: exit {rc}, {out}")

# A deleted row: row 3 gone, so row 4 no longer follows row 2.
shutil.copytree(f"{work}/data", f"{work}/deleted")
db = sqlite3.connect(f"{work}/deleted/ecohub.db")
db.execute("DELETE FROM audit_log WHERE id = 3")
db.commit(); db.close()
rc, out, err = verify(f"{work}/deleted")
check(rc == 1 and out["first_broken_row"] == 4 and "deleted" in out["reason"],
      f"deleted row 3 caught at row 4: exit {rc}, {out}")

# A deleted row with the later ids renumbered to hide the gap: the prev_hash link breaks.
shutil.copytree(f"{work}/deleted", f"{work}/renumbered")
db = sqlite3.connect(f"{work}/renumbered/ecohub.db")
db.execute("UPDATE audit_log SET id = id - 1 WHERE id > 3")
db.commit(); db.close()
rc, out, _ = verify(f"{work}/renumbered")
check(rc == 1 and out["first_broken_row"] == 3, f"renumbered gap caught at row 3: exit {rc}, {out}")

rc, _, err = verify(f"{work}/nowhere")
check(rc == 2, f"a missing data directory is an error, not a verdict: exit {rc}")
finish()
PY
