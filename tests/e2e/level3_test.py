#!/usr/bin/env python3
"""The level-3 account controls of issue 11 over HTTP, on a server that separates the
administrators' duties (三员分立) and requires them a second factor:

1. The system administrator (`admin`) manages no accounts and reads no audit log. The
   three administrators come from the CLI, as a deployment creates them.
2. Administrators must enrol a TOTP second factor before anything else (403
   second-factor-required); enrolment and confirmation work with RFC 6238 codes
   computed here; from then on a login needs the code (401 otp-required without it,
   401 with a wrong or reused one).
3. The security administrator creates accounts, whose first password must be
   changed before anything else (403 password-change-required), resets passwords,
   clears a lost second factor; it reads no data.
4. The audit administrator reads the audit log (filters, paging, verification) and
   changes nothing: every write it tries is 403, and `audit verify` stays intact.
5. The last security administrator cannot be disabled (409).
"""
import base64
import hashlib
import hmac
import os
import struct
import subprocess
import sys
import tempfile
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login
PASSWORD = aat.PASSWORD


def totp(secret_b32, t=None, step=30, digits=6):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if t is None else t) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(code).zfill(digits)


def next_code(secret, used):
    """A code of a time step after `used` (a code is good once): waits for the next
    step when this one's code was used."""
    while True:
        step = int(time.time() // 30)
        if step > used:
            return totp(secret), step
        time.sleep(0.5)


def problem(r):
    return ((r.json or {}).get("type") or "").rsplit("/", 1)[-1]


def cli_user(bin_, data, name, role):
    p = subprocess.run([bin_, "user", "add", "--data", data, "--username", name, "--role", role],
                       input=PASSWORD + "\n", capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"user add {name}: {p.stderr}")


def enrol(name):
    """Logs `name` in, checks it is held to enrolment, enrols; returns (auth, secret, step)."""
    r = must(login(name, PASSWORD), 200, f"login {name}")
    check(r.get("must_enroll_second_factor") is True, f"{name} is asked to enrol a second factor")
    auth = bearer(r["token"])
    r = call("GET", "/api/v1/sites?limit=1", auth)
    check(r.status == 403 and problem(r) == "second-factor-required",
          f"{name} before enrolling: {r.status} {problem(r)}, want 403 second-factor-required")
    check(call("GET", "/api/v1/me", auth).status == 200, f"{name} may see who it is meanwhile")
    e = must(call("POST", "/api/v1/me/totp", auth), 200, f"{name} enrols")
    check(e["uri"].startswith("otpauth://totp/") and "secret=" + e["secret"] in e["uri"],
          f"the enrolment URI: {e['uri'][:60]}")
    r = call("POST", "/api/v1/me/totp/confirm", auth, body={"code": "000000"})
    check(r.status == 400 and problem(r) == "bad-code", f"a wrong confirmation code: {r.status}")
    code, step = next_code(e["secret"], -1)
    must(call("POST", "/api/v1/me/totp/confirm", auth, body={"code": code}), 204,
         f"{name} confirms")
    return auth, e["secret"], step


def login_with_code(name, secret, used):
    r = login(name, PASSWORD)
    check(r.status == 401 and problem(r) == "otp-required",
          f"{name} without a code: {r.status} {problem(r)}, want 401 otp-required")
    code, step = next_code(secret, used)
    r = call("POST", "/api/v1/auth/login", body={"username": name, "password": PASSWORD,
                                                  "otp": code})
    must(r, 200, f"{name} with its code")
    again = call("POST", "/api/v1/auth/login", body={"username": name, "password": PASSWORD,
                                                      "otp": code})
    check(again.status == 401, f"the same code twice: {again.status}, want 401")
    return bearer(r.json["token"]), step


def run():
    sys_auth, sys_secret, _ = enrol("admin")
    check(call("GET", "/api/v1/sites?limit=1", sys_auth).status == 200,
          "the system administrator reads the registry once enrolled")
    r = call("POST", "/api/v1/users", sys_auth,
             body={"username": "x1", "password": "Some-pass-2026", "role": "staff"})
    check(r.status == 403, f"the system administrator creates an account: {r.status}, want 403")
    check(call("GET", "/api/v1/audit", sys_auth).status == 403,
          "the system administrator reads the audit log: want 403")

    sec_auth, sec_secret, sec_step = enrol("sec")
    sec_auth, sec_step = login_with_code("sec", sec_secret, sec_step)
    check(call("GET", "/api/v1/sites/1/latest", sec_auth).status in (403, 404),
          "the security administrator reads no station data")
    sec = types.SimpleNamespace(auth=sec_auth)
    u = aat.create_user(None, "clerk", "staff", department="monitoring", by=sec)
    clerk = bearer(must(login("clerk", PASSWORD), 200, "clerk logs in")["token"])
    check(call("GET", "/api/v1/sites?limit=1", clerk).status == 200, "clerk works after its change")
    r = call("POST", f"/api/v1/users/{u['id']}/reset-password", sec_auth,
             body={"password": "Reset-pass-2026"})
    check(r.status == 204, f"the security administrator resets clerk: {r.status}")
    r = must(login("clerk", "Reset-pass-2026"), 200, "clerk after the reset")
    check(r["must_change_password"] is True, "a reset password must be changed")

    aud_auth, aud_secret, aud_step = enrol("aud")
    # The audit administrator's writes, each refused.
    writes = [("POST", "/api/v1/users", {"username": "x2", "password": "Some-pass-2026",
                                          "role": "staff"}),
              ("PATCH", f"/api/v1/users/{u['id']}", {"disabled": True}),
              ("POST", f"/api/v1/users/{u['id']}/reset-password", {"password": "Other-pass-2026"}),
              ("DELETE", f"/api/v1/users/{u['id']}/totp", None),
              ("POST", "/api/v1/api-keys", {"name": "mine"}),
              ("POST", "/api/v1/data-requests", {"dataset": "air-station-readings",
                                                 "purpose": "audit", "until": aat.beijing(30 * 86400)})]
    for method, path, body in writes:
        r = call(method, path, aud_auth, body=body)
        check(r.status == 403, f"audit administrator {method} {path}: {r.status}, want 403")
    # It reads everything on the record, newest first, by filter and page.
    page = must(call("GET", "/api/v1/audit?limit=5", aud_auth), 200, "audit log")
    check(len(page["items"]) == 5 and page["next_cursor"], "a first page of 5 with a cursor")
    older = must(call("GET", f"/api/v1/audit?limit=5&cursor={page['next_cursor']}", aud_auth),
                 200, "the next page")
    check(older["items"] and older["items"][0]["id"] < page["items"][-1]["id"],
          "the next page is older")
    mine = must(call("GET", "/api/v1/audit?actor=user:sec&action=user.create", aud_auth), 200,
                "filtered")["items"]
    check(len(mine) == 1 and mine[0]["object"] == "user:clerk", f"sec created clerk: {mine}")
    denied = must(call("GET", "/api/v1/audit?action=access.denied&actor=user:aud", aud_auth),
                  200, "its own denials")["items"]
    check(len(denied) >= len(writes), f"the audit administrator's refused writes are on record: "
          f"{len(denied)}")
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    dated = must(call("GET", f"/api/v1/audit?from={today}&to={today}&limit=1000", aud_auth), 200,
                 "today")["items"]
    check(any(e["action"] == "user.create" for e in dated), "today's rows by from/to")
    check(call("GET", "/api/v1/audit?from=yesterday", aud_auth).status == 400, "a bad from: 400")
    verdict = must(call("GET", "/api/v1/audit/verify", aud_auth), 200, "verify")
    check(verdict.get("ok") is True and verdict.get("rows", 0) > 10, f"verify: {verdict}")

    # Lost phones are cleared by the security administrator, not by oneself.
    r = call("POST", "/api/v1/me/totp/disable", aud_auth, body={"code": totp(aud_secret)})
    check(r.status == 409, f"an administrator drops its second factor: {r.status}, want 409")
    aud_id = must(call("GET", "/api/v1/me", aud_auth), 200, "aud me")["id"]
    must(call("DELETE", f"/api/v1/users/{aud_id}/totp", sec_auth), 204, "sec clears aud's")
    r = must(login("aud", PASSWORD), 200, "aud logs in without a code now")
    check(r["must_enroll_second_factor"] is True, "and must enrol again")

    # The last security administrator stays.
    sec_id = must(call("GET", "/api/v1/me", sec_auth), 200, "sec me")["id"]
    r = call("PATCH", f"/api/v1/users/{sec_id}", sec_auth, body={"disabled": True})
    check(r.status == 409, f"the last security administrator disables itself: {r.status}")
    r = call("PATCH", f"/api/v1/users/{sec_id}", sec_auth, body={"role": "staff"})
    check(r.status == 409, f"the last security administrator demotes itself: {r.status}")
    check(call("GET", "/api/v1/users", sec_auth).status == 200, "sec still manages accounts")


def main():
    bin_ = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        config = os.path.join(work, "ecohub.toml")
        with open(config, "w") as f:
            f.write("[security]\nseparation_of_duties = true\nadmin_second_factor = true\n")
        # The three administrators come from the CLI, as a deployment creates them
        # before the first start (the server then creates no admin of its own).
        data = os.path.join(work, "data")
        for name, role in (("admin", "admin"), ("sec", "security_admin"), ("aud", "audit_admin")):
            cli_user(bin_, data, name, role)
        proc = aat.start_server(bin_, work, ["--config", config])
        try:
            run()
        finally:
            aat.stop_server(proc)
        p = subprocess.run([bin_, "audit", "verify", "--data", os.path.join(work, "data")],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"audit verify afterwards: exit {p.returncode} {p.stdout[:200]}")
    finish()


if __name__ == "__main__":
    main()
