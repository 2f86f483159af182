/* libFuzzer target: JWKS text (a file or an auth center's answer) into a
 * key set. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "jwk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pj_keyset *set = calloc(1, sizeof(*set));
	struct pj_err err;

	if (set == NULL)
		return 0;
	pj_jwks_add(set, (const char *)data, size, &err);
	pj_pem_add(set, (const char *)data, size, &err);
	pj_keyset_free(set);
	free(set);
	return 0;
}
