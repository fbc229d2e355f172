#!/usr/bin/env python3
"""End-to-end gateway benchmark: ecohub serve on a fresh data directory, ecohub sim
as N loggers, figures read from the server's /metrics.

Prints readings/s durably stored (acknowledged after commit), p50/p99 packet-received
to 9014-sent, the server's peak memory with 10,000 idle connections, and bytes on
disk per stored value. Every process runs on 127.0.0.1 and is stopped at the end.

BENCH_CONNECTIONS (1000) loggers each send a packet every BENCH_INTERVAL (0.06) s for
BENCH_SECONDS (20) s; about 6 readings a packet, so 1000 at 0.125 s is about 50,000
readings/s. BENCH_PIN (on with two cores or more) keeps the simulator on the last core
and the server on the others. BENCH_IDLE (10000) idle connections for the memory
figure; 0 skips it.

The load runs twice: with the loggers' clocks in lockstep (every logger crosses each
10-minute and hour boundary in the same tick, so with compressed time the whole fleet
sends its interval records at once every few real seconds) and staggered (`sim
--stagger`: the interval records spread over time, as the realtime uploads are).
BENCH_STAGGER=lockstep or staggered runs only that one. Each run prints the server's
histogram bounds and the loggers' own exact send-to-9014 latencies."""
import json, os, resource, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import metrics, pinned, proc_status, quantile, split_cores  # noqa: E402

BIN = sys.argv[1]
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "1000"))
INTERVAL = float(os.environ.get("BENCH_INTERVAL", "0.06"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
IDLE = int(os.environ.get("BENCH_IDLE", "10000"))

SERVER_CPUS, SIM_CPUS = split_cores()

def start(data, devices):
    extra = []
    if os.environ.get("BENCH_DERIVE", "on") == "off":  # compare: no derivation on this node
        with open(data + ".toml", "w") as f:
            f.write("[derive]\nenabled = false\n")
        extra = ["--config", data + ".toml"]
    return benchlib.start(BIN, data, devices, extra, cpus=SERVER_CPUS)

def rss_peak(pid):
    return proc_status(pid, "VmHWM")

_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 10,000 sockets each side
work = tempfile.mkdtemp()


def load(mode):
    """Throughput and latency with CONNS connections; `mode`: lockstep or staggered."""
    data = os.path.join(work, "load-" + mode)
    srv, gw, http = start(data, CONNS)
    extra = ["--stagger"] if mode == "staggered" else []
    sim = subprocess.Popen([BIN, "sim", "--target", f"127.0.0.1:{gw}", "--devices", str(CONNS),
                            "--duration", str(SECONDS + 10), "--interval", str(INTERVAL), "--faults", "off",
                            "--drain", "30", "--warmup", "5"] + extra, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, preexec_fn=pinned(SIM_CPUS))
    time.sleep(5)  # warm-up: connections open, first commits
    m0, t0 = metrics(http), time.time()
    time.sleep(SECONDS)
    m1, t1 = metrics(http), time.time()
    rows = m1.get("ecohub_gateway_readings_total", 0) - m0.get("ecohub_gateway_readings_total", 0)
    acks = m1.get("ecohub_gateway_acks_sent_total", 0) - m0.get("ecohub_gateway_acks_sent_total", 0)
    p50 = quantile(m1, "ecohub_gateway_ack_latency_seconds", 0.50, m0)
    p99 = quantile(m1, "ecohub_gateway_ack_latency_seconds", 0.99, m0)
    sim_out = sim.communicate()[0].decode().strip()
    cpu = os.popen(f"ps -o times= -p {srv.pid}").read().strip()
    srv.terminate(); srv.wait()
    stats = json.loads(subprocess.run([BIN, "db", "stats", "--data", data], capture_output=True,
                                      text=True, check=True).stdout)
    print(f"gateway ({mode}): {CONNS} connections, {rows / (t1 - t0):,.0f} readings/s durably stored, "
          f"{acks / (t1 - t0):,.0f} packets/s acked; ack latency p50 <= {p50 * 1000:.2f} ms, "
          f"p99 <= {p99 * 1000:.2f} ms (histogram bucket upper bounds); commit p99 <= "
          f"{m1.get('ecohub_writer_commit_p99_micros', 0) / 1000:.2f} ms; server CPU {cpu} s")
    print(f"sim: {sim_out}")
    got = json.loads(sim_out)
    print(f"loggers' view ({mode}, {got['acks_timed']:,} first transmissions after 5 s): send to 9014 "
          f"p50 {got['ack_p50_ms']:.1f} ms, p99 {got['ack_p99_ms']:.1f} ms, "
          f"p99.9 {got['ack_p999_ms']:.1f} ms, max {got['ack_max_ms']:.1f} ms")
    if SIM_CPUS:
        print(f"pinned: server on cores {sorted(SERVER_CPUS)}, simulator on core {min(SIM_CPUS)}")
    print(f"disk: {stats['readings']:,} readings in {stats['bytes_on_disk']:,} bytes: "
          f"{stats['reading_bytes_per_reading']:.2f} bytes per stored value for the readings, "
          f"{stats['raw_packet_bytes_per_reading']:.2f} more for the raw packets kept for tracing "
          f"({stats['bytes_per_reading']:.2f} in all)")

try:
    for mode in ("lockstep", "staggered"):
        if os.environ.get("BENCH_STAGGER", mode) == mode:
            load(mode)

    # 2. Peak memory with IDLE idle connections.
    if IDLE <= 0:
        raise SystemExit(0)
    data = os.path.join(work, "idle")
    srv, gw, http = start(data, IDLE)
    base = rss_peak(srv.pid)
    sim = subprocess.Popen([BIN, "sim", "--target", f"127.0.0.1:{gw}", "--devices", str(IDLE),
                            "--duration", "3600", "--interval", "3600", "--faults", "off"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conns = 0
    for _ in range(600):
        conns = metrics(http).get("ecohub_gateway_connections", 0)
        if conns >= IDLE:
            break
        time.sleep(0.2)
    time.sleep(2)
    peak = rss_peak(srv.pid)
    print(f"idle: {int(conns):,} connections open, server peak RSS {peak:.1f} MB "
          f"(before connecting {base:.1f} MB; {(peak - base) * 1024 / max(conns, 1):.1f} KB per connection)")
    sim.kill(); srv.terminate(); srv.wait()
finally:
    shutil.rmtree(work, ignore_errors=True)
