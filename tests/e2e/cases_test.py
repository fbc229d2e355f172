#!/usr/bin/env python3
"""Enforcement cases (执法, issue 16) on a city set up from its registry files:

  python3 cases_test.py /path/to/ecohub

1. Two officers of a district record an inspection at one of its enterprises that found a
   violation: the case opens with its checklist, facts and legal basis.
2. Penalty decision, rectification ordered, a failed check, a new deadline, a passed check,
   payment, close: each step on the time line; a step out of turn is 409 with why.
3. The enterprise reads its own case (and its file lists it), not another's; another
   district's staff do not reach it; an inspection with nothing wrong closes at once.
4. Bad input: a clear 400 naming the field, and nothing stored.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
import readings_import_test as rit  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login


class Admin:
    auth = None


def beijing(seconds_from_now):
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00",
                         time.gmtime(time.time() + seconds_from_now + 8 * 3600))


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-cases-")
    proc = None
    try:
        rit.setup_city(bin_, os.path.join(work, "data"))
        proc = aat.start_server(bin_, work, demo=False)
        admin = Admin()
        admin.auth = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
        ents = must(call("GET", "/api/v1/enterprises?limit=1000", admin.auth), 200,
                    "enterprises")["items"]
        ent = ents[0]
        district = ent["district_id"]
        other_ent = next(e for e in ents if e["district_id"] != district)
        users = {}
        for name, role, d, e in (("zf1", "staff", district, 0), ("zf2", "inspector", district, 0),
                                 ("zf_other", "staff", other_ent["district_id"], 0),
                                 ("qiye", "enterprise", 0, ent["id"]),
                                 ("qiye2", "enterprise", 0, other_ent["id"])):
            users[name] = aat.create_user(admin, name, role, d, e)["id"]
        tok = {n: bearer(must(login(n, aat.PASSWORD), 200, f"login {n}")["token"]) for n in users}
        staff = tok["zf1"]

        # 1. The record.
        record = {"enterprise_id": ent["id"], "inspected_at": beijing(-3600),
                  "officers": [users["zf1"], users["zf2"]],
                  "items": [{"text": "排污许可证执行情况", "compliant": True},
                            {"text": "除尘设施运行情况", "compliant": False,
                             "finding": "除尘器停运，排放口可见烟尘"}],
                  "findings": "现场检查时除尘设施未运行。",
                  "violation": True, "violation_text": "未正常运行大气污染防治设施",
                  "legal_basis": "《中华人民共和国大气污染防治法》第一百零八条"}
        r = call("POST", "/api/v1/cases", staff, body=record)
        check(r.status == 201 and r.json["status"] == "violation" and
              [o["id"] for o in r.json["officers"]] == [users["zf1"], users["zf2"]] and
              r.json["items"][1]["compliant"] is False and r.json["district_id"] == district,
              f"an inspection that found a violation opens a case: {r.status} {r.body[:200]}")
        cid = r.json["id"]
        path = f"/api/v1/cases/{cid}"

        # 2. The steps.
        def step(name, body, want=200):
            got = call("POST", f"{path}/{name}", staff, body=body)
            check(got.status == want, f"{name}: {got.status} (want {want}) "
                  f"{(got.json or {}).get('detail') or ''}")
            return got.json or {}

        step("close", {}, 409)  # nothing decided yet
        step("check", {"passed": True, "text": "复查"}, 409)  # nothing ordered
        c = step("penalty", {"decision_no": "京环罚〔2026〕101号", "fine_yuan": 52000.5})
        check(c.get("penalty", {}).get("fine_yuan") == 52000.5, f"the fine in yuan: {c.get('penalty')}")
        step("penalty", {"decision_no": "京环罚〔2026〕102号", "fine_yuan": 1}, 409)
        step("penalty", {"decision_no": "x", "fine_yuan": 1.234}, 400)
        c = step("rectification", {"text": "十五日内恢复除尘设施正常运行", "due_at": beijing(15 * 86400)})
        check(c.get("status") == "rectifying" and c["rectification"]["overdue"] is False,
              f"a rectification is ordered: {c.get('status')}")
        step("rectification", {"text": "再次整改", "due_at": beijing(20 * 86400)}, 409)
        c = step("check", {"passed": False, "text": "除尘设施仍未运行"})
        check(c.get("status") == "rectifying", "a failed check keeps it rectifying")
        c = step("check", {"passed": True, "text": "除尘设施已恢复运行"})
        check(c.get("status") == "violation" and c["rectification"]["rectified_at"],
              "a passed check ends the rectification")
        step("close", {}, 409)  # the fine is unpaid
        step("payment", {"paid_at": beijing(-7200)}, 409)  # before the decision
        step("payment", {"paid_at": beijing(86400)}, 409)  # in the future
        step("payment", {})
        step("payment", {}, 409)
        step("note", {"text": "企业已提交整改报告"})
        c = step("close", {"text": "结案"})
        check(c.get("status") == "closed", f"the case is closed: {c.get('status')}")
        events = [e["event"] for e in c.get("timeline", [])]
        check(events == ["record", "penalty", "order", "check", "check", "payment", "note", "close"],
              f"every step is on the time line in order: {events}")

        # 3. Who sees it.
        check(call("GET", path, tok["qiye"]).status == 200, "the enterprise reads its own case")
        check(call("GET", path, tok["qiye2"]).status == 403, "another enterprise does not")
        check(call("GET", path, tok["zf_other"]).status == 403, "another district's staff do not")
        check(call("POST", f"{path}/note", tok["qiye"], body={"text": "申辩"}).status == 403,
              "the enterprise does not write on its case")
        mine = must(call("GET", "/api/v1/cases", tok["qiye"]), 200, "the enterprise's cases")["items"]
        check([x["id"] for x in mine] == [cid], f"the enterprise lists its own cases only: {mine}")
        file = must(call("GET", f"/api/v1/enterprises/{ent['id']}/file", tok["qiye"]), 200, "file")
        check([x["id"] for x in file["cases"]] == [cid] and file["cases"][0]["fine_yuan"] == 52000.5
              and file["cases"][0]["paid"], f"its file (一源一档) lists the case: {file['cases']}")
        clean = call("POST", "/api/v1/cases", staff, body=dict(
            record, violation=False, violation_text=None, legal_basis=None,
            items=[{"text": "排污许可证执行情况", "compliant": True}], findings="未发现问题。"))
        check(clean.status == 201 and clean.json["status"] == "compliant", "a clean inspection")
        closed = call("POST", f"/api/v1/cases/{clean.json['id']}/close", staff, body={})
        check(closed.status == 200 and closed.json["status"] == "closed", "closes at once")
        check(call("POST", f"/api/v1/cases/{clean.json['id']}/penalty", staff,
                   body={"decision_no": "京环罚1", "fine_yuan": 10}).status == 409,
              "and takes no penalty")

        # 4. Bad input.
        before = must(call("GET", "/api/v1/cases", admin.auth), 200, "cases")["items"]
        for what, body, field in (
                ("one officer", dict(record, officers=[users["zf1"]]), "officers"),
                ("an enterprise account as officer", dict(record, officers=[users["zf1"], users["qiye"]]),
                 "officers"),
                ("another district's officer", dict(record, officers=[users["zf1"], users["zf_other"]]),
                 "officers"),
                ("in the future", dict(record, inspected_at=beijing(3600)), "inspected_at"),
                ("no checklist", dict(record, items=[]), "items"),
                ("a bad line without a violation", dict(record, violation=False), "violation"),
                ("a violation without its basis", dict(record, legal_basis=""), "legal_basis"),
                ("an unknown enterprise", dict(record, enterprise_id=999999), "enterprise_id"),
                ("a line that is not an object", dict(record, items=["x"]), "items")):
            r = call("POST", "/api/v1/cases", staff, body=body)
            check(r.status == 400 and field in ((r.json or {}).get("detail") or "") +
                  ((r.json or {}).get("title") or ""),
                  f"{what}: {r.status} {(r.json or {}).get('detail')}")
        r = call("POST", "/api/v1/cases", tok["zf_other"], body=record)
        check(r.status == 403, f"another district's staff cannot record here: {r.status}")
        after = must(call("GET", "/api/v1/cases", admin.auth), 200, "cases")["items"]
        check(len(after) == len(before), "bad input stored no case")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    finish()


if __name__ == "__main__":
    main()
