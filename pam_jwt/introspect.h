/* Token introspection (RFC 7662): after every local check has passed,
 * ask the auth center whether the token is still active, so that a
 * sign-out, a revoked refresh grant or a disabled account reaches the
 * host before the token expires.  The request goes through the fetch
 * helper (fetch.h) like every other; the token and the client secret
 * travel to it over the socket only, and every buffer that held them is
 * wiped. */
#ifndef PJ_INTROSPECT_H
#define PJ_INTROSPECT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "options.h"
#include "pj_err.h"

#define PJ_INTROSPECT_SECRET_MAX 4096

/* When cfg->introspect is set: POST token[0..len) to the introspection
 * endpoint (cfg->introspection_endpoint, else discovery's) as
 * client_secret_post with cfg->introspect_client_id and the secret in
 * cfg->introspect_secret_file (root-only), within cfg->http_timeout in
 * all.  An active answer kept less than cfg->introspect_cache seconds
 * ago (per iss and jti) is used without a request.  claims are the
 * token's, already verified.  Returns PJ_OK when the token is active and
 * the answer's sub, iss, exp and aud (each when present) agree with the
 * token and the configured audience.  Errors: PJ_E_REVOKED (active is
 * false), PJ_E_CLAIM (the answer disagrees), PJ_E_CONFIG (secret file
 * unsafe or unreadable), PJ_E_UNAVAILABLE (no answer in time, an HTTP
 * error, a malformed answer) unless introspect_unavailable = allow, which
 * returns PJ_OK.  Anything worth logging either way (the unavailability
 * that was allowed, a cached answer) goes to note[PJ_REASON_MAX]. */
enum pj_status pj_introspect_check(const struct pj_config *cfg, const char *token, size_t len,
                                   const struct json_object *claims, int64_t now, char *note,
                                   struct pj_err *err);

#endif
