/* libFuzzer target: what comes back from an auth center and lands in the
 * cache: a body parsed as strict JSON, as a discovery document and as a
 * JWKS, and the session export of claims. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "jwk.h"
#include "pj_json.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const char *s)
{
	(void)ctx;
	(void)s;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *doc = NULL;
	struct pj_err err;
	const char *s;
	size_t slen;
	int64_t t;

	if (pj_json_parse((const char *)data, size, PJ_JSON_MAX_DEPTH, &doc, &err) != PJ_OK)
		return 0;
	pj_json_get_string(doc, "issuer", &s, &slen);
	pj_json_get_string(doc, "jwks_uri", &s, &slen);
	pj_json_get_date(doc, "exp", &t);
	pj_session_env(doc, "iss,sub,groups,exp,aud,x", sink, NULL, &err);
	if (pj_json_get(doc, "keys", json_type_array) != NULL) {
		struct pj_keyset *set = calloc(1, sizeof(*set));

		if (set != NULL) {
			pj_jwks_add(set, (const char *)data, size, &err);
			pj_keyset_free(set);
			free(set);
		}
	}
	json_object_put(doc);
	return 0;
}
