#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "pj_json.h"
#include "policy.h"
#include "textline.h"

#define MAX_CONDS 16
#define MAX_VALUE 512

/* Does the string s[0..slen) equal, or (glob) match, pattern?  Strings
 * from JSON hold no NUL (the parser refuses \u0000), so fnmatch sees all
 * of s. */
static int str_match(const char *s, size_t slen, const char *pat, size_t patlen, int glob)
{
	char a[MAX_VALUE + 1], p[MAX_VALUE + 1];

	if (!glob)
		return slen == patlen && memcmp(s, pat, slen) == 0;
	if (slen > MAX_VALUE || patlen > MAX_VALUE)
		return 0;
	memcpy(a, s, slen);
	a[slen] = '\0';
	memcpy(p, pat, patlen);
	p[patlen] = '\0';
	return fnmatch(p, a, 0) == 0;
}

/* Is one of the |-separated alternatives of want[0..wlen) matched by the
 * string value s? */
static int any_alt(const char *s, size_t slen, const char *want, size_t wlen, int glob)
{
	const char *p = want, *end = want + wlen;

	while (p <= end) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		size_t n = bar ? (size_t)(bar - p) : (size_t)(end - p);

		if (str_match(s, slen, p, n, glob))
			return 1;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

/* Does claim `name` satisfy want (string equality, array membership, or a
 * word of a space-separated scope string)? */
static int claim_matches(const struct json_object *claims, const char *name, size_t namelen,
                         const char *want, size_t wlen, int glob)
{
	char key[128];
	struct json_object *v = NULL;
	size_t i, n;

	if (claims == NULL || namelen == 0 || namelen >= sizeof(key))
		return 0;
	memcpy(key, name, namelen);
	key[namelen] = '\0';
	if (!json_object_object_get_ex(claims, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t slen = (size_t)json_object_get_string_len(v);

		if (strcmp(key, "scope") == 0 || strcmp(key, "scp") == 0) {
			const char *p = s, *end = s + slen;

			while (p < end) {
				const char *sp = memchr(p, ' ', (size_t)(end - p));
				size_t wn = sp ? (size_t)(sp - p) : (size_t)(end - p);

				if (wn > 0 && any_alt(p, wn, want, wlen, glob))
					return 1;
				p += wn + 1;
			}
			return 0;
		}
		return any_alt(s, slen, want, wlen, glob);
	}
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			if (json_object_is_type(e, json_type_string) &&
			    any_alt(json_object_get_string(e),
			            (size_t)json_object_get_string_len(e), want, wlen, glob))
				return 1;
		}
	}
	return 0;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
}

/* Split "NAME=VALUE" (or NAME~VALUE when globs are allowed). */
static int split_cond(const char *s, size_t len, size_t *namelen, const char **val, size_t *vallen,
                      int *glob, int allow_glob)
{
	size_t i;

	for (i = 0; i < len && name_char(s[i]); i++)
		;
	if (i == 0 || i >= len || (s[i] != '=' && !(allow_glob && s[i] == '~')))
		return -1;
	*glob = s[i] == '~';
	*namelen = i;
	*val = s + i + 1;
	*vallen = len - i - 1;
	if (*vallen == 0 || *vallen > MAX_VALUE)
		return -1;
	/* no empty alternative: "a|", "|a", "a||b" would match an empty value */
	if ((*val)[0] == '|' || (*val)[*vallen - 1] == '|')
		return -1;
	for (i = 0; i + 1 < *vallen; i++)
		if ((*val)[i] == '|' && (*val)[i + 1] == '|')
			return -1;
	return 0;
}

int pj_require_valid(const char *rule)
{
	size_t nl, vl;
	const char *v;
	int glob;

	return split_cond(rule, strlen(rule), &nl, &v, &vl, &glob, 0) == 0;
}

enum pj_status pj_require_check(const struct json_object *claims, const char *rule,
                                struct pj_err *err)
{
	size_t nl, vl;
	const char *v;
	int glob;

	if (split_cond(rule, strlen(rule), &nl, &v, &vl, &glob, 0) != 0)
		return pj_fail(err, PJ_E_CONFIG, "malformed require rule \"%s\"", rule);
	if (!claim_matches(claims, rule, nl, v, vl, 0))
		return pj_fail(err, PJ_E_CLAIM, "require %s does not hold", rule);
	return PJ_OK;
}

enum pj_status pj_policy_check(const struct json_object *claims, const struct pj_config *cfg,
                               struct pj_err *err)
{
	size_t i;
	enum pj_status st;

	for (i = 0; i < cfg->n_require; i++)
		if ((st = pj_require_check(claims, cfg->require[i], err)) != PJ_OK)
			return st;
	return PJ_OK;
}

/* One mapping rule line, already trimmed: "COND ... -> RESULT".  Returns
 * 0 when well-formed, with *matched and the result filled when it
 * matches. */
static int map_line(const char *s, size_t len, const struct json_object *claims,
                    const char *service, int *matched, enum pj_map_result *result, char *account,
                    size_t accsz, const char **why)
{
	const char *arrow = NULL, *p, *end, *r;
	size_t i, rlen;
	int all = 1, nconds = 0;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '-' && s[i + 1] == '>')
			arrow = s + i;
	if (arrow == NULL)
		return *why = "expected \"CONDITIONS -> RESULT\"", -1;
	r = arrow + 2;
	end = s + len;
	while (r < end && (*r == ' ' || *r == '\t'))
		r++;
	rlen = (size_t)(end - r);
	if (rlen == 0 || memchr(r, ' ', rlen) || memchr(r, '\t', rlen))
		return *why = "the result must be one word: an account, claim:NAME or deny", -1;
	/* conditions */
	for (p = s; p < arrow;) {
		const char *w = p, *v;
		size_t wn, nl, vl;
		int glob;

		while (w < arrow && (*w == ' ' || *w == '\t'))
			w++;
		for (wn = 0; w + wn < arrow && w[wn] != ' ' && w[wn] != '\t'; wn++)
			;
		p = w + wn;
		if (wn == 0)
			continue;
		if (++nconds > MAX_CONDS)
			return *why = "too many conditions", -1;
		if (wn == 1 && w[0] == '*')
			continue;
		if (split_cond(w, wn, &nl, &v, &vl, &glob, 1) != 0)
			return *why = "a condition must be NAME=VALUE, NAME~GLOB or *", -1;
		if (nl == 11 && memcmp(w, "pam_service", 11) == 0) {
			if (service == NULL || !any_alt(service, strlen(service), v, vl, glob))
				all = 0;
		} else if (!claim_matches(claims, w, nl, v, vl, glob)) {
			all = 0;
		}
	}
	if (nconds == 0)
		return *why = "a rule needs at least one condition (use * for any token)", -1;
	/* result */
	if (rlen == 4 && memcmp(r, "deny", 4) == 0) {
		*result = PJ_MAP_DENY;
	} else if (rlen > 6 && memcmp(r, "claim:", 6) == 0) {
		const char *cv = NULL;
		size_t cl = 0;
		char key[128];

		if (rlen - 6 >= sizeof(key))
			return *why = "claim name too long", -1;
		memcpy(key, r + 6, rlen - 6);
		key[rlen - 6] = '\0';
		*result = PJ_MAP_CLAIM;
		if (all && claims != NULL) {
			if (pj_json_get_string(claims, key, &cv, &cl) != 1 || cl >= accsz) {
				/* the rule matches but its claim names no account */
				*result = PJ_MAP_DENY;
			} else {
				memcpy(account, cv, cl);
				account[cl] = '\0';
			}
		}
	} else {
		if (!pj_user_name_valid(r, rlen) || rlen >= accsz)
			return *why = "the result is not a valid account name", -1;
		*result = PJ_MAP_ACCOUNT;
		if (all) {
			memcpy(account, r, rlen);
			account[rlen] = '\0';
		}
	}
	*matched = all;
	return 0;
}

enum pj_status pj_map_eval(const char *text, size_t len, const char *path,
                           const struct json_object *claims, const char *service,
                           enum pj_map_result *result, char *account, size_t accsz, unsigned *line,
                           struct pj_err *err)
{
	const char *p = text, *end = text + len, *s;
	unsigned lineno = 0;
	size_t n;
	int found = 0;

	*result = PJ_MAP_NONE;
	*line = 0;
	if (memchr(text, '\0', len) != NULL)
		return pj_fail(err, PJ_E_CONFIG, "%s: contains a NUL byte", path);
	while (pj_next_text_line(&p, end, &lineno, &s, &n)) {
		const char *why = NULL;
		char acc[PJ_USER_MAX + 1];
		enum pj_map_result res = PJ_MAP_NONE;
		int matched = 0;

		/* Every line is checked, so a typo anywhere fails closed. */
		if (map_line(s, n, found ? NULL : claims, service, &matched, &res, acc, sizeof(acc),
		             &why) != 0) {
			*result = PJ_MAP_NONE;
			*line = 0;
			return pj_fail(err, PJ_E_CONFIG, "%s:%u: %s", path, lineno, why);
		}
		if (!found && matched && claims != NULL) {
			found = 1;
			*result = res;
			*line = lineno;

			if (res == PJ_MAP_ACCOUNT || res == PJ_MAP_CLAIM) {
				if (strlen(acc) >= accsz)
					return pj_fail(err, PJ_E_USER,
					               "mapped account name too long");
				memcpy(account, acc, strlen(acc) + 1);
			}
		}
	}
	return PJ_OK;
}
