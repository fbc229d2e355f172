#!/usr/bin/env python3
"""A backup taken while the simulator streams, restored, counts and audit chain equal
(issue 13, "Keeping it safe").

  python3 backup_test.py /path/to/ecohub

1. `serve --demo`, two changes on its audit record (`device put`), simulated loggers streaming HJ 212 into its gateway; `ecohub
   backup` while they stream: exit 0, a 0600 archive whose first member is MANIFEST.json.
2. `ecohub restore` into a new directory: exit 0; every database's rows per table as the
   manifest says (counted here with Python's sqlite3); `ecohub audit verify` on the copy
   passes with the manifest's verdict; every reading acknowledged before the backup
   began is in the copy (`ecohub db dump`).
3. Refusals: restore into a non-empty directory is exit 2 and touches nothing; a
   truncated archive is exit 1 and leaves nothing behind; a backup into the data
   directory itself is exit 2.
4. `serve` on the restored directory: the admin logs in with the password of the
   original (accounts restored, not created anew) and the latest values come back.
"""
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ehtest import check, finish, login, start_serve  # noqa: E402

PASSWORD = "Backup-Test-Pass-1"
DEVICES = 20


def run(*args, timeout=120):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)


def lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def rows_per_table(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        db.close()


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def take_backup(bin_, server, work):
    """Streams, then backs up while streaming; returns (archive, acked lines before)."""
    acked = os.path.join(work, "acked.log")
    sim = subprocess.Popen([bin_, "sim", "--target", f"127.0.0.1:{server.gw}", "--devices",
                            str(DEVICES), "--duration", "12", "--interval", "0.2", "--seed", "5",
                            "--acked-log", acked, "--drain", "10"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while len(lines(acked)) < 200 and time.time() < deadline:
            time.sleep(0.1)
        before = lines(acked)
        archive = os.path.join(work, "ecohub-backup.tar.gz")
        t0 = time.time()
        r = run(bin_, "backup", "--data", server.data, "--to", archive)
        took = time.time() - t0
        during = len(lines(acked)) - len(before)
        check(r.returncode == 0, f"backup while streaming: exit {r.returncode} {r.stderr.strip()[-500:]}")
        print(r.stdout.strip())
        print(f"backup took {took:.2f} s, archive {os.path.getsize(archive)} bytes, "
              f"{len(before)} readings acked before it, {during} while it ran")
        check(len(before) >= 200, f"the simulator streamed before the backup ({len(before)} acked)")
        sim.wait(timeout=60)
        check(len(lines(acked)) > len(before), "and went on streaming after it began")
        check(stat.S_IMODE(os.stat(archive).st_mode) == 0o600, "the archive is 0600")
        return archive, before
    finally:
        stop(sim)


def check_restored(bin_, archive, restored, acked_before):
    with tarfile.open(archive) as t:
        members = t.getnames()
        manifest = json.load(t.extractfile("MANIFEST.json"))
    check(members[0] == "MANIFEST.json", f"MANIFEST.json comes first: {members[:3]}")
    names = {f["name"] for f in manifest["files"]}
    check({"ecohub.db", "derived.db", "accounts.db", "keys"} <= names,
          f"databases, accounts and keys are in it: {sorted(names)}")
    check(not any(n.endswith(("-wal", "-shm")) for n in names), "no -wal or -shm file")

    r = run(bin_, "restore", "--from", archive, "--data", restored)
    check(r.returncode == 0, f"restore: exit {r.returncode} {r.stderr.strip()[-500:]}")
    print(r.stdout.strip())
    for f in manifest["files"]:
        if f["kind"] == "sqlite":
            got = rows_per_table(os.path.join(restored, f["name"]))
            check(got == f["tables"], f"{f['name']}: rows per table as the manifest says "
                                      f"({sum(got.values())} rows in {len(got)} tables)")
    check(manifest["audit"].get("ok") is True and manifest["audit"].get("rows", 0) >= 2,
          f"the audit verdict of the copy taken is ok, with rows: {manifest['audit']}")
    r = run(bin_, "audit", "verify", "--data", restored)
    verdict = json.loads(r.stdout or "{}")
    check(r.returncode == 0 and verdict == manifest["audit"],
          f"audit verify on the restored copy: exit {r.returncode}, {verdict}")
    dump = set(run(bin_, "db", "dump", "--data", restored).stdout.splitlines())
    missing = [line for line in acked_before if line not in dump]
    check(not missing, f"every reading acked before the backup is restored "
                       f"({len(acked_before)} acked, {len(missing)} missing)")


def check_refusals(bin_, archive, work, data):
    r = run(bin_, "restore", "--from", archive, "--data", data)
    check(r.returncode == 2 and "not empty" in r.stderr,
          f"restore over a data directory: exit {r.returncode} {r.stderr.strip()}")
    cut = os.path.join(work, "cut.tar.gz")
    with open(archive, "rb") as f, open(cut, "wb") as g:
        g.write(f.read()[: os.path.getsize(archive) // 2])
    target = os.path.join(work, "from-cut")
    r = run(bin_, "restore", "--from", cut, "--data", target)
    check(r.returncode == 1 and not os.path.exists(target),
          f"a truncated archive: exit {r.returncode}, nothing left: {r.stderr.strip()}")
    r = run(bin_, "backup", "--data", data, "--to", os.path.join(data, "b.tar.gz"))
    check(r.returncode == 2 and not os.path.exists(os.path.join(data, "b.tar.gz")),
          f"a backup into its own data directory: exit {r.returncode} {r.stderr.strip()}")


def serve_restored(bin_, archive, work2):
    """`serve` on a copy restored into WORK2/data: the original admin's password works."""
    r = run(bin_, "restore", "--from", archive, "--data", os.path.join(work2, "data"))
    check(r.returncode == 0, f"restore for serving: exit {r.returncode}")
    server = start_serve(bin_, work2, "Not-The-Original-Pass-2")
    try:
        token = login(server.http, "admin", PASSWORD)
        check(bool(token), "the original admin logs in to the restored copy")
        req = urllib.request.Request(f"http://127.0.0.1:{server.http}/api/v1/latest",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = json.loads(resp.read())
        check(resp.status == 200 and bool(body), f"latest values from the restored copy: "
                                                 f"{json.dumps(body)[:120]}")
    finally:
        stop(server.proc)


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-backup-")
    work2 = tempfile.mkdtemp(prefix="ecohub-restored-")
    server = None
    try:
        server = start_serve(bin_, work, PASSWORD, "--demo", "--demo-devices", str(DEVICES),
                             "--demo-history-days", "1")
        for mn in ("88888880000001", "88888880000002"):  # changes on the audit record
            r = run(bin_, "device", "put", "--data", server.data, "--mn", mn, "--password",
                    "backup-test-pw", "--site", "AIR-Dongsi")
            check(r.returncode == 0, f"device put {mn}: exit {r.returncode} {r.stderr.strip()}")
        archive, acked_before = take_backup(bin_, server, work)
        check_restored(bin_, archive, os.path.join(work, "restored"), acked_before)
        check_refusals(bin_, archive, work, server.data)
        stop(server.proc)
        server = None
        serve_restored(bin_, archive, work2)
    finally:
        if server:
            stop(server.proc)
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(work2, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
