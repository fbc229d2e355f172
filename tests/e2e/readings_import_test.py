#!/usr/bin/env python3
"""Readings from files and partner systems (issue 15): `ecohub import readings`, the
console's upload and a partner's push, on a city set up from its registry files.

  python3 readings_import_test.py /path/to/ecohub [/path/to/beijing_dataset]

1. The city (Beijing's registry files, no devices) and a day of EcoHub's long CSV for
   two stations through the command line: stored, derived (the station-day's AQI over
   HTTP), twice with nothing changed the second time.
2. A broken file (a bad value, an unknown site, a bad time beside good rows): exit 1,
   each bad row named with its column, nothing stored.
3. The Beijing dataset's meteorology through the shipped mapping, twice: the second run
   changes nothing (skipped without the dataset).
4. The server: the same files through the console's upload (a dry run first), a broken
   one answered 422 with its rows; where a value came from (the batch and the row).
5. A partner's push key: its batch stored once when sent twice (batch id), refused
   outside its sites, reading nothing; who may import (administrators, district staff
   in their district, push keys) and who may not.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(SOURCE, "demo", "beijing")
MAPPING = os.path.join(SOURCE, "mappings", "beijing-prsa-meteorology.json")
# A day's constant concentrations: PM2.5 the highest against its breakpoints, so the
# station-day's primary pollutant is PM2.5 whichever edition of HJ 633 the date takes.
DAY = {"a34004": "75", "a34002": "50", "a21026": "10", "a21004": "20", "a21005": "0.5",
       "a05024": "60"}


def run(bin_, *args):
    return subprocess.run([bin_, *args], capture_output=True, text=True, timeout=300)


def long_csv(sites, day="2026-03-01", values=DAY):
    lines = ["site,factor,period,time,value,flag"]
    for site in sites:
        for h in range(24):
            for factor, v in values.items():
                lines.append(f"{site},{factor},hour,{day} {h:02d}:00,{v},N")
    return "\n".join(lines) + "\n"


def setup_city(bin_, data):
    """Beijing's registry (districts, enterprises, sites; no devices) in `data`, as a
    bureau sets its city up: city init, then the registry files."""
    r = run(bin_, "city", "init", "--data", data, "--name", "北京市", "--code", "110000",
            "--districts", os.path.join(DEMO, "districts.geojson"))
    for kind in ("enterprises", "sites"):
        if r.returncode == 0:
            r = run(bin_, "registry", "import", "--data", data, "--kind", kind,
                    "--file", os.path.join(DEMO, kind + ".csv"))
    if r.returncode != 0:
        raise RuntimeError(f"city setup: {r.stdout} {r.stderr}")


def upload(auth, body, query=""):
    return call("POST", "/api/v1/imports/readings" + query, auth,
                raw=body.encode() if isinstance(body, str) else body,
                headers={"Content-Type": "text/csv"})


def command_line(bin_, work, data, dataset):
    good = os.path.join(work, "day.csv")
    with open(good, "w") as f:
        f.write(long_csv(["AIR-Dongsi", "AIR-Tiantan"]))
    r = run(bin_, "import", "readings", "--data", data, "--file", good)
    s = json.loads(r.stdout or "{}")
    check(r.returncode == 0 and s.get("stored") == 288 and s.get("committed") is True
          and s.get("sites") == ["AIR-Dongsi", "AIR-Tiantan"]
          and s.get("first") == "2026-03-01T00:00:00+08:00"
          and s.get("last") == "2026-03-01T23:00:00+08:00" and s.get("derived_rows", 0) > 0,
          f"a day for two stations imported and derived: exit {r.returncode} {r.stdout.strip()}"
          f" {r.stderr[-300:]}")
    r = run(bin_, "import", "readings", "--data", data, "--file", good)
    s = json.loads(r.stdout or "{}")
    check(r.returncode == 0 and s.get("stored") == 0 and s.get("unchanged") == 288,
          f"the same file again changes nothing: {r.stdout.strip()}")

    bad = os.path.join(work, "broken.csv")
    with open(bad, "w") as f:
        f.write("site,factor,period,time,value\n"
                "AIR-Dongsi,a34004,hour,2026-03-02 00:00,80\n"
                "AIR-Dongsi,a34004,hour,2026-03-02 01:00,8O\n"
                "AIR-Atlantis,a34004,hour,2026-03-02 02:00,80\n"
                "AIR-Dongsi,a34004,hour,2026-03-32 03:00,80\n")
    r = run(bin_, "import", "readings", "--data", data, "--file", bad)
    check(r.returncode == 1 and "row 3, column value" in r.stderr
          and "row 4, column site" in r.stderr and "AIR-Atlantis" in r.stderr
          and "row 5, column time" in r.stderr and "nothing stored" in r.stderr
          and "row 2" not in r.stderr,
          f"a broken file names its rows and columns: exit {r.returncode}: {r.stderr.strip()}")
    r = run(bin_, "import", "readings", "--data", data, "--file", good, "--dry-run")
    s = json.loads(r.stdout or "{}")
    check(r.returncode == 0 and s.get("unchanged") == 288 and s.get("committed") is False,
          f"--dry-run checks and stores nothing: {r.stdout.strip()}")

    gz = os.path.join(dataset, "PRSA_Data_Dongsi_20130301-20170228.csv.gz")
    if not os.path.exists(gz):
        print(f"skip the Beijing meteorology: no dataset at {dataset}")
        return good, bad
    first = run(bin_, "import", "readings", "--data", data, "--file", gz, "--mapping", MAPPING)
    a = json.loads(first.stdout or "{}")
    check(first.returncode == 0 and a.get("stored", 0) > 170000 and a.get("bad_values") == 0
          and a.get("sites") == ["AIR-Dongsi"] and a.get("first") == "2013-03-01T00:00:00+08:00",
          f"the Beijing meteorology through its mapping: {first.stdout.strip()} "
          f"{first.stderr[-300:]}")
    second = run(bin_, "import", "readings", "--data", data, "--file", gz, "--mapping", MAPPING)
    b = json.loads(second.stdout or "{}")
    check(second.returncode == 0 and b.get("stored") == 0
          and b.get("unchanged") == a.get("stored") and b.get("values") == a.get("values"),
          f"and again, identical: {second.stdout.strip()}")
    return good, bad


def server_side(bin_, work, good, bad, dataset):
    admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
    day = must(call("GET", "/api/v1/aqi?scope=site:AIR-Dongsi&period=day&from=2026-03-01"
                           "&to=2026-03-01T01", admin), 200, "station day")["items"]
    check(len(day) == 1 and day[0].get("primary") == ["PM2.5"]
          and day[0].get("conc", {}).get("PM2.5") == 75 and day[0]["validity"]["PM2.5"]["hours"] == 24,
          f"the imported day's AQI is derived: {day}")
    hours = must(call("GET", "/api/v1/readings?site=AIR-Dongsi&factor=a34004&period=hour"
                             "&from=2026-03-01T00:00:00%2B08:00&to=2026-03-02T00:00:00Z", admin),
                 200, "readings")
    series = hours.get("series") or hours.get("items") or []
    text = json.dumps(hours)
    check(text.count('"75"') + text.count(": 75,") >= 24 or len(series) >= 1,
          f"the readings API serves them (RFC 3339 with offsets): {text[:200]}")

    # The console: a dry run first, then the same file (nothing changes), a broken one.
    with open(good) as f:
        body = f.read()
    r = upload(admin, body, "?dry_run=true&file_name=day.csv")
    check(r.status == 200 and r.json["unchanged"] == 288 and r.json["committed"] is False,
          f"console dry run: {r.status} {r.body[:200]}")
    r = upload(admin, body, "?file_name=day.csv")
    check(r.status == 200 and r.json["stored"] == 0 and r.json["unchanged"] == 288
          and isinstance(r.json["batch"], int), f"the same file through the console: {r.body[:300]}")
    with open(bad) as f:
        r = upload(admin, f.read(), "?file_name=broken.csv")
    rows = [(e["row"], e["column"]) for e in (r.json or {}).get("errors", [])]
    check(r.status == 422 and rows == [(3, "value"), (4, "site"), (5, "time")]
          and r.json["committed"] is False, f"a broken upload: {r.status} {rows}")
    r = call("GET", "/api/v1/readings/source?site=AIR-Dongsi&factor=a34004&period=hour"
                    "&time=2026-03-02T00:00:00%2B08:00", admin)
    check(r.status == 404, f"nothing of the broken file was stored: {r.status}")
    r = upload(admin, "site,factor,period,time,value\n", "?mapping=no-such-mapping")
    check(r.status == 400, f"an unknown mapping: {r.status}")
    r = upload(admin, b"PK\x03\x04garbage")
    check(r.status == 400 and (r.json or {}).get("type", "").endswith("/bad-file"),
          f"a damaged XLSX: {r.status} {r.body[:120]}")

    src = must(call("GET", "/api/v1/readings/source?site=AIR-Dongsi&factor=a34004&period=hour"
                           "&time=2026-03-01T08:00:00%2B08:00", admin), 200, "source")
    check(src["source"] == "import" and src["value"] == "75" and src["import"]["via"] == "cli"
          and src["import"]["row"] == 2 + 8 * 6, f"a value traced to its file row: {src}")

    gz = os.path.join(dataset, "PRSA_Data_Dongsi_20130301-20170228.csv.gz")
    if os.path.exists(gz):
        import gzip
        with gzip.open(gz, "rt") as f:
            head = "".join(f.readline() for _ in range(49))
        r = upload(admin, head, "?mapping=beijing-prsa-meteorology&file_name=dongsi.csv")
        check(r.status == 200 and r.json["stored"] == 0 and r.json["unchanged"] == 48 * 5 - 1
              or (r.status == 200 and r.json["stored"] == 0),
              f"the meteorology through the console's mapping: {r.status} {r.body[:300]}")
        maps = must(call("GET", "/api/v1/imports/mappings", admin), 200, "mappings")["items"]
        check({"beijing-prsa-meteorology", "cnemc-national-hourly"} <= {m["name"] for m in maps},
              f"the shipped mappings are offered: {[m['name'] for m in maps]}")

    # A partner's push key.
    partner = aat.create_user(types.SimpleNamespace(auth=admin), "qxj", "partner",
                              department="meteorology")
    r = call("POST", "/api/v1/api-keys", admin,
             body={"name": "气象局推送", "owner_id": partner["id"],
                   "push": {"sites": ["AIR-Tiantan"], "factors": ["a34004", "a01001"]}})
    key = must(r, 201, "push key")
    check(key.get("push") == {"sites": ["AIR-Tiantan"], "factors": ["a34004", "a01001"]}
          and key.get("datasets") == [], f"the push key shows its scope: {key}")
    push = bearer(key["secret"])
    batch = long_csv(["AIR-Tiantan"], "2026-03-02", {"a34004": "41"})
    r1 = upload(push, batch, "?batch_id=qxj-20260302")
    r2 = upload(push, batch, "?batch_id=qxj-20260302")
    check(r1.status == 200 and r1.json["stored"] == 24 and r1.json["replayed"] is False,
          f"a pushed batch: {r1.status} {r1.body[:200]}")
    check(r2.status == 200 and r2.json["replayed"] is True and r2.json["batch"] == r1.json["batch"]
          and r2.json["stored"] == 24, f"the same batch id again: answered as before: {r2.body[:200]}")
    r = upload(push, long_csv(["AIR-Dongsi"], "2026-03-03", {"a34004": "41"}))
    check(r.status == 422 and "outside this key's scope" in r.body.decode()
          and r.json["committed"] is False, f"a push outside the key's sites: {r.status}")
    r = upload(push, long_csv(["AIR-Tiantan"], "2026-03-03", {"a21026": "4"}))
    check(r.status == 422, f"a push outside the key's factors: {r.status}")
    for path in ("/api/v1/readings?site=AIR-Tiantan&factor=a34004&period=hour",
                 "/api/v1/imports", "/api/v1/sites/1"):
        r = call("GET", path, push)
        check(r.status == 403, f"a push key reads nothing: GET {path.split('?')[0]}: {r.status}")
    r = call("GET", "/api/v1/sites", push)
    check(r.status == 200 and r.json["items"] == [],
          f"a push key lists no site: {r.status} {len((r.json or {}).get('items', []))}")
    r = call("POST", "/api/v1/api-keys", bearer(must(login("qxj", aat.PASSWORD), 200, "qxj")["token"]),
             body={"name": "mine", "push": {"sites": ["AIR-Tiantan"]}})
    check(r.status == 403, f"only an administrator issues push keys: {r.status}")
    r = call("POST", "/api/v1/api-keys", admin,
             body={"name": "x", "owner_id": partner["id"], "push": {"sites": ["AIR-Nowhere"]}})
    check(r.status == 400, f"a push key for an unknown site: {r.status}")
    src = must(call("GET", "/api/v1/readings/source?site=AIR-Tiantan&factor=a34004&period=hour"
                           "&time=2026-03-02T05:00:00%2B08:00", admin), 200, "pushed source")
    check(src["source"] == "import" and src["import"]["via"] == "push"
          and src["import"]["principal"] == f"key:{key['id']}", f"a pushed value's source: {src}")

    # Who may import: the matrix of issue 15.
    sites = must(call("GET", "/api/v1/sites?limit=1000", admin), 200, "sites")["items"]
    district = {s["code"]: s["district_id"] for s in sites}
    for name, role, dist in (("dongcheng", "staff", district["AIR-Dongsi"]),
                             ("boss", "leader", 0), ("inspect", "inspector", 0)):
        aat.create_user(types.SimpleNamespace(auth=admin), name, role, district=dist,
                        department="monitoring")
    ent = must(call("GET", "/api/v1/enterprises?limit=1", admin), 200, "enterprises")["items"][0]
    aat.create_user(types.SimpleNamespace(auth=admin), "factory", "enterprise",
                    enterprise=ent["id"])
    tok = {n: bearer(must(login(n, aat.PASSWORD), 200, n)["token"])
           for n in ("dongcheng", "boss", "inspect", "factory", "qxj")}
    own = long_csv(["AIR-Dongsi"], "2026-03-04", {"a34004": "30"})
    other_site = next(c for c, d in district.items()
                      if c.startswith("AIR-") and d != district["AIR-Dongsi"])
    other = long_csv([other_site], "2026-03-04", {"a34004": "30"})
    r = upload(tok["dongcheng"], own)
    check(r.status == 200 and r.json["stored"] == 24, f"district staff imports in its district: {r.status}")
    r = upload(tok["dongcheng"], other)
    check(r.status == 422 and "outside" in r.body.decode(),
          f"district staff: not another district's site ({other_site}): {r.status}")
    for n in ("boss", "inspect", "factory", "qxj"):
        r = upload(tok[n], own)
        check(r.status == 403, f"{n} does not import: {r.status}")
    r = upload(None, own)
    check(r.status == 401, f"the public does not import: {r.status}")
    r = call("GET", "/api/v1/imports", tok["boss"])
    vias = {b["via"] for b in (r.json or {}).get("items", [])}
    check(r.status == 200 and {"cli", "console", "push"} <= vias,
          f"leaders see the batches, every way in: {r.status} {vias}")
    r = call("GET", "/api/v1/imports", tok["factory"])
    check(r.status == 403, f"an enterprise does not see the batches: {r.status}")


def main():
    bin_ = os.path.abspath(sys.argv[1])
    dataset = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        SOURCE, "..", "shared", "data", "beijing_multisite_2013_2017")
    work = tempfile.mkdtemp(prefix="ecohub-import-")
    data = os.path.join(work, "data")
    proc = None
    try:
        setup_city(bin_, data)
        good, bad = command_line(bin_, work, data, dataset)
        proc = aat.start_server(bin_, work, demo=False)
        server_side(bin_, work, good, bad, dataset)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
