/* OAuth 2.0 pieces shared by the module and the CLI, with no I/O: form
 * bodies (application/x-www-form-urlencoded), the device authorization
 * answer (RFC 8628 section 3.2) and what a token endpoint's error means
 * to a device-flow poll (section 3.5). */
#ifndef PJ_OAUTH_H
#define PJ_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "pj_err.h"

#define PJ_DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

/* A form body being built; it may hold secrets, so it is wiped on free. */
struct pj_form {
	char *buf;
	size_t len, cap;
	int oom; /* set when an append ran out of memory */
};

/* Append name=value, both percent-encoded (RFC 3986 unreserved bytes
 * stay).  Out of memory sets f->oom; the caller checks it once. */
void pj_form_add(struct pj_form *f, const char *name, const char *value);

/* Wipe and release the body (safe on a zeroed struct). */
void pj_form_free(struct pj_form *f);

/* A device authorization, from the auth center's answer. */
struct pj_device_auth {
	char *device_code; /* secret: wiped on free */
	char *user_code; /* printable ASCII only */
	char *uri; /* verification_uri, an https URL of printable ASCII */
	char *uri_complete; /* verification_uri_complete, or NULL */
	int64_t expires_in; /* seconds, 1..3600 (600 when absent) */
	int64_t interval; /* seconds, 1..300 (5 when absent or out of range) */
};

/* Read a device authorization answer (a parsed JSON object with HTTP
 * status http_status).  device_code, user_code and verification_uri (or
 * the older verification_url) are required; the user code and URLs
 * must be printable ASCII (they are shown to a person: no escape
 * sequences) and the URLs https.  On PJ_OK *out is filled (release with
 * pj_device_auth_free).  Errors: PJ_E_UNAVAILABLE with the auth center's
 * error made printable, or what is missing; PJ_E_NOMEM. */
enum pj_status pj_device_auth_read(const struct json_object *doc, long http_status,
                                   struct pj_device_auth *out, struct pj_err *err);

/* Release (and wipe) what pj_device_auth_read filled. */
void pj_device_auth_free(struct pj_device_auth *a);

/* What a device-flow poll answer means. */
enum pj_poll {
	PJ_POLL_TOKEN = 0, /* HTTP 200 with an access_token */
	PJ_POLL_PENDING, /* authorization_pending: ask again after the interval */
	PJ_POLL_SLOW_DOWN, /* slow_down: add 5 s to the interval, ask again */
	PJ_POLL_DENIED, /* access_denied */
	PJ_POLL_EXPIRED, /* expired_token */
	PJ_POLL_ERROR /* anything else */
};

/* Classify a token endpoint answer to a device-code poll: the HTTP
 * status, whether it holds an access token, and its "error" member
 * (NULL or "" when absent). */
enum pj_poll pj_poll_classify(long http_status, int has_access_token, const char *error);

/* The "error" and "error_description" members of an OAuth error answer,
 * made printable, as "error: description" in out (outsz bytes; "HTTP N"
 * when there is no error member). */
void pj_oauth_error_text(const struct json_object *doc, long http_status, char *out, size_t outsz);
/* Overwrite every string value in o (recursively) with zeros, before
 * json_object_put, for objects that held tokens or secrets. */
void pj_json_wipe(struct json_object *o);

/* Add member name = value to object o (nothing when value is NULL) /
 * name = the number value.  0, or -1 out of memory (value not added). */
int pj_json_put_str(struct json_object *o, const char *name, const char *value);
int pj_json_put_num(struct json_object *o, const char *name, int64_t value);

#endif
