#!/usr/bin/env bash
# Configures and builds pgshuttle in ./build (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGSHUTTLE_WERROR=ON >/dev/null
ninja -C build
