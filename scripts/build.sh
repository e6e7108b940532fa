#!/usr/bin/env bash
# Configures and builds pgshuttle in ./build, the test build (warnings are
# errors; the fault points of core/fault.h compiled in). Uses
# ccache when installed, keyed relative to the checkout so that several
# worktrees of the repository share compiled objects.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGSHUTTLE_WERROR=ON -DPGSHUTTLE_FAULT_POINTS=ON "${launcher[@]}" >/dev/null
ninja -C build
