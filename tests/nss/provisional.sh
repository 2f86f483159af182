#!/bin/bash
# Provisional entries for a first login over SSH (nss_jwt/nss_prov.c),
# through the real glibc in a private mount namespace: a name that matches
# accounts_provisional of a section with accounts = create resolves, before
# any authentication, to the UID pam_jwt will give the account; nothing
# else does, and such an entry is never enumerated and owns no group.
# The expected UIDs are computed here independently (FNV-1a 64 in Python),
# not by the library under test.
set -u
. "$top_srcdir/tests/nss/common.sh"
nss_enter python3 setpriv
nss_setup

# candidate ISS NAME MIN MAX ATTEMPT: jdb_id_candidate, from its contract.
candidate() {
	python3 - "$@" <<-'PY'
	import sys
	iss, key, lo, hi, attempt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
	h = 14695981039346656037
	for b in iss.encode() + b'\0' + key.encode() + b'\0' + attempt.to_bytes(4, 'little'):
	    h = ((h ^ b) * 1099511628211) % 2**64
	print(lo + h % (hi - lo + 1))
	PY
}

conf_corp() { # LINE...: a section for the test issuer that creates accounts
	nss_conf "[corp]" "issuer = $NSS_ISS" "audience = ssh://host" "accounts = create" "$@"
}

nss_std_db
conf_corp "accounts_provisional = ext-*"
uid0=$(candidate "$NSS_ISS" ext-carol 1000000000 1999999999 0)
is "a matching name resolves to a provisional entry with the derived UID" \
	"$(getent_out passwd ext-carol)" \
	"ext-carol:*:$uid0:$uid0:pam_jwt provisional:/home/ext-carol:/bin/bash
exit=0"
is "id shows the provisional UID" "$(id -u ext-carol)" "$uid0"
is "a name that does not match: no entry" "$(getent_out passwd carol)" "exit=2"
is "a matching name the database refuses (upper case): no entry" "$(getent_out passwd ext-Carol)" "exit=2"
is "a matching name longer than 32 bytes: no entry" \
	"$(getent_out passwd ext-abcdefghijklmnopqrstuvwxyz0123)" "exit=2"
is "never in getent passwd enumeration" "$(getent passwd | grep -c '^ext-')" 0
is "never by UID" "$(getent_out passwd "$uid0")" "exit=2"
is "no group of the provisional GID" "$(getent_out group "$uid0")" "exit=2"
is "no supplementary groups" "$(getent initgroups ext-carol | tr -s ' ' | sed 's/ $//')" "ext-carol"
is "the entry point never enumerates it either" \
	"$("$NSSCALL" "$NSS_SO" pwent 1024 | grep -c ext-)" 0

# A name already in the database resolves to its account.
nss_db <<-EOF
group|ext-dave|1000000200|1|
user|ext-dave|1000000200|1000000200|0|Dave|/home/ext-dave|/bin/sh|$NSS_ISS|sub-dave|
EOF
is "a name in the database resolves to the database's entry" "$(getent passwd ext-dave)" \
	"ext-dave:*:1000000200:1000000200:Dave:/home/ext-dave:/bin/sh"

# A UID taken in /etc/passwd or in the database is skipped: the next
# candidate, as pam_jwt's probe does.
e0=$(candidate "$NSS_ISS" ext-erin 1000000000 1999999999 0)
e1=$(candidate "$NSS_ISS" ext-erin 1000000000 1999999999 1)
echo "squatter:x:$e0:$e0::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
is "a UID taken in /etc/passwd is skipped (attempt 1)" "$(getent passwd ext-erin | cut -d: -f3,4)" "$e1:$e1"
f0=$(candidate "$NSS_ISS" ext-frank 1000000000 1999999999 0)
f1=$(candidate "$NSS_ISS" ext-frank 1000000000 1999999999 1)
nss_db <<-EOF
group|holder|$f0|1|
user|holder|$f0|$f0|0|H|/home/holder|/bin/sh|$NSS_ISS|sub-holder|
EOF
is "a UID taken in the database is skipped (attempt 1)" "$(getent passwd ext-frank | cut -d: -f3)" "$f1"
echo "ext-files:x:4321:4321::/home/ext-files:/bin/sh" >>/etc/passwd
is "a name in /etc/passwd: the module itself answers nothing" \
	"$("$NSSCALL" "$NSS_SO" pwnam ext-files 1024)" "NOTFOUND -"
is "a provisional entry with a short buffer: TRYAGAIN, ERANGE" \
	"$("$NSSCALL" "$NSS_SO" pwnam ext-carol 16)" "TRYAGAIN ERANGE"

# The configuration decides, and only a safe one.
conf_corp "accounts_provisional = ext-*" "accounts_uid_min = 5000000" "accounts_uid_max = 5000099" \
	"accounts_home = /srv/people/%u" "accounts_shell = /bin/zsh"
r0=$(candidate "$NSS_ISS" ext-carol 5000000 5000099 0)
is "the section's UID range, home and shell" "$(getent passwd ext-carol)" \
	"ext-carol:*:$r0:$r0:pam_jwt provisional:/srv/people/ext-carol:/bin/zsh"
nss_conf "accounts_home = /u/%u" "[corp]" "issuer = $NSS_ISS" "accounts = create" \
	"accounts_provisional = ext-*"
is "values before the first section apply to the sections" "$(getent passwd ext-carol | cut -d: -f6)" \
	"/u/ext-carol"
nss_conf "issuer = https://solo.test" "accounts = create" "accounts_provisional = *@solo"
is "without sections, the global part is the section" "$(getent passwd bo@solo | cut -d: -f3)" \
	"$(candidate https://solo.test bo@solo 1000000000 1999999999 0)"
nss_conf "[a]" "issuer = https://a.test" "accounts = create" "accounts_provisional = a-*" \
	"[b]" "issuer = https://b.test" "accounts = create" "accounts_provisional = b-*"
is "each section derives from its own issuer" \
	"$(getent passwd b-x | cut -d: -f3)" "$(candidate https://b.test b-x 1000000000 1999999999 0)"
conf_corp "accounts_provisional = ext-*" "accounts = no"
is "accounts other than create: no entry" "$(getent_out passwd ext-carol)" "exit=2"
conf_corp
is "no accounts_provisional: no entry" "$(getent_out passwd ext-carol)" "exit=2"
conf_corp "accounts_provisional ="
is "an empty accounts_provisional: no entry" "$(getent_out passwd ext-carol)" "exit=2"
conf_corp "accounts_provisional = ext-*" "accounts_uid_min = 20" "accounts_uid_max = 10"
is "a UID range upside down: no entry" "$(getent_out passwd ext-carol)" "exit=2"
conf_corp "accounts_provisional = ext-*" "accounts_home = /home/%n"
is "an unknown % sequence in accounts_home: no entry" "$(getent_out passwd ext-carol)" "exit=2"
conf_corp "accounts_provisional = ext-*" "this line is not an option"
is "a malformed configuration: no entry (fail closed)" "$(getent_out passwd ext-carol)" "exit=2"
conf_corp "accounts_provisional = ext-*"
chmod 620 "$NSS_CONF"
is "attack: a group-writable configuration is not trusted" "$(getent_out passwd ext-carol)" "exit=2"
chmod 600 "$NSS_CONF"
chown 1 "$NSS_CONF"
is "attack: a configuration owned by another user is not trusted" "$(getent_out passwd ext-carol)" "exit=2"
chown 0 "$NSS_CONF"
mv "$NSS_CONF" "$T/real.conf"
ln -s "$T/real.conf" "$NSS_CONF"
is "attack: a symlinked configuration is not trusted" "$(getent_out passwd ext-carol)" "exit=2"
rm -f "$NSS_CONF"
mv "$T/real.conf" "$NSS_CONF"
is "the configuration is read again when it changes" "$(getent passwd ext-carol | cut -d: -f3)" "$uid0"
is "a process that cannot read the configuration gets no entry" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups getent passwd ext-carol; echo "exit=$?")" "exit=2"

# The database's state.
rm -f "$NSS_DB"
is "no database yet (the first login ever): the entry resolves" \
	"$(getent passwd ext-carol | cut -d: -f3)" "$uid0"
head -c 300 /dev/urandom >"$NSS_DB"
is "a damaged database: no entry (its UIDs cannot be checked)" "$(getent_out passwd ext-carol)" "exit=2"

done_testing
