/* Registered claims (claims.c): typed dates with leeway, exact iss,
 * string-or-array aud, typ as a media type, max_age and max_lifetime.
 * Claims are plain JSON text parsed with json-c itself, so these tests
 * do not depend on pj_json's strictness. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "claims.h"

#define NOW ((int64_t)FX_NOW)

static struct pj_config cfg;

static int setup_cfg(void **state)
{
	struct pj_err err;

	(void)state;
	if (pj_config_init(&cfg, &err) != PJ_OK ||
	    pj_opt_arg(&cfg, "issuer=" FX_ISS, &err) != PJ_OK ||
	    pj_opt_arg(&cfg, "audience=" FX_AUD, &err) != PJ_OK ||
	    pj_opt_arg(&cfg, "leeway=0", &err) != PJ_OK)
		return -1;
	return 0;
}

static int teardown_cfg(void **state)
{
	(void)state;
	pj_config_free(&cfg);
	return 0;
}

static void opt(const char *arg)
{
	struct pj_err err;

	if (pj_opt_arg(&cfg, arg, &err) != PJ_OK)
		FAILF("%s: %s", arg, err.reason);
}

/* Check claims given as `extra` members added to a valid claim set
 * (iss, aud, exp = now + 300), which they may override; `typ` goes in
 * the header (NULL: none). */
static enum pj_status run_typ(const char *extra, const char *typ)
{
	char text[1024];
	struct json_object *base, *add;
	struct jws j;
	struct pj_err err;
	enum pj_status st;

	snprintf(text, sizeof(text), "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"root\",\"exp\":%lld}",
		 FX_ISS, FX_AUD, (long long)NOW + 300);
	base = json_tokener_parse(text);
	add = json_tokener_parse(extra);
	assert_non_null(base);
	if (add == NULL)
		FAILF("test JSON does not parse: %s", extra);
	{
		json_object_object_foreach(add, k, v)
			json_object_object_add(base, k, json_object_get(v));
	}
	json_object_put(add);
	memset(&j, 0, sizeof(j));
	j.claims = base;
	j.typ = typ;
	j.typ_len = typ != NULL ? strlen(typ) : 0;
	pj_err_clear(&err);
	st = pj_claims_check(&j, &cfg, NOW, &err);
	assert_int_equal(err.status, st);
	if (st != PJ_OK)
		assert_true(err.reason[0] != '\0');
	json_object_put(base);
	return st;
}

static enum pj_status run(const char *extra)
{
	return run_typ(extra, "JWT");
}

/* run() with a member whose value is now + off */
static enum pj_status at(const char *name, long long off)
{
	char text[128];

	snprintf(text, sizeof(text), "{\"%s\":%lld}", name, (long long)NOW + off);
	return run(text);
}

static enum pj_status without(const char *name)
{
	char text[1024];
	struct json_object *o;
	struct jws j;
	struct pj_err err;
	enum pj_status st;

	snprintf(text, sizeof(text), "{\"iss\":\"%s\",\"aud\":\"%s\",\"exp\":%lld}",
		 FX_ISS, FX_AUD, (long long)NOW + 300);
	o = json_tokener_parse(text);
	json_object_object_del(o, name);
	memset(&j, 0, sizeof(j));
	j.claims = o;
	st = pj_claims_check(&j, &cfg, NOW, &err);
	json_object_put(o);
	return st;
}

static void test_valid_claims_accepted(void **state)
{
	(void)state;
	assert_int_equal(run("{}"), PJ_OK);
	assert_int_equal(run_typ("{}", NULL), PJ_OK);
}

static void test_exp_boundary_without_leeway(void **state)
{
	(void)state;
	assert_int_equal(at("exp", 1), PJ_OK);
	assert_int_equal(at("exp", 0), PJ_E_EXPIRED);
	assert_int_equal(at("exp", -1), PJ_E_EXPIRED);
	assert_int_equal(run("{\"exp\":-1}"), PJ_E_EXPIRED);
	assert_int_equal(run("{\"exp\":0}"), PJ_E_EXPIRED);
}

static void test_exp_boundary_with_leeway(void **state)
{
	(void)state;
	opt("leeway=60");
	assert_int_equal(at("exp", -59), PJ_OK);
	assert_int_equal(at("exp", -60), PJ_E_EXPIRED);
	assert_int_equal(at("exp", -3600), PJ_E_EXPIRED);
}

static void test_exp_required_unless_disabled(void **state)
{
	(void)state;
	assert_int_equal(without("exp"), PJ_E_CLAIM);
	opt("require_exp=no");
	assert_int_equal(without("exp"), PJ_OK);
}

static void test_date_claims_must_be_numbers(void **state)
{
	static const char *const names[] = { "exp", "nbf", "iat" };
	static const char *const values[] = {
		"\"1750000300\"", "true", "false", "null", "[1750000300]",
		"{}", "1e300", "253402300800", "9223372036854775807", "-253402300800",
	};
	char text[128];
	size_t i, k;

	(void)state;
	for (i = 0; i < 3; i++)
		for (k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
			snprintf(text, sizeof(text), "{\"%s\":%s}", names[i], values[k]);
			if (run(text) != PJ_E_CLAIM)
				FAILF("%s accepted", text);
		}
}

static void test_fractional_dates_accepted(void **state)
{
	char text[64];

	(void)state;
	snprintf(text, sizeof(text), "{\"exp\":%lld.5}", (long long)NOW + 10);
	assert_int_equal(run(text), PJ_OK);
	snprintf(text, sizeof(text), "{\"exp\":%lld.5,\"iat\":%lld.25}", (long long)NOW + 10,
		 (long long)NOW - 10);
	assert_int_equal(run(text), PJ_OK);
	snprintf(text, sizeof(text), "{\"exp\":%lld.5}", (long long)NOW - 10);
	assert_int_equal(run(text), PJ_E_EXPIRED);
}

static void test_nbf_in_future_refused(void **state)
{
	(void)state;
	assert_int_equal(at("nbf", 0), PJ_OK);
	assert_int_equal(at("nbf", 1), PJ_E_NOT_YET);
	opt("leeway=60");
	assert_int_equal(at("nbf", 60), PJ_OK);
	assert_int_equal(at("nbf", 61), PJ_E_NOT_YET);
}

static void test_iat_in_future_refused(void **state)
{
	(void)state;
	assert_int_equal(at("iat", 0), PJ_OK);
	assert_int_equal(at("iat", -100000), PJ_OK);
	assert_int_equal(at("iat", 1), PJ_E_NOT_YET);
	opt("leeway=60");
	assert_int_equal(at("iat", 60), PJ_OK);
	assert_int_equal(at("iat", 61), PJ_E_NOT_YET);
}

static void test_exp_not_after_nbf_refused(void **state)
{
	char text[128];

	(void)state;
	opt("leeway=60");
	snprintf(text, sizeof(text), "{\"nbf\":%lld,\"exp\":%lld}", (long long)NOW + 30,
		 (long long)NOW + 30);
	assert_int_equal(run(text), PJ_E_CLAIM);
	snprintf(text, sizeof(text), "{\"nbf\":%lld,\"exp\":%lld}", (long long)NOW + 30,
		 (long long)NOW + 20);
	assert_int_equal(run(text), PJ_E_CLAIM);
	snprintf(text, sizeof(text), "{\"nbf\":%lld,\"exp\":%lld}", (long long)NOW + 30,
		 (long long)NOW + 31);
	assert_int_equal(run(text), PJ_OK);
}

static void test_iss_compared_exactly(void **state)
{
	(void)state;
	assert_int_equal(without("iss"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"https://idp.test/\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"https://IDP.test\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"http://idp.test\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"https://idp.tes\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"https://idp.test.evil\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\" https://idp.test\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"https://idp.test\\u0000x\"}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":\"\"}"), PJ_E_ISSUER);
}

static void test_iss_not_string_refused(void **state)
{
	(void)state;
	assert_int_equal(run("{\"iss\":[\"https://idp.test\"]}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":null}"), PJ_E_ISSUER);
	assert_int_equal(run("{\"iss\":1}"), PJ_E_ISSUER);
}

static void test_aud_string_or_array_containing(void **state)
{
	(void)state;
	assert_int_equal(run("{\"aud\":\"host.test\"}"), PJ_OK);
	assert_int_equal(run("{\"aud\":[\"host.test\"]}"), PJ_OK);
	assert_int_equal(run("{\"aud\":[\"a\",\"host.test\",\"b\"]}"), PJ_OK);
}

static void test_aud_other_or_inexact_refused(void **state)
{
	(void)state;
	assert_int_equal(without("aud"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":\"other.test\"}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":\"HOST.test\"}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":\"host.test \"}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":\"host.tes\"}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":\"host.test\\u0000\"}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":\"\"}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":[\"other.test\",\"host\"]}"), PJ_E_AUDIENCE);
}

static void test_aud_empty_array_or_mixed_types_refused(void **state)
{
	(void)state;
	assert_int_equal(run("{\"aud\":[]}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":[\"host.test\",1]}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":[\"host.test\",null]}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":[[\"host.test\"]]}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":{\"host.test\":true}}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":null}"), PJ_E_AUDIENCE);
	assert_int_equal(run("{\"aud\":1}"), PJ_E_AUDIENCE);
}

static void test_typ_matches_as_media_type(void **state)
{
	(void)state;
	assert_true(pj_typ_matches("JWT", 3, "JWT"));
	assert_true(pj_typ_matches("jwt", 3, "JWT"));
	assert_true(pj_typ_matches("application/jwt", 15, "JWT"));
	assert_true(pj_typ_matches("APPLICATION/at+JWT", 18, "at+jwt"));
	assert_true(pj_typ_matches("at+jwt", 6, "application/at+jwt"));
	assert_false(pj_typ_matches("at+jwt", 6, "JWT"));
	assert_false(pj_typ_matches("JWT", 3, "at+jwt"));
	assert_false(pj_typ_matches("JWT\0x", 5, "JWT"));
	assert_false(pj_typ_matches("JWT ", 4, "JWT"));
	assert_false(pj_typ_matches("text/jwt", 8, "JWT"));
	assert_false(pj_typ_matches("application/", 12, "JWT"));
	assert_false(pj_typ_matches("", 0, "JWT"));
}

static void test_required_typ_enforced(void **state)
{
	(void)state;
	opt("typ=JWT");
	assert_int_equal(run_typ("{}", "JWT"), PJ_OK);
	assert_int_equal(run_typ("{}", "application/JWT"), PJ_OK);
	assert_int_equal(run_typ("{}", "at+jwt"), PJ_E_CLAIM);
	assert_int_equal(run_typ("{}", "secevent+jwt"), PJ_E_CLAIM);
	assert_int_equal(run_typ("{}", NULL), PJ_E_CLAIM);
	opt("typ=at+jwt");
	assert_int_equal(run_typ("{}", "application/at+jwt"), PJ_OK);
	assert_int_equal(run_typ("{}", "JWT"), PJ_E_CLAIM);
}

static void test_max_age_from_auth_time_or_iat(void **state)
{
	char text[128];

	(void)state;
	opt("max_age=300");
	assert_int_equal(at("iat", -300), PJ_OK);
	assert_int_equal(at("iat", -301), PJ_E_EXPIRED);
	assert_int_equal(run("{}"), PJ_E_CLAIM); /* neither auth_time nor iat */
	snprintf(text, sizeof(text), "{\"iat\":%lld,\"auth_time\":%lld}", (long long)NOW,
		 (long long)NOW - 400);
	assert_int_equal(run(text), PJ_E_EXPIRED);
	snprintf(text, sizeof(text), "{\"iat\":%lld,\"auth_time\":%lld}", (long long)NOW - 1000,
		 (long long)NOW - 100);
	assert_int_equal(run(text), PJ_OK);
	snprintf(text, sizeof(text), "{\"iat\":%lld,\"auth_time\":\"%lld\"}", (long long)NOW,
		 (long long)NOW);
	assert_int_equal(run(text), PJ_E_CLAIM);
	opt("max_age=0");
	assert_int_equal(at("iat", -100000), PJ_OK);
}

static void test_max_lifetime_enforced(void **state)
{
	char text[128];

	(void)state;
	opt("max_lifetime=1h");
	snprintf(text, sizeof(text), "{\"iat\":%lld,\"exp\":%lld}", (long long)NOW - 100,
		 (long long)NOW - 100 + 3600);
	assert_int_equal(run(text), PJ_OK);
	snprintf(text, sizeof(text), "{\"iat\":%lld,\"exp\":%lld}", (long long)NOW - 100,
		 (long long)NOW - 100 + 3601);
	assert_int_equal(run(text), PJ_E_CLAIM);
	assert_int_equal(run("{}"), PJ_E_CLAIM); /* no iat */
	opt("max_lifetime=0");
	assert_int_equal(run("{}"), PJ_OK);
}

/* every test starts from a fresh configuration */
#define T(f) cmocka_unit_test_setup_teardown(f, setup_cfg, teardown_cfg)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_claims_accepted),
		T(test_exp_boundary_without_leeway),
		T(test_exp_boundary_with_leeway),
		T(test_exp_required_unless_disabled),
		T(test_date_claims_must_be_numbers),
		T(test_fractional_dates_accepted),
		T(test_nbf_in_future_refused),
		T(test_iat_in_future_refused),
		T(test_exp_not_after_nbf_refused),
		T(test_iss_compared_exactly),
		T(test_iss_not_string_refused),
		T(test_aud_string_or_array_containing),
		T(test_aud_other_or_inexact_refused),
		T(test_aud_empty_array_or_mixed_types_refused),
		T(test_typ_matches_as_media_type),
		T(test_required_typ_enforced),
		T(test_max_age_from_auth_time_or_iat),
		T(test_max_lifetime_enforced),
	};

	return cmocka_run_group_tests_name("claims", tests, NULL, NULL);
}
