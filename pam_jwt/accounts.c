/* Accounts from the auth center: the decision half (see accounts.h).
 * Reads, never writes. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"
#include "jwtdb.h"
#include "pj_json.h"
#include "safefile.h"

#define NSS_BUF 16384

int pj_acct_nss_missing(int r)
{
	/* "not found" as getpwnam_r(3) lists the ways implementations say it */
	return r == ENOENT || r == ESRCH || r == EBADF || r == EPERM;
}

int pj_acct_home_valid(const char *t)
{
	const char *p;

	if (t[0] != '/' || strstr(t, "/../") != NULL || strstr(t, "/./") != NULL ||
	    strcmp(t + strlen(t) - (strlen(t) >= 3 ? 3 : 0), "/..") == 0 || strlen(t) > 200)
		return 0;
	for (p = t; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == ':')
			return 0;
		if (*p == '%' && p[1] != 'u')
			return 0;
	}
	return 1;
}

int pj_acct_prefix_valid(const char *prefix)
{
	size_t n = strlen(prefix);

	return n >= 1 && n <= 16 && prefix[0] >= 'a' && prefix[0] <= 'z' &&
	       strspn(prefix, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* An auth center's group name in a list: printable ASCII without ','
 * (Keycloak's "/admins" paths and spaces are fine), 1..255 bytes. */
static int idp_group_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == ',')
			return 0;
	return 1;
}

/* The next comma-separated item of *p, spaces around it removed:
 * 1 with *s, *n set; 0 at the end. */
static int next_item(const char **p, const char **s, size_t *n)
{
	const char *q = *p, *e;

	while (*q == ' ' || *q == '\t' || *q == ',')
		q++;
	if (*q == '\0')
		return 0;
	e = q + strcspn(q, ",");
	*p = e;
	while (e > q && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*s = q;
	*n = (size_t)(e - q);
	return 1;
}

int pj_acct_group_allow_valid(const char *list)
{
	const char *p = list, *s;
	size_t n;
	int count = 0;

	if (strcmp(list, "*") == 0)
		return 1;
	while (next_item(&p, &s, &n)) {
		if (!idp_group_ok(s, n) || (n == 1 && s[0] == '*'))
			return 0;
		count++;
	}
	return count > 0;
}

/* Split "IDP:unix" at its last ':'; 1 when both halves are good. */
static int map_pair(const char *s, size_t n, size_t *idplen, char unix_name[33])
{
	const char *colon = NULL;
	size_t i, ulen;

	for (i = 0; i < n; i++)
		if (s[i] == ':')
			colon = s + i;
	if (colon == NULL)
		return 0;
	*idplen = (size_t)(colon - s);
	ulen = n - *idplen - 1;
	if (!idp_group_ok(s, *idplen) || ulen == 0 || ulen > 32)
		return 0;
	memcpy(unix_name, colon + 1, ulen);
	unix_name[ulen] = '\0';
	return jdb_name_ok(unix_name);
}

int pj_acct_group_map_valid(const char *map)
{
	const char *p = map, *s;
	size_t n, idplen;
	char u[33];
	int count = 0;

	while (next_item(&p, &s, &n)) {
		if (!map_pair(s, n, &idplen, u))
			return 0;
		count++;
	}
	return count > 0;
}

int pj_acct_map_group(const struct pj_config *cfg, const char *idp, char unix_name[33],
                      int *explicit)
{
	const char *p, *s;
	size_t n, idplen, len = strlen(idp);
	int allowed = 0;

	*explicit = 0;
	for (p = cfg->accounts_group_map; p != NULL && next_item(&p, &s, &n);)
		if (map_pair(s, n, &idplen, unix_name) && idplen == len &&
		    memcmp(s, idp, len) == 0) {
			*explicit = 1;
			return 1;
		}
	if (cfg->accounts_groups_prefix == NULL || cfg->accounts_group_allow == NULL)
		return 0;
	if (strcmp(cfg->accounts_group_allow, "*") == 0)
		allowed = 1;
	for (p = cfg->accounts_group_allow; !allowed && next_item(&p, &s, &n);)
		allowed = n == len && memcmp(s, idp, len) == 0;
	if (!allowed ||
	    (size_t)snprintf(unix_name, 33, "%s%s", cfg->accounts_groups_prefix, idp) >= 33)
		return 0;
	return jdb_name_ok(unix_name);
}

void pj_acct_group_names(const struct pj_config *cfg, const struct json_object *claims, char *out,
                         size_t outsz)
{
	struct json_object *v = NULL;
	size_t i, n, used = 0;
	char u[33];
	int explicit;

	out[0] = '\0';
	if (!json_object_object_get_ex(claims, cfg->group_claim, &v))
		return;
	n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 1;
	for (i = 0; i < n && i < JDB_MAX_USER_GROUPS; i++) {
		struct json_object *e = json_object_is_type(v, json_type_array)
		                                ? json_object_array_get_idx(v, i)
		                                : v;

		if (!json_object_is_type(e, json_type_string) ||
		    !pj_acct_map_group(cfg, json_object_get_string(e), u, &explicit))
			continue;
		used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? " " : "", u);
		if (used >= outsz) {
			out[outsz - 1] = '\0';
			return;
		}
	}
}

/* ---- the database file ------------------------------------------------ */

enum pj_status pj_acct_db_path(const struct pj_config *cfg, char path[PATH_MAX], struct pj_err *err)
{
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s", cfg->accounts_dir, JDB_FILE) >= PATH_MAX)
		return pj_fail(err, PJ_E_CONFIG, "accounts_dir path too long");
	return PJ_OK;
}

int pj_acct_db_exists(const struct pj_config *cfg)
{
	char path[PATH_MAX];
	struct stat st;

	return pj_acct_db_path(cfg, path, NULL) == PJ_OK && lstat(path, &st) == 0;
}

enum pj_status pj_acct_dir_check(const struct pj_config *cfg, int create, struct pj_err *err)
{
	const char *dir = cfg->accounts_dir;
	struct stat st;

	if (create && mkdir(dir, 0755) != 0 && errno != EEXIST)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot create accounts_dir %s: %s", dir,
		               strerror(errno));
	if (lstat(dir, &st) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "accounts_dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return pj_fail(err, PJ_E_CONFIG,
		               "accounts_dir %s is not a directory only root can write", dir);
	/* the NSS module reads the database in every process of the host */
	if (create && !(st.st_mode & S_IXOTH))
		return pj_fail(
		        err, PJ_E_CONFIG,
		        "accounts_dir %s is not searchable by others: other users' processes "
		        "could not resolve the accounts (chmod 755 it)",
		        dir);
	return pj_check_parents(dir, err);
}

enum pj_status pj_acct_load(const struct pj_config *cfg, struct jdb *db, struct pj_err *err)
{
	char path[PATH_MAX], why[PJ_REASON_MAX];
	enum pj_status st;

	memset(db, 0, sizeof(*db));
	if ((st = pj_acct_db_path(cfg, path, err)) != PJ_OK)
		return st;
	st = pj_acct_dir_check(cfg, 0, err);
	if (st == PJ_E_UNAVAILABLE && access(cfg->accounts_dir, F_OK) != 0)
		return PJ_OK; /* no directory: no database yet */
	if (st != PJ_OK)
		return st;
	if (jdb_load(path, db, why, sizeof(why)) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "%s: %s", path, why);
	return PJ_OK;
}

/* ---- the decision -------------------------------------------------------- */

/* 1 when no user of the host (the database and every NSS source) has
 * uid; a lookup error counts as taken (fail closed). */
static int uid_free(const struct jdb *db, uint32_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[NSS_BUF];

	if (jdb_user_by_uid(db, uid) != NULL)
		return 0;
	int r = getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res);

	return (r == 0 && res == NULL) || pj_acct_nss_missing(r);
}

int pj_acct_gid_free(const struct jdb *db, uint32_t gid)
{
	struct group gr, *res = NULL;
	char buf[NSS_BUF];

	if (jdb_group_by_gid(db, gid) != NULL)
		return 0;
	int r = getgrgid_r((gid_t)gid, &gr, buf, sizeof(buf), &res);

	return (r == 0 && res == NULL) || pj_acct_nss_missing(r);
}

/* The GID of a new account's private group: its UID when free, else the
 * next free candidate after attempt a. */
static enum pj_status pick_gid(const struct pj_config *cfg, const char *key, uint32_t uid,
                               uint32_t a, const struct jdb *db, uint32_t *gid, struct pj_err *err)
{
	uint32_t n;

	if (pj_acct_gid_free(db, uid)) {
		*gid = uid;
		return PJ_OK;
	}
	for (n = 0; n < PJ_ACCT_PROBES; n++) {
		uint32_t c = jdb_id_candidate(cfg->issuer, key, (uint32_t)cfg->accounts_uid_min,
		                              (uint32_t)cfg->accounts_uid_max, ++a);

		if (pj_acct_gid_free(db, c)) {
			*gid = c;
			return PJ_OK;
		}
	}
	return pj_fail(err, PJ_E_UNAVAILABLE, "no free GID in accounts_uid_min..max");
}

/* An NSS entry of the provisional kind, for a name this configuration
 * makes provisional, with a UID of the range. */
static int is_provisional(const struct pj_config *cfg, const struct passwd *pw, const char *name)
{
	return cfg->accounts_provisional != NULL && pw->pw_gecos != NULL &&
	       strcmp(pw->pw_gecos, PJ_ACCT_PROVISIONAL_GECOS) == 0 &&
	       fnmatch(cfg->accounts_provisional, name, 0) == 0 &&
	       pw->pw_uid >= (uid_t)cfg->accounts_uid_min &&
	       pw->pw_uid <= (uid_t)cfg->accounts_uid_max;
}

/* A new account: its UID and GID. */
static enum pj_status plan_new(const struct pj_config *cfg, const char *name, const char *sub,
                               const struct passwd *prov, const struct jdb *db, struct pj_acct *out,
                               struct pj_err *err)
{
	const char *key = cfg->accounts_uid_from_name ? name : sub;
	uint32_t a;

	if (prov != NULL) {
		struct passwd pw, *res = NULL;
		char buf[NSS_BUF];

		/* sshd keeps the entry it looked up: the account must get its UID */
		int r = getpwuid_r(prov->pw_uid, &pw, buf, sizeof(buf), &res);

		if (jdb_user_by_uid(db, prov->pw_uid) != NULL ||
		    (r != 0 && !pj_acct_nss_missing(r)) ||
		    (r == 0 && res != NULL && strcmp(res->pw_name, name) != 0))
			return pj_fail(
			        err, PJ_E_USER,
			        "the provisional UID %lu of \"%s\" is taken now: log in again",
			        (unsigned long)prov->pw_uid, name);
		out->uid = prov->pw_uid;
		out->provisional = 1;
		out->kind = PJ_ACCT_NEW;
		return pick_gid(cfg, key, out->uid, 0, db, &out->gid, err);
	}
	for (a = 0; a < PJ_ACCT_PROBES; a++) {
		uint32_t c = jdb_id_candidate(cfg->issuer, key, (uint32_t)cfg->accounts_uid_min,
		                              (uint32_t)cfg->accounts_uid_max, a);

		if (uid_free(db, c)) {
			out->uid = c;
			out->kind = PJ_ACCT_NEW;
			return pick_gid(cfg, key, c, a, db, &out->gid, err);
		}
	}
	return pj_fail(err, PJ_E_UNAVAILABLE, "no free UID in accounts_uid_min..max for \"%s\"",
	               name);
}

enum pj_status pj_acct_decide(const struct pj_config *cfg, const struct json_object *claims,
                              const char *name, const struct jdb *db, struct pj_acct *out,
                              struct pj_err *err)
{
	struct passwd pw, *res = NULL;
	char buf[NSS_BUF], safe[64];
	const struct jdb_user *u = jdb_user_by_name(db, name);
	const char *sub = NULL;
	size_t sublen = 0;
	int prov;

	memset(out, 0, sizeof(*out));
	pj_sanitize(safe, sizeof(safe), name, strlen(name));
	int r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

	if (r != 0 && !pj_acct_nss_missing(r))
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot look up account \"%s\"", safe);
	if (r != 0)
		res = NULL;
	prov = res != NULL && u == NULL && is_provisional(cfg, res, name);
	/* an account of another source (and one that shadows the database's
	 * under the same name) is never created, bound or changed here */
	if (res != NULL && !prov && (u == NULL || res->pw_uid != u->uid)) {
		out->kind = PJ_ACCT_LOCAL;
		out->uid = res->pw_uid;
		out->gid = res->pw_gid;
		return PJ_OK;
	}
	if (pj_json_get_string(claims, "sub", &sub, &sublen) != 1 || sublen == 0 ||
	    sublen > PJ_ACCT_SUB_MAX || memchr(sub, '\0', sublen) != NULL)
		return pj_fail(err, PJ_E_CLAIM,
		               "token has no usable sub: accounts are bound to it");
	if (u != NULL) {
		if (strcmp(u->iss, cfg->issuer) != 0 || strlen(u->sub) != sublen ||
		    memcmp(u->sub, sub, sublen) != 0)
			return pj_fail(err, PJ_E_USER,
			               "account \"%s\" is bound to another identity (iss and sub): "
			               "a token of this one never logs in to it",
			               safe);
		if (u->flags & JDB_USER_LOCKED)
			return pj_fail(err, PJ_E_USER,
			               "account \"%s\" is locked (pam-jwt accounts unlock)", safe);
		out->kind = PJ_ACCT_BOUND;
		out->uid = u->uid;
		out->gid = u->gid;
		return PJ_OK;
	}
	if (!cfg->accounts_create)
		return pj_fail(err, PJ_E_NO_ACCOUNT, "no local account \"%s\"", safe);
	if (!jdb_name_ok(name))
		return pj_fail(
		        err, PJ_E_USER,
		        "\"%s\" is not a name for a new account (1 to 32 of a-z 0-9 _ . - @)",
		        safe);
	{
		char subz[PJ_ACCT_SUB_MAX + 1];

		memcpy(subz, sub, sublen);
		subz[sublen] = '\0';
		return plan_new(cfg, name, subz, prov ? res : NULL, db, out, err);
	}
}
