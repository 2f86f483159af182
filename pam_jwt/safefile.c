#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"

/* Every directory above the file must be owned by root (or us) and not
 * writable by others, unless it is sticky (like /tmp, where others cannot
 * rename or remove what is not theirs): else another user could swap the
 * file for one of their own. */
/* One directory: owned by root (or us), not writable by others unless
 * sticky. */
static int dir_safe(const struct stat *st)
{
	return (st->st_uid == 0 || st->st_uid == geteuid()) &&
	       (!(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX));
}

/* The directories the path goes through as written (a symlinked
 * directory is only as safe as the directory that holds the link, which
 * someone could repoint). */
static enum pj_status check_literal_parents(const char *path, struct pj_err *err)
{
	char buf[4096];
	size_t n = strlen(path), i;
	struct stat st;

	if (path[0] != '/')
		return PJ_OK; /* relative paths: the resolved check covers them */
	if (n >= sizeof(buf))
		return pj_fail(err, PJ_E_CONFIG, "path too long: %s", path);
	memcpy(buf, path, n + 1);
	for (i = n; i > 0; i--) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (stat(buf, &st) != 0)
			return pj_fail(err, PJ_E_UNAVAILABLE, "cannot stat %s: %s", buf,
			               strerror(errno));
		if (!dir_safe(&st))
			return pj_fail(err, PJ_E_CONFIG,
			               "directory %s (holding %s) is writable by others than root",
			               buf, path);
	}
	return PJ_OK;
}

enum pj_status pj_check_parents(const char *path, struct pj_err *err)
{
	char *real, *slash;
	struct stat st;
	enum pj_status rc;

	if ((rc = check_literal_parents(path, err)) != PJ_OK)
		return rc;
	real = realpath(path, NULL);
	rc = PJ_OK;

	if (real == NULL)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot resolve %s: %s", path,
		               strerror(errno));
	while ((slash = strrchr(real, '/')) != NULL) {
		if (slash == real)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(real, &st) != 0) {
			rc = pj_fail(err, PJ_E_UNAVAILABLE, "cannot stat %s: %s", real,
			             strerror(errno));
			break;
		}
		if (!dir_safe(&st)) {
			rc = pj_fail(err, PJ_E_CONFIG,
			             "directory %s (holding %s) is writable by others than root",
			             real, path);
			break;
		}
		if (slash == real)
			break;
	}
	free(real);
	return rc;
}

static enum pj_status read_file(const char *path, size_t maxsize, int secret, char **buf,
                                size_t *len, struct pj_err *err);

enum pj_status pj_read_file(const char *path, size_t maxsize, char **buf, size_t *len,
                            struct pj_err *err)
{
	return read_file(path, maxsize, 0, buf, len, err);
}

enum pj_status pj_read_secret_file(const char *path, size_t maxsize, char **buf, size_t *len,
                                   struct pj_err *err)
{
	return read_file(path, maxsize, 1, buf, len, err);
}

static enum pj_status read_file(const char *path, size_t maxsize, int secret, char **buf,
                                size_t *len, struct pj_err *err)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	enum pj_status rc;
	int fd, r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return pj_fail(err, errno == ELOOP ? PJ_E_CONFIG : PJ_E_UNAVAILABLE,
		               "cannot open %s: %s", path,
		               errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = pj_fail(err, PJ_E_UNAVAILABLE, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = pj_fail(err, PJ_E_CONFIG, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		rc = pj_fail(err, PJ_E_CONFIG, "%s is not owned by root", path);
		goto out;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		rc = pj_fail(err, PJ_E_CONFIG,
		             "%s holds a secret and is readable by group or others", path);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		rc = pj_fail(err, PJ_E_CONFIG, "%s is writable by group or others", path);
		goto out;
	}
	if ((rc = pj_check_parents(path, err)) != PJ_OK)
		goto out;
	if ((size_t)st.st_size > maxsize) {
		rc = pj_fail(err, PJ_E_CONFIG, "%s is larger than %zu bytes", path, maxsize);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		rc = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	got = (size_t)st.st_size;
	if ((r = pj_read_all(fd, data, got)) != 0) {
		rc = pj_fail(err, PJ_E_UNAVAILABLE, "cannot read %s%s%s", path,
		             r < 0 ? ": " : ": file shrank while reading",
		             r < 0 ? strerror(errno) : "");
		goto out;
	}
	data[got] = '\0';
	*buf = data;
	*len = got;
	data = NULL;
	rc = PJ_OK;
out:
	pj_free_secret(data, (size_t)st.st_size + 1);
	close(fd);
	return rc;
}

int pj_read_all(int fd, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int pj_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pj_lock_wait(int fd, int64_t timeout_ms)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 }; /* 10 ms */
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			errno = EWOULDBLOCK;
			return -1;
		}
		nanosleep(&step, NULL);
	}
}
