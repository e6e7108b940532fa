# bench/sync/common.sh — sourced by run.sh and peer.sh once they have read
# their options (here, top, rig_env, bin): checks the rig's environment
# file, finds the pgshuttle binary when --bin was not given, and reads the
# rig's servers into src_base, tgt_base (superuser, no database) and app
# (the target's non-superuser application role).
[ -f "$rig_env" ] || { echo "pass --rig-env of a running rig" >&2; exit 2; }
if [ -z "$bin" ]; then
  for b in "$top"/build*/src/cli/pgshuttle; do [ -x "$b" ] && bin=$b && break; done
fi
[ -x "$bin" ] || { echo "no pgshuttle binary; build it or pass --bin" >&2; exit 2; }
# shellcheck disable=SC1090
source "$rig_env"
src_base=${RIG_SOURCE_ADMIN%/*} tgt_base=${RIG_TARGET_ADMIN%/*}
app="postgresql://$RIG_TARGET_APP_USER:$RIG_TARGET_APP_PASSWORD@127.0.0.1:$RIG_TARGET_PORT"
