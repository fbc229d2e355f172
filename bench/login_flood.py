#!/usr/bin/env python3
"""bench/login_flood.py ECOHUB_BINARY: /healthz latency under a flood of wrong logins.

Starts `ecohub serve` (no demo data, default limits, one network thread, as shipped) on
a fresh data directory and free loopback ports, then measures GET /healthz on one
kept-alive connection every 50 ms: first for BENCH_LOGIN_IDLE seconds (3) with nothing
else going on, then for BENCH_LOGIN_SECONDS (10) while BENCH_LOGIN_CONNECTIONS (20)
kept-alive connections post wrong passwords for the admin account as fast as answers
come. Prints the /healthz median, p99 and max of both phases, and the flood's answers
by status (401: checked; 429: the address's login throttle; 503: the password workers'
queue full). Everything it starts is stopped on exit. Client and server share this
machine's cores: compare runs on the same machine (issue 11, hole 3: before the fix,
/healthz reached 10 s under this flood).
"""
import collections
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

IDLE = float(os.environ.get("BENCH_LOGIN_IDLE", "3"))
SECONDS = float(os.environ.get("BENCH_LOGIN_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_LOGIN_CONNECTIONS", "20"))


def start(binary, work):
    pw = os.path.join(work, "admin.pw")
    with open(pw, "w") as f:
        f.write("Bench-Secret-Passw0rd\n")
    out = open(os.path.join(work, "serve.out"), "w")
    err = open(os.path.join(work, "serve.err"), "w")
    proc = subprocess.Popen(
        [binary, "--log-level", "warn", "serve", "--data", os.path.join(work, "data"),
         "--http-listen", "127.0.0.1:0", "--gateway-listen", "127.0.0.1:0",
         "--admin-password-file", pw], stdout=out, stderr=err)
    deadline = time.time() + 120
    while time.time() < deadline:
        m = re.search(r"^http listening on 127\.0\.0\.1:(\d+)$",
                      open(os.path.join(work, "serve.out")).read(), re.M)
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            sys.exit("ecohub serve exited:\n" + open(os.path.join(work, "serve.err")).read()[-2000:])
        time.sleep(0.1)
    proc.kill()
    sys.exit("ecohub serve did not start")


def healthz_latencies(port, until):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out = []
    while time.time() < until:
        t0 = time.perf_counter()
        try:
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            out.append((time.perf_counter() - t0) * 1000)
        except (OSError, http.client.HTTPException):
            out.append((time.perf_counter() - t0) * 1000)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(0.05)
    return out


def flood(port, until, counts, lock):
    body = json.dumps({"username": "admin", "password": "Wrong-Passw0rd-123"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < until:
        try:
            conn.request("POST", "/api/v1/auth/login", body,
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        except (OSError, http.client.HTTPException):
            status = "error"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            counts[status] += 1


def summary(name, ms):
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"  {name:<22} n={len(ms):4d}  median {statistics.median(ms):8.1f} ms"
          f"  p99 {p99:8.1f} ms  max {ms[-1]:8.1f} ms")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="ecohub-login-flood.")
    binary = os.path.join(work, "ecohub")
    shutil.copy(sys.argv[1], binary)  # a rebuild during the run does not replace it
    proc, port = start(binary, work)
    try:
        idle = healthz_latencies(port, time.time() + IDLE)
        counts, lock = collections.Counter(), threading.Lock()
        until = time.time() + SECONDS
        threads = [threading.Thread(target=flood, args=(port, until, counts, lock))
                   for _ in range(CONNECTIONS)]
        for t in threads:
            t.start()
        busy = healthz_latencies(port, until)
        for t in threads:
            t.join()
        print(f"login flood: {sys.argv[1]}, {CONNECTIONS} connections of wrong logins "
              f"for {SECONDS:g} s")
        summary("/healthz idle", idle)
        summary("/healthz under flood", busy)
        total = sum(counts.values())
        by = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str))
        print(f"  login answers          {total} ({total / SECONDS:.0f}/s): {by}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
