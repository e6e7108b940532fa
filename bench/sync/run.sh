#!/usr/bin/env bash
# bench/sync/run.sh — pgshuttle sync's apply rate and lag under a pgbench
# write load on the source, and the cutover's downtime with the load still
# running. Not part of ctest; no peer is run (pgcopydb follow is not
# compared yet).
#
#   bench/sync/run.sh --rig-env FILE [--seconds S] [--clients C] [--bin PGSHUTTLE]
#                     [--sync-arg ARG]...
#
# --sync-arg: one more option for `pgshuttle sync` (e.g. --no-live-verify).
# --rig-env: a running rig (tests/rig/rig.sh start DIR writes DIR/rig.env;
#            its source runs wal_level = logical). Each transaction of the
#            load changes 5 rows in 4 tables (an update, an insert, an update
#            leaving a TOASTed column unchanged, an upsert, a delete).
# Prints the source's transactions per second, the sync's progress lines
# (changes applied per second, lag in bytes) as a summary, and the
# downtime `pgshuttle cutover` reports.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/../.." && pwd)
rig_env="" seconds=30 clients=4 bin="" sync_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --rig-env) rig_env=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --sync-arg) sync_args+=("$2"); shift 2 ;;
    *) echo "usage: $0 --rig-env FILE [--seconds S] [--clients C] [--bin PGSHUTTLE] [--sync-arg ARG]..." >&2; exit 2 ;;
  esac
done
# shellcheck source=common.sh
source "$here/common.sh"
db=bench_sync_$$ work=$(mktemp -d /tmp/bench-sync.XXXXXX)
cleanup() {
  [ -n "${sync_pid:-}" ] && kill "$sync_pid" 2>/dev/null || true
  psql -q "$src_base/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  psql -q "$tgt_base/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
psql -q "$src_base/postgres" -c "CREATE DATABASE $db"
psql -q "$tgt_base/postgres" -c "CREATE DATABASE $db OWNER $RIG_TARGET_APP_USER"
psql -q "$src_base/$db" -f "$here/schema.sql"
"$bin" --state-dir "$work/state" sync "$src_base/$db" "$app/$db" --fence-grace 1 "${sync_args[@]}" \
  >"$work/sync.out" 2>"$work/sync.err" &
sync_pid=$!
for _ in $(seq 1 600); do
  [ "$(psql -Atc "SELECT to_regclass('pgshuttle.sync_state') IS NOT NULL" "$tgt_base/$db")" = t ] && break
  sleep 0.2
done
pgbench -n -c "$clients" -T "$seconds" -f "$here/load.sql" "$src_base/$db" >"$work/pgbench.out" 2>&1 &
bench_pid=$!
sleep $((seconds * 2 / 3))
start=$(date +%s.%N)
"$bin" --state-dir "$work/state" cutover s001 | tee "$work/cutover.out"
end=$(date +%s.%N)
wait "$sync_pid" || true
sync_pid=""
wait "$bench_pid" || true
echo "source load: $(grep -E '^tps' "$work/pgbench.out" | head -1) ($clients clients, 5 row changes a transaction)"
echo "cutover command: $(echo "$end - $start" | bc) s wall"
# The streaming lines while the load ran (the first is the catch-up of
# the copy's own tail).
grep ' streaming: ' "$work/sync.err" | tail -n +2 | awk '{
  for (i = 1; i <= NF; i++) { if ($i == "lag") lag = $(i+1); if ($i == "changes/s,") rate = $(i-1) }
  n++; sr += rate; if (lag > ml) ml = lag; sl += lag
} END { if (n) printf "apply: %d samples, mean %.0f changes/s, mean lag %.0f bytes, max lag %d bytes\n", n, sr/n, sl/n, ml }'
