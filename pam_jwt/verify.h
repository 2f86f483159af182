/* Signature verification, with the algorithm bound to the key. */
#ifndef PJ_VERIFY_H
#define PJ_VERIFY_H

#include <stddef.h>

#include "jwk.h"
#include "jws.h"
#include "pj_err.h"

/* Check sig[0..siglen) over msg[0..msglen) with key under alg.
 * Refuses (PJ_E_ALG) an alg the key does not allow.  RSA signatures must
 * be exactly the modulus length; RSA-PSS uses MGF1 with the same hash and
 * a salt of the hash length; ECDSA signatures must be JOSE's fixed-length
 * r||s (64, 96 or 132 bytes) and are converted to DER without changing
 * their values; Ed25519 signatures are 64 bytes; HMAC tags are compared in
 * constant time after a length check.  Returns PJ_OK only for a valid
 * signature; PJ_E_SIGNATURE for a bad one. */
enum pj_status pj_verify_sig(const struct pj_key *key, enum jws_alg alg, const unsigned char *msg,
                             size_t msglen, const unsigned char *sig, size_t siglen,
                             struct pj_err *err);

/* Verify with the key a token names: with a kid (kid[0..kidlen)), the one
 * key that has it and no other (never a key with another kid, nor one
 * without a kid: PEM files, a shared secret); without a kid (NULL), every
 * key of set that allows alg, until one verifies.  Returns
 * PJ_OK, PJ_E_KEY (no candidate key), PJ_E_ALG, or PJ_E_SIGNATURE. */
enum pj_status pj_keyset_verify(const struct pj_keyset *set, enum jws_alg alg, const char *kid,
                                size_t kidlen, const unsigned char *msg, size_t msglen,
                                const unsigned char *sig, size_t siglen, struct pj_err *err);

#endif
