/* pam-jwt status [--json] [--cache-dir D]
 *
 * Who am I and what is cached: for every login in the cache, the claims
 * of its ID token (or access token) decoded WITHOUT verifying the
 * signature (display only: hosts verify), when it was made and refreshed,
 * whether a refresh token is kept (never shown), the audiences it covers,
 * and each cached access token's audience and remaining lifetime. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client.h"
#include "pj_json.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt status [--json] [--cache-dir D]\n"
	      "\n"
	      "  Show the cached logins: who (claims decoded WITHOUT verification), since when,\n"
	      "  whether a refresh token is kept, the audiences covered and the cached access\n"
	      "  tokens with their remaining lifetime.  Tokens are never printed.\n"
	      "  --json  one JSON object: {\"cache_dir\", \"logins\": [...]}\n"
	      "\n"
	      "  Exit status: 0 logged in, 3 no usable login or a damaged login file, 4 unsafe\n"
	      "  cache, 2 usage.  Errors go to stderr (with --json, also to \"errors\").\n",
	      f);
}

static const char *const shown_claims[] = {
	"sub", "preferred_username", "email", "name", "groups", "scope", "aud"
};

/* The token whose claims say who this login is: the cached access token
 * that lives longest (what hosts see: groups, scope...), else the ID
 * token.  *what names it. */
static const char *whoami_token(const struct pjc_login *l, int64_t now, const char **what)
{
	const struct pjc_token *best = NULL;
	size_t i;

	for (i = 0; i < l->n_tokens; i++)
		if (l->tokens[i].expires_at > now &&
		    (best == NULL || l->tokens[i].expires_at > best->expires_at))
			best = &l->tokens[i];
	if (best != NULL) {
		*what = "access token";
		return best->access_token;
	}
	*what = "ID token";
	if (l->id_token != NULL)
		return l->id_token;
	*what = "expired access token";
	return l->n_tokens ? l->tokens[0].access_token : NULL;
}

static void print_claim(struct json_object *claims, const char *name)
{
	struct json_object *v = NULL;
	char buf[256], item[128];
	size_t i, n = 0;

	if (!json_object_object_get_ex(claims, name, &v) || v == NULL)
		return;
	buf[0] = '\0';
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v) && n + 1 < sizeof(buf); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(v, i));
			int w;

			pj_sanitize(item, sizeof(item), s ? s : "", s ? strlen(s) : 0);
			w = snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "", item);
			if (w < 0)
				break;
			n += (size_t)w;
		}
	} else {
		const char *s = json_object_get_string(v);

		pj_sanitize(buf, sizeof(buf), s ? s : "", s ? strlen(s) : 0);
	}
	printf("    %s: %s\n", name, buf);
}

static void when(const char *label, int64_t t, int64_t now)
{
	char d[32];

	if (t == 0)
		return;
	pjc_duration(now - t, d, sizeof(d));
	printf("  %s: %s ago\n", label, d);
}

/* Print one login (text); returns 1 when it can still give tokens. */
static int show_text(const struct pjc_login *l, const char *file, int64_t now)
{
	const char *what = NULL;
	struct json_object *claims = pjc_peek_claims(whoami_token(l, now, &what));
	size_t i;
	int usable = l->refresh_token != NULL;

	printf("login: %s (client %s)\n", l->issuer, l->client_id);
	if (claims != NULL) {
		printf("  identity (claims of the %s, decoded WITHOUT verifying its signature):\n",
		       what);
		for (i = 0; i < sizeof(shown_claims) / sizeof(shown_claims[0]); i++)
			print_claim(claims, shown_claims[i]);
	}
	when("logged in", l->login_time, now);
	when("last refresh", l->refresh_time, now);
	if (l->refresh_token != NULL)
		printf("  refresh token: kept in %s (never shown)\n", file);
	else
		printf("  refresh token: none (expired or revoked): run pam-jwt login\n");
	printf("  audiences covered:");
	for (i = 0; i < l->n_audiences; i++)
		printf(" %s", l->audiences[i]);
	printf("%s\n", l->n_audiences ? "" : " (none)");
	printf("  access tokens:%s\n", l->n_tokens ? "" : " none cached");
	for (i = 0; i < l->n_tokens; i++) {
		const struct pjc_token *t = &l->tokens[i];
		char d[32];

		pjc_duration(t->expires_at - now, d, sizeof(d));
		if (t->expires_at == 0)
			printf("    %-30s lifetime unknown\n",
			       t->audience[0] ? t->audience : "(default)");
		else if (t->expires_at > now)
			printf("    %-30s valid for %s%s\n",
			       t->audience[0] ? t->audience : "(default)", d,
			       t->spent ? " (given to a host by askpass)" : "");
		else
			printf("    %-30s expired %s ago\n",
			       t->audience[0] ? t->audience : "(default)", d);
		usable |= t->expires_at > now;
	}
	json_object_put(claims);
	return usable;
}

static int show_json(const struct pjc_login *l, const char *file, int64_t now,
                     struct json_object *arr)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array(),
	                   *t = json_object_new_array();
	const char *what = NULL;
	struct json_object *claims = pjc_peek_claims(whoami_token(l, now, &what));
	size_t i;
	int usable = l->refresh_token != NULL;

	json_object_object_add(o, "issuer", json_object_new_string(l->issuer));
	json_object_object_add(o, "client_id", json_object_new_string(l->client_id));
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "claims_verified", json_object_new_boolean(0));
	json_object_object_add(o, "claims", claims);
	json_object_object_add(o, "claims_from", json_object_new_string(what));
	json_object_object_add(o, "login_time", json_object_new_int64(l->login_time));
	json_object_object_add(o, "refresh_time", json_object_new_int64(l->refresh_time));
	json_object_object_add(o, "refresh_token",
	                       json_object_new_boolean(l->refresh_token != NULL));
	for (i = 0; i < l->n_audiences; i++)
		json_object_array_add(a, json_object_new_string(l->audiences[i]));
	json_object_object_add(o, "audiences", a);
	for (i = 0; i < l->n_tokens; i++) {
		struct json_object *k = json_object_new_object();

		json_object_object_add(k, "audience",
		                       json_object_new_string(l->tokens[i].audience));
		json_object_object_add(k, "expires_at",
		                       json_object_new_int64(l->tokens[i].expires_at));
		json_object_object_add(k, "spent", json_object_new_boolean(l->tokens[i].spent));
		json_object_object_add(k, "expires_in",
		                       json_object_new_int64(l->tokens[i].expires_at
		                                                     ? l->tokens[i].expires_at - now
		                                                     : 0));
		json_object_array_add(t, k);
		usable |= l->tokens[i].expires_at > now;
	}
	json_object_object_add(o, "tokens", t);
	json_object_object_add(o, "usable", json_object_new_boolean(usable));
	json_object_array_add(arr, o);
	return usable;
}

int cmd_status(int argc, char **argv)
{
	struct pjc_conf c;
	struct pjc_err e = { 0, "" };
	struct json_object *arr = NULL, *errs = NULL;
	DIR *d = NULL;
	struct dirent *ent;
	int64_t now = (int64_t)time(NULL);
	int rc, json = 0, usable = 0, found = 0, failed = 0;

	if (pjc_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = pjc_conf_load(&c, &e)) != 0 ||
	    (rc = pjc_args_with_flag(&c, argc, argv, "--json", &json, &e)) != 0)
		goto out;
	if ((rc = pjc_cache_check_dir(c.cache_dir, 0, &e)) != 0 && rc != PJC_EXIT_LOGIN)
		goto out;
	arr = json_object_new_array();
	errs = json_object_new_array();
	d = rc == 0 ? opendir(c.cache_dir) : NULL;
	while (d != NULL && (ent = readdir(d)) != NULL) {
		struct pjc_login l;
		char *buf = NULL, *path;
		size_t len = 0, n = strlen(ent->d_name);
		int missing = 0;

		if (strncmp(ent->d_name, "login-", 6) != 0 || n < 11 ||
		    strcmp(ent->d_name + n - 5, ".json") != 0)
			continue;
		found++;
		path = pjc_path(c.cache_dir, ent->d_name);
		if (pjc_cache_read(c.cache_dir, ent->d_name, &buf, &len, &missing, &e) != 0 ||
		    pjc_login_parse(buf, len, path ? path : ent->d_name, &l, &e) != 0) {
			(void)pjc_report("status", &e);
			json_object_array_add(errs, json_object_new_string(e.msg));
			if (failed == 0 || e.code == PJC_EXIT_CACHE)
				failed = e.code ? e.code : PJC_EXIT_FAIL;
		} else {
			usable |= json ? show_json(&l, path ? path : "", now, arr)
			               : show_text(&l, path ? path : "", now);
			pjc_login_free(&l);
		}
		if (buf != NULL)
			pj_free_secret(buf, len + 1);
		free(path);
	}
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "cache_dir", json_object_new_string(c.cache_dir));
		json_object_object_add(o, "logins", arr);
		json_object_object_add(o, "errors", errs);
		arr = errs = NULL;
		printf("%s\n",
		       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
		                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	if (found == 0) {
		rc = pjc_fail(&e, PJC_EXIT_LOGIN,
		              "not logged in (nothing in %s): run pam-jwt login", c.cache_dir);
		goto out;
	}
	/* a login file that cannot be read is an error even beside good ones */
	rc = failed ? failed : usable ? 0 : PJC_EXIT_LOGIN;
	e.code = 0; /* already shown */
out:
	if (d != NULL)
		closedir(d);
	json_object_put(arr);
	json_object_put(errs);
	pjc_conf_free(&c);
	if (rc != 0 && e.code != 0)
		return pjc_report("status", &e);
	return rc;
}
