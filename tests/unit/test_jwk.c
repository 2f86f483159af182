/* Public keys (jwk.c): JWK import policy, PEM keys, JWK sets, shared
 * secrets and the binding of each key to the algorithms it may verify.
 * Keys come from fixtures made with jose-tools and the openssl CLI;
 * jwk-cases.json holds hand-altered copies of them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "jwk.h"

static struct json_object *cases;

static int setup(void **state)
{
	char *text = fx_read("jwk-cases.json", NULL);

	(void)state;
	cases = json_tokener_parse(text);
	free(text);
	return cases == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	json_object_put(cases);
	return 0;
}

static struct json_object *jwk_case(const char *name)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(cases, name, &v))
		FAILF("jwk-cases.json has no case %s", name);
	return v;
}

static enum pj_status import_obj(struct json_object *jwk, struct pj_key *key)
{
	struct pj_err err;
	enum pj_status st;

	memset(key, 0, sizeof(*key));
	pj_err_clear(&err);
	st = pj_jwk_import(jwk, key, &err);
	if (st != PJ_OK) {
		assert_int_equal(err.status, st);
		assert_true(err.reason[0] != '\0');
		assert_null(key->pkey);
	} else {
		assert_non_null(key->pkey);
	}
	return st;
}

/* Import case `name`; return the status (the key is released). */
static enum pj_status import_status(const char *name)
{
	struct pj_key key;
	enum pj_status st = import_obj(jwk_case(name), &key);

	pj_key_free(&key);
	return st;
}

#define REFUSED(name) assert_int_equal(import_status(name), PJ_E_KEY)

/* The set of algs key allows, as a bit mask. */
static unsigned allowed(const struct pj_key *key)
{
	unsigned m = 0;
	int a;

	for (a = 0; a < JWS_ALG_COUNT; a++)
		if (pj_key_allows(key, (enum jws_alg)a))
			m |= 1u << a;
	return m;
}

#define BIT(a) (1u << (a))
#define RSA_ALGS (BIT(JWS_RS256) | BIT(JWS_RS384) | BIT(JWS_RS512) | \
		  BIT(JWS_PS256) | BIT(JWS_PS384) | BIT(JWS_PS512))

static void expect_key(const char *name, enum pj_key_kind kind, int bits,
		       const char *kid, unsigned algs)
{
	struct pj_key key;

	assert_int_equal(import_obj(jwk_case(name), &key), PJ_OK);
	assert_int_equal(key.kind, kind);
	assert_int_equal(key.bits, bits);
	assert_int_equal(key.pinned, JWS_ALG_UNKNOWN);
	assert_int_equal(key.kid_len, strlen(kid));
	assert_string_equal(key.kid, kid);
	assert_int_equal(allowed(&key), algs);
	pj_key_free(&key);
	assert_null(key.pkey);
}

static void test_rsa_jwk_accepted_for_rs_and_ps_only(void **state)
{
	(void)state;
	expect_key("rsa_ok", PJ_KEY_RSA, 2048, "rsa-1", RSA_ALGS);
}

static void test_ec_jwks_accepted_for_their_one_alg(void **state)
{
	(void)state;
	expect_key("ec256_ok", PJ_KEY_P256, 256, "ec-1", BIT(JWS_ES256));
	expect_key("ec384_ok", PJ_KEY_P384, 384, "ec384-1", BIT(JWS_ES384));
	expect_key("ec521_ok", PJ_KEY_P521, 521, "ec521-1", BIT(JWS_ES512));
}

static void test_ed25519_jwk_accepted_for_eddsa_only(void **state)
{
	(void)state;
	expect_key("ed_ok", PJ_KEY_ED25519, 256, "ed-1", BIT(JWS_EDDSA));
}

static void test_rsa_e1_key_refused(void **state)
{
	(void)state;
	REFUSED("rsa_e1");
	REFUSED("rsa_e1_leading_zeros");
}

static void test_rsa_even_exponent_refused(void **state)
{
	(void)state;
	REFUSED("rsa_e_even");
}

static void test_rsa_1024_bit_key_refused(void **state)
{
	(void)state;
	REFUSED("rsa_1024");
}

static void test_rsa_modulus_over_16384_bits_refused(void **state)
{
	(void)state;
	REFUSED("rsa_n_too_long");
}

static void test_jwk_member_not_strict_base64url_refused(void **state)
{
	(void)state;
	REFUSED("rsa_n_padded");
	REFUSED("rsa_n_std_alphabet");
}

static void test_jwk_with_private_members_refused(void **state)
{
	static const char *const priv[] = { "d", "p", "q", "dp", "dq", "qi", "oth", "k" };
	size_t i;

	(void)state;
	REFUSED("rsa_private_d");
	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		struct json_object *j = NULL;
		struct pj_key key;

		assert_int_equal(json_object_deep_copy(jwk_case("ec256_ok"), &j, NULL), 0);
		json_object_object_add(j, priv[i], json_object_new_string("AQAB"));
		assert_int_equal(import_obj(j, &key), PJ_E_KEY);
		json_object_put(j);
	}
}

static void test_oct_shared_secret_from_jwks_refused(void **state)
{
	(void)state;
	REFUSED("oct");
}

static void test_use_enc_refused_use_sig_accepted(void **state)
{
	(void)state;
	REFUSED("rsa_use_enc");
	assert_int_equal(import_status("rsa_use_sig"), PJ_OK);
}

static void test_key_ops_without_verify_refused(void **state)
{
	(void)state;
	REFUSED("rsa_key_ops_encrypt");
	REFUSED("rsa_key_ops_string");
	assert_int_equal(import_status("rsa_key_ops_verify"), PJ_OK);
}

static void test_jwk_alg_pins_the_key(void **state)
{
	struct pj_key key;

	(void)state;
	assert_int_equal(import_obj(jwk_case("rsa_alg_ps256"), &key), PJ_OK);
	assert_int_equal(key.pinned, JWS_PS256);
	assert_int_equal(allowed(&key), BIT(JWS_PS256));
	pj_key_free(&key);
}

static void test_jwk_alg_not_fitting_the_key_refused(void **state)
{
	(void)state;
	REFUSED("rsa_alg_es256");
	REFUSED("rsa_alg_hs256");
	REFUSED("rsa_alg_none");
	REFUSED("ec256_alg_es384");
}

static void test_jwk_kid_rules(void **state)
{
	struct json_object *j = NULL;
	struct pj_key key;
	char kid[257];

	(void)state;
	REFUSED("rsa_kid_empty");
	REFUSED("rsa_kid_number");
	REFUSED("rsa_kid_257");
	memset(kid, 'k', 256);
	kid[256] = '\0';
	assert_int_equal(json_object_deep_copy(jwk_case("ec256_ok"), &j, NULL), 0);
	json_object_object_add(j, "kid", json_object_new_string(kid));
	assert_int_equal(import_obj(j, &key), PJ_OK);
	assert_int_equal(key.kid_len, 256);
	pj_key_free(&key);
	json_object_object_del(j, "kid");
	assert_int_equal(import_obj(j, &key), PJ_OK);
	assert_null(key.kid);
	pj_key_free(&key);
	json_object_put(j);
}

static void test_jwk_kty_exact_and_required(void **state)
{
	struct json_object *arr = json_object_new_array();
	struct pj_key key;

	(void)state;
	REFUSED("rsa_kty_lower");
	REFUSED("kty_missing");
	assert_int_equal(import_obj(arr, &key), PJ_E_KEY);
	json_object_put(arr);
}

static void test_ec_point_off_curve_refused(void **state)
{
	(void)state;
	REFUSED("ec256_off_curve");
	REFUSED("ec256_zero_point");
}

static void test_ec_coordinate_length_refused(void **state)
{
	(void)state;
	REFUSED("ec256_short_x");
	REFUSED("ec521_x_65");
	REFUSED("ec256_as_p384");
}

static void test_ec_unsupported_curve_refused(void **state)
{
	(void)state;
	REFUSED("ec_secp256k1");
	REFUSED("ec_no_crv");
	REFUSED("ec_crv_number");
}

static void test_ed25519_small_order_refused(void **state)
{
	static const char *const bad[] = {
		"ed_identity", "ed_identity_sign", "ed_order2", "ed_order4",
		"ed_order4_sign", "ed_order8_a", "ed_order8_a_sign", "ed_order8_b",
		"ed_order8_b_sign",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(import_status(bad[i]), PJ_E_KEY);
}

static void test_ed25519_noncanonical_refused(void **state)
{
	(void)state;
	REFUSED("ed_noncanon_p");
	REFUSED("ed_noncanon_p1");
}

static void test_okp_wrong_length_or_curve_refused(void **state)
{
	(void)state;
	REFUSED("ed_x_31");
	REFUSED("okp_x25519");
	REFUSED("okp_ed448");
}

/* PEM keys */
static enum pj_status pem_add(struct pj_keyset *set, const char *fixture)
{
	size_t len = 0;
	char *text = fx_read(fixture, &len);
	struct pj_err err;
	enum pj_status st;
	size_t before = set->n;

	pj_err_clear(&err);
	st = pj_pem_add(set, text, len, &err);
	free(text);
	assert_int_equal(set->n, before + (st == PJ_OK));
	if (st != PJ_OK)
		assert_int_equal(err.status, st);
	return st;
}

static void test_pem_keys_accepted(void **state)
{
	static const struct { const char *file; enum pj_key_kind kind; } ok[] = {
		{ "rsa.pub.pem", PJ_KEY_RSA }, { "ec256.pub.pem", PJ_KEY_P256 },
		{ "ec384.pub.pem", PJ_KEY_P384 }, { "ec521.pub.pem", PJ_KEY_P521 },
		{ "ed.pub.pem", PJ_KEY_ED25519 },
	};
	struct pj_keyset set;
	size_t i;

	(void)state;
	memset(&set, 0, sizeof(set));
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(pem_add(&set, ok[i].file), PJ_OK);
		assert_int_equal(set.keys[i].kind, ok[i].kind);
		assert_null(set.keys[i].kid);
	}
	assert_int_equal(allowed(&set.keys[0]), RSA_ALGS);
	assert_int_equal(allowed(&set.keys[4]), BIT(JWS_EDDSA));
	pj_keyset_free(&set);
	assert_int_equal(set.n, 0);
}

static void test_pem_weak_or_unsupported_keys_refused(void **state)
{
	struct pj_keyset set;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(pem_add(&set, "rsa1024.pub.pem"), PJ_E_KEY);
	assert_int_equal(pem_add(&set, "rsa-e1.pub.pem"), PJ_E_KEY);
	assert_int_equal(pem_add(&set, "secp256k1.pub.pem"), PJ_E_KEY);
	assert_int_equal(pem_add(&set, "ed448.pub.pem"), PJ_E_KEY);
	assert_int_equal(pem_add(&set, "jwks.json"), PJ_E_KEY);
	assert_int_equal(pem_add(&set, "msg.txt"), PJ_E_KEY);
	pj_keyset_free(&set);
}

/* "named curves only": explicit curve parameters are refused even when
 * they spell out P-256 (RFC 8725 3.4, CVE-2022-0778 class). */
static void test_pem_explicit_ec_params_refused(void **state)
{
	struct pj_keyset set;
	enum pj_status st;

	(void)state;
	memset(&set, 0, sizeof(set));
	st = pem_add(&set, "ec256-explicit.pub.pem");
	pj_keyset_free(&set);
	assert_int_equal(st, PJ_E_KEY);
}

/* JWK sets */
static enum pj_status jwks_add(struct pj_keyset *set, const char *text)
{
	struct pj_err err;

	pj_err_clear(&err);
	return pj_jwks_add(set, text, strlen(text), &err);
}

static void test_jwks_fixture_loads_every_key(void **state)
{
	char *text = fx_read("jwks.json", NULL);
	struct pj_keyset set;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(jwks_add(&set, text), PJ_OK);
	assert_int_equal(set.n, 5);
	assert_int_equal(set.skipped, 0);
	assert_string_equal(set.keys[0].kid, "rsa-1");
	assert_string_equal(set.keys[4].kid, "ed-1");
	pj_keyset_free(&set);
	free(text);
}

/* Build {"keys":[...]} from jwk-cases entries (NULL-terminated). */
static char *set_of(const char *const *names, const char *kid_override)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char *s;

	for (; *names != NULL; names++) {
		struct json_object *j = NULL;

		assert_int_equal(json_object_deep_copy(jwk_case(*names), &j, NULL), 0);
		if (kid_override != NULL)
			json_object_object_add(j, "kid", json_object_new_string(kid_override));
		json_object_array_add(arr, j);
	}
	json_object_object_add(root, "keys", arr);
	s = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return s;
}

static void test_jwks_duplicate_kid_drops_every_holder(void **state)
{
	static const char *const two[] = { "rsa_ok", "ec256_ok", NULL };
	static const char *const other[] = { "ed_ok", NULL };
	char *a = set_of(two, "same"), *b = set_of(other, NULL);
	struct pj_keyset set;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(jwks_add(&set, b), PJ_OK);
	assert_int_equal(jwks_add(&set, a), PJ_OK);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.keys[0].kid, "ed-1");
	assert_int_equal(set.skipped, 2);
	assert_true(strstr(set.skip_reason, "duplicate") != NULL);
	pj_keyset_free(&set);
	free(a);
	free(b);
}

static void test_jwks_refused_keys_skipped_not_fatal(void **state)
{
	static const char *const mixed[] = {
		"oct", "rsa_1024", "ec256_ok", "ed_identity", "rsa_use_enc", NULL,
	};
	char *text = set_of(mixed, NULL);
	struct pj_keyset set;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(jwks_add(&set, text), PJ_OK);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.keys[0].kind, PJ_KEY_P256);
	assert_int_equal(set.skipped, 4);
	assert_true(strstr(set.skip_reason, "oct") != NULL);
	pj_keyset_free(&set);
	free(text);
	memset(&set, 0, sizeof(set));
	assert_int_equal(jwks_add(&set, "{\"keys\":[1,\"x\",null,[],{}]}"), PJ_OK);
	assert_int_equal(set.n, 0);
	assert_int_equal(set.skipped, 5);
}

static void test_jwks_not_a_key_set_refused(void **state)
{
	struct pj_keyset set;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(jwks_add(&set, "{}"), PJ_E_KEY);
	assert_int_equal(jwks_add(&set, "{\"keys\":{}}"), PJ_E_KEY);
	assert_int_equal(jwks_add(&set, "{\"keys\":\"x\"}"), PJ_E_KEY);
	assert_int_equal(jwks_add(&set, "[]"), PJ_E_FORMAT);
	assert_int_equal(jwks_add(&set, "{\"keys\":[]} x"), PJ_E_FORMAT);
	assert_int_equal(jwks_add(&set, "{\"keys\":[],\"keys\":[]}"), PJ_E_FORMAT);
	assert_int_equal(jwks_add(&set, "{\"keys\":[]}"), PJ_OK);
	assert_int_equal(set.n, 0);
}

static void test_jwks_more_than_64_keys_refused(void **state)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	struct pj_keyset set;
	char kid[16];
	int i;

	(void)state;
	for (i = 0; i <= PJ_KEYSET_MAX; i++) {
		struct json_object *j = NULL;

		assert_int_equal(json_object_deep_copy(jwk_case("ed_ok"), &j, NULL), 0);
		snprintf(kid, sizeof(kid), "k%d", i);
		json_object_object_add(j, "kid", json_object_new_string(kid));
		json_object_array_add(arr, j);
	}
	json_object_object_add(root, "keys", arr);
	memset(&set, 0, sizeof(set));
	assert_int_equal(jwks_add(&set, json_object_to_json_string(root)), PJ_E_TOO_LARGE);
	pj_keyset_free(&set);
	json_object_put(root);
}

static void test_hmac_secret_length_bounds_hs_algs(void **state)
{
	unsigned char secret[64];
	struct pj_keyset set;
	struct pj_err err;

	(void)state;
	memset(secret, 0x5a, sizeof(secret));
	memset(&set, 0, sizeof(set));
	assert_int_equal(pj_hmac_add(&set, secret, 31, &err), PJ_E_KEY);
	assert_int_equal(set.n, 0);
	assert_int_equal(pj_hmac_add(&set, secret, 32, &err), PJ_OK);
	assert_int_equal(allowed(&set.keys[0]), BIT(JWS_HS256));
	assert_int_equal(pj_hmac_add(&set, secret, 48, &err), PJ_OK);
	assert_int_equal(allowed(&set.keys[1]), BIT(JWS_HS256) | BIT(JWS_HS384));
	assert_int_equal(pj_hmac_add(&set, secret, 64, &err), PJ_OK);
	assert_int_equal(allowed(&set.keys[2]),
			 BIT(JWS_HS256) | BIT(JWS_HS384) | BIT(JWS_HS512));
	assert_null(set.keys[2].pkey);
	assert_memory_equal(set.keys[2].secret, secret, 64);
	assert_ptr_not_equal(set.keys[2].secret, secret); /* a copy */
	pj_keyset_free(&set);
}

static void test_keyset_capacity_enforced(void **state)
{
	unsigned char secret[32] = { 1 };
	struct pj_keyset set;
	struct pj_err err;
	int i;

	(void)state;
	memset(&set, 0, sizeof(set));
	for (i = 0; i < PJ_KEYSET_MAX; i++)
		assert_int_equal(pj_hmac_add(&set, secret, sizeof(secret), &err), PJ_OK);
	assert_int_equal(pj_hmac_add(&set, secret, sizeof(secret), &err), PJ_E_TOO_LARGE);
	assert_int_equal(pem_add(&set, "ed.pub.pem"), PJ_E_TOO_LARGE);
	assert_int_equal(set.n, PJ_KEYSET_MAX);
	pj_keyset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_jwk_accepted_for_rs_and_ps_only),
		cmocka_unit_test(test_ec_jwks_accepted_for_their_one_alg),
		cmocka_unit_test(test_ed25519_jwk_accepted_for_eddsa_only),
		cmocka_unit_test(test_rsa_e1_key_refused),
		cmocka_unit_test(test_rsa_even_exponent_refused),
		cmocka_unit_test(test_rsa_1024_bit_key_refused),
		cmocka_unit_test(test_rsa_modulus_over_16384_bits_refused),
		cmocka_unit_test(test_jwk_member_not_strict_base64url_refused),
		cmocka_unit_test(test_jwk_with_private_members_refused),
		cmocka_unit_test(test_oct_shared_secret_from_jwks_refused),
		cmocka_unit_test(test_use_enc_refused_use_sig_accepted),
		cmocka_unit_test(test_key_ops_without_verify_refused),
		cmocka_unit_test(test_jwk_alg_pins_the_key),
		cmocka_unit_test(test_jwk_alg_not_fitting_the_key_refused),
		cmocka_unit_test(test_jwk_kid_rules),
		cmocka_unit_test(test_jwk_kty_exact_and_required),
		cmocka_unit_test(test_ec_point_off_curve_refused),
		cmocka_unit_test(test_ec_coordinate_length_refused),
		cmocka_unit_test(test_ec_unsupported_curve_refused),
		cmocka_unit_test(test_ed25519_small_order_refused),
		cmocka_unit_test(test_ed25519_noncanonical_refused),
		cmocka_unit_test(test_okp_wrong_length_or_curve_refused),
		cmocka_unit_test(test_pem_keys_accepted),
		cmocka_unit_test(test_pem_weak_or_unsupported_keys_refused),
		cmocka_unit_test(test_pem_explicit_ec_params_refused),
		cmocka_unit_test(test_jwks_fixture_loads_every_key),
		cmocka_unit_test(test_jwks_duplicate_kid_drops_every_holder),
		cmocka_unit_test(test_jwks_refused_keys_skipped_not_fatal),
		cmocka_unit_test(test_jwks_not_a_key_set_refused),
		cmocka_unit_test(test_jwks_more_than_64_keys_refused),
		cmocka_unit_test(test_hmac_secret_length_bounds_hs_algs),
		cmocka_unit_test(test_keyset_capacity_enforced),
	};

	return cmocka_run_group_tests_name("jwk", tests, setup, teardown);
}
