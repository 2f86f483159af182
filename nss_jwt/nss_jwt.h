/* Inside libnss_jwt.so.2: what its two halves share.  nss_jwt.c holds the
 * NSS entry points over the account database (jwtdb.h); nss_prov.c the
 * provisional entries for a first login, read from pam_jwt's
 * configuration.  Nothing here is exported: the library exports only the
 * _nss_jwt_* entry points (nss_jwt.sym). */
#ifndef PJ_NSS_JWT_H
#define PJ_NSS_JWT_H

#include <pwd.h>
#include <stddef.h>

#include "jwtdb.h"

/* The database and the configuration: compile-time paths, and the
 * configuration's accounts_dir.  The module runs inside setuid programs:
 * no environment variable may move them. */
#define NJ_DB_PATH JDB_DEFAULT_DIR "/" JDB_FILE
#define NJ_CONFIG_PATH "/etc/security/pam_jwt.conf"
#define NJ_PASSWD_PATH "/etc/passwd"

/* The database's path: accounts_dir/accounts.db when the global part of
 * the configuration (readable by this process, safe) sets accounts_dir,
 * else NJ_DB_PATH.  Call under the module's lock; the result is out or
 * NJ_DB_PATH. */
const char *nj_db_path(char *out, size_t outlen);

/* The caller's buffer, filled from its start. */
struct nj_buf {
	char *p;
	size_t left;
};

/* Copy s (with its NUL) into b; the copy, or NULL when b has no room
 * (then b stays full: every later nj_put fails too). */
char *nj_put(struct nj_buf *b, const char *s);

/* A provisional passwd entry for name (see nss_prov.c), when the
 * configuration asks for one: the caller holds the module's lock and has
 * found no account of that name in m (NULL when there is no database).
 * Returns 1 with *pw filled from buf[0..len), 0 when there is no such
 * entry, -1 when buf is too small. */
int nj_provisional(const char *name, const struct jdb_map *m, struct passwd *pw, char *buf,
                   size_t len);

#endif
