/* Accounts created from the auth center (accounts = create), kept in the
 * local account database (nss_jwt/jwtdb.h) that libnss_jwt.so.2 serves.
 *
 * Two halves.  The decision (pj_acct_decide, and the checks the option
 * parser uses) reads the database and the host's name services but
 * changes nothing: pj_validate() runs it, so `pam-jwt verify` says what
 * the module would do.  The changes (pj_acct_commit: create, bind,
 * groups, last login; pj_acct_make_home) are made by the module only,
 * after a token was accepted.  No PAM types here. */
#ifndef PJ_ACCOUNTS_H
#define PJ_ACCOUNTS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "options.h"
#include "pj_err.h"

struct jdb;

#define PJ_ACCT_UID_MIN_DEFAULT 1000000000
#define PJ_ACCT_UID_MAX_DEFAULT 1999999999
#define PJ_ACCT_ID_MAX 2147483646 /* below 2^31 - 1: some tools use signed ids */
#define PJ_ACCT_PROBES 1000 /* candidates tried before giving up */
#define PJ_ACCT_GECOS_MAX 64
#define PJ_ACCT_SUB_MAX 255
/* last_login is kept to this many seconds: a login within it of the last
 * recorded one changes nothing, so it writes nothing */
#define PJ_ACCT_LOGIN_STEP 3600
/* the GECOS of the NSS module's provisional entries */
#define PJ_ACCT_PROVISIONAL_GECOS "pam_jwt provisional"

enum pj_acct_kind {
	PJ_ACCT_LOCAL = 0, /* an account outside the database: the path of old */
	PJ_ACCT_BOUND, /* an account of the database, bound to this identity */
	PJ_ACCT_NEW /* no account yet: one will be created */
};

struct pj_acct {
	enum pj_acct_kind kind;
	uint32_t uid, gid; /* the account's, or the ones it will get */
	int provisional; /* NEW, with the UID of a provisional entry */
};

/* Option checks.  accounts_home: absolute, "%u" the only escape, no "..".
 * accounts_groups prefix: 1..16 of [a-z0-9_.-], starting with a letter.
 * accounts_group_allow: "*" or names separated by commas.
 * accounts_group_map: IDP:unix pairs separated by commas (the last ':'
 * splits; unix names as jdb_name_ok).  Non-zero when valid. */
int pj_acct_home_valid(const char *tmpl);
int pj_acct_prefix_valid(const char *prefix);
int pj_acct_group_allow_valid(const char *list);
int pj_acct_group_map_valid(const char *map);

/* The Unix group the auth center's group idp maps to under cfg: an
 * accounts_group_map entry (*explicit = 1), else accounts_groups'
 * prefix for a group of accounts_group_allow.  1 with unix_name[33]
 * filled, 0 when the group maps to nothing. */
int pj_acct_map_group(const struct pj_config *cfg, const char *idp, char unix_name[33],
                      int *explicit);

/* 1 when r, the result of a get*_r lookup, means "not found". */
int pj_acct_nss_missing(int r);

/* 1 when no group of the host (db and every NSS source) has gid; a
 * lookup error counts as taken. */
int pj_acct_gid_free(const struct jdb *db, uint32_t gid);

/* The database file of cfg ("accounts_dir/accounts.db") into
 * path[PATH_MAX].  PJ_E_CONFIG when too long. */
enum pj_status pj_acct_db_path(const struct pj_config *cfg, char path[PATH_MAX],
                               struct pj_err *err);

/* Check cfg->accounts_dir: a directory owned by root (or this user), not
 * writable by group or others, with safe parents; with create (a writer),
 * make it (0755) when missing and require that others can search it (the
 * NSS module reads the database in every process).  PJ_E_UNAVAILABLE when it is missing (and not
 * created), PJ_E_CONFIG when it is unsafe. */
enum pj_status pj_acct_dir_check(const struct pj_config *cfg, int create, struct pj_err *err);

/* Read the database of cfg into *db (release with jdb_free); a missing
 * file or directory is an empty database.  PJ_E_UNAVAILABLE with the
 * reason when it is damaged or unreadable, PJ_E_CONFIG when unsafe. */
enum pj_status pj_acct_load(const struct pj_config *cfg, struct jdb *db, struct pj_err *err);

/* 1 when the database file of cfg exists (whatever its state). */
int pj_acct_db_exists(const struct pj_config *cfg);

/* Decide what a login of the account `name`, chosen for the verified
 * claims, means for the database db (read only; the host's name services
 * are asked through getpwnam_r / getpwuid_r / getgrgid_r):
 * - a name the database does not hold but the host knows (files, LDAP...)
 *   is PJ_ACCT_LOCAL with its UID: never created, never bound;
 * - a name the database holds must be bound to the token's (iss, sub)
 *   and not locked (PJ_E_USER otherwise) -> PJ_ACCT_BOUND;
 * - an unknown name (or an NSS provisional entry: PJ_ACCT_PROVISIONAL_GECOS,
 *   a name matching accounts_provisional, a UID of the range) is
 *   PJ_ACCT_NEW with cfg->accounts_create, its UID the first candidate
 *   (jdb_id_candidate over cfg->issuer and sub, or the name) that no
 *   user holds, or the provisional entry's, and its GID the UID when no
 *   group holds it, else the next free candidate; without
 *   accounts_create it is PJ_E_NO_ACCOUNT.
 * Fills *out on PJ_OK.  Errors: PJ_E_USER (bound to another identity,
 * locked, a name or sub the database cannot hold, a provisional UID now
 * taken), PJ_E_NO_ACCOUNT, PJ_E_UNAVAILABLE (no free UID in the range). */
enum pj_status pj_acct_decide(const struct pj_config *cfg, const struct json_object *claims,
                              const char *name, const struct jdb *db, struct pj_acct *out,
                              struct pj_err *err);

/* The module's write, after the token was accepted with the decision
 * *expect: under the database lock (waiting at most cfg->http_timeout),
 * re-read the database, decide again (a different outcome, say another
 * identity took the name meanwhile, is PJ_E_USER), create the account
 * and its private group when new, replace its supplementary groups with
 * the ones the token's group_claim maps to, refresh GECOS from the name
 * claim and last_login (to PJ_ACCT_LOGIN_STEP), and save when anything
 * changed.  *out gets the final account; *created is 1 when it is new.
 * what[whatsz] receives a short note of what changed ("" for nothing).
 * Errors: those of pj_acct_decide, PJ_E_UNAVAILABLE (lock, damaged or
 * unwritable database), PJ_E_CONFIG (unsafe directory). */
enum pj_status pj_acct_commit(const struct pj_config *cfg, const struct json_object *claims,
                              const char *name, int64_t now, const struct pj_acct *expect,
                              struct pj_acct *out, char *what, size_t whatsz, struct pj_err *err);

/* The groups the claims map to, as Unix names separated by spaces, into
 * out[outsz] ("" for none); for `pam-jwt verify`. */
void pj_acct_group_names(const struct pj_config *cfg, const struct json_object *claims, char *out,
                         size_t outsz);

/* Make the home directory of the database account `name` when it has
 * none: base is the module line's configuration (routed here by the
 * account's issuer; nothing happens unless that says accounts = create).
 * The directory is made (mode accounts_home_mode) in a parent that only
 * root can write, filled with a copy of accounts_skel (no symlink is
 * followed, on either side) and given to the account's UID and GID last.
 * An existing path (of any type) is never touched.  *made is 1 when the
 * directory was made.  PJ_OK also when there is nothing to do. */
enum pj_status pj_acct_make_home(const struct pj_config *base, const char *name, int *made,
                                 struct pj_err *err);

#endif
