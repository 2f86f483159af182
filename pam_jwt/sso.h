/* The session's token cache for onward single sign-on.  After a device
 * flow login the module keeps the tokens the auth center issued (struct
 * pj_sso) and writes them, as the user, into the user's runtime directory
 * ($XDG_RUNTIME_DIR/pam-jwt, directory 0700, files 0600, no symlink
 * followed) in the token helper's login file format (tools/client_login.c:
 * version 1), so that `pam-jwt token` and `pam-jwt askpass` inside the
 * session get tokens for other hosts without a second sign-in.  The cache
 * is removed when the user's last session that wrote it closes.  No PAM
 * types here (the module's part is pam_sso.c). */
#ifndef PJ_SSO_H
#define PJ_SSO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "pj_err.h"

#define PJ_SSO_DIR "pam-jwt"
#define PJ_SSO_TEXT_MAX (64 * 1024)

struct pj_sso {
	char *user; /* the PAM user the tokens belong to */
	char *issuer, *client_id, *token_endpoint, *scope;
	char *ca_file; /* the auth center's CA for the token helper, or NULL */
	char *audience; /* this host's audience (the access token's) */
	char *audiences; /* every audience the login covers, space-separated */
	char *access_token, *refresh_token, *id_token; /* secrets; refresh, id may be NULL */
	int64_t access_exp, login_time;
};

/* The login file's name for issuer and client_id:
 * "login-<16 hex digits of SHA-256(issuer NL client_id)>.json" (".lock"
 * with lock), malloc'ed; NULL when out of memory.  The token helper finds
 * its login by this name. */
char *pj_login_file_name(const char *issuer, const char *client_id, int lock);

/* The top-level members of a login file (version 1). */
struct pj_login_head {
	const char *issuer, *client_id, *token_endpoint, *revocation_endpoint; /* borrowed */
	const char *refresh_token, *id_token, *scope; /* may be NULL */
	int64_t refresh_expires_at, login_time, refresh_time;
};

/* Add "version" and h's members to the object o (NULL strings are left
 * out).  0, or non-zero when out of memory. */
int pj_login_put_head(struct json_object *o, const struct pj_login_head *h);

/* Append {"audience", "access_token", "expires_at"[, "spent": true]} to
 * the array toks.  0, or non-zero when out of memory. */
int pj_login_put_token(struct json_object *toks, const char *audience, const char *access_token,
                       int64_t expires_at, int spent);

/* s as one JSON text (*text malloc'ed, NUL-terminated; wipe with
 * pj_free_secret(*text, strlen + 1)).  Errors: PJ_E_NOMEM. */
enum pj_status pj_sso_to_text(const struct pj_sso *s, char **text, struct pj_err *err);

/* Read what pj_sso_to_text wrote into *s (release with pj_sso_free, also
 * after a failure).  Errors: PJ_E_FORMAT for anything else. */
enum pj_status pj_sso_from_text(const char *text, size_t len, struct pj_sso *s, struct pj_err *err);

/* Wipe and release what s holds. */
void pj_sso_free(struct pj_sso *s);

/* Write s's login file into rundir/pam-jwt as uid:gid (the file system
 * identity is switched to the user's for the calling thread, so the
 * kernel checks every step as for the user), and a marker for the session
 * of process pid.  rundir must be an absolute path to a directory owned
 * by uid that neither group nor others may write; pam-jwt in it is made
 * 0700 when missing and must be uid's, mode 0700, not a symlink.  On PJ_OK
 * *cache_dir is rundir/pam-jwt (malloc'ed).  Errors: PJ_E_UNAVAILABLE
 * (no such directory, cannot write), PJ_E_CONFIG (unsafe directory),
 * PJ_E_NOMEM. */
enum pj_status pj_sso_write(const struct pj_sso *s, uid_t uid, gid_t gid, const char *rundir,
                            pid_t pid, char **cache_dir, struct pj_err *err);

/* The session of process pid ends: remove its marker from
 * cache_dir (as uid:gid), and when no other live session's marker is
 * left, the login file of issuer/client_id and its lock.  *removed is 1
 * when the login file went.  Errors: PJ_E_UNAVAILABLE, PJ_E_NOMEM. */
enum pj_status pj_sso_close(const char *cache_dir, uid_t uid, gid_t gid, const char *issuer,
                            const char *client_id, pid_t pid, int *removed, struct pj_err *err);

#endif
