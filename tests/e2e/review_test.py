#!/usr/bin/env python3
"""Review (审核) of stored values (issue 15), on a city set up from its registry files
with a day of hourly data for three stations imported:

  python3 review_test.py /path/to/ecohub

1. A correction of one hour changes the station-day's AQI and the city's day; the value
   says who corrected it, when and why, with the original beside it; the audit log has it.
2. An invalidation of a station's whole day of PM2.5 removes that day from the period
   statistic of PM2.5 (days 1 -> 0); the values keep their numbers, flagged.
3. A day closed as reviewed: a change is held for a second person; the requester cannot
   approve it, another can; the public AQI says the day is reviewed.
4. Who may review: administrators and the staff of the site's district; not leaders,
   inspectors, enterprises, other districts' staff or API keys.
"""
import os
import shutil
import sys
import tempfile
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
import readings_import_test as rit  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login
STATIONS = ["AIR-Dongsi", "AIR-Tiantan", "AIR-Guanyuan"]


def station_day(auth, site):
    items = must(call("GET", f"/api/v1/aqi?scope=site:{site}&period=day&from=2026-03-01"
                             "&to=2026-03-01T01", auth), 200, "station day")["items"]
    return items[0] if items else {}


def city_day(auth):
    items = must(call("GET", "/api/v1/aqi?scope=city&period=day&from=2026-03-01"
                             "&to=2026-03-01T01", auth), 200, "city day")["items"]
    return items[0] if items else {}


def wait_for(what, fn, pred, seconds=60):
    """Derived values are computed again in the background: poll until `pred`."""
    deadline = time.time() + seconds
    got = fn()
    while not pred(got) and time.time() < deadline:
        time.sleep(0.5)
        got = fn()
    return got


def review(auth, **body):
    return call("POST", "/api/v1/reviews", auth, body=body)


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-review-")
    data = os.path.join(work, "data")
    proc = None
    try:
        rit.setup_city(bin_, data)
        day = os.path.join(work, "day.csv")
        with open(day, "w") as f:
            f.write(rit.long_csv(STATIONS))
        r = rit.run(bin_, "import", "readings", "--data", data, "--file", day)
        if r.returncode != 0:
            raise RuntimeError(f"set-up: {r.stdout} {r.stderr}")
        proc = aat.start_server(bin_, work, demo=False)
        admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
        sites = {s["code"]: s for s in must(call("GET", "/api/v1/sites?limit=1000", admin), 200,
                                            "sites")["items"]}
        before_site, before_city = station_day(admin, "AIR-Dongsi"), city_day(admin)
        check(before_site.get("conc", {}).get("PM2.5") == 75 and before_city.get("aqi") is not None,
              f"before: station PM2.5 {before_site.get('conc')} city AQI {before_city.get('aqi')}")

        # 1. A correction.
        r = review(admin, action="correct", site="AIR-Dongsi", factor="a34004",
                   **{"from": "2026-03-01T08:00:00+08:00"}, value="747",
                   comment="实验室比对: 08 时 PM2.5 应为 747")
        check(r.status == 201 and r.json["status"] == "applied" and r.json["changed"] == 1,
              f"a correction is applied: {r.status} {r.body[:300]}")
        after = wait_for("station day", lambda: station_day(admin, "AIR-Dongsi"),
                         lambda d: d.get("conc", {}).get("PM2.5") != 75)
        # (75 * 23 + 747) / 24 = 103 (GB/T 8170, rounded once)
        check(after.get("conc", {}).get("PM2.5") == 103 and after.get("aqi") != before_site.get("aqi"),
              f"the station-day follows: PM2.5 {after.get('conc', {}).get('PM2.5')} AQI "
              f"{before_site.get('aqi')} -> {after.get('aqi')}")
        city = wait_for("city day", lambda: city_day(admin),
                        lambda d: d.get("conc", {}).get("PM2.5") != before_city.get("conc", {}).get("PM2.5"))
        # (75 + 75 + 103.125) / 3 = 84.375 -> 84
        check(city.get("conc", {}).get("PM2.5") == 84,
              f"and the city's day: PM2.5 {before_city.get('conc', {}).get('PM2.5')} -> "
              f"{city.get('conc', {}).get('PM2.5')}")
        src = must(call("GET", "/api/v1/readings/source?site=AIR-Dongsi&factor=a34004&period=hour"
                               "&time=2026-03-01T08:00:00%2B08:00", admin), 200, "source")
        rev = src.get("review") or {}
        check(src["value"] == "747" and src["source"] == "review" and rev.get("action") == "correct"
              and (src.get("import") or {}).get("via") == "cli"
              and rev.get("original_value") == "75" and rev.get("requested_by") == "user:1"
              and "实验室比对" in rev.get("comment", ""),
              f"the value says who, when, why and what it was: {src}")
        audit = call("GET", "/api/v1/audit?action=review.apply", admin)
        check(audit.status == 200 and "review.apply" in audit.body.decode(),
              f"the correction is in the audit log: {audit.status}")

        # 2. An invalidation takes a day out of the statistic.
        def pm25_days():
            rep = must(call("GET", "/api/v1/air/report?scope=site:AIR-Tiantan&from=2026-03-01"
                                   "&to=2026-03-02", admin), 200, "report")
            return rep["statistics"]["PM2.5"]["days"]
        check(pm25_days() == 1, "AIR-Tiantan's PM2.5 statistic counts the day")
        r = review(admin, action="invalidate", site="AIR-Tiantan", factor="a34004",
                   **{"from": "2026-03-01T00:00:00+08:00", "to": "2026-03-02T00:00:00+08:00"},
                   reason="calibration", comment="全天校准")
        check(r.status == 201 and r.json["changed"] == 24, f"a day invalidated: {r.body[:200]}")
        days = wait_for("statistic", pm25_days, lambda d: d == 0)
        check(days == 0, f"the invalidated day leaves the statistic: PM2.5 days {days}")
        src = must(call("GET", "/api/v1/readings/source?site=AIR-Tiantan&factor=a34004&period=hour"
                               "&time=2026-03-01T05:00:00%2B08:00", admin), 200, "source")
        check(src["value"] == "75" and src["flag"] == "C" and src["review"]["reason"] == "calibration",
              f"an invalidated value keeps its number, flagged: {src['value']} {src['flag']}")
        bad = review(admin, action="invalidate", site="AIR-Tiantan", factor="a34004",
                     **{"from": "2026-03-01T00:00:00+08:00"}, reason="aliens")
        check(bad.status == 400, f"an unknown reason: {bad.status}")
        bad = review(admin, action="correct", site="AIR-Tiantan", factor="a34004",
                     **{"from": "2026-03-01T00:00:00+08:00", "to": "2026-03-01T05:00:00+08:00"},
                     value="1", comment="x")
        check(bad.status == 400, f"a correction names one value: {bad.status}")

        # 3. A closed day.
        staff = aat.create_user(types.SimpleNamespace(auth=admin), "shenhe", "staff",
                                department="monitoring")
        other = bearer(must(login("shenhe", aat.PASSWORD), 200, "shenhe")["token"])
        r = call("POST", "/api/v1/review-days", admin, body={"day": "2026-03-01"})
        check(r.status == 201, f"the day closed as reviewed: {r.status} {r.body[:200]}")
        r = call("POST", "/api/v1/review-days", admin, body={"day": "2026-03-01"})
        check(r.status == 409, f"closed once: {r.status}")
        pub = must(call("GET", "/api/v1/public/review-days?from=2026-02-01&to=2026-04-01"), 200,
                   "public days")["items"]
        check([d["day"] for d in pub] == ["2026-03-01"], f"the public sees the reviewed day: {pub}")
        check(city_day(admin).get("reviewed") is True, "the city's day says it is reviewed")
        r = review(admin, action="correct", site="AIR-Dongsi", factor="a34004",
                   **{"from": "2026-03-01T09:00:00+08:00"}, value="80", comment="复核")
        pending = r.json or {}
        check(r.status == 202 and pending.get("status") == "pending",
              f"a closed day holds a one-person change: {r.status} {r.body[:200]}")
        src = must(call("GET", "/api/v1/readings/source?site=AIR-Dongsi&factor=a34004&period=hour"
                               "&time=2026-03-01T09:00:00%2B08:00", admin), 200, "source")
        check(src["value"] == "75", f"and nothing changes yet: {src['value']}")
        r = call("POST", f"/api/v1/reviews/{pending.get('id')}/approve", admin)
        check(r.status == 403, f"the requester does not approve it: {r.status}")
        r = call("POST", f"/api/v1/reviews/{pending.get('id')}/approve", other,
                 body={"comment": "同意"})
        check(r.status == 200 and r.json["status"] == "applied"
              and r.json["decided_by"] == f"user:{staff['id']}", f"a second person approves: {r.status}")
        src = must(call("GET", "/api/v1/readings/source?site=AIR-Dongsi&factor=a34004&period=hour"
                               "&time=2026-03-01T09:00:00%2B08:00", admin), 200, "source")
        check(src["value"] == "80" and src["review"]["decided_by"] == f"user:{staff['id']}",
              f"then it is applied: {src['value']}")
        r = call("POST", f"/api/v1/reviews/{pending.get('id')}/approve", other)
        check(r.status == 409, f"approved once: {r.status}")
        one = must(call("GET", f"/api/v1/reviews/{pending.get('id')}", admin), 200, "review")
        check(one["values"] == [{"mn": "import:AIR-Dongsi", "time": "2026-03-01T09:00:00+08:00",
                                 "old_value": "75", "old_flag": "N", "new_value": "80",
                                 "new_flag": "N"}], f"the review lists what it changed: {one}")

        # 4. Who may review.
        dongsi_district = sites["AIR-Dongsi"]["district_id"]
        other_district = next(s["district_id"] for s in sites.values()
                              if s["district_id"] != dongsi_district)
        for name, role, dist in (("dc", "staff", dongsi_district), ("xc", "staff", other_district),
                                 ("ld", "leader", 0), ("ins", "inspector", dongsi_district)):
            aat.create_user(types.SimpleNamespace(auth=admin), name, role, district=dist,
                            department="monitoring")
        tok = {n: bearer(must(login(n, aat.PASSWORD), 200, n)["token"]) for n in ("dc", "xc", "ld", "ins")}
        body = dict(action="confirm", site="AIR-Dongsi", factor="a34004",
                    **{"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-03T00:00:00+08:00"})
        check(review(tok["dc"], **body).status == 201, "district staff reviews its district")
        for n in ("xc", "ld", "ins"):
            r = review(tok[n], **body)
            check(r.status == 403, f"{n} does not review AIR-Dongsi: {r.status}")
        check(call("GET", "/api/v1/reviews", tok["ld"]).status == 200, "leaders see the reviews")
        check(review(None, **body).status == 401, "the public does not review")
        r = call("POST", "/api/v1/review-days", tok["dc"], body={"day": "2026-03-02"})
        check(r.status == 403, f"district staff does not close the city's day: {r.status}")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
