/* Strict base64url (RFC 4648 section 5, as JWS uses it). */
#ifndef PJ_B64_H
#define PJ_B64_H

#include <stddef.h>

/* Non-zero when c is in the base64url alphabet [A-Za-z0-9_-]. */
int b64_is_url_char(unsigned char c);

/* Decode in[0..inlen) as unpadded base64url into a new buffer.  Refuses
 * padding, '+', '/', whitespace, any other byte, a length with
 * inlen % 4 == 1, and non-canonical trailing bits.  On success returns 0
 * and sets *out (malloc'ed, NUL-terminated for convenience, caller frees)
 * and *outlen.  On failure returns -1 and leaves *out untouched. */
int b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen);

/* Encode in[0..inlen) as unpadded base64url into a new NUL-terminated
 * string (caller frees).  Returns NULL when out of memory. */
char *b64_encode(const unsigned char *in, size_t inlen);

#endif
