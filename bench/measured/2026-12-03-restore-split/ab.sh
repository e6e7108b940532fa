#!/bin/bash
# A/B: restore with the split (default) and without, alternating, from one
# pg_dump -Fc of the bench fixture at scale 1, plus pg_restore -j 2.
set -euo pipefail
cd /work/main
rigdir=/tmp/ab/rig
tests/rig/rig.sh start $rigdir >/dev/null
trap 'tests/rig/rig.sh stop '$rigdir' >/dev/null 2>&1 || true' EXIT
source $rigdir/rig.env
export PGPASSFILE=/tmp/ab/pgpass
printf '127.0.0.1:%s:*:postgres:srcpass\n127.0.0.1:%s:*:app:apppass\n127.0.0.1:%s:*:postgres:tgtpass\n' \
  "$RIG_SOURCE_PORT" "$RIG_TARGET_PORT" "$RIG_TARGET_PORT" >"$PGPASSFILE"; chmod 600 "$PGPASSFILE"
export PGSHUTTLE_STATE_DIR=/tmp/ab/state
src="postgresql://postgres@127.0.0.1:$RIG_SOURCE_PORT/bench"
tgt() { echo "postgresql://app@127.0.0.1:$RIG_TARGET_PORT/$1"; }
adm() { psql -X -q -d "postgresql://postgres@127.0.0.1:$RIG_TARGET_PORT/postgres" -c "$1"; }
fresh() { adm "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; adm "CREATE DATABASE $1 OWNER app"; }
psql -X -q -d "postgresql://postgres@127.0.0.1:$RIG_SOURCE_PORT/postgres" -c "CREATE DATABASE bench"
psql -X -q -v ON_ERROR_STOP=1 -v scale=400 -d "$src" -f fixture/fixture.sql >/dev/null
pg_dump -Fc -f /tmp/ab/bench.dump "$src"
ls -l /tmp/ab/bench.dump
bin=build/src/cli/pgshuttle
for rep in 3 4 5; do
  for mode in split nosplit peer; do
    fresh ab_t
    start=$(date +%s.%N)
    case $mode in
      split) $bin restore /tmp/ab/bench.dump --target "$(tgt ab_t)" --jobs 2 -v >/tmp/ab/$mode-$rep.log 2>&1 ;;
      nosplit) $bin restore /tmp/ab/bench.dump --target "$(tgt ab_t)" --jobs 2 --split-larger-than 0 -v >/tmp/ab/$mode-$rep.log 2>&1 ;;
      peer) pg_restore -j 2 --no-owner --no-acl -d "$(tgt ab_t)" /tmp/ab/bench.dump >/tmp/ab/$mode-$rep.log 2>&1 || true ;;
    esac
    end=$(date +%s.%N)
    echo "$mode rep $rep: $(python3 -c "print(round($end - $start, 2))") s"
  done
done
