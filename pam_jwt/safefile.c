#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

/* Every directory above the file must be owned by root (or us) and not
 * writable by others, unless it is sticky (like /tmp, where others cannot
 * rename or remove what is not theirs): else another user could swap the
 * file for one of their own. */
static enum pj_status check_parents(const char *path, struct pj_err *err)
{
	char *real = realpath(path, NULL), *slash;
	struct stat st;
	enum pj_status rc = PJ_OK;

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
		if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
		    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
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

enum pj_status pj_read_file(const char *path, size_t maxsize, char **buf, size_t *len,
                            struct pj_err *err)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	enum pj_status rc;
	int fd;

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
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		rc = pj_fail(err, PJ_E_CONFIG, "%s is writable by group or others", path);
		goto out;
	}
	if ((rc = check_parents(path, err)) != PJ_OK)
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
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = pj_fail(err, PJ_E_UNAVAILABLE, "cannot read %s%s%s", path,
			             r < 0 ? ": " : ": file shrank while reading",
			             r < 0 ? strerror(errno) : "");
			goto out;
		}
		got += (size_t)r;
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
