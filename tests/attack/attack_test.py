#!/usr/bin/env python3
"""The attack suite of issue 11: EcoHub attacked on loopback as an outsider, a partner
department, district staff, an enterprise and a device would attack it.

  python3 attack_test.py /path/to/ecohub

One function per attack, grouped by the hole of issue 11 it covers (1-12) or by the
class of attack that held when the holes were found (injection, smuggling, path
tricks, IDOR, exports, slow clients, oversized and malformed input). Each returns a
finding (a sentence: what did not hold) or None, or raises Skip when it cannot apply
here. The table of results is printed at the end; the exit status is 1 when there is
a finding (an attack that fails to run counts as one: the server may have died).

Real servers on 127.0.0.1: a demo city for most attacks, and small ones of their own
for the lockout race (4 IO threads), file-descriptor exhaustion and TLS. Attacks that
make the server distrust an address (brute force, floods, lockout) come from their
own loopback address (127.0.0.x: Linux routes all of 127/8 to lo), so that the
suite's own requests from 127.0.0.1 are not throttled by them. Counts are bounded (no
attack sends more than a few thousand requests or frames) and the only timing
assertions are generous liveness bounds (an answer within 3 s).

Hole 10 (the audit chain) is covered by tests/e2e/audit_verify_test.sh.
"""
import contextlib
import csv
import datetime
import http.client
import io
import itertools
import json
import os
import re
import resource
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import api_access_test as aat  # noqa: E402  (its HTTP client, accounts and demo city)
import ehtest  # noqa: E402  (starting servers)

PASSWORD = aat.PASSWORD
bearer, must = aat.bearer, aat.must

# Source addresses: the suite's own requests, and one per attack the server should
# end up distrusting.
HOME = "127.0.0.1"
LOGIN_FLOOD, SLOWLORIS, GARBAGE, FDS, SILENT = "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"
LOCKOUT, BYSTANDER, BRUTE = "127.0.0.8", "127.0.0.9", "127.0.0.20"

LIVENESS_S = 3.0  # "answers within 3 s" during floods and slow clients
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


class Skip(Exception):
    """The attack does not apply to this build (the reason is printed)."""


ATTACKS = []  # (group, name, where, function); run in this order


def attack(group, name, where="demo"):
    """Registers an attack. `where`: "demo" runs it against the shared demo city (its
    argument is the Demo), "own" lets it start a server of its own (an Env)."""
    def register(fn):
        ATTACKS.append((group, name, where, fn))
        return fn
    return register


def problems(found):
    """A finding from a list of what did not hold, None when it is empty."""
    return "; ".join(found) if found else None


# --- HTTP from any loopback address ------------------------------------------------------

def connect(port, src=HOME, timeout=10):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))


def request_bytes(method, path, auth=None, body=None, raw=None, headers=None):
    """An HTTP/1.1 request as bytes, sent as written (no normalisation of `path`)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if auth:
        lines.append("Authorization: " + auth)
    if data or method in ("POST", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + data


def read_response(sock):
    r = http.client.HTTPResponse(sock)
    r.begin()
    return aat.Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())


def req(method, path, auth=None, body=None, raw=None, headers=None, src=HOME, port=None,
        timeout=15):
    """One request on a fresh connection from `src`, no retry on 429 (aat.call retries)."""
    sock = connect(port or aat.PORT, src, timeout)
    try:
        try:
            sock.sendall(request_bytes(method, path, auth, body, raw, headers))
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered early (413) and closed: read the answer
        return read_response(sock)
    finally:
        sock.close()


def exchange(data, src=HOME, port=None, wait=3.0):
    """Sends raw bytes, reads until the server closes or `wait` passes: (bytes, closed)."""
    sock = connect(port or aat.PORT, src)
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return drain(sock, wait)
    finally:
        sock.close()


def drain(sock, wait, until=None):
    """Reads `sock` for `wait` seconds at most, or until the peer closes or `until`
    (bytes) has arrived: (bytes read, whether the peer closed)."""
    out, end = b"", time.time() + wait
    while time.time() < end and not (until and until in out):
        ready, _, _ = select.select([sock], [], [], max(0.0, end - time.time()))
        if not ready:
            break
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return out, True
        if not chunk:
            return out, True
        out += chunk
    return out, False


def timed(fn):
    t = time.time()
    try:
        return fn(), time.time() - t
    except OSError as e:
        return e, time.time() - t


def seconds(t):
    return f"{t:.1f} s" if t != float("inf") else "more than 10 s (no answer)"


def healthz_time(port=None):
    """Seconds /healthz took to answer 200 (inf when it did not, within 10 s)."""
    r, took = timed(lambda: req("GET", "/healthz", port=port, timeout=10))
    return took if isinstance(r, aat.Resp) and r.status == 200 else float("inf")


# --- HJ 212 ------------------------------------------------------------------------------

def crc16(data):
    """HJ 212's CRC-16 of a data segment."""
    reg = 0xFFFF
    for b in data:
        reg = (reg >> 8) ^ b
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


def frame(segment, crc=None):
    s = segment.encode()
    return b"##%04d" % len(s) + s + b"%04X\r\n" % (crc16(s) if crc is None else crc)


_qn = itertools.count(1)


def beijing_now(seconds=0):
    return datetime.datetime.now(BEIJING) + datetime.timedelta(seconds=seconds)


def upload(mn, pw, values, when=None, cn="2061"):
    """A data upload asking for an answer (Flag=5): (its QN, the frame). `values`:
    factor -> value text; `when`: DataTime, default the last whole hour (2061) or now."""
    field = "Avg" if cn in ("2051", "2061", "2031") else "Rtd"
    if when is None:
        t = beijing_now(-3600 if cn == "2061" else 0)
        when = (t.replace(minute=0, second=0) if cn == "2061" else t).strftime("%Y%m%d%H%M%S")
    qn = beijing_now().strftime("%Y%m%d%H%M%S") + "%03d" % (next(_qn) % 1000)
    cp = ";".join(f"{k}-{field}={v},{k}-Flag=N" for k, v in values.items())
    return qn, frame(f"QN={qn};ST=22;CN={cn};PW={pw};MN={mn};Flag=5;CP=&&DataTime={when};{cp}&&")


def acked(data, qn):
    return f"QN={qn};ST=91;CN=9014".encode() in data


# --- the demo city ------------------------------------------------------------------------

class Demo:
    """The shared demo server and what the attacks use in it: the city seen by the
    admin (aat.City), accounts of every role, an API key limited to one dataset, a
    partner with a grant, and the demo devices' passwords."""

    def __init__(self, bin_, work):
        self.bin, self.work = bin_, work
        os.makedirs(work)
        self.srv = ehtest.start_serve(bin_, work, PASSWORD, "--demo", "--demo-history-days", "2")
        aat.PORT = self.srv.http
        try:
            self.prepare()
        except BaseException:
            self.stop()
            raise

    def prepare(self):
        self.admin = aat.Who("admin", "admin")
        r = aat.login("admin", PASSWORD)
        self.admin.auth = bearer(must(r, 200, "admin login")["token"])
        self.admin.user_id = r.json["user"]["id"]
        self.city = aat.City(self.admin.auth)
        c = self.city
        self.districts = {d["id"]: d for d in c.districts}
        out = subprocess.run([self.bin, "demo", "devices", "--count", str(len(c.devices))],
                             capture_output=True, text=True, check=True).stdout
        self.password = dict(line.split(",")[:2] for line in out.split())
        self.auth = {"admin": self.admin.auth}
        for label, role, district, enterprise, dept in [
                ("leader", "leader", 0, 0, "monitoring"),
                ("staff_A", "staff", c.A, 0, "monitoring"),
                ("inspector_A", "inspector", c.A, 0, "monitoring"),
                ("partner", "partner", 0, 0, "meteorology"),
                ("partner_g", "partner", 0, 0, "water_affairs"),
                ("partner_r", "partner", 0, 0, "natural_resources"),
                ("staff_pc", "staff", 0, 0, "pollution_control"),
                ("ent1", "enterprise", 0, c.E1, ""),
                ("atk.deny", "inspector", c.A, 0, "monitoring"),
                ("atk.pw", "staff", c.A, 0, "monitoring")]:
            self.auth[label] = self.account(label, role, district, enterprise, dept)
        key = must(aat.call("POST", "/api/v1/api-keys", self.admin.auth,
                            body={"name": "attack-aqi-only", "datasets": ["air-aqi"]}), 201, "key")
        self.auth["key_aqi"] = bearer(key["secret"])
        self.grant("partner_g")

    def account(self, label, role, district, enterprise, department):
        aat.create_user(self.admin, label, role, district, enterprise, department)
        return bearer(must(aat.login(label, PASSWORD), 200, "login " + label)["token"])

    def grant(self, partner, seconds=86400):
        """`partner` asks for enterprise-emissions on its account, staff_pc approves:
        the request's id."""
        r = must(aat.call("POST", "/api/v1/data-requests", self.auth[partner],
                          body={"dataset": "enterprise-emissions", "purpose": "attack suite",
                                "until": aat.beijing(seconds), "delivery": "account"}), 201,
                 "data request of " + partner)
        must(aat.call("POST", f"/api/v1/data-requests/{r['id']}/approve", self.auth["staff_pc"],
                      body={}), 200, "approval")
        return r["id"]

    def device(self, target):
        """(MN, password) of a target site's first device."""
        mn = self.city.devices_of[self.city.targets[target]["id"]][0]
        return mn, self.password[mn]

    def get(self, path, who="admin"):
        return aat.call("GET", path, self.auth[who])

    def send(self, frames, src=HOME, wait=3.0, until=None):
        """Sends frames on one gateway connection: (what came back, whether it closed)."""
        sock = connect(self.srv.gw, src)
        try:
            sock.sendall(b"".join(frames))
            return drain(sock, wait, until)
        finally:
            sock.close()

    def audit(self, **filters):
        q = urllib.parse.urlencode(dict(filters, limit=1000))
        return must(self.get("/api/v1/audit?" + q), 200, "audit")["items"]

    def new_audit_rows(self, since, wait=3.0, **filters):
        """Audit rows matching `filters` with an id above `since` (rows are appended in
        batches: waits up to `wait` seconds for one)."""
        end = time.time() + wait
        while True:
            rows = [e for e in self.audit(**filters) if e["id"] > since]
            if rows or time.time() > end:
                return rows
            time.sleep(0.2)

    def last_audit_id(self):
        rows = self.audit()
        return rows[0]["id"] if rows else 0

    def data_size(self):
        return sum(file_size(os.path.join(dp, f)) for dp, _, fs in os.walk(self.srv.data) for f in fs)

    def log_size(self):
        return log_size(self.srv)

    def stop(self):
        aat.stop_server(self.srv.proc)


def file_size(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:  # a WAL checkpointed away meanwhile
        return 0


def log_size(srv):
    return file_size(srv.log) + file_size(srv.out)


class Env:
    """What an attack with a server of its own gets: the binary and a folder."""

    def __init__(self, bin_, root):
        self.bin, self.root = bin_, root

    @contextlib.contextmanager
    def server(self, name, *args, tls=False):
        work = os.path.join(self.root, name)
        os.makedirs(work)
        srv = ehtest.start_serve(self.bin, work, PASSWORD, *args, tls=tls)
        try:
            yield srv
        finally:
            aat.stop_server(srv.proc)


# --- hole 1: raw packets ---------------------------------------------------------------

PW_IN_CLEAR = re.compile(rb"PW=(?!\*{6}(?:[;&\\\"]|$))[^;&\\\"]+")


def packets_of_outlet(d):
    """Sends one good frame for outlet E1's device, so that it has a raw packet with
    its password: (MN, the packets path)."""
    mn, pw = d.device("outlet_E1")
    qn, f = upload(mn, pw, {"a21026": "12.5"})
    got, _ = d.send([f], until=f"QN={qn};ST=91".encode())
    if not acked(got, qn):
        raise RuntimeError(f"device {mn} (right password) got no 9014: {got[:200]!r}")
    return mn, f"/api/v1/devices/{mn}/packets"


@attack("1", "raw packets: readable by admin and own-district staff, PW=****** only")
def packets_redacted(d):
    mn, path = packets_of_outlet(d)
    found = []
    for who in ("admin", "staff_A"):
        r = d.get(path, who)
        if r.status != 200:
            found.append(f"{who} reads {path}: {r.status}, want 200")
        elif PW_IN_CLEAR.search(r.body):
            found.append(f"{who} sees a device password in clear in {path} "
                         f"({PW_IN_CLEAR.search(r.body).group().decode()[:3]}...)")
        elif mn.encode() not in r.body:
            found.append(f"{who}: {path} shows no packet of {mn}")
    return problems(found)


@attack("1", "raw packets: closed to partner without grant, 1-dataset key, inspector, leader")
def packets_closed(d):
    _, path = packets_of_outlet(d)
    found = [f"{who} reads {path}: {r.status}, want 403" for who in
             ("partner", "key_aqi", "inspector_A", "leader") for r in [d.get(path, who)]
             if r.status != 403]
    return problems(found)


@attack("1", "an API key limited to one dataset (air-aqi) reads no registry outside it")
def key_dataset_limit(d):
    site = d.city.targets["air_A"]["id"]
    found = []
    for path in ["/api/v1/sites?limit=1000", f"/api/v1/sites/{site}", "/api/v1/devices",
                 "/api/v1/enterprises?limit=1000", f"/api/v1/enterprises/{d.city.E1}"]:
        r = d.get(path, "key_aqi")
        if not (r.status == 403 or (r.status == 200 and r.json.get("items") == [])):
            found.append(f"{path}: {r.status}")
    r = d.get("/api/v1/aqi?scope=city", "key_aqi")
    if r.status != 200:
        found.append(f"and its own dataset /api/v1/aqi: {r.status}, want 200")
    return f"the key reads {', '.join(found)} (want 403 or nothing)" if found else None


# --- hole 2: device password guessing ----------------------------------------------------

@attack("2", "gateway brute force: 500 wrong PW from one address, then the right one")
def gateway_brute_force(d):
    mn, pw = d.device("air_A")
    site = d.city.targets["air_A"]["id"]

    def rejected():
        items = must(d.get(f"/api/v1/devices?site={site}"), 200, "devices")["items"]
        return next(x["rejected"] for x in items if x["mn"] == mn)

    before = rejected()
    sock, connections, closes, replies = None, 0, 0, 0
    guesses = [f"{n:06d}" for n in range(100000, 100501) if f"{n:06d}" != pw][:500]
    for i, guess in enumerate(guesses):
        if sock is None:
            try:
                sock = connect(d.srv.gw, BRUTE, timeout=2)
                connections += 1
            except OSError:
                continue
        try:
            sock.sendall(upload(mn, guess, {"a34004": "35"})[1])
        except OSError:
            sock.close()
            sock, closes = None, closes + 1
            continue
        if i % 10 == 9 or connections > 1:
            got, closed = drain(sock, 0.02)
            replies += got.count(b"##")
            if closed:
                sock.close()
                sock, closes = None, closes + 1
    if sock:
        sock.close()
    time.sleep(1)  # the last frames' verdicts
    processed = rejected() - before
    qn, f = upload(mn, pw, {"a34004": "35"})
    try:
        got, _ = d.send([f], src=BRUTE, until=f"QN={qn};ST=91".encode())
    except OSError:
        got = b""
    found = []
    if acked(got, qn):
        found.append(f"after {len(guesses)} wrong passwords the right one from the same address "
                     "is acknowledged (9014): no lockout")
    if processed >= 50:
        found.append(f"{processed} of {len(guesses)} guesses were checked ({connections} "
                     f"connections, {closes} closed by the server, {replies} replies), want < 50")
    return problems(found)


# --- hole 3: login flood -----------------------------------------------------------------

@attack("3", "login flood: 20 connections of wrong logins for 8 s")
def login_flood(d):
    mn, pw = d.device("water_B")
    stop = threading.Event()
    statuses = []

    def flood(n):
        conn = None
        for i in range(150):
            if stop.is_set():
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", d.srv.http, timeout=30,
                                                      source_address=(LOGIN_FLOOD, 0))
                conn.request("POST", "/api/v1/auth/login",
                             json.dumps({"username": f"nobody{n}", "password": f"Wrong-{i}"}),
                             {"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                statuses.append(r.status)
                if r.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                statuses.append("error")
                if conn:
                    conn.close()
                conn = None
            time.sleep(0.05)
        if conn:
            conn.close()

    acks = []

    def device():
        sock = None
        while not stop.is_set():
            try:
                sock = sock or connect(d.srv.gw, HOME)
                qn, f = upload(mn, pw, {"w01001": "7.1"}, cn="2011")
                t = time.time()
                sock.sendall(f)
                got, closed = drain(sock, 10, until=f"QN={qn};ST=91".encode())
                acks.append(time.time() - t if acked(got, qn) else float("inf"))
                if closed:
                    sock.close()
                    sock = None
            except OSError:
                acks.append(float("inf"))
                sock = None
            time.sleep(1)
        if sock:
            sock.close()

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(20)]
    threads.append(threading.Thread(target=device))
    for t in threads:
        t.start()
    health = []
    end = time.time() + 8
    while time.time() < end:
        health.append(healthz_time())
        time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    found = []
    if max(health) > LIVENESS_S:
        found.append(f"/healthz took up to {seconds(max(health))} during the flood "
                     f"({sum(h > LIVENESS_S for h in health)} of {len(health)} over {LIVENESS_S:.0f} s)")
    if not acks or max(acks) > LIVENESS_S:
        found.append(f"device acks took up to {seconds(max(acks or [float('inf')]))} during the flood")
    if 429 not in statuses:
        found.append(f"{len(statuses)} wrong logins from one address, none answered 429 "
                     f"({sorted(set(map(str, statuses)))})")
    return problems(found)


# --- hole 4: writes into another district's enterprise -------------------------------------

@attack("4", "district staff creates an outlet for another district's enterprise")
def outlet_of_other_district(d):
    c = d.city
    code = "ATK-CROSS-1"
    r = aat.call("POST", "/api/v1/sites", d.auth["staff_A"],
                 body={"code": code, "name": "attack outlet", "kind": "outlet_gas",
                       "district_id": c.A, "enterprise_id": c.E2, "lon": 116.4, "lat": 39.9})
    sites = must(d.get("/api/v1/sites?limit=1000&q=" + code), 200, "sites")["items"]
    found = []
    if r.status not in (400, 403):
        found.append(f"staff of district {c.A} POST /sites outlet of enterprise {c.E2} "
                     f"(district {c.B}): {r.status}, want 403 or 400")
    if any(s["code"] == code for s in sites):
        found.append(f"site {code} was created")
    return problems(found)


# --- hole 5: disk filling through the gateway -------------------------------------------

@attack("5", "garbage frames from 20 connections for 8 s: disk and log growth")
def gateway_garbage(d):
    mn, pw = d.device("water_A")
    pad = "x" * 800  # ~1 KB frames (the default segment limit is 1024)
    kinds = [
        lambda i: frame(f"QN={i};ST=22;CN=2011;PW=123456;MN={mn};Flag=5;CP=&&Junk={pad}&&", crc=0x1234),
        lambda i: frame(f"QN={i};ST=22;CN=2011;PW=123456;MN=ATTACK{i:018d};Flag=5;CP=&&Junk={pad}&&"),
        lambda i: frame(f"QN={i};ST=22;CN=2011;PW={i % 1000000:06d};MN={mn};Flag=5;CP=&&Junk={pad}&&"),
    ]
    data0, log0 = d.data_size(), d.log_size()
    sent = []
    end = time.time() + 8

    def garbage(n):
        sock, count = None, 0
        while count < 400 and time.time() < end:
            try:
                sock = sock or connect(d.srv.gw, GARBAGE, timeout=2)
                sock.sendall(b"".join(kinds[(n + i) % 3](n * 1000 + count + i) for i in range(10)))
                count += 10
            except OSError:
                if sock:
                    sock.close()
                sock = None
                count += 10  # a refused batch counts toward the bound too
                time.sleep(0.05)
        if sock:
            sock.close()
        sent.append(count)

    threads = [threading.Thread(target=garbage, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(2)  # the writer's last batches
    grew_data, grew_log = d.data_size() - data0, d.log_size() - log0
    found = []
    if grew_data >= 5 << 20:
        found.append(f"the data directory grew by {grew_data / 1e6:.1f} MB from {sum(sent)} rejected "
                     "frames (want < 5 MB)")
    if grew_log >= 5 << 20:
        found.append(f"the server log grew by {grew_log / 1e6:.1f} MB (want < 5 MB)")
    return problems(found)


# --- hole 6: out of file descriptors ----------------------------------------------------

def first_frame_timeout(bin_, work, timeout_s):
    """Arguments of `ecohub serve` setting the first-frame timeout of the gateway to
    `timeout_s`: a command-line option if --help lists one, else a config key if
    docs/configuration.md documents one; None when there is neither."""
    helptext = subprocess.run([bin_, "serve", "--help"], capture_output=True, text=True).stdout
    m = re.search(r"(--[\w-]*first[-_]frame[\w-]*)", helptext)
    if m:
        return [m.group(1), str(timeout_s * 1000 if "ms" in m.group(1) else timeout_s)]
    try:
        doc = open(os.path.join(HERE, "..", "..", "docs", "configuration.md")).read()
    except OSError:
        return None
    table = None
    for line in doc.splitlines():
        t = re.match(r"^\[(\w+)\]", line)
        table = t.group(1) if t else table
        k = re.match(r"^\s*(\w*first_frame\w*)\s*=", line)
        if k and table:
            path = os.path.join(work, "first-frame.toml")
            value = timeout_s * 1000 if k.group(1).endswith("_ms") else timeout_s
            with open(path, "w") as f:
                f.write(f"[{table}]\n{k.group(1)} = {value}\n")
            return ["--config", path]
    return None


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@attack("6", "a device connection that never sends is closed at the first-frame timeout", "own")
def silent_device(env):
    work = os.path.join(env.root, "silent-args")
    os.makedirs(work)
    args = first_frame_timeout(env.bin, work, 10)
    if args is None:
        raise Skip("no first-frame timeout in `serve --help` or docs/configuration.md "
                   "(only the 7,800 s idle timeout)")
    with env.server("silent", *args) as srv:
        sock = connect(srv.gw, SILENT)
        t = time.time()
        _, closed = drain(sock, 20)
        sock.close()
        if not closed:
            return f"a connection that sent nothing is still open after 20 s ({' '.join(args)}: 10 s)"
        if time.time() - t > 15:
            return f"a silent connection was closed after {time.time() - t:.0f} s (timeout 10 s)"
    return None


@attack("6", "fd exhaustion (nofile: what it holds + 16): 100 HTTP + 100 gateway connections", "own")
def fd_exhaustion(env):
    with env.server("fds") as srv:
        pid = srv.proc.pid
        # Room for 16 more than the server holds idle (its databases, logs, listeners):
        # a fixed 64 stopped exhausting anything once the modules' files alone used it up.
        held = len(os.listdir(f"/proc/{pid}/fd"))
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (held + 16, held + 16))
        log0 = log_size(srv)
        socks = []
        for port in [srv.http] * 100 + [srv.gw] * 100:
            try:
                socks.append(connect(port, FDS, timeout=2))
            except OSError:
                pass
        try:
            time.sleep(0.5)
            cpu0 = cpu_seconds(pid)
            time.sleep(2)
            cpu = cpu_seconds(pid) - cpu0
            grew = log_size(srv) - log0
        finally:
            for s in socks:
                s.close()
        found = []
        if cpu >= 0.5:
            found.append(f"the server used {cpu:.2f} s of CPU in 2 s while out of file "
                         "descriptors (want < 0.5 s: a busy accept loop)")
        if grew >= 1 << 20:
            found.append(f"its log grew by {grew / 1e6:.1f} MB (want < 1 MB)")
        end, ok = time.time() + 10, False
        while not ok and time.time() < end:
            ok = healthz_time(srv.http) <= LIVENESS_S
            time.sleep(0 if ok else 0.5)
        if not ok:
            found.append("/healthz does not answer after the connections are closed")
        if srv.proc.poll() is not None:
            found.append(f"the server exited ({srv.proc.returncode})")
        return problems(found)


# --- hole 7: impossible data -----------------------------------------------------------

def impossible_value(v):
    text = str(v.get("value", "")).strip().lower()
    try:
        x = float(text)
    except ValueError:
        return False
    return x != x or x in (float("inf"), float("-inf")) or x <= -99999


def year_of(rfc3339):
    m = re.match(r"^(\d{4})-", rfc3339 or "")
    return int(m.group(1)) if m else -1


@attack("7", "readings dated 2099 and 0001, NaN, inf, -99999 never become latest")
def impossible_data(d):
    mn, pw = d.device("air_B")
    site = d.city.targets["air_B"]["id"]
    latest = must(d.get(f"/api/v1/sites/{site}/latest"), 200, "latest")["values"]
    have = {v["factor"] for v in latest}
    spare = [f for f in ("a01001", "a01002", "a01006", "a01007", "a01008", "a21024", "a24087",
                         "a25002", "a05002", "a99901", "a99902", "a99903", "a99904", "a99905")
             if f not in have][:5]
    cases = [("20990101000000", "35"), ("00010101000000", "36"), (None, "NaN"), (None, "inf"),
             (None, "-99999")]
    frames = [upload(mn, pw, {f: v}, when=when)[1] for f, (when, v) in zip(spare, cases)]
    d.send(frames, wait=2)
    time.sleep(0.5)
    latest = must(d.get(f"/api/v1/sites/{site}/latest"), 200, "latest")["values"]
    now_year = beijing_now().year
    bad = [f"{v['factor']}={v['value']} at {v['time']}" for v in latest
           if impossible_value(v) or not 1970 <= year_of(v["time"]) <= now_year + 1]
    return f"{site}'s latest shows {', '.join(bad)}" if bad else None


# --- hole 8: lockout -------------------------------------------------------------------

@attack("8", "lockout: 40 parallel wrong logins (4 IO threads), the right one in the middle", "own")
def lockout(env):
    with env.server("lockout", "--io-threads", "4") as srv:
        def login(name, password, src):
            r = req("POST", "/api/v1/auth/login", body={"username": name, "password": password},
                    src=src, port=srv.http, timeout=60)
            return r.status, r.body

        admin = bearer(json.loads(login("admin", PASSWORD, HOME)[1])["token"])
        r = req("POST", "/api/v1/users", admin, port=srv.http,
                body={"username": "victim", "password": PASSWORD, "role": "staff",
                      "department": "monitoring"})
        must(r, 201, "create victim")
        found = []
        wrong, unknown = login("victim", "Wrong-pass-000", BYSTANDER), login("atk-nobody", "Wrong-pass-000", BYSTANDER)
        if wrong != unknown:
            found.append(f"a wrong password answers {wrong[0]} for an account and {unknown[0]} "
                         "for an unknown username")
        # 40 connections first, then the 40 requests back to back in this order: the
        # 13th carries the right password, after 12 wrong ones were handed over.
        socks = [connect(srv.http, LOCKOUT, timeout=60) for _ in range(40)]
        right_at = 12
        for i, s in enumerate(socks):
            pw = PASSWORD if i == right_at else f"Wrong-pass-{i:03d}"
            s.sendall(request_bytes("POST", "/api/v1/auth/login",
                                    body={"username": "victim", "password": pw}))
        answers = []
        for s in socks:
            try:
                answers.append(read_response(s).status)
            except (OSError, http.client.HTTPException):
                answers.append("error")
            s.close()
        if answers[right_at] == 200:
            found.append(f"the right password sent after {right_at} wrong ones (4 IO threads) was "
                         f"accepted: failures were lost ({answers.count(401)} answered 401)")
        # From the attacking address, where the account is locked whatever the design
        # (per account or per account and address). 429s all round reveal nothing.
        after = {"after 39 wrong passwords, a wrong one": login("victim", "Wrong-pass-999", LOCKOUT),
                 "after 39 wrong passwords, the right one": login("victim", PASSWORD, LOCKOUT)}
        unknown = login("atk-nobody", "Wrong-pass-999", LOCKOUT)
        for what, got in after.items():
            if got != unknown and not got[0] == unknown[0] == 429:
                found.append(f"{what}: {got[0]} {got[1][:60]!r} but an unknown username gets "
                             f"{unknown[0]} {unknown[1][:60]!r}")
        return problems(found)


# --- hole 9: the usage record -----------------------------------------------------------

@attack("9", "usage record: a partner's shared reads each leave a data.read row")
def usage_record(d):
    outlet = d.city.targets["outlet_E1"]
    found = []
    for path in ["/api/v1/latest", f"/api/v1/sites/{outlet['id']}/latest", "/api/v1/quality/rates",
                 "/api/v1/air/report"]:
        since = d.last_audit_id()
        r = d.get(path, "partner_g")
        if r.status != 200:
            found.append(f"partner with a grant reads {path}: {r.status}, want 200")
            continue
        if not d.new_audit_rows(since, action="data.read", actor="user:partner_g"):
            found.append(f"no data.read row for {path}")
    return problems(found)


@attack("9", "usage record: a denial, a logout and a failed password change leave rows")
def audit_of_refusals(d):
    found = []

    def recorded(what, who, fn):
        since = d.last_audit_id()
        fn()
        if not d.new_audit_rows(since, actor="user:" + who):
            found.append(f"{what} leaves no audit row")

    def denial():
        r = d.get("/api/v1/exceedances", "atk.deny")
        if r.status != 403:
            found.append(f"an inspector reads /exceedances: {r.status}, want 403")

    def password_change():
        r = aat.call("POST", "/api/v1/auth/password", d.auth["atk.pw"],
                     body={"old_password": "Wrong-old-pass-1", "new_password": "Other-pass-2027"})
        if r.status not in (400, 401, 403):
            found.append(f"a password change with a wrong old password: {r.status}")

    def logout():
        r = aat.call("POST", "/api/v1/auth/logout", d.auth["atk.pw"])
        if r.status not in (200, 204):
            found.append(f"logout: {r.status}")

    recorded("a denial (403)", "atk.deny", denial)
    recorded("a failed password change", "atk.pw", password_change)
    recorded("a logout", "atk.pw", logout)
    return problems(found)


# --- hole 11: files ----------------------------------------------------------------------

@attack("11", "files in the data directory are 0600 (no group or other bits)")
def file_modes(d):
    loose = []
    for dp, _, fs in os.walk(d.srv.data):
        for f in fs:
            p = os.path.join(dp, f)
            with contextlib.suppress(FileNotFoundError):
                mode = os.stat(p).st_mode & 0o777
                if mode & 0o077:
                    loose.append(f"{os.path.relpath(p, d.srv.data)} {mode:o}")
    return f"readable by group or others: {', '.join(sorted(loose))}" if loose else None


@attack("11", "device passwords are not stored in clear in the databases")
def passwords_at_rest(d):
    """A row of any table that holds a device's MN and, in another column, exactly
    that device's password, in any database of the data directory."""
    clear = set()
    for name in sorted(os.listdir(d.srv.data)):
        if not name.endswith(".db"):
            continue
        db = sqlite3.connect(f"file:{os.path.join(d.srv.data, name)}?mode=ro", uri=True, timeout=10)
        try:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for table in tables:
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    cells = [c for c in row if isinstance(c, str)]
                    if any(d.password.get(c) in cells for c in cells if c in d.password):
                        clear.add(f"{name}:{table}")
                        break
        finally:
            db.close()
    return f"device passwords in clear in {', '.join(sorted(clear))}" if clear else None


# --- hole 12: smaller ones --------------------------------------------------------------

@attack("12", "a username with a newline: 400 on create, no forged log line at login")
def newline_username(d):
    found = []
    r = aat.call("POST", "/api/v1/users", d.admin.auth,
                 body={"username": "atk\nx", "password": PASSWORD, "role": "staff"})
    if r.status != 400:
        found.append(f"creating user 'atk\\nx': {r.status}, want 400")
    marker = "ATTACK-FORGED-LOG-LINE"
    aat.call("POST", "/api/v1/auth/login",
             body={"username": f"atk\n[2026-01-01 00:00:00.000] [ecohub] [info] {marker}",
                   "password": "Wrong-pass-1"})
    time.sleep(0.3)
    with open(d.srv.log, errors="replace") as f:
        if any(line.startswith("[2026-01-01 00:00:00.000] [ecohub] [info] " + marker) for line in f):
            found.append("a login with a newline in the username writes a forged line into the log")
    return problems(found)


@attack("12", "weak passwords are refused (400)")
def weak_passwords(d):
    # The first two are short; the third passes the length and two-kinds rule of
    # f3f03ad and is still a dictionary word with a counter.
    found = []
    for i, pw in enumerate(["12345678", "password", "password123"]):
        r = aat.call("POST", "/api/v1/users", d.admin.auth,
                     body={"username": f"atk.weak{i}", "password": pw, "role": "staff"})
        if r.status != 400:
            found.append(f"password {pw!r}: {r.status}, want 400")
    return problems(found)


@attack("12", "an inspector's /alarms carries no exceedance values or limits")
def inspector_alarms(d):
    end = time.time() + 15
    while True:  # alarms are raised right after start-up
        mine = [a for a in must(d.get("/api/v1/alarms?kind=exceedance&limit=1000"), 200,
                                "alarms")["items"] if a["district_id"] == d.city.A]
        if mine or time.time() > end:
            break
        time.sleep(0.5)
    if not mine:
        raise Skip(f"no exceedance alarm in district {d.city.A}")
    r = d.get("/api/v1/alarms?kind=exceedance&limit=1000", "inspector_A")
    if r.status == 403:
        return None
    if r.status != 200:
        return f"inspector reads /alarms: {r.status}"
    leaks = [a["id"] for a in r.json["items"]
             if a.get("value") is not None or a.get("limit") is not None]
    return (f"the inspector sees the value and limit of {len(leaks)} exceedance alarms "
            "(/exceedances is closed to inspectors)") if leaks else None


@attack("12", "X-Content-Type-Options: nosniff on API answers")
def nosniff(d):
    found = []
    for what, r in [("/healthz", req("GET", "/healthz")),
                    ("/api/v1/sites", req("GET", "/api/v1/sites?limit=1", d.admin.auth)),
                    ("a 401", req("GET", "/api/v1/sites")),
                    ("a 404", req("GET", "/api/v1/no-such-route", d.admin.auth))]:
        if r.headers.get("x-content-type-options", "").lower() != "nosniff":
            found.append(what)
    return f"no nosniff on {', '.join(found)}" if found else None


def local_address():
    """An IPv4 address of this machine that is not loopback, or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: only picks a source address
        ip = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if ip.startswith("127.") else ip


@attack("12", "/metrics needs a login from another host", where="own")
def metrics_closed(env):
    # A scraper on the server's own host reads /metrics freely (docs/security.md); a
    # client of another address must log in. Connecting to the machine's own
    # non-loopback address makes the server see that address as the peer.
    ip = local_address()
    if not ip:
        raise Skip("this machine has no non-loopback IPv4 address")
    work = os.path.join(env.root, "metrics")
    os.makedirs(work)
    out = os.path.join(work, "serve.out")
    with open(out, "w") as o, open(os.path.join(work, "serve.log"), "w") as e:
        proc = subprocess.Popen([env.bin, "serve", "--data", os.path.join(work, "data"),
                                 "--http-listen", f"{ip}:0", "--gateway-listen", "127.0.0.1:0"],
                                stdout=o, stderr=e)
    try:
        port, deadline = None, time.time() + 60
        while port is None and time.time() < deadline and proc.poll() is None:
            m = re.search(rf"^http listening on {re.escape(ip)}:(\d+)$", open(out).read(), re.M)
            port = int(m.group(1)) if m else time.sleep(0.1)
        if port is None:
            return f"a server on {ip} did not start"
        conn = http.client.HTTPConnection(ip, port, timeout=10)
        conn.request("GET", "/metrics")
        status = conn.getresponse().status
        conn.close()
        return None if status in (401, 403) else f"/metrics from {ip} without login: {status}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@attack("12", "an account created over the API has `created` = now")
def created_time(d):
    u = aat.create_user(d.admin, "atk.new", "staff", department="monitoring")
    created = datetime.datetime.fromisoformat(u["created"])
    off = abs((created - beijing_now()).total_seconds())
    return None if off <= 60 else f"created {u['created']} ({off:.0f} s from now)"


@attack("12", "district_id/enterprise_id 999 refused in site and account writes")
def unknown_ids(d):
    found = []
    writes = [
        ("POST /sites district_id 999", "/api/v1/sites",
         {"code": "ATK-999", "name": "x", "kind": "air", "district_id": 999, "lon": 116.4,
          "lat": 39.9}),
        ("POST /users district_id 999", "/api/v1/users",
         {"username": "atk.d999", "password": PASSWORD, "role": "staff", "district_id": 999}),
        ("POST /users enterprise_id 999", "/api/v1/users",
         {"username": "atk.e999", "password": PASSWORD, "role": "enterprise", "enterprise_id": 999}),
    ]
    for what, path, body in writes:
        r = aat.call("POST", path, d.admin.auth, body=body)
        if r.status != 400:
            found.append(f"{what}: {r.status}, want 400")
    return problems(found)


def revoke_route(d):
    """How a grant is revoked, from the served OpenAPI document: a data-request route
    named for revoking, else DELETE /data-requests/{id}; when there is neither, the
    assumed POST /api/v1/data-requests/{id}/revoke."""
    paths = must(d.get("/api/v1/openapi.json"), 200, "openapi")["paths"]
    for path, ops in paths.items():
        if path.startswith("/api/v1/data-requests/{id}") and "revoke" in path and "post" in ops:
            return "POST", path
    if "delete" in paths.get("/api/v1/data-requests/{id}", {}):
        return "DELETE", "/api/v1/data-requests/{id}"
    return "POST", "/api/v1/data-requests/{id}/revoke"


@attack("12", "a granted data request can be revoked; reads under it then 403")
def revoke_grant(d):
    rid = d.grant("partner_r")
    outlet = d.city.targets["outlet_E1"]
    read = f"/api/v1/readings?site={outlet['id']}&factor={d.city.factor['outlet_E1']}&period=hour"
    must(d.get(read, "partner_r"), 200, "read under the grant")
    method, route = revoke_route(d)
    route = route.replace("{id}", str(rid))
    r = aat.call(method, route, d.auth["staff_pc"],
                 body={"reason": "the study ended early"} if method == "POST" else None)
    if r.status not in (200, 204):
        return f"{method} {route} by the owner department: {r.status}, want 200"
    after = d.get(read, "partner_r")
    return None if after.status == 403 else f"read after the revocation: {after.status}, want 403"


@attack("12", "the last admin cannot disable itself (409)", "own")
def last_admin(env):
    with env.server("last-admin") as srv:
        r = req("POST", "/api/v1/auth/login", body={"username": "admin", "password": PASSWORD},
                port=srv.http)
        login = must(r, 200, "admin login")
        r = req("PATCH", f"/api/v1/users/{login['user']['id']}", bearer(login["token"]),
                body={"disabled": True}, port=srv.http)
        return None if r.status == 409 else f"the only admin disables itself: {r.status}, want 409"


@attack("12", "HSTS under TLS", "own")
def hsts(env):
    helptext = subprocess.run([env.bin, "serve", "--help"], capture_output=True, text=True).stdout
    if "--tls-cert" not in helptext or not shutil.which("openssl"):
        raise Skip("no --tls-cert option or no openssl CLI")
    work = os.path.join(env.root, "tls-files")
    os.makedirs(work)
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    with env.server("tls", "--tls-cert", cert, "--tls-key", key, tls=True) as srv:
        conn = http.client.HTTPSConnection("127.0.0.1", srv.http, timeout=10,
                                           context=ehtest.unverified_tls())
        try:
            conn.request("GET", "/api/v1/public/datasets")
            r = conn.getresponse()
            hsts_value = r.getheader("Strict-Transport-Security", "")
        finally:
            conn.close()
    return None if "max-age=" in hsts_value else "no Strict-Transport-Security over TLS"


# --- classes that held: injection -------------------------------------------------------

INJ = "' OR 1=1 --"


def no_other_rows(r):
    """400/404, or an empty list: never a 5xx or rows."""
    return r.status in (400, 404) or (r.status == 200 and isinstance(r.json, dict)
                                      and r.json.get("items") == [])


@attack("class", "SQL injection in query parameters and paths")
def sqli_query(d):
    q = urllib.parse.quote(INJ)
    a_code = d.districts[d.city.A]["code"]
    site = d.city.targets["air_A"]["id"]
    cases = [("admin", f"/api/v1/sites?district={q}"), ("admin", f"/api/v1/sites?q={q}"),
             ("admin", f"/api/v1/readings?site=1{q}&factor=a34004"),
             ("admin", f"/api/v1/readings?site={site}&factor=a34004{q}"),
             ("admin", f"/api/v1/audit?actor={q}"), ("admin", f"/api/v1/alarms?district={q}"),
             ("admin", f"/api/v1/enterprises?district={q}"), ("admin", f"/api/v1/devices?site=1%20OR%201=1"),
             ("admin", f"/api/v1/datasets?q={q}"), ("admin", f"/api/v1/sites/1{q}"),
             ("admin", f"/api/v1/devices/{q}/packets"), ("admin", f"/api/v1/users/1{q}"),
             ("staff_A", f"/api/v1/sites?district={a_code}{urllib.parse.quote(chr(39) + ' OR 1=1 --')}"),
             ("staff_A", f"/api/v1/alarms?site=1{q}")]
    found = [f"{who} GET {path}: {r.status} {r.body[:80]!r}" for who, path in cases
             for r in [d.get(path, who)] if not no_other_rows(r)]
    return problems(found)


@attack("class", "SQL injection in JSON bodies (login, sites, users, requests, devices)")
def sqli_body(d):
    mn, _ = d.device("air_A")
    users_before = len(must(d.get("/api/v1/users?limit=1000"), 200, "users")["items"])
    cases = [
        (None, "POST", "/api/v1/auth/login", {"username": "admin' --", "password": "x"}, (401,)),
        (None, "POST", "/api/v1/auth/login", {"username": INJ, "password": INJ}, (401,)),
        ("admin", "POST", "/api/v1/sites", {"code": "X" + INJ, "name": "x", "kind": "air",
                                            "district_id": d.city.A}, (400,)),
        ("admin", "POST", "/api/v1/users", {"username": "a'; DROP TABLE users; --",
                                            "password": PASSWORD, "role": "staff"}, (400,)),
        ("partner", "POST", "/api/v1/data-requests",
         {"dataset": "enterprise-emissions" + INJ, "purpose": "p", "until": aat.beijing(86400)},
         (400, 404)),
        ("admin", "PATCH", f"/api/v1/devices/{mn}", {"charset": "utf-8'; DROP TABLE devices; --"},
         (400,)),
    ]
    found = []
    for who, method, path, body, want in cases:
        r = aat.call(method, path, d.auth.get(who), body=body)
        if r.status not in want:
            found.append(f"{method} {path} {json.dumps(body)[:60]}: {r.status}, want {want}")
    users_after = len(must(d.get("/api/v1/users?limit=1000"), 200, "users")["items"])
    if users_after != users_before:
        found.append(f"accounts changed: {users_before} -> {users_after}")
    if d.get(f"/api/v1/devices?site={d.city.targets['air_A']['id']}").status != 200:
        found.append("the device list no longer answers")
    return problems(found)


# --- smuggling, path tricks --------------------------------------------------------------

@attack("class", "request smuggling: CL+TE, duplicate Content-Length -> 400 and close")
def smuggling(d):
    tail = b"GET /api/v1/users HTTP/1.1\r\nHost: a\r\n\r\n"
    cases = {
        "Content-Length + Transfer-Encoding":
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + tail,
        "two Content-Lengths":
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            b"Content-Length: 0\r\nContent-Length: 40\r\n\r\n" + tail,
        "two Transfer-Encodings":
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
            b"Transfer-Encoding: identity\r\n\r\n0\r\n\r\n" + tail,
    }
    found = []
    for what, data in cases.items():
        got, closed = exchange(data)
        answers = re.findall(rb"^HTTP/1\.[01] (\d{3})", got, re.M)
        if answers[:1] != [b"400"] or len(answers) != 1 or not closed:
            found.append(f"{what}: answers {[a.decode() for a in answers]}, "
                         f"{'closed' if closed else 'kept open'} (want one 400 and close)")
    return problems(found)


OUTSIDE = [b"root:x:0:0", b"cmake_minimum_required", b"\"devDependencies\"", b"#include",
           b"SQLite format 3"]


@attack("class", "path tricks: /../, %2e%2e, //api, NUL never leave web/ or skip the login")
def path_tricks(d):
    paths = ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
             "/..%2f..%2f..%2f..%2fetc%2fpasswd", "/assets/..%2f..%2f..%2fCMakeLists.txt",
             "/%2e%2e/%2e%2e/CMakeLists.txt", "/%2e%2e/package.json", "/..%5c..%5cCMakeLists.txt",
             "/index.html%00.json", "/%2e%2e/%2e%2e/src/api/router.cc", "/..;/..;/CMakeLists.txt",
             "//api/v1/users", "/api/v1/./users", "/api/v1/public/../users",
             "/api/v1/public/%2e%2e/users", "/api/v1/users%00", "/api//v1/users",
             "/API/V1/USERS", "/api/v1/public/aqi/city/../../../users", "/api/v1/users/",
             "/api/v1/users?x=%00", "/%2fapi/v1/users", "/api/v1/users%2f",
             f"/../{os.path.basename(d.srv.data)}/ecohub.db"]
    found = []
    for path in paths:
        got, _ = exchange(f"GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".encode())
        status = got[9:12].decode(errors="replace")
        leak = [m.decode() for m in OUTSIDE if m in got]
        if status.startswith("5") or leak or (status == "200" and b'"username"' in got):
            found.append(f"GET {path}: {status}" + (f" with {leak}" if leak else "")
                         + (" and user accounts without a login" if b'"username"' in got else ""))
    return problems(found)


# --- IDOR and exports -------------------------------------------------------------------

def other_alarms(d):
    """An alarm of enterprise E2 (or another enterprise than E1) and one of district B."""
    items = must(d.get("/api/v1/alarms?limit=1000"), 200, "alarms")["items"]
    of_ent = next((a for a in items if a["enterprise_id"] not in (None, d.city.E1)), None)
    of_b = next((a for a in items if a["district_id"] == d.city.B), None)
    return of_ent, of_b


@attack("class", "IDOR across districts and enterprises (reads and writes)")
def idor(d):
    c = d.city
    air_b, out_e2 = c.targets["air_B"], c.targets["outlet_E2"]
    mn_b = c.devices_of[air_b["id"]][0]
    of_ent, of_b = other_alarms(d)
    cases = [
        ("staff_A", "GET", f"/api/v1/sites/{air_b['id']}", None),
        ("staff_A", "GET", f"/api/v1/sites/{air_b['id']}/latest", None),
        ("staff_A", "GET", f"/api/v1/readings?site={air_b['id']}&factor={c.factor['air_B']}&period=hour", None),
        ("staff_A", "GET", f"/api/v1/devices/{mn_b}/packets", None),
        ("staff_A", "PATCH", f"/api/v1/devices/{mn_b}", {"enabled": True}),
        ("inspector_A", "GET", f"/api/v1/sites/{air_b['id']}/latest", None),
        ("ent1", "GET", f"/api/v1/sites/{out_e2['id']}", None),
        ("ent1", "GET", f"/api/v1/sites/{out_e2['id']}/latest", None),
        ("ent1", "GET", f"/api/v1/enterprises/{c.E2}", None),
        ("ent1", "GET", f"/api/v1/readings?site={out_e2['id']}&factor={c.factor['outlet_E2']}&period=hour", None),
    ]
    if of_ent:
        cases += [("ent1", "GET", f"/api/v1/alarms/{of_ent['id']}", None),
                  ("ent1", "POST", f"/api/v1/alarms/{of_ent['id']}/acknowledge", {})]
    if of_b:
        cases.append(("staff_A", "POST", f"/api/v1/alarms/{of_b['id']}/acknowledge", {}))
    found = [f"{who} {method} {path}: {r.status}" for who, method, path, body in cases
             for r in [aat.call(method, path, d.auth[who], body=body)] if r.status not in (403, 404)]
    return problems(found)


def csv_rows(r):
    return list(csv.DictReader(io.StringIO(r.body.decode("utf-8-sig"))))


@attack("class", "exports (csv, xlsx) obey the same rights as the JSON")
def exports(d):
    c = d.city
    air_b = c.targets["air_B"]["id"]
    cases = [("staff_A", "/api/v1/sites?limit=1000"), ("ent1", "/api/v1/alarms?limit=1000"),
             ("partner", "/api/v1/alarms?limit=1000"), ("inspector_A", "/api/v1/exceedances"),
             ("key_aqi", "/api/v1/sites?limit=1000"), ("public", "/api/v1/sites?limit=1000"),
             ("staff_A", f"/api/v1/readings?site={air_b}&factor={c.factor['air_B']}&period=hour")]
    found = []
    for who, path in cases:
        auth = d.auth.get(who)
        as_json = aat.call("GET", path, auth)
        for fmt in ("csv", "xlsx"):
            r = aat.call("GET", f"{path}&format={fmt}", auth)
            if (r.status == 200) != (as_json.status == 200):
                found.append(f"{who} GET {path}: JSON {as_json.status}, {fmt} {r.status}")
            elif fmt == "csv" and r.status == 200 and isinstance(as_json.json, dict) \
                    and "items" in as_json.json and len(csv_rows(r)) != len(as_json.json["items"]):
                found.append(f"{who} GET {path}: {len(as_json.json['items'])} items in JSON, "
                             f"{len(csv_rows(r))} rows in CSV")
    rows = csv_rows(d.get("/api/v1/sites?format=csv&limit=1000", "staff_A"))
    others = {row["code"] for row in rows if row.get("district_id") not in (str(c.A), "0")}
    if others:
        found.append(f"staff_A's site CSV has sites of other districts: {sorted(others)[:3]}")
    rows = csv_rows(d.get("/api/v1/alarms?format=csv&limit=1000", "ent1"))
    others = {row["enterprise_id"] for row in rows if row.get("enterprise_id") != str(c.E1)}
    if others:
        found.append(f"ent1's alarm CSV has alarms of enterprises {sorted(others)[:3]}")
    return problems(found)


# --- slow clients, oversized and malformed input ---------------------------------------

@attack("class", "slowloris: 5 connections sending headers a byte a second for 5 s")
def slowloris(d):
    socks = [connect(d.srv.http, SLOWLORIS) for _ in range(5)]
    for s in socks:
        s.sendall(b"GET /api/v1/sites HTTP/1.1\r\nHost: a\r\nX-Slow: ")
    stop = threading.Event()

    def drip():
        for _ in range(5):
            if stop.wait(1):
                break
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(b"a")

    t = threading.Thread(target=drip)
    t.start()
    times = []
    try:
        while t.is_alive():
            times.append(healthz_time())
            r, took = timed(lambda: req("GET", "/api/v1/sites?limit=1", d.admin.auth))
            times.append(took if isinstance(r, aat.Resp) and r.status == 200 else float("inf"))
            time.sleep(0.5)
    finally:
        stop.set()
        t.join()
        for s in socks:
            s.close()
    worst = max(times)
    return None if worst <= LIVENESS_S else \
        f"other clients waited up to {seconds(worst)} while slow clients sent headers"


@attack("class", "oversized headers and bodies -> 413")
def oversized(d):
    found = []
    for what, data in [
            ("a 20 KiB header", b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 20480 + b"\r\n\r\n"),
            ("1000 headers", b"GET /healthz HTTP/1.1\r\nHost: a\r\n"
             + b"".join(b"X-H%d: aaaaaaaaaaaaaaaa\r\n" % i for i in range(1000)) + b"\r\n"),
            ("a 2 MiB body", request_bytes("POST", "/api/v1/auth/login",
                                           raw=b'{"username":"' + b"x" * (2 << 20) + b'"}'))]:
        got, _ = exchange(data, wait=5)
        if got[9:12] != b"413":
            found.append(f"{what}: {got[9:12].decode(errors='replace') or 'no answer'}, want 413")
    return problems(found)


def nested(n):
    return b"[" * n + b"]" * n


@attack("class", "deep JSON (100k nested arrays), broken UTF-8 -> 400, no crash")
def malformed(d):
    A = d.auth["staff_A"]  # district staff write sites
    site = lambda name, attrs: b'{"code":"ATK-DEEP","name":' + name + b',"kind":"air","district_id":' \
        + str(d.city.A).encode() + b',"attrs":' + attrs + b"}"
    cases = [
        ("login, 100k nested arrays", None, "/api/v1/auth/login", nested(100000)),
        ("site attrs, 100k nested objects", A, "/api/v1/sites",
         site(b'"x"', b'{"a":' * 100000 + b"1" + b"}" * 100000)),
        ("site attrs, 100k nested arrays", A, "/api/v1/sites", site(b'"x"', nested(100000))),
        ("login, broken UTF-8", None, "/api/v1/auth/login",
         b'{"username":"\xff\xfe\xc3(","password":"x\xed\xa0\x80"}'),
        ("site name, broken UTF-8", A, "/api/v1/sites", site(b'"\xc0\xaf\xff"', b"{}")),
        ("site name, lone surrogate escape", A, "/api/v1/sites", site(b'"\\ud800"', b"{}")),
    ]
    cases += [(f"GET {path}", A, path, None) for path in
              ["/api/v1/sites?district=%ff%fe", "/api/v1/sites/%ff", "/api/v1/sites?q=%c3%28"]]
    found = []
    for what, auth, path, raw in cases:
        try:
            r = req("POST" if raw else "GET", path, auth, raw=raw)
        except (OSError, http.client.HTTPException) as e:
            found.append(f"{what}: no answer ({type(e).__name__})")
            time.sleep(0.5)
            if d.srv.proc.poll() is not None:
                found.append(f"the server died (exit {d.srv.proc.returncode})")
                break
            continue
        if not (r.status == 400 if raw else no_other_rows(r)):
            found.append(f"{what}: {r.status}, want 400" + ("" if raw else ", 404 or no rows"))
    return problems(found)


@attack("class", "after everything: the server is alive and /healthz is 200")
def still_alive(d):
    if d.srv.proc.poll() is not None:
        return f"the server exited with {d.srv.proc.returncode}"
    took = healthz_time()
    return None if took <= LIVENESS_S else f"/healthz: no 200 within {LIVENESS_S:.0f} s"


# --- the order and the table ---------------------------------------------------------------

# The demo city's attacks in this order: reads and writes first, then the floods, the
# brute force (it locks its address out of the gateway), malformed input (it has
# crashed the server) and the final checks.
DEMO_ORDER = [packets_redacted, packets_closed, outlet_of_other_district, impossible_data,
              usage_record, audit_of_refusals, newline_username, weak_passwords, inspector_alarms,
              nosniff, created_time, unknown_ids, revoke_grant, key_dataset_limit,
              sqli_query, sqli_body, smuggling, path_tricks, idor, exports, oversized, slowloris,
              login_flood, gateway_garbage, gateway_brute_force, malformed, file_modes,
              passwords_at_rest, still_alive]


# Holes known to be open, by attack function: reported as "OPEN (known)", not counted
# as findings, each with where it is written down. An attack listed here that holds is
# a finding (remove it from the list), so the list cannot go stale.
KNOWN_OPEN = {}


def run_one(entry, arg):
    group, name, _, fn = entry
    t = time.time()
    try:
        finding = fn(arg)
        result = ("FINDING", finding) if finding else ("held", "")
        if fn.__name__ in KNOWN_OPEN:
            result = (("OPEN (known)", f"{finding} [{KNOWN_OPEN[fn.__name__]}]") if finding else
                      ("FINDING", "listed in KNOWN_OPEN but held: remove it from the list"))
    except Skip as s:
        result = ("skipped", str(s))
    except Exception as e:  # noqa: BLE001  (an attack that cannot run is reported, not hidden)
        result = ("FINDING", f"the attack could not run: {type(e).__name__}: {e}")
    row = (group, name, result[0], result[1], time.time() - t)
    print(f"  [{group:>5}] {name}: {result[0]} {result[1]} ({row[4]:.1f} s)", flush=True)
    return row


def main():
    bin_ = os.path.abspath(sys.argv[1])
    if not os.access(bin_, os.X_OK):
        sys.exit(f"usage: attack_test.py /path/to/ecohub ({bin_} is not an executable)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = tempfile.mkdtemp(prefix="ecohub-attack-")
    started = time.time()
    by_fn = {e[3]: e for e in ATTACKS}
    assert set(DEMO_ORDER) == {e[3] for e in ATTACKS if e[2] == "demo"}, "DEMO_ORDER is incomplete"
    # ATTACK_ONLY=word runs only the attacks whose function name holds the word (while
    # working on one hole); the demo city is started only when one of them needs it.
    only = os.environ.get("ATTACK_ONLY", "")
    picked = [e for e in ATTACKS if only in e[3].__name__]
    rows, demo = [], None
    try:
        if not any(e[2] == "demo" for e in picked):
            raise Skip("no demo attack picked")

        try:
            demo = Demo(bin_, os.path.join(root, "demo"))
        except Exception as e:  # noqa: BLE001
            rows.append(("setup", "the demo city", "FINDING", f"{type(e).__name__}: {e}", 0.0))
        if demo:
            rows += [run_one(by_fn[fn], demo) for fn in DEMO_ORDER if by_fn[fn] in picked]
    except Skip:
        pass
    finally:
        if demo:
            demo.stop()
    env = Env(bin_, root)
    rows += [run_one(e, env) for e in picked if e[2] == "own"]

    rows.sort(key=lambda r: (r[0] == "class", int(r[0]) if r[0].isdigit() else 0))
    if not rows:
        sys.exit(f"no attack's function name holds ATTACK_ONLY={only!r}")
    w = max(len(r[1]) for r in rows)
    print(f"\n{'hole':>5}  {'attack':<{w}}  result")
    for group, name, verdict, detail, _ in rows:
        print(f"{group:>5}  {name:<{w}}  {verdict}{': ' + detail if detail else ''}")
    findings = sum(r[2] == "FINDING" for r in rows)
    print(f"\n{len(rows)} attacks, {findings} findings, "
          f"{sum(r[2] == 'OPEN (known)' for r in rows)} known open, "
          f"{sum(r[2] == 'skipped' for r in rows)} skipped, {time.time() - started:.0f} s")
    if findings:
        print(f"servers' data and logs: {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
