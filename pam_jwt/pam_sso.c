/* The session's token cache (see pam_desktop.h and sso.h).
 *
 * Authentication keeps the tokens in two places: the handle's data (for
 * an application that opens the session with the same handle: greeters,
 * login, su) and the PAM environment variable PAM_JWT_SSO (for sshd,
 * whose session parent gets the authenticating child's PAM environment
 * but not its data).  The first of setcred(PAM_ESTABLISH_CRED) and
 * open_session writes the cache as the user and removes the variable, so
 * the tokens never reach the session's environment; only where they are
 * does (PAM_JWT_CLI_*, read by the token helper). */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "b64.h"
#include "pam_desktop.h"

#define SSO_KEY "pam_jwt_sso" /* the kept tokens (JSON text) */
#define SSO_DONE_KEY "pam_jwt_sso_done" /* the written cache (struct done) */
#define SSO_ENV "PAM_JWT_SSO"

struct done {
	char *cache_dir, *issuer, *client_id, *ca_file;
};

static void free_text(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	if (data != NULL)
		pj_free_secret(data, strlen(data) + 1);
}

static void free_done(pam_handle_t *pamh, void *data, int error_status)
{
	struct done *d = data;

	(void)pamh;
	(void)error_status;
	if (d == NULL)
		return;
	free(d->cache_dir);
	free(d->issuer);
	free(d->client_id);
	free(d->ca_file);
	free(d);
}

int pj_pam_sso_keep(pam_handle_t *pamh, const char *user, struct pj_sso *sso)
{
	struct pj_err err;
	char *text = NULL, *b64 = NULL, *env = NULL;
	size_t n;
	int rc = -1;

	pj_err_clear(&err);
	sso->user = strdup(user);
	if (sso->user == NULL || pj_sso_to_text(sso, &text, &err) != PJ_OK)
		goto out;
	b64 = b64_encode((const unsigned char *)text, strlen(text));
	n = b64 != NULL ? strlen(b64) + sizeof(SSO_ENV "=") : 0;
	if (b64 == NULL || (env = malloc(n)) == NULL)
		goto out;
	snprintf(env, n, SSO_ENV "=%s", b64);
	if (pam_putenv(pamh, env) != PAM_SUCCESS)
		goto out;
	if (pam_set_data(pamh, SSO_KEY, text, free_text) != PAM_SUCCESS)
		goto out;
	text = NULL;
	rc = 0;
out:
	if (rc != 0)
		pam_syslog(pamh, LOG_ERR, "cannot keep the tokens for the session's sign-on");
	if (text != NULL)
		pj_free_secret(text, strlen(text) + 1);
	if (b64 != NULL)
		pj_free_secret(b64, strlen(b64));
	if (env != NULL)
		pj_free_secret(env, strlen(env));
	pj_sso_free(sso);
	return rc;
}

/* The kept tokens: this handle's data, else the PAM environment (decoded
 * into a new string).  The variable is removed either way. */
static char *take_kept(pam_handle_t *pamh)
{
	const void *data = NULL;
	const char *env = pam_getenv(pamh, SSO_ENV);
	unsigned char *dec = NULL;
	size_t declen = 0;
	char *text = NULL;

	if (pam_get_data(pamh, SSO_KEY, &data) == PAM_SUCCESS && data != NULL)
		text = strdup(data);
	else if (env != NULL && b64_decode(env, strlen(env), &dec, &declen) == 0)
		text = (char *)dec;
	if (env != NULL)
		pam_putenv(pamh, SSO_ENV); /* "NAME" alone deletes it */
	return text;
}

static int put(pam_handle_t *pamh, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *a = malloc(n);
	int rc;

	if (a == NULL)
		return -1;
	snprintf(a, n, "%s=%s", name, value);
	rc = pam_putenv(pamh, a) == PAM_SUCCESS ? 0 : -1;
	free(a);
	return rc;
}

void pj_pam_sso_export(pam_handle_t *pamh)
{
	const void *data = NULL;
	const struct done *d;

	if (pam_get_data(pamh, SSO_DONE_KEY, &data) != PAM_SUCCESS || data == NULL)
		return;
	d = data;
	if (put(pamh, "PAM_JWT_CLI_CACHE_DIR", d->cache_dir) != 0 ||
	    put(pamh, "PAM_JWT_CLI_ISSUER", d->issuer) != 0 ||
	    put(pamh, "PAM_JWT_CLI_CLIENT_ID", d->client_id) != 0 ||
	    (d->ca_file != NULL && put(pamh, "PAM_JWT_CLI_CA_FILE", d->ca_file) != 0))
		pam_syslog(pamh, LOG_ERR, "cannot export where the session's tokens are");
}

/* The user's runtime directory: XDG_RUNTIME_DIR of the PAM environment
 * (pam_systemd sets it), else /run/user/UID.  The cache is written as
 * the user, so a value the user chose can only send it where the user
 * can write anyway. */
static void runtime_dir(pam_handle_t *pamh, uid_t uid, char *out, size_t outsz)
{
	const char *x = pam_getenv(pamh, "XDG_RUNTIME_DIR");

	/* never cut short: a prefix of a path names another directory */
	if (x != NULL && x[0] == '/' && strlen(x) < outsz)
		snprintf(out, outsz, "%s", x);
	else
		snprintf(out, outsz, "/run/user/%lu", (unsigned long)uid);
}

static int user_ids(pam_handle_t *pamh, const char *want, uid_t *uid, gid_t *gid)
{
	const char *user = NULL;
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL ||
	    (want != NULL && strcmp(user, want) != 0))
		return -1;
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

void pj_pam_sso_establish(pam_handle_t *pamh)
{
	const void *data = NULL;
	struct pj_sso s;
	struct pj_err err;
	struct done *d = NULL;
	char *text, *cache_dir = NULL, rundir[512];
	uid_t uid = 0;
	gid_t gid = 0;

	if (pam_get_data(pamh, SSO_DONE_KEY, &data) == PAM_SUCCESS && data != NULL)
		return;
	text = take_kept(pamh);
	if (text == NULL)
		return;
	pj_err_clear(&err);
	memset(&s, 0, sizeof(s));
	if (pj_sso_from_text(text, strlen(text), &s, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "session sign-on: %s", err.reason);
		goto out;
	}
	if (user_ids(pamh, s.user, &uid, &gid) != 0) {
		pam_syslog(pamh, LOG_NOTICE,
		           "session sign-on: the session's user is not the one who signed in; "
		           "no token cache");
		goto out;
	}
	runtime_dir(pamh, uid, rundir, sizeof(rundir));
	if (pj_sso_write(&s, uid, gid, rundir, getpid(), &cache_dir, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR,
		           "session sign-on: no token cache: %s (is pam_systemd before pam_jwt in "
		           "the session stack?)",
		           err.reason);
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || (d->issuer = strdup(s.issuer)) == NULL ||
	    (d->client_id = strdup(s.client_id)) == NULL ||
	    (s.ca_file != NULL && (d->ca_file = strdup(s.ca_file)) == NULL)) {
		free(cache_dir);
		free_done(pamh, d, 0);
		goto out;
	}
	d->cache_dir = cache_dir;
	if (pam_set_data(pamh, SSO_DONE_KEY, d, free_done) != PAM_SUCCESS) {
		free_done(pamh, d, 0);
		goto out;
	}
	pam_syslog(pamh, LOG_INFO, "session sign-on: tokens of user %s kept in %s", s.user,
	           cache_dir);
	pj_pam_sso_export(pamh);
out:
	pj_sso_free(&s);
	pj_free_secret(text, strlen(text) + 1);
}

void pj_pam_sso_close(pam_handle_t *pamh, const struct pj_config *cfg)
{
	const void *data = NULL;
	const struct done *d = NULL;
	struct pj_err err;
	char rundir[512], dir[600];
	const char *cache_dir, *issuer, *client_id;
	uid_t uid;
	gid_t gid;
	int removed = 0;

	if (pam_get_data(pamh, SSO_DONE_KEY, &data) == PAM_SUCCESS && data != NULL)
		d = data;
	if (user_ids(pamh, NULL, &uid, &gid) != 0)
		return;
	if (d != NULL) {
		cache_dir = d->cache_dir;
		issuer = d->issuer;
		client_id = d->client_id;
	} else {
		/* written by another process of the application (sshd's
		 * session child): the same places, from the configuration */
		if (cfg == NULL || cfg->issuer == NULL || cfg->client_id == NULL)
			return;
		runtime_dir(pamh, uid, rundir, sizeof(rundir));
		snprintf(dir, sizeof(dir), "%s/" PJ_SSO_DIR, rundir);
		cache_dir = dir;
		issuer = cfg->issuer;
		client_id = cfg->client_id;
	}
	pj_err_clear(&err);
	if (pj_sso_close(cache_dir, uid, gid, issuer, client_id, getpid(), &removed, &err) !=
	            PJ_OK &&
	    d != NULL)
		pam_syslog(pamh, LOG_ERR, "session sign-on: %s", err.reason);
	else if (removed)
		pam_syslog(pamh, LOG_INFO,
		           "session sign-on: token cache of the last session removed");
}
