# Helpers for the end-to-end tests: free ports, starting and stopping ecohub serve.
# Everything runs on 127.0.0.1 and is cleaned up on exit.

# Creates $WORK and arranges that on exit the server ($SERVER_PID) is killed and $WORK
# removed. Scripts with more processes to stop define their own cleanup.
work_dir() {
  WORK=$(mktemp -d)
  SERVER_PID=""
  trap 'if [ -n "$SERVER_PID" ]; then kill -9 "$SERVER_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_server BIN DATA GWPORT LOG [extra args...]: starts serve, waits for its ports.
# Sets SERVER_PID and HTTP_PORT. A new data directory gets the account `admin` with
# the password $ADMIN_PASSWORD (ehtest.login() logs in with it).
ADMIN_PASSWORD=E2e-admin-pass-1
export ADMIN_PASSWORD
start_server() {
  local bin=$1 data=$2 gwport=$3 log=$4
  shift 4
  printf '%s\n' "$ADMIN_PASSWORD" >"$WORK/admin.pw"
  "$bin" serve --data "$data" --gateway-listen "127.0.0.1:$gwport" --http-listen 127.0.0.1:0 \
    --admin-password-file "$WORK/admin.pw" "$@" \
    >"$log.out" 2>>"$log" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q '^http listening on' "$log.out" 2>/dev/null; then
      HTTP_PORT=$(sed -n 's/^http listening on .*:\([0-9]*\)$/\1/p' "$log.out")
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server exited early:"; cat "$log"; return 1
    fi
    sleep 0.1
  done
  echo "server did not start in 30 s"; cat "$log"; return 1
}

http_get() {  # http_get PORT PATH -> body on stdout, fails on connection error
  python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=10) as r:
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode()); sys.exit(22)
PY
}

metric() {  # metric PORT NAME -> value (0 when absent)
  http_get "$1" /metrics | awk -v n="$2" '$1==n {print $2; found=1} END {if (!found) print 0}'
}
