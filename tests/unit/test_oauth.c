/* OAuth answers the module shows to a person or acts on (oauth.c), the
 * kept session tokens (sso.c), and the argument-only device options. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "oauth.h"
#include "options.h"
#include "pj_json.h"
#include "sso.h"

static enum pj_status read_text(const char *text, long status, struct pj_device_auth *a)
{
	struct json_object *doc = NULL;
	struct pj_err err;
	enum pj_status st;

	assert_int_equal(pj_json_parse(text, strlen(text), PJ_JSON_MAX_DEPTH, &doc, &err), PJ_OK);
	st = pj_device_auth_read(doc, status, a, &err);
	json_object_put(doc);
	return st;
}

static void test_device_auth_ok(void **state)
{
	struct pj_device_auth a;

	(void)state;
	assert_int_equal(read_text("{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\","
	                           "\"verification_uri\":\"https://idp.test/device\","
	                           "\"expires_in\":120,\"interval\":3}",
	                           200, &a),
	                 PJ_OK);
	assert_string_equal(a.user_code, "ABCD-EFGH");
	assert_string_equal(a.uri, "https://idp.test/device");
	assert_null(a.uri_complete);
	assert_int_equal(a.expires_in, 120);
	assert_int_equal(a.interval, 3);
	pj_device_auth_free(&a);
	/* defaults; the older draft's verification_url */
	assert_int_equal(read_text("{\"device_code\":\"dc\",\"user_code\":\"X\","
	                           "\"verification_url\":\"https://idp.test/d\","
	                           "\"interval\":0,\"expires_in\":999999}",
	                           200, &a),
	                 PJ_OK);
	assert_int_equal(a.interval, 5);
	assert_int_equal(a.expires_in, 600);
	pj_device_auth_free(&a);
}

/* A hostile auth center must not write terminal escapes on a console or
 * a greeter, nor send the person to a plain-http page. */
static void test_device_auth_escape_sequences_refused(void **state)
{
	struct pj_device_auth a;

	(void)state;
	assert_int_equal(read_text("{\"device_code\":\"dc\",\"user_code\":\"AB\\u001b[2J\","
	                           "\"verification_uri\":\"https://idp.test/device\"}",
	                           200, &a),
	                 PJ_E_UNAVAILABLE);
	assert_int_equal(read_text("{\"device_code\":\"dc\",\"user_code\":\"AB\","
	                           "\"verification_uri\":\"https://idp.test/\\ndevice\"}",
	                           200, &a),
	                 PJ_E_UNAVAILABLE);
	assert_int_equal(read_text("{\"device_code\":\"dc\",\"user_code\":\"AB\","
	                           "\"verification_uri\":\"http://idp.test/device\"}",
	                           200, &a),
	                 PJ_E_UNAVAILABLE);
	assert_int_equal(read_text("{\"user_code\":\"AB\","
	                           "\"verification_uri\":\"https://idp.test/device\"}",
	                           200, &a),
	                 PJ_E_UNAVAILABLE);
	assert_int_equal(read_text("{\"error\":\"invalid_client\"}", 401, &a), PJ_E_UNAVAILABLE);
}

static void test_poll_classify(void **state)
{
	(void)state;
	assert_int_equal(pj_poll_classify(200, 1, NULL), PJ_POLL_TOKEN);
	assert_int_equal(pj_poll_classify(200, 0, NULL), PJ_POLL_ERROR);
	assert_int_equal(pj_poll_classify(400, 1, "authorization_pending"), PJ_POLL_PENDING);
	assert_int_equal(pj_poll_classify(400, 0, "authorization_pending"), PJ_POLL_PENDING);
	assert_int_equal(pj_poll_classify(400, 0, "slow_down"), PJ_POLL_SLOW_DOWN);
	assert_int_equal(pj_poll_classify(400, 0, "access_denied"), PJ_POLL_DENIED);
	assert_int_equal(pj_poll_classify(400, 0, "expired_token"), PJ_POLL_EXPIRED);
	assert_int_equal(pj_poll_classify(400, 0, "invalid_grant"), PJ_POLL_ERROR);
	assert_int_equal(pj_poll_classify(500, 0, ""), PJ_POLL_ERROR);
}

static void test_form_encoding(void **state)
{
	struct pj_form f = { NULL, 0, 0, 0 };

	(void)state;
	pj_form_add(&f, "a b", "x&y=z/~");
	pj_form_add(&f, "resource", "ssh://host1");
	assert_false(f.oom);
	assert_string_equal(f.buf, "a%20b=x%26y%3Dz%2F~&resource=ssh%3A%2F%2Fhost1");
	pj_form_free(&f);
}

static void test_sso_text_roundtrip(void **state)
{
	struct pj_sso s, back;
	struct pj_err err;
	char *text = NULL;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.user = (char *)"alice";
	s.issuer = (char *)"https://idp.test";
	s.client_id = (char *)"cli";
	s.token_endpoint = (char *)"https://idp.test/token";
	s.audience = (char *)"ssh://host1";
	s.audiences = (char *)"ssh://host1 ssh://host2";
	s.access_token = (char *)"at";
	s.refresh_token = (char *)"rt";
	s.access_exp = 42;
	s.login_time = 7;
	assert_int_equal(pj_sso_to_text(&s, &text, &err), PJ_OK);
	assert_int_equal(pj_sso_from_text(text, strlen(text), &back, &err), PJ_OK);
	assert_string_equal(back.user, "alice");
	assert_string_equal(back.refresh_token, "rt");
	assert_null(back.id_token);
	assert_int_equal(back.access_exp, 42);
	pj_sso_free(&back);
	free(text);
	/* a plain-http token endpoint (where the refresh token would go) */
	text = strdup("{\"user\":\"a\",\"issuer\":\"i\",\"client_id\":\"c\","
	              "\"token_endpoint\":\"http://x/token\",\"audience\":\"a\","
	              "\"audiences\":\"a\",\"access_token\":\"t\",\"access_exp\":1,"
	              "\"login_time\":1}");
	assert_int_equal(pj_sso_from_text(text, strlen(text), &back, &err), PJ_E_FORMAT);
	free(text);
}

/* The device flow never comes from pam_jwt.conf, in the global part or
 * in a section: only from the PAM line of the service that asks. */
static void test_device_flow_refused_in_config_file(void **state)
{
	static const char *const lines[] = {
		"issuer = x\naudience = y\ndevice_flow = yes\n",
		"issuer = x\naudience = y\ndevice_only = no\n",
		"audience = y\n[a]\nissuer = x\ndevice_in_prompt = yes\n",
	};
	struct pj_config cfg;
	struct pj_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
		assert_int_equal(pj_config_parse(&cfg, lines[i], strlen(lines[i]), "t.conf", &err),
		                 PJ_E_CONFIG);
		assert_non_null(strstr(err.reason, "may only be a module argument"));
		pj_config_free(&cfg);
	}
	assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
	assert_int_equal(pj_opt_arg(&cfg, "device_flow", &err), PJ_OK);
	assert_int_equal(cfg.device_flow, 1);
	assert_int_equal(pj_opt_arg(&cfg, "device_max_wait=5", &err), PJ_E_CONFIG);
	assert_int_equal(pj_opt_arg(&cfg, "client_secret_file=secret", &err), PJ_E_CONFIG);
	pj_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_auth_ok),
		cmocka_unit_test(test_device_auth_escape_sequences_refused),
		cmocka_unit_test(test_poll_classify),
		cmocka_unit_test(test_form_encoding),
		cmocka_unit_test(test_sso_text_roundtrip),
		cmocka_unit_test(test_device_flow_refused_in_config_file),
	};

	return cmocka_run_group_tests_name("oauth", tests, NULL, NULL);
}
