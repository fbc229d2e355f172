"""Helpers shared by the e2e test drivers: metrics of a running ecohub, and checks
that print ok/FAIL and remember failures."""
import sys
import urllib.request


def metric(http_port, name):
    """Value of one counter or gauge at /metrics, 0 when absent."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5).read().decode()
    for line in body.splitlines():
        if line.split(" ")[0] == name:
            return int(float(line.split(" ")[1]))
    return 0


failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def finish():
    sys.exit(1 if failures else 0)


def login(http_port, username="admin", password=None):
    """A bearer token for `username` (default: the admin lib.sh creates)."""
    import json, os, urllib.request
    password = password or os.environ["ADMIN_PASSWORD"]
    req = urllib.request.Request(f"http://127.0.0.1:{http_port}/api/v1/auth/login",
                                 data=json.dumps({"username": username, "password": password}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["token"]
