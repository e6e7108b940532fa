#!/usr/bin/env bash
# pg-build.sh MAJOR   -- prints the bin directory of PostgreSQL MAJOR (13, 15,
#                        17), building it once from Debian's source package
#                        when no binary package is installed.
#
# Only one server major is installable as a binary package on Debian 12
# (15). The others come from Debian's own source packages: postgresql-13
# from bullseye, postgresql-17 from trixie (deb-src entries added once, as
# root). They are built without documentation, with ICU, libxml, zlib, lz4,
# zstd and OpenSSL, plus the contrib modules the tests use, into
# $PGSHUTTLE_CACHE_DIR/pg-MAJOR (default /var/cache/pgshuttle as root), so a
# second run on the same machine reuses the build. The build log stays in
# that folder.
set -euo pipefail
major=${1:?usage: pg-build.sh MAJOR}
log() { echo "pg-build: $*" >&2; }

if [ -x "/usr/lib/postgresql/$major/bin/postgres" ]; then
  echo "/usr/lib/postgresql/$major/bin"; exit 0
fi
if [ -z "${PGSHUTTLE_CACHE_DIR:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then PGSHUTTLE_CACHE_DIR=/var/cache/pgshuttle; else PGSHUTTLE_CACHE_DIR=$HOME/.cache/pgshuttle; fi
fi
cache=$PGSHUTTLE_CACHE_DIR/pg-$major
if [ -x "$cache/install/bin/postgres" ] && [ -f "$cache/install/.complete" ]; then
  echo "$cache/install/bin"; exit 0
fi

case $major in
  13) suite=bullseye ;;
  17) suite=trixie ;;
  *) log "no Debian source suite known for PostgreSQL $major"; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { log "PostgreSQL $major is not built yet; run this once as root"; exit 1; }

# Build tools and headers (Debian 12 packages).
need=(build-essential bison flex pkg-config libicu-dev libxml2-dev zlib1g-dev liblz4-dev libzstd-dev libssl-dev dpkg-dev)
missing=()
for p in "${need[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

. "$(dirname "$0")/deb-src.sh"
add_deb_src "$suite"

# A mirror's pool may lag its index (it lists X.12 and holds X.11): then the
# nearest older minor release with the same Debian revision is fetched from
# the pool directly, its tarball checked against the .dsc's SHA-256.
fetch_from_pool() {
  local indexed=$1 pool=http://deb.debian.org/debian/pool/main/p/postgresql-$major
  local upstream=${indexed%%-*} revision=${indexed#*-}
  local minor=${upstream#*.} m dsc sum tar
  for ((m = minor - 1; m >= 0 && m >= minor - 6; m--)); do
    dsc=postgresql-${major}_${major}.$m-$revision.dsc
    tar=postgresql-${major}_${major}.$m.orig.tar.bz2
    curl -sfS -o "$cache/download/$dsc" "$pool/${dsc//+/%2b}" 2>/dev/null || continue
    curl -sfS -o "$cache/download/$tar" "$pool/$tar" || { rm -f "$cache/download/$dsc"; continue; }
    sum=$(awk -v f="$tar" '/^Checksums-Sha256:/{on=1; next} /^[^ ]/{on=0} on && $3 == f {print $1}' "$cache/download/$dsc")
    if [ -n "$sum" ] && echo "$sum  $cache/download/$tar" | sha256sum -c --quiet; then
      log "the mirror lacks $indexed; using $major.$m-$revision from its pool"
      return 0
    fi
    rm -f "$cache/download/$dsc" "$cache/download/$tar"
  done
  return 1
}

mkdir -p "$cache/download"
if ! ls "$cache"/download/postgresql-"$major"_*.orig.tar.* >/dev/null 2>&1; then
  indexed=$(apt-cache showsrc "postgresql-$major" | sed -n 's/^Version: //p' | sort -rV | head -1)
  [ -n "$indexed" ] || { log "no source package postgresql-$major in $suite"; exit 1; }
  if ! (cd "$cache/download" && apt-get source -q --download-only "postgresql-$major=$indexed" >"$cache/apt-source.log" 2>&1); then
    rm -f "$cache"/download/*
    fetch_from_pool "$indexed" || { cat "$cache/apt-source.log" >&2; log "could not download the source of postgresql-$major"; exit 1; }
  fi
fi
tarball=$(ls "$cache"/download/postgresql-"$major"_*.orig.tar.* | head -1)
version=$(basename "$tarball" | sed -E 's/^postgresql-[0-9]+_([0-9.]+)\.orig\.tar\..*$/\1/')
log "building PostgreSQL $version from Debian's source package (once; log: $cache/build.log)"
rm -rf "$cache/src" "$cache/install"; mkdir -p "$cache/src"
tar -xf "$tarball" -C "$cache/src"
src=$cache/src/postgresql-$version
jobs=$(nproc)
{
  cd "$src"
  ./configure --prefix="$cache/install" --without-readline --with-icu --with-libxml \
    --with-lz4 --with-zstd --with-openssl
  make -j"$jobs"
  make install
  for m in hstore citext pgcrypto btree_gist; do make -C "contrib/$m" -j"$jobs" install; done
} >"$cache/build.log" 2>&1 || { tail -40 "$cache/build.log" >&2; log "build failed"; exit 1; }
rm -rf "$cache/src"
touch "$cache/install/.complete"
# The rig runs servers as the postgres system user.
chmod -R a+rX "$cache"
echo "$cache/install/bin"
