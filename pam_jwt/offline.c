#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "accounts.h"
#include "fetch.h"
#include "jwtdb.h"
#include "offline.h"
#include "pj_json.h"
#include "safefile.h"

int pj_pin_valid(const char *pin, size_t len)
{
	size_t i;

	if (len < PJ_PIN_MIN || len > PJ_PIN_MAX || strncmp(pin, "eyJ", 3) == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)pin[i] < 0x20 || pin[i] == 0x7f)
			return 0;
	return 1;
}

static const char *store_dir(const struct pj_config *cfg)
{
	return cfg->offline_dir != NULL ? cfg->offline_dir : PJ_DEFAULT_OFFLINE_DIR;
}

/* The store directory: made 0700 when missing (and its parent, for the
 * default), then it must be root's (or this user's), a directory that
 * nobody else may read or write, in parents only root may write. */
static enum pj_status open_dir(const struct pj_config *cfg, int create, struct pj_err *err)
{
	const char *dir = store_dir(cfg);
	struct stat sb;

	if (create && cfg->offline_dir == NULL && mkdir(PJ_DEFAULT_STATE_DIR, 0700) != 0 &&
	    errno != EEXIST)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot create %s: %s", PJ_DEFAULT_STATE_DIR,
		               strerror(errno));
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot create %s: %s", dir, strerror(errno));
	if (lstat(dir, &sb) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode) || (sb.st_uid != 0 && sb.st_uid != geteuid()) ||
	    (sb.st_mode & 077) != 0)
		return pj_fail(err, PJ_E_CONFIG, "%s is not a directory only root can use (0700)",
		               dir);
	return pj_check_parents(dir, err);
}

/* dir/<first 32 hex digits of SHA-256(user)> (user names may hold
 * anything the name services allow). */
static enum pj_status record_path(const struct pj_config *cfg, const char *user, char *path,
                                  size_t pathsz, struct pj_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char hex[33];

	if (EVP_Digest(user, strlen(user), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 16)
		return pj_fail(err, PJ_E_INTERNAL, "cannot hash the user name");
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if ((size_t)snprintf(path, pathsz, "%s/%s", store_dir(cfg), hex) >= pathsz)
		return pj_fail(err, PJ_E_CONFIG, "offline_dir path too long");
	return PJ_OK;
}

/* Lock the store (dir/.lock); the descriptor, or -1 with err set. */
static int lock_store(const struct pj_config *cfg, struct pj_err *err)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/.lock", store_dir(cfg)) >= sizeof(path)) {
		pj_fail(err, PJ_E_CONFIG, "offline_dir path too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		pj_fail(err, PJ_E_UNAVAILABLE, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (pj_lock_wait(fd, cfg->http_timeout * 1000) != 0) {
		pj_fail(err, PJ_E_UNAVAILABLE, "cannot lock the PIN store: %s",
		        errno == EWOULDBLOCK ? "held for too long" : strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void unlock_store(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

static int64_t get_int(const struct json_object *o, const char *name)
{
	int64_t v = 0;

	return pj_json_get_date(o, name, &v) == 1 ? v : 0;
}

static const char *get_str(const struct json_object *o, const char *name)
{
	const char *s = NULL;
	size_t n = 0;

	if (pj_json_get_string(o, name, &s, &n) != 1 || memchr(s, '\0', n) != NULL)
		return NULL;
	return s;
}

/* Read user's record into *rec (NULL when there is none).  A record
 * that is not ours (another user's name in it, wrong types) is damage. */
static enum pj_status read_record(const char *path, const char *user, struct json_object **rec,
                                  struct pj_err *err)
{
	struct json_object *o = NULL, *c = NULL;
	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	const char *u;
	enum pj_status st;

	*rec = NULL;
	st = pj_read_secret_file(path, PJ_OFFLINE_RECORD_MAX, &buf, &len, err);
	if (st == PJ_E_UNAVAILABLE && lstat(path, &sb) != 0 && errno == ENOENT)
		return PJ_OK;
	if (st != PJ_OK)
		return st;
	st = pj_json_parse(buf, len, PJ_JSON_MAX_DEPTH, &o, err);
	pj_free_secret(buf, len + 1);
	if (st != PJ_OK)
		return pj_fail(err, PJ_E_CONFIG, "PIN record %s is damaged", path);
	u = get_str(o, "user");
	if (u == NULL || strcmp(u, user) != 0 || get_str(o, "iss") == NULL ||
	    get_str(o, "sub") == NULL || !json_object_object_get_ex(o, "claims", &c) ||
	    !json_object_is_type(c, json_type_object)) {
		json_object_put(o);
		return pj_fail(err, PJ_E_CONFIG, "PIN record %s is damaged", path);
	}
	*rec = o;
	return PJ_OK;
}

/* Write rec to path atomically (a new 0600 file renamed over it). */
static enum pj_status write_record(const struct pj_config *cfg, const char *path,
                                   const struct json_object *rec, struct pj_err *err)
{
	const char *text =
	        json_object_to_json_string_ext((struct json_object *)rec, JSON_C_TO_STRING_PLAIN);
	char tmp[4096];
	int fd;

	if (text == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.new.XXXXXX", store_dir(cfg)) >= sizeof(tmp))
		return pj_fail(err, PJ_E_CONFIG, "offline_dir path too long");
	if ((fd = mkstemp(tmp)) < 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot write in %s: %s", store_dir(cfg),
		               strerror(errno));
	if (fchmod(fd, 0600) != 0 || pj_write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		close(fd); /* EBADF after a close above: harmless */
		unlink(tmp);
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot write the PIN store: %s",
		               strerror(e));
	}
	return PJ_OK;
}

static int set_int(struct json_object *o, const char *name, int64_t v)
{
	return json_object_object_add(o, name, json_object_new_int64(v));
}

static int set_str(struct json_object *o, const char *name, const char *v)
{
	struct json_object *s = json_object_new_string(v);

	return s == NULL || json_object_object_add(o, name, s) != 0;
}

/* The yescrypt hash of pin[0..len) with a new salt into out[outsz]. */
static enum pj_status hash_pin(const char *pin, size_t len, char *out, size_t outsz,
                               struct pj_err *err)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], *copy = NULL;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	enum pj_status st = PJ_OK;

	if (cd == NULL || (copy = calloc(1, len + 1)) == NULL) {
		free(cd);
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	memcpy(copy, pin, len);
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_r(copy, salt, cd)) == NULL || h[0] != '$' || strlen(h) >= outsz)
		st = pj_fail(err, PJ_E_INTERNAL, "cannot hash the PIN (libcrypt has no yescrypt?)");
	else
		memcpy(out, h, strlen(h) + 1);
	pj_free_secret(copy, len + 1);
	pj_free_secret(cd, sizeof(*cd));
	return st;
}

/* 1 when pin[0..len) matches hash (a "$y$" one). */
static int pin_matches(const char *hash, const char *pin, size_t len)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char *copy = calloc(1, len + 1);
	const char *h;
	int ok = 0;

	if (cd != NULL && copy != NULL && strncmp(hash, "$y$", 3) == 0) {
		memcpy(copy, pin, len);
		h = crypt_r(copy, hash, cd);
		ok = h != NULL && h[0] == '$' && strlen(h) == strlen(hash) &&
		     CRYPTO_memcmp(h, hash, strlen(hash)) == 0;
	}
	if (copy != NULL)
		pj_free_secret(copy, len + 1);
	if (cd != NULL)
		pj_free_secret(cd, sizeof(*cd));
	return ok;
}

/* Does rec belong to the identity of claims? */
static int same_identity(const struct json_object *rec, const struct json_object *claims)
{
	const char *a = get_str(rec, "iss"), *b = get_str(rec, "sub");
	const char *c = get_str(claims, "iss"), *d = get_str(claims, "sub");

	return a && b && c && d && strcmp(a, c) == 0 && strcmp(b, d) == 0;
}

enum pj_status pj_offline_record(const struct pj_config *cfg, const char *user,
                                 const struct json_object *claims, int64_t now, const char *pin,
                                 size_t pinlen, struct pj_err *err)
{
	struct json_object *rec = NULL, *copy = NULL;
	char path[4096], hash[256];
	int lock = -1;
	enum pj_status st;

	if (cfg->offline_max == 0)
		return PJ_OK;
	if (pin != NULL && !pj_pin_valid(pin, pinlen))
		return pj_fail(err, PJ_E_FORMAT,
		               "a PIN has %d to %d characters, no control "
		               "characters, and does not start with eyJ",
		               PJ_PIN_MIN, PJ_PIN_MAX);
	if (get_str(claims, "iss") == NULL || get_str(claims, "sub") == NULL)
		return pj_fail(err, PJ_E_CLAIM, "token has no iss or sub string");
	hash[0] = '\0';
	if (pin != NULL && (st = hash_pin(pin, pinlen, hash, sizeof(hash), err)) != PJ_OK)
		return st;
	if ((st = open_dir(cfg, 1, err)) != PJ_OK ||
	    (st = record_path(cfg, user, path, sizeof(path), err)) != PJ_OK)
		return st;
	if ((lock = lock_store(cfg, err)) < 0)
		return err->status;
	if ((st = read_record(path, user, &rec, err)) != PJ_OK)
		goto out;
	if (rec != NULL && !same_identity(rec, claims)) {
		/* the account now belongs to someone else: so does nothing of the old */
		json_object_put(rec);
		rec = NULL;
	}
	if (rec == NULL && (rec = json_object_new_object()) == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	if (json_object_deep_copy((struct json_object *)claims, &copy, NULL) != 0 ||
	    set_str(rec, "user", user) || set_str(rec, "iss", get_str(claims, "iss")) ||
	    set_str(rec, "sub", get_str(claims, "sub")) || set_int(rec, "online", now) ||
	    json_object_object_add(rec, "claims", copy) != 0 ||
	    (pin != NULL &&
	     (set_str(rec, "hash", hash) || set_int(rec, "fail", 0) || set_int(rec, "next", 0)))) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	st = write_record(cfg, path, rec, err);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	json_object_put(rec);
	unlock_store(lock);
	return st;
}

enum pj_status pj_offline_has_pin(const struct pj_config *cfg, const char *user,
                                  const struct json_object *claims, int *has, struct pj_err *err)
{
	struct json_object *rec = NULL;
	char path[4096];
	enum pj_status st;

	*has = 0;
	if (open_dir(cfg, 0, err) != PJ_OK)
		return err->status == PJ_E_CONFIG ? PJ_E_CONFIG : PJ_OK;
	if ((st = record_path(cfg, user, path, sizeof(path), err)) != PJ_OK ||
	    (st = read_record(path, user, &rec, err)) != PJ_OK)
		return st;
	*has = rec != NULL && same_identity(rec, claims) && get_str(rec, "hash") != NULL;
	json_object_put(rec);
	return PJ_OK;
}

int pj_offline_probe(const struct pj_config *cfg, struct pj_err *err)
{
	struct pj_http_opts o;
	struct pj_http_resp r;
	char url[2048];
	const char *base = cfg->jwks_uri != NULL ? cfg->jwks_uri : cfg->issuer;
	size_t n;

	if (base == NULL || strncmp(base, "https://", 8) != 0)
		return 1;
	n = strlen(base);
	if (cfg->jwks_uri != NULL)
		snprintf(url, sizeof(url), "%s", base);
	else if ((size_t)snprintf(url, sizeof(url), "%s%s", base,
	                          base[n - 1] == '/'
	                                  ? ".well-known/openid-configuration"
	                                  : "/.well-known/openid-configuration") >= sizeof(url))
		return 0;
	memset(&o, 0, sizeof(o));
	o.ca_file = cfg->ca_file;
	o.ca_dir = cfg->ca_dir;
	o.timeout_ms = (long)cfg->http_timeout * 1000;
	if (pj_fetch_request(cfg->fetch_helper, url, NULL, &o, &r, err) != PJ_OK)
		return 0;
	pj_http_resp_free(&r);
	return 1;
}

/* Revoked, or the account of the database locked or bound to another
 * identity: PJ_E_USER / PJ_E_REVOKED with the reason.  PJ_OK otherwise. */
static enum pj_status identity_usable(const struct pj_config *cfg, const char *user,
                                      const struct json_object *rec, struct pj_err *err)
{
	struct json_object *c = json_object_new_object();
	struct jdb db;
	struct jdb_user *u;
	enum pj_status st;

	memset(&db, 0, sizeof(db));
	if (c == NULL || set_str(c, "iss", get_str(rec, "iss")) ||
	    set_str(c, "sub", get_str(rec, "sub")) || set_int(c, "iat", get_int(rec, "online"))) {
		json_object_put(c);
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	st = pj_revocation_check(cfg, c, err);
	json_object_put(c);
	if (st != PJ_OK)
		return st;
	if ((st = pj_acct_load(cfg, &db, err)) != PJ_OK)
		return st;
	u = jdb_user_by_name(&db, user);
	if (u != NULL && (u->flags & JDB_USER_LOCKED) != 0)
		st = pj_fail(err, PJ_E_USER, "account %s is locked", user);
	else if (u != NULL &&
	         (u->iss == NULL || u->sub == NULL || strcmp(u->iss, get_str(rec, "iss")) != 0 ||
	          strcmp(u->sub, get_str(rec, "sub")) != 0))
		st = pj_fail(err, PJ_E_USER, "account %s is bound to another identity", user);
	jdb_free(&db);
	return st;
}

/* The seconds no PIN is checked after n wrong ones in a row. */
static int64_t delay_after(int64_t n)
{
	return n >= 12                              ? PJ_PIN_DELAY_MAX
	       : (int64_t)1 << n > PJ_PIN_DELAY_MAX ? PJ_PIN_DELAY_MAX
	                                            : (int64_t)1 << n;
}

/* The checks before the hash, in order (see offline.h); PJ_OK with
 * r->verdict PJ_PIN_OK when the hash may be compared. */
static enum pj_status pin_gate(const struct pj_config *cfg, const char *user,
                               const struct json_object *rec, int64_t now, struct pj_pin_result *r,
                               struct pj_err *err)
{
	int64_t online = get_int(rec, "online"), next = get_int(rec, "next");
	enum pj_status st;

	if (cfg->offline_max == 0 || cfg->offline_pin == 2 || get_str(rec, "hash") == NULL) {
		r->verdict = PJ_PIN_NONE;
		return pj_fail(err, PJ_OK, "no offline PIN for %s", user);
	}
	if (now - online > cfg->offline_max || online > now + cfg->leeway) {
		r->verdict = PJ_PIN_NONE;
		return pj_fail(err, PJ_OK, "last online sign-in %lld s ago, offline_max is %lld s",
		               (long long)(now - online), (long long)cfg->offline_max);
	}
	st = identity_usable(cfg, user, rec, err);
	if (st == PJ_E_REVOKED || st == PJ_E_USER) {
		r->verdict = PJ_PIN_REFUSED;
		return PJ_OK;
	}
	if (st != PJ_OK)
		return st;
	if (now < next) {
		r->verdict = PJ_PIN_WAIT;
		r->wait = next - now;
		return pj_fail(err, PJ_OK, "too soon after a wrong PIN: %lld s to wait",
		               (long long)r->wait);
	}
	if (cfg->offline_pin == 0 && pj_offline_probe(cfg, err)) {
		r->verdict = PJ_PIN_ONLINE;
		return pj_fail(err, PJ_OK, "the auth center answers: the PIN is for offline use");
	}
	r->verdict = PJ_PIN_OK;
	return PJ_OK;
}

enum pj_status pj_offline_check(const struct pj_config *base, const char *user, const char *pin,
                                size_t len, int64_t now, struct pj_pin_result *r,
                                struct pj_err *err)
{
	struct json_object *rec = NULL, *claims = NULL;
	struct pj_config routed;
	int have_routed = 0, lock = -1;
	char path[4096];
	const char *iss;
	int64_t fail;
	enum pj_status st;

	memset(r, 0, sizeof(*r));
	memset(&routed, 0, sizeof(routed));
	r->verdict = PJ_PIN_NONE;
	if ((st = open_dir(base, 0, err)) != PJ_OK)
		return st == PJ_E_UNAVAILABLE ? pj_fail(err, PJ_OK, "no PIN store") : st;
	if ((st = record_path(base, user, path, sizeof(path), err)) != PJ_OK)
		return st;
	if ((lock = lock_store(base, err)) < 0)
		return err->status;
	if ((st = read_record(path, user, &rec, err)) != PJ_OK)
		goto out;
	if (rec == NULL) {
		st = pj_fail(err, PJ_OK, "no offline PIN for %s", user);
		goto out;
	}
	iss = get_str(rec, "iss");
	pj_sanitize(r->iss, sizeof(r->iss), iss, strlen(iss));
	pj_sanitize(r->sub, sizeof(r->sub), get_str(rec, "sub"), strlen(get_str(rec, "sub")));
	if (base->n_sections > 0) {
		if ((st = pj_config_for_issuer(base, iss, strlen(iss), &routed, err)) != PJ_OK)
			goto out;
		have_routed = 1;
	}
	if ((st = pin_gate(have_routed ? &routed : base, user, rec, now, r, err)) != PJ_OK ||
	    r->verdict != PJ_PIN_OK)
		goto out;
	/* count the attempt as wrong before comparing: killing the check
	 * half-way must not give a free guess */
	fail = get_int(rec, "fail") + 1;
	if (set_int(rec, "fail", fail) || set_int(rec, "next", now + delay_after(fail))) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = write_record(base, path, rec, err)) != PJ_OK)
		goto out;
	if (!pin_matches(get_str(rec, "hash"), pin, len)) {
		r->verdict = PJ_PIN_WRONG;
		if (fail >= PJ_PIN_MAX_FAILURES)
			json_object_object_del(rec, "hash");
		st = write_record(base, path, rec, err);
		pj_fail(err, PJ_OK, "wrong PIN (%lld in a row%s)", (long long)fail,
		        fail >= PJ_PIN_MAX_FAILURES ? ", PIN erased" : "");
		goto out;
	}
	if (set_int(rec, "fail", 0) || set_int(rec, "next", 0) ||
	    !json_object_object_get_ex(rec, "claims", &claims) ||
	    (st = write_record(base, path, rec, err)) != PJ_OK) {
		st = st != PJ_OK ? st : pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	r->claims = json_object_get(claims);
	r->verdict = PJ_PIN_OK;
out:
	if (st != PJ_OK)
		r->verdict = PJ_PIN_NONE;
	if (have_routed)
		pj_config_free(&routed);
	json_object_put(rec);
	unlock_store(lock);
	return st;
}
