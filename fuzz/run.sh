#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] -- builds the libFuzzer targets with clang (ASan +
# UBSan on every module) and fuzzes the archive reader for a bounded time,
# seeded with the archives in tests/data/archive, then the pgoutput and
# walsender-frame decoders (from an empty corpus) as long. Exits non-zero
# on a crash.
set -euo pipefail
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PGSHUTTLE_FUZZ_BUILD:-$root/build-fuzz}
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DPGSHUTTLE_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
ninja -C "$build" -j2 fuzz_archive_reader fuzz_pgoutput
corpus=$build/fuzz-corpus
mkdir -p "$corpus"
cp "$root"/tests/data/archive/*.dump "$corpus"/
cd "$build"
./fuzz/fuzz_archive_reader -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
  -timeout=10 -print_final_stats=1 "$corpus"
mkdir -p fuzz-corpus-pgoutput
./fuzz/fuzz_pgoutput -max_total_time="$secs" -max_len=4096 -rss_limit_mb=2048 \
  -timeout=10 -print_final_stats=1 fuzz-corpus-pgoutput
