#!/bin/bash
# Faults of the disk under the module's files, in a private mount
# namespace with small tmpfs mounts: a full or read-only key cache, a full
# replay store.  Each ends in a clear refusal or a logged note, never a
# crash and never an acceptance the keys or the store do not back.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
[ "$(id -u)" -eq 0 ] || skip_all "needs root (tmpfs mounts in a private namespace)"
if [ -z "${PJ_FAULTS_NS:-}" ]; then
	unshare -m --propagation private true 2>/dev/null || skip_all "cannot create a mount namespace"
	PJ_FAULTS_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
[ -d "$top_srcdir/tests/authcenter/node_modules" ] || skip_all "run npm ci in tests/authcenter"
pj_setup
pj_keys
AC=$T/ac
ACSH=$top_srcdir/tests/authcenter/ac.sh
trap '"$ACSH" stop "$AC" >/dev/null 2>&1; umount -l "$T"/mnt/* 2>/dev/null; rm -rf "$T"' EXIT
iss=$("$ACSH" start "$AC") || { echo "Bail out! cannot start the test auth center"; exit 1; }
AUD=ssh://faults
tok=$("$ACSH" mint "$AC" --user alice --audience "$AUD" --alg ES256) || { echo "Bail out! mint"; exit 1; }
pj_secret "$tok"
mkdir -p "$T/mnt/full" "$T/mnt/ro" "$T/mnt/store"

# key cache on a full file system: the fetch works, the cache cannot be
# written; the login is decided with the fetched keys and the log says so
mount -t tmpfs -o size=64k,mode=755 tmpfs "$T/mnt/full"
dd if=/dev/zero of="$T/mnt/full/filler" bs=4k count=100 2>/dev/null
cat >"$T/conf/full.conf" <<CONF
issuer = $iss
audience = $AUD
ca_file = $AC/ca.pem
cache_dir = $T/mnt/full
fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch
CONF
chmod 600 "$T/conf/full.conf"
jwt_service full "$T/conf/full.conf"
log_mark
drive full alice "$tok"
dr_is "key cache on a full disk: decided with the fetched keys" 0
log_has "the log says the cache could not be written" 'keys: cannot update the key cache'
out=$("$PJ_CLI" keys refresh --config "$T/conf/full.conf" 2>&1)
is "keys refresh on a full disk: exit 1 (the cache was not updated)" "$?" 1
ok "keys refresh on a full disk: says the cache was not updated" \
	grep -q 'cannot update the key cache' <<<"$out"
ok "keys refresh on a full disk: does not claim keys were cached" \
	sh -c '! grep -q "key(s) cached" <<EOF
$1
EOF' _ "$out"

# the key cache's lock held by a stopped refresh: a login with no cached
# keys is refused after http_timeout instead of waiting for ever
mkdir -m 755 "$T/heldcache"
cat >"$T/conf/held.conf" <<CONF
issuer = $iss
audience = $AUD
ca_file = $AC/ca.pem
cache_dir = $T/heldcache
fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch
http_timeout = 2
CONF
chmod 600 "$T/conf/held.conf"
jwt_service held "$T/conf/held.conf"
lockf=$T/heldcache/$(printf 'pam_jwt key cache v2\nissuer=%s\njwks_uri=\nca_file=%s\nca_dir=\n' \
	"$iss" "$AC/ca.pem" | sha256sum | cut -d' ' -f1).lock
# one process that holds the lock (exec: killing it lets go)
(exec 9>"$lockf" && flock -x 9 && exec sleep 30) &
holder=$!
for _ in $(seq 50); do flock -n -x "$lockf" true || break; sleep 0.1; done
log_mark
t0=$(date +%s%N)
drive held alice "$tok"
ms=$((($(date +%s%N) - t0) / 1000000))
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
dr_is "key cache lock held by a stuck refresh: refused (unavailable), no hang" 9
log_has "the log says the lock was held too long" 'key cache locked by another process'
ok "key cache lock held: over within http_timeout + 2 s ($ms ms)" test "$ms" -lt 4000
drive held alice "$tok"
dr_is "once the lock is free: the login fetches and succeeds" 0

# key cache read-only, with a good cache: used without a fetch
cat >"$T/conf/ro.conf" <<CONF
issuer = $iss
audience = $AUD
ca_file = $AC/ca.pem
cache_dir = $T/mnt/ro
fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch
CONF
chmod 600 "$T/conf/ro.conf"
jwt_service ro "$T/conf/ro.conf"
mount -t tmpfs -o size=256k,mode=755 tmpfs "$T/mnt/ro"
drive ro alice "$tok"
dr_is "key cache writable: the first login fills it" 0
mount -o remount,ro "$T/mnt/ro"
"$ACSH" stats "$AC" --reset >/dev/null
drive ro alice "$tok"
dr_is "key cache read-only, cache fresh: accepted" 0
is "no request to the auth center" "$("$ACSH" stats "$AC" | sed -n 's/.*"jwks":\([0-9]*\).*/\1/p')" 0
umount "$T/mnt/ro"
mount -t tmpfs -o size=256k,mode=755,ro tmpfs "$T/mnt/ro"
log_mark
drive ro alice "$tok"
dr_is "key cache read-only and empty: refused (unavailable)" 9
log_has "the reason says why" 'no usable keys'

# replay store on a full file system: refused, never accepted unrecorded
mount -t tmpfs -o size=64k,mode=700 tmpfs "$T/mnt/store"
mkdir -m 700 "$T/mnt/store/r"
cat /dev/zero >"$T/mnt/store/filler" 2>/dev/null
c=$(conf store "jwks_file = $T/keys/jwks.json" "replay = yes" "replay_dir = $T/mnt/store/r")
jwt_service store "$c"
mint t2 --key "$T/keys/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"disk-2"}'
log_mark
drive store alice "$t2"
dr_is "replay store on a full disk: refused (unavailable)" 9
log_has "the reason says the store cannot be written" 'cannot (write|update) the replay store'
rm -f "$T/mnt/store/filler"
drive store alice "$t2"
dr_is "room again: the same token is accepted (it was never recorded as used)" 0

# the clock far off: a token from "now" is not yet valid a day earlier
c2=$(conf clock "jwks_file = $T/keys/jwks.json")
mint t3 --key "$T/keys/p256.priv.jwk" --alg ES256 --kid p256-kid
cli "$c2" alice "$t3" --now $(( $(date +%s) - 86400 ))
is "clock a day behind (pam-jwt verify --now): refused" "$CLI_RC" 1
ok "clock a day behind: the reason says not yet valid" grep -q 'not-yet-valid' <<<"$CLI_OUT"
cli "$c2" alice "$t3" --now $(( $(date +%s) + 86400 ))
is "clock a day ahead: refused" "$CLI_RC" 1
ok "clock a day ahead: the reason says expired" grep -q 'expired' <<<"$CLI_OUT"

check_log_clean "nothing secret in the log"
done_testing
