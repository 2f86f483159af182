/* The one decision function (validate.c), end to end: configuration file
 * -> key files -> strict parse -> key selection -> signature -> claims ->
 * account.  Tokens and keys are fixtures made by jose-tools at the fixed
 * time FX_NOW; key and config files are copied into a private directory
 * with safe modes, as pj_read_file demands. */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "keys.h"
#include "tokenin.h"
#include "validate.h"

#define NOW ((int64_t)FX_NOW)
#define MAX_ARGS 8

static char *dir;
static struct pj_config cfg;
static int have_cfg;
static struct pj_decision dec;

#define ROOT_MAP "sub=root -> root\n* -> claim:sub\n"

static int setup(void **state)
{
	static const char *const files[] = {
		"jwks.json", "secret.bin", "rsa.pub.pem", "ec256.pub.pem", "rsa1024.pub.pem",
	};
	size_t i;

	(void)state;
	dir = tmp_dir();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		free(tmp_copy_fixture(dir, files[i]));
	/* The fixture tokens are for root, an account every system has; a
	 * claim never names root (the guard in account.c), a literal rule
	 * may. */
	free(tmp_write(dir, "accounts.map", ROOT_MAP, strlen(ROOT_MAP), 0600));
	memset(&dec, 0, sizeof(dec));
	have_cfg = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pj_decision_free(&dec);
	if (have_cfg)
		pj_config_free(&cfg);
	have_cfg = 0;
	tmp_remove(dir);
	return 0;
}

/* Load the configuration: a file in dir with `keys` (one or more
 * "name = FILE" lines, FILE relative to dir) plus module arguments. */
static void configure(const char *keys, const char *const *args)
{
	char text[1024], *path, *carg;
	const char *argv[MAX_ARGS + 1];
	struct pj_err err;
	int argc = 0;

	snprintf(text, sizeof(text), "issuer = %s\naudience = %s\nmap_file = {dir}/accounts.map\n%s\n",
	         FX_ISS, FX_AUD, keys);
	/* "{dir}" in keys stands for the private directory */
	{
		char out[2048], *o = out;
		const char *p = text;

		while (*p != '\0') {
			if (strncmp(p, "{dir}", 5) == 0) {
				o += snprintf(o, sizeof(out) - (size_t)(o - out), "%s", dir);
				p += 5;
			} else {
				*o++ = *p++;
			}
		}
		*o = '\0';
		path = tmp_write(dir, "pam_jwt.conf", out, strlen(out), 0600);
	}
	carg = str_cat("config=", path);
	argv[argc++] = carg;
	while (args != NULL && *args != NULL && argc < MAX_ARGS)
		argv[argc++] = *args++;
	if (have_cfg)
		pj_config_free(&cfg);
	if (pj_config_load(&cfg, argc, argv, &err) != PJ_OK)
		FAILF("config: %s", err.reason);
	have_cfg = 1;
	free(carg);
	free(path);
}

#define JWKS_AND_SECRET "jwks_file = {dir}/jwks.json\nhmac_secret_file = {dir}/secret.bin"

static void configure_default(void)
{
	configure(JWKS_AND_SECRET, NULL);
}

static enum pj_status run_at(const char *tok, size_t len, const char *user, int64_t now)
{
	enum pj_status st;

	pj_decision_free(&dec);
	st = pj_validate(&cfg, tok, len, user, now, &dec);
	assert_int_equal(dec.err.status, st);
	if (st != PJ_OK)
		assert_true(dec.err.reason[0] != '\0');
	return st;
}

static enum pj_status fx_at(const char *name, const char *user, int64_t now)
{
	char *tok = fx_token(name);
	enum pj_status st = run_at(tok, strlen(tok), user, now);

	free(tok);
	return st;
}

static enum pj_status fx(const char *name)
{
	return fx_at(name, "root", NOW);
}

#define IS(name, want) \
	do { \
		enum pj_status st_ = fx(name); \
		if (st_ != (want)) \
			FAILF("%s: got %s (%s), want %s", name, pj_status_name(st_), \
			      dec.err.reason, pj_status_name(want)); \
	} while (0)

static void test_every_alg_accepted_end_to_end(void **state)
{
	static const char *const ok[] = {
		"rs256",
		"rs256-nokid",
		"ps256",
		"es256",
		"es384",
		"es512",
		"eddsa",
		"hs256",
		"aud-array",
		"raw-ok",
		"payload-space-around",
		"lifetime-2h",
		"big-4096",
	};
	size_t i;

	(void)state;
	configure_default();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		IS(ok[i], PJ_OK);
		assert_string_equal(dec.user, "root");
	}
}

static void test_decision_carries_identity(void **state)
{
	(void)state;
	configure_default();
	IS("es256", PJ_OK);
	assert_string_equal(dec.user, "root");
	assert_string_equal(dec.sub, "root");
	assert_string_equal(dec.iss, FX_ISS);
	assert_string_equal(dec.kid, "ec-1");
	assert_int_equal(dec.alg, JWS_ES256);
	assert_int_equal(dec.exp, NOW + 300);
	assert_non_null(dec.header);
	assert_non_null(dec.claims);
}

static void test_decision_identity_sanitised(void **state)
{
	(void)state;
	configure_default();
	IS("sub-weird", PJ_E_USER);
	assert_string_equal(dec.sub, "a?b?c?d");
	assert_null(strchr(dec.err.reason, '\x01'));
	IS("iss-long", PJ_E_ISSUER);
	assert_int_equal(strlen(dec.iss), sizeof(dec.iss) - 1);
	assert_string_equal(dec.iss + sizeof(dec.iss) - 4, "...");
}

static void test_garbage_refused_without_decoding(void **state)
{
	static const char *const junk[] = { "", "x", "hunter2", "a.b.c", "...", "e30.e30" };
	size_t i;

	(void)state;
	configure_default();
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		assert_int_equal(run_at(junk[i], strlen(junk[i]), "root", NOW), PJ_E_FORMAT);
		assert_null(dec.header);
		assert_null(dec.claims);
		assert_string_equal(dec.user, "");
	}
	/* "{}" . "{}" . sig: decodes, but has no alg */
	assert_int_equal(run_at("e30.e30.e30", 11, "root", NOW), PJ_E_ALG);
	assert_string_equal(dec.user, "");
}

static void test_alg_none_refused(void **state)
{
	(void)state;
	configure_default();
	IS("alg-none", PJ_E_FORMAT);
	IS("alg-none-kept-sig", PJ_E_ALG);
	IS("alg-NONE-kept-sig", PJ_E_ALG);
	IS("alg-nOnE-kept-sig", PJ_E_ALG);
	IS("alg-rs256-lower", PJ_E_ALG);
}

/* The public key file's bytes as an HMAC secret (CVE-2015-9235 class). */
static void test_hs_confusion_with_public_key_refused(void **state)
{
	(void)state;
	configure("key_file = {dir}/rsa.pub.pem", NULL);
	IS("rs256-nokid", PJ_OK); /* the key works for what it is */
	IS("hs-confusion-nokid", PJ_E_KEY);
	IS("hs-confusion-kid", PJ_E_KEY);
	configure_default();
	IS("hs-confusion-kid", PJ_E_ALG); /* kid names the RSA key */
	IS("hs-confusion-nokid", PJ_E_SIGNATURE); /* only the real secret is tried */
}

static void test_alg_outside_allow_list_refused(void **state)
{
	static const char *const args[] = { "algorithms=ES256", NULL };

	(void)state;
	configure(JWKS_AND_SECRET, args);
	IS("es256", PJ_OK);
	IS("rs256", PJ_E_ALG);
	IS("hs256", PJ_E_ALG);
	IS("eddsa", PJ_E_ALG);
}

static void test_kid_selects_one_key_only(void **state)
{
	(void)state;
	configure_default();
	IS("kid-unknown", PJ_E_KEY);
	IS("kid-traversal", PJ_E_KEY);
	IS("kid-of-ec-key", PJ_E_ALG);
	IS("es256-as-es384", PJ_E_ALG);
}

static void test_wrong_signature_refused(void **state)
{
	(void)state;
	configure_default();
	IS("corrupt-sig", PJ_E_SIGNATURE);
	IS("rs256-as-ps256", PJ_E_SIGNATURE);
	IS("other-rsa-key-nokid", PJ_E_SIGNATURE);
}

static void test_embedded_jwk_never_trusted(void **state)
{
	(void)state;
	configure_default();
	IS("jwk-injected", PJ_E_SIGNATURE);
	IS("jwk-injected-kid", PJ_E_KEY);
	IS("jku-ignored", PJ_OK);
}

static void test_crit_b64_jwe_cty_refused(void **state)
{
	(void)state;
	configure_default();
	IS("crit", PJ_E_FORMAT);
	IS("b64-false", PJ_E_FORMAT);
	IS("b64-false-nocrit", PJ_E_FORMAT);
	IS("enc", PJ_E_FORMAT);
	IS("zip", PJ_E_FORMAT);
	IS("cty-jwt", PJ_E_FORMAT);
}

static void test_duplicate_members_refused(void **state)
{
	(void)state;
	configure_default();
	IS("dup-alg-none-last", PJ_E_FORMAT);
	IS("dup-alg-es256-last", PJ_E_FORMAT);
	IS("dup-sub", PJ_E_FORMAT);
}

/* Validly signed tokens whose JSON repeats alg or sub behind a
 * single-quoted member name: json-c keeps the last value. */
static void test_duplicate_hidden_by_single_quote_refused(void **state)
{
	(void)state;
	configure_default();
	IS("squote-dup-alg", PJ_E_FORMAT);
	IS("squote-dup-sub", PJ_E_FORMAT);
	IS("squote-name", PJ_E_FORMAT);
}

static void test_time_claims_checked(void **state)
{
	(void)state;
	configure_default();
	IS("expired", PJ_E_EXPIRED);
	IS("nbf-future", PJ_E_NOT_YET);
	IS("iat-future", PJ_E_NOT_YET);
	IS("no-exp", PJ_E_CLAIM);
	IS("exp-string", PJ_E_CLAIM);
	IS("exp-true", PJ_E_CLAIM);
}

static void test_now_and_leeway_applied(void **state)
{
	static const char *const args[] = { "leeway=0", NULL };

	(void)state;
	configure_default(); /* leeway 60 */
	assert_int_equal(fx_at("es256", "root", NOW + 359), PJ_OK);
	assert_int_equal(fx_at("es256", "root", NOW + 360), PJ_E_EXPIRED);
	assert_int_equal(fx_at("es256", "root", NOW - 60), PJ_OK);
	assert_int_equal(fx_at("es256", "root", NOW - 61), PJ_E_NOT_YET);
	configure(JWKS_AND_SECRET, args);
	assert_int_equal(fx_at("es256", "root", NOW + 299), PJ_OK);
	assert_int_equal(fx_at("es256", "root", NOW + 300), PJ_E_EXPIRED);
}

static void test_issuer_and_audience_exact(void **state)
{
	static const char *const args[] = { "audience=other.test", NULL };

	(void)state;
	configure_default();
	IS("iss-slash", PJ_E_ISSUER);
	IS("iss-case", PJ_E_ISSUER);
	IS("aud-other", PJ_E_AUDIENCE);
	IS("aud-empty-array", PJ_E_AUDIENCE);
	configure(JWKS_AND_SECRET, args);
	IS("es256", PJ_E_AUDIENCE); /* a token for another host */
	IS("aud-other", PJ_OK);
	IS("aud-array", PJ_OK);
}

static void test_sub_must_be_the_pam_user(void **state)
{
	(void)state;
	configure_default();
	IS("sub-alice", PJ_E_USER);
	IS("sub-number", PJ_E_USER);
	IS("sub-nul", PJ_E_FORMAT);
	assert_int_equal(fx_at("es256", "daemon", NOW), PJ_E_USER);
	assert_int_equal(fx_at("es256", "Root", NOW), PJ_E_USER);
	assert_null(getpwnam("pjnoacct"));
	assert_int_equal(fx_at("sub-noaccount", "pjnoacct", NOW), PJ_E_NO_ACCOUNT);
	assert_int_equal(fx_at("sub-noaccount", NULL, NOW), PJ_E_NO_ACCOUNT);
	assert_int_equal(fx_at("es256", NULL, NOW), PJ_OK);
}

static void test_required_typ_enforced(void **state)
{
	static const char *const args[] = { "typ=JWT", NULL };

	(void)state;
	configure(JWKS_AND_SECRET, args);
	IS("es256", PJ_OK);
	IS("typ-at-jwt", PJ_E_CLAIM);
	IS("no-typ", PJ_E_CLAIM);
}

static void test_token_over_max_size_refused(void **state)
{
	static const char *const args[] = { "max_token_size=4095", NULL };
	static const char *const args2[] = { "max_token_size=4096", NULL };

	(void)state;
	configure(JWKS_AND_SECRET, args);
	IS("big-4096", PJ_E_TOO_LARGE);
	assert_null(dec.header);
	configure(JWKS_AND_SECRET, args2);
	IS("big-4096", PJ_OK);
}

static int ask_from_list(void *ctx, int part, char **answer)
{
	char ***next = ctx;

	(void)part;
	*answer = strdup(**next);
	(*next)++;
	return *answer == NULL;
}

/* sudo's 511-byte answers, joined by pj_token_collect, then decided. */
static void test_chunked_4k_token_validates(void **state)
{
	char *tok = fx_token("big-4096"), *parts[10], **next = parts + 1, *joined = NULL;
	size_t i, len = 0;
	int n = 0, not_token = 1;
	struct pj_err err;

	(void)state;
	configure_default();
	for (i = 0; i < 4096; i += 510, n++) {
		size_t take = 4096 - i > 510 ? 510 : 4096 - i;

		parts[n] = calloc(1, 512);
		memcpy(parts[n], tok + i, take);
		if (i + take < 4096)
			parts[n][take] = '\\';
	}
	assert_int_equal(pj_token_collect(parts[0], ask_from_list, &next, cfg.max_token_size,
	                                  &joined, &len, &not_token, &err),
	                 PJ_OK);
	assert_int_equal(not_token, 0);
	assert_int_equal(run_at(joined, len, "root", NOW), PJ_OK);
	pj_free_secret(joined, len);
	for (i = 0; i < (size_t)n; i++)
		free(parts[i]);
	free(tok);
}

static void test_weak_key_file_makes_keys_unavailable(void **state)
{
	(void)state;
	configure("key_file = {dir}/rsa1024.pub.pem", NULL);
	IS("rs256-nokid", PJ_E_UNAVAILABLE);
	configure("key_file = {dir}/rsa.pub.pem\nkey_file = {dir}/rsa1024.pub.pem", NULL);
	IS("rs256-nokid", PJ_E_UNAVAILABLE); /* one refused file fails the load */
}

static void test_unsafe_or_missing_key_file_refused(void **state)
{
	char *p = str_cat(dir, "/rsa.pub.pem"), *link = str_cat(dir, "/link.pem");

	(void)state;
	configure("key_file = {dir}/rsa.pub.pem", NULL);
	IS("rs256-nokid", PJ_OK);
	assert_int_equal(chmod(p, 0664), 0);
	IS("rs256-nokid", PJ_E_CONFIG);
	assert_int_equal(chmod(p, 0646), 0);
	IS("rs256-nokid", PJ_E_CONFIG);
	assert_int_equal(chmod(p, 0644), 0);
	IS("rs256-nokid", PJ_OK);
	assert_int_equal(symlink(p, link), 0);
	configure("key_file = {dir}/link.pem", NULL);
	IS("rs256-nokid", PJ_E_CONFIG);
	configure("key_file = {dir}/missing.pem", NULL);
	IS("rs256-nokid", PJ_E_UNAVAILABLE);
	free(p);
	free(link);
}

static void test_keys_load_counts_and_refusals(void **state)
{
	struct pj_keyset *set = calloc(1, sizeof(*set));
	struct pj_err err;
	unsigned char shortsecret[31];

	(void)state;
	configure_default();
	assert_int_equal(pj_keys_load(&cfg, set, &err), PJ_OK);
	assert_int_equal(set->n, 6);
	assert_int_equal(set->keys[5].kind, PJ_KEY_HMAC);
	pj_keyset_free(set);
	memset(shortsecret, 7, sizeof(shortsecret));
	free(tmp_write(dir, "short.bin", shortsecret, sizeof(shortsecret), 0600));
	configure("hmac_secret_file = {dir}/short.bin", NULL);
	memset(set, 0, sizeof(*set));
	assert_int_equal(pj_keys_load(&cfg, set, &err), PJ_E_UNAVAILABLE);
	assert_int_equal(set->n, 0);
	IS("hs256", PJ_E_UNAVAILABLE);
	free(tmp_write(dir, "empty.json", "{\"keys\":[]}", 11, 0600));
	configure("jwks_file = {dir}/empty.json", NULL);
	assert_int_equal(pj_keys_load(&cfg, set, &err), PJ_E_UNAVAILABLE);
	IS("es256", PJ_E_UNAVAILABLE);
	free(set);
}

/* Several auth centers: the token's iss picks the section whose keys and
 * rules apply, and only that section's. */
static void test_sections_route_token_by_issuer(void **state)
{
	(void)state;
	configure("[other]\nissuer = https://other.test\nkey_file = {dir}/rsa.pub.pem\n"
	          "[ours]\nissuer = " FX_ISS "\nkey_file = {dir}/ec256.pub.pem",
	          NULL);
	assert_int_equal(cfg.n_sections, 2);
	IS("rs256-nokid", PJ_E_KEY); /* the other section's RSA key is not used */
	IS("iss-slash", PJ_E_ISSUER);
	IS("iss-case", PJ_E_ISSUER);
	configure("[other]\nissuer = https://other.test\nkey_file = {dir}/ec256.pub.pem\n"
	          "[ours]\nissuer = " FX_ISS "\nkey_file = {dir}/rsa.pub.pem",
	          NULL);
	IS("rs256-nokid", PJ_OK);
}

/* The growing buffer behind HTTP bodies and the helper's forms. */
static void test_buf_append_grows_and_terminates(void **state)
{
	char *buf = NULL, chunk[300];
	size_t len = 0, cap = 0, i;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(pj_buf_append(&buf, &len, &cap, "ab", 2), 0);
	assert_string_equal(buf, "ab");
	for (i = 0; i < 10; i++)
		assert_int_equal(pj_buf_append(&buf, &len, &cap, chunk, sizeof(chunk)), 0);
	assert_int_equal(len, 2 + 10 * sizeof(chunk));
	assert_true(cap > len);
	assert_int_equal(buf[len], '\0');
	assert_int_equal(strlen(buf), len);
	assert_memory_equal(buf, "abxxx", 5);
	assert_int_equal(pj_buf_append(&buf, &len, &cap, "", 0), 0);
	assert_int_equal(len, 2 + 10 * sizeof(chunk));
	pj_free_secret(buf, cap);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_every_alg_accepted_end_to_end),
		cmocka_unit_test(test_buf_append_grows_and_terminates),
		T(test_decision_carries_identity),
		T(test_decision_identity_sanitised),
		T(test_garbage_refused_without_decoding),
		T(test_alg_none_refused),
		T(test_hs_confusion_with_public_key_refused),
		T(test_alg_outside_allow_list_refused),
		T(test_kid_selects_one_key_only),
		T(test_wrong_signature_refused),
		T(test_embedded_jwk_never_trusted),
		T(test_crit_b64_jwe_cty_refused),
		T(test_duplicate_members_refused),
		T(test_duplicate_hidden_by_single_quote_refused),
		T(test_time_claims_checked),
		T(test_now_and_leeway_applied),
		T(test_issuer_and_audience_exact),
		T(test_sub_must_be_the_pam_user),
		T(test_required_typ_enforced),
		T(test_token_over_max_size_refused),
		T(test_chunked_4k_token_validates),
		T(test_weak_key_file_makes_keys_unavailable),
		T(test_unsafe_or_missing_key_file_refused),
		T(test_keys_load_counts_and_refusals),
		T(test_sections_route_token_by_issuer),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
