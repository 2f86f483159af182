/* Claims -> local account (account.c): user name rules, the claim that
 * names the account must equal the PAM user exactly, the account must
 * exist, and a claim never names root, a system account or one of
 * deny_users.  Uses "root" and "daemon" (UID 1), which exist everywhere;
 * the configuration sets min_uid=1 so that a claim may name daemon. */
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
	if (pj_config_init(&cfg, &err) != PJ_OK)
		return -1;
	return pj_opt_arg(&cfg, "min_uid=1", &err) == PJ_OK ? 0 : -1;
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
	assert_int_equal(map_into("{\"sub\":\"daemon\"}", "daemon", user), PJ_OK);
	assert_string_equal(user, "daemon");
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
	assert_int_equal(map("{\"sub\":\"Daemon\"}", "daemon"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemo\"}", "daemon"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemonx\"}", "daemon"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemon \"}", "daemon"), PJ_E_USER);
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
	assert_int_equal(map_into("{\"sub\":\"daemon\"}", NULL, user), PJ_OK);
	assert_string_equal(user, "daemon");
}

static void test_user_claim_option_selects_claim(void **state)
{
	char user[PJ_USER_MAX + 1] = "";
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_opt_arg(&cfg, "user_claim=preferred_username", &err), PJ_OK);
	assert_int_equal(map_into("{\"sub\":\"f81d4fae\",\"preferred_username\":\"daemon\"}",
				  "daemon", user), PJ_OK);
	assert_string_equal(user, "daemon");
	assert_int_equal(map("{\"sub\":\"daemon\"}", "daemon"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemon\",\"preferred_username\":\"alice\"}", "daemon"),
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
	assert_int_equal(map_into("{\"sub\":\"DAEMON@corp.test\"}", "daemon", user), PJ_OK);
	assert_string_equal(user, "daemon");
	assert_int_equal(map("{\"sub\":\"DAEMON@corp.test\"}", "DAEMON"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemon@evil.test\"}", "daemon"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemon\"}", "daemon"), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"@corp.test\"}", NULL), PJ_E_USER);
	assert_int_equal(map("{\"sub\":\"daemon\\u0000@corp.test\"}", "daemon"), PJ_E_USER);
}

static void test_rule_and_unreadable_map_file(void **state)
{
	char user[PJ_USER_MAX + 1], rule[64] = "stale";
	struct json_object *o = json_tokener_parse("{\"sub\":\"daemon\"}");
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_account_map_rule(o, &cfg, "daemon", user, rule, sizeof(rule), &err),
			 PJ_OK);
	assert_string_equal(rule, ""); /* no mapping file */
	assert_int_equal(pj_opt_arg(&cfg, "map_file=/nonexistent/pam_jwt.map", &err), PJ_OK);
	assert_int_equal(pj_account_map_rule(o, &cfg, "daemon", user, rule, sizeof(rule), &err),
			 PJ_E_CONFIG);
	json_object_put(o);
}

/* ---- a claim never names root, a system account or deny_users ---- */

static enum pj_status map_reason(const char *claims, const char *pam_user, char *reason)
{
	struct json_object *o = json_tokener_parse(claims);
	char user[PJ_USER_MAX + 1];
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	st = pj_account_map(o, &cfg, pam_user, user, &err);
	memcpy(reason, err.reason, sizeof(err.reason));
	json_object_put(o);
	return st;
}

static void attack_claim_names_root(void **state)
{
	char reason[PJ_REASON_MAX];
	struct pj_err err;

	(void)state;
	assert_int_equal(map_reason("{\"sub\":\"root\"}", "root", reason), PJ_E_USER);
	assert_non_null(strstr(reason, "UID 0"));
	assert_int_equal(map_reason("{\"sub\":\"root\"}", NULL, reason), PJ_E_USER);
	/* through the transforms too */
	assert_int_equal(pj_opt_arg(&cfg, "user_lowercase", &err), PJ_OK);
	assert_int_equal(pj_opt_arg(&cfg, "user_strip_suffix=@corp.test", &err), PJ_OK);
	assert_int_equal(map_reason("{\"sub\":\"ROOT@CORP.test\"}", "root", reason), PJ_E_USER);
	assert_non_null(strstr(reason, "UID 0"));
}

static void attack_claim_names_system_account(void **state)
{
	char reason[PJ_REASON_MAX];
	struct pj_config dflt;
	struct pj_err err;

	(void)state;
	/* the default: UID_MIN of login.defs (or 1000), far above daemon's 1 */
	assert_int_equal(pj_config_init(&dflt, &err), PJ_OK);
	pj_config_free(&cfg);
	cfg = dflt;
	assert_int_equal(map_reason("{\"sub\":\"daemon\"}", "daemon", reason), PJ_E_USER);
	assert_non_null(strstr(reason, "UID 1, below min_uid"));
	/* min_uid=2 still refuses UID 1 */
	assert_int_equal(pj_opt_arg(&cfg, "min_uid=2", &err), PJ_OK);
	assert_int_equal(map_reason("{\"sub\":\"daemon\"}", "daemon", reason), PJ_E_USER);
	assert_non_null(strstr(reason, "below min_uid 2"));
}

static void attack_claim_names_denied_user(void **state)
{
	char reason[PJ_REASON_MAX];
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_opt_arg(&cfg, "deny_users=bin, daemon", &err), PJ_OK);
	assert_int_equal(map_reason("{\"sub\":\"daemon\"}", "daemon", reason), PJ_E_USER);
	assert_non_null(strstr(reason, "deny_users"));
	/* a prefix or a longer name is not listed */
	assert_int_equal(pj_opt_arg(&cfg, "deny_users=daemo daemonx", &err), PJ_OK);
	assert_int_equal(map_reason("{\"sub\":\"daemon\"}", "daemon", reason), PJ_OK);
}

static void test_deny_users_option_syntax(void **state)
{
	(void)state;
	assert_true(pj_user_list_valid("deploy"));
	assert_true(pj_user_list_valid("deploy,backup"));
	assert_true(pj_user_list_valid(" deploy , backup\tadmin "));
	assert_false(pj_user_list_valid(""));
	assert_false(pj_user_list_valid(" , "));
	assert_false(pj_user_list_valid("deploy,../x"));
	assert_false(pj_user_list_valid("-x"));
}

static void test_login_defs_uid_min(void **state)
{
#define DEFS(s) pj_login_defs_uid_min((s), strlen(s))
	(void)state;
	assert_int_equal(DEFS("UID_MIN\t\t\t 1000\n"), 1000);
	assert_int_equal(DEFS("# UID_MIN 5\nUID_MAX 60000\nUID_MIN 500\nSYS_UID_MIN 100\n"), 500);
	assert_int_equal(DEFS("UID_MIN 2000"), 2000); /* no final newline */
	assert_int_equal(DEFS("UID_MIN 2000\r\n"), 2000);
	/* missing, malformed, octal, hex, zero, huge: the default */
	assert_int_equal(DEFS(""), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("SYS_UID_MIN 100\nUID_MINX 5\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 10x\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 0500\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 0x3e8\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 0\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN -1\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 99999999999999999999\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 2147483648\n"), PJ_UID_MIN_DEFAULT);
	assert_int_equal(DEFS("UID_MIN 2147483647\n"), 2147483647);
	/* the last line decides, as in shadow's getdef */
	assert_int_equal(DEFS("UID_MIN 500\nUID_MIN 1500\n"), 1500);
	assert_int_equal(DEFS("UID_MIN 500\nUID_MIN bad\n"), PJ_UID_MIN_DEFAULT);
#undef DEFS
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
		T(attack_claim_names_root),
		T(attack_claim_names_system_account),
		T(attack_claim_names_denied_user),
		T(test_deny_users_option_syntax),
		T(test_login_defs_uid_min),
	};

	return cmocka_run_group_tests_name("account", tests, NULL, NULL);
}
