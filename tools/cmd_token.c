/* pam-jwt token [--audience A] [--min-valid SECONDS] [--json]
 *               [--allow-multi-audience] [--issuer URL] [--client-id ID]
 *               [--ca-file F]
 *
 * Prints an access token for audience A that stays valid for at least
 * --min-valid seconds: the cached one, or a fresh one from the refresh
 * token (whose successor is stored before anything is printed).  The
 * token's aud must be exactly A and it must not have expired (see
 * pjc_check_handout); otherwise nothing is printed and the message says
 * what the auth center issued.  When no login can give one, says so and
 * exits 3: run pam-jwt login. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "client.h"
#include "pj_json.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt token [--audience A] [--min-valid SECONDS] [--json]\n"
	      "                     [--allow-multi-audience] [--issuer URL] [--client-id ID]\n"
	      "                     [--ca-file F] [--cache-dir D]\n"
	      "\n"
	      "  Print an access token for audience A (default: `audience` of client.conf, else\n"
	      "  the login's own token), from the cache or refreshed with the refresh token.\n"
	      "  --min-valid SECONDS  the token must stay valid this long (default 60)\n"
	      "  --json               print "
	      "{\"access_token\",\"audience\",\"expires_at\",\"expires_in\"}\n"
	      "  --allow-multi-audience  also print a token whose aud lists other audiences\n"
	      "                       besides A (each of those hosts could replay it to the\n"
	      "                       others); by default aud must be exactly A\n"
	      "\n"
	      "  Exit status: 0 printed, 1 the auth center refused or issued a token for\n"
	      "  other audiences or an expired one, 2 usage or configuration error, 3 no\n"
	      "  usable login (run pam-jwt login), 4 unsafe cache, 5 auth center unreachable.\n",
	      f);
}

int cmd_token(int argc, char **argv)
{
	struct pjc_conf c;
	struct pjc_err e = { 0, "" };
	const char *audience = NULL;
	char *token = NULL;
	long min_valid = -1;
	int64_t exp = 0, now;
	int i, r, rc, json = 0;

	if (pjc_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = pjc_conf_load(&c, &e)) != 0)
		goto out;
	for (i = 0; i < argc; i++) {
		if ((r = pjc_common_option(&c, argc, argv, &i, &e)) < 0) {
			rc = e.code;
			goto out;
		}
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--audience") == 0 && i + 1 < argc) {
			audience = argv[++i];
		} else if (strcmp(argv[i], "--min-valid") == 0 && i + 1 < argc) {
			char *end = NULL;

			errno = 0;
			min_valid = strtol(argv[++i], &end, 10);
			if (errno != 0 || end == argv[i] || *end != '\0' || min_valid < 0 ||
			    min_valid > 86400 * 30) {
				rc = pjc_fail(&e, PJC_EXIT_USAGE,
				              "--min-valid takes seconds, not \"%.32s\"", argv[i]);
				goto out;
			}
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--allow-multi-audience") == 0) {
			c.allow_multi_audience = 1;
		} else {
			rc = pjc_fail(&e, PJC_EXIT_USAGE,
			              "unexpected argument \"%.64s\" (see pam-jwt token --help)",
			              argv[i]);
			goto out;
		}
	}
	if (audience == NULL)
		audience = c.audience;
	if (min_valid < 0)
		min_valid = c.min_valid;
	if ((rc = pjc_get_token(&c, audience, min_valid, 0, &token, &exp, &e)) != 0)
		goto out;
	now = (int64_t)time(NULL);
	if (exp != 0 && exp - now < min_valid)
		fprintf(stderr,
		        "pam-jwt token: note: the auth center's tokens for %s live only "
		        "%lld s, less than --min-valid %ld\n",
		        audience ? audience : "this login", (long long)(exp - now), min_valid);
	if (json) {
		struct json_object *o = json_object_new_object();
		const char *text;

		json_object_object_add(o, "access_token", json_object_new_string(token));
		json_object_object_add(o, "audience",
		                       json_object_new_string(audience ? audience : ""));
		json_object_object_add(o, "expires_at", json_object_new_int64(exp));
		json_object_object_add(o, "expires_in", json_object_new_int64(exp ? exp - now : 0));
		text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
		printf("%s\n", text ? text : "{}");
		if (text != NULL)
			OPENSSL_cleanse((char *)(uintptr_t)text, strlen(text));
		pj_json_wipe(o);
		json_object_put(o);
	} else {
		printf("%s\n", token);
	}
	if (fflush(stdout) != 0)
		rc = pjc_fail(&e, PJC_EXIT_FAIL, "cannot write the token: %s", strerror(errno));
out:
	if (token != NULL)
		pj_free_secret(token, strlen(token));
	pjc_conf_free(&c);
	return rc != 0 ? pjc_report("token", &e) : 0;
}
