#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jws.h"
#include "pj_json.h"

static const char *const alg_names[JWS_ALG_COUNT] = {
	[JWS_ALG_UNKNOWN] = "unknown", [JWS_RS256] = "RS256", [JWS_RS384] = "RS384",
	[JWS_RS512] = "RS512",         [JWS_PS256] = "PS256", [JWS_PS384] = "PS384",
	[JWS_PS512] = "PS512",         [JWS_ES256] = "ES256", [JWS_ES384] = "ES384",
	[JWS_ES512] = "ES512",         [JWS_EDDSA] = "EdDSA", [JWS_HS256] = "HS256",
	[JWS_HS384] = "HS384",         [JWS_HS512] = "HS512",
};

enum jws_alg jws_alg_from_name(const char *name, size_t len)
{
	int i;

	for (i = 1; i < JWS_ALG_COUNT; i++)
		if (pj_json_str_eq(name, len, alg_names[i]))
			return (enum jws_alg)i;
	return JWS_ALG_UNKNOWN;
}

const char *jws_alg_name(enum jws_alg alg)
{
	if ((int)alg < 0 || alg >= JWS_ALG_COUNT)
		return alg_names[0];
	return alg_names[alg];
}

int jws_looks_like_token(const char *tok, size_t len)
{
	size_t i, dots = 0, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c == '.') {
			if (run == 0)
				return 0;
			dots++;
			run = 0;
		} else if (b64_is_url_char(c)) {
			run++;
		} else {
			return 0;
		}
	}
	return dots == 2 && run > 0;
}

/* Decode one segment and parse it as a strict JSON object. */
static enum pj_status decode_json(const char *seg, size_t len, const char *what,
                                  struct json_object **out, struct pj_err *err)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	enum pj_status st;

	if (len == 0)
		return pj_fail(err, PJ_E_FORMAT, "empty %s", what);
	if (b64_decode(seg, len, &raw, &rawlen) != 0)
		return pj_fail(err, PJ_E_FORMAT, "%s is not strict base64url", what);
	st = pj_json_parse((const char *)raw, rawlen, PJ_JSON_MAX_DEPTH, out, err);
	if (st != PJ_OK && err != NULL) {
		char inner[PJ_REASON_MAX];

		memcpy(inner, err->reason, sizeof(inner));
		inner[sizeof(inner) - 1] = '\0';
		pj_fail(err, st, "%s: %s", what, inner);
	}
	pj_free_secret(raw, rawlen);
	return st;
}

static int has_member(const struct json_object *o, const char *name)
{
	return json_object_object_get_ex(o, name, NULL);
}

static enum pj_status check_header(struct jws *j, struct pj_err *err)
{
	const char *alg = NULL;
	size_t alg_len = 0;
	int r;

	r = pj_json_get_string(j->header, "alg", &alg, &alg_len);
	if (r == 0)
		return pj_fail(err, PJ_E_ALG, "header has no alg");
	if (r < 0)
		return pj_fail(err, PJ_E_ALG, "header alg is not a string");
	j->alg = jws_alg_from_name(alg, alg_len);
	if (j->alg == JWS_ALG_UNKNOWN) {
		char safe[32];

		pj_sanitize(safe, sizeof(safe), alg, alg_len);
		return pj_fail(err, PJ_E_ALG, "algorithm \"%s\" is not supported", safe);
	}
	/* The module implements no JWS extension, so any crit is refused
	 * (RFC 7515 4.1.11); b64 (RFC 7797) changes what is signed. */
	if (has_member(j->header, "crit"))
		return pj_fail(err, PJ_E_FORMAT, "header has crit, no extension is supported");
	if (has_member(j->header, "b64"))
		return pj_fail(err, PJ_E_FORMAT, "header has b64, unencoded payloads are refused");
	if (has_member(j->header, "enc") || has_member(j->header, "zip"))
		return pj_fail(err, PJ_E_FORMAT, "header has enc or zip: a JWE is not a JWS");
	if (has_member(j->header, "cty"))
		return pj_fail(err, PJ_E_FORMAT,
		               "header has cty: nested or non-JWT content refused");

	r = pj_json_get_string(j->header, "kid", &j->kid, &j->kid_len);
	if (r < 0)
		return pj_fail(err, PJ_E_FORMAT, "header kid is not a string");
	if (r == 0)
		j->kid = NULL;
	r = pj_json_get_string(j->header, "typ", &j->typ, &j->typ_len);
	if (r < 0)
		return pj_fail(err, PJ_E_FORMAT, "header typ is not a string");
	if (r == 0)
		j->typ = NULL;
	return PJ_OK;
}

enum pj_status jws_parse(const char *tok, size_t len, struct jws *out, struct pj_err *err)
{
	struct jws j;
	const char *dot[4];
	size_t i, ndots = 0;
	enum pj_status st;

	memset(&j, 0, sizeof(j));
	for (i = 0; i < len;) {
		const char *d = memchr(tok + i, '.', len - i);

		if (d == NULL)
			break;
		if (ndots == 4)
			return pj_fail(err, PJ_E_FORMAT, "token has more than five parts");
		dot[ndots++] = d;
		i = (size_t)(d - tok) + 1;
	}
	if (ndots == 4)
		return pj_fail(err, PJ_E_FORMAT, "token has five parts: a JWE is not accepted");
	if (ndots != 2)
		return pj_fail(err, PJ_E_FORMAT, "token has %zu parts, a JWS has 3", ndots + 1);
	if (dot[1] + 1 == tok + len)
		return pj_fail(err, PJ_E_FORMAT, "token has an empty signature");

	st = decode_json(tok, (size_t)(dot[0] - tok), "header", &j.header, err);
	if (st != PJ_OK)
		goto fail;
	st = check_header(&j, err);
	if (st != PJ_OK)
		goto fail;
	st = decode_json(dot[0] + 1, (size_t)(dot[1] - dot[0] - 1), "payload", &j.claims, err);
	if (st != PJ_OK)
		goto fail;
	if (b64_decode(dot[1] + 1, (size_t)(tok + len - dot[1] - 1), &j.sig, &j.sig_len) != 0) {
		st = pj_fail(err, PJ_E_FORMAT, "signature is not strict base64url");
		goto fail;
	}
	j.signing_input = tok;
	j.signing_input_len = (size_t)(dot[1] - tok);
	*out = j;
	return PJ_OK;
fail:
	jws_free(&j);
	return st;
}

void jws_free(struct jws *jws)
{
	if (jws == NULL)
		return;
	json_object_put(jws->header);
	json_object_put(jws->claims);
	pj_free_secret(jws->sig, jws->sig_len);
	memset(jws, 0, sizeof(*jws));
}
