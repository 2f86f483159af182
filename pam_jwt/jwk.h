/* Public keys: JWK / JWKS / PEM -> EVP_PKEY, with the key policy
 * (RSA size and exponent, named curves only, points on the curve, no
 * small-order Ed25519 keys) and the binding of each key to the algorithms
 * it may verify. */
#ifndef PJ_JWK_H
#define PJ_JWK_H

#include <stddef.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "jws.h"
#include "pj_err.h"

#define PJ_RSA_MIN_BITS 2048
#define PJ_RSA_MAX_BITS 16384
#define PJ_KEYSET_MAX 64
#define PJ_HMAC_MIN_BYTES 32

enum pj_key_kind {
	PJ_KEY_RSA = 1,
	PJ_KEY_P256,
	PJ_KEY_P384,
	PJ_KEY_P521,
	PJ_KEY_ED25519,
	PJ_KEY_HMAC
};

struct pj_key {
	enum pj_key_kind kind;
	EVP_PKEY *pkey; /* NULL for PJ_KEY_HMAC */
	unsigned char *secret; /* PJ_KEY_HMAC only, wiped on free */
	size_t secret_len;
	char *kid; /* NULL when the key has no kid */
	size_t kid_len;
	enum jws_alg pinned; /* JWK "alg", or JWS_ALG_UNKNOWN */
	int bits;
};

struct pj_keyset {
	struct pj_key keys[PJ_KEYSET_MAX];
	size_t n;
	size_t offered; /* entries seen in JWKS texts */
	size_t skipped; /* keys in a JWKS that were refused */
	char skip_reason[PJ_REASON_MAX]; /* why the first one was refused */
};

/* Name of a key kind ("RSA", "EC P-256", ...). */
const char *pj_key_kind_name(enum pj_key_kind kind);

/* Non-zero when key may verify alg: the kind fits the algorithm family
 * (RSA: RS and PS; each curve: its one ES alg; Ed25519: EdDSA; a shared
 * secret: HS with a secret at least as long as the hash) and, when the key
 * is pinned to an alg, alg is that one. */
int pj_key_allows(const struct pj_key *key, enum jws_alg alg);

/* Build one public key from a parsed JWK.  Refuses private members, oct
 * keys (shared secrets never come from a JWKS), `use` other than "sig",
 * `key_ops` without "verify", an `alg` that does not fit the key type,
 * RSA keys outside 2048..16384 bits or with an even or < 3 exponent,
 * curves other than P-256/384/521, coordinates of the wrong length,
 * points off the curve, and small-order or non-canonical Ed25519 keys.
 * On success fills *out (release with pj_key_free). */
enum pj_status pj_jwk_import(const struct json_object *jwk, struct pj_key *out, struct pj_err *err);

/* Add the keys of the JWKS text buf[0..len) to set.  A key that is
 * refused is skipped (counted in set->skipped); keys that share a kid,
 * with each other or with keys already in set, are all dropped, so such a
 * kid never verifies.  Fails only when the text is
 * not a JWKS object or the set is full. */
enum pj_status pj_jwks_add(struct pj_keyset *set, const char *buf, size_t len, struct pj_err *err);

/* pj_jwks_add for one token: builds only the keys that could verify a
 * token with kid[0..kidlen) (NULL: none) under alg (JWS_ALG_UNKNOWN: any):
 * keys with that kid, or without a kid and of a type that fits alg.
 * Building a key is most of the cost of a login; the rest are left as
 * text. */
enum pj_status pj_jwks_add_for(struct pj_keyset *set, const char *buf, size_t len, const char *kid,
                               size_t kidlen, enum jws_alg alg, struct pj_err *err);

/* pj_jwks_add_for on a JWKS already parsed (root, borrowed). */
enum pj_status pj_jwks_add_json(struct pj_keyset *set, const struct json_object *root,
                                const char *kid, size_t kidlen, enum jws_alg alg,
                                struct pj_err *err);

/* Non-zero when the parsed JWKS root has an entry with kid[0..kidlen)
 * (a look at the text only: nothing is built). */
int pj_jwks_has_kid(const struct json_object *root, const char *kid, size_t kidlen);

/* Add the SPKI PEM public key in buf[0..len) to set (no kid), applying the
 * same key policy as pj_jwk_import. */
enum pj_status pj_pem_add(struct pj_keyset *set, const char *buf, size_t len, struct pj_err *err);

/* Add a shared HMAC secret (raw bytes, at least PJ_HMAC_MIN_BYTES; a copy
 * is taken). */
enum pj_status pj_hmac_add(struct pj_keyset *set, const unsigned char *secret, size_t len,
                           struct pj_err *err);

/* Release one key / every key of a set (wiping secrets). */
void pj_key_free(struct pj_key *key);
void pj_keyset_free(struct pj_keyset *set);

#endif
