/* Claims -> PAM_JWT_* environment variables for the session. */
#ifndef PJ_SESSION_H
#define PJ_SESSION_H

#include <stddef.h>

#include <json-c/json.h>

#include "pj_err.h"

#define PJ_ENV_VALUE_MAX 1024

/* Called with each "NAME=value" string (NUL-terminated, owned by the
 * caller of the callback); non-zero stops. */
typedef int (*pj_env_fn)(void *ctx, const char *assignment);

/* For each claim named in list (comma- or space-separated, e.g.
 * "iss,sub,jti,exp,groups") that the claims hold, build
 * "PAM_JWT_<NAME>=<value>": NAME upper-cased with every character other
 * than A-Z, 0-9 turned into '_'; strings with every byte outside printable
 * ASCII replaced by '?'; integers in decimal; booleans true/false; arrays
 * of scalars as JSON text (["a,b",7,true]: strings quoted, '"' and '\'
 * escaped, control characters as \u00XX, other bytes outside printable
 * ASCII as '?').  So that a value starting with '[' is always an array, a
 * string claim starting with '[' is skipped, as are objects, null, arrays
 * holding them and values longer than PJ_ENV_VALUE_MAX.  Claims absent
 * from the token are skipped.
 * Returns PJ_OK, or PJ_E_CONFIG for a bad list, or what the callback
 * reported as PJ_E_INTERNAL. */
enum pj_status pj_session_env(const struct json_object *claims, const char *list, pj_env_fn fn,
                              void *ctx, struct pj_err *err);

#endif
