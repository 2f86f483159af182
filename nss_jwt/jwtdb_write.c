/* The writer of the account database (see jwtdb.h): the model, loading it
 * from a verified file, saving it atomically, the lock, names and ids.
 * libc only. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jwtdb.h"
#include "jwtdb_fmt.h"

void jdb_say(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", text);
}

/* ---- the model ----------------------------------------------------------- */

static void user_free(struct jdb_user *u)
{
	free(u->name);
	free(u->gecos);
	free(u->home);
	free(u->shell);
	free(u->iss);
	free(u->sub);
	free(u->gids);
	memset(u, 0, sizeof(*u));
}

static void group_free(struct jdb_group *g)
{
	free(g->name);
	free(g->idp_name);
	free(g->iss);
	memset(g, 0, sizeof(*g));
}

void jdb_free(struct jdb *db)
{
	size_t i;

	for (i = 0; i < db->n_users; i++)
		user_free(&db->users[i]);
	for (i = 0; i < db->n_groups; i++)
		group_free(&db->groups[i]);
	free(db->users);
	free(db->groups);
	memset(db, 0, sizeof(*db));
}

struct jdb_user *jdb_user_by_name(const struct jdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n_users; i++)
		if (strcmp(db->users[i].name, name) == 0)
			return &db->users[i];
	return NULL;
}

struct jdb_user *jdb_user_by_uid(const struct jdb *db, uint32_t uid)
{
	size_t i;

	for (i = 0; i < db->n_users; i++)
		if (db->users[i].uid == uid)
			return &db->users[i];
	return NULL;
}

struct jdb_group *jdb_group_by_name(const struct jdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n_groups; i++)
		if (strcmp(db->groups[i].name, name) == 0)
			return &db->groups[i];
	return NULL;
}

struct jdb_group *jdb_group_by_gid(const struct jdb *db, uint32_t gid)
{
	size_t i;

	for (i = 0; i < db->n_groups; i++)
		if (db->groups[i].gid == gid)
			return &db->groups[i];
	return NULL;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

int jdb_set_user_gids(struct jdb_user *u, const uint32_t *gids, size_t n)
{
	uint32_t *copy = NULL;

	if (n > JDB_MAX_USER_GROUPS)
		return -1;
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (copy == NULL)
			return -1;
		memcpy(copy, gids, n * sizeof(*copy));
	}
	free(u->gids);
	u->gids = copy;
	u->n_gids = n;
	return 0;
}

int jdb_add_user(struct jdb *db, const struct jdb_user *u)
{
	if (u->name == NULL || jdb_user_by_name(db, u->name) || jdb_user_by_uid(db, u->uid))
		return -1;
	return jdb_append_user(db, u);
}

int jdb_append_user(struct jdb *db, const struct jdb_user *u)
{
	struct jdb_user c;

	if (db->n_users >= JDB_MAX_USERS || u->name == NULL)
		return -1;
	if (db->n_users == db->cap_users) {
		size_t cap = db->cap_users ? db->cap_users * 2 : 16;
		struct jdb_user *p = realloc(db->users, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		db->users = p;
		db->cap_users = cap;
	}
	memset(&c, 0, sizeof(c));
	c.name = dup_or_empty(u->name);
	c.gecos = dup_or_empty(u->gecos);
	c.home = dup_or_empty(u->home);
	c.shell = dup_or_empty(u->shell);
	c.iss = dup_or_empty(u->iss);
	c.sub = dup_or_empty(u->sub);
	c.uid = u->uid;
	c.gid = u->gid;
	c.flags = u->flags;
	c.created = u->created;
	c.last_login = u->last_login;
	if (c.name == NULL || c.gecos == NULL || c.home == NULL || c.shell == NULL ||
	    c.iss == NULL || c.sub == NULL || jdb_set_user_gids(&c, u->gids, u->n_gids) != 0) {
		user_free(&c);
		return -1;
	}
	db->users[db->n_users++] = c;
	return 0;
}

int jdb_add_group(struct jdb *db, const struct jdb_group *g)
{
	if (g->name == NULL || jdb_group_by_name(db, g->name) || jdb_group_by_gid(db, g->gid))
		return -1;
	return jdb_append_group(db, g);
}

int jdb_append_group(struct jdb *db, const struct jdb_group *g)
{
	struct jdb_group c;

	if (db->n_groups >= JDB_MAX_GROUPS || g->name == NULL)
		return -1;
	if (db->n_groups == db->cap_groups) {
		size_t cap = db->cap_groups ? db->cap_groups * 2 : 16;
		struct jdb_group *p = realloc(db->groups, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		db->groups = p;
		db->cap_groups = cap;
	}
	memset(&c, 0, sizeof(c));
	c.name = dup_or_empty(g->name);
	c.idp_name = dup_or_empty(g->idp_name);
	c.iss = dup_or_empty(g->iss);
	c.gid = g->gid;
	c.flags = g->flags;
	if (c.name == NULL || c.idp_name == NULL || c.iss == NULL) {
		group_free(&c);
		return -1;
	}
	db->groups[db->n_groups++] = c;
	return 0;
}

int jdb_remove_user(struct jdb *db, const char *name)
{
	struct jdb_user *u = jdb_user_by_name(db, name);
	struct jdb_group *g;
	size_t i;

	if (u == NULL)
		return -1;
	g = jdb_group_by_gid(db, u->gid);
	if (g != NULL && (g->flags & JDB_GROUP_PRIVATE) && strcmp(g->name, u->name) == 0) {
		i = (size_t)(g - db->groups);
		group_free(g);
		db->groups[i] = db->groups[--db->n_groups];
	}
	i = (size_t)(u - db->users);
	user_free(u);
	db->users[i] = db->users[--db->n_users];
	return 0;
}

int jdb_remove_group(struct jdb *db, const char *name)
{
	struct jdb_group *g = jdb_group_by_name(db, name);
	uint32_t gid;
	size_t i, j, k;

	if (g == NULL)
		return -1;
	gid = g->gid;
	for (i = 0; i < db->n_users; i++) {
		struct jdb_user *u = &db->users[i];

		for (j = k = 0; j < u->n_gids; j++)
			if (u->gids[j] != gid)
				u->gids[k++] = u->gids[j];
		u->n_gids = k;
	}
	i = (size_t)(g - db->groups);
	group_free(g);
	db->groups[i] = db->groups[--db->n_groups];
	return 0;
}

int jdb_name_ok(const char *name)
{
	size_t i, n = name != NULL ? strlen(name) : 0;
	int digits = 1;

	if (n == 0 || n > 32 || name[0] == '-' || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c >= '0' && c <= '9')
			continue;
		digits = 0;
		if ((c >= 'a' && c <= 'z') || c == '_' || c == '.' || c == '-' ||
		    (c == '@' && i > 0))
			continue;
		return 0;
	}
	return !digits;
}

uint32_t jdb_id_candidate(const char *iss, const char *key, uint32_t min, uint32_t max,
                          uint32_t attempt)
{
	uint64_t h = 14695981039346656037ull, span;
	const unsigned char *p;
	unsigned char a[4];
	int part, i;

	a[0] = (unsigned char)attempt;
	a[1] = (unsigned char)(attempt >> 8);
	a[2] = (unsigned char)(attempt >> 16);
	a[3] = (unsigned char)(attempt >> 24);
	for (part = 0; part < 3; part++) {
		size_t n = part == 0 ? strlen(iss) + 1 : part == 1 ? strlen(key) + 1 : 4;

		p = part == 0   ? (const unsigned char *)iss
		    : part == 1 ? (const unsigned char *)key
		                : a;
		for (i = 0; (size_t)i < n; i++) {
			h ^= p[i];
			h *= 1099511628211ull;
		}
	}
	if (max < min)
		return min;
	span = (uint64_t)max - min + 1;
	return (uint32_t)(min + h % span);
}

/* ---- the lock ------------------------------------------------------------- */

int jdb_lock(const char *dir, int64_t timeout_ms)
{
	char path[PATH_MAX];
	struct timespec start, now;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, JDB_LOCK_FILE) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int64_t ms;

		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (int64_t)(now.tv_sec - start.tv_sec) * 1000 +
		     (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= timeout_ms) {
			close(fd);
			errno = EWOULDBLOCK;
			return -1;
		}
		poll(NULL, 0, 10);
	}
	return fd;
}

void jdb_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
