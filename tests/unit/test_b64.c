/* Strict base64url (b64.c): RFC 4648 section 5 without padding, checked
 * against RFC test vectors and OpenSSL's own encoder. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "unit.h"
#include "b64.h"

/* OpenSSL's standard base64, turned into unpadded base64url. */
static char *ref_encode(const unsigned char *in, size_t len)
{
	char *out = malloc(len / 3 * 4 + 8);
	size_t i, n;

	assert_non_null(out);
	n = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return out;
}

static void expect_decode(const char *in, const char *want)
{
	unsigned char *out = NULL;
	size_t outlen = 0;

	assert_int_equal(b64_decode(in, strlen(in), &out, &outlen), 0);
	assert_int_equal(outlen, strlen(want));
	assert_memory_equal(out, want, outlen);
	assert_int_equal(out[outlen], '\0');
	free(out);
}

static void expect_refused(const char *in, size_t len)
{
	unsigned char *out = (unsigned char *)"untouched";
	size_t outlen = 12345;

	assert_int_equal(b64_decode(in, len, &out, &outlen), -1);
	assert_string_equal((const char *)out, "untouched");
	assert_int_equal(outlen, 12345);
}

static void test_rfc4648_vectors_decode(void **state)
{
	(void)state;
	expect_decode("", "");
	expect_decode("Zg", "f");
	expect_decode("Zm8", "fo");
	expect_decode("Zm9v", "foo");
	expect_decode("Zm9vYg", "foob");
	expect_decode("Zm9vYmE", "fooba");
	expect_decode("Zm9vYmFy", "foobar");
}

static void test_rfc4648_vectors_encode(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *e = b64_encode((const unsigned char *)v[i][0], strlen(v[i][0]));

		assert_non_null(e);
		assert_string_equal(e, v[i][1]);
		free(e);
	}
}

static void test_url_alphabet_dash_underscore(void **state)
{
	static const unsigned char bytes[] = { 0xfb, 0xef, 0xbe, 0xff, 0xff };
	unsigned char *out = NULL;
	size_t outlen = 0;
	char *e;

	(void)state;
	e = b64_encode(bytes, sizeof(bytes));
	assert_string_equal(e, "----__8");
	assert_int_equal(b64_decode(e, strlen(e), &out, &outlen), 0);
	assert_int_equal(outlen, sizeof(bytes));
	assert_memory_equal(out, bytes, sizeof(bytes));
	free(out);
	free(e);
}

static void test_all_byte_values_match_openssl(void **state)
{
	unsigned char bytes[256 + 2];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7 + 3);
	/* every length mod 3, each run covering all 256 values */
	for (len = 256; len <= sizeof(bytes); len++) {
		char *mine = b64_encode(bytes, len), *ref = ref_encode(bytes, len);
		unsigned char *back = NULL;
		size_t backlen = 0;

		assert_string_equal(mine, ref);
		assert_int_equal(b64_decode(ref, strlen(ref), &back, &backlen), 0);
		assert_int_equal(backlen, len);
		assert_memory_equal(back, bytes, len);
		free(back);
		free(mine);
		free(ref);
	}
}

static void test_random_roundtrip_against_openssl(void **state)
{
	unsigned char buf[3001];
	size_t len;

	(void)state;
	for (len = 0; len < sizeof(buf); len += 97) {
		char *ref;
		unsigned char *back = NULL;
		size_t backlen = 0;

		assert_int_equal(RAND_bytes(buf, (int)sizeof(buf)), 1);
		ref = ref_encode(buf, len);
		assert_int_equal(b64_decode(ref, strlen(ref), &back, &backlen), 0);
		assert_int_equal(backlen, len);
		if (len > 0)
			assert_memory_equal(back, buf, len);
		free(back);
		free(ref);
	}
}

static void test_padding_refused(void **state)
{
	(void)state;
	expect_refused("Zg==", 4);
	expect_refused("Zm8=", 4);
	expect_refused("Zg=", 3);
	expect_refused("Zm9v====", 8);
	expect_refused("=", 1);
}

static void test_std_alphabet_plus_slash_refused(void **state)
{
	(void)state;
	expect_refused("++//", 4);
	expect_refused("Zm9+", 4);
	expect_refused("Zm9/", 4);
}

static void test_whitespace_refused(void **state)
{
	(void)state;
	expect_refused("Zm9v Yg", 7);
	expect_refused("Zm9v\nYg", 7);
	expect_refused("Zm9vYg\n", 7);
	expect_refused(" Zm9v", 5);
	expect_refused("Zm9v\r\n", 6);
	expect_refused("Zm\t9v", 5);
}

static void test_impossible_length_refused(void **state)
{
	(void)state;
	expect_refused("Z", 1);
	expect_refused("Zm9vY", 5);
	expect_refused("Zm9vYmFyZ", 9);
}

static void test_noncanonical_trailing_bits_refused(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char two[3] = "ZA", three[4] = "Zm8";
	int v, accepted = 0;

	(void)state;
	/* "Zg" encodes "f"; the last character carries 4 unused bits. */
	for (v = 0; v < 64; v++) {
		unsigned char *out = NULL;
		size_t outlen = 0;

		two[1] = alpha[v];
		if (b64_decode(two, 2, &out, &outlen) == 0) {
			accepted++;
			assert_int_equal(v & 0x0f, 0);
			free(out);
		}
	}
	assert_int_equal(accepted, 4);
	/* "Zm8" encodes "fo"; the last character carries 2 unused bits. */
	accepted = 0;
	for (v = 0; v < 64; v++) {
		unsigned char *out = NULL;
		size_t outlen = 0;

		three[2] = alpha[v];
		if (b64_decode(three, 3, &out, &outlen) == 0) {
			accepted++;
			assert_int_equal(v & 0x03, 0);
			free(out);
		}
	}
	assert_int_equal(accepted, 16);
	expect_refused("Zh", 2);
	expect_refused("Zm9", 3);
}

static void test_nul_and_non_ascii_refused(void **state)
{
	(void)state;
	expect_refused("Zm\0v", 4);
	expect_refused("Zm9\xc3", 4);
	expect_refused("Zm9v\xc3\xa9Yg", 8);
	expect_refused("Zm9.", 4);
}

static void test_is_url_char_exact_alphabet(void **state)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int c, n = 0;

	(void)state;
	for (c = 0; c < 256; c++) {
		int want = c != 0 && memchr(alpha, c, sizeof(alpha) - 1) != NULL;

		assert_int_equal(!!b64_is_url_char((unsigned char)c), want);
		n += want;
	}
	assert_int_equal(n, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors_decode),
		cmocka_unit_test(test_rfc4648_vectors_encode),
		cmocka_unit_test(test_url_alphabet_dash_underscore),
		cmocka_unit_test(test_all_byte_values_match_openssl),
		cmocka_unit_test(test_random_roundtrip_against_openssl),
		cmocka_unit_test(test_padding_refused),
		cmocka_unit_test(test_std_alphabet_plus_slash_refused),
		cmocka_unit_test(test_whitespace_refused),
		cmocka_unit_test(test_impossible_length_refused),
		cmocka_unit_test(test_noncanonical_trailing_bits_refused),
		cmocka_unit_test(test_nul_and_non_ascii_refused),
		cmocka_unit_test(test_is_url_char_exact_alphabet),
	};

	return cmocka_run_group_tests_name("b64", tests, NULL, NULL);
}
