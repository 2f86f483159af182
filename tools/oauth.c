/* OAuth 2.0 / OpenID Connect requests of the token helper: discovery,
 * form-encoded POSTs to the token, device authorization and revocation
 * endpoints, and their JSON answers.  All HTTP goes through the core's
 * pj_http_request (https only, verified, time and size limits).  Request
 * bodies carry refresh tokens and secrets: they are wiped after use, and
 * so are the answers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client.h"
#include "pj_json.h"

static int is_https(const char *s, size_t len)
{
	return len > 8 && strncmp(s, "https://", 8) == 0 && memchr(s, '\0', len) == NULL;
}

/* Optional https URL member; -1 when present but not one. */
static int get_url(struct json_object *doc, const char *name, char **out)
{
	const char *s = NULL;
	size_t len = 0;
	int r = pj_json_get_string(doc, name, &s, &len);

	if (r == 0)
		return 0;
	if (r < 0 || !is_https(s, len))
		return -1;
	*out = strdup(s);
	return *out ? 0 : -1;
}

static int unreachable(struct pjc_err *e, const char *issuer, const char *reason)
{
	return pjc_fail(e, PJC_EXIT_NETWORK,
	                "cannot reach the auth center %s: %s; check the network connection "
	                "(and ca_file if the auth center uses a private CA), then try again",
	                issuer, reason);
}

int pjc_discover(const struct pjc_conf *c, struct pjc_endpoints *ep, struct pjc_err *e)
{
	struct pj_http_opts o = pjc_http_opts(c);
	struct pj_http_resp r;
	struct json_object *doc = NULL;
	struct pj_err perr;
	const char *s = NULL;
	size_t slen = 0, n = strlen(c->issuer) + 40;
	char *url = malloc(n);
	int rc = 0;

	memset(ep, 0, sizeof(*ep));
	pj_err_clear(&perr);
	if (url == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	snprintf(url, n, "%s%s", c->issuer,
	         c->issuer[strlen(c->issuer) - 1] == '/' ? ".well-known/openid-configuration"
	                                                 : "/.well-known/openid-configuration");
	if (pj_http_request(url, NULL, &o, &r, &perr) != PJ_OK) {
		free(url);
		return unreachable(e, c->issuer, perr.reason);
	}
	if (r.status != 200)
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "%s answered HTTP %ld: is issuer (%s) the right URL?", url, r.status,
		              c->issuer);
	else if (pj_json_parse(r.body, r.len, PJ_JSON_MAX_DEPTH, &doc, &perr) != PJ_OK)
		rc = pjc_fail(e, PJC_EXIT_FAIL, "%s is not a discovery document (%s)", url,
		              perr.reason);
	else if (pj_json_get_string(doc, "issuer", &s, &slen) != 1 ||
	         !pj_json_str_eq(s, slen, c->issuer))
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the discovery document at %s names another issuer: set issuer to "
		              "exactly the auth center's issuer URL",
		              url);
	else if (get_url(doc, "token_endpoint", &ep->token) != 0 || ep->token == NULL ||
	         get_url(doc, "device_authorization_endpoint", &ep->device) != 0 ||
	         get_url(doc, "revocation_endpoint", &ep->revocation) != 0 ||
	         get_url(doc, "authorization_endpoint", &ep->authorization) != 0)
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the discovery document at %s has no https token_endpoint, or an "
		              "endpoint that is not https",
		              url);
	if (rc != 0)
		pjc_endpoints_free(ep);
	json_object_put(doc);
	pj_http_resp_free(&r);
	free(url);
	return rc;
}

void pjc_endpoints_free(struct pjc_endpoints *ep)
{
	free(ep->device);
	free(ep->token);
	free(ep->revocation);
	free(ep->authorization);
	memset(ep, 0, sizeof(*ep));
}

int pjc_oauth_post(const struct pjc_conf *c, const char *url, const struct pj_form *f,
                   struct pjc_oauth_resp *r, struct pjc_err *e)
{
	struct pj_http_opts o = pjc_http_opts(c);
	struct pj_http_resp h;
	struct pj_err perr;
	const char *s = NULL;
	size_t slen = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	pj_err_clear(&perr);
	if (f->oom || f->buf == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	if (pj_http_request(url, f->buf, &o, &h, &perr) != PJ_OK)
		return unreachable(e, c->issuer, perr.reason);
	r->status = h.status;
	if (pj_json_parse(h.body, h.len, PJ_JSON_MAX_DEPTH, &r->json, &perr) != PJ_OK) {
		if (h.status >= 500)
			rc = pjc_fail(e, PJC_EXIT_FAIL,
			              "the auth center had an internal error (HTTP %ld at %s): try "
			              "again later",
			              h.status, url);
		else
			rc = pjc_fail(e, PJC_EXIT_FAIL,
			              "the auth center's answer (HTTP %ld at %s) is not JSON: is "
			              "issuer the right URL?",
			              h.status, url);
		r->json = NULL;
	} else {
		if (pj_json_get_string(r->json, "error", &s, &slen) == 1)
			pj_sanitize(r->error, sizeof(r->error), s, slen);
		if (pj_json_get_string(r->json, "error_description", &s, &slen) == 1)
			pj_sanitize(r->description, sizeof(r->description), s, slen);
		if (r->error[0] == '\0' && h.status != 200)
			snprintf(r->error, sizeof(r->error), "HTTP %ld", h.status);
	}
	pj_http_resp_free(&h);
	return rc;
}

void pjc_oauth_resp_free(struct pjc_oauth_resp *r)
{
	if (r->json != NULL) {
		pj_json_wipe(r->json);
		json_object_put(r->json);
	}
	memset(r, 0, sizeof(*r));
}

const char *pjc_oauth_str(const struct pjc_oauth_resp *r, const char *name)
{
	const char *s = NULL;
	size_t len = 0;

	if (r->json == NULL || pj_json_get_string(r->json, name, &s, &len) != 1 || len == 0 ||
	    memchr(s, '\0', len) != NULL)
		return NULL;
	return s;
}

int64_t pjc_oauth_int(const struct pjc_oauth_resp *r, const char *name, int64_t dflt)
{
	int64_t v = 0;

	if (r->json == NULL || pj_json_get_date(r->json, name, &v) != 1 || v < 0)
		return dflt;
	return v;
}

void pjc_oauth_error_text(const struct pjc_oauth_resp *r, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s", r->error[0] ? r->error : "unknown error",
	         r->description[0] ? ": " : "", r->description);
}

int pjc_revoke(const struct pjc_conf *c, const char *url, const char *token, const char *hint,
               struct pjc_err *e)
{
	struct pj_form f = { NULL, 0, 0, 0 };
	struct pj_http_opts o = pjc_http_opts(c);
	struct pj_http_resp h;
	struct pj_err perr;
	int rc = 0;

	pj_err_clear(&perr);
	pj_form_add(&f, "token", token);
	pj_form_add(&f, "token_type_hint", hint);
	pj_form_add(&f, "client_id", c->client_id);
	if (f.oom) {
		pj_form_free(&f);
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	}
	/* RFC 7009: 200 with any (often empty) body means revoked */
	if (pj_http_request(url, f.buf, &o, &h, &perr) != PJ_OK) {
		rc = unreachable(e, c->issuer, perr.reason);
	} else {
		if (h.status != 200) {
			struct json_object *j = NULL;
			const char *s = NULL;
			size_t slen = 0;
			char why[128] = "";

			if (pj_json_parse(h.body, h.len, PJ_JSON_MAX_DEPTH, &j, &perr) == PJ_OK &&
			    pj_json_get_string(j, "error", &s, &slen) == 1)
				pj_sanitize(why, sizeof(why), s, slen);
			json_object_put(j);
			rc = pjc_fail(e, PJC_EXIT_FAIL,
			              "the auth center did not revoke the token "
			              "(HTTP %ld%s%s)",
			              h.status, why[0] ? ": " : "", why);
		}
		pj_http_resp_free(&h);
	}
	pj_form_free(&f);
	return rc;
}
