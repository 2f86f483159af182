/* The module's desktop sign-on: the device flow inside the PAM
 * conversation (pam_device.c) and the session's token cache for onward
 * sign-on (pam_sso.c).  Module only: these use PAM; the core parts are
 * device.h and sso.h. */
#ifndef PJ_PAM_DESKTOP_H
#define PJ_PAM_DESKTOP_H

#include <stddef.h>

#include <security/pam_modules.h>

#include "options.h"
#include "sso.h"

/* Sign the person in with the device flow: one PAM_TEXT_INFO with the
 * verification URL and the user code on separate lines (or, with
 * cfg->device_in_prompt, an echo-off prompt holding both, asked again
 * while the approval is pending), then poll the auth center until it
 * issues a token, refuses, the code expires, cfg->device_max_wait passes,
 * the conversation fails or a signal interrupts the wait.  Each outcome
 * is logged with its reason.  Returns PAM_SUCCESS with *token (malloc'ed;
 * wipe with pj_free_secret(*token, *len)) and *sso filled but for user
 * (release with pj_sso_free); else PAM_AUTH_ERR (denied, expired, timed
 * out, interrupted, refused), PAM_AUTHINFO_UNAVAIL (configuration, auth
 * center unreachable), PAM_CONV_ERR (the conversation failed) or
 * PAM_BUF_ERR.  The token still has to pass pj_validate. */
int pj_pam_device_login(pam_handle_t *pamh, const struct pj_config *cfg, char **token, size_t *len,
                        struct pj_sso *sso);

/* Keep the tokens of an accepted device-flow login for the session:
 * with pam_set_data for this handle, and in the PAM environment for a
 * session opened by another process (sshd), which pj_pam_sso_establish
 * removes again.  Takes over *sso (it is released).  Returns 0, or -1
 * (logged; the login itself stands). */
int pj_pam_sso_keep(pam_handle_t *pamh, const char *user, struct pj_sso *sso);

/* Write the kept tokens into the user's runtime directory as the user
 * (once per handle: pam_sm_setcred(PAM_ESTABLISH_CRED) or
 * pam_sm_open_session, whichever comes first) and export where they are
 * (PAM_JWT_CLI_CACHE_DIR, _ISSUER, _CLIENT_ID, _CA_FILE) for the token
 * helper.  Nothing kept: nothing done.  Failures are logged and never
 * fail the session. */
void pj_pam_sso_establish(pam_handle_t *pamh);

/* Export the token helper's variables again after the PAM_JWT_* clean-up
 * of the session phase (no-op when nothing was written). */
void pj_pam_sso_export(pam_handle_t *pamh);

/* The session closes: remove the cache when this was the user's last
 * session that had it.  cfg names the issuer and client when the cache
 * was written by another process of the application. */
void pj_pam_sso_close(pam_handle_t *pamh, const struct pj_config *cfg);

#endif
