/* PAM entry points only: get the token, call pj_validate(), turn the
 * decision into a PAM code and one log line.  Everything else lives in
 * the core below. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

/* Built with -fvisibility=hidden: only the entry points are exported. */
#define PJ_EXPORT __attribute__((visibility("default")))

#include "options.h"
#include "tokenin.h"
#include "validate.h"

struct ask_ctx {
	pam_handle_t *pamh;
	const char *prompt;
};

/* "Token: " -> "Token (part 2): " */
static int ask_part(void *vctx, int part, char **answer)
{
	struct ask_ctx *ctx = vctx;
	size_t n = strlen(ctx->prompt);
	char text[256];

	while (n > 0 && (ctx->prompt[n - 1] == ' ' || ctx->prompt[n - 1] == ':'))
		n--;
	if (n > 200)
		n = 200;
	snprintf(text, sizeof(text), "%.*s (part %d): ", (int)n, ctx->prompt, part);
	*answer = NULL;
	return pam_prompt(ctx->pamh, PAM_PROMPT_ECHO_OFF, answer, "%s", text) != PAM_SUCCESS;
}

static int pam_code(enum pj_status st)
{
	switch (st) {
	case PJ_OK:
		return PAM_SUCCESS;
	case PJ_E_CONFIG:
	case PJ_E_UNAVAILABLE:
		return PAM_AUTHINFO_UNAVAIL;
	case PJ_E_NOMEM:
		return PAM_BUF_ERR;
	case PJ_E_NO_ACCOUNT:
		return PAM_USER_UNKNOWN;
	default:
		return PAM_AUTH_ERR;
	}
}

static void log_decision(pam_handle_t *pamh, const char *user, const struct pj_decision *d)
{
	char safe_user[64];

	pj_sanitize(safe_user, sizeof(safe_user), user, strlen(user));
	if (d->key_note[0] != '\0')
		pam_syslog(pamh, LOG_WARNING, "keys: %s", d->key_note);
	if (d->err.status == PJ_OK)
		pam_syslog(pamh, LOG_NOTICE,
			   "accepted token for user=%s alg=%s iss=%s sub=%s kid=%s jti=%s",
			   safe_user, jws_alg_name(d->alg), d->iss, d->sub, d->kid, d->jti);
	else
		pam_syslog(pamh, LOG_NOTICE,
			   "refused token for user=%s: %s: %s (iss=%s sub=%s kid=%s jti=%s)",
			   safe_user, pj_status_name(d->err.status), d->err.reason, d->iss,
			   d->sub, d->kid, d->jti);
}

/* Get the first answer: PAM_AUTHTOK (use_first_pass / try_first_pass) or
 * the conversation.  *prompted tells which. */
static int first_answer(pam_handle_t *pamh, const struct pj_config *cfg,
			const char **from_item, char **asked)
{
	const void *item = NULL;
	int rc;

	*from_item = NULL;
	*asked = NULL;
	if (cfg->use_first_pass || cfg->try_first_pass) {
		rc = pam_get_item(pamh, PAM_AUTHTOK, &item);
		if (rc == PAM_SUCCESS && item != NULL) {
			*from_item = item;
			return PAM_SUCCESS;
		}
		if (cfg->use_first_pass) {
			pam_syslog(pamh, LOG_NOTICE, "use_first_pass: no token from a previous module");
			return PAM_AUTH_ERR;
		}
	}
	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, asked, "%s", cfg->prompt);
	if (rc != PAM_SUCCESS || *asked == NULL) {
		pam_syslog(pamh, LOG_NOTICE, "cannot read the token: %s", pam_strerror(pamh, rc));
		return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_SUCCESS;
}

PJ_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct pj_config cfg;
	struct pj_decision d;
	struct pj_err err;
	struct ask_ctx actx;
	const char *user = NULL, *from_item = NULL;
	char *asked = NULL, *token = NULL;
	size_t len = 0;
	int rc, not_token = 0;
	enum pj_status st;

	pj_err_clear(&err);
	memset(&d, 0, sizeof(d));
	if (pj_config_load(&cfg, argc, argv, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "configuration error, refusing: %s", err.reason);
		return PAM_AUTHINFO_UNAVAIL;
	}
	rc = pam_get_user(pamh, &user, NULL);
	if (rc != PAM_SUCCESS || user == NULL || user[0] == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name");
		rc = rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
		goto out;
	}
	rc = first_answer(pamh, &cfg, &from_item, &asked);
	if (rc != PAM_SUCCESS)
		goto out;
	actx.pamh = pamh;
	actx.prompt = cfg.prompt;
	st = pj_token_collect(from_item != NULL ? from_item : asked, ask_part, &actx,
			      cfg.max_token_size, &token, &len, &not_token, &err);
	if (st != PJ_OK) {
		pam_syslog(pamh, LOG_NOTICE, "refused token: %s: %s", pj_status_name(st), err.reason);
		rc = pam_code(st);
		goto out;
	}
	if (not_token) {
		/* A password for another module: hand it on like pam_unix does. */
		if (asked != NULL)
			pam_set_item(pamh, PAM_AUTHTOK, asked);
		if (cfg.debug)
			pam_syslog(pamh, LOG_DEBUG, "answer is not a token, ignoring");
		rc = PAM_IGNORE;
		goto out;
	}
	st = pj_validate(&cfg, token, len, user, (int64_t)time(NULL), &d);
	log_decision(pamh, user, &d);
	rc = pam_code(st);
out:
	pj_decision_free(&d);
	pj_free_secret(token, len);
	if (asked != NULL)
		pj_free_secret(asked, strlen(asked));
	pj_config_free(&cfg);
	return rc;
}

PJ_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}
