/* Loading the account database into the writer's model and saving it
 * (see jwtdb.h).  libc only. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jwtdb.h"
#include "jwtdb_fmt.h"

int jdb_load(const char *path, struct jdb *db, char *why, size_t whylen)
{
	struct jdb_map m;
	struct jdb fresh;
	uint32_t i, k;

	memset(db, 0, sizeof(*db));
	memset(&fresh, 0, sizeof(fresh));
	if (jdb_map_open(path, &m) != 0) {
		if (errno == ENOENT)
			return 0;
		jdb_say(why, whylen,
		        errno == EACCES
		                ? "account database is not a root-owned file only root can write"
		        : errno == EINVAL ? "account database is damaged"
		                          : "account database cannot be read");
		return -1;
	}
	if (jdb_map_verify(&m) != 0) {
		jdb_map_close(&m);
		jdb_say(why, whylen, "account database is damaged");
		return -1;
	}
	for (i = 0; i < jdb_map_n_groups(&m); i++) {
		struct jdb_gview v;
		struct jdb_group g;

		jdb_map_group_at(&m, i, &v);
		g.name = (char *)v.name;
		g.idp_name = (char *)v.idp_name;
		g.iss = (char *)v.iss;
		g.gid = v.gid;
		g.flags = v.flags;
		if (jdb_append_group(&fresh, &g) != 0)
			goto fail;
	}
	for (i = 0; i < jdb_map_n_users(&m); i++) {
		struct jdb_uview v;
		struct jdb_user u;
		uint32_t gids[JDB_MAX_USER_GROUPS];

		jdb_map_user_at(&m, i, &v);
		for (k = 0; k < v.gids_n; k++)
			gids[k] = jdb_map_user_gid(&m, &v, k);
		u.name = (char *)v.name;
		u.gecos = (char *)v.gecos;
		u.home = (char *)v.home;
		u.shell = (char *)v.shell;
		u.iss = (char *)v.iss;
		u.sub = (char *)v.sub;
		u.uid = v.uid;
		u.gid = v.gid;
		u.flags = v.flags;
		u.created = v.created;
		u.last_login = v.last_login;
		u.gids = gids;
		u.n_gids = v.gids_n;
		if (jdb_append_user(&fresh, &u) != 0)
			goto fail;
	}
	jdb_map_close(&m);
	*db = fresh;
	return 0;
fail:
	jdb_map_close(&m);
	jdb_free(&fresh);
	jdb_say(why, whylen, "account database holds duplicates or is too large");
	return -1;
}

/* ---- saving ----------------------------------------------------------------- */

struct out {
	unsigned char *p;
	size_t len, cap;
	int failed;
};

static void grow(struct out *o, size_t add)
{
	if (o->failed || add <= o->cap - o->len)
		return;
	{
		size_t cap = o->cap ? o->cap : 4096;
		unsigned char *p;

		while (cap - o->len < add) {
			if (cap > JDB_MAX_FILE) {
				o->failed = 1;
				return;
			}
			cap *= 2;
		}
		p = realloc(o->p, cap);
		if (p == NULL) {
			o->failed = 1;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
}

static void put32_at(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* The string pool, kept apart and appended at the end. */
static uint32_t add_str(struct out *s, const char *v)
{
	size_t n = strlen(v) + 1;
	uint32_t at = (uint32_t)s->len;

	if (v[0] == '\0')
		return 0;
	if (n > JDB_MAX_STRING) {
		s->failed = 1;
		return 0;
	}
	grow(s, n);
	if (s->failed)
		return 0;
	memcpy(s->p + s->len, v, n);
	s->len += n;
	return at;
}

static int by_user_name(const void *a, const void *b, void *arg)
{
	const struct jdb *sort_db = arg;

	return strcmp(sort_db->users[*(const uint32_t *)a].name,
	              sort_db->users[*(const uint32_t *)b].name);
}

static int by_uid(const void *a, const void *b, void *arg)
{
	const struct jdb *sort_db = arg;
	uint32_t x = sort_db->users[*(const uint32_t *)a].uid;
	uint32_t y = sort_db->users[*(const uint32_t *)b].uid;

	return x < y ? -1 : x > y;
}

static int by_group_name(const void *a, const void *b, void *arg)
{
	const struct jdb *sort_db = arg;

	return strcmp(sort_db->groups[*(const uint32_t *)a].name,
	              sort_db->groups[*(const uint32_t *)b].name);
}

static int by_gid(const void *a, const void *b, void *arg)
{
	const struct jdb *sort_db = arg;
	uint32_t x = sort_db->groups[*(const uint32_t *)a].gid;
	uint32_t y = sort_db->groups[*(const uint32_t *)b].gid;

	return x < y ? -1 : x > y;
}

/* The position (in gid order) of the group with gid, or -1. */
static long find_gid(const struct jdb *db, const uint32_t *gorder, uint32_t ng, uint32_t gid)
{
	uint32_t lo = 0, hi = ng;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, g = db->groups[gorder[mid]].gid;

		if (g == gid)
			return (long)mid;
		if (gid < g)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

struct plan {
	uint32_t *uname, *uid, *gname, *gid; /* orders: indices into db */
	uint32_t *gpos_of; /* group index -> position in gname order */
	uint32_t *upos_of; /* user index -> position in uname order */
	uint32_t *count, *fill; /* members per group (by gid order) */
};

static void plan_free(struct plan *p)
{
	free(p->uname);
	free(p->uid);
	free(p->gname);
	free(p->gid);
	free(p->gpos_of);
	free(p->upos_of);
	free(p->count);
	free(p->fill);
}

/* Sort, and check what a reader relies on. */
static const char *plan_make(const struct jdb *db, struct plan *p)
{
	uint32_t nu = (uint32_t)db->n_users, ng = (uint32_t)db->n_groups, i, k;

	memset(p, 0, sizeof(*p));
	if (db->n_users > JDB_MAX_USERS || db->n_groups > JDB_MAX_GROUPS)
		return "too many accounts";
	p->uname = calloc(nu + 1, 4);
	p->uid = calloc(nu + 1, 4);
	p->upos_of = calloc(nu + 1, 4);
	p->gname = calloc(ng + 1, 4);
	p->gid = calloc(ng + 1, 4);
	p->gpos_of = calloc(ng + 1, 4);
	p->count = calloc(ng + 1, 4);
	p->fill = calloc(ng + 1, 4);
	if (!p->uname || !p->uid || !p->upos_of || !p->gname || !p->gid || !p->gpos_of ||
	    !p->count || !p->fill)
		return "out of memory";
	for (i = 0; i < nu; i++)
		p->uname[i] = p->uid[i] = i;
	for (i = 0; i < ng; i++)
		p->gname[i] = p->gid[i] = i;
	qsort_r(p->uname, nu, 4, by_user_name, (void *)db);
	qsort_r(p->uid, nu, 4, by_uid, (void *)db);
	qsort_r(p->gname, ng, 4, by_group_name, (void *)db);
	qsort_r(p->gid, ng, 4, by_gid, (void *)db);
	for (i = 0; i < nu; i++) {
		const struct jdb_user *u = &db->users[p->uname[i]];

		p->upos_of[p->uname[i]] = i;
		if (!jdb_name_ok(u->name))
			return "a user name the database does not accept";
		if (i > 0 && strcmp(db->users[p->uname[i - 1]].name, u->name) == 0)
			return "two users with one name";
		if (i > 0 && db->users[p->uid[i - 1]].uid == db->users[p->uid[i]].uid)
			return "two users with one UID";
		if (u->n_gids > JDB_MAX_USER_GROUPS)
			return "a user in too many groups";
	}
	for (i = 0; i < ng; i++) {
		p->gpos_of[p->gname[i]] = i;
		if (!jdb_name_ok(db->groups[p->gname[i]].name))
			return "a group name the database does not accept";
		if (i > 0 &&
		    strcmp(db->groups[p->gname[i - 1]].name, db->groups[p->gname[i]].name) == 0)
			return "two groups with one name";
		if (i > 0 && db->groups[p->gid[i - 1]].gid == db->groups[p->gid[i]].gid)
			return "two groups with one GID";
	}
	for (i = 0; i < nu; i++) {
		const struct jdb_user *u = &db->users[p->uname[i]];

		for (k = 0; k < u->n_gids; k++) {
			long at = find_gid(db, p->gid, ng, u->gids[k]);

			if (at < 0)
				return "a user in a group the database does not have";
			p->count[at]++;
		}
	}
	return NULL;
}

static const char *build(const struct jdb *db, const struct plan *p, struct out *o)
{
	struct out s = { NULL, 0, 0, 0 };
	uint32_t nu = (uint32_t)db->n_users, ng = (uint32_t)db->n_groups, i, k;
	uint32_t off_users, off_uidx, off_groups, off_gidx, off_pool, n_pool = 0, at;
	uint32_t *members_at = calloc(ng + 1, 4);
	const char *last_iss = NULL;
	uint32_t last_iss_off = 0;

	if (members_at == NULL)
		return "out of memory";
	grow(&s, 1);
	if (!s.failed)
		s.p[s.len++] = '\0';
	off_users = JDB_HEADER_SIZE;
	off_uidx = off_users + nu * JDB_USER_REC;
	off_groups = off_uidx + nu * 4;
	off_gidx = off_groups + ng * JDB_GROUP_REC;
	off_pool = off_gidx + ng * 4;
	/* pool: every user's GIDs (name order), then every group's members
	 * (gid order) */
	for (i = 0; i < nu; i++)
		n_pool += (uint32_t)db->users[p->uname[i]].n_gids;
	at = n_pool;
	for (i = 0; i < ng; i++) {
		members_at[i] = at;
		at += p->count[i];
	}
	n_pool = at;
	grow(o, (size_t)off_pool + (size_t)n_pool * 4);
	if (o->failed) {
		free(members_at);
		free(s.p);
		return "out of memory";
	}
	memset(o->p, 0, (size_t)off_pool + (size_t)n_pool * 4);
	o->len = (size_t)off_pool + (size_t)n_pool * 4;
	at = 0;
	for (i = 0; i < nu; i++) {
		const struct jdb_user *u = &db->users[p->uname[i]];
		unsigned char *r = o->p + off_users + (size_t)i * JDB_USER_REC;

		put32_at(r + JDB_U_NAME, add_str(&s, u->name));
		put32_at(r + JDB_U_GECOS, add_str(&s, u->gecos));
		put32_at(r + JDB_U_HOME, add_str(&s, u->home));
		put32_at(r + JDB_U_SHELL, add_str(&s, u->shell));
		if (last_iss == NULL || strcmp(last_iss, u->iss) != 0) {
			last_iss = u->iss;
			last_iss_off = add_str(&s, u->iss);
		}
		put32_at(r + JDB_U_ISS, last_iss_off);
		put32_at(r + JDB_U_SUB, add_str(&s, u->sub));
		put32_at(r + JDB_U_UID, u->uid);
		put32_at(r + JDB_U_GID, u->gid);
		put32_at(r + JDB_U_FLAGS, u->flags);
		put32_at(r + JDB_U_GIDS_AT, at);
		put32_at(r + JDB_U_GIDS_N, (uint32_t)u->n_gids);
		put32_at(r + JDB_U_CREATED, (uint32_t)(uint64_t)u->created);
		put32_at(r + JDB_U_CREATED + 4, (uint32_t)((uint64_t)u->created >> 32));
		put32_at(r + JDB_U_LAST_LOGIN, (uint32_t)(uint64_t)u->last_login);
		put32_at(r + JDB_U_LAST_LOGIN + 4, (uint32_t)((uint64_t)u->last_login >> 32));
		for (k = 0; k < u->n_gids; k++) {
			long g = find_gid(db, p->gid, ng, u->gids[k]);

			put32_at(o->p + off_pool + 4 * (size_t)(at + k), u->gids[k]);
			put32_at(o->p + off_pool + 4 * (size_t)(members_at[g] + p->fill[g]++), i);
		}
		at += (uint32_t)u->n_gids;
		put32_at(o->p + off_uidx + 4 * (size_t)i, p->upos_of[p->uid[i]]);
	}
	for (i = 0; i < ng; i++) {
		const struct jdb_group *g = &db->groups[p->gname[i]];
		long pos = find_gid(db, p->gid, ng, g->gid);
		unsigned char *r = o->p + off_groups + (size_t)i * JDB_GROUP_REC;

		put32_at(r + JDB_G_NAME, add_str(&s, g->name));
		put32_at(r + JDB_G_IDP_NAME, add_str(&s, g->idp_name));
		put32_at(r + JDB_G_ISS, add_str(&s, g->iss));
		put32_at(r + JDB_G_GID, g->gid);
		put32_at(r + JDB_G_FLAGS, g->flags);
		put32_at(r + JDB_G_MEMBERS_AT, members_at[pos]);
		put32_at(r + JDB_G_MEMBERS_N, p->count[pos]);
		put32_at(o->p + off_gidx + 4 * (size_t)i, p->gpos_of[p->gid[i]]);
	}
	free(members_at);
	if (s.failed) {
		free(s.p);
		return "a string too long, or out of memory";
	}
	grow(o, s.len);
	if (o->failed) {
		free(s.p);
		return "out of memory";
	}
	memcpy(o->p + o->len, s.p, s.len);
	o->len += s.len;
	free(s.p);
	memcpy(o->p, JDB_MAGIC, 8);
	put32_at(o->p + JDB_H_VERSION, JDB_VERSION);
	put32_at(o->p + JDB_H_N_USERS, nu);
	put32_at(o->p + JDB_H_N_GROUPS, ng);
	put32_at(o->p + JDB_H_OFF_USERS, off_users);
	put32_at(o->p + JDB_H_OFF_UIDX, off_uidx);
	put32_at(o->p + JDB_H_OFF_GROUPS, off_groups);
	put32_at(o->p + JDB_H_OFF_GIDX, off_gidx);
	put32_at(o->p + JDB_H_OFF_POOL, off_pool);
	put32_at(o->p + JDB_H_N_POOL, n_pool);
	put32_at(o->p + JDB_H_OFF_STR, (uint32_t)(o->len - s.len));
	put32_at(o->p + JDB_H_LEN_STR, (uint32_t)s.len);
	put32_at(o->p + JDB_H_FILE_SIZE, (uint32_t)o->len);
	put32_at(o->p + JDB_H_CHECKSUM, jdb_checksum(o->p, o->len));
	return NULL;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int jdb_save(const char *path, const struct jdb *db, char *why, size_t whylen)
{
	struct plan p;
	struct out o = { NULL, 0, 0, 0 };
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *bad, *slash = strrchr(path, '/');
	int fd = -1, dfd, rc = -1;

	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		jdb_say(why, whylen, "account database path is not absolute or too long");
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	bad = plan_make(db, &p);
	if (bad == NULL)
		bad = build(db, &p, &o);
	plan_free(&p);
	if (bad != NULL) {
		jdb_say(why, whylen, bad);
		free(o.p);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		jdb_say(why, whylen, "cannot write in the account database directory");
		free(o.p);
		return -1;
	}
	if (fchmod(fd, 0644) != 0 || write_all(fd, o.p, o.len) != 0 || fsync(fd) != 0) {
		jdb_say(why, whylen, "cannot write the account database (disk full?)");
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		jdb_say(why, whylen, "cannot write the account database (disk full?)");
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		jdb_say(why, whylen, "cannot replace the account database");
		goto out;
	}
	tmp[0] = '\0';
	dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	free(o.p);
	return rc;
}
