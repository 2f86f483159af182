#include "config.h"

#include <pwd.h>
#include <string.h>

#include "account.h"
#include "pj_json.h"

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

enum pj_status pj_account_map(const struct json_object *claims,
			      const struct pj_config *cfg, const char *pam_user,
			      char user[PJ_USER_MAX + 1], struct pj_err *err)
{
	const char *name = NULL;
	size_t len = 0;
	char safe[64];
	int r;

	r = pj_json_get_string(claims, cfg->user_claim, &name, &len);
	if (r == 0)
		return pj_fail(err, PJ_E_USER, "token has no %s claim", cfg->user_claim);
	if (r < 0)
		return pj_fail(err, PJ_E_USER, "claim %s is not a string", cfg->user_claim);
	pj_sanitize(safe, sizeof(safe), name, len);
	if (!pj_user_name_valid(name, len))
		return pj_fail(err, PJ_E_USER, "claim %s \"%s\" is not a valid user name",
			       cfg->user_claim, safe);
	if (pam_user != NULL && !pj_json_str_eq(name, len, pam_user))
		return pj_fail(err, PJ_E_USER, "token is for user \"%s\", not the login user",
			       safe);
	memcpy(user, name, len);
	user[len] = '\0';
	if (getpwnam(user) == NULL)
		return pj_fail(err, PJ_E_NO_ACCOUNT, "no local account \"%s\"", safe);
	return PJ_OK;
}
