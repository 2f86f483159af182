/* pam-jwt login [--audience A]... [--issuer URL] [--client-id ID]
 *               [--scope S] [--ca-file F] [--no-qr] [--json] [--browser]
 *
 * The OAuth 2.0 Device Authorization Grant (RFC 8628): ask the auth
 * center for a user code, show the verification URL, the code and (on a
 * terminal) a QR code, poll the token endpoint at the interval it asks
 * for (slower after slow_down) until the person approves, and keep the
 * refresh token in the user's cache.  The login covers a set of audiences
 * (RFC 8707 resource indicators): client.conf's `audiences`, --audience,
 * and those of the previous login.  --browser: the authorization code
 * grant with PKCE instead (browser_login.c). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "sso.h"
#include "pj_json.h"

#define MAX_NET_ERRORS 3

static void usage(FILE *f)
{
	fputs("usage: pam-jwt login [--audience A]... [--issuer URL] [--client-id ID] [--scope S]\n"
	      "                     [--ca-file F] [--cache-dir D] [--no-qr] [--json] [--browser]\n"
	      "\n"
	      "  Log in at the auth center with the device flow: open the URL shown (or scan\n"
	      "  the QR code), enter the code, approve.  The refresh token is kept in\n"
	      "  $XDG_CACHE_HOME/pam-jwt (mode 0700) for `pam-jwt token` and `askpass`.\n"
	      "  --audience A  an audience (absolute URI, e.g. ssh://host1) the login covers;\n"
	      "                repeatable; added to `audiences` of client.conf and to the\n"
	      "                audiences of the previous login\n"
	      "  --browser     log in with a browser on this machine instead (authorization\n"
	      "                code with PKCE, answer on a 127.0.0.1 port; xdg-open when there\n"
	      "                is a display, else open the URL shown)\n"
	      "  --no-qr       no QR code\n"
	      "  --json        machine-readable events on stdout, one JSON object per line\n"
	      "\n"
	      "  Exit status: 0 logged in, 1 refused, denied or the code expired, 2 usage or\n"
	      "  configuration error, 4 unsafe cache, 5 auth center unreachable.\n",
	      f);
}

struct login_opts {
	const char *audiences[PJC_MAX_AUDIENCES];
	size_t n_audiences;
	int no_qr, json, browser;
};

/* RFC 8707: an absolute URI without a fragment. */
static int absolute_uri(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	if (s[i] != ':' || s[i + 1] == '\0' || strchr(s, '#') != NULL)
		return 0;
	for (; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int add_audience(struct pjc_login *l, const char *a, struct pjc_err *e)
{
	if (!absolute_uri(a))
		return pjc_fail(
		        e, PJC_EXIT_USAGE,
		        "audience \"%.100s\" is not an absolute URI (RFC 8707), e.g. ssh://host1",
		        a);
	return pjc_login_add_audience(l, a, e);
}

/* Audiences: the options, client.conf's list, the previous login's. */
static int collect_audiences(const struct pjc_conf *c, const struct login_opts *o,
                             const struct pjc_login *old, struct pjc_login *l, struct pjc_err *e)
{
	const char *p = c->audiences, *w;
	size_t i, wl;
	int rc = 0;

	for (i = 0; rc == 0 && i < o->n_audiences; i++)
		rc = add_audience(l, o->audiences[i], e);
	while (rc == 0 && p != NULL && pjc_next_word(&p, &w, &wl)) {
		char *a = strndup(w, wl);

		if (a == NULL)
			return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
		rc = add_audience(l, a, e);
		free(a);
	}
	for (i = 0; rc == 0 && old != NULL && i < old->n_audiences; i++)
		rc = add_audience(l, old->audiences[i], e);
	return rc;
}

/* scope with offline_access (so that a refresh token is issued). */
static char *login_scope(const char *scope)
{
	const char *p = scope, *w;
	size_t n = strlen(scope), wl;
	char *out;

	while (pjc_next_word(&p, &w, &wl))
		if (wl == 14 && memcmp(w, "offline_access", 14) == 0)
			return strdup(scope);
	out = malloc(n + 16);
	if (out != NULL)
		snprintf(out, n + 16, "%s%soffline_access", scope, n ? " " : "");
	return out;
}

static void json_event(const char *event, struct json_object *o)
{
	json_object_object_add(o, "event", json_object_new_string(event));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
}

static void show_code(const struct login_opts *o, const struct pjc_conf *c, const char *uri,
                      const char *complete, const char *code, int64_t expires_in)
{
	char s_uri[512], s_complete[512], s_code[64], left[32];
	struct json_object *j;

	pj_sanitize(s_uri, sizeof(s_uri), uri, strlen(uri));
	pj_sanitize(s_complete, sizeof(s_complete), complete ? complete : "",
	            complete ? strlen(complete) : 0);
	pj_sanitize(s_code, sizeof(s_code), code, strlen(code));
	if (o->json) {
		j = json_object_new_object();
		json_object_object_add(j, "verification_uri", json_object_new_string(s_uri));
		if (complete != NULL)
			json_object_object_add(j, "verification_uri_complete",
			                       json_object_new_string(s_complete));
		json_object_object_add(j, "user_code", json_object_new_string(s_code));
		json_object_object_add(j, "expires_in", json_object_new_int64(expires_in));
		json_event("device_authorization", j);
		return;
	}
	pjc_duration(expires_in, left, sizeof(left));
	printf("To log in to %s, open this page in a browser:\n\n    %s\n\n"
	       "and enter the code:  %s\n\n",
	       c->issuer, s_uri, s_code);
	if (!o->no_qr && isatty(1)) {
		/* the complete URI saves typing the code; else the page itself */
		const char *qr = complete != NULL ? s_complete : s_uri;

		printf("Or scan this QR code (it opens %s%s):\n\n", qr,
		       complete != NULL ? " with the code filled in" : "");
		if (pjc_qr_print(stdout, qr) == 0)
			putchar('\n');
	} else if (complete != NULL) {
		printf("(or open %s)\n\n", s_complete);
	}
	printf("The code expires in %s.\n", left);
	fflush(stdout);
}

/* Wait `seconds`, showing the time left on a terminal. */
static void wait_step(int seconds, int64_t deadline, int tty)
{
	struct timespec one = { 1, 0 };
	int i;

	for (i = 0; i < seconds; i++) {
		if (tty) {
			int64_t left = deadline - (int64_t)time(NULL);

			if (left < 0)
				left = 0;
			printf("\rWaiting for approval... %lld:%02lld left ",
			       (long long)(left / 60), (long long)(left % 60));
			fflush(stdout);
		}
		nanosleep(&one, NULL);
	}
}

/* Poll the token endpoint until approved, denied or expired.  tty: 1 on a
 * terminal (countdown), 0 plain output, -1 for --json (no human text). */
static int poll_token(const struct pjc_conf *c, const char *token_url, const char *device_code,
                      const char *resource, int64_t interval, int64_t deadline, int tty,
                      struct pjc_oauth_resp *r, struct pjc_err *e)
{
	int net_errors = 0, rc;
	char why[400];

	if (tty == 0) /* a terminal gets the countdown; --json (-1) nothing */
		printf("Waiting for approval...\n");
	fflush(stdout);
	for (;;) {
		struct pj_form f = { NULL, 0, 0, 0 };

		wait_step((int)interval, deadline, tty > 0);
		if ((int64_t)time(NULL) > deadline)
			return pjc_fail(
			        e, PJC_EXIT_FAIL,
			        "the code expired before the login was approved: run pam-jwt "
			        "login again");
		pj_form_add(&f, "grant_type", PJ_DEVICE_GRANT);
		pj_form_add(&f, "device_code", device_code);
		pj_form_add(&f, "client_id", c->client_id);
		if (resource != NULL)
			pj_form_add(&f, "resource", resource);
		rc = pjc_oauth_post(c, token_url, &f, r, e);
		pj_form_free(&f);
		if (rc == PJC_EXIT_NETWORK && ++net_errors < MAX_NET_ERRORS) {
			fprintf(stderr, "\npam-jwt login: %s (trying again)\n", e->msg);
			continue;
		}
		if (rc != 0)
			return rc;
		net_errors = 0;
		switch (pj_poll_classify(r->status, pjc_oauth_str(r, "access_token") != NULL,
		                         r->error)) {
		case PJ_POLL_TOKEN: return 0;
		case PJ_POLL_SLOW_DOWN:
			interval += 5; /* RFC 8628 section 3.5 */
			/* fall through */
		case PJ_POLL_PENDING: pjc_oauth_resp_free(r); continue;
		case PJ_POLL_DENIED:
			pjc_oauth_error_text(r, why, sizeof(why));
			return pjc_fail(e, PJC_EXIT_FAIL,
			                "the login was denied at the auth center (%s): run pam-jwt "
			                "login again to retry",
			                why);
		case PJ_POLL_EXPIRED:
			return pjc_fail(
			        e, PJC_EXIT_FAIL,
			        "the code expired before the login was approved: run pam-jwt "
			        "login again");
		case PJ_POLL_ERROR: break;
		}
		pjc_oauth_error_text(r, why, sizeof(why));
		return pjc_fail(e, PJC_EXIT_FAIL, "the auth center refused the login (%s)", why);
	}
}

static void say_logged_in(const struct login_opts *o, const struct pjc_conf *c,
                          const struct pjc_login *l)
{
	struct json_object *claims =
	        pjc_peek_claims(l->id_token ? l->id_token : l->tokens[0].access_token);
	const char *sub = NULL, *name = NULL;
	size_t slen = 0, nlen = 0, i;
	char s_sub[128] = "?", s_name[128] = "";

	if (claims != NULL) {
		if (pj_json_get_string(claims, "sub", &sub, &slen) == 1)
			pj_sanitize(s_sub, sizeof(s_sub), sub, slen);
		if (pj_json_get_string(claims, "preferred_username", &name, &nlen) == 1 ||
		    pj_json_get_string(claims, "email", &name, &nlen) == 1)
			pj_sanitize(s_name, sizeof(s_name), name, nlen);
	}
	json_object_put(claims);
	if (o->json) {
		struct json_object *j = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(j, "issuer", json_object_new_string(c->issuer));
		json_object_object_add(j, "sub", json_object_new_string(s_sub));
		for (i = 0; i < l->n_audiences; i++)
			json_object_array_add(a, json_object_new_string(l->audiences[i]));
		json_object_object_add(j, "audiences", a);
		json_object_object_add(j, "refresh_token",
		                       json_object_new_boolean(l->refresh_token != NULL));
		json_event("logged_in", j);
		return;
	}
	printf("Logged in to %s as %s%s%s%s.\n", c->issuer, s_sub, s_name[0] ? " (" : "", s_name,
	       s_name[0] ? ")" : "");
	if (l->n_audiences > 0) {
		printf("Tokens can be had for:");
		for (i = 0; i < l->n_audiences; i++)
			printf(" %s", l->audiences[i]);
		printf("  (pam-jwt token --audience AUDIENCE)\n");
	}
}

static int parse_args(int argc, char **argv, struct pjc_conf *c, struct login_opts *o,
                      struct pjc_err *e)
{
	int i, r;

	for (i = 0; i < argc; i++) {
		if ((r = pjc_common_option(c, argc, argv, &i, e)) < 0)
			return e->code;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--audience") == 0 && i + 1 < argc) {
			if (o->n_audiences == PJC_MAX_AUDIENCES)
				return pjc_fail(e, PJC_EXIT_USAGE, "too many --audience options");
			o->audiences[o->n_audiences++] = argv[++i];
		} else if (strcmp(argv[i], "--browser") == 0) {
			o->browser = 1;
		} else if (strcmp(argv[i], "--no-qr") == 0) {
			o->no_qr = 1;
		} else if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
		} else {
			return pjc_fail(e, PJC_EXIT_USAGE,
			                "unexpected argument \"%.64s\" (see pam-jwt "
			                "login --help)",
			                argv[i]);
		}
	}
	return 0;
}

int cmd_login(int argc, char **argv)
{
	struct pjc_conf c;
	struct pjc_err e = { 0, "" };
	struct login_opts o;
	struct pjc_endpoints ep;
	struct pjc_login old, l;
	struct pjc_oauth_resp r, dr;
	struct pj_form f = { NULL, 0, 0, 0 };
	struct pj_device_auth da;
	struct pj_err perr;
	char *scope = NULL, *lockname = NULL;
	int64_t now;
	int rc, have_old = 0, lock;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&ep, 0, sizeof(ep));
	memset(&old, 0, sizeof(old));
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	memset(&dr, 0, sizeof(dr));
	memset(&da, 0, sizeof(da));
	pj_err_clear(&perr);
	if (pjc_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = pjc_conf_load(&c, &e)) != 0 || (rc = parse_args(argc, argv, &c, &o, &e)) != 0 ||
	    (rc = pjc_conf_need_client(&c, &e)) != 0 ||
	    (rc = pjc_cache_check_dir(c.cache_dir, 1, &e)) != 0)
		goto out;
	/* a damaged or missing previous login is simply replaced */
	have_old = pjc_login_read(&c, &old, &e) == 0;
	if ((rc = collect_audiences(&c, &o, have_old ? &old : NULL, &l, &e)) != 0)
		goto out;
	scope = login_scope(c.scope);
	if (scope == NULL) {
		rc = pjc_fail(&e, PJC_EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((rc = pjc_discover(&c, &ep, &e)) != 0)
		goto out;
	if (o.browser) {
		if (ep.authorization == NULL) {
			rc = pjc_fail(
			        &e, PJC_EXIT_FAIL,
			        "the auth center %s has no authorization_endpoint for --browser",
			        c.issuer);
			goto out;
		}
		rc = pjc_browser_login(&c, ep.authorization, ep.token, scope, &l, o.json, &r, &e);
		if (rc != 0)
			goto out;
		goto store;
	}
	if (ep.device == NULL) {
		rc = pjc_fail(&e, PJC_EXIT_FAIL,
		              "the auth center %s does not offer the device flow (no "
		              "device_authorization_endpoint in its discovery document)",
		              c.issuer);
		goto out;
	}
	pj_form_add(&f, "client_id", c.client_id);
	pj_form_add(&f, "scope", scope);
	for (i = 0; i < l.n_audiences; i++)
		pj_form_add(&f, "resource", l.audiences[i]);
	rc = pjc_oauth_post(&c, ep.device, &f, &dr, &e);
	pj_form_free(&f);
	if (rc != 0)
		goto out;
	if (pj_device_auth_read(dr.json, dr.status, &da, &perr) != PJ_OK) {
		char why[400];

		pjc_oauth_error_text(&dr, why, sizeof(why));
		rc = pjc_fail(&e, PJC_EXIT_FAIL,
		              "the auth center refused to start the login (%s)%s", why,
		              strcmp(dr.error, "invalid_target") == 0
		                      ? ": check the audiences (absolute URIs it knows)"
		                      : "");
		goto out;
	}
	now = (int64_t)time(NULL);
	show_code(&o, &c, da.uri, da.uri_complete, da.user_code, da.expires_in);
	rc = poll_token(&c, ep.token, da.device_code, l.n_audiences ? l.audiences[0] : NULL,
	                da.interval, now + da.expires_in, o.json ? -1 : isatty(1), &r, &e);
	if (!o.json && isatty(1))
		printf("\r%40s\r", "");
	if (rc != 0)
		goto out;
store:
	now = (int64_t)time(NULL);
	if ((l.issuer = strdup(c.issuer)) == NULL || (l.client_id = strdup(c.client_id)) == NULL ||
	    (l.token_endpoint = strdup(ep.token)) == NULL ||
	    (ep.revocation != NULL && (l.revocation_endpoint = strdup(ep.revocation)) == NULL)) {
		rc = pjc_fail(&e, PJC_EXIT_FAIL, "out of memory");
		goto out;
	}
	l.scope = scope;
	scope = NULL;
	l.login_time = now;
	if ((rc = pjc_store_response(&l, &r, l.n_audiences ? l.audiences[0] : "", now, &e)) != 0)
		goto out;
	lockname = pj_login_file_name(c.issuer, c.client_id, 1);
	lock = lockname ? pjc_cache_lock(c.cache_dir, lockname, 30, &e) : -1;
	if (lock < 0) {
		rc = lockname ? e.code : pjc_fail(&e, PJC_EXIT_FAIL, "out of memory");
		goto out;
	}
	rc = pjc_login_write(c.cache_dir, &l, now, &e);
	pjc_cache_unlock(lock);
	if (rc != 0)
		goto out;
	if (l.refresh_token == NULL)
		fprintf(stderr,
		        "pam-jwt login: warning: the auth center issued no refresh token (is "
		        "offline_access allowed for client %s?); run pam-jwt login again when the "
		        "token expires\n",
		        c.client_id);
	/* the previous login's refresh token is of no use now */
	if (have_old && old.refresh_token != NULL && old.revocation_endpoint != NULL &&
	    pjc_revoke(&c, old.revocation_endpoint, old.refresh_token, "refresh_token", &e) != 0)
		fprintf(stderr,
		        "pam-jwt login: note: the previous login could not be revoked: %s\n",
		        e.msg);
	say_logged_in(&o, &c, &l);
	rc = 0;
out:
	pj_device_auth_free(&da);
	free(scope);
	free(lockname);
	pjc_oauth_resp_free(&dr);
	pjc_oauth_resp_free(&r);
	pjc_endpoints_free(&ep);
	pjc_login_free(&old);
	pjc_login_free(&l);
	pjc_conf_free(&c);
	return rc != 0 ? pjc_report("login", &e) : 0;
}
