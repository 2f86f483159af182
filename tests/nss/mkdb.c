/* Test and benchmark helper: write an account database with the library's
 * own writer (jdb_save: a temporary file, then an atomic rename).
 *
 *   mkdb PATH < SPEC        one record a line, fields separated by '|':
 *                             user|NAME|UID|GID|FLAGS|GECOS|HOME|SHELL|ISS|SUB|GID,GID...
 *                             group|NAME|GID|FLAGS|IDP_NAME
 *   mkdb --gen N TAG PATH   N users u0000000.. with private groups, each in
 *                           4 of 16 shared groups g00..g15; user i has UID
 *                           1000000000 + 4i (+1 when TAG is "B") and GECOS
 *                           TAG, so that a reader can tell the versions.
 * Exits 0 when written, 1 with a message on stderr otherwise. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtdb.h"
#include "jwtdb_fmt.h" /* jdb_append_*: no O(n) checks per record, jdb_save checks */

#define ISS "https://idp.test"

static int fail(const char *what)
{
	fprintf(stderr, "mkdb: %s\n", what);
	return 1;
}

static uint32_t num(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 10);
}

/* Split line at '|' into f[0..max); returns the number of fields. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '|');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static int from_spec(struct jdb *db)
{
	char line[8192], *f[12];
	uint32_t gids[JDB_MAX_USER_GROUPS];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		size_t n = split(line, f, 12), ng = 0;

		if (n == 11 && strcmp(f[0], "user") == 0) {
			struct jdb_user u = { f[1], f[5], f[6], f[7], f[8], f[9], num(f[2]),
				              num(f[3]), num(f[4]), 1750000000, 0, gids, 0 };
			char *p = f[10];

			while (*p != '\0' && ng < JDB_MAX_USER_GROUPS) {
				gids[ng++] = (uint32_t)strtoul(p, &p, 10);
				if (*p == ',')
					p++;
			}
			u.n_gids = ng;
			if (jdb_append_user(db, &u) != 0)
				return fail("cannot add a user");
		} else if (n == 5 && strcmp(f[0], "group") == 0) {
			struct jdb_group g = { f[1], f[4], (char *)ISS, num(f[2]), num(f[3]) };

			if (jdb_append_group(db, &g) != 0)
				return fail("cannot add a group");
		} else if (n > 0 && f[0][0] != '\0' && f[0][0] != '#') {
			return fail("a line is neither user|... nor group|...");
		}
	}
	return 0;
}

static int generate(struct jdb *db, uint32_t n, const char *tag)
{
	char name[32], home[64];
	uint32_t i, gids[4];

	for (i = 0; i < 16; i++) {
		struct jdb_group g = { name, name, (char *)ISS, 2000000000u + i, 0 };

		snprintf(name, sizeof(name), "g%02u", i);
		if (jdb_append_group(db, &g) != 0)
			return fail("cannot add a group");
	}
	for (i = 0; i < n; i++) {
		uint32_t uid = 1000000000u + 4 * i + (strcmp(tag, "B") == 0);
		struct jdb_user u = { name, (char *)tag, home, (char *)"/bin/bash", (char *)ISS, name,
			              uid, uid, 0, 1750000000, 0, gids, 4 };
		struct jdb_group g = { name, (char *)"", (char *)ISS, uid, JDB_GROUP_PRIVATE };
		uint32_t k;

		snprintf(name, sizeof(name), "u%07u", i);
		snprintf(home, sizeof(home), "/home/%s", name);
		for (k = 0; k < 4; k++)
			gids[k] = 2000000000u + (i + 5 * k) % 16;
		if (jdb_append_user(db, &u) != 0 || jdb_append_group(db, &g) != 0)
			return fail("cannot add a user");
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct jdb db;
	char why[256];
	int rc;

	memset(&db, 0, sizeof(db));
	if (argc == 5 && strcmp(argv[1], "--gen") == 0)
		rc = generate(&db, num(argv[2]), argv[3]);
	else if (argc == 2)
		rc = from_spec(&db);
	else
		return fail("usage: mkdb PATH < SPEC | mkdb --gen N TAG PATH");
	if (rc == 0 && jdb_save(argv[argc - 1], &db, why, sizeof(why)) != 0)
		rc = fail(why);
	jdb_free(&db);
	return rc;
}
