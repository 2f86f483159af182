#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "claims.h"
#include "fetch.h"
#include "introspect.h"
#include "pj_json.h"
#include "remote.h"
#include "safefile.h"
#include "state.h"

/* Append name=value (percent-encoded) to the form.  0, or -1 when out of
 * memory. */
static int form_add(char **buf, size_t *len, size_t *cap, const char *name, const char *v,
                    size_t vlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if ((*len > 0 && pj_buf_append(buf, len, cap, "&", 1) != 0) ||
	    pj_buf_append(buf, len, cap, name, strlen(name)) != 0 ||
	    pj_buf_append(buf, len, cap, "=", 1) != 0)
		return -1;
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];
		char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
		int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';

		if (pj_buf_append(buf, len, cap, plain ? (const char *)&v[i] : enc,
		                  plain ? 1 : 3) != 0)
			return -1;
	}
	return 0;
}

/* A string member of the answer, when present, equals the token's. */
static int same_string(struct json_object *ans, const struct json_object *claims, const char *name)
{
	const char *a = NULL, *t = NULL;
	size_t alen = 0, tlen = 0;
	int r = pj_json_get_string(ans, name, &a, &alen);

	if (r == 0)
		return 1;
	return r == 1 && pj_json_get_string(claims, name, &t, &tlen) == 1 && alen == tlen &&
	       memcmp(a, t, alen) == 0;
}

/* Decide on a parsed answer; sets *until (how long it may be kept). */
static enum pj_status judge(const struct pj_config *cfg, struct json_object *ans,
                            const struct json_object *claims, int64_t *until, struct pj_err *err)
{
	struct json_object *active = pj_json_get(ans, "active", json_type_boolean);
	struct json_object *aud = NULL;
	int64_t aexp = 0, texp = 0;
	int r;

	if (active == NULL)
		return pj_fail(err, PJ_E_UNAVAILABLE, "introspection answer has no active boolean");
	if (!json_object_get_boolean(active))
		return pj_fail(err, PJ_E_REVOKED,
		               "the auth center says the token is no longer active (signed out, "
		               "revoked or disabled)");
	if (!same_string(ans, claims, "sub"))
		return pj_fail(err, PJ_E_CLAIM, "introspection answer names another sub");
	if (!same_string(ans, claims, "iss"))
		return pj_fail(err, PJ_E_CLAIM, "introspection answer names another iss");
	r = pj_json_get_date(ans, "exp", &aexp);
	if (r < 0 || (r == 1 && (pj_json_get_date(claims, "exp", &texp) != 1 || aexp != texp)))
		return pj_fail(err, PJ_E_CLAIM, "introspection answer has another exp");
	if (json_object_object_get_ex(ans, "aud", &aud) &&
	    pj_claims_check_aud(ans, cfg->audience, err) != PJ_OK)
		return pj_fail(err, PJ_E_CLAIM, "introspection answer has another aud");
	*until = r == 1 ? aexp : INT64_MAX;
	return PJ_OK;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ask the auth center; PJ_OK with *ans (json_object_put) on an HTTP 200
 * JSON object, else PJ_E_UNAVAILABLE / PJ_E_CONFIG. */
static enum pj_status ask(const struct pj_config *cfg, const char *token, size_t len,
                          struct json_object **ans, struct pj_err *err)
{
	struct pj_http_opts o = pj_remote_http_opts(cfg);
	struct pj_http_resp r;
	char *secret = NULL, *url = NULL, *form = NULL;
	size_t slen = 0, salloc = 0, flen = 0, fcap = 0;
	char why[PJ_REASON_MAX];
	static const char *const endpoint_names[] = { "introspection_endpoint" };
	int64_t start = mono_ms();
	enum pj_status st;

	memset(&r, 0, sizeof(r));
	st = pj_read_secret_file(cfg->introspect_secret_file, PJ_INTROSPECT_SECRET_MAX, &secret,
	                         &slen, err);
	if (st != PJ_OK) {
		memcpy(why, err->reason, sizeof(why));
		st = pj_fail(err, PJ_E_CONFIG, "introspect_secret_file: %s", why);
		goto out;
	}
	salloc = slen + 1;
	while (slen > 0 && (secret[slen - 1] == '\n' || secret[slen - 1] == '\r' ||
	                    secret[slen - 1] == ' ' || secret[slen - 1] == '\t'))
		slen--;
	if (slen == 0) {
		st = pj_fail(err, PJ_E_CONFIG, "introspect_secret_file is empty");
		goto out;
	}
	if (cfg->introspection_endpoint != NULL)
		url = strdup(cfg->introspection_endpoint);
	else if ((st = pj_discover(cfg, endpoint_names, &url, 1, err)) != PJ_OK)
		goto out;
	if (url == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	/* one time limit for discovery and the question together */
	o.timeout_ms -= (long)(mono_ms() - start);
	if (o.timeout_ms <= 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "discovery took the whole http_timeout");
		goto out;
	}
	if (form_add(&form, &flen, &fcap, "token", token, len) != 0 ||
	    form_add(&form, &flen, &fcap, "token_type_hint", "access_token", 12) != 0 ||
	    form_add(&form, &flen, &fcap, "client_id", cfg->introspect_client_id,
	             strlen(cfg->introspect_client_id)) != 0 ||
	    form_add(&form, &flen, &fcap, "client_secret", secret, slen) != 0 ||
	    pj_buf_append(&form, &flen, &fcap, "", 1) != 0) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = pj_fetch_request(cfg->fetch_helper, url, form, &o, &r, err)) != PJ_OK)
		goto out;
	if (r.status != 200)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "introspection endpoint answered HTTP %ld",
		             r.status);
	else if (pj_json_parse(r.body, r.len, PJ_JSON_MAX_DEPTH, ans, err) != PJ_OK)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "introspection answer is not a JSON object");
out:
	pj_http_resp_free(&r);
	pj_free_secret(form, fcap);
	pj_free_secret(secret, salloc);
	free(url);
	return st;
}

enum pj_status pj_introspect_check(const struct pj_config *cfg, const char *token, size_t len,
                                   const struct json_object *claims, int64_t now, char *note,
                                   struct pj_err *err)
{
	struct json_object *ans = NULL;
	char why[PJ_REASON_MAX];
	int64_t until = 0;
	enum pj_status st;

	if (!cfg->introspect)
		return PJ_OK;
	if (pj_answer_cached(cfg, claims, now)) {
		snprintf(note, PJ_REASON_MAX, "introspection: active (answer of the last %lld s)",
		         (long long)cfg->introspect_cache);
		return PJ_OK;
	}
	st = ask(cfg, token, len, &ans, err);
	if (st == PJ_OK)
		st = judge(cfg, ans, claims, &until, err);
	json_object_put(ans);
	if (st == PJ_OK) {
		pj_answer_keep(cfg, claims, now, until);
		return PJ_OK;
	}
	if (st == PJ_E_UNAVAILABLE)
		memcpy(why, err->reason, sizeof(why));
	if (st == PJ_E_UNAVAILABLE && cfg->introspect_unavailable_allow) {
		snprintf(note, PJ_REASON_MAX,
		         "introspection unavailable, allowed (introspect_unavailable = allow): "
		         "%.120s",
		         why);
		pj_err_clear(err);
		return PJ_OK;
	}
	if (st == PJ_E_UNAVAILABLE)
		return pj_fail(err, st, "introspection unavailable: %s", why);
	return st;
}
