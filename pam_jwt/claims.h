/* Registered claims: exp, nbf, iat, iss, aud, typ, max age. */
#ifndef PJ_CLAIMS_H
#define PJ_CLAIMS_H

#include <stdint.h>

#include <json-c/json.h>

#include "jws.h"
#include "options.h"
#include "pj_err.h"

/* Check the claims of a parsed token against cfg at time `now` (seconds
 * since the epoch).  Dates must be JSON numbers within year 9999; exp is
 * required unless cfg->require_exp is off; exp, nbf and iat get
 * cfg->leeway; iat may not be in the future; exp must be after nbf;
 * iss must equal cfg->issuer byte for byte; aud (string, or non-empty
 * array of strings) must contain cfg->audience; cfg->typ, max_age and
 * max_lifetime apply when set.  Returns PJ_OK or the first failure. */
enum pj_status pj_claims_check(const struct jws *jws, const struct pj_config *cfg, int64_t now,
                               struct pj_err *err);

/* Compare a header typ with a required one as media types (RFC 7515
 * 4.1.9): case-insensitive, "application/" optional on either side. */
int pj_typ_matches(const char *typ, size_t typlen, const char *want);

/* aud of claims (a string, or a non-empty array of strings) contains
 * want.  Errors: PJ_E_AUDIENCE with the reason. */
enum pj_status pj_claims_check_aud(const struct json_object *claims, const char *want,
                                   struct pj_err *err);

#endif
