/* The key set for the configured issuer.  Today: static PEM files, a
 * JWKS file and a shared secret file named by the configuration. */
#ifndef PJ_KEYS_H
#define PJ_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "jwk.h"
#include "options.h"
#include "pj_err.h"

#define PJ_KEY_FILE_MAX (64 * 1024)
#define PJ_JWKS_FILE_MAX (256 * 1024)

/* Load every key cfg names into *set (which must be zeroed).  Any file
 * that cannot be read or holds a refused key fails the whole load
 * (PJ_E_UNAVAILABLE for unreadable files and refused keys, PJ_E_CONFIG for
 * unsafe files): the host cannot decide, whatever the token; keys inside
 * a JWKS that are refused are skipped and counted.  An empty result is PJ_E_UNAVAILABLE.  On failure
 * *set holds nothing. */
enum pj_status pj_keys_load(const struct pj_config *cfg, struct pj_keyset *set, struct pj_err *err);

/* Non-zero when cfg names static keys (key_file, jwks_file,
 * hmac_secret_file); otherwise keys come from the auth center. */
int pj_keys_static(const struct pj_config *cfg);

/* The keys that could verify a token with kid[0..kidlen) (NULL: none)
 * and alg at time now: from the static key files when configured, else
 * the auth center's (see pj_remote_keys; note receives conditions worth
 * logging).  Only those keys are built (pj_jwks_add_for); the set may be
 * empty when none fits, which verification then reports.  Errors as
 * pj_keys_load / pj_remote_keys, and PJ_E_UNAVAILABLE when every fitting
 * key was refused. */
enum pj_status pj_keys_for_token(const struct pj_config *cfg, const char *kid, size_t kidlen,
                                 enum jws_alg alg, int64_t now, struct pj_keyset *set, char *note,
                                 struct pj_err *err);

#endif
