/* What the module (or pam-jwt) sends the lock-screen helper,
 * pam_jwt-unlock, on its standard input, and the verdicts the helper
 * returns as its exit status.  Nothing else crosses: the helper prints
 * nothing and takes no argument but the PAM user's name.
 *
 * One frame, then end of file:
 *
 *   "PJU1"  verb (1 byte)  len1 (2 bytes, big-endian)  secret1
 *           len2 (2 bytes, big-endian)  secret2
 *
 * verb 'T': secret1 is a token, len2 is 0 (unlock with a token);
 * verb 'P': secret1 is a PIN, len2 is 0 (unlock offline with the PIN);
 * verb 'S': secret1 is a token, secret2 the new PIN (pam-jwt pin set).
 * A token is 1..PJ_UNLOCK_TOKEN_MAX bytes, a PIN 1..PJ_PIN_MAX; neither
 * holds a NUL byte.  Anything else, or a byte after the frame, is
 * refused. */
#ifndef PJ_UNLOCKWIRE_H
#define PJ_UNLOCKWIRE_H

#include <stddef.h>

#include "pj_err.h"

#define PJ_UNLOCK_MAGIC "PJU1"
#define PJ_UNLOCK_TOKEN_MAX 65535
#define PJ_UNLOCK_FRAME_MAX (4 + 1 + 2 + PJ_UNLOCK_TOKEN_MAX + 2 + 64)

/* The helper's exit status. */
enum pj_unlock_verdict {
	PJ_UNLOCK_OK = 0, /* accepted */
	PJ_UNLOCK_DENIED = 1, /* a wrong token or PIN */
	PJ_UNLOCK_UNAVAIL = 2, /* cannot decide (configuration, state, keys) */
	PJ_UNLOCK_ONLINE = 3, /* a PIN while the auth center answers (when_offline) */
	PJ_UNLOCK_WAIT = 4, /* a PIN too soon after a wrong one: not checked */
	PJ_UNLOCK_NO_PIN = 5, /* no usable PIN for this account */
	PJ_UNLOCK_USAGE = 6 /* refused: caller, arguments or input */
};

struct pj_unlock_req {
	char verb; /* 'T', 'P' or 'S' */
	const char *secret1, *secret2; /* point into the frame; not NUL-terminated */
	size_t len1, len2;
};

/* Parse the frame buf[0..len) into *req (pointing into buf).  PJ_OK, or
 * PJ_E_FORMAT with the reason (never any byte of the secrets). */
enum pj_status pj_unlock_parse(const char *buf, size_t len, struct pj_unlock_req *req,
                               struct pj_err *err);

/* Build the frame for verb with s1[0..l1) and s2[0..l2) (s2 NULL for 'T'
 * and 'P') into a new buffer *out of *outlen bytes (wipe with
 * pj_free_secret).  Errors: PJ_E_TOO_LARGE, PJ_E_FORMAT (what parse would
 * refuse), PJ_E_NOMEM. */
enum pj_status pj_unlock_frame(char verb, const char *s1, size_t l1, const char *s2, size_t l2,
                               char **out, size_t *outlen, struct pj_err *err);

#endif
