/* pam-jwt verify [--config FILE] [--user NAME] [--now EPOCH] [NAME=VALUE...]
 *
 * reads a token on standard input and prints the module's verdict, made by
 * the same core function the module calls.  Exit status: 0 accepted,
 * 1 refused, 2 usage or configuration error. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "cli.h"
#include "pj_json.h"
#include "tokenin.h"
#include "validate.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt verify [--config FILE] [--user NAME] [--service NAME] [--now EPOCH]\n"
	      "                      [NAME=VALUE ...] < token\n"
	      "\n"
	      "  Reads a token on standard input and prints pam_jwt's verdict, its reason,\n"
	      "  and the decoded header and claims.\n"
	      "  --config FILE  configuration file (default " PJ_DEFAULT_CONFIG ")\n"
	      "  --user NAME    the login user the token must name (default: any)\n"
	      "  --service NAME the PAM service, for mapping rules with pam_service=\n"
	      "  --now EPOCH    judge the token as of this time (seconds since 1970)\n"
	      "  NAME=VALUE     override a configuration option, as a module argument does\n"
	      "\n"
	      "  Exit status: 0 accepted, 1 refused, 2 usage or configuration error.\n",
	      f);
}

char *cli_read_stdin(size_t *len)
{
	char *buf = malloc(STDIN_MAX + 1);
	size_t n = 0;

	if (buf == NULL)
		return NULL;
	while (n <= STDIN_MAX) {
		ssize_t r = read(0, buf + n, STDIN_MAX + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pj_free_secret(buf, STDIN_MAX + 1);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n > STDIN_MAX ? STDIN_MAX : n] = '\0';
	*len = n;
	return buf;
}

static int parse_epoch(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 253402300799LL)
		return -1;
	*out = v;
	return 0;
}

static void print_json(const char *label, struct json_object *o)
{
	if (o == NULL)
		return;
	printf("%s: %s\n", label,
	       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* What the module would do with the account database (accounts.h). */
static void print_account(const struct pj_config *base, const struct pj_decision *d)
{
	struct pj_config routed;
	const struct pj_config *cfg = base;
	char groups[512];
	const char *iss = NULL;
	size_t isslen = 0;

	if (d->acct.kind == PJ_ACCT_LOCAL)
		return;
	if (d->acct.kind == PJ_ACCT_NEW)
		printf("account: would create account %s uid %lu gid %lu%s\n", d->user,
		       (unsigned long)d->acct.uid, (unsigned long)d->acct.gid,
		       d->acct.provisional ? " (the UID of its provisional entry)" : "");
	else
		printf("account: %s uid %lu of the account database, bound to this identity\n",
		       d->user, (unsigned long)d->acct.uid);
	memset(&routed, 0, sizeof(routed));
	if (base->n_sections > 0) {
		if (pj_json_get_string(d->claims, "iss", &iss, &isslen) != 1 ||
		    pj_config_for_issuer(base, iss, isslen, &routed, NULL) != PJ_OK)
			return;
		cfg = &routed;
	}
	pj_acct_group_names(cfg, d->claims, groups, sizeof(groups));
	printf("groups: %s\n", groups[0] != '\0' ? groups : "(none)");
	if (cfg == &routed)
		pj_config_free(&routed);
}

int cmd_verify(int argc, char **argv)
{
	const char **opts = calloc((size_t)argc + 1, sizeof(*opts));
	const char *config_file = NULL;
	char *token = NULL;
	const char *user = NULL, *service = NULL;
	struct pj_config cfg;
	struct pj_decision d;
	int64_t now = (int64_t)time(NULL);
	int i, nopts = 0, rc = EXIT_USAGE;
	size_t len = 0;

	memset(&d, 0, sizeof(d));
	if (opts == NULL) {
		fputs("pam-jwt: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			free(opts);
			return 0;
		} else if ((strcmp(a, "--config") == 0 || strcmp(a, "--user") == 0 ||
		            strcmp(a, "--now") == 0 || strcmp(a, "--service") == 0) &&
		           i + 1 >= argc) {
			fprintf(stderr, "pam-jwt verify: %s needs a value\n", a);
			goto out;
		} else if (strcmp(a, "--config") == 0) {
			config_file = argv[++i];
		} else if (strcmp(a, "--user") == 0) {
			user = argv[++i];
		} else if (strcmp(a, "--service") == 0) {
			service = argv[++i];
		} else if (strcmp(a, "--now") == 0) {
			if (parse_epoch(argv[++i], &now) != 0) {
				fprintf(stderr,
				        "pam-jwt verify: --now takes seconds since 1970, got "
				        "\"%s\"\n",
				        argv[i]);
				goto out;
			}
		} else if (a[0] == '-') {
			fprintf(stderr,
			        "pam-jwt verify: unknown option %s (see pam-jwt verify --help)\n",
			        a);
			goto out;
		} else if (strchr(a, '=') == NULL || strncmp(a, "config=", 7) == 0) {
			fprintf(stderr,
			        "pam-jwt verify: \"%s\" is not NAME=VALUE (use --config for the "
			        "file)\n",
			        a);
			goto out;
		} else {
			opts[nopts++] = a;
		}
	}
	if (cli_load_config(config_file, nopts, opts, &cfg, "verify") != 0)
		goto out;
	cfg.service = service;
	cfg.replay_readonly = 1; /* looking at a token must not use it up */
	if (isatty(0))
		fputs("pam-jwt verify: reading the token from standard input...\n", stderr);
	token = cli_read_stdin(&len);
	if (token == NULL) {
		fputs("pam-jwt verify: cannot read standard input\n", stderr);
		pj_config_free(&cfg);
		goto out;
	}
	len = pj_trim_newline(token, len);
	pj_validate(&cfg, token, len, user, now, &d);
	printf("verdict: %s\n", d.err.status == PJ_OK ? "accept" : "refuse");
	if (d.err.status == PJ_OK) {
		printf("user: %s\n", d.user);
		print_account(&cfg, &d);
	}
	pj_config_free(&cfg);
	if (d.err.status != PJ_OK)
		printf("reason: %s: %s\n", pj_status_name(d.err.status), d.err.reason);
	if (d.rule[0] != '\0')
		printf("mapping rule: %s\n", d.rule);
	if (d.key_note[0] != '\0')
		printf("keys: %s\n", d.key_note);
	if (d.introspect_note[0] != '\0')
		printf("introspection: %s\n", d.introspect_note);
	print_json("header", d.header);
	print_json("claims", d.claims);
	if (d.err.status == PJ_OK)
		rc = EXIT_ACCEPT;
	else if (d.err.status == PJ_E_CONFIG || d.err.status == PJ_E_UNAVAILABLE)
		rc = EXIT_USAGE;
	else
		rc = EXIT_REFUSE;
out:
	pj_decision_free(&d);
	if (token != NULL)
		pj_free_secret(token, STDIN_MAX + 1);
	free(opts);
	return rc;
}
