#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "pj_json.h"
#include "policy.h"
#include "safefile.h"

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

/* getpwnam_r: a PAM host may be threaded, and getpwnam's static result
 * would be shared between threads. */
static int account_exists(const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[16384];

	return getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res != NULL;
}

/* user_claim with its transforms, into name[PJ_USER_MAX + 1]. */
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
		size_t sl = strlen(cfg->user_strip_suffix);

		if (len <= sl || memcmp(s + len - sl, cfg->user_strip_suffix, sl) != 0)
			return pj_fail(err, PJ_E_USER, "claim %s \"%s\" does not end in %s",
			               cfg->user_claim, safe, cfg->user_strip_suffix);
		len -= sl;
	}
	if (cfg->user_email_local) {
		const char *at = memchr(s, '@', len);

		if (at == NULL)
			return pj_fail(err, PJ_E_USER, "claim %s \"%s\" is not an e-mail address",
			               cfg->user_claim, safe);
		len = (size_t)(at - s);
	}
	if (!pj_user_name_valid(s, len))
		return pj_fail(err, PJ_E_USER, "claim %s \"%s\" is not a valid user name",
		               cfg->user_claim, safe);
	memcpy(name, s, len);
	name[len] = '\0';
	if (cfg->user_lowercase)
		for (i = 0; i < len; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				name[i] = (char)(name[i] - 'A' + 'a');
	return PJ_OK;
}

static enum pj_status from_map(const struct json_object *claims, const struct pj_config *cfg,
                               char *name, char *rule, size_t rulesz, struct pj_err *err)
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
	return PJ_OK;
}

enum pj_status pj_account_map_rule(const struct json_object *claims, const struct pj_config *cfg,
                                   const char *pam_user, char user[PJ_USER_MAX + 1], char *rule,
                                   size_t rulesz, struct pj_err *err)
{
	char name[PJ_USER_MAX + 1], safe[64];
	enum pj_status st;

	if (rule != NULL && rulesz > 0)
		rule[0] = '\0';
	st = cfg->map_file != NULL ? from_map(claims, cfg, name, rule, rulesz, err)
	                           : from_claim(claims, cfg, name, err);
	if (st != PJ_OK)
		return st;
	pj_sanitize(safe, sizeof(safe), name, strlen(name));
	/* Never switch the PAM user: the token must name exactly this one. */
	if (pam_user != NULL && strcmp(name, pam_user) != 0)
		return pj_fail(err, PJ_E_USER, "token is for user \"%s\", not the login user",
		               safe);
	if (!account_exists(name))
		return pj_fail(err, PJ_E_NO_ACCOUNT, "no local account \"%s\"", safe);
	memcpy(user, name, strlen(name) + 1);
	return PJ_OK;
}

enum pj_status pj_account_map(const struct json_object *claims, const struct pj_config *cfg,
                              const char *pam_user, char user[PJ_USER_MAX + 1], struct pj_err *err)
{
	return pj_account_map_rule(claims, cfg, pam_user, user, NULL, 0, err);
}
