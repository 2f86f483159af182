/* Keys from the auth center: OpenID Connect discovery, the JWKS over
 * HTTPS, the on-disk cache, refresh on rotation (rate limited) and the
 * offline fallback to the last good key set. */
#ifndef PJ_REMOTE_H
#define PJ_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "jwk.h"
#include "options.h"
#include "pj_err.h"

/* Add to set the auth center's keys for a token with kid[0..kidlen) (kid
 * NULL: none) and alg (JWS_ALG_UNKNOWN: all keys) at time now; only the
 * keys that fit are built.  A fresh cache that has the kid is used without
 * network.  Otherwise (no cache, cache expired, kid unknown) the JWKS is
 * fetched, at most once per cfg->refresh_min_interval per issuer (force:
 * regardless), under a lock shared by concurrent logins.  When the fetch
 * fails the cached keys are used until cfg->stale_max past their expiry.
 * Conditions worth logging (fetch failures, refused keys, an unwritable
 * cache) are written to note[PJ_REASON_MAX] ("" when none).  Errors:
 * PJ_E_UNAVAILABLE when no usable key set can be had. */
enum pj_status pj_remote_keys(const struct pj_config *cfg, const char *kid, size_t kidlen,
                              enum jws_alg alg, int64_t now, int force, struct pj_keyset *set,
                              char *note, struct pj_err *err);

/* The HTTP options for requests to cfg's auth center (CA, time limit,
 * proxy). */
struct pj_http_opts pj_remote_http_opts(const struct pj_config *cfg);

/* The https URL in member `member` of the auth center's discovery
 * document (whose issuer must be cfg->issuer), fetched through the fetch
 * helper with o.  Sets *uri (caller frees).  Errors: PJ_E_UNAVAILABLE
 * (unreachable, another issuer, no such https member), PJ_E_NOMEM. */
enum pj_status pj_remote_discover(const struct pj_config *cfg, const struct pj_http_opts *o,
                                  const char *member, char **uri, struct pj_err *err);

#endif
