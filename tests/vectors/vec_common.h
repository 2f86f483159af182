/* Shared helpers for the external-vector tests: TAP output with
 * per-category tallies, vector files under $top_srcdir/tests/vectors,
 * hex and base64url, key sets from JWK / JWKS JSON, and the signature
 * layer for compact tokens (see vec_sig_layer). */
#ifndef PJ_VEC_COMMON_H
#define PJ_VEC_COMMON_H

#include <stddef.h>

#include <json-c/json.h>

#include "jwk.h"
#include "jws.h"
#include "pj_err.h"

#define VEC_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- TAP ---------------------------------------------------------- */

/* One TAP line "ok N - desc" / "not ok N - desc", tallied under cat.
 * Returns ok. */
int vec_check(const char *cat, int ok, const char *fmt, ...) VEC_PRINTF(3, 4);

/* One TAP line "ok N - desc # SKIP reason", tallied as skipped. */
void vec_skip(const char *cat, const char *reason, const char *fmt, ...) VEC_PRINTF(3, 4);

/* Extra per-category counters shown in the summary (an "acceptable"
 * vector that was accepted, a vector refused because its key was, ...). */
void vec_count(const char *cat, const char *what);

/* "# ..." diagnostic line. */
void vec_diag(const char *fmt, ...) VEC_PRINTF(1, 2);

/* Print the per-category summary and the plan; returns the exit code. */
int vec_done(void);

/* "Bail out!" and exit: for a missing vector file or a broken harness. */
void vec_bail(const char *fmt, ...) VEC_PRINTF(1, 2) __attribute__((noreturn));

/* ---- files -------------------------------------------------------- */

/* $top_srcdir/tests/vectors/rel (malloc'ed).  top_srcdir defaults to ".". */
char *vec_path(const char *rel);

/* Whole file (NUL-terminated, malloc'ed); bails out when unreadable. */
char *vec_read(const char *rel, size_t *len);

/* A vector file as JSON (lenient json-c parse: this is test data, not
 * token input); bails out when unreadable. */
struct json_object *vec_load_json(const char *rel);

/* ---- bytes -------------------------------------------------------- */

/* Hex -> bytes (malloc'ed, never NULL on success, even for ""); NULL on
 * bad hex. */
unsigned char *vec_unhex(const char *hex, size_t *len);

/* Bytes -> unpadded base64url (the core's encoder); bails out on ENOMEM. */
char *vec_b64url(const unsigned char *in, size_t len);

/* String member of obj, or NULL. */
const char *vec_str(const struct json_object *obj, const char *name);

/* ---- keys --------------------------------------------------------- */

/* A copy of jwk without the private members (d, p, q, dp, dq, qi, oth,
 * k): the published public half of an example key. */
struct json_object *vec_public_jwk(const struct json_object *jwk);

/* Add a JWK (pj_jwk_import) or a JWKS (pj_jwks_add on its JSON text) to
 * set.  Returns the import status for a single JWK, pj_jwks_add's status
 * for a set. */
enum pj_status vec_keyset_add(struct pj_keyset *set, const struct json_object *jwk_or_jwks,
			      struct pj_err *err);

/* A zeroed key set on the heap (bails out on ENOMEM); free with
 * vec_keyset_free. */
struct pj_keyset *vec_keyset_new(void);
void vec_keyset_free(struct pj_keyset *set);

/* ---- the signature layer ------------------------------------------ */

#define VEC_IGNORE_KID 1 /* try every key that allows alg, even with a kid */

/* Signature-layer verdict on a compact token, decided only by core code:
 * jws_parse's structure / header / base64url rules, key selection as in
 * pj_validate (the token's kid names exactly one key, no fallback; without
 * a kid every key that allows alg is tried), then pj_verify_sig over the
 * received signing input.
 *
 * jws_parse also requires the payload to be a JSON object (a JWT claims
 * set), and the core has no entry point that parses a JWS without that
 * rule.  When jws_parse refuses a token ONLY because of its payload
 * (shown by jws_parse accepting the same token with the payload segment
 * replaced by "e30" = "{}"), the verdict is completed with the core's
 * b64_decode on the real payload segment and pj_verify_sig over the real
 * signing input, and *via_probe is set so callers can count those cases.
 * Returns PJ_OK when the signature verifies. */
enum pj_status vec_sig_layer(const char *tok, size_t len, const struct pj_keyset *set,
			     int flags, int *via_probe, struct pj_err *err);

#endif
