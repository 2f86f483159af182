/* The reader of the account database (see jwtdb.h): map, check, look up.
 * libc only; every offset is checked before use. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jwtdb.h"
#include "jwtdb_fmt.h"

uint32_t jdb_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t jdb_fnv32(const unsigned char *p, size_t n, uint32_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* The checksum of a whole file image, its checksum field counted as 0. */
uint32_t jdb_checksum(const unsigned char *base, size_t size)
{
	static const unsigned char zero[4] = { 0, 0, 0, 0 };
	uint32_t h = 2166136261u;

	h = jdb_fnv32(base, JDB_H_CHECKSUM, h);
	h = jdb_fnv32(zero, 4, h);
	return jdb_fnv32(base + JDB_H_CHECKSUM + 4, size - JDB_H_CHECKSUM - 4, h);
}

static uint32_t hdr(const struct jdb_map *m, size_t field)
{
	return jdb_get32(m->base + field);
}

/* A string of the pool: NULL when the offset is out of range or the
 * string has no NUL inside the pool or is too long. */
static const char *str_at(const struct jdb_map *m, uint32_t off)
{
	uint32_t at = hdr(m, JDB_H_OFF_STR), len = hdr(m, JDB_H_LEN_STR);
	const char *s;
	const void *nul;

	if (off >= len)
		return NULL;
	s = (const char *)m->base + at + off;
	nul = memchr(s, '\0', len - off < JDB_MAX_STRING + 1 ? len - off : JDB_MAX_STRING + 1);
	return nul != NULL ? s : NULL;
}

/* [at, at + n * size) inside a file of size total. */
static int range_ok(uint64_t at, uint64_t n, uint64_t size, uint64_t total)
{
	return at <= total && n * size <= total - at;
}

static int check_file(const struct jdb_map *m)
{
	uint32_t nu, ng, np;

	if (m->size < JDB_HEADER_SIZE || memcmp(m->base, JDB_MAGIC, 8) != 0 ||
	    hdr(m, JDB_H_VERSION) != JDB_VERSION || hdr(m, JDB_H_FILE_SIZE) != m->size)
		return -1;
	nu = hdr(m, JDB_H_N_USERS);
	ng = hdr(m, JDB_H_N_GROUPS);
	np = hdr(m, JDB_H_N_POOL);
	if (nu > JDB_MAX_USERS || ng > JDB_MAX_GROUPS ||
	    !range_ok(hdr(m, JDB_H_OFF_USERS), nu, JDB_USER_REC, m->size) ||
	    !range_ok(hdr(m, JDB_H_OFF_UIDX), nu, 4, m->size) ||
	    !range_ok(hdr(m, JDB_H_OFF_GROUPS), ng, JDB_GROUP_REC, m->size) ||
	    !range_ok(hdr(m, JDB_H_OFF_GIDX), ng, 4, m->size) ||
	    !range_ok(hdr(m, JDB_H_OFF_POOL), np, 4, m->size) ||
	    !range_ok(hdr(m, JDB_H_OFF_STR), hdr(m, JDB_H_LEN_STR), 1, m->size) ||
	    hdr(m, JDB_H_LEN_STR) == 0 || m->base[hdr(m, JDB_H_OFF_STR)] != '\0')
		return -1;
	return 0;
}

/* The uid of the user that uid-order position i names (index checked by
 * the caller). */
static uint32_t uid_at(const struct jdb_map *m, uint32_t i)
{
	uint32_t u = jdb_get32(m->base + hdr(m, JDB_H_OFF_UIDX) + 4 * (size_t)i);

	return jdb_get32(m->base + hdr(m, JDB_H_OFF_USERS) + (size_t)u * JDB_USER_REC + JDB_U_UID);
}

static uint32_t gid_at(const struct jdb_map *m, uint32_t i)
{
	uint32_t g = jdb_get32(m->base + hdr(m, JDB_H_OFF_GIDX) + 4 * (size_t)i);

	return jdb_get32(m->base + hdr(m, JDB_H_OFF_GROUPS) + (size_t)g * JDB_GROUP_REC +
	                 JDB_G_GID);
}

/* What the lookups rely on: names valid and in strictly increasing
 * order, the id indices in range and strictly increasing (so each is a
 * permutation), every supplementary GID a group of the file, every
 * member a user of it. */
static int check_records(const struct jdb_map *m)
{
	uint32_t nu = jdb_map_n_users(m), ng = jdb_map_n_groups(m), i, k;
	struct jdb_uview u;
	struct jdb_gview g, h;
	const char *prev = NULL;

	for (i = 0; i < nu; i++) {
		if (jdb_get32(m->base + hdr(m, JDB_H_OFF_UIDX) + 4 * (size_t)i) >= nu)
			return -1;
		if (!jdb_map_user_at(m, i, &u) || !jdb_name_ok(u.name) ||
		    (prev != NULL && strcmp(prev, u.name) >= 0))
			return -1;
		prev = u.name;
	}
	for (i = 1; i < nu; i++)
		if (uid_at(m, i - 1) >= uid_at(m, i))
			return -1;
	prev = NULL;
	for (i = 0; i < ng; i++) {
		if (jdb_get32(m->base + hdr(m, JDB_H_OFF_GIDX) + 4 * (size_t)i) >= ng)
			return -1;
		if (!jdb_map_group_at(m, i, &g) || !jdb_name_ok(g.name) ||
		    (prev != NULL && strcmp(prev, g.name) >= 0))
			return -1;
		prev = g.name;
		for (k = 0; k < g.members_n; k++)
			if (jdb_map_member(m, &g, k) == NULL)
				return -1;
	}
	for (i = 1; i < ng; i++)
		if (gid_at(m, i - 1) >= gid_at(m, i))
			return -1;
	for (i = 0; i < nu; i++) {
		jdb_map_user_at(m, i, &u);
		for (k = 0; k < u.gids_n; k++)
			if (!jdb_map_group_by_gid(m, jdb_map_user_gid(m, &u, k), &h))
				return -1;
	}
	return 0;
}

int jdb_map_verify(const struct jdb_map *m)
{
	if (m->base == NULL || check_records(m) != 0)
		return -1;
	if (jdb_checksum(m->base, m->size) != hdr(m, JDB_H_CHECKSUM))
		return -1;
	return 0;
}

int jdb_map_open(const char *path, struct jdb_map *m)
{
	struct stat st;
	void *p;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	if (st.st_size < JDB_HEADER_SIZE || (uint64_t)st.st_size > JDB_MAX_FILE) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	m->base = p;
	m->size = (size_t)st.st_size;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	m->mapped = 1;
	if (check_file(m) != 0) {
		jdb_map_close(m);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int jdb_map_from_buffer(const void *p, size_t n, struct jdb_map *m)
{
	memset(m, 0, sizeof(*m));
	if (p == NULL || n < JDB_HEADER_SIZE || n > JDB_MAX_FILE) {
		errno = EINVAL;
		return -1;
	}
	m->base = p;
	m->size = n;
	if (check_file(m) != 0) {
		memset(m, 0, sizeof(*m));
		errno = EINVAL;
		return -1;
	}
	return 0;
}

void jdb_map_close(struct jdb_map *m)
{
	if (m->base != NULL && m->mapped)
		munmap((void *)m->base, m->size);
	memset(m, 0, sizeof(*m));
}

int jdb_map_current(const struct jdb_map *m, const char *path)
{
	struct stat st;

	if (m->base == NULL || !m->mapped || stat(path, &st) != 0)
		return 0;
	return st.st_dev == m->dev && st.st_ino == m->ino &&
	       (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec == m->mtime_ns;
}

uint32_t jdb_map_n_users(const struct jdb_map *m)
{
	return m->base != NULL ? hdr(m, JDB_H_N_USERS) : 0;
}

uint32_t jdb_map_n_groups(const struct jdb_map *m)
{
	return m->base != NULL ? hdr(m, JDB_H_N_GROUPS) : 0;
}

static int64_t get64(const unsigned char *p)
{
	return (int64_t)((uint64_t)jdb_get32(p) | (uint64_t)jdb_get32(p + 4) << 32);
}

int jdb_map_user_at(const struct jdb_map *m, uint32_t i, struct jdb_uview *v)
{
	const unsigned char *r;

	if (i >= jdb_map_n_users(m))
		return 0;
	r = m->base + hdr(m, JDB_H_OFF_USERS) + (size_t)i * JDB_USER_REC;
	v->name = str_at(m, jdb_get32(r + JDB_U_NAME));
	v->gecos = str_at(m, jdb_get32(r + JDB_U_GECOS));
	v->home = str_at(m, jdb_get32(r + JDB_U_HOME));
	v->shell = str_at(m, jdb_get32(r + JDB_U_SHELL));
	v->iss = str_at(m, jdb_get32(r + JDB_U_ISS));
	v->sub = str_at(m, jdb_get32(r + JDB_U_SUB));
	v->uid = jdb_get32(r + JDB_U_UID);
	v->gid = jdb_get32(r + JDB_U_GID);
	v->flags = jdb_get32(r + JDB_U_FLAGS);
	v->gids_at = jdb_get32(r + JDB_U_GIDS_AT);
	v->gids_n = jdb_get32(r + JDB_U_GIDS_N);
	v->created = get64(r + JDB_U_CREATED);
	v->last_login = get64(r + JDB_U_LAST_LOGIN);
	v->index = i;
	if (v->name == NULL || v->name[0] == '\0' || v->gecos == NULL || v->home == NULL ||
	    v->shell == NULL || v->iss == NULL || v->sub == NULL ||
	    v->gids_n > JDB_MAX_USER_GROUPS ||
	    !range_ok(v->gids_at, v->gids_n, 1, hdr(m, JDB_H_N_POOL)))
		return 0;
	return 1;
}

int jdb_map_group_at(const struct jdb_map *m, uint32_t i, struct jdb_gview *v)
{
	const unsigned char *r;

	if (i >= jdb_map_n_groups(m))
		return 0;
	r = m->base + hdr(m, JDB_H_OFF_GROUPS) + (size_t)i * JDB_GROUP_REC;
	v->name = str_at(m, jdb_get32(r + JDB_G_NAME));
	v->idp_name = str_at(m, jdb_get32(r + JDB_G_IDP_NAME));
	v->iss = str_at(m, jdb_get32(r + JDB_G_ISS));
	v->gid = jdb_get32(r + JDB_G_GID);
	v->flags = jdb_get32(r + JDB_G_FLAGS);
	v->members_at = jdb_get32(r + JDB_G_MEMBERS_AT);
	v->members_n = jdb_get32(r + JDB_G_MEMBERS_N);
	v->index = i;
	if (v->name == NULL || v->name[0] == '\0' || v->idp_name == NULL || v->iss == NULL ||
	    !range_ok(v->members_at, v->members_n, 1, hdr(m, JDB_H_N_POOL)))
		return 0;
	return 1;
}

/* Binary searches.  The name order is strcmp's; a record whose name
 * cannot be read ends the search (not found). */
int jdb_map_user_by_name(const struct jdb_map *m, const char *name, struct jdb_uview *v)
{
	uint32_t lo = 0, hi = jdb_map_n_users(m);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const unsigned char *r =
		        m->base + hdr(m, JDB_H_OFF_USERS) + (size_t)mid * JDB_USER_REC;
		const char *s = str_at(m, jdb_get32(r + JDB_U_NAME));
		int c;

		if (s == NULL)
			return 0;
		c = strcmp(name, s);
		if (c == 0)
			return jdb_map_user_at(m, mid, v);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int jdb_map_user_by_uid(const struct jdb_map *m, uint32_t uid, struct jdb_uview *v)
{
	uint32_t lo = 0, hi = jdb_map_n_users(m);
	const unsigned char *idx = m->base != NULL ? m->base + hdr(m, JDB_H_OFF_UIDX) : NULL;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, i = jdb_get32(idx + 4 * (size_t)mid);
		uint32_t u;

		if (i >= jdb_map_n_users(m))
			return 0;
		u = jdb_get32(m->base + hdr(m, JDB_H_OFF_USERS) + (size_t)i * JDB_USER_REC +
		              JDB_U_UID);

		if (u == uid)
			return jdb_map_user_at(m, i, v);
		if (uid < u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int jdb_map_group_by_name(const struct jdb_map *m, const char *name, struct jdb_gview *v)
{
	uint32_t lo = 0, hi = jdb_map_n_groups(m);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const unsigned char *r =
		        m->base + hdr(m, JDB_H_OFF_GROUPS) + (size_t)mid * JDB_GROUP_REC;
		const char *s = str_at(m, jdb_get32(r + JDB_G_NAME));
		int c;

		if (s == NULL)
			return 0;
		c = strcmp(name, s);
		if (c == 0)
			return jdb_map_group_at(m, mid, v);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int jdb_map_group_by_gid(const struct jdb_map *m, uint32_t gid, struct jdb_gview *v)
{
	uint32_t lo = 0, hi = jdb_map_n_groups(m);
	const unsigned char *idx = m->base != NULL ? m->base + hdr(m, JDB_H_OFF_GIDX) : NULL;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, i = jdb_get32(idx + 4 * (size_t)mid);
		uint32_t g;

		if (i >= jdb_map_n_groups(m))
			return 0;
		g = jdb_get32(m->base + hdr(m, JDB_H_OFF_GROUPS) + (size_t)i * JDB_GROUP_REC +
		              JDB_G_GID);

		if (g == gid)
			return jdb_map_group_at(m, i, v);
		if (gid < g)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

uint32_t jdb_map_user_gid(const struct jdb_map *m, const struct jdb_uview *v, uint32_t k)
{
	if (k >= v->gids_n)
		return (uint32_t)-1;
	return jdb_get32(m->base + hdr(m, JDB_H_OFF_POOL) + 4 * ((size_t)v->gids_at + k));
}

const char *jdb_map_member(const struct jdb_map *m, const struct jdb_gview *v, uint32_t k)
{
	struct jdb_uview u;
	uint32_t i;

	if (k >= v->members_n)
		return NULL;
	i = jdb_get32(m->base + hdr(m, JDB_H_OFF_POOL) + 4 * ((size_t)v->members_at + k));
	return jdb_map_user_at(m, i, &u) ? u.name : NULL;
}
