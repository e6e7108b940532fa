#!/usr/bin/env bash
# Installs dependencies, builds, and runs pgshuttle on its own demo: a
# throwaway source cluster loaded with the project's fixture, then
# `pgshuttle inspect` of it. Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
demo=$(mktemp -d /tmp/pgshuttle-demo.XXXXXX)
trap 'PGSHUTTLE_RIG_S3=0 tests/rig/rig.sh stop "$demo" >/dev/null 2>&1; rm -rf "$demo"' EXIT
echo "demo: starting throwaway PostgreSQL clusters" >&2
PGSHUTTLE_RIG_S3=0 tests/rig/rig.sh start "$demo" >/dev/null
set -a; . "$demo/rig.env"; set +a
src="postgresql://postgres:srcpass@127.0.0.1:$RIG_SOURCE_PORT/demo"
psql -X -q -d "$RIG_SOURCE_ADMIN" -c "CREATE DATABASE demo"
echo "demo: loading the fixture" >&2
psql -X -q -v ON_ERROR_STOP=1 -v scale="${DEMO_SCALE:-5}" -d "$src" -f fixture/fixture.sql >/dev/null
echo "demo: pgshuttle inspect $src" >&2
build/src/cli/pgshuttle inspect "$src"
