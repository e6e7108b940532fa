#!/usr/bin/env bash
# Installs dependencies, checks the format, builds, and runs the whole test
# suite (unit tests, integration tests against real PostgreSQL clusters and a
# SigV4-verifying S3 server started by the suite itself, sanitizer runs of
# the units, a bounded fuzz run, and the Debian package installed and
# smoke-tested).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The house style: every C++ file as clang-format lays it out.
scripts/lint.sh
# PostgreSQL 13 and 17 for the versions matrix (tests/rig/pg-build.sh: built
# once from Debian's source packages, then cached), built while pgshuttle
# builds rather than while the suite's timing-sensitive tests run.
(tests/rig/pg-build.sh 13 >/dev/null && tests/rig/pg-build.sh 17 >/dev/null) &
pg_builds=$!
scripts/build.sh
wait "$pg_builds"
(cd build && ctest --output-on-failure -j2 --timeout 900 "$@")
# The threaded units under TSan, the parsing and threaded units under
# ASan + UBSan (scripts/sanitize.sh).
scripts/sanitize.sh
# A bounded fuzz run (clang, libFuzzer, ASan + UBSan): the archive reader,
# the S3 error parser and the plain-SQL restore filters.
fuzz/run.sh "${PGSHUTTLE_FUZZ_SECONDS:-60}"
# The Debian package: built from a release build, installed with apt,
# --version, man page and completions checked, removed again.
scripts/package.sh --smoke
