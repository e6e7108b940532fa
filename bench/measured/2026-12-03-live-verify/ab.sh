#!/usr/bin/env bash
# The cutover's downtime with and without the live verify, alternating, under
# bench/sync/run.sh's load (4 pgbench clients, 30 s, cutover after 20 s).
#   bench/measured/2026-12-03-live-verify/ab.sh RIG_ENV PGSHUTTLE ROUNDS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/../../.." && pwd)
rig_env=$1 bin=$2 rounds=${3:-3}
for round in $(seq 1 "$rounds"); do
  for mode in live off; do
    args=()
    [ "$mode" = off ] && args=(--sync-arg --no-live-verify)
    out=$("$top/bench/sync/run.sh" --rig-env "$rig_env" --bin "$bin" --seconds 30 "${args[@]}" 2>&1)
    downtime=$(grep -o 'downtime [0-9.]* s' <<<"$out" | head -1)
    verified=$(grep -o "verified: [^;]*" <<<"$out" | head -1 || true)
    apply=$(grep '^apply:' <<<"$out")
    load=$(grep '^source load' <<<"$out" | grep -o 'tps = [0-9.]*')
    echo "round $round $mode: $downtime; $load; $apply; ${verified:-not verified}"
  done
done
