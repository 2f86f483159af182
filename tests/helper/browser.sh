#!/bin/bash
# A scripted browser for `pam-jwt login --browser` (installed as xdg-open
# in the test's PATH, or run by the test with the URL the CLI printed):
# opens the authorization URL, logs in as $TH_BROWSER_USER (any name is
# accepted by the test auth center) and consents, then follows the
# redirect to the CLI's loopback port, like a browser would.
#   browser.sh URL   (env: TH_BROWSER_CA, TH_BROWSER_USER, TH_BROWSER_LOG)
set -u
url=$1
log=${TH_BROWSER_LOG:-/dev/null}
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
echo "opened $url" >>"$log"
c() { curl -sS --max-time 10 --cacert "$TH_BROWSER_CA" -c "$jar" -b "$jar" "$@"; }
# the authorization request leads to the login page
page=$(c -L -o /dev/null -w '%{url_effective}' "$url") || { echo "authorize failed" >>"$log"; exit 1; }
# log in, which leads to the consent page
page=$(c -L -o /dev/null -w '%{url_effective}' "$page" -d prompt=login \
	--data-urlencode "login=${TH_BROWSER_USER:-alice}" -d password=x) ||
	{ echo "login failed" >>"$log"; exit 1; }
# consent: the auth center redirects to http://127.0.0.1:PORT/callback
out=$(c -L "$page" -d prompt=consent) || { echo "consent failed" >>"$log"; exit 1; }
echo "answer: $out" >>"$log"
