"""What the Python benchmarks share: free ports, starting `ecohub serve` on the demo
city, reading /metrics, and quantiles of its histograms."""
import os, re, socket, subprocess, time, urllib.request


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def start(bin_path, data, devices, extra=(), cpus=None):
    """`ecohub serve --demo` with `devices` loggers and no history on `data`; returns
    (process, gateway port, http port) once it listens. `cpus`: the cores it (every
    thread of it) may run on; None: any."""
    gw = free_port()
    out = open(data + ".out", "w")
    p = subprocess.Popen([bin_path, "--log-level", "error", "serve", "--data", data, "--demo",
                          "--demo-devices", str(devices), "--demo-history-days", "0",
                          "--gateway-listen", f"127.0.0.1:{gw}", "--http-listen", "127.0.0.1:0"]
                         + list(extra), stdout=out, stderr=subprocess.DEVNULL,
                         preexec_fn=pinned(cpus))
    for _ in range(600):
        m = re.search(r"http listening on .*:(\d+)", open(data + ".out").read())
        if m:
            return p, gw, int(m.group(1))
        if p.poll() is not None:
            raise SystemExit("server exited at start")
        time.sleep(0.1)
    raise SystemExit("server did not start")


def pinned(cpus):
    """A preexec_fn that keeps a child (and every thread it starts) on `cpus`."""
    return None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))


def split_cores():
    """(server cores, load generator core) when BENCH_PIN is on (the default with two
    or more cores): the load generator gets the last core to itself, so that its own
    scheduling delays are not counted as the server's; (None, None) otherwise."""
    cores = sorted(os.sched_getaffinity(0))
    if os.environ.get("BENCH_PIN", "on") != "on" or len(cores) < 2:
        return None, None
    return set(cores[:-1]), {cores[-1]}


def metrics(http):
    body = urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=10).read().decode()
    m = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            m[k] = float(v)
    return m


def _buckets(m, name):
    return sorted(((float("inf") if k.split('le="')[1][:-2] == "+Inf" else float(k.split('le="')[1][:-2]), v)
                   for k, v in m.items() if k.startswith(name + "_bucket")))


def quantile(m, name, q, since=None):
    """The upper bound of the histogram bucket holding quantile q (of what was added
    since the metrics `since`, when given)."""
    buckets = _buckets(m, name)
    if since:
        old = dict(_buckets(since, name))
        buckets = [(le, c - old.get(le, 0)) for le, c in buckets]
    total = buckets[-1][1] if buckets else 0
    if total == 0:
        return 0
    for le, c in buckets:
        if c >= q * total:
            return le
    return buckets[-1][0]


def proc_status(pid, key):
    """A /proc/PID/status field in MB (VmRSS, VmHWM)."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0
