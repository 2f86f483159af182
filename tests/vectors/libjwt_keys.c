/* libjwt's malformed-JWKS fixtures (tests/vectors/libjwt, MPL-2.0, used
 * unmodified): every malformed key is refused by pj_jwk_import, one by
 * one, and the whole file by pj_jwks_add, without a crash (this program
 * also runs under valgrind).
 *
 * Exception: eddsa_key_ed25519_pub_fake_es256.json holds a well-formed
 * Ed25519 public key; libjwt uses it to check that an EdDSA key cannot
 * verify ES256.  Here it must import, allow EdDSA only, and make
 * pj_verify_sig refuse ES256 with PJ_E_ALG. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec_common.h"
#include "verify.h"

/* Every key of a JWKS file must be refused, singly and as a set. */
static void all_refused(const char *file)
{
	char rel[128], *text;
	size_t len, i, n;
	struct json_object *root, *keys = NULL;
	struct pj_keyset *set = vec_keyset_new();
	struct pj_err err;
	enum pj_status st;

	snprintf(rel, sizeof(rel), "libjwt/%s", file);
	text = vec_read(rel, &len);
	root = vec_load_json(rel);
	if (!json_object_object_get_ex(root, "keys", &keys) ||
	    (n = json_object_array_length(keys)) == 0)
		vec_bail("%s has no keys", rel);
	for (i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		const char *kid = vec_str(k, "kid");
		struct pj_key key;

		pj_err_clear(&err);
		st = pj_jwk_import(k, &key, &err);
		if (st == PJ_OK)
			pj_key_free(&key);
		vec_check("libjwt", st != PJ_OK, "%s key %zu (%s) refused by pj_jwk_import - %s", file,
			  i, kid ? kid : "no kid", st == PJ_OK ? "IMPORTED" : err.reason);
	}
	pj_err_clear(&err);
	st = pj_jwks_add(set, text, len, &err);
	vec_check("libjwt", st == PJ_OK && set->n == 0 && set->skipped == n,
		  "%s through pj_jwks_add: %zu kept, %zu of %zu refused%s%s", file, set->n,
		  set->skipped, n, st == PJ_OK ? "" : " - ", st == PJ_OK ? "" : err.reason);
	vec_keyset_free(set);
	json_object_put(root);
	free(text);
}

static void ed25519_not_es256(void)
{
	static const char file[] = "libjwt/eddsa_key_ed25519_pub_fake_es256.json";
	unsigned char msg[] = "eyJhbGciOiJFUzI1NiJ9.e30", sig[64];
	size_t len;
	char *text = vec_read(file, &len);
	struct pj_keyset *set = vec_keyset_new();
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	st = pj_jwks_add(set, text, len, &err);
	if (!vec_check("libjwt", st == PJ_OK && set->n == 1 && set->keys[0].kind == PJ_KEY_ED25519,
		       "eddsa_key_ed25519_pub_fake_es256.json: one Ed25519 key imported (%zu)", set->n)) {
		vec_keyset_free(set);
		free(text);
		return;
	}
	vec_check("libjwt", pj_key_allows(&set->keys[0], JWS_EDDSA) &&
				    !pj_key_allows(&set->keys[0], JWS_ES256) &&
				    !pj_key_allows(&set->keys[0], JWS_HS256),
		  "Ed25519 key allows EdDSA, not ES256 or HS256");
	memset(sig, 0x41, sizeof(sig));
	pj_err_clear(&err);
	st = pj_verify_sig(&set->keys[0], JWS_ES256, msg, sizeof(msg) - 1, sig, sizeof(sig), &err);
	vec_check("libjwt", st == PJ_E_ALG, "pj_verify_sig(Ed25519 key, ES256) refused with PJ_E_ALG - %s",
		  err.reason);
	vec_keyset_free(set);
	free(text);
}

int main(void)
{
	all_refused("bad_keys.json");
	all_refused("rsa_key_2048_pub_alg_hs256.json");
	all_refused("oct_key_128_too_small.json");
	ed25519_not_es256();
	return vec_done();
}
