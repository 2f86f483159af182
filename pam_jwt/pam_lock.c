/* Lock screens and the offline PIN, the PAM side (see pam_lock.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "offline.h"
#include "pam_lock.h"
#include "unlock.h"

int pj_pam_lock_config(pam_handle_t *pamh, int argc, const char **argv, struct pj_config *cfg)
{
	struct pj_err err;
	int i;

	pj_err_clear(&err);
	if (pj_config_init(cfg, &err) != PJ_OK)
		goto bad;
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) != 0 &&
		    pj_opt_arg(cfg, argv[i], &err) != PJ_OK) {
			pj_config_free(cfg);
			goto bad;
		}
	return 0;
bad:
	pam_syslog(pamh, LOG_ERR, "configuration error, refusing: %s", err.reason);
	return -1;
}

/* Run the helper; the verdict, or PJ_UNLOCK_UNAVAIL (logged). */
static enum pj_unlock_verdict run(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                                  char verb, const char *s, size_t len)
{
	enum pj_unlock_verdict v = PJ_UNLOCK_UNAVAIL;
	struct pj_err err;

	pj_err_clear(&err);
	if (pj_unlock_run(cfg->unlock_helper, user, verb, s, len, NULL, 0, &v, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "unlock helper: %s", err.reason);
		return PJ_UNLOCK_UNAVAIL;
	}
	return v;
}

int pj_pam_lock_token(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                      const char *token, size_t len)
{
	enum pj_unlock_verdict v = run(pamh, cfg, user, 'T', token, len);

	pam_syslog(pamh, LOG_NOTICE, "unlock helper %s the token for user=\"%s\"",
	           v == PJ_UNLOCK_OK ? "accepted" : "refused", user);
	switch (v) {
	case PJ_UNLOCK_OK: return PAM_SUCCESS;
	case PJ_UNLOCK_DENIED: return PAM_AUTH_ERR;
	default: return PAM_AUTHINFO_UNAVAIL;
	}
}

/* A verdict on a PIN as a PAM code, with a word for the person where it
 * helps them. */
static int pin_code(pam_handle_t *pamh, enum pj_unlock_verdict v)
{
	switch (v) {
	case PJ_UNLOCK_OK: return PAM_SUCCESS;
	case PJ_UNLOCK_DENIED: return PAM_AUTH_ERR;
	case PJ_UNLOCK_WAIT:
		pam_error(pamh, "Too many wrong PINs: wait a little, then try again.");
		return PAM_AUTH_ERR;
	case PJ_UNLOCK_ONLINE:
	case PJ_UNLOCK_NO_PIN: return PAM_IGNORE;
	default: return PAM_AUTHINFO_UNAVAIL;
	}
}

int pj_pam_lock_pin(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                    const char *answer)
{
	size_t len = strlen(answer);
	enum pj_unlock_verdict v;

	if (len == 0 || len > PJ_PIN_MAX)
		return PAM_IGNORE;
	v = run(pamh, cfg, user, 'P', answer, len);
	if (v == PJ_UNLOCK_OK || v == PJ_UNLOCK_DENIED || v == PJ_UNLOCK_WAIT)
		pam_syslog(pamh, LOG_NOTICE, "unlock helper %s the offline PIN for user=\"%s\"",
		           v == PJ_UNLOCK_OK ? "accepted" : "refused", user);
	if (v == PJ_UNLOCK_OK)
		/* for pam_gnome_keyring: a keyring whose password is the PIN */
		pam_set_item(pamh, PAM_AUTHTOK, answer);
	return pin_code(pamh, v);
}

int pj_pam_pin_login(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                     const char *answer, struct pj_decision *d)
{
	struct pj_pin_result r;
	struct pj_err err;
	size_t len = strlen(answer);
	enum pj_unlock_verdict v;
	int prio = LOG_WARNING;

	if (len == 0 || len > PJ_PIN_MAX || cfg->offline_pin == 2)
		return PAM_IGNORE;
	pj_err_clear(&err);
	if (pj_offline_check(cfg, user, answer, len, (int64_t)time(NULL), &r, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "offline PIN not checked for user=\"%s\": %s", user,
		           err.reason);
		return PAM_AUTHINFO_UNAVAIL;
	}
	switch (r.verdict) {
	case PJ_PIN_OK:
		memset(d, 0, sizeof(*d));
		snprintf(d->user, sizeof(d->user), "%s", user);
		snprintf(d->iss, sizeof(d->iss), "%s", r.iss);
		snprintf(d->sub, sizeof(d->sub), "%s", r.sub);
		d->claims = r.claims;
		pam_syslog(pamh, LOG_NOTICE,
		           "accepted offline PIN for user=\"%s\" iss=\"%s\" sub=\"%s\"", user,
		           r.iss, r.sub);
		pam_set_item(pamh, PAM_AUTHTOK, answer);
		return PAM_SUCCESS;
	case PJ_PIN_WRONG: v = PJ_UNLOCK_DENIED; break;
	case PJ_PIN_WAIT: v = PJ_UNLOCK_WAIT; break;
	case PJ_PIN_REFUSED: v = PJ_UNLOCK_DENIED; break;
	case PJ_PIN_ONLINE: v = PJ_UNLOCK_ONLINE, prio = LOG_INFO; break;
	default: v = PJ_UNLOCK_NO_PIN, prio = LOG_DEBUG; break;
	}
	if (prio != LOG_DEBUG || cfg->debug)
		pam_syslog(pamh, prio, "%s offline PIN for user=\"%s\": %s",
		           v == PJ_UNLOCK_ONLINE ? "not using the" : "refused", user, err.reason);
	return pin_code(pamh, v);
}

/* Ask for a new PIN twice; a malloc'ed PIN, or NULL (skipped, or the two
 * answers differ: said so). */
static char *ask_new_pin(pam_handle_t *pamh)
{
	char *a = NULL, *b = NULL;

	if (pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &a,
	               "Set an offline PIN for this computer (empty: not now): ") != PAM_SUCCESS ||
	    a == NULL || a[0] == '\0')
		goto skip;
	if (!pj_pin_valid(a, strlen(a))) {
		pam_error(pamh, "A PIN has %d to %d characters. No PIN set.", PJ_PIN_MIN,
		          PJ_PIN_MAX);
		goto skip;
	}
	if (pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &b, "Repeat the offline PIN: ") != PAM_SUCCESS ||
	    b == NULL || strcmp(a, b) != 0) {
		pam_error(pamh, "The PINs differ. No PIN set.");
		goto skip;
	}
	pj_free_secret(b, strlen(b));
	return a;
skip:
	if (a != NULL)
		pj_free_secret(a, strlen(a));
	if (b != NULL)
		pj_free_secret(b, strlen(b));
	return NULL;
}

void pj_pam_lock_online(pam_handle_t *pamh, const struct pj_config *cfg, const char *user,
                        const struct json_object *claims)
{
	struct pj_err err;
	char *pin = NULL;
	int has = 1;

	if (cfg->offline_max == 0)
		return;
	pj_err_clear(&err);
	if (cfg->pin_prompt && pj_offline_has_pin(cfg, user, claims, &has, &err) == PJ_OK && !has)
		pin = ask_new_pin(pamh);
	if (pj_offline_record(cfg, user, claims, (int64_t)time(NULL), pin, pin ? strlen(pin) : 0,
	                      &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "online sign-in of %s not recorded for offline use: %s",
		           user, err.reason);
	} else if (pin != NULL) {
		pam_syslog(pamh, LOG_NOTICE, "offline PIN set for user=\"%s\"", user);
		pam_set_item(pamh, PAM_AUTHTOK, pin);
	}
	if (pin != NULL)
		pj_free_secret(pin, strlen(pin));
}
