#!/usr/bin/env bash
# scripts/lint.sh [--tidy [FILE...]] -- the house style, checked.
# Always: clang-format (.clang-format) on every C++ file of the repository,
# failing on the first file that differs (CI runs this). With --tidy: also
# clang-tidy (.clang-tidy) on the given sources, or on every source of src/
# (about 5 CPU-seconds a file here, so not part of every CI run), using
# build/compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tracked and new files that exist (a deleted one may still be in the index).
existing() { while read -r f; do [ -f "$f" ] && echo "$f"; done; }
mapfile -t files < <(git ls-files -co --exclude-standard '*.cpp' '*.h' | existing)
clang-format --dry-run -Werror "${files[@]}"
echo "lint: clang-format: ${#files[@]} files formatted"
# sql/ has one test for "a schema the user made", written the same way in
# every query (no server function can hold it: sources are read-only):
#   <alias>nspname <> 'information_schema' AND <alias>nspname NOT LIKE 'pg\_%'
# (every pg_* schema name is reserved for the system: pg_catalog, pg_toast,
# pg_temp_N, ...). Any other spelling of it is refused.
others=$(grep -rnE "information_schema'|'pg[\\]?_(toast|temp)" sql --include='*.sql' |
  grep -v '^sql/state/' | grep -vE '^[^:]*:[0-9]+: *--' |
  grep -vE "([a-z_.]+) <> 'information_schema' AND \1 NOT LIKE 'pg\\\\_%'" || true)
if [ -n "$others" ]; then
  echo "lint: sql/ filters system schemas another way than the one above:" >&2
  echo "$others" >&2
  exit 1
fi
echo "lint: sql/: one user-schema filter"
[ "${1:-}" = --tidy ] || exit 0
shift
if [ $# -gt 0 ]; then
  sources=("$@")
else
  mapfile -t sources < <(git ls-files -co --exclude-standard 'src/*.cpp' | existing)
fi
[ -f build/compile_commands.json ] || { echo "lint: run scripts/build.sh first" >&2; exit 2; }
printf '%s\n' "${sources[@]}" | xargs -P2 -n8 clang-tidy -p build --quiet --warnings-as-errors='*'
echo "lint: clang-tidy: ${#sources[@]} sources clean"
