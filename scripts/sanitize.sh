#!/usr/bin/env bash
# scripts/sanitize.sh -- unit tests under the sanitizers, built apart from
# ./build (build-tsan, build-asan; each unit program links only its module
# and what that depends on): ThreadSanitizer on the threaded units (the task
# pool, the transfer lifecycle), AddressSanitizer + UndefinedBehaviorSanitizer
# on the units of the modules that parse untrusted input or run threads
# (core, exec, state, pg, storage, archive, logical). Exits non-zero on a
# finding.
# CI runs it after the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache.sh
# Warnings are not errors here: GCC warns falsely inside <regex> under ASan
# (./build enforces -Werror).
configure() {  # DIR FLAGS
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPGSHUTTLE_FAULT_POINTS=ON -DCMAKE_CXX_FLAGS="$2 -fno-omit-frame-pointer" \
    "${launcher[@]}" >/dev/null
}
# ThreadSanitizer: the units whose code runs threads against each other.
configure build-tsan "-fsanitize=thread"
ninja -C build-tsan unit_exec unit_state
for t in unit_exec unit_state; do
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "build-tsan/tests/$t" --gtest_brief=1
done
# AddressSanitizer + UndefinedBehaviorSanitizer.
configure build-asan "-fsanitize=address,undefined -fno-sanitize-recover=undefined"
units=(unit_core unit_exec unit_state unit_pg unit_storage unit_archive unit_logical)
ninja -C build-asan "${units[@]}"
for t in "${units[@]}"; do
  ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" \
    "build-asan/tests/$t" --gtest_brief=1
done
echo "sanitize: TSan (unit_exec, unit_state) and ASan+UBSan (${#units[@]} unit programs) clean"
