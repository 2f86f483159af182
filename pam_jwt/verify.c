#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "verify.h"

static const char *digest_of(enum jws_alg alg)
{
	switch (alg) {
	case JWS_RS256: case JWS_PS256: case JWS_ES256: case JWS_HS256:
		return "SHA256";
	case JWS_RS384: case JWS_PS384: case JWS_ES384: case JWS_HS384:
		return "SHA384";
	case JWS_RS512: case JWS_PS512: case JWS_ES512: case JWS_HS512:
		return "SHA512";
	default:
		return NULL;
	}
}

static int is_pss(enum jws_alg alg)
{
	return alg == JWS_PS256 || alg == JWS_PS384 || alg == JWS_PS512;
}

/* JOSE r||s -> DER, keeping the values as they are (no reduction, no
 * normalisation: OpenSSL must see exactly what was sent). */
static int p1363_to_der(const unsigned char *sig, size_t siglen,
			unsigned char **der, int *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)(siglen / 2), NULL);
	BIGNUM *s = BN_bin2bn(sig + siglen / 2, (int)(siglen / 2), NULL);
	int ok = 0;

	if (es == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* owned by es now */
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(es, der);
	ok = *derlen > 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ok;
}

static enum pj_status verify_hmac(const struct pj_key *key, enum jws_alg alg,
				  const unsigned char *msg, size_t msglen,
				  const unsigned char *sig, size_t siglen,
				  struct pj_err *err)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	const EVP_MD *md = EVP_get_digestbyname(digest_of(alg));
	enum pj_status st;

	if (md == NULL || HMAC(md, key->secret, (int)key->secret_len, msg, msglen,
			       mac, &maclen) == NULL)
		return pj_fail(err, PJ_E_INTERNAL, "HMAC computation failed");
	if (siglen != maclen || CRYPTO_memcmp(mac, sig, maclen) != 0)
		st = pj_fail(err, PJ_E_SIGNATURE, "signature does not verify");
	else
		st = PJ_OK;
	OPENSSL_cleanse(mac, sizeof(mac));
	return st;
}

enum pj_status pj_verify_sig(const struct pj_key *key, enum jws_alg alg,
			     const unsigned char *msg, size_t msglen,
			     const unsigned char *sig, size_t siglen,
			     struct pj_err *err)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	int derlen = 0, rc;
	const char *md = digest_of(alg);
	enum pj_status st;

	if (!pj_key_allows(key, alg))
		return pj_fail(err, PJ_E_ALG, "%s is not allowed with a %s key",
			       jws_alg_name(alg), pj_key_kind_name(key->kind));
	if (key->kind == PJ_KEY_HMAC)
		return verify_hmac(key, alg, msg, msglen, sig, siglen, err);

	switch (key->kind) {
	case PJ_KEY_RSA:
		if (siglen != (size_t)EVP_PKEY_get_size(key->pkey))
			return pj_fail(err, PJ_E_SIGNATURE,
				       "RSA signature length %zu is not the modulus length", siglen);
		break;
	case PJ_KEY_P256: case PJ_KEY_P384: case PJ_KEY_P521: {
		size_t want = key->kind == PJ_KEY_P256 ? 64 : key->kind == PJ_KEY_P384 ? 96 : 132;

		if (siglen != want)
			return pj_fail(err, PJ_E_SIGNATURE,
				       "ECDSA signature is %zu bytes, %s needs r||s of %zu",
				       siglen, jws_alg_name(alg), want);
		if (!p1363_to_der(sig, siglen, &der, &derlen))
			return pj_fail(err, PJ_E_INTERNAL, "ECDSA signature conversion failed");
		sig = der;
		siglen = (size_t)derlen;
		break;
	}
	case PJ_KEY_ED25519:
		md = NULL;
		if (siglen != 64)
			return pj_fail(err, PJ_E_SIGNATURE, "Ed25519 signature is not 64 bytes");
		break;
	default:
		return pj_fail(err, PJ_E_ALG, "unsupported key kind");
	}

	mctx = EVP_MD_CTX_new();
	if (mctx == NULL ||
	    EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, key->pkey, NULL) != 1) {
		st = pj_fail(err, PJ_E_INTERNAL, "signature check could not start");
		goto out;
	}
	if (is_pss(alg) &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) != 1)) {
		st = pj_fail(err, PJ_E_INTERNAL, "RSA-PSS parameters could not be set");
		goto out;
	}
	rc = EVP_DigestVerify(mctx, sig, siglen, msg, msglen);
	st = rc == 1 ? PJ_OK : pj_fail(err, PJ_E_SIGNATURE, "signature does not verify");
out:
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	return st;
}

enum pj_status pj_keyset_verify(const struct pj_keyset *set, enum jws_alg alg,
				const char *kid, size_t kidlen,
				const unsigned char *msg, size_t msglen,
				const unsigned char *sig, size_t siglen, struct pj_err *err)
{
	size_t i, tried = 0;
	enum pj_status st;

	if (kid != NULL) {
		for (i = 0; i < set->n; i++) {
			const struct pj_key *k = &set->keys[i];

			/* kids are unique in a key set: no fallback to other keys */
			if (k->kid != NULL && k->kid_len == kidlen && memcmp(k->kid, kid, kidlen) == 0)
				return pj_verify_sig(k, alg, msg, msglen, sig, siglen, err);
		}
	}
	/* No key has the kid (or there is none): the keys that have no kid of
	 * their own (PEM files, the shared secret) may still verify it; keys
	 * with another kid never do. */
	for (i = 0; i < set->n; i++) {
		if (!pj_key_allows(&set->keys[i], alg) || (kid != NULL && set->keys[i].kid != NULL))
			continue;
		tried++;
		st = pj_verify_sig(&set->keys[i], alg, msg, msglen, sig, siglen, err);
		if (st != PJ_E_SIGNATURE)
			return st;
	}
	if (tried == 0 && kid != NULL)
		return pj_fail(err, PJ_E_KEY, "no key has the token's kid");
	if (tried == 0)
		return pj_fail(err, PJ_E_KEY, "no configured key allows %s", jws_alg_name(alg));
	return pj_fail(err, PJ_E_SIGNATURE, "signature does not verify with any key (%zu tried)",
		       tried);
}
