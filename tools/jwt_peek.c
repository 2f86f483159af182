/* Looking into a token WITHOUT verifying it: for `pam-jwt status` (who am
 * I, until when), for the expiry of a freshly issued token, and for the
 * checks the helper makes before it hands a token out (the audience is
 * exactly the one asked for, it has not expired).  Nothing read here
 * grants access; the host that receives the token verifies it.  The
 * checks only keep the helper from giving a host a token that another
 * host would accept too. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "client.h"
#include "pj_err.h"
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

/* 1 when aud (string or array) holds audience; sets *only when it is
 * exactly that audience (the string, or an array of that one string). */
static int aud_holds(const struct json_object *aud, const char *audience, int *only)
{
	size_t i, n;
	int found = 0, other = 0;

	*only = 0;
	if (json_object_is_type(aud, json_type_string)) {
		*only = pj_json_str_eq(json_object_get_string((struct json_object *)aud),
		                       (size_t)json_object_get_string_len(aud), audience);
		return *only;
	}
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(aud, i);

		if (json_object_is_type(a, json_type_string) &&
		    pj_json_str_eq(json_object_get_string(a), (size_t)json_object_get_string_len(a),
		                   audience))
			found = 1;
		else
			other = 1;
	}
	*only = found && !other;
	return found;
}

int pjc_claims_have_aud(const struct json_object *claims, const char *audience)
{
	struct json_object *aud = NULL;
	int only;

	return claims != NULL && json_object_object_get_ex(claims, "aud", &aud) &&
	       aud_holds(aud, audience, &only);
}

/* aud as text for a message: "\"a\", \"b\"" (sanitised, cut to outsz). */
static void aud_text(const struct json_object *aud, char *out, size_t outsz)
{
	size_t i, n, used = 0;

	out[0] = '\0';
	n = json_object_is_type(aud, json_type_array) ? json_object_array_length(aud) : 1;
	for (i = 0; i < n && used + 8 < outsz; i++) {
		const struct json_object *a = json_object_is_type(aud, json_type_array)
		                                      ? json_object_array_get_idx(aud, i)
		                                      : aud;
		char one[128];
		int w;

		if (json_object_is_type(a, json_type_string))
			pj_sanitize(one, sizeof(one),
			            json_object_get_string((struct json_object *)a),
			            (size_t)json_object_get_string_len(a));
		else
			snprintf(one, sizeof(one), "(a JSON %s)",
			         json_type_to_name(json_object_get_type(a)));
		w = snprintf(out + used, outsz - used, "%s\"%s\"", i ? ", " : "", one);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (used >= outsz)
		snprintf(out + outsz - 4, 4, "...");
}

int pjc_check_handout(const struct pjc_conf *c, const char *token, const char *audience,
                      int64_t now, struct pjc_err *e)
{
	struct json_object *claims = pjc_peek_claims(token), *aud = NULL;
	const char *what = audience != NULL && audience[0] != '\0' ? audience : "this login";
	char auds[300], when[32];
	int64_t exp = 0;
	int rc = 0, only = 0;

	if (claims == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL,
		                "the auth center's access token for %s is not a JWT, which no "
		                "pam_jwt host accepts: configure client %s at the auth center to "
		                "issue JWT access tokens",
		                what, c->client_id);
	if (pj_json_get_date(claims, "exp", &exp) != 1) {
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the auth center issued a token for %s without an exp claim (it "
		              "would never expire); not handing it out: configure an access token "
		              "lifetime for client %s at the auth center",
		              what, c->client_id);
	} else if (exp <= now) {
		pjc_duration(now - exp, when, sizeof(when));
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the token for %s expired %s ago; not handing it out: check the "
		              "clocks of this machine and of the auth center, and the access token "
		              "lifetime of client %s there",
		              what, when, c->client_id);
	} else if (audience == NULL || audience[0] == '\0') {
		rc = 0; /* the login's own token: no audience was asked for */
	} else if (!json_object_object_get_ex(claims, "aud", &aud)) {
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the auth center issued a token without an aud claim when asked for "
		              "%s: it ignores the resource parameter (RFC 8707); not handing it "
		              "out: configure it to issue tokens whose aud is exactly %s to client "
		              "%s (Keycloak: an audience mapper, or a client scope for that "
		              "audience)",
		              audience, audience, c->client_id);
	} else if (!aud_holds(aud, audience, &only)) {
		aud_text(aud, auds, sizeof(auds));
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the auth center issued a token for audience %s when asked for %s: "
		              "it ignores the resource parameter (RFC 8707); not handing it out: "
		              "configure it to issue tokens whose aud is exactly %s to client %s "
		              "(Keycloak: an audience mapper, or a client scope for that audience)",
		              auds, audience, audience, c->client_id);
	} else if (!only && !c->allow_multi_audience) {
		aud_text(aud, auds, sizeof(auds));
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the auth center issued a token for several audiences (%s) when "
		              "asked for %s: each of those hosts could replay it to the others; "
		              "not handing it out: configure the auth center to issue tokens whose "
		              "aud is exactly %s (Keycloak: an audience mapper, or a client scope "
		              "for that audience), or accept the risk with --allow-multi-audience "
		              "or allow_multi_audience = yes in client.conf",
		              auds, audience, audience);
	}
	json_object_put(claims);
	return rc;
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
