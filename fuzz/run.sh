#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] -- builds the libFuzzer targets with clang (ASan +
# UBSan on every module) and fuzzes each for its share of SECONDS (default
# 60): the archive reader (seeded with tests/data/archive), the S3 error
# parser and the plain-SQL restore filters (seeded with fuzz/seeds/*), and
# the pgoutput and walsender-frame decoders (from an empty corpus).
# Exits non-zero on a crash or a broken property.
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PGSHUTTLE_FUZZ_BUILD:-$root/build-fuzz}
source "$root/scripts/ccache.sh"
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DPGSHUTTLE_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
targets=(archive_reader s3_error stream_filters pgoutput)
ninja -C "$build" -j2 "${targets[@]/#/fuzz_}"
share=$(( secs / ${#targets[@]} )); [ "$share" -ge 5 ] || share=5
for t in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$t
  mkdir -p "$corpus"
  case $t in
    archive_reader) cp "$root"/tests/data/archive/*.dump "$corpus"/ ;;
    pgoutput) ;;
    *) cp "$root"/fuzz/seeds/"$t"/* "$corpus"/ ;;
  esac
  echo "fuzz: $t for ${share}s"
  (cd "$build" && ./fuzz/fuzz_"$t" -max_total_time="$share" -max_len=65536 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 "$corpus")
done
