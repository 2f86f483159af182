/* A valid access token for an audience: from the cache when it stays
 * valid long enough, else by the refresh token grant (RFC 6749 section 6)
 * with resource=AUDIENCE (RFC 8707), so that each host gets a token only
 * it accepts.  Refresh tokens rotate: the new one is in the cache (written
 * atomically, under a lock shared with every other pam-jwt of this user)
 * before the access token is handed out, so two parallel ssh logins never
 * use the same refresh token twice (which would revoke the login). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client.h"
#include "sso.h"

int pjc_store_response(struct pjc_login *l, const struct pjc_oauth_resp *r, const char *audience,
                       int64_t now, struct pjc_err *e)
{
	const char *at = pjc_oauth_str(r, "access_token");
	const char *type = pjc_oauth_str(r, "token_type");
	const char *rt = pjc_oauth_str(r, "refresh_token");
	const char *idt = pjc_oauth_str(r, "id_token");
	int64_t exp, in;

	if (at == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "the auth center's answer has no access_token");
	if (type != NULL && strcasecmp(type, "Bearer") != 0)
		return pjc_fail(e, PJC_EXIT_FAIL,
		                "the auth center issued a %.32s token; pam-jwt needs Bearer tokens",
		                type);
	exp = pjc_peek_exp(at);
	if (exp == 0 && (in = pjc_oauth_int(r, "expires_in", 0)) > 0)
		exp = now + in;
	if (audience != NULL && pjc_login_put(l, audience, at, exp, e) != 0)
		return e->code;
	if (rt != NULL) {
		if (pjc_set_secret(&l->refresh_token, rt, e) != 0)
			return e->code;
		in = pjc_oauth_int(r, "refresh_expires_in", 0);
		l->refresh_expires_at = in > 0 ? now + in : 0;
	}
	if (idt != NULL && pjc_set_secret(&l->id_token, idt, e) != 0)
		return e->code;
	l->refresh_time = now;
	return 0;
}

static void covered_list(const struct pjc_login *l, char *out, size_t outsz)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < l->n_audiences && n + 1 < outsz; i++) {
		int w = snprintf(out + n, outsz - n, "%s%s", i ? ", " : "", l->audiences[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (l->n_audiences == 0)
		snprintf(out, outsz, "none");
}

/* The refresh failed with an OAuth error: say what it means. */
static int refresh_refused(const struct pjc_conf *c, struct pjc_login *l,
                           const struct pjc_oauth_resp *r, const char *aud, int64_t now,
                           struct pjc_err *e)
{
	char why[400];
	struct pjc_err ignored;

	pjc_oauth_error_text(r, why, sizeof(why));
	if (strcmp(r->error, "invalid_grant") == 0) {
		/* dead for good: forget it so that nothing sends it again */
		pjc_set_secret(&l->refresh_token, NULL, NULL);
		(void)pjc_login_write(c->cache_dir, l, now, &ignored);
		return pjc_fail(e, PJC_EXIT_LOGIN,
		                "your login to %s has expired or was revoked (the auth center "
		                "said: %s): run pam-jwt login",
		                c->issuer, why);
	}
	if (strcmp(r->error, "invalid_target") == 0)
		return pjc_fail(e, PJC_EXIT_LOGIN,
		                "the auth center refuses tokens for %s with this login (%s): run "
		                "pam-jwt login --audience %s",
		                aud[0] ? aud : "the default audience", why,
		                aud[0] ? aud : "AUDIENCE");
	if (strcmp(r->error, "invalid_client") == 0 || strcmp(r->error, "unauthorized_client") == 0)
		return pjc_fail(e, PJC_EXIT_FAIL,
		                "the auth center does not accept client %s (%s): check client_id "
		                "in client.conf",
		                c->client_id, why);
	return pjc_fail(e, PJC_EXIT_FAIL,
	                "the auth center refused to refresh the token (%s); if this persists, "
	                "run pam-jwt login",
	                why);
}

static int copy_out(const struct pjc_token *t, char **token, int64_t *expires_at, struct pjc_err *e)
{
	*token = strdup(t->access_token);
	if (*token == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	*expires_at = t->expires_at;
	return 0;
}

int pjc_get_token(const struct pjc_conf *c, const char *audience, long min_valid, int fresh,
                  char **token, int64_t *expires_at, struct pjc_err *e)
{
	const char *aud = audience != NULL ? audience : "";
	struct pjc_login l;
	struct pjc_oauth_resp r;
	struct pj_form f = { NULL, 0, 0, 0 };
	struct pjc_token *t;
	struct pjc_err refused = { 0, "" };
	char *lockname = NULL, list[300];
	int64_t now;
	int lock = -1, rc, bad;

	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if ((rc = pjc_conf_need_client(c, e)) != 0)
		return rc;
	if ((rc = pjc_cache_check_dir(c->cache_dir, 0, e)) != 0) {
		if (rc == PJC_EXIT_LOGIN)
			pjc_fail(e, rc, "you are not logged in to %s: run pam-jwt login",
			         c->issuer);
		return rc;
	}
	lockname = pj_login_file_name(c->issuer, c->client_id, 1);
	if (lockname == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	lock = pjc_cache_lock(c->cache_dir, lockname, (int)c->http_timeout * 2 + 5, e);
	free(lockname);
	if (lock < 0)
		return e->code;
	/* read under the lock: another process may have refreshed meanwhile */
	if ((rc = pjc_login_read(c, &l, e)) != 0)
		goto out;
	now = (int64_t)time(NULL);
	t = pjc_login_find(&l, aud);
	if (t != NULL && !t->spent && !fresh && t->expires_at != 0 &&
	    t->expires_at - now >= min_valid &&
	    pjc_check_handout(c, t->access_token, aud, now, NULL) == 0) {
		rc = copy_out(t, token, expires_at, e);
		goto out;
	}
	if (aud[0] != '\0' && !pjc_login_covers(&l, aud)) {
		/* Never ask: an auth center may burn the refresh token on a
		 * resource the login was not granted (oidc-provider does). */
		covered_list(&l, list, sizeof(list));
		rc = pjc_fail(e, PJC_EXIT_LOGIN,
		              "your login does not cover audience %s (it covers: %s): run pam-jwt "
		              "login --audience %s (or add it to audiences in client.conf)",
		              aud, list, aud);
		goto out;
	}
	if (l.refresh_token == NULL || (l.refresh_expires_at != 0 && l.refresh_expires_at <= now)) {
		/* no refresh token (an auth center without offline_access): a
		 * valid cached token is better than nothing, even if spent */
		if (t != NULL && t->expires_at != 0 && t->expires_at - now >= min_valid) {
			rc = pjc_check_handout(c, t->access_token, aud, now, e);
			if (rc == 0)
				rc = copy_out(t, token, expires_at, e);
			goto out;
		}
		rc = pjc_fail(e, PJC_EXIT_LOGIN,
		              "your login to %s has expired%s: run pam-jwt login", c->issuer,
		              l.refresh_token == NULL ? " or was revoked" : "");
		goto out;
	}
	pj_form_add(&f, "grant_type", "refresh_token");
	pj_form_add(&f, "refresh_token", l.refresh_token);
	pj_form_add(&f, "client_id", c->client_id);
	if (aud[0] != '\0')
		pj_form_add(&f, "resource", aud);
	rc = pjc_oauth_post(c, l.token_endpoint, &f, &r, e);
	if (rc != 0) {
		if (rc == PJC_EXIT_NETWORK)
			snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
			         " (your login is kept)");
		goto out;
	}
	now = (int64_t)time(NULL);
	if (r.status != 200 || pjc_oauth_str(&r, "access_token") == NULL) {
		rc = refresh_refused(c, &l, &r, aud, now, e);
		goto out;
	}
	/* a token that another host would accept too is not kept, but the
	 * rotated refresh token that came with it is */
	bad = pjc_check_handout(c, pjc_oauth_str(&r, "access_token"), aud, now, &refused);
	if ((rc = pjc_store_response(&l, &r, bad ? NULL : aud, now, e)) != 0)
		goto out;
	t = pjc_login_find(&l, aud);
	if (t != NULL && bad)
		t->expires_at = 1; /* an older token for aud: dropped on write */
	else if (t != NULL)
		t->spent = fresh; /* handed to a host once: never again */
	/* the rotated refresh token is on disk before anyone sees a token */
	if ((rc = pjc_login_write(c->cache_dir, &l, now, e)) != 0) {
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
		         "; the new refresh token could not be saved: run pam-jwt login");
		goto out;
	}
	if (bad) {
		*e = refused;
		rc = e->code;
		goto out;
	}
	t = pjc_login_find(&l, aud);
	rc = t != NULL ? copy_out(t, token, expires_at, e)
	               : pjc_fail(e, PJC_EXIT_FAIL, "the new token was not kept");
out:
	pj_form_free(&f);
	pjc_oauth_resp_free(&r);
	pjc_login_free(&l);
	pjc_cache_unlock(lock);
	return rc;
}
