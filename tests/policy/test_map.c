/* Mapping file rules (pj_map_eval, and pj_account_map_rule with a map
 * file on disk): "COND ... -> RESULT" lines, first match wins, conditions
 * NAME=VALUE, NAME~GLOB, pam_service=NAME and *, results ACCOUNT,
 * claim:NAME and deny.  A malformed file is an error wherever the bad
 * line is, so a typo can never let a token through.  Tests named after
 * an attack pin security behaviour. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptest.h"

#include "account.h"
#include "options.h"
#include "policy.h"

struct map_out {
	enum pj_status st;
	enum pj_map_result res;
	char account[PJ_USER_MAX + 1];
	unsigned line;
	struct pj_err err;
};

/* Run `text` against the claims (JSON text, or NULL for none) and the
 * PAM service (may be NULL). */
static struct map_out run(const char *text, const char *claims_json, const char *service)
{
	struct map_out o;
	struct json_object *claims = claims_json ? claims_of(claims_json) : NULL;

	memset(&o, 0, sizeof(o));
	pj_err_clear(&o.err);
	o.res = (enum pj_map_result)99;
	o.line = 999;
	o.st = pj_map_eval(text, strlen(text), "test.map", claims, service, &o.res, o.account,
			   sizeof(o.account), &o.line, &o.err);
	json_object_put(claims);
	return o;
}

static void want_account(const struct map_out *o, const char *account, unsigned line)
{
	assert_status(o->st, PJ_OK, &o->err);
	if (o->res != PJ_MAP_ACCOUNT)
		fail_msg("result %d, want an account (%s)", (int)o->res, account);
	assert_string_equal(o->account, account);
	assert_int_equal(o->line, line);
}

/* The account named by a claim (claim:NAME): a result apart, which the
 * claim guard of account.c checks. */
static void want_claim(const struct map_out *o, const char *account, unsigned line)
{
	assert_status(o->st, PJ_OK, &o->err);
	if (o->res != PJ_MAP_CLAIM)
		fail_msg("result %d, want an account from a claim (%s)", (int)o->res, account);
	assert_string_equal(o->account, account);
	assert_int_equal(o->line, line);
}

static void want_deny(const struct map_out *o, unsigned line)
{
	assert_status(o->st, PJ_OK, &o->err);
	assert_int_equal(o->res, PJ_MAP_DENY);
	assert_int_equal(o->line, line);
}

static void want_none(const struct map_out *o)
{
	assert_status(o->st, PJ_OK, &o->err);
	assert_int_equal(o->res, PJ_MAP_NONE);
	assert_int_equal(o->line, 0);
}

/* A malformed file: PJ_E_CONFIG naming "test.map:LINE:". */
static void want_malformed(const struct map_out *o, unsigned line)
{
	char where[32];

	assert_status(o->st, PJ_E_CONFIG, &o->err);
	snprintf(where, sizeof(where), "test.map:%u:", line);
	assert_reason_has(&o->err, where);
}

#define ALICE "{\"iss\":\"https://idp.example\",\"sub\":\"alice\",\"groups\":[\"devs\",\"admins\"]}"

/* ---- results ----------------------------------------------------------- */

static void fixed_account(void **state)
{
	struct map_out o = run("sub=alice -> alice\n", ALICE, NULL);

	(void)state;
	want_account(&o, "alice", 1);
}

static void deny_result(void **state)
{
	struct map_out o = run("sub=alice -> deny\n", ALICE, NULL);

	(void)state;
	want_deny(&o, 1);
}

static void claim_result(void **state)
{
	struct map_out o = run("iss=https://idp.example -> claim:preferred_username\n",
			       "{\"iss\":\"https://idp.example\",\"preferred_username\":\"carol\"}",
			       NULL);

	(void)state;
	want_claim(&o, "carol", 1);
}

/* claim:NAME whose claim is missing, not a string, or too long for an
 * account name matches but names no account: a denial, never a fall
 * through to a later, more generous rule. */
static void claim_result_unusable_is_deny(void **state)
{
	const char *text = "sub~* -> claim:login\n* -> root\n";
	char big[400], json[600];
	struct map_out o;

	(void)state;
	o = run(text, "{\"sub\":\"x\"}", NULL);
	want_deny(&o, 1);
	o = run(text, "{\"sub\":\"x\",\"login\":42}", NULL);
	want_deny(&o, 1);
	o = run(text, "{\"sub\":\"x\",\"login\":[\"alice\"]}", NULL);
	want_deny(&o, 1);
	o = run(text, "{\"sub\":\"x\",\"login\":null}", NULL);
	want_deny(&o, 1);
	memset(big, 'a', 300);
	big[300] = '\0';
	snprintf(json, sizeof(json), "{\"sub\":\"x\",\"login\":\"%s\"}", big);
	o = run(text, json, NULL);
	want_deny(&o, 1);
}

static void no_rule_matches(void **state)
{
	struct map_out o = run("sub=bob -> bob\ngroups=ops -> ops\n", ALICE, NULL);

	(void)state;
	want_none(&o);
}

static void empty_file_matches_nothing(void **state)
{
	struct map_out o;

	(void)state;
	o = run("", ALICE, NULL);
	want_none(&o);
	o = run("# only comments\n\n   \n\t# indented comment\n", ALICE, NULL);
	want_none(&o);
}

/* ---- order: the first matching rule wins --------------------------------- */

static void first_match_wins(void **state)
{
	struct map_out o = run("sub=alice -> alice\ngroups=admins -> root\n* -> nobody\n", ALICE,
			       NULL);

	(void)state;
	want_account(&o, "alice", 1);
}

static void deny_before_allow(void **state)
{
	struct map_out o;

	(void)state;
	o = run("groups=admins -> deny\nsub=alice -> alice\n", ALICE, NULL);
	want_deny(&o, 1);
	o = run("sub=alice -> alice\ngroups=admins -> deny\n", ALICE, NULL);
	want_account(&o, "alice", 1);
}

static void later_rule_when_earlier_fails(void **state)
{
	struct map_out o = run("# header\n\nsub=bob -> bob\n  groups=ops -> ops\n"
			       "groups=admins -> admin\n",
			       ALICE, NULL);

	(void)state;
	want_account(&o, "admin", 5);
}

/* Every condition of a rule must hold (AND). */
static void all_conditions_must_hold(void **state)
{
	struct map_out o;

	(void)state;
	o = run("sub=alice groups=ops -> alice\n", ALICE, NULL);
	want_none(&o);
	o = run("sub=alice groups=admins iss=https://idp.example -> alice\n", ALICE, NULL);
	want_account(&o, "alice", 1);
	o = run("sub=alice   \t groups=admins -> alice\n", ALICE, NULL);
	want_account(&o, "alice", 1);
}

static void star_matches_any_token(void **state)
{
	struct map_out o = run("* -> guest\n", "{\"sub\":\"whoever\"}", NULL);

	(void)state;
	want_account(&o, "guest", 1);
	o = run("* pam_service=sshd -> guest\n", "{}", "sshd");
	want_account(&o, "guest", 1);
}

/* ---- conditions -------------------------------------------------------- */

static void exact_values_are_case_and_byte_exact(void **state)
{
	struct map_out o;

	(void)state;
	o = run("sub=Alice -> alice\n", ALICE, NULL);
	want_none(&o);
	o = run("sub=alic -> alice\n", ALICE, NULL);
	want_none(&o);
	o = run("sub=alice2 -> alice\n", ALICE, NULL);
	want_none(&o);
	o = run("groups=admin -> root\n", ALICE, NULL);
	want_none(&o);
}

static void alternatives(void **state)
{
	struct map_out o;

	(void)state;
	o = run("sub=bob|alice|carol -> user\n", ALICE, NULL);
	want_account(&o, "user", 1);
	o = run("groups=ops|sre -> user\n", ALICE, NULL);
	want_none(&o);
	o = run("groups=ops|admins -> user\n", ALICE, NULL);
	want_account(&o, "user", 1);
}

static void globs(void **state)
{
	const char *robot = "{\"sub\":\"robot-7\",\"email\":\"ci@build.example.com\"}";
	struct map_out o;

	(void)state;
	o = run("sub~robot-* -> deploy\n", robot, NULL);
	want_account(&o, "deploy", 1);
	o = run("sub~robot-? -> deploy\n", robot, NULL);
	want_account(&o, "deploy", 1);
	o = run("sub~robot-[0-5] -> deploy\n", robot, NULL);
	want_none(&o);
	o = run("sub~robot-[0-9] -> deploy\n", robot, NULL);
	want_account(&o, "deploy", 1);
	o = run("email~*@build.example.com -> deploy\n", robot, NULL);
	want_account(&o, "deploy", 1);
	o = run("email~*@example.com -> deploy\n", robot, NULL);
	want_none(&o);
	o = run("sub~bot-* -> deploy\n", robot, NULL);
	want_none(&o); /* a glob matches the whole value, not a part */
	o = run("sub~other-*|robot-* -> deploy\n", robot, NULL);
	want_account(&o, "deploy", 1);
	o = run("groups~adm* -> admin\n", ALICE, NULL);
	want_account(&o, "admin", 1);
}

/* Attack: "=" never globs, so a literal pattern in the file cannot be
 * satisfied by a token whose value merely fits the pattern. */
static void attack_equals_is_not_a_glob(void **state)
{
	struct map_out o;

	(void)state;
	o = run("sub=robot-* -> deploy\n", "{\"sub\":\"robot-7\"}", NULL);
	want_none(&o);
	o = run("sub=robot-* -> deploy\n", "{\"sub\":\"robot-*\"}", NULL);
	want_account(&o, "deploy", 1);
}

/* Attack: glob characters in the token's value are data, not pattern. */
static void attack_glob_chars_in_claim(void **state)
{
	struct map_out o = run("sub~alice -> alice\n", "{\"sub\":\"*\"}", NULL);

	(void)state;
	want_none(&o);
}

static void array_membership(void **state)
{
	struct map_out o;

	(void)state;
	o = run("groups=admins -> root\n", "{\"groups\":[\"devs\",\"admins\"]}", NULL);
	want_account(&o, "root", 1);
	o = run("groups=admins -> root\n", "{\"groups\":\"admins\"}", NULL);
	want_account(&o, "root", 1);
	o = run("groups=admins -> root\n", "{\"groups\":[]}", NULL);
	want_none(&o);
	/* only string members count */
	o = run("groups=1 -> root\n", "{\"groups\":[1,true,null,{\"a\":\"1\"},[\"1\"]]}", NULL);
	want_none(&o);
	/* a string that merely contains the value is not membership */
	o = run("groups=admins -> root\n", "{\"groups\":\"devs admins\"}", NULL);
	want_none(&o);
}

static void non_string_claims_never_match(void **state)
{
	struct map_out o;

	(void)state;
	o = run("email_verified=true -> alice\n", "{\"email_verified\":true}", NULL);
	want_none(&o);
	o = run("uid=1000 -> alice\n", "{\"uid\":1000}", NULL);
	want_none(&o);
	o = run("x=null -> alice\n", "{\"x\":null}", NULL);
	want_none(&o);
	o = run("missing=x -> alice\n", "{}", NULL);
	want_none(&o);
	o = run("missing~* -> alice\n", "{}", NULL);
	want_none(&o);
}

/* Claims are looked up by their exact top-level name: no nested paths. */
static void nested_claims_are_not_paths(void **state)
{
	struct map_out o = run("kubernetes.io.namespace=ops -> backup\n",
			       "{\"kubernetes.io\":{\"namespace\":\"ops\"}}", NULL);

	(void)state;
	want_none(&o);
	o = run("kubernetes.io.namespace=ops -> backup\n",
		"{\"kubernetes.io.namespace\":\"ops\"}", NULL);
	want_account(&o, "backup", 1);
}

static void pam_service_condition(void **state)
{
	const char *text = "groups=admins pam_service=sudo -> root\nsub=alice -> alice\n";
	struct map_out o;

	(void)state;
	o = run(text, ALICE, "sudo");
	want_account(&o, "root", 1);
	o = run(text, ALICE, "sshd");
	want_account(&o, "alice", 2);
	o = run(text, ALICE, NULL);
	want_account(&o, "alice", 2);
	o = run("pam_service=sudo|su -> root\n", ALICE, "su");
	want_account(&o, "root", 1);
	o = run("pam_service~gdm-* -> alice\n", ALICE, "gdm-password");
	want_account(&o, "alice", 1);
	o = run("pam_service=sudo -> root\n", ALICE, "sudo-i");
	want_none(&o);
}

/* Attack: a claim named pam_service cannot stand in for the PAM service. */
static void attack_pam_service_claim(void **state)
{
	struct map_out o = run("pam_service=sudo -> root\n",
			       "{\"sub\":\"alice\",\"pam_service\":\"sudo\"}", "sshd");

	(void)state;
	want_none(&o);
	o = run("pam_service=sudo -> root\n", "{\"pam_service\":\"sudo\"}", NULL);
	want_none(&o);
}

static void iss_sub_aud_azp_client_id(void **state)
{
	const char *tok = "{\"iss\":\"https://login.example.com/tenant/v2.0\","
			  "\"sub\":\"AAAAbbbb\",\"aud\":[\"ssh://h1\",\"sudo://h1\"],"
			  "\"azp\":\"cli-app\",\"client_id\":\"robot-deploy\"}";
	struct map_out o;

	(void)state;
	o = run("iss=https://login.example.com/tenant/v2.0 sub=AAAAbbbb -> alice\n", tok, NULL);
	want_account(&o, "alice", 1);
	o = run("iss=https://login.example.com/tenant -> alice\n", tok, NULL);
	want_none(&o);
	o = run("aud=sudo://h1 -> root\n", tok, NULL);
	want_account(&o, "root", 1);
	o = run("aud=sudo://h2 -> root\n", tok, NULL);
	want_none(&o);
	o = run("azp=cli-app -> alice\n", tok, NULL);
	want_account(&o, "alice", 1);
	o = run("client_id=robot-deploy -> deploy\n", tok, NULL);
	want_account(&o, "deploy", 1);
	o = run("client_id=robot-other -> deploy\n", tok, NULL);
	want_none(&o);
}

static void kubernetes_service_account(void **state)
{
	const char *sa = "{\"iss\":\"https://kubernetes.default.svc.cluster.local\","
			 "\"sub\":\"system:serviceaccount:ops:backup\","
			 "\"aud\":[\"ssh://db1.example.com\"],"
			 "\"kubernetes.io\":{\"namespace\":\"ops\",\"serviceaccount\":"
			 "{\"name\":\"backup\",\"uid\":\"0b7c\"}}}";
	const char *text = "iss=https://kubernetes.default.svc.cluster.local "
			   "sub=system:serviceaccount:ops:backup -> backup\n"
			   "sub~system:serviceaccount:ops:* -> deny\n"
			   "sub~system:serviceaccount:* -> k8s-robots\n";
	struct map_out o;

	(void)state;
	o = run(text, sa, NULL);
	want_account(&o, "backup", 1);
	o = run(text, "{\"sub\":\"system:serviceaccount:ops:other\"}", NULL);
	want_deny(&o, 2);
	o = run(text, "{\"sub\":\"system:serviceaccount:web:frontend\"}", NULL);
	want_account(&o, "k8s-robots", 3);
	/* the namespace is part of the exact match */
	o = run(text, "{\"iss\":\"https://kubernetes.default.svc.cluster.local\","
		      "\"sub\":\"system:serviceaccount:opsx:backup\"}", NULL);
	want_account(&o, "k8s-robots", 3);
}

static void github_actions_subject(void **state)
{
	const char *gh = "{\"iss\":\"https://token.actions.githubusercontent.com\","
			 "\"sub\":\"repo:example-org/webapp:environment:production\","
			 "\"repository\":\"example-org/webapp\",\"repository_owner_id\":\"2020\","
			 "\"ref\":\"refs/heads/main\",\"environment\":\"production\"}";
	struct map_out o;

	(void)state;
	o = run("iss=https://token.actions.githubusercontent.com "
		"sub=repo:example-org/webapp:environment:production repository_owner_id=2020 "
		"-> deploy\n",
		gh, NULL);
	want_account(&o, "deploy", 1);
	o = run("sub=repo:example-org/webapp:environment:staging -> deploy\n", gh, NULL);
	want_none(&o);
	o = run("sub~repo:example-org/*:environment:production -> deploy\n", gh, NULL);
	want_account(&o, "deploy", 1);
}

static void values_may_hold_equals_and_tilde(void **state)
{
	struct map_out o;

	(void)state;
	o = run("x=a=b -> alice\n", "{\"x\":\"a=b\"}", NULL);
	want_account(&o, "alice", 1);
	o = run("x=a~b -> alice\n", "{\"x\":\"a~b\"}", NULL);
	want_account(&o, "alice", 1);
	/* the last "->" on the line is the arrow */
	o = run("x=a->b -> alice\n", "{\"x\":\"a->b\"}", NULL);
	want_account(&o, "alice", 1);
}

/* ---- layout: comments, blank lines, CRLF, line numbers ------------------ */

static void layout_and_line_numbers(void **state)
{
	struct map_out o;

	(void)state;
	o = run("# mapping\r\n\r\n\t  \r\nsub=bob -> bob\r\n  sub=alice   ->   alice  \r\n", ALICE,
		NULL);
	want_account(&o, "alice", 5);
	o = run("sub=alice->alice", ALICE, NULL); /* no final newline, no spaces */
	want_account(&o, "alice", 1);
	o = run("\n\n\n\n\n\n\n\n\nsub=alice -> alice\n", ALICE, NULL);
	want_account(&o, "alice", 10);
}

/* ---- malformed files ----------------------------------------------------- */

static void malformed_lines(void **state)
{
	static const struct {
		const char *line;
		const char *why;
	} bad[] = {
		{ "sub=alice alice", "CONDITIONS -> RESULT" },
		{ "sub=alice ->", "one word" },
		{ "sub=alice -> alice bob", "one word" },
		{ "-> alice", "at least one condition" },
		{ "  -> alice", "at least one condition" },
		{ "sub -> alice", "NAME=VALUE" },
		{ "=alice -> alice", "NAME=VALUE" },
		{ "sub= -> alice", "NAME=VALUE" },
		{ "sub~ -> alice", "NAME=VALUE" },
		{ "su b=alice -> alice", "NAME=VALUE" },
		{ "sub!=alice -> alice", "NAME=VALUE" },
		{ "** -> alice", "NAME=VALUE" },
		{ "sub=a -> b -> c", "NAME=VALUE" },
		{ "sub=alice -> -alice", "not a valid account" },
		{ "sub=alice -> a/b", "not a valid account" },
		{ "sub=alice -> a:b", "not a valid account" },
		{ "sub=alice -> a,b", "not a valid account" },
		{ "sub=alice -> ..", "not a valid account" },
		{ "sub=alice -> claim:", "not a valid account" },
		{ "sub=alice -> \xc3\xa5lice", "not a valid account" },
	};
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct map_out o;

		snprintf(text, sizeof(text), "# rules\nsub=bob -> bob\n%s\n", bad[i].line);
		o = run(text, ALICE, NULL);
		if (o.st != PJ_E_CONFIG)
			fail_msg("line \"%s\" was accepted (status %s)", bad[i].line,
				 pj_status_name(o.st));
		want_malformed(&o, 3);
		assert_reason_has(&o.err, bad[i].why);
	}
}


/* Append to buf[sz] at *n (test text building; the test fails on
 * overflow). */
static void put(char *buf, size_t sz, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + l >= sz)
		fail_msg("test bug: buffer too small");
	memcpy(buf + *n, s, l + 1);
	*n += l;
}

static void condition_count_limit(void **state)
{
	char text[512];
	size_t n = 0;
	int i;
	struct map_out o;

	(void)state;
	for (i = 0; i < 15; i++)
		put(text, sizeof(text), &n, "* ");
	put(text, sizeof(text), &n, "sub=alice -> alice\n");
	o = run(text, ALICE, NULL); /* 16 conditions: the limit */
	want_account(&o, "alice", 1);
	n = 0;
	for (i = 0; i < 16; i++)
		put(text, sizeof(text), &n, "* ");
	put(text, sizeof(text), &n, "sub=alice -> alice\n");
	o = run(text, ALICE, NULL);
	want_malformed(&o, 1);
	assert_reason_has(&o.err, "too many conditions");
}

static void value_length_limit(void **state)
{
	char text[1200], json[1200], v[600];
	struct map_out o;

	(void)state;
	memset(v, 'v', 512);
	v[512] = '\0';
	snprintf(text, sizeof(text), "x=%s -> alice\n", v);
	snprintf(json, sizeof(json), "{\"x\":\"%s\"}", v);
	o = run(text, json, NULL);
	want_account(&o, "alice", 1);
	snprintf(text, sizeof(text), "x~%s -> alice\n", v);
	o = run(text, json, NULL);
	want_account(&o, "alice", 1);
	v[512] = 'v';
	v[513] = '\0';
	snprintf(text, sizeof(text), "x=%s -> alice\n", v);
	o = run(text, json, NULL);
	want_malformed(&o, 1);
}

static void claim_result_name_limit(void **state)
{
	char text[400], name[200];
	struct map_out o;

	(void)state;
	memset(name, 'n', 127);
	name[127] = '\0';
	snprintf(text, sizeof(text), "* -> claim:%s\n", name);
	o = run(text, "{}", NULL);
	want_deny(&o, 1); /* well-formed; the claim is absent */
	name[127] = 'n';
	name[128] = '\0';
	snprintf(text, sizeof(text), "* -> claim:%s\n", name);
	o = run(text, "{}", NULL);
	want_malformed(&o, 1);
}

static void nul_byte_is_malformed(void **state)
{
	static const char text[] = "sub=alice -> alice\n# x\0y\n";
	struct json_object *claims = claims_of(ALICE);
	enum pj_map_result res = PJ_MAP_NONE;
	char acc[PJ_USER_MAX + 1];
	unsigned line = 0;
	struct pj_err err;

	(void)state;
	pj_err_clear(&err);
	assert_status(pj_map_eval(text, sizeof(text) - 1, "test.map", claims, NULL, &res, acc,
				  sizeof(acc), &line, &err),
		      PJ_E_CONFIG, &err);
	assert_reason_has(&err, "NUL");
	json_object_put(claims);
}

/* Attack: a typo after the rule that matches must not be skipped, or a
 * broken file would keep letting tokens in. */
static void attack_malformed_after_match_fails_closed(void **state)
{
	struct map_out o;

	(void)state;
	o = run("sub=alice -> alice\n* -> nobody\n\n# typo below\ngroups=admins root\n", ALICE,
		NULL);
	want_malformed(&o, 5);
	o = run("* -> deny\nsub=alice -> a/b\n", ALICE, NULL);
	want_malformed(&o, 2);
	o = run("sub=bogus line\nsub=alice -> alice\n", ALICE, NULL);
	want_malformed(&o, 1);
}

/* No claims (pam-jwt check): the whole file is checked, nothing matches. */
static void syntax_check_without_claims(void **state)
{
	struct map_out o;

	(void)state;
	o = run("* -> alice\nsub=x -> claim:login\ngroups=a -> deny\n", NULL, "sudo");
	want_none(&o);
	o = run("* -> alice\n\nsub=x claim:login\n", NULL, NULL);
	want_malformed(&o, 3);
}

static void account_buffer_too_small(void **state)
{
	struct json_object *claims = claims_of(ALICE);
	enum pj_map_result res = PJ_MAP_NONE;
	char acc[4];
	unsigned line = 0;
	struct pj_err err;
	static const char text[] = "sub=alice -> alice\n";

	(void)state;
	pj_err_clear(&err);
	assert_int_not_equal(pj_map_eval(text, sizeof(text) - 1, "test.map", claims, NULL, &res,
					 acc, sizeof(acc), &line, &err),
			     PJ_OK);
	json_object_put(claims);
}

/* Attack: an empty alternative ("admins|" or "a||b") is a typo that would
 * let a token with an empty value match.  It must be refused as
 * malformed, or at least never match. */
static void attack_empty_alternative(void **state)
{
	struct map_out o;

	(void)state;
	o = run("sub=admin| -> root\n", "{\"sub\":\"\"}", NULL);
	if (o.st == PJ_OK && o.res == PJ_MAP_ACCOUNT)
		fail_msg("\"sub=admin|\" maps a token with an empty sub to root");
	o = run("groups=a||b -> root\n", "{\"groups\":[\"\"]}", NULL);
	if (o.st == PJ_OK && o.res == PJ_MAP_ACCOUNT)
		fail_msg("\"groups=a||b\" maps a token with an empty group to root");
}

/* ---- through pj_account_map_rule, with the file on disk ------------------ */

struct tmpmap {
	char dir[64];
	char path[128];
};

static void write_map(struct tmpmap *t, const char *text, mode_t mode)
{
	int fd;
	size_t len = strlen(text);

	snprintf(t->dir, sizeof(t->dir), "/tmp/pj-policy-map.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		fail_msg("mkdtemp failed");
	snprintf(t->path, sizeof(t->path), "%s/accounts.map", t->dir);
	fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void remove_map(struct tmpmap *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

struct acct_out {
	enum pj_status st;
	char user[PJ_USER_MAX + 1];
	char rule[160];
	struct pj_err err;
};

static struct acct_out map_account(const char *map_text, mode_t mode, const char *claims_json,
				   const char *service, const char *pam_user)
{
	struct tmpmap t;
	struct pj_config cfg;
	struct acct_out o;
	struct json_object *claims = claims_of(claims_json);

	memset(&o, 0, sizeof(o));
	pj_err_clear(&o.err);
	write_map(&t, map_text, mode);
	assert_int_equal(pj_config_init(&cfg, &o.err), PJ_OK);
	{
		char arg[200];

		snprintf(arg, sizeof(arg), "map_file=%s", t.path);
		assert_int_equal(pj_opt_arg(&cfg, arg, &o.err), PJ_OK);
	}
	cfg.service = service;
	o.st = pj_account_map_rule(claims, &cfg, pam_user, o.user, o.rule, sizeof(o.rule),
				   &o.err);
	pj_config_free(&cfg);
	json_object_put(claims);
	remove_map(&t);
	return o;
}

static void file_rule_reported(void **state)
{
	struct acct_out o;
	char *want;

	(void)state;
	o = map_account("# accounts\nsub=bob -> bob\ngroups=admins pam_service=sudo -> root\n",
			0600, ALICE, "sudo", "root");
	assert_status(o.st, PJ_OK, &o.err);
	assert_string_equal(o.user, "root");
	want = strstr(o.rule, "accounts.map:3");
	assert_non_null(want);
	assert_string_equal(want, "accounts.map:3");
}

static void file_no_match_is_user_unknown(void **state)
{
	struct acct_out o = map_account("sub=bob -> bob\n", 0600, ALICE, "sshd", "alice");

	(void)state;
	assert_status(o.st, PJ_E_NO_ACCOUNT, &o.err);
	assert_string_equal(o.rule, "none");
}

static void file_deny(void **state)
{
	struct acct_out o = map_account("groups=admins -> deny\n* -> root\n", 0600, ALICE, "sshd",
					"root");

	(void)state;
	assert_status(o.st, PJ_E_USER, &o.err);
	assert_reason_has(&o.err, "denied by mapping rule");
	assert_reason_has(&o.err, "accounts.map:1");
}

/* Attack: the mapped account must be the PAM user; a rule never switches
 * the user being logged in. */
static void attack_map_never_switches_user(void **state)
{
	struct acct_out o = map_account("groups=admins -> root\n", 0600, ALICE, "sshd", "daemon");

	(void)state;
	assert_status(o.st, PJ_E_USER, &o.err);
	assert_reason_has(&o.err, "not the login user");
}

/* Attack: a realm user who registers the name "root" or "daemon": the
 * account a claim:NAME rule names is never root or a system account,
 * while a rule that names the account literally may. */
static void attack_claim_result_names_root(void **state)
{
	const char *map = "sub=robot -> daemon\nsub=admin -> root\n* -> claim:login\n";
	struct acct_out o;

	(void)state;
	o = map_account(map, 0600, "{\"sub\":\"x\",\"login\":\"root\"}", "sshd", "root");
	assert_status(o.st, PJ_E_USER, &o.err);
	assert_reason_has(&o.err, "UID 0");
	o = map_account(map, 0600, "{\"sub\":\"x\",\"login\":\"daemon\"}", "sshd", "daemon");
	assert_status(o.st, PJ_E_USER, &o.err);
	assert_reason_has(&o.err, "below min_uid");
	o = map_account(map, 0600, "{\"sub\":\"admin\",\"login\":\"alice\"}", "sshd", "root");
	assert_status(o.st, PJ_OK, &o.err);
	assert_string_equal(o.user, "root");
	o = map_account(map, 0600, "{\"sub\":\"robot\",\"login\":\"alice\"}", "sshd", "daemon");
	assert_status(o.st, PJ_OK, &o.err);
	assert_string_equal(o.user, "daemon");
}

/* Attack: claim:NAME copies a token value; a value that is no valid user
 * name ("-rf", "../x", "a:b") is refused, not handed to getpwnam. */
static void attack_claim_result_bad_name(void **state)
{
	static const char *const bad[] = { "-rf", "../etc", "a:b", "a b", "..", "a,b" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char json[128];
		struct acct_out o;

		snprintf(json, sizeof(json), "{\"login\":\"%s\"}", bad[i]);
		o = map_account("* -> claim:login\n", 0600, json, "sshd", NULL);
		if (o.st != PJ_E_USER)
			fail_msg("claim:login \"%s\": status %s, want user", bad[i],
				 pj_status_name(o.st));
		assert_reason_has(&o.err, "invalid user name");
	}
}

static void file_account_must_exist(void **state)
{
	struct acct_out o = map_account("* -> pj-no-such-user-xq\n", 0600, ALICE, "sshd", NULL);

	(void)state;
	assert_status(o.st, PJ_E_NO_ACCOUNT, &o.err);
	assert_reason_has(&o.err, "pj-no-such-user-xq");
}

/* Attack: a mapping file others can write decides nothing. */
static void attack_writable_map_file(void **state)
{
	struct acct_out o;

	(void)state;
	o = map_account("* -> root\n", 0666, ALICE, "sshd", "root");
	assert_status(o.st, PJ_E_CONFIG, &o.err);
	o = map_account("* -> root\n", 0620, ALICE, "sshd", "root");
	assert_status(o.st, PJ_E_CONFIG, &o.err);
}

static void file_malformed_named_with_line(void **state)
{
	struct acct_out o = map_account("* -> root\n\n# ok so far\nsub=x => root\n", 0600, ALICE,
					"sshd", "root");

	(void)state;
	assert_status(o.st, PJ_E_CONFIG, &o.err);
	assert_reason_has(&o.err, "accounts.map:4:");
}

static void file_missing(void **state)
{
	struct pj_config cfg;
	struct pj_err err;
	struct json_object *claims = claims_of(ALICE);
	char user[PJ_USER_MAX + 1];

	(void)state;
	pj_err_clear(&err);
	assert_int_equal(pj_config_init(&cfg, &err), PJ_OK);
	assert_int_equal(pj_opt_arg(&cfg, "map_file=/nonexistent/pj-policy.map", &err), PJ_OK);
	assert_status(pj_account_map(claims, &cfg, "root", user, &err), PJ_E_CONFIG, &err);
	pj_config_free(&cfg);
	json_object_put(claims);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_account),
		cmocka_unit_test(deny_result),
		cmocka_unit_test(claim_result),
		cmocka_unit_test(claim_result_unusable_is_deny),
		cmocka_unit_test(no_rule_matches),
		cmocka_unit_test(empty_file_matches_nothing),
		cmocka_unit_test(first_match_wins),
		cmocka_unit_test(deny_before_allow),
		cmocka_unit_test(later_rule_when_earlier_fails),
		cmocka_unit_test(all_conditions_must_hold),
		cmocka_unit_test(star_matches_any_token),
		cmocka_unit_test(exact_values_are_case_and_byte_exact),
		cmocka_unit_test(alternatives),
		cmocka_unit_test(globs),
		cmocka_unit_test(attack_equals_is_not_a_glob),
		cmocka_unit_test(attack_glob_chars_in_claim),
		cmocka_unit_test(array_membership),
		cmocka_unit_test(non_string_claims_never_match),
		cmocka_unit_test(nested_claims_are_not_paths),
		cmocka_unit_test(pam_service_condition),
		cmocka_unit_test(attack_pam_service_claim),
		cmocka_unit_test(iss_sub_aud_azp_client_id),
		cmocka_unit_test(kubernetes_service_account),
		cmocka_unit_test(github_actions_subject),
		cmocka_unit_test(values_may_hold_equals_and_tilde),
		cmocka_unit_test(layout_and_line_numbers),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(condition_count_limit),
		cmocka_unit_test(value_length_limit),
		cmocka_unit_test(claim_result_name_limit),
		cmocka_unit_test(nul_byte_is_malformed),
		cmocka_unit_test(attack_malformed_after_match_fails_closed),
		cmocka_unit_test(syntax_check_without_claims),
		cmocka_unit_test(account_buffer_too_small),
		cmocka_unit_test(attack_empty_alternative),
		cmocka_unit_test(file_rule_reported),
		cmocka_unit_test(file_no_match_is_user_unknown),
		cmocka_unit_test(file_deny),
		cmocka_unit_test(attack_map_never_switches_user),
		cmocka_unit_test(attack_claim_result_bad_name),
		cmocka_unit_test(attack_claim_result_names_root),
		cmocka_unit_test(file_account_must_exist),
		cmocka_unit_test(attack_writable_map_file),
		cmocka_unit_test(file_malformed_named_with_line),
		cmocka_unit_test(file_missing),
	};

	return cmocka_run_group_tests_name("policy: mapping file", tests, NULL, NULL);
}
