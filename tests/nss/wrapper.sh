#!/bin/bash
# libnss_jwt.so.2 loaded by nss_wrapper (NSS_WRAPPER_MODULE_SO_PATH,
# NSS_WRAPPER_MODULE_FN_PREFIX=jwt) rather than by glibc: the system's
# nsswitch.conf says `files` only here, so every answer from the database
# comes through nss_wrapper's module loading.  The database is the test one
# at /var/lib/pam_jwt-accounts in a private mount namespace (tests/nss/common.sh).
set -u
. "$top_srcdir/tests/nss/common.sh"
NW_LIB=$(for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
	[ -f "$d/libnss_wrapper.so" ] && echo "$d/libnss_wrapper.so" && break; done)
[ -n "$NW_LIB" ] || skip_all "nss_wrapper is not installed (libnss-wrapper)"
nss_enter id
nss_setup
printf '%s\n' 'passwd: files' 'group: files' >/etc/nsswitch.conf
echo "nwroot:x:0:0:root:/root:/bin/bash" >"$T/nw.passwd"
echo "nwroot:x:0:" >"$T/nw.group"
nss_std_db

nw() {
	env LD_PRELOAD="$NW_LIB" NSS_WRAPPER_PASSWD="$T/nw.passwd" NSS_WRAPPER_GROUP="$T/nw.group" \
		NSS_WRAPPER_MODULE_SO_PATH="$NSS_SO" NSS_WRAPPER_MODULE_FN_PREFIX=jwt "$@" 2>&1
	echo "exit=$?"
}

is "without nss_wrapper the system does not see the database" "$(getent_out passwd alice)" "exit=2"
is "getent passwd NAME through nss_wrapper" "$(nw getent passwd alice)" \
	"alice:*:1000000101:1000000101:Alice Liddell:/home/alice:/bin/bash
exit=0"
is "getent passwd UID" "$(nw getent passwd 1000000102 | head -n 1 | cut -d: -f1)" bob
is "getent group NAME lists the members" "$(nw getent group devs)" "devs:*:2000000001:alice,bob
exit=0"
is "getent group GID" "$(nw getent group 2000000002 | head -n 1)" "admins:*:2000000002:alice"
is "id: user and primary group" "$(nw id alice | head -n 1 | cut -d' ' -f1,2)" \
	"uid=1000000101(alice) gid=1000000101(alice)"
is "id -G: the supplementary groups (initgroups), in any order" \
	"$(nw id -G alice | head -n 1 | tr ' ' '\n' | sort | tr '\n' ' ')" "1000000101 2000000001 2000000002 "
is "an unknown name is not found" "$(nw getent passwd nosuch)" "exit=2"
is "enumeration includes the database's accounts" \
	"$(nw getent passwd | grep -cE '^(alice|bob|locky):')" 3
rm -f "$NSS_DB"
is "missing database: not found, nothing printed" "$(nw getent passwd alice)" "exit=2"
head -c 4096 /dev/urandom >"$NSS_DB"
is "damaged database: not found, nothing printed" "$(nw getent passwd alice)" "exit=2"
done_testing
