#!/usr/bin/env bash
# rig.sh start OUTDIR  -- source + target PostgreSQL clusters and a SigV4-verifying
#                         S3 server (Swift + s3api) on free loopback ports;
#                         writes OUTDIR/rig.env (KEY=VALUE lines) for the tests.
# rig.sh stop OUTDIR   -- stops all of it and removes the data.
# PGSHUTTLE_RIG_SOURCE_MAJOR / PGSHUTTLE_RIG_TARGET_MAJOR (13, 15, 17) choose
# each cluster's PostgreSQL (pg-build.sh builds a missing one once, cached).
# Used by CTest as the 'rig' fixture (setup/cleanup), by the demo and by bench/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1 out=$2
mkdir -p "$out"; out=$(cd "$out" && pwd)

free_ports() { python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); socks.append(s)
print(' '.join(str(s.getsockname()[1]) for s in socks))
PY
}

stop() {
  [ -f "$out/rig.root" ] || return 0
  local root; root=$(cat "$out/rig.root")
  "$here/pg-cluster.sh" stop "$root/source" || true
  "$here/pg-cluster.sh" stop "$root/target" || true
  [ -d "$root/s3" ] && "$here/s3-start.sh" --stop "$root/s3" >/dev/null 2>&1 || true
  rm -rf "$root" "$out/rig.root" "$out/rig.env"
}

case $cmd in
start)
  stop   # leftovers of an interrupted run
  root=$(mktemp -d /tmp/pgshuttle-rig.XXXXXX); chmod 755 "$root"
  echo "$root" >"$out/rig.root"
  trap 'rc=$?; [ $rc -eq 0 ] || stop' EXIT
  read -r sport tport s3port <<<"$(free_ports 3)"
  smajor=${PGSHUTTLE_RIG_SOURCE_MAJOR:-15} tmajor=${PGSHUTTLE_RIG_TARGET_MAJOR:-15}
  sbin=$("$here/pg-build.sh" "$smajor") tbin=$("$here/pg-build.sh" "$tmajor")
  PGSHUTTLE_CLUSTER_BIN=$sbin "$here/pg-cluster.sh" start "$root/source" "$sport" source
  PGSHUTTLE_CLUSTER_BIN=$tbin "$here/pg-cluster.sh" start "$root/target" "$tport" target
  newest=$sbin; [ "$tmajor" -gt "$smajor" ] && newest=$tbin
  with_s3=${PGSHUTTLE_RIG_S3:-1}
  s3env=""
  if [ "$with_s3" = 1 ]; then
    s3env=$("$here/s3-start.sh" "$root/s3" "$s3port")
  fi
  {
    echo "RIG_ROOT=$root"
    echo "RIG_SOURCE_PORT=$sport"
    echo "RIG_TARGET_PORT=$tport"
    echo "RIG_SOURCE_ADMIN=postgresql://postgres:srcpass@127.0.0.1:$sport/postgres"
    echo "RIG_TARGET_ADMIN=postgresql://postgres:tgtpass@127.0.0.1:$tport/postgres"
    echo "RIG_TARGET_APP_USER=app"
    echo "RIG_TARGET_APP_PASSWORD=apppass"
    echo "RIG_SOURCE_MAJOR=$smajor"
    echo "RIG_TARGET_MAJOR=$tmajor"
    echo "RIG_SOURCE_BIN=$sbin"
    echo "RIG_TARGET_BIN=$tbin"
    echo "RIG_PG_BINDIR=$newest"
    echo "$s3env"
  } >"$out/rig.env"
  cat "$out/rig.env"
  ;;
stop) stop ;;
*) echo "usage: $0 start|stop OUTDIR" >&2; exit 2 ;;
esac
