#!/bin/bash
# Replay protection (replay = yes) through PAM: a token's jti is accepted
# once per host until it expires, also when 50 logins race with it, and
# still after a "restart" (the store is a file); tokens without jti are
# refused; pam-jwt verify only looks; a damaged or full store refuses.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
pj_setup
pj_keys

K=$T/keys
ST=$T/state
c=$(conf replay "jwks_file = $K/jwks.json" "replay = yes" "replay_dir = $ST")
jwt_service replay "$c"

# ---- once, and only once ---------------------------------------------
mint tok --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"once-1"}'
cli "$c" alice "$tok"
is "pam-jwt verify accepts a fresh token" "$CLI_RC" 0
cli "$c" alice "$tok"
is "pam-jwt verify looks only: accepts it again" "$CLI_RC" 0
drive replay alice "$tok"
dr_is "first login with the token: accepted" 0
drive replay alice "$tok"
dr_is "second login with the same token: refused" 7
log_mark
drive replay alice "$tok"
log_has "the refusal says replayed" 'refused token for user="alice": replayed: '
cli "$c" alice "$tok"
is "pam-jwt verify now says refused (exit 1)" "$CLI_RC" 1
ok "the store is root-only (0700 directory, 0600 file)" \
	test "$(stat -c %a "$ST")" = 700 -a "$(stat -c %a "$ST/replay")" = 600
ok "the store holds no jti in the clear" bash -c "! grep -q once-1 '$ST/replay'"

# ---- 50 processes racing with one token --------------------------------
mint race --key "$K/ed.priv.jwk" --alg EdDSA --kid ed-kid --claims '{"jti":"race-1"}'
printf '%s\n' "$race" >"$T/in/race"
chmod 600 "$T/in/race"
for i in $(seq 50); do
	env LD_PRELOAD="$PJ_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		"$PJ_DRIVE" -D "$PJ_SVC" -s replay -u alice -f "$T/in/race" >/dev/null 2>&1 &
	pids+=($!)
done
wins=0
for p in "${pids[@]}"; do
	wait "$p" && wins=$((wins + 1))
done
is "50 logins racing with one token: exactly one succeeds" "$wins" 1
# a restart: nothing in memory, the store is read again
drive replay alice "$race"
dr_is "after the race (a new process, as after a restart): still refused" 7

# ---- tokens without a jti, or without exp --------------------------------
mint nojti --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid
log_mark
drive replay alice "$nojti"
dr_is "a token without jti: refused" 7
log_has "the reason says a jti is needed" 'claim: replay protection needs a jti'

# ---- pruning: expired entries leave the store ---------------------------
old=$(( $(date +%s) - 1000 ))
for i in $(seq 40); do
	printf '%d %064x\n' "$old" "$i" >>"$ST/replay"
done
mint tok2 --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"prune-1"}'
drive replay alice "$tok2"
dr_is "a login with expired entries in the store: accepted" 0
ok "expired entries were pruned" bash -c "! grep -q '^$old ' '$ST/replay'"

# ---- a full store refuses (fail closed) --------------------------------
c2=$(conf full "jwks_file = $K/jwks.json" "replay = yes" "replay_dir = $T/full" \
	"replay_max_entries = 100")
jwt_service full "$c2"
mkdir -m 700 "$T/full"
fut=$(( $(date +%s) + 3600 ))
for i in $(seq 100); do printf '%d %064x\n' "$fut" "$i"; done >"$T/full/replay"
chmod 600 "$T/full/replay"
mint tok3 --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"full-1"}'
log_mark
drive full alice "$tok3"
dr_is "a full store: the login is refused (unavailable)" 9
log_has "the reason says the store is full" 'replay store is full'

# ---- a damaged store refuses -------------------------------------------
echo "garbage" >>"$ST/replay"
mint tok4 --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"damaged-1"}'
log_mark
drive replay alice "$tok4"
dr_is "a damaged store: the login is refused" 9
log_has "the reason says the store is damaged" 'replay store .* is damaged'
out=$("$PJ_CLI" check --config "$c" 2>&1)
is "pam-jwt check reads the replay store as a login does: a damaged one is exit 2" "$?" 2
ok "pam-jwt check says the store is damaged" grep -q 'replay store .* is damaged' <<<"$out"

# every way a line can be out of form: "EXPIRY HASH\n", digits, one space,
# 64 lower-case hex digits
good="$(($(date +%s) + 86400)) $(printf '%064d' 0 | tr 0 a)"
n=0
for bad in "$good " " $good" "${good/a/A}" "${good%a}" "${good}a" "x${good}" \
	"1234567890123456789012 ${good#* }" "${good/ /  }" "${good/ /}" "${good/a/g}"; do
	n=$((n + 1))
	printf '%s\n%s\n' "$good" "$bad" >"$ST/replay"
	mint tokd --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims "{\"jti\":\"damaged-line-$n\"}"
	drive replay alice "$tokd"
	dr_is "a store line out of form ($n) refuses the login" 9
done
printf '%s\n%s' "$good" "$good" >"$ST/replay"
mint tokd --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"damaged-no-newline"}'
drive replay alice "$tokd"
dr_is "a store whose last line has no newline refuses the login" 9
printf '%s\n' "$good" >"$ST/replay"
mint tokd --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"store-well-formed"}'
drive replay alice "$tokd"
dr_is "the same store, well formed: the login succeeds" 0
is "and the store gained one line" "$(wc -l <"$ST/replay")" 2

# ---- a lock held for too long: refused after http_timeout, not a hang ----
c4=$(conf held "jwks_file = $K/jwks.json" "replay = yes" "replay_dir = $T/held" "http_timeout = 2")
jwt_service held "$c4"
mkdir -m 700 "$T/held"
# one process that holds the lock (exec: killing it lets go)
(exec 9>"$T/held/replay.lock" && flock -x 9 && exec sleep 30) &
holder=$!
for _ in $(seq 50); do flock -n -x "$T/held/replay.lock" true || break; sleep 0.1; done
mint tokh --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"held-1"}'
t0=$(date +%s%N)
log_mark
drive held alice "$tokh"
ms=$((($(date +%s%N) - t0) / 1000000))
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
dr_is "replay lock held by a stuck login: refused (unavailable)" 9
log_has "the reason says the lock was held too long" 'held by another login for too long'
ok "replay lock held: refused within http_timeout + 2 s ($ms ms)" test "$ms" -lt 4000

# ---- a store others can write is not trusted --------------------------
c3=$(conf unsafe "jwks_file = $K/jwks.json" "replay = yes" "replay_dir = $T/unsafe")
jwt_service unsafe "$c3"
mkdir "$T/unsafe" && chmod 777 "$T/unsafe"
mint tok5 --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"unsafe-1"}'
drive unsafe alice "$tok5"
dr_is "a world-writable store directory: refused" 9
# a safe store in a directory others can write: they could rename the
# store away and replay every token against an empty one
mkdir -p "$T/openparent/store" && chmod 777 "$T/openparent" && chmod 700 "$T/openparent/store"
c5=$(conf openparent "jwks_file = $K/jwks.json" "replay = yes" "replay_dir = $T/openparent/store")
jwt_service openparent "$c5"
mint tok6 --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"openparent-1"}'
log_mark
drive openparent alice "$tok6"
dr_is "a store under a directory others can write: refused" 9
log_has "the reason names the directory" 'openparent.* writable by others'

check_log_clean "nothing secret in the log"
done_testing
