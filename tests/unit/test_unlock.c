/* Unit tests of the lock-screen pieces that need no root: the request
 * frame of pam_jwt-unlock (unlockwire.c), what a PIN may be (offline.c)
 * and the device-flow wait of an unlock service (unlock.c). */
#include "config.h"

#include <string.h>

#include "offline.h"
#include "unit.h"
#include "unlock.h"
#include "unlockwire.h"

static void test_frame_roundtrip(void **state)
{
	struct pj_unlock_req rq;
	struct pj_err err;
	char *f = NULL;
	size_t n = 0;

	assert_int_equal(pj_unlock_frame('S', "eyJ.a.b", 7, "4711-blue", 9, &f, &n, &err), PJ_OK);
	assert_int_equal(n, 4 + 1 + 2 + 7 + 2 + 9);
	assert_int_equal(pj_unlock_parse(f, n, &rq, &err), PJ_OK);
	assert_int_equal(rq.verb, 'S');
	assert_int_equal(rq.len1, 7);
	assert_memory_equal(rq.secret1, "eyJ.a.b", 7);
	assert_int_equal(rq.len2, 9);
	assert_memory_equal(rq.secret2, "4711-blue", 9);
	/* one byte more or less is another frame: refused */
	assert_int_equal(pj_unlock_parse(f, n - 1, &rq, &err), PJ_E_FORMAT);
	assert_null(rq.secret1);
	pj_free_secret(f, n);
}

static void test_frame_refusals(void **state)
{
	static const char pin_with_second[] = "PJU1P\0\4abcd\0\1x";
	static const char token_with_nul[] = "PJU1T\0\3a\0b\0\0";
	static const char unknown_verb[] = "PJU1X\0\1a\0\0";
	static const char no_magic[] = "PJU2P\0\1a\0\0";
	struct pj_unlock_req rq;
	struct pj_err err;
	char *f = NULL, pin[PJ_PIN_MAX + 1];
	size_t n = 0;

	assert_int_equal(pj_unlock_parse(pin_with_second, sizeof(pin_with_second) - 1, &rq, &err),
	                 PJ_E_FORMAT);
	assert_int_equal(pj_unlock_parse(token_with_nul, sizeof(token_with_nul) - 1, &rq, &err),
	                 PJ_E_FORMAT);
	assert_int_equal(pj_unlock_parse(unknown_verb, sizeof(unknown_verb) - 1, &rq, &err),
	                 PJ_E_FORMAT);
	assert_int_equal(pj_unlock_parse(no_magic, sizeof(no_magic) - 1, &rq, &err), PJ_E_FORMAT);
	/* a PIN longer than PJ_PIN_MAX, an empty token */
	memset(pin, 'x', sizeof(pin));
	assert_int_not_equal(pj_unlock_frame('P', pin, sizeof(pin), NULL, 0, &f, &n, &err), PJ_OK);
	assert_int_not_equal(pj_unlock_frame('T', "", 0, NULL, 0, &f, &n, &err), PJ_OK);
	assert_null(f);
}

static void test_pin_rules(void **state)
{
	assert_true(pj_pin_valid("4711", 4));
	assert_true(pj_pin_valid("correct horse", 13));
	assert_false(pj_pin_valid("471", 3)); /* too short */
	assert_false(pj_pin_valid("eyJhbGci", 8)); /* shaped like a token */
	assert_false(pj_pin_valid("47\n11", 5)); /* control character */
	assert_false(pj_pin_valid("47\17711", 5));
}

static void test_unlock_device_wait(void **state)
{
	struct pj_config cfg;
	struct pj_err err;
	char note[128];

	assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
	/* not an unlock service: the auth center's and the line's limits */
	assert_int_equal(pj_unlock_device_wait(&cfg, 600, 300, note, sizeof(note)), 300);
	assert_string_equal(note, "");
	/* GDM's unlock dialog: two minutes idle */
	cfg.unlock_max_wait = 110;
	assert_int_equal(pj_unlock_device_wait(&cfg, 600, 300, note, sizeof(note)), 110);
	assert_string_equal(note, "This screen waits 110 seconds: approve before then.");
	/* the auth center allows less anyway: nothing to say */
	assert_int_equal(pj_unlock_device_wait(&cfg, 90, 300, note, sizeof(note)), 90);
	assert_string_equal(note, "");
	pj_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_roundtrip),
		cmocka_unit_test(test_frame_refusals),
		cmocka_unit_test(test_pin_rules),
		cmocka_unit_test(test_unlock_device_wait),
	};

	return cmocka_run_group_tests_name("unlock", tests, NULL, NULL);
}
