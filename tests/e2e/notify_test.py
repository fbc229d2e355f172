#!/usr/bin/env python3
"""Notifications end to end (issue 16): an alarm reaches people by webhook, e-mail and
the inbox, on a city set up from its registry files.

  python3 notify_test.py /path/to/ecohub

A real SMTP sink (Debian's python3-aiosmtpd) and a webhook receiver run on loopback.
The administrator subscribes a webhook and an e-mail address; district staff
subscribe their inboxes; staff may not set up a webhook; bad targets are refused.
Hourly SO2 far above an outlet's limit is imported: the exceedance alarm that follows
is delivered to the webhook (signed: HMAC-SHA256 checked here) and by e-mail (its
subject decoded here), and is in the inbox of the outlet district's staff but not in
another district's. The delivery log says sent; a test message goes out on demand;
targets are shown masked and are not in notify.db in clear.
"""
import datetime
import email
import email.header
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
import readings_import_test as rit  # noqa: E402
from ehtest import check, finish  # noqa: E402

try:
    from aiosmtpd.controller import Controller  # noqa: E402
except ImportError:
    # Debian's python3-aiosmtpd (scripts/setup.sh) is for Debian's python3; another
    # python3 may come first on the PATH.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("python3-aiosmtpd is missing: run scripts/setup.sh")

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login
OUTLET = "DA-01-1"  # 北京京能热电有限公司 废气排放口1, in 110106; SO2 limit 35 mg/m3
SECRET = "webhook-secret-0123456789"
MAILBOX = "duty.officer@bureau.test"


class Sink:
    """The SMTP server's handler: keeps every message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


class Hooks(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hooks.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(what, fn, seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.5)
    check(False, f"waited {seconds} s for {what}")
    return None


def subject_of(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return str(msg["subject"]), msg.get_content()


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-notify-")
    data = os.path.join(work, "data")
    sink = Sink()
    with socket.socket() as probe:  # aiosmtpd 1.4 needs a port of its own choosing
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    hooks = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    proc = None
    try:
        rit.setup_city(bin_, data)
        conf = os.path.join(work, "serve.toml")
        with open(conf, "w") as f:
            f.write("[alarms]\nsync_seconds = 5\n"
                    "[notify]\ninterval_seconds = 1\nconsole_url = \"https://eco.bureau.test\"\n"
                    "[notify.smtp]\n"
                    f"url = \"smtp://127.0.0.1:{smtp_port}\"\n"
                    "from = \"ecohub@bureau.test\"\nstarttls = false\n")
        proc = aat.start_server(bin_, work, extra_args=("--config", conf), demo=False)
        run(data, f"http://127.0.0.1:{hooks.server_address[1]}/ecohub", sink)
    finally:
        aat.stop_server(proc)
        smtp.stop()
        hooks.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    finish()


def run(data, hook_url, sink):
    admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
    a = types.SimpleNamespace(auth=admin)
    sites = {s["code"]: s for s in must(call("GET", "/api/v1/sites?limit=1000", admin), 200,
                                        "sites")["items"]}
    outlet = sites[OUTLET]
    other = next(s for s in sites.values() if s["district_id"] != outlet["district_id"])
    aat.create_user(a, "fengtai.staff", "staff", outlet["district_id"])
    aat.create_user(a, "other.staff", "staff", other["district_id"])
    near = bearer(must(login("fengtai.staff", aat.PASSWORD), 200, "login")["token"])
    far = bearer(must(login("other.staff", aat.PASSWORD), 200, "login")["token"])

    # Subscriptions, and what is refused.
    hook = must(call("POST", "/api/v1/subscriptions", admin,
                     body={"name": "值班系统", "channel": "webhook", "target": hook_url,
                           "secret": SECRET, "kinds": ["alarm.exceedance"],
                           "min_severity": "critical"}), 201, "webhook subscription")
    mail = must(call("POST", "/api/v1/subscriptions", admin,
                     body={"name": "值班邮箱", "channel": "email", "target": MAILBOX}), 201,
                "e-mail subscription")
    check(mail["target"] == "du***@bureau.test" and hook["has_secret"],
          f"targets are shown masked: {mail['target']} {hook['target']}")
    for tok in (near, far):
        must(call("POST", "/api/v1/subscriptions", tok,
                  body={"name": "站内消息", "channel": "inbox"}), 201, "inbox subscription")
    r = call("POST", "/api/v1/subscriptions", near,
             body={"name": "x", "channel": "webhook", "target": hook_url, "secret": SECRET})
    check(r.status == 403, f"staff may not set up a webhook: {r.status}")
    r = call("POST", "/api/v1/subscriptions", near,
             body={"name": "x", "channel": "email", "target": "nobody@"})
    check(r.status == 400 and "e-mail" in (r.json or {}).get("detail", ""),
          f"a bad address is refused, saying why: {r.status} {r.body[:200]}")
    r = call("GET", f"/api/v1/subscriptions/{hook['id']}/deliveries", near)
    check(r.status == 404, f"another's subscription is not found: {r.status}")
    chans = {c["code"]: c["allowed"] for c in
             must(call("GET", "/api/v1/subscriptions", near), 200, "list")["channels"]}
    check(chans == {"inbox": True, "webhook": False, "email": True, "sms": False},
          f"staff are offered the inbox and e-mail: {chans}")

    # An exceedance: SO2 at 500 mg/m3 for the last three hours.
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    hour = now.replace(minute=0, second=0, microsecond=0)
    lines = ["site,factor,period,time,value,flag"]
    for back in (3, 2, 1):
        t = (hour - datetime.timedelta(hours=back)).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{OUTLET},a21026,hour,{t},500,N")
    must(rit.upload(admin, "\n".join(lines) + "\n"), 200, "import the exceedance")

    got = wait_for("the webhook", lambda: [h for h in Hooks.received
                                           if b"alarm.exceedance" in h[1]])
    if got:
        headers, body = got[0]
        sig = dict(p.split("=", 1) for p in headers.get("X-EcoHub-Signature", "").split(","))
        want = hmac.new(SECRET.encode(), f"{sig.get('t')}.".encode() + body,
                        hashlib.sha256).hexdigest()
        event = json.loads(body)
        check(sig.get("sha256") == want, f"the webhook is signed with the shared secret: {sig}")
        check(event["kind"] == "alarm.exceedance" and "二氧化硫" in event["title"] and
              "京能热电" in event["title"] and event["severity"] == "critical",
              f"the webhook names the site and the item in Chinese: {event}")
        alarm_ref = event["ref"]
    else:
        alarm_ref = None
    mails = wait_for("the e-mail", lambda: [m for m in sink.messages if MAILBOX in m[0]])
    if mails:
        subject, text = subject_of(mails[0][1])
        check("超标告警" in subject and "二氧化硫" in subject,
              f"the e-mail's subject reads in Chinese: {subject}")
        check("https://eco.bureau.test/console/alarms?id=" in text and "500" in text,
              f"the e-mail gives the peak and a link to the alarm: {text[:300]}")

    # The inboxes: the outlet's district, not another.
    inbox = wait_for("the district's inbox",
                     lambda: must(call("GET", "/api/v1/inbox", near), 200, "inbox")["items"])
    mine = [i for i in inbox or [] if i["ref"] == alarm_ref]
    check(len(mine) == 1 and mine[0]["read_at"] is None and mine[0]["kind_name"] == "超标告警",
          f"the alarm is unread in the district staff's inbox: {inbox}")
    theirs = must(call("GET", "/api/v1/inbox", far), 200, "inbox")["items"]
    check(all(i["ref"] != alarm_ref for i in theirs),
          f"another district's staff are not told: {theirs}")
    if mine:
        before = must(call("GET", "/api/v1/inbox/unread", near), 200, "unread")["unread"]
        must(call("POST", f"/api/v1/inbox/{mine[0]['id']}/read", near), 200, "read")
        after = must(call("GET", "/api/v1/inbox/unread", near), 200, "unread")["unread"]
        check(after == before - 1, f"reading it lowers the count: {before} -> {after}")
        r = call("POST", f"/api/v1/inbox/{mine[0]['id']}/read", far)
        check(r.status == 404, f"nobody marks another's message: {r.status}")

    # A complaint from the public at the outlet: the district's staff are told, without
    # the complainant's words or phone.
    code = must(call("POST", "/api/v1/public/complaints",
                     body={"category": "air", "description": "通知测试：烟囱冒黑烟，我家在隔壁",
                           "lon": outlet["lon"], "lat": outlet["lat"], "phone": "13700001111"}),
                201, "a complaint")["tracking_code"]
    told = wait_for("the complaint in the district's inbox", lambda: [
        i for i in must(call("GET", "/api/v1/inbox", near), 200, "inbox")["items"]
        if i["kind"] == "complaint.received" and code in i["body"]])
    if told:
        check(told[0]["title"].startswith("新举报：大气污染") and
              "隔壁" not in told[0]["title"] + told[0]["body"] and
              "13700001111" not in told[0]["body"],
              f"the district's staff are told of the complaint, without personal data: {told[0]}")
        check(not [i for i in must(call("GET", "/api/v1/inbox", far), 200, "inbox")["items"]
                   if i["kind"].startswith("complaint.")],
              "another district's staff are not told of it")

    log = must(call("GET", f"/api/v1/subscriptions/{hook['id']}/deliveries", admin), 200,
               "log")["items"]
    check(any(d["state"] == "sent" and d["attempts"] == 1 for d in log),
          f"the delivery log says sent: {log}")

    # A test message on demand, and nothing in clear at rest.
    count = len(sink.messages)
    must(call("POST", f"/api/v1/subscriptions/{mail['id']}/test", admin), 200, "test")
    check(len(sink.messages) == count + 1 and
          "测试消息" in subject_of(sink.messages[-1][1])[0],
          "a test e-mail goes out at once")
    db = sqlite3.connect(os.path.join(data, "notify.db"))
    stored = " ".join(str(v) for row in db.execute(
        "SELECT target, secret FROM notify_subscriptions") for v in row)
    db.close()
    check(MAILBOX not in stored and SECRET not in stored and "$sm4$" in stored,
          "targets and secrets are sealed in notify.db")


if __name__ == "__main__":
    main()
