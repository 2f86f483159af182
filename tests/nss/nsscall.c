/* Test helper: load an NSS module with dlopen and call one entry point
 * directly, to see exactly what it returns (status, *errnop, errno) where
 * glibc would hide it.  Prints one line per answer:
 *
 *   STATUS ERRNOP [ENTRY]
 *
 * with STATUS SUCCESS, NOTFOUND, UNAVAIL, TRYAGAIN or RETURN, ERRNOP the
 * errno name *errnop was set to (or "-"), ENTRY a passwd or group line.
 *
 *   nsscall SO pwnam NAME BUFLEN | pwuid UID BUFLEN | grnam NAME BUFLEN
 *             | grgid GID BUFLEN | pwent BUFLEN | grent BUFLEN
 *             | initgroups NAME SKIPGID SIZE LIMIT
 *             | errno-kept NAME    (errno unchanged by a lookup: "kept")
 * pwent retries an entry refused with ERANGE with a buffer 4 times larger.
 * initgroups prints "STATUS ERRNOP start=N size=N GID..." (the array
 * starts with SKIPGID, as glibc's does). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);
typedef enum nss_status (*set_fn)(int);
typedef enum nss_status (*end_fn)(void);
typedef enum nss_status (*init_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

#define NO_ERRNO 424242

static void *h;

static void *sym(const char *name)
{
	void *f = dlsym(h, name);

	if (f == NULL) {
		fprintf(stderr, "nsscall: no %s\n", name);
		exit(2);
	}
	return f;
}

static const char *status_name(enum nss_status st)
{
	switch (st) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	default: return "RETURN";
	}
}

static const char *errno_name(int e)
{
	return e == NO_ERRNO ? "-" : e == ERANGE ? "ERANGE" : e == ENOENT ? "ENOENT"
	                                         : e == ENOMEM ? "ENOMEM" : "other";
}

static void show_pw(enum nss_status st, int err, const struct passwd *pw)
{
	printf("%s %s", status_name(st), errno_name(err));
	if (st == NSS_STATUS_SUCCESS)
		printf(" %s:%s:%u:%u:%s:%s:%s", pw->pw_name, pw->pw_passwd, (unsigned)pw->pw_uid,
		       (unsigned)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
	printf("\n");
}

static void show_gr(enum nss_status st, int err, const struct group *gr)
{
	char **m;

	printf("%s %s", status_name(st), errno_name(err));
	if (st == NSS_STATUS_SUCCESS) {
		printf(" %s:%s:%u:", gr->gr_name, gr->gr_passwd, (unsigned)gr->gr_gid);
		for (m = gr->gr_mem; *m != NULL; m++)
			printf("%s%s", m == gr->gr_mem ? "" : ",", *m);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	struct passwd pw;
	struct group gr;
	enum nss_status st;
	int err = NO_ERRNO;
	char *buf;
	size_t len;

	if (argc < 4 || (h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "nsscall: usage, or cannot load: %s\n", dlerror());
		return 2;
	}
	len = strtoul(argv[argc - 1], NULL, 10);
	buf = malloc(len + 1);
	if (buf == NULL)
		return 2;
	if (strcmp(argv[2], "pwnam") == 0) {
		st = ((pwnam_fn)sym("_nss_jwt_getpwnam_r"))(argv[3], &pw, buf, len, &err);
		show_pw(st, err, &pw);
	} else if (strcmp(argv[2], "pwuid") == 0) {
		st = ((pwuid_fn)sym("_nss_jwt_getpwuid_r"))((uid_t)strtoul(argv[3], NULL, 10), &pw,
		                                            buf, len, &err);
		show_pw(st, err, &pw);
	} else if (strcmp(argv[2], "grnam") == 0) {
		st = ((grnam_fn)sym("_nss_jwt_getgrnam_r"))(argv[3], &gr, buf, len, &err);
		show_gr(st, err, &gr);
	} else if (strcmp(argv[2], "grgid") == 0) {
		st = ((grgid_fn)sym("_nss_jwt_getgrgid_r"))((gid_t)strtoul(argv[3], NULL, 10), &gr,
		                                            buf, len, &err);
		show_gr(st, err, &gr);
	} else if (strcmp(argv[2], "pwent") == 0) {
		((set_fn)sym("_nss_jwt_setpwent"))(0);
		do {
			err = NO_ERRNO;
			st = ((pwent_fn)sym("_nss_jwt_getpwent_r"))(&pw, buf, len, &err);
			show_pw(st, err, &pw);
			if (st == NSS_STATUS_TRYAGAIN && err == ERANGE && len < 65536) {
				/* as glibc does: a larger buffer, the same entry */
				len *= 4;
				buf = realloc(buf, len);
				st = buf != NULL ? NSS_STATUS_SUCCESS : NSS_STATUS_UNAVAIL;
			}
		} while (st == NSS_STATUS_SUCCESS);
		((end_fn)sym("_nss_jwt_endpwent"))();
	} else if (strcmp(argv[2], "grent") == 0) {
		((set_fn)sym("_nss_jwt_setgrent"))(0);
		do {
			err = NO_ERRNO;
			st = ((grent_fn)sym("_nss_jwt_getgrent_r"))(&gr, buf, len, &err);
			show_gr(st, err, &gr);
		} while (st == NSS_STATUS_SUCCESS);
		((end_fn)sym("_nss_jwt_endgrent"))();
	} else if (strcmp(argv[2], "initgroups") == 0 && argc == 7) {
		long start = 1, size = strtol(argv[5], NULL, 10), i;
		gid_t *g = malloc((size_t)(size > 0 ? size : 1) * sizeof(*g));

		g[0] = (gid_t)strtoul(argv[4], NULL, 10);
		st = ((init_fn)sym("_nss_jwt_initgroups_dyn"))(argv[3], g[0], &start, &size, &g,
		                                               strtol(argv[6], NULL, 10), &err);
		printf("%s %s start=%ld size=%ld", status_name(st), errno_name(err), start, size);
		for (i = 0; i < start; i++)
			printf(" %u", (unsigned)g[i]);
		printf("\n");
		free(g);
	} else if (strcmp(argv[2], "errno-kept") == 0) {
		char b[1024];

		errno = EXDEV;
		st = ((pwnam_fn)sym("_nss_jwt_getpwnam_r"))(argv[3], &pw, b, sizeof(b), &err);
		(void)st;
		printf("%s\n", errno == EXDEV ? "kept" : "changed");
	} else {
		fprintf(stderr, "nsscall: unknown call %s\n", argv[2]);
		return 2;
	}
	free(buf);
	dlclose(h);
	return 0;
}
