"""What the cluster tests share: finding the tools, running scripts/cluster.sh, and psql.

Only the Python standard library and Debian's command line clients (psql) are used.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(REPO, "scripts", "cluster.sh")
PG_BACKUP_SH = os.path.join(REPO, "scripts", "pg-backup.sh")
SKIP = 77


def skip_unless_installed():
    """Exits 77 (ctest's SKIP_RETURN_CODE) naming what is missing."""
    missing = [tool for tool in ("patroni", "patronictl", "etcd", "psql", "curl", "pg_basebackup")
               if shutil.which(tool) is None]
    if not os.path.exists("/usr/lib/postgresql/15/bin/postgres"):
        missing.append("postgresql-15")
    if missing:
        print("SKIP: not installed: " + ", ".join(missing) +
              " (apt-get install patroni etcd-server etcd-client haproxy postgresql-15 curl)")
        sys.exit(SKIP)


def exit_with(main):
    """Exits with main()'s code; an exception becomes exit 1 with a clear FAIL line."""
    try:
        code = main()
    except Exception as error:  # pylint: disable=broad-except
        print("FAIL: %s" % error)
        code = 1
    sys.exit(code)


def facts(output):
    """The KEY=VALUE lines a script prints, as a dict."""
    found = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isupper():
            found[key] = value
    return found


def run(args, timeout):
    """Runs a command; on failure prints its output and raises."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(args), done.returncode,
                                                      done.stdout, done.stderr))
    return done.stdout


def psql(url, sql, timeout=30):
    """Runs SQL (one or more statements, each its own transaction) through psql; returns
    the unaligned output. Raises on any error."""
    return run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", url, "-c", sql], timeout).strip()


def psql_ok(url, sql):
    """True when psql ran SQL and exited 0 (the commit was acknowledged)."""
    try:
        psql(url, sql, timeout=10)
        return True
    except (RuntimeError, subprocess.TimeoutExpired):
        return False


def wait_for_writes(url, seconds):
    """Retries a write until it succeeds (libpq finds the new primary) or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if psql_ok(url, "SELECT txid_current()"):
            return True
        time.sleep(0.5)
    return False


class Cluster:
    """scripts/cluster.sh start in a fresh temporary folder; stop and removal on exit."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="ecohub-cluster-")
        started = time.monotonic()
        args = [CLUSTER_SH, "start", self.dir]
        if shutil.which("haproxy") is None:
            args.append("--no-haproxy")
        try:
            self.facts = facts(run(args, timeout=300))
        except Exception:
            self.__exit__(None, None, None)
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def kill_primary(self):
        return facts(run([CLUSTER_SH, "kill-primary", self.dir], timeout=180))

    def __exit__(self, *exc):
        try:
            run([CLUSTER_SH, "stop", self.dir], timeout=180)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False
