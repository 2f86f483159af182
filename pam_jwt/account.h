/* Claims -> local account: user_claim with its transforms, or the rules
 * of the mapping file; and the guard that keeps a claim value from naming
 * root, a system account or one of deny_users. */
#ifndef PJ_ACCOUNT_H
#define PJ_ACCOUNT_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "accounts.h"
#include "options.h"
#include "pj_err.h"

#define PJ_USER_MAX 256
#define PJ_LOGIN_DEFS "/etc/login.defs"
#define PJ_UID_MIN_DEFAULT 1000 /* when login.defs says nothing usable */
#define PJ_UID_MIN_MAX 2147483647

/* Non-zero when name[0..len) is acceptable as a local user name: 1..256
 * printable ASCII bytes, no space, '/', ':' or ',', not starting with '-',
 * not "." or "..". */
int pj_user_name_valid(const char *name, size_t len);

/* Non-zero when list holds one or more valid user names separated by
 * commas, spaces or tabs (the deny_users option). */
int pj_user_list_valid(const char *list);

/* UID_MIN of the login.defs text[0..len) (the last such line, decimal
 * without a leading zero, 1..PJ_UID_MIN_MAX), else PJ_UID_MIN_DEFAULT. */
uid_t pj_login_defs_uid_min(const char *text, size_t len);

/* Work out the local account the claims name: the first matching rule of
 * cfg->map_file when set, else cfg->user_claim (a JSON string) with the
 * configured transforms in this order: user_strip_suffix (required, and
 * compared without regard to ASCII case), user_email_local,
 * user_lowercase.  Then check it is a valid user name equal to pam_user
 * (when not NULL: the PAM user is never switched) and an existing account
 * (getpwnam_r).  An account chosen by a claim value (user_claim, or a
 * claim:NAME rule) must not have UID 0, a UID below cfg->min_uid (when 0:
 * UID_MIN of /etc/login.defs, else PJ_UID_MIN_DEFAULT) or be listed in
 * cfg->deny_users; a rule naming the account literally may choose any.
 * On success copies the name into user[PJ_USER_MAX + 1].
 * rule[rulesz] (may be NULL) receives "FILE:LINE" of the matching mapping
 * rule, or "none".  Errors: PJ_E_USER (another user, a deny rule, a bad
 * name, an account a claim may not name), PJ_E_NO_ACCOUNT (no rule
 * matched, no such account), PJ_E_CONFIG (mapping file unreadable, unsafe
 * or malformed: file and line given). */
enum pj_status pj_account_map_rule(const struct json_object *claims, const struct pj_config *cfg,
                                   const char *pam_user, char user[PJ_USER_MAX + 1], char *rule,
                                   size_t rulesz, struct pj_err *err);

/* pj_account_map_rule, telling also what the account database makes of
 * the account (*acct, see pj_acct_decide): with accounts = create, or
 * when a database exists, a name the database holds must be bound to the
 * token's identity, and an unknown name becomes PJ_ACCT_NEW instead of
 * PJ_E_NO_ACCOUNT.  The claim guard applies to the UID of every kind. */
enum pj_status pj_account_resolve(const struct json_object *claims, const struct pj_config *cfg,
                                  const char *pam_user, char user[PJ_USER_MAX + 1], char *rule,
                                  size_t rulesz, struct pj_acct *acct, struct pj_err *err);

/* pj_account_map_rule without the rule. */
enum pj_status pj_account_map(const struct json_object *claims, const struct pj_config *cfg,
                              const char *pam_user, char user[PJ_USER_MAX + 1], struct pj_err *err);

#endif
