#include "config.h"

#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "accounts.h"
#include "jwtdb.h"
#include "pj_json.h"
#include "policy.h"
#include "safefile.h"
#include "textline.h"

#define PJ_MAP_FILE_MAX (256 * 1024)

int pj_user_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > PJ_USER_MAX || name[0] == '-')
		return 0;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':' || c == ',')
			return 0;
	}
	return 1;
}

int pj_user_list_valid(const char *list)
{
	const char *p = list;
	int n = 0;

	while (*p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == 0)
			break;
		if (!pj_user_name_valid(p, len))
			return 0;
		n++;
		p += len;
	}
	return n > 0;
}

/* Is name one of the words of the deny_users list? */
static int in_user_list(const char *list, const char *name)
{
	const char *p = list;
	size_t nlen = strlen(name);

	while (list != NULL && *p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == nlen && memcmp(p, name, len) == 0)
			return 1;
		p += len;
	}
	return 0;
}

uid_t pj_login_defs_uid_min(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *s;
	unsigned lineno = 0;
	size_t n;
	uid_t found = PJ_UID_MIN_DEFAULT;

	while (pj_next_text_line(&p, end, &lineno, &s, &n)) {
		size_t i = 7, d;
		uint64_t v = 0;

		if (n < 8 || memcmp(s, "UID_MIN", 7) != 0 || (s[7] != ' ' && s[7] != '\t'))
			continue;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		/* decimal only, no leading zero (login.defs also allows octal
		 * and hex: those, and anything else, mean the default) */
		for (d = i; d < n && s[d] >= '0' && s[d] <= '9' && v <= PJ_UID_MIN_MAX; d++)
			v = v * 10 + (uint64_t)(s[d] - '0');
		if (d == i || d != n || s[i] == '0' || v > PJ_UID_MIN_MAX)
			found = PJ_UID_MIN_DEFAULT;
		else
			found = (uid_t)v;
	}
	return found;
}

/* The lowest UID a claim may name: min_uid, else UID_MIN of login.defs
 * (read like every file that decides access), else the default. */
static uid_t min_uid_of(const struct pj_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	uid_t v;

	if (cfg->min_uid > 0)
		return (uid_t)cfg->min_uid;
	if (pj_read_file(PJ_LOGIN_DEFS, 256 * 1024, &text, &len, NULL) != PJ_OK)
		return PJ_UID_MIN_DEFAULT;
	v = pj_login_defs_uid_min(text, len);
	free(text);
	return v;
}

/* An account chosen by a claim value: never UID 0, a system account or
 * one of deny_users.  safe is the name made safe for the reason. */
static enum pj_status claim_guard(const struct pj_config *cfg, const char *name, uid_t uid,
                                  const char *safe, struct pj_err *err)
{
	uid_t min;

	if (uid == 0)
		return pj_fail(err, PJ_E_USER,
		               "account \"%s\" has UID 0: a claim never names it, only a "
		               "literal mapping rule",
		               safe);
	if (in_user_list(cfg->deny_users, name))
		return pj_fail(err, PJ_E_USER,
		               "account \"%s\" is in deny_users: a claim never names it, only a "
		               "literal mapping rule",
		               safe);
	min = min_uid_of(cfg);
	if (uid < min)
		return pj_fail(err, PJ_E_USER,
		               "account \"%s\" has UID %lu, below min_uid %lu: a claim never "
		               "names a system account, only a literal mapping rule",
		               safe, (unsigned long)uid, (unsigned long)min);
	return PJ_OK;
}

/* getpwnam_r: a PAM host may be threaded, and getpwnam's static result
 * would be shared between threads.  Returns 1 and sets *uid when the
 * account exists. */
static int account_uid(const char *name, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[16384];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return 0;
	*uid = res->pw_uid;
	return 1;
}

/* Does s[0..len) end in suffix, compared without regard to ASCII case
 * (the suffix is a domain, and domain names are case-insensitive)? */
static int ends_in_ci(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len > sl && strncasecmp(s + len - sl, suffix, sl) == 0 &&
	       memchr(s + len - sl, '\0', sl) == NULL;
}

/* user_claim with its transforms, into name[PJ_USER_MAX + 1], in this
 * order: user_strip_suffix, user_email_local, user_lowercase, then the
 * name must be a valid user name. */
static enum pj_status from_claim(const struct json_object *claims, const struct pj_config *cfg,
                                 char *name, struct pj_err *err)
{
	const char *s = NULL;
	size_t len = 0, i;
	char safe[64];
	int r;

	r = pj_json_get_string(claims, cfg->user_claim, &s, &len);
	if (r == 0)
		return pj_fail(err, PJ_E_USER, "token has no %s claim", cfg->user_claim);
	if (r < 0)
		return pj_fail(err, PJ_E_USER, "claim %s is not a string", cfg->user_claim);
	pj_sanitize(safe, sizeof(safe), s, len);
	if (cfg->user_strip_suffix != NULL) {
		if (!ends_in_ci(s, len, cfg->user_strip_suffix))
			return pj_fail(err, PJ_E_USER, "claim %s \"%s\" does not end in %s",
			               cfg->user_claim, safe, cfg->user_strip_suffix);
		len -= strlen(cfg->user_strip_suffix);
	}
	if (cfg->user_email_local) {
		const char *at = memchr(s, '@', len);

		if (at == NULL)
			return pj_fail(err, PJ_E_USER, "claim %s \"%s\" is not an e-mail address",
			               cfg->user_claim, safe);
		len = (size_t)(at - s);
	}
	if (len > PJ_USER_MAX)
		return pj_fail(err, PJ_E_USER, "claim %s \"%s\" is not a valid user name",
		               cfg->user_claim, safe);
	memcpy(name, s, len);
	name[len] = '\0';
	if (cfg->user_lowercase)
		for (i = 0; i < len; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				name[i] = (char)(name[i] - 'A' + 'a');
	if (!pj_user_name_valid(name, len))
		return pj_fail(err, PJ_E_USER, "claim %s \"%s\" is not a valid user name",
		               cfg->user_claim, safe);
	return PJ_OK;
}

static enum pj_status from_map(const struct json_object *claims, const struct pj_config *cfg,
                               char *name, int *literal, char *rule, size_t rulesz,
                               struct pj_err *err)
{
	enum pj_map_result res = PJ_MAP_NONE;
	char *text = NULL;
	size_t len = 0;
	unsigned line = 0;
	enum pj_status st;

	st = pj_read_file(cfg->map_file, PJ_MAP_FILE_MAX, &text, &len, err);
	if (st != PJ_OK)
		return st == PJ_E_UNAVAILABLE ? PJ_E_CONFIG : st;
	st = pj_map_eval(text, len, cfg->map_file, claims, cfg->service, &res, name,
	                 PJ_USER_MAX + 1, &line, err);
	free(text);
	if (st != PJ_OK)
		return st;
	if (rule != NULL && rulesz > 0)
		snprintf(rule, rulesz, line ? "%s:%u" : "none", cfg->map_file, line);
	if (res == PJ_MAP_NONE)
		return pj_fail(err, PJ_E_NO_ACCOUNT, "no mapping rule matched the token");
	if (res == PJ_MAP_DENY)
		return pj_fail(
		        err, PJ_E_USER,
		        "denied by mapping rule %s:%u (deny, or claim: naming no usable account)",
		        cfg->map_file, line);
	if (!pj_user_name_valid(name, strlen(name)))
		return pj_fail(err, PJ_E_USER, "mapping rule %s:%u gives an invalid user name",
		               cfg->map_file, line);
	*literal = res == PJ_MAP_ACCOUNT;
	return PJ_OK;
}

/* The account database's view of name (see pj_acct_decide), when
 * accounts are created or a database exists; else the host's alone. */
static enum pj_status resolve(const struct json_object *claims, const struct pj_config *cfg,
                              const char *name, const char *safe, struct pj_acct *acct,
                              struct pj_err *err)
{
	struct jdb db;
	enum pj_status st;
	uid_t uid = 0;

	memset(acct, 0, sizeof(*acct));
	if (cfg->accounts_create || pj_acct_db_exists(cfg)) {
		if ((st = pj_acct_load(cfg, &db, err)) != PJ_OK)
			return st;
		st = pj_acct_decide(cfg, claims, name, &db, acct, err);
		jdb_free(&db);
		return st;
	}
	if (!account_uid(name, &uid))
		return pj_fail(err, PJ_E_NO_ACCOUNT, "no local account \"%s\"", safe);
	acct->kind = PJ_ACCT_LOCAL;
	acct->uid = uid;
	return PJ_OK;
}

enum pj_status pj_account_resolve(const struct json_object *claims, const struct pj_config *cfg,
                                  const char *pam_user, char user[PJ_USER_MAX + 1], char *rule,
                                  size_t rulesz, struct pj_acct *acct, struct pj_err *err)
{
	char name[PJ_USER_MAX + 1], safe[64];
	enum pj_status st;
	int literal = 0;

	if (rule != NULL && rulesz > 0)
		rule[0] = '\0';
	st = cfg->map_file != NULL ? from_map(claims, cfg, name, &literal, rule, rulesz, err)
	                           : from_claim(claims, cfg, name, err);
	if (st != PJ_OK)
		return st;
	pj_sanitize(safe, sizeof(safe), name, strlen(name));
	/* Never switch the PAM user: the token must name exactly this one. */
	if (pam_user != NULL && strcmp(name, pam_user) != 0)
		return pj_fail(err, PJ_E_USER, "token is for user \"%s\", not the login user",
		               safe);
	if ((st = resolve(claims, cfg, name, safe, acct, err)) != PJ_OK)
		return st;
	/* a new account's UID counts too: accounts_uid_min below min_uid
	 * would make system accounts */
	if (!literal && (st = claim_guard(cfg, name, (uid_t)acct->uid, safe, err)) != PJ_OK)
		return st;
	memcpy(user, name, strlen(name) + 1);
	return PJ_OK;
}

enum pj_status pj_account_map_rule(const struct json_object *claims, const struct pj_config *cfg,
                                   const char *pam_user, char user[PJ_USER_MAX + 1], char *rule,
                                   size_t rulesz, struct pj_err *err)
{
	struct pj_acct acct;

	return pj_account_resolve(claims, cfg, pam_user, user, rule, rulesz, &acct, err);
}

enum pj_status pj_account_map(const struct json_object *claims, const struct pj_config *cfg,
                              const char *pam_user, char user[PJ_USER_MAX + 1], struct pj_err *err)
{
	return pj_account_map_rule(claims, cfg, pam_user, user, NULL, 0, err);
}
