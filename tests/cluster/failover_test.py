#!/usr/bin/env python3
"""The PostgreSQL primary of the Patroni cluster killed with -9: nothing acknowledged is lost.

Starts scripts/cluster.sh in a temporary folder and talks to it only through the libpq
multi-host URL it prints (target_session_attrs=read-write). Commits rows 1..N one by one,
keeps a writer committing further rows while the primary's postgres and Patroni are killed,
waits (bounded) for Patroni to promote the synchronous replica, and checks that every row
whose commit psql acknowledged is on the new primary, that writes go on through the same URL
and through HAProxy, and that the cluster stops leaving nothing behind.

Exit 0 pass, 1 fail, 77 skipped (patroni, etcd or postgresql-15 not installed).
"""

import threading
import time

import cluster_lib

ROWS_BEFORE = 200
PROMOTION_BOUND_SECONDS = 60


class Writer(threading.Thread):
    """Commits rows from FIRST on, one transaction each, until stopped; keeps the ids whose
    commit was acknowledged. Failed commits (primary gone) are tried with the next id."""

    def __init__(self, url, first):
        super().__init__(daemon=True)
        self.url, self.next_id = url, first
        self.acked, self.failed = [], 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            if cluster_lib.psql_ok(self.url, "INSERT INTO acked VALUES (%d)" % self.next_id):
                self.acked.append(self.next_id)
            else:
                self.failed += 1
                time.sleep(0.2)
            self.next_id += 1


def main():
    cluster_lib.skip_unless_installed()
    with cluster_lib.Cluster() as cluster:
        url = cluster.facts["PG_URL"]
        print("cluster up in %.1f s (primary %s)" % (cluster.start_seconds,
                                                     cluster.facts.get("PRIMARY")))
        cluster_lib.psql(url, "CREATE TABLE acked (id integer PRIMARY KEY)")
        # Each statement is its own transaction: psql -c with several statements commits each.
        cluster_lib.psql(url, "".join("INSERT INTO acked VALUES (%d);" % i
                                      for i in range(1, ROWS_BEFORE + 1)), timeout=120)
        writer = Writer(url, ROWS_BEFORE + 1)
        writer.start()
        time.sleep(1)  # let the writer commit through the old primary first
        killed = cluster.kill_primary()
        print("killed %s; %s promoted in %s s" % (killed["KILLED"], killed["PRIMARY"],
                                                  killed["PROMOTION_SECONDS"]))
        if not cluster_lib.wait_for_writes(url, PROMOTION_BOUND_SECONDS):
            print("FAIL: no write succeeded through %s within %d s of the promotion" %
                  (url, PROMOTION_BOUND_SECONDS))
            return 1
        time.sleep(1)  # and a second of commits through the new primary
        writer.stopping.set()
        writer.join(timeout=30)

        acked = set(range(1, ROWS_BEFORE + 1)) | set(writer.acked)
        present = {int(x) for x in cluster_lib.psql(url, "SELECT id FROM acked").split()}
        lost = sorted(acked - present)
        print("%d rows acknowledged (%d by the writer during the failover, %d commits failed), "
              "%d present, %d lost" % (len(acked), len(writer.acked), writer.failed,
                                       len(present), len(lost)))
        if lost:
            print("FAIL: acknowledged rows lost in the failover: %s" % lost[:20])
            return 1
        cluster_lib.psql(url, "INSERT INTO acked VALUES (-1)")
        if "HAPROXY_URL" in cluster.facts:
            cluster_lib.wait_for_writes(cluster.facts["HAPROXY_URL"], 30)
            cluster_lib.psql(cluster.facts["HAPROXY_URL"], "INSERT INTO acked VALUES (-2)")
        print("PASS: start %.1f s, promotion %s s, 0 acknowledged rows lost" %
              (cluster.start_seconds, killed["PROMOTION_SECONDS"]))
        return 0


if __name__ == "__main__":
    cluster_lib.exit_with(main)
