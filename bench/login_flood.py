#!/usr/bin/env python3
"""bench/login_flood.py ECOHUB_BINARY: /healthz and device ack latency under a flood of
wrong logins.

Starts `ecohub serve` (default limits, one network thread, as shipped) on a fresh data
directory and free loopback ports, seeded with BENCH_LOGIN_DEVICES (2) demo devices and no
history. Then, first for BENCH_LOGIN_IDLE seconds (3) with nothing else going on, then for
BENCH_LOGIN_SECONDS (10) while BENCH_LOGIN_CONNECTIONS (20) kept-alive connections post wrong
passwords for the admin account as fast as answers come (from a process of their own), it
measures at the same time:
- GET /healthz on one kept-alive connection, every 50 ms;
- each device's acknowledgement: on its own gateway connection, every 50 ms, a real-time
  upload (CN=2011, its access password, Flag=5: answer required) timed from sending to its
  9014, which the gateway sends once the readings are durable. The devices answer the
  host's requests (the 1012 time set after the first upload) as a logger does, between
  uploads, so that the gateway does not resend them.
Prints the median, p99 and max of both phases with the flood/idle ratios, and the flood's
answers by status (401: checked; 429: the address's login throttle; 503: the password
workers' queue full). Everything it starts is stopped on exit. Client and server share this
machine's cores: compare runs on the same machine (issue 11, hole 3: before the fix,
/healthz reached 10 s under this flood and acks went from 4 ms to 2.6-6.8 s).
"""
import collections
import datetime
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

IDLE = float(os.environ.get("BENCH_LOGIN_IDLE", "3"))
SECONDS = float(os.environ.get("BENCH_LOGIN_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_LOGIN_CONNECTIONS", "20"))
DEVICES = int(os.environ.get("BENCH_LOGIN_DEVICES", "2"))
PERIOD = 0.05  # seconds between two samples of one prober
ACK_TIMEOUT = 30  # seconds without a 9014 before an upload counts as lost
HOST_REQUESTS = ("1012", "2031", "2051", "2061")  # the gateway asks; a logger answers
BEIJING = datetime.timezone(datetime.timedelta(hours=8))  # HJ 212 times are local


def start(binary, work):
    """`ecohub serve` with the demo devices, and its HTTP and gateway ports."""
    pw = os.path.join(work, "admin.pw")
    with open(pw, "w") as f:
        f.write("Bench-Secret-Passw0rd\n")
    out = open(os.path.join(work, "serve.out"), "w")
    err = open(os.path.join(work, "serve.err"), "w")
    proc = subprocess.Popen(
        [binary, "--log-level", "warn", "serve", "--data", os.path.join(work, "data"),
         "--http-listen", "127.0.0.1:0", "--gateway-listen", "127.0.0.1:0",
         "--admin-password-file", pw, "--demo", "--demo-devices", str(DEVICES),
         "--demo-history-days", "0"], stdout=out, stderr=err)
    deadline = time.time() + 120
    while time.time() < deadline:
        ports = dict(re.findall(r"^(gateway|http) listening on 127\.0\.0\.1:(\d+)$",
                                open(os.path.join(work, "serve.out")).read(), re.M))
        if len(ports) == 2:
            return proc, int(ports["http"]), int(ports["gateway"])
        if proc.poll() is not None:
            sys.exit("ecohub serve exited:\n" + open(os.path.join(work, "serve.err")).read()[-2000:])
        time.sleep(0.1)
    proc.kill()
    sys.exit("ecohub serve did not start")


def encode(binary, packets):
    """The frames of {header, cp} packets, by `ecohub hj212 encode`."""
    lines = "".join(json.dumps(p) + "\n" for p in packets)
    out = subprocess.run([binary, "hj212", "encode"], input=lines, capture_output=True,
                         text=True, check=True).stdout
    return [line.encode() + b"\r\n" for line in out.split("\n") if line]


class Device:
    """A demo device on its own gateway connection, with `count` real-time uploads encoded
    beforehand (distinct QNs, DataTimes one second apart ending now) so that encoding is
    not timed."""

    def __init__(self, binary, gw_port, mn, pw, st, count):
        self.binary, self.gw_port, self.mn, self.pw, self.st = binary, gw_port, mn, pw, st
        now = datetime.datetime.now(BEIJING).replace(microsecond=0)
        qns = [(now + datetime.timedelta(milliseconds=i)).strftime("%Y%m%d%H%M%S%f")[:17]
               for i in range(count)]
        packets = [{"header": self.header(qn, "2011", "5"),
                    "cp": {"DataTime": (now - datetime.timedelta(seconds=count - i))
                           .strftime("%Y%m%d%H%M%S"), "a34004-Rtd": "35", "a34004-Flag": "N"}}
                   for i, qn in enumerate(qns)]
        self.uploads = iter(zip(qns, encode(binary, packets)))
        self.sock, self.buf, self.asked = None, b"", []

    def header(self, qn, cn, flag):
        return {"QN": qn, "ST": self.st, "CN": cn, "PW": self.pw, "MN": self.mn, "Flag": flag}

    def upload(self):
        """Milliseconds from sending the next upload to its 9014; None when none came
        within ACK_TIMEOUT or the connection failed (the next upload reconnects)."""
        qn, frame = next(self.uploads)
        ack = f"QN={qn};ST=91;CN=9014".encode()
        t0 = time.perf_counter()
        try:
            self.sock = self.sock or socket.create_connection(("127.0.0.1", self.gw_port))
            self.sock.sendall(frame)
            if not self.read_until(lambda line: ack in line, t0 + ACK_TIMEOUT):
                return None
            return (time.perf_counter() - t0) * 1000
        except OSError:
            self.sock, self.buf = None, b""
            return None
        finally:
            self.answer()

    def read_until(self, found, deadline):
        """Reads lines until one satisfies `found` (True) or `deadline` (perf_counter)
        passes (False), noting the host's requests on the way."""
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                cn, qn = re.search(rb";CN=(\d+);", line), re.search(rb"QN=(\d+);", line)
                if cn and qn and cn.group(1).decode() in HOST_REQUESTS:
                    self.asked.append(qn.group(1).decode())
                if found(line):
                    return True
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            if not chunk:
                raise ConnectionResetError("the gateway closed the connection")
            self.buf += chunk

    def answer(self):
        """9011 (ready) and 9012 (done) to the requests noted, outside the timed part."""
        asked, self.asked = self.asked, []
        if not asked or self.sock is None:
            return
        replies = [{"header": self.header(qn, cn, "4"), "cp": {key: "1"}}
                   for qn in asked for cn, key in (("9011", "QnRtn"), ("9012", "ExeRtn"))]
        try:
            self.sock.sendall(b"".join(encode(self.binary, replies)))
        except OSError:
            self.sock, self.buf = None, b""

    def settle(self, seconds):
        """Answers what the host asks within `seconds` (the 1012 after the first upload)."""
        try:
            self.read_until(lambda line: False, time.perf_counter() + seconds)
        except OSError:
            self.sock, self.buf = None, b""
        self.answer()


def healthz_latencies(port, until, out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < until:
        t0 = time.perf_counter()
        try:
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            out.append((time.perf_counter() - t0) * 1000)
        except (OSError, http.client.HTTPException):
            out.append((time.perf_counter() - t0) * 1000)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(PERIOD)


def ack_latencies(device, until, out):
    while time.time() < until:
        out.append(device.upload())
        time.sleep(PERIOD)


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


def flooder(port, until, connections, answers):
    """`connections` threads of wrong logins until `until`; their answers by status are
    put on `answers`."""
    counts, lock = collections.Counter(), threading.Lock()
    threads = [threading.Thread(target=flood, args=(port, until, counts, lock))
               for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    answers.put(counts)


def measure(port, devices, seconds, flooders=0):
    """/healthz and ack latencies (ms; None: an upload without ack) over `seconds`, with
    `flooders` connections of wrong logins meanwhile, and the flood's answers by status.
    The flood runs in a process of its own: sharing the probes' interpreter lock, its
    threads would delay the probes' clocks, not the server."""
    until = time.time() + seconds
    health, acks = [], []
    answers = multiprocessing.Queue()
    flood_process = multiprocessing.Process(target=flooder,
                                            args=(port, until, flooders, answers))
    flood_process.start()  # before the probes' threads: fork no running thread
    threads = [threading.Thread(target=ack_latencies, args=(d, until, acks)) for d in devices]
    for t in threads:
        t.start()
    healthz_latencies(port, until, health)
    for t in threads:
        t.join()
    counts = answers.get()
    flood_process.join()
    return health, acks, counts


def figures(ms):
    ms = sorted(m for m in ms if m is not None)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))], ms[-1], len(ms)


def summary(name, ms, idle=None):
    """One row: sample count, median, p99, max; under the flood, the ratios to idle."""
    median, p99, top, n = figures(ms)
    row = (f"  {name:<22} n={n:4d}  median {median:8.1f} ms  p99 {p99:8.1f} ms"
           f"  max {top:8.1f} ms")
    if idle is not None:
        i_median, i_p99 = figures(idle)[:2]
        row += f"  flood/idle: median x{median / i_median:.1f}, p99 x{p99 / i_p99:.1f}"
    lost = len(ms) - n
    print(row + (f"  ({lost} without ack in {ACK_TIMEOUT} s)" if lost else ""))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="ecohub-login-flood.")
    binary = os.path.join(work, "ecohub")
    shutil.copy(sys.argv[1], binary)  # a rebuild during the run does not replace it
    proc, port, gw_port = start(binary, work)
    try:
        listed = subprocess.run([binary, "demo", "devices", "--count", str(DEVICES)],
                                capture_output=True, text=True, check=True).stdout.split()
        uploads = int((IDLE + SECONDS) / PERIOD) + 10  # one every PERIOD at most, and spare
        devices = []
        for line in listed:  # MN,password,site code,ST
            mn, pw, _, st = line.split(",")[:4]
            devices.append(Device(binary, gw_port, mn, pw, st, uploads))
        for d in devices:  # connected, known, and the host's first requests answered
            if d.upload() is None:
                sys.exit(f"device {d.mn}: no ack to its first upload")
            d.settle(1.0)
        idle_health, idle_acks, _ = measure(port, devices, IDLE)
        health, acks, counts = measure(port, devices, SECONDS, CONNECTIONS)
        print(f"login flood: {sys.argv[1]}, {CONNECTIONS} connections of wrong logins "
              f"for {SECONDS:g} s; {len(devices)} devices uploading")
        summary("/healthz idle", idle_health)
        summary("/healthz under flood", health, idle_health)
        summary("device ack idle", idle_acks)
        summary("device ack under flood", acks, idle_acks)
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
