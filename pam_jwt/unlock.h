/* The caller's side of the lock-screen helper (unlockwire.h): lock
 * screens (KDE's, xscreensaver, swaylock) run PAM as the person whose
 * screen is locked, so the module cannot read what only root may read
 * (a 0600 configuration, the replay store, the revocation list, the PIN
 * store) nor write the replay store or the PIN store.  It then hands the
 * answer to pam_jwt-unlock, a setuid-root program that checks it for the
 * calling user's own account only.  No PAM types here. */
#ifndef PJ_UNLOCK_H
#define PJ_UNLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "pj_err.h"
#include "unlockwire.h"

/* The helper's installed path (configure sets it; the `unlock_helper`
 * module argument overrides it). */
#ifndef PJ_UNLOCK_HELPER
#define PJ_UNLOCK_HELPER "/usr/libexec/pam_jwt/pam_jwt-unlock"
#endif

/* At most this long for a verdict (the helper ends itself sooner). */
#define PJ_UNLOCK_WAIT_MS (100 * 1000)

/* 1 when this process must use the helper: it is not root, and the
 * configuration file the module line names (config=, else
 * PJ_DEFAULT_CONFIG) is not one of the effective user's own (a
 * configuration of the user's own decides nothing for anyone else, and
 * needs no helper).  argv are the module arguments. */
int pj_unlock_needed(int argc, const char **argv);

/* Run the helper (helper, or PJ_UNLOCK_HELPER when NULL) for user with
 * verb and the secrets (see unlockwire.h); *verdict gets its verdict.
 * PJ_OK when a verdict came back; PJ_E_UNAVAILABLE when it could not be
 * run or said nothing; PJ_E_TOO_LARGE / PJ_E_FORMAT for secrets it would
 * refuse. */
enum pj_status pj_unlock_run(const char *helper, const char *user, char verb, const char *s1,
                             size_t l1, const char *s2, size_t l2, enum pj_unlock_verdict *verdict,
                             struct pj_err *err);

/* A device-flow wait for an unlock service: GDM's unlock dialog gives up
 * after two minutes idle.  Given the wait the auth center allows
 * (expires_in) and the line's own cap (max_wait, 0: none), the wait to
 * use: the smallest of them and cfg->unlock_max_wait (0: not an unlock
 * service).  When unlock_max_wait shortens it, note[notesz] gets a
 * sentence for the person ("This screen waits N seconds: approve before
 * then."), else "". */
int64_t pj_unlock_device_wait(const struct pj_config *cfg, int64_t expires_in, int64_t max_wait,
                              char *note, size_t notesz);

#endif
