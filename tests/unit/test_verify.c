/* Signature verification (verify.c) with the algorithm bound to the key.
 * Every signature in fixtures/sigs.txt was made over fixtures/msg.txt by
 * node:crypto (jose-tools sign-raw), the openssl CLI, or big-number edits
 * of those (make-fixtures.sh says which). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "jwk.h"
#include "verify.h"

enum { K_RSA, K_EC256, K_EC384, K_EC521, K_ED, K_HS32, K_HS64, K_RSA2, K_COUNT };

static struct pj_keyset set;
static char *msg;
static size_t msglen;

static void add_pem(const char *name)
{
	size_t len = 0;
	char *text = fx_read(name, &len);
	struct pj_err err;

	if (pj_pem_add(&set, text, len, &err) != PJ_OK)
		FAILF("%s: %s", name, err.reason);
	free(text);
}

static void add_secret(const char *name)
{
	size_t len = 0;
	char *s = fx_read(name, &len);
	struct pj_err err;

	if (pj_hmac_add(&set, (unsigned char *)s, len, &err) != PJ_OK)
		FAILF("%s: %s", name, err.reason);
	free(s);
}

static int setup(void **state)
{
	(void)state;
	memset(&set, 0, sizeof(set));
	add_pem("rsa.pub.pem");
	add_pem("ec256.pub.pem");
	add_pem("ec384.pub.pem");
	add_pem("ec521.pub.pem");
	add_pem("ed.pub.pem");
	add_secret("secret.bin");
	add_secret("secret64.bin");
	add_pem("rsa2.pub.pem");
	msg = fx_read("msg.txt", &msglen);
	return set.n == K_COUNT ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pj_keyset_free(&set);
	free(msg);
	return 0;
}

static unsigned char *sig_of(const char *name, size_t *len)
{
	char *b = fx_line("sigs.txt", name);
	unsigned char *s = fx_unb64(b, len);

	free(b);
	return s;
}

static enum pj_status check_raw(int k, enum jws_alg alg, const unsigned char *m, size_t mlen,
				const unsigned char *sig, size_t siglen)
{
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	st = pj_verify_sig(&set.keys[k], alg, m, mlen, sig, siglen, &err);
	assert_int_equal(err.status, st);
	if (st != PJ_OK)
		assert_true(err.reason[0] != '\0');
	return st;
}

/* Verify fixture signature `name` over msg with key k as alg. */
static enum pj_status check(int k, enum jws_alg alg, const char *name)
{
	size_t len = 0;
	unsigned char *sig = sig_of(name, &len);
	enum pj_status st = check_raw(k, alg, (const unsigned char *)msg, msglen, sig, len);

	free(sig);
	return st;
}

static const struct { const char *name; int key; enum jws_alg alg; } good[] = {
	{ "RS256", K_RSA, JWS_RS256 }, { "RS384", K_RSA, JWS_RS384 },
	{ "RS512", K_RSA, JWS_RS512 }, { "PS256", K_RSA, JWS_PS256 },
	{ "PS384", K_RSA, JWS_PS384 }, { "PS512", K_RSA, JWS_PS512 },
	{ "ES256", K_EC256, JWS_ES256 }, { "ES384", K_EC384, JWS_ES384 },
	{ "ES512", K_EC521, JWS_ES512 }, { "EdDSA", K_ED, JWS_EDDSA },
	{ "HS256", K_HS32, JWS_HS256 }, { "HS384", K_HS64, JWS_HS384 },
	{ "HS512", K_HS64, JWS_HS512 }, { "RS256-openssl", K_RSA, JWS_RS256 },
	{ "PS256-openssl", K_RSA, JWS_PS256 },
};
#define N_GOOD (sizeof(good) / sizeof(good[0]))

static void test_every_alg_valid_signature_accepted(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_GOOD; i++)
		if (check(good[i].key, good[i].alg, good[i].name) != PJ_OK)
			FAILF("%s does not verify", good[i].name);
}

static void test_tampered_message_refused(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < N_GOOD; i++) {
		unsigned char *sig = sig_of(good[i].name, &len);
		unsigned char *m = (unsigned char *)strdup(msg);

		m[msglen / 2] ^= 0x01;
		assert_int_equal(check_raw(good[i].key, good[i].alg, m, msglen, sig, len),
				 PJ_E_SIGNATURE);
		assert_int_equal(check_raw(good[i].key, good[i].alg, m, msglen - 1, sig, len),
				 PJ_E_SIGNATURE);
		free(m);
		free(sig);
	}
}

static void test_tampered_signature_refused(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < N_GOOD; i++) {
		unsigned char *sig = sig_of(good[i].name, &len);

		sig[len - 1] ^= 0x01;
		assert_int_equal(check_raw(good[i].key, good[i].alg, (unsigned char *)msg, msglen,
					   sig, len), PJ_E_SIGNATURE);
		sig[len - 1] ^= 0x01;
		sig[0] ^= 0x80;
		assert_int_equal(check_raw(good[i].key, good[i].alg, (unsigned char *)msg, msglen,
					   sig, len), PJ_E_SIGNATURE);
		assert_int_equal(check_raw(good[i].key, good[i].alg, (unsigned char *)msg, msglen,
					   sig, 0), PJ_E_SIGNATURE);
		free(sig);
	}
}

static void test_signature_of_other_key_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_RS256, "RS256-other-key"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_RSA2, JWS_RS256, "RS256-other-key"), PJ_OK);
	assert_int_equal(check(K_RSA2, JWS_RS256, "RS256"), PJ_E_SIGNATURE);
}

static void test_alg_not_allowed_by_key_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_EC256, JWS_RS256, "RS256"), PJ_E_ALG);
	assert_int_equal(check(K_RSA, JWS_ES256, "ES256"), PJ_E_ALG);
	assert_int_equal(check(K_EC256, JWS_ES384, "ES384"), PJ_E_ALG);
	assert_int_equal(check(K_EC384, JWS_ES256, "ES256"), PJ_E_ALG);
	assert_int_equal(check(K_EC521, JWS_ES256, "ES256"), PJ_E_ALG);
	assert_int_equal(check(K_RSA, JWS_EDDSA, "EdDSA"), PJ_E_ALG);
	assert_int_equal(check(K_ED, JWS_ES256, "ES256"), PJ_E_ALG);
	assert_int_equal(check(K_HS32, JWS_RS256, "RS256"), PJ_E_ALG);
	assert_int_equal(check(K_RSA, JWS_ALG_UNKNOWN, "RS256"), PJ_E_ALG);
	assert_int_equal(check(K_HS32, JWS_ALG_UNKNOWN, "HS256"), PJ_E_ALG);
}

/* RS/ES -> HS confusion: a public key never becomes an HMAC secret. */
static void test_hs_alg_with_public_key_refused(void **state)
{
	int k;

	(void)state;
	for (k = K_RSA; k <= K_ED; k++) {
		assert_int_equal(check(k, JWS_HS256, "HS256"), PJ_E_ALG);
		assert_int_equal(check(k, JWS_HS512, "HS512"), PJ_E_ALG);
	}
}

static void test_hs512_with_32_byte_secret_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_HS32, JWS_HS512, "HS512-short-secret"), PJ_E_ALG);
	assert_int_equal(check(K_HS32, JWS_HS384, "HS384"), PJ_E_ALG);
}

static void test_rsa_padding_and_hash_must_match_alg(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_PS256, "RS256"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_RSA, JWS_RS256, "PS256"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_RSA, JWS_RS384, "RS256"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_RSA, JWS_PS512, "PS256"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_HS64, JWS_HS256, "HS384"), PJ_E_SIGNATURE);
}

static void test_pss_salt_zero_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_PS256, "PS256-salt0"), PJ_E_SIGNATURE);
}

static void test_pss_salt_max_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_PS256, "PS256-saltmax"), PJ_E_SIGNATURE);
}

static void test_pss_salt_not_digest_length_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_PS384, "PS384-salt32"), PJ_E_SIGNATURE);
}

static void test_pss_mgf1_other_hash_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_PS256, "PS256-mgf1-sha1"), PJ_E_SIGNATURE);
}

/* A PSS signature whose first byte is zero, sent as k-1 bytes: the same
 * integer, so only the length check refuses it. */
static void test_rsa_sig_one_byte_short_refused(void **state)
{
	size_t len = 0;
	unsigned char *sig = sig_of("PS256-leading-zero-stripped", &len);
	unsigned char full[256];

	(void)state;
	assert_int_equal(len, 255);
	assert_int_equal(check_raw(K_RSA, JWS_PS256, (unsigned char *)msg, msglen, sig, len),
			 PJ_E_SIGNATURE);
	full[0] = 0;
	memcpy(full + 1, sig, len);
	assert_int_equal(check_raw(K_RSA, JWS_PS256, (unsigned char *)msg, msglen, full, 256),
			 PJ_OK);
	free(sig);
}

static void test_rsa_sig_with_extra_leading_zero_refused(void **state)
{
	static const char *const names[] = { "RS256", "PS256" };
	unsigned char longer[257];
	size_t i, len = 0;

	(void)state;
	for (i = 0; i < 2; i++) {
		unsigned char *sig = sig_of(names[i], &len);
		enum jws_alg alg = i == 0 ? JWS_RS256 : JWS_PS256;

		assert_int_equal(len, 256);
		longer[0] = 0;
		memcpy(longer + 1, sig, 256);
		assert_int_equal(check_raw(K_RSA, alg, (unsigned char *)msg, msglen, longer, 257),
				 PJ_E_SIGNATURE);
		free(sig);
	}
}

static void test_rsa_sig_not_below_modulus_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_RSA, JWS_RS256, "RS256-eq-modulus"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_RSA, JWS_PS256, "RS256-eq-modulus"), PJ_E_SIGNATURE);
}

static void test_ecdsa_der_signature_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_EC256, JWS_ES256, "ES256-der"), PJ_E_SIGNATURE);
}

static void test_ecdsa_psychic_zero_signature_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_EC256, JWS_ES256, "ES256-psychic"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_EC256, JWS_ES256, "ES256-s-zero"), PJ_E_SIGNATURE);
}

static void test_ecdsa_r_not_below_order_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_EC256, JWS_ES256, "ES256-r-eq-n"), PJ_E_SIGNATURE);
	assert_int_equal(check(K_EC521, JWS_ES512, "ES512-r-plus-n"), PJ_E_SIGNATURE);
}

/* JOSE has no low-S rule (RFC 7515 A.3 is itself high-S). */
static void test_ecdsa_high_s_twin_accepted(void **state)
{
	(void)state;
	assert_int_equal(check(K_EC256, JWS_ES256, "ES256-high-s-twin"), PJ_OK);
}

static void test_ecdsa_not_fixed_length_refused(void **state)
{
	size_t len = 0;
	unsigned char *s256 = sig_of("ES256", &len), *s521;
	unsigned char buf[140];
	const unsigned char *m = (const unsigned char *)msg;

	(void)state;
	assert_int_equal(len, 64);
	assert_int_equal(check_raw(K_EC256, JWS_ES256, m, msglen, s256, 63), PJ_E_SIGNATURE);
	buf[0] = 0;
	memcpy(buf + 1, s256, 64);
	assert_int_equal(check_raw(K_EC256, JWS_ES256, m, msglen, buf, 65), PJ_E_SIGNATURE);
	/* each half padded to 33 bytes: same r and s, 66 bytes */
	buf[0] = 0;
	memcpy(buf + 1, s256, 32);
	buf[33] = 0;
	memcpy(buf + 34, s256 + 32, 32);
	assert_int_equal(check_raw(K_EC256, JWS_ES256, m, msglen, buf, 66), PJ_E_SIGNATURE);
	s521 = sig_of("ES512", &len);
	assert_int_equal(len, 132);
	/* 130 bytes: each 66-byte half cut to 65 (the top byte of a P-521
	 * scalar is 0 or 1, so drop it whatever it is: must not verify) */
	memcpy(buf, s521 + 1, 65);
	memcpy(buf + 65, s521 + 67, 65);
	assert_int_equal(check_raw(K_EC521, JWS_ES512, m, msglen, buf, 130), PJ_E_SIGNATURE);
	free(s256);
	free(s521);
}

static void test_ed25519_s_plus_l_refused(void **state)
{
	(void)state;
	assert_int_equal(check(K_ED, JWS_EDDSA, "EdDSA-s-plus-l"), PJ_E_SIGNATURE);
}

static void test_ed25519_not_64_bytes_refused(void **state)
{
	size_t len = 0;
	unsigned char *sig = sig_of("EdDSA", &len);
	unsigned char buf[65];

	(void)state;
	assert_int_equal(check_raw(K_ED, JWS_EDDSA, (unsigned char *)msg, msglen, sig, 63),
			 PJ_E_SIGNATURE);
	memcpy(buf, sig, 64);
	buf[64] = 0;
	assert_int_equal(check_raw(K_ED, JWS_EDDSA, (unsigned char *)msg, msglen, buf, 65),
			 PJ_E_SIGNATURE);
	free(sig);
}

static void test_hmac_tag_length_checked(void **state)
{
	size_t len = 0;
	unsigned char *tag = sig_of("HS256", &len);
	unsigned char buf[64];
	const unsigned char *m = (const unsigned char *)msg;

	(void)state;
	assert_int_equal(len, 32);
	assert_int_equal(check_raw(K_HS32, JWS_HS256, m, msglen, tag, 16), PJ_E_SIGNATURE);
	assert_int_equal(check_raw(K_HS32, JWS_HS256, m, msglen, tag, 31), PJ_E_SIGNATURE);
	memcpy(buf, tag, 32);
	buf[32] = 0;
	assert_int_equal(check_raw(K_HS32, JWS_HS256, m, msglen, buf, 33), PJ_E_SIGNATURE);
	assert_int_equal(check_raw(K_HS32, JWS_HS256, m, msglen, tag, 32), PJ_OK);
	free(tag);
}

static void test_pinned_jwk_refuses_other_alg(void **state)
{
	char *text = fx_read("jwk-cases.json", NULL);
	struct json_object *all = json_tokener_parse(text), *jwk = NULL;
	struct pj_key key;
	struct pj_err err;
	size_t len = 0;
	unsigned char *rs = sig_of("RS256", &len), *ps;
	const unsigned char *m = (const unsigned char *)msg;

	(void)state;
	assert_true(json_object_object_get_ex(all, "rsa_alg_ps256", &jwk));
	assert_int_equal(pj_jwk_import(jwk, &key, &err), PJ_OK);
	assert_int_equal(pj_verify_sig(&key, JWS_RS256, m, msglen, rs, len, &err), PJ_E_ALG);
	ps = sig_of("PS256", &len);
	assert_int_equal(pj_verify_sig(&key, JWS_PS256, m, msglen, ps, len, &err), PJ_OK);
	pj_key_free(&key);
	json_object_put(all);
	free(text);
	free(rs);
	free(ps);
}

/* ---- key selection by kid (pj_keyset_verify) ------------------------- */

/* The fixture RSA key under kid "rsa-a" (from its JWK), in a set of its
 * own; the JWK text is built by json-c. */
static void kid_set(struct pj_keyset *ks)
{
	size_t len = 0;
	char *text = fx_read("rsa.pub.jwk", &len);
	struct json_object *jwk = json_tokener_parse(text), *root = json_object_new_object();
	struct json_object *keys = json_object_new_array();
	const char *out;
	struct pj_err err;

	assert_non_null(jwk);
	json_object_object_add(jwk, "kid", json_object_new_string("rsa-a"));
	json_object_array_add(keys, jwk);
	json_object_object_add(root, "keys", keys);
	out = json_object_to_json_string(root);
	memset(ks, 0, sizeof(*ks));
	if (pj_jwks_add(ks, out, strlen(out), &err) != PJ_OK)
		FAILF("jwks: %s", err.reason);
	json_object_put(root);
	free(text);
}

static enum pj_status verify_kid(const struct pj_keyset *ks, const char *kid, const char *signame)
{
	size_t len = 0;
	unsigned char *sig = sig_of(signame, &len);
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	st = pj_keyset_verify(ks, JWS_RS256, kid, kid != NULL ? strlen(kid) : 0,
			      (const unsigned char *)msg, msglen, sig, len, &err);
	free(sig);
	return st;
}

/* Attack: a token names kid "rsa-b", which no key has; the key of kid
 * "rsa-a" would verify it, but a key with a kid of its own only ever
 * answers to that kid.  Only kid-less keys (PEM files, the shared secret)
 * stand in for an unknown kid. */
static void test_kid_never_falls_back_to_a_key_of_another_kid(void **state)
{
	struct pj_keyset ks;
	size_t len = 0;
	char *pem;
	struct pj_err err;

	(void)state;
	kid_set(&ks);
	assert_int_equal(verify_kid(&ks, "rsa-a", "RS256"), PJ_OK);
	assert_int_equal(verify_kid(&ks, NULL, "RS256"), PJ_OK);
	assert_int_equal(verify_kid(&ks, "rsa-b", "RS256"), PJ_E_KEY);
	/* kid-less keys (PEM files) never verify a token that names a kid,
	 * not even the very key that signed it: only the key with that kid */
	pem = fx_read("rsa2.pub.pem", &len);
	assert_int_equal(pj_pem_add(&ks, pem, len, &err), PJ_OK);
	free(pem);
	assert_int_equal(verify_kid(&ks, "rsa-b", "RS256"), PJ_E_KEY);
	pem = fx_read("rsa.pub.pem", &len);
	assert_int_equal(pj_pem_add(&ks, pem, len, &err), PJ_OK);
	free(pem);
	assert_int_equal(verify_kid(&ks, "rsa-b", "RS256"), PJ_E_KEY);
	/* and a token without a kid may still use them */
	assert_int_equal(verify_kid(&ks, NULL, "RS256"), PJ_OK);
	pj_keyset_free(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_alg_valid_signature_accepted),
		cmocka_unit_test(test_tampered_message_refused),
		cmocka_unit_test(test_tampered_signature_refused),
		cmocka_unit_test(test_signature_of_other_key_refused),
		cmocka_unit_test(test_alg_not_allowed_by_key_refused),
		cmocka_unit_test(test_hs_alg_with_public_key_refused),
		cmocka_unit_test(test_hs512_with_32_byte_secret_refused),
		cmocka_unit_test(test_rsa_padding_and_hash_must_match_alg),
		cmocka_unit_test(test_pss_salt_zero_refused),
		cmocka_unit_test(test_pss_salt_max_refused),
		cmocka_unit_test(test_pss_salt_not_digest_length_refused),
		cmocka_unit_test(test_pss_mgf1_other_hash_refused),
		cmocka_unit_test(test_rsa_sig_one_byte_short_refused),
		cmocka_unit_test(test_rsa_sig_with_extra_leading_zero_refused),
		cmocka_unit_test(test_rsa_sig_not_below_modulus_refused),
		cmocka_unit_test(test_ecdsa_der_signature_refused),
		cmocka_unit_test(test_ecdsa_psychic_zero_signature_refused),
		cmocka_unit_test(test_ecdsa_r_not_below_order_refused),
		cmocka_unit_test(test_ecdsa_high_s_twin_accepted),
		cmocka_unit_test(test_ecdsa_not_fixed_length_refused),
		cmocka_unit_test(test_ed25519_s_plus_l_refused),
		cmocka_unit_test(test_ed25519_not_64_bytes_refused),
		cmocka_unit_test(test_hmac_tag_length_checked),
		cmocka_unit_test(test_pinned_jwk_refuses_other_alg),
		cmocka_unit_test(test_kid_never_falls_back_to_a_key_of_another_kid),
	};

	return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
