#!/usr/bin/env python3
"""A city set up by its own staff, from nothing (issue 13): no --demo, no Beijing.

  python3 city_setup_test.py /path/to/ecohub

1. A server on an empty data directory: /public/city is 404 no-city, no district.
2. `ecohub city init` (while the server runs) with a boundary file of two districts of
   咸阳市: the city's name, code and extent over HTTP, the districts with their
   boundaries; a second run updates and duplicates nothing; a bad file names its feature,
   exits 2 and changes nothing.
3. Through the API: a district more, an enterprise (GB 32100 credit code checked: a wrong
   check character is 400), the same credit code again is 200 (updated), district staff
   write only in their district (403 elsewhere, 403 on districts), an air station and its
   data logger.
4. HJ 212 hourly data for the station through the gateway, acknowledged; the station's and
   the city's AQI over HTTP.
5. Edit and disable enterprises, sites, devices and districts; the city's targets; bulk
   registration from a file (a bad file reports its rows and stores nothing; the same
   file twice changes nothing), over HTTP and `ecohub registry import`.
6. Nothing names another city: no 北京 in the public city, districts and stations.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_access_test as aat  # noqa: E402
from ehtest import check, finish  # noqa: E402

call, bearer, must, login = aat.call, aat.bearer, aat.must, aat.login


def square(west, south, side=0.4):
    return {"type": "Polygon",
            "coordinates": [[[west, south], [west + side, south], [west + side, south + side],
                             [west, south + side], [west, south]]]}


XIANYANG = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "秦都区", "adcode": 610402},
     "geometry": square(108.5, 34.3)},
    {"type": "Feature", "properties": {"name": "渭城区", "adcode": "610404"},
     "geometry": square(108.9, 34.3)},
]}

# A credit code with a right check character (GB 32100's own example) and a second one.
CODE_A = "91350100M000100Y43"
CODE_B = "91110000600037341L"


def problem(r):
    return ((r.json or {}).get("type") or "").rsplit("/", 1)[-1]


def city_init(bin_, data, geo_file):
    return subprocess.run([bin_, "city", "init", "--data", data, "--name", "咸阳市",
                           "--code", "610400", "--districts", geo_file],
                          capture_output=True, text=True, timeout=60)


def gateway_port(work):
    m = re.search(r"^gateway listening on 127\.0\.0\.1:(\d+)$",
                  open(os.path.join(work, "serve.out")).read(), re.M)
    return int(m.group(1))


AQI_HOUR = [("a34004", "60"), ("a34002", "90"), ("a21026", "9"), ("a21004", "40"),
            ("a21005", "0.8"), ("a05024", "80")]


def send_hour(bin_, gw, mn, password, hour, values=AQI_HOUR, st="22"):
    """One HJ 212 hourly packet (CN=2061) of `values` (by default the six AQI
    pollutants); True when acknowledged."""
    data_time = time.strftime("%Y%m%d%H0000", time.gmtime(hour + 8 * 3600))
    cp = {"DataTime": data_time}
    for code, value in values:
        cp[f"{code}-Avg"] = value
        cp[f"{code}-Flag"] = "N"
    line = json.dumps({"header": {"QN": data_time + "001", "ST": st, "CN": "2061",
                                  "PW": password, "MN": mn, "Flag": "5"}, "cp": cp})
    frame = subprocess.run([bin_, "hj212", "encode"], input=line, capture_output=True, text=True,
                           check=True).stdout.strip().encode() + b"\r\n"
    s = socket.create_connection(("127.0.0.1", gw))
    s.settimeout(5)
    s.sendall(frame)
    reply = b""
    try:
        while b"CN=9014" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    except socket.timeout:
        pass
    s.close()
    return b"CN=9014" in reply


def wait_for(fn, what):
    """Polls `fn` until it is truthy (the server reads the registry again within
    seconds of a change from the command line)."""
    for _ in range(100):
        got = fn()
        if got:
            return got
        time.sleep(0.2)
    check(False, f"timed out waiting for {what}")
    return None


def upload(auth, kind, content, dry_run, ctype="text/csv"):
    return call("POST", f"/api/v1/registry/import?kind={kind}&dry_run={str(dry_run).lower()}",
                auth, raw=content, headers={"Content-Type": ctype})


def administer(bin_, gw, data, admin, staff, qindu, weicheng, enterprise, station, mn):
    """6. Edit, disable, targets and bulk registration."""
    # An enterprise's administered fields, and closing it once its outlet is disabled.
    r = call("PATCH", f"/api/v1/enterprises/{enterprise}", admin,
             body={"address": "秦都区渭阳西路 1 号", "key_media": ["air", "water"],
                   "contact_phone": "029-3321 0000", "status": "stopped"})
    check(r.status == 200 and r.json["key_media"] == ["water", "air"] and r.json["key_unit"]
          and r.json["status"] == "stopped", f"PATCH an enterprise: {r.status} {r.body[:200]!r}")
    r = call("PATCH", f"/api/v1/enterprises/{enterprise}", admin, body={"credit_code": CODE_B})
    check(r.status == 400, f"the credit code is the key: {r.status}")
    r = call("PATCH", f"/api/v1/enterprises/{enterprise}", admin, body={"status": "gone"})
    check(r.status == 400, f"an unknown status: {r.status}")
    outlet = must(call("POST", "/api/v1/sites", admin,
                       body={"code": "610402-G1", "name": "1# 锅炉", "kind": "outlet_gas",
                             "district_id": qindu, "enterprise_id": enterprise}), 201, "outlet")
    r = call("PATCH", f"/api/v1/enterprises/{enterprise}", admin, body={"status": "closed"})
    check(r.status == 409 and "610402-G1" in r.body.decode(),
          f"closing with an active outlet: {r.status} {r.body[:200]!r}")
    r = call("PATCH", f"/api/v1/sites/{outlet['id']}", staff, body={"active": False})
    check(r.status == 200 and r.json["active"] is False, f"staff disable their outlet: {r.status}")
    r = call("PATCH", f"/api/v1/enterprises/{enterprise}", admin, body={"status": "closed"})
    check(r.status == 200, f"then the enterprise closes: {r.status}")

    # Disabling the station disables its data logger; it leaves the public map.
    r = call("PATCH", f"/api/v1/sites/{station['id']}", admin, body={"active": False})
    check(r.status == 200, f"disable the station: {r.status}")
    dev = must(call("GET", f"/api/v1/devices?site={station['id']}", admin), 200, "devices")
    check([d["enabled"] for d in dev["items"] if d["mn"] == mn] == [False],
          f"its device is disabled with it: {dev['items']}")
    stations = must(call("GET", "/api/v1/public/stations"), 200, "stations")["items"]
    check(all(s["code"] != station["code"] for s in stations), "a disabled station is off the map")
    r = call("PATCH", f"/api/v1/devices/{mn}", admin, body={"enabled": True})
    check(r.status == 409, f"a device of a disabled site stays off: {r.status}")
    r = call("PATCH", f"/api/v1/sites/{station['id']}", admin, body={"active": True})
    check(r.status == 200, f"enable the station again: {r.status}")
    r = call("PATCH", f"/api/v1/devices/{mn}", admin, body={"enabled": True})
    check(r.status == 200, f"then its device: {r.status}")
    r = call("PATCH", f"/api/v1/sites/{station['id']}", staff, body={"district_id": weicheng})
    check(r.status == 403, f"staff cannot move a site to another district: {r.status}")

    # A noise station needs its GB 3096 functional zone; with it, it is on the map.
    noise = {"code": "610402-N1", "name": "秦都区交通噪声", "kind": "noise", "district_id": qindu,
             "lon": 108.71, "lat": 34.34}
    r = call("POST", "/api/v1/sites", admin, body=noise)
    check(r.status == 400 and "zone" in r.body.decode(), f"a noise site without its zone: {r.status}")
    r = call("POST", "/api/v1/sites", admin, body=dict(noise, attrs={"zone": "4a"}))
    check(r.status == 201 and r.json["attrs"]["zone"] == "4a", f"with zone 4a: {r.status}")
    # A day of hourly Leq through the gateway: 65 dB(A) by day (limit 70), 58 at night
    # (limit 55): the day meets, the night exceeds by 3.0.
    must(call("POST", "/api/v1/devices", admin,
              body={"mn": "61040200000077", "site_id": r.json["id"], "password": "n0ise1"}),
         201, "noise logger")
    today = (int(time.time()) + 8 * 3600) // 86400 * 86400 - 8 * 3600
    day = today - 86400  # yesterday, Beijing
    sent = 0
    for h in range(24):
        leq = "65.0" if 6 <= h < 22 else "58.0"
        for _ in range(50):
            if send_hour(bin_, gw, "61040200000077", "n0ise1", day + h * 3600,
                         [("Leq", leq)], st="23"):
                sent += 1
                break
            time.sleep(0.2)
    check(sent == 24, f"24 hours of Leq acknowledged: {sent}")
    rows = wait_for(lambda: [x for x in call("GET", f"/api/v1/noise/days?site=610402-N1&from={day}"
                                                    f"&to={day + 86400}", admin).json["items"]
                             if x["night"]["complete"]], "the noise day")
    if rows:
        d = rows[0]
        check(d["day"]["value"] == 65.0 and d["day"]["meets"] is True
              and d["night"]["value"] == 58.0 and d["night"]["exceedance"] == 3.0,
              f"GB 3096 day of zone 4a: {d}")
    r = call("GET", "/api/v1/noise/days?site=610402-N1")
    check(r.status == 401, f"the noise days need a login: {r.status}")

    # Districts: one in use cannot be disabled; an empty one can, and takes nothing new.
    r = call("PATCH", f"/api/v1/districts/{qindu}", admin, body={"active": False})
    check(r.status == 409, f"a district in use stays: {r.status}")
    xingping = [d for d in must(call("GET", "/api/v1/districts", admin), 200, "d")["items"]
                if d["code"] == "610481"][0]
    r = call("PATCH", f"/api/v1/districts/{xingping['id']}", admin, body={"active": False})
    check(r.status == 200 and r.json["active"] is False, f"disable an empty district: {r.status}")
    r = call("POST", "/api/v1/enterprises", admin,
             body={"name": "兴平某厂", "credit_code": aat.credit_code(610481),
                   "district_id": xingping["id"]})
    check(r.status == 409, f"nothing new in a disabled district: {r.status}")
    feats = must(call("GET", "/api/v1/public/city/districts"), 200, "d")["features"]
    check("610481" not in [f["properties"]["code"] for f in feats], "it leaves the public map")

    # The city's targets.
    r = call("PUT", "/api/v1/city/targets", staff, body={"pm25_annual": 30})
    check(r.status == 403, f"staff set no target: {r.status}")
    r = call("PUT", "/api/v1/city/targets", admin, body={"pm25_annual": 0})
    check(r.status == 400, f"a target of 0: {r.status}")
    r = call("PUT", "/api/v1/city/targets", admin,
             body={"pm25_annual": 33, "good_days_percent": 82.5})
    check(r.status == 200, f"set targets: {r.status}")
    t = must(call("GET", "/api/v1/public/city"), 200, "city")["targets"]
    check(t == {"pm25_annual": 33, "good_days_percent": 82.5, "water_percent": None},
          f"the targets on the public city: {t}")

    # Bulk registration: a bad file shows its rows and stores nothing; a good one is
    # stored all at once and again changes nothing.
    good = ("站点编码 [code],站点名称 [name],类型 [kind],区县代码 [district],经度 [lon],纬度 [lat],"
            "目标水质类别 [target_class]\r\n"
            "610402-W1,渭河咸阳铁桥,water,610402,108.70,34.32,III\r\n"
            "610404-A2,渭城中学,air,610404,108.75,34.36,\r\n").encode()
    bad = good + "610404-A3,坏,smog,610499,east,34.3,\r\n610402-W1,重复,water,610402,,,\r\n".encode()
    r = upload(admin, "sites", bad, False)
    errors = {(e["row"], e["column"]) for e in (r.json or {}).get("errors", [])}
    check(r.status == 422 and (4, "district") in errors and (5, "code") in errors,
          f"a bad file: 422 with rows and columns: {r.status} {r.body[:400]!r}")
    sites = must(call("GET", "/api/v1/sites?q=610402-W1", admin), 200, "sites")["items"]
    check(sites == [], "and nothing of it stored")
    r = upload(admin, "sites", good, True)
    check(r.status == 200 and r.json["created"] == 2 and not r.json["committed"],
          f"a dry run: {r.status} {r.body[:200]!r}")
    r = upload(staff, "sites", good, False)
    check(r.status == 422 and [(e["row"], e["column"]) for e in r.json["errors"]] == [(3, "district")]
          and r.json["errors"][0]["reason"].startswith("not allowed: ")
          and "Not allowed" not in r.json["errors"][0]["reason"],
          f"district staff: a row of another district: {r.status} {r.body[:300]!r}")
    r = upload(admin, "sites", good, False)
    check(r.status == 200 and r.json["created"] == 2 and r.json["committed"],
          f"the file stored: {r.status} {r.body[:200]!r}")
    r = upload(admin, "sites", good, False)
    check(r.status == 200 and r.json["unchanged"] == 2 and r.json["created"] == 0,
          f"again: nothing changes: {r.status} {r.body[:200]!r}")
    w1 = must(call("GET", "/api/v1/sites?q=610402-W1", admin), 200, "sites")["items"]
    check(len(w1) == 1 and w1[0]["attrs"].get("target_class") == "III",
          f"the section with its target class: {w1}")
    r = call("GET", "/api/v1/registry/templates/enterprises?format=xlsx", admin)
    check(r.status == 200 and r.body[:2] == b"PK", f"the XLSX template: {r.status}")
    # The same through the command line, from that template's header.
    tpl = call("GET", "/api/v1/registry/templates/devices?format=csv", admin).body.decode("utf-8-sig")
    path = os.path.join(data, "..", "devices.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(tpl.strip() + "\n61040400000009,610404-A2,pw123456,1,utf-8,\n")
    run = subprocess.run([bin_, "registry", "import", "--data", data, "--kind", "devices",
                          "--file", path], capture_output=True, text=True, timeout=60)
    check(run.returncode == 0 and "1 new" in run.stdout,
          f"ecohub registry import: exit {run.returncode} {run.stdout} {run.stderr[-300:]}")
    wait_for(lambda: [d for d in call("GET", "/api/v1/devices", admin).json["items"]
                      if d["mn"] == "61040400000009"], "the imported device")


def public_page_in_chromium(work):
    """The portal as a browser shows it: the city's name and its district, and no other
    city's name (北京时间, the time zone, is not a city)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        check(False, "chromium is not installed (scripts/setup.sh installs it)")
        return
    page = ""
    for _ in range(3):  # the page renders once the API has answered
        r = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu",
                            f"--user-data-dir={work}/chromium", "--virtual-time-budget=15000",
                            "--dump-dom", f"http://127.0.0.1:{aat.PORT}/"],
                           capture_output=True, text=True, timeout=120)
        page = r.stdout
        if "秦都区" in page:
            break
    check("咸阳市" in page and "秦都区" in page,
          f"the public page names the city and its district: {len(page)} bytes")
    check(re.search("北京(?!时间)|Beijing", page) is None, "and no other city")


def main():
    bin_ = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ecohub-city-")
    data = os.path.join(work, "data")
    proc = None
    t0 = time.time()
    try:
        proc = aat.start_server(bin_, work, demo=False)
        r = call("GET", "/api/v1/public/city")
        check(r.status == 404 and problem(r) == "no-city",
              f"an empty deployment has no city: {r.status} {problem(r)}")
        r = call("GET", "/api/v1/public/city/districts")
        check(r.status == 200 and r.json["features"] == [], "and no district")

        geo = os.path.join(work, "xianyang.geojson")
        with open(geo, "w") as f:
            json.dump(XIANYANG, f, ensure_ascii=False)
        run = city_init(bin_, data, geo)
        check(run.returncode == 0 and "2 new" in run.stdout,
              f"city init: exit {run.returncode}: {run.stdout.strip()} {run.stderr.strip()}")
        run = city_init(bin_, data, geo)
        check(run.returncode == 0 and "0 new, 2 updated" in run.stdout,
              f"city init again updates: {run.stdout.strip()}")
        bad = os.path.join(work, "bad.geojson")
        with open(bad, "w") as f:
            json.dump({"type": "FeatureCollection", "features": [
                XIANYANG["features"][0],
                {"type": "Feature", "properties": {"name": "兴平市"},
                 "geometry": {"type": "Point", "coordinates": [108.4, 34.3]}}]}, f,
                ensure_ascii=False)
        run = city_init(bin_, data, bad)
        check(run.returncode == 2 and "feature 2 (兴平市)" in run.stderr,
              f"a bad file names its feature: exit {run.returncode}: {run.stderr.strip()}")

        city = must(call("GET", "/api/v1/public/city"), 200, "the city")
        check(city["name"] == "咸阳市" and city["code"] == "610400"
              and city["bbox"] == [108.5, 34.3, 109.3, 34.7]
              and city["center"] == [108.9, 34.5], f"the city over HTTP: {city}")
        features = []
        for _ in range(100):  # the server reads the registry again within seconds
            features = must(call("GET", "/api/v1/public/city/districts"), 200, "districts")["features"]
            if len(features) == 2:
                break
            time.sleep(0.2)
        names = sorted(f["properties"]["name"] for f in features)
        check(names == ["渭城区", "秦都区"] and all(f["geometry"]["type"] == "Polygon" for f in features),
              f"two districts with their boundaries, none twice: {names}")
        by_code = {f["properties"]["code"]: f["properties"]["id"] for f in features}
        qindu, weicheng = by_code["610402"], by_code["610404"]

        admin = bearer(must(login("admin", aat.PASSWORD), 200, "admin login")["token"])
        r = call("POST", "/api/v1/districts", admin,
                 body={"code": "610481", "name": "兴平市", "geometry": square(108.1, 34.3)})
        check(r.status == 201, f"a district through the API: {r.status}")
        r = call("POST", "/api/v1/districts", admin, body={"code": "610481", "name": "兴平市"})
        check(r.status == 200, f"the same code again updates: {r.status}")
        r = call("POST", "/api/v1/districts", admin, body={"code": "6104", "name": "x"})
        check(r.status == 400, f"a code of four digits: {r.status}")

        ent = {"name": "咸阳某化工有限公司", "credit_code": CODE_A, "district_id": qindu,
               "industry": "2614", "key_unit": True, "lon": 108.7, "lat": 34.4}
        r = call("POST", "/api/v1/enterprises", admin, body=ent)
        check(r.status == 201, f"an enterprise: {r.status} {r.body[:200]!r}")
        enterprise = r.json["id"]
        r = call("POST", "/api/v1/enterprises", admin, body=dict(ent, name="咸阳某化工公司"))
        check(r.status == 200 and r.json["id"] == enterprise, f"the same credit code updates: {r.status}")
        r = call("POST", "/api/v1/enterprises", admin, body=dict(ent, credit_code=CODE_A[:-1] + "4"))
        check(r.status == 400 and "check character" in r.body.decode(),
              f"a wrong check character: {r.status} {r.body[:160]!r}")

        aat.create_user(types.SimpleNamespace(auth=admin), "qindu_staff", "staff", district=qindu,
                        department="monitoring")
        staff = bearer(must(login("qindu_staff", aat.PASSWORD), 200, "staff login")["token"])
        r = call("POST", "/api/v1/enterprises", staff,
                 body={"name": "渭城某厂", "credit_code": CODE_B, "district_id": weicheng})
        check(r.status == 403, f"district staff: another district's enterprise: {r.status}")
        r = call("POST", "/api/v1/enterprises", staff,
                 body={"name": "秦都某厂", "credit_code": CODE_B, "district_id": qindu})
        check(r.status == 201, f"district staff: an enterprise of their own district: {r.status}")
        r = call("POST", "/api/v1/districts", staff, body={"code": "610402", "name": "秦都区"})
        check(r.status == 403, f"district staff change no district: {r.status}")

        site = must(call("POST", "/api/v1/sites", admin,
                         body={"code": "610402051", "name": "秦都环保局", "kind": "air",
                               "district_id": qindu, "lon": 108.7, "lat": 34.35}), 201, "station")
        mn, password = "61040200000001", "910214"
        r = call("POST", "/api/v1/devices", admin,
                 body={"mn": mn, "site_id": site["id"], "password": password,
                       "protocol_version": 1})
        check(r.status in (200, 201), f"its data logger: {r.status} {r.body[:200]!r}")
        gw = gateway_port(work)
        hour = (int(time.time()) // 3600 - 1) * 3600
        acked = False
        for _ in range(50):  # the gateway learns the device with the registry
            acked = send_hour(bin_, gw, mn, password, hour)
            if acked:
                break
            time.sleep(0.2)
        check(acked, "the station's hourly packet is acknowledged")
        row = {}
        for _ in range(100):
            r = call("GET", f"/api/v1/aqi?scope=city&period=hour&from={hour}&to={hour + 3600}",
                     admin)
            row = r.json["items"][0] if r.status == 200 and r.json.get("items") else {}
            if isinstance(row.get("aqi"), int):
                break
            time.sleep(0.2)
        # The city's hour is its one station's: an AQI from the six values sent.
        check(isinstance(row.get("aqi"), int) and row["aqi"] > 50,
              f"the city's AQI of that hour: {row.get('aqi')} {row.get('primary')}")

        administer(bin_, gw, data, admin, staff, qindu, weicheng, enterprise, site, mn)

        texts = [call("GET", p).body.decode() for p in
                 ("/api/v1/public/city", "/api/v1/public/city/districts",
                  "/api/v1/public/stations")]
        check(not any("北京" in t for t in texts), "no other city's name in the public answers")
        public_page_in_chromium(work)
        r = subprocess.run([bin_, "audit", "verify", "--data", data], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0, f"audit verify: exit {r.returncode} {r.stdout.strip()[-200:]}")
    except Exception as e:  # noqa: BLE001 - report, keep the logs
        check(False, f"aborted: {e!r}; logs under {work}")
    finally:
        aat.stop_server(proc)
    print(f"took {time.time() - t0:.1f} s")
    if finish() == 0:
        shutil.rmtree(work, ignore_errors=True)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
