#!/usr/bin/env python3
"""Base backup plus WAL archive of the Patroni cluster, restored to a point in time.

Starts scripts/cluster.sh, commits rows 1..50, takes a base backup (scripts/pg-backup.sh
base), commits 51..100, kills the primary (Patroni promotes a replica: a new timeline),
commits 101..150, notes the server's clock, commits 151..200, and has the WAL archived.
Restoring the base backup with the archive to the noted time (scripts/pg-backup.sh restore)
into a new single server must give exactly rows 1..150: the rows after the backup come from
the archive, across the failover, and the rows after the target time are not applied.

Exit 0 pass, 1 fail, 77 skipped (patroni, etcd or postgresql-15 not installed).
"""

import os
import time

import cluster_lib

ARCHIVE_BOUND_SECONDS = 60


def insert(url, first, last):
    cluster_lib.psql(url, "".join("INSERT INTO kept VALUES (%d);" % i
                                  for i in range(first, last + 1)), timeout=120)


def wait_archived(url, archive):
    """Closes the current WAL segment and waits (bounded) until it is in the archive."""
    segment = cluster_lib.psql(url, "SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + ARCHIVE_BOUND_SECONDS
    while not os.path.exists(os.path.join(archive, segment)):
        if time.monotonic() > deadline:
            raise RuntimeError("WAL segment %s not archived within %d s" %
                               (segment, ARCHIVE_BOUND_SECONDS))
        time.sleep(0.2)


def main():
    cluster_lib.skip_unless_installed()
    with cluster_lib.Cluster() as cluster:
        url = cluster.facts["PG_URL"]
        archive = os.path.join(cluster.dir, "wal-archive")
        cluster_lib.psql(url, "CREATE TABLE kept (id integer PRIMARY KEY)")
        insert(url, 1, 50)
        base = cluster_lib.facts(cluster_lib.run(
            [cluster_lib.PG_BACKUP_SH, "base", os.path.join(cluster.dir, "backups"), url],
            timeout=300))["BASE"]
        insert(url, 51, 100)
        cluster.kill_primary()
        if not cluster_lib.wait_for_writes(url, 60):
            raise RuntimeError("no write succeeded within 60 s of the promotion")
        insert(url, 101, 150)
        target = cluster_lib.psql(url, "SELECT clock_timestamp()")
        insert(url, 151, 200)
        wait_archived(url, archive)

        restored_dir = os.path.join(cluster.dir, "restored")
        restored = cluster_lib.facts(cluster_lib.run(
            [cluster_lib.PG_BACKUP_SH, "restore", base, archive, target, restored_dir],
            timeout=400))
        try:
            got = cluster_lib.psql(restored["RESTORED_URL"],
                                   "SELECT count(*), min(id), max(id) FROM kept")
            # The restored server accepts writes: it was promoted at the target.
            cluster_lib.psql(restored["RESTORED_URL"], "INSERT INTO kept VALUES (1000)")
        finally:
            cluster_lib.run([cluster_lib.PG_BACKUP_SH, "stop", restored_dir], timeout=120)
        if got != "150|1|150":
            print("FAIL: restored to %s: expected rows 1..150 (150|1|150), got %s" %
                  (target, got))
            return 1
        print("PASS: restored to %s across a failover: rows 1..150, none of 151..200" % target)
        return 0


if __name__ == "__main__":
    cluster_lib.exit_with(main)
