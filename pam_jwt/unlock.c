#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "safefile.h"
#include "unlock.h"

int pj_unlock_needed(int argc, const char **argv)
{
	const char *path = PJ_DEFAULT_CONFIG;
	struct stat sb;
	int i;

	if (geteuid() == 0)
		return 0;
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) == 0)
			path = argv[i] + 7;
	/* lstat: a symlink to someone else's file is not the user's own */
	return !(path[0] == '/' && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	         sb.st_uid == geteuid());
}

/* Only a setuid-root program that only root may change is worth asking. */
static enum pj_status check_helper(const char *path, struct pj_err *err)
{
	struct stat sb;

	if (path[0] != '/' || lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 || (sb.st_mode & S_ISUID) == 0)
		return pj_fail(err, PJ_E_UNAVAILABLE,
		               "unlock helper %s is not a setuid-root program only root may change",
		               path);
	return pj_check_parents(path, err);
}

enum pj_status pj_unlock_run(const char *helper, const char *user, char verb, const char *s1,
                             size_t l1, const char *s2, size_t l2, enum pj_unlock_verdict *verdict,
                             struct pj_err *err)
{
	char *req = NULL, *ans = NULL;
	size_t reqlen = 0, anslen = 0, anscap = 0;
	const char *path = helper != NULL ? helper : PJ_UNLOCK_HELPER;
	char *argv[] = { (char *)"pam_jwt-unlock", (char *)user, NULL };
	enum pj_status st;

	*verdict = PJ_UNLOCK_UNAVAIL;
	if ((st = check_helper(path, err)) != PJ_OK)
		return st;
	if ((st = pj_unlock_frame(verb, s1, l1, s2, l2, &req, &reqlen, err)) != PJ_OK)
		return st;
	st = pj_helper_exchange(path, argv, req, reqlen, 16, PJ_UNLOCK_WAIT_MS, &ans, &anslen,
	                        &anscap, err);
	pj_free_secret(req, reqlen);
	if (st != PJ_OK)
		return st;
	/* exactly one byte, one of the verdicts */
	if (anslen != 1 || (unsigned char)ans[0] > PJ_UNLOCK_USAGE)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "the unlock helper %s gave no verdict", path);
	else
		*verdict = (enum pj_unlock_verdict)(unsigned char)ans[0];
	pj_free_secret(ans, anscap);
	return st;
}

int64_t pj_unlock_device_wait(const struct pj_config *cfg, int64_t expires_in, int64_t max_wait,
                              char *note, size_t notesz)
{
	int64_t w = expires_in;

	if (note != NULL && notesz > 0)
		note[0] = '\0';
	if (max_wait > 0 && max_wait < w)
		w = max_wait;
	if (cfg->unlock_max_wait > 0 && cfg->unlock_max_wait < w) {
		w = cfg->unlock_max_wait;
		if (note != NULL)
			snprintf(note, notesz,
			         "This screen waits %lld seconds: approve before then.",
			         (long long)w);
	}
	return w;
}
