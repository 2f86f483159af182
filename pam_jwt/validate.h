/* The one decision function: token bytes -> decision.  The PAM module and
 * `pam-jwt verify` both call pj_validate(), so they always agree. */
#ifndef PJ_VALIDATE_H
#define PJ_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "account.h"
#include "jwk.h"
#include "jws.h"
#include "options.h"
#include "pj_err.h"

struct pj_decision {
	struct pj_err err; /* status PJ_OK means accepted */
	char user[PJ_USER_MAX + 1]; /* the local account, when accepted */
	/* Identity for the log, sanitised, "" when unknown. */
	char iss[128], sub[96], kid[64], jti[64];
	enum jws_alg alg;
	int64_t exp;
	/* Something about the keys worth logging even when the token was
	 * decided (auth center unreachable, keys refused...), or "". */
	char key_note[PJ_REASON_MAX];
	/* What introspection has to say beyond the verdict (an unavailable
	 * auth center that introspect_unavailable = allow let pass), or "". */
	char introspect_note[PJ_REASON_MAX];
	/* The mapping rule that chose the account ("FILE:LINE", "none"), or
	 * "" without a mapping file. */
	char rule[96];
	/* What the account database makes of the account, when accepted. */
	struct pj_acct acct;
	/* The decoded header and claims (owned; NULL when the token could
	 * not be decoded).  Only ever trusted when err.status == PJ_OK. */
	struct json_object *header, *claims;
};

/* Decide on token[0..len) for the login of pam_user (NULL: any user) at
 * time `now`, with the keys and rules of cfg.  Steps: size limit, strict
 * JWS parse, routing by iss (configuration sections), key selection (kid,
 * else every key that allows the alg), signature, claims, account
 * (claim or mapping rules), require rules.  Always fills *d (release with
 * pj_decision_free) and returns d->err.status. */
enum pj_status pj_validate(const struct pj_config *cfg, const char *token, size_t len,
                           const char *pam_user, int64_t now, struct pj_decision *d);

/* pj_validate with a key set already loaded (NULL: load as pj_validate
 * does), for a process that checks many tokens with the same keys (and
 * the per-token benchmark).  keys is borrowed. */
enum pj_status pj_validate_with_keys(const struct pj_config *cfg, const struct pj_keyset *keys,
                                     const char *token, size_t len, const char *pam_user,
                                     int64_t now, struct pj_decision *d);

/* Release what pj_validate put in d. */
void pj_decision_free(struct pj_decision *d);

#endif
