/* The cached login: one JSON file per auth center and client in the cache
 * directory, holding the refresh token, the endpoints, the audiences the
 * login covers and the access tokens got so far (one per audience).
 *
 *   {"version":1,"issuer":"https://...","client_id":"...",
 *    "token_endpoint":"https://...","revocation_endpoint":"https://...",
 *    "refresh_token":"...","refresh_expires_at":0,"id_token":"...",
 *    "scope":"openid offline_access","login_time":N,"refresh_time":N,
 *    "audiences":["ssh://host1"],
 *    "tokens":[{"audience":"ssh://host1","access_token":"...","expires_at":N,
 *               "spent":true}]}   (spent: given out by askpass; optional)
 *
 * Read strictly (pj_json_parse): a damaged file is reported, never
 * guessed at.  Every string that held a token is wiped before release. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "client.h"
#include "pj_json.h"
#include "sso.h"

#define LOGIN_VERSION 1

int pjc_set_secret(char **field, const char *value, struct pjc_err *e)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	if (*field != NULL)
		pj_free_secret(*field, strlen(*field));
	*field = copy;
	return 0;
}

void pjc_login_free(struct pjc_login *l)
{
	size_t i;

	if (l == NULL)
		return;
	free(l->issuer);
	free(l->client_id);
	free(l->token_endpoint);
	free(l->revocation_endpoint);
	pjc_set_secret(&l->refresh_token, NULL, NULL);
	pjc_set_secret(&l->id_token, NULL, NULL);
	free(l->scope);
	for (i = 0; i < l->n_audiences; i++)
		free(l->audiences[i]);
	for (i = 0; i < l->n_tokens; i++) {
		free(l->tokens[i].audience);
		pjc_set_secret(&l->tokens[i].access_token, NULL, NULL);
	}
	memset(l, 0, sizeof(*l));
}

/* Copy an optional string member; -1 when present with another type. */
static int get_str(struct json_object *o, const char *name, char **out, int required)
{
	const char *s = NULL;
	size_t len = 0;
	int r = pj_json_get_string(o, name, &s, &len);

	if (r < 0 || (r == 0 && required) || (r == 1 && memchr(s, '\0', len) != NULL))
		return -1;
	if (r == 0)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -1;
}

static int get_num(struct json_object *o, const char *name, int64_t *out)
{
	int r = pj_json_get_date(o, name, out);

	if (r == 0)
		*out = 0;
	return r < 0 ? -1 : 0;
}

static int damaged(struct pjc_err *e, const char *name, const char *why)
{
	return pjc_fail(e, PJC_EXIT_LOGIN,
	                "the cached login %s is damaged (%s): run pam-jwt login (it replaces "
	                "the file)",
	                name, why);
}

int pjc_login_parse(const char *text, size_t len, const char *name, struct pjc_login *l,
                    struct pjc_err *e)
{
	struct json_object *o = NULL, *arr;
	struct pj_err perr;
	int64_t version = 0;
	size_t i, n;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	pj_err_clear(&perr);
	if (pj_json_parse(text, len, PJ_JSON_MAX_DEPTH, &o, &perr) != PJ_OK)
		return damaged(e, name, "not a JSON object");
	if (get_num(o, "version", &version) != 0 || version != LOGIN_VERSION) {
		rc = damaged(e, name, "unknown version");
		goto out;
	}
	if (get_str(o, "issuer", &l->issuer, 1) != 0 ||
	    get_str(o, "client_id", &l->client_id, 1) != 0 ||
	    get_str(o, "token_endpoint", &l->token_endpoint, 1) != 0 ||
	    get_str(o, "revocation_endpoint", &l->revocation_endpoint, 0) != 0 ||
	    get_str(o, "refresh_token", &l->refresh_token, 0) != 0 ||
	    get_str(o, "id_token", &l->id_token, 0) != 0 ||
	    get_str(o, "scope", &l->scope, 0) != 0 ||
	    get_num(o, "refresh_expires_at", &l->refresh_expires_at) != 0 ||
	    get_num(o, "login_time", &l->login_time) != 0 ||
	    get_num(o, "refresh_time", &l->refresh_time) != 0) {
		rc = damaged(e, name, "a member is missing or of the wrong type");
		goto out;
	}
	if (strncmp(l->token_endpoint, "https://", 8) != 0 ||
	    (l->revocation_endpoint != NULL &&
	     strncmp(l->revocation_endpoint, "https://", 8) != 0)) {
		rc = damaged(e, name, "an endpoint is not https");
		goto out;
	}
	arr = pj_json_get(o, "audiences", json_type_array);
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n && i < PJC_MAX_AUDIENCES; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(a, json_type_string) ||
		    (l->audiences[l->n_audiences] = strdup(json_object_get_string(a))) == NULL) {
			rc = damaged(e, name, "bad audiences");
			goto out;
		}
		l->n_audiences++;
	}
	arr = pj_json_get(o, "tokens", json_type_array);
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n && i < PJC_MAX_TOKENS; i++) {
		struct json_object *t = json_object_array_get_idx(arr, i);
		struct pjc_token *k = &l->tokens[l->n_tokens];

		struct json_object *spent = NULL;

		if (!json_object_is_type(t, json_type_object) ||
		    get_str(t, "audience", &k->audience, 1) != 0 ||
		    get_str(t, "access_token", &k->access_token, 1) != 0 ||
		    get_num(t, "expires_at", &k->expires_at) != 0 ||
		    (json_object_object_get_ex(t, "spent", &spent) &&
		     !json_object_is_type(spent, json_type_boolean))) {
			l->n_tokens++; /* so that pjc_login_free releases what was copied */
			rc = damaged(e, name, "bad tokens");
			goto out;
		}
		k->spent = spent != NULL && json_object_get_boolean(spent);
		l->n_tokens++;
	}
out:
	pj_json_wipe(o);
	json_object_put(o);
	if (rc != 0)
		pjc_login_free(l);
	return rc;
}

int pjc_login_read(const struct pjc_conf *c, struct pjc_login *l, struct pjc_err *e)
{
	char *name = pj_login_file_name(c->issuer, c->client_id, 0), *buf = NULL;
	size_t len = 0;
	int missing = 0, rc;

	memset(l, 0, sizeof(*l));
	if (name == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	rc = pjc_cache_read(c->cache_dir, name, &buf, &len, &missing, e);
	if (rc != 0) {
		if (missing)
			pjc_fail(e, PJC_EXIT_LOGIN,
			         "you are not logged in to %s (as client %s): run pam-jwt login",
			         c->issuer, c->client_id);
		free(name);
		return rc;
	}
	rc = pjc_login_parse(buf, len, name, l, e);
	pj_free_secret(buf, len + 1);
	if (rc == 0 &&
	    (strcmp(l->issuer, c->issuer) != 0 || strcmp(l->client_id, c->client_id) != 0)) {
		pjc_login_free(l);
		rc = damaged(e, name, "it belongs to another issuer or client");
	}
	free(name);
	return rc;
}

int pjc_login_write(const char *dir, struct pjc_login *l, int64_t now, struct pjc_err *e)
{
	struct json_object *o = json_object_new_object(), *auds = json_object_new_array(),
	                   *toks = json_object_new_array();
	char *name = pj_login_file_name(l->issuer, l->client_id, 0);
	struct pj_login_head h = { l->issuer,         l->client_id,
		                   l->token_endpoint, l->revocation_endpoint,
		                   l->refresh_token,  l->id_token,
		                   l->scope,          l->refresh_expires_at,
		                   l->login_time,     l->refresh_time };
	const char *text;
	size_t i, keep = 0;
	int bad = 0, rc;

	/* drop tokens that have expired: nothing can use them */
	for (i = 0; i < l->n_tokens; i++) {
		if (l->tokens[i].expires_at != 0 && l->tokens[i].expires_at <= now) {
			free(l->tokens[i].audience);
			pjc_set_secret(&l->tokens[i].access_token, NULL, NULL);
			continue;
		}
		l->tokens[keep++] = l->tokens[i];
	}
	l->n_tokens = keep;
	if (o == NULL || auds == NULL || toks == NULL || name == NULL) {
		json_object_put(auds);
		json_object_put(toks);
		bad = 1;
		goto out;
	}
	bad |= pj_login_put_head(o, &h);
	for (i = 0; i < l->n_audiences; i++)
		bad |= json_object_array_add(auds, json_object_new_string(l->audiences[i]));
	for (i = 0; i < l->n_tokens; i++)
		bad |= pj_login_put_token(toks, l->tokens[i].audience, l->tokens[i].access_token,
		                          l->tokens[i].expires_at, l->tokens[i].spent);
	bad |= json_object_object_add(o, "audiences", auds);
	bad |= json_object_object_add(o, "tokens", toks);
out:
	if (bad) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	} else {
		text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text == NULL) {
			rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
		} else {
			rc = pjc_cache_write(dir, name, text, strlen(text), e);
			OPENSSL_cleanse((char *)(uintptr_t)text, strlen(text));
		}
	}
	pj_json_wipe(o);
	json_object_put(o);
	free(name);
	return rc;
}

struct pjc_token *pjc_login_find(struct pjc_login *l, const char *audience)
{
	size_t i;

	for (i = 0; i < l->n_tokens; i++)
		if (strcmp(l->tokens[i].audience, audience) == 0)
			return &l->tokens[i];
	return NULL;
}

int pjc_login_put(struct pjc_login *l, const char *audience, const char *access_token,
                  int64_t expires_at, struct pjc_err *e)
{
	struct pjc_token *t = pjc_login_find(l, audience);

	if (t == NULL) {
		if (l->n_tokens == PJC_MAX_TOKENS) {
			/* full: replace the one that expires first */
			size_t i, first = 0;

			for (i = 1; i < l->n_tokens; i++)
				if (l->tokens[i].expires_at < l->tokens[first].expires_at)
					first = i;
			t = &l->tokens[first];
			free(t->audience);
			pjc_set_secret(&t->access_token, NULL, NULL);
		} else {
			t = &l->tokens[l->n_tokens++];
		}
		t->audience = strdup(audience);
		if (t->audience == NULL)
			return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	}
	t->expires_at = expires_at;
	t->spent = 0;
	return pjc_set_secret(&t->access_token, access_token, e);
}

int pjc_login_covers(const struct pjc_login *l, const char *audience)
{
	size_t i;

	for (i = 0; i < l->n_audiences; i++)
		if (strcmp(l->audiences[i], audience) == 0)
			return 1;
	return 0;
}

int pjc_login_add_audience(struct pjc_login *l, const char *audience, struct pjc_err *e)
{
	if (pjc_login_covers(l, audience))
		return 0;
	if (l->n_audiences == PJC_MAX_AUDIENCES)
		return pjc_fail(e, PJC_EXIT_USAGE, "a login covers at most %d audiences",
		                PJC_MAX_AUDIENCES);
	l->audiences[l->n_audiences] = strdup(audience);
	if (l->audiences[l->n_audiences] == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	l->n_audiences++;
	return 0;
}
