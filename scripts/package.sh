#!/usr/bin/env bash
# scripts/package.sh [--smoke] -- builds the Debian package: a release build
# in ./build-release (no test fault points), the binary stripped, its manual
# page and bash/zsh completions (generated from the CLI definitions), library
# dependencies from dpkg-shlibdeps. Prints the .deb's path.
# --smoke then installs it with apt (root), checks `pgshuttle --version`,
# `man pgshuttle`, the bash completion, that no fault point is compiled in,
# and removes the package again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache.sh
build=build-release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGSHUTTLE_WERROR=ON \
  -DPGSHUTTLE_FAULT_POINTS=OFF -DBUILD_TESTING=OFF "${launcher[@]}" >/dev/null
ninja -C "$build" pgshuttle pgshuttle_docs >/dev/null
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$PWD/$build"/pgshuttle_*.deb | head -1)
echo "$deb"
[ "${1:-}" = --smoke ] || exit 0

fail() { echo "package smoke test: $*" >&2; exit 1; }
version=$(sed -n 's/^project(pgshuttle VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
# Outputs are captured before they are searched: under pipefail, `cmd | grep -q`
# fails whenever grep's early exit makes cmd die of SIGPIPE (it did, in CI).
info=$(dpkg-deb --info "$deb") || fail "dpkg-deb --info failed"
grep -q "Depends:.*libpq5" <<<"$info" || fail "the package does not depend on libpq5"
apt-get install -y -q "$deb" >/dev/null
trap 'apt-get remove -y -q pgshuttle >/dev/null || true' EXIT
[ "$(command -v pgshuttle)" = /usr/bin/pgshuttle ] || fail "pgshuttle is not /usr/bin/pgshuttle"
[ "$(pgshuttle --version)" = "pgshuttle $version" ] || fail "pgshuttle --version: $(pgshuttle --version)"
kind=$(file -L /usr/bin/pgshuttle) || fail "file failed"
grep -q "stripped" <<<"$kind" && ! grep -q "not stripped" <<<"$kind" ||
  fail "the installed binary is not stripped"
size=$(stat -c %s /usr/bin/pgshuttle)
! grep -q PGSHUTTLE_FAULTS /usr/bin/pgshuttle || fail "the test fault points are compiled in"
page=$(man -w pgshuttle) || fail "man -w pgshuttle finds no page"
manual=$(MANWIDTH=80 man pgshuttle 2>/dev/null) || fail "man pgshuttle failed"
grep -q "pgshuttle restore SOURCE" <<<"$manual" ||
  fail "man pgshuttle does not describe restore"
words=$(bash -c 'source /usr/share/bash-completion/completions/pgshuttle
  COMP_WORDS=(pgshuttle mig); COMP_CWORD=1; _pgshuttle; echo "${COMPREPLY[*]}"')
[ "$words" = migrate ] || fail "bash completion of 'pgshuttle mig' gave '$words'"
[ -f /usr/share/zsh/vendor-completions/_pgshuttle ] || fail "no zsh completion installed"
echo "package smoke test: installed $(basename "$deb") ($((size / 1024 / 1024)) MB binary), --version," \
  "man page ($page), bash and zsh completion: ok"
