#!/bin/sh
# Prints the /etc/security/pam_jwt.conf that packages install (the Debian
# and the RPM packages alike): examples/pam_jwt.conf with every setting
# commented out, so that installing the package, or enabling its PAM
# profile, changes no login until the administrator configures pam_jwt.
#
#   sh debian/shipped-conf.sh [examples/pam_jwt.conf] > pam_jwt.conf
set -eu
cat <<'HEAD'
# Installed with every setting commented out: until an issuer, an
# audience and keys are set, pam_jwt refuses every token (it logs
# "configuration error") and, in the pam-auth-update profile, the password
# modules decide as before.  See pam_jwt(8) and the examples shipped with
# the package (auth-centers/ has one per well-known auth center).

HEAD
sed -E 's/^([a-z_]+[[:space:]]*=)/#\1/' "${1:-examples/pam_jwt.conf}"
