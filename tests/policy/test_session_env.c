/* Session variables (pj_session_env): each claim named in session_env
 * becomes PAM_JWT_<NAME>=<value>.  Names are upper-cased with every other
 * character turned into '_'; values are printable ASCII only (anything
 * else becomes '?', so no claim can inject a newline or a second
 * variable); arrays of scalars are JSON text (so ["a,b"] and ["a","b"]
 * differ); a string starting with '[', objects, null and values longer
 * than PJ_ENV_VALUE_MAX are skipped. */
#include "config.h"

#include "ptest.h"

#include "session.h"

#define MAX_VARS 32

struct sink {
	char *vars[MAX_VARS];
	size_t n;
	int fail_at; /* make the callback fail on this call (1-based), 0: never */
};

static int collect(void *ctx, const char *assignment)
{
	struct sink *s = ctx;

	if (s->fail_at > 0 && (int)s->n + 1 == s->fail_at)
		return 1;
	if (s->n >= MAX_VARS)
		fail_msg("too many variables");
	s->vars[s->n] = strdup(assignment);
	assert_non_null(s->vars[s->n]);
	s->n++;
	return 0;
}

static void sink_free(struct sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->vars[i]);
	s->n = 0;
}

/* Run session_env `list` over the claims; the variables, in order, must
 * be exactly want[] (NULL-terminated). */
static void exports(const char *claims_json, const char *list, const char *const *want)
{
	struct json_object *c = claims_of(claims_json);
	struct sink s = { .n = 0 };
	struct pj_err err;
	size_t i, nwant = 0;

	pj_err_clear(&err);
	assert_status(pj_session_env(c, list, collect, &s, &err), PJ_OK, &err);
	while (want[nwant] != NULL)
		nwant++;
	for (i = 0; i < s.n || i < nwant; i++) {
		const char *got = i < s.n ? s.vars[i] : "(nothing)";
		const char *exp = i < nwant ? want[i] : "(nothing)";

		if (strcmp(got, exp) != 0)
			fail_msg("session_env \"%s\" variable %zu: got \"%s\", want \"%s\"", list, i,
				 got, exp);
	}
	sink_free(&s);
	json_object_put(c);
}

#define WANT(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static void names(void **state)
{
	(void)state;
	exports("{\"sub\":\"alice\"}", "sub", WANT("PAM_JWT_SUB=alice"));
	exports("{\"preferred_username\":\"alice\"}", "preferred_username",
		WANT("PAM_JWT_PREFERRED_USERNAME=alice"));
	exports("{\"x-ms-tid\":\"t\"}", "x-ms-tid", WANT("PAM_JWT_X_MS_TID=t"));
	exports("{\"https://example.com/team\":\"red\"}", "https://example.com/team",
		WANT("PAM_JWT_HTTPS___EXAMPLE_COM_TEAM=red"));
	exports("{\"Acr2\":\"gold\"}", "Acr2", WANT("PAM_JWT_ACR2=gold"));
	exports("{\"n\\u00e4me\":\"v\"}", "n\xc3\xa4me", WANT("PAM_JWT_N__ME=v"));
}

static void list_syntax(void **state)
{
	const char *claims = "{\"iss\":\"i\",\"sub\":\"s\",\"jti\":\"j\"}";
	const char *const *all = WANT("PAM_JWT_ISS=i", "PAM_JWT_SUB=s", "PAM_JWT_JTI=j");

	(void)state;
	exports(claims, "iss,sub,jti", all);
	exports(claims, "iss sub jti", all);
	exports(claims, " ,iss, ,sub  jti,,", all);
	exports(claims, "jti,iss", WANT("PAM_JWT_JTI=j", "PAM_JWT_ISS=i"));
	exports(claims, "", NONE);
	exports(claims, " , ", NONE);
}

static void absent_claims_skipped(void **state)
{
	(void)state;
	exports("{\"sub\":\"s\"}", "iss,sub,groups", WANT("PAM_JWT_SUB=s"));
	exports("{}", "sub", NONE);
}

static void sanitising(void **state)
{
	(void)state;
	exports("{\"nick\":\"a\\u0007b\"}", "nick", WANT("PAM_JWT_NICK=a?b"));
	exports("{\"nick\":\"a\\tb\\rc\"}", "nick", WANT("PAM_JWT_NICK=a?b?c"));
	exports("{\"nick\":\"a\\u007fb\"}", "nick", WANT("PAM_JWT_NICK=a?b"));
	exports("{\"nick\":\"a\\u0000b\"}", "nick", WANT("PAM_JWT_NICK=a?b"));
	/* non-ASCII: every byte of the UTF-8 form */
	exports("{\"name\":\"Andr\\u00e9\"}", "name", WANT("PAM_JWT_NAME=Andr?" "?"));
	exports("{\"name\":\"\\u65e5\\u672c\"}", "name", WANT("PAM_JWT_NAME=??" "??" "??"));
	exports("{\"name\":\"\\ud83d\\ude00!\"}", "name", WANT("PAM_JWT_NAME=??" "??" "!"));
	/* printable ASCII is kept as it is, '=' and quotes included */
	exports("{\"x\":\"a=b \\\"c\\\" $HOME;`id`\"}", "x",
		WANT("PAM_JWT_X=a=b \"c\" $HOME;`id`"));
}

/* Attack: a claim value cannot add a second variable or line to the
 * environment. */
static void attack_newline_injection(void **state)
{
	(void)state;
	exports("{\"sub\":\"alice\\nLD_PRELOAD=/tmp/evil.so\"}", "sub",
		WANT("PAM_JWT_SUB=alice?LD_PRELOAD=/tmp/evil.so"));
	exports("{\"groups\":[\"a\\nPATH=/tmp\",\"b\"]}", "groups",
		WANT("PAM_JWT_GROUPS=[\"a\\u000aPATH=/tmp\",\"b\"]"));
}

static void arrays_as_json(void **state)
{
	(void)state;
	exports("{\"groups\":[\"admins\",\"devs\"]}", "groups",
		WANT("PAM_JWT_GROUPS=[\"admins\",\"devs\"]"));
	exports("{\"groups\":[\"admins\"]}", "groups", WANT("PAM_JWT_GROUPS=[\"admins\"]"));
	exports("{\"aud\":[\"ssh://h1\",\"sudo://h1\"]}", "aud",
		WANT("PAM_JWT_AUD=[\"ssh://h1\",\"sudo://h1\"]"));
	exports("{\"m\":[1,\"a\",true,false,-2]}", "m", WANT("PAM_JWT_M=[1,\"a\",true,false,-2]"));
	exports("{\"groups\":[]}", "groups", WANT("PAM_JWT_GROUPS=[]"));
	/* escapes inside strings; other bytes as in plain values */
	exports("{\"g\":[\"q\\\"b\\\\s\",\"t\\tx\",\"\\u00e9\"]}", "g",
		WANT("PAM_JWT_G=[\"q\\\"b\\\\s\",\"t\\u0009x\",\"??\"]"));
	/* an array holding anything but scalars is skipped whole */
	exports("{\"g\":[\"a\",{\"b\":1}]}", "g", NONE);
	exports("{\"g\":[\"a\",[\"b\"]]}", "g", NONE);
	exports("{\"g\":[\"a\",null]}", "g", NONE);
}

static void numbers_and_booleans(void **state)
{
	(void)state;
	exports("{\"exp\":1750000000}", "exp", WANT("PAM_JWT_EXP=1750000000"));
	exports("{\"n\":-42}", "n", WANT("PAM_JWT_N=-42"));
	exports("{\"n\":0}", "n", WANT("PAM_JWT_N=0"));
	exports("{\"n\":9223372036854775807}", "n", WANT("PAM_JWT_N=9223372036854775807"));
	exports("{\"n\":1.5}", "n", WANT("PAM_JWT_N=1.5"));
	exports("{\"n\":1750000000.25}", "n", WANT("PAM_JWT_N=1750000000.25"));
	exports("{\"email_verified\":true}", "email_verified",
		WANT("PAM_JWT_EMAIL_VERIFIED=true"));
	exports("{\"email_verified\":false}", "email_verified",
		WANT("PAM_JWT_EMAIL_VERIFIED=false"));
}

static void skipped_types(void **state)
{
	(void)state;
	exports("{\"kubernetes.io\":{\"namespace\":\"ops\"},\"sub\":\"s\"}", "kubernetes.io,sub",
		WANT("PAM_JWT_SUB=s"));
	exports("{\"x\":null,\"sub\":\"s\"}", "x,sub", WANT("PAM_JWT_SUB=s"));
	exports("{\"x\":{}}", "x", NONE);
	/* a value starting with '[' is always an array: a string that looks
	 * like one cannot pass for it */
	exports("{\"groups\":\"[\\\"admins\\\"]\",\"sub\":\"s\"}", "groups,sub",
		WANT("PAM_JWT_SUB=s"));
	exports("{\"x\":\"a[b]\"}", "x", WANT("PAM_JWT_X=a[b]"));
}

static void value_length_limit(void **state)
{
	char json[3000], want[2100];
	char v[PJ_ENV_VALUE_MAX + 2];

	(void)state;
	memset(v, 'v', PJ_ENV_VALUE_MAX);
	v[PJ_ENV_VALUE_MAX] = '\0';
	snprintf(json, sizeof(json), "{\"x\":\"%s\"}", v);
	snprintf(want, sizeof(want), "PAM_JWT_X=%s", v);
	exports(json, "x", WANT(want));
	v[PJ_ENV_VALUE_MAX] = 'v';
	v[PJ_ENV_VALUE_MAX + 1] = '\0';
	snprintf(json, sizeof(json), "{\"x\":\"%s\",\"sub\":\"s\"}", v);
	exports(json, "x,sub", WANT("PAM_JWT_SUB=s"));
	/* an array whose JSON form is too long: [ + 2 x (509 + 2) + , + ] = 1025 */
	memset(v, 'g', 509);
	v[509] = '\0';
	snprintf(json, sizeof(json), "{\"g\":[\"%s\",\"%s\"]}", v, v);
	exports(json, "g", NONE);
	v[508] = '\0'; /* 3 + (508 + 2) + (509 + 2) = 1024: fits */
	snprintf(json, sizeof(json), "{\"g\":[\"%s\",\"%sg\"]}", v, v);
	snprintf(want, sizeof(want), "PAM_JWT_G=[\"%s\",\"%sg\"]", v, v);
	exports(json, "g", WANT(want));
}

static void name_too_long(void **state)
{
	struct json_object *c = claims_of("{\"sub\":\"s\"}");
	struct sink s = { .n = 0 };
	struct pj_err err;
	char list[100];

	(void)state;
	pj_err_clear(&err);
	memset(list, 'n', 64);
	list[64] = '\0';
	assert_status(pj_session_env(c, list, collect, &s, &err), PJ_E_CONFIG, &err);
	list[63] = '\0';
	assert_status(pj_session_env(c, list, collect, &s, &err), PJ_OK, &err);
	assert_int_equal(s.n, 0);
	sink_free(&s);
	json_object_put(c);
}

static void callback_failure_stops(void **state)
{
	struct json_object *c = claims_of("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}");
	struct sink s = { .n = 0, .fail_at = 2 };
	struct pj_err err;

	(void)state;
	pj_err_clear(&err);
	assert_status(pj_session_env(c, "a,b,c", collect, &s, &err), PJ_E_INTERNAL, &err);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.vars[0], "PAM_JWT_A=1");
	sink_free(&s);
	json_object_put(c);
}

static void null_list(void **state)
{
	struct json_object *c = claims_of("{\"sub\":\"s\"}");
	struct sink s = { .n = 0 };
	struct pj_err err;

	(void)state;
	pj_err_clear(&err);
	assert_status(pj_session_env(c, NULL, collect, &s, &err), PJ_OK, &err);
	assert_int_equal(s.n, 0);
	json_object_put(c);
}

/* A number too large for int64 must not be exported as another number. */
static void huge_integer_not_clamped(void **state)
{
	struct json_object *c = claims_of("{\"n\":18446744073709551615}");
	struct sink s = { .n = 0 };
	struct pj_err err;
	char got[64] = "";

	(void)state;
	pj_err_clear(&err);
	assert_status(pj_session_env(c, "n", collect, &s, &err), PJ_OK, &err);
	if (s.n == 1)
		snprintf(got, sizeof(got), "%s", s.vars[0]);
	sink_free(&s);
	json_object_put(c);
	if (got[0] != '\0' && strcmp(got, "PAM_JWT_N=18446744073709551615") != 0)
		fail_msg("18446744073709551615 exported as \"%s\"", got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(list_syntax),
		cmocka_unit_test(absent_claims_skipped),
		cmocka_unit_test(sanitising),
		cmocka_unit_test(attack_newline_injection),
		cmocka_unit_test(arrays_as_json),
		cmocka_unit_test(numbers_and_booleans),
		cmocka_unit_test(skipped_types),
		cmocka_unit_test(value_length_limit),
		cmocka_unit_test(name_too_long),
		cmocka_unit_test(callback_failure_stops),
		cmocka_unit_test(null_list),
		cmocka_unit_test(huge_integer_not_clamped),
	};

	return cmocka_run_group_tests_name("policy: session variables", tests, NULL, NULL);
}
