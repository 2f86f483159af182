/* The token's payload never stays in memory that pj_json_parse() frees:
 * the scratch buffer it decodes strings into (on the heap for texts of
 * 1 KiB and more) and the copies of long member names are wiped first.
 *
 * Linked with -Wl,--wrap=free: every free() in this program and in the
 * core it links (not in json-c or libc) goes through __wrap_free(), which
 * looks for the marker in the block before it is released. */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "pj_json.h"

void __real_free(void *p);
void __wrap_free(void *p);

/* What the payload holds once decoded (written with an escape, so that
 * the decoder copies it into its scratch buffer). */
#define MARKER "secret-claim-9f3c1e"
#define MARKER_ESCAPED "secret\\u002dclaim-9f3c1e"

static volatile int watching; /* free() is a builtin: the compiler thinks it reads no global */
static volatile int leaked;

void __wrap_free(void *p)
{
	if (watching && p != NULL && memmem(p, malloc_usable_size(p), MARKER, strlen(MARKER)))
		leaked++;
	__real_free(p);
}

/* A payload of about `size` bytes: a long padding claim, then the marker
 * as a value and as a long member name. */
static void parse_with_marker(size_t size)
{
	struct json_object *o = NULL;
	struct pj_err err;
	char *text = malloc(size + 512), *pad = malloc(size + 1);

	assert_non_null(text);
	assert_non_null(pad);
	memset(pad, 'p', size);
	pad[size] = '\0';
	snprintf(text, size + 512, "{\"pad\":\"%s\",\"c\":\"" MARKER_ESCAPED "\",\"%s" MARKER_ESCAPED "\":1}",
	         pad + (size > 300 ? 300 : size), pad + (size > 200 ? size - 200 : 0));
	pj_err_clear(&err);
	leaked = 0;
	watching = 1;
	assert_int_equal(pj_json_parse(text, strlen(text), PJ_JSON_MAX_DEPTH, &o, &err), PJ_OK);
	watching = 0;
	assert_int_equal(leaked, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "c")), MARKER);
	json_object_put(o);
	free(text);
	free(pad);
}

/* Control: the wrapper sees frees of the core, and would see the marker. */
static void test_wrapper_sees_the_marker(void **state)
{
	char *p = strdup("x " MARKER " y");

	(void)state;
	assert_non_null(p);
	/* the compiler must not drop the strdup/free pair */
	__asm__ volatile("" : : "g"(p) : "memory");
	leaked = 0;
	watching = 1;
	free(p);
	watching = 0;
	assert_int_equal(leaked, 1);
}

static void test_small_payload_not_left_in_freed_memory(void **state)
{
	(void)state;
	parse_with_marker(500);
}

static void test_large_payload_scratch_wiped_before_free(void **state)
{
	(void)state;
	parse_with_marker(4096);
	parse_with_marker(60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrapper_sees_the_marker),
		cmocka_unit_test(test_small_payload_not_left_in_freed_memory),
		cmocka_unit_test(test_large_payload_scratch_wiped_before_free),
	};

	return cmocka_run_group_tests_name("json_wipe", tests, NULL, NULL);
}
