/* pam-jwt logout [--all] [--issuer URL] [--client-id ID] [--cache-dir D]
 *
 * Revokes the login's refresh token at the auth center's revocation
 * endpoint (RFC 7009, when its discovery document lists one) and deletes
 * the login from the cache, with the askpass session files.  --all does
 * so for every login in the cache.  Access tokens already handed out stay
 * valid until they expire: JWTs cannot be called back. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client.h"
#include "sso.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt logout [--all] [--issuer URL] [--client-id ID] [--cache-dir D]\n"
	      "\n"
	      "  Revoke the refresh token at the auth center (when it has a revocation\n"
	      "  endpoint) and delete the cached login and tokens.  --all: every login in\n"
	      "  the cache.\n"
	      "\n"
	      "  Exit status: 0 logged out, 1 deleted here but the auth center did not revoke,\n"
	      "  2 usage, 4 unsafe cache, 5 deleted here but the auth center was unreachable.\n",
	      f);
}

/* Revoke and delete one login file (name in the cache dir). */
static int logout_one(struct pjc_conf *c, const char *name, struct pjc_err *e)
{
	struct pjc_login l;
	struct pjc_err re = { 0, "" };
	char *buf = NULL, *lockname = NULL;
	size_t len = 0, n = strlen(name);
	int missing = 0, rc, lock = -1, revoked = 0;

	rc = pjc_cache_read(c->cache_dir, name, &buf, &len, &missing, e);
	if (rc == PJC_EXIT_CACHE)
		return rc;
	if (rc == 0 && pjc_login_parse(buf, len, name, &l, e) == 0) {
		if (l.refresh_token != NULL && l.revocation_endpoint != NULL) {
			struct pjc_conf lc = *c;

			lc.issuer = l.issuer;
			lc.client_id = l.client_id;
			revoked = pjc_revoke(&lc, l.revocation_endpoint, l.refresh_token,
			                     "refresh_token", &re) == 0;
		}
		printf("%s (client %s): %s\n", l.issuer, l.client_id,
		       revoked                   ? "refresh token revoked at the auth center"
		       : l.refresh_token == NULL ? "no refresh token to revoke"
		       : l.revocation_endpoint == NULL
		               ? "the auth center has no revocation endpoint"
		               : "NOT revoked at the auth center");
		pjc_login_free(&l);
	} else if (missing) {
		printf("%s (client %s): not logged in\n", c->issuer ? c->issuer : name,
		       c->client_id ? c->client_id : "?");
	} else {
		printf("%s: damaged, deleting it\n", name);
	}
	if (buf != NULL)
		pj_free_secret(buf, len + 1);
	/* ".json" -> ".lock" */
	lockname = strdup(name);
	if (lockname != NULL && n > 5) {
		memcpy(lockname + n - 5, ".lock", 5);
		lock = pjc_cache_lock(c->cache_dir, lockname, 30, e);
	}
	rc = pjc_cache_remove(c->cache_dir, name, e);
	if (lockname != NULL)
		(void)pjc_cache_remove(c->cache_dir, lockname, e);
	pjc_cache_unlock(lock);
	free(lockname);
	if (rc != 0)
		return rc;
	if (re.code != 0) {
		*e = re;
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
		         "; the login is deleted here, but its refresh token stays valid at the "
		         "auth center until it expires");
		return re.code;
	}
	return 0;
}

static void remove_sessions(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	struct pjc_err ignored;

	if (d == NULL)
		return;
	while ((ent = readdir(d)) != NULL)
		if (strncmp(ent->d_name, "askpass-", 8) == 0)
			(void)pjc_cache_remove(dir, ent->d_name, &ignored);
	closedir(d);
}

int cmd_logout(int argc, char **argv)
{
	struct pjc_conf c;
	struct pjc_err e = { 0, "" };
	char *name = NULL;
	int rc, all = 0;

	if (pjc_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = pjc_conf_load(&c, &e)) != 0 ||
	    (rc = pjc_args_with_flag(&c, argc, argv, "--all", &all, &e)) != 0)
		goto out;
	if (!all && (rc = pjc_conf_need_client(&c, &e)) != 0)
		goto out;
	if ((rc = pjc_cache_check_dir(c.cache_dir, 0, &e)) != 0) {
		if (rc == PJC_EXIT_LOGIN) {
			printf("not logged in: nothing to do\n");
			rc = 0;
		}
		goto out;
	}
	if (all) {
		DIR *d = opendir(c.cache_dir);
		struct dirent *ent;

		while (d != NULL && (ent = readdir(d)) != NULL) {
			size_t n = strlen(ent->d_name);
			struct pjc_err one = { 0, "" };
			int r1;

			if (strncmp(ent->d_name, "login-", 6) != 0 || n < 11 ||
			    strcmp(ent->d_name + n - 5, ".json") != 0)
				continue;
			r1 = logout_one(&c, ent->d_name, &one);
			if (r1 != 0) {
				fprintf(stderr, "pam-jwt logout: %s\n", one.msg);
				if (rc == 0)
					rc = r1;
			}
		}
		if (d != NULL)
			closedir(d);
		e.code = 0;
	} else {
		name = pj_login_file_name(c.issuer, c.client_id, 0);
		if (name == NULL) {
			rc = pjc_fail(&e, PJC_EXIT_FAIL, "out of memory");
			goto out;
		}
		rc = logout_one(&c, name, &e);
	}
	remove_sessions(c.cache_dir);
	if (rc == 0)
		printf("Logged out.  Access tokens already given out stay valid until they "
		       "expire.\n");
out:
	free(name);
	pjc_conf_free(&c);
	if (rc != 0 && e.code != 0)
		return pjc_report("logout", &e);
	return rc;
}
