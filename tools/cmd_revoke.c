/* pam-jwt revoke (--jti ID | --sub SUB [--before EPOCH|now]) [--iss URL]
 *                [--config FILE | --file FILE]
 *
 * Adds a line to the revocation list, atomically (temporary file +
 * rename, under a lock), so one token, or every token of a subject issued
 * before a time (logout everywhere, password reset), stops working on
 * this host at its next login.  Exit status: 0 done, 2 usage or error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "safefile.h"
#include "state.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt revoke --jti ID [--iss URL] [--config FILE | --file FILE]\n"
	      "       pam-jwt revoke --sub SUB [--before EPOCH|now] [--iss URL] [--config FILE | "
	      "--file FILE]\n"
	      "\n"
	      "  Adds a line to the revocation list (revocation_file of the configuration,\n"
	      "  or --file): one token by its jti, or every token of a subject issued\n"
	      "  before a time (default: now).\n",
	      f);
}

static int safe_value(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return 0;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int append_line(const char *file, const char *line)
{
	char *old = NULL, *tmp = NULL, *lockpath = NULL, *dir = NULL, *slash;
	size_t len = 0, n = strlen(file) + 16;
	struct pj_err err;
	int lock = -1, fd = -1, rc = -1;
	enum pj_status st;

	pj_err_clear(&err);
	tmp = malloc(n);
	lockpath = malloc(n);
	dir = strdup(file);
	if (tmp == NULL || lockpath == NULL || dir == NULL)
		goto out;
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		free(dir);
		if ((dir = strdup(".")) == NULL)
			goto out;
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	snprintf(lockpath, n, "%s.lock", file);
	snprintf(tmp, n, "%s.XXXXXX", file);
	lock = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		fprintf(stderr, "pam-jwt revoke: cannot lock %s: %s\n", lockpath, strerror(errno));
		goto out;
	}
	st = pj_read_file(file, PJ_REVOCATION_FILE_MAX, &old, &len, &err);
	if (st != PJ_OK && !(st == PJ_E_UNAVAILABLE && access(file, F_OK) != 0)) {
		fprintf(stderr, "pam-jwt revoke: %s\n", err.reason);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "pam-jwt revoke: cannot write in %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0644) != 0 || (len > 0 && pj_write_all(fd, old, len) != 0) ||
	    (len > 0 && old[len - 1] != '\n' && pj_write_all(fd, "\n", 1) != 0) ||
	    pj_write_all(fd, line, strlen(line)) != 0 || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		fprintf(stderr, "pam-jwt revoke: cannot write %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, file) != 0) {
		fprintf(stderr, "pam-jwt revoke: cannot replace %s: %s\n", file, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (lock >= 0)
		close(lock);
	free(old);
	free(tmp);
	free(lockpath);
	free(dir);
	return rc;
}

int cmd_revoke(int argc, char **argv)
{
	const char *jti = NULL, *sub = NULL, *iss = NULL, *before = NULL, *file = NULL,
	           *config_file = NULL;
	char line[2048];
	int n;
	long long t = -1;
	struct pj_config cfg;
	int i, rc;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "pam-jwt revoke: %s needs a value (see --help)\n", a);
			return EXIT_USAGE;
		}
		if (strcmp(a, "--jti") == 0)
			jti = argv[++i];
		else if (strcmp(a, "--sub") == 0)
			sub = argv[++i];
		else if (strcmp(a, "--iss") == 0)
			iss = argv[++i];
		else if (strcmp(a, "--before") == 0)
			before = argv[++i];
		else if (strcmp(a, "--file") == 0)
			file = argv[++i];
		else if (strcmp(a, "--config") == 0)
			config_file = argv[++i];
		else {
			fprintf(stderr, "pam-jwt revoke: unknown option %s (see --help)\n", a);
			return EXIT_USAGE;
		}
	}
	if ((jti == NULL) == (sub == NULL) || (jti != NULL && before != NULL)) {
		fputs("pam-jwt revoke: give either --jti ID, or --sub SUB [--before TIME]\n",
		      stderr);
		return EXIT_USAGE;
	}
	if ((jti && !safe_value(jti)) || (sub && !safe_value(sub)) || (iss && !safe_value(iss))) {
		fputs("pam-jwt revoke: values must be printable ASCII without spaces\n", stderr);
		return EXIT_USAGE;
	}
	if (sub != NULL) {
		char *e = NULL;

		if (before == NULL || strcmp(before, "now") == 0) {
			t = (long long)time(NULL);
		} else {
			errno = 0;
			t = strtoll(before, &e, 10);
			if (errno != 0 || e == before || *e != '\0' || t < 0) {
				fprintf(stderr, "pam-jwt revoke: --before takes seconds since 1970 "
				                "or \"now\"\n");
				return EXIT_USAGE;
			}
		}
	}
	if (file == NULL) {
		if (cli_load_config(config_file, 0, NULL, &cfg, "revoke") != 0)
			return EXIT_USAGE;
		if (cfg.revocation_file == NULL) {
			fputs("pam-jwt revoke: the configuration sets no revocation_file (or use "
			      "--file)\n",
			      stderr);
			pj_config_free(&cfg);
			return EXIT_USAGE;
		}
	}
	if (jti != NULL)
		n = snprintf(line, sizeof(line), "jti=%s%s%s\n", jti, iss ? " iss=" : "",
		             iss ? iss : "");
	else
		n = snprintf(line, sizeof(line), "sub=%s before=%lld%s%s\n", sub, t,
		             iss ? " iss=" : "", iss ? iss : "");
	if (n < 0 || (size_t)n >= sizeof(line)) {
		fprintf(stderr,
		        "pam-jwt revoke: the values are too long for one revocation line "
		        "(%zu bytes at most)\n",
		        sizeof(line) - 1);
		rc = EXIT_USAGE;
	} else if (pj_revocation_line_valid(line, strlen(line) - 1) != 0) {
		fputs("pam-jwt revoke: the values do not form a valid revocation line\n", stderr);
		rc = EXIT_USAGE;
	} else {
		rc = append_line(file ? file : cfg.revocation_file, line) == 0 ? 0 : EXIT_USAGE;
		if (rc == 0)
			printf("revoked: %s", line);
	}
	if (file == NULL)
		pj_config_free(&cfg);
	return rc;
}
