/* Accounts from the auth center: the half that changes the host (see
 * accounts.h).  Called by the module only, after a token was accepted. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts.h"
#include "jwtdb.h"
#include "pj_json.h"

#define SKEL_DEPTH 8

/* The GECOS from the name claim: printable ASCII without ':' ',' '='
 * (they separate passwd fields and GECOS subfields), at most
 * PJ_ACCT_GECOS_MAX bytes.  "" when there is no such claim. */
static void gecos_of(const struct json_object *claims, char out[PJ_ACCT_GECOS_MAX + 1])
{
	const char *s = NULL;
	size_t len = 0, i, n = 0;

	out[0] = '\0';
	if (pj_json_get_string(claims, "name", &s, &len) != 1)
		return;
	for (i = 0; i < len && n < PJ_ACCT_GECOS_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c <= 0x7e && c != ':' && c != ',' && c != '=')
			out[n++] = (char)c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* accounts_home with %u replaced by name. */
static int home_of(const char *tmpl, const char *name, char *out, size_t outsz)
{
	size_t n = 0;
	const char *p;

	for (p = tmpl; *p != '\0'; p++) {
		const char *add = p[0] == '%' && p[1] == 'u' ? name : NULL;
		size_t k = add != NULL ? strlen(add) : 1;

		if (n + k >= outsz)
			return -1;
		memcpy(out + n, add != NULL ? add : p, k);
		n += k;
		p += add != NULL;
	}
	out[n] = '\0';
	return 0;
}

static enum pj_status new_user(const struct pj_config *cfg, const struct json_object *claims,
                               const char *name, const struct pj_acct *a, int64_t now,
                               struct jdb *db, struct pj_err *err)
{
	struct group gr, *res = NULL;
	char buf[16384], home[PATH_MAX], gecos[PJ_ACCT_GECOS_MAX + 1], sub[PJ_ACCT_SUB_MAX + 1];
	const char *s = NULL;
	size_t len = 0;
	struct jdb_user u;
	struct jdb_group g;

	int r = getgrnam_r(name, &gr, buf, sizeof(buf), &res);

	if (jdb_group_by_name(db, name) != NULL || (r != 0 && !pj_acct_nss_missing(r)) ||
	    (r == 0 && res != NULL))
		return pj_fail(err, PJ_E_USER,
		               "a group named \"%s\" exists: no private group for a new account",
		               name);
	if (home_of(cfg->accounts_home, name, home, sizeof(home)) != 0)
		return pj_fail(err, PJ_E_CONFIG, "accounts_home gives too long a path");
	pj_json_get_string(claims, "sub", &s, &len); /* checked by pj_acct_decide */
	memcpy(sub, s, len);
	sub[len] = '\0';
	gecos_of(claims, gecos);
	memset(&u, 0, sizeof(u));
	memset(&g, 0, sizeof(g));
	u.name = (char *)name;
	u.gecos = gecos;
	u.home = home;
	u.shell = cfg->accounts_shell;
	u.iss = cfg->issuer;
	u.sub = sub;
	u.uid = a->uid;
	u.gid = a->gid;
	u.created = u.last_login = now;
	g.name = (char *)name;
	g.idp_name = "";
	g.iss = cfg->issuer;
	g.gid = a->gid;
	g.flags = JDB_GROUP_PRIVATE;
	if (jdb_add_group(db, &g) != 0 || jdb_add_user(db, &u) != 0)
		return pj_fail(err, PJ_E_NOMEM, "cannot add account \"%s\" to the database", name);
	return PJ_OK;
}

/* The GID for the Unix group unix_name standing for idp: the database's
 * (when it is this issuer's group of that name, or mapped on purpose),
 * an existing group's (only when mapped on purpose), else a new group of
 * the database with a stable GID.  0 with *gid, -1 to skip the group. */
static int group_gid(const struct pj_config *cfg, const char *idp, const char *unix_name,
                     int explicit, struct jdb *db, int *changed, uint32_t *gid)
{
	const struct jdb_group *g = jdb_group_by_name(db, unix_name);
	struct group gr, *res = NULL;
	char buf[16384];
	struct jdb_group add;
	uint32_t a;

	if (g != NULL) {
		if ((g->flags & JDB_GROUP_PRIVATE) ||
		    (!explicit &&
		     (strcmp(g->iss, cfg->issuer) != 0 || strcmp(g->idp_name, idp) != 0)))
			return -1;
		*gid = g->gid;
		return 0;
	}
	memset(&add, 0, sizeof(add));
	add.name = (char *)unix_name;
	add.idp_name = (char *)idp;
	add.iss = cfg->issuer;
	int r = getgrnam_r(unix_name, &gr, buf, sizeof(buf), &res);

	if (r != 0 && !pj_acct_nss_missing(r))
		return -1;
	if (r == 0 && res != NULL) {
		/* a group of another source: only when the map names it */
		if (!explicit || jdb_group_by_gid(db, res->gr_gid) != NULL)
			return -1;
		add.gid = res->gr_gid;
	} else {
		for (a = 0; a < PJ_ACCT_PROBES; a++) {
			add.gid =
			        jdb_id_candidate(cfg->issuer, idp, (uint32_t)cfg->accounts_uid_min,
			                         (uint32_t)cfg->accounts_uid_max, a);
			if (pj_acct_gid_free(db, add.gid))
				break;
		}
		if (a == PJ_ACCT_PROBES)
			return -1;
	}
	if (jdb_add_group(db, &add) != 0)
		return -1;
	*changed = 1;
	*gid = add.gid;
	return 0;
}

/* Replace the supplementary groups of the account name with those of the
 * token's group_claim. */
static enum pj_status set_groups(const struct pj_config *cfg, const struct json_object *claims,
                                 const char *name, struct jdb *db, int *changed, struct pj_err *err)
{
	static uint32_t none;
	uint32_t gids[JDB_MAX_USER_GROUPS];
	struct json_object *v = NULL;
	struct jdb_user *u;
	size_t i, k, n = 0, count = 0;
	int isarr = 0, explicit;
	char unix_name[33];

	if (json_object_object_get_ex(claims, cfg->group_claim, &v) && v != NULL) {
		isarr = json_object_is_type(v, json_type_array);
		count = isarr ? json_object_array_length(v) : 1;
	}
	for (i = 0; i < count && n < JDB_MAX_USER_GROUPS; i++) {
		struct json_object *e = isarr ? json_object_array_get_idx(v, i) : v;
		const char *idp;
		uint32_t gid;

		if (!json_object_is_type(e, json_type_string))
			continue;
		idp = json_object_get_string(e);
		if (strlen(idp) > 255 || !pj_acct_map_group(cfg, idp, unix_name, &explicit) ||
		    group_gid(cfg, idp, unix_name, explicit, db, changed, &gid) != 0)
			continue;
		for (k = 0; k < n && gids[k] != gid; k++)
			;
		if (k == n)
			gids[n++] = gid;
	}
	u = jdb_user_by_name(db, name);
	if (u == NULL)
		return pj_fail(err, PJ_E_INTERNAL, "account vanished from the model");
	/* the same set (in any order) changes nothing */
	for (i = 0; i < n && u->n_gids == n; i++) {
		for (k = 0; k < u->n_gids && u->gids[k] != gids[i]; k++)
			;
		if (k == u->n_gids)
			break;
	}
	if (u->n_gids == n && i == n)
		return PJ_OK;
	if (jdb_set_user_gids(u, n ? gids : &none, n) != 0)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	*changed = 1;
	return PJ_OK;
}

enum pj_status pj_acct_commit(const struct pj_config *cfg, const struct json_object *claims,
                              const char *name, int64_t now, const struct pj_acct *expect,
                              struct pj_acct *out, char *what, size_t whatsz, struct pj_err *err)
{
	char path[PATH_MAX], why[PJ_REASON_MAX], gecos[PJ_ACCT_GECOS_MAX + 1];
	struct jdb db;
	struct jdb_user *u;
	int fd = -1, changed = 0;
	enum pj_status st;

	memset(&db, 0, sizeof(db));
	if (what != NULL && whatsz > 0)
		what[0] = '\0';
	if ((st = pj_acct_db_path(cfg, path, err)) != PJ_OK ||
	    (st = pj_acct_dir_check(cfg, 1, err)) != PJ_OK)
		return st;
	/* bounded: a stopped writer must not hold every login */
	fd = jdb_lock(cfg->accounts_dir, cfg->http_timeout * 1000);
	if (fd < 0)
		return pj_fail(err, PJ_E_UNAVAILABLE,
		               errno == EWOULDBLOCK
		                       ? "the account database stayed locked for %lld s"
		                       : "cannot lock the account database (%lld s)",
		               (long long)cfg->http_timeout);
	/* re-read under the lock: another login may have written meanwhile */
	if ((st = pj_acct_load(cfg, &db, err)) != PJ_OK ||
	    (st = pj_acct_decide(cfg, claims, name, &db, out, err)) != PJ_OK)
		goto out;
	if (out->kind != expect->kind) {
		st = pj_fail(err, PJ_E_USER, "account \"%s\" changed during the login: try again",
		             name);
		goto out;
	}
	if (out->kind == PJ_ACCT_LOCAL)
		goto out;
	if (out->kind == PJ_ACCT_NEW) {
		if ((st = new_user(cfg, claims, name, out, now, &db, err)) != PJ_OK)
			goto out;
		changed = 1;
		snprintf(what, whatsz, "created account %s uid %lu gid %lu", name,
		         (unsigned long)out->uid, (unsigned long)out->gid);
	}
	if ((st = set_groups(cfg, claims, name, &db, &changed, err)) != PJ_OK)
		goto out;
	u = jdb_user_by_name(&db, name);
	gecos_of(claims, gecos);
	if (gecos[0] != '\0' && strcmp(gecos, u->gecos) != 0) {
		char *copy = strdup(gecos);

		if (copy == NULL) {
			st = pj_fail(err, PJ_E_NOMEM, "out of memory");
			goto out;
		}
		free(u->gecos);
		u->gecos = copy;
		changed = 1;
	}
	if (now - u->last_login >= PJ_ACCT_LOGIN_STEP || now < u->last_login) {
		u->last_login = now;
		changed = 1;
	}
	if (changed && jdb_save(path, &db, why, sizeof(why)) != 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot save the account database: %s", why);
		goto out;
	}
	if (changed && out->kind == PJ_ACCT_BOUND)
		snprintf(what, whatsz, "updated account %s", name);
out:
	jdb_unlock(fd);
	jdb_free(&db);
	return st;
}

/* ---- the home directory ------------------------------------------------- */

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st, uid_t uid,
                     gid_t gid)
{
	char buf[65536];
	int in, out, rc = -1;
	ssize_t r;

	in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (in < 0)
		return -1;
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)r) != r)
			goto done;
	if (r == 0 && fchown(out, uid, gid) == 0 && fchmod(out, st->st_mode & 0777) == 0)
		rc = 0;
done:
	close(in);
	if (close(out) != 0)
		rc = -1;
	return rc;
}

/* Copy the entries of directory sdir into ddir (both open), owned by
 * uid:gid, without following any symlink; depth bounds the recursion. */
static int copy_tree(int sdir, int ddir, uid_t uid, gid_t gid, int depth)
{
	int dup_fd = dup(sdir), rc = 0;
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL && rc == 0) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(sdir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -1;
		} else if (S_ISREG(st.st_mode)) {
			rc = copy_file(sdir, ddir, e->d_name, &st, uid, gid);
		} else if (S_ISLNK(st.st_mode)) {
			n = readlinkat(sdir, e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				rc = -1;
			else {
				target[n] = '\0';
				rc = symlinkat(target, ddir, e->d_name) != 0 ||
				                     fchownat(ddir, e->d_name, uid, gid,
				                              AT_SYMLINK_NOFOLLOW) != 0
				             ? -1
				             : 0;
			}
		} else if (S_ISDIR(st.st_mode) && depth > 0) {
			int s2 = -1, d2 = -1;

			if (mkdirat(ddir, e->d_name, 0700) != 0 ||
			    (s2 = openat(sdir, e->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
			    (d2 = openat(ddir, e->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
			    copy_tree(s2, d2, uid, gid, depth - 1) != 0 ||
			    fchown(d2, uid, gid) != 0 || fchmod(d2, st.st_mode & 0777) != 0)
				rc = -1;
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		}
		/* devices, fifos and sockets are not copied */
	}
	closedir(d);
	return rc;
}

static enum pj_status make_dir(const struct pj_config *cfg, const struct jdb_user *u, int *made,
                               struct pj_err *err)
{
	char parent[PATH_MAX];
	struct stat st;
	const char *slash = strrchr(u->home, '/');
	int dfd, sfd;

	if (u->home[0] != '/' || slash == NULL || strlen(u->home) >= sizeof(parent))
		return pj_fail(err, PJ_E_CONFIG, "home of %s is not an absolute path", u->name);
	if (lstat(u->home, &st) == 0)
		return PJ_OK; /* never touch what exists, whatever it is */
	if (errno != ENOENT)
		return pj_fail(err, PJ_E_UNAVAILABLE, "%s: %s", u->home, strerror(errno));
	memcpy(parent, u->home, (size_t)(slash - u->home));
	parent[slash == u->home ? 1 : slash - u->home] = '\0';
	if (slash == u->home)
		parent[0] = '/';
	/* in a directory another user could write, the name could be swapped */
	if (lstat(parent, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return pj_fail(err, PJ_E_CONFIG,
		               "%s is not an existing directory only root can write: no home made",
		               parent);
	if (mkdir(u->home, 0700) != 0)
		return errno == EEXIST ? PJ_OK
		                       : pj_fail(err, PJ_E_UNAVAILABLE, "cannot make %s: %s",
		                                 u->home, strerror(errno));
	dfd = open(u->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot open %s", u->home);
	*made = 1;
	sfd = open(cfg->accounts_skel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd >= 0 && copy_tree(sfd, dfd, u->uid, u->gid, SKEL_DEPTH) != 0) {
		close(sfd);
		close(dfd);
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot copy %s into %s", cfg->accounts_skel,
		               u->home);
	}
	if (sfd >= 0)
		close(sfd);
	/* the account gets it last, when everything in it is in place */
	if (fchown(dfd, u->uid, u->gid) != 0 || fchmod(dfd, (mode_t)cfg->accounts_home_mode) != 0) {
		close(dfd);
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot give %s to %s", u->home, u->name);
	}
	close(dfd);
	return PJ_OK;
}

enum pj_status pj_acct_make_home(const struct pj_config *base, const char *name, int *made,
                                 struct pj_err *err)
{
	struct pj_config routed;
	const struct pj_config *cfg = base;
	struct jdb db;
	const struct jdb_user *u;
	enum pj_status st;

	*made = 0;
	if (!pj_acct_db_exists(base))
		return PJ_OK;
	if ((st = pj_acct_load(base, &db, err)) != PJ_OK)
		return st;
	u = jdb_user_by_name(&db, name);
	memset(&routed, 0, sizeof(routed));
	if (u != NULL && base->n_sections > 0) {
		st = pj_config_for_issuer(base, u->iss, strlen(u->iss), &routed, err);
		cfg = &routed;
	}
	if (st == PJ_OK && u != NULL && cfg->accounts_create && !(u->flags & JDB_USER_LOCKED))
		st = make_dir(cfg, u, made, err);
	if (cfg == &routed && routed.issuer != NULL)
		pj_config_free(&routed);
	jdb_free(&db);
	return st;
}
