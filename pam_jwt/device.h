/* The OAuth 2.0 device authorization grant (RFC 8628) for the module:
 * discovery, the device authorization request and one poll of the token
 * endpoint, each an HTTPS request through the fetch helper (fetch.h), so
 * nothing of it runs in the host process but the parsing of answers.
 * No PAM types here: the module's conversation and its waits are in
 * pam_device.c. */
#ifndef PJ_DEVICE_H
#define PJ_DEVICE_H

#include <stdint.h>

#include "oauth.h"
#include "options.h"
#include "pj_err.h"

#define PJ_CLIENT_SECRET_MAX 4096

struct pj_device {
	char *device_endpoint, *token_endpoint, *revocation_endpoint; /* revocation may be NULL */
	char *client_secret; /* NULL for a public client; wiped on free */
	struct pj_device_auth auth;
};

/* What the auth center issued when the person approved. */
struct pj_device_tokens {
	char *access_token, *refresh_token, *id_token; /* refresh and id may be NULL */
	int64_t expires_in; /* 0 when not given */
};

/* Start a device authorization for cfg's client (cfg->client_id, and the
 * secret in cfg->client_secret_file, which must be root's and readable by
 * no one else): discovery at cfg->issuer, then the request with scope
 * cfg->device_scope and the resources cfg->audience and
 * cfg->sso_audiences.  On PJ_OK dev is filled (release with
 * pj_device_free, also after a failure).  Errors: PJ_E_CONFIG (no
 * client_id, unsafe secret file), PJ_E_UNAVAILABLE (the auth center
 * cannot be reached or refused, with its reason made printable),
 * PJ_E_NOMEM. */
enum pj_status pj_device_start(const struct pj_config *cfg, struct pj_device *dev,
                               struct pj_err *err);

/* Ask the token endpoint once whether the person approved.  Returns what
 * the answer means; with PJ_POLL_TOKEN *tok is filled (release with
 * pj_device_tokens_free).  PJ_POLL_ERROR with err->status
 * PJ_E_UNAVAILABLE when the request failed (the auth center may be down)
 * and PJ_E_INTERNAL when it refused, with the reason in err. */
enum pj_poll pj_device_poll(const struct pj_config *cfg, const struct pj_device *dev,
                            struct pj_device_tokens *tok, struct pj_err *err);

/* Release (and wipe) what pj_device_start filled. */
void pj_device_free(struct pj_device *dev);

/* Release (and wipe) tokens. */
void pj_device_tokens_free(struct pj_device_tokens *tok);

#endif
