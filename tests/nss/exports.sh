#!/bin/bash
# libnss_jwt.so.2 is loaded into every process of the host: it exports
# only the NSS entry points listed in nss_jwt/nss_jwt.sym and links libc
# alone (no OpenSSL, json-c, libcurl or libpam).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
. "$top/tests/lib/tap.sh"
so=$build/nss_jwt/.libs/libnss_jwt.so.2
[ -f "$so" ] || skip_all "module not built ($so)"
command -v nm >/dev/null || skip_all "nm is not installed"

want=$(sed -n 's/^[[:space:]]*\(_nss_jwt_[a-z_]*\);$/\1/p' "$top/nss_jwt/nss_jwt.sym" | sort | tr '\n' ' ')
got=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
is "the symbol list names the eleven entry points" "$(echo "$want" | wc -w)" 11
is "libnss_jwt.so.2 exports exactly the _nss_jwt_* entry points" "$got" "$want"
is "libnss_jwt.so.2 links libc only" \
	"$(ldd "$so" | grep -Ec 'libcrypto|libssl|json-c|libcurl|libpam')" 0
is "libnss_jwt.so.2 needs no library but libc (DT_NEEDED)" \
	"$(objdump -p "$so" | awk '$1 == "NEEDED" {print $2}' | tr '\n' ' ')" "libc.so.6 "
done_testing
