#!/usr/bin/env bash
# A highly available PostgreSQL 15 cluster on loopback, from Debian packages only
# (postgresql-15, patroni, etcd-server, etcd-client, haproxy): for tests and for people who
# want to try the stack the field runs before building it on three machines.
#
#   scripts/cluster.sh start DIR [--no-haproxy] [--ecohub BIN --nodes N]
#   scripts/cluster.sh status DIR
#   scripts/cluster.sh kill-primary DIR
#   scripts/cluster.sh stop DIR
#   scripts/cluster.sh free-ports N     (N free loopback ports; scripts/pg-backup.sh uses it)
#
# `start` runs, all on 127.0.0.1 with free ports and everything under DIR: three etcd members
# (one etcd cluster), three PostgreSQL nodes managed by Patroni (one primary, two streaming
# replicas, one of them synchronous), HAProxy in front (its port always leads to the primary,
# chosen by Patroni's REST check /primary), and WAL archived into DIR/wal-archive for point in
# time restore (scripts/pg-backup.sh). Its last lines are facts for machines, KEY=VALUE:
#   PG_URL         libpq multi-host URL; target_session_attrs=read-write finds the primary
#   HAPROXY_URL    the same database through HAProxy (absent with --no-haproxy)
#   PG_PORTS, PATRONI_PORTS, ETCD_PORTS, PRIMARY, START_SECONDS
# The same facts are kept in DIR/cluster.env for the other commands.
#
# `kill-primary` kills -9 the primary's postgres (postmaster and its children) and its Patroni,
# as a lost machine would, waits (bounded) until Patroni has promoted the synchronous replica
# and prints PRIMARY=, PRIMARY_PORT= and PROMOTION_SECONDS=. The killed node stays down.
#
# NOT FOR PRODUCTION: every connection from 127.0.0.1 is trusted without a password, the role
# ecohub is a superuser, and all members share one machine, so nothing here survives that
# machine. docs/deployment.md says what changes on three machines.
#
# As root (this machine, CI) PostgreSQL and Patroni refuse to run, so they run as the account
# `postgres` (runuser) and DIR is given to it; as a normal user everything runs as that user.
set -euo pipefail

readonly PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
readonly START_TIMEOUT=${CLUSTER_START_TIMEOUT:-120}
readonly PROMOTE_TIMEOUT=${CLUSTER_PROMOTE_TIMEOUT:-90}
readonly STOP_TIMEOUT=30
readonly NODES=(1 2 3)

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '6,10p' "$0" | sed 's/^# *//' >&2
  exit 2
}

# Prints COUNT free TCP ports on 127.0.0.1, all held open together while choosing so that no
# two are the same (a port could still be taken by someone else before we bind it: loopback
# tests accept that small race).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
EOF
}

# Starts a program in the background, in its own session, with its output in LOG and its pid
# in PIDFILE. With --as-pg it runs as `postgres` when we are root. The pid is written by
# the process itself just before exec, so it is the program's own pid even behind runuser.
spawn() {
  local pidfile=$1 log=$2
  shift 2
  local -a prefix=()
  if [[ $1 == --as-pg ]]; then
    shift
    [[ $(id -u) -ne 0 ]] || prefix=(runuser -u postgres --)
  fi
  # It starts in the directory of its pid file, which is its own: the caller's directory
  # may be one that `postgres` cannot enter (a `mktemp -d` clone is 0700), and Patroni's
  # worker processes go back to the directory they started in.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid "${prefix[@]}" sh -c 'cd "$1" || exit 1; echo $$ > "$0"; shift; exec "$@"' \
    "$pidfile" "$(dirname "$pidfile")" "$@" >"$log" 2>&1 </dev/null &
}

alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

read_pid() { if [[ -f $1 ]]; then head -n1 "$1"; fi; }

# HTTP status of GET http://127.0.0.1:PORT/PATH (000 when nothing answers).
http_status() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/$2" || true
}

load_env() {
  [[ -f $DIR/cluster.env ]] || die "$DIR/cluster.env not found: was the cluster started there?"
  # shellcheck disable=SC1091
  source "$DIR/cluster.env"
}

# The node (1..3) whose Patroni answers 200 on /primary, or nothing.
find_primary() {
  local n
  for n in "$@"; do
    local port_var="PATRONI_PORT_$n"
    if [[ $(http_status "${!port_var}" primary) == 200 ]]; then
      echo "$n"
      return
    fi
  done
}

start_etcd() {
  local initial="" n token="ecohub-$$-$RANDOM"
  for n in "${NODES[@]}"; do
    initial+="${initial:+,}e$n=http://127.0.0.1:${ETCD_PEER[$n - 1]}"
  done
  for n in "${NODES[@]}"; do
    mkdir -p "$DIR/etcd$n"
    local c=${ETCD_CLIENT[$n - 1]} p=${ETCD_PEER[$n - 1]}
    spawn "$DIR/etcd$n/pid" "$DIR/etcd$n/etcd.log" \
      etcd --name "e$n" --data-dir "$DIR/etcd$n/data" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      --initial-cluster "$initial" --initial-cluster-state new \
      --initial-cluster-token "$token"
  done
}

# One Patroni configuration per node. The settings that matter, and why:
# - ttl 10 / loop_wait 1 / retry_timeout 4: a dead primary's leader key expires after 10 s and
#   the replicas look every second, so promotion comes within seconds (the default ttl of 30 s
#   suits real networks better; docs/deployment.md).
# - synchronous_mode true with synchronous_commit on: the primary acknowledges a commit only
#   once the synchronous replica has it on disk, and Patroni promotes only that replica. So a
#   failover loses nothing that was acknowledged — which is the promise EcoHub makes to every
#   device (a reading is acknowledged after its commit). Not strict: with no replica left the
#   primary keeps accepting writes rather than stopping the bureau.
# - replicas are cloned with pg_basebackup --checkpoint=fast: a spread checkpoint would keep
#   each waiting for a minute and more.
# - every WAL segment goes into DIR/wal-archive (DIR/archive_wal.sh): with a base backup this
#   gives point in time restore (scripts/pg-backup.sh). archive_mode is `always`, replicas
#   archive what they receive too: a segment the killed primary had finished but not yet
#   archived would otherwise be missing, and no restore could pass that gap.
write_patroni_config() {
  local n=$1 hosts=$2
  local node=$DIR/n$n
  mkdir -p "$node"
  cat >"$node/patroni.yml" <<EOF
scope: ecohub
namespace: /ecohub-cluster/
name: n$n
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:${PATRONI[$n - 1]}
  connect_address: 127.0.0.1:${PATRONI[$n - 1]}
etcd3:
  hosts: $hosts
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        synchronous_commit: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        wal_log_hints: 'on'
        archive_mode: always
        archive_command: '$DIR/archive_wal.sh %p %f'
        archive_timeout: 60
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  post_bootstrap: $DIR/post_bootstrap.sh
postgresql:
  listen: 127.0.0.1:${PG[$n - 1]}
  connect_address: 127.0.0.1:${PG[$n - 1]}
  data_dir: $node/data
  bin_dir: $PG_BIN
  pgpass: $node/pgpass
  basebackup:
    - checkpoint: fast
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
    rewind:
      username: rewinder
      password: rewinder
  parameters:
    unix_socket_directories: '$node'
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
EOF
}

write_haproxy_config() {
  local n
  {
    cat <<EOF
# Generated by scripts/cluster.sh: port $HAPROXY_PORT always leads to the primary.
global
  maxconn 500
defaults
  mode tcp
  timeout connect 3s
  timeout client 30m
  timeout server 30m
  timeout check 2s
listen primary
  bind 127.0.0.1:$HAPROXY_PORT
  option httpchk OPTIONS /primary
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
EOF
    for n in "${NODES[@]}"; do
      echo "  server n$n 127.0.0.1:${PG[$n - 1]} check port ${PATRONI[$n - 1]}"
    done
  } >"$DIR/haproxy/haproxy.cfg"
}

# Waits until one node is primary, the two others are streaming replicas, one of them
# synchronous, and the database ecohub answers through the multi-host URL.
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) n
  while ((SECONDS < deadline)); do
    local primary replicas=0 sync=0
    primary=$(find_primary "${NODES[@]}")
    for n in "${NODES[@]}"; do
      local port=${PATRONI[$n - 1]}
      [[ $(http_status "$port" 'replica?lag=0') == 200 ]] && replicas=$((replicas + 1))
      [[ $(http_status "$port" sync) == 200 ]] && sync=$((sync + 1))
    done
    if [[ -n $primary && $replicas -eq 2 && $sync -ge 1 ]] &&
      psql -XAtq "$PG_URL" -c 'select 1' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# Starts COUNT `BIN serve` nodes on the cluster (free ports), one after the other: the first
# creates the account admin with a random password kept in DIR/ecohub-admin-password and the
# master key file DIR/ecohub-keys that all nodes share (they read each other's sealed secrets).
# Waits (bounded) until each has printed its ports; prints ECOHUB_K_HTTP= and ECOHUB_K_GATEWAY=.
start_ecohub_nodes() {
  local bin=$1 count=$2 k
  # A path to the binary is made absolute: each node starts in its own directory.
  [[ $bin != */* ]] || bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
  local pwfile=$DIR/ecohub-admin-password
  (umask 077 && head -c 18 /dev/urandom | base64 >"$pwfile")
  for ((k = 1; k <= count; k++)); do
    local -a first=()
    ((k > 1)) || first=(--admin-password-file "$pwfile")
    mkdir -p "$DIR/ecohub-$k"
    spawn "$DIR/ecohub-$k/pid" "$DIR/ecohub-$k/serve.log" \
      "$bin" serve --store "$PG_URL" --data "$DIR/ecohub-$k" \
      --gateway-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --key-file "$DIR/ecohub-keys" \
      "${first[@]}"
    local log=$DIR/ecohub-$k/serve.log deadline=$((SECONDS + 60)) http="" gateway=""
    while [[ -z $http || -z $gateway ]]; do
      sleep 0.2
      http=$(sed -n 's/^http listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
      gateway=$(sed -n 's/^gateway listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
      if ! alive "$(read_pid "$DIR/ecohub-$k/pid")" || ((SECONDS > deadline)); then
        tail -n 5 "$log" >&2
        die "EcoHub node $k did not start (log: $log); the database cluster is still running"
      fi
    done
    echo "ECOHUB_${k}_HTTP=$http"
    echo "ECOHUB_${k}_GATEWAY=$gateway"
  done
  echo "ECOHUB_ADMIN_PASSWORD_FILE=$pwfile"
}

cmd_start() {
  local haproxy=1 ecohub_bin="" ecohub_nodes=2
  while (($#)); do
    case $1 in
      --no-haproxy) haproxy=0 ;;
      --ecohub) ecohub_bin=${2:?--ecohub needs BIN}; shift ;;
      --nodes) ecohub_nodes=${2:?--nodes needs N}; shift ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  local n
  for n in patroni patronictl etcd psql curl; do
    command -v "$n" >/dev/null || die "$n not found (apt-get install patroni etcd-server etcd-client haproxy postgresql-15 curl)"
  done
  ((haproxy == 0)) || command -v haproxy >/dev/null || die "haproxy not found (or pass --no-haproxy)"
  [[ -x $PG_BIN/postgres ]] || die "$PG_BIN/postgres not found (postgresql-15)"
  [[ ! -f $DIR/cluster.env ]] || die "$DIR already holds a cluster (cluster.sh stop $DIR, then remove it)"
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  local t0=$SECONDS
  local -a ports
  read -r -a ports <<<"$(free_ports 13)"
  ETCD_CLIENT=("${ports[@]:0:3}") ETCD_PEER=("${ports[@]:3:3}")
  PG=("${ports[@]:6:3}") PATRONI=("${ports[@]:9:3}")
  HAPROXY_PORT=${ports[12]}
  PG_URL="postgresql://ecohub@127.0.0.1:${PG[0]},127.0.0.1:${PG[1]},127.0.0.1:${PG[2]}/ecohub?target_session_attrs=read-write"

  mkdir -p "$DIR/wal-archive" "$DIR/haproxy"
  cat >"$DIR/post_bootstrap.sh" <<'EOF'
#!/bin/sh
# Run once by Patroni on the first primary, with a superuser connection string as $1.
# The role ecohub is a superuser only because this cluster is for tests and trials.
exec psql -Xq -v ON_ERROR_STOP=1 "$1" \
  -c "CREATE ROLE ecohub LOGIN SUPERUSER PASSWORD 'ecohub'" \
  -c 'CREATE DATABASE ecohub OWNER ecohub'
EOF
  cat >"$DIR/archive_wal.sh" <<'EOF'
#!/bin/sh
# PostgreSQL's archive_command on every node: archive_wal.sh PATH NAME, into wal-archive beside
# this script. Three nodes archive the same segments into one folder, so the first copy wins:
# written under a temporary name, flushed, then linked into place (atomic, never over an
# existing file); a segment already there counts as archived.
set -e
archive=$(dirname "$0")/wal-archive
[ ! -f "$archive/$2" ] || exit 0
tmp=$archive/.$2.$$
trap 'rm -f "$tmp"' EXIT
cp "$1" "$tmp"
sync "$tmp"
ln "$tmp" "$archive/$2" 2>/dev/null || [ -f "$archive/$2" ]
EOF
  chmod 755 "$DIR/post_bootstrap.sh" "$DIR/archive_wal.sh"
  local hosts="127.0.0.1:${ETCD_CLIENT[0]},127.0.0.1:${ETCD_CLIENT[1]},127.0.0.1:${ETCD_CLIENT[2]}"
  for n in "${NODES[@]}"; do write_patroni_config "$n" "$hosts"; done
  {
    echo "# Written by scripts/cluster.sh start; read by its other commands."
    echo "DIR='$DIR'"
    echo "PG_URL='$PG_URL'"
    for n in "${NODES[@]}"; do
      echo "PG_PORT_$n=${PG[$n - 1]}"
      echo "PATRONI_PORT_$n=${PATRONI[$n - 1]}"
      echo "ETCD_PORT_$n=${ETCD_CLIENT[$n - 1]}"
    done
  } >"$DIR/cluster.env"
  load_env
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$DIR"
    chmod 755 "$DIR"
  fi

  start_etcd
  for n in "${NODES[@]}"; do
    chmod 700 "$DIR/n$n"
    spawn "$DIR/n$n/patroni.pid" "$DIR/n$n/patroni.log" \
      --as-pg patroni "$DIR/n$n/patroni.yml"
  done
  if ((haproxy)); then
    write_haproxy_config
    spawn "$DIR/haproxy/pid" "$DIR/haproxy/haproxy.log" \
      haproxy -db -f "$DIR/haproxy/haproxy.cfg"
    echo "HAPROXY_URL='postgresql://ecohub@127.0.0.1:$HAPROXY_PORT/ecohub'" >>"$DIR/cluster.env"
  fi

  if ! wait_ready; then
    echo "cluster.sh: the cluster did not become ready within ${START_TIMEOUT}s; logs under $DIR" >&2
    tail -n 5 "$DIR"/n*/patroni.log "$DIR"/etcd*/etcd.log >&2 || true
    exit 1
  fi
  echo "PG_URL=$PG_URL"
  if ((haproxy)); then echo "HAPROXY_URL=postgresql://ecohub@127.0.0.1:$HAPROXY_PORT/ecohub"; fi
  echo "PG_PORTS=${PG[*]}"
  echo "PATRONI_PORTS=${PATRONI[*]}"
  echo "ETCD_PORTS=${ETCD_CLIENT[*]}"
  echo "PRIMARY=n$(find_primary "${NODES[@]}")"
  echo "START_SECONDS=$((SECONDS - t0))"
  if [[ -n $ecohub_bin ]]; then
    # EcoHub's PostgreSQL store is being written (issue 14): until every module has landed
    # these nodes may refuse to start on --store.
    start_ecohub_nodes "$ecohub_bin" "$ecohub_nodes"
  fi
}

cmd_status() {
  load_env
  patronictl -c "$DIR/n1/patroni.yml" list
}

# Kills a process and, first, its direct children (a postmaster's backends), all with -9.
kill9_tree() {
  local pid=$1 child
  for child in $(pgrep -P "$pid" || true); do kill -9 "$child" 2>/dev/null || true; done
  kill -9 "$pid" 2>/dev/null || true
}

cmd_kill_primary() {
  load_env
  # Only a synchronous replica has every acknowledged commit, so Patroni promotes nothing else:
  # wait (bounded) until there is one, e.g. when called again right after a promotion.
  local deadline=$((SECONDS + PROMOTE_TIMEOUT)) old="" n synced=""
  while ((SECONDS < deadline)) && [[ -z $old || -z $synced ]]; do
    old=$(find_primary "${NODES[@]}") synced=""
    for n in "${NODES[@]}"; do
      local port_var="PATRONI_PORT_$n"
      [[ $(http_status "${!port_var}" sync) != 200 ]] || synced=$n
    done
    [[ -n $old && -n $synced ]] || sleep 0.5
  done
  [[ -n $old ]] || die "no primary to kill"
  [[ -n $synced ]] || die "no synchronous replica within ${PROMOTE_TIMEOUT}s: nothing could be promoted without loss"
  local t0=$EPOCHREALTIME
  kill9_tree "$(read_pid "$DIR/n$old/patroni.pid")"
  kill9_tree "$(read_pid "$DIR/n$old/data/postmaster.pid")"
  echo "KILLED=n$old"
  local others=() new=""
  for n in "${NODES[@]}"; do [[ $n == "$old" ]] || others+=("$n"); done
  deadline=$((SECONDS + PROMOTE_TIMEOUT))
  while ((SECONDS < deadline)); do
    new=$(find_primary "${others[@]}")
    [[ -z $new ]] || break
    sleep 0.2
  done
  [[ -n $new ]] || die "no replica was promoted within ${PROMOTE_TIMEOUT}s"
  local port_var="PG_PORT_$new"
  echo "PRIMARY=n$new"
  echo "PRIMARY_PORT=${!port_var}"
  echo "PROMOTION_SECONDS=$(python3 -c "print(f'{$EPOCHREALTIME - $t0:.1f}')")"
}

# Sends TERM to a pid and waits (bounded) for it to go; KILL after that.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + STOP_TIMEOUT))
  alive "$pid" || return 0
  kill "$pid" 2>/dev/null || true
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
}

cmd_stop() {
  [[ -d $DIR ]] || die "$DIR not found"
  local n k f
  for f in "$DIR"/ecohub-*/pid "$DIR/haproxy/pid"; do
    [[ -f $f ]] && stop_pid "$(read_pid "$f")"
  done
  # Patroni stops its PostgreSQL on TERM; then a postmaster left behind (its Patroni killed)
  # is stopped through its own pid file.
  for n in "${NODES[@]}"; do
    [[ -f $DIR/n$n/patroni.pid ]] && stop_pid "$(read_pid "$DIR/n$n/patroni.pid")"
  done
  for n in "${NODES[@]}"; do
    f=$DIR/n$n/data/postmaster.pid
    [[ -f $f ]] && stop_pid "$(read_pid "$f")"
  done
  for k in "${NODES[@]}"; do
    [[ -f $DIR/etcd$k/pid ]] && stop_pid "$(read_pid "$DIR/etcd$k/pid")"
  done
  echo "STOPPED=$DIR"
}

(($# >= 2)) || usage
COMMAND=$1 DIR=$2 # for free-ports, N
shift 2
case $COMMAND in
  start) cmd_start "$@" ;;
  status) cmd_status ;;
  kill-primary) cmd_kill_primary ;;
  stop) cmd_stop ;;
  free-ports) free_ports "$DIR" ;;
  *) usage ;;
esac
