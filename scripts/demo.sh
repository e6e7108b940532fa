#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole migration on pgshuttle's
# own demo: a throwaway source cluster loaded with the project's fixture, a
# managed-provider style target (non-superuser owner, different settings) and
# a local S3 server that verifies signatures. `pgshuttle migrate` then runs
# the runbook end to end (check, read-only source, backup to S3, presigned
# URL, extensions, restore, settings, verify). Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
demo=$(mktemp -d /tmp/pgshuttle-demo.XXXXXX)
trap 'tests/rig/rig.sh stop "$demo" >/dev/null 2>&1; rm -rf "$demo"' EXIT
echo "demo: starting a source and a target PostgreSQL cluster and an S3 server" >&2
tests/rig/rig.sh start "$demo" >/dev/null
set -a; . "$demo/rig.env"; set +a
export AWS_ENDPOINT_URL=$S3_ENDPOINT PGSHUTTLE_STATE_DIR=$demo/state
# Passwords in a private passfile, not on command lines.
export PGPASSFILE=$demo/pgpass
printf '127.0.0.1:%s:*:postgres:srcpass\n127.0.0.1:%s:*:app:apppass\n127.0.0.1:%s:*:postgres:tgtpass\n' \
  "$RIG_SOURCE_PORT" "$RIG_TARGET_PORT" "$RIG_TARGET_PORT" >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"
src="postgresql://postgres@127.0.0.1:$RIG_SOURCE_PORT/demo"
dst="postgresql://app@127.0.0.1:$RIG_TARGET_PORT/demo"
psql -X -q -d "postgresql://postgres@127.0.0.1:$RIG_SOURCE_PORT/postgres" -c "CREATE DATABASE demo"
psql -X -q -d "postgresql://postgres@127.0.0.1:$RIG_TARGET_PORT/postgres" -c "CREATE DATABASE demo OWNER app"
echo "demo: loading the fixture into the source" >&2
psql -X -q -v ON_ERROR_STOP=1 -v scale="${DEMO_SCALE:-5}" -d "$src" -f fixture/fixture.sql >/dev/null
pgshuttle=build/src/cli/pgshuttle
"$pgshuttle" storage mb s3://demo >/dev/null
"$pgshuttle" inspect "$src"
echo
echo "demo: pgshuttle migrate $src $dst --via s3://demo/backups --sse none --release-source" >&2
# --sse none: the local S3 server (Swift) has no server-side encryption; on AWS keep the default AES256.
"$pgshuttle" migrate "$src" "$dst" --via s3://demo/backups --sse none --release-source
