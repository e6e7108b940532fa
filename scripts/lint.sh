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
