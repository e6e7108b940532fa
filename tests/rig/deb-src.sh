# Sourced by the rig's build scripts (pg-build.sh, regress-db.sh).
# add_deb_src SUITE: Debian's deb-src entries for SUITE, its -updates and
# its -security (root only), added once, then apt's index refreshed.
add_deb_src() {
  local suite=$1 list=/etc/apt/sources.list.d/pgshuttle-src-$1.sources
  [ -f "$list" ] && return 0
  cat >"$list" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -q >/dev/null 2>&1 || true
}
