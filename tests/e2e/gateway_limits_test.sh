#!/usr/bin/env bash
# Connection limits as configured: beyond max_connections a connection is closed at
# once and counted; a connection that sends nothing for idle_timeout is closed and
# counted; the server keeps serving.
set -euo pipefail
BIN=$1
source "$(dirname "$0")/lib.sh"
work_dir  # $WORK, removed with any server left running on exit

cat >"$WORK/ecohub.toml" <<'TOML'
[gateway]
idle_timeout_seconds = 10
max_connections = 3
TOML
GW=$(free_port)
start_server "$BIN" "$WORK/data" "$GW" "$WORK/serve.log" --config "$WORK/ecohub.toml"

PYTHONPATH="$(dirname "$0")" python3 - "$GW" "$HTTP_PORT" <<'PY'
import socket, sys, time, urllib.request, ehtest
gw, http = int(sys.argv[1]), int(sys.argv[2])

from ehtest import check, finish
def metric(name):
    return ehtest.metric(http, name)

def closed(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


conns = [socket.create_connection(("127.0.0.1", gw)) for _ in range(3)]
time.sleep(0.5)
extra = socket.create_connection(("127.0.0.1", gw))
check(closed(extra, 3), "the 4th connection is closed at once")
check(metric("ecohub_gateway_connections_refused_total") == 1, "refusal counted")
check(all(not closed(c, 0.2) for c in conns), "the first three stay open")
check(all(closed(c, 12) for c in conns), "idle connections closed after the idle timeout")
check(metric("ecohub_gateway_connections_idle_closed_total") == 3, "idle closes counted")
time.sleep(0.5)
check(metric("ecohub_gateway_connections") == 0, "no connection left open")
again = socket.create_connection(("127.0.0.1", gw))
check(not closed(again, 0.5), "new connections are accepted again")
finish()
PY
echo PASS
