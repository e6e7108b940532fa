#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite (unit tests,
# integration tests against real PostgreSQL clusters and a SigV4-verifying
# S3 server started by the suite itself, and a bounded fuzz run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j2 --timeout 900 "$@")
# A bounded fuzz run of the archive reader (clang, libFuzzer, ASan + UBSan).
fuzz/run.sh "${PGSHUTTLE_FUZZ_SECONDS:-60}"
