/* user_claim and its transforms (pj_account_map without a mapping file):
 * user_strip_suffix (the suffix is required, in any ASCII case, and removed),
 * user_email_local (the part before the first '@'), user_lowercase (ASCII
 * only); then the name must be a valid user name, equal to the PAM user
 * and an existing account.
 *
 * The tests use accounts every Linux system has ("root", "daemon"), and
 * read the transformed name of a missing account from the reason of the
 * PJ_E_NO_ACCOUNT or PJ_E_USER error, so they need no nss_wrapper. */
#include "config.h"

#include "ptest.h"

#include "account.h"
#include "options.h"

struct result {
	enum pj_status st;
	char user[PJ_USER_MAX + 1];
	struct pj_err err;
};

/* Map claims through a configuration made of the given options
 * ("name=value" strings, NULL-terminated). */
static struct result map_with(const char *claims_json, const char *pam_user,
			      const char *const *opts)
{
	struct json_object *c = claims_of(claims_json);
	struct pj_config cfg;
	struct result r;
	size_t i;

	memset(&r, 0, sizeof(r));
	pj_err_clear(&r.err);
	assert_int_equal(pj_config_init(&cfg, &r.err), PJ_OK);
	/* a claim may name daemon (UID 1), never root: see claim_guard */
	assert_int_equal(pj_opt_arg(&cfg, "min_uid=1", &r.err), PJ_OK);
	for (i = 0; opts[i] != NULL; i++)
		if (pj_opt_arg(&cfg, opts[i], &r.err) != PJ_OK)
			fail_msg("option \"%s\": %s", opts[i], r.err.reason);
	r.st = pj_account_map(c, &cfg, pam_user, r.user, &r.err);
	pj_config_free(&cfg);
	json_object_put(c);
	return r;
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_OPTS ((const char *const[]){ NULL })

static void want_user(struct result r, const char *user)
{
	assert_status(r.st, PJ_OK, &r.err);
	assert_string_equal(r.user, user);
}

/* The name became `name`, which is no account: PJ_E_NO_ACCOUNT with the
 * name quoted in the reason. */
static void want_missing(struct result r, const char *name)
{
	char quoted[300];

	assert_status(r.st, PJ_E_NO_ACCOUNT, &r.err);
	snprintf(quoted, sizeof(quoted), "\"%s\"", name);
	assert_reason_has(&r.err, quoted);
}

static void want_refused(struct result r, const char *why)
{
	assert_status(r.st, PJ_E_USER, &r.err);
	assert_reason_has(&r.err, why);
}

static void plain_claim(void **state)
{
	(void)state;
	want_user(map_with("{\"sub\":\"daemon\"}", "daemon", NO_OPTS), "daemon");
	want_user(map_with("{\"sub\":\"daemon\"}", NULL, NO_OPTS), "daemon");
	want_missing(map_with("{\"sub\":\"pj-nobody-xq\"}", NULL, NO_OPTS), "pj-nobody-xq");
	/* no transform without the options */
	want_missing(map_with("{\"sub\":\"Root\"}", NULL, NO_OPTS), "Root");
	want_missing(map_with("{\"sub\":\"root@example.com\"}", NULL, NO_OPTS),
		     "root@example.com");
}

static void other_user_claim(void **state)
{
	const char *const *opts = OPTS("user_claim=preferred_username");

	(void)state;
	want_user(map_with("{\"sub\":\"f7e1-uuid\",\"preferred_username\":\"daemon\"}", "daemon", opts),
		  "daemon");
	want_refused(map_with("{\"sub\":\"root\"}", "root", opts),
		     "token has no preferred_username claim");
	want_refused(map_with("{\"preferred_username\":0}", "root", opts), "is not a string");
	want_refused(map_with("{\"preferred_username\":[\"root\"]}", "root", opts),
		     "is not a string");
	want_refused(map_with("{\"preferred_username\":null}", "root", opts), "is not a string");
}

static void strip_suffix(void **state)
{
	const char *const *opts = OPTS("user_strip_suffix=@corp.example.com");

	(void)state;
	want_user(map_with("{\"sub\":\"daemon@corp.example.com\"}", "daemon", opts), "daemon");
	want_missing(map_with("{\"sub\":\"pj.alice@corp.example.com\"}", NULL, opts), "pj.alice");
	/* the suffix is required */
	want_refused(map_with("{\"sub\":\"root\"}", "root", opts), "does not end in");
	want_refused(map_with("{\"sub\":\"root@evil.example.com\"}", "root", opts),
		     "does not end in");
	want_refused(map_with("{\"sub\":\"root@corp.example.com.evil\"}", "root", opts),
		     "does not end in");
	/* compared without regard to ASCII case, as domains are */
	want_user(map_with("{\"sub\":\"daemon@CORP.Example.COM\"}", "daemon", opts), "daemon");
	/* but not folded beyond ASCII: a Kelvin sign is no k */
	want_refused(map_with("{\"sub\":\"daemon@corp.example.\\u212aom\"}", "daemon", opts),
		     "does not end in");
	/* nothing left is no user */
	want_refused(map_with("{\"sub\":\"@corp.example.com\"}", "root", opts), "does not end in");
}

/* Attack: the suffix is removed once, at the end; a name that only
 * contains it elsewhere keeps it and is no valid account. */
static void attack_suffix_elsewhere(void **state)
{
	const char *const *opts = OPTS("user_strip_suffix=@corp.example.com");

	(void)state;
	want_missing(map_with("{\"sub\":\"root@corp.example.com@corp.example.com\"}", NULL, opts),
		     "root@corp.example.com");
	want_refused(map_with("{\"sub\":\"root@corp.example.com\"}", "daemon", opts),
		     "not the login user");
}

static void email_local(void **state)
{
	const char *const *opts = OPTS("user_email_local=yes");

	(void)state;
	want_user(map_with("{\"sub\":\"daemon@example.com\"}", "daemon", opts), "daemon");
	want_user(map_with("{\"sub\":\"daemon@a@b\"}", "daemon", opts), "daemon");
	want_missing(map_with("{\"sub\":\"pj.x+tag@example.com\"}", NULL, opts), "pj.x+tag");
	want_refused(map_with("{\"sub\":\"root\"}", "root", opts), "is not an e-mail address");
	want_refused(map_with("{\"sub\":\"@example.com\"}", "root", opts),
		     "is not a valid user name");
	want_refused(map_with("{\"sub\":\"-root@example.com\"}", "root", opts),
		     "is not a valid user name");
}

static void email_local_other_claim(void **state)
{
	const char *const *opts = OPTS("user_claim=email", "user_email_local");

	(void)state;
	want_user(map_with("{\"sub\":\"1234567890\",\"email\":\"daemon@example.com\"}", "daemon", opts),
		  "daemon");
}

static void lowercase(void **state)
{
	const char *const *opts = OPTS("user_lowercase=yes");

	(void)state;
	want_user(map_with("{\"sub\":\"DAEMON\"}", "daemon", opts), "daemon");
	want_user(map_with("{\"sub\":\"DaEmOn\"}", "daemon", opts), "daemon");
	want_missing(map_with("{\"sub\":\"PJ-Alice.X_9\"}", NULL, opts), "pj-alice.x_9");
	/* ASCII only: a non-ASCII name is refused, not folded */
	want_refused(map_with("{\"sub\":\"\\u00c5SA\"}", "root", opts), "is not a valid user name");
}

static void combined(void **state)
{
	(void)state;
	want_user(map_with("{\"email\":\"Daemon@Example.COM\"}", "daemon",
			   OPTS("user_claim=email", "user_email_local", "user_lowercase")),
		  "daemon");
	want_user(map_with("{\"upn\":\"DAEMON@corp.example.com\"}", "daemon",
			   OPTS("user_claim=upn", "user_strip_suffix=@corp.example.com",
				"user_lowercase")),
		  "daemon");
	/* the order: strip the suffix (any case), then lower-case */
	want_user(map_with("{\"upn\":\"DAEMON@CORP.EXAMPLE.COM\"}", "daemon",
			   OPTS("user_claim=upn", "user_strip_suffix=@corp.example.com",
				"user_lowercase")),
		  "daemon");
	want_user(map_with("{\"upn\":\"Daemon@Corp.Example.com\"}", "daemon",
			   OPTS("user_claim=upn", "user_strip_suffix=@CORP.EXAMPLE.COM",
				"user_lowercase")),
		  "daemon");
	/* without user_lowercase the name keeps its case */
	want_missing(map_with("{\"upn\":\"DAEMON@CORP.EXAMPLE.COM\"}", NULL,
			      OPTS("user_claim=upn", "user_strip_suffix=@corp.example.com")),
		     "DAEMON");
	/* strip first, then the local part */
	want_user(map_with("{\"sub\":\"daemon@example.com/corp\"}", "daemon",
			   OPTS("user_strip_suffix=/corp", "user_email_local")),
		  "daemon");
}

static void invalid_names(void **state)
{
	static const char *const bad[] = {
		"",	    "-root",  ".",	  "..",	     "ro ot", "ro/ot", "ro:ot",
		"ro,ot",    "ro\\tot", "ro\\not", "ro\\u007fot", "r\\u00f6ot",
		"system:serviceaccount:ops:backup",
	};
	char json[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result r;

		snprintf(json, sizeof(json), "{\"sub\":\"%s\"}", bad[i]);
		r = map_with(json, NULL, NO_OPTS);
		if (r.st != PJ_E_USER)
			fail_msg("sub \"%s\": status %s, want user", bad[i], pj_status_name(r.st));
		assert_reason_has(&r.err, "is not a valid user name");
	}
}

static void name_length(void **state)
{
	char json[600], name[300];
	struct result r;

	(void)state;
	memset(name, 'a', PJ_USER_MAX);
	name[PJ_USER_MAX] = '\0';
	snprintf(json, sizeof(json), "{\"sub\":\"%s\"}", name);
	r = map_with(json, NULL, NO_OPTS);
	assert_status(r.st, PJ_E_NO_ACCOUNT, &r.err); /* valid, just no such account */
	name[PJ_USER_MAX] = 'a';
	name[PJ_USER_MAX + 1] = '\0';
	snprintf(json, sizeof(json), "{\"sub\":\"%s\"}", name);
	want_refused(map_with(json, NULL, NO_OPTS), "is not a valid user name");
	/* too long before stripping, fine after */
	snprintf(json, sizeof(json), "{\"sub\":\"%.*s@x\"}", PJ_USER_MAX, name);
	r = map_with(json, NULL, OPTS("user_strip_suffix=@x"));
	assert_status(r.st, PJ_E_NO_ACCOUNT, &r.err);
}

static void user_name_valid(void **state)
{
	(void)state;
	assert_true(pj_user_name_valid("alice", 5));
	assert_true(pj_user_name_valid("a", 1));
	assert_true(pj_user_name_valid("a-b.c_d$", 8));
	assert_true(pj_user_name_valid("alice@example.com", 17));
	assert_true(pj_user_name_valid(".a", 2));
	assert_true(pj_user_name_valid("...", 3));
	assert_false(pj_user_name_valid("", 0));
	assert_false(pj_user_name_valid(".", 1));
	assert_false(pj_user_name_valid("..", 2));
	assert_false(pj_user_name_valid("-a", 2));
	assert_false(pj_user_name_valid("a b", 3));
	assert_false(pj_user_name_valid("a/b", 3));
	assert_false(pj_user_name_valid("a:b", 3));
	assert_false(pj_user_name_valid("a,b", 3));
	assert_false(pj_user_name_valid("a\nb", 3));
	assert_false(pj_user_name_valid("a\x7f", 2));
	assert_false(pj_user_name_valid("\xc3\xa5", 2));
	/* the length is what counts, not a NUL */
	assert_false(pj_user_name_valid("ab\0c", 4));
}

/* Attack: the token must name the PAM user; transforms never make it
 * another one, and case folding happens before the comparison. */
static void attack_other_login_user(void **state)
{
	(void)state;
	want_refused(map_with("{\"sub\":\"root\"}", "daemon", NO_OPTS), "not the login user");
	want_refused(map_with("{\"sub\":\"ROOT\"}", "root", NO_OPTS), "not the login user");
	want_user(map_with("{\"sub\":\"DAEMON\"}", "daemon", OPTS("user_lowercase")), "daemon");
	want_refused(map_with("{\"sub\":\"root\"}", "ROOT", OPTS("user_lowercase")),
		     "not the login user");
}

/* A mapping file replaces user_claim and its transforms (here it does not
 * exist, so the error proves the file, not the claim, was used). */
static void map_file_replaces_user_claim(void **state)
{
	struct result r = map_with("{\"sub\":\"ROOT@example.com\"}", "root",
				   OPTS("user_email_local", "user_lowercase",
					"map_file=/nonexistent/pj-policy-test.map"));

	(void)state;
	assert_status(r.st, PJ_E_CONFIG, &r.err);
}

static void option_values_checked(void **state)
{
	struct pj_config cfg;
	struct pj_err err;

	(void)state;
	pj_err_clear(&err);
	assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
	assert_status(pj_opt_arg(&cfg, "user_lowercase=maybe", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "user_email_local=2", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "user_strip_suffix=", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "user_claim=", &err), PJ_E_CONFIG, &err);
	assert_status(pj_opt_arg(&cfg, "user_lowercase=no", &err), PJ_OK, &err);
	assert_false(cfg.user_lowercase);
	assert_status(pj_opt_arg(&cfg, "user_lowercase", &err), PJ_OK, &err);
	assert_true(cfg.user_lowercase);
	pj_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_claim),
		cmocka_unit_test(other_user_claim),
		cmocka_unit_test(strip_suffix),
		cmocka_unit_test(attack_suffix_elsewhere),
		cmocka_unit_test(email_local),
		cmocka_unit_test(email_local_other_claim),
		cmocka_unit_test(lowercase),
		cmocka_unit_test(combined),
		cmocka_unit_test(invalid_names),
		cmocka_unit_test(name_length),
		cmocka_unit_test(user_name_valid),
		cmocka_unit_test(attack_other_login_user),
		cmocka_unit_test(map_file_replaces_user_claim),
		cmocka_unit_test(option_values_checked),
	};

	return cmocka_run_group_tests_name("policy: user name transforms", tests, NULL, NULL);
}
