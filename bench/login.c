/* One login in a fresh process, the way sshd, sudo and greeters pay for
 * it: pam_start_confdir with a bench service directory, pam_authenticate
 * with the token (or password) given as the conversation's answer,
 * pam_end.  Exit 0 on PAM_SUCCESS, 1 otherwise.
 *   login CONFDIR SERVICE USER ANSWER */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(data);
	*resp = r;
	return PAM_SUCCESS;
}

int main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	pam_handle_t *h = NULL;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: login CONFDIR SERVICE USER ANSWER\n");
		return 2;
	}
	c.appdata_ptr = argv[4];
	rc = pam_start_confdir(argv[2], argv[3], &c, argv[1], &h);
	if (rc == PAM_SUCCESS)
		rc = pam_authenticate(h, 0);
	pam_end(h, rc);
	return rc == PAM_SUCCESS ? 0 : 1;
}
