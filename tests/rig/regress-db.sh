#!/usr/bin/env bash
# regress-db.sh prepare          -- builds (once, cached) what PostgreSQL's own
#                                   regression suite needs for the installed
#                                   server major: the suite's sources from
#                                   Debian's source package and regress.so.
#                                   Prints the cache directory.
# regress-db.sh start OUTDIR     -- a rig without S3 (rig.sh) whose source
#                                   holds the regression database (load).
# regress-db.sh stop OUTDIR      -- stops that rig.
# regress-db.sh load PORT PASS   -- runs the parallel schedule against the
#                                   cluster on 127.0.0.1:PORT (superuser
#                                   postgres/PASS) and keeps its database
#                                   "regression", as pg_upgrade's own test does.
#
# The regression database is the test corpus nobody here wrote: every object
# kind the server has, odd names, odd settings. Test failures inside the suite
# (a minor-version mismatch between the source package and the server, say)
# do not matter; the database it leaves behind does. The cache lives in
# $PGSHUTTLE_CACHE_DIR (default /var/cache/pgshuttle as root, else
# ~/.cache/pgshuttle) so a second run on the same machine reuses it.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
major=$(basename "$(dirname "$PGBIN")")
installed=$(dpkg-query -W -f='${Version}' "postgresql-$major")
if [ -z "${PGSHUTTLE_CACHE_DIR:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then PGSHUTTLE_CACHE_DIR=/var/cache/pgshuttle; else PGSHUTTLE_CACHE_DIR=$HOME/.cache/pgshuttle; fi
fi
cache=$PGSHUTTLE_CACHE_DIR/regress-$major
log() { echo "regress-db: $*" >&2; }
. "$(dirname "$0")/deb-src.sh"

# deb-src entries for the running Debian release, added once (root only).
ensure_deb_src() {
  if grep -q '^Version:' <<<"$(apt-cache showsrc "postgresql-$major" 2>/dev/null)"; then return; fi
  [ "$(id -u)" -eq 0 ] || { log "no deb-src entry for postgresql-$major; run as root once to add it"; exit 1; }
  . /etc/os-release
  add_deb_src "$VERSION_CODENAME"
}

# The suite's sources: the installed version's when the archive still has
# it, else the newest source of the same major (the tests of one major differ
# little between minor releases; their database is what matters).
fetch_source() {
  local dl=$cache/download
  mkdir -p "$dl"
  if ! ls "$dl"/postgresql-"$major"_*.orig.tar.* >/dev/null 2>&1; then
    ensure_deb_src
    local v ok=""
    for v in "$installed" $(apt-cache showsrc "postgresql-$major" | sed -n 's/^Version: //p' | sort -rV); do
      if (cd "$dl" && apt-get source -q --download-only "postgresql-$major=$v" >"$cache/apt-source.log" 2>&1); then
        ok=$v; break
      fi
    done
    [ -n "$ok" ] || { cat "$cache/apt-source.log" >&2; log "could not download the source of postgresql-$major"; exit 1; }
    log "source package postgresql-$major $ok (server: $installed)"
  fi
  local tarball top
  tarball=$(ls "$dl"/postgresql-"$major"_*.orig.tar.* | head -1)
  top=$(basename "$tarball" | sed -E 's/^postgresql-[0-9]+_([0-9.]+)\.orig\.tar\..*$/postgresql-\1/')
  rm -rf "$cache/src"; mkdir -p "$cache/src"
  tar -xf "$tarball" -C "$cache/src" "$top/src/test/regress"
  mv "$cache/src/$top/src/test/regress" "$cache/regress.tmp"
  rm -rf "$cache/src"
  rm -rf "$cache/regress"; mv "$cache/regress.tmp" "$cache/regress"
}

# regress.so through PGXS against the installed server's headers; the suite
# also loads contrib's autoinc and refint from the same directory.
build_module() {
  local lib=$cache/lib
  rm -rf "$lib"; mkdir -p "$lib/build"
  cp "$cache/regress/regress.c" "$lib/build/"
  printf 'MODULES = regress\nPG_CONFIG = %s/pg_config\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' \
    "$PGBIN" >"$lib/build/Makefile"
  make -s -C "$lib/build" with_llvm=no >"$cache/build.log" 2>&1 || { cat "$cache/build.log" >&2; exit 1; }
  cp "$lib/build/regress.so" "$lib/"
  local m pkglib; pkglib=$("$PGBIN/pg_config" --pkglibdir)
  for m in autoinc refint; do ln -sf "$pkglib/$m.so" "$lib/$m.so"; done
}

prepare() {
  if [ -f "$cache/ready" ] && [ "$(cat "$cache/ready")" = "$installed" ]; then echo "$cache"; return; fi
  [ -x "$PGBIN/pg_config" ] && [ -f "$("$PGBIN/pg_config" --pgxs)" ] ||
    { log "postgresql-server-dev-$major is not installed (scripts/install-deps.sh installs it)"; exit 1; }
  mkdir -p "$cache"; chmod 755 "$cache" "$PGSHUTTLE_CACHE_DIR" 2>/dev/null || true
  [ -d "$cache/regress" ] || fetch_source
  build_module
  chmod -R a+rX "$cache"
  echo "$installed" >"$cache/ready"
  echo "$cache"
}

load() {
  local port=$1 pass=$2 dir out
  dir=$(prepare)
  out=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-regress.XXXXXX"); chmod 755 "$out"
  # The server writes COPY TO files under results/.
  mkdir -p "$out/results"; chmod 777 "$out/results"
  # pg_regress drops and re-creates "regression"; the suite's data files are
  # read by the server (COPY FROM a path), so they stay world-readable.
  local rc=0
  PGPASSWORD=$pass PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres \
    "$("$PGBIN/pg_config" --pgxs | xargs dirname)/../test/regress/pg_regress" \
    --inputdir="$dir/regress" --outputdir="$out" --bindir="$PGBIN" --dlpath="$dir/lib" \
    --schedule="$dir/regress/parallel_schedule" --host=127.0.0.1 --port="$port" --user=postgres \
    >"$out/pg_regress.log" 2>&1 || rc=$?
  local summary; summary=$(grep -E 'tests (passed|failed)|of [0-9]+ tests' "$out/pg_regress.log" | tail -1 || true)
  log "schedule finished (exit $rc): ${summary:-no summary}; log in $out"
  # The database must be there and hold the suite's objects.
  local tables
  tables=$(PGPASSWORD=$pass "$PGBIN/psql" -X -At -h 127.0.0.1 -p "$port" -U postgres -d regression \
    -c "select count(*) from pg_class where relkind in ('r','p') and relnamespace <> 'pg_catalog'::regnamespace and relnamespace <> 'information_schema'::regnamespace") ||
    { tail -30 "$out/pg_regress.log" >&2; exit 1; }
  [ "$tables" -gt 100 ] || { log "only $tables tables in regression"; tail -30 "$out/pg_regress.log" >&2; exit 1; }
  # A quiet source from now on: the tests read it only, and autovacuum's
  # ANALYZE would assign transaction ids (copy tells a quiet source apart).
  PGPASSWORD=$pass "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
  log "database regression holds $tables tables"
}

here=$(cd "$(dirname "$0")" && pwd)
case ${1:-} in
prepare) prepare ;;
load) load "$2" "$3" ;;
start)
  PGSHUTTLE_RIG_S3=0 "$here/rig.sh" start "$2" >/dev/null
  port=$(sed -n 's/^RIG_SOURCE_PORT=//p' "$2/rig.env")
  load "$port" srcpass || { "$here/rig.sh" stop "$2"; exit 1; }
  ;;
stop) "$here/rig.sh" stop "$2" ;;
*) echo "usage: $0 prepare | load PORT SUPERUSER_PASSWORD | start OUTDIR | stop OUTDIR" >&2; exit 2 ;;
esac
