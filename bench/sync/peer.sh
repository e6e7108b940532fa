#!/usr/bin/env bash
# bench/sync/peer.sh — pgshuttle sync against `pgcopydb clone --follow`
# (Debian's pgcopydb) under the same pgbench write load, one after the
# other in one run, judged the same way for both: from the start of the
# load, how long until the target holds every row the source wrote (the
# count and the largest id of the append-only `log` table, and a digest of
# `accounts`), and from that the apply rate in row changes a second.
#
#   bench/sync/peer.sh --rig-env FILE [--seconds S] [--clients C] [--wait S] [--bin PGSHUTTLE]
#
# --wait: how long after the load a follower may take to catch up before it
#   is reported as not caught up (default 120 s).
# --rig-env: a running rig (tests/rig/rig.sh start DIR). pgcopydb 0.10
#   decodes with wal2json, which the rig's servers do not allow as an
#   output plugin: the script adds it to output_plugin_libraries on the
#   source for the run and restores the setting after. pgcopydb replays
#   into a target database owned by the rig's superuser (it needs
#   replication origins); pgshuttle into one owned by the non-superuser
#   application role, as in every other bench.
# pgcopydb 0.10 applies a WAL segment's changes only once that segment is
#   closed, so when the load ends the script runs pg_switch_wal() on the
#   source (for both tools, though pgshuttle does not need it); without it
#   pgcopydb would not apply the last changes until more WAL is written.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/../.." && pwd)
rig_env="" seconds=30 clients=4 bin="" wait_limit=120
while [ $# -gt 0 ]; do
  case $1 in
    --rig-env) rig_env=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --wait) wait_limit=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "usage: $0 --rig-env FILE [--seconds S] [--clients C] [--wait S] [--bin PGSHUTTLE]" >&2; exit 2 ;;
  esac
done
# shellcheck source=common.sh
source "$here/common.sh"
command -v pgcopydb >/dev/null || { echo "pgcopydb is not installed (apt-get install pgcopydb)" >&2; exit 2; }
db=bench_peer_$$ work=$(mktemp -d /tmp/bench-peer.XXXXXX)
plugins=$(psql -Atc "SHOW output_plugin_libraries" "$src_base/postgres" 2>/dev/null || true)
follower_pid=""
cleanup() {
  # pgcopydb forks (a receiver, a transformer, an applier): its group goes.
  if [ -n "$follower_pid" ]; then
    kill -- "-$follower_pid" 2>/dev/null || kill "$follower_pid" 2>/dev/null
    wait "$follower_pid" 2>/dev/null
  fi
  psql -q "$src_base/postgres" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'pgcopydb'" >/dev/null 2>&1 || true
  psql -q "$tgt_base/postgres" -c "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = 'pgcopydb'" >/dev/null 2>&1 || true
  for d in $db ${db}_p ${db}_c; do
    psql -q "$src_base/postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" 2>/dev/null || true
    psql -q "$tgt_base/postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" 2>/dev/null || true
  done
  if [ -n "$plugins" ]; then
    psql -q "$src_base/postgres" -c "ALTER SYSTEM SET output_plugin_libraries = $plugins" \
      -c "SELECT pg_reload_conf()" >/dev/null || true
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# What both sides must agree on: every log row, every balance.
state_sql="SELECT count(*), coalesce(max(id), 0), (SELECT md5(string_agg(balance::text, ',' ORDER BY id)) FROM accounts) FROM log"
now() { date +%s.%N; }

# run_one NAME SOURCE_DB TARGET_ADMIN_URL: the load, then the wait for the
# target; prints one result line. The follower runs already.
run_one() {
  local name=$1 sdb=$2 target=$3 start end caught want have
  start=$(now)
  pgbench -n -c "$clients" -T "$seconds" -f "$here/load.sql" "$src_base/$sdb" >"$work/$name.pgbench" 2>&1
  end=$(now)
  psql -q "$src_base/$sdb" -c "SELECT pg_switch_wal()" >/dev/null
  want=$(psql -Atc "$state_sql" "$src_base/$sdb")
  caught=""
  for _ in $(seq 1 $((wait_limit * 5))); do
    have=$(psql -Atc "$state_sql" "$target" 2>/dev/null || true)
    if [ "$have" = "$want" ]; then caught=$(now); break; fi
    sleep 0.2
  done
  local txns changes
  txns=$(psql -Atc "SELECT count(*) FROM log" "$src_base/$sdb")
  changes=$((txns * 5))
  if [ -z "$caught" ]; then
    printf '%-9s load %5.1f s, %d transactions (%d row changes): target not caught up %d s after the load (it holds %s of the %d log rows)\n' \
      "$name" "$(echo "$end - $start" | bc)" "$txns" "$changes" "$wait_limit" \
      "$(psql -Atc "SELECT count(*) FROM log" "$target" 2>/dev/null || echo '?')" "$txns"
    return
  fi
  printf '%-9s load %5.1f s, %d transactions (%d row changes): caught up %.1f s after the load ended; %.0f row changes/s applied from load start\n' \
    "$name" "$(echo "$end - $start" | bc)" "$txns" "$changes" "$(echo "$caught - $end" | bc)" \
    "$(echo "$changes / ($caught - $start)" | bc -l)"
}

# pgshuttle sync.
psql -q "$src_base/postgres" -c "CREATE DATABASE ${db}_p"
psql -q "$tgt_base/postgres" -c "CREATE DATABASE ${db}_p OWNER $RIG_TARGET_APP_USER"
psql -q "$src_base/${db}_p" -f "$here/schema.sql"
"$bin" --state-dir "$work/state" sync "$src_base/${db}_p" "$app/${db}_p" --fence-grace 1 \
  >"$work/sync.out" 2>"$work/sync.err" &
follower_pid=$!
for _ in $(seq 1 600); do
  [ "$(psql -Atc "SELECT to_regclass('pgshuttle.sync_state') IS NOT NULL" "$tgt_base/${db}_p")" = t ] && break
  sleep 0.2
done
run_one pgshuttle "${db}_p" "$tgt_base/${db}_p"
"$bin" --state-dir "$work/state" cutover s001 >/dev/null
wait "$follower_pid" || true
follower_pid=""

# pgcopydb clone --follow (the slot and the target's replication origin of
# an earlier, interrupted run dropped).
psql -q "$src_base/postgres" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'pgcopydb'" >/dev/null
psql -q "$tgt_base/postgres" -c "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = 'pgcopydb'" >/dev/null
psql -q "$src_base/postgres" -c "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json" \
  -c "SELECT pg_reload_conf()" >/dev/null
psql -q "$src_base/postgres" -c "CREATE DATABASE ${db}_c"
psql -q "$tgt_base/postgres" -c "CREATE DATABASE ${db}_c"
psql -q "$src_base/${db}_c" -f "$here/schema.sql"
setsid pgcopydb clone --follow --source "$src_base/${db}_c" --target "$tgt_base/${db}_c" \
  --dir "$work/pgcopydb" --table-jobs 2 --index-jobs 2 >"$work/pgcopydb.log" 2>&1 &
follower_pid=$!
for _ in $(seq 1 1500); do
  grep -q "sentinel has enabled applying changes" "$work/pgcopydb.log" && break
  kill -0 "$follower_pid" 2>/dev/null || { tail -20 "$work/pgcopydb.log" >&2; exit 1; }
  sleep 0.2
done
run_one pgcopydb "${db}_c" "$tgt_base/${db}_c"
errors=$(grep -c ' ERROR ' "$work/pgcopydb.log" || true)
[ "$errors" -eq 0 ] || echo "pgcopydb logged $errors ERROR lines, e.g.: $(grep -m1 ' ERROR ' "$work/pgcopydb.log" | cut -c1-160)"
kill -- "-$follower_pid" 2>/dev/null || true
wait "$follower_pid" 2>/dev/null || true
follower_pid=""
echo "($clients pgbench clients for $seconds s on the source, 5 row changes a transaction; the same machine runs source, target, load and follower)"
