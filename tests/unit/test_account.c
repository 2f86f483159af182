/* Claims -> local account (account.c): user name rules, the claim that
 * names the account must equal the PAM user exactly, and the account
 * must exist.  Uses "root", which exists everywhere. */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "account.h"

#define NO_SUCH_USER "pjnoacct"

static struct pj_config cfg;

static int setup_cfg(void **state)
{
	struct pj_err err;

	(void)state;
	return pj_config_init(&cfg, &err) == PJ_OK ? 0 : -1;
}

static int teardown_cfg(void **state)
{
	(void)state;
	pj_config_free(&cfg);
	return 0;
}

/* Map claims (JSON text, parsed by json-c itself) for pam_user. */
static enum pj_status map_into(const char *claims, const char *pam_user, char *user)
{
	struct json_object *o = json_tokener_parse(claims);
	struct pj_err err;
	enum pj_status st;

	if (o == NULL)
		FAILF("test JSON does not parse: %s", claims);
	pj_err_clear(&err);
	st = pj_account_map(o, &cfg, pam_user, user, &err);
	assert_int_equal(err.status, st);
	if (st != PJ_OK)
		assert_true(err.reason[0] != '\0');
	json_object_put(o);
	return st;
}

static enum pj_status map(const char *claims, const char *pam_user)
{
	char user[PJ_USER_MAX + 1];

	return map_into(claims, pam_user, user);
}

#define VALID(s) assert_true(pj_user_name_valid((s), strlen(s)))
#define INVALID(s) assert_false(pj_user_name_valid((s), strlen(s)))

static void test_user_name_ordinary_accepted(void **state)
{
	char n[PJ_USER_MAX + 1];

	(void)state;
	VALID("root");
	VALID("a");
	VALID("alice.smith");
	VALID("svc_ci-01");
	VALID("host$");
	VALID("a.");
	memset(n, 'a', PJ_USER_MAX);
	assert_true(pj_user_name_valid(n, PJ_USER_MAX));
}

static void test_user_name_dangerous_refused(void **state)
{
	char n[PJ_USER_MAX + 2];

	(void)state;
	INVALID("");
	INVALID("-rf");
	INVALID("-");
	INVALID(".");
	INVALID("..");
	INVALID("../root");
	INVALID("a/b");
	INVALID("a:b");
	INVALID("a,b");
	INVALID("a b");
	INVALID(" root");
	INVALID("a\tb");
	INVALID("root\n");
	INVALID("a\x7f");
	INVALID("r\xc3\xb6\xc3\xb6t");
	assert_false(pj_user_name_valid("root\0x", 6));
	memset(n, 'a', sizeof(n));
	assert_false(pj_user_name_valid(n, PJ_USER_MAX + 1));
}

static void test_sub_equal_to_pam_user_accepted(void **state)
{
	char user[PJ_USER_MAX + 1] = "garbage";

	(void)state;
	assert_int_equal(map_into("{\"sub\":\"root\"}", "root", user), PJ_OK);
	assert_string_equal(user, "root");
}

static void test_sub_other_user_refused(void **state)
{
	(void)state;
	assert_int_equal(map("{\"sub\":\"alice\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root\"}", "alice"), PJ_E_USER);
}

static void test_sub_inexact_match_refused(void **state)
{
	(void)state;
	assert_int_equal(map("{\"sub\":\"Root\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"roo\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"rootx\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root \"}", "root"), PJ_E_USER);
}

/* json-c keeps \u0000: strcmp("root\0x", "root") would match. */
static void test_sub_with_nul_refused(void **state)
{
	(void)state;
	assert_int_equal(map("{\"sub\":\"root\\u0000x\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root\\u0000\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root\\u0000x\"}", NULL), PJ_E_USER);
}

static void test_sub_missing_or_not_string_refused(void **state)
{
	(void)state;
	assert_int_equal(map("{}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":0}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":null}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":[\"root\"]}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":{\"name\":\"root\"}}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":true}", NULL), PJ_E_USER);
}

static void test_invalid_name_refused_before_lookup(void **state)
{
	(void)state;
	assert_int_equal(map("{\"sub\":\"../root\"}", NULL), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"-root\"}", NULL), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root:x\"}", NULL), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"\"}", NULL), PJ_E_USER);
	/* even when the PAM user has the same bad name */
	assert_int_equal(map("{\"sub\":\"-root\"}", "-root"), PJ_E_USER);
}

static void test_account_must_exist(void **state)
{
	(void)state;
	assert_null(getpwnam(NO_SUCH_USER));
	assert_int_equal(map("{\"sub\":\"" NO_SUCH_USER "\"}", NULL), PJ_E_NO_ACCOUNT);
	assert_int_equal(map("{\"sub\":\"" NO_SUCH_USER "\"}", NO_SUCH_USER), PJ_E_NO_ACCOUNT);
}

static void test_null_pam_user_maps_any_existing_account(void **state)
{
	char user[PJ_USER_MAX + 1] = "";

	(void)state;
	assert_int_equal(map_into("{\"sub\":\"root\"}", NULL, user), PJ_OK);
	assert_string_equal(user, "root");
}

static void test_user_claim_option_selects_claim(void **state)
{
	char user[PJ_USER_MAX + 1] = "";
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_opt_arg(&cfg, "user_claim=preferred_username", &err), PJ_OK);
	assert_int_equal(map_into("{\"sub\":\"f81d4fae\",\"preferred_username\":\"root\"}", "root",
				  user), PJ_OK);
	assert_string_equal(user, "root");
	assert_int_equal(map("{\"sub\":\"root\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root\",\"preferred_username\":\"alice\"}", "root"),
			 PJ_E_USER);
}

static void test_longest_name_fits_buffer(void **state)
{
	char claims[PJ_USER_MAX + 32], buf[PJ_USER_MAX + 2];
	char name[PJ_USER_MAX + 1];

	(void)state;
	memset(name, 'u', PJ_USER_MAX);
	name[PJ_USER_MAX] = '\0';
	snprintf(claims, sizeof(claims), "{\"sub\":\"%s\"}", name);
	buf[PJ_USER_MAX + 1] = 'Z';
	assert_int_equal(map_into(claims, NULL, buf), PJ_E_NO_ACCOUNT);
	assert_int_equal(buf[PJ_USER_MAX + 1], 'Z');
	snprintf(claims, sizeof(claims), "{\"sub\":\"%su\"}", name);
	assert_int_equal(map_into(claims, NULL, buf), PJ_E_USER);
	assert_int_equal(buf[PJ_USER_MAX + 1], 'Z');
}

/* The transforms make the name; the PAM user is never switched. */
static void test_transforms_never_switch_pam_user(void **state)
{
	char user[PJ_USER_MAX + 1] = "";
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_opt_arg(&cfg, "user_lowercase", &err), PJ_OK);
	assert_int_equal(pj_opt_arg(&cfg, "user_strip_suffix=@corp.test", &err), PJ_OK);
	assert_int_equal(map_into("{\"sub\":\"ROOT@corp.test\"}", "root", user), PJ_OK);
	assert_string_equal(user, "root");
	assert_int_equal(map("{\"sub\":\"ROOT@corp.test\"}", "ROOT"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root@evil.test\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root\"}", "root"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"@corp.test\"}", NULL), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"root\\u0000@corp.test\"}", "root"), PJ_E_USER);
}

static void test_rule_and_unreadable_map_file(void **state)
{
	char user[PJ_USER_MAX + 1], rule[64] = "stale";
	struct json_object *o = json_tokener_parse("{\"sub\":\"root\"}");
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_account_map_rule(o, &cfg, "root", user, rule, sizeof(rule), &err),
			 PJ_OK);
	assert_string_equal(rule, ""); /* no mapping file */
	assert_int_equal(pj_opt_arg(&cfg, "map_file=/nonexistent/pam_jwt.map", &err), PJ_OK);
	assert_int_equal(pj_account_map_rule(o, &cfg, "root", user, rule, sizeof(rule), &err),
			 PJ_E_CONFIG);
	json_object_put(o);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_cfg, teardown_cfg)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_user_name_ordinary_accepted),
		T(test_user_name_dangerous_refused),
		T(test_sub_equal_to_pam_user_accepted),
		T(test_sub_other_user_refused),
		T(test_sub_inexact_match_refused),
		T(test_sub_with_nul_refused),
		T(test_sub_missing_or_not_string_refused),
		T(test_invalid_name_refused_before_lookup),
		T(test_account_must_exist),
		T(test_null_pam_user_maps_any_existing_account),
		T(test_user_claim_option_selects_claim),
		T(test_longest_name_fits_buffer),
		T(test_transforms_never_switch_pam_user),
		T(test_rule_and_unreadable_map_file),
	};

	return cmocka_run_group_tests_name("account", tests, NULL, NULL);
}
