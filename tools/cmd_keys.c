/* pam-jwt keys refresh|show [--config FILE]
 *
 * refresh: fetch every auth center's JWKS into the cache now (for a
 * systemd timer or a package's post-install); show: list the cached keys.
 * Exit status: 0 success, 1 a refresh failed, 2 usage or configuration
 * error. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "cli.h"
#include "jwk.h"
#include "keys.h"
#include "remote.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt keys refresh [--config FILE]\n"
	      "       pam-jwt keys show [--config FILE]\n"
	      "\n"
	      "  refresh  fetch the keys of every configured auth center now and cache them\n"
	      "  show     list the cached keys of every auth center: kid, type, size, age\n"
	      "\n"
	      "  Exit status: 0 success, 1 a refresh failed, 2 usage or configuration error.\n",
	      f);
}

static void print_age(const char *label, int64_t now, int64_t t)
{
	if (t == 0)
		printf("  %s: never\n", label);
	else if (t <= now)
		printf("  %s: %lld s ago\n", label, (long long)(now - t));
	else
		printf("  %s: in %lld s\n", label, (long long)(t - now));
}

static int show_one(const struct pj_config *cfg, int64_t now)
{
	struct pj_cache_entry e;
	struct pj_cache_src src = { cfg->issuer, cfg->jwks_uri, cfg->ca_file, cfg->ca_dir };
	struct pj_keyset *set;
	struct pj_err err;
	char *path;
	size_t i;

	pj_err_clear(&err);
	printf("issuer %s\n", cfg->issuer);
	if (pj_keys_static(cfg)) {
		printf("  static keys from the configuration (nothing cached)\n");
		return 0;
	}
	memset(&e, 0, sizeof(e));
	/* the cache of this configuration's source: issuer, jwks_uri, CAs */
	path = pj_cache_path(cfg->cache_dir, &src, 0);
	if (path != NULL)
		printf("  cache file: %s\n", path);
	free(path);
	if (pj_cache_read(cfg->cache_dir, &src, &e, &err) != PJ_OK) {
		printf("  no usable cache: %s\n", err.reason);
		return 0;
	}
	if (e.jwks_uri != NULL) {
		char safe[512];

		pj_sanitize(safe, sizeof(safe), e.jwks_uri, strlen(e.jwks_uri));
		printf("  jwks_uri: %s\n", safe);
	}
	print_age("fetched", now, e.fetched);
	print_age("fresh until", now, e.expires);
	print_age("last attempt", now, e.attempt);
	set = calloc(1, sizeof(*set));
	if (set != NULL && e.jwks != NULL &&
	    pj_jwks_add_json(set, e.jwks, NULL, 0, JWS_ALG_UNKNOWN, &err) == PJ_OK) {
		for (i = 0; i < set->n; i++) {
			const struct pj_key *k = &set->keys[i];
			char kid[128] = "(none)";

			/* the auth center's words: no control characters to the terminal */
			if (k->kid != NULL)
				pj_sanitize(kid, sizeof(kid), k->kid, k->kid_len);
			printf("  key kid=%s type=%s bits=%d%s%s\n", kid, pj_key_kind_name(k->kind),
			       k->bits, k->pinned != JWS_ALG_UNKNOWN ? " alg=" : "",
			       k->pinned != JWS_ALG_UNKNOWN ? jws_alg_name(k->pinned) : "");
		}
		if (set->skipped)
			printf("  %zu key(s) refused: %s\n", set->skipped, set->skip_reason);
	} else if (e.jwks == NULL) {
		printf("  no keys cached (the last fetch failed)\n");
	}
	if (set != NULL) {
		pj_keyset_free(set);
		free(set);
	}
	pj_cache_entry_free(&e);
	return 0;
}

static int refresh_one(const struct pj_config *cfg, int64_t now)
{
	struct pj_keyset *set;
	struct pj_err err;
	char note[PJ_REASON_MAX] = "";
	int rc = 0;

	pj_err_clear(&err);
	if (pj_keys_static(cfg)) {
		printf("%s: static keys from the configuration, nothing to refresh\n", cfg->issuer);
		return 0;
	}
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return 1;
	if (pj_remote_keys(cfg, NULL, 0, JWS_ALG_UNKNOWN, now, 1, set, note, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt keys refresh: %s: %s\n", cfg->issuer, err.reason);
		rc = 1;
	} else if (note[0] != '\0') {
		/* a fetch that failed while older keys were still usable */
		fprintf(stderr, "pam-jwt keys refresh: %s: %s\n", cfg->issuer, note);
		rc = strstr(note, "unreachable") != NULL || strstr(note, "cannot update") != NULL;
		if (!rc)
			printf("%s: %zu key(s) cached\n", cfg->issuer, set->n);
	} else {
		printf("%s: %zu key(s) cached\n", cfg->issuer, set->n);
	}
	pj_keyset_free(set);
	free(set);
	return rc;
}

int cmd_keys(int argc, char **argv)
{
	const char *config_file = NULL, *sub;
	char *issuers[PJ_MAX_SECTIONS];
	struct pj_config base;
	struct pj_err err;
	int64_t now = (int64_t)time(NULL);
	size_t n = 0, i;
	int rc = 0, refresh, a;

	pj_err_clear(&err);
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : 0;
	}
	sub = argv[0];
	if (strcmp(sub, "refresh") != 0 && strcmp(sub, "show") != 0) {
		fprintf(stderr, "pam-jwt keys: unknown command \"%s\" (refresh or show)\n", sub);
		return EXIT_USAGE;
	}
	refresh = strcmp(sub, "refresh") == 0;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--config") == 0 && a + 1 < argc) {
			config_file = argv[++a];
		} else if (strcmp(argv[a], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "pam-jwt keys %s: unexpected argument \"%s\"\n", sub,
			        argv[a]);
			return EXIT_USAGE;
		}
	}
	if (cli_load_config(config_file, 0, NULL, &base, refresh ? "keys refresh" : "keys show") !=
	    0)
		return EXIT_USAGE;
	if (pj_config_issuers(&base, issuers, &n, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt keys %s: configuration error: %s\n", sub, err.reason);
		pj_config_free(&base);
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		struct pj_config cfg;

		if (pj_config_for_issuer(&base, issuers[i], strlen(issuers[i]), &cfg, &err) !=
		    PJ_OK) {
			fprintf(stderr, "pam-jwt keys %s: configuration error: %s\n", sub,
			        err.reason);
			rc = EXIT_USAGE;
		} else {
			int r = refresh ? refresh_one(&cfg, now) : show_one(&cfg, now);

			if (r != 0 && rc == 0)
				rc = EXIT_REFUSE;
			pj_config_free(&cfg);
		}
		free(issuers[i]);
	}
	pj_config_free(&base);
	return rc;
}
