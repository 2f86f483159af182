/* Claim policy: `require` rules and the mapping file.  No PAM types: the
 * PAM service name arrives as cfg->service. */
#ifndef PJ_POLICY_H
#define PJ_POLICY_H

#include <stddef.h>

#include <json-c/json.h>

#include "options.h"
#include "pj_err.h"

/* Check a `require` rule text "CLAIM=V1|V2..." against claims: the claim
 * must be a string equal to one of the values, or an array holding a
 * string equal to one of them; for "scope" and "scp" a string is read as a
 * space-separated list.  PJ_OK when it holds, PJ_E_CLAIM (with the rule in
 * the reason) when not, PJ_E_CONFIG when the rule is malformed. */
enum pj_status pj_require_check(const struct json_object *claims, const char *rule,
                                struct pj_err *err);

/* Check a rule's syntax only (for the option parser). */
int pj_require_valid(const char *rule);

/* Every `require` rule of cfg, in order; the first that fails is the
 * reason. */
enum pj_status pj_policy_check(const struct json_object *claims, const struct pj_config *cfg,
                               struct pj_err *err);

/* Result of the mapping file: no rule matched, an account the rule
 * names literally, an account named by a claim (claim:NAME), deny. */
enum pj_map_result { PJ_MAP_NONE = 0, PJ_MAP_ACCOUNT, PJ_MAP_DENY, PJ_MAP_CLAIM };

/* Run the rules of the mapping file text[0..len) (named path in errors)
 * against claims and the PAM service (may be NULL).  First match wins.
 * On PJ_OK sets *result; for PJ_MAP_ACCOUNT (a fixed name) and
 * PJ_MAP_CLAIM (the value of a string claim) copies the account name
 * into account[accsz];
 * *line is the matching rule's line (0 for none).  A malformed file is
 * PJ_E_CONFIG with file and line in the reason, whatever the claims. */
enum pj_status pj_map_eval(const char *text, size_t len, const char *path,
                           const struct json_object *claims, const char *service,
                           enum pj_map_result *result, char *account, size_t accsz, unsigned *line,
                           struct pj_err *err);

#endif
