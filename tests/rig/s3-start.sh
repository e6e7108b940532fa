#!/usr/bin/env bash
# s3-start.sh DATA_DIR PORT -- single-node OpenStack Swift 2.30 (Debian 12 packages)
# with s3api + tempauth on 127.0.0.1:PORT; real AWS SigV4 verification.
# s3-start.sh --stop DATA_DIR -- stops it (delegates to s3-stop.sh).
# Built on the recipe proven for this project's machines (Swift needs user
# xattrs on DATA_DIR's filesystem; one node, so error suppression is off).
# stdout: only KEY=VALUE lines (eval/export-able); diagnostics go to stderr.
set -euo pipefail
if [ "${1:-}" = --stop ]; then exec "$(dirname "$0")/s3-stop.sh" "$2"; fi
umask 022
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
unset http_proxy HTTP_PROXY all_proxy ALL_PROXY

ACCESS_KEY=test:tester SECRET_KEY=testing REGION=us-east-1
PART_POWER=10   # never change for an existing DATA_DIR (on-disk layout)
PKGS="swift swift-proxy swift-object swift-container swift-account python3-swift memcached curl"
SERVERS="account container object proxy"

die() { echo "s3-start: ERROR: $*" >&2; exit 1; }
say() { echo "s3-start: $*" >&2; }
[ $# -eq 2 ] || { echo "usage: $0 DATA_DIR PORT" >&2; exit 2; }
[[ $2 =~ ^[0-9]+$ ]] && (( $2 >= 1 && $2 <= 65535 )) || die "bad PORT '$2'"
[ "$(id -u)" -eq 0 ] || die "run as root (the servers themselves run as user 'swift')"
PORT=$2
mkdir -p "$1" && DATA_DIR=$(cd "$1" && pwd -P)
ETC=$DATA_DIR/etc RUN=$DATA_DIR/run LOG=$DATA_DIR/log DEV=$DATA_DIR/srv/node
mkdir -p "$ETC" "$RUN" "$LOG" "$DEV/d1"
cd /

emit() { printf 'S3_ENDPOINT=http://127.0.0.1:%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_DEFAULT_REGION=%s\n' \
           "$PORT" "$ACCESS_KEY" "$SECRET_KEY" "$REGION"; }
# ---- process bookkeeping (same logic in stop-s3.sh) ---------------------------
# RUN/NAME.pid = "PID STARTTIME"; every daemon is started with setsid, so PID is
# also its process group. A PID is ours only while its start time still matches.
pstat() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; echo "${s##*) }"; }
running() { local s; s=$(pstat "$1") && [ "${s%% *}" != Z ]; }
alive() { local pid st s; [ -s "$RUN/$1.pid" ] || return 1; read -r pid st <"$RUN/$1.pid"
  [[ $pid =~ ^[0-9]+$ ]] && running "$pid" && s=$(pstat "$pid") && set -- $s && [ "${20}" = "$st" ]; }
members() { local pid st p; [ -s "$RUN/$1.pid" ] || return 0; read -r pid st <"$RUN/$1.pid"  # leader +
  [[ $pid =~ ^[0-9]+$ ]] || return 0                                # (orphaned) workers on our conf
  for p in $(pgrep -g "$pid"); do
    if [ "$p" = "$pid" ] && alive "$1"; then echo "$p"
    elif tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qxF "$ETC/$1-server.conf"; then echo "$p"; fi
  done; return 0; }
stop_all() { local n p t="" i
  for n in proxy object container account memcached; do t="$t $(members "$n")"; rm -f "$RUN/$n.pid"; done
  rm -f "$RUN/proxy.port"; t=$(echo $t); [ -n "$t" ] || return 0
  kill -TERM $t 2>/dev/null || true
  for i in $(seq 50); do n=0; for p in $t; do if running "$p"; then n=1; fi; done; [ $n = 1 ] || break; sleep 0.2; done
  for p in $t; do if running "$p"; then kill -KILL "$p" 2>/dev/null || true; fi; done; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
healthy() { [ "$(curl -s -m 2 "http://127.0.0.1:$1/healthcheck" 2>/dev/null)" = OK ]; }

exec 9>"$RUN/lock"; flock -w 300 9 || die "another start/stop holds $RUN/lock"

# ---- idempotency: already running for this DATA_DIR? -------------------------
n_alive=0; for n in memcached $SERVERS; do if alive "$n"; then n_alive=$((n_alive+1)); fi; done
if (( n_alive == 5 )); then
  [ "$(cat "$RUN/proxy.port" 2>/dev/null)" = "$PORT" ] ||
    die "already running for $DATA_DIR on port $(cat "$RUN/proxy.port" 2>/dev/null); run stop-s3.sh first"
  if healthy "$PORT"; then say "already running"; emit; exit 0; fi
fi
stop_all        # leftovers of a partial/crashed instance of this DATA_DIR (no-op otherwise)
port_busy "$PORT" && die "127.0.0.1:$PORT is in use by something not started for $DATA_DIR"

# ---- packages (quiet); keep their postinst from starting system-wide daemons ----
missing=$(for p in $PKGS; do [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"; done)
if [ -n "$missing" ]; then
  say "installing:" $missing
  POL=""; [ -e /usr/sbin/policy-rc.d ] || { POL=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' >$POL; chmod 755 $POL; }
  trap '[ -z "$POL" ] || rm -f "$POL"' EXIT
  inst() { apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 \
             -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing >>"$LOG/apt.log" 2>&1; }
  inst || { apt-get update -q >>"$LOG/apt.log" 2>&1 || true; inst; } || { tail -20 "$LOG/apt.log" >&2; die "apt-get install failed"; }
  [ -z "$POL" ] || rm -f "$POL"; POL=""
fi
getent group swift >/dev/null || groupadd --system swift
getent passwd swift >/dev/null ||
  useradd --system --gid swift --home-dir /var/lib/swift --no-create-home --shell /usr/sbin/nologin swift
if [ ! -s /etc/swift/swift.conf ]; then      # Swift always reads this fixed path
  mkdir -p /etc/swift; rnd() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
  printf '[swift-hash]\nswift_hash_path_suffix = %s\nswift_hash_path_prefix = %s\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' \
    "$(rnd)" "$(rnd)" >/etc/swift/swift.conf
fi
chmod a+r /etc/swift/swift.conf

# ---- storage dir: owned by swift, must support user xattrs ---------------------
chown swift:swift "$DATA_DIR/srv" "$DEV" "$DEV/d1"
AS_SWIFT=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/var/lib/swift
          setpriv --reuid=swift --regid=swift --init-groups)
"${AS_SWIFT[@]}" /usr/bin/python3 - "$DEV/d1" <<'EOF' || die "user 'swift' cannot write $DEV/d1, or its filesystem lacks user xattrs (Swift needs them); pick another DATA_DIR"
import os, sys, tempfile
try:
    with tempfile.NamedTemporaryFile(dir=sys.argv[1]) as f:
        os.setxattr(f.name, 'user.swift.test', b'x' * 254)
        assert os.getxattr(f.name, 'user.swift.test') == b'x' * 254
except Exception as e:
    sys.exit('s3-start: write/xattr probe as swift: %r' % e)
EOF

# ---- backend ports + rings (persisted; rebuilt only if a port got taken) -------
pick_ports() { /usr/bin/python3 - "$(( 20000 + (PORT % 1000) * 10 ))" "$PORT" <<'EOF'
import socket, sys
p, skip, out = int(sys.argv[1]), int(sys.argv[2]), []
while len(out) < 4 and p < 32768:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(('127.0.0.1', p))
        if p != skip: out.append(p)
    except OSError: pass
    finally: s.close()
    p += 1
print(*out) if len(out) == 4 else sys.exit('no free ports')
EOF
}
ok=0
if [ -s "$ETC/ports" ] && [ -s "$ETC/account.ring.gz" ] && [ -s "$ETC/container.ring.gz" ] && [ -s "$ETC/object.ring.gz" ]; then
  read -r ACC_PORT CON_PORT OBJ_PORT MC_PORT <"$ETC/ports"; ok=1
  for p in $ACC_PORT $CON_PORT $OBJ_PORT $MC_PORT; do if port_busy "$p" || [ "$p" = "$PORT" ]; then ok=0; fi; done
fi
if (( ! ok )); then
  pp=$(pick_ports) || die "cannot find free backend ports"; read -r ACC_PORT CON_PORT OBJ_PORT MC_PORT <<<"$pp"
  for r in account:$ACC_PORT container:$CON_PORT object:$OBJ_PORT; do
    b=$ETC/${r%%:*}.builder; rm -f "$b" "$ETC/${r%%:*}.ring.gz"
    { swift-ring-builder "$b" create $PART_POWER 1 1 &&
      swift-ring-builder "$b" add "r1z1-127.0.0.1:${r##*:}/d1" 1 &&
      { swift-ring-builder "$b" rebalance; [ $? -lt 2 ]; }; } >>"$LOG/ring.log" 2>&1 || die "ring build failed ($LOG/ring.log)"
  done
  echo "$ACC_PORT $CON_PORT $OBJ_PORT $MC_PORT" >"$ETC/ports"
fi

# ---- configs (regenerated on every start) -----------------------------------
common() { printf '[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %s\nworkers = %s\nuser = swift\nswift_dir = %s\ndevices = %s\nmount_check = false\nlog_name = s3-%s\n' \
             "$1" "$2" "$ETC" "$DEV" "$3"; }
for s in account container object; do
  case $s in account) p=$ACC_PORT;; container) p=$CON_PORT;; object) p=$OBJ_PORT;; esac
  { common "$p" 1 "$s"
    printf '[pipeline:main]\npipeline = healthcheck %s-server\n[app:%s-server]\nuse = egg:swift#%s\n' "$s" "$s" "$s"
    printf '[filter:healthcheck]\nuse = egg:swift#healthcheck\n[%s-replicator]\n[%s-updater]\n[%s-auditor]\n' "$s" "$s" "$s"
  } >"$ETC/$s-server.conf"
done
{ common "$PORT" 2 proxy; cat <<EOF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# one backend node only: never "error-limit" it (a single 507 would mean 60 s of 503s)
error_suppression_interval = 0
[filter:s3api]
use = egg:swift#s3api
location = $REGION
max_upload_part_num = 10000
[filter:tempauth]
use = egg:swift#tempauth
user_${ACCESS_KEY%%:*}_${ACCESS_KEY##*:} = $SECRET_KEY .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MC_PORT
[filter:slo]
use = egg:swift#slo
max_manifest_segments = 10000
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_object_versioning = true
[filter:proxy-logging]
use = egg:swift#proxy_logging
EOF
  for f in catch_errors gatekeeper healthcheck listing_formats bulk copy dlo symlink; do
    printf '[filter:%s]\nuse = egg:swift#%s\n' "$f" "$f"; done
} >"$ETC/proxy-server.conf"

# ---- start: own session each, as user swift, lock fd closed, logs in LOG -------
trap 'rc=$?; [ $rc -eq 0 ] || stop_all' EXIT
launch() { local name=$1 pid s; shift
  setsid "${AS_SWIFT[@]}" "$@" </dev/null >>"$LOG/$name.log" 2>&1 9>&- &
  pid=$!; s=$(pstat "$pid") || die "$name did not start"; set -- $s; echo "$pid ${20}" >"$RUN/$name.pid"; }
launch memcached /usr/bin/memcached -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 -c 1024
for s in $SERVERS; do launch "$s" "/usr/bin/swift-$s-server" "$ETC/$s-server.conf" -v; done
echo "$PORT" >"$RUN/proxy.port"

deadline=$(( SECONDS + 90 ))
until healthy "$ACC_PORT" && healthy "$CON_PORT" && healthy "$OBJ_PORT" && healthy "$PORT" && port_busy "$MC_PORT"; do
  for n in memcached $SERVERS; do
    alive "$n" || { tail -n 15 "$LOG/$n.log" >&2; die "$n exited during startup (log: $LOG/$n.log)"; }; done
  (( SECONDS < deadline )) || die "not ready after 90s (logs in $LOG)"
  sleep 0.2
done
# end-to-end self-test: SigV4-signed ListBuckets must give 200, a wrong secret 403
/usr/bin/python3 - "$PORT" "$ACCESS_KEY" "$SECRET_KEY" "$REGION" <<'EOF' || die "S3 SigV4 self-test failed (logs in $LOG)"
import datetime, hashlib, hmac, sys, urllib.error, urllib.request
port, ak, sk, region = sys.argv[1:5]
def list_buckets(secret):
    host, now = '127.0.0.1:' + port, datetime.datetime.now(datetime.timezone.utc)
    amz, day, ph = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d'), hashlib.sha256(b'').hexdigest()
    sh, scope = 'host;x-amz-content-sha256;x-amz-date', '%s/%s/s3/aws4_request' % (day, region)
    creq = 'GET\n/\n\nhost:%s\nx-amz-content-sha256:%s\nx-amz-date:%s\n\n%s\n%s' % (host, ph, amz, sh, ph)
    sts = 'AWS4-HMAC-SHA256\n%s\n%s\n%s' % (amz, scope, hashlib.sha256(creq.encode()).hexdigest())
    k = ('AWS4' + secret).encode()
    for m in (day, region, 's3', 'aws4_request'):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    auth = 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s' % (
        ak, scope, sh, hmac.new(k, sts.encode(), hashlib.sha256).hexdigest())
    req = urllib.request.Request('http://%s/' % host, headers={
        'x-amz-date': amz, 'x-amz-content-sha256': ph, 'Authorization': auth})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
good, bad = list_buckets(sk), list_buckets(sk + 'x')
ok = good[0] == 200 and b'ListAllMyBucketsResult' in good[1] and bad[0] == 403
sys.exit(0 if ok else 'self-test: good=%r bad=%r' % (good, bad))
EOF
say "ready (data: $DEV/d1, logs: $LOG)"
emit
