#!/usr/bin/env python3
"""Alarms end to end, against a real `ecohub serve --demo`.

  python3 alarms_test.py /path/to/ecohub

The demo's exceedances become alarms; an enterprise sees only its own; staff of the
alarm's district acknowledges, then closes it with a comment; illegal transitions
are 409, an inspector may not close (403), partners and the public read nothing;
the summary counts, CSV export, the device status fields; every change is in the
audit log and `ecohub audit verify` finds the chain intact afterwards.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402  (its HTTP client and server starter)
from ehtest import check, finish  # noqa: E402

call, bearer, must = aat.call, aat.bearer, aat.must


def user(admin, name, role, district=0, enterprise=0, department=""):
    aat.create_user(types.SimpleNamespace(auth=admin), name, role, district, enterprise,
                    department)
    return bearer(must(aat.login(name, aat.PASSWORD), 200, "login " + name)["token"])


def main():
    bin_ = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        proc = aat.start_server(bin_, work)
        try:
            run(work)
        finally:
            aat.stop_server(proc)
        p = subprocess.run([bin_, "audit", "verify", "--data", os.path.join(work, "data")],
                           capture_output=True, text=True)
        check(p.returncode == 0 and json.loads(p.stdout)["ok"],
              f"audit chain intact after the alarm changes: {p.stdout.strip()} {p.stderr[-300:]}")
    finish()


def run(work):
    admin = bearer(must(aat.login("admin", aat.PASSWORD), 200, "admin login")["token"])
    # The first sync runs right after start-up: wait for its alarms.
    items = []
    for _ in range(60):
        items = must(call("GET", "/api/v1/alarms?limit=1000", admin), 200, "alarms")["items"]
        if items:
            break
        time.sleep(0.5)
    exc = [a for a in items if a["kind"] == "exceedance"]
    check(len(exc) > 0, f"the demo's exceedances are alarms: {len(exc)} of {len(items)}")
    if not exc:
        return
    a = exc[0]
    check(a["status"] == "open" and a["started"].endswith("+08:00") and a["site_name"]
          and a["district"] and a["enterprise_id"] and a["enterprise_name"] and a["factor"]
          and a["value"] is not None and a["limit"] is not None,
          f"an exceedance alarm has its site, district, enterprise, factor, peak, limit: {a}")
    starts = [x["started"] for x in items]
    check(starts == sorted(starts, reverse=True), "newest first")
    page = must(call("GET", "/api/v1/alarms?limit=2", admin), 200, "page 1")
    check(len(page["items"]) == min(2, len(items)), "limit")
    if len(items) > 2:
        nxt = must(call("GET", "/api/v1/alarms?limit=2&cursor=" + page["next_cursor"], admin), 200,
                   "page 2")
        check([x["id"] for x in nxt["items"]] == [x["id"] for x in items[2:4]],
              "the cursor continues where the first page ended")
    check(call("GET", "/api/v1/alarms?status=bogus", admin).status == 400, "bad status: 400")
    check(call("GET", "/api/v1/alarms?cursor=zz", admin).status == 400, "bad cursor: 400")
    csv = call("GET", "/api/v1/alarms?format=csv&status=open", admin)
    check(csv.status == 200 and "csv" in csv.ctype and b"kind" in csv.body.split(b"\n")[0],
          f"CSV export: {csv.status} {csv.ctype}")

    ent = a["enterprise_id"]
    district = a["district_id"]
    staff = user(admin, "alarm.staff", "staff", district)
    inspector = user(admin, "alarm.inspector", "inspector", district)
    other_district = next(d["id"] for d in must(call("GET", "/api/v1/districts", admin), 200,
                                                "districts")["items"] if d["id"] != district)
    other_staff = user(admin, "alarm.other", "staff", other_district)
    enterprise = user(admin, "alarm.ent", "enterprise", 0, ent)
    partner = user(admin, "alarm.partner", "partner", 0, 0, "meteorology")

    mine = must(call("GET", "/api/v1/alarms?limit=1000", enterprise), 200, "enterprise list")["items"]
    want = {x["id"] for x in items if x["enterprise_id"] == ent}
    check({x["id"] for x in mine} == want and all(x["enterprise_id"] == ent for x in mine),
          f"the enterprise sees exactly its own alarms ({len(mine)} of {len(items)})")
    dist = must(call("GET", "/api/v1/alarms?limit=1000", staff), 200, "staff list")["items"]
    check(all(x["district_id"] == district for x in dist) and a["id"] in {x["id"] for x in dist},
          "district staff sees its district's alarms")
    check(call("GET", "/api/v1/alarms", partner).status == 403, "a partner reads no alarms (403)")
    check(call("GET", "/api/v1/alarms").status == 401, "the public reads no alarms (401)")
    check(call("GET", f"/api/v1/alarms/{a['id']}", other_staff).status == 403,
          "staff of another district: 403 on the alarm")

    aid = a["id"]
    base = f"/api/v1/alarms/{aid}"
    check(call("POST", base + "/close", inspector, body={"comment": "done"}).status == 403,
          "an inspector may not close (403)")
    check(call("POST", base + "/acknowledge", other_staff, body={}).status == 403,
          "staff of another district may not acknowledge (403)")
    check(call("POST", base + "/acknowledge", staff, body={"comment": "x", "extra": 1}).status == 400,
          "unknown body field: 400")
    check(call("POST", base + "/acknowledge", staff, body={"comment": "长" * 501}).status == 400,
          "a comment over 500 characters: 400")
    check(call("POST", "/api/v1/alarms/999999/acknowledge", staff, body={}).status == 404,
          "unknown alarm: 404")
    r = call("POST", base + "/acknowledge", staff, body={"comment": "已通知企业"})
    check(r.status == 200 and r.json["status"] == "acknowledged" and
          r.json["ack_by"] == "user:alarm.staff" and r.json["ack_comment"] == "已通知企业" and
          r.json["ack_at"].endswith("+08:00"), f"staff acknowledges: {r.status} {r.body[:200]}")
    r = call("POST", base + "/acknowledge", staff, body={})
    check(r.status == 409 and "problem+json" in r.ctype, f"acknowledging twice: 409 ({r.status})")
    check(call("POST", base + "/close", staff, body={}).status == 400, "closing without a comment: 400")
    check(call("POST", base + "/close", staff, body={"comment": "  "}).status == 400,
          "closing with a blank comment: 400")
    r = call("POST", base + "/close", staff, body={"comment": "企业已整改"})
    check(r.status == 200 and r.json["status"] == "closed" and r.json["close_comment"] == "企业已整改"
          and r.json["closed_by"] == "user:alarm.staff", f"staff closes: {r.status} {r.body[:200]}")
    check(call("POST", base + "/close", staff, body={"comment": "again"}).status == 409,
          "closed is final: closing again 409")
    check(call("POST", base + "/acknowledge", staff).status == 409,
          "closed is final: acknowledging 409")
    got = must(call("GET", base, admin), 200, "one alarm")
    check(got["status"] == "closed" and got["ack_comment"] == "已通知企业", "the alarm keeps both steps")

    # The enterprise acknowledges one of its own but may not close it.
    own = [x for x in mine if x["status"] == "open" and x["id"] != aid]
    if own:
        b = own[0]["id"]
        r = call("POST", f"/api/v1/alarms/{b}/acknowledge", enterprise, body={"comment": "正在排查"})
        check(r.status == 200 and r.json["status"] == "acknowledged", f"the enterprise acknowledges its own: {r.status}")
        check(call("POST", f"/api/v1/alarms/{b}/close", enterprise, body={"comment": "ok"}).status == 403,
              "an enterprise may not close (403)")
    others = [x for x in items if x["enterprise_id"] not in (None, ent)]
    if others:
        check(call("POST", f"/api/v1/alarms/{others[0]['id']}/acknowledge", enterprise, body={}).status == 403,
              "an enterprise may not acknowledge another's alarm (403)")

    s = must(call("GET", "/api/v1/alarms/summary", admin), 200, "summary")
    check(s["by_status"]["closed"] >= 1 and s["by_status"]["acknowledged"] >= (1 if own else 0) and
          s["by_kind"]["exceedance"]["closed"] >= 1 and
          s["unresolved"] == s["by_status"]["open"] + s["by_status"]["acknowledged"] and
          s["devices"]["total"] == s["devices"]["online"] + s["devices"]["offline"] and
          s["day"].endswith("T00:00:00+08:00"), f"summary: {s}")
    se = must(call("GET", "/api/v1/alarms/summary", enterprise), 200, "enterprise summary")
    check(sum(se["by_status"].values()) == len(mine), f"the enterprise's summary counts its own: {se['by_status']}")

    audit = must(call("GET", "/api/v1/audit?object=alarm:" + str(aid), admin), 200, "audit")["items"]
    acts = sorted(x["action"] for x in audit)
    check(acts == ["alarm.acknowledge", "alarm.close"] and
          any(x["detail"].get("comment") == "企业已整改" for x in audit),
          f"acknowledge and close are audited with their comments: {acts}")

    devs = must(call("GET", "/api/v1/devices", admin), 200, "devices")["items"]
    check(devs and all(k in devs[0] for k in ("online", "connected", "last_packet", "packets", "rejected")),
          f"devices carry their status: {devs[0] if devs else None}")
    off = must(call("GET", "/api/v1/devices?status=offline", admin), 200, "offline devices")["items"]
    on = must(call("GET", "/api/v1/devices?status=online", admin), 200, "online devices")["items"]
    check(len(off) + len(on) == len(devs) and all(not d["online"] for d in off),
          "status=online|offline splits the list")
    check(call("GET", "/api/v1/devices?status=maybe", admin).status == 400, "bad device status: 400")


if __name__ == "__main__":
    main()
