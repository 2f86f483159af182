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
	case JWS_RS256:
	case JWS_PS256:
	case JWS_ES256:
	case JWS_HS256: return "SHA256";
	case JWS_RS384:
	case JWS_PS384:
	case JWS_ES384:
	case JWS_HS384: return "SHA384";
	case JWS_RS512:
	case JWS_PS512:
	case JWS_ES512:
	case JWS_HS512: return "SHA512";
	default: return NULL;
	}
}

static int is_pss(enum jws_alg alg)
{
	return alg == JWS_PS256 || alg == JWS_PS384 || alg == JWS_PS512;
}

/* One DER INTEGER for the unsigned big-endian value v[0..n): leading zero
 * bytes dropped (0 stays one zero byte), a 0x00 prepended when the top bit
 * is set.  Returns the bytes written to out (at most n + 3). */
static size_t der_uint(unsigned char *out, const unsigned char *v, size_t n)
{
	size_t skip = 0, len, o = 0;

	while (skip + 1 < n && v[skip] == 0)
		skip++;
	len = n - skip + (v[skip] & 0x80 ? 1 : 0);
	out[o++] = 0x02;
	out[o++] = (unsigned char)len;
	if (v[skip] & 0x80)
		out[o++] = 0x00;
	memcpy(out + o, v + skip, n - skip);
	return o + n - skip;
}

/* JOSE r||s -> DER SEQUENCE { INTEGER r, INTEGER s }, keeping the values
 * exactly as sent (no reduction, no normalisation: OpenSSL must see what
 * was signed, and refuses r or s of 0 or >= n itself).  Halves are at most
 * 66 bytes, so the content is at most 2 * 69 bytes and the length needs
 * one byte after 0x81 at most.  out must hold 2 * (half + 3) + 3 bytes. */
static size_t p1363_to_der(const unsigned char *sig, size_t siglen, unsigned char *out)
{
	unsigned char body[2 * (66 + 3)];
	size_t half = siglen / 2, blen, o = 0;

	blen = der_uint(body, sig, half);
	blen += der_uint(body + blen, sig + half, half);
	out[o++] = 0x30;
	if (blen >= 0x80)
		out[o++] = 0x81;
	out[o++] = (unsigned char)blen;
	memcpy(out + o, body, blen);
	return o + blen;
}

static enum pj_status verify_hmac(const struct pj_key *key, enum jws_alg alg,
                                  const unsigned char *msg, size_t msglen, const unsigned char *sig,
                                  size_t siglen, struct pj_err *err)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	const EVP_MD *md = EVP_get_digestbyname(digest_of(alg));
	enum pj_status st;

	if (md == NULL ||
	    HMAC(md, key->secret, (int)key->secret_len, msg, msglen, mac, &maclen) == NULL)
		return pj_fail(err, PJ_E_INTERNAL, "HMAC computation failed");
	if (siglen != maclen || CRYPTO_memcmp(mac, sig, maclen) != 0)
		st = pj_fail(err, PJ_E_SIGNATURE, "signature does not verify");
	else
		st = PJ_OK;
	OPENSSL_cleanse(mac, sizeof(mac));
	return st;
}

enum pj_status pj_verify_sig(const struct pj_key *key, enum jws_alg alg, const unsigned char *msg,
                             size_t msglen, const unsigned char *sig, size_t siglen,
                             struct pj_err *err)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char der[2 * (66 + 3) + 3];
	int rc;
	const char *md = digest_of(alg);
	enum pj_status st;

	if (!pj_key_allows(key, alg))
		return pj_fail(err, PJ_E_ALG, "%s is not allowed with a %s key", jws_alg_name(alg),
		               pj_key_kind_name(key->kind));
	if (key->kind == PJ_KEY_HMAC)
		return verify_hmac(key, alg, msg, msglen, sig, siglen, err);

	switch (key->kind) {
	case PJ_KEY_RSA:
		if (siglen != (size_t)EVP_PKEY_get_size(key->pkey))
			return pj_fail(err, PJ_E_SIGNATURE,
			               "RSA signature length %zu is not the modulus length",
			               siglen);
		break;
	case PJ_KEY_P256:
	case PJ_KEY_P384:
	case PJ_KEY_P521: {
		size_t want = key->kind == PJ_KEY_P256 ? 64 : key->kind == PJ_KEY_P384 ? 96 : 132;

		if (siglen != want)
			return pj_fail(err, PJ_E_SIGNATURE,
			               "ECDSA signature is %zu bytes, %s needs r||s of %zu", siglen,
			               jws_alg_name(alg), want);
		siglen = p1363_to_der(sig, siglen, der);
		sig = der;
		break;
	}
	case PJ_KEY_ED25519:
		md = NULL;
		if (siglen != 64)
			return pj_fail(err, PJ_E_SIGNATURE, "Ed25519 signature is not 64 bytes");
		break;
	default: return pj_fail(err, PJ_E_ALG, "unsupported key kind");
	}

	mctx = EVP_MD_CTX_new();
	if (mctx == NULL ||
	    EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, key->pkey, NULL) != 1) {
		st = pj_fail(err, PJ_E_INTERNAL, "signature check could not start");
		goto out;
	}
	/* PSS: salt of the digest's length (OpenSSL's default would accept any
	 * salt); MGF1 uses the signature's digest, OpenSSL's default when no
	 * other is set (the Wycheproof MGF1-mismatch vectors pin this). */
	if (is_pss(alg) && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
		st = pj_fail(err, PJ_E_INTERNAL, "RSA-PSS parameters could not be set");
		goto out;
	}
	rc = EVP_DigestVerify(mctx, sig, siglen, msg, msglen);
	st = rc == 1 ? PJ_OK : pj_fail(err, PJ_E_SIGNATURE, "signature does not verify");
out:
	EVP_MD_CTX_free(mctx);
	return st;
}

enum pj_status pj_keyset_verify(const struct pj_keyset *set, enum jws_alg alg, const char *kid,
                                size_t kidlen, const unsigned char *msg, size_t msglen,
                                const unsigned char *sig, size_t siglen, struct pj_err *err)
{
	size_t i, tried = 0;
	enum pj_status st;

	if (kid != NULL) {
		/* kids are unique in a key set: the one key with this kid, and
		 * no fallback to keys with another kid or none (PEM files, the
		 * shared secret) */
		for (i = 0; i < set->n; i++) {
			const struct pj_key *k = &set->keys[i];

			if (k->kid != NULL && k->kid_len == kidlen &&
			    memcmp(k->kid, kid, kidlen) == 0)
				return pj_verify_sig(k, alg, msg, msglen, sig, siglen, err);
		}
		return pj_fail(err, PJ_E_KEY, "no key has the token's kid");
	}
	/* No kid: every key that allows alg, until one verifies. */
	for (i = 0; i < set->n; i++) {
		if (!pj_key_allows(&set->keys[i], alg))
			continue;
		tried++;
		st = pj_verify_sig(&set->keys[i], alg, msg, msglen, sig, siglen, err);
		if (st != PJ_E_SIGNATURE)
			return st;
	}
	if (tried == 0)
		return pj_fail(err, PJ_E_KEY, "no configured key allows %s", jws_alg_name(alg));
	return pj_fail(err, PJ_E_SIGNATURE, "signature does not verify with any key (%zu tried)",
	               tried);
}
