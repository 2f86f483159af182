/* `require` rules (pj_require_check, pj_require_valid, pj_policy_check):
 * "CLAIM=V1|V2" holds when the claim is a string equal to one of the
 * values, or an array holding such a string; "scope" and "scp" strings
 * are space-separated word lists.  Anything else (missing claim, other
 * JSON types, near misses) does not hold; a malformed rule is a
 * configuration error. */
#include "config.h"

#include "ptest.h"

#include "options.h"
#include "policy.h"

/* The rule holds for the claims. */
static void holds(const char *claims_json, const char *rule)
{
	struct json_object *c = claims_of(claims_json);
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	if (!pj_require_valid(rule))
		fail_msg("rule \"%s\" is not valid", rule);
	st = pj_require_check(c, rule, &err);
	if (st != PJ_OK)
		fail_msg("rule \"%s\" does not hold for %s: %s", rule, claims_json, err.reason);
	json_object_put(c);
}

/* The rule is well-formed and does not hold: PJ_E_CLAIM naming the rule. */
static void fails(const char *claims_json, const char *rule)
{
	struct json_object *c = claims_of(claims_json);
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	if (!pj_require_valid(rule))
		fail_msg("rule \"%s\" is not valid", rule);
	st = pj_require_check(c, rule, &err);
	if (st != PJ_E_CLAIM)
		fail_msg("rule \"%s\" on %s: status %s, want claim", rule, claims_json,
			 pj_status_name(st));
	assert_reason_has(&err, strlen(rule) < 100 ? rule : "require");
	json_object_put(c);
}

/* The rule is malformed: refused by the validator and by the check. */
static void malformed(const char *rule)
{
	struct json_object *c = claims_of("{\"groups\":[\"admins\"],\"sub\":\"alice\"}");
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	if (pj_require_valid(rule))
		fail_msg("malformed rule \"%s\" was accepted by pj_require_valid", rule);
	st = pj_require_check(c, rule, &err);
	if (st != PJ_E_CONFIG)
		fail_msg("malformed rule \"%s\": status %s, want config", rule, pj_status_name(st));
	json_object_put(c);
}

static void equals(void **state)
{
	(void)state;
	holds("{\"sub\":\"alice\"}", "sub=alice");
	holds("{\"hd\":\"example.com\"}", "hd=example.com");
	fails("{\"sub\":\"alice\"}", "sub=bob");
	fails("{\"sub\":\"alice\"}", "sub=alic");
	fails("{\"sub\":\"alice\"}", "sub=alice2");
	fails("{\"sub\":\"alice\"}", "sub=Alice");
	fails("{\"sub\":\"alice \"}", "sub=alice");
	fails("{\"hd\":\"sub.example.com\"}", "hd=example.com");
}

static void alternatives(void **state)
{
	(void)state;
	holds("{\"acr\":\"silver\"}", "acr=gold|silver");
	holds("{\"acr\":\"gold\"}", "acr=gold|silver");
	fails("{\"acr\":\"bronze\"}", "acr=gold|silver");
	fails("{\"acr\":\"gold|silver\"}", "acr=gold|silve");
	fails("{\"acr\":\"gold|silver\"}", "acr=gold|silver"); /* "gold" or "silver", not this */
}

static void array_membership(void **state)
{
	(void)state;
	holds("{\"groups\":[\"devs\",\"admins\"]}", "groups=admins");
	holds("{\"groups\":[\"admins\"]}", "groups=admins");
	holds("{\"groups\":[\"devs\",\"admins\"]}", "groups=ops|admins");
	holds("{\"groups\":\"admins\"}", "groups=admins");
	fails("{\"groups\":[\"devs\",\"ops\"]}", "groups=admins");
	fails("{\"groups\":[]}", "groups=admins");
	fails("{\"groups\":[\"admins-ro\"]}", "groups=admins");
	fails("{\"groups\":[\"/admins\"]}", "groups=admins");
	/* a space-separated string is not a list, except for scope/scp */
	fails("{\"groups\":\"devs admins\"}", "groups=admins");
	fails("{\"groups\":\"devs,admins\"}", "groups=admins");
	/* Entra ID app roles, Keycloak full group paths */
	holds("{\"roles\":[\"Linux.User\",\"Linux.Admin\"]}", "roles=Linux.Admin");
	holds("{\"groups\":[\"/corp/admins\"]}", "groups=/corp/admins");
}

static void scope_words(void **state)
{
	(void)state;
	holds("{\"scope\":\"openid sudo ssh\"}", "scope=sudo");
	holds("{\"scope\":\"sudo\"}", "scope=sudo");
	holds("{\"scope\":\"  openid   sudo  \"}", "scope=sudo");
	holds("{\"scope\":\"openid ssh\"}", "scope=sudo|ssh");
	fails("{\"scope\":\"openid sudoers\"}", "scope=sudo");
	fails("{\"scope\":\"openid sud\"}", "scope=sudo");
	fails("{\"scope\":\"sudo:read\"}", "scope=sudo");
	fails("{\"scope\":\"\"}", "scope=sudo");
	fails("{\"scope\":\"openid\\tsudo\"}", "scope=sudo"); /* words are split on spaces */
	/* Entra ID: scp is a space-separated string */
	holds("{\"scp\":\"User.Read Host.Sudo\"}", "scp=Host.Sudo");
	fails("{\"scp\":\"User.Read Host.SudoX\"}", "scp=Host.Sudo");
	/* Okta: scp is an array */
	holds("{\"scp\":[\"openid\",\"sudo\"]}", "scp=sudo");
	fails("{\"scp\":[\"openid sudo\"]}", "scp=sudo");
	/* a scope rule with a space never holds: values are single words */
	fails("{\"scope\":\"openid sudo\"}", "scope=openid sudo");
}

static void acr_in_list(void **state)
{
	(void)state;
	holds("{\"acr\":\"urn:example:loa:3\"}", "acr=urn:example:loa:2|urn:example:loa:3");
	holds("{\"acr\":\"phrh\"}", "acr=phr|phrh");
	fails("{\"acr\":\"urn:example:loa:1\"}", "acr=urn:example:loa:2|urn:example:loa:3");
	fails("{\"acr\":\"0\"}", "acr=1|2");
	/* Keycloak's acr is a string "1"; a number is another type */
	fails("{\"acr\":1}", "acr=1");
}

static void amr_contains(void **state)
{
	(void)state;
	holds("{\"amr\":[\"pwd\",\"mfa\",\"otp\"]}", "amr=mfa");
	holds("{\"amr\":[\"pwd\",\"hwk\"]}", "amr=mfa|hwk");
	holds("{\"amr\":\"mfa\"}", "amr=mfa");
	fails("{\"amr\":[\"pwd\"]}", "amr=mfa|hwk");
	fails("{\"amr\":[\"pwd\",\"otp\"]}", "amr=mfa");
	fails("{\"amr\":[]}", "amr=mfa");
}

static void missing_claim(void **state)
{
	(void)state;
	fails("{}", "groups=admins");
	fails("{\"group\":[\"admins\"]}", "groups=admins");
	fails("{\"Groups\":[\"admins\"]}", "groups=admins");
}

static void wrong_types(void **state)
{
	(void)state;
	fails("{\"email_verified\":true}", "email_verified=true");
	fails("{\"email_verified\":false}", "email_verified=false");
	fails("{\"uid\":1000}", "uid=1000");
	fails("{\"uid\":1000.0}", "uid=1000");
	fails("{\"groups\":null}", "groups=null");
	fails("{\"groups\":{\"admins\":true}}", "groups=admins");
	fails("{\"groups\":{\"name\":\"admins\"}}", "groups=admins");
	fails("{\"groups\":[[\"admins\"]]}", "groups=admins");
	fails("{\"groups\":[{\"name\":\"admins\"}]}", "groups=admins");
	fails("{\"groups\":[1,true,null]}", "groups=1");
	fails("{\"scope\":[\"openid sudo\"]}", "scope=sudo");
	fails("{\"scope\":42}", "scope=42");
}

/* Attack: a value that only looks like membership (prefix, suffix,
 * substring, case) never holds. */
static void attack_near_misses(void **state)
{
	(void)state;
	fails("{\"groups\":[\"administrators\"]}", "groups=admins");
	fails("{\"groups\":[\"xadmins\"]}", "groups=admins");
	fails("{\"groups\":[\"ADMINS\"]}", "groups=admins");
	fails("{\"groups\":[\"admins\\u0000\"]}", "groups=admins");
	fails("{\"scope\":\"sudo\\u0000 x\"}", "scope=sudo");
}

/* Attack: no glob in require: "~" is not an operator there, and "*" in a
 * value is literal. */
static void attack_no_globs(void **state)
{
	(void)state;
	malformed("groups~adm*");
	fails("{\"groups\":[\"admins\"]}", "groups=adm*");
	holds("{\"groups\":[\"adm*\"]}", "groups=adm*");
}

static void malformed_rules(void **state)
{
	char long_value[600];

	(void)state;
	malformed("");
	malformed("groups");
	malformed("=admins");
	malformed("groups=");
	malformed(" groups=admins");
	malformed("groups =admins");
	malformed("gr oups=admins");
	malformed("groups!=admins");
	malformed("grou\"ps=admins");
	malformed("gr\xc3\xb6ups=admins");
	memset(long_value, 'a', sizeof(long_value) - 1);
	memcpy(long_value, "groups=", 7);
	long_value[7 + 513] = '\0';
	malformed(long_value);
	long_value[7 + 512] = '\0';
	fails("{\"groups\":[\"admins\"]}", long_value);
}

/* Attack: an empty alternative ("gold|", "a||b") is a typo that would
 * accept an empty claim value.  It must be refused as malformed, or at
 * least never hold. */
static void attack_empty_alternative(void **state)
{
	struct json_object *c = claims_of("{\"acr\":\"\",\"groups\":[\"\"]}");
	struct pj_err err;
	enum pj_status acr, groups;

	(void)state;
	pj_err_clear(&err);
	acr = pj_require_check(c, "acr=gold|", &err);
	groups = pj_require_check(c, "groups=admins||ops", &err);
	json_object_put(c);
	if (acr == PJ_OK)
		fail_msg("require \"acr=gold|\" holds for acr \"\"");
	if (groups == PJ_OK)
		fail_msg("require \"groups=admins||ops\" holds for groups [\"\"]");
}

static void policy_all_rules(void **state)
{
	struct json_object *c =
		claims_of("{\"groups\":[\"admins\"],\"scope\":\"openid sudo\",\"acr\":\"gold\"}");
	struct pj_config cfg;
	struct pj_err err;

	(void)state;
	pj_err_clear(&err);
	assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
	assert_status(pj_policy_check(c, &cfg, &err), PJ_OK, &err); /* no rules */
	assert_int_equal(pj_opt_arg(&cfg, "require=groups=admins", &err), PJ_OK);
	assert_int_equal(pj_opt_arg(&cfg, "require=scope=sudo", &err), PJ_OK);
	assert_status(pj_policy_check(c, &cfg, &err), PJ_OK, &err);
	assert_int_equal(pj_opt_arg(&cfg, "require=acr=platinum|gold", &err), PJ_OK);
	assert_status(pj_policy_check(c, &cfg, &err), PJ_OK, &err);
	/* the first rule that fails is the reason */
	assert_int_equal(pj_opt_arg(&cfg, "require=amr=mfa", &err), PJ_OK);
	assert_int_equal(pj_opt_arg(&cfg, "require=groups=ops", &err), PJ_OK);
	assert_status(pj_policy_check(c, &cfg, &err), PJ_E_CLAIM, &err);
	assert_reason_has(&err, "amr=mfa");
	pj_config_free(&cfg);
	json_object_put(c);
}

static void option_parser_checks_rules(void **state)
{
	struct pj_config cfg;
	struct pj_err err;
	char arg[32];
	int i;

	(void)state;
	pj_err_clear(&err);
	assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
	assert_status(pj_opt_arg(&cfg, "require=groups", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "require=groups~a*", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "require=", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "require", &err), PJ_E_CONFIG, &err);
	assert_int_equal(cfg.n_require, 0);
	for (i = 0; i < PJ_MAX_REQUIRE; i++) {
		snprintf(arg, sizeof(arg), "require=c%d=v", i);
		assert_status(pj_opt_arg(&cfg, arg, &err), PJ_OK, &err);
	}
	assert_status(pj_opt_arg(&cfg, "require=one=toomany", &err), PJ_E_CONFIG, &err);
	pj_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equals),
		cmocka_unit_test(alternatives),
		cmocka_unit_test(array_membership),
		cmocka_unit_test(scope_words),
		cmocka_unit_test(acr_in_list),
		cmocka_unit_test(amr_contains),
		cmocka_unit_test(missing_claim),
		cmocka_unit_test(wrong_types),
		cmocka_unit_test(attack_near_misses),
		cmocka_unit_test(attack_no_globs),
		cmocka_unit_test(malformed_rules),
		cmocka_unit_test(attack_empty_alternative),
		cmocka_unit_test(policy_all_rules),
		cmocka_unit_test(option_parser_checks_rules),
	};

	return cmocka_run_group_tests_name("policy: require rules", tests, NULL, NULL);
}
