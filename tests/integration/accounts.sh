#!/bin/bash
# accounts = create, through the real PAM path (pamdrive: auth, account
# and session phases in one handle) and `pam-jwt accounts`: the first
# login creates the account in the database (stable UID from issuer and
# sub, private group, IdP groups as Unix groups, home from the skeleton),
# later logins reuse it and replace its groups; an account is bound to its
# (iss, sub); a token never takes over an account of another source, root
# or a system account; locked accounts refuse; collisions move the UID
# the documented way; 50 parallel first logins give 50 distinct UIDs; a
# writer killed mid-write and a damaged database leave the database
# intact and refuse with a reason.
#
# No NSS module is loaded here (nss_wrapper serves the passwd and group
# files of the test): the accounts are checked through the database.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
pj_setup

K=$T/keys
node "$JOSE/keygen.mjs" ES256 "$K/ec" --quiet || { echo "Bail out! keygen failed"; exit 1; }
chmod 644 "$K/ec.pub.pem"
mkdir -p "$T/db" "$T/home" "$T/skel/.config"
chmod 755 "$T/db" "$T/home"
echo "# skeleton profile" >"$T/skel/.profile"
echo "x=1" >"$T/skel/.config/app.conf"
ln -s /etc/hostname "$T/skel/link"
chmod 644 "$T/skel/.config/app.conf"
cat >>"$T/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
bin:x:2:2:bin:/bin:/usr/sbin/nologin
EOF
echo "wheel:x:10:" >>"$T/group"

MIN=1000000000
MAX=1999999999
# jdb_id_candidate, written again from its documented formula
cand() {
	python3 - "$@" <<'EOF'
import sys
iss, key, mn, mx, a = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
h = 14695981039346656037
for b in iss.encode() + b'\0' + key.encode() + b'\0' + a.to_bytes(4, 'little'):
    h = ((h ^ b) * 1099511628211) % 2**64
print(mn + h % (mx - mn + 1))
EOF
}

ACONF=(
	"key_file = $K/ec.pub.pem"
	"user_claim = preferred_username"
	"accounts = create"
	"accounts_dir = $T/db"
	"accounts_home = $T/home/%u"
	"accounts_skel = $T/skel"
	"accounts_groups = prefix:jwt-"
	"accounts_group_allow = admins,devs"
	"accounts_group_map = ops:wheel"
	"http_timeout = 2"
)
C=$(conf acct "${ACONF[@]}")
M="$PJ_MODULE config=$C"
service acct "auth required $M" "account required $M" "session required $M"

# tok VAR NAME SUB [GROUPS-JSON] [EXTRA-CLAIMS-JSON-MEMBERS]
tok() {
	local extra=${5:+,$5}
	mint "$1" --alg ES256 --key "$K/ec.priv.pem" --sub "$3" \
		--claims "{\"preferred_username\":\"$2\",\"groups\":${4:-[]}$extra}"
}
login() { drive acct "$1" -S "$2"; }
acli() { ACLI_OUT=$("$PJ_CLI" accounts --config "$C" "$@" 2>&1); ACLI_RC=$?; }
field() { acli show "$1"; printf '%s\n' "$ACLI_OUT" | sed -n "s/^$2: //p"; }
dbsum() { cksum <"$T/db/accounts.db" 2>/dev/null; }

# ---- first login ------------------------------------------------------------
tok T1 carol carol-sub '["admins","devs","nobody-knows"]' '"name":"Carol: C, Jr\u0007"'
WANT=$(cand "$PJ_ISS" carol-sub $MIN $MAX 0)
cli "$C" carol "$T1"
ok "verify says what the module would do: would create account carol uid $WANT" \
	grep -q "^account: would create account carol uid $WANT gid $WANT\$" <<<"$CLI_OUT"
ok "verify names the groups it would get" grep -q "^groups: jwt-admins jwt-devs\$" <<<"$CLI_OUT"
ok "verify writes nothing" test ! -e "$T/db/accounts.db"
log_mark
login carol "$T1"
dr_is "first login creates the account (auth, account, session)" 0
log_has "the module logs the creation" "created account carol uid $WANT gid $WANT"
is "the UID is the first candidate of (iss, sub)" "$(field carol uid)" "$WANT"
is "the private group has GID = UID" "$(field carol gid)" "$WANT"
is "bound to the token's sub" "$(field carol sub)" carol-sub
is "bound to the issuer" "$(field carol iss)" "$PJ_ISS"
is "GECOS from name, sanitised" "$(field carol gecos)" "Carol C Jr"
is "home from accounts_home" "$(field carol home)" "$T/home/carol"
is "shell by default" "$(field carol shell)" /bin/bash
G_ADMINS=$(cand "$PJ_ISS" admins $MIN $MAX 0)
G_DEVS=$(cand "$PJ_ISS" devs $MIN $MAX 0)
is "allowed IdP groups become prefixed Unix groups with stable GIDs" "$(field carol groups)" \
	"jwt-admins($G_ADMINS) jwt-devs($G_DEVS)"
ok "home made in the session phase, owned by the account, mode 0700" \
	test "$(stat -c '%u:%g %a' "$T/home/carol" 2>/dev/null)" = "$WANT:$WANT 700"
ok "the skeleton is copied, owned by the account" \
	test "$(stat -c '%u %a' "$T/home/carol/.config/app.conf" 2>/dev/null)" = "$WANT 644"
ok "a symlink of the skeleton is copied as a symlink, not followed" \
	test -L "$T/home/carol/link" -a "$(stat -c %u "$T/home/carol/link" 2>/dev/null)" = "$WANT"
ok "the database is root's, readable by all" test "$(stat -c '%u %a' "$T/db/accounts.db")" = "0 644"

# ---- later logins -----------------------------------------------------------
BEFORE=$(dbsum)
echo "changed by the user" >"$T/home/carol/.profile"
tok T2 carol carol-sub '["admins","devs"]' '"name":"Carol: C, Jr"'
login carol "$T2"
dr_is "second login reuses the account" 0
is "same UID" "$(field carol uid)" "$WANT"
is "nothing changed: the database is not written" "$(dbsum)" "$BEFORE"
ok "an existing home is never touched" grep -q "changed by the user" "$T/home/carol/.profile"
tok T3 carol carol-sub '["devs","ops"]'
login carol "$T3"
dr_is "login with other groups" 0
is "memberships replaced from the token: admins removed, ops mapped to wheel" \
	"$(field carol groups)" "jwt-devs($G_DEVS) wheel(10)"
tok T3b carol carol-sub '[]'
login carol "$T3b"
is "no groups in the token: no memberships" "$(field carol groups)" ""

# ---- binding ------------------------------------------------------------------
tok T4 carol mallory-sub '["admins"]'
BEFORE=$(dbsum)
log_mark
login carol "$T4"
dr_is "takeover: another sub for the same name is refused" "$PAM_AUTH_ERR"
log_has "with a clear reason" "refused token for user=\"carol\": user: .*bound to another identity"
is "the account keeps its sub" "$(field carol sub)" carol-sub
is "a refused login writes nothing" "$(dbsum)" "$BEFORE"
cli "$C" carol "$T4"
ok "verify refuses it too" test "$CLI_RC" = 1

tok T5 alice mallory-sub '["admins"]'
login alice "$T5"
dr_is "an account of /etc/passwd (nss_wrapper) keeps the path of old" 0
acli show alice
ok "takeover: an account of /etc/passwd is never put in the database" test "$ACLI_RC" = 1
cli "$C" alice "$T5"
ok "verify says nothing of creating it" eval '! grep -q "^account:" <<<"$CLI_OUT"'

for n in root bin; do
	tok T6 $n mallory-sub '["admins"]'
	log_mark
	login $n "$T6"
	dr_is "takeover: a claim naming $n is refused" "$PAM_AUTH_ERR"
	log_has "  by the claim guard" "refused token for user=\"$n\": user: account \"$n\" has UID"
	acli show $n
	ok "  and $n is not put in the database" test "$ACLI_RC" = 1
done

# ---- lock ---------------------------------------------------------------------------
acli lock carol
ok "pam-jwt accounts lock" test "$ACLI_RC" = 0
is "show says locked" "$(field carol state)" locked
tok T7 carol carol-sub '["devs"]'
log_mark
login carol "$T7"
dr_is "a locked account refuses token logins" "$PAM_AUTH_ERR"
log_has "  with a clear reason" "account \"carol\" is locked"
acli unlock carol
login carol "$T7"
dr_is "unlocked: accepted again" 0

# ---- collisions -------------------------------------------------------------------
D0=$(cand "$PJ_ISS" dave-sub $MIN $MAX 0)
D1=$(cand "$PJ_ISS" dave-sub $MIN $MAX 1)
D2=$(cand "$PJ_ISS" dave-sub $MIN $MAX 2)
echo "taken0:x:$D0:100::/:/bin/false" >>"$T/passwd"
echo "taken1:x:$D1:100::/:/bin/false" >>"$T/passwd"
tok T8 dave dave-sub
login dave "$T8"
dr_is "login whose first two UID candidates are taken" 0
is "collision: the UID moves to the third candidate" "$(field dave uid)" "$D2"
is "  and the GID follows it" "$(field dave gid)" "$D2"
E0=$(cand "$PJ_ISS" erin-sub $MIN $MAX 0)
E1=$(cand "$PJ_ISS" erin-sub $MIN $MAX 1)
echo "gtaken:x:$E0:" >>"$T/group"
tok T9 erin erin-sub
login erin "$T9"
is "collision: a taken GID keeps the UID" "$(field erin uid)" "$E0"
is "  and probes on for the GID" "$(field erin gid)" "$E1"

# ---- provisional entries ------------------------------------------------------------
PC=$(conf prov "${ACONF[@]}" "accounts_uid_from = name" "accounts_provisional = prov-*")
service prov "auth required $PJ_MODULE config=$PC" "account required $PJ_MODULE config=$PC" \
	"session required $PJ_MODULE config=$PC"
P3=$(cand "$PJ_ISS" prov-frank $MIN $MAX 3)
echo "prov-frank:x:$P3:$P3:pam_jwt provisional:/:/usr/sbin/nologin" >>"$T/passwd"
tok T10 prov-frank frank-sub
drive prov prov-frank -S "$T10"
dr_is "a provisional entry's first login is accepted" 0
is "the account keeps exactly the provisional entry's UID" "$(field prov-frank uid)" "$P3"
PG=$(cand "$PJ_ISS" prov-gina $MIN $MAX 0)
echo "squatter:x:$PG:100::/:/bin/false" >>"$T/passwd"
echo "prov-gina:x:$PG:$PG:pam_jwt provisional:/:/usr/sbin/nologin" >>"$T/passwd"
tok T11 prov-gina gina-sub
log_mark
drive prov prov-gina -S "$T11"
dr_is "a provisional UID taken meanwhile is refused" "$PAM_AUTH_ERR"
log_has "  with a reason" "provisional UID $PG of \"prov-gina\" is taken"
echo "other-hank:x:$PG:$PG:pam_jwt provisional:/:/usr/sbin/nologin" >>"$T/passwd"
tok T12 other-hank hank-sub
drive prov other-hank -S "$T12"
dr_is "a provisional-looking entry for a name outside the pattern is an account of old" 0
acli show other-hank
ok "  and is never put in the database" test "$ACLI_RC" = 1
BADC=$(conf bad "${ACONF[@]}" "accounts_provisional = prov-*")
cli "$BADC" carol "$T7"
ok "accounts_provisional without accounts_uid_from = name is a configuration error" \
	grep -q "accounts_provisional needs accounts_uid_from = name" <<<"$CLI_OUT"

# ---- 50 parallel first logins -------------------------------------------------------
mkdir -p "$T/par"
for i in $(seq -w 1 50); do
	tok TP "p$i" "person-$i"
	printf '%s\n' "$TP" >"$T/par/p$i"
done
for i in $(seq -w 1 50); do
	env LD_PRELOAD="$PJ_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" "$PJ_DRIVE" -D "$PJ_SVC" -s acct -u "p$i" \
		-f "$T/par/p$i" >"$T/par/out$i" 2>&1 &
done
wait
fails=0
for i in $(seq -w 1 50); do grep -q '^result: 0 ' "$T/par/out$i" || fails=$((fails + 1)); done
is "50 parallel first logins of 50 people all succeed" "$fails" 0
acli list
ok "the database is intact afterwards" test "$ACLI_RC" = 0
is "50 accounts, 50 distinct UIDs" \
	"$(printf '%s\n' "$ACLI_OUT" | awk '$1 ~ /^p[0-9][0-9]$/ { print $2 }' | sort -u | wc -l)" 50

# ---- kill -9 during a write -----------------------------------------------------------
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
	BEFORE=$(dbsum)
	tok T13 ivan ivan-sub
	printf '%s\n' "$T13" >"$T/in/ivan"
	env LD_PRELOAD="$PJ_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" strace -f -qq -o /dev/null \
		-e trace=rename,renameat,renameat2 -e inject=rename,renameat,renameat2:signal=KILL \
		"$PJ_DRIVE" -D "$PJ_SVC" -s acct -u ivan -f "$T/in/ivan" >/dev/null 2>&1
	is "kill -9 between write and rename: the old database stays" "$(dbsum)" "$BEFORE"
	acli list
	ok "  intact" test "$ACLI_RC" = 0
	login ivan "$T13"
	dr_is "  and the next login creates the account" 0
	BEFORE=$(dbsum)
	tok T14 judy judy-sub
	printf '%s\n' "$T14" >"$T/in/judy"
	env LD_PRELOAD="$PJ_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" strace -f -qq -o /dev/null \
		-e trace=fsync -e inject=fsync:signal=KILL \
		"$PJ_DRIVE" -D "$PJ_SVC" -s acct -u judy -f "$T/in/judy" >/dev/null 2>&1
	is "kill -9 between write and fsync: the old database stays" "$(dbsum)" "$BEFORE"
	acli show judy
	ok "  and the account was not half made" test "$ACLI_RC" = 1
else
	ok "kill -9 during a write # SKIP strace cannot trace here" true
fi
# a process holding the lock: others wait at most http_timeout
exec 9>"$T/db/accounts.lock"
flock 9
tok T15 kate kate-sub
log_mark
start=$(date +%s)
login kate "$T15"
took=$(($(date +%s) - start))
exec 9>&-
dr_is "a lock held by another process: the login is refused" "$PAM_AUTHINFO_UNAVAIL"
log_has "  after a bounded wait, with a reason" "stayed locked for 2 s"
ok "  within http_timeout ($took s)" test "$took" -le 4

# ---- a damaged database --------------------------------------------------------------
cp "$T/db/accounts.db" "$T/good.db"
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(200); f.write(b"\xff"*16)' "$T/db/accounts.db"
BEFORE=$(dbsum)
log_mark
login carol "$T7"
dr_is "a damaged database refuses a login that needs it" "$PAM_AUTHINFO_UNAVAIL"
log_has "  with a reason" "account database is damaged"
tok T16 lena lena-sub
login lena "$T16"
dr_is "  and a first login" "$PAM_AUTHINFO_UNAVAIL"
is "  and is never overwritten" "$(dbsum)" "$BEFORE"
acli list
ok "pam-jwt accounts says it is damaged" eval '[ "$ACLI_RC" = 2 ] && grep -q damaged <<<"$ACLI_OUT"'
cp "$T/good.db" "$T/db/accounts.db"

# ---- a database other users' processes could not read -------------------------
mkdir -m 700 "$T/db700"
HC=$(conf hidden "${ACONF[@]}" "accounts_dir = $T/db700")
service hidden "auth required $PJ_MODULE config=$HC"
tok T17 mona mona-sub
log_mark
drive hidden mona "$T17"
dr_is "accounts_dir not searchable by others: no account is created" "$PAM_AUTHINFO_UNAVAIL"
log_has "  with the reason" "accounts_dir .* is not searchable by others"
ok "  nothing written" test ! -e "$T/db700/accounts.db"

# ---- pam-jwt accounts ------------------------------------------------------------------
acli show nobody-here
ok "show: an unknown account is exit 1 with a message" \
	eval '[ "$ACLI_RC" = 1 ] && grep -q "no account \"nobody-here\"" <<<"$ACLI_OUT"'
acli lock
ok "lock without a name is a usage error" eval '[ "$ACLI_RC" = 2 ] && grep -q "needs an account name" <<<"$ACLI_OUT"'
acli frobnicate
ok "an unknown command is a usage error" test "$ACLI_RC" = 2
acli expire
ok "expire without --unused is a usage error" test "$ACLI_RC" = 2
acli expire --unused soon
ok "expire with a bad duration is a usage error" test "$ACLI_RC" = 2
acli list accounts_dir=relative/dir
ok "a relative accounts_dir is refused" test "$ACLI_RC" = 2
if command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$T"
	mkdir -m 755 "$T/pub"
	install -m 644 "$C" "$T/pub/acct.conf"
	ACLI_OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PJ_CLI" accounts \
		--config "$T/pub/acct.conf" lock carol 2>&1)
	ACLI_RC=$?
	chmod 700 "$T"
	ok "lock by another user than root is refused" \
		eval '[ "$ACLI_RC" = 2 ] && grep -q "only root" <<<"$ACLI_OUT"'
fi
acli remove dave
ok "remove" test "$ACLI_RC" = 0
acli show dave
ok "  the account is gone" test "$ACLI_RC" = 1
ok "  its files stay" test -d "$T/home/dave"
acli remove dave
ok "remove of an absent account is exit 1" test "$ACLI_RC" = 1
acli list
N_BEFORE=$(printf '%s\n' "$ACLI_OUT" | grep -c .)
acli expire --unused 90d
ok "expire --unused 90d keeps accounts used today" eval '[ "$ACLI_RC" = 0 ] && [ -z "$ACLI_OUT" ]'
acli expire --unused 90d --now $(($(date +%s) + 91 * 86400)) --dry-run
ok "expire --dry-run lists and keeps" eval '[ "$ACLI_RC" = 0 ] && grep -q "carol would be removed" <<<"$ACLI_OUT"'
acli expire --unused 90d --now $(($(date +%s) + 91 * 86400))
ok "expire --unused 90d, 91 days later, removes them" grep -q "^carol removed" <<<"$ACLI_OUT"
acli list
is "  all of them" "$(printf '%s\n' "$ACLI_OUT" | grep -c .)" 1
ok "  (there were $((N_BEFORE - 1)))" test "$N_BEFORE" -gt 50

check_log_clean "no token in the log"
done_testing
