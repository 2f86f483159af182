/* The user's token cache directory ($XDG_CACHE_HOME/pam-jwt, by default
 * ~/.cache/pam-jwt).  It holds refresh tokens, so it must be the user's
 * own and closed to everyone else: directory 0700, files 0600, no
 * symlinks; anything looser is refused with the command that fixes it.
 * Files are replaced atomically (temporary file, fsync, rename) so a
 * crash or a full disk never leaves half a refresh token behind. */
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

#include "client.h"
#include "pj_err.h"
#include "safefile.h"

char *pjc_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* mkdir -p with mode 0700 for every directory it makes. */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir), *s;
	int rc = 0;

	if (p == NULL)
		return -1;
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char save = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST)
				rc = -1;
			*s = save;
		}
		if (*s == '\0')
			break;
	}
	free(p);
	return rc;
}

int pjc_cache_check_dir(const char *dir, int create, struct pjc_err *e)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT)
			return pjc_fail(e, PJC_EXIT_FAIL, "cannot use the cache directory %s: %s",
			                dir, strerror(errno));
		if (!create)
			return pjc_fail(e, PJC_EXIT_LOGIN,
			                "you are not logged in (no cache at %s): run pam-jwt login",
			                dir);
		if (make_dirs(dir) != 0 || lstat(dir, &st) != 0)
			return pjc_fail(e, PJC_EXIT_FAIL,
			                "cannot create the cache directory %s: %s", dir,
			                strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return pjc_fail(
		        e, PJC_EXIT_CACHE,
		        "the cache directory %s is a symbolic link; refusing to keep tokens "
		        "there: replace it with a directory of your own (mode 0700)",
		        dir);
	if (!S_ISDIR(st.st_mode))
		return pjc_fail(e, PJC_EXIT_CACHE, "the cache %s is not a directory: remove it",
		                dir);
	if (st.st_uid != geteuid())
		return pjc_fail(e, PJC_EXIT_CACHE,
		                "the cache directory %s belongs to uid %u, not to you (uid %u); "
		                "refusing to use it: remove it, or set XDG_CACHE_HOME",
		                dir, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return pjc_fail(e, PJC_EXIT_CACHE,
		                "the cache directory %s has mode %04o, so others could read or "
		                "replace your tokens; refusing to use it: run chmod 700 %s",
		                dir, (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

int pjc_cache_read(const char *dir, const char *name, char **buf, size_t *len, int *missing,
                   struct pjc_err *e)
{
	char *path = pjc_path(dir, name), *data = NULL;
	struct stat st;
	size_t got = 0;
	int fd = -1, rc, r;

	*missing = 0;
	if (path == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			*missing = 1;
			rc = pjc_fail(e, PJC_EXIT_LOGIN, "%s does not exist: run pam-jwt login",
			              path);
		} else if (errno == ELOOP) {
			rc = pjc_fail(
			        e, PJC_EXIT_CACHE,
			        "%s is a symbolic link; refusing to use it: delete it and run "
			        "pam-jwt login",
			        path);
		} else {
			rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot read %s: %s", path,
			              strerror(errno));
		}
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pjc_fail(e, PJC_EXIT_CACHE, "%s is not a regular file: delete it", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		rc = pjc_fail(e, PJC_EXIT_CACHE,
		              "%s belongs to uid %u, not to you; refusing to use it: delete it and "
		              "run pam-jwt login",
		              path, (unsigned)st.st_uid);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = pjc_fail(e, PJC_EXIT_CACHE,
		              "%s has mode %04o, so others could read or change your tokens; "
		              "refusing to use it: run chmod 600 %s (or delete it and run "
		              "pam-jwt login)",
		              path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size > PJC_CACHE_FILE_MAX) {
		rc = pjc_fail(e, PJC_EXIT_LOGIN,
		              "%s is larger than %d bytes, not a cache file: delete it and run "
		              "pam-jwt login",
		              path, PJC_CACHE_FILE_MAX);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
		goto out;
	}
	got = (size_t)st.st_size;
	if ((r = pj_read_all(fd, data, got)) != 0) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot read %s: %s", path,
		              r < 0 ? strerror(errno) : "it shrank while reading");
		goto out;
	}
	data[got] = '\0';
	*buf = data;
	*len = got;
	data = NULL;
	rc = 0;
out:
	if (data != NULL)
		pj_free_secret(data, (size_t)st.st_size + 1);
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int pjc_cache_write(const char *dir, const char *name, const char *data, size_t len,
                    struct pjc_err *e)
{
	char *path = pjc_path(dir, name), *tmp = NULL;
	size_t n, done = 0;
	int fd = -1, dfd, rc;

	if (path == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	n = strlen(dir) + strlen(name) + 16;
	tmp = malloc(n);
	if (tmp == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
		goto out;
	}
	snprintf(tmp, n, "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(tmp); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot write in %s: %s", dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
	goto out;
fail:
	rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot write %s: %s (is the disk full?)", path,
	              strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	free(tmp);
	free(path);
	return rc;
}

int pjc_cache_remove(const char *dir, const char *name, struct pjc_err *e)
{
	char *path = pjc_path(dir, name);
	int rc = 0;

	if (path == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	if (unlink(path) != 0 && errno != ENOENT)
		rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot delete %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

int pjc_cache_lock(const char *dir, const char *name, int wait_s, struct pjc_err *e)
{
	char *path = pjc_path(dir, name);
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct stat st;
	int fd, tries;

	if (path == NULL)
		return -(pjc_fail(e, PJC_EXIT_FAIL, "out of memory") != 0);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		pjc_fail(e, errno == ELOOP ? PJC_EXIT_CACHE : PJC_EXIT_FAIL, "cannot open %s: %s",
		         path,
		         errno == ELOOP ? "it is a symbolic link: delete it" : strerror(errno));
		free(path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		pjc_fail(e, PJC_EXIT_CACHE, "%s is not a file of yours: delete it", path);
		goto fail;
	}
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; tries++) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			pjc_fail(e, PJC_EXIT_FAIL, "cannot lock %s: %s", path, strerror(errno));
			goto fail;
		}
		if (tries >= wait_s * 10) {
			pjc_fail(e, PJC_EXIT_FAIL,
			         "another pam-jwt has held %s for %d s; try again (or find it "
			         "with: fuser %s)",
			         path, wait_s, path);
			goto fail;
		}
		nanosleep(&ts, NULL);
	}
	free(path);
	return fd;
fail:
	close(fd);
	free(path);
	return -1;
}

void pjc_cache_unlock(int fd)
{
	if (fd >= 0) {
		(void)flock(fd, LOCK_UN);
		close(fd);
	}
}
