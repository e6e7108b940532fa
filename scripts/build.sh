#!/usr/bin/env bash
# Configures and builds pgshuttle in ./build, the test build (warnings are
# errors; the fault points of core/fault.h compiled in), through ccache when
# it is installed (scripts/ccache.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGSHUTTLE_WERROR=ON -DPGSHUTTLE_FAULT_POINTS=ON "${launcher[@]}" >/dev/null
ninja -C build
