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

/* Work out the local account the claims name: the first matching rule of
 * cfg->map_file when set, else cfg->user_claim (a JSON string) with the
 * configured transforms (user_strip_suffix, user_email_local,
 * user_lowercase).  Then check it is a valid user name equal to pam_user
 * (when not NULL: the PAM user is never switched) and an existing account
 * (getpwnam).  On success copies the name into user[PJ_USER_MAX + 1].
 * rule[rulesz] (may be NULL) receives "FILE:LINE" of the matching mapping
 * rule, or "none".  Errors: PJ_E_USER (another user, a deny rule, a bad
 * name), PJ_E_NO_ACCOUNT (no rule matched, no such account), PJ_E_CONFIG
 * (mapping file unreadable, unsafe or malformed: file and line given). */
enum pj_status pj_account_map_rule(const struct json_object *claims, const struct pj_config *cfg,
                                   const char *pam_user, char user[PJ_USER_MAX + 1], char *rule,
                                   size_t rulesz, struct pj_err *err);

/* pj_account_map_rule without the rule. */
enum pj_status pj_account_map(const struct json_object *claims, const struct pj_config *cfg,
                              const char *pam_user, char user[PJ_USER_MAX + 1], struct pj_err *err);

#endif
