#!/usr/bin/env python3
"""The OpenID Connect login (issue 11, 统一身份认证) end to end, against a real provider:
npm's oidc-provider run by tests/oidc/provider.mjs on loopback, and `ecohub serve --demo`.

  python3 oidc_test.py /path/to/ecohub

The test plays the browser without one: urllib with a cookie jar follows the provider's
redirects and fills its login and consent forms, stops at the redirect to the console's
callback page and posts {code, state} to the server as the SPA would.

1. A server without [oidc]: /auth/methods says oidc null, /auth/oidc/start is 404 oidc-off.
2. A server with [oidc] (public client, PKCE): /auth/methods names the button; the
   authorization URL carries the client, S256 and the state.
3. An identity without account: 403 oidc-not-linked naming the subject; once an
   administrator links it to an account, the same login opens a session of that account
   (with `next`), the audit log has its `login` via oidc, and its local password still works.
   A second account cannot take the same subject (409).
4. Accounts from claims: a staff role claim with a district code (or name) creates a
   staff account of that district; its role and district follow changed claims at the
   next login (until an administrator sets them: the server's rule); a role claim
   that maps to nothing (the name `admin` included) is refused (403), and a server whose
   [oidc.roles] maps a claim to an administrator role does not start.
5. Replayed code/state and made-up states are 400 oidc-state, a tampered code 401
   oidc-refused; a disabled linked account gets 401; logout ends an OIDC session.
6. A confidential client (client_secret_basic) logs in too; with the provider gone the
   server answers 502 oidc-unavailable.

Exits 77 (skipped) without node or web/node_modules/oidc-provider.
"""
import base64
import http.cookiejar
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
from ehtest import check, failures, finish  # noqa: E402
from level3_test import problem  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login
PASSWORD = aat.PASSWORD
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
PROVIDER = os.path.join(REPO, "tests/oidc/provider.mjs")
SKIP_RETURN_CODE = 77

# Logins at the provider (its account ids, hence the `sub` the server sees).
UNLINKED = "lisi-0917"   # no claims: an administrator links it to `zhangsan`
DISABLED = "zhao-0423"   # linked to `zhaoliu`, which is then disabled
STAFF = "wang"           # role and district claims: becomes a staff account
STAFF_BY_NAME = "zhou"   # the same with the district's name
ADMIN_RAW = "root"       # a role claim that is itself EcoHub's admin role, unmapped
UNMAPPED = "ghost"       # a role claim [oidc.roles] does not know
STAFF_CLAIM = "环境监测处"
INSPECTOR_CLAIM = "执法支队"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_claims(work, claims):
    """The provider's --claims FILE, replaced whole (it reads it at each login)."""
    path = os.path.join(work, "claims.json")
    with open(path + ".new", "w") as f:
        json.dump(claims, f, ensure_ascii=False)
    os.replace(path + ".new", path)
    return path


def start_provider(node, work, redirect_uri, claims, secret=None):
    """Runs tests/oidc/provider.mjs; returns (process, issuer) once it listens."""
    claims_file = write_claims(work, claims)
    args = [node, PROVIDER, "--port", "0", "--redirect-uri", redirect_uri, "--claims", claims_file]
    if secret:
        args += ["--secret", secret]
    err = open(os.path.join(work, "provider.log"), "w")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        raise RuntimeError("the provider printed nothing:\n" + open(err.name).read()[-2000:])
    return proc, json.loads(line)["issuer"]


def stop_provider(proc):
    if proc is not None and proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def oidc_config(work, issuer, redirect_uri, secret=None, roles=None):
    """An ecohub.toml with an [oidc] section, accounts from claims on; `roles` is
    [oidc.roles] (default: a staff and an inspector claim)."""
    roles = roles or {STAFF_CLAIM: "staff", INSPECTOR_CLAIM: "inspector"}
    path = os.path.join(work, "ecohub.toml")
    secret_file = ""
    if secret:
        secret_file = os.path.join(work, "client-secret")
        with open(secret_file, "w") as f:
            f.write(secret + "\n")
    with open(path, "w") as f:
        f.write(f"""[oidc]
issuer = "{issuer}"
client_id = "ecohub"
client_secret_file = "{secret_file}"
redirect_uri = "{redirect_uri}"
display_name = "统一身份认证"
scopes = "openid profile"
claim_username = "preferred_username"
claim_role = "ecohub_role"
claim_district = "ecohub_district"
auto_create = true
[oidc.roles]
""" + "".join(f'"{claim}" = "{role}"\n' for claim, role in roles.items()))
    return path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def at_provider(authorization_url, name, redirect_uri):
    """The browser's part at the provider, with a cookie jar of its own: follows the
    redirects, signs in as `name` and consents, until the provider sends the browser
    to `redirect_uri`; returns that redirect's query parameters."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
    url, form = authorization_url, None
    for _ in range(12):
        data = urllib.parse.urlencode(form).encode() if form else None
        try:
            r = opener.open(urllib.request.Request(url, data=data), timeout=10)
            status, headers, body = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read().decode()
        if status in (302, 303):
            url = urllib.parse.urljoin(url, headers["Location"])
            if url.startswith(redirect_uri):
                return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
            form = None
            continue
        prompt = re.search(r'name="prompt" value="(\w+)"', body)
        action = re.search(r'<form[^>]*action="([^"]+)"', body)
        if status != 200 or not prompt or not action:
            raise RuntimeError(f"the provider answered {status} at {url}: {body[:600]}")
        url = urllib.parse.urljoin(url, action.group(1))
        form = ({"prompt": "login", "login": name, "password": "anything"}
                if prompt.group(1) == "login" else {"prompt": prompt.group(1)})
    raise RuntimeError(f"no redirect to {redirect_uri} after 12 steps at the provider")


def authorize(name, redirect_uri, next_path=None):
    """POST /auth/oidc/start, then the provider as `name`: returns (start answer, the
    callback's query)."""
    start = must(call("POST", "/api/v1/auth/oidc/start",
                      body={"next": next_path} if next_path else {}), 200, "oidc start")
    return start, at_provider(start["authorization_url"], name, redirect_uri)


def oidc_login(name, redirect_uri, next_path=None):
    """The whole login of provider account `name`: the server's answer to the callback."""
    _, back = authorize(name, redirect_uri, next_path)
    return call("POST", "/api/v1/auth/oidc/login",
                body={"code": back.get("code"), "state": back.get("state")})


def me(resp):
    return must(call("GET", "/api/v1/me", bearer(resp.json["token"])), 200, "me")


def must_login(name, redirect_uri, what):
    """oidc_login that must succeed: its answer."""
    r = oidc_login(name, redirect_uri)
    must(r, 200, what)
    return r


def oidc_off(bin_, work):
    """A server without [oidc]; returns the demo's districts (the same in every run)."""
    proc = aat.start_server(bin_, work)
    try:
        methods = must(call("GET", "/api/v1/auth/methods"), 200, "methods without oidc")
        check(methods.get("password") is True and "oidc" in methods and methods["oidc"] is None,
              f"without [oidc] the methods are password only: {methods}")
        r = call("POST", "/api/v1/auth/oidc/start", body={})
        check(r.status == 404 and problem(r) == "oidc-off",
              f"start without [oidc]: {r.status} {problem(r)}, want 404 oidc-off")
        r = call("POST", "/api/v1/auth/oidc/login", body={"code": "c", "state": "s"})
        check(r.status == 404 and problem(r) == "oidc-off",
              f"login without [oidc]: {r.status} {problem(r)}, want 404 oidc-off")
        admin = bearer(must(login("admin", PASSWORD), 200, "admin login")["token"])
        return must(call("GET", "/api/v1/districts", admin), 200, "districts")["items"]
    finally:
        aat.stop_server(proc)


def linking(admin, redirect_uri):
    """An identity without account, linked by an administrator; returns zhangsan's id."""
    r = oidc_login(UNLINKED, redirect_uri)
    check(r.status == 403 and problem(r) == "oidc-not-linked"
          and UNLINKED in (r.json or {}).get("detail", ""),
          f"an unlinked identity: {r.status} {problem(r)} {(r.json or {}).get('detail')!r}, "
          f"want 403 oidc-not-linked naming {UNLINKED}")
    u = aat.create_user(admin, "zhangsan", "staff", department="monitoring")
    check(u.get("oidc_subject", "missing") is None, f"a new account has oidc_subject null: {u}")
    linked = must(call("PATCH", f"/api/v1/users/{u['id']}", admin.auth,
                       body={"oidc_subject": UNLINKED}), 200, "link zhangsan")
    check(linked.get("oidc_subject") == UNLINKED, f"the link shows in the account: {linked}")
    other = aat.create_user(admin, "lisi", "staff", department="monitoring")
    r = call("PATCH", f"/api/v1/users/{other['id']}", admin.auth, body={"oidc_subject": UNLINKED})
    check(r.status == 409 and problem(r) == "conflict",
          f"a second account takes the same subject: {r.status} {problem(r)}, want 409 conflict")

    r = oidc_login(UNLINKED, redirect_uri, "/console/alarms")
    must(r, 200, "the linked identity logs in")
    j = r.json
    check(j["token"].startswith("eht_") and j["token_type"] == "Bearer" and j["expires"]
          and j["must_change_password"] is False and j["must_enroll_second_factor"] is False,
          f"the answer is a login's: { {k: v for k, v in j.items() if k != 'token'} }")
    check(j.get("next") == "/console/alarms", f"next comes back: {j.get('next')!r}")
    check(j["user"]["username"] == "zhangsan" and me(r)["id"] == u["id"],
          f"the session is zhangsan's: {j['user']}")
    check(login("zhangsan", PASSWORD).status == 200, "zhangsan's local password still works")

    rows = must(call("GET", "/api/v1/audit?action=login&actor=user:zhangsan&limit=100",
                     admin.auth), 200, "audit")["items"]
    check(any((e.get("detail") or {}).get("via") == "oidc" for e in rows),
          f"the audit log has zhangsan's login via oidc: {rows}")
    rows = must(call("GET", "/api/v1/audit?action=login.failed&limit=100", admin.auth), 200,
                "audit")["items"]
    check(any((e.get("detail") or {}).get("via") == "oidc" for e in rows),
          f"the audit log has the refused OIDC login: {rows[:3]}")
    return u["id"]


def from_claims(admin, redirect_uri, work, claims, district, other_district):
    """Accounts created from the role and district claims, and refreshed from them at
    each login (the provider reads its claims file anew at each login)."""
    r = oidc_login(STAFF, redirect_uri)
    must(r, 200, "a staff identity from claims")
    m = me(r)
    check(m["username"] == STAFF and m["role"] == "staff" and m["district_id"] == district["id"]
          and m.get("oidc_subject") == STAFF,
          f"{STAFF} is created staff of {district['code']} ({district['id']}): {m}")
    rows = must(call("GET", "/api/v1/audit?action=user.create&limit=100", admin.auth), 200,
                "audit")["items"]
    check(any(e["object"] == f"user:{STAFF}" for e in rows), f"its creation is audited: {rows[:3]}")
    check(login(STAFF, "").status in (400, 401), "it has no usable local password")

    staff_claims = claims[STAFF]
    claims[STAFF] = {"ecohub_role": INSPECTOR_CLAIM, "ecohub_district": other_district["code"]}
    write_claims(work, claims)
    m2 = me(must_login(STAFF, redirect_uri, f"{STAFF} with new claims"))
    check(m2["id"] == m["id"] and m2["role"] == "inspector"
          and m2["district_id"] == other_district["id"],
          f"the same account takes the new claims' role and district: {m2}")
    claims[STAFF] = {"ecohub_role": "外单位", "ecohub_district": district["code"]}
    write_claims(work, claims)
    r = oidc_login(STAFF, redirect_uri)
    check(r.status == 403 and problem(r) == "oidc-not-linked",
          f"claims that no longer map to a role: {r.status} {problem(r)}, "
          f"want 403 oidc-not-linked")
    claims[STAFF] = staff_claims
    write_claims(work, claims)
    m2 = me(must_login(STAFF, redirect_uri, f"{STAFF} with its first claims"))
    check(m2["role"] == "staff" and m2["district_id"] == district["id"],
          f"and back with the first claims: {m2}")
    # The server's rule beyond the contract: an administrator who sets an account's rights
    # takes them over from the claims (account_routes.cc, ApplyUserFields).
    must(call("PATCH", f"/api/v1/users/{m['id']}", admin.auth,
              body={"district_id": other_district["id"]}), 200, f"move {STAFF}")
    m2 = me(must_login(STAFF, redirect_uri, f"{STAFF} after the move"))
    check(m2["id"] == m["id"] and m2["district_id"] == other_district["id"],
          f"an administrator's change of district outlives the next login: {m2}")

    r = oidc_login(STAFF_BY_NAME, redirect_uri)
    must(r, 200, "a district given by name")
    m = me(r)
    check(m["role"] == "staff" and m["district_id"] == other_district["id"],
          f"{STAFF_BY_NAME} is staff of {other_district['name']}: {m}")

    users = must(call("GET", "/api/v1/users?limit=1000", admin.auth), 200, "users")["items"]
    for name, why in ((ADMIN_RAW, "the role claim 'admin' itself"),
                      (UNMAPPED, "an unmapped role claim")):
        r = oidc_login(name, redirect_uri)
        check(r.status == 403 and problem(r) == "oidc-not-linked",
              f"{why}: {r.status} {problem(r)}, want 403 oidc-not-linked")
    after = must(call("GET", "/api/v1/users?limit=1000", admin.auth), 200, "users")["items"]
    check(len(after) == len(users), f"the refused logins created no account: {len(users)} -> "
          f"{len(after)}")


def bad_callbacks(admin, redirect_uri):
    """Replays, made-up states, tampered codes, a disabled account, logout."""
    _, back = authorize(UNLINKED, redirect_uri)
    body = {"code": back["code"], "state": back["state"]}
    r = call("POST", "/api/v1/auth/oidc/login", body=body)
    must(r, 200, "a fresh login")
    token = bearer(r.json["token"])
    r = call("POST", "/api/v1/auth/oidc/login", body=body)
    check(r.status == 400 and problem(r) == "oidc-state",
          f"the same code and state again: {r.status} {problem(r)}, want 400 oidc-state")
    r = call("POST", "/api/v1/auth/oidc/login", body={"code": back["code"], "state": "made-up"})
    check(r.status == 400 and problem(r) == "oidc-state",
          f"a made-up state: {r.status} {problem(r)}, want 400 oidc-state")
    _, back = authorize(UNLINKED, redirect_uri)
    r = call("POST", "/api/v1/auth/oidc/login", body={"code": back["code"] + "x",
                                                      "state": back["state"]})
    check(r.status == 401 and problem(r) == "oidc-refused",
          f"a tampered code: {r.status} {problem(r)}, want 401 oidc-refused")
    r = call("POST", "/api/v1/auth/oidc/login", body={"code": back["code"],
                                                      "state": back["state"]})
    check(r.status == 400 and problem(r) == "oidc-state",
          f"the state of a refused code again: {r.status} {problem(r)}, want 400 oidc-state")

    u = aat.create_user(admin, "zhaoliu", "inspector", department="monitoring")
    must(call("PATCH", f"/api/v1/users/{u['id']}", admin.auth, body={"oidc_subject": DISABLED}),
         200, "link zhaoliu")
    must(oidc_login(DISABLED, redirect_uri), 200, "zhaoliu by OIDC while enabled")
    must(call("PATCH", f"/api/v1/users/{u['id']}", admin.auth, body={"disabled": True}), 200,
         "disable zhaoliu")
    r = oidc_login(DISABLED, redirect_uri)
    check(r.status == 401 and problem(r) == "unauthorized",
          f"a disabled account by OIDC: {r.status} {problem(r)}, want 401 unauthorized")

    check(call("GET", "/api/v1/me", token).status == 200, "the OIDC session works")
    r = call("POST", "/api/v1/auth/logout", token)
    check(r.status in (200, 204), f"logout of the OIDC session: {r.status}")
    r = call("GET", "/api/v1/me", token)
    check(r.status == 401, f"the session after logout: {r.status}, want 401")


def admin_by_claims_refused(bin_, work, issuer, redirect_uri):
    """[oidc.roles] mapping a claim to an administrator role: the server does not start."""
    config = oidc_config(work, issuer, redirect_uri, roles={"信息中心": "admin"})
    try:
        p = subprocess.run([bin_, "serve", "--data", os.path.join(work, "refused"), "--config",
                            config, "--http-listen", "127.0.0.1:0", "--gateway-listen",
                            "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
        verdict = (p.returncode, (p.stdout + p.stderr).strip()[-300:])
    except subprocess.TimeoutExpired:
        verdict = ("still running after 30 s", "")
    check(verdict[0] not in (0, "still running after 30 s") and "oidc.roles" in verdict[1],
          f"a claim mapped to admin in [oidc.roles] stops the start: {verdict}")


def public_client(bin_, node, work, districts):
    """The main run: a public client (PKCE), accounts linked and from claims."""
    by_code = sorted(districts, key=lambda d: d["code"])
    district, other = by_code[0], by_code[1]
    redirect_uri = f"http://127.0.0.1:{free_port()}/login/oidc"
    claims = {STAFF: {"ecohub_role": STAFF_CLAIM, "ecohub_district": district["code"]},
              STAFF_BY_NAME: {"ecohub_role": STAFF_CLAIM, "ecohub_district": other["name"]},
              ADMIN_RAW: {"ecohub_role": "admin"},
              UNMAPPED: {"ecohub_role": "外单位"}}
    provider, issuer = start_provider(node, work, redirect_uri, claims)
    proc = None
    try:
        admin_by_claims_refused(bin_, work, issuer, redirect_uri)
        proc = aat.start_server(bin_, work, ["--config", oidc_config(work, issuer, redirect_uri)])
        methods = must(call("GET", "/api/v1/auth/methods"), 200, "methods")
        check(methods.get("oidc") == {"name": "统一身份认证"} and methods.get("password") is True,
              f"with [oidc] the methods name the button: {methods}")
        start = must(call("POST", "/api/v1/auth/oidc/start", body={}), 200, "start")
        url = urllib.parse.urlsplit(start["authorization_url"])
        q = dict(urllib.parse.parse_qsl(url.query))
        check(start["authorization_url"].startswith(issuer + "/")
              and q.get("client_id") == "ecohub" and q.get("response_type") == "code"
              and q.get("redirect_uri") == redirect_uri and "openid" in q.get("scope", "").split()
              and q.get("code_challenge_method") == "S256" and q.get("code_challenge")
              and q.get("state") == start["state"],
              f"the authorization URL: {start['authorization_url']}")
        admin = types.SimpleNamespace(
            auth=bearer(must(login("admin", PASSWORD), 200, "admin login")["token"]))
        # The demo seeds the same districts in every data directory; use this one's ids.
        ids = {d["code"]: d for d in must(call("GET", "/api/v1/districts", admin.auth), 200,
                                          "districts")["items"]}
        district, other = ids[district["code"]], ids[other["code"]]
        linking(admin, redirect_uri)
        from_claims(admin, redirect_uri, work, claims, district, other)
        bad_callbacks(admin, redirect_uri)

        stop_provider(provider)
        r = call("POST", "/api/v1/auth/oidc/start", body={})
        if r.status == 200:  # the provider's metadata was cached: the code exchange fails
            r = call("POST", "/api/v1/auth/oidc/login", body={"code": "c", "state": r.json["state"]})
        check(r.status == 502 and problem(r) == "oidc-unavailable",
              f"the provider gone: {r.status} {problem(r)}, want 502 oidc-unavailable")
        check(call("GET", "/healthz").status == 200, "the server still answers /healthz")
    finally:
        aat.stop_server(proc)
        stop_provider(provider)


def confidential_client(bin_, node, work):
    """A client with a secret (client_secret_basic) logs in an account from claims."""
    redirect_uri = f"http://127.0.0.1:{free_port()}/login/oidc"
    secret = "s3cret-" + base64.b32encode(os.urandom(10)).decode()
    provider, issuer = start_provider(node, work, redirect_uri, {}, secret=secret)
    proc = None
    try:
        proc = aat.start_server(bin_, work, ["--config",
                                             oidc_config(work, issuer, redirect_uri, secret)])
        admin = types.SimpleNamespace(
            auth=bearer(must(login("admin", PASSWORD), 200, "admin login")["token"]))
        u = aat.create_user(admin, "qian", "leader", department="monitoring")
        must(call("PATCH", f"/api/v1/users/{u['id']}", admin.auth, body={"oidc_subject": "qian"}),
             200, "link qian")
        r = oidc_login("qian", redirect_uri)
        check(r.status == 200 and me(r)["id"] == u["id"],
              f"a confidential client logs qian in: {r.status} {problem(r)}")
    finally:
        aat.stop_server(proc)
        stop_provider(provider)


def main():
    bin_ = os.path.abspath(sys.argv[1])
    node = shutil.which("node")
    if not node:
        print("skipped: no node on PATH (scripts/setup.sh installs it)")
        sys.exit(SKIP_RETURN_CODE)
    if not os.path.isfile(os.path.join(REPO, "web/node_modules/oidc-provider/package.json")):
        print("skipped: web/node_modules/oidc-provider is missing (run scripts/setup.sh)")
        sys.exit(SKIP_RETURN_CODE)
    # ctest's timeout (SIGTERM) must still stop the servers: run the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="ecohub-oidc-")
    started = time.time()
    for name in ("off", "public", "confidential"):
        os.mkdir(os.path.join(work, name))
    try:
        districts = oidc_off(bin_, os.path.join(work, "off"))
        public_client(bin_, node, os.path.join(work, "public"), districts)
        confidential_client(bin_, node, os.path.join(work, "confidential"))
    except BaseException:
        print(f"aborted; logs under {work}")
        raise
    for name in ("public", "confidential"):
        data = os.path.join(work, name, "data")
        p = subprocess.run([bin_, "audit", "verify", "--data", data], capture_output=True, text=True)
        check(p.returncode == 0, f"audit verify of the {name} run: exit {p.returncode}")
    print(f"took {time.time() - started:.1f} s")
    if failures:
        print(f"\nFAILURES (logs under {work}):")
        for f in failures:
            print("  " + f)
    else:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
