#include "config.h"

#include <string.h>
#include <strings.h>

#include "claims.h"
#include "pj_json.h"

int pj_typ_matches(const char *typ, size_t typlen, const char *want)
{
	static const char app[] = "application/";
	size_t alen = sizeof(app) - 1, wlen = strlen(want);

	if (typlen > alen && strncasecmp(typ, app, alen) == 0) {
		typ += alen;
		typlen -= alen;
	}
	if (wlen > alen && strncasecmp(want, app, alen) == 0) {
		want += alen;
		wlen -= alen;
	}
	return typlen == wlen && memchr(typ, '\0', typlen) == NULL &&
	       strncasecmp(typ, want, wlen) == 0;
}

/* Only for a claim pj_json_get_date accepted: its value is finite and
 * within the year 9999, so the conversion is defined (and no libm, whose
 * pages would add to every login's memory, is needed for floor). */
static int has_fraction(const struct json_object *claims, const char *name)
{
	struct json_object *v = pj_json_get(claims, name, json_type_double);
	double d = v != NULL ? json_object_get_double(v) : 0;

	return d != (double)(int64_t)d;
}

static enum pj_status get_date(const struct json_object *claims, const char *name, int64_t *v,
                               int *present, struct pj_err *err)
{
	int r = pj_json_get_date(claims, name, v);

	if (r < 0)
		return pj_fail(err, PJ_E_CLAIM, "claim %s is not a valid NumericDate", name);
	*present = r;
	return PJ_OK;
}

static enum pj_status check_times(const struct json_object *claims, const struct pj_config *cfg,
                                  int64_t now, struct pj_err *err)
{
	int64_t exp = 0, nbf = 0, iat = 0, lw = cfg->leeway;
	int has_exp = 0, has_nbf = 0, has_iat = 0;
	enum pj_status st;

	if ((st = get_date(claims, "exp", &exp, &has_exp, err)) != PJ_OK ||
	    (st = get_date(claims, "nbf", &nbf, &has_nbf, err)) != PJ_OK ||
	    (st = get_date(claims, "iat", &iat, &has_iat, err)) != PJ_OK)
		return st;
	if (!has_exp && cfg->require_exp)
		return pj_fail(err, PJ_E_CLAIM, "token has no exp claim");
	if (has_exp && now >= exp + lw)
		return pj_fail(err, PJ_E_EXPIRED, "token expired %lld s ago",
		               (long long)(now - exp));
	/* Dates are floored when read; for "not before" checks round a
	 * fraction up instead, so nbf = now + 0.9 is not yet valid. */
	if (has_nbf && has_fraction(claims, "nbf"))
		nbf++;
	if (has_iat && has_fraction(claims, "iat"))
		iat++;
	if (has_nbf && now + lw < nbf)
		return pj_fail(err, PJ_E_NOT_YET, "token not valid before %lld (in %lld s)",
		               (long long)nbf, (long long)(nbf - now));
	if (has_iat && now + lw < iat)
		return pj_fail(err, PJ_E_NOT_YET, "token issued in the future (iat in %lld s)",
		               (long long)(iat - now));
	if (has_exp && has_nbf && exp <= nbf)
		return pj_fail(err, PJ_E_CLAIM, "token exp is not after nbf");
	if (cfg->max_age > 0) {
		int64_t at = 0;
		int has_at = 0;

		if ((st = get_date(claims, "auth_time", &at, &has_at, err)) != PJ_OK)
			return st;
		if (!has_at) {
			at = iat;
			has_at = has_iat;
		}
		if (!has_at)
			return pj_fail(err, PJ_E_CLAIM, "max_age is set but the token has no iat");
		if (now - at > cfg->max_age + lw)
			return pj_fail(err, PJ_E_EXPIRED, "token is %lld s old, max_age is %lld s",
			               (long long)(now - at), (long long)cfg->max_age);
	}
	if (cfg->max_lifetime > 0) {
		if (!has_exp || !has_iat)
			return pj_fail(err, PJ_E_CLAIM,
			               "max_lifetime is set but the token lacks exp or iat");
		if (exp - iat > cfg->max_lifetime)
			return pj_fail(err, PJ_E_CLAIM,
			               "token lifetime %lld s exceeds max_lifetime %lld s",
			               (long long)(exp - iat), (long long)cfg->max_lifetime);
	}
	return PJ_OK;
}

enum pj_status pj_claims_check_aud(const struct json_object *claims, const char *want,
                                   struct pj_err *err)
{
	struct json_object *aud = NULL;
	size_t i, n;
	int found = 0;

	if (!json_object_object_get_ex(claims, "aud", &aud))
		return pj_fail(err, PJ_E_AUDIENCE, "token has no aud claim");
	if (json_object_is_type(aud, json_type_string)) {
		if (pj_json_str_eq(json_object_get_string(aud),
		                   (size_t)json_object_get_string_len(aud), want))
			return PJ_OK;
		return pj_fail(err, PJ_E_AUDIENCE, "token audience is not %s", want);
	}
	if (!json_object_is_type(aud, json_type_array))
		return pj_fail(err, PJ_E_AUDIENCE, "aud is neither a string nor an array");
	n = json_object_array_length(aud);
	if (n == 0)
		return pj_fail(err, PJ_E_AUDIENCE, "aud is an empty array");
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(aud, i);

		if (!json_object_is_type(a, json_type_string))
			return pj_fail(err, PJ_E_AUDIENCE, "aud array holds a non-string");
		if (pj_json_str_eq(json_object_get_string(a), (size_t)json_object_get_string_len(a),
		                   want))
			found = 1;
	}
	return found ? PJ_OK
	             : pj_fail(err, PJ_E_AUDIENCE, "token audience does not include %s", want);
}

enum pj_status pj_claims_check(const struct jws *jws, const struct pj_config *cfg, int64_t now,
                               struct pj_err *err)
{
	const char *iss = NULL;
	size_t isslen = 0;
	enum pj_status st;
	int r;

	if (cfg->typ != NULL) {
		if (jws->typ == NULL)
			return pj_fail(err, PJ_E_CLAIM, "token has no typ, %s required", cfg->typ);
		if (!pj_typ_matches(jws->typ, jws->typ_len, cfg->typ))
			return pj_fail(err, PJ_E_CLAIM, "token typ is not %s", cfg->typ);
	}
	r = pj_json_get_string(jws->claims, "iss", &iss, &isslen);
	if (r == 0)
		return pj_fail(err, PJ_E_ISSUER, "token has no iss claim");
	if (r < 0)
		return pj_fail(err, PJ_E_ISSUER, "iss is not a string");
	if (!pj_json_str_eq(iss, isslen, cfg->issuer))
		return pj_fail(err, PJ_E_ISSUER, "token issuer is not %s", cfg->issuer);
	if ((st = pj_claims_check_aud(jws->claims, cfg->audience, err)) != PJ_OK)
		return st;
	return check_times(jws->claims, cfg, now, err);
}
