/* Per-host state that decides access: replay protection (each jti once
 * until it expires) and the revocation list. */
#ifndef PJ_STATE_H
#define PJ_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "options.h"
#include "pj_err.h"

#define PJ_DEFAULT_STATE_DIR "/var/lib/pam_jwt"
#define PJ_REVOCATION_FILE_MAX (4 * 1024 * 1024)

/* Is the token revoked by cfg->revocation_file?  A line revokes one token
 * ("jti=ID"), or every token of a subject issued before a time
 * ("sub=SUB before=EPOCH"; without before, all of them); "iss=URL" limits
 * a line to one issuer.  Words are separated by spaces or tabs; a word
 * that starts with '#' starts a comment to the end of the line (a '#'
 * inside a word is part of it).  A token without iat counts as issued at 0.
 * PJ_OK when not revoked (or no file is configured), PJ_E_REVOKED with
 * the line when it is, PJ_E_CONFIG when the file is unreadable, unsafe or
 * malformed. */
enum pj_status pj_revocation_check(const struct pj_config *cfg, const struct json_object *claims,
                                   struct pj_err *err);

/* Read cfg->revocation_file as pj_revocation_check does, revoking
 * nothing: PJ_OK when it is absent from cfg or good, else that function's
 * errors (pam-jwt check). */
enum pj_status pj_revocation_file_check(const struct pj_config *cfg, struct pj_err *err);

/* Check one revocation line's syntax (for pam-jwt revoke); 0 when good. */
int pj_revocation_line_valid(const char *line, size_t len);

/* Record the token's jti (with its iss) in the replay store under
 * cfg->replay_dir, or refuse it when it was used before and has not yet
 * expired (exp + leeway).  Concurrent logins are serialised with a lock;
 * expired entries are pruned; the store holds at most
 * cfg->replay_max_entries live entries and refuses new tokens when full
 * (fail closed).  With record == 0 only looks (pam-jwt verify).  Errors:
 * PJ_E_REPLAY, PJ_E_CLAIM (no jti), PJ_E_UNAVAILABLE (store unusable),
 * PJ_E_CONFIG (store unsafe). */
enum pj_status pj_replay_check(const struct pj_config *cfg, const struct json_object *claims,
                               int64_t now, int record, struct pj_err *err);

/* Whether an active answer of the auth center's introspection endpoint
 * for this token (iss and jti) was kept under cfg->replay_dir less than
 * cfg->introspect_cache seconds ago.  0 when caching is off, the token
 * has no jti, or the store is missing, unsafe or damaged. */
int pj_answer_cached(const struct pj_config *cfg, const struct json_object *claims, int64_t now);

/* Keep an active answer for the token until min(until, now +
 * cfg->introspect_cache) (root-only file, written atomically, expired
 * answers dropped).  Best effort: a failure only means asking again. */
void pj_answer_keep(const struct pj_config *cfg, const struct json_object *claims, int64_t now,
                    int64_t until);

#endif
