#!/usr/bin/env python3
"""Writes sent with an Idempotency-Key run once (issue 14): a client that retries a POST
because its answer was lost gets the first answer again, not a second object.

  python3 idempotency_test.py /path/to/ecohub

1. A new API key asked for twice with one Idempotency-Key: one key exists, and the
   retry's answer is the first one (same id, same secret), marked Idempotent-Replayed.
2. The key reused with another body: 422. A malformed key: 400. Without a key the
   same request makes a second object, as before.
3. Keys belong to the principal: another account's request with the same key runs.
4. After a restart of the server the first answer is still replayed.
"""
import json
import os
import shutil
import sys
import tempfile
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login


def create_key(auth, name, idem=None):
    headers = {"Idempotency-Key": idem} if idem is not None else {}
    return call("POST", "/api/v1/api-keys", auth, body={"name": name}, headers=headers)


def keys_named(auth, name):
    items = must(call("GET", "/api/v1/api-keys", auth), 200, "list keys")["items"]
    return [k for k in items if k.get("name") == name]


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-idem-")
    proc = None
    try:
        proc = aat.start_server(bin_, work)
        admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])

        # 1. Twice with one key: one object, the first answer again.
        first = create_key(admin, "报表系统", "0b6f9a52-0d4c-4c55-9a8e-5d1f0e4a7c11")
        check(first.status == 201 and first.json.get("secret", "").startswith("ehk_"),
              f"a key is created: HTTP {first.status}")
        again = create_key(admin, "报表系统", "0b6f9a52-0d4c-4c55-9a8e-5d1f0e4a7c11")
        check(again.status == first.status and again.body == first.body,
              f"the retry gets the first answer: HTTP {again.status}, same body {again.body == first.body}")
        check(again.headers.get("idempotent-replayed") == "true" and
              "idempotent-replayed" not in first.headers,
              f"and says it is a replay: {again.headers.get('idempotent-replayed')}")
        check(len(keys_named(admin, "报表系统")) == 1,
              f"one key exists: {len(keys_named(admin, '报表系统'))}")

        # 2. Misuse, and no key at all.
        other = create_key(admin, "另一个系统", "0b6f9a52-0d4c-4c55-9a8e-5d1f0e4a7c11")
        check(other.status == 422 and "idempotency-key-reused" in other.json.get("type", ""),
              f"the key reused for another request: HTTP {other.status}")
        check(len(keys_named(admin, "另一个系统")) == 0, "and nothing was created")
        bad = create_key(admin, "报表系统", "x" * 200)
        check(bad.status == 400 and "bad-idempotency-key" in bad.json.get("type", ""),
              f"a 200-character key: HTTP {bad.status}")
        bad = create_key(admin, "报表系统", "with space")
        check(bad.status == 400, f"a key that is not visible ASCII: HTTP {bad.status}")
        plain = [create_key(admin, "无键系统") for _ in range(2)]
        check([p.status for p in plain] == [201, 201] and len(keys_named(admin, "无键系统")) == 2,
              "without a key the request runs each time: 2 keys")

        # 3. Another principal's key of the same name is its own.
        aat.create_user(types.SimpleNamespace(auth=admin), "admin2", "admin")
        admin2 = bearer(must(login("admin2", aat.PASSWORD), 200, "admin2 login")["token"])
        theirs = create_key(admin2, "报表系统", "0b6f9a52-0d4c-4c55-9a8e-5d1f0e4a7c11")
        check(theirs.status == 201 and theirs.json["id"] != first.json["id"],
              f"another account's request with the same key runs: HTTP {theirs.status}")

        # 4. Across a restart.
        aat.stop_server(proc)
        proc = aat.start_server(bin_, work)
        admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login again")["token"])
        after = create_key(admin, "报表系统", "0b6f9a52-0d4c-4c55-9a8e-5d1f0e4a7c11")
        check(after.status == 201 and after.body == first.body and
              after.headers.get("idempotent-replayed") == "true",
              f"after a restart (and a new login) the first answer is replayed: HTTP {after.status}")
        named = sorted(k["id"] for k in keys_named(admin, "报表系统"))
        check(named == sorted([first.json["id"], theirs.json["id"]]),
              f"still one key each for admin and admin2: {named}")
    finally:
        aat.stop_server(proc)
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
