/* pam-jwt check [--config FILE] [--syntax] [NAME=VALUE ...]
 *
 * Checks a configuration the way the module reads it: every line of every
 * section, and (without --syntax) every file a login reads for each auth
 * center: key files, the shared secret, the mapping file, the revocation
 * list and the replay store.  Exit status: 0 good, 2 an error (printed). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "account.h"
#include "keys.h"
#include "policy.h"
#include "safefile.h"
#include "state.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt check [--config FILE] [--syntax] [NAME=VALUE ...]\n"
	      "\n"
	      "  Checks the configuration (every section) and, unless --syntax, reads every\n"
	      "  file a login reads: keys, shared secret, mapping file, revocation list and\n"
	      "  replay store.\n"
	      "  Exit status: 0 good, 2 an error (printed on standard error).\n",
	      f);
}

/* --list-options (not in the usage text: for the tests that compare the
 * option table with pam_jwt.conf(5)): one line per option of the table,
 * "NAME<TAB>KIND", then for numbers "<TAB>MIN..MAX" (modes in octal), for
 * choices "<TAB>A|B". */
static void list_options(void)
{
	struct pj_opt_info o;
	size_t i;

	for (i = 0; pj_opt_describe(i, &o); i++) {
		printf("%s\t%s", o.name, o.kind);
		if (o.choices != NULL)
			printf("\t%s", o.choices);
		else if (strcmp(o.kind, "mode") == 0)
			printf("\t%#llo..%#llo", (unsigned long long)o.min,
			       (unsigned long long)o.max);
		else if (o.min != 0 || o.max != 0)
			printf("\t%lld..%lld", (long long)o.min, (long long)o.max);
		putchar('\n');
	}
}

static int check_map(const struct pj_config *cfg)
{
	enum pj_map_result res;
	struct pj_err err;
	char *text = NULL, acc[PJ_USER_MAX + 1];
	size_t len = 0;
	unsigned line = 0;
	int rc = 0;

	pj_err_clear(&err);
	if (pj_read_file(cfg->map_file, 256 * 1024, &text, &len, &err) != PJ_OK ||
	    pj_map_eval(text, len, cfg->map_file, NULL, NULL, &res, acc, sizeof(acc), &line,
	                &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt check: %s\n", err.reason);
		rc = -1;
	}
	free(text);
	return rc;
}

/* The revocation list and the replay store, read as a login reads them
 * (the store only looked at, never written). */
static int check_state(const struct pj_config *cfg)
{
	struct json_object *probe = NULL;
	struct pj_err err;
	struct stat sb;
	int64_t now = (int64_t)time(NULL);
	int rc = 0;

	pj_err_clear(&err);
	if (cfg->revocation_file != NULL) {
		if (pj_revocation_file_check(cfg, &err) != PJ_OK) {
			fprintf(stderr, "pam-jwt check: %s\n", err.reason);
			rc = -1;
		} else {
			printf("  revocation list %s\n", cfg->revocation_file);
		}
	}
	if (!cfg->replay)
		return rc;
	if (stat(cfg->replay_dir, &sb) != 0 && errno == ENOENT) {
		printf("  replay store: none yet in %s (made at the first login)\n",
		       cfg->replay_dir);
		return rc;
	}
	/* a jti no token has: only the store's safety and form decide */
	probe = json_object_new_object();
	if (probe == NULL ||
	    json_object_object_add(probe, "jti", json_object_new_string("pam-jwt check")) != 0 ||
	    json_object_object_add(probe, "iss", json_object_new_string(cfg->issuer)) != 0 ||
	    json_object_object_add(probe, "exp", json_object_new_int64(now + 1)) != 0) {
		fprintf(stderr, "pam-jwt check: out of memory\n");
		rc = -1;
	} else if (pj_replay_check(cfg, probe, now, 0, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt check: %s\n", err.reason);
		rc = -1;
	} else {
		printf("  replay store in %s\n", cfg->replay_dir);
	}
	json_object_put(probe);
	return rc;
}

static int check_one(const struct pj_config *cfg, int syntax)
{
	struct pj_keyset *set;
	struct pj_err err;
	int rc = 0;

	pj_err_clear(&err);
	printf("issuer %s, audience %s\n", cfg->issuer, cfg->audience);
	if (cfg->map_file != NULL) {
		if (!syntax && check_map(cfg) != 0)
			rc = -1;
		else
			printf("  accounts: mapping file %s%s\n", cfg->map_file,
			       syntax ? " (not read)" : "");
	} else {
		printf("  accounts: claim %s\n", cfg->user_claim);
	}
	if (!syntax && check_state(cfg) != 0)
		rc = -1;
	if (!pj_keys_static(cfg)) {
		printf("  keys: from the auth center (%s), cached in %s\n",
		       cfg->jwks_uri ? cfg->jwks_uri : "discovery", cfg->cache_dir);
		return rc;
	}
	if (syntax) {
		printf("  keys: static (not read)\n");
		return rc;
	}
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return -1;
	if (pj_keys_load(cfg, set, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt check: %s: %s\n", cfg->issuer, err.reason);
		rc = -1;
	} else {
		printf("  keys: %zu static key(s)%s%s\n", set->n, set->skipped ? ", refused: " : "",
		       set->skipped ? set->skip_reason : "");
	}
	pj_keyset_free(set);
	free(set);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	const char **opts = calloc((size_t)argc + 1, sizeof(*opts));
	const char *config_file = NULL;
	char *issuers[PJ_MAX_SECTIONS];
	struct pj_config base;
	struct pj_err err;
	size_t n = 0, i;
	int a, nopts = 0, syntax = 0, rc = 0;

	pj_err_clear(&err);
	if (opts == NULL)
		return EXIT_USAGE;
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			usage(stdout);
			free(opts);
			return 0;
		} else if (strcmp(argv[a], "--list-options") == 0) {
			list_options();
			free(opts);
			return 0;
		} else if (strcmp(argv[a], "--config") == 0 && a + 1 < argc) {
			config_file = argv[++a];
		} else if (strcmp(argv[a], "--syntax") == 0) {
			syntax = 1;
		} else if (argv[a][0] != '-' && strchr(argv[a], '=') != NULL &&
		           strncmp(argv[a], "config=", 7) != 0) {
			opts[nopts++] = argv[a];
		} else {
			fprintf(stderr, "pam-jwt check: unexpected argument \"%s\" (see --help)\n",
			        argv[a]);
			free(opts);
			return EXIT_USAGE;
		}
	}
	if (cli_load_config(config_file, nopts, opts, &base, "check") != 0) {
		free(opts);
		return EXIT_USAGE;
	}
	if (pj_config_issuers(&base, issuers, &n, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt check: configuration error: %s\n", err.reason);
		rc = -1;
	}
	for (i = 0; i < n; i++) {
		struct pj_config cfg;

		if (pj_config_for_issuer(&base, issuers[i], strlen(issuers[i]), &cfg, &err) !=
		    PJ_OK) {
			fprintf(stderr, "pam-jwt check: configuration error: %s\n", err.reason);
			rc = -1;
		} else {
			if (check_one(&cfg, syntax) != 0)
				rc = -1;
			pj_config_free(&cfg);
		}
		free(issuers[i]);
	}
	pj_config_free(&base);
	free(opts);
	if (rc == 0)
		printf("configuration is good\n");
	return rc == 0 ? 0 : EXIT_USAGE;
}
