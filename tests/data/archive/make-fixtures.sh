#!/usr/bin/env bash
# tests/data/archive/make-fixtures.sh -- writes the committed archive
# fixtures: the same small database (arch_unit) dumped by pg_dump 13, 15 and
# 17 in the custom format with each compression that version writes, and in
# the tar format. Needs the servers of tests/rig/pg-build.sh 13 and 17 and
# the installed 15. Run it again only to add a version or a format; the
# files it writes are committed and the unit tests read them as they are.
#
#   v13_gzip.dump v13_none.dump v13.tar      archive format 1.14
#   v15_gzip.dump v15_none.dump v15.tar      archive format 1.14
#   v17_{gzip,lz4,zstd,none}.dump v17.tar    archive format 1.16
# (1.15 is pg_dump 16's only: no PostgreSQL 16 source package is reachable here.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rig=$(cd "$here/../../rig" && pwd)
work=$(mktemp -d /tmp/archfix.XXXXXX); chmod 755 "$work"
trap 'for d in "$work"/pg*; do "$rig/pg-cluster.sh" stop "$d" || true; done; rm -rf "$work"' EXIT

bin_of() {
  case $1 in
    15) echo /usr/lib/postgresql/15/bin ;;
    *) echo "/var/cache/pgshuttle/pg-$1/install/bin" ;;
  esac
}

content() {
  cat <<'SQL'
CREATE SCHEMA "odd
name";
CREATE TABLE public.t (id int PRIMARY KEY, name text);
INSERT INTO public.t SELECT g, 'row ' || g FROM generate_series(1, 500) g;
CREATE INDEX t_name ON public.t (name);
CREATE SEQUENCE "odd
name".s START 42;
COMMENT ON TABLE public.t IS 'archive fixture';
SELECT lo_from_bytea(0, 'hello large object');
SELECT lo_from_bytea(0, convert_to(repeat('x', 30000), 'UTF8'));
SQL
}

port=55801
for major in 13 15 17; do
  bin=$(bin_of "$major")
  dir=$work/pg$major
  PGSHUTTLE_CLUSTER_BIN=$bin "$rig/pg-cluster.sh" start "$dir" "$port" source
  url="postgresql://postgres:srcpass@127.0.0.1:$port"
  "$bin/psql" -X -q -d "$url/postgres" -c "CREATE DATABASE arch_unit"
  content | "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$url/arch_unit" >/dev/null
  compressions="gzip none"
  [ "$major" -ge 16 ] && compressions="gzip lz4 zstd none"
  for c in $compressions; do
    z=$c; [ "$c" = gzip ] && z=6; [ "$c" = none ] && z=0
    [ "$major" -lt 16 ] || { [ "$c" = gzip ] && z=gzip; [ "$c" = none ] && z=none; }
    "$bin/pg_dump" -Fc -Z "$z" -f "$here/v${major}_$c.dump" -d "$url/arch_unit"
  done
  "$bin/pg_dump" -Ft -f "$here/v$major.tar" -d "$url/arch_unit"
  "$rig/pg-cluster.sh" stop "$dir"
  port=$((port + 1))
done
ls -l "$here"
