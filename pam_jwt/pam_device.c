/* The device flow inside the PAM conversation (see pam_desktop.h).  All
 * network requests go through the fetch helper (device.h); this file
 * talks to the person and waits. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "device.h"
#include "unlock.h"
#include "pam_desktop.h"
#include "qrtext.h"

#define MAX_NET_ERRORS 3

static int64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Sleep s seconds; -1 when a signal interrupted the wait (the host's
 * handler ran: a cancel, sshd's LoginGraceTime, a greeter's stop). */
static int wait_s(int64_t s)
{
	struct timespec ts = { (time_t)s, 0 };

	if (s <= 0)
		return 0;
	return nanosleep(&ts, NULL) == 0 ? 0 : -1;
}

/* Whether the conversation is a terminal: PAM_TTY names a terminal
 * device ("tty1", "/dev/pts/3", "console"), not an X display (":0", a
 * greeter's) or a service name ("ssh"). */
static int conv_is_terminal(pam_handle_t *pamh)
{
	const void *item = NULL;
	const char *t;

	if (pam_get_item(pamh, PAM_TTY, &item) != PAM_SUCCESS || item == NULL)
		return 0;
	t = item;
	if (strncmp(t, "/dev/", 5) == 0)
		t += 5;
	return strncmp(t, "tty", 3) == 0 || strncmp(t, "pts/", 4) == 0 || strcmp(t, "console") == 0;
}

/* The info message: URL and code, and at a terminal the page (with the
 * code filled in when the auth center gives such a URL) as a QR code. */
static int show_info(pam_handle_t *pamh, const struct pj_device_auth *a, const char *note)
{
	char *qr = NULL;
	int rc;

	if (conv_is_terminal(pamh))
		qr = pj_qr_text(a->uri_complete != NULL ? a->uri_complete : a->uri);
	if (qr != NULL && *qr != '\0') /* the conversation ends the message's line */
		qr[strlen(qr) - 1] = '\0';
	rc = pam_info(pamh, "Sign in at the auth center.\nOpen: %s\nCode: %s%s%s%s%s", a->uri,
	              a->user_code, note[0] ? "\n" : "", note, qr != NULL ? "\nOr scan:\n" : "",
	              qr != NULL ? qr : "");
	free(qr);
	return rc == PAM_SUCCESS ? 0 : -1;
}

/* Show the URL and the code: one PAM_TEXT_INFO, or (in_prompt) an
 * echo-off prompt whose answer is ignored.  0, or -1 when the
 * conversation failed. */
static int show(pam_handle_t *pamh, const struct pj_config *cfg, const struct pj_device_auth *a,
                int again)
{
	char *answer = NULL, note[128];
	int rc;

	/* an unlock service (unlock_max_wait) says how long it waits, in the
	 * same message */
	pj_unlock_device_wait(cfg, a->expires_in, cfg->device_max_wait, note, sizeof(note));
	if (!cfg->device_in_prompt)
		return show_info(pamh, a, note);
	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &answer,
	                "%s%s%sApprove at %s with code %s, then press Enter: ",
	                again ? "Not approved yet. " : "", note, note[0] ? " " : "", a->uri,
	                a->user_code);
	if (answer != NULL) /* SDDM sends the typed password: never kept */
		pj_free_secret(answer, strlen(answer));
	return rc == PAM_SUCCESS ? 0 : -1;
}

/* The configuration of the auth center the device flow signs in with:
 * cfg itself, or with sections the only one (*routed set). */
static int device_config(pam_handle_t *pamh, const struct pj_config *cfg, struct pj_config *out,
                         int *routed)
{
	char *iss[PJ_MAX_SECTIONS];
	size_t n = 0, i;
	struct pj_err err;
	int rc = 0;

	*routed = 0;
	if (cfg->n_sections == 0)
		return 0;
	pj_err_clear(&err);
	if (pj_config_issuers(cfg, iss, &n, &err) != PJ_OK)
		n = 0;
	if (n != 1 || pj_config_for_issuer(cfg, iss[0], strlen(iss[0]), out, &err) != PJ_OK) {
		pam_syslog(pamh, LOG_ERR,
		           "device flow: needs exactly one auth center in the configuration%s%s",
		           err.reason[0] ? ": " : "", err.reason);
		rc = -1;
	} else {
		*routed = 1;
	}
	for (i = 0; i < n; i++)
		free(iss[i]);
	return rc;
}

static int fill_sso(const struct pj_config *cfg, const struct pj_device *dev,
                    struct pj_device_tokens *tok, struct pj_sso *sso)
{
	size_t n =
	        strlen(cfg->audience) + 2 + (cfg->sso_audiences ? strlen(cfg->sso_audiences) : 0);
	char *p;

	memset(sso, 0, sizeof(*sso));
	sso->audiences = malloc(n);
	if (sso->audiences == NULL)
		return -1;
	snprintf(sso->audiences, n, "%s %s", cfg->audience,
	         cfg->sso_audiences ? cfg->sso_audiences : "");
	for (p = sso->audiences; *p; p++)
		if (*p == ',' || *p == '\t')
			*p = ' ';
	sso->issuer = strdup(cfg->issuer);
	sso->client_id = strdup(cfg->client_id);
	sso->token_endpoint = strdup(dev->token_endpoint);
	sso->scope = strdup(cfg->device_scope);
	sso->audience = strdup(cfg->audience);
	if (cfg->ca_file != NULL)
		sso->ca_file = strdup(cfg->ca_file);
	sso->refresh_token = tok->refresh_token;
	sso->id_token = tok->id_token;
	tok->refresh_token = tok->id_token = NULL;
	sso->login_time = (int64_t)time(NULL);
	sso->access_exp = tok->expires_in > 0 ? sso->login_time + tok->expires_in : 0;
	if (sso->issuer == NULL || sso->client_id == NULL || sso->token_endpoint == NULL ||
	    sso->scope == NULL || sso->audience == NULL || (cfg->ca_file && !sso->ca_file)) {
		pj_sso_free(sso);
		return -1;
	}
	return 0;
}

/* Poll until an outcome; returns the PAM code (logged). */
static int poll_loop(pam_handle_t *pamh, const struct pj_config *cfg, struct pj_device *dev,
                     struct pj_device_tokens *tok)
{
	int64_t interval = dev->auth.interval, start = mono_s();
	char note[128];
	/* the smallest of the code's lifetime, device_max_wait and, for an
	 * unlock service, unlock_max_wait */
	int64_t wait = pj_unlock_device_wait(cfg, dev->auth.expires_in, cfg->device_max_wait, note,
	                                     sizeof(note));
	struct pj_err err;
	int net_errors = 0, again = 0;

	for (;;) {
		if (again && cfg->device_in_prompt && show(pamh, cfg, &dev->auth, 1) != 0) {
			pam_syslog(pamh, LOG_NOTICE,
			           "device flow: cancelled: the conversation failed while waiting "
			           "for approval");
			return PAM_CONV_ERR;
		}
		again = 1;
		if (mono_s() + interval > start + wait) {
			pam_syslog(pamh, LOG_NOTICE,
			           "device flow: no approval within %lld s (device_max_wait or the "
			           "code's lifetime)",
			           (long long)wait);
			return PAM_AUTH_ERR;
		}
		if (wait_s(interval) != 0) {
			pam_syslog(pamh, LOG_NOTICE,
			           "device flow: cancelled: a signal interrupted the wait");
			return PAM_AUTH_ERR;
		}
		pj_err_clear(&err);
		switch (pj_device_poll(cfg, dev, tok, &err)) {
		case PJ_POLL_TOKEN: return PAM_SUCCESS;
		case PJ_POLL_PENDING: net_errors = 0; continue;
		case PJ_POLL_SLOW_DOWN:
			interval += 5; /* RFC 8628 section 3.5 */
			if (cfg->debug)
				pam_syslog(pamh, LOG_DEBUG,
				           "device flow: slow_down, interval now %lld s",
				           (long long)interval);
			continue;
		case PJ_POLL_DENIED:
			pam_syslog(pamh, LOG_NOTICE, "device flow: denied at the auth center (%s)",
			           err.reason);
			return PAM_AUTH_ERR;
		case PJ_POLL_EXPIRED:
			pam_syslog(pamh, LOG_NOTICE,
			           "device flow: the code expired before it was approved (%s)",
			           err.reason);
			return PAM_AUTH_ERR;
		case PJ_POLL_ERROR:
			if (err.status == PJ_E_UNAVAILABLE && ++net_errors < MAX_NET_ERRORS)
				continue;
			if (err.status == PJ_E_UNAVAILABLE || err.status == PJ_E_CONFIG) {
				pam_syslog(pamh, LOG_ERR,
				           "device flow: the auth center cannot be reached: %s",
				           err.reason);
				return PAM_AUTHINFO_UNAVAIL;
			}
			pam_syslog(pamh, LOG_NOTICE, "device flow: the auth center refused: %s",
			           err.reason);
			return PAM_AUTH_ERR;
		}
	}
}

int pj_pam_device_login(pam_handle_t *pamh, const struct pj_config *cfg0, char **token, size_t *len,
                        struct pj_sso *sso)
{
	struct pj_config routed;
	const struct pj_config *cfg = cfg0;
	struct pj_device dev;
	struct pj_device_tokens tok;
	struct pj_err err;
	int rc, is_routed = 0;
	enum pj_status st;

	*token = NULL;
	*len = 0;
	memset(&dev, 0, sizeof(dev));
	memset(&tok, 0, sizeof(tok));
	memset(sso, 0, sizeof(*sso));
	if (device_config(pamh, cfg0, &routed, &is_routed) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	if (is_routed)
		cfg = &routed;
	pj_err_clear(&err);
	st = pj_device_start(cfg, &dev, &err);
	if (st != PJ_OK) {
		pam_syslog(pamh, LOG_ERR, "device flow: cannot start: %s", err.reason);
		rc = st == PJ_E_NOMEM ? PAM_BUF_ERR : PAM_AUTHINFO_UNAVAIL;
		goto out;
	}
	if (cfg->debug)
		pam_syslog(pamh, LOG_DEBUG,
		           "device flow: started, interval %lld s, expires in %lld s",
		           (long long)dev.auth.interval, (long long)dev.auth.expires_in);
	if (show(pamh, cfg, &dev.auth, 0) != 0) {
		pam_syslog(pamh, LOG_NOTICE,
		           "device flow: cancelled: the conversation could not show the code");
		rc = PAM_CONV_ERR;
		goto out;
	}
	rc = poll_loop(pamh, cfg, &dev, &tok);
	if (rc != PAM_SUCCESS)
		goto out;
	if (fill_sso(cfg, &dev, &tok, sso) != 0) {
		rc = PAM_BUF_ERR;
		goto out;
	}
	*len = strlen(tok.access_token);
	*token = tok.access_token;
	tok.access_token = NULL;
	if ((sso->access_token = strdup(*token)) == NULL) {
		pj_sso_free(sso);
		pj_free_secret(*token, *len);
		*token = NULL;
		rc = PAM_BUF_ERR;
	}
out:
	pj_device_tokens_free(&tok);
	pj_device_free(&dev);
	if (is_routed)
		pj_config_free(&routed);
	return rc;
}
