/* Test helper: THREADS threads look accounts up through the real glibc
 * (getpwnam_r, getpwuid_r, getgrgid_r, getgrouplist) for SECONDS while
 * another process replaces the database again and again between two
 * versions made by `mkdb --gen N A|B` (see mkdb.c).  Every answer must
 * be one whole version: user i has UID 1000000000 + 4i in version A and
 * + 4i + 1 in version B, and its GECOS names the version.  Prints
 * "lookups=N bad=N" and exits 0 only when no answer was wrong or missing.
 *
 *   nss_threads THREADS SECONDS N */
#include "config.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned n_users;
static time_t until;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long total, bad;

static int uid_ok(const struct passwd *pw, unsigned i)
{
	unsigned base = 1000000000u + 4 * i;

	if (strcmp(pw->pw_gecos, "A") == 0)
		return pw->pw_uid == base && pw->pw_gid == base;
	if (strcmp(pw->pw_gecos, "B") == 0)
		return pw->pw_uid == base + 1 && pw->pw_gid == base + 1;
	return 0;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(size_t)arg, i;
	unsigned long mine = 0, wrong = 0;
	char buf[1024], gbuf[65536], name[32]; /* a shared group has N/4 members */
	struct passwd pw, *res;
	struct group gr, *gres;
	gid_t groups[32];
	int ng;

	while (time(NULL) < until) {
		i = (unsigned)rand_r(&seed) % n_users;
		snprintf(name, sizeof(name), "u%07u", i);
		/* by name: always found, one whole version */
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
		    strcmp(pw.pw_name, name) != 0 || !uid_ok(&pw, i))
			wrong++;
		/* by the UID of version A: found as version A, or not found */
		if (getpwuid_r(1000000000u + 4 * i, &pw, buf, sizeof(buf), &res) != 0 ||
		    (res != NULL &&
		     (strcmp(pw.pw_name, name) != 0 || strcmp(pw.pw_gecos, "A") != 0)))
			wrong++;
		/* a shared group: always there with its name */
		if (getgrgid_r(2000000000u + i % 16, &gr, gbuf, sizeof(gbuf), &gres) == 0 &&
		    gres != NULL) {
			char want[8];

			snprintf(want, sizeof(want), "g%02u", i % 16);
			wrong += strcmp(gr.gr_name, want) != 0;
		} else if (gres == NULL) {
			wrong++;
		}
		/* initgroups: the 4 shared groups plus the primary one */
		ng = 32;
		if (getgrouplist(name, 1000000000u + 4 * i, groups, &ng) < 0 || ng != 5)
			wrong++;
		mine += 4;
	}
	pthread_mutex_lock(&count_lock);
	total += mine;
	bad += wrong;
	pthread_mutex_unlock(&count_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	long n, i;

	if (argc != 4)
		return 2;
	n = strtol(argv[1], NULL, 10);
	if (n < 1 || n > 64)
		return 2;
	until = time(NULL) + strtol(argv[2], NULL, 10);
	n_users = (unsigned)strtoul(argv[3], NULL, 10);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(size_t)(i + 1)) != 0)
			return 2;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("lookups=%lu bad=%lu\n", total, bad);
	return bad == 0 && total > 0 ? 0 : 1;
}
