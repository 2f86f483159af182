#!/bin/bash
# Installs what building and testing pam_jwt needs on Debian 12, then the
# node packages of the test tools (pinned by their package-lock.json).
# Run as root.  Safe to run again.
set -eu
cd "$(dirname "$0")/.."

packages=(
	build-essential autoconf automake libtool pkg-config
	libpam0g-dev libssl-dev libjson-c-dev libcurl4-openssl-dev libcmocka-dev
	pamtester libpam-wrapper libnss-wrapper
	openssh-server openssh-client sudo
	openssl curl ca-certificates valgrind jq
	libqrencode-dev
	clang libclang-rt-14-dev clang-format
	libjwt-dev whois time locales strace python3 util-linux
	mandoc groff-base
	lightdm xvfb xauth dbus python3-gi gir1.2-lightdm-1 zbar-tools
	dpkg-dev debhelper dh-nss lintian rpm
)
# Node.js: the machine's own when it has one (its npm may not be Debian's).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}; run as root (sudo $0)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A locale whose decimal point is a comma, for the JSON number test.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
	if [ "$(id -u)" -eq 0 ]; then
		localedef -i de_DE -f UTF-8 de_DE.UTF-8 ||
			echo "install-deps: could not make de_DE.UTF-8 (the JSON locale test will skip)" >&2
	else
		echo "install-deps: no de_DE.UTF-8 locale (the JSON locale test will skip)" >&2
	fi
fi
for d in tests/jose-tools tests/authcenter; do
	if [ ! -d "$d/node_modules" ] || [ "$d/package-lock.json" -nt "$d/node_modules" ]; then
		(cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
done
echo "install-deps: ready"
