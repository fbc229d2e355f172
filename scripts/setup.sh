#!/usr/bin/env bash
# Installs everything EcoHub needs to build, test, benchmark and demo, from Debian
# packages, then builds the web front end (web/ -> web/dist) with npm. Idempotent: when
# every package is present and web/dist is newer than its sources it returns in well
# under a second without touching apt or npm.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-system-dev   # Asio (gateway, simulator), Beast (HTTP)
  libsqlite3-dev                     # the embedded store
  libpq-dev                          # the PostgreSQL store's client (libpq)
  postgresql-15                      # servers the PostgreSQL tests start on loopback (store/pg/test_server.h)
  patroni etcd-server etcd-client    # the highly available cluster (scripts/cluster.sh, docs/deployment.md)
  haproxy curl                       # its entry point to the primary, and Patroni's health checks
  nlohmann-json3-dev                 # JSON for the CLI and small API documents
  libcli11-dev                       # command line
  libspdlog-dev libfmt-dev           # logs, formatting
  libtomlplusplus-dev                # configuration file
  libgtest-dev libgmock-dev          # unit and contract tests
  libbenchmark-dev                   # micro benchmarks
  clang libclang-rt-14-dev           # libFuzzer targets
  clang-format-14                    # the format check of the C++ tree (tests/style)
  python3                            # test drivers that compare files
  zlib1g-dev                         # reads the gzipped Beijing dataset for the demo
  libssl-dev openssl                 # SM3/SM4 (audit chain, secrets), TLS (openssl makes test certificates)
  libsodium-dev                      # Argon2id passwords, random tokens
  libxlsxwriter-dev                  # XLSX exports
  libgeos-dev                        # GEOS: district boundaries (registry/boundaries.h)
  libzip-dev libexpat1-dev           # reading uploaded XLSX files (core/table.h)
  libarchive-dev                     # tar archives of `ecohub backup` (app/backup.h)
  libcurl4-openssl-dev               # e-mail of notifications over SMTP (notify/mail.h)
  python3-aiosmtpd                   # the SMTP sink the notification test sends to (tests/e2e)
  mosquitto mosquitto-clients        # the MQTT broker devices publish to, mosquitto_pub (docs/mqtt.md)
  python3-paho-mqtt                  # the MQTT test's devices (tests/e2e/mqtt_test.py)
  procps psmisc                      # ps/kill used by the end-to-end tests
  chromium                           # headless browser of the web tests (tests/web)
  fonts-noto-cjk                     # Chinese text in screenshots (boxes without it)
)
# Node.js: the machine's own when there is one (e.g. NodeSource's 20 in /usr/bin/node);
# Debian's otherwise. Debian bookworm's nodejs is 18, which Vite 8 refuses: see below.
command -v node >/dev/null 2>&1 || PKGS+=(nodejs npm)

# One dpkg-query for all of them (one per package costs a second).
installed=" $(dpkg-query -W -f='${Package}=${db:Status-Abbrev} ' "${PKGS[@]}" 2>/dev/null || true)"
missing=()
for p in "${PKGS[@]}"; do
  [[ "$installed" == *" $p=ii "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- the web front end ------------------------------------------------------------------
# Vite 8 needs Node.js ^20.19 or >=22.12 (package.json "engines" of vite).
node_ok() {
  local v major minor
  v=$(node --version 2>/dev/null) || return 1
  v=${v#v}
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  [ "$major" -ge 23 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } ||
    { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; }
}
WEB="$ROOT/web"
if [ -f "$WEB/package.json" ]; then
  if ! node_ok; then
    echo "setup: Node.js $(node --version 2>/dev/null || echo '(none)') is too old for the web" \
      "front end: Vite 8 needs Node.js 20.19+ or 22.12+ (Debian bookworm's nodejs is 18)." \
      "Install a newer Node.js (e.g. NodeSource's nodejs 20 or 22) and run make setup again." >&2
    exit 1
  fi
  command -v npm >/dev/null 2>&1 || { echo "setup: npm is missing (it comes with Node.js)" >&2; exit 1; }
  if [ ! -d "$WEB/node_modules" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
    echo "setup: web: npm ci (web/package-lock.json)"
    (cd "$WEB" && npm ci --no-audit --no-fund)
  fi
  # Rebuild when web/dist is missing or any source is newer than it.
  srcs=()
  for f in src public index.html vite.config.js package-lock.json; do
    [ -e "$WEB/$f" ] && srcs+=("$WEB/$f")
  done
  stale=""
  if [ ! -f "$WEB/dist/index.html" ]; then
    stale="web/dist/index.html is missing"
  elif [ ${#srcs[@]} -gt 0 ]; then
    newer=$(find "${srcs[@]}" -newer "$WEB/dist/index.html" -print -quit)
    [ -n "$newer" ] && stale="${newer#"$ROOT"/} changed"
  fi
  if [ -n "$stale" ]; then
    echo "setup: web: npm run build ($stale)"
    (cd "$WEB" && npm run build)
    touch "$WEB/dist/index.html"  # the build's mark, even if Vite left index.html alone
  fi
fi
