/* Shared helpers for the policy unit tests (test_map, test_require,
 * test_session_env, test_transforms).  Header-only so that each test
 * program stays one file plus this.  Claims are built with json-c's own
 * tokener from literal JSON in the test, not with pam_jwt's strict
 * parser, so the tests do not depend on the code under test for their
 * input.  Every helper fails the running test instead of returning an
 * error. */
#ifndef PJ_POLICY_PTEST_H
#define PJ_POLICY_PTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "pj_err.h"

/* Claims from literal JSON text; the test owns the result
 * (json_object_put). */
static inline struct json_object *claims_of(const char *json)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	assert_non_null(tok);
	o = json_tokener_parse_ex(tok, json, (int)strlen(json));
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		fail_msg("test bug: claims are not a JSON object: %s", json);
	json_tokener_free(tok);
	return o;
}

/* The reason holds `want` (with the reason printed when it does not). */
#define assert_reason_has(err, want)                                                        \
	do {                                                                                \
		if (strstr((err)->reason, (want)) == NULL)                                  \
			fail_msg("reason \"%s\" does not contain \"%s\"", (err)->reason,    \
				 (want));                                                   \
	} while (0)

/* The status is `want`; prints the reason when it is not. */
#define assert_status(got, want, err)                                                       \
	do {                                                                                \
		enum pj_status got_ = (got);                                                \
		if (got_ != (want))                                                         \
			fail_msg("status %s (%d), want %s (%d); reason: %s",                \
				 pj_status_name(got_), (int)got_, pj_status_name(want),     \
				 (int)(want), (err)->reason);                               \
	} while (0)

#endif
