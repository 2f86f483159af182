#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "b64.h"
#include "jwk.h"
#include "pj_json.h"

const char *pj_key_kind_name(enum pj_key_kind kind)
{
	switch (kind) {
	case PJ_KEY_RSA: return "RSA";
	case PJ_KEY_P256: return "EC P-256";
	case PJ_KEY_P384: return "EC P-384";
	case PJ_KEY_P521: return "EC P-521";
	case PJ_KEY_ED25519: return "Ed25519";
	case PJ_KEY_HMAC: return "HMAC secret";
	}
	return "unknown";
}

static size_t hmac_hash_len(enum jws_alg alg)
{
	return alg == JWS_HS256 ? 32 : alg == JWS_HS384 ? 48 : 64;
}

/* Does the key kind fit the algorithm family, ignoring pinning? */
static int kind_fits(const struct pj_key *key, enum jws_alg alg)
{
	switch (alg) {
	case JWS_RS256:
	case JWS_RS384:
	case JWS_RS512:
	case JWS_PS256:
	case JWS_PS384:
	case JWS_PS512: return key->kind == PJ_KEY_RSA;
	case JWS_ES256: return key->kind == PJ_KEY_P256;
	case JWS_ES384: return key->kind == PJ_KEY_P384;
	case JWS_ES512: return key->kind == PJ_KEY_P521;
	case JWS_EDDSA: return key->kind == PJ_KEY_ED25519;
	case JWS_HS256:
	case JWS_HS384:
	case JWS_HS512: return key->kind == PJ_KEY_HMAC && key->secret_len >= hmac_hash_len(alg);
	default: return 0;
	}
}

int pj_key_allows(const struct pj_key *key, enum jws_alg alg)
{
	if (key->pinned != JWS_ALG_UNKNOWN && key->pinned != alg)
		return 0;
	return kind_fits(key, alg);
}

void pj_key_free(struct pj_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	pj_free_secret(key->secret, key->secret_len);
	free(key->kid);
	memset(key, 0, sizeof(*key));
}

void pj_keyset_free(struct pj_keyset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		pj_key_free(&set->keys[i]);
	set->n = 0;
}

/* Policy for RSA keys: 2048..16384 bits, odd exponent >= 3. */
static enum pj_status check_rsa(EVP_PKEY *pkey, int *bits, struct pj_err *err)
{
	BIGNUM *n = NULL, *e = NULL;
	enum pj_status st = PJ_OK;

	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e)) {
		st = pj_fail(err, PJ_E_KEY, "RSA key parameters unreadable");
		goto out;
	}
	*bits = BN_num_bits(n);
	if (*bits < PJ_RSA_MIN_BITS || *bits > PJ_RSA_MAX_BITS)
		st = pj_fail(err, PJ_E_KEY, "RSA key of %d bits refused (%d..%d allowed)", *bits,
		             PJ_RSA_MIN_BITS, PJ_RSA_MAX_BITS);
	else if (!BN_is_odd(e) || BN_num_bits(e) < 2)
		st = pj_fail(err, PJ_E_KEY, "RSA key exponent refused (must be odd and >= 3)");
out:
	BN_free(n);
	BN_free(e);
	return st;
}

/* Ed25519 keys of small order make fixed signatures verify for every
 * message; refuse them, and every non-canonical encoding (y >= p). */
static enum pj_status check_ed25519(const unsigned char x[32], struct pj_err *err)
{
	static const unsigned char bad[][32] = {
		{ 0 }, /* y = 0, order 4 */
		{ 1 }, /* y = 1, identity */
		{ 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
		  0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
		  0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05 }, /* order 8 */
		{ 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
		  0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
		  0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a }, /* order 8 */
	};
	unsigned char y[32];
	size_t i;
	int ge_p = 1;

	memcpy(y, x, 32);
	y[31] &= 0x7f; /* the sign of x does not change the order */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (memcmp(y, bad[i], 32) == 0)
			return pj_fail(err, PJ_E_KEY, "Ed25519 key of small order refused");
	/* p = 2^255 - 19: little-endian ed ff .. ff 7f.  y >= p-1 covers the
	 * order-2 point (y = p-1) and the non-canonical encodings. */
	if (y[0] < 0xec)
		ge_p = 0;
	for (i = 1; ge_p && i < 31; i++)
		if (y[i] != 0xff)
			ge_p = 0;
	if (ge_p && y[31] == 0x7f)
		return pj_fail(err, PJ_E_KEY,
		               "Ed25519 key of small order or non-canonical refused");
	return PJ_OK;
}

/* Check a public key loaded from anywhere and classify it.  check_point:
 * run OpenSSL's public key check on EC points (keys built from JWK
 * coordinates by EVP_PKEY_fromdata were checked on the curve already). */
static enum pj_status classify(EVP_PKEY *pkey, struct pj_key *key, int check_point,
                               struct pj_err *err)
{
	char group[64];
	size_t glen = 0;
	EVP_PKEY_CTX *ctx = NULL;
	enum pj_status st;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA: key->kind = PJ_KEY_RSA; return check_rsa(pkey, &key->bits, err);
	case EVP_PKEY_ED25519: {
		unsigned char raw[32];
		size_t rawlen = sizeof(raw);

		if (!EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) || rawlen != 32)
			return pj_fail(err, PJ_E_KEY, "Ed25519 key unreadable");
		key->kind = PJ_KEY_ED25519;
		key->bits = 256;
		return check_ed25519(raw, err);
	}
	case EVP_PKEY_EC: {
		int explicit_params = 0;

		/* A key "decoded from explicit parameters" names a curve only by
		 * matching it: refuse (CVE-2022-0778 class). */
		if (EVP_PKEY_get_int_param(pkey, OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS,
		                           &explicit_params) &&
		    explicit_params)
			return pj_fail(err, PJ_E_KEY,
			               "EC key with explicit curve parameters refused");
		if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                    sizeof(group), &glen))
			return pj_fail(err, PJ_E_KEY, "EC key without a named curve refused");
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			key->kind = PJ_KEY_P256, key->bits = 256;
		else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
			key->kind = PJ_KEY_P384, key->bits = 384;
		else if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
			key->kind = PJ_KEY_P521, key->bits = 521;
		else
			return pj_fail(err, PJ_E_KEY, "EC curve %s refused", group);
		if (!check_point)
			return PJ_OK;
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		st = (ctx != NULL && EVP_PKEY_public_check(ctx) == 1)
		             ? PJ_OK
		             : pj_fail(err, PJ_E_KEY, "EC point is not on the curve");
		EVP_PKEY_CTX_free(ctx);
		return st;
	}
	default: return pj_fail(err, PJ_E_KEY, "key type not supported");
	}
}

/* Decode a base64url JWK member; fails when absent or not strict. */
static enum pj_status jwk_bytes(const struct json_object *jwk, const char *name,
                                unsigned char **out, size_t *outlen, struct pj_err *err)
{
	const char *s = NULL;
	size_t slen = 0;

	if (pj_json_get_string(jwk, name, &s, &slen) != 1 || slen == 0)
		return pj_fail(err, PJ_E_KEY, "JWK member %s missing or not a string", name);
	if (b64_decode(s, slen, out, outlen) != 0)
		return pj_fail(err, PJ_E_KEY, "JWK member %s is not strict base64url", name);
	return PJ_OK;
}

static enum pj_status fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **pkey,
                               struct pj_err *err)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	enum pj_status st = PJ_OK;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		st = pj_fail(err, PJ_E_KEY, "%s key refused by libcrypto", type);
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return st;
}

static enum pj_status build_rsa(const struct json_object *jwk, EVP_PKEY **pkey, struct pj_err *err)
{
	unsigned char *n = NULL, *e = NULL;
	size_t nlen = 0, elen = 0;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	enum pj_status st;

	if ((st = jwk_bytes(jwk, "n", &n, &nlen, err)) != PJ_OK ||
	    (st = jwk_bytes(jwk, "e", &e, &elen, err)) != PJ_OK)
		goto out;
	if (nlen > PJ_RSA_MAX_BITS / 8 + 1 || elen > 8) {
		st = pj_fail(err, PJ_E_KEY, "RSA JWK n or e too long");
		goto out;
	}
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_bin2bn(e, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn == NULL || be == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be)) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	st = fromdata("RSA", bld, pkey, err);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return st;
}

static enum pj_status build_ec(const struct json_object *jwk, const char *crv, size_t crvlen,
                               EVP_PKEY **pkey, struct pj_err *err)
{
	unsigned char *x = NULL, *y = NULL, *pt = NULL;
	size_t xlen = 0, ylen = 0, flen;
	const char *group;
	OSSL_PARAM_BLD *bld = NULL;
	enum pj_status st;

	if (pj_json_str_eq(crv, crvlen, "P-256"))
		group = "prime256v1", flen = 32;
	else if (pj_json_str_eq(crv, crvlen, "P-384"))
		group = "secp384r1", flen = 48;
	else if (pj_json_str_eq(crv, crvlen, "P-521"))
		group = "secp521r1", flen = 66;
	else
		return pj_fail(err, PJ_E_KEY, "EC JWK curve not supported");
	if ((st = jwk_bytes(jwk, "x", &x, &xlen, err)) != PJ_OK ||
	    (st = jwk_bytes(jwk, "y", &y, &ylen, err)) != PJ_OK)
		goto out;
	if (xlen != flen || ylen != flen) {
		st = pj_fail(err, PJ_E_KEY, "EC JWK coordinates are not %zu bytes", flen);
		goto out;
	}
	pt = malloc(1 + 2 * flen);
	bld = OSSL_PARAM_BLD_new();
	if (pt == NULL || bld == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	pt[0] = 0x04; /* uncompressed point */
	memcpy(pt + 1, x, flen);
	memcpy(pt + 1 + flen, y, flen);
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + 2 * flen)) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	st = fromdata("EC", bld, pkey, err);
out:
	OSSL_PARAM_BLD_free(bld);
	free(pt);
	free(x);
	free(y);
	return st;
}

static enum pj_status build_okp(const struct json_object *jwk, const char *crv, size_t crvlen,
                                EVP_PKEY **pkey, struct pj_err *err)
{
	unsigned char *x = NULL;
	size_t xlen = 0;
	OSSL_PARAM_BLD *bld = NULL;
	enum pj_status st;

	if (!pj_json_str_eq(crv, crvlen, "Ed25519"))
		return pj_fail(err, PJ_E_KEY, "OKP JWK curve not supported");
	if ((st = jwk_bytes(jwk, "x", &x, &xlen, err)) != PJ_OK)
		return st;
	if (xlen != 32) {
		st = pj_fail(err, PJ_E_KEY, "Ed25519 JWK x is not 32 bytes");
		goto out;
	}
	if ((st = check_ed25519(x, err)) != PJ_OK)
		goto out;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, x, 32)) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	st = fromdata("ED25519", bld, pkey, err);
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	return st;
}

/* use / key_ops / alg members of a JWK. */
static enum pj_status check_usage(const struct json_object *jwk, struct pj_key *key,
                                  struct pj_err *err)
{
	struct json_object *ops = NULL;
	const char *s = NULL;
	size_t slen = 0, i, n;
	int r, verify = 0;

	r = pj_json_get_string(jwk, "use", &s, &slen);
	if (r < 0 || (r == 1 && !pj_json_str_eq(s, slen, "sig")))
		return pj_fail(err, PJ_E_KEY, "JWK use is not \"sig\"");
	if (json_object_object_get_ex(jwk, "key_ops", &ops)) {
		if (!json_object_is_type(ops, json_type_array))
			return pj_fail(err, PJ_E_KEY, "JWK key_ops is not an array");
		n = json_object_array_length(ops);
		for (i = 0; i < n; i++) {
			struct json_object *op = json_object_array_get_idx(ops, i);

			if (!json_object_is_type(op, json_type_string))
				return pj_fail(err, PJ_E_KEY, "JWK key_ops has a non-string");
			if (pj_json_str_eq(json_object_get_string(op),
			                   (size_t)json_object_get_string_len(op), "verify"))
				verify = 1;
		}
		if (!verify)
			return pj_fail(err, PJ_E_KEY, "JWK key_ops lacks \"verify\"");
	}
	r = pj_json_get_string(jwk, "alg", &s, &slen);
	if (r < 0)
		return pj_fail(err, PJ_E_KEY, "JWK alg is not a string");
	if (r == 1) {
		key->pinned = jws_alg_from_name(s, slen);
		if (key->pinned == JWS_ALG_UNKNOWN || !kind_fits(key, key->pinned))
			return pj_fail(err, PJ_E_KEY, "JWK alg does not fit the key");
	}
	return PJ_OK;
}

enum pj_status pj_jwk_import(const struct json_object *jwk, struct pj_key *out, struct pj_err *err)
{
	static const char *const private_members[] = {
		"d", "p", "q", "dp", "dq", "qi", "oth", "k"
	};
	struct pj_key key;
	const char *kty = NULL, *crv = NULL, *kid = NULL;
	size_t ktylen = 0, crvlen = 0, kidlen = 0, i;
	enum pj_status st;
	int r;

	memset(&key, 0, sizeof(key));
	if (!json_object_is_type(jwk, json_type_object))
		return pj_fail(err, PJ_E_KEY, "JWK is not an object");
	if (pj_json_get_string(jwk, "kty", &kty, &ktylen) != 1)
		return pj_fail(err, PJ_E_KEY, "JWK kty missing or not a string");
	if (pj_json_str_eq(kty, ktylen, "oct"))
		return pj_fail(err, PJ_E_KEY,
		               "oct JWK ignored: shared secrets never come from a JWKS");
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
		if (json_object_object_get_ex(jwk, private_members[i], NULL))
			return pj_fail(err, PJ_E_KEY, "JWK holds private key material");
	r = pj_json_get_string(jwk, "kid", &kid, &kidlen);
	if (r < 0 || (r == 1 && (kidlen == 0 || kidlen > 256)))
		return pj_fail(err, PJ_E_KEY, "JWK kid is not a string of 1..256 bytes");
	r = pj_json_get_string(jwk, "crv", &crv, &crvlen);
	if (r < 0)
		return pj_fail(err, PJ_E_KEY, "JWK crv is not a string");

	if (pj_json_str_eq(kty, ktylen, "RSA"))
		st = build_rsa(jwk, &key.pkey, err);
	else if (pj_json_str_eq(kty, ktylen, "EC") && r == 1)
		st = build_ec(jwk, crv, crvlen, &key.pkey, err);
	else if (pj_json_str_eq(kty, ktylen, "OKP") && r == 1)
		st = build_okp(jwk, crv, crvlen, &key.pkey, err);
	else
		st = pj_fail(err, PJ_E_KEY, "JWK kty or crv not supported");
	if (st != PJ_OK)
		goto fail;
	if ((st = classify(key.pkey, &key, 0, err)) != PJ_OK ||
	    (st = check_usage(jwk, &key, err)) != PJ_OK)
		goto fail;
	if (kid != NULL) {
		key.kid = malloc(kidlen + 1);
		if (key.kid == NULL) {
			st = pj_fail(err, PJ_E_NOMEM, "out of memory");
			goto fail;
		}
		memcpy(key.kid, kid, kidlen);
		key.kid[kidlen] = '\0';
		key.kid_len = kidlen;
	}
	*out = key;
	return PJ_OK;
fail:
	pj_key_free(&key);
	return st;
}

enum pj_status pj_pem_add(struct pj_keyset *set, const char *buf, size_t len, struct pj_err *err)
{
	struct pj_key key;
	BIO *bio;
	enum pj_status st;

	memset(&key, 0, sizeof(key));
	if (set->n >= PJ_KEYSET_MAX)
		return pj_fail(err, PJ_E_TOO_LARGE, "more than %d keys", PJ_KEYSET_MAX);
	if (len > INT32_MAX || (bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	key.pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key.pkey == NULL)
		return pj_fail(err, PJ_E_KEY, "not a PEM public key (BEGIN PUBLIC KEY)");
	st = classify(key.pkey, &key, 1, err);
	if (st != PJ_OK) {
		pj_key_free(&key);
		return st;
	}
	set->keys[set->n++] = key;
	return PJ_OK;
}

enum pj_status pj_hmac_add(struct pj_keyset *set, const unsigned char *secret, size_t len,
                           struct pj_err *err)
{
	struct pj_key key;

	memset(&key, 0, sizeof(key));
	if (set->n >= PJ_KEYSET_MAX)
		return pj_fail(err, PJ_E_TOO_LARGE, "more than %d keys", PJ_KEYSET_MAX);
	if (len < PJ_HMAC_MIN_BYTES)
		return pj_fail(err, PJ_E_KEY, "HMAC secret shorter than %d bytes",
		               PJ_HMAC_MIN_BYTES);
	key.kind = PJ_KEY_HMAC;
	key.secret = malloc(len);
	if (key.secret == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	memcpy(key.secret, secret, len);
	key.secret_len = len;
	key.bits = (int)(len * 8);
	set->keys[set->n++] = key;
	return PJ_OK;
}
