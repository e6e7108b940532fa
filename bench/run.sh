#!/usr/bin/env bash
# bench/run.sh — pgshuttle against its peers on the same data, in one run.
#
#   bench/run.sh [--scale S[,S...]] [--reps N] [--jobs J] [--only GROUPS] [--out DIR] [--strict]
#                [--link MBIT,RTT_MS]
#
# --strict: exit 1 when any measured command failed (the smoke test uses it).
# --link: the restore group downloads through a link of that bandwidth and
# round-trip time (tools/slowlink.py) instead of loopback.
#
# GROUPS (comma-separated, default all): copy, archive, verify, backup, restore.
# PGSHUTTLE_BIN=path measures that binary instead of build/src/cli/pgshuttle.
# Bench scale 1 is about 0.7 GB of fixture data (fixture scale 400).
# Every measured command runs under /usr/bin/time -v; the table shows the
# median of N repetitions (wall, CPU = user + sys, peak RSS) and each
# pgshuttle row's ratio to each peer of its group. Results: DIR/results.json,
# DIR/table.txt and, with several scales, DIR/growth.png (gnuplot).
# Not part of the test suite (tests/integration/bench runs it at a tiny scale).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/.." && pwd)
strict=0 failures=0 link= scales=1 reps=3 jobs=$(nproc) only=copy,archive,verify,backup,restore out=$top/bench/results/$(date +%Y%m%d-%H%M%S)
fixture_per_scale=${BENCH_FIXTURE_PER_SCALE:-400}
while [ $# -gt 0 ]; do
  case $1 in
    --scale|--scales) scales=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    --link) link=$2; shift 2 ;;
    *) echo "usage: $0 [--scale S[,S...]] [--reps N] [--jobs J] [--only copy,archive,verify,backup,restore] [--out DIR] [--link MBIT,RTT_MS]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"; out=$(cd "$out" && pwd)
bin=${PGSHUTTLE_BIN:-$top/build/src/cli/pgshuttle}
[ -x "$bin" ] || "$top/scripts/build.sh" >/dev/null
# (outputs captured first: under pipefail a `| grep -q` can fail by SIGPIPE)
has() { grep -q "^  $1 " <<<"$("$bin" --help 2>/dev/null)"; }
has_flag() { grep -q -- "$2" <<<"$("$bin" "$1" --help 2>/dev/null)"; }  # COMMAND FLAG
want() { [[ ",$only," == *",$1,"* ]]; }

rigdir=$out/rig
trap '"$top/tests/rig/rig.sh" stop "$rigdir" >/dev/null 2>&1 || true' EXIT
"$top/tests/rig/rig.sh" start "$rigdir" >/dev/null
set -a; . "$rigdir/rig.env"; set +a
# --link MBIT,RTT_MS: the restore group reads its presigned URL through
# tools/slowlink.py, a link of that bandwidth and round-trip time to the S3
# server (the URL is signed for the link's address, so the signature still
# verifies). Both restore rows cross the same link.
url_endpoint=$S3_ENDPOINT
if [ -n "$link" ]; then
  link_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 "$here/tools/slowlink.py" "$link_port" "${S3_ENDPOINT#http://}" "${link%,*}" "${link#*,}" >"$out/slowlink.log" 2>&1 &
  link_pid=$!
  trap 'kill $link_pid 2>/dev/null; "$top/tests/rig/rig.sh" stop "$rigdir" >/dev/null 2>&1 || true' EXIT
  for _ in $(seq 50); do grep -q ready "$out/slowlink.log" 2>/dev/null && break; sleep 0.1; done
  url_endpoint=http://127.0.0.1:$link_port
  echo "bench: restore group over a ${link%,*} Mbit/s link with ${link#*,} ms round trips to S3" >&2
  echo "link ${link%,*} Mbit/s ${link#*,} ms" >"$out/link.txt"
fi
# Peers and pgshuttle get passwords from one private passfile, never argv.
export PGPASSFILE=$out/pgpass
printf '127.0.0.1:%s:*:postgres:srcpass\n127.0.0.1:%s:*:app:apppass\n127.0.0.1:%s:*:postgres:tgtpass\n' \
  "$RIG_SOURCE_PORT" "$RIG_TARGET_PORT" "$RIG_TARGET_PORT" >"$PGPASSFILE"; chmod 600 "$PGPASSFILE"
export PGSHUTTLE_STATE_DIR=$out/state  # the runs' transfers, apart from the user's
src_url() { echo "postgresql://postgres@127.0.0.1:$RIG_SOURCE_PORT/$1"; }
tgt_url() { echo "postgresql://app@127.0.0.1:$RIG_TARGET_PORT/$1"; }
tgt_admin() { psql -X -q -d "postgresql://postgres@127.0.0.1:$RIG_TARGET_PORT/postgres" -c "$1"; }
fresh_target() { tgt_admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; tgt_admin "CREATE DATABASE $1 OWNER app"; }
# Target databases are created from template0 with the extensions the
# fixture needs available (trusted: app may create them).

# The restore group's archive: pgshuttle backup when this build has it, else
# the guide's pg_dump + aws s3 cp (same custom format with data offsets);
# presigned with pgshuttle url into a private file.
make_restore_archive() {
  /usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 mb s3://bench >/dev/null 2>&1 || true
  if has backup; then
    "$bin" backup "$S" --to "$1" --endpoint "$S3_ENDPOINT" --sse none -q \
      $(has_flag backup --no-checksum && echo --no-checksum) || return 1
  else
    pg_dump -Fc -b -f "$out/restore-group.dump" "$S" &&
      /usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "$out/restore-group.dump" "$1" || return 1
  fi
  ( umask 077; "$bin" url "$1" --endpoint "$url_endpoint" --expires 1h >"$urlfile" )
}

results=$out/raw.jsonl; : >"$results"
# measure SCALE GROUP TOOL REP PREP-CMD CMD: runs PREP (untimed), then CMD under time -v.
measure() {
  local scale=$1 group=$2 tool=$3 rep=$4 prep=$5 cmd=$6 log=$out/$2-$3-s$1-r$4.log
  bash -c "$prep" >/dev/null 2>&1 || { echo "bench: preparation for $tool failed" >&2; return 1; }
  # setsid: pgcopydb signals its whole process group when it exits.
  if ! setsid /usr/bin/time -v -o "$log.time" bash -c "$cmd" >"$log" 2>&1 </dev/null; then
    echo "bench: $tool failed (log $log)" >&2; tail -5 "$log" >&2; failures=$((failures + 1)); return 0
  fi
  python3 - "$log.time" "$scale" "$group" "$tool" "$rep" >>"$results" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
def f(p):
    m = re.search(p, t); return m.group(1) if m else None
wall = f(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)')
parts = [float(x) for x in wall.split(':')]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
print(json.dumps({"scale": float(sys.argv[2]), "group": sys.argv[3], "tool": sys.argv[4], "rep": int(sys.argv[5]),
                  "wall_s": secs, "cpu_s": float(f(r'User time \(seconds\): (\S+)')) + float(f(r'System time \(seconds\): (\S+)')),
                  "max_rss_mb": int(f(r'Maximum resident set size \(kbytes\): (\d+)')) / 1024}))
PY
}

IFS=, read -r -a scale_list <<<"$scales"
for scale in "${scale_list[@]}"; do
  fx=$(python3 -c "print(max(1, round($scale * $fixture_per_scale)))")
  echo "bench: scale $scale (fixture scale $fx): loading the source" >&2
  psql -X -q -d "$(src_url postgres)" -c "DROP DATABASE IF EXISTS bench WITH (FORCE)" -c "CREATE DATABASE bench"
  psql -X -q -v ON_ERROR_STOP=1 -v scale="$fx" -d "$(src_url bench)" -f "$top/fixture/fixture.sql" >/dev/null
  # pgcopydb 0.10 builds index definitions under the session's search_path and
  # fails on the fixture's `ALTER DATABASE ... SET search_path = public, shop`
  # ("type order_status does not exist"); give every tool the same source
  # without that setting so that the peer can finish.
  psql -X -q -d "$(src_url bench)" -c "ALTER DATABASE bench RESET search_path"
  # pgcopydb 0.10 also fails on a table with both a primary key and an
  # exclusion constraint ("relation reservations_pkey already exists").
  psql -X -q -d "$(src_url bench)" -c "ALTER TABLE inventory.reservations DROP CONSTRAINT reservations_during_excl"
  size=$(psql -X -A -t -d "$(src_url bench)" -c "SELECT pg_database_size('bench')")
  echo "{\"scale\": $scale, \"source_bytes\": $size}" >>"$out/sizes.jsonl"
  S=$(src_url bench) T=$(tgt_url bench_t)
  for rep in $(seq 1 "$reps"); do
    if want copy; then
      prep="$(declare -f fresh_target tgt_admin); RIG_TARGET_PORT=$RIG_TARGET_PORT; fresh_target bench_t"
      if has copy; then measure "$scale" copy pgshuttle-copy "$rep" "$prep" "'$bin' copy '$S' '$T' --jobs $jobs --no-verify -q"; fi
      # The same with GiST/SP-GiST indexes built during a split load (issue 20).
      if has copy; then measure "$scale" copy pgshuttle-copy-index-during "$rep" "$prep" "'$bin' copy '$S' '$T' --jobs $jobs --no-verify -q --index-build during"; fi
      measure "$scale" copy pgcopydb-clone "$rep" "$prep; rm -rf '$out/pgcopydb'" \
        "pgcopydb clone --source '$S' --target '$T' --table-jobs $jobs --index-jobs $jobs --no-owner --no-acl --dir '$out/pgcopydb'"
      measure "$scale" copy dump-pipe-restore "$rep" "$prep" \
        "pg_dump -Fc '$S' | pg_restore --no-owner --no-acl -d '$T'"
      measure "$scale" copy dump-dir-restore-j "$rep" "$prep; rm -rf '$out/dumpdir'" \
        "pg_dump -Fd -j $jobs -f '$out/dumpdir' '$S' && pg_restore -j $jobs --no-owner --no-acl -d '$T' '$out/dumpdir'"
    fi
    if want archive; then
      key=s3://bench/backup-$scale-$rep.dump
      prep="$(declare -f fresh_target tgt_admin); RIG_TARGET_PORT=$RIG_TARGET_PORT; fresh_target bench_t; /usr/bin/aws --endpoint-url $S3_ENDPOINT s3 mb s3://bench >/dev/null 2>&1 || true"
      if has backup && has url && has restore; then
        measure "$scale" archive pgshuttle-backup-url-restore "$rep" "$prep" \
          "'$bin' backup '$S' --to $key --endpoint $S3_ENDPOINT --sse none -q && u=\$('$bin' url $key --endpoint $S3_ENDPOINT --expires 1h) && '$bin' restore \"\$u\" --target '$T' --jobs $jobs -q"
      fi
      measure "$scale" archive guide-sequential "$rep" "$prep; rm -f '$out/guide.dump' '$out/guide-dl.dump'" \
        "pg_dump -Fc -b -f '$out/guide.dump' '$S' && /usr/bin/aws --endpoint-url $S3_ENDPOINT s3 cp --only-show-errors '$out/guide.dump' $key.guide && u=\$(/usr/bin/aws --endpoint-url $S3_ENDPOINT s3 presign $key.guide --expires-in 3600) && curl -sfS -o '$out/guide-dl.dump' \"\$u\" && pg_restore --no-owner --no-acl -d '$T' '$out/guide-dl.dump'"
    fi
    if want backup; then
      key=s3://bench/backup-group-$scale-$rep.dump
      prep="/usr/bin/aws --endpoint-url $S3_ENDPOINT s3 mb s3://bench >/dev/null 2>&1 || true; rm -f '$out/backup-group.dump'"
      if has backup; then
        measure "$scale" backup pgshuttle-backup "$rep" "$prep" \
          "'$bin' backup '$S' --to $key --jobs $jobs --endpoint $S3_ENDPOINT --sse none -q"
        if has_flag backup --no-checksum; then
          measure "$scale" backup pgshuttle-backup-no-checksum "$rep" "$prep" \
            "'$bin' backup '$S' --to $key.nosum --jobs $jobs --no-checksum --endpoint $S3_ENDPOINT --sse none -q"
        fi
        # The same compression level as the peer (pg_dump's default, 6), for a like-for-like row.
        measure "$scale" backup pgshuttle-backup-z6 "$rep" "$prep" \
          "'$bin' backup '$S' --to $key.z6 -Z 6 --jobs $jobs --endpoint $S3_ENDPOINT --sse none -q"
      fi
      measure "$scale" backup dump-file-aws-cp "$rep" "$prep" \
        "pg_dump -Fc -b -f '$out/backup-group.dump' '$S' && /usr/bin/aws --endpoint-url $S3_ENDPOINT s3 cp --only-show-errors '$out/backup-group.dump' $key.peer"
    fi
    if want restore && has restore && has url; then
      # One archive per repetition, made and presigned untimed; both tools read it.
      key=s3://bench/restore-group-$scale-$rep.dump urlfile=$out/restore-group.url
      if ! make_restore_archive "$key" >"$out/restore-group-s$scale-r$rep.prep.log" 2>&1; then
        echo "bench: making the restore group's archive failed (log $out/restore-group-s$scale-r$rep.prep.log)" >&2
        failures=$((failures + 1))
      else
        prep="$(declare -f fresh_target tgt_admin); RIG_TARGET_PORT=$RIG_TARGET_PORT; fresh_target bench_t; rm -f '$out/restore-group-dl.dump'"
        measure "$scale" restore pgshuttle-restore-url "$rep" "$prep" \
          "'$bin' restore \"\$(cat '$urlfile')\" --target '$T' --jobs $jobs -q"
        measure "$scale" restore curl-pg-restore-j "$rep" "$prep" \
          "curl -sfS -o '$out/restore-group-dl.dump' \"\$(cat '$urlfile')\" && pg_restore -j $jobs --no-owner --no-acl -d '$T' '$out/restore-group-dl.dump'"
      fi
    fi
    if want verify && has verify; then
      # pg_restore without --create leaves out ALTER DATABASE ... SET, which
      # verify rightly counts as a difference: carry them so the clone is exact.
      dbset="SELECT format('ALTER DATABASE bench_t SET %I = %L;', split_part(c, '=', 1), substr(c, length(split_part(c, '=', 1)) + 2)) FROM pg_db_role_setting s, unnest(s.setconfig) c WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
      prep="$(declare -f fresh_target tgt_admin); RIG_TARGET_PORT=$RIG_TARGET_PORT; fresh_target bench_t; pg_dump -Fc '$S' | pg_restore --no-owner --no-acl -d '$T' && psql -X -A -t -d '$S' -c \"$dbset\" | psql -X -q -d '$T'"
      measure "$scale" verify pgshuttle-verify "$rep" "$prep" "'$bin' verify '$S' '$T' --jobs $jobs -q"
    fi
  done
done

python3 "$here/report.py" "$out" | tee "$out/table.txt"
if [ "${#scale_list[@]}" -gt 1 ] && command -v gnuplot >/dev/null; then
  python3 "$here/report.py" --plot-data "$out" >"$out/growth.dat"
  ncols=$(( $(head -1 "$out/growth.dat" | wc -w) + 1 ))
  gnuplot -e "datafile='$out/growth.dat'; outfile='$out/growth.png'; ncols=$ncols" "$here/growth.gp" && echo "plot: $out/growth.png"
fi
echo "results: $out"
if [ "$strict" = 1 ] && [ "$failures" -gt 0 ]; then echo "bench: $failures command(s) failed" >&2; exit 1; fi
