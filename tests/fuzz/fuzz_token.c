/* libFuzzer target: a token through pj_validate(), the function the
 * module calls, with a fixed configuration and key set. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate.h"

static struct pj_config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *jwks = getenv("FUZZ_JWKS");
	struct pj_err err;
	char *args[] = { "issuer=https://idp.example.com", "audience=pam:host-a.example.com",
			 "config=/dev/null/none", NULL };

	(void)argc;
	(void)argv;
	if (pj_config_init(&cfg, &err) != PJ_OK)
		abort();
	pj_opt_arg(&cfg, args[0], &err);
	pj_opt_arg(&cfg, args[1], &err);
	if (jwks == NULL)
		jwks = "tests/fuzz/fuzz.jwks";
	if (pj_opt_set(&cfg, "jwks_file", 9, jwks, &err) != PJ_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pj_decision d;

	pj_validate(&cfg, (const char *)data, size, "alice", 1750000000, &d);
	pj_decision_free(&d);
	return 0;
}
