#!/usr/bin/env bash
# Base backup and point in time restore for EcoHub's PostgreSQL (the cluster of
# scripts/cluster.sh, or any PostgreSQL 15 that archives its WAL).
#
#   scripts/pg-backup.sh base DIR URL
#       pg_basebackup from URL into DIR/base-<UTC time> (plain format, WAL streamed into it,
#       fast checkpoint); prints BASE=<that folder>. URL needs a role with REPLICATION (or a
#       superuser) and a pg_hba line for replication; cluster.sh's cluster has both.
#   scripts/pg-backup.sh restore BASE ARCHIVE TARGET_TIME NEWDIR [PORT]
#       copies BASE into NEWDIR (a new folder) and starts a single server there on 127.0.0.1
#       that replays WAL from ARCHIVE up to TARGET_TIME (e.g. '2026-12-06 15:40:01.5+00';
#       commits after it are not applied), then is promoted to accept writes. Prints
#       RESTORED_URL=, PGDATA=, PORT=. PORT defaults to a free one.
#   scripts/pg-backup.sh stop NEWDIR
#       stops that restored server.
#
# The restored server never archives (archive_mode off): it must not write a new timeline
# into the archive of the cluster it came from. It keeps the source's roles and pg_hba.conf.
# As root the server runs as `postgres`, which must be able to read BASE and ARCHIVE.
set -euo pipefail

readonly PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
readonly RECOVERY_TIMEOUT=${PG_RECOVERY_TIMEOUT:-300}

die() {
  echo "pg-backup.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '5,16p' "$0" | grep 'pg-backup.sh' | sed 's/^# *//' >&2
  exit 2
}

# Runs a command as the account that runs PostgreSQL: `postgres` when we are root.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd_base() {
  local dir=$1 url=$2
  mkdir -p "$dir"
  local base
  base=$(cd "$dir" && pwd)/base-$(date -u +%Y%m%dT%H%M%SZ)
  [[ ! -e $base ]] || die "$base already exists"
  "$PG_BIN/pg_basebackup" -d "$url" -D "$base" -Fp -X stream -c fast
  echo "BASE=$base"
}

cmd_restore() {
  local base=$1 archive=$2 target=$3 newdir=$4 port=${5:-}
  [[ -f $base/PG_VERSION ]] || die "$base is not a base backup (no PG_VERSION)"
  [[ -d $archive ]] || die "WAL archive $archive not found"
  [[ ! -e $newdir ]] || die "$newdir already exists: restore into a new folder"
  [[ -n $port ]] || port=$("$(dirname "$0")/cluster.sh" free-ports 1)
  cp -a "$base" "$newdir"
  newdir=$(cd "$newdir" && pwd)
  archive=$(cd "$archive" && pwd)
  rm -f "$newdir/standby.signal" "$newdir/postmaster.pid"
  # postgresql.auto.conf is read last, so these win over what the source server had (a
  # Patroni node's port, socket folder, archive command and synchronous standby names:
  # with the latter left in place every commit would wait for a standby that is not there).
  cat >>"$newdir/postgresql.auto.conf" <<EOF
# Written by scripts/pg-backup.sh restore from $base
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$newdir'
archive_mode = off
synchronous_standby_names = ''
primary_conninfo = ''
primary_slot_name = ''
hot_standby = on
restore_command = 'cp $archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
recovery_target_timeline = 'latest'
EOF
  touch "$newdir/recovery.signal"
  chmod 700 "$newdir"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$newdir"; fi
  as_pg "$PG_BIN/pg_ctl" -D "$newdir" -l "$newdir/restore.log" -w -t 120 start >/dev/null ||
    die "the restored server did not start; see $newdir/restore.log"
  # Accepting connections comes before the target is reached (hot standby): wait, bounded,
  # until recovery has stopped at the target and the server was promoted.
  local url="postgresql://ecohub@127.0.0.1:$port/ecohub" deadline=$((SECONDS + RECOVERY_TIMEOUT))
  until [[ $(psql -XAtq "$url" -c 'select pg_is_in_recovery()' 2>/dev/null) == f ]]; do
    ((SECONDS < deadline)) || die "recovery did not finish within ${RECOVERY_TIMEOUT}s; see $newdir/restore.log"
    as_pg "$PG_BIN/pg_ctl" -D "$newdir" status >/dev/null ||
      die "the restored server stopped (target after the archived WAL?); see $newdir/restore.log"
    sleep 0.5
  done
  echo "RESTORED_URL=$url"
  echo "PGDATA=$newdir"
  echo "PORT=$port"
}

cmd_stop() {
  [[ -f $1/postmaster.pid ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null
}

(($# >= 1)) || usage
command=$1
shift
case $command in
  base) (($# == 2)) || usage; cmd_base "$@" ;;
  restore) (($# == 4 || $# == 5)) || usage; cmd_restore "$@" ;;
  stop) (($# == 1)) || usage; cmd_stop "$@" ;;
  *) usage ;;
esac
