#!/bin/bash
# libnss_jwt.so.2 through the real glibc (`passwd: files jwt`, `group:
# files jwt`): getent passwd/group/initgroups and id over a test database,
# a missing and a damaged database, short buffers (ERANGE) and the entry
# points' exact answers (through dlopen, tests/nss/nsscall.c).
set -u
. "$top_srcdir/tests/nss/common.sh"
nss_enter id
nss_setup

ALICE='alice:*:1000000101:1000000101:Alice Liddell:/home/alice:/bin/bash'
BOB='bob:*:1000000102:1000000102:Bob:/home/bob:/bin/sh'

# ---- a sound database ---------------------------------------------------------
nss_std_db
is "getent passwd NAME answers from the database" "$(getent_out passwd alice)" "$ALICE
exit=0"
is "getent passwd UID answers from the database" "$(getent_out passwd 1000000102)" "$BOB
exit=0"
is "a locked account still resolves (it owns files)" "$(getent passwd locky | cut -d: -f1,3)" \
	"locky:1000000103"
is "an unknown name is not found, nothing printed" "$(getent_out passwd nosuch)" "exit=2"
is "an unknown UID is not found" "$(getent_out passwd 1000000999)" "exit=2"
is "files still answer first (root)" "$(getent passwd root | cut -d: -f1,3)" "root:0"
is "getent group NAME lists the members" "$(getent_out group devs)" "devs:*:2000000001:alice,bob
exit=0"
is "getent group GID: a private group" "$(getent_out group 1000000101)" "alice:*:1000000101:
exit=0"
is "getent initgroups: the supplementary groups" \
	"$(getent initgroups alice | tr -s ' ' | sed 's/ $//')" "alice 2000000001 2000000002"
is "id resolves user, primary group and groups" "$(id alice 2>&1)" \
	"uid=1000000101(alice) gid=1000000101(alice) groups=1000000101(alice),2000000001(devs),2000000002(admins)"
is "getent passwd enumerates the database's accounts (name order)" \
	"$(getent passwd | grep -E '^(alice|bob|locky):' | cut -d: -f1 | tr '\n' ' ')" "alice bob locky "
is "getent group enumerates the database's groups" \
	"$(getent group | grep -cE '^(devs|admins|alice|bob|locky):')" 5

# ---- the entry points' own answers ----------------------------------------------
is "getpwnam_r: found" "$("$NSSCALL" "$NSS_SO" pwnam bob 1024)" "SUCCESS - $BOB"
is "getpwnam_r: a buffer too small is TRYAGAIN with ERANGE" \
	"$("$NSSCALL" "$NSS_SO" pwnam alice 40)" "TRYAGAIN ERANGE"
is "getpwnam_r: a buffer of exactly the size fits" \
	"$("$NSSCALL" "$NSS_SO" pwnam bob 28)" "SUCCESS - $BOB"
is "getpwnam_r: one byte less does not" "$("$NSSCALL" "$NSS_SO" pwnam bob 27)" "TRYAGAIN ERANGE"
is "getpwuid_r: short buffer" "$("$NSSCALL" "$NSS_SO" pwuid 1000000101 8)" "TRYAGAIN ERANGE"
is "getgrnam_r: short buffer (member list)" "$("$NSSCALL" "$NSS_SO" grnam devs 20)" "TRYAGAIN ERANGE"
is "getgrgid_r: found" "$("$NSSCALL" "$NSS_SO" grgid 2000000002 1024)" "SUCCESS - admins:*:2000000002:alice"
is "getpwnam_r: not found leaves *errnop alone" "$("$NSSCALL" "$NSS_SO" pwnam nosuch 1024)" "NOTFOUND -"
is "getpwent_r: a short buffer does not skip an entry" \
	"$("$NSSCALL" "$NSS_SO" pwent 40 | head -n 2)" "TRYAGAIN ERANGE
SUCCESS - $ALICE"
is "getpwent_r: every account, then NOTFOUND" \
	"$("$NSSCALL" "$NSS_SO" pwent 1024 | cut -d: -f1)" "SUCCESS - alice
SUCCESS - bob
SUCCESS - locky
NOTFOUND -"
is "getgrent_r: every group, then NOTFOUND" "$("$NSSCALL" "$NSS_SO" grent 1024 | wc -l)" 6
is "initgroups_dyn: adds the groups, grows the array from 1" \
	"$("$NSSCALL" "$NSS_SO" initgroups alice 1000000101 1 0)" \
	"SUCCESS - start=3 size=4 1000000101 2000000001 2000000002"
is "initgroups_dyn: never past limit" \
	"$("$NSSCALL" "$NSS_SO" initgroups alice 1000000101 1 2)" \
	"SUCCESS - start=2 size=2 1000000101 2000000001"
is "initgroups_dyn: skips the group it is given" \
	"$("$NSSCALL" "$NSS_SO" initgroups alice 2000000001 4 0)" \
	"SUCCESS - start=2 size=4 2000000001 2000000002"
is "initgroups_dyn: no groups is NOTFOUND" \
	"$("$NSSCALL" "$NSS_SO" initgroups locky 1000000103 4 0)" "NOTFOUND - start=1 size=4 1000000103"
is "a lookup leaves errno as it was" "$("$NSSCALL" "$NSS_SO" errno-kept alice)" kept

# ---- long entries: glibc grows its buffer on ERANGE ----------------------------
long=$(printf 'x%.0s' $(seq 3000))
members=$(for i in $(seq 300); do printf 'user|m%03d|%d|%d|0|M|/home/m|/bin/sh|%s|s%d|2000000009\n' \
	"$i" $((1000001000 + i)) $((1000001000 + i)) "$NSS_ISS" "$i"; done)
nss_db <<-EOF
group|big|2000000009|0|big
user|longname|1000000500|1000000500|0|$long|/home/longname|/bin/bash|$NSS_ISS|s|
$members
EOF
is "an entry longer than glibc's first buffer resolves (ERANGE, retry)" \
	"$(getent passwd longname | cut -d: -f5 | wc -c)" 3001
is "a group of 300 members resolves whole" "$(getent group big | cut -d: -f4 | tr ',' '\n' | wc -l)" 300
is "a replaced database is seen by the next lookup" "$(getent_out passwd alice)" "exit=2"

# ---- missing and damaged databases ---------------------------------------------------
nss_std_db
good=$T/good.db
cp "$NSS_DB" "$good"
rm -f "$NSS_DB"
is "missing database: not found, nothing printed" "$(getent_out passwd alice)" "exit=2"
is "missing database: files still answer" "$(getent passwd root | cut -d: -f1)" root
is "missing database: the entry point says NOTFOUND" "$("$NSSCALL" "$NSS_SO" pwnam alice 1024)" "NOTFOUND -"
is "missing database: id says no such user" "$(id alice >/dev/null 2>&1; echo $?)" 1

damaged() { # NAME: the case's database is in place
	is "$1: getent passwd says not found, prints nothing" "$(getent_out passwd alice)" "exit=2"
	is "$1: getent group says not found" "$(getent_out group devs)" "exit=2"
	is "$1: enumeration ends cleanly" "$(getent passwd | grep -c '^root:')" 1
	is "$1: initgroups gives nothing" "$(getent initgroups alice | tr -s ' ' | sed 's/ $//')" "alice"
	is "$1: the entry point says UNAVAIL" "$("$NSSCALL" "$NSS_SO" pwnam alice 1024)" "UNAVAIL ENOENT"
}
head -c 200 "$good" >"$NSS_DB"
damaged "truncated database"
head -c 8192 /dev/urandom >"$NSS_DB"
damaged "random bytes"
: >"$NSS_DB"
damaged "empty database"
cp "$good" "$NSS_DB"
printf 'PJWTADB1\002' | dd of="$NSS_DB" conv=notrunc status=none
damaged "unknown version"
cp "$good" "$NSS_DB"
chmod 664 "$NSS_DB"
damaged "group-writable database"
chmod 644 "$NSS_DB"
chown 1 "$NSS_DB"
damaged "database owned by another user"
rm -f "$NSS_DB"
ln -s "$good" "$NSS_DB"
damaged "database is a symlink"
rm -f "$NSS_DB"
cp "$good" "$NSS_DB"
is "sound again: found" "$(getent passwd alice)" "$ALICE"

# A record with a valid header but fields that would break the passwd
# syntax or name root: never answered.
nss_db <<-EOF
group|zero|1000000600|1|
user|zero|0|1000000600|0|Z|/root|/bin/bash|$NSS_ISS|z|
EOF
is "an account with UID 0 in the database is never answered" "$(getent_out passwd zero)" "exit=2"
is "and not enumerated" "$(getent passwd | grep -c '^zero:')" 0

done_testing
