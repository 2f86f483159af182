/* Reading a token from conversation answers, including the chunked entry
 * convention for tokens longer than one answer may be:
 *
 *   An answer that starts with "eyJ" and ends with a backslash is the
 *   first part of a longer token.  The module then asks for "part 2",
 *   "part 3"...; every part but the last ends with a backslash.  The parts
 *   are joined without the backslashes.  A JWS never contains a backslash,
 *   and every JWS header starts with "eyJ" (base64url of '{"'), so short
 *   tokens and ordinary passwords are never mistaken for parts.
 *
 * No PAM types here: answers come from a callback. */
#ifndef PJ_TOKENIN_H
#define PJ_TOKENIN_H

#include <stddef.h>

#include "pj_err.h"

#define PJ_MAX_PARTS 64

/* Ask for part `part` (2, 3...); set *answer to a malloc'ed string the
 * collector takes over (and wipes), or return non-zero on failure. */
typedef int (*pj_ask_fn)(void *ctx, int part, char **answer);

/* Length of s[0..n) without one trailing "\n", "\r\n" or "\r": the one
 * rule for the module's answers and pam-jwt's standard input. */
size_t pj_trim_newline(const char *s, size_t n);

/* Build the token from `first` (the first answer, not modified) and, in
 * chunked mode, further answers from ask().  One trailing newline is
 * trimmed from every answer.  Sets *not_token = 1 and returns PJ_OK with
 * *token NULL when the first answer is not shaped like a token at all
 * (a password for another module); an answer that starts with "eyJ" and
 * holds only base64url characters and at least one dot is a token attempt
 * even when it is not three parts, so it is refused with its reason.  Otherwise on success sets *token
 * (malloc'ed, caller wipes with pj_free_secret) and *len.  Errors:
 * PJ_E_TOO_LARGE past max_size or PJ_MAX_PARTS parts, PJ_E_FORMAT for a
 * part with characters a JWS cannot have, PJ_E_UNAVAILABLE when ask()
 * fails. */
enum pj_status pj_token_collect(const char *first, pj_ask_fn ask, void *ctx, size_t max_size,
                                char **token, size_t *len, int *not_token, struct pj_err *err);

#endif
