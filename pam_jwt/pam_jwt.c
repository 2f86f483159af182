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
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

/* Built with -fvisibility=hidden: only the entry points are exported. */
#define PJ_EXPORT __attribute__((visibility("default")))

#include "accounts.h"
#include "options.h"
#include "pam_desktop.h"
#include "osslinit.h"
#include "pam_lock.h"
#include "unlock.h"
#include "pj_json.h"
#include "policy.h"
#include "session.h"
#include "tokenin.h"
#include "validate.h"

#define STATE_KEY "pam_jwt_state"
#define RAN_KEY "pam_jwt_ran" /* set when authentication ran in this process */
#define ENV_PREFIX "PAM_JWT_"

/* What authentication leaves for the account and session phases of the
 * same PAM handle. */
struct auth_state {
	char user[PJ_USER_MAX + 1];
	int64_t exp;
	char *claims; /* the verified claims, as JSON text */
	size_t claims_len;
};

static void free_state(pam_handle_t *pamh, void *data, int error_status)
{
	struct auth_state *s = data;

	if (s == NULL)
		return;
	pj_free_secret(s->claims, s->claims_len + 1);
	pj_free_secret(s, sizeof(*s));
}

/* Remember an accepted decision in the handle for the account phase.
 * Returns 0, or -1 (logged) when it cannot: the login must then fail,
 * or the account phase would find nothing and skip its re-check. */
static int save_state(pam_handle_t *pamh, const struct pj_decision *d)
{
	struct auth_state *s = calloc(1, sizeof(*s));
	const char *text = json_object_to_json_string_ext(d->claims, JSON_C_TO_STRING_PLAIN);

	if (s == NULL || text == NULL || (s->claims = strdup(text)) == NULL) {
		free(s);
		pam_syslog(pamh, LOG_ERR, "cannot keep the token's claims for the account phase");
		return -1;
	}
	s->claims_len = strlen(s->claims);
	memcpy(s->user, d->user, sizeof(s->user));
	s->exp = d->exp;
	if (pam_set_data(pamh, STATE_KEY, s, free_state) != PAM_SUCCESS) {
		free_state(pamh, s, 0);
		pam_syslog(pamh, LOG_ERR, "cannot keep the token's claims for the account phase");
		return -1;
	}
	return 0;
}

static const struct auth_state *get_state(pam_handle_t *pamh)
{
	const void *data = NULL;

	if (pam_get_data(pamh, STATE_KEY, &data) != PAM_SUCCESS)
		return NULL;
	return data;
}

/* Configuration for this module line; cfg->service is the PAM service. */
static int load_config(pam_handle_t *pamh, int argc, const char **argv, struct pj_config *cfg)
{
	struct pj_err err;
	const void *service = NULL;

	pj_err_clear(&err);
	if (pj_config_load(cfg, argc, argv, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "configuration error, refusing: %s", err.reason);
		return -1;
	}
	if (pam_get_item(pamh, PAM_SERVICE, &service) == PAM_SUCCESS)
		cfg->service = service;
	return 0;
}

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
	case PJ_OK: return PAM_SUCCESS;
	case PJ_E_CONFIG:
	case PJ_E_UNAVAILABLE: return PAM_AUTHINFO_UNAVAIL;
	case PJ_E_NOMEM: return PAM_BUF_ERR;
	case PJ_E_NO_ACCOUNT: return PAM_USER_UNKNOWN;
	default: return PAM_AUTH_ERR;
	}
}

static void log_decision(pam_handle_t *pamh, const char *user, const struct pj_decision *d)
{
	char safe_user[64];

	pj_sanitize(safe_user, sizeof(safe_user), user, strlen(user));
	if (d->key_note[0] != '\0')
		pam_syslog(pamh, LOG_WARNING, "keys: %s", d->key_note);
	if (d->introspect_note[0] != '\0')
		pam_syslog(pamh, LOG_WARNING, "%s", d->introspect_note);
	if (d->err.status == PJ_OK)
		pam_syslog(pamh, LOG_NOTICE,
		           "accepted token for user=\"%s\" alg=%s iss=\"%s\" sub=\"%s\" kid=\"%s\" "
		           "jti=\"%s\"%s%s",
		           safe_user, jws_alg_name(d->alg), d->iss, d->sub, d->kid, d->jti,
		           d->rule[0] ? " rule=" : "", d->rule);
	else
		pam_syslog(pamh, LOG_NOTICE,
		           "refused token for user=\"%s\": %s: %s (iss=\"%s\" sub=\"%s\" "
		           "kid=\"%s\" jti=\"%s\")",
		           safe_user, pj_status_name(d->err.status), d->err.reason, d->iss, d->sub,
		           d->kid, d->jti);
}

/* Get the first answer: PAM_AUTHTOK (use_first_pass / try_first_pass) or
 * the conversation.  *prompted tells which. */
static int first_answer(pam_handle_t *pamh, const struct pj_config *cfg, const char **from_item,
                        char **asked)
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
			pam_syslog(pamh, LOG_NOTICE,
			           "use_first_pass: no token from a previous module");
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

struct env_ctx {
	pam_handle_t *pamh;
};

static int put_env(void *vctx, const char *assignment)
{
	struct env_ctx *ctx = vctx;

	return pam_putenv(ctx->pamh, assignment) != PAM_SUCCESS;
}

/* Remove every PAM_JWT_* variable from the handle's environment: only
 * this module may set them, and only for the user it authenticated, so
 * whatever an earlier attempt, the application or pam_env (a user's
 * ~/.pam_environment) put there goes.  0, or -1 (logged). */
static int clear_env(pam_handle_t *pamh)
{
	char **env = pam_getenvlist(pamh);
	size_t i, n;
	int rc = 0;

	if (env == NULL) {
		pam_syslog(pamh, LOG_ERR, "cannot read the PAM environment");
		return -1;
	}
	for (i = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], ENV_PREFIX, strlen(ENV_PREFIX)) == 0) {
			n = strcspn(env[i], "=");
			env[i][n] = '\0'; /* "NAME" alone deletes NAME */
			if (pam_putenv(pamh, env[i]) != PAM_SUCCESS)
				rc = -1;
		}
		free(env[i]);
	}
	free(env);
	if (rc != 0)
		pam_syslog(pamh, LOG_ERR, "cannot remove " ENV_PREFIX "* variables");
	return rc;
}

static int export_env(pam_handle_t *pamh, const struct json_object *claims, const char *list)
{
	struct env_ctx ctx = { pamh };
	struct pj_err err;

	pj_err_clear(&err);
	if (pj_session_env(claims, list, put_env, &ctx, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "cannot export claims: %s", err.reason);
		return -1;
	}
	return 0;
}

/* With sections, the configuration for the issuer of the saved claims
 * (the one that authenticated the user), replacing *cfg; 0 on success. */
static int route_config(pam_handle_t *pamh, struct pj_config *cfg, const struct json_object *claims)
{
	struct pj_config routed;
	struct pj_err err;
	const char *iss = NULL;
	size_t isslen = 0;

	if (cfg->n_sections == 0)
		return 0;
	pj_err_clear(&err);
	if (pj_json_get_string(claims, "iss", &iss, &isslen) != 1 ||
	    pj_config_for_issuer(cfg, iss, isslen, &routed, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "no configuration for the token's issuer: %s",
		           err.reason);
		return -1;
	}
	pj_config_free(cfg);
	*cfg = routed;
	return 0;
}

/* The account database's part of an accepted login (accounts.h): create
 * the account, bind it, replace its groups.  Before the account and
 * session phases, which (and sshd and sudo) look the account up.  On
 * failure d->err says why and the login is refused. */
static enum pj_status commit_account(pam_handle_t *pamh, struct pj_config *cfg,
                                     struct pj_decision *d)
{
	struct pj_acct final;
	char what[160];
	enum pj_status st;

	if (route_config(pamh, cfg, d->claims) != 0)
		return pj_fail(&d->err, PJ_E_CONFIG, "no configuration for the token's issuer");
	st = pj_acct_commit(cfg, d->claims, d->user, (int64_t)time(NULL), &d->acct, &final, what,
	                    sizeof(what), &d->err);
	d->err.status = st;
	if (st == PJ_OK && what[0] != '\0')
		pam_syslog(pamh, LOG_NOTICE, "%s", what);
	return st;
}

/* The home directory of an account of the database, made at its first
 * session (see pj_acct_make_home).  Returns 0, or -1 (logged) when it
 * should be there and cannot be made. */
static int ensure_home(pam_handle_t *pamh, int argc, const char **argv)
{
	struct pj_config cfg;
	struct pj_err err;
	const char *user = NULL;
	int made = 0, rc = 0;

	if (load_config(pamh, argc, argv, &cfg) != 0)
		return 0; /* logged; no account of this configuration logged in */
	pj_err_clear(&err);
	if (pam_get_user(pamh, &user, NULL) == PAM_SUCCESS && user != NULL) {
		if (pj_acct_make_home(&cfg, user, &made, &err) != PJ_OK) {
			pam_syslog(pamh, LOG_ERR, "session: no home directory for %s: %s", user,
			           err.reason);
			rc = -1;
		} else if (made) {
			pam_syslog(pamh, LOG_NOTICE, "session: made the home directory of %s",
			           user);
		}
	}
	pj_config_free(&cfg);
	return rc;
}

PJ_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pj_config cfg;
	struct pj_decision d;
	struct pj_err err;
	struct ask_ctx actx;
	const char *user = NULL, *from_item = NULL;
	char *asked = NULL, *token = NULL;
	size_t len = 0;
	int rc, not_token = 0, device = 0;
	/* a lock screen that runs PAM as the user: pam_jwt-unlock decides */
	int helper = pj_unlock_needed(argc, argv);
	enum pj_status st;
	struct pj_sso sso;

	pj_err_clear(&err);
	memset(&d, 0, sizeof(d));
	memset(&sso, 0, sizeof(sso));
	/* whatever an earlier call in this handle left is not this login's */
	pam_set_data(pamh, STATE_KEY, NULL, NULL);
	if (pam_set_data(pamh, RAN_KEY, (void *)RAN_KEY, NULL) != PAM_SUCCESS ||
	    clear_env(pamh) != 0)
		return PAM_BUF_ERR;
	pj_openssl_init();
	if (helper ? pj_pam_lock_config(pamh, argc, argv, &cfg) != 0
	           : load_config(pamh, argc, argv, &cfg) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	rc = pam_get_user(pamh, &user, NULL);
	if (rc != PAM_SUCCESS || user == NULL || user[0] == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name");
		rc = rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
		goto out;
	}
	if (!cfg.device_only) {
		rc = first_answer(pamh, &cfg, &from_item, &asked);
		if (rc != PAM_SUCCESS)
			goto out;
	}
	/* an empty answer (or a device-only service): sign in at the auth
	 * center instead (pam_device.c) */
	device = cfg.device_only || (cfg.device_flow && asked != NULL && asked[0] == '\0');
	if (device) {
		rc = pj_pam_device_login(pamh, &cfg, &token, &len, &sso);
		if (rc != PAM_SUCCESS)
			goto out;
		goto validate;
	}
	actx.pamh = pamh;
	actx.prompt = cfg.prompt;
	st = pj_token_collect(from_item != NULL ? from_item : asked, ask_part, &actx,
	                      cfg.max_token_size, &token, &len, &not_token, &err);
	if (st != PJ_OK) {
		pam_syslog(pamh, LOG_NOTICE, "refused token: %s: %s", pj_status_name(st),
		           err.reason);
		rc = pam_code(st);
		goto out;
	}
	if (not_token) {
		const char *ans = from_item != NULL ? from_item : asked;

		/* A password for another module: hand it on like pam_unix does. */
		if (asked != NULL)
			pam_set_item(pamh, PAM_AUTHTOK, asked);
		/* or the offline PIN (pam_lock.c) */
		rc = helper ? pj_pam_lock_pin(pamh, &cfg, user, ans)
		            : pj_pam_pin_login(pamh, &cfg, user, ans, &d);
		if (rc == PAM_SUCCESS && !helper && save_state(pamh, &d) != 0)
			rc = PAM_BUF_ERR;
		if (rc != PAM_IGNORE)
			goto out;
		if (strncmp(ans, "eyJ", 3) == 0)
			/* looks like the start of a token that a client cut short
			 * (ssh's 1023-byte answers, sudo's 511) */
			pam_syslog(pamh, LOG_NOTICE,
			           "answer starts like a token but is not one (cut short by the "
			           "client?); "
			           "ignoring it");
		else if (cfg.debug)
			pam_syslog(pamh, LOG_DEBUG, "answer is not a token, ignoring");
		rc = PAM_IGNORE;
		goto out;
	}
validate:
	if (helper) {
		/* the device flow's token (issue 13) comes here as well */
		rc = pj_pam_lock_token(pamh, &cfg, user, token, len);
		goto out;
	}
	st = pj_validate(&cfg, token, len, user, (int64_t)time(NULL), &d);
	if (st == PJ_OK && d.acct.kind != PJ_ACCT_LOCAL)
		st = commit_account(pamh, &cfg, &d);
	log_decision(pamh, user, &d);
	if (st == PJ_OK && save_state(pamh, &d) != 0) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	if (st == PJ_OK) {
		/* sshd authenticates in a child process and opens the session in
		 * its parent, which does not see this handle's data but does get
		 * the child's PAM environment: export the claims now too. */
		if (route_config(pamh, &cfg, d.claims) == 0) {
			if (cfg.session_env != NULL)
				export_env(pamh, d.claims, cfg.session_env);
			pj_pam_lock_online(pamh, &cfg, d.user, d.claims);
		}
		if (device && cfg.sso_cache)
			pj_pam_sso_keep(pamh, d.user, &sso);
	}
	rc = pam_code(st);
out:
	pj_sso_free(&sso);
	pj_decision_free(&d);
	pj_free_secret(token, len);
	if (asked != NULL)
		pj_free_secret(asked, strlen(asked));
	pj_config_free(&cfg);
	return rc;
}

PJ_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	/* the session's token cache, when setcred comes before the session */
	if ((flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED | PAM_REFRESH_CRED |
	              PAM_DELETE_CRED)) == 0 ||
	    (flags & PAM_ESTABLISH_CRED) != 0)
		pj_pam_sso_establish(pamh);
	return PAM_SUCCESS;
}

/* Account phase: only for users this module authenticated in this handle;
 * re-checks expiry and this line's require rules. */
PJ_EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct auth_state *s = get_state(pamh);
	struct json_object *claims = NULL;
	struct pj_config cfg;
	struct pj_err err;
	const char *user = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (s == NULL)
		return PAM_IGNORE;
	pj_err_clear(&err);
	if (load_config(pamh, argc, argv, &cfg) != 0)
		return PAM_PERM_DENIED;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL ||
	    strcmp(user, s->user) != 0) {
		pam_syslog(pamh, LOG_NOTICE,
		           "account: the PAM user changed since the token was checked");
		rc = PAM_PERM_DENIED;
		goto out;
	}
	if (pj_json_parse(s->claims, s->claims_len, PJ_JSON_MAX_DEPTH, &claims, &err) != PJ_OK ||
	    route_config(pamh, &cfg, claims) != 0) {
		pam_syslog(pamh, LOG_NOTICE, "account: user %s refused: %s", s->user, err.reason);
		rc = PAM_PERM_DENIED;
		goto out;
	}
	if (s->exp != 0 && now >= s->exp + cfg.leeway) {
		pam_syslog(pamh, LOG_NOTICE, "account: token of user %s expired %lld s ago",
		           s->user, (long long)(now - s->exp));
		rc = PAM_ACCT_EXPIRED;
		goto out;
	}
	if (pj_policy_check(claims, &cfg, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_NOTICE, "account: user %s refused: %s", s->user, err.reason);
		rc = PAM_PERM_DENIED;
		goto out;
	}
	if (cfg.debug)
		pam_syslog(pamh, LOG_DEBUG, "account: user %s allowed", s->user);
	rc = PAM_SUCCESS;
out:
	json_object_put(claims);
	pj_config_free(&cfg);
	return rc;
}

/* Session: the PAM_JWT_* variables hold the configured claims of the
 * token this module accepted in this handle's last authentication, and
 * nothing else:
 * any other PAM_JWT_* (set by pam_env from the user's own file, say) is
 * removed.  When authentication ran in another process (sshd's child),
 * there is nothing to compare with and the environment is left alone. */
static int open_session_env(pam_handle_t *pamh, int argc, const char **argv);

PJ_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	int rc;

	pj_pam_sso_establish(pamh);
	rc = open_session_env(pamh, argc, argv);
	pj_pam_sso_export(pamh);
	return rc;
}

static int open_session_env(pam_handle_t *pamh, int argc, const char **argv)
{
	const struct auth_state *s = get_state(pamh);
	const void *ran = NULL;
	struct json_object *claims = NULL;
	struct pj_config cfg;
	struct pj_err err;
	int rc = PAM_SUCCESS;

	/* sshd opens the session in another process than the one that
	 * authenticated: the database, not this handle, says whose it is */
	if (ensure_home(pamh, argc, argv) != 0)
		return PAM_SESSION_ERR;
	if (s == NULL) {
		if (pam_get_data(pamh, RAN_KEY, &ran) != PAM_SUCCESS || ran == NULL)
			return PAM_IGNORE;
		return clear_env(pamh) == 0 ? PAM_IGNORE : PAM_SESSION_ERR;
	}
	/* The claims describe who authenticated, even when the session runs
	 * as another user (sudo sets PAM_USER to the target user first). */
	if (clear_env(pamh) != 0)
		return PAM_SESSION_ERR;
	pj_err_clear(&err);
	if (load_config(pamh, argc, argv, &cfg) != 0)
		return PAM_SESSION_ERR;
	if (pj_json_parse(s->claims, s->claims_len, PJ_JSON_MAX_DEPTH, &claims, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "session: cannot read the saved claims: %s", err.reason);
		rc = PAM_SESSION_ERR;
	} else if (route_config(pamh, &cfg, claims) != 0) {
		rc = PAM_SESSION_ERR;
	} else if (cfg.session_env != NULL && export_env(pamh, claims, cfg.session_env) != 0) {
		rc = PAM_SESSION_ERR;
	}
	json_object_put(claims);
	pj_config_free(&cfg);
	return rc;
}

PJ_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pj_config cfg;
	struct pj_err err;

	pj_err_clear(&err);
	if (pj_config_load(&cfg, argc, argv, &err) != PJ_OK) {
		pj_pam_sso_close(pamh, NULL);
		return PAM_SUCCESS;
	}
	pj_pam_sso_close(pamh, &cfg);
	pj_config_free(&cfg);
	return PAM_SUCCESS;
}
