/* Calls pam_jwt from several threads of one process at once, as a
 * threaded PAM host would: each thread runs its own PAM handles
 * (pam_start_confdir with a test service directory) and checks every
 * verdict.  Usage:
 *   threads SERVICE_DIR SERVICE USER GOOD_TOKEN BAD_TOKEN THREADS ROUNDS
 * Prints one line per thread and exits 0 only if every verdict was right. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

static const char *confdir, *service, *user, *good, *bad;
static int rounds;

struct job {
	int id;
	int wrong;
};

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	const char *answer = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			r[i].resp = strdup(answer);
			if (r[i].resp == NULL) {
				free(r);
				return PAM_BUF_ERR;
			}
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int login(const char *token)
{
	struct pam_conv c = { conv, (void *)token };
	pam_handle_t *h = NULL;
	int rc;

	rc = pam_start_confdir(service, user, &c, confdir, &h);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = pam_authenticate(h, 0);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(h, 0);
	pam_end(h, rc);
	return rc;
}

static void *run(void *arg)
{
	struct job *j = arg;
	int i;

	for (i = 0; i < rounds; i++) {
		if (login(good) != PAM_SUCCESS)
			j->wrong++;
		if (login(bad) == PAM_SUCCESS)
			j->wrong++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[64];
	struct job jobs[64];
	int n, i, wrong = 0;

	if (argc != 8) {
		fprintf(stderr, "usage: threads SERVICE_DIR SERVICE USER GOOD BAD THREADS ROUNDS\n");
		return 2;
	}
	confdir = argv[1];
	service = argv[2];
	user = argv[3];
	good = argv[4];
	bad = argv[5];
	n = (int)strtol(argv[6], NULL, 10);
	rounds = (int)strtol(argv[7], NULL, 10);
	if (n < 1 || n > 64 || rounds < 1)
		return 2;
	for (i = 0; i < n; i++) {
		jobs[i].id = i;
		jobs[i].wrong = 0;
		if (pthread_create(&tid[i], NULL, run, &jobs[i]) != 0)
			return 2;
	}
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		printf("thread %d: %d wrong verdicts in %d rounds\n", i, jobs[i].wrong, rounds);
		wrong += jobs[i].wrong;
	}
	return wrong == 0 ? 0 : 1;
}
