/* Benchmark of libnss_jwt.so.2: lookups of random accounts of a database
 * made by `mkdb --gen N` (tests/nss/mkdb.c), through the module's entry
 * points (dlopen) and through glibc (`passwd: files jwt`).  Prints one
 * line: N, then ns per call for getpwnam_r, getpwuid_r and initgroups_dyn
 * (module), getpwnam_r and getgrouplist (glibc).  Every lookup must find
 * its account, or the program fails.
 *
 *   nss_bench SO N ITERATIONS */
#include <dlfcn.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*init_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	void *h;
	pwnam_fn pwnam;
	pwuid_fn pwuid;
	init_fn initg;
	unsigned n, iter, i, seed = 42, *pick;
	char (*names)[16], buf[1024];
	struct passwd pw, *res;
	double t0, r[5];
	int err, bad = 0;
	gid_t groups[64], *g = malloc(8 * sizeof(gid_t));

	if (argc != 4 || (h = dlopen(argv[1], RTLD_NOW)) == NULL || g == NULL)
		return 2;
	pwnam = (pwnam_fn)dlsym(h, "_nss_jwt_getpwnam_r");
	pwuid = (pwuid_fn)dlsym(h, "_nss_jwt_getpwuid_r");
	initg = (init_fn)dlsym(h, "_nss_jwt_initgroups_dyn");
	n = (unsigned)strtoul(argv[2], NULL, 10);
	iter = (unsigned)strtoul(argv[3], NULL, 10);
	pick = malloc(iter * sizeof(*pick));
	names = malloc(iter * sizeof(*names));
	if (pwnam == NULL || pwuid == NULL || initg == NULL || pick == NULL || names == NULL)
		return 2;
	for (i = 0; i < iter; i++) {
		pick[i] = (unsigned)rand_r(&seed) % n;
		snprintf(names[i], sizeof(names[i]), "u%07u", pick[i]);
	}
	(void)pwnam(names[0], &pw, buf, sizeof(buf), &err); /* open and map once */
	t0 = now_ns();
	for (i = 0; i < iter; i++)
		bad += pwnam(names[i], &pw, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS;
	r[0] = (now_ns() - t0) / iter;
	t0 = now_ns();
	for (i = 0; i < iter; i++)
		bad += pwuid(1000000000u + 4 * pick[i], &pw, buf, sizeof(buf), &err) !=
		       NSS_STATUS_SUCCESS;
	r[1] = (now_ns() - t0) / iter;
	t0 = now_ns();
	for (i = 0; i < iter; i++) {
		long start = 1, size = 8;

		g[0] = 1000000000u + 4 * pick[i];
		bad += initg(names[i], g[0], &start, &size, &g, 0, &err) != NSS_STATUS_SUCCESS ||
		       start != 5;
	}
	r[2] = (now_ns() - t0) / iter;
	t0 = now_ns();
	for (i = 0; i < iter; i++)
		bad += getpwnam_r(names[i], &pw, buf, sizeof(buf), &res) != 0 || res == NULL;
	r[3] = (now_ns() - t0) / iter;
	t0 = now_ns();
	for (i = 0; i < iter; i++) {
		int ng = 64;

		bad += getgrouplist(names[i], 1000000000u + 4 * pick[i], groups, &ng) != 5;
	}
	r[4] = (now_ns() - t0) / iter;
	if (bad != 0) {
		fprintf(stderr, "nss_bench: %d lookups failed\n", bad);
		return 1;
	}
	printf("%u %.0f %.0f %.0f %.0f %.0f\n", n, r[0], r[1], r[2], r[3], r[4]);
	free(g);
	return 0;
}
