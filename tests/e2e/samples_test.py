#!/usr/bin/env python3
"""Manual and laboratory results (手工监测, issue 15) on a city set up from its registry
files, WAT-02 with a day of automatic hourly NH3-N imported:

  python3 samples_test.py /path/to/ecohub

1. From the command line: a CSV with a bad row is refused whole (exit 1, the row named,
   nothing stored); the good file is recorded under the site's manual device.
2. A water sample entered over the API (201, all or nothing; bad ones 400 with why): its
   values are readings of the manual source, never in the automatic series, and the
   automatic series stays apart from the manual one.
3. The value says where it came from: manual, with the sample's method, lab and who.
4. The same GB 3838 evaluation with source=manual gives the section's class for the day
   (a value below detection at half its limit).
5. A CSV upload with a bad row: 422 with every bad row, nothing stored; then stored.
6. Who: administrators and the site's district staff enter; leaders read; the public,
   other districts' staff and leaders do not enter. The audit log has both actions.
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
import readings_import_test as rit  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login

HEADER = "site,sampled_at,method,lab,factor,value,detection_limit,report_no,sampler\n"
CLI_GOOD = (HEADER +
            "WAT-02,2026-03-02 09:30,HJ 535-2009,市监测站实验室,w21003,1.2,0.025,R-CLI-1,李四\n"
            "WAT-02,2026-03-02 09:30,HJ 670-2013,市监测站实验室,w21011,0.15,0.01,R-CLI-1,李四\n")
CLI_BAD = CLI_GOOD + "WAT-02,2026-03-02 09:30,HJ 535-2009,市监测站实验室,x99999,1,,R-CLI-1,李四\n"


def readings(auth, site, factor, period, source=None, frm="2026-03-01", to="2026-03-04"):
    q = f"/api/v1/readings?site={site}&factor={factor}&period={period}&from={frm}&to={to}"
    if source:
        q += f"&source={source}"
    return call("GET", q, auth)


def points(r):
    return [p for s in (r.json or {}).get("series", []) for p in s.get("points", [])]


def upload(auth, text, query=""):
    return call("POST", "/api/v1/samples/import" + query, auth, raw=text.encode(),
                headers={"Content-Type": "text/csv"})


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-samples-")
    data = os.path.join(work, "data")
    proc = None
    try:
        rit.setup_city(bin_, data)
        auto = os.path.join(work, "auto.csv")
        with open(auto, "w") as f:
            f.write("site,factor,period,time,value,flag\n" +
                    "".join(f"WAT-02,w21003,hour,2026-03-02 {h:02d}:00,0.40,N\n" for h in range(24)))
        r = rit.run(bin_, "import", "readings", "--data", data, "--file", auto)
        if r.returncode != 0:
            raise RuntimeError(f"set-up: {r.stdout} {r.stderr}")

        # 1. The command line.
        bad = os.path.join(work, "bad.csv")
        with open(bad, "w") as f:
            f.write(CLI_BAD)
        r = rit.run(bin_, "import", "samples", "--data", data, "--file", bad)
        check(r.returncode == 1 and "row 4, column factor" in r.stderr
              and json.loads(r.stdout or "{}").get("stored") is False,
              f"a CSV with a bad row is refused whole, the row named: {r.returncode} {r.stderr[:300]}")
        good = os.path.join(work, "good.csv")
        with open(good, "w") as f:
            f.write(CLI_GOOD)
        r = rit.run(bin_, "import", "samples", "--data", data, "--file", good, "--dry-run")
        check(r.returncode == 0 and json.loads(r.stdout)["stored"] is False,
              f"a dry run stores nothing: {r.stdout[:200]}")
        r = rit.run(bin_, "import", "samples", "--data", data, "--file", good)
        s = json.loads(r.stdout or "{}")
        # Two methods in one report: two samples, so that every value says its method.
        check(r.returncode == 0 and s.get("samples") == 2 and s.get("values") == 2
              and s.get("devices_created") == ["manual:WAT-02"],
              f"the good file is recorded under the manual device: {r.returncode} {r.stdout[:300]} {r.stderr[:300]}")

        proc = aat.start_server(bin_, work, demo=False)
        admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
        sites = {x["code"]: x for x in must(call("GET", "/api/v1/sites?limit=1000", admin), 200,
                                            "sites")["items"]}
        listed = must(call("GET", "/api/v1/samples?site=WAT-02", admin), 200, "samples")["items"]
        check(len(listed) == 2 and all(x["entered_by"] == "cli" and x["report_no"] == "R-CLI-1"
                                       for x in listed)
              and {x["method"]: x["values"][0]["factor"] for x in listed}
              == {"HJ 535-2009": "w21003", "HJ 670-2013": "w21011"},
              f"the command line's sample is listed: {listed}")
        auto_pts = points(readings(admin, "WAT-02", "w21003", "hour"))
        manual_pts = points(readings(admin, "WAT-02", "w21003", "day", "manual"))
        auto_day = points(readings(admin, "WAT-02", "w21003", "day"))
        check(len(auto_pts) == 24 and all(p["v"] == 0.4 for p in auto_pts)
              and [p["v"] for p in manual_pts] == [1.2] and auto_day == [],
              f"the automatic hours and the manual day stay apart: {len(auto_pts)} auto hours, "
              f"manual {manual_pts}, automatic days {auto_day}")

        # 2. A sample entered over the API.
        body = {"site": "WAT-01", "sampled_at": "2026-03-01 10:00", "kind": "water",
                "method": "HJ 535-2009", "lab": "市监测站实验室", "sampler": "张三",
                "report_no": "R-2026-001",
                "values": [{"factor": "w21003", "value": "0.52"},
                           {"factor": "w21011", "value": "ND", "detection_limit": "0.01"},
                           {"factor": "w01009", "value": 8.0}]}
        r = call("POST", "/api/v1/samples", admin, body=body)
        made = r.json or {}
        tp = next((v for v in made.get("values", []) if v["factor"] == "w21011"), {})
        check(r.status == 201 and made.get("source") == "manual" and made.get("mn") == "manual:WAT-01"
              and tp.get("below_detection") is True and tp.get("evaluated_value") == "0.005",
              f"a sample entered: {r.status} {r.body[:400]}")
        for what, edit, why in (
                ("a time in the future", {"sampled_at": "2099-01-01 10:00"}, "future"),
                ("an unknown factor", {"values": [{"factor": "x99999", "value": "1"}]}, "unknown factor"),
                ("a negative value", {"values": [{"factor": "w21003", "value": "-1"}]}, "negative"),
                ("no method", {"method": ""}, "method"),
                ("below detection without a limit", {"values": [{"factor": "w21011", "value": "ND"}]},
                 "detection limit")):
            r = call("POST", "/api/v1/samples", admin, body={**body, **edit})
            check(r.status == 400 and why in r.body.decode(), f"{what} is refused: {r.status} {r.body[:200]}")
        r = call("POST", "/api/v1/samples", admin, body={k: v for k, v in body.items() if k != "lab"})
        check(r.status == 400, f"no laboratory is refused: {r.status}")
        check(len(must(call("GET", "/api/v1/samples?site=WAT-01", admin), 200, "list")["items"]) == 1,
              "nothing of the refused samples was stored")
        one = must(call("GET", f"/api/v1/samples/{made.get('id')}", admin), 200, "one sample")
        check(one["lab"] == "市监测站实验室" and one["sampled_at"] == "2026-03-01T10:00:00+08:00",
              f"one sample: {one}")
        manual = readings(admin, "WAT-01", "w21003", "day", "manual")
        check(manual.status == 200 and manual.json.get("source") == "manual"
              and readings(admin, "WAT-01", "w21003", "day").json.get("source") == "auto"
              and [p["v"] for p in points(manual)] == [0.52]
              and points(manual)[0]["t"] == "2026-03-01T00:00:00+08:00",
              f"the value is a day reading of the manual source: {manual.body[:300]}")
        check(points(readings(admin, "WAT-01", "w21003", "day")) == [],
              "and not in the automatic series")
        latest = must(call("GET", f"/api/v1/sites/{sites['WAT-01']['id']}/latest", admin), 200, "latest")
        check("manual:" not in json.dumps(latest), f"nor in the site's latest values: {str(latest)[:200]}")

        # 3. Where the value came from.
        src = must(call("GET", "/api/v1/readings/source?site=WAT-01&factor=w21011&period=day"
                               "&time=2026-03-01", admin), 200, "source")
        smp = src.get("sample") or {}
        check(src["source"] == "manual" and src["value"] == "0.005" and smp.get("method") == "HJ 535-2009"
              and smp.get("lab") == "市监测站实验室" and smp.get("entered_by") == "user:1"
              and smp.get("below_detection") is True and smp.get("detection_limit") == "0.01",
              f"the value says manual, with its sample: {src}")

        r = call("GET", "/api/v1/readings/source?site=WAT-01&factor=w21011&period=day&time=2026-03-01")
        check(r.status in (401, 404), f"the public is not shown a manual value: {r.status}")
        ld_src = call("GET", "/api/v1/readings/source?site=WAT-02&factor=w21003&period=day"
                             "&time=2026-03-02&source=manual", admin)
        check(ld_src.status == 200 and ld_src.json["value"] == "1.2"
              and ld_src.json["sample"]["entered_by"] == "cli",
              f"source=manual picks the manual value beside an automatic site: {ld_src.body[:200]}")

        # 4. The same evaluation.
        hist = must(call("GET", "/api/v1/water/history?section=WAT-01&source=manual"
                                "&from=2026-03-01&to=2026-03-03", admin), 200, "water history")
        days = hist["items"]
        check(len(days) == 1 and days[0]["water_class"] == "III"
              and {i["factor"]: i["class"] for i in days[0]["items"]}
              == {"w01009": "I", "w21003": "III", "w21011": "I"},
              f"GB 3838 with source=manual: the section is class III that day: {days}")
        hist = must(call("GET", "/api/v1/water/history?section=WAT-02&source=manual"
                                "&from=2026-03-01&to=2026-03-04", admin), 200, "water history 2")
        # NH3-N 1.2 is class IV (≤ 1.5), TP 0.15 in a river class III.
        check([d["water_class"] for d in hist["items"]] == ["IV"],
              f"and WAT-02's imported sample is class IV: {hist['items']}")
        r = call("GET", "/api/v1/water/history?section=WAT-01&source=manual&from=2026-03-01&to=2026-03-03")
        check(r.status == 401, f"the public does not see the manual evaluation: {r.status}")
        r = call("GET", "/api/v1/water/history?section=WAT-01&source=lab")
        check(r.status == 400, f"an unknown source: {r.status}")

        # 5. The console's CSV upload.
        before = len(must(call("GET", "/api/v1/samples", admin), 200, "all")["items"])
        csv = (HEADER +
               "WAT-03,2026-03-01 11:00,HJ 535-2009,区站实验室,w21003,0.3,,R-3,王五\n"
               "WAT-03,2026-03-01 25:00,HJ 535-2009,区站实验室,w21011,0.1,,R-3,王五\n"
               "WAT-03,2026-03-01 11:00,HJ 535-2009,区站实验室,w21011,<0.01,0.05,R-3,王五\n"
               "NOPE,2026-03-01 11:00,HJ 535-2009,区站实验室,w21003,0.3,,R-4,王五\n")
        r = upload(admin, csv)
        rows = sorted(e["row"] for e in (r.json or {}).get("errors", []))
        check(r.status == 422 and rows == [3, 4, 5] and r.json["stored"] is False,
              f"a bad upload: 422 with every bad row: {r.status} {r.body[:400]}")
        after = len(must(call("GET", "/api/v1/samples", admin), 200, "all")["items"])
        check(after == before, f"and nothing stored: {before} -> {after}")
        good_csv = HEADER + "WAT-03,2026-03-01 11:00,HJ 535-2009,区站实验室,w21003,0.3,,R-3,王五\n"
        r = upload(admin, good_csv)
        check(r.status == 200 and r.json["stored"] is True and len(r.json["ids"]) == 1,
              f"a good upload is stored: {r.status} {r.body[:300]}")

        # 6. Who.
        wat01 = sites["WAT-01"]["district_id"]
        other = next(x["district_id"] for x in sites.values() if x["district_id"] != wat01)
        for name, role, dist in (("dc", "staff", wat01), ("xc", "staff", other), ("ld", "leader", 0),
                                 ("ins", "inspector", wat01)):
            aat.create_user(types.SimpleNamespace(auth=admin), name, role, district=dist,
                            department="monitoring")
        tok = {n: bearer(must(login(n, aat.PASSWORD), 200, n)["token"]) for n in ("dc", "xc", "ld", "ins")}
        again = {**body, "sampled_at": "2026-03-02 10:00"}
        check(call("POST", "/api/v1/samples", tok["dc"], body=again).status == 201,
              "the site's district staff enters a sample")
        for n in ("xc", "ld", "ins"):
            r = call("POST", "/api/v1/samples", tok[n], body=again)
            check(r.status == 403, f"{n} does not enter WAT-01's samples: {r.status}")
        check(call("POST", "/api/v1/samples", None, body=again).status == 401, "the public does not")
        check(call("GET", "/api/v1/samples", tok["ld"]).status == 200, "leaders read the samples")
        check(call("GET", "/api/v1/samples", None).status == 401, "the public reads nothing")
        check(call("GET", "/api/v1/samples", tok["ins"]).status == 403, "inspectors read nothing")
        xc_list = must(call("GET", "/api/v1/samples", tok["xc"]), 200, "xc list")["items"]
        dc_list = must(call("GET", "/api/v1/samples", tok["dc"]), 200, "dc list")["items"]
        check(all(sites[x["site"]]["district_id"] == other for x in xc_list)
              and "WAT-01" in [x["site"] for x in dc_list]
              and all(sites[x["site"]]["district_id"] == wat01 for x in dc_list),
              f"district staff see only their district's samples: {[x['site'] for x in xc_list]} "
              f"{[x['site'] for x in dc_list]}")
        r = call("GET", "/api/v1/samples?site=WAT-01", tok["xc"])
        check(r.status == 403, f"nor another district's site: {r.status}")
        audit = call("GET", "/api/v1/audit?limit=200", admin).body.decode()
        check("samples.create" in audit and "samples.import" in audit,
              "the audit log has samples.create and samples.import")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
