#!/usr/bin/env bash
# Installs everything EcoHub needs to build, test, benchmark and demo, from Debian
# packages only. Idempotent: when every package is present it returns in well under
# a second without touching apt.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-system-dev   # Asio (gateway, simulator), Beast (HTTP)
  libsqlite3-dev                     # the embedded store
  nlohmann-json3-dev                 # JSON for the CLI and small API documents
  libcli11-dev                       # command line
  libspdlog-dev libfmt-dev           # logs, formatting
  libtomlplusplus-dev                # configuration file
  libgtest-dev libgmock-dev          # unit and contract tests
  libbenchmark-dev                   # micro benchmarks
  clang libclang-rt-14-dev           # libFuzzer targets
  python3                            # test drivers that compare files
  zlib1g-dev                         # reads the gzipped Beijing dataset for the demo
  libssl-dev openssl                 # SHA-256 of the audit log, TLS (openssl makes test certificates)
  libsodium-dev                      # Argon2id passwords, random tokens
  libxlsxwriter-dev                  # XLSX exports
  procps psmisc                      # ps/kill used by the end-to-end tests
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
