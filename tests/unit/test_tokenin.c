/* Token entry (tokenin.c): a token in one answer, or chunked over several
 * answers ("eyJ..." first part, every part but the last ends with a
 * backslash), as conversation front-ends with short answer limits need:
 * sudo refuses answers of 512 bytes or more, OpenSSH cuts at 1023. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "tokenin.h"

#define MAX_ANSWERS 80

struct answers {
	const char *text[MAX_ANSWERS];
	int n, next, fail, give_null;
	int asked[MAX_ANSWERS]; /* part numbers in the order asked */
};

static int ask(void *vctx, int part, char **answer)
{
	struct answers *a = vctx;

	a->asked[a->next] = part;
	if (a->fail)
		return -1;
	if (a->give_null) {
		*answer = NULL;
		return 0;
	}
	if (a->next >= a->n)
		FAILF("part %d asked, but only %d answers", part, a->n);
	*answer = strdup(a->text[a->next++]);
	return *answer == NULL;
}

static enum pj_status collect(const char *first, struct answers *a, size_t max,
			      char **token, size_t *len, int *not_token)
{
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	*token = (char *)"sentinel";
	st = pj_token_collect(first, ask, a, max, token, len, not_token, &err);
	assert_int_equal(err.status, st);
	if (st != PJ_OK || *not_token) {
		assert_null(*token);
	}
	if (st != PJ_OK)
		assert_true(err.reason[0] != '\0');
	return st;
}

static char *big;

static int setup(void **state)
{
	(void)state;
	big = fx_token("big-4096");
	return strlen(big) == 4096 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(big);
	return 0;
}

/* Split big into answers of at most cap bytes (backslash and `eol`
 * included); the copies live in store[]. */
static int split(const char *tok, size_t cap, const char *eol, char **store,
		 struct answers *a)
{
	size_t len = strlen(tok), off = 0, el = strlen(eol);
	int n = 0;

	memset(a, 0, sizeof(*a));
	while (off < len) {
		size_t take = cap - 1 - el, left = len - off;
		int last = left <= cap - el;
		char *s;

		if (last)
			take = left;
		s = malloc(take + 2 + el);
		assert_non_null(s);
		memcpy(s, tok + off, take);
		if (!last)
			s[take++] = '\\';
		memcpy(s + take, eol, el + 1);
		assert_true(strlen(s) <= cap);
		store[n++] = s;
		off += last ? left : take - 1;
	}
	for (int i = 1; i < n; i++)
		a->text[a->n++] = store[i];
	return n;
}

static void free_store(char **store, int n)
{
	for (int i = 0; i < n; i++)
		free(store[i]);
}

static void chunked_roundtrip(size_t cap, const char *eol, int want_parts)
{
	char *store[MAX_ANSWERS], *tok = NULL;
	struct answers a;
	size_t len = 0;
	int nt = -1, n = split(big, cap, eol, store, &a), i;

	assert_int_equal(n, want_parts);
	assert_int_equal(collect(store[0], &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(nt, 0);
	assert_int_equal(len, 4096);
	assert_memory_equal(tok, big, 4096);
	assert_int_equal(tok[len], '\0');
	assert_int_equal(a.next, n - 1);
	for (i = 0; i < n - 1; i++)
		assert_int_equal(a.asked[i], i + 2);
	free(tok);
	free_store(store, n);
}

static void test_4k_token_in_511_byte_answers(void **state)
{
	(void)state;
	chunked_roundtrip(511, "", 9);
}

static void test_4k_token_in_1023_byte_answers(void **state)
{
	(void)state;
	chunked_roundtrip(1023, "", 5);
}

static void test_chunked_answers_newline_trimmed(void **state)
{
	(void)state;
	chunked_roundtrip(511, "\n", 9);
	chunked_roundtrip(1023, "\r\n", 5);
}

static void test_single_answer_token(void **state)
{
	struct answers a = { .n = 0 };
	char *tok = NULL, *copy = strdup(big);
	size_t len = 0;
	int nt = -1;

	(void)state;
	assert_int_equal(collect(big, &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(nt, 0);
	assert_int_equal(len, 4096);
	assert_string_equal(tok, big);
	assert_ptr_not_equal(tok, big);
	assert_string_equal(big, copy); /* first answer not modified */
	assert_int_equal(a.next, 0);    /* nothing asked */
	free(tok);
	free(copy);
}

static void test_one_trailing_newline_trimmed(void **state)
{
	struct answers a = { .n = 0 };
	char *with = str_cat(big, "\n"), *crlf = str_cat(big, "\r\n"), *two = str_cat(big, "\n\n");
	char *tok = NULL;
	size_t len = 0;
	int nt = -1;

	(void)state;
	assert_int_equal(collect(with, &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(len, 4096);
	assert_string_equal(tok, big);
	free(tok);
	assert_int_equal(collect(crlf, &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(len, 4096);
	free(tok);
	/* only one is trimmed: the rest is not shaped like a token */
	assert_int_equal(collect(two, &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(nt, 1);
	free(with);
	free(crlf);
	free(two);
}

static void test_password_answer_is_not_token(void **state)
{
	static const char *const pw[] = {
		"hunter2", "correct horse battery staple", "", "\n", "a.b", "a.b.c.d",
		"eyJ\\", "abc\\", "pass.word.with space", "eyJ a\\", "p@ss.w0rd.x",
	};
	struct answers a = { .n = 0 };
	char *tok = NULL;
	size_t len = 0, i;
	int nt;

	(void)state;
	for (i = 0; i < sizeof(pw) / sizeof(pw[0]); i++) {
		nt = -1;
		assert_int_equal(collect(pw[i], &a, 16384, &tok, &len, &nt), PJ_OK);
		if (nt != 1)
			FAILF("\"%s\" taken for a token", pw[i]);
	}
	assert_int_equal(a.next, 0);
}

static void test_bad_chars_in_part_refused(void **state)
{
	static const char *const bad[] = {
		"abc def", "abc+def", "abc/def", "abc=", "abc\tdef", "abc\rdef",
		"abc\n\n", "ab\\c", "\xc3\xa9", "abc\\\\",
	};
	size_t i, len = 0;
	char *tok = NULL;
	int nt;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct answers a = { .n = 1, .text = { bad[i] } };

		if (collect("eyJhbGciOi\\", &a, 16384, &tok, &len, &nt) != PJ_E_FORMAT)
			FAILF("part \"%s\" accepted", bad[i]);
	}
}

static void test_64_parts_accepted_65_refused(void **state)
{
	struct answers a;
	char *tok = NULL;
	size_t len = 0;
	int nt, i;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < 62; i++)
		a.text[a.n++] = "ab\\";
	a.text[a.n++] = "cd";
	assert_int_equal(collect("eyJx\\\n", &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(a.next, 63);
	assert_int_equal(len, 4 + 62 * 2 + 2);
	free(tok);
	memset(&a, 0, sizeof(a));
	for (i = 0; i < 70; i++)
		a.text[a.n++] = "ab\\";
	assert_int_equal(collect("eyJx\\", &a, 16384, &tok, &len, &nt), PJ_E_TOO_LARGE);
	assert_int_equal(a.next, 63); /* stopped at part 65 without asking */
}

static void test_chunked_token_over_max_size_refused(void **state)
{
	char *store[MAX_ANSWERS], *tok = NULL;
	struct answers a;
	size_t len = 0;
	int nt, n = split(big, 511, "", store, &a);

	(void)state;
	assert_int_equal(collect(store[0], &a, 4095, &tok, &len, &nt), PJ_E_TOO_LARGE);
	a.next = 0;
	assert_int_equal(collect(store[0], &a, 4096, &tok, &len, &nt), PJ_OK);
	assert_int_equal(len, 4096);
	free(tok);
	/* the first part alone is over the limit */
	assert_int_equal(collect(store[0], &a, 256, &tok, &len, &nt), PJ_E_TOO_LARGE);
	free_store(store, n);
}

static void test_single_token_over_max_size_refused(void **state)
{
	struct answers a = { .n = 0 };
	char *tok = NULL;
	size_t len = 0;
	int nt;

	(void)state;
	assert_int_equal(collect(big, &a, 4095, &tok, &len, &nt), PJ_E_TOO_LARGE);
	assert_int_equal(collect(big, &a, 4096, &tok, &len, &nt), PJ_OK);
	free(tok);
}

static void test_ask_failure_unavailable(void **state)
{
	struct answers a = { .n = 0, .fail = 1 };
	struct answers b = { .n = 0, .give_null = 1 };
	char *tok = NULL;
	size_t len = 0;
	int nt;

	(void)state;
	assert_int_equal(collect("eyJabc\\", &a, 16384, &tok, &len, &nt), PJ_E_UNAVAILABLE);
	assert_int_equal(a.asked[0], 2);
	assert_int_equal(collect("eyJabc\\", &b, 16384, &tok, &len, &nt), PJ_E_UNAVAILABLE);
}

static void test_empty_continuation_ends_token(void **state)
{
	struct answers a = { .n = 1, .text = { "" } };
	char *tok = NULL;
	size_t len = 0;
	int nt = -1;

	(void)state;
	assert_int_equal(collect("eyJa.b.c\\", &a, 16384, &tok, &len, &nt), PJ_OK);
	assert_int_equal(nt, 0);
	assert_string_equal(tok, "eyJa.b.c");
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4k_token_in_511_byte_answers),
		cmocka_unit_test(test_4k_token_in_1023_byte_answers),
		cmocka_unit_test(test_chunked_answers_newline_trimmed),
		cmocka_unit_test(test_single_answer_token),
		cmocka_unit_test(test_one_trailing_newline_trimmed),
		cmocka_unit_test(test_password_answer_is_not_token),
		cmocka_unit_test(test_bad_chars_in_part_refused),
		cmocka_unit_test(test_64_parts_accepted_65_refused),
		cmocka_unit_test(test_chunked_token_over_max_size_refused),
		cmocka_unit_test(test_single_token_over_max_size_refused),
		cmocka_unit_test(test_ask_failure_unavailable),
		cmocka_unit_test(test_empty_continuation_ends_token),
	};

	return cmocka_run_group_tests_name("tokenin", tests, setup, teardown);
}
