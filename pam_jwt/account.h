/* Claims -> local account.  Today: one claim must name the PAM user.
 * Mapping rules plug in here, behind the same function. */
#ifndef PJ_ACCOUNT_H
#define PJ_ACCOUNT_H

#include <stddef.h>

#include <json-c/json.h>

#include "options.h"
#include "pj_err.h"

#define PJ_USER_MAX 256

/* Non-zero when name[0..len) is acceptable as a local user name: 1..256
 * printable ASCII bytes, no space, '/', ':' or ',', not starting with '-',
 * not "." or "..". */
int pj_user_name_valid(const char *name, size_t len);

/* Work out the local account the claims name (cfg->user_claim, a JSON
 * string) and check it is a valid user name equal to pam_user (when
 * pam_user is not NULL) and that the account exists (getpwnam).  On
 * success copies the account name into user[PJ_USER_MAX + 1].  Errors:
 * PJ_E_USER, PJ_E_NO_ACCOUNT. */
enum pj_status pj_account_map(const struct json_object *claims,
			      const struct pj_config *cfg, const char *pam_user,
			      char user[PJ_USER_MAX + 1], struct pj_err *err);

#endif
