/* Errors as values: every core function reports failure through one of
 * these, never by printing.  The caller turns it into a PAM code, a log
 * line or a CLI message. */
#ifndef PJ_ERR_H
#define PJ_ERR_H

#include <stddef.h>

enum pj_status {
	PJ_OK = 0,
	PJ_E_FORMAT, /* token is not a well-formed compact JWS/JWT */
	PJ_E_TOO_LARGE, /* a size limit was exceeded */
	PJ_E_ALG, /* algorithm refused or not allowed for the key */
	PJ_E_KEY, /* no usable key (unknown kid, no key of the type) */
	PJ_E_SIGNATURE, /* signature does not verify */
	PJ_E_EXPIRED, /* exp in the past (beyond leeway) */
	PJ_E_NOT_YET, /* nbf or iat in the future (beyond leeway) */
	PJ_E_CLAIM, /* a claim is missing, of the wrong type or refused */
	PJ_E_ISSUER, /* iss differs from the configured issuer */
	PJ_E_AUDIENCE, /* aud does not contain the configured audience */
	PJ_E_USER, /* token names another user, or a bad user name */
	PJ_E_NO_ACCOUNT, /* the account the token names does not exist */
	PJ_E_REPLAY, /* the token's jti was used before on this host */
	PJ_E_REVOKED, /* the token is on the revocation list */
	PJ_E_CONFIG, /* configuration is invalid */
	PJ_E_UNAVAILABLE, /* keys or files needed to decide cannot be read */
	PJ_E_NOMEM, /* allocation failed */
	PJ_E_INTERNAL /* library failure that is not the token's fault */
};

#define PJ_REASON_MAX 192

struct pj_err {
	enum pj_status status;
	char reason[PJ_REASON_MAX];
};

/* Set err (if not NULL) to status and a printf-formatted reason.  Returns
 * status so callers can write `return pj_fail(err, PJ_E_X, "...")`.  The
 * reason must never contain token bytes; callers pass only static text,
 * numbers and values already made safe with pj_sanitize(). */
enum pj_status pj_fail(struct pj_err *err, enum pj_status status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Clear err to PJ_OK with an empty reason. */
void pj_err_clear(struct pj_err *err);

/* A short fixed name for a status ("signature", "expired"...). */
const char *pj_status_name(enum pj_status status);

/* Copy at most outsz-1 bytes of in[0..inlen) into out, replacing every byte
 * that is not printable ASCII (and the quote and backslash) with '?', and
 * cutting long values with "...".  For values from a token that go into a
 * log line (kid, sub, jti...).  out is always NUL-terminated. */
void pj_sanitize(char *out, size_t outsz, const char *in, size_t inlen);

/* Wipe and free a buffer of len bytes (NULL is fine). */
void pj_free_secret(void *p, size_t len);

/* Append data[0..n) to the growing buffer *buf (*len bytes used, *cap
 * allocated; all zero to start), keeping it NUL-terminated.  When it
 * grows, the old copy is wiped (bodies and forms may hold secrets).
 * Returns 0, or -1 out of memory with the buffer unchanged.  Release with
 * pj_free_secret(*buf, *cap). */
int pj_buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n);

#endif
