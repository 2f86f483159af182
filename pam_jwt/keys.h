/* The key set for the configured issuer.  Today: static PEM files, a
 * JWKS file and a shared secret file named by the configuration. */
#ifndef PJ_KEYS_H
#define PJ_KEYS_H

#include "jwk.h"
#include "options.h"
#include "pj_err.h"

#define PJ_KEY_FILE_MAX (64 * 1024)
#define PJ_JWKS_FILE_MAX (256 * 1024)

/* Load every key cfg names into *set (which must be zeroed).  Any file
 * that cannot be read or holds a refused key fails the whole load
 * (PJ_E_UNAVAILABLE for unreadable files, PJ_E_CONFIG for unsafe files,
 * PJ_E_KEY for refused keys); keys inside a JWKS that are refused are
 * skipped and counted.  An empty result is PJ_E_UNAVAILABLE.  On failure
 * *set holds nothing. */
enum pj_status pj_keys_load(const struct pj_config *cfg, struct pj_keyset *set,
			    struct pj_err *err);

#endif
