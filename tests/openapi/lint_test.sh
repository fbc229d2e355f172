#!/usr/bin/env bash
# The served OpenAPI document is valid OpenAPI 3 and passes Redocly's recommended
# rules with no error (operation ids that are identifiers, summaries, 4xx answers,
# path parameters...): what client generators rely on. Starts `ecohub serve` on
# loopback ports, reads /api/v1/openapi.json, and lints it with @redocly/cli, a
# devDependency of web/ (scripts/setup.sh installs it with `npm ci`).
#   lint_test.sh BIN WEB_DIR      exit 0: no error; 77: the linter is not installed.
set -euo pipefail
BIN=$1
WEB=$2
HERE=$(cd "$(dirname "$0")" && pwd)
REDOCLY="$WEB/node_modules/.bin/redocly"
if [ ! -x "$REDOCLY" ]; then
  echo "SKIP: $REDOCLY is missing (run npm ci in web/)"
  exit 77
fi
source "$HERE/../e2e/lib.sh"
work_dir

start_server "$BIN" "$WORK/data" "$(free_port)" "$WORK/serve.log"
# Indented, so that the linter's line numbers point at one field each.
http_get "$HTTP_PORT" /api/v1/openapi.json | python3 -m json.tool >"$WORK/openapi.json"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# No telemetry, no update check: the test reads nothing from the network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
if "$REDOCLY" lint --config "$HERE/redocly.yaml" --format stylish --max-problems 1000 \
    "$WORK/openapi.json" >"$WORK/lint.out" 2>&1; then
  grep -E "error|warning|valid" "$WORK/lint.out" | tail -3 || true
  echo "ok   the served OpenAPI document passes Redocly's recommended rules"
else
  cat "$WORK/lint.out"
  echo "FAIL the served OpenAPI document has lint errors (above)"
  exit 1
fi
