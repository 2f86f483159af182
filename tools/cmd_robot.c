/* pam-jwt robot --client-id ID --client-secret-file F [--audience A] [--scope S]
 *               [--issuer URL] [--ca-file F] [--json]
 * pam-jwt robot --token-file F | --token-env VAR [--audience A] [--min-valid S]
 *
 * Tokens for robots and CI.  The first form is the client credentials
 * grant (RFC 6749 section 4.4) with resource=A (RFC 8707); the secret is
 * read from a file (or --client-secret-env VAR), never from the command
 * line, and goes only into the POST body; the token it gets is printed
 * only when pjc_check_handout accepts it.  The second form passes on a
 * token some platform already made (a GitHub Actions OIDC token, a
 * Kubernetes projected service account token) after checking that it is a
 * JWT, not expired and, with --audience, meant for A.  Nothing is cached. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "client.h"
#include "pj_json.h"
#include "jws.h"
#include "safefile.h"

#define SECRET_MAX 4096
#define TOKEN_FILE_MAX (64 * 1024)

static void usage(FILE *f)
{
	fputs("usage: pam-jwt robot --client-id ID (--client-secret-file F | --client-secret-env "
	      "VAR)\n"
	      "                     [--audience A] [--scope S] [--issuer URL] [--ca-file F] "
	      "[--json]\n"
	      "                     [--allow-multi-audience]\n"
	      "       pam-jwt robot (--token-file F | --token-env VAR) [--audience A] [--min-valid "
	      "S]\n"
	      "\n"
	      "  Print a token for a robot: from the client credentials grant (the secret read\n"
	      "  from a file or an environment variable, never from the command line), or one\n"
	      "  that the platform made (GitHub Actions OIDC, Kubernetes service account),\n"
	      "  checked to be an unexpired JWT (for audience A when given).  A client\n"
	      "  credentials token must have an exp and an aud of exactly A (with\n"
	      "  --allow-multi-audience: an aud array holding A among others).\n"
	      "\n"
	      "  Exit status: 0 printed, 1 refused or the token is unusable, 2 usage or\n"
	      "  configuration error, 5 auth center unreachable.\n",
	      f);
}

struct robot_opts {
	const char *secret_file, *secret_env, *token_file, *token_env, *audience, *scope;
	long min_valid;
	int json;
};

static char *trim_dup(const char *s, size_t n)
{
	char *out;

	while (n > 0 &&
	       (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		n--;
	}
	out = malloc(n + 1);
	if (out != NULL) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

/* A token file may be a symlink (Kubernetes projects them so). */
static int read_token_file(const char *path, char **out, struct pjc_err *e)
{
	char *buf = malloc(TOKEN_FILE_MAX + 1);
	struct stat st;
	size_t n = 0;
	int fd;

	if (buf == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		free(buf);
		return pjc_fail(e, PJC_EXIT_FAIL, "cannot read the token file %s: %s", path,
		                fd >= 0 ? "not a regular file" : strerror(err));
	}
	while (n < TOKEN_FILE_MAX) {
		ssize_t r = read(fd, buf + n, TOKEN_FILE_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = trim_dup(buf, n);
	pj_free_secret(buf, TOKEN_FILE_MAX + 1);
	return *out ? 0 : pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
}

static int pass_through(const struct pjc_conf *c, const struct robot_opts *o, struct pjc_err *e)
{
	const char *env = o->token_env ? getenv(o->token_env) : NULL;
	const char *from = o->token_file ? o->token_file : o->token_env;
	const char *aud = o->audience ? o->audience : c->audience;
	char *token = NULL, left[32];
	struct json_object *claims = NULL;
	int64_t exp, now = (int64_t)time(NULL);
	long min_valid = o->min_valid >= 0 ? o->min_valid : 0;
	int rc = 0;

	if (o->token_file != NULL)
		rc = read_token_file(o->token_file, &token, e);
	else if (env == NULL || env[0] == '\0')
		rc = pjc_fail(e, PJC_EXIT_FAIL, "the environment variable %s is not set or empty",
		              o->token_env);
	else if ((token = trim_dup(env, strlen(env))) == NULL)
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	if (rc != 0)
		return rc;
	if (!jws_looks_like_token(token, strlen(token)) ||
	    (claims = pjc_peek_claims(token)) == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "%s does not hold a JWT", from);
		goto out;
	}
	exp = pjc_peek_exp(token);
	if (exp != 0 && exp - now < min_valid) {
		pjc_duration(exp - now, left, sizeof(left));
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the token in %s %s %s%s: get a new one from the "
		              "platform",
		              from, exp <= now ? "expired" : "expires in", left,
		              exp <= now ? " ago" : "");
		goto out;
	}
	if (aud != NULL && !pjc_claims_have_aud(claims, aud)) {
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the token in %s is not for audience %s (ask the "
		              "platform for a token with that audience)",
		              from, aud);
		goto out;
	}
	printf("%s\n", token);
	fflush(stdout);
out:
	json_object_put(claims);
	pj_free_secret(token, strlen(token));
	return rc;
}

static int read_secret(const struct robot_opts *o, char **secret, struct pjc_err *e)
{
	struct pj_err perr;
	char *buf = NULL;
	size_t len = 0;

	pj_err_clear(&perr);
	if (o->secret_env != NULL) {
		const char *v = getenv(o->secret_env);

		if (v == NULL || v[0] == '\0')
			return pjc_fail(e, PJC_EXIT_USAGE,
			                "the environment variable %s is not set or empty",
			                o->secret_env);
		*secret = trim_dup(v, strlen(v));
		return *secret ? 0 : pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	}
	if (pj_read_secret_file(o->secret_file, SECRET_MAX, &buf, &len, &perr) != PJ_OK)
		return pjc_fail(e, PJC_EXIT_USAGE, "client secret: %s", perr.reason);
	*secret = trim_dup(buf, len);
	pj_free_secret(buf, len + 1);
	if (*secret == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	if ((*secret)[0] == '\0') {
		free(*secret);
		*secret = NULL;
		return pjc_fail(e, PJC_EXIT_USAGE, "the client secret file %s is empty",
		                o->secret_file);
	}
	return 0;
}

static int client_credentials(const struct pjc_conf *c, const struct robot_opts *o,
                              struct pjc_err *e)
{
	struct pjc_endpoints ep;
	struct pj_form f = { NULL, 0, 0, 0 };
	struct pjc_oauth_resp r;
	const char *aud = o->audience ? o->audience : c->audience, *at;
	char *secret = NULL, why[400];
	int rc;

	memset(&ep, 0, sizeof(ep));
	memset(&r, 0, sizeof(r));
	if ((rc = pjc_conf_need_client(c, e)) != 0 || (rc = read_secret(o, &secret, e)) != 0)
		return rc;
	if ((rc = pjc_discover(c, &ep, e)) != 0)
		goto out;
	/* client_secret_post: pj_http_request sends no Authorization header */
	pj_form_add(&f, "grant_type", "client_credentials");
	pj_form_add(&f, "client_id", c->client_id);
	pj_form_add(&f, "client_secret", secret);
	if (aud != NULL)
		pj_form_add(&f, "resource", aud);
	if (o->scope != NULL)
		pj_form_add(&f, "scope", o->scope);
	if ((rc = pjc_oauth_post(c, ep.token, &f, &r, e)) != 0)
		goto out;
	at = pjc_oauth_str(&r, "access_token");
	if (r.status != 200 || at == NULL) {
		pjc_oauth_error_text(&r, why, sizeof(why));
		rc = pjc_fail(e, PJC_EXIT_FAIL, "the auth center refused client %s (%s)%s",
		              c->client_id, why,
		              strcmp(r.error, "invalid_client") == 0
		                      ? ": check the client id and secret"
		                      : "");
		goto out;
	}
	/* an auth center that ignores resource would make this token good
	 * for other hosts too */
	if ((rc = pjc_check_handout(c, at, aud, (int64_t)time(NULL), e)) != 0)
		goto out;
	if (o->json) {
		struct json_object *j = json_object_new_object();
		int64_t exp = pjc_peek_exp(at);
		const char *text;

		json_object_object_add(j, "access_token", json_object_new_string(at));
		json_object_object_add(j, "audience", json_object_new_string(aud ? aud : ""));
		json_object_object_add(j, "expires_at", json_object_new_int64(exp));
		text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
		                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
		printf("%s\n", text ? text : "{}");
		if (text != NULL)
			OPENSSL_cleanse((char *)(uintptr_t)text, strlen(text));
		pj_json_wipe(j);
		json_object_put(j);
	} else {
		printf("%s\n", at);
	}
	fflush(stdout);
out:
	pj_form_free(&f);
	pjc_oauth_resp_free(&r);
	pjc_endpoints_free(&ep);
	if (secret != NULL)
		pj_free_secret(secret, strlen(secret));
	return rc;
}

static int parse_args(int argc, char **argv, struct pjc_conf *c, struct robot_opts *o,
                      struct pjc_err *e)
{
	static const char *const valued[] = { "--client-secret-file", "--client-secret-env",
		                              "--token-file",         "--token-env",
		                              "--audience",           "--scope",
		                              "--min-valid",          "--client-secret" };
	int i, r;
	size_t k;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v;

		/* --scope is the robot's own (the scope of the client
		 * credentials grant), not the common option of the same name
		 * (the scope of a user's login) */
		if (strcmp(a, "--scope") != 0 &&
		    (r = pjc_common_option(c, argc, argv, &i, e)) != 0) {
			if (r < 0)
				return e->code;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
			continue;
		}
		if (strcmp(a, "--allow-multi-audience") == 0) {
			c->allow_multi_audience = 1;
			continue;
		}
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
			if (strcmp(a, valued[k]) == 0)
				break;
		if (k == sizeof(valued) / sizeof(valued[0]))
			return pjc_fail(e, PJC_EXIT_USAGE,
			                "unexpected argument \"%.64s\" (see pam-jwt "
			                "robot --help)",
			                a);
		if (k == 7)
			return pjc_fail(
			        e, PJC_EXIT_USAGE,
			        "a secret on the command line is visible to "
			        "every user (ps): use --client-secret-file or --client-secret-env");
		if (i + 1 >= argc)
			return pjc_fail(e, PJC_EXIT_USAGE, "%s needs a value", a);
		v = argv[++i];
		switch (k) {
		case 0: o->secret_file = v; break;
		case 1: o->secret_env = v; break;
		case 2: o->token_file = v; break;
		case 3: o->token_env = v; break;
		case 4: o->audience = v; break;
		case 5: o->scope = v; break;
		default: {
			char *end = NULL;

			errno = 0;
			o->min_valid = strtol(v, &end, 10);
			if (errno != 0 || end == v || *end != '\0' || o->min_valid < 0 ||
			    o->min_valid > 86400)
				return pjc_fail(e, PJC_EXIT_USAGE, "--min-valid takes seconds");
		}
		}
	}
	if ((o->token_file != NULL) + (o->token_env != NULL) +
	                    (o->secret_file != NULL || o->secret_env != NULL) !=
	            1 ||
	    (o->secret_file != NULL && o->secret_env != NULL))
		return pjc_fail(e, PJC_EXIT_USAGE,
		                "give one of --client-secret-file, "
		                "--client-secret-env, --token-file, --token-env");
	return 0;
}

int cmd_robot(int argc, char **argv)
{
	struct pjc_conf c;
	struct pjc_err e = { 0, "" };
	struct robot_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.min_valid = -1;
	if (pjc_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = pjc_conf_load(&c, &e)) == 0 && (rc = parse_args(argc, argv, &c, &o, &e)) == 0)
		rc = o.token_file || o.token_env ? pass_through(&c, &o, &e)
		                                 : client_credentials(&c, &o, &e);
	pjc_conf_free(&c);
	return rc != 0 ? pjc_report("robot", &e) : 0;
}
