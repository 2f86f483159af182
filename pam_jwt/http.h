/* HTTPS requests with libcurl, the way a PAM module must make them: https
 * only (redirects too), certificate and host name always verified, a total
 * time limit, a size limit on the body, no signals, no proxy from the
 * environment (only the configured one, see proxy.h), no output, and no
 * libcurl global state left behind. */
#ifndef PJ_HTTP_H
#define PJ_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "pj_err.h"

#define PJ_HTTP_MAX_BODY (256 * 1024)

struct pj_http_opts {
	const char *ca_file; /* trust anchors (PEM bundle), or NULL for the system's */
	const char *ca_dir; /* hashed CA directory, or NULL */
	const char *ca_blob; /* PEM trust anchors in memory (instead of ca_file), or NULL */
	size_t ca_blob_len;
	long timeout_ms; /* total, including connect and TLS */
	size_t max_body; /* 0: PJ_HTTP_MAX_BODY */
	const char *proxy; /* "http://HOST:PORT" (pj_proxy_valid), or NULL: no proxy */
	const char *no_proxy; /* hosts reached directly (pj_no_proxy_valid), or NULL */
};

struct pj_http_resp {
	long status;
	char *body; /* NUL-terminated, owned */
	size_t len;
	int64_t max_age; /* Cache-Control max-age, or -1 when absent */
};

/* GET url (or POST form[0..strlen) as application/x-www-form-urlencoded
 * when form is not NULL).  Succeeds (PJ_OK) when the exchange completed,
 * whatever the HTTP status, which the caller checks; *resp then holds the
 * response (release with pj_http_resp_free).  Errors: PJ_E_UNAVAILABLE
 * (connection, TLS, time-out, body over the limit, non-https URL) with
 * libcurl's reason; PJ_E_CONFIG for a proxy or no_proxy of the wrong form. */
enum pj_status pj_http_request(const char *url, const char *form, const struct pj_http_opts *opts,
                               struct pj_http_resp *resp, struct pj_err *err);

/* Release a response (wiping the body: it may hold tokens).  Part of the
 * core (fetchwire.c), so the module can release what the helper sent. */
void pj_http_resp_free(struct pj_http_resp *resp);

#endif
