/* Looking into a token WITHOUT verifying it: for `pam-jwt status` (who am
 * I, until when), for the expiry of a freshly issued token, and for the
 * checks of `pam-jwt robot --token-file`.  Nothing read here decides
 * access; the host that receives the token verifies it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "client.h"
#include "pj_json.h"

struct json_object *pjc_peek_claims(const char *token)
{
	const char *p1, *p2;
	unsigned char *payload = NULL;
	size_t plen = 0;
	struct json_object *claims = NULL;
	struct pj_err perr;

	pj_err_clear(&perr);
	if (token == NULL || (p1 = strchr(token, '.')) == NULL ||
	    (p2 = strchr(p1 + 1, '.')) == NULL || strchr(p2 + 1, '.') != NULL)
		return NULL;
	if (b64_decode(p1 + 1, (size_t)(p2 - p1 - 1), &payload, &plen) != 0)
		return NULL;
	if (pj_json_parse((const char *)payload, plen, PJ_JSON_MAX_DEPTH, &claims, &perr) != PJ_OK)
		claims = NULL;
	free(payload);
	return claims;
}

int64_t pjc_peek_exp(const char *token)
{
	struct json_object *claims = pjc_peek_claims(token);
	int64_t exp = 0;

	if (claims != NULL && pj_json_get_date(claims, "exp", &exp) != 1)
		exp = 0;
	json_object_put(claims);
	return exp;
}

int pjc_claims_have_aud(const struct json_object *claims, const char *audience)
{
	struct json_object *aud = NULL;
	size_t i, n;

	if (claims == NULL || !json_object_object_get_ex(claims, "aud", &aud))
		return 0;
	if (json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), audience) == 0;
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(aud, i);

		if (json_object_is_type(a, json_type_string) &&
		    strcmp(json_object_get_string(a), audience) == 0)
			return 1;
	}
	return 0;
}

void pjc_duration(int64_t s, char *out, size_t outsz)
{
	if (s < 0)
		s = -s;
	if (s >= 86400)
		snprintf(out, outsz, "%lldd %lldh", (long long)(s / 86400),
		         (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(out, outsz, "%lldh %lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, outsz, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(out, outsz, "%llds", (long long)s);
}
