/* Key sets: the keys of a JWKS (only those a token can use, when asked),
 * with ambiguous kids dropped.  Single keys are built in jwk.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jwk.h"
#include "pj_json.h"

static int same_kid(const struct pj_key *a, const struct pj_key *b)
{
	return a->kid != NULL && b->kid != NULL && a->kid_len == b->kid_len &&
	       memcmp(a->kid, b->kid, a->kid_len) == 0;
}

static void note_skip(struct pj_keyset *set, const char *reason)
{
	if (set->skipped++ == 0)
		pj_sanitize(set->skip_reason, sizeof(set->skip_reason), reason, strlen(reason));
}

/* Could this JWK verify a token with kid (NULL: none) and alg
 * (JWS_ALG_UNKNOWN: any)?  Only a cheap look at kid, kty and crv: the
 * full checks happen when the key is built. */
static int wanted(const struct json_object *jwk, const char *kid, size_t kidlen, enum jws_alg alg)
{
	const char *k = NULL, *kty = NULL, *crv = NULL;
	size_t kl = 0, tl = 0, cl = 0;
	int has_kid = pj_json_get_string(jwk, "kid", &k, &kl) == 1;

	if (kid != NULL && has_kid)
		return kl == kidlen && memcmp(k, kid, kl) == 0;
	if (alg == JWS_ALG_UNKNOWN)
		return 1;
	if (pj_json_get_string(jwk, "kty", &kty, &tl) != 1)
		return 1; /* let the import refuse it */
	pj_json_get_string(jwk, "crv", &crv, &cl);
	switch (alg) {
	case JWS_RS256:
	case JWS_RS384:
	case JWS_RS512:
	case JWS_PS256:
	case JWS_PS384:
	case JWS_PS512: return pj_json_str_eq(kty, tl, "RSA");
	case JWS_ES256:
		return pj_json_str_eq(kty, tl, "EC") && crv != NULL &&
		       pj_json_str_eq(crv, cl, "P-256");
	case JWS_ES384:
		return pj_json_str_eq(kty, tl, "EC") && crv != NULL &&
		       pj_json_str_eq(crv, cl, "P-384");
	case JWS_ES512:
		return pj_json_str_eq(kty, tl, "EC") && crv != NULL &&
		       pj_json_str_eq(crv, cl, "P-521");
	case JWS_EDDSA: return pj_json_str_eq(kty, tl, "OKP");
	default: return 0;
	}
}

enum pj_status pj_jwks_add(struct pj_keyset *set, const char *buf, size_t len, struct pj_err *err)
{
	return pj_jwks_add_for(set, buf, len, NULL, 0, JWS_ALG_UNKNOWN, err);
}

enum pj_status pj_jwks_add_for(struct pj_keyset *set, const char *buf, size_t len, const char *kid,
                               size_t kidlen, enum jws_alg alg, struct pj_err *err)
{
	struct json_object *root = NULL;
	enum pj_status st;

	st = pj_json_parse(buf, len, PJ_JSON_MAX_DEPTH, &root, err);
	if (st != PJ_OK)
		return st;
	st = pj_jwks_add_json(set, root, kid, kidlen, alg, err);
	json_object_put(root);
	return st;
}

int pj_jwks_has_kid(const struct json_object *root, const char *kid, size_t kidlen)
{
	struct json_object *keys = pj_json_get(root, "keys", json_type_array);
	size_t i, n;

	if (keys == NULL)
		return 0;
	n = json_object_array_length(keys);
	for (i = 0; i < n; i++) {
		const char *k = NULL;
		size_t kl = 0;
		struct json_object *e = json_object_array_get_idx(keys, i);

		if (json_object_is_type(e, json_type_object) &&
		    pj_json_get_string(e, "kid", &k, &kl) == 1 && kl == kidlen &&
		    memcmp(k, kid, kl) == 0)
			return 1;
	}
	return 0;
}

enum pj_status pj_jwks_add_json(struct pj_keyset *set, const struct json_object *root,
                                const char *kid, size_t kidlen, enum jws_alg alg,
                                struct pj_err *err)
{
	struct json_object *keys;
	unsigned char drop[PJ_KEYSET_MAX] = { 0 };
	size_t i, j, n, first = set->n;
	enum pj_status st;

	keys = pj_json_get(root, "keys", json_type_array);
	if (keys == NULL) {
		st = pj_fail(err, PJ_E_KEY, "JWKS has no \"keys\" array");
		goto out;
	}
	n = json_object_array_length(keys);
	set->offered += n;
	for (i = 0; i < n; i++) {
		struct pj_err kerr;
		struct pj_key key;

		if (set->n >= PJ_KEYSET_MAX) {
			st = pj_fail(err, PJ_E_TOO_LARGE, "more than %d keys", PJ_KEYSET_MAX);
			goto out;
		}
		pj_err_clear(&kerr);
		if (!wanted(json_object_array_get_idx(keys, i), kid, kidlen, alg))
			continue;
		if (pj_jwk_import(json_object_array_get_idx(keys, i), &key, &kerr) != PJ_OK) {
			note_skip(set, kerr.reason);
			continue;
		}
		set->keys[set->n++] = key;
	}
	/* A kid that names two keys is ambiguous: drop every key that has it. */
	for (i = first; i < set->n; i++)
		for (j = 0; j < set->n; j++)
			if (j != i && same_kid(&set->keys[i], &set->keys[j]))
				drop[i] = drop[j] = 1;
	for (i = 0, j = 0; i < set->n; i++) {
		if (drop[i]) {
			pj_key_free(&set->keys[i]);
			note_skip(set, "duplicate kid in JWKS");
		} else {
			set->keys[j++] = set->keys[i];
		}
	}
	set->n = j;
	st = PJ_OK;
out:
	return st;
}
