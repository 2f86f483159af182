#!/bin/bash
# The on-disk key cache is a decision file: a damaged cache, one for
# another issuer, one that someone other than root could have written
# (world/group-writable file or directory, another owner, a symlink) or
# an oversized one is never trusted: with the auth center up, the keys
# are fetched again (and an attacker's planted keys never verify a
# token); with it down, the login is refused as unavailable.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

ac_start "$T/ac"
ISS=$AC_ISS
CACHE=$T/cache
pk_newcache "$CACHE"
CONF=$T/conf/cache.conf
pk_conf "$CONF" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $CACHE" "http_timeout = 2"
pk_service cache "$CONF"
F=$CACHE/$(cache_binding "$ISS" "" "$T/ac/ca.pem").json

ac_mint TOK "$T/ac" --alg ES256
# The attacker's key and a token it signed for the real issuer.
jkeygen ES256 "$T/keys/evil" evil-ec
jjwks "$T/keys/evil.jwks" "$T/keys/evil.pub.jwk"
jmint EVIL --key "$T/keys/evil.priv.jwk" --alg ES256 --kid evil-ec --iss "$ISS" \
	--claims '{"typ_hint":"planted"}'

login_ok "baseline: token accepted, cache written" cache alice "$TOK"
cp "$F" "$T/good.json"
REAL_KIDS=$(cache_kids "$CACHE" "$ISS")

# put_good: restore the good cache file (root, 0644) in a clean 0700 dir.
put_good() {
	chmod 700 "$CACHE"
	rm -rf "${CACHE:?}"/* "$CACHE"/.tmp.* 2>/dev/null
	install -m 644 -o root -g root "$T/good.json" "$F"
}

# planted FILE [ISSUER]: a fresh-looking cache with the attacker's JWKS
# for ISSUER (default: the real one), written by root, mode 0644.
planted() {
	node -e '
		const fs = require("fs");
		const [out, good, jwks, iss] = process.argv.slice(1);
		const c = JSON.parse(fs.readFileSync(good, "utf8"));
		const now = Math.floor(Date.now() / 1000);
		Object.assign(c, { issuer: iss, fetched: now, expires: now + 3600, attempt: now,
			jwks: JSON.parse(fs.readFileSync(jwks, "utf8")) });
		fs.writeFileSync(out, JSON.stringify(c) + "\n", { mode: 0o644 });' \
		"$1" "$T/good.json" "$T/keys/evil.jwks" "${2:-$ISS}" || bail "planted failed"
	chmod 644 "$1"
}

jwks_now() { ac_count "$T/ac" jwks; }

# ---- auth center up: an untrusted cache means a refetch --------------------------

put_good
printf '{"version":1,"issuer":' >"$F"
ac_reset "$T/ac"
login_ok "damaged cache (invalid JSON): token accepted after a refetch" cache alice "$TOK"
is "damaged cache: exactly one JWKS request" "$(jwks_now)" 1
is "damaged cache: replaced by the fetched keys" "$(cache_kids "$CACHE" "$ISS")" "$REAL_KIDS"

put_good
planted "$F" https://evil.example
ac_reset "$T/ac"
login_refused "cache of another issuer with planted keys: planted token refused" cache alice "$EVIL" "$E_AUTH"
login_ok "cache of another issuer: real token accepted after a refetch" cache alice "$TOK"
is "cache of another issuer: replaced by the real keys" "$(cache_kids "$CACHE" "$ISS")" "$REAL_KIDS"

put_good
planted "$F"
chmod 666 "$F"
login_refused "world-writable cache with planted keys: planted token refused" cache alice "$EVIL" "$E_AUTH"
login_ok "world-writable cache: real token accepted (keys fetched again)" cache alice "$TOK"
is "world-writable cache: replaced by a root-only file with the real keys" \
	"$(stat -c %a "$F") $(cache_kids "$CACHE" "$ISS")" "644 $REAL_KIDS"

put_good
planted "$F"
chmod 777 "$CACHE"
ac_reset "$T/ac"
# A cache dir others can write is refused like any decision file
# (DESIGN.md invariant 7): not read, not written, and no fetch either,
# since no fetch attempt could be recorded (the rate limit of remote.h
# would not hold: every login would fetch).
pt cache alice "$EVIL"
pt_is_refused_any "world-writable cache dir with planted keys: planted token refused"
login_refused "world-writable cache dir: refused as unavailable (fail closed)" cache alice "$TOK" "$E_UNAVAIL"
is "world-writable cache dir: no fetch (no attempt could be recorded)" "$(jwks_now)" 0
is "world-writable cache dir: nothing written into it" "$(cache_kids "$CACHE" "$ISS")" "evil-ec"
chmod 700 "$CACHE"

NEWDIR=$T/newcache
pk_conf "$T/conf/newdir.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $NEWDIR" "http_timeout = 2"
pk_service newdir "$T/conf/newdir.conf"
login_ok "missing cache dir: token accepted" newdir alice "$TOK"
MODE=$(stat -c %a "$NEWDIR" 2>/dev/null || echo 777)
ok "missing cache dir: created root-owned, not writable by group or others (mode $MODE)" \
	test "$(stat -c %u "$NEWDIR" 2>/dev/null)" = 0 -a $((0$MODE & 022)) -eq 0
is "missing cache dir: keys cached" "$(cache_kids "$NEWDIR" "$ISS")" "$REAL_KIDS"

is "no temporary files left behind" "$(find "$CACHE" "$NEWDIR" -name '.tmp*' | wc -l)" 0
is "lock file is root-only (0600)" "$(stat -c %a "$(cache_file "$NEWDIR" "$ISS" | sed 's/json$/lock/')" 2>/dev/null)" 600
SIG=${TOK##*.}
ok "the token is never written to the cache" sh -c "! grep -rqF -- '$SIG' '$CACHE' '$NEWDIR'"

# ---- auth center down: an untrusted cache means a refusal ----------------------------

"$AC" stop "$T/ac" || bail "ac.sh stop failed"

put_good
login_ok "offline, good cache: accepted" cache alice "$TOK"

# offline_refused NAME REGEX TAMPER...: with the good cache restored and
# then tampered with by the command TAMPER, the login is refused as
# unavailable; restored and tampered with again (the refused login
# replaced the untrusted file), pam-jwt verify's reason or keys note
# matches REGEX.
offline_refused() {
	local name=$1 re=$2
	shift 2
	put_good
	"$@"
	login_refused "offline, $name: refused as unavailable" cache alice "$TOK" "$E_UNAVAIL"
	put_good
	"$@"
	vf "$CONF" "$TOK"
	vf_refused_why "offline, $name: pam-jwt verify says why the cache is not trusted" "$re"
}

garbage() { printf 'garbage' >"$F"; }
no_expires() { cache_edit "$CACHE" "$ISS" 'delete c.expires;'; }
other_issuer() { cache_edit "$CACHE" "$ISS" 'c.issuer = "https://evil.example";'; }
symlinked() {
	mv "$F" "$T/elsewhere.json"
	ln -s "$T/elsewhere.json" "$F"
}
oversized() { cache_edit "$CACHE" "$ISS" 'c.pad = "x".repeat(600 * 1024);'; }

offline_refused "damaged cache (not JSON)" 'not trusted.*damaged' garbage
offline_refused "cache without expires" 'not trusted.*damaged' no_expires
offline_refused "cache naming another issuer" 'not trusted.*not for this issuer' other_issuer
offline_refused "world-writable cache file" 'not trusted.*writable by group or others' chmod 666 "$F"
offline_refused "group-writable cache file" 'not trusted.*writable by group or others' chmod 664 "$F"
offline_refused "cache file owned by another user" 'not trusted.*not owned by root' chown 65534:65534 "$F"
offline_refused "cache file is a symlink" 'not trusted.*symbolic link' symlinked
offline_refused "oversized cache file (600 KiB)" 'not trusted.*larger than' oversized
D_RE='not trusted.*writable by someone other than root'
offline_refused "world-writable cache dir" "$D_RE" chmod 777 "$CACHE"
offline_refused "world-writable sticky cache dir" "$D_RE" chmod 1777 "$CACHE"
offline_refused "group-writable cache dir" "$D_RE" chmod 770 "$CACHE"
offline_refused "cache dir owned by another user" "$D_RE" chown 65534 "$CACHE"
chown 0 "$CACHE"

put_good
mkdir -m 700 "$T/realdir"
cp -p "$F" "$T/realdir/"
pk_conf "$T/conf/linkdir.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $T/linkdir" "http_timeout = 2"
ln -s "$T/realdir" "$T/linkdir"
pk_service linkdir "$T/conf/linkdir.conf"
login_refused "offline, cache dir is a symlink: refused as unavailable" linkdir alice "$TOK" "$E_UNAVAIL"
vf "$T/conf/linkdir.conf" "$TOK"
vf_refused_why "offline, cache dir is a symlink: pam-jwt verify says so" 'not trusted.*not a directory'

put_good
planted "$F"
chmod 666 "$F"
login_refused "offline, world-writable cache with planted keys: planted token refused" \
	cache alice "$EVIL" "$E_UNAVAIL"

put_good
login_ok "offline, good cache restored: accepted again" cache alice "$TOK"

done_testing
