#!/usr/bin/env python3
"""Soak: 1,000 simulated loggers streaming into one `ecohub serve` for an hour (by
default), with what must stay flat sampled every minute and printed as a table:

  RSS        resident memory of the server (MB)
  fds        its open files and sockets
  db         bytes of the store (SQLite: the data folder; PostgreSQL: pg_database_size)
  wal        bytes of the write-ahead log (SQLite: ecohub.db-wal; PostgreSQL: pg_wal)
  ack p99    of the acknowledgements sent in that minute (histogram bucket bound, ms)
  aqi ms     response time of GET /api/v1/public/aqi/city, median of 5
  rows/s     readings durably stored per second in that minute

and at the end the RSS growth after warm-up (the first `--warmup` minutes), in MB per
hour: a server that leaks shows it there.

  python3 bench/soak.py build/ecohub [--minutes 60] [--loggers 1000] [--interval 2]
                                      [--warmup 10] [--store postgresql://...]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import metrics, proc_status, quantile, start  # noqa: E402


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def store_sizes(args, data):
    if not args.store:
        wal = os.path.join(data, "ecohub.db-wal")
        return folder_bytes(data), os.path.getsize(wal) if os.path.exists(wal) else 0
    q = ("SELECT pg_database_size(current_database()), "
         "(SELECT COALESCE(sum(size), 0) FROM pg_ls_waldir())")
    out = subprocess.run(["psql", "-At", "-F", " ", args.store, "-c", q], capture_output=True,
                         text=True).stdout.split()
    return (int(out[0]), int(out[1])) if len(out) == 2 else (0, 0)


def aqi_ms(http):
    times = []
    for _ in range(5):
        t = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{http}/api/v1/public/aqi/city", timeout=30).read()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--loggers", type=int, default=1000)
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between uploads of a logger")
    ap.add_argument("--warmup", type=float, default=10, help="minutes before growth is counted")
    ap.add_argument("--store", default="", help="a PostgreSQL URL (default: SQLite)")
    args = ap.parse_args()
    work = tempfile.mkdtemp()
    data = os.path.join(work, "data")
    extra = ["--store", args.store] if args.store else []
    srv, gw, http = start(args.bin, data, args.loggers, extra)
    seconds = int(args.minutes * 60)
    sim = subprocess.Popen([args.bin, "sim", "--target", f"127.0.0.1:{gw}", "--devices", str(args.loggers),
                            "--duration", str(seconds + 30), "--interval", str(args.interval),
                            "--faults", "off", "--drain", "30"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"soak: {args.loggers} loggers every {args.interval} s for {args.minutes:g} min into "
          f"{'PostgreSQL' if args.store else 'SQLite'}; one row per minute")
    print(f"{'min':>5} {'RSS MB':>7} {'fds':>5} {'db MB':>8} {'wal MB':>7} {'ack p99':>8} "
          f"{'aqi ms':>7} {'rows/s':>8}")
    samples = []
    try:
        m0, t0 = metrics(http), time.time()
        step = 60 if args.minutes >= 2 else max(5, seconds // 4)
        for i in range(1, max(1, seconds // step) + 1):
            time.sleep(max(0, t0 + step - time.time()))
            m1, t1 = metrics(http), time.time()
            rows = (m1.get("ecohub_gateway_readings_total", 0) - m0.get("ecohub_gateway_readings_total", 0)) / (t1 - t0)
            p99 = quantile(m1, "ecohub_gateway_ack_latency_seconds", 0.99, m0) * 1000
            rss = proc_status(srv.pid, "VmRSS")
            fds = len(os.listdir(f"/proc/{srv.pid}/fd"))
            db, wal = store_sizes(args, data)
            ms = aqi_ms(http)
            minute = i * step / 60
            samples.append((minute, rss))
            print(f"{minute:>5.1f} {rss:>7.1f} {fds:>5} {db / 2**20:>8.1f} {wal / 2**20:>7.1f} "
                  f"{p99:>7.1f}  {ms:>7.1f} {rows:>8,.0f}", flush=True)
            m0, t0 = m1, t1
    finally:
        sim.kill()
        srv.terminate()
        srv.wait()
        shutil.rmtree(work, ignore_errors=True)
    after = [(m, r) for m, r in samples if m > args.warmup]
    if len(after) >= 2:
        growth = (after[-1][1] - after[0][1]) / ((after[-1][0] - after[0][0]) / 60)
        print(f"RSS after warm-up: {after[0][1]:.1f} -> {after[-1][1]:.1f} MB, "
              f"{growth:+.1f} MB per hour")
    else:
        print("run longer than --warmup for the growth after warm-up")


if __name__ == "__main__":
    main()
