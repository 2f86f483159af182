/* libnss_jwt.so.2: the NSS entry points (`passwd: files jwt`, `group:
 * files jwt`) over pam_jwt's account database (jwtdb.h).  Loaded into
 * every process of the host: libc only, no daemon, no network, nothing
 * printed.  One mutex guards the cached map of the database, re-opened
 * when the file behind its path changed (writers replace it atomically,
 * so a map is always one whole version).  A missing database is "not
 * found"; a damaged or unsafe one is NSS_STATUS_UNAVAIL with *errnop =
 * ENOENT; a short buffer is NSS_STATUS_TRYAGAIN with *errnop = ERANGE, as
 * glibc expects.  errno is left as the caller had it, except for what
 * *errnop reports (glibc passes &errno there). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwtdb.h"
#include "nss_jwt.h"

#define NJ_EXPORT __attribute__((visibility("default")))

/* Entry points, declared here: glibc's headers have no prototypes. */
NJ_EXPORT enum nss_status _nss_jwt_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                              size_t len, int *errnop);
NJ_EXPORT enum nss_status _nss_jwt_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
                                              int *errnop);
NJ_EXPORT enum nss_status _nss_jwt_setpwent(int stayopen);
NJ_EXPORT enum nss_status _nss_jwt_getpwent_r(struct passwd *pw, char *buf, size_t len,
                                              int *errnop);
NJ_EXPORT enum nss_status _nss_jwt_endpwent(void);
NJ_EXPORT enum nss_status _nss_jwt_getgrnam_r(const char *name, struct group *gr, char *buf,
                                              size_t len, int *errnop);
NJ_EXPORT enum nss_status _nss_jwt_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
                                              int *errnop);
NJ_EXPORT enum nss_status _nss_jwt_setgrent(int stayopen);
NJ_EXPORT enum nss_status _nss_jwt_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop);
NJ_EXPORT enum nss_status _nss_jwt_endgrent(void);
NJ_EXPORT enum nss_status _nss_jwt_initgroups_dyn(const char *user, gid_t skip, long *start,
                                                  long *size, gid_t **groupsp, long limit,
                                                  int *errnop);

static pthread_mutex_t nj_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jdb_map nj_map; /* base NULL while closed */
static uint32_t nj_pw_next, nj_gr_next; /* enumeration positions */

enum db_state { DB_OK, DB_MISSING, DB_BROKEN };

/* Under nj_lock: make nj_map map the database file (nj_db_path). */
static enum db_state db_open(void)
{
	char buf[4096];
	const char *path = nj_db_path(buf, sizeof(buf));

	if (nj_map.base != NULL && jdb_map_current(&nj_map, path))
		return DB_OK;
	jdb_map_close(&nj_map);
	if (jdb_map_open(path, &nj_map) == 0)
		return DB_OK;
	return errno == ENOENT || errno == ENOTDIR ? DB_MISSING : DB_BROKEN;
}

char *nj_put(struct nj_buf *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *at = b->p;

	if (n > b->left) {
		b->left = 0;
		return NULL;
	}
	memcpy(at, s, n);
	b->p += n;
	b->left -= n;
	return at;
}

/* What every answer must be, whatever the file says: a valid name, no
 * root or "-1" id, fields that cannot break the passwd/group syntax. */
static int id_ok(uint32_t id)
{
	return id != 0 && id != UINT32_MAX;
}

static int field_ok(const char *s)
{
	return strpbrk(s, ":\n") == NULL;
}

static int user_ok(const struct jdb_uview *u)
{
	return jdb_name_ok(u->name) && id_ok(u->uid) && id_ok(u->gid) && field_ok(u->gecos) &&
	       field_ok(u->home) && field_ok(u->shell);
}

static int group_ok(const struct jdb_map *m, const struct jdb_gview *g)
{
	return jdb_name_ok(g->name) && id_ok(g->gid) && g->members_n <= jdb_map_n_users(m);
}

/* 0 filled, -1 buffer too small. */
static int fill_pw(const struct jdb_uview *u, struct passwd *pw, char *buf, size_t len)
{
	struct nj_buf b = { buf, len };

	pw->pw_name = nj_put(&b, u->name);
	pw->pw_passwd = nj_put(&b, "*");
	pw->pw_gecos = nj_put(&b, u->gecos);
	pw->pw_dir = nj_put(&b, u->home);
	pw->pw_shell = nj_put(&b, u->shell);
	pw->pw_uid = u->uid;
	pw->pw_gid = u->gid;
	return pw->pw_shell != NULL ? 0 : -1;
}

/* The member list (pointers, aligned) first, then the strings.  Members
 * whose record is damaged are left out.  0 filled, -1 too small. */
static int fill_gr(const struct jdb_map *m, const struct jdb_gview *g, struct group *gr, char *buf,
                   size_t len)
{
	size_t pad = (size_t)(-(uintptr_t)buf & (sizeof(char *) - 1)), n = g->members_n, j = 0;
	struct nj_buf b;
	char **mem;
	uint32_t k;

	if (len < pad || (len - pad) / sizeof(char *) <= n)
		return -1;
	mem = (char **)(void *)(buf + pad);
	b.p = buf + pad + (n + 1) * sizeof(char *);
	b.left = len - pad - (n + 1) * sizeof(char *);
	for (k = 0; k < g->members_n; k++) {
		const char *s = jdb_map_member(m, g, k);

		if (s == NULL || !jdb_name_ok(s))
			continue;
		if ((mem[j++] = nj_put(&b, s)) == NULL)
			return -1;
	}
	mem[j] = NULL;
	gr->gr_name = nj_put(&b, g->name);
	gr->gr_passwd = nj_put(&b, "*");
	gr->gr_gid = g->gid;
	gr->gr_mem = mem;
	return gr->gr_passwd != NULL ? 0 : -1;
}

/* Leave the lock, give the caller its errno back, report err (0: none)
 * through *errnop. */
static enum nss_status finish(enum nss_status st, int err, int *errnop, int saved)
{
	pthread_mutex_unlock(&nj_lock);
	errno = saved;
	if (err != 0)
		*errnop = err;
	return st;
}

/* The answer for a lookup: found (fill says 0 or -1), not found, or the
 * database unusable. */
static enum nss_status answer(enum db_state db, int found, int filled, int *errnop, int saved)
{
	if (db == DB_BROKEN)
		return finish(NSS_STATUS_UNAVAIL, ENOENT, errnop, saved);
	if (!found)
		return finish(NSS_STATUS_NOTFOUND, 0, errnop, saved);
	if (filled != 0)
		return finish(NSS_STATUS_TRYAGAIN, ERANGE, errnop, saved);
	return finish(NSS_STATUS_SUCCESS, 0, errnop, saved);
}

enum nss_status _nss_jwt_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
                                    int *errnop)
{
	int saved = errno, found = 0, filled = 0;
	struct jdb_uview u;
	enum db_state db;

	pthread_mutex_lock(&nj_lock);
	db = db_open();
	if (name == NULL || db == DB_BROKEN)
		return answer(db, 0, 0, errnop, saved);
	if (db == DB_OK && jdb_map_user_by_name(&nj_map, name, &u)) {
		/* a damaged record of that name: never a provisional entry */
		if (!user_ok(&u))
			return answer(DB_BROKEN, 0, 0, errnop, saved);
		found = 1;
		filled = fill_pw(&u, pw, buf, len);
	} else {
		int r = nj_provisional(name, db == DB_OK ? &nj_map : NULL, pw, buf, len);

		found = r != 0;
		filled = r < 0 ? -1 : 0;
	}
	return answer(db, found, filled, errnop, saved);
}

enum nss_status _nss_jwt_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
                                    int *errnop)
{
	int saved = errno, found = 0, filled = 0;
	struct jdb_uview u;
	enum db_state db;

	pthread_mutex_lock(&nj_lock);
	db = db_open();
	if (db == DB_OK && jdb_map_user_by_uid(&nj_map, (uint32_t)uid, &u) && user_ok(&u)) {
		found = 1;
		filled = fill_pw(&u, pw, buf, len);
	}
	return answer(db, found, filled, errnop, saved);
}

enum nss_status _nss_jwt_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
                                    int *errnop)
{
	int saved = errno, found = 0, filled = 0;
	struct jdb_gview g;
	enum db_state db;

	pthread_mutex_lock(&nj_lock);
	db = db_open();
	if (db == DB_OK && name != NULL && jdb_map_group_by_name(&nj_map, name, &g) &&
	    group_ok(&nj_map, &g)) {
		found = 1;
		filled = fill_gr(&nj_map, &g, gr, buf, len);
	}
	return answer(db, found, filled, errnop, saved);
}

enum nss_status _nss_jwt_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, int *errnop)
{
	int saved = errno, found = 0, filled = 0;
	struct jdb_gview g;
	enum db_state db;

	pthread_mutex_lock(&nj_lock);
	db = db_open();
	if (db == DB_OK && jdb_map_group_by_gid(&nj_map, (uint32_t)gid, &g) &&
	    group_ok(&nj_map, &g)) {
		found = 1;
		filled = fill_gr(&nj_map, &g, gr, buf, len);
	}
	return answer(db, found, filled, errnop, saved);
}

/* ---- enumeration: the database's records in name order; provisional
 * entries never appear.  glibc serialises set/get/end per database. */

static enum nss_status rewind_to(uint32_t *next)
{
	int saved = errno;

	pthread_mutex_lock(&nj_lock);
	*next = 0;
	(void)db_open();
	pthread_mutex_unlock(&nj_lock);
	errno = saved;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_jwt_setpwent(int stayopen)
{
	(void)stayopen;
	return rewind_to(&nj_pw_next);
}

enum nss_status _nss_jwt_endpwent(void)
{
	return rewind_to(&nj_pw_next);
}

enum nss_status _nss_jwt_setgrent(int stayopen)
{
	(void)stayopen;
	return rewind_to(&nj_gr_next);
}

enum nss_status _nss_jwt_endgrent(void)
{
	return rewind_to(&nj_gr_next);
}

/* Fill entry i (under nj_lock): 1 filled, 0 a damaged record to skip,
 * -1 buffer too small. */
typedef int (*fill_at_fn)(uint32_t i, void *ent, char *buf, size_t len);

static int pw_at(uint32_t i, void *ent, char *buf, size_t len)
{
	struct jdb_uview u;

	if (!jdb_map_user_at(&nj_map, i, &u) || !user_ok(&u))
		return 0;
	return fill_pw(&u, ent, buf, len) == 0 ? 1 : -1;
}

static int gr_at(uint32_t i, void *ent, char *buf, size_t len)
{
	struct jdb_gview g;

	if (!jdb_map_group_at(&nj_map, i, &g) || !group_ok(&nj_map, &g))
		return 0;
	return fill_gr(&nj_map, &g, ent, buf, len) == 0 ? 1 : -1;
}

/* The next entry from *next on; a buffer too small leaves *next where it
 * is, so that the caller's retry gets the same entry. */
static enum nss_status next_entry(uint32_t *next, uint32_t (*count)(const struct jdb_map *),
                                  fill_at_fn fill, void *ent, char *buf, size_t len, int *errnop)
{
	int saved = errno, r;
	enum db_state db;

	pthread_mutex_lock(&nj_lock);
	db = db_open();
	if (db != DB_OK)
		return answer(db, 0, 0, errnop, saved);
	for (; *next < count(&nj_map); (*next)++) {
		r = fill(*next, ent, buf, len);
		if (r == 0)
			continue;
		if (r > 0)
			(*next)++;
		return answer(db, 1, r > 0 ? 0 : -1, errnop, saved);
	}
	return answer(db, 0, 0, errnop, saved);
}

enum nss_status _nss_jwt_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop)
{
	return next_entry(&nj_pw_next, jdb_map_n_users, pw_at, pw, buf, len, errnop);
}

enum nss_status _nss_jwt_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop)
{
	return next_entry(&nj_gr_next, jdb_map_n_groups, gr_at, gr, buf, len, errnop);
}

/* ---- initgroups ------------------------------------------------------------ */

/* Add gid to (*groupsp)[0..*start) unless there, growing the array
 * (doubling, never past limit when limit > 0).  0 added or nothing to
 * do, 1 full at limit, -1 out of memory. */
static int add_gid(gid_t gid, long *start, long *size, gid_t **groupsp, long limit)
{
	long i, n;
	gid_t *p;

	for (i = 0; i < *start; i++)
		if ((*groupsp)[i] == gid)
			return 0;
	if (*start >= *size) {
		if (limit > 0 && *size >= limit)
			return 1;
		n = *size > 0 ? 2 * *size : 16;
		if (limit > 0 && n > limit)
			n = limit;
		p = realloc(*groupsp, (size_t)n * sizeof(*p));
		if (p == NULL)
			return -1;
		*groupsp = p;
		*size = n;
	}
	(*groupsp)[(*start)++] = gid;
	return 0;
}

enum nss_status _nss_jwt_initgroups_dyn(const char *user, gid_t skip, long *start, long *size,
                                        gid_t **groupsp, long limit, int *errnop)
{
	int saved = errno, any = 0, r = 0;
	struct jdb_uview u;
	struct jdb_gview g;
	enum db_state db;
	uint32_t k;

	pthread_mutex_lock(&nj_lock);
	db = db_open();
	if (db != DB_OK || user == NULL || !jdb_map_user_by_name(&nj_map, user, &u) || !user_ok(&u))
		return answer(db, 0, 0, errnop, saved);
	for (k = 0; k < u.gids_n && r == 0; k++) {
		uint32_t gid = jdb_map_user_gid(&nj_map, &u, k);

		if (gid == (uint32_t)skip || !jdb_map_group_by_gid(&nj_map, gid, &g) ||
		    !group_ok(&nj_map, &g))
			continue;
		r = add_gid((gid_t)gid, start, size, groupsp, limit);
		any |= r == 0;
	}
	if (r < 0)
		return finish(NSS_STATUS_TRYAGAIN, ENOMEM, errnop, saved);
	return answer(db, any, 0, errnop, saved);
}
