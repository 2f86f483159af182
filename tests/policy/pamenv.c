/* pamenv: run one PAM transaction (authenticate, acct_mgmt, open_session
 * in the same handle) and print what happened, including the PAM
 * environment that pamtester cannot show.  A test driver, meant to run
 * under pam_wrapper (LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1
 * PAM_WRAPPER_SERVICE_DIR=DIR), so the service file comes from DIR.
 *
 *   pamenv [-s SECONDS | -t EPOCH] [-u NEWUSER] [-a] SERVICE USER < answers
 *
 * Every conversation prompt takes the next line of standard input (the
 * token, a password...).  Answers are never printed.  Output, one item a
 * line:
 *   prompt: TEXT            a prompt that was answered
 *   info: TEXT / error: TEXT  messages from the modules
 *   authenticate: CODE TEXT   then acct_mgmt: and open_session: likewise
 *   env: NAME=VALUE         each variable of pam_getenvlist, after
 *                           open_session
 * It stops at the first step that fails.  -s sleeps between authenticate
 * and acct_mgmt, -t until the clock is past EPOCH (to let a token expire
 * in between); -u sets PAM_USER to
 * NEWUSER between them (an application that switches the user after
 * authentication); -a stops after acct_mgmt.  Exit status: 0 when every step succeeded, 1 when one
 * failed, 2 on a usage or set-up error. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define MAX_ANSWERS 64
#define MAX_LINE 65536

static char *answers[MAX_ANSWERS];
static int n_answers, next_answer;

static void wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static int read_answers(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n_answers >= MAX_ANSWERS || n > MAX_LINE)
			break;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((answers[n_answers] = strdup(line)) == NULL)
			break;
		n_answers++;
	}
	if (line != NULL) {
		explicit_bzero(line, cap);
		free(line);
	}
	return 0;
}

static int conv(int num_msg, const struct pam_message **msg, struct pam_response **resp,
		void *appdata)
{
	struct pam_response *r;
	int i;

	(void)appdata;
	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)num_msg, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		const char *text = msg[i]->msg ? msg[i]->msg : "";

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			printf("prompt: %s\n", text);
			if (next_answer >= n_answers) {
				printf("conversation: no answer left\n");
				goto fail;
			}
			r[i].resp = strdup(answers[next_answer++]);
			if (r[i].resp == NULL)
				goto fail;
			break;
		case PAM_ERROR_MSG:
			printf("error: %s\n", text);
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", text);
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < num_msg; i++)
		wipe_free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

static int step(pam_handle_t *pamh, const char *name, int rc)
{
	printf("%s: %d %s\n", name, rc, pam_strerror(pamh, rc));
	return rc == PAM_SUCCESS;
}

int main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	long long until = 0;
	int opt, sleep_s = 0, stop_after_acct = 0, all_ok = 0, rc, i, session_open = 0;
	const char *new_user = NULL;
	char **env;

	while ((opt = getopt(argc, argv, "s:t:u:a")) != -1) {
		switch (opt) {
		case 's': {
			char *end = NULL;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end != '\0' || v < 0 || v > 60) {
				fputs("pamenv: -s takes 0..60 seconds\n", stderr);
				return 2;
			}
			sleep_s = (int)v;
			break;
		}
		case 't': {
			char *end = NULL;

			until = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || until <= 0) {
				fputs("pamenv: -t takes seconds since 1970\n", stderr);
				return 2;
			}
			break;
		}
		case 'u':
			new_user = optarg;
			break;
		case 'a':
			stop_after_acct = 1;
			break;
		default:
			fputs("usage: pamenv [-s SECONDS | -t EPOCH] [-u NEWUSER] [-a] SERVICE USER < answers\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs("usage: pamenv [-s SECONDS | -t EPOCH] [-u NEWUSER] [-a] SERVICE USER < answers\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	read_answers();
	rc = pam_start(argv[optind], argv[optind + 1], &pc, &pamh);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pamenv: pam_start: %d\n", rc);
		return 2;
	}
	if (!step(pamh, "authenticate", pam_authenticate(pamh, 0)))
		goto out;
	if (sleep_s > 0)
		sleep((unsigned)sleep_s);
	while (until > 0 && (long long)time(NULL) <= until) {
		if (until - (long long)time(NULL) > 60) {
			fputs("pamenv: -t is more than a minute away\n", stderr);
			pam_end(pamh, PAM_SYSTEM_ERR);
			return 2;
		}
		usleep(100000);
	}
	if (new_user != NULL && pam_set_item(pamh, PAM_USER, new_user) != PAM_SUCCESS) {
		fprintf(stderr, "pamenv: cannot set PAM_USER\n");
		pam_end(pamh, PAM_SYSTEM_ERR);
		return 2;
	}
	if (!step(pamh, "acct_mgmt", pam_acct_mgmt(pamh, 0)))
		goto out;
	if (stop_after_acct) {
		all_ok = 1;
		goto out;
	}
	if (!step(pamh, "open_session", pam_open_session(pamh, 0)))
		goto out;
	session_open = 1;
	env = pam_getenvlist(pamh);
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		printf("env: %s\n", env[i]);
		free(env[i]);
	}
	free(env);
	all_ok = 1;
out:
	if (session_open)
		pam_close_session(pamh, 0);
	pam_end(pamh, all_ok ? PAM_SUCCESS : PAM_AUTH_ERR);
	for (i = 0; i < n_answers; i++)
		wipe_free(answers[i]);
	return all_ok ? 0 : 1;
}
