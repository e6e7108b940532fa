#!/usr/bin/env bash
# Installs everything pgshuttle needs to build, test, demo and benchmark on
# Debian 12, as root. Idempotent and quiet: only missing packages are
# installed, and apt's output goes to a log unless it fails.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  build-essential cmake ninja-build pkg-config git clang-format bison flex libicu-dev libxml2-dev
  postgresql-15 postgresql-client-15 libpq-dev postgresql-15-postgis-3
  postgresql-server-dev-15 dpkg-dev file man-db
  libcurl4-openssl-dev libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsqlite3-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev googletest
  clang-14 libclang-rt-14-dev
  awscli pgcopydb curl python3 time gnuplot-nox chromium chromium-driver tmux
  swift swift-proxy swift-object swift-container swift-account python3-swift memcached ccache
)
log=${TMPDIR:-/tmp}/pgshuttle-apt.log
missing=()
for p in "${PKGS[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
  echo "install-deps: installing ${missing[*]}" >&2
  # Keep package scripts from starting system-wide daemons (postgresql, swift, memcached).
  pol=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    pol=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' >"$pol"; chmod 755 "$pol"
  fi
  trap '[ -z "$pol" ] || rm -f "$pol"' EXIT
  inst() {
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >>"$log" 2>&1
  }
  inst || { apt-get update -q >>"$log" 2>&1 || true; inst; } || { tail -30 "$log" >&2; exit 1; }
fi
