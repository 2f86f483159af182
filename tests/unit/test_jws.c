/* Compact JWS parsing (jws.c): structure, strict base64url, strict JSON,
 * and the header rules (alg allow-list by exact name, crit, b64, JWE
 * members, cty, ignored key-carrying members).  Tokens come from
 * fixtures/tokens.txt (jose-tools); structural attacks are made here by
 * editing those tokens. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "jws.h"
#include "pj_json.h"

/* Parse tok[0..len); on success check the invariants and release. */
static enum pj_status parse_len(const char *tok, size_t len)
{
	struct jws j;
	struct pj_err err;
	enum pj_status st;

	memset(&j, 0, sizeof(j));
	pj_err_clear(&err);
	st = jws_parse(tok, len, &j, &err);
	if (st == PJ_OK) {
		assert_non_null(j.header);
		assert_non_null(j.claims);
		assert_non_null(j.sig);
		assert_true(j.sig_len > 0);
		assert_ptr_equal(j.signing_input, tok);
		assert_int_equal(tok[j.signing_input_len], '.');
		assert_int_not_equal(j.alg, JWS_ALG_UNKNOWN);
		jws_free(&j);
	} else {
		assert_int_equal(err.status, st);
		assert_true(err.reason[0] != '\0');
		assert_null(j.header);
		assert_null(j.claims);
		assert_null(j.sig);
	}
	return st;
}

static enum pj_status parse_str(const char *tok)
{
	return parse_len(tok, strlen(tok));
}

static enum pj_status parse_fixture(const char *name)
{
	char *tok = fx_token(name);
	enum pj_status st = parse_str(tok);

	free(tok);
	return st;
}

#define FX_IS(name, want) assert_int_equal(parse_fixture(name), want)

static void test_alg_names_exact_and_case_sensitive(void **state)
{
	static const char *const names[] = {
		"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
	};
	static const char *const bad[] = {
		"none", "None", "NONE", "nOnE", "rs256", "Rs256", "RS256 ", " RS256",
		"EDDSA", "eddsa", "Ed25519", "ES256K", "RS1", "HS", "", "unknown",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum jws_alg a = jws_alg_from_name(names[i], strlen(names[i]));

		assert_int_not_equal(a, JWS_ALG_UNKNOWN);
		assert_string_equal(jws_alg_name(a), names[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(jws_alg_from_name(bad[i], strlen(bad[i])), JWS_ALG_UNKNOWN);
	assert_int_equal(jws_alg_from_name("RS256\0", 6), JWS_ALG_UNKNOWN);
	assert_int_equal(jws_alg_from_name("RS2", 3), JWS_ALG_UNKNOWN);
	assert_string_equal(jws_alg_name(JWS_ALG_COUNT), "unknown");
	assert_string_equal(jws_alg_name((enum jws_alg)-1), "unknown");
}

static void test_looks_like_token(void **state)
{
	char *tok = fx_token("es256");

	(void)state;
	assert_true(jws_looks_like_token(tok, strlen(tok)));
	assert_true(jws_looks_like_token("a.b.c", 5));
	assert_true(jws_looks_like_token("eyJ-_.x_.-", 10));
	assert_false(jws_looks_like_token("a..c", 4));
	assert_false(jws_looks_like_token(".b.c", 4));
	assert_false(jws_looks_like_token("a.b.", 4));
	assert_false(jws_looks_like_token("a.b", 3));
	assert_false(jws_looks_like_token("a.b.c.d.e", 9));
	assert_false(jws_looks_like_token("correct horse", 13));
	assert_false(jws_looks_like_token("a.b.c\n", 6));
	assert_false(jws_looks_like_token("a.b+.c", 6));
	assert_false(jws_looks_like_token("a.b.c=", 6));
	assert_false(jws_looks_like_token("a.b\0.c", 6));
	assert_false(jws_looks_like_token("", 0));
	free(tok);
}

static void test_valid_token_fields(void **state)
{
	char *tok = fx_token("es256");
	const char *sub = NULL;
	size_t sublen = 0;
	struct jws j;
	struct pj_err err;

	(void)state;
	memset(&j, 0, sizeof(j));
	assert_int_equal(jws_parse(tok, strlen(tok), &j, &err), PJ_OK);
	assert_int_equal(j.alg, JWS_ES256);
	assert_int_equal(j.kid_len, 4);
	assert_memory_equal(j.kid, "ec-1", 4);
	assert_int_equal(j.typ_len, 3);
	assert_memory_equal(j.typ, "JWT", 3);
	assert_int_equal(j.sig_len, 64);
	assert_ptr_equal(j.signing_input, tok);
	assert_int_equal(j.signing_input_len, (size_t)(strrchr(tok, '.') - tok));
	assert_int_equal(pj_json_get_string(j.claims, "sub", &sub, &sublen), 1);
	assert_true(pj_json_str_eq(sub, sublen, "root"));
	jws_free(&j);
	assert_null(j.header);
	jws_free(&j); /* safe twice: the struct is zeroed */
	free(tok);
}

static void test_token_without_kid_and_typ(void **state)
{
	char *tok = fx_token("rs256-nokid"), *tok2 = fx_token("no-typ");
	struct jws j;
	struct pj_err err;

	(void)state;
	memset(&j, 0, sizeof(j));
	assert_int_equal(jws_parse(tok, strlen(tok), &j, &err), PJ_OK);
	assert_null(j.kid);
	assert_int_equal(j.sig_len, 256);
	jws_free(&j);
	assert_int_equal(jws_parse(tok2, strlen(tok2), &j, &err), PJ_OK);
	assert_null(j.typ);
	jws_free(&j);
	free(tok);
	free(tok2);
}

static void test_every_fixture_alg_parses(void **state)
{
	(void)state;
	FX_IS("rs256", PJ_OK);
	FX_IS("ps256", PJ_OK);
	FX_IS("es384", PJ_OK);
	FX_IS("es512", PJ_OK);
	FX_IS("eddsa", PJ_OK);
	FX_IS("hs256", PJ_OK);
	FX_IS("big-4096", PJ_OK);
	FX_IS("raw-ok", PJ_OK);
	FX_IS("payload-space-around", PJ_OK);
}

static void test_alg_none_refused(void **state)
{
	(void)state;
	FX_IS("alg-none", PJ_E_FORMAT); /* "h.p." has an empty signature */
	FX_IS("alg-none-kept-sig", PJ_E_ALG);
	FX_IS("alg-NONE-kept-sig", PJ_E_ALG);
	FX_IS("alg-nOnE-kept-sig", PJ_E_ALG);
}

static void test_alg_lowercase_missing_or_not_string_refused(void **state)
{
	(void)state;
	FX_IS("alg-rs256-lower", PJ_E_ALG);
	FX_IS("alg-missing", PJ_E_ALG);
	FX_IS("alg-number", PJ_E_ALG);
}

static void test_crit_refused(void **state)
{
	(void)state;
	FX_IS("crit", PJ_E_FORMAT);
}

static void test_b64_false_refused(void **state)
{
	(void)state;
	FX_IS("b64-false", PJ_E_FORMAT);
	FX_IS("b64-false-nocrit", PJ_E_FORMAT);
}

static void test_jwe_members_enc_zip_refused(void **state)
{
	(void)state;
	FX_IS("enc", PJ_E_FORMAT);
	FX_IS("zip", PJ_E_FORMAT);
}

static void test_nested_cty_jwt_refused(void **state)
{
	(void)state;
	FX_IS("cty-jwt", PJ_E_FORMAT);
}

static void test_jwk_jku_x5u_x5c_headers_ignored(void **state)
{
	(void)state;
	FX_IS("jku-ignored", PJ_OK);
	FX_IS("jwk-injected", PJ_OK); /* parsed; never used as a key */
}

static void test_kid_and_typ_must_be_strings(void **state)
{
	(void)state;
	FX_IS("kid-number", PJ_E_FORMAT);
	FX_IS("typ-number", PJ_E_FORMAT);
}

static void test_kid_traversal_kept_opaque(void **state)
{
	char *tok = fx_token("kid-traversal");
	struct jws j;
	struct pj_err err;

	(void)state;
	memset(&j, 0, sizeof(j));
	assert_int_equal(jws_parse(tok, strlen(tok), &j, &err), PJ_OK);
	assert_int_equal(j.kid_len, strlen("../../../../../dev/null"));
	assert_memory_equal(j.kid, "../../../../../dev/null", j.kid_len);
	jws_free(&j);
	free(tok);
}

static void test_duplicate_header_and_claim_members_refused(void **state)
{
	(void)state;
	FX_IS("dup-alg-none-last", PJ_E_FORMAT);
	FX_IS("dup-alg-es256-last", PJ_E_FORMAT);
	FX_IS("dup-sub", PJ_E_FORMAT);
}

static void test_duplicate_hidden_by_single_quote_refused(void **state)
{
	(void)state;
	FX_IS("squote-dup-alg", PJ_E_FORMAT);
	FX_IS("squote-dup-sub", PJ_E_FORMAT);
	FX_IS("squote-name", PJ_E_FORMAT);
}

static void test_header_not_strict_json_object_refused(void **state)
{
	(void)state;
	FX_IS("header-array", PJ_E_FORMAT);
	FX_IS("header-trailing", PJ_E_FORMAT);
	FX_IS("header-bom", PJ_E_FORMAT);
}

static void test_payload_not_strict_json_object_refused(void **state)
{
	(void)state;
	FX_IS("payload-array", PJ_E_FORMAT);
	FX_IS("payload-trailing", PJ_E_FORMAT);
	FX_IS("payload-invalid-utf8", PJ_E_FORMAT);
	FX_IS("payload-overlong-utf8", PJ_E_FORMAT);
	FX_IS("payload-lone-surrogate", PJ_E_FORMAT);
	FX_IS("payload-raw-control", PJ_E_FORMAT);
	FX_IS("payload-nan", PJ_E_FORMAT);
	FX_IS("payload-deep", PJ_E_FORMAT);
	FX_IS("sub-nul", PJ_E_FORMAT);
}

/* Structural attacks, made by editing a valid token. */
static char *edit(const char *tok, size_t keep, const char *insert, const char *rest)
{
	size_t il = strlen(insert), rl = strlen(rest);
	char *s = malloc(keep + il + rl + 1);

	assert_non_null(s);
	memcpy(s, tok, keep);
	memcpy(s + keep, insert, il);
	memcpy(s + keep + il, rest, rl + 1);
	return s;
}

#define EDIT_IS(keep, ins, rest, want) do {                              \
		char *e_ = edit(tok, (keep), (ins), (rest));              \
		assert_int_equal(parse_str(e_), (want));                   \
		free(e_);                                                  \
	} while (0)

static void test_segment_count_not_three_refused(void **state)
{
	char *tok = fx_token("es256");
	size_t len = strlen(tok), d2 = (size_t)(strrchr(tok, '.') - tok);

	(void)state;
	assert_int_equal(parse_str(tok), PJ_OK);
	EDIT_IS(d2, "", "", PJ_E_FORMAT);                  /* two parts */
	EDIT_IS(len, ".", "AAAA", PJ_E_FORMAT);            /* four parts */
	EDIT_IS(len, ".AAAA.AAAA", "", PJ_E_FORMAT);       /* five parts: JWE shape */
	EDIT_IS(len, ".AAAA.AAAA.AAAA", "", PJ_E_FORMAT);  /* six parts */
	EDIT_IS(len, ".AAAA.AAAA.AAAA.AAAA.AAAA", "", PJ_E_FORMAT);
	assert_int_equal(parse_str("a"), PJ_E_FORMAT);
	assert_int_equal(parse_str(""), PJ_E_FORMAT);
	assert_int_equal(parse_str(".."), PJ_E_FORMAT);
	free(tok);
}

static void test_empty_segments_refused(void **state)
{
	char *tok = fx_token("es256");
	size_t d1 = (size_t)(strchr(tok, '.') - tok), d2 = (size_t)(strrchr(tok, '.') - tok);

	(void)state;
	EDIT_IS(d2 + 1, "", "", PJ_E_FORMAT);      /* signature stripped */
	EDIT_IS(0, "", tok + d1, PJ_E_FORMAT);      /* empty header */
	EDIT_IS(d1 + 1, "", tok + d2, PJ_E_FORMAT); /* empty payload */
	free(tok);
}

static void test_padding_and_std_alphabet_refused(void **state)
{
	char *tok = fx_token("es256");
	size_t len = strlen(tok), d1 = (size_t)(strchr(tok, '.') - tok);
	char *plus;

	(void)state;
	EDIT_IS(len, "=", "", PJ_E_FORMAT);
	EDIT_IS(len, "==", "", PJ_E_FORMAT);
	EDIT_IS(d1, "=", tok + d1, PJ_E_FORMAT);
	plus = edit(tok, len, "", "");
	plus[len - 2] = '+';
	assert_int_equal(parse_str(plus), PJ_E_FORMAT);
	plus[len - 2] = '/';
	assert_int_equal(parse_str(plus), PJ_E_FORMAT);
	free(plus);
	free(tok);
}

static void test_whitespace_and_nul_refused(void **state)
{
	char *tok = fx_token("es256");
	size_t len = strlen(tok), d1 = (size_t)(strchr(tok, '.') - tok);
	char *nul;

	(void)state;
	EDIT_IS(len, "\n", "", PJ_E_FORMAT);
	EDIT_IS(len, "\r\n", "", PJ_E_FORMAT);
	EDIT_IS(0, " ", tok, PJ_E_FORMAT);
	EDIT_IS(d1, " ", tok + d1, PJ_E_FORMAT);
	EDIT_IS(d1 + 1, "\t", tok + d1 + 1, PJ_E_FORMAT);
	nul = edit(tok, len, "", "");
	nul[d1 + 4] = '\0';
	assert_int_equal(parse_len(nul, len), PJ_E_FORMAT);
	free(nul);
	free(tok);
}

static void test_signature_noncanonical_base64_refused(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *tok = fx_token("es256");
	size_t len = strlen(tok), sl = len - 1 - (size_t)(strrchr(tok, '.') - tok);
	int v;

	(void)state;
	/* 64 bytes -> 86 characters; the last one carries 4 unused bits */
	assert_int_equal(sl, 86);
	v = (int)(strchr(alpha, tok[len - 1]) - alpha);
	assert_int_equal(v & 0x0f, 0);
	tok[len - 1] = alpha[v | 1];
	assert_int_equal(parse_str(tok), PJ_E_FORMAT);
	tok[len - 1] = alpha[v | 8];
	assert_int_equal(parse_str(tok), PJ_E_FORMAT);
	tok[len - 1] = alpha[v];
	assert_int_equal(parse_str(tok), PJ_OK);
	/* impossible length: 4k+1 characters */
	EDIT_IS(len, "AAA", "", PJ_E_FORMAT);
	free(tok);
}

static void test_json_serialization_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("{\"payload\":\"e30\",\"protected\":\"e30\",\"signature\":\"AAAA\"}"),
			 PJ_E_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_names_exact_and_case_sensitive),
		cmocka_unit_test(test_looks_like_token),
		cmocka_unit_test(test_valid_token_fields),
		cmocka_unit_test(test_token_without_kid_and_typ),
		cmocka_unit_test(test_every_fixture_alg_parses),
		cmocka_unit_test(test_alg_none_refused),
		cmocka_unit_test(test_alg_lowercase_missing_or_not_string_refused),
		cmocka_unit_test(test_crit_refused),
		cmocka_unit_test(test_b64_false_refused),
		cmocka_unit_test(test_jwe_members_enc_zip_refused),
		cmocka_unit_test(test_nested_cty_jwt_refused),
		cmocka_unit_test(test_jwk_jku_x5u_x5c_headers_ignored),
		cmocka_unit_test(test_kid_and_typ_must_be_strings),
		cmocka_unit_test(test_kid_traversal_kept_opaque),
		cmocka_unit_test(test_duplicate_header_and_claim_members_refused),
		cmocka_unit_test(test_duplicate_hidden_by_single_quote_refused),
		cmocka_unit_test(test_header_not_strict_json_object_refused),
		cmocka_unit_test(test_payload_not_strict_json_object_refused),
		cmocka_unit_test(test_segment_count_not_three_refused),
		cmocka_unit_test(test_empty_segments_refused),
		cmocka_unit_test(test_padding_and_std_alphabet_refused),
		cmocka_unit_test(test_whitespace_and_nul_refused),
		cmocka_unit_test(test_signature_noncanonical_base64_refused),
		cmocka_unit_test(test_json_serialization_refused),
	};

	return cmocka_run_group_tests_name("jws", tests, NULL, NULL);
}
