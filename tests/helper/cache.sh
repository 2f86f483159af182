#!/bin/bash
# The cache holds refresh tokens: a directory looser than 0700, a file
# looser than 0600, another owner or a symlink is refused with a clear
# message (exit 4); a damaged file says to run pam-jwt login (exit 3),
# which replaces it.  client.conf that others can write, unknown settings
# and missing settings are configuration errors (exit 2).
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
th_client_conf "audiences = ssh://host1"

# ---- configuration --------------------------------------------------------

chmod 664 "$CONF"
hx token --audience ssh://host1
rc_is "client.conf writable by the group: exit 2" $X_USAGE
like "... names the file and the problem" "$ERR" "client.conf is writable by group or others"
chmod 600 "$CONF"

echo "colour = blue" >>"$CONF"
hx token
rc_is "an unknown setting: exit 2" $X_USAGE
like "... names the file, the line and the setting" "$ERR" 'client.conf:[0-9]+: unknown setting "colour"'
th_client_conf "audiences = ssh://host1"

PAM_JWT_CLI_ISSUER=http://insecure.example hx token
rc_is "an http issuer (environment): exit 2" $X_USAGE
like "... must be https" "$ERR" 'PAM_JWT_CLI_ISSUER: issuer must be an https:// URL'
hx token --http-timeout 0
rc_is "http_timeout out of range: exit 2" $X_USAGE
PAM_JWT_CLI_CLIENT_CONF=$T/none.conf hx token
rc_is "no issuer configured: exit 2" $X_USAGE
like "... says where to set it" "$ERR" 'no auth center configured: set issuer'
hx frobnicate
rc_is "an unknown command: exit 2" $X_USAGE
hx token --bogus
rc_is "an unknown option: exit 2" $X_USAGE

# ---- a new cache is private -------------------------------------------------

th_login alice
is "login: exit 0" "$LOGIN_RC" 0
is "the cache directory is made 0700" "$(mode "$CACHE")" 700
F=$(login_file)
is "the login file is 0600" "$(mode "$F")" 600
is "the login file is the user's" "$(stat -c %u "$F")" "$(id -u)"
hx token --audience ssh://host1
rc_is "token: exit 0" $X_OK
ok "no temporary files are left behind" bash -c '! ls -A "$1" | grep -q "^\."' _ "$CACHE"

# ---- permissions ---------------------------------------------------------------

chmod 755 "$CACHE"
hx token --audience ssh://host1
rc_is "cache directory 0755: exit 4" $X_CACHE
like "cache directory 0755: names it, its mode and the fix" "$ERR" \
	"cache directory $CACHE has mode 0755.*chmod 700 $CACHE"
is "cache directory 0755: nothing on stdout" "$OUT" ""
hx askpass "(alice@host1) Token: "
rc_is "askpass with a 0755 cache: exit 4, nothing printed" $X_CACHE
hx status
rc_is "status with a 0755 cache: exit 4" $X_CACHE
chmod 700 "$CACHE"

chmod 644 "$F"
hx token --audience ssh://host1
rc_is "login file 0644: exit 4" $X_CACHE
like "login file 0644: names it, its mode and the fix" "$ERR" "$F has mode 0644.*chmod 600 $F"
is "login file 0644: nothing on stdout" "$OUT" ""
chmod 600 "$F"
hx token --audience ssh://host1
rc_is "after chmod 600: exit 0 again" $X_OK

chown nobody "$F"
hx token --audience ssh://host1
rc_is "login file owned by another user: exit 4" $X_CACHE
like "... says whose it is and what to do" "$ERR" 'belongs to uid [0-9]+, not to you.*delete it'
chown "$(id -u)" "$F"

mv "$F" "$T/login.real"
ln -s "$T/login.real" "$F"
hx token --audience ssh://host1
rc_is "login file that is a symlink: exit 4" $X_CACHE
like "... says so" "$ERR" 'symbolic link'
rm -f "$F"
mv "$T/login.real" "$F"

mv "$CACHE" "$T/cache.real"
ln -s "$T/cache.real" "$CACHE"
hx token --audience ssh://host1
rc_is "cache directory that is a symlink: exit 4" $X_CACHE
rm -f "$CACHE"
mv "$T/cache.real" "$CACHE"

chown nobody "$CACHE"
hx token --audience ssh://host1
rc_is "cache directory owned by another user: exit 4" $X_CACHE
like "... says whose it is" "$ERR" 'belongs to uid [0-9]+, not to you'
hx login --no-qr
rc_is "login refuses such a cache too: exit 4" $X_CACHE
chown "$(id -u)" "$CACHE"

# ---- damage -----------------------------------------------------------------------

cp -p "$F" "$T/login.good"
printf 'garbage \x01\x02 {{{' >"$F"
hx token --audience ssh://host1
rc_is "garbage in the login file: exit 3" $X_LOGIN
like "garbage: says it is damaged and to run pam-jwt login" "$ERR" 'is damaged \(not a JSON object\): run pam-jwt login'
is "garbage: nothing on stdout" "$OUT" ""
hx status
like "status reports the damaged file on stderr" "$ERR" '^pam-jwt status: .*is damaged'
unlike "... not on stdout" "$OUT" 'is damaged'
rc_is "status with only a damaged login: exit 3" $X_LOGIN
cp -p "$T/login.good" "$CACHE/login-0123456789abcdef.json"
hx status
like "status with a damaged and a good login: shows the good one on stdout" "$OUT" "^login: $ISS"
like "... the damaged one on stderr" "$ERR" '^pam-jwt status: .*is damaged'
unlike "... not on stdout" "$OUT" 'is damaged'
ok "... and exits non-zero" test "$RC" -ne 0
rm -f "$CACHE/login-0123456789abcdef.json"

printf '{"version":1,"issuer":"%s","client_id":"pam-jwt-cli","token_endpoint":"http://evil.example/token","refresh_token":"x"}' "$ISS" >"$F"
hx token --audience ssh://host1
rc_is "a login file with an http token endpoint: exit 3 (damaged)" $X_LOGIN
like "... never sends the refresh token there" "$ERR" 'endpoint is not https'

printf '{"version":1,"issuer":"https://other.example","client_id":"pam-jwt-cli","token_endpoint":"https://other.example/token"}' >"$F"
hx token --audience ssh://host1
rc_is "a login file of another issuer: exit 3" $X_LOGIN
like "... says so" "$ERR" 'another issuer or client'

printf '{"version":1,"version":2}' >"$F"
hx token --audience ssh://host1
rc_is "duplicate members (strict JSON): exit 3" $X_LOGIN

head -c 300000 /dev/zero | tr '\0' ' ' >"$F"
hx token --audience ssh://host1
rc_is "an oversized login file: exit 3" $X_LOGIN

th_login alice
is "pam-jwt login replaces a damaged cache: exit 0" "$LOGIN_RC" 0
hx token --audience ssh://host1
rc_is "and tokens work again" $X_OK

# ---- XDG_CACHE_HOME and the cache_dir setting ---------------------------------------

XDG_CACHE_HOME=$T/xdg hx token --audience ssh://host1
rc_is "another XDG_CACHE_HOME: not logged in there (exit 3)" $X_LOGIN
ok "... and nothing was created there" test ! -e "$T/xdg"
PAM_JWT_CLI_CACHE_DIR=relative/dir hx token
rc_is "a relative cache_dir: exit 2" $X_USAGE

# ---- logout deletes the cache files ------------------------------------------------------

hx logout
rc_is "logout: exit 0" $X_OK
ok "logout: no login file left" bash -c '! ls "$1"/login-*.json >/dev/null 2>&1' _ "$CACHE"

done_testing
