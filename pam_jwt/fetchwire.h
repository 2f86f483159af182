/* The messages between the module and pam_jwt-fetch, the helper that
 * makes the module's HTTPS requests in a process of its own.  Both are
 * frames of length-prefixed fields:
 *
 *   request:  "PJF2" url form ca_file ca_dir timeout_ms max_body proxy
 *             no_proxy
 *   response: "PJR1" result http_status max_age data
 *
 * A field is a 4-byte big-endian length and that many bytes; the length
 * 0xffffffff stands for an absent value (NULL).  Numbers are decimal
 * text.  result is 0 when the exchange completed (data is the body) and
 * a pj_status otherwise (data is the reason).  Decoding is strict: a
 * frame with a field missing, one too many, a length past the end, a
 * malformed number or a value over its limit is refused whole. */
#ifndef PJ_FETCHWIRE_H
#define PJ_FETCHWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "pj_err.h"

#define PJ_FETCH_REQ_MAX (64 * 1024)
#define PJ_FETCH_URL_MAX 4096
#define PJ_FETCH_PATH_MAX 4096

struct pj_fetch_req {
	char *url, *form, *ca_file, *ca_dir; /* owned; form and the CAs may be NULL */
	char *proxy, *no_proxy; /* owned, may be NULL (proxy.h) */
	long timeout_ms;
	size_t max_body;
};

/* Encode a request into a new buffer (*out, *outlen; caller frees with
 * pj_free_secret: a form may hold a secret).  Errors: PJ_E_TOO_LARGE
 * when it would exceed PJ_FETCH_REQ_MAX or a URL PJ_FETCH_URL_MAX,
 * PJ_E_NOMEM. */
enum pj_status pj_fetchwire_req_encode(const char *url, const char *form,
                                       const struct pj_http_opts *o, char **out, size_t *outlen,
                                       struct pj_err *err);

/* Decode a request frame into *req (release with pj_fetchwire_req_free).
 * Errors: PJ_E_FORMAT for a malformed frame, PJ_E_NOMEM. */
enum pj_status pj_fetchwire_req_decode(const char *buf, size_t len, struct pj_fetch_req *req,
                                       struct pj_err *err);
void pj_fetchwire_req_free(struct pj_fetch_req *req);

/* Encode a response: with result PJ_OK, resp's status, max_age and body;
 * otherwise reason (status 0, max_age -1).  Caller frees *out with
 * pj_free_secret. */
enum pj_status pj_fetchwire_resp_encode(enum pj_status result, const struct pj_http_resp *resp,
                                        const char *reason, char **out, size_t *outlen,
                                        struct pj_err *err);

/* Decode a response frame of at most max_body bytes of body.  When the
 * helper reports success, PJ_OK with *resp filled (release with
 * pj_http_resp_free).  When it reports a failure, that status (never
 * PJ_OK) with the helper's reason, made printable, in err.  PJ_E_FORMAT
 * for a malformed frame. */
enum pj_status pj_fetchwire_resp_decode(const char *buf, size_t len, size_t max_body,
                                        struct pj_http_resp *resp, struct pj_err *err);

#endif
