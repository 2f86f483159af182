#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cache.h"
#include "pj_json.h"
#include "safefile.h"

char *pj_cache_binding(const struct pj_cache_src *src)
{
	const char *names[4] = { "issuer=", "jwks_uri=", "ca_file=", "ca_dir=" };
	const char *vals[4] = { src->issuer, src->jwks_uri, src->ca_file, src->ca_dir };
	static const char head[] = "pam_jwt key cache v2\n";
	char *text = NULL;
	size_t len = 0, cap = 0, i;

	if (pj_buf_append(&text, &len, &cap, head, sizeof(head) - 1) != 0)
		return NULL;
	for (i = 0; i < 4; i++) {
		const char *v = vals[i] != NULL ? vals[i] : "";

		if (pj_buf_append(&text, &len, &cap, names[i], strlen(names[i])) != 0 ||
		    pj_buf_append(&text, &len, &cap, v, strlen(v)) != 0 ||
		    pj_buf_append(&text, &len, &cap, "\n", 1) != 0) {
			free(text);
			return NULL;
		}
	}
	return text;
}

char *pj_cache_path(const char *dir, const struct pj_cache_src *src, int lock)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[65], *path = NULL, *binding;
	size_t n, i;

	binding = pj_cache_binding(src);
	if (binding == NULL)
		return NULL;
	if (!EVP_Digest(binding, strlen(binding), md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		goto out;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	n = strlen(dir) + 1 + 64 + 6;
	path = malloc(n);
	if (path != NULL)
		snprintf(path, n, "%s/%s%s", dir, hex, lock ? ".lock" : ".json");
out:
	free(binding);
	return path;
}

/* The directory must be a real directory owned by root (or us) and not
 * writable by group or others, or the files in it cannot be trusted. */
static enum pj_status check_dir(const char *dir, struct pj_err *err)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cache directory %s: %s", dir,
		               strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pj_fail(err, PJ_E_CONFIG, "cache directory %s is not a directory", dir);
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return pj_fail(err, PJ_E_CONFIG,
		               "cache directory %s is writable by someone other than root", dir);
	return PJ_OK;
}

void pj_cache_entry_free(struct pj_cache_entry *e)
{
	if (e == NULL)
		return;
	free(e->jwks_uri);
	json_object_put(e->jwks);
	memset(e, 0, sizeof(*e));
}

static int get_int(const struct json_object *o, const char *name, int64_t *v)
{
	return pj_json_get_date(o, name, v) == 1 ? 0 : -1;
}

enum pj_status pj_cache_read(const char *dir, const struct pj_cache_src *src,
                             struct pj_cache_entry *e, struct pj_err *err)
{
	struct pj_cache_entry out;
	struct json_object *root = NULL, *jwks;
	char *path = NULL, *text = NULL, *binding = NULL;
	const char *s = NULL;
	size_t len = 0, slen = 0;
	enum pj_status st;

	memset(&out, 0, sizeof(out));
	if ((st = check_dir(dir, err)) != PJ_OK)
		return st;
	path = pj_cache_path(dir, src, 0);
	binding = pj_cache_binding(src);
	if (path == NULL || binding == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	st = pj_read_file(path, PJ_CACHE_FILE_MAX, &text, &len, err);
	if (st != PJ_OK)
		goto out;
	if (pj_json_parse(text, len, PJ_JSON_MAX_DEPTH, &root, err) != PJ_OK ||
	    pj_json_get_string(root, "binding", &s, &slen) != 1 ||
	    !pj_json_str_eq(s, slen, binding) ||
	    pj_json_get_string(root, "issuer", &s, &slen) != 1 ||
	    !pj_json_str_eq(s, slen, src->issuer) || get_int(root, "fetched", &out.fetched) != 0 ||
	    get_int(root, "expires", &out.expires) != 0 ||
	    get_int(root, "attempt", &out.attempt) != 0) {
		st = pj_fail(err, PJ_E_CONFIG,
		             "cache file %s is damaged or not for this issuer and source", path);
		goto out;
	}
	if (pj_json_get_string(root, "jwks_uri", &s, &slen) == 1 &&
	    (out.jwks_uri = strdup(s)) == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	jwks = pj_json_get(root, "jwks", json_type_object);
	if (jwks != NULL)
		out.jwks = json_object_get(jwks);
	*e = out;
	memset(&out, 0, sizeof(out));
	st = PJ_OK;
out:
	pj_cache_entry_free(&out);
	json_object_put(root);
	free(text);
	free(path);
	free(binding);
	return st;
}

enum pj_status pj_cache_write(const char *dir, const struct pj_cache_src *src,
                              const struct pj_cache_entry *e, struct pj_err *err)
{
	struct json_object *root = NULL, *jwks = NULL;
	char *path = NULL, *tmp = NULL, *binding = NULL;
	const char *text;
	size_t n;
	int fd = -1;
	enum pj_status st;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot create cache directory %s: %s", dir,
		               strerror(errno));
	if ((st = check_dir(dir, err)) != PJ_OK)
		return st;
	if (e->jwks != NULL)
		jwks = json_object_get(e->jwks);
	root = json_object_new_object();
	path = pj_cache_path(dir, src, 0);
	binding = pj_cache_binding(src);
	n = strlen(dir) + 32;
	tmp = malloc(n);
	if (tmp != NULL)
		tmp[0] = '\0';
	if (root == NULL || path == NULL || binding == NULL || tmp == NULL) {
		json_object_put(jwks);
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	json_object_object_add(root, "version", json_object_new_int(2));
	json_object_object_add(root, "binding", json_object_new_string(binding));
	json_object_object_add(root, "issuer", json_object_new_string(src->issuer));
	if (e->jwks_uri != NULL)
		json_object_object_add(root, "jwks_uri", json_object_new_string(e->jwks_uri));
	json_object_object_add(root, "fetched", json_object_new_int64(e->fetched));
	json_object_object_add(root, "expires", json_object_new_int64(e->expires));
	json_object_object_add(root, "attempt", json_object_new_int64(e->attempt));
	if (jwks != NULL)
		json_object_object_add(root, "jwks", jwks);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
	                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
	snprintf(tmp, n, "%s/.tmp.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		tmp[0] = '\0';
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write in cache directory %s: %s", dir,
		             strerror(errno));
		goto out;
	}
	if (text == NULL || fchmod(fd, 0644) != 0 || pj_write_all(fd, text, strlen(text)) != 0 ||
	    pj_write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write cache file in %s: %s", dir,
		             strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write cache file in %s: %s", dir,
		             strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot replace cache file %s: %s", path,
		             strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	st = PJ_OK;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL && tmp[0] != '\0')
		unlink(tmp);
	json_object_put(root);
	free(tmp);
	free(path);
	free(binding);
	return st;
}

int pj_cache_lock(const char *dir, const struct pj_cache_src *src, int64_t timeout_ms)
{
	char *path;
	int fd;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	if (check_dir(dir, NULL) != PJ_OK)
		return -1;
	path = pj_cache_path(dir, src, 1);
	if (path == NULL)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	if (pj_lock_wait(fd, timeout_ms) != 0) {
		int timed_out = errno == EWOULDBLOCK;

		close(fd);
		return timed_out ? -2 : -1;
	}
	return fd;
}

void pj_cache_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
