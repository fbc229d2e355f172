#!/usr/bin/env python3
"""Random inspections (双随机一公开, issue 16) on a city set up from its registry files:

  python3 draws_test.py /path/to/ecohub

1. Staff of a district draw from its enterprises and officers with a seed: the key units
   and the rest at their rates, two officers per enterprise, none of them recused.
2. The draw is re-run on the server (verify) and, once published, by scripts/draw_verify.py
   from the public URL alone: the same picks. A tampered copy is told apart (exit 1).
3. Publishing makes one task per enterprise (source plan), given to the first officer of
   its team, visible to that inspector; publishing again is refused (409).
   The enterprise's file (一源一档) shows the draw, the team and the task.
4. A second draw with the same seed, recusing last time's officers: no enterprise gets an
   officer who inspected it in the first.
5. Bad input: a clear 400/422 naming what is wrong, and nothing stored.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
import readings_import_test as rit  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VERIFY = os.path.join(SOURCE, "scripts", "draw_verify.py")


class Admin:
    auth = None


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-draws-")
    proc = None
    try:
        rit.setup_city(bin_, os.path.join(work, "data"))
        proc = aat.start_server(bin_, work, demo=False)
        admin = Admin()
        admin.auth = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
        ents = must(call("GET", "/api/v1/enterprises?limit=1000", admin.auth), 200,
                    "enterprises")["items"]
        counts = {}
        for e in ents:
            counts[e["district_id"]] = counts.get(e["district_id"], 0) + 1
        district = max(counts, key=counts.get)  # the district with the most enterprises
        other = next(d for d in counts if d != district)
        pool = [e for e in ents if e["district_id"] == district and e.get("credit_code")
                and e.get("status", "operating") == "operating"]
        officers = {}
        for name, role, d in (("zf_city1", "staff", 0), ("zf_city2", "inspector", 0),
                              ("zf_own1", "inspector", district), ("zf_own2", "staff", district),
                              ("zf_other1", "inspector", other), ("zf_other2", "inspector", other)):
            officers[name] = aat.create_user(admin, name, role, d)["id"]
        staff = bearer(must(login("zf_own2", aat.PASSWORD), 200, "staff login")["token"])

        # 1. The draw.
        body = {"title": "2026年第四季度双随机抽查", "district_id": district,
                "seed": "2026-12-07 福彩3D 第2026331期 527",
                "rates": {"key": 50, "special": 100, "general": 30},
                "recuse_own_district": True, "officers": sorted(officers.values())}
        made = call("POST", "/api/v1/draws", staff, body=body)
        check(made.status == 201, f"district staff draw from their district: {made.status} "
              f"{made.body[:200]}")
        d = made.json or {}
        keys = sum(1 for e in pool if e.get("key_unit"))
        rest = len(pool) - keys
        want = {"key": -(-keys * 50 // 100), "special": 0, "general": -(-rest * 30 // 100)}
        check(d.get("pool") == {"key": keys, "special": 0, "general": rest}
              and d.get("drawn") == want,
              f"each category drawn at its rate, rounded up: pool {d.get('pool')}, "
              f"drawn {d.get('drawn')}, want {want}")
        own = {officers["zf_own1"], officers["zf_own2"]}
        teams = [[o["id"] for o in x["officers"]] for x in d.get("items", [])]
        check(teams and all(len(t) == 2 and len(set(t)) == 2 for t in teams),
              f"every enterprise has two different officers: {teams}")
        check(not any(own & set(t) for t in teams),
              "no officer of the district inspects its own district's enterprises")
        check(d.get("published_at") is None and
              call("GET", f"/api/v1/public/draws/{d.get('id')}").status == 404,
              "a draw is not public before it is published")

        # 2. Re-run: on the server, then by the script from the public URL.
        v = must(call("POST", f"/api/v1/draws/{d['id']}/verify", staff), 200, "verify")
        check(v["reproduced"] is True, f"the server re-runs the draw: {v}")
        due = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 30 * 86400))
        pub = call("POST", f"/api/v1/draws/{d['id']}/publish", staff,
                   body={"due_at": due, "checklist": ["排污许可证执行情况", "治污设施运行情况"]})
        check(pub.status == 200 and pub.json["published_at"] and
              len(pub.json["tasks"]) == len(teams) and
              sorted(x["task"]["id"] for x in pub.json["items"]) == sorted(pub.json["tasks"]),
              f"publishing makes one task per enterprise, shown beside it: {pub.status} "
              f"{pub.body[:200]}")
        path = f"/api/v1/public/draws/{d['id']}"
        url = f"http://127.0.0.1:{aat.PORT}{path}"
        r = subprocess.run([sys.executable, VERIFY, url], capture_output=True, text=True,
                           timeout=60)
        check(r.returncode == 0 and "reproduced" in r.stdout,
              f"draw_verify.py re-runs the public draw: {r.returncode} {r.stdout} {r.stderr}")
        doc = must(call("GET", path), 200, "the public draw")
        check(doc["seed"] == body["seed"] and len(doc["items"]) == len(teams) and
              all(x["name"] and x["officers"][0]["name"] for x in doc["items"]),
              "the public draw names the enterprises and the officers, and gives the seed")
        doc["result"]["picks"][0]["officers"].reverse()
        tampered = os.path.join(work, "tampered.json")
        with open(tampered, "w") as f:
            json.dump(doc, f)
        r = subprocess.run([sys.executable, VERIFY, tampered], capture_output=True, text=True,
                           timeout=60)
        check(r.returncode == 1 and "DIFFERENT" in r.stdout,
              f"a tampered copy is told apart: {r.returncode} {r.stdout[:200]}")
        listed = must(call("GET", "/api/v1/public/draws"), 200, "public list")["items"]
        check([x["id"] for x in listed] == [d["id"]], f"the public list has the draw: {listed}")

        # 3. The tasks.
        tasks = [must(call("GET", f"/api/v1/tasks/{t}", admin.auth), 200, "task")
                 for t in pub.json["tasks"]]
        team_of = {x["name"]: {o["id"] for o in x["officers"]} for x in d["items"]}
        assignee = [t["assignee"] for t in tasks]
        check(all(t["source"] == "plan" and t["status"] == "assigned" and
                  t["title"].startswith("双随机抽查：") and len(t["checklist"]) == 2
                  for t in tasks),
              f"each task is a plan task, assigned, with the checklist: "
              f"{[(t['source'], t['status']) for t in tasks][:3]}")
        check(all(a in team_of[t["title"].split("：", 1)[1]] for a, t in zip(assignee, tasks)),
              "each task is given to an officer of its team")
        inspector_ids = {officers[n] for n in ("zf_city2", "zf_other1", "zf_other2")}
        theirs = [(a, t) for a, t in zip(assignee, tasks) if a in inspector_ids]
        check(theirs, "some task went to an inspector")
        for a, t in theirs[:1]:
            name = next(n for n, i in officers.items() if i == a)
            tok = bearer(must(login(name, aat.PASSWORD), 200, "inspector login")["token"])
            mine = must(call("GET", "/api/v1/tasks?assignee=me", tok), 200, "my tasks")["items"]
            check(t["id"] in [x["id"] for x in mine],
                  f"the inspector finds the task among theirs ({name}, of another district)")
            check(call("GET", f"/api/v1/tasks/{t['id']}", tok).status == 200,
                  "and opens it")
        pick = d["items"][0]
        file = must(call("GET", f"/api/v1/enterprises/{pick['enterprise_id']}/file", staff), 200,
                    "the enterprise's file")
        seen = [x for x in file["inspections"] if x["draw_id"] == d["id"]]
        check(len(seen) == 1 and seen[0]["task"] and seen[0]["task"]["id"] in pub.json["tasks"]
              and seen[0]["officers"] == [o["name"] for o in pick["officers"]],
              f"the enterprise's file (一源一档) lists the draw, its team and its task: {seen}")
        check(file["enterprise"]["credit_code"] == pick["credit_code"] and file["code"]["color"]
              and len(file["alarms"]["months"]) == 12,
              "and its registry, its code and twelve months of alarms")
        again = call("POST", f"/api/v1/draws/{d['id']}/publish", staff, body={"due_at": due})
        check(again.status == 409, f"publishing twice is refused: {again.status}")
        made_tasks = must(call("GET", f"/api/v1/tasks?source=plan&source_ref=draw:{d['id']}",
                               admin.auth), 200, "plan tasks")["items"]
        check(len(made_tasks) == len(teams), "and made no second set of tasks")

        # 4. The next draw recuses last time's officers.
        body2 = dict(body, title="2027年第一季度双随机抽查", rates={"key": 100, "general": 100})
        d2 = must(call("POST", "/api/v1/draws", staff, body=body2), 201, "second draw")
        last = {x["credit_code"]: {o["id"] for o in x["officers"]} for x in d["items"]}
        clash = [x["credit_code"] for x in d2["items"]
                 if last.get(x["credit_code"], set()) & {o["id"] for o in x["officers"]}]
        paired = [x for x in d2["items"] if x["officers"] and x["credit_code"] in last]
        check(d2["input"]["last"] and paired and not clash,
              f"no enterprise gets an officer of its last inspection ({len(paired)} drawn "
              f"again and paired): {clash}")
        unpaired = [x for x in d2["items"] if not x["officers"]]
        check(d2["unpaired"] == len(unpaired), f"unpaired ones are counted: {d2['unpaired']}")

        # 5. Bad input.
        before = must(call("GET", "/api/v1/draws", admin.auth), 200, "draws")["items"]
        for what, b, status in (
                ("rate over 100", dict(body, rates={"key": 150}), 400),
                ("unknown category", dict(body, rates={"vip": 10}), 400),
                ("no title", {k: v for k, v in body.items() if k != "title"}, 400),
                ("seed too long", dict(body, seed="x" * 300), 400),
                ("team of 9", dict(body, team=9), 400),
                ("nothing to draw", dict(body, rates={"key": 0, "special": 0, "general": 0}), 422),
                ("unknown officer", dict(body, officers=[999999]), 400),
                ("the administrator as an officer", dict(body, officers=[1]), 400),
                ("the city's draw by district staff", dict(body, district_id=0), 403),
                ("unknown field", dict(body, colour="red"), 400)):
            r = call("POST", "/api/v1/draws", staff, body=b)
            check(r.status == status and (r.json or {}).get("title"),
                  f"{what}: {r.status} (want {status}) {(r.json or {}).get('detail')}")
        r = call("POST", f"/api/v1/draws/{d2['id']}/publish", staff, body={"due_at": "2020-01-01"})
        check(r.status == 400, f"a due time in the past is refused: {r.status}")
        after = must(call("GET", "/api/v1/draws", admin.auth), 200, "draws")["items"]
        check(len(after) == len(before), "bad input stored no draw")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    finish()


if __name__ == "__main__":
    main()
