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


def exchange(gw_port, frames, wait=2.0, expect=None):
    """Sends `frames` on a fresh gateway connection and returns the replies as text,
    waiting up to `wait` seconds for `expect` 9014 answers (default: one per frame);
    "" from a connection closed at accept or reset."""
    import socket, time
    expect = len(frames) if expect is None else expect
    s = socket.create_connection(("127.0.0.1", gw_port))
    data, deadline = b"", time.time() + wait
    try:
        for f in frames:
            s.sendall(f)
        s.settimeout(0.2)
        while time.time() < deadline and data.count(b"CN=9014") < expect:
            try:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            except socket.timeout:
                pass
    except (ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    return data.decode(errors="replace")


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


class Serve:
    """A running `ecohub serve`: its process, HTTP and HJ 212 ports on 127.0.0.1, data
    directory, and the files its stdout (`out`) and stderr (`log`) go to."""

    def __init__(self, proc, http, gw, data, out, log):
        self.proc, self.http, self.gw, self.data, self.out, self.log = proc, http, gw, data, out, log


def unverified_tls():
    """A TLS client context that accepts the test servers' self-signed certificates."""
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def start_serve(bin_, work, password, *args, tls=False):
    """Starts `ecohub serve --data WORK/data ARGS...` on free loopback ports, with the
    account `admin` (`password`) created at first start, and waits (60 s at most) for
    /healthz over HTTP, or HTTPS when `tls` (its certificate is not checked)."""
    import http.client, os, re, subprocess, time
    pwfile = os.path.join(work, "admin-password")
    with open(pwfile, "w") as f:
        f.write(password + "\n")
    out, log = os.path.join(work, "serve.out"), os.path.join(work, "serve.log")
    with open(out, "w") as o, open(log, "w") as e:
        proc = subprocess.Popen(
            [bin_, "serve", "--data", os.path.join(work, "data"), "--http-listen", "127.0.0.1:0",
             "--gateway-listen", "127.0.0.1:0", "--admin-password-file", pwfile, *args],
            stdout=o, stderr=e)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ecohub serve exited ({proc.returncode}):\n" + open(log).read()[-3000:])
        ports = dict(re.findall(r"^(gateway|http) listening on 127\.0\.0\.1:(\d+)$", open(out).read(), re.M))
        if len(ports) == 2:
            break
        time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("ecohub serve printed no ports in 60 s")
    server = Serve(proc, int(ports["http"]), int(ports["gateway"]), os.path.join(work, "data"), out, log)
    while time.time() < deadline:
        conn = (http.client.HTTPSConnection("127.0.0.1", server.http, timeout=5,
                                            context=unverified_tls()) if tls
                else http.client.HTTPConnection("127.0.0.1", server.http, timeout=5))
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("no /healthz in 60 s")
