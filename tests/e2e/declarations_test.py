#!/usr/bin/env python3
"""Enterprise self-declarations (自行申报, issue 15), on a city set up from its registry
files, with a data logger registered for a waste-water outlet that never calls in:

  python3 declarations_test.py /path/to/ecohub

1. The outlet's enterprise declares it stopped (停产), an open window; another
   enterprise cannot declare for it, nor see the declaration; the public and an
   enterprise without the outlet get nothing.
2. The silent logger raises an offline alarm (offline after 1 minute here); the
   declaration, only submitted, leaves it open.
3. Staff of the district accept it: the offline alarm in the window is closed with a
   comment naming the declaration (kept, not deleted) and annotated; the acts are in
   the audit log.
4. Hourly flow (w00000 > 0) imported inside the window: the declaration shows the
   finding "declared stopped but flow > 0".
5. Withdraw and end: an accepted declaration is not withdrawn; its enterprise ends it.
"""
import datetime
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
OUTLET = "DW-01-2"  # 北京京能热电有限公司 废水总排口2, district 110106
OWNER = "91110106883310802B"
OTHER = "91110112566561579C"  # 北京燕山水泥有限公司
MN = "DECL0000000001"


def beijing(dt):
    return (dt + datetime.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def rfc(dt):
    return (dt + datetime.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def wait_for(fn, pred, seconds=120):
    """The alarm sync runs every 5 s here: poll until `pred`."""
    deadline = time.time() + seconds
    got = fn()
    while not pred(got) and time.time() < deadline:
        time.sleep(1)
        got = fn()
    return got


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-declare-")
    data = os.path.join(work, "data")
    proc = None
    try:
        rit.setup_city(bin_, data)
        conf = os.path.join(work, "serve.toml")
        with open(conf, "w") as f:
            f.write("[alarms]\noffline_minutes = 1\nsync_seconds = 5\n")
        proc = aat.start_server(bin_, work, extra_args=("--config", conf), demo=False)
        admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
        ents = {e["credit_code"]: e for e in must(call("GET", "/api/v1/enterprises?limit=1000",
                                                       admin), 200, "enterprises")["items"]}
        sites = {s["code"]: s for s in must(call("GET", "/api/v1/sites?limit=1000", admin), 200,
                                            "sites")["items"]}
        outlet = sites[OUTLET]
        must(call("POST", "/api/v1/devices", admin,
                  body={"mn": MN, "site_id": outlet["id"], "password": "123456"}), 201, "device")
        a = types.SimpleNamespace(auth=admin)
        aat.create_user(a, "decl.owner", "enterprise", 0, ents[OWNER]["id"])
        aat.create_user(a, "decl.other", "enterprise", 0, ents[OTHER]["id"])
        aat.create_user(a, "decl.staff", "staff", outlet["district_id"])
        other_district = next(s["district_id"] for s in sites.values()
                              if s["district_id"] != outlet["district_id"])
        aat.create_user(a, "decl.far", "staff", other_district)
        owner = bearer(must(login("decl.owner", aat.PASSWORD), 200, "owner")["token"])
        other = bearer(must(login("decl.other", aat.PASSWORD), 200, "other")["token"])
        staff = bearer(must(login("decl.staff", aat.PASSWORD), 200, "staff")["token"])
        far = bearer(must(login("decl.far", aat.PASSWORD), 200, "far")["token"])

        # 1. The owner declares; others cannot.
        now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                    microsecond=0)
        start = now - datetime.timedelta(hours=6)
        body = {"site": OUTLET, "kind": "stopped", "from": rfc(start), "reason": "锅炉停产检修"}
        r = call("POST", "/api/v1/declarations", other, body=body)
        check(r.status == 403, f"another enterprise cannot declare for the outlet: {r.status}")
        check(call("POST", "/api/v1/declarations", None, body=body).status == 401,
              "the public cannot declare")
        bad = dict(body, kind="holiday")
        check(call("POST", "/api/v1/declarations", owner, body=bad).status == 400,
              "an unknown kind: 400")
        bad = dict(body, kind="fault")  # open windows are for stops only
        check(call("POST", "/api/v1/declarations", owner, body=bad).status == 400,
              "a fault without an end: 400")
        r = call("POST", "/api/v1/declarations", owner, body=body)
        check(r.status == 201 and r.json["status"] == "submitted" and r.json["to"] is None
              and r.json["kind_label"] == "停产", f"the owner declares a stop: {r.status} {r.body[:300]}")
        did = r.json["id"]
        mine = must(call("GET", "/api/v1/declarations", owner), 200, "owner list")["items"]
        theirs = must(call("GET", "/api/v1/declarations", other), 200, "other list")["items"]
        check([d["id"] for d in mine] == [did] and theirs == [],
              f"each enterprise lists its own: {len(mine)} / {len(theirs)}")
        check(call("GET", f"/api/v1/declarations/{did}", other).status == 403,
              "another enterprise does not see it (403)")
        check(call("GET", f"/api/v1/declarations/{did}", far).status == 403,
              "staff of another district do not see it (403)")
        check(call("POST", f"/api/v1/declarations/{did}/accept", owner,
                   body={"comment": "自己批准"}).status == 403,
              "an enterprise does not accept its own declaration")
        check(call("GET", "/api/v1/declarations").status == 401, "the public lists nothing")

        # 2. The silent logger's offline alarm, open while the declaration is submitted.
        def offline():
            items = must(call("GET", f"/api/v1/alarms?site={OUTLET}&kind=offline", admin), 200,
                         "alarms")["items"]
            return items[0] if items else None
        alarm = wait_for(offline, lambda a: a is not None)
        check(alarm is not None and alarm["status"] == "open",
              f"the silent logger is offline, its alarm open: {alarm}")

        # 3. Staff accept: the alarm in the window is closed, named, kept.
        check(call("POST", f"/api/v1/declarations/{did}/accept", far,
                   body={"comment": "x"}).status in (403, 404),
              "staff of another district cannot accept")
        check(call("POST", f"/api/v1/declarations/{did}/accept", staff, body={}).status == 400,
              "accepting needs a comment")
        r = call("POST", f"/api/v1/declarations/{did}/accept", staff, body={"comment": "现场核实停产"})
        check(r.status == 200 and r.json["status"] == "accepted"
              and r.json["alarms"]["closed"] == 1, f"staff accept: {r.status} {r.body[:300]}")
        got = must(call("GET", f"/api/v1/alarms/{alarm['id']}", admin), 200, "the alarm")
        detail = got.get("detail") or {}
        check(got["status"] == "closed" and got.get("closed_by") == f"declaration:{did}"
              and "停产" in (got.get("close_comment") or "")
              and (detail.get("declaration") or {}).get("id") == did,
              f"the offline alarm is closed by the declaration and annotated: {got}")
        check(call("POST", "/api/v1/declarations", owner,
                   body=dict(body, **{"from": rfc(start + datetime.timedelta(hours=1))})).status == 409,
              "a second declaration overlapping the accepted one: 409")

        # 4. Flow in the window: a finding.
        rows = "site,factor,period,time,value,flag\n" + "".join(
            f"{OUTLET},w00000,hour,{beijing(start + datetime.timedelta(hours=h))},"
            f"{12.5 if h in (2, 3) else 0},N\n" for h in range(1, 5))
        r = rit.upload(admin, rows, "?file_name=flow.csv")
        check(r.status == 200 and r.json["stored"] == 4, f"flow imported: {r.status} {r.body[:200]}")
        d = must(call("GET", f"/api/v1/declarations/{did}", owner), 200, "declaration")
        f = d["findings"][0] if d["findings"] else {}
        check(f.get("code") == "flow_while_stopped" and f.get("hours") == 2 and f.get("of") == 4
              and f.get("first") == rfc(start + datetime.timedelta(hours=2)),
              f"declared stopped but flow > 0 is found: {d['findings']}")

        # 5. Withdraw and end.
        check(call("POST", f"/api/v1/declarations/{did}/withdraw", owner).status == 409,
              "an accepted declaration is not withdrawn")
        r = call("POST", f"/api/v1/declarations/{did}/end", owner, body={"to": rfc(now)})
        check(r.status == 200 and r.json["status"] == "ended" and r.json["to"] == rfc(now),
              f"its enterprise ends the stop: {r.status} {r.body[:200]}")
        r = call("POST", "/api/v1/declarations", owner,
                 body={"site": OUTLET, "kind": "maintenance", "from": rfc(now),
                       "to": rfc(now + datetime.timedelta(hours=4)), "reason": "在线监测设备检修"})
        check(r.status == 201, f"a maintenance after the stop: {r.status} {r.body[:200]}")
        r = call("POST", f"/api/v1/declarations/{r.json['id']}/withdraw", owner)
        check(r.status == 200 and r.json["status"] == "withdrawn", f"withdrawn: {r.body[:200]}")
        acts = call("GET", "/api/v1/audit?object=declaration:&limit=1000", admin).body.decode()
        check(all(a in acts for a in ("declaration.submit", "declaration.accept",
                                      "declaration.end", "declaration.withdraw")),
              "every act is in the audit log")
    finally:
        if proc:
            aat.stop_server(proc)
        if os.environ.get("KEEP_WORK"):
            print("work dir:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
