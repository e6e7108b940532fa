#!/usr/bin/env bash
# s3-stop.sh DATA_DIR -- stop only what s3-start.sh recorded in DATA_DIR/run.
# RUN/NAME.pid = "PID STARTTIME" (PID reuse detected). Daemons were started with
# setsid (PID == process group); workers are matched by group + their conf path.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DATA_DIR" >&2; exit 2; }
DATA_DIR=$(cd "$1" 2>/dev/null && pwd -P) && [ -d "$DATA_DIR/run" ] ||
  { echo "s3-stop: nothing to stop in $1" >&2; exit 0; }
ETC=$DATA_DIR/etc RUN=$DATA_DIR/run
exec 9>"$RUN/lock"; flock -w 120 9 || { echo "s3-stop: $RUN/lock is busy" >&2; exit 1; }

pstat() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; echo "${s##*) }"; }
running() { local s; s=$(pstat "$1") && [ "${s%% *}" != Z ]; }
alive() { local pid st s; [ -s "$RUN/$1.pid" ] || return 1; read -r pid st <"$RUN/$1.pid"
  [[ $pid =~ ^[0-9]+$ ]] && running "$pid" && s=$(pstat "$pid") && set -- $s && [ "${20}" = "$st" ]; }
members() { local pid st p; [ -s "$RUN/$1.pid" ] || return 0; read -r pid st <"$RUN/$1.pid"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  for p in $(pgrep -g "$pid"); do
    if [ "$p" = "$pid" ] && alive "$1"; then echo "$p"
    elif tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qxF "$ETC/$1-server.conf"; then echo "$p"; fi
  done; return 0; }

t=""
for n in proxy object container account memcached; do
  m=$(echo $(members "$n")); [ -n "$m" ] && echo "s3-stop: stopping $n (pids $m)" >&2
  t="$t $m"; rm -f "$RUN/$n.pid"
done
rm -f "$RUN/proxy.port"; t=$(echo $t)
[ -n "$t" ] || { echo "s3-stop: nothing running for $DATA_DIR" >&2; exit 0; }
kill -TERM $t 2>/dev/null
for i in $(seq 50); do n=0; for p in $t; do running "$p" && n=1; done; [ $n = 1 ] || break; sleep 0.2; done
for p in $t; do running "$p" && { kill -KILL "$p" 2>/dev/null; echo "s3-stop: SIGKILLed $p" >&2; }; done
exit 0
