#!/bin/bash
# The documentation says what the code does:
#   - pam_jwt.conf(5) documents every option of the one option table
#     (pam-jwt check --list-options) and no other, each with its default,
#     its range (numbers) or its choices;
#   - pam_jwt(8) and nss_jwt(8) name only options that exist;
#   - pam-jwt(1) has every command of the CLI (pam-jwt --list-commands) in
#     its SYNOPSIS, DESCRIPTION and EXIT STATUS, and no other;
#   - docs/OPERATIONS.md explains every reason name the module logs.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
. "$top/tests/lib/tap.sh"
cli=$build/tools/pam-jwt
[ -x "$cli" ] || skip_all "CLI not built ($cli)"

# The .TP entries of one section of a man page: "NAME<TAB>TEXT" lines,
# NAME the first word of the entry's tag (cut at "="), TEXT the tag and
# the body up to the next entry, with fonts and escapes removed.
entries() {
	awk -v want="$2" '
	function plain(s) {
		gsub(/\\f[BIRP]/, "", s); gsub(/\\&/, "", s); gsub(/\\-/, "-", s)
		gsub(/\\\(em/, "-", s); gsub(/"/, "", s); return s
	}
	function flush() { if (name != "") print name "\t" text; name = ""; text = "" }
	/^\.SH / { flush(); sec = plain(substr($0, 5)); next }
	sec != want { next }
	/^\.(SS|PP|SH)/ { flush(); next }
	/^\.TP/ { flush(); tag = 1; next }
	tag {
		tag = 0; t = plain($0); sub(/^\.[A-Z]+ */, "", t)
		name = t; sub(/[ =,].*/, "", name); text = t; next
	}
	name != "" { line = plain($0); sub(/^\.[A-Z]+ */, "", line); text = text " " line }
	END { flush() }' "$1"
}

# ---- pam_jwt.conf(5) <-> the option table
conf5=$top/pam_jwt/pam_jwt.conf.5
table=$("$cli" check --list-options)
is "pam-jwt check --list-options lists the option table" "$?" 0
ok "the option table has options" test -n "$table"
if [ ! -f "$conf5" ]; then
	ok "pam_jwt.conf(5) exists" false
else
	doc=$(entries "$conf5" OPTIONS)
	docnames=$(cut -f1 <<<"$doc" | sort)
	codenames=$(cut -f1 <<<"$table" | sort)
	is "no option is documented twice in pam_jwt.conf(5)" \
		"$(uniq -d <<<"$docnames" | tr '\n' ' ')" ""
	is "every option of the code is in pam_jwt.conf(5)" \
		"$(comm -23 <(sort -u <<<"$codenames") <(sort -u <<<"$docnames") | tr '\n' ' ')" ""
	is "every option of pam_jwt.conf(5) is in the code" \
		"$(comm -13 <(sort -u <<<"$codenames") <(sort -u <<<"$docnames") | tr '\n' ' ')" ""
	# each entry: a default (or "Required"), the range of a number, the
	# words of a choice
	bad_default="" bad_range="" bad_choice=""
	while IFS=$'\t' read -r name kind extra; do
		text=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' <<<"$doc")
		[ -n "$text" ] || continue
		grep -qiE 'default|required' <<<"$text" || bad_default+="$name "
		case $extra in
		*..*)
			for v in "${extra%..*}" "${extra#*..}"; do
				grep -qE "(^|[^0-9])$v([^0-9]|$)" <<<"$text" || bad_range+="$name($v) "
			done ;;
		*'|'*)
			for v in ${extra//|/ }; do
				grep -qw -- "$v" <<<"$text" || bad_choice+="$name($v) "
			done ;;
		esac
	done <<<"$table"
	is "every option of pam_jwt.conf(5) states its default" "$bad_default" ""
	is "every number option of pam_jwt.conf(5) states the code's range" "$bad_range" ""
	is "every choice option of pam_jwt.conf(5) names the code's choices" "$bad_choice" ""
	for s in SECTIONS "MAPPING FILE" "REVOCATION FILE" "REQUIRE RULES"; do
		ok "pam_jwt.conf(5) has a $s section" grep -q "^\.SH \"\\?$s\"\\?\$" "$conf5"
	done
fi

# ---- pam_jwt(8) and nss_jwt(8) name only real options
for page in pam_jwt/pam_jwt.8 nss_jwt/nss_jwt.8; do
	names=$(entries "$top/$page" OPTIONS | cut -f1 | sort -u)
	is "$page names only options of the code" \
		"$(comm -13 <(printf '%s\nconfig\n' "$(cut -f1 <<<"$table")" | sort -u) - <<<"$names" |
			tr '\n' ' ')" ""
	ok "$page refers to pam_jwt.conf(5)" grep -q 'pam_jwt.conf (5)' "$top/$page"
done

# ---- pam-jwt(1) <-> the commands
man1=$top/tools/pam-jwt.1
cmds=$("$cli" --list-commands | sort)
is "pam-jwt --list-commands lists the commands" "$?" 0
syn=$(awk '/^\.SH /{s=$2} s=="SYNOPSIS" && $1==".B" && $2=="pam-jwt" {print $3}' "$man1" | sort -u)
is "every command is in the SYNOPSIS of pam-jwt(1)" \
	"$(comm -23 <(sort -u <<<"$cmds") <(echo "$syn") | tr '\n' ' ')" ""
is "every command in the SYNOPSIS of pam-jwt(1) exists" \
	"$(comm -13 <(sort -u <<<"$cmds") <(echo "$syn") | tr '\n' ' ')" ""
missing_desc="" missing_exit=""
for c in $cmds; do
	awk -v c="$c" '/^\.SH /{s=$2} s=="DESCRIPTION" && ($0 ~ "^\\.(B|BI|SS) \"?(pam-jwt )?" c "( |\"|$)") {f=1} END {exit !f}' \
		"$man1" || missing_desc+="$c "
	awk -v c="$c" '/^\.SH /{s=$0} s ~ /EXIT STATUS/ && $0 ~ "(^|[^a-z-])" c "([^a-z-]|$)" {f=1} END {exit !f}' \
		"$man1" || missing_exit+="$c "
done
is "every command is described in pam-jwt(1)" "$missing_desc" ""
is "the EXIT STATUS of pam-jwt(1) covers every command" "$missing_exit" ""
for s in ENVIRONMENT FILES "EXIT STATUS"; do
	ok "pam-jwt(1) has a $s section" grep -q "^\.SH \"\\?$s\"\\?\$" "$man1"
done

# ---- docs/OPERATIONS.md explains every logged reason name
ops=$top/docs/OPERATIONS.md
reasons=$(sed -n 's/^[[:space:]]*case PJ_E_[A-Z_]*: return "\([a-z-]*\)";.*/\1/p' "$top/pam_jwt/pj_err.c")
ok "pj_err.c has reason names" test -n "$reasons"
missing=""
for r in $reasons; do
	grep -q "\`$r\`" "$ops" 2>/dev/null || missing+="$r "
done
is "docs/OPERATIONS.md explains every reason name of the log" "$missing" ""
done_testing
