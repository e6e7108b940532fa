#!/usr/bin/env bash
# pg-cluster.sh start DIR PORT ROLE   -- ROLE is source or target
# pg-cluster.sh stop DIR
# A throwaway PostgreSQL cluster on 127.0.0.1:PORT with data in DIR: the
# installed server (15), or the one in $PGSHUTTLE_CLUSTER_BIN (a bin
# directory, e.g. from pg-build.sh 13); stop uses the same one.
# postgres refuses to run as root, so as root the cluster runs as the
# 'postgres' system user. Passwords are fixed, test-only values:
#   source: superuser postgres / srcpass
#   target: superuser postgres / tgtpass (the rig's admin), and the managed-
#           provider style application role app / apppass: not a superuser,
#           owns the databases the tests create, may create trusted extensions.
set -euo pipefail
cmd=$1 dir=$2
PGBIN=${PGSHUTTLE_CLUSTER_BIN:-}
[ -z "$PGBIN" ] && [ -f "$dir/bin.path" ] && PGBIN=$(cat "$dir/bin.path")
[ -z "$PGBIN" ] && PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi; }

case $cmd in
start)
  port=$3 role=$4
  mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  echo "$PGBIN" >"$dir/bin.path"
  pw=srcpass; [ "$role" = target ] && pw=tgtpass
  pwfile=$dir/.pw; echo "$pw" >"$pwfile"; [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"; chmod 600 "$pwfile"
  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  mkdir -p "$dir/sock"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/sock"
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$dir/sock'"
    echo "max_connections = 200"
    echo "fsync = off"                      # throwaway test data: speed over durability
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "max_wal_size = '2GB'"
    echo "log_min_messages = warning"
    if [ "$role" = source ]; then
      echo "timezone = 'UTC'"
      echo "work_mem = '16MB'"
      echo "random_page_cost = 4"
      echo "max_prepared_transactions = 10"
      # logical decoding (tests/integration/logical); host settings, so the
      # settings diff groups them apart and no other test sees a difference
      echo "wal_level = logical"
      echo "max_replication_slots = 20"
      echo "max_wal_senders = 20"
    else   # a managed provider's defaults differ from the source's
      echo "timezone = 'America/New_York'"
      echo "datestyle = 'SQL, DMY'"
      echo "intervalstyle = 'postgres_verbose'"
      echo "extra_float_digits = 0"
      echo "work_mem = '8MB'"
      echo "random_page_cost = 1.1"
      echo "effective_io_concurrency = 200"
    fi
  } >>"$dir/data/postgresql.conf"
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { tail -20 "$dir/server.log" >&2; exit 1; }
  if [ "$role" = target ]; then
    as_pg "$PGBIN/psql" -X -q -h "$dir/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE app LOGIN PASSWORD 'apppass' NOSUPERUSER NOCREATEROLE CREATEDB;
CREATE ROLE app_reader NOLOGIN;
SQL
  else
    as_pg "$PGBIN/psql" -X -q -h "$dir/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE app_reader NOLOGIN;
SQL
  fi
  ;;
stop)
  [ -f "$dir/data/postmaster.pid" ] || exit 0
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start DIR PORT source|target | stop DIR" >&2; exit 2 ;;
esac
