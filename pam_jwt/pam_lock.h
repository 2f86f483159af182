/* The module's part of lock screens and the offline PIN (pam_lock.c):
 * the user-run path through pam_jwt-unlock (unlock.h) and the PIN in the
 * root-run path (offline.h).  Only pam_jwt.c includes this. */
#ifndef PJ_PAM_LOCK_H
#define PJ_PAM_LOCK_H

#include <stddef.h>

#include <security/pam_modules.h>

#include "options.h"
#include "validate.h"

/* The user-run path's configuration: defaults and the module arguments
 * (the file is root's and may be unreadable; the helper reads it).
 * 0, or -1 (logged). */
int pj_pam_lock_config(pam_handle_t *pamh, int argc, const char **argv, struct pj_config *cfg);

/* User-run path: the helper checks token[0..len) (a typed one, or the
 * one a device flow returned) for user.  A PAM code. */
int pj_pam_lock_token(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                      const char *token, size_t len);

/* User-run path: the answer is not a token; the helper tries it as the
 * offline PIN.  PAM_SUCCESS, PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL, or
 * PAM_IGNORE when it is no PIN here (the auth center answers, no PIN
 * set): the caller hands it on as a password. */
int pj_pam_lock_pin(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                    const char *answer);

/* Root-run path, the same for the answer: PAM_SUCCESS with *d filled
 * (user, the last online sign-in's claims, exp 0) for the account phase,
 * PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL, or PAM_IGNORE. */
int pj_pam_pin_login(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                     const char *answer, struct pj_decision *d);

/* Root-run path, a token was accepted for user (cfg routed to its
 * issuer): record the online sign-in when offline_max is on, and with
 * pin_prompt offer to set a PIN when none is set (PAM_AUTHTOK then holds
 * the new PIN, for the keyring).  Failures are logged; the sign-in
 * stands. */
void pj_pam_lock_online(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                        const struct json_object *claims);

#endif
