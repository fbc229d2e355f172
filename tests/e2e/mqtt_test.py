#!/usr/bin/env python3
"""The MQTT bridge end to end (issue 15, docs/mqtt.md), with a real mosquitto.

  python3 mqtt_test.py /path/to/ecohub

A fresh city (Beijing's sites, two devices), `ecohub mqtt broker-files` for the
broker's password file and ACL, mosquitto on a free loopback port with persistence,
`ecohub serve --mqtt`. Then:
1. a device's hourly data over MQTT, as HJ 212 frames and as JSON: stored and derived
   (readings and the station's hourly AQI read back over HTTP);
2. a wrong password refused by the broker; a device publishing to another's topic
   stored nothing; garbage, an unknown MN and a topic/packet MN mismatch counted and
   the bridge still running;
3. a stream of QoS-1 messages with the broker restarted (SIGTERM, started again on the
   same port) in the middle: every message the publisher got a PUBACK for is stored.
Exit 77 (skipped) without mosquitto or python3-paho-mqtt.
"""
import datetime
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

try:
    import paho.mqtt.client as mqtt
except ImportError:
    # Debian's python3-paho-mqtt is for Debian's python3; another python3 may come
    # first in PATH (pyenv).
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    print("skip: python3-paho-mqtt is not installed")
    sys.exit(77)
if not shutil.which("mosquitto"):
    print("skip: mosquitto is not installed")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
from ehtest import check, finish, metric  # noqa: E402

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(SOURCE, "demo", "beijing")
MN1, PW1 = "MQTTAIR000000000000001", "pw-dongsi-1"
MN2, PW2 = "MQTTAIR000000000000002", "pw-tiantan-2"
BJ = datetime.timezone(datetime.timedelta(hours=8))


def crc16(data):
    reg = 0xFFFF
    for b in data:
        reg = (reg >> 8) ^ b
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


def frame(segment):
    s = segment.encode()
    return b"##%04d" % len(s) + s + b"%04X\r\n" % crc16(s)


def compact(t):
    return t.astimezone(BJ).strftime("%Y%m%d%H%M%S")


def upload(mn, pw, cn, t, cp):
    return frame(f"QN={compact(t)}000;ST=22;CN={cn};PW={pw};MN={mn};Flag=4;"
                 f"CP=&&DataTime={compact(t)};{cp}&&")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(bin_, *args):
    r = subprocess.run([bin_, *args], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"{args[:2]}: exit {r.returncode}: {r.stdout} {r.stderr}")
    return r


class Broker:
    def __init__(self, work, port, files):
        self.port, self.work = port, work
        self.conf = os.path.join(work, "mosquitto.conf")
        os.makedirs(os.path.join(work, "mosq"), exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous false\n"
                    f"password_file {files}/passwd\nacl_file {files}/acl\n"
                    f"persistence true\npersistence_location {work}/mosq/\n"
                    "autosave_interval 1\nmax_queued_messages 0\nmax_inflight_messages 20\n"
                    f"user {getpass.getuser()}\nlog_type error\nlog_type warning\n"
                    "log_type notice\n")
        self.proc = None

    def start(self):
        log = open(os.path.join(self.work, "mosquitto.log"), "a")
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=log, stderr=log)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not listen: " +
                           open(os.path.join(self.work, "mosquitto.log")).read()[-2000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # saves its persistence file
            self.proc.wait(timeout=20)


def client(client_id, user, pw, port, clean=True):
    c = mqtt.Client(client_id=client_id, clean_session=clean, protocol=mqtt.MQTTv311)
    c.username_pw_set(user, pw)
    c.connected = threading.Event()
    c.rc = None

    def on_connect(cl, userdata, flags, rc):
        c.rc = rc
        if rc == 0:
            c.connected.set()
    c.on_connect = on_connect
    c.reconnect_delay_set(0.2, 1)
    c.connect("127.0.0.1", port, keepalive=10)
    c.loop_start()
    return c


def wait_for(what, fn, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.25)
    return fn()


def readings(admin, site, factor, period, t0, t1):
    q = urllib.parse.urlencode({"site": site, "factor": factor, "period": period,
                                "from": t0.isoformat(), "to": t1.isoformat()})
    r = aat.call("GET", "/api/v1/readings?" + q, admin)
    return r.json if r.status == 200 else {"status": r.status, "body": r.body[:300]}


def points(resp):
    """(time, value) of every point of a readings answer (series[].points[].t/v)."""
    out = []

    def walk(x):
        if isinstance(x, dict):
            if "t" in x and "v" in x:
                out.append((x["t"], x["v"]))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(resp)
    return out


def hourly_and_derived(admin, port):
    now = datetime.datetime.now(BJ).replace(minute=0, second=0, microsecond=0)
    hours = [now - datetime.timedelta(hours=h) for h in range(24, 0, -1)]
    dev = client("dev-" + MN1, MN1, PW1, port)
    check(dev.connected.wait(10), "a device logs in to the broker with its generated account")
    for i, t in enumerate(hours):
        if i % 2 == 0:
            topic, payload = f"ecohub/hj212/{MN1}", upload(
                MN1, PW1, "2061", t, "a34004-Avg=75,a34004-Flag=N;a34002-Avg=50,a34002-Flag=N;"
                "a21026-Avg=10,a21026-Flag=N;a21004-Avg=20,a21004-Flag=N;"
                "a21005-Avg=0.5,a21005-Flag=N;a05024-Avg=60,a05024-Flag=N")
        else:
            topic, payload = f"ecohub/json/{MN1}", json.dumps({
                "pw": PW1, "cn": "2061", "data_time": t.isoformat(),
                "values": {"a34004": {"avg": 75, "flag": "N"}, "a34002": {"avg": 50},
                           "a21026": {"avg": 10}, "a21004": {"avg": 20},
                           "a21005": {"avg": "0.5"}, "a05024": {"avg": 60}}})
        info = dev.publish(topic, payload, qos=1)
        info.wait_for_publish()
    t0, t1 = hours[0], hours[-1] + datetime.timedelta(hours=1)
    got = wait_for("readings", lambda: len(points(readings(admin, "AIR-Dongsi", "a34004", "hour",
                                                             t0, t1))) >= 24 or None, 30)
    pts = points(readings(admin, "AIR-Dongsi", "a34004", "hour", t0, t1))
    check(got and len(pts) == 24 and all(str(v) in ("75", "75.0") for _, v in pts),
          f"24 hours of PM2.5 over MQTT (HJ 212 and JSON) stored: {len(pts)} {pts[:3]}")

    def aqi():
        q = urllib.parse.urlencode({"scope": "site:AIR-Dongsi", "period": "hour",
                                    "from": t0.isoformat(), "to": t1.isoformat()})
        r = aat.call("GET", "/api/v1/aqi?" + q, admin)
        items = r.json.get("items", []) if r.status == 200 else []
        return items if len(items) >= 24 else None
    items = wait_for("aqi", aqi, 60) or []
    check(len(items) >= 24 and all(i.get("aqi") for i in items),
          f"and derived: the station's hourly AQI for those hours: {len(items)} "
          f"{json.dumps(items[:1])[:300]}")
    return dev


def refusals(bin_, admin, port, http_port, dev):
    bad = client("intruder", MN1, "wrong-password", port)
    time.sleep(2)
    check(not bad.connected.is_set() and bad.rc not in (None, 0),
          f"a wrong password is refused by the broker (CONNACK {bad.rc})")
    bad.loop_stop()
    bad.disconnect()

    t = datetime.datetime.now(BJ).replace(minute=0, second=0, microsecond=0) - \
        datetime.timedelta(hours=30)
    # MN1 may not publish as MN2: the broker's ACL drops it.
    dev.publish(f"ecohub/hj212/{MN2}", upload(MN2, PW2, "2061", t, "a34004-Avg=11"),
                qos=1).wait_for_publish()
    before = {r: metric(http_port, f'ecohub_mqtt_rejected_total{{reason="{r}"}}')
              for r in ("bad_header", "unknown_mn", "mn_mismatch", "bad_json")}
    other = client("dev-" + MN2, MN2, PW2, port)
    other.connected.wait(10)
    for topic, payload in [(f"ecohub/hj212/{MN2}", b"garbage \x00\xff"),
                           (f"ecohub/hj212/{MN2}", upload(MN1, PW1, "2061", t, "a34004-Avg=12")),
                           (f"ecohub/json/{MN2}", b"{not json"),
                           (f"ecohub/hj212/{MN2}", upload(MN2, PW2, "2061", t, "a34004-Avg=13"))]:
        other.publish(topic, payload, qos=1).wait_for_publish()
    ok = wait_for("counters", lambda: all(
        metric(http_port, f'ecohub_mqtt_rejected_total{{reason="{r}"}}') > before[r]
        for r in ("bad_header", "mn_mismatch", "bad_json")) or None, 20)
    check(ok, "garbage, a topic/packet MN mismatch and bad JSON are counted by reason")
    pts = wait_for("the good one", lambda: points(readings(
        admin, "AIR-Tiantan", "a34004", "hour", t, t + datetime.timedelta(hours=1))) or None, 20)
    check(pts and len(pts) == 1 and str(pts[0][1]) == "13",
          f"the bridge lives on: the next good message is stored, nothing from the refused "
          f"ones or the other device's topic: {pts}")
    other.loop_stop()
    other.disconnect()


def broker_restart(broker, admin, port, n=400):
    """QoS-1 minute data from MN2 while the broker is stopped and started again."""
    start = datetime.datetime.now(BJ).replace(second=0, microsecond=0) - \
        datetime.timedelta(minutes=n + 30)
    acked_mids, mids = set(), {}
    pub = client("stream-" + MN2, MN2, PW2, port, clean=False)
    check(pub.connected.wait(10), "the streaming device is connected")
    # Called on paho's thread when the broker's PUBACK arrives (mids are not reused:
    # n < 65535).
    pub.on_publish = lambda cl, userdata, mid: acked_mids.add(mid)
    restarted = False
    for i in range(n):
        t = start + datetime.timedelta(minutes=i)
        info = pub.publish(f"ecohub/hj212/{MN2}",
                           upload(MN2, PW2, "2051", t, f"a34004-Avg={i},a34004-Flag=N"), qos=1)
        mids[info.mid] = i
        time.sleep(0.005)
        if i == n // 2:
            broker.stop()
            time.sleep(1)
            broker.start()
            restarted = True
    check(restarted, "the broker was restarted mid-stream")
    # Let the publisher resend what it still holds.
    wait_for("acks", lambda: len(acked_mids) >= n or None, 60)
    pub.loop_stop()
    pub.disconnect()
    acked = {mids[m] for m in set(acked_mids) if m in mids}
    t0, t1 = start, start + datetime.timedelta(minutes=n)

    def stored():
        return {int(float(v)) for _, v in points(readings(admin, "AIR-Tiantan", "a34004",
                                                          "minute", t0, t1))}
    have = wait_for("stored", lambda: stored() if acked <= stored() else None, 90) or stored()
    lost = sorted(acked - have)
    print(f"broker restart: {n} published, {len(acked)} acknowledged to the publisher, "
          f"{len(have)} stored, {len(lost)} acknowledged but not stored")
    check(len(acked) > n // 2 and not lost,
          f"every message the broker acknowledged is stored: {len(acked)} acked, "
          f"{len(have)} stored, lost {lost[:10]}")


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-mqtt-")
    data = os.path.join(work, "data")
    proc, broker = None, None
    try:
        run(bin_, "city", "init", "--data", data, "--name", "北京市", "--code", "110000",
            "--districts", os.path.join(DEMO, "districts.geojson"))
        for kind in ("enterprises", "sites"):
            run(bin_, "registry", "import", "--data", data, "--kind", kind,
                "--file", os.path.join(DEMO, kind + ".csv"))
        run(bin_, "device", "put", "--data", data, "--mn", MN1, "--password", PW1,
            "--site", "AIR-Dongsi")
        run(bin_, "device", "put", "--data", data, "--mn", MN2, "--password", PW2,
            "--site", "AIR-Tiantan")
        pwfile = os.path.join(work, "ecohub-mqtt-password")
        with open(pwfile, "w") as f:
            f.write("ecohub-broker-secret\n")
        files = os.path.join(work, "broker")
        r = run(bin_, "mqtt", "broker-files", "--data", data, "--out", files,
                "--password-file", pwfile)
        check("2 devices" in r.stdout, f"broker files for 2 devices: {r.stdout.strip()}")
        acl = open(os.path.join(files, "acl")).read()
        check(f"user {MN1}\ntopic write ecohub/hj212/{MN1}\n" in acl
              and "topic read ecohub/json/+" in acl, "the ACL: each device its own topics")

        port = free_port()
        broker = Broker(work, port, files)
        broker.start()
        proc = aat.start_server(bin_, work, ["--mqtt", f"127.0.0.1:{port}",
                                             "--mqtt-password-file", pwfile], demo=False)
        http_port = aat.PORT
        check(wait_for("connected", lambda: metric(http_port, "ecohub_mqtt_connected") == 1, 20),
              "ecohub subscribes to the broker")
        admin = aat.bearer(aat.must(aat.login("admin", aat.PASSWORD), 200, "admin")["token"])
        dev = hourly_and_derived(admin, port)
        refusals(bin_, admin, port, http_port, dev)
        dev.loop_stop()
        dev.disconnect()
        broker_restart(broker, admin, port)
        check(aat.call("GET", "/healthz").status == 200, "the server is still healthy")
    finally:
        aat.stop_server(proc)
        if broker:
            broker.stop()
        if failures_tail():
            for name in ("serve.log", "mosquitto.log"):
                p = os.path.join(work, name)
                if os.path.exists(p):
                    print(f"--- {name} (tail)\n" + open(p, errors="replace").read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    finish()


def failures_tail():
    from ehtest import failures
    return bool(failures) or sys.exc_info()[0] is not None


if __name__ == "__main__":
    main()
