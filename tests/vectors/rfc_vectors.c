/* RFC example vectors: the JOSE cookbook (RFC 7520, RFC 8037 Ed25519,
 * RFC 7797 b64=false, RFC 7520 JWE) and latchset/jose's RFC 7515 App. A /
 * RFC 7517 / RFC 7520 files.
 *
 * - RS256 / PS384 / ES512 / EdDSA examples verify at the signature layer
 *   with the published public key (private members stripped), and a copy
 *   with one signature bit flipped is refused.
 * - HS256 examples: the oct JWK is refused by the key import; the same
 *   secret configured with pj_hmac_add verifies.
 * - Detached content, JSON serializations, b64=false, alg none and every
 *   JWE are refused by jws_parse (the first step of pj_validate).
 * - JWK / JWKS files: private and symmetric keys refused, public ones
 *   imported. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "b64.h"
#include "vec_common.h"

#define CB "jose-cookbook/"
#define LS "latchset-jose/"

/* jws_parse must refuse text[0..len). */
static void must_refuse(const char *cat, const char *name, const char *text, size_t len)
{
	struct jws j;
	struct pj_err err;
	enum pj_status st;

	memset(&j, 0, sizeof(j));
	pj_err_clear(&err);
	st = jws_parse(text, len, &j, &err);
	if (st == PJ_OK)
		jws_free(&j);
	vec_check(cat, st != PJ_OK, "%s refused by jws_parse - %s", name,
		  st == PJ_OK ? "ACCEPTED" : err.reason);
}

static void must_refuse_json(const char *cat, const char *name, const struct json_object *v)
{
	const char *text = json_object_is_type(v, json_type_string)
				   ? json_object_get_string((struct json_object *)v)
				   : json_object_to_json_string_ext((struct json_object *)v,
								    JSON_C_TO_STRING_PLAIN);

	must_refuse(cat, name, text, strlen(text));
}

/* The token with the last signature character changed (still base64url). */
static char *flip_sig(const char *tok)
{
	size_t n = strlen(tok);
	char *t = strdup(tok);

	if (t == NULL || n == 0)
		vec_bail("out of memory");
	/* 'A' <-> 'Q' flips the top bit of the last 6-bit group, which keeps
	 * the unused trailing bits zero. */
	t[n - 1] = t[n - 1] == 'A' ? 'Q' : 'A';
	return t;
}

/* A signed example: public key verifies it, a flipped bit does not, the
 * private JWK itself is refused. */
static int verify_positive(const char *cat, const char *name, const struct json_object *jwk,
			   const char *tok, int *via_probe)
{
	struct json_object *pub = vec_public_jwk(jwk);
	struct pj_keyset *set = vec_keyset_new();
	struct pj_key key;
	struct pj_err err;
	enum pj_status st;
	char *bad;
	int probe = 0, ok;

	pj_err_clear(&err);
	if (json_object_object_get_ex(jwk, "d", NULL)) {
		st = pj_jwk_import(jwk, &key, &err);
		if (st == PJ_OK)
			pj_key_free(&key);
		vec_check(cat, st != PJ_OK, "%s: private JWK refused by pj_jwk_import", name);
	}
	pj_err_clear(&err);
	st = vec_keyset_add(set, pub, &err);
	vec_check(cat, st == PJ_OK && set->n == 1, "%s: public JWK imported%s%s", name,
		  st == PJ_OK ? "" : " - ", st == PJ_OK ? "" : err.reason);
	pj_err_clear(&err);
	st = vec_sig_layer(tok, strlen(tok), set, 0, &probe, &err);
	ok = vec_check(cat, st == PJ_OK, "%s: signature verifies%s%s", name,
		       st == PJ_OK ? "" : " - ", st == PJ_OK ? "" : err.reason);
	if (probe)
		vec_count(cat, "sig-layer-via-payload-probe");
	if (via_probe != NULL)
		*via_probe = probe;
	bad = flip_sig(tok);
	pj_err_clear(&err);
	st = vec_sig_layer(bad, strlen(bad), set, 0, &probe, &err);
	vec_check(cat, st != PJ_OK, "%s: one flipped signature bit is refused", name);
	free(bad);
	vec_keyset_free(set);
	json_object_put(pub);
	return ok;
}

/* An HS256 example: its oct JWK is refused by the key import (so the
 * token is), the same secret configured like hmac_secret_file verifies. */
static void hs_example(const char *cat, const char *name, const struct json_object *jwk,
		       const char *tok)
{
	struct pj_keyset *set = vec_keyset_new();
	const char *k = vec_str(jwk, "k");
	unsigned char *secret = NULL;
	size_t slen = 0;
	struct pj_err err;
	enum pj_status st;
	int probe = 0;
	char *bad;

	pj_err_clear(&err);
	st = vec_keyset_add(set, jwk, &err);
	vec_check(cat, st != PJ_OK && set->n == 0, "%s: oct JWK refused by the key import", name);
	st = vec_sig_layer(tok, strlen(tok), set, 0, &probe, &err);
	vec_check(cat, st != PJ_OK, "%s: refused with the keys of a JWK set", name);
	vec_keyset_free(set);

	set = vec_keyset_new();
	if (k == NULL || b64_decode(k, strlen(k), &secret, &slen) != 0)
		vec_bail("%s: no usable k", name);
	pj_err_clear(&err);
	st = pj_hmac_add(set, secret, slen, &err);
	pj_free_secret(secret, slen);
	if (st == PJ_OK)
		st = vec_sig_layer(tok, strlen(tok), set, VEC_IGNORE_KID, &probe, &err);
	vec_check(cat, st == PJ_OK, "%s: verifies with the secret from pj_hmac_add%s%s", name,
		  st == PJ_OK ? "" : " - ", st == PJ_OK ? "" : err.reason);
	bad = flip_sig(tok);
	st = vec_sig_layer(bad, strlen(bad), set, VEC_IGNORE_KID, &probe, &err);
	vec_check(cat, st != PJ_OK, "%s: one flipped MAC bit is refused", name);
	free(bad);
	vec_keyset_free(set);
}

static const struct json_object *member(const struct json_object *o, const char *path)
{
	struct json_object *cur = (struct json_object *)o;
	char buf[64], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part != NULL; part = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(cur, part, &cur))
			return NULL;
	return cur;
}

/* Every serialized output of a cookbook file must be refused; skip is the
 * one output already tested as a positive ("compact" or NULL). */
static void cookbook_refuse_outputs(const char *cat, const char *file,
				    const struct json_object *root, const char *skip)
{
	static const char *const forms[] = { "compact", "json", "json_flat" };
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const struct json_object *v = member(root, "output");
		char name[160];

		if (skip != NULL && strcmp(skip, forms[i]) == 0)
			continue;
		if (v == NULL || (v = member(v, forms[i])) == NULL)
			continue;
		snprintf(name, sizeof(name), "%s output.%s", file, forms[i]);
		must_refuse_json(cat, name, v);
	}
}

static void cookbook(void)
{
	static const char *const positive[] = {
		"jws/4_1.rsa_v15_signature.json", "jws/4_2.rsa-pss_signature.json",
		"jws/4_3.ecdsa_signature.json", "curve25519/jws.json",
	};
	static const char *const refused[] = {
		"jws/4_5.signature_with_detached_content.json",
		"jws/4_6.protecting_specific_header_fields.json",
		"jws/4_7.protecting_content_only.json",
		"jws/4_8.multiple_signatures.json",
		"rfc7797/4.2.hmac-sha2_b64_false.json",
		"rfc7797/hmac-sha2_b64_false.json",
		"jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json",
		"jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json",
		"jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json",
		"jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json",
		"jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json",
		"jwe/5_6.direct_encryption_using_aes-gcm.json",
		"jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json",
		"jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json",
		"jwe/5_9.compressed_content.json",
		"jwe/5_10.including_additional_authentication_data.json",
		"jwe/5_11.protecting_specific_header_fields.json",
		"jwe/5_12.protecting_content_only.json",
		"jwe/5_13.encrypting_to_multiple_recipients.json",
		"curve25519/ecdh-es.json",
	};
	size_t i;

	for (i = 0; i < sizeof(positive) / sizeof(positive[0]); i++) {
		char rel[160];
		struct json_object *root;
		const struct json_object *key, *tok;

		snprintf(rel, sizeof(rel), CB "%s", positive[i]);
		root = vec_load_json(rel);
		key = member(root, "input.key");
		tok = member(root, "output.compact");
		if (key == NULL || tok == NULL)
			vec_bail("%s: no input.key or output.compact", rel);
		verify_positive("cookbook", positive[i], key, json_object_get_string((struct json_object *)tok),
				NULL);
		/* Not a JWT: the payload is text, so the module's parser refuses it. */
		must_refuse("cookbook", positive[i], json_object_get_string((struct json_object *)tok),
			    (size_t)json_object_get_string_len(tok));
		cookbook_refuse_outputs("cookbook", positive[i], root, "compact");
		json_object_put(root);
	}
	{
		struct json_object *root = vec_load_json(CB "jws/4_4.hmac-sha2_integrity_protection.json");
		const struct json_object *key = member(root, "input.key");
		const struct json_object *tok = member(root, "output.compact");

		if (key == NULL || tok == NULL)
			vec_bail("4.4: no input.key or output.compact");
		hs_example("cookbook", "jws/4_4 HS256", key, json_object_get_string((struct json_object *)tok));
		cookbook_refuse_outputs("cookbook", "jws/4_4", root, "compact");
		json_object_put(root);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char rel[200];
		struct json_object *root;
		const struct json_object *key, *tok;

		snprintf(rel, sizeof(rel), CB "%s", refused[i]);
		root = vec_load_json(rel);
		cookbook_refuse_outputs("cookbook", refused[i], root, NULL);
		/* Detached (4.5) and b64=false compact forms: refused even with
		 * the right secret configured at the signature layer. */
		key = member(root, "input.key");
		tok = member(root, "output.compact");
		if (strncmp(refused[i], "jwe/", 4) != 0 && tok != NULL && key != NULL &&
		    vec_str(key, "k") != NULL) {
			struct pj_keyset *set = vec_keyset_new();
			unsigned char *secret = NULL;
			size_t slen = 0;
			struct pj_err err;
			int probe = 0;
			const char *t = json_object_get_string((struct json_object *)tok);

			if (b64_decode(vec_str(key, "k"), strlen(vec_str(key, "k")), &secret, &slen) != 0)
				vec_bail("%s: bad k", rel);
			pj_err_clear(&err);
			if (pj_hmac_add(set, secret, slen, &err) != PJ_OK)
				vec_bail("%s: secret refused: %s", rel, err.reason);
			pj_free_secret(secret, slen);
			vec_check("cookbook",
				  vec_sig_layer(t, strlen(t), set, VEC_IGNORE_KID, &probe, &err) != PJ_OK,
				  "%s compact: refused at the signature layer even with its secret - %s",
				  refused[i], err.reason);
			vec_keyset_free(set);
		}
		json_object_put(root);
	}
}

/* latchset/jose file as a string (no trailing newline in these files). */
static char *ls_text(const char *file)
{
	char rel[128];
	size_t len;

	snprintf(rel, sizeof(rel), LS "%s", file);
	return vec_read(rel, &len);
}

static struct json_object *ls_json(const char *file)
{
	char rel[128];

	snprintf(rel, sizeof(rel), LS "%s", file);
	return vec_load_json(rel);
}

/* RFC 7515 A.3's example signature has s > n/2 ("high-S"); JWS has no
 * low-S rule, so it must verify (ATTACKS.md #5). */
static int is_high_s_p256(const char *tok)
{
	static const char n_hex[] =
		"FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
	const char *dot = strrchr(tok, '.');
	unsigned char *sig = NULL;
	size_t slen = 0;
	BIGNUM *n = NULL, *s = NULL;
	int high = 0;

	if (dot == NULL || b64_decode(dot + 1, strlen(dot + 1), &sig, &slen) != 0 || slen != 64)
		vec_bail("A.3: signature is not 64 bytes");
	if (!BN_hex2bn(&n, n_hex) || (s = BN_bin2bn(sig + 32, 32, NULL)) == NULL ||
	    !BN_rshift1(n, n))
		vec_bail("out of memory");
	high = BN_cmp(s, n) > 0;
	BN_free(n);
	BN_free(s);
	free(sig);
	return high;
}

static void latchset(void)
{
	static const struct {
		const char *jwk, *jwsc;
		int claims; /* payload is a JWT claims set */
	} positive[] = {
		{ "rfc7515_A.2.jwk", "rfc7515_A.2.jwsc", 1 },
		{ "rfc7515_A.3.jwk", "rfc7515_A.3.jwsc", 1 },
		{ "rfc7515_A.4.jwk", "rfc7515_A.4.jwsc", 0 },
		{ "rfc7520_4.1.jwk", "rfc7520_4.1.jwsc", 0 },
		{ "rfc7520_4.2.jwk", "rfc7520_4.2.jwsc", 0 },
		{ "rfc7520_4.3.jwk", "rfc7520_4.3.jwsc", 0 },
	};
	static const char *const refused[] = {
		"rfc7515_A.5.jwsc", /* alg none */
		"rfc7515_A.6.jwsg", "rfc7515_A.7.jwsf", "rfc7520_4.1.jwsf", "rfc7520_4.1.jwsg",
		"rfc7520_4.2.jwsf", "rfc7520_4.2.jwsg", "rfc7520_4.3.jwsf", "rfc7520_4.3.jwsg",
		"rfc7520_4.4.jwsf", "rfc7520_4.4.jwsg", "rfc7520_4.5.jwsc", /* detached */
		"rfc7520_4.5.jwsf", "rfc7520_4.5.jwsg", "rfc7520_4.6.jwsf", "rfc7520_4.6.jwsg",
		"rfc7520_4.7.jwsf", "rfc7520_4.7.jwsg", "rfc7520_4.8.jwsg",
	};
	/* JWK files and whether pam_jwt must import them: only public,
	 * signature-capable asymmetric keys are usable. */
	static const struct {
		const char *file;
		int importable;
	} jwks[] = {
		{ "rfc7515_A.1.jwk", 0 },   { "rfc7515_A.2.jwk", 0 },   { "rfc7515_A.3.jwk", 0 },
		{ "rfc7515_A.4.jwk", 0 },   { "rfc7515_A.6.1.jwk", 0 }, { "rfc7515_A.6.2.jwk", 0 },
		{ "rfc7515_A.7.jwk", 0 },   { "rfc7520_4.1.jwk", 0 },   { "rfc7520_4.2.jwk", 0 },
		{ "rfc7520_4.3.jwk", 0 },   { "rfc7520_4.4.jwk", 0 },   { "rfc7520_4.5.jwk", 0 },
		{ "rfc7520_4.6.jwk", 0 },   { "rfc7520_4.7.jwk", 0 },   { "rfc7520_4.8.1.jwk", 0 },
		{ "rfc7520_4.8.2.jwk", 0 }, { "rfc7520_4.8.3.jwk", 0 },
		{ "rfc7517_B.jwk", 1 },     /* RSA public key with x5c (ignored) */
		{ "rfc7638_3.1.jwk", 1 },   /* RSA public key, alg RS256 */
	};
	/* JWKS files: how many keys pam_jwt keeps. */
	static const struct {
		const char *file;
		size_t kept;
	} sets[] = {
		{ "rfc7517_A.1.jwkset", 1 }, /* EC key has use "enc": refused; RSA kept */
		{ "rfc7517_A.2.jwkset", 0 }, /* private keys */
		{ "rfc7517_A.3.jwkset", 0 }, /* symmetric keys */
		{ "rfc7515_A.6.jwkset", 0 }, /* private keys */
		{ "rfc7520_4.8.jwkset", 0 }, /* private and symmetric keys */
	};
	size_t i;

	for (i = 0; i < sizeof(positive) / sizeof(positive[0]); i++) {
		struct json_object *jwk = ls_json(positive[i].jwk);
		char *tok = ls_text(positive[i].jwsc);
		int probe = 0, ok;

		ok = verify_positive("latchset", positive[i].jwsc, jwk, tok, &probe);
		if (positive[i].claims)
			/* A.2 / A.3 carry claims: decided by jws_parse itself (the
			 * JWT layer would then call them expired: exp 2011). */
			vec_check("latchset", ok && !probe, "%s: verified through jws_parse itself",
				  positive[i].jwsc);
		if (strcmp(positive[i].jwsc, "rfc7515_A.3.jwsc") == 0)
			vec_check("latchset", ok && is_high_s_p256(tok),
				  "rfc7515_A.3.jwsc: high-S example signature accepted (no low-S rule)");
		free(tok);
		json_object_put(jwk);
	}
	{
		struct json_object *jwk = ls_json("rfc7515_A.1.jwk");
		char *tok = ls_text("rfc7515_A.1.jwsc");

		hs_example("latchset", "rfc7515_A.1.jwsc HS256", jwk, tok);
		free(tok);
		json_object_put(jwk);
		jwk = ls_json("rfc7520_4.4.jwk");
		tok = ls_text("rfc7520_4.4.jwsc");
		hs_example("latchset", "rfc7520_4.4.jwsc HS256", jwk, tok);
		free(tok);
		json_object_put(jwk);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char *text = ls_text(refused[i]);

		must_refuse("latchset", refused[i], text, strlen(text));
		free(text);
	}
	for (i = 0; i < sizeof(jwks) / sizeof(jwks[0]); i++) {
		struct json_object *jwk = ls_json(jwks[i].file);
		struct pj_key key;
		struct pj_err err;
		enum pj_status st;

		pj_err_clear(&err);
		st = pj_jwk_import(jwk, &key, &err);
		if (st == PJ_OK)
			pj_key_free(&key);
		vec_check("latchset_keys", (st == PJ_OK) == jwks[i].importable, "%s %s%s%s", jwks[i].file,
			  st == PJ_OK ? "imported" : "refused", st == PJ_OK ? "" : " - ",
			  st == PJ_OK ? "" : err.reason);
		json_object_put(jwk);
	}
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		size_t len;
		char rel[128], *text;
		struct pj_keyset *set = vec_keyset_new();
		struct pj_err err;
		enum pj_status st;

		snprintf(rel, sizeof(rel), LS "%s", sets[i].file);
		text = vec_read(rel, &len);
		pj_err_clear(&err);
		st = pj_jwks_add(set, text, len, &err);
		vec_check("latchset_keys", st == PJ_OK && set->n == sets[i].kept,
			  "%s: %zu key(s) kept, %zu refused (want %zu kept)%s%s", sets[i].file, set->n,
			  set->skipped, sets[i].kept, set->skipped ? " - " : "",
			  set->skipped ? set->skip_reason : "");
		free(text);
		vec_keyset_free(set);
	}
}

int main(void)
{
	cookbook();
	latchset();
	return vec_done();
}
