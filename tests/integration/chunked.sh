#!/bin/bash
# The chunked entry convention (pam_jwt/tokenin.h) through a picky
# conversation: pamdrive refuses any answer longer than a cap, like sudo
# (answers of 512 bytes or more: cap 511) and ssh (more than 1023).  A
# 4 KiB token is typed in parts, every part but the last ending in '\';
# the module asks "Token (part N): " for the next one.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
pj_setup
pj_keys

K=$T/keys
C=$(conf chunk "jwks_file = $K/jwks.json")
jwt_service chunk "$C"
jwt_service chunk-small "$(conf chunk-small "jwks_file = $K/jwks.json" "max_token_size = 2048")"
jwt_service chunk-prompt "$(conf chunk-prompt "jwks_file = $K/jwks.json" "prompt = One-time JWT:")"
preset_service chunk-try "$C" try_first_pass
preset_service chunk-use "$C" use_first_pass

mint big --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --target-len 4096
mint small --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid
mint bigexp --key "$K/p256.priv.pem" --alg ES256 --kid p256-kid --exp-in -3600 --pad-claim 3000
is "the big token is 4096 bytes" "${#big}" 4096

# split TOKEN CAP: PARTS=(...), each at most CAP bytes, all but the last
# ending in a backslash.  The parts are secrets for the log check.
split() {
	local t=$1 cap=$2 n=$(($2 - 1)) p
	PARTS=()
	while [ "${#t}" -gt "$cap" ]; do
		PARTS+=("${t:0:n}\\")
		t=${t:n}
	done
	PARTS+=("$t")
	for p in "${PARTS[@]}"; do
		[ "${#p}" -ge 16 ] && printf '%s\n' "${p%\\}" >>"$T/secrets"
	done
	return 0
}

# expect_prompts NAME FIRST LAST [PREFIX [FIRST-PROMPT]]: the prompts were
# FIRST-PROMPT (default "PREFIX: ", when FIRST is 1) then
# "PREFIX (part N): " for N = 2..LAST, nothing else.
expect_prompts() {
	local name=$1 first=$2 last=$3 prefix=${4:-Token} want='' i
	local first_prompt=${5:-$prefix: }
	for ((i = first; i <= last; i++)); do
		if [ "$i" -eq 1 ]; then
			want+="$first_prompt"$'\n'
		else
			want+="$prefix (part $i): "$'\n'
		fi
	done
	is "$name" "$(dr_prompts)" "${want%$'\n'}"
}

all_answers_used() {
	[[ $DR_OUT == *"answers used: $1 of $1"* ]]
}

# ---- a 4 KiB token in parts, sudo's and ssh's limits --------------------
for cap in 511 1023; do
	split "$big" "$cap"
	n=${#PARTS[@]}
	longest=0
	for p in "${PARTS[@]}"; do [ "${#p}" -gt "$longest" ] && longest=${#p}; done
	ok "cap $cap: $n parts, the longest is $longest bytes" [ "$longest" -le "$cap" ]
	log_mark
	drive chunk alice -c "$cap" "${PARTS[@]}"
	dr_is "cap $cap: a 4 KiB token in $n parts logs in" "$PAM_SUCCESS"
	expect_prompts "cap $cap: prompts name the part numbers 2..$n" 1 "$n"
	ok "cap $cap: every part was asked for" all_answers_used "$n"
	log_has "cap $cap: the module logs the acceptance" "accepted token for user=\"alice\" alg=RS256"

	# Control: the same token in one answer is refused by the conversation.
	drive chunk alice -c "$cap" "$big"
	dr_is "cap $cap: the 4 KiB token in one answer cannot be entered" "$PAM_AUTHINFO_UNAVAIL"
	ok "cap $cap: the conversation refused the long answer" \
		eval '[[ $DR_OUT == *"over the cap of $cap"* ]]'
done

# A short token is one answer, no continuation prompt.
drive chunk alice -c 511 "$small"
dr_is "a short token in one answer logs in" "$PAM_SUCCESS"
cli_agrees "a short token" chunk alice "$small" "$(dr_accepted)"
expect_prompts "a short token: one prompt only" 1 1

# The first part given as PAM_AUTHTOK (try_first_pass / use_first_pass),
# the rest at the prompts.
split "$big" 511
n=${#PARTS[@]}
PAMDRIVE_ENV="PAM_AUTHTOK=${PARTS[0]}" drive chunk-try alice -c 511 "${PARTS[@]:1}"
dr_is "try_first_pass: part 1 from PAM_AUTHTOK, parts 2..$n typed" "$PAM_SUCCESS"
expect_prompts "try_first_pass: prompts start at part 2" 2 "$n"
PAMDRIVE_ENV="PAM_AUTHTOK=${PARTS[0]}" drive chunk-use alice -c 511 "${PARTS[@]:1}"
dr_is "use_first_pass: part 1 from PAM_AUTHTOK, parts 2..$n typed" "$PAM_SUCCESS"

# A custom prompt is numbered the same way.
split "$big" 1023
drive chunk-prompt alice -c 1023 "${PARTS[@]}"
dr_is "prompt = One-time JWT: logs in" "$PAM_SUCCESS"
expect_prompts "prompt = One-time JWT: prompts are \"One-time JWT (part N): \"" 1 "${#PARTS[@]}" \
	"One-time JWT" "One-time JWT:"

# ---- refusals --------------------------------------------------------------
split "$big" 511
n=${#PARTS[@]}
bad=("${PARTS[@]}")
bad[1]="${PARTS[1]:0:100}!\$%${PARTS[1]:103}"
log_mark
drive chunk alice -c 511 "${bad[@]}"
dr_is "a part with characters a JWS cannot have is refused" "$PAM_AUTH_ERR"
expect_prompts "bad part 2: no prompt after part 2" 1 2
log_has "bad part 2: the log names the part" "token part 2 has characters"

bad=("${PARTS[@]}")
bad[2]="${PARTS[2]:0:200} ${PARTS[2]:201}"
drive chunk alice -c 511 "${bad[@]}"
dr_is "a part with a space is refused" "$PAM_AUTH_ERR"

log_mark
drive chunk alice -c 511 "${PARTS[@]:0:3}" "${PARTS[@]:4}"
dr_is "a missing part: refused" "$PAM_AUTH_ERR"
log_has "a missing part: refused as a bad token" "refused token for user=\"alice\": (signature|malformed): "

drive chunk alice -c 511 "${PARTS[0]}" "${PARTS[2]}" "${PARTS[1]}" "${PARTS[@]:3}"
dr_is "parts 2 and 3 swapped: refused" "$PAM_AUTH_ERR"

# More parts than the module allows (64).
split "$big" 40
log_mark
drive chunk alice -c 40 "${PARTS[@]}"
dr_is "${#PARTS[@]} parts of 39 bytes: refused" "$PAM_AUTH_ERR"
ok "${#PARTS[@]} parts: the module stops asking after part 64" \
	eval '[ "$(dr_prompts | wc -l)" -eq 64 ]'
log_has "${#PARTS[@]} parts: logged as too large" "too-large: .*64 parts"

# The parts add up to more than max_token_size (2048).
split "$big" 511
log_mark
drive chunk-small alice -c 511 "${PARTS[@]}"
dr_is "parts adding up past max_token_size 2048: refused" "$PAM_AUTH_ERR"
ok "past max_token_size: the module stops asking" \
	eval '[ "$(dr_prompts | wc -l)" -lt "${#PARTS[@]}" ]'
log_has "past max_token_size: logged as too large" "too-large: "

# Boundaries: exactly max_token_size in parts is fine, two bytes more not.
mint edge --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --target-len 2048
split "$edge" 511
drive chunk-small alice -c 511 "${PARTS[@]}"
dr_is "exactly max_token_size (2048) in ${#PARTS[@]} parts: accepted" "$PAM_SUCCESS"
cli_agrees "exactly max_token_size" chunk-small alice "$edge" "$(dr_accepted)"
mint edge --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --target-len 2050
split "$edge" 511
drive chunk-small alice -c 511 "${PARTS[@]}"
dr_is "max_token_size + 2 (2050) in ${#PARTS[@]} parts: refused" "$PAM_AUTH_ERR"
cli_agrees "max_token_size + 2" chunk-small alice "$edge" "$(dr_accepted)"

# A 20 KiB token: past the default max_token_size (16384), fine with 65536.
jwt_service chunk-huge "$(conf chunk-huge "jwks_file = $K/jwks.json" "max_token_size = 65536")"
mint huge --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --target-len 20480
split "$huge" 1023
drive chunk-huge alice -c 1023 "${PARTS[@]}"
dr_is "20 KiB token in ${#PARTS[@]} parts with max_token_size 65536: accepted" "$PAM_SUCCESS"
cli_agrees "20 KiB token, max_token_size 65536" chunk-huge alice "$huge" "$(dr_accepted)"
drive chunk alice -c 1023 "${PARTS[@]}"
dr_is "20 KiB token with the default max_token_size: refused" "$PAM_AUTH_ERR"
cli_agrees "20 KiB token, default max_token_size" chunk alice "$huge" "$(dr_accepted)"

# A well-formed chunked token that is expired: refused, and why is logged.
split "$bigexp" 511
log_mark
drive chunk alice -c 511 "${PARTS[@]}"
dr_is "an expired token in ${#PARTS[@]} parts: refused" "$PAM_AUTH_ERR"
log_has "an expired token in parts: the log says expired" "refused token for user=\"alice\": expired: "
cli_agrees "an expired token in parts" chunk alice "$bigexp" "$(dr_accepted)"

# The conversation gives up in the middle (sudo's cap on part 3 only).
split "$big" 511
bad=("${PARTS[@]}")
bad[2]=${PARTS[2]}${PARTS[3]}
drive chunk alice -c 511 "${bad[@]}"
dr_is "conversation error on part 3: PAM_AUTHINFO_UNAVAIL" "$PAM_AUTHINFO_UNAVAIL"

# The big token reassembled is the token the CLI accepts.
split "$big" 511
drive chunk alice -c 511 "${PARTS[@]}"
cli_agrees "the 4 KiB token" chunk alice "$big" "$(dr_accepted)"

# ---- no token, part or signature in anything the module logged -------------
check_log_clean "no token, token part or signature in the module's log"

done_testing
