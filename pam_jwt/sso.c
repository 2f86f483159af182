#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "oauth.h"
#include "pj_json.h"
#include "safefile.h"
#include "sso.h"

#define LOGIN_VERSION 1 /* the token helper's login file format */

char *pj_login_file_name(const char *issuer, const char *client_id, int lock)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *name = NULL;
	size_t i;

	if (ctx == NULL)
		return NULL;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, issuer, strlen(issuer)) == 1 &&
	    EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
	    EVP_DigestUpdate(ctx, client_id, strlen(client_id)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 8 && (name = malloc(64)) != NULL) {
		int o = snprintf(name, 64, "login-");

		for (i = 0; i < 8; i++)
			o += snprintf(name + o, 64 - (size_t)o, "%02x", md[i]);
		snprintf(name + o, 64 - (size_t)o, "%s", lock ? ".lock" : ".json");
	}
	EVP_MD_CTX_free(ctx);
	return name;
}

int pj_login_put_head(struct json_object *o, const struct pj_login_head *h)
{
	return pj_json_put_num(o, "version", LOGIN_VERSION) |
	       pj_json_put_str(o, "issuer", h->issuer) |
	       pj_json_put_str(o, "client_id", h->client_id) |
	       pj_json_put_str(o, "token_endpoint", h->token_endpoint) |
	       pj_json_put_str(o, "revocation_endpoint", h->revocation_endpoint) |
	       pj_json_put_str(o, "refresh_token", h->refresh_token) |
	       pj_json_put_num(o, "refresh_expires_at", h->refresh_expires_at) |
	       pj_json_put_str(o, "id_token", h->id_token) | pj_json_put_str(o, "scope", h->scope) |
	       pj_json_put_num(o, "login_time", h->login_time) |
	       pj_json_put_num(o, "refresh_time", h->refresh_time);
}

int pj_login_put_token(struct json_object *toks, const char *audience, const char *access_token,
                       int64_t expires_at, int spent)
{
	struct json_object *t = json_object_new_object();
	int bad;

	if (t == NULL)
		return -1;
	bad = pj_json_put_str(t, "audience", audience) |
	      pj_json_put_str(t, "access_token", access_token) |
	      pj_json_put_num(t, "expires_at", expires_at);
	if (spent)
		bad |= json_object_object_add(t, "spent", json_object_new_boolean(1));
	if (bad || json_object_array_add(toks, t) != 0) {
		pj_json_wipe(t);
		json_object_put(t);
		return -1;
	}
	return 0;
}

/* Serialise o (then wipe and release it) into a new string. */
static enum pj_status finish(struct json_object *o, int bad, char **text, struct pj_err *err)
{
	const char *t = NULL;

	if (!bad)
		t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		                                              JSON_C_TO_STRING_NOSLASHESCAPE);
	*text = t != NULL ? strdup(t) : NULL;
	pj_json_wipe(o);
	if (t != NULL)
		OPENSSL_cleanse((char *)(uintptr_t)t, strlen(t));
	json_object_put(o);
	return *text != NULL ? PJ_OK : pj_fail(err, PJ_E_NOMEM, "out of memory");
}

enum pj_status pj_sso_to_text(const struct pj_sso *s, char **text, struct pj_err *err)
{
	struct json_object *o = json_object_new_object();
	int bad = o == NULL;

	*text = NULL;
	if (!bad)
		bad = pj_json_put_str(o, "user", s->user) |
		      pj_json_put_str(o, "issuer", s->issuer) |
		      pj_json_put_str(o, "client_id", s->client_id) |
		      pj_json_put_str(o, "token_endpoint", s->token_endpoint) |
		      pj_json_put_str(o, "scope", s->scope) |
		      pj_json_put_str(o, "ca_file", s->ca_file) |
		      pj_json_put_str(o, "audience", s->audience) |
		      pj_json_put_str(o, "audiences", s->audiences) |
		      pj_json_put_str(o, "access_token", s->access_token) |
		      pj_json_put_str(o, "refresh_token", s->refresh_token) |
		      pj_json_put_str(o, "id_token", s->id_token) |
		      pj_json_put_num(o, "access_exp", s->access_exp) |
		      pj_json_put_num(o, "login_time", s->login_time);
	return finish(o, bad, text, err);
}

static int get_str(struct json_object *o, const char *name, char **out, int required)
{
	const char *v = NULL;
	size_t len = 0;
	int r = pj_json_get_string(o, name, &v, &len);

	if (r < 0 || (r == 0 && required) || (r == 1 && (len == 0 || memchr(v, '\0', len))))
		return -1;
	if (r == 0)
		return 0;
	*out = strndup(v, len);
	return *out != NULL ? 0 : -1;
}

enum pj_status pj_sso_from_text(const char *text, size_t len, struct pj_sso *s, struct pj_err *err)
{
	struct json_object *o = NULL;
	enum pj_status st = PJ_OK;

	memset(s, 0, sizeof(*s));
	if (len > PJ_SSO_TEXT_MAX || pj_json_parse(text, len, PJ_JSON_MAX_DEPTH, &o, err) != PJ_OK)
		return pj_fail(err, PJ_E_FORMAT, "the kept tokens are damaged");
	if (get_str(o, "user", &s->user, 1) || get_str(o, "issuer", &s->issuer, 1) ||
	    get_str(o, "client_id", &s->client_id, 1) ||
	    get_str(o, "token_endpoint", &s->token_endpoint, 1) ||
	    get_str(o, "scope", &s->scope, 0) || get_str(o, "ca_file", &s->ca_file, 0) ||
	    get_str(o, "audience", &s->audience, 1) || get_str(o, "audiences", &s->audiences, 1) ||
	    get_str(o, "access_token", &s->access_token, 1) ||
	    get_str(o, "refresh_token", &s->refresh_token, 0) ||
	    get_str(o, "id_token", &s->id_token, 0) ||
	    pj_json_get_date(o, "access_exp", &s->access_exp) != 1 ||
	    pj_json_get_date(o, "login_time", &s->login_time) != 1 ||
	    strncmp(s->token_endpoint, "https://", 8) != 0)
		st = pj_fail(err, PJ_E_FORMAT, "the kept tokens are damaged");
	pj_json_wipe(o);
	json_object_put(o);
	if (st != PJ_OK)
		pj_sso_free(s);
	return st;
}

static void free_secret_str(char **p)
{
	if (*p != NULL)
		pj_free_secret(*p, strlen(*p));
	*p = NULL;
}

void pj_sso_free(struct pj_sso *s)
{
	free(s->user);
	free(s->issuer);
	free(s->client_id);
	free(s->token_endpoint);
	free(s->scope);
	free(s->ca_file);
	free(s->audience);
	free(s->audiences);
	free_secret_str(&s->access_token);
	free_secret_str(&s->refresh_token);
	free_secret_str(&s->id_token);
	memset(s, 0, sizeof(*s));
}

/* The login file text (tools/client_login.c's format, version 1): the
 * access token the module accepted is listed as spent (this host may
 * refuse it a second time), the audiences are the login's. */
static enum pj_status login_text(const struct pj_sso *s, char **text, struct pj_err *err)
{
	struct json_object *o = json_object_new_object(), *auds = json_object_new_array(),
	                   *toks = json_object_new_array();
	struct pj_login_head h = { s->issuer,        s->client_id, s->token_endpoint, NULL,
		                   s->refresh_token, s->id_token,  s->scope,          0,
		                   s->login_time,    s->login_time };
	const char *p = s->audiences, *w;
	size_t wl;
	int bad = o == NULL || auds == NULL || toks == NULL;

	if (bad) {
		json_object_put(auds);
		json_object_put(toks);
		return finish(o, bad, text, err);
	}
	bad |= pj_login_put_head(o, &h);
	for (; *p != '\0'; p = w + wl) {
		w = p + strspn(p, " ");
		wl = strcspn(w, " ");
		if (wl == 0)
			break;
		bad |= json_object_array_add(auds, json_object_new_string_len(w, (int)wl));
	}
	bad |= pj_login_put_token(toks, s->audience, s->access_token, s->access_exp, 1);
	bad |= json_object_object_add(o, "audiences", auds);
	bad |= json_object_object_add(o, "tokens", toks);
	return finish(o, bad, text, err);
}

/* Run as the user for the file system (this thread only). */
struct fs_id {
	int old_uid, old_gid;
};

static int become(uid_t uid, gid_t gid, struct fs_id *saved)
{
	saved->old_gid = setfsgid(gid);
	saved->old_uid = setfsuid(uid);
	/* setfsuid reports the previous value even when it fails: ask again */
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid) {
		setfsuid((uid_t)saved->old_uid);
		setfsgid((gid_t)saved->old_gid);
		return -1;
	}
	return 0;
}

static void restore(const struct fs_id *saved)
{
	setfsuid((uid_t)saved->old_uid);
	setfsgid((gid_t)saved->old_gid);
}

/* Open rundir/pam-jwt (made when missing) as a checked directory. */
static int open_cache_dir(const char *rundir, uid_t uid, int create, struct pj_err *err)
{
	struct stat st;
	int rfd, dfd;

	if (rundir[0] != '/')
		return pj_fail(err, PJ_E_CONFIG, "the runtime directory is not an absolute path"),
		       -1;
	rfd = open(rundir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd < 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "runtime directory %s: %s", rundir,
		               strerror(errno)),
		       -1;
	if (fstat(rfd, &st) != 0 || st.st_uid != uid || (st.st_mode & 022) != 0) {
		close(rfd);
		return pj_fail(err, PJ_E_CONFIG,
		               "runtime directory %s is not the user's own (owner, mode)", rundir),
		       -1;
	}
	if (create && mkdirat(rfd, PJ_SSO_DIR, 0700) != 0 && errno != EEXIST) {
		pj_fail(err, PJ_E_UNAVAILABLE, "cannot make %s/" PJ_SSO_DIR ": %s", rundir,
		        strerror(errno));
		close(rfd);
		return -1;
	}
	dfd = openat(rfd, PJ_SSO_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(rfd);
	if (dfd < 0)
		return pj_fail(err,
		               errno == ELOOP || errno == ENOTDIR ? PJ_E_CONFIG : PJ_E_UNAVAILABLE,
		               "%s/" PJ_SSO_DIR ": %s", rundir, strerror(errno)),
		       -1;
	if (fstat(dfd, &st) != 0 || st.st_uid != uid || (st.st_mode & 077) != 0) {
		close(dfd);
		return pj_fail(err, PJ_E_CONFIG,
		               "%s/" PJ_SSO_DIR " is not the user's own with mode 0700", rundir),
		       -1;
	}
	return dfd;
}

/* Take the user's file system identity and open the cache directory;
 * -1 (identity restored, err set) on failure.  The caller closes the
 * descriptor and calls restore(saved). */
static int enter_cache_dir(const char *rundir, uid_t uid, gid_t gid, int create,
                           struct fs_id *saved, struct pj_err *err)
{
	int dfd;

	if (become(uid, gid, saved) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE,
		               "cannot take the user's file system identity"),
		       -1;
	dfd = open_cache_dir(rundir, uid, create, err);
	if (dfd < 0)
		restore(saved);
	return dfd;
}

/* Write data atomically as dfd/name (mode 0600, never through a link). */
static int write_at(int dfd, const char *name, const char *data, size_t len)
{
	unsigned char rnd[8];
	char tmp[96];
	int fd, rc = -1;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1],
	         rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) == 0 && pj_write_all(fd, data, len) == 0 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && renameat(dfd, tmp, dfd, name) != 0)
		rc = -1;
	if (rc != 0)
		unlinkat(dfd, tmp, 0);
	return rc;
}

enum pj_status pj_sso_write(const struct pj_sso *s, uid_t uid, gid_t gid, const char *rundir,
                            pid_t pid, char **cache_dir, struct pj_err *err)
{
	struct fs_id saved;
	char *text = NULL, *name = NULL, marker[48];
	size_t n;
	int dfd = -1, fd;
	enum pj_status st = PJ_OK;

	*cache_dir = NULL;
	if ((st = login_text(s, &text, err)) != PJ_OK)
		return st;
	name = pj_login_file_name(s->issuer, s->client_id, 0);
	n = strlen(rundir) + sizeof("/" PJ_SSO_DIR);
	*cache_dir = malloc(n);
	if (name == NULL || *cache_dir == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(*cache_dir, n, "%s/" PJ_SSO_DIR, rundir);
	dfd = enter_cache_dir(rundir, uid, gid, 1, &saved, err);
	if (dfd < 0) {
		st = err != NULL ? err->status : PJ_E_UNAVAILABLE;
		goto out;
	}
	if (write_at(dfd, name, text, strlen(text)) != 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write %s/%s: %s", *cache_dir, name,
		             strerror(errno));
	} else {
		snprintf(marker, sizeof(marker), "session-%ld", (long)pid);
		fd = openat(dfd, marker, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write %s/%s: %s", *cache_dir,
			             marker, strerror(errno));
		else
			close(fd);
	}
	close(dfd);
	restore(&saved);
out:
	if (st != PJ_OK) {
		free(*cache_dir);
		*cache_dir = NULL;
	}
	free(name);
	pj_free_secret(text, text != NULL ? strlen(text) : 0);
	return st;
}

/* Non-zero when another live process's session marker is in dfd. */
static int other_sessions(int dfd, pid_t pid)
{
	int fd = dup(dfd), found = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 1; /* cannot tell: keep the cache */
	}
	while (!found && (e = readdir(d)) != NULL) {
		char *end = NULL;
		long other;

		if (strncmp(e->d_name, "session-", 8) != 0)
			continue;
		errno = 0;
		other = strtol(e->d_name + 8, &end, 10);
		if (errno != 0 || end == e->d_name + 8 || *end != '\0' || other <= 0 ||
		    other == (long)pid)
			continue;
		if (kill((pid_t)other, 0) == 0 || errno == EPERM)
			found = 1;
		else
			unlinkat(dfd, e->d_name, 0); /* a session that ended without closing */
	}
	closedir(d);
	return found;
}

enum pj_status pj_sso_close(const char *cache_dir, uid_t uid, gid_t gid, const char *issuer,
                            const char *client_id, pid_t pid, int *removed, struct pj_err *err)
{
	struct fs_id saved;
	char *name = pj_login_file_name(issuer, client_id, 0);
	char *lock = pj_login_file_name(issuer, client_id, 1);
	char *rundir = strdup(cache_dir), *slash;
	char marker[48];
	int dfd;
	enum pj_status st = PJ_OK;

	*removed = 0;
	slash = rundir != NULL ? strrchr(rundir, '/') : NULL;
	if (name == NULL || lock == NULL || slash == NULL || strcmp(slash, "/" PJ_SSO_DIR) != 0) {
		st = pj_fail(err, rundir && name && lock ? PJ_E_CONFIG : PJ_E_NOMEM,
		             "bad cache directory");
		goto out;
	}
	*slash = '\0';
	dfd = enter_cache_dir(rundir, uid, gid, 0, &saved, err);
	if (dfd < 0) {
		st = err != NULL ? err->status : PJ_E_UNAVAILABLE;
		goto out;
	}
	snprintf(marker, sizeof(marker), "session-%ld", (long)pid);
	unlinkat(dfd, marker, 0);
	if (!other_sessions(dfd, pid)) {
		*removed = unlinkat(dfd, name, 0) == 0;
		unlinkat(dfd, lock, 0);
	}
	close(dfd);
	restore(&saved);
out:
	free(rundir);
	free(name);
	free(lock);
	return st;
}
