/* Strict JSON (pj_json.c): everything json-c accepts but RFC 8259 or a
 * security-minded reader must not, and the typed getters. */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "pj_json.h"

static enum pj_status parse_n(const char *text, size_t len, int depth)
{
	struct json_object *o = (struct json_object *)&o; /* sentinel */
	struct json_object *sentinel = o;
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	st = pj_json_parse(text, len, depth, &o, &err);
	if (st == PJ_OK) {
		assert_ptr_not_equal(o, sentinel);
		assert_true(json_object_is_type(o, json_type_object));
		json_object_put(o);
	} else {
		assert_ptr_equal(o, sentinel); /* *out untouched on failure */
		assert_int_equal(err.status, st);
		assert_true(err.reason[0] != '\0');
	}
	return st;
}

static enum pj_status parse(const char *text)
{
	return parse_n(text, strlen(text), PJ_JSON_MAX_DEPTH);
}

#define ACCEPT(t) assert_int_equal(parse(t), PJ_OK)
#define REFUSE(t) assert_int_equal(parse(t), PJ_E_FORMAT)

static void test_json_plain_objects_accepted(void **state)
{
	(void)state;
	ACCEPT("{}");
	ACCEPT(" \t\r\n{\"a\":1}\n ");
	ACCEPT("{\"a\":[1,2.5,-0,1e5,1E-5,true,false,null,\"s\",{}],\"b\":{\"c\":\"d\"}}");
	ACCEPT("{\"iss\":\"https://idp.test\",\"exp\":1750000300}");
}

static void test_json_top_level_not_object_refused(void **state)
{
	(void)state;
	REFUSE("[]");
	REFUSE("[{}]");
	REFUSE("1");
	REFUSE("\"{}\"");
	REFUSE("null");
	REFUSE("true");
}

static void test_json_empty_input_refused(void **state)
{
	(void)state;
	REFUSE("");
	REFUSE("   ");
	REFUSE("{");
	REFUSE("{\"a\":");
}

static void test_json_trailing_garbage_refused(void **state)
{
	(void)state;
	REFUSE("{}x");
	REFUSE("{} {}");
	REFUSE("{}}");
	REFUSE("{}\f");
	REFUSE("{\"a\":1},");
	assert_int_equal(parse_n("{}\0", 3, PJ_JSON_MAX_DEPTH), PJ_E_FORMAT);
	assert_int_equal(parse_n("{}\0{\"a\":1}", 10, PJ_JSON_MAX_DEPTH), PJ_E_FORMAT);
	assert_int_equal(parse_n("\0{}", 3, PJ_JSON_MAX_DEPTH), PJ_E_FORMAT);
}

static void test_json_byte_order_mark_refused(void **state)
{
	(void)state;
	REFUSE("\xef\xbb\xbf{}");
}

static void test_json_comments_refused(void **state)
{
	(void)state;
	REFUSE("{/*c*/}");
	REFUSE("{}//c");
	REFUSE("{\"a\":1 /* x */}");
	REFUSE("{\"a\":1}\n# c");
}

static void test_json_nonstandard_syntax_refused(void **state)
{
	(void)state;
	REFUSE("{a:1}");
	REFUSE("{\"a\":1,}");
	REFUSE("{\"a\":[1,]}");
	REFUSE("{\"a\":'x'}");
	REFUSE("{\"a\":True}");
	REFUSE("{\"a\":NULL}");
	REFUSE("{\"a\" 1}");
	REFUSE("{\"a\":1 \"b\":2}");
}

static void test_json_nonstandard_numbers_refused(void **state)
{
	(void)state;
	REFUSE("{\"a\":01}");
	REFUSE("{\"a\":+1}");
	REFUSE("{\"a\":0x10}");
	REFUSE("{\"a\":.5}");
	REFUSE("{\"a\":1e}");
	REFUSE("{\"a\":-}");
}

/* RFC 8259 section 6: a fraction needs digits after the point. */
static void test_json_number_trailing_dot_refused(void **state)
{
	(void)state;
	REFUSE("{\"exp\":1750000300.}");
	REFUSE("{\"a\":1.e5}");
	REFUSE("{\"a\":0.}");
}

/* RFC 8259 section 6: no leading zeros. */
static void test_json_number_leading_zero_refused(void **state)
{
	(void)state;
	REFUSE("{\"a\":00}");
	REFUSE("{\"a\":-01}");
	REFUSE("{\"a\":-00}");
	REFUSE("{\"a\":[00]}");
}

/* Member names are double-quoted strings (RFC 8259 section 4). */
static void test_json_single_quoted_name_refused(void **state)
{
	(void)state;
	REFUSE("{'a':1}");
	REFUSE("{\"a\":1,'b':2}");
	REFUSE("{\"o\":{'a':1}}");
}

/* A single-quoted name holding a double quote makes a scanner that only
 * knows double-quoted strings lose track of what is inside a string:
 * the member count then matches json-c's although a member is repeated,
 * and the last one wins. */
static void test_json_duplicate_hidden_by_single_quote_refused(void **state)
{
	(void)state;
	REFUSE("{\"sub\":\"alice\",\"sub\":\"root\",'\"':1}");
	REFUSE("{\"alg\":\"none\",\"alg\":\"ES256\",'\"':1}");
	REFUSE("{'\"':1,'\"':1}");
}

/* The same desynchronisation lets \u0000, raw control characters and
 * lone surrogates into string values. */
static void test_json_nul_hidden_by_single_quote_refused(void **state)
{
	(void)state;
	REFUSE("{'\"':1,\"sub\":\"root\\u0000x\",\"p\":\":::\"}");
	REFUSE("{'\"':1,\"sub\":\"ro\x01ot\",\"p\":\":::\"}");
	REFUSE("{'\"':1,\"sub\":\"\\ud800\",\"p\":\":::\"}");
}

static void test_json_nan_infinity_refused(void **state)
{
	(void)state;
	REFUSE("{\"a\":NaN}");
	REFUSE("{\"a\":nan}");
	REFUSE("{\"a\":-NaN}");
	REFUSE("{\"a\":Infinity}");
	REFUSE("{\"a\":-Infinity}");
	REFUSE("{\"a\":{\"b\":[1,NaN]}}");
	REFUSE("{\"exp\":1e400}");
	REFUSE("{\"exp\":-1e400}");
}

static void test_json_duplicate_member_refused(void **state)
{
	(void)state;
	REFUSE("{\"a\":1,\"a\":2}");
	REFUSE("{\"alg\":\"none\",\"alg\":\"ES256\"}");
	REFUSE("{\"o\":{\"a\":1,\"a\":1}}");
	REFUSE("{\"l\":[{\"a\":1},{\"b\":1,\"b\":2}]}");
	REFUSE("{\"a\":1,\"\\u0061\":2}");
	REFUSE("{\"sub\":\"alice\",\"x\":{},\"sub\":\"root\"}");
}

static void test_json_colons_in_strings_are_not_members(void **state)
{
	(void)state;
	ACCEPT("{\"a:b\":\"c:d\",\"e\":\"\\\":\"}");
	ACCEPT("{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}");
	ACCEPT("{\"url\":\"https://x:8443/a\"}");
}

/* {"a": + n times "[" + 1 + n times "]" + }: depth n + 1 */
static enum pj_status nested(int n, int max_depth)
{
	char buf[512];
	size_t k = 0;
	int i;

	assert_true(n <= 250);
	memcpy(buf, "{\"a\":", 5);
	k = 5;
	for (i = 0; i < n; i++)
		buf[k++] = '[';
	buf[k++] = '1';
	for (i = 0; i < n; i++)
		buf[k++] = ']';
	buf[k++] = '}';
	return parse_n(buf, k, max_depth);
}

static void test_json_depth_limit_exact(void **state)
{
	(void)state;
	assert_int_equal(nested(PJ_JSON_MAX_DEPTH - 1, PJ_JSON_MAX_DEPTH), PJ_OK);
	assert_int_equal(nested(PJ_JSON_MAX_DEPTH, PJ_JSON_MAX_DEPTH), PJ_E_FORMAT);
	assert_int_equal(nested(200, PJ_JSON_MAX_DEPTH), PJ_E_FORMAT);
	assert_int_equal(nested(1, 2), PJ_OK);
	assert_int_equal(nested(2, 2), PJ_E_FORMAT);
	assert_int_equal(parse_n("{\"a\":{\"b\":{}}}", 14, 3), PJ_OK);
	assert_int_equal(parse_n("{\"a\":{\"b\":{}}}", 14, 2), PJ_E_FORMAT);
}

static void test_json_invalid_utf8_refused(void **state)
{
	(void)state;
	REFUSE("{\"s\":\"\xff\"}");
	REFUSE("{\"s\":\"\x80\"}");
	REFUSE("{\"s\":\"\xc0\xaf\"}"); /* overlong '/' */
	REFUSE("{\"s\":\"\xc1\xbf\"}"); /* overlong */
	REFUSE("{\"s\":\"\xe0\x80\xaf\"}"); /* overlong 3-byte */
	REFUSE("{\"s\":\"\xf0\x80\x80\xaf\"}"); /* overlong 4-byte */
	REFUSE("{\"s\":\"\xed\xa0\x80\"}"); /* UTF-8 encoded surrogate */
	REFUSE("{\"s\":\"\xf4\x90\x80\x80\"}"); /* > U+10FFFF */
	REFUSE("{\"s\":\"\xe2\x82\"}"); /* cut short */
	REFUSE("{\"\xff\":1}"); /* in a member name */
	REFUSE("{\"s\":1}\xff");
}

static void test_json_valid_utf8_accepted(void **state)
{
	(void)state;
	ACCEPT("{\"s\":\"r\xc3\xb6\xc3\xb6t \xe2\x82\xac \xf0\x9f\x98\x80\"}");
	ACCEPT("{\"s\":\"\\ud83d\\ude00 \\u00e9 \\u20ac\"}");
	ACCEPT("{\"s\":\"\xef\xbf\xbf \xf4\x8f\xbf\xbf\"}");
}

static void test_json_u0000_escape_refused(void **state)
{
	(void)state;
	REFUSE("{\"sub\":\"root\\u0000x\"}");
	REFUSE("{\"sub\\u0000\":\"root\"}");
	REFUSE("{\"s\":\"\\u0000\"}");
}

static void test_json_lone_surrogate_escape_refused(void **state)
{
	(void)state;
	REFUSE("{\"s\":\"\\ud800\"}");
	REFUSE("{\"s\":\"\\udc00\"}");
	REFUSE("{\"s\":\"\\udfff\\ud800\"}");
	REFUSE("{\"s\":\"\\ud800\\u0041\"}");
	REFUSE("{\"s\":\"\\ud800\\ud800\"}");
	REFUSE("{\"s\":\"\\ud800x\"}");
}

static void test_json_raw_control_char_refused(void **state)
{
	(void)state;
	REFUSE("{\"s\":\"a\x01z\"}");
	REFUSE("{\"s\":\"a\tz\"}");
	REFUSE("{\"s\":\"a\nz\"}");
	REFUSE("{\"s\":\"a\x1fz\"}");
	REFUSE("{\"a\x01\":1}");
	ACCEPT("{\"s\":\"a\\tz\\n\\u001f\"}");
}

static void test_json_bad_escape_refused(void **state)
{
	(void)state;
	REFUSE("{\"s\":\"\\x41\"}");
	REFUSE("{\"s\":\"\\u12\"}");
	REFUSE("{\"s\":\"\\u12g4\"}");
	REFUSE("{\"s\":\"\\");
	REFUSE("{\"s\":\"\\'\"}");
}

static struct json_object *obj(const char *text)
{
	struct json_object *o = NULL;
	struct pj_err err;

	assert_int_equal(pj_json_parse(text, strlen(text), PJ_JSON_MAX_DEPTH, &o, &err), PJ_OK);
	return o;
}

static int date_of(const char *text, int64_t *v)
{
	struct json_object *o = obj(text);
	int r;

	*v = -42;
	r = pj_json_get_date(o, "exp", v);
	json_object_put(o);
	return r;
}

static void test_get_int64_string_trap(void **state)
{
	int64_t v;

	(void)state;
	/* json_object_get_int64 would turn these into numbers */
	assert_int_equal(date_of("{\"exp\":\"1750000300\"}", &v), -1);
	assert_int_equal(date_of("{\"exp\":\"9999999999\"}", &v), -1);
	assert_int_equal(date_of("{\"exp\":true}", &v), -1);
	assert_int_equal(date_of("{\"exp\":false}", &v), -1);
	assert_int_equal(date_of("{\"exp\":null}", &v), -1);
	assert_int_equal(date_of("{\"exp\":[1750000300]}", &v), -1);
	assert_int_equal(date_of("{\"exp\":{\"v\":1}}", &v), -1);
}

static void test_get_date_range_year_9999(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(date_of("{\"exp\":253402300799}", &v), 1);
	assert_int_equal(v, 253402300799LL);
	assert_int_equal(date_of("{\"exp\":-253402300799}", &v), 1);
	assert_int_equal(v, -253402300799LL);
	assert_int_equal(date_of("{\"exp\":253402300800}", &v), -1);
	assert_int_equal(date_of("{\"exp\":-253402300800}", &v), -1);
	assert_int_equal(date_of("{\"exp\":253402300798.5}", &v), 1);
	assert_int_equal(v, 253402300798LL);
	assert_int_equal(date_of("{\"exp\":253402300799.5}", &v), -1);
	assert_int_equal(date_of("{\"exp\":253402300800.5}", &v), -1);
	/* saturation traps: int64 max, uint64, beyond uint64, huge doubles */
	assert_int_equal(date_of("{\"exp\":9223372036854775807}", &v), -1);
	assert_int_equal(date_of("{\"exp\":-9223372036854775808}", &v), -1);
	assert_int_equal(date_of("{\"exp\":18446744073709551615}", &v), -1);
	assert_int_equal(date_of("{\"exp\":99999999999999999999999}", &v), -1);
	assert_int_equal(date_of("{\"exp\":1e300}", &v), -1);
	assert_int_equal(date_of("{\"exp\":-1e300}", &v), -1);
}

static void test_get_date_fraction_and_exponent(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(date_of("{\"exp\":1750000300}", &v), 1);
	assert_int_equal(v, 1750000300);
	assert_int_equal(date_of("{\"exp\":1750000300.999}", &v), 1);
	assert_int_equal(v, 1750000300);
	assert_int_equal(date_of("{\"exp\":-1.5}", &v), 1);
	assert_int_equal(v, -2);
	assert_int_equal(date_of("{\"exp\":1.7500003e9}", &v), 1);
	assert_int_equal(v, 1750000300);
	assert_int_equal(date_of("{\"exp\":0}", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(date_of("{\"nbf\":1}", &v), 0);
	assert_int_equal(v, -42); /* untouched when absent */
}

static void test_get_string_and_typed_get(void **state)
{
	struct json_object *o = obj("{\"s\":\"ab\",\"n\":1,\"z\":\"\",\"a\":[]}");
	const char *s = NULL;
	size_t len = 99;

	(void)state;
	assert_int_equal(pj_json_get_string(o, "s", &s, &len), 1);
	assert_int_equal(len, 2);
	assert_memory_equal(s, "ab", 2);
	assert_int_equal(pj_json_get_string(o, "z", &s, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(pj_json_get_string(o, "n", &s, &len), -1);
	assert_int_equal(pj_json_get_string(o, "a", &s, &len), -1);
	assert_int_equal(pj_json_get_string(o, "missing", &s, &len), 0);
	assert_non_null(pj_json_get(o, "a", json_type_array));
	assert_null(pj_json_get(o, "a", json_type_object));
	assert_null(pj_json_get(o, "n", json_type_string));
	assert_null(pj_json_get(o, "missing", json_type_int));
	json_object_put(o);
}

static void test_str_eq_is_length_aware(void **state)
{
	(void)state;
	assert_true(pj_json_str_eq("root", 4, "root"));
	assert_false(pj_json_str_eq("root\0x", 6, "root"));
	assert_false(pj_json_str_eq("roo", 3, "root"));
	assert_false(pj_json_str_eq("rootx", 5, "root"));
	assert_false(pj_json_str_eq("Root", 4, "root"));
	assert_true(pj_json_str_eq("", 0, ""));
}

/* What is accepted reads exactly as json-c's own tokener reads it: the
 * same types, values, names and order (compared through json-c's
 * serialiser), for every kind of value and escape. */
static void same_as_json_c(const char *text)
{
	struct json_object *mine = obj(text), *theirs;
	struct json_tokener *tok = json_tokener_new_ex(PJ_JSON_MAX_DEPTH + 1);

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	theirs = json_tokener_parse_ex(tok, text, (int)strlen(text));
	assert_non_null(theirs);
	assert_string_equal(json_object_to_json_string_ext(mine, JSON_C_TO_STRING_PLAIN),
	                    json_object_to_json_string_ext(theirs, JSON_C_TO_STRING_PLAIN));
	assert_true(json_object_equal(mine, theirs));
	json_object_put(mine);
	json_object_put(theirs);
	json_tokener_free(tok);
}

static const char *const same_texts[] = {
	"{}",
	"{\"a\":{},\"b\":[],\"c\":[[]],\"d\":[{}]}",
	"{\"iss\":\"https://idp.test\",\"sub\":\"alice\",\"aud\":[\"a\",\"b\"],\"exp\":1750000300,"
	"\"nbf\":1750000000.5,\"groups\":[\"admins\",\"devs\"],\"email_verified\":true,"
	"\"x\":false,\"y\":null}",
	"{\"n\":[0,-0,1,-1,9223372036854775807,-9223372036854775808,9223372036854775808,"
	"18446744073709551615,18446744073709551616,-9223372036854775809,"
	"99999999999999999999999,-99999999999999999999999]}",
	"{\"d\":[0.5,-0.5,1e5,1E5,1e+5,1e-5,-1.25E-300,1.7976931348623157e308,0.0,-0.0,"
	"123456789012345678901234567890.5,1e0]}",
	"{\"s\":\"\\\"\\\\\\/"
	"\\b\\f\\n\\r\\t\",\"u\":\"\\u00e9\\u20AC\\ud83d\\ude00\\u0001\\u001f\"}",
	"{\"mixed\":\"a\\u00e9b\xc3\xa9"
	"c\\nd\xf0\x9f\x98\x80"
	"e\",\"\\u0061\\u0062\":\"k\"}",
	"{\"\xe2\x82\xac\":\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\",\"\":\"\",\"a b\":\" \"}",
	" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { \"c\" : \"d\" } }\r\n\t ",
	"{\"long name that does not fit in a short buffer, so it is copied another way, "
	"which must give the same result as the short names do, however long it is\":1,"
	"\"long\\u0020escaped name that does not fit in a short buffer either, and is "
	"decoded before it is copied, which must also give the same result\":\"v\\u00e9\"}",
};

static void test_json_reads_as_json_c_does(void **state)
{
	char big[6000], name[300];
	size_t i, k = 0;

	(void)state;
	for (i = 0; i < sizeof(same_texts) / sizeof(same_texts[0]); i++)
		same_as_json_c(same_texts[i]);
	/* over 1 KiB of text (the reader's scratch space is then allocated),
	 * escaped names of 127, 128 and 200 bytes, escapes in long values */
	k += (size_t)snprintf(big + k, sizeof(big) - k, "{");
	for (i = 0; i < 3; i++) {
		size_t want = i == 0 ? 127 : i == 1 ? 128 : 200, n;

		memset(name, 'n', sizeof(name));
		memcpy(name, "\\u00e9", 6); /* 6 characters of text, 2 bytes decoded */
		n = want + 4; /* decoded length: want */
		name[n] = '\0';
		k += (size_t)snprintf(big + k, sizeof(big) - k, "%s\"%s\":\"", i ? "," : "", name);
		memset(big + k, 'v', 1500);
		{
			static const char esc[] = "\\n\\u20ac\\ud83d\\ude00\\\"";

			memcpy(big + k + 700, esc, strlen(esc));
		}
		k += 1500;
		k += (size_t)snprintf(big + k, sizeof(big) - k, "\"");
	}
	k += (size_t)snprintf(big + k, sizeof(big) - k, ",\"n\":[1.5e3,-7,18446744073709551616]}");
	assert_true(k > 4500 && k < sizeof(big));
	same_as_json_c(big);
}

/* A desktop session may run the module under a locale whose decimal point
 * is a comma: fractions must still read in the JSON (C) way. */
static void test_json_fraction_ignores_process_locale(void **state)
{
	locale_t de = newlocale(LC_ALL_MASK, "de_DE.UTF-8", (locale_t)0), old;
	struct json_object *o;

	(void)state;
	if (de == (locale_t)0) {
		print_message("no de_DE.UTF-8 locale (tests/install-deps.sh makes one)\n");
		skip();
	}
	assert_true(strtod_l("0,5", NULL, de) == 0.5); /* it is a comma locale */
	old = uselocale(de);
	o = obj("{\"exp\":1750000300.75,\"e\":2.5e3}");
	uselocale(old);
	freelocale(de);
	assert_true(json_object_get_double(json_object_object_get(o, "exp")) == 1750000300.75);
	assert_true(json_object_get_double(json_object_object_get(o, "e")) == 2500.0);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_plain_objects_accepted),
		cmocka_unit_test(test_json_top_level_not_object_refused),
		cmocka_unit_test(test_json_empty_input_refused),
		cmocka_unit_test(test_json_trailing_garbage_refused),
		cmocka_unit_test(test_json_byte_order_mark_refused),
		cmocka_unit_test(test_json_comments_refused),
		cmocka_unit_test(test_json_nonstandard_syntax_refused),
		cmocka_unit_test(test_json_nonstandard_numbers_refused),
		cmocka_unit_test(test_json_number_trailing_dot_refused),
		cmocka_unit_test(test_json_number_leading_zero_refused),
		cmocka_unit_test(test_json_single_quoted_name_refused),
		cmocka_unit_test(test_json_duplicate_hidden_by_single_quote_refused),
		cmocka_unit_test(test_json_nul_hidden_by_single_quote_refused),
		cmocka_unit_test(test_json_nan_infinity_refused),
		cmocka_unit_test(test_json_duplicate_member_refused),
		cmocka_unit_test(test_json_colons_in_strings_are_not_members),
		cmocka_unit_test(test_json_depth_limit_exact),
		cmocka_unit_test(test_json_invalid_utf8_refused),
		cmocka_unit_test(test_json_valid_utf8_accepted),
		cmocka_unit_test(test_json_u0000_escape_refused),
		cmocka_unit_test(test_json_lone_surrogate_escape_refused),
		cmocka_unit_test(test_json_raw_control_char_refused),
		cmocka_unit_test(test_json_bad_escape_refused),
		cmocka_unit_test(test_get_int64_string_trap),
		cmocka_unit_test(test_get_date_range_year_9999),
		cmocka_unit_test(test_get_date_fraction_and_exponent),
		cmocka_unit_test(test_get_string_and_typed_get),
		cmocka_unit_test(test_str_eq_is_length_aware),
		cmocka_unit_test(test_json_reads_as_json_c_does),
		cmocka_unit_test(test_json_fraction_ignores_process_locale),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
