/* Compact JWS: split, strict decoding, header checks. */
#ifndef PJ_JWS_H
#define PJ_JWS_H

#include <stddef.h>

#include <json-c/json.h>

#include "pj_err.h"

enum jws_alg {
	JWS_ALG_UNKNOWN = 0,
	JWS_RS256,
	JWS_RS384,
	JWS_RS512,
	JWS_PS256,
	JWS_PS384,
	JWS_PS512,
	JWS_ES256,
	JWS_ES384,
	JWS_ES512,
	JWS_EDDSA,
	JWS_HS256,
	JWS_HS384,
	JWS_HS512,
	JWS_ALG_COUNT
};

/* Algorithm by its exact, case-sensitive JOSE name; JWS_ALG_UNKNOWN for
 * anything else ("none" in every spelling included). */
enum jws_alg jws_alg_from_name(const char *name, size_t len);

/* JOSE name of alg ("RS256"...), or "unknown". */
const char *jws_alg_name(enum jws_alg alg);

struct jws {
	const char *signing_input; /* borrowed: header "." payload */
	size_t signing_input_len;
	struct json_object *header; /* owned */
	struct json_object *claims; /* owned */
	unsigned char *sig; /* owned, decoded signature */
	size_t sig_len;
	enum jws_alg alg;
	const char *kid; /* borrowed from header, or NULL */
	size_t kid_len;
	const char *typ; /* borrowed from header, or NULL */
	size_t typ_len;
};

/* Non-zero when tok[0..len) is shaped like a compact JWS: three non-empty
 * runs of base64url characters separated by two dots.  Says nothing about
 * validity; the PAM module uses it to tell a token from a password. */
int jws_looks_like_token(const char *tok, size_t len);

/* Parse tok[0..len) (which must outlive *out) as a compact JWS whose
 * payload is a JWT claims set.  Refuses, each with its own reason: a
 * segment count other than three (a JWE's five parts, two parts), an
 * empty signature, non-strict base64url, headers or payloads that are not
 * one strict JSON object, an alg that is not a supported name, crit,
 * b64, enc, zip, and cty.  Keys named by the header (jwk, jku, x5u, x5c)
 * are ignored.  On success fills *out (release with jws_free) and returns
 * PJ_OK; on failure returns the status and *out holds nothing to free. */
enum pj_status jws_parse(const char *tok, size_t len, struct jws *out, struct pj_err *err);

/* Release what jws_parse filled (safe on a zeroed struct). */
void jws_free(struct jws *jws);

#endif
