/* The local account database of pam_jwt: accounts created from the auth
 * center, their groups, and what binds each account to its identity.
 * Written only by pam_jwt.so and `pam-jwt accounts` (under a lock, by
 * atomic replacement), read by libnss_jwt.so.2 in every process of the
 * host.  libc only: no OpenSSL, json-c or libcurl, so that the NSS module
 * stays small.
 *
 * On disk (all numbers little-endian uint32 unless said otherwise):
 *
 *   header   64 bytes: "PJWTADB1", version, flags, n_users, n_groups,
 *            off_users, off_uidx, off_groups, off_gidx, off_pool, n_pool,
 *            off_str, len_str, file_size, checksum (FNV-1a 32 of the
 *            whole file with this field zero)
 *   users    n_users records of 64 bytes, sorted by name (strcmp):
 *            name gecos home shell iss sub (string offsets), uid, gid,
 *            flags, gids_at, gids_n (a range of the pool: supplementary
 *            GIDs), created, last_login (int64 as two uint32, low first),
 *            reserved
 *   uidx     n_users user indices sorted by uid
 *   groups   n_groups records of 32 bytes, sorted by name: name idp_name
 *            iss (string offsets), gid, flags, members_at, members_n (a
 *            range of the pool: user indices), reserved
 *   gidx     n_groups group indices sorted by gid
 *   pool     n_pool uint32
 *   strings  len_str bytes of NUL-terminated strings; offset 0 is ""
 *
 * A reader checks every offset and range before it uses it, so a damaged
 * file can make a lookup fail but never read out of bounds.  Lookups by
 * name and by id are binary searches: O(log n).  Opening checks only the
 * header (O(1): every process of the host opens it); the checksum and
 * every record are checked by jdb_map_verify, which writers run before
 * they trust a file. */
#ifndef PJ_JWTDB_H
#define PJ_JWTDB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JDB_DEFAULT_DIR "/var/lib/pam_jwt-accounts"
#define JDB_FILE "accounts.db"
#define JDB_LOCK_FILE "accounts.lock"
#define JDB_MAX_USERS 1000000u
#define JDB_MAX_GROUPS 1000000u
#define JDB_MAX_FILE (512u * 1024 * 1024)
#define JDB_MAX_STRING 4096u
#define JDB_MAX_USER_GROUPS 1024u

/* user flags */
#define JDB_USER_LOCKED 0x1u
/* group flags */
#define JDB_GROUP_PRIVATE 0x1u /* a user's own primary group */

/* ---- the writer's model (pam_jwt.so, pam-jwt accounts) ---------------- */

struct jdb_user {
	char *name, *gecos, *home, *shell;
	char *iss, *sub; /* the identity the account is bound to */
	uint32_t uid, gid, flags;
	int64_t created, last_login;
	uint32_t *gids; /* supplementary groups */
	size_t n_gids;
};

struct jdb_group {
	char *name;
	char *idp_name; /* the auth center's group it stands for ("" for a private group) */
	char *iss;
	uint32_t gid, flags;
};

struct jdb {
	struct jdb_user *users;
	size_t n_users, cap_users;
	struct jdb_group *groups;
	size_t n_groups, cap_groups;
};

/* Read the database at path into *db (release with jdb_free).  A missing
 * file is an empty database.  Returns 0, or -1 with a short reason in
 * why[whylen] (unreadable, unsafe: not a regular root-owned file that
 * only root can write, damaged). */
int jdb_load(const char *path, struct jdb *db, char *why, size_t whylen);

/* Write db to path atomically: a temporary file in the same directory,
 * fsync, rename, fsync of the directory.  Mode 0644, so that every
 * process can resolve names (the file holds no secret; iss and sub are
 * identifiers).  Checks db first (unique names, UIDs and GIDs; valid
 * names; every supplementary GID a group of db).  Returns 0, or -1 with
 * a reason. */
int jdb_save(const char *path, const struct jdb *db, char *why, size_t whylen);

void jdb_free(struct jdb *db);

/* Lookups in the model (NULL when absent). */
struct jdb_user *jdb_user_by_name(const struct jdb *db, const char *name);
struct jdb_user *jdb_user_by_uid(const struct jdb *db, uint32_t uid);
struct jdb_group *jdb_group_by_name(const struct jdb *db, const char *name);
struct jdb_group *jdb_group_by_gid(const struct jdb *db, uint32_t gid);

/* Add a deep copy of u / g (its strings and gids).  Returns 0, or -1 when
 * out of memory, over the limits, or the name or id is taken. */
int jdb_add_user(struct jdb *db, const struct jdb_user *u);
int jdb_add_group(struct jdb *db, const struct jdb_group *g);

/* Replace the supplementary groups of u with gids[0..n) (copied).
 * Returns 0, or -1 out of memory or over JDB_MAX_USER_GROUPS. */
int jdb_set_user_gids(struct jdb_user *u, const uint32_t *gids, size_t n);

/* Remove the user named name (and its private group), or the group
 * named name (and every membership of it).  Returns 0, or -1 when absent. */
int jdb_remove_user(struct jdb *db, const char *name);
int jdb_remove_group(struct jdb *db, const char *name);

/* Take the database's lock in dir (JDB_LOCK_FILE, created 0600), waiting
 * at most timeout_ms.  Returns a descriptor for jdb_unlock, or -1. */
int jdb_lock(const char *dir, int64_t timeout_ms);
void jdb_unlock(int fd);

/* A name the database accepts for a user or group: 1..32 bytes of
 * [a-z0-9_.-] (and '@' after the first byte), not starting with '-' or
 * '.', not all digits.  1 when valid. */
int jdb_name_ok(const char *name);

/* The candidate id number `attempt` (0, 1, 2, ...) for the identity
 * (iss, key) in [min, max]: min + FNV-1a 64(iss NUL key NUL attempt)
 * mod (max - min + 1).  Callers take the first candidate that no user
 * or group of the host (this database and every other source) holds, so
 * the same identity gets the same id on every host with the same
 * configuration and a collision moves it deterministically. */
uint32_t jdb_id_candidate(const char *iss, const char *key, uint32_t min, uint32_t max,
                          uint32_t attempt);

/* ---- the reader (libnss_jwt.so.2, and writers checking a file) ---------- */

struct jdb_map {
	const unsigned char *base;
	size_t size;
	dev_t dev;
	ino_t ino;
	int64_t mtime_ns;
	int mapped; /* base is an mmap of the file (else the caller's buffer) */
};

struct jdb_uview {
	const char *name, *gecos, *home, *shell, *iss, *sub;
	uint32_t uid, gid, flags;
	int64_t created, last_login;
	uint32_t index; /* position in the name order */
	uint32_t gids_at, gids_n;
};

struct jdb_gview {
	const char *name, *idp_name, *iss;
	uint32_t gid, flags;
	uint32_t index;
	uint32_t members_at, members_n;
};

/* Map the database at path (read-only) and check its header.  Refused
 * (-1, errno set: ENOENT missing, EACCES unsafe owner or mode, EINVAL
 * damaged) when it is not a regular file owned by root and writable by
 * root alone, is larger than JDB_MAX_FILE, or its header does not
 * describe ranges inside the file.  0 on success; release with
 * jdb_map_close. */
int jdb_map_open(const char *path, struct jdb_map *m);

/* A map over the caller's bytes p[0..n) (the fuzzer's input; tests),
 * checked like a file's header by jdb_map_open.  The bytes must outlive
 * the map and are not copied; jdb_map_current says 0 for such a map.
 * 0 on success, -1 with errno EINVAL when the header is damaged. */
int jdb_map_from_buffer(const void *p, size_t n, struct jdb_map *m);

/* Check every index, record and string and the checksum: 0 when the
 * whole file is sound, -1 otherwise. */
int jdb_map_verify(const struct jdb_map *m);
void jdb_map_close(struct jdb_map *m);

/* 1 when path still names the file m maps (same device, inode and
 * modification time), 0 otherwise: a reader that keeps a map open
 * re-opens when this says 0. */
int jdb_map_current(const struct jdb_map *m, const char *path);

uint32_t jdb_map_n_users(const struct jdb_map *m);
uint32_t jdb_map_n_groups(const struct jdb_map *m);

/* Lookups: 1 found (*v filled, pointing into the map), 0 not found. */
int jdb_map_user_by_name(const struct jdb_map *m, const char *name, struct jdb_uview *v);
int jdb_map_user_by_uid(const struct jdb_map *m, uint32_t uid, struct jdb_uview *v);
int jdb_map_user_at(const struct jdb_map *m, uint32_t i, struct jdb_uview *v);
int jdb_map_group_by_name(const struct jdb_map *m, const char *name, struct jdb_gview *v);
int jdb_map_group_by_gid(const struct jdb_map *m, uint32_t gid, struct jdb_gview *v);
int jdb_map_group_at(const struct jdb_map *m, uint32_t i, struct jdb_gview *v);

/* The k-th supplementary GID of a user, the k-th member (a user name) of
 * a group.  k must be below gids_n / members_n. */
uint32_t jdb_map_user_gid(const struct jdb_map *m, const struct jdb_uview *v, uint32_t k);
const char *jdb_map_member(const struct jdb_map *m, const struct jdb_gview *v, uint32_t k);

#endif
