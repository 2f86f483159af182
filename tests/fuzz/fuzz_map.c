/* libFuzzer target: a mapping file, evaluated against fixed claims; and
 * require rules. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "pj_json.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char claims_text[] =
		"{\"iss\":\"https://idp.example.com\",\"sub\":\"alice\",\"aud\":[\"a\",\"b\"],"
		"\"groups\":[\"admins\",\"devs\"],\"scope\":\"openid sudo\",\"n\":3}";
	struct json_object *claims = NULL;
	enum pj_map_result res;
	char account[PJ_USER_MAX + 1], *rule;
	unsigned line;
	struct pj_err err;

	if (pj_json_parse(claims_text, sizeof(claims_text) - 1, 16, &claims, &err) != PJ_OK)
		abort();
	pj_map_eval((const char *)data, size, "fuzz", claims, "sudo", &res, account,
		    sizeof(account), &line, &err);
	rule = malloc(size + 1);
	if (rule != NULL) {
		memcpy(rule, data, size);
		rule[size] = '\0';
		if (pj_require_valid(rule))
			pj_require_check(claims, rule, &err);
		free(rule);
	}
	json_object_put(claims);
	return 0;
}
