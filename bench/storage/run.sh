#!/usr/bin/env bash
# bench/storage/run.sh — pgshuttle's S3 upload and download against
# /usr/bin/aws s3 cp, same file, same server, same run; prints the ratios.
#
#   bench/storage/run.sh [--size-mib N] [--reps R] [--rig-env FILE] [--bin PGSHUTTLE]
#
# --size-mib: file size (default 1024 = 1 GiB).
# --rig-env:  use the S3 server of a running rig (tests/rig/rig.sh start DIR
#             writes DIR/rig.env); without it a private one is started with
#             tests/rig/s3-start.sh and stopped at the end (needs root).
# Each timing is the best of R runs (default 1). Ratio = aws time / pgshuttle
# time: above 1 means pgshuttle is faster. Not part of ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/../.." && pwd)
size_mib=1024 reps=1 rig_env="" bin=""
while [ $# -gt 0 ]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --rig-env) rig_env=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "usage: $0 [--size-mib N] [--reps R] [--rig-env FILE] [--bin PGSHUTTLE]" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  for b in "$top"/build*/src/cli/pgshuttle; do [ -x "$b" ] && bin=$b && break; done
fi
[ -x "$bin" ] || { echo "no pgshuttle binary; build it or pass --bin" >&2; exit 2; }
[ -x /usr/bin/aws ] || { echo "/usr/bin/aws is missing (apt-get install awscli)" >&2; exit 2; }

work=$(mktemp -d /tmp/pgshuttle-bench-s3.XXXXXX)
s3dir=""
cleanup() {
  [ -z "$s3dir" ] || "$top/tests/rig/s3-start.sh" --stop "$s3dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "$rig_env" ]; then
  s3dir=$work/s3
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$top/tests/rig/s3-start.sh" "$s3dir" "$port" >"$work/rig.env"
  rig_env=$work/rig.env
fi
set -a; . "$rig_env"; set +a
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
# The AWS CLI signs with SigV4 like pgshuttle (its us-east-1 default would be SigV2).
printf '[default]\ns3 =\n  signature_version = s3v4\n' >"$work/aws-config"
export AWS_CONFIG_FILE=$work/aws-config
endpoint=$S3_ENDPOINT bucket=bench-$$

echo "pgshuttle: $bin"; echo "aws:       $(/usr/bin/aws --version 2>&1)"
echo "server:    $endpoint (Swift s3api), file: $size_mib MiB, best of $reps"
"$bin" storage mb "s3://$bucket" --endpoint "$endpoint"
head -c "$((size_mib << 20))" /dev/urandom >"$work/src.bin"

best() {  # best wall time in seconds of "$@" over $reps runs
  local b="" t s e
  for _ in $(seq "$reps"); do
    s=$(date +%s.%N); "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc); if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
pg_up=$(best "$bin" storage cp "$work/src.bin" "s3://$bucket/pg.bin" --endpoint "$endpoint" --sse none)
aws_up=$(best /usr/bin/aws s3 cp --only-show-errors "$work/src.bin" "s3://$bucket/aws.bin" --endpoint-url "$endpoint")
pg_down=$(best "$bin" storage cp "s3://$bucket/aws.bin" "$work/pg.back" --endpoint "$endpoint")
aws_down=$(best /usr/bin/aws s3 cp --only-show-errors "s3://$bucket/pg.bin" "$work/aws.back" --endpoint-url "$endpoint")
cmp "$work/src.bin" "$work/pg.back" && cmp "$work/src.bin" "$work/aws.back" || { echo "copies differ" >&2; exit 1; }

row() {  # name pgshuttle_s aws_s
  printf '%-9s pgshuttle %7.2f s (%7.1f MiB/s)   aws %7.2f s (%7.1f MiB/s)   ratio aws/pgshuttle %.2f\n' \
    "$1" "$2" "$(echo "$size_mib / $2" | bc -l)" "$3" "$(echo "$size_mib / $3" | bc -l)" "$(echo "$3 / $2" | bc -l)"
}
row upload "$pg_up" "$aws_up"
row download "$pg_down" "$aws_down"
for k in pg.bin aws.bin; do "$bin" storage rm "s3://$bucket/$k" --endpoint "$endpoint" || true; done
