#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "fetch.h"
#include "pj_json.h"
#include "remote.h"
#include "safefile.h"

/* The client's credentials: client_id, and client_secret in the body
 * (client_secret_post) for a confidential client. */
static void add_client(struct pj_form *f, const struct pj_config *cfg, const struct pj_device *dev)
{
	pj_form_add(f, "client_id", cfg->client_id);
	if (dev->client_secret != NULL)
		pj_form_add(f, "client_secret", dev->client_secret);
}

/* POST form to url and parse the answer as a JSON object (any status). */
static enum pj_status post_json(const struct pj_config *cfg, const char *url,
                                const struct pj_form *f, long *status, struct json_object **doc,
                                struct pj_err *err)
{
	struct pj_http_opts o = pj_remote_http_opts(cfg);
	struct pj_http_resp r;
	enum pj_status st;

	*doc = NULL;
	if (f->oom || f->buf == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	if ((st = pj_fetch_request(cfg->fetch_helper, url, f->buf, &o, &r, err)) != PJ_OK)
		return st;
	*status = r.status;
	if (pj_json_parse(r.body, r.len, PJ_JSON_MAX_DEPTH, doc, err) != PJ_OK)
		st = pj_fail(err, PJ_E_UNAVAILABLE,
		             "the auth center's answer (HTTP %ld) is not JSON", r.status);
	pj_http_resp_free(&r);
	return st;
}

/* Wipe an answer that held tokens, then release it. */
static void put_wiped(struct json_object *o)
{
	pj_json_wipe(o);
	json_object_put(o);
}

static enum pj_status read_secret(const struct pj_config *cfg, struct pj_device *dev,
                                  struct pj_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	enum pj_status st;

	if (cfg->client_secret_file == NULL)
		return PJ_OK;
	st = pj_read_secret_file(cfg->client_secret_file, PJ_CLIENT_SECRET_MAX, &buf, &len, err);
	if (st != PJ_OK)
		return st == PJ_E_NOMEM ? st : PJ_E_CONFIG;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0 || memchr(buf, '\0', len) != NULL) {
		pj_free_secret(buf, len + 1);
		return pj_fail(err, PJ_E_CONFIG, "client_secret_file %s holds no secret",
		               cfg->client_secret_file);
	}
	dev->client_secret = buf;
	return PJ_OK;
}

enum pj_status pj_device_start(const struct pj_config *cfg, struct pj_device *dev,
                               struct pj_err *err)
{
	static const char *const names[] = { "device_authorization_endpoint", "token_endpoint" };
	char *eps[2] = { NULL, NULL };
	struct pj_form f = { NULL, 0, 0, 0 };
	struct json_object *doc = NULL;
	const char *p, *w;
	long status = 0;
	size_t wl;
	enum pj_status st;

	memset(dev, 0, sizeof(*dev));
	if (cfg->client_id == NULL)
		return pj_fail(err, PJ_E_CONFIG, "the device flow needs client_id in pam_jwt.conf");
	if ((st = read_secret(cfg, dev, err)) != PJ_OK)
		return st;
	if ((st = pj_discover(cfg, names, eps, 2, err)) != PJ_OK)
		return st;
	dev->device_endpoint = eps[0];
	dev->token_endpoint = eps[1];
	add_client(&f, cfg, dev);
	pj_form_add(&f, "scope", cfg->device_scope);
	pj_form_add(&f, "resource", cfg->audience);
	for (p = cfg->sso_audiences; p != NULL && *p != '\0'; p = w + wl) {
		char *a;

		w = p + strspn(p, ", \t");
		wl = strcspn(w, ", \t");
		if (wl == 0)
			break;
		if ((a = strndup(w, wl)) == NULL) {
			f.oom = 1;
			break;
		}
		if (strcmp(a, cfg->audience) != 0)
			pj_form_add(&f, "resource", a);
		free(a);
	}
	st = post_json(cfg, dev->device_endpoint, &f, &status, &doc, err);
	pj_form_free(&f);
	if (st == PJ_OK)
		st = pj_device_auth_read(doc, status, &dev->auth, err);
	put_wiped(doc);
	return st;
}

/* A copy of a non-empty string member without NUL bytes, or NULL. */
static char *secret_member(struct json_object *doc, const char *name)
{
	const char *s = NULL;
	size_t len = 0;

	if (pj_json_get_string(doc, name, &s, &len) != 1 || len == 0 ||
	    memchr(s, '\0', len) != NULL)
		return NULL;
	return strndup(s, len);
}

enum pj_poll pj_device_poll(const struct pj_config *cfg, const struct pj_device *dev,
                            struct pj_device_tokens *tok, struct pj_err *err)
{
	struct pj_form f = { NULL, 0, 0, 0 };
	struct json_object *doc = NULL;
	const char *error = NULL;
	size_t elen = 0;
	long status = 0;
	char why[300], ebuf[64] = "";
	enum pj_poll what;
	enum pj_status st;
	int64_t v = 0;

	memset(tok, 0, sizeof(*tok));
	pj_form_add(&f, "grant_type", PJ_DEVICE_GRANT);
	pj_form_add(&f, "device_code", dev->auth.device_code);
	add_client(&f, cfg, dev);
	pj_form_add(&f, "resource", cfg->audience);
	st = post_json(cfg, dev->token_endpoint, &f, &status, &doc, err);
	pj_form_free(&f);
	if (st != PJ_OK) {
		put_wiped(doc);
		return PJ_POLL_ERROR;
	}
	if (pj_json_get_string(doc, "error", &error, &elen) == 1)
		pj_sanitize(ebuf, sizeof(ebuf), error, elen);
	tok->access_token = status == 200 ? secret_member(doc, "access_token") : NULL;
	what = pj_poll_classify(status, tok->access_token != NULL, ebuf);
	if (what == PJ_POLL_TOKEN) {
		tok->refresh_token = secret_member(doc, "refresh_token");
		tok->id_token = secret_member(doc, "id_token");
		if (pj_json_get_date(doc, "expires_in", &v) == 1 && v > 0)
			tok->expires_in = v;
	} else {
		pj_device_tokens_free(tok);
		pj_oauth_error_text(doc, status, why, sizeof(why));
		pj_fail(err, PJ_E_INTERNAL, "%s", why);
	}
	put_wiped(doc);
	return what;
}

void pj_device_free(struct pj_device *dev)
{
	free(dev->device_endpoint);
	free(dev->token_endpoint);
	free(dev->revocation_endpoint);
	if (dev->client_secret != NULL)
		pj_free_secret(dev->client_secret, strlen(dev->client_secret) + 1);
	pj_device_auth_free(&dev->auth);
	memset(dev, 0, sizeof(*dev));
}

static void free_str(char **s)
{
	if (*s != NULL)
		pj_free_secret(*s, strlen(*s));
	*s = NULL;
}

void pj_device_tokens_free(struct pj_device_tokens *tok)
{
	free_str(&tok->access_token);
	free_str(&tok->refresh_token);
	free_str(&tok->id_token);
	tok->expires_in = 0;
}
