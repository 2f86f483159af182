/* The floor: a PAM module that reads the answer and accepts it. */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>

__attribute__((visibility("default"))) int pam_sm_authenticate(pam_handle_t *pamh, int flags,
							       int argc, const char **argv)
{
	char *answer = NULL;
	int rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &answer, "Token: ");

	free(answer);
	return rc;
}

__attribute__((visibility("default"))) int pam_sm_setcred(pam_handle_t *pamh, int flags,
							  int argc, const char **argv)
{
	return PAM_SUCCESS;
}
