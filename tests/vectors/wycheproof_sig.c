/* Wycheproof signature primitives through the project's own signature
 * check: the group's JWK (or one built from the group's hex key when the
 * group has none) goes through pj_jwk_import, every vector through
 * pj_verify_sig(key, alg, msg, sig).  One TAP line per vector (per vector
 * and algorithm for the PSS parameter matrix).
 *
 * Expectations: the Wycheproof label, with the JWS parameter rules
 * applied to RSA-PSS (PSn = SHA-n, MGF1-SHA-n, salt n/8; see
 * tests/vectors/PROVENANCE.md), and "refused" for every vector of a group
 * whose key the project's key policy must refuse.  "acceptable" may go
 * either way and is counted. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>

#include "vec_common.h"
#include "verify.h"

enum family { F_ECDSA, F_EDDSA, F_RSA, F_PSS, F_PSS_SALT0, F_PSS_MISC };

static const struct {
	const char *file;
	enum family fam;
} files[] = {
	{ "ecdsa_secp256r1_sha256_p1363_test.json", F_ECDSA },
	{ "ecdsa_secp384r1_sha384_p1363_test.json", F_ECDSA },
	{ "ecdsa_secp521r1_sha512_p1363_test.json", F_ECDSA },
	{ "ed25519_test.json", F_EDDSA },
	{ "rsa_signature_2048_sha256_test.json", F_RSA },
	{ "rsa_signature_2048_sha384_test.json", F_RSA },
	{ "rsa_signature_2048_sha512_test.json", F_RSA },
	{ "rsa_signature_3072_sha256_test.json", F_RSA },
	{ "rsa_signature_3072_sha384_test.json", F_RSA },
	{ "rsa_signature_3072_sha512_test.json", F_RSA },
	{ "rsa_signature_4096_sha256_test.json", F_RSA },
	{ "rsa_signature_4096_sha384_test.json", F_RSA },
	{ "rsa_signature_4096_sha512_test.json", F_RSA },
	{ "rsa_pss_2048_sha256_mgf1_32_test.json", F_PSS },
	{ "rsa_pss_2048_sha384_mgf1_48_test.json", F_PSS },
	{ "rsa_pss_3072_sha256_mgf1_32_test.json", F_PSS },
	{ "rsa_pss_4096_sha256_mgf1_32_test.json", F_PSS },
	{ "rsa_pss_4096_sha384_mgf1_48_test.json", F_PSS },
	{ "rsa_pss_4096_sha512_mgf1_64_test.json", F_PSS },
	/* Salt 0: no JWK in the group (key built from hex); see expected(). */
	{ "rsa_pss_2048_sha256_mgf1_0_test.json", F_PSS_SALT0 },
	/* 150 (hash, MGF1 hash, salt) combinations, one vector each; every
	 * vector is tried under PS256, PS384 and PS512. */
	{ "rsa_pss_misc_test.json", F_PSS_MISC },
};

/* tcIds of rsa_pss_misc_test.json whose parameters are exactly a JWS
 * PSn (JWS_HARNESS_NOTES.json "jws_accept_tcIds"); cross-checked below. */
static const int misc_jws_tcids[] = { 76, 113, 150 };

static int hash_len(const char *sha)
{
	if (sha == NULL)
		return 0;
	if (strcmp(sha, "SHA-256") == 0)
		return 32;
	if (strcmp(sha, "SHA-384") == 0)
		return 48;
	if (strcmp(sha, "SHA-512") == 0)
		return 64;
	return 0; /* SHA-1, SHA-224, ...: no JWS algorithm */
}

static enum jws_alg alg_of(enum family fam, int hlen)
{
	static const enum jws_alg es[] = { JWS_ES256, JWS_ES384, JWS_ES512 };
	static const enum jws_alg rs[] = { JWS_RS256, JWS_RS384, JWS_RS512 };
	static const enum jws_alg ps[] = { JWS_PS256, JWS_PS384, JWS_PS512 };
	int i = hlen == 32 ? 0 : hlen == 48 ? 1 : hlen == 64 ? 2 : -1;

	if (fam == F_EDDSA)
		return JWS_EDDSA;
	if (i < 0)
		return JWS_ALG_UNKNOWN;
	return fam == F_ECDSA ? es[i] : fam == F_RSA ? rs[i] : ps[i];
}

static int int_member(const struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int(v);
}

/* hex -> base64url of the big-endian value, leading zero bytes dropped,
 * then left-padded with zeros to `width` bytes (0: no padding). */
static char *hex_to_b64(const char *hex, size_t width)
{
	size_t len, skip = 0;
	unsigned char *raw = hex != NULL ? vec_unhex(hex, &len) : NULL, *buf;
	char *out;

	if (raw == NULL)
		vec_bail("bad hex key member in a Wycheproof group");
	while (skip < len && raw[skip] == 0)
		skip++;
	len -= skip;
	if (width == 0)
		width = len;
	if (len > width)
		vec_bail("key coordinate longer than the field");
	if ((buf = calloc(1, width + 1)) == NULL)
		vec_bail("out of memory");
	memcpy(buf + width - len, raw + skip, len);
	out = vec_b64url(buf, width);
	free(raw);
	free(buf);
	return out;
}

/* The group's JWK, or (counted) one built from the hex public key. */
static struct json_object *group_jwk(const struct json_object *g, enum family fam,
				     const char *cat)
{
	struct json_object *jwk = NULL, *pk = NULL, *out;

	if (json_object_object_get_ex(g, "publicKeyJwk", &jwk) ||
	    json_object_object_get_ex(g, "keyJwk", &jwk))
		return json_object_get(jwk);
	if (!json_object_object_get_ex(g, "publicKey", &pk))
		vec_bail("%s: group without publicKey", cat);
	vec_count(cat, "groups-jwk-built-from-hex");
	out = json_object_new_object();
	if (fam == F_ECDSA) {
		const char *curve = vec_str(pk, "curve"), *crv;
		size_t w;
		char *x, *y;

		if (curve != NULL && strcmp(curve, "secp256r1") == 0)
			crv = "P-256", w = 32;
		else if (curve != NULL && strcmp(curve, "secp384r1") == 0)
			crv = "P-384", w = 48;
		else if (curve != NULL && strcmp(curve, "secp521r1") == 0)
			crv = "P-521", w = 66;
		else
			vec_bail("%s: unexpected curve", cat);
		x = hex_to_b64(vec_str(pk, "wx"), w);
		y = hex_to_b64(vec_str(pk, "wy"), w);
		json_object_object_add(out, "kty", json_object_new_string("EC"));
		json_object_object_add(out, "crv", json_object_new_string(crv));
		json_object_object_add(out, "x", json_object_new_string(x));
		json_object_object_add(out, "y", json_object_new_string(y));
		free(x);
		free(y);
	} else if (fam == F_EDDSA) {
		char *x = hex_to_b64(vec_str(pk, "pk"), 32);

		json_object_object_add(out, "kty", json_object_new_string("OKP"));
		json_object_object_add(out, "crv", json_object_new_string("Ed25519"));
		json_object_object_add(out, "x", json_object_new_string(x));
		free(x);
	} else {
		char *n = hex_to_b64(vec_str(pk, "modulus"), 0);
		char *e = hex_to_b64(vec_str(pk, "publicExponent"), 0);

		json_object_object_add(out, "kty", json_object_new_string("RSA"));
		json_object_object_add(out, "n", json_object_new_string(n));
		json_object_object_add(out, "e", json_object_new_string(e));
		free(n);
		free(e);
	}
	return out;
}

/* The project's key policy (jwk.h), restated independently from the hex
 * key: RSA 2048..16384 bits with an odd exponent >= 3; Ed25519 keys of
 * small order or with a non-canonical encoding are refused; Wycheproof's
 * EC keys are valid named-curve points. */
static int policy_allows(const struct json_object *g, enum family fam, const char *cat,
			 char *why, size_t whysz)
{
	static const char *const small_order[] = {
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	};
	struct json_object *pk = NULL;
	size_t i;

	json_object_object_get_ex(g, "publicKey", &pk);
	if (fam == F_EDDSA) {
		const char *hex = vec_str(pk, "pk");

		for (i = 0; hex != NULL && i < sizeof(small_order) / sizeof(small_order[0]); i++)
			if (strcasecmp(hex, small_order[i]) == 0) {
				snprintf(why, whysz, "Ed25519 key of small order");
				return 0;
			}
		return 1;
	}
	if (fam != F_ECDSA) {
		BIGNUM *n = NULL, *e = NULL;
		int bits, ok;

		if (!BN_hex2bn(&n, vec_str(pk, "modulus")) ||
		    !BN_hex2bn(&e, vec_str(pk, "publicExponent")))
			vec_bail("bad RSA hex key");
		bits = BN_num_bits(n);
		ok = bits >= PJ_RSA_MIN_BITS && bits <= PJ_RSA_MAX_BITS && BN_is_odd(e) &&
		     BN_num_bits(e) >= 2;
		snprintf(why, whysz, "RSA %d bits, e %s", bits, BN_is_word(e, 3) ? "3" : "!= 3");
		if (BN_is_word(e, 3))
			vec_count(cat, "groups-e3");
		BN_free(n);
		BN_free(e);
		return ok;
	}
	return 1;
}

static const char *label_of(const struct json_object *t)
{
	const char *r = vec_str(t, "result");

	return r != NULL ? r : "?";
}

static void run_group(const char *cat, enum family fam, const struct json_object *g)
{
	struct json_object *tests = NULL, *jwk;
	const char *sha = vec_str(g, "sha");
	int hlen = hash_len(sha), pss_ok = 1, key_ok, policy_ok, a;
	struct pj_key key;
	struct pj_err err;
	char why[96] = "";
	size_t i, n;
	enum jws_alg algs[3];
	size_t nalgs = 0;

	if (fam == F_PSS || fam == F_PSS_SALT0 || fam == F_PSS_MISC) {
		const char *mgf = vec_str(g, "mgf"), *mgfsha = vec_str(g, "mgfSha");

		/* JWS PSn: SHA-n, MGF1 with SHA-n, salt of n/8 bytes (RFC 7518 3.5) */
		pss_ok = hlen != 0 && mgf != NULL && strcmp(mgf, "MGF1") == 0 && mgfsha != NULL &&
			 strcmp(mgfsha, sha) == 0 && int_member(g, "sLen") == hlen;
	}
	if (fam == F_PSS_MISC) {
		algs[0] = JWS_PS256, algs[1] = JWS_PS384, algs[2] = JWS_PS512, nalgs = 3;
	} else {
		algs[0] = alg_of(fam, hlen), nalgs = 1;
		if (algs[0] == JWS_ALG_UNKNOWN)
			vec_bail("%s: group hash %s has no JWS algorithm", cat, sha ? sha : "?");
	}

	jwk = group_jwk(g, fam, cat);
	policy_ok = policy_allows(g, fam, cat, why, sizeof(why));
	pj_err_clear(&err);
	memset(&key, 0, sizeof(key));
	key_ok = pj_jwk_import(jwk, &key, &err) == PJ_OK;
	if (!policy_ok || !key_ok)
		vec_check(cat, key_ok == policy_ok, "group key %s: policy %s, import %s%s%s", why,
			  policy_ok ? "allows" : "refuses", key_ok ? "accepted" : "refused",
			  key_ok ? "" : ": ", key_ok ? "" : err.reason);

	json_object_object_get_ex(g, "tests", &tests);
	n = json_object_array_length(tests);
	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(tests, i);
		const char *label = label_of(t);
		int tcid = int_member(t, "tcId");
		size_t mlen = 0, slen = 0;
		unsigned char *msg = vec_unhex(vec_str(t, "msg") ? vec_str(t, "msg") : "?", &mlen);
		unsigned char *sig = vec_unhex(vec_str(t, "sig") ? vec_str(t, "sig") : "?", &slen);

		if (msg == NULL || sig == NULL)
			vec_bail("%s tcId %d: bad hex", cat, tcid);
		for (a = 0; a < (int)nalgs; a++) {
			enum jws_alg alg = algs[a];
			int want, got, either = 0;
			struct pj_err verr;

			if (strcmp(label, "acceptable") == 0)
				either = 1;
			want = strcmp(label, "valid") == 0;
			if (fam == F_PSS || fam == F_PSS_SALT0 || fam == F_PSS_MISC)
				want = want && pss_ok && alg == alg_of(F_PSS, hlen);
			/* Exception (PROVENANCE.md, JWS_HARNESS_NOTES.json): in the
			 * salt-0 file, tcId 69 ("s_len changed to 32", labelled
			 * invalid for salt 0) is a genuine salt-32 signature, so
			 * PS256 must accept it. */
			if (fam == F_PSS_SALT0 && tcid == 69) {
				want = 1;
				vec_count(cat, "exception-tcId69");
			}
			if (!policy_ok) {
				want = 0, either = 0;
				vec_count(cat, "vectors-of-refused-keys");
			}
			pj_err_clear(&verr);
			got = key_ok && pj_verify_sig(&key, alg, msg, mlen, sig, slen, &verr) == PJ_OK;
			if (either)
				vec_count(cat, got ? "acceptable-accepted" : "acceptable-rejected");
			else
				vec_count(cat, want ? "want-accept" : "want-reject");
			vec_check(cat, either || got == want, "tcId %d %s %s: want %s, got %s%s%s",
				  tcid, jws_alg_name(alg), label,
				  either ? "either" : want ? "accept" : "reject",
				  got ? "accept" : "reject",
				  !got && key_ok && got != want ? ": " : "",
				  !got && key_ok && got != want ? verr.reason : "");
		}
		free(msg);
		free(sig);
	}
	if (key_ok)
		pj_key_free(&key);
	json_object_put(jwk);
}

/* The misc file must have exactly the documented JWS-compatible groups. */
static void check_misc_set(const struct json_object *root)
{
	struct json_object *groups = NULL;
	size_t i, n, found = 0, nwant = sizeof(misc_jws_tcids) / sizeof(misc_jws_tcids[0]);
	int all = 1;

	json_object_object_get_ex(root, "testGroups", &groups);
	n = json_object_array_length(groups);
	for (i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i), *tests = NULL;
		const char *sha = vec_str(g, "sha"), *mgfsha = vec_str(g, "mgfSha");
		int hlen = hash_len(sha);
		size_t k, j;

		if (hlen == 0 || mgfsha == NULL || strcmp(mgfsha, sha) != 0 ||
		    int_member(g, "sLen") != hlen)
			continue;
		json_object_object_get_ex(g, "tests", &tests);
		for (j = 0; j < json_object_array_length(tests); j++) {
			int tcid = int_member(json_object_array_get_idx(tests, j), "tcId"), in = 0;

			for (k = 0; k < nwant; k++)
				in |= misc_jws_tcids[k] == tcid;
			all &= in;
			found++;
		}
	}
	vec_check("rsa_pss_misc", all && found == nwant,
		  "JWS-compatible (SHA-n, MGF1-SHA-n, salt n/8) vectors are tcIds 76, 113, 150 (found %zu)",
		  found);
}

int main(void)
{
	size_t f;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char rel[128], cat[64];
		struct json_object *root, *groups = NULL;
		size_t i, n, len;

		snprintf(rel, sizeof(rel), "wycheproof/%s", files[f].file);
		snprintf(cat, sizeof(cat), "%s", files[f].file);
		len = strlen(cat);
		if (len > 10 && strcmp(cat + len - 10, "_test.json") == 0)
			cat[len - 10] = '\0';
		root = vec_load_json(rel);
		if (!json_object_object_get_ex(root, "testGroups", &groups) ||
		    (n = json_object_array_length(groups)) == 0)
			vec_bail("%s has no test groups", rel);
		for (i = 0; i < n; i++)
			run_group(cat, files[f].fam, json_object_array_get_idx(groups, i));
		if (files[f].fam == F_PSS_MISC)
			check_misc_set(root);
		json_object_put(root);
	}
	return vec_done();
}
