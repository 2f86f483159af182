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

#include "pj_json.h"
#include "safefile.h"
#include "state.h"
#include "textline.h"

#define LINE_LEN 84 /* "EXPIRY HASH\n": up to 18 digits, space, 64 hex, newline */

/* ---- revocation list ---- */

struct rev_line {
	const char *jti, *sub, *iss;
	size_t jti_len, sub_len, iss_len;
	int64_t before;
	int has_before;
};

/* Parse "key=value ..." words of one line; 0 when well-formed. */
static int parse_rev(const char *s, size_t len, struct rev_line *r)
{
	const char *p = s, *end = s + len;

	memset(r, 0, sizeof(*r));
	while (p < end) {
		const char *w = p, *eq;
		size_t wn;

		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		for (wn = 0; w + wn < end && w[wn] != ' ' && w[wn] != '\t'; wn++)
			;
		p = w + wn;
		if (wn == 0)
			continue;
		if (*w == '#')
			break; /* a comment to the end of the line */
		eq = memchr(w, '=', wn);
		if (eq == NULL || eq == w + wn - 1)
			return -1;
#define WORD(name) ((size_t)(eq - w) == sizeof(name) - 1 && memcmp(w, name, sizeof(name) - 1) == 0)
		if (WORD("jti") && r->jti == NULL) {
			r->jti = eq + 1;
			r->jti_len = (size_t)(w + wn - eq - 1);
		} else if (WORD("sub") && r->sub == NULL) {
			r->sub = eq + 1;
			r->sub_len = (size_t)(w + wn - eq - 1);
		} else if (WORD("iss") && r->iss == NULL) {
			r->iss = eq + 1;
			r->iss_len = (size_t)(w + wn - eq - 1);
		} else if (WORD("before") && !r->has_before) {
			char num[24], *e = NULL;
			size_t n = (size_t)(w + wn - eq - 1);

			if (n >= sizeof(num) || strspn(eq + 1, "0123456789") < n)
				return -1;
			memcpy(num, eq + 1, n);
			num[n] = '\0';
			errno = 0;
			r->before = strtoll(num, &e, 10);
			if (errno != 0 || *e != '\0')
				return -1;
			r->has_before = 1;
		} else {
			return -1;
		}
#undef WORD
	}
	/* exactly one of jti / sub; before only with sub */
	if ((r->jti == NULL) == (r->sub == NULL) || (r->jti != NULL && r->has_before))
		return -1;
	return 0;
}

int pj_revocation_line_valid(const char *line, size_t len)
{
	struct rev_line r;

	return parse_rev(line, len, &r);
}

/* claims NULL (only checking the file): never. */
static int claim_is(const struct json_object *claims, const char *name, const char *v, size_t vlen)
{
	const char *s = NULL;
	size_t slen = 0;

	return claims != NULL && pj_json_get_string(claims, name, &s, &slen) == 1 && slen == vlen &&
	       memcmp(s, v, vlen) == 0;
}

enum pj_status pj_revocation_file_check(const struct pj_config *cfg, struct pj_err *err)
{
	return pj_revocation_check(cfg, NULL, err);
}

enum pj_status pj_revocation_check(const struct pj_config *cfg, const struct json_object *claims,
                                   struct pj_err *err)
{
	const char *p, *end, *s = NULL;
	size_t n = 0;
	char *text = NULL;
	size_t len = 0;
	unsigned lineno = 0;
	int64_t iat = 0;
	enum pj_status st;

	if (cfg->revocation_file == NULL)
		return PJ_OK;
	st = pj_read_file(cfg->revocation_file, PJ_REVOCATION_FILE_MAX, &text, &len, err);
	if (st != PJ_OK)
		return st == PJ_E_UNAVAILABLE ? PJ_E_CONFIG : st;
	if (claims == NULL || pj_json_get_date(claims, "iat", &iat) != 1)
		iat = 0;
	st = PJ_OK;
	p = text;
	end = text + len;
	if (memchr(text, '\0', len) != NULL) {
		free(text);
		return pj_fail(err, PJ_E_CONFIG, "%s: contains a NUL byte", cfg->revocation_file);
	}
	while (st == PJ_OK && pj_next_text_line(&p, end, &lineno, &s, &n)) {
		struct rev_line r;

		if (parse_rev(s, n, &r) != 0) {
			st = pj_fail(err, PJ_E_CONFIG,
			             "%s:%u: expected jti=ID or sub=SUB [before=EPOCH] [iss=URL]",
			             cfg->revocation_file, lineno);
			break;
		}
		if (r.iss != NULL && !claim_is(claims, "iss", r.iss, r.iss_len))
			continue;
		if (r.jti != NULL && claim_is(claims, "jti", r.jti, r.jti_len))
			st = pj_fail(err, PJ_E_REVOKED, "token revoked by %s:%u",
			             cfg->revocation_file, lineno);
		else if (r.sub != NULL && claim_is(claims, "sub", r.sub, r.sub_len) &&
		         (!r.has_before || iat < r.before))
			st = pj_fail(err, PJ_E_REVOKED, "tokens of this subject revoked by %s:%u",
			             cfg->revocation_file, lineno);
	}
	free(text);
	return st;
}

/* ---- replay store ---- */

static enum pj_status state_dir(const char *dir, struct pj_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot create %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return pj_fail(err, PJ_E_CONFIG, "%s is not a directory only root can write", dir);
	/* and no one else may rename it away (a fresh, empty store) */
	return pj_check_parents(dir, err);
}

static int hash_id(const char *iss, size_t isslen, const char *jti, size_t jtilen, char hex[65])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[32];
	unsigned int mdlen = 0, i;
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
	         EVP_DigestUpdate(c, iss, isslen) && EVP_DigestUpdate(c, "", 1) &&
	         EVP_DigestUpdate(c, jti, jtilen) && EVP_DigestFinal_ex(c, md, &mdlen) &&
	         mdlen == 32;

	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The store line at p (before end): "EXPIRY HASH\n", EXPIRY 1 to 18
 * digits (no sign, no space: only what is written below), HASH 64
 * lower-case hex digits.  Sets *t and *hash and returns the next line, or
 * NULL when the line is not in that form.  Every login reads every live
 * line: one table lookup a character, no branch, no strtoll or strspn. */
static const char *store_line(const char *p, const char *end, long long *t, const char **hash)
{
	static const unsigned char lower_hex[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
		['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
		['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	};
	long long v = 0;
	size_t digits = 0, k;
	unsigned all_hex = 1;

	while (p < end && *p >= '0' && *p <= '9' && digits < 18) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || end - p < 66 || p[0] != ' ' || p[65] != '\n')
		return NULL;
	for (k = 1; k <= 64; k++)
		all_hex &= lower_hex[(unsigned char)p[k]];
	if (!all_hex)
		return NULL;
	*t = v;
	*hash = p + 1;
	return p + 66;
}

/* Write the live entries of text plus the new line to path atomically. */
static enum pj_status rewrite(const char *dir, const char *path, const char *text, size_t len,
                              int64_t now, const char *add, struct pj_err *err)
{
	char tmp[4096];
	const char *p, *end = text + len;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.replay.XXXXXX", dir) >= sizeof(tmp))
		return pj_fail(err, PJ_E_CONFIG, "replay_dir path too long");
	fd = mkstemp(tmp);
	if (fd < 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot write in %s: %s", dir,
		               strerror(errno));
	for (p = text; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(eol - p) + 1;

		if (strtoll(p, NULL, 10) >= now && pj_write_all(fd, p, n) != 0)
			goto fail;
		p += n;
	}
	if (pj_write_all(fd, add, strlen(add)) != 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		fd = -1;
		goto fail;
	}
	return PJ_OK;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return pj_fail(err, PJ_E_UNAVAILABLE, "cannot update %s: %s", path, strerror(errno));
}

enum pj_status pj_replay_check(const struct pj_config *cfg, const struct json_object *claims,
                               int64_t now, int record, struct pj_err *err)
{
	const char *jti = NULL, *iss = NULL, *p, *end;
	size_t jtilen = 0, isslen = 0, len = 0, live = 0, expired = 0;
	char path[4096], lockpath[4096], hex[65], add[LINE_LEN + 1], *text = NULL;
	int64_t exp = 0;
	int lock = -1, fd;
	struct stat sb;
	enum pj_status st;

	if (pj_json_get_string(claims, "jti", &jti, &jtilen) != 1 || jtilen == 0 || jtilen > 256)
		return pj_fail(err, PJ_E_CLAIM, "replay protection needs a jti claim (a string)");
	if (pj_json_get_date(claims, "exp", &exp) != 1)
		return pj_fail(err, PJ_E_CLAIM, "replay protection needs an exp claim");
	if (pj_json_get_string(claims, "iss", &iss, &isslen) != 1)
		return pj_fail(err, PJ_E_CLAIM, "token has no iss");
	if (hash_id(iss, isslen, jti, jtilen, hex) != 0)
		return pj_fail(err, PJ_E_INTERNAL, "cannot hash the jti");
	if ((size_t)snprintf(path, sizeof(path), "%s/replay", cfg->replay_dir) >= sizeof(path) ||
	    (size_t)snprintf(lockpath, sizeof(lockpath), "%s/replay.lock", cfg->replay_dir) >=
	            sizeof(lockpath))
		return pj_fail(err, PJ_E_CONFIG, "replay_dir path too long");
	if ((st = state_dir(cfg->replay_dir, err)) != PJ_OK)
		return st;
	lock = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot open %s: %s", lockpath,
		               strerror(errno));
	/* bounded: a stopped login holding the lock must not hold them all */
	if (pj_lock_wait(lock, cfg->http_timeout * 1000) != 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot lock %s: %s", lockpath,
		             errno == EWOULDBLOCK ? "held by another login for too long"
		                                  : strerror(errno));
		close(lock);
		lock = -1;
		goto out;
	}
	st = pj_read_file(path, cfg->replay_max_entries * LINE_LEN * 2 + LINE_LEN, &text, &len,
	                  err);
	/* only a store that does not exist is an empty one (stat, unlike
	 * access, asks as the effective user: sudo's real user sees nothing) */
	if (st == PJ_E_UNAVAILABLE && stat(path, &sb) != 0 && errno == ENOENT) {
		text = NULL;
		len = 0;
	} else if (st != PJ_OK) {
		goto out;
	}
	/* Every line is "EXPIRY HASH"; anything else means the store was
	 * damaged, and a damaged store cannot vouch for anything. */
	for (p = text, end = text + len; p < end;) {
		const char *hash = NULL;
		long long t = 0;

		if ((p = store_line(p, end, &t, &hash)) == NULL) {
			st = pj_fail(err, PJ_E_CONFIG, "replay store %s is damaged", path);
			goto out;
		}
		if (t < now) {
			expired++;
		} else {
			live++;
			if (memcmp(hash, hex, 64) == 0) {
				st = pj_fail(err, PJ_E_REPLAY,
				             "token (jti) already used on this host");
				goto out;
			}
		}
	}
	st = PJ_OK;
	if (!record)
		goto out;
	if (live >= cfg->replay_max_entries) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "replay store is full (%zu live entries)",
		             live);
		goto out;
	}
	snprintf(add, sizeof(add), "%lld %s\n", (long long)(exp + cfg->leeway), hex);
	if (expired > 0 && expired * 4 >= expired + live) {
		st = rewrite(cfg->replay_dir, path, text ? text : "", len, now, add, err);
		goto out;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || pj_write_all(fd, add, strlen(add)) != 0 || fsync(fd) != 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write the replay store %s: %s", path,
		             strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (close(fd) != 0)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cannot write the replay store %s", path);
out:
	free(text);
	if (lock >= 0) {
		flock(lock, LOCK_UN);
		close(lock);
	}
	return st;
}

/* ---- introspection answers (introspect.c) ---- */

/* The store's path and the token's key (hash of iss and jti); 0 when the
 * token has both claims, -1 when it cannot be cached. */
static int answer_key(const struct pj_config *cfg, const struct json_object *claims,
                      char path[4096], char hex[65])
{
	const char *jti = NULL, *iss = NULL;
	size_t jtilen = 0, isslen = 0;

	if (pj_json_get_string(claims, "jti", &jti, &jtilen) != 1 || jtilen == 0 || jtilen > 256 ||
	    pj_json_get_string(claims, "iss", &iss, &isslen) != 1 ||
	    hash_id(iss, isslen, jti, jtilen, hex) != 0)
		return -1;
	return (size_t)snprintf(path, 4096, "%s/introspect", cfg->replay_dir) < 4096 ? 0 : -1;
}

int pj_answer_cached(const struct pj_config *cfg, const struct json_object *claims, int64_t now)
{
	char path[4096], hex[65], *text = NULL;
	const char *p, *end;
	size_t len = 0;
	int hit = 0;
	struct pj_err err;

	if (cfg->introspect_cache <= 0 || answer_key(cfg, claims, path, hex) != 0 ||
	    state_dir(cfg->replay_dir, &err) != PJ_OK ||
	    pj_read_file(path, 1024 * 1024, &text, &len, &err) != PJ_OK)
		return 0;
	for (p = text, end = text + len; p != NULL && p < end && !hit;) {
		const char *hash = NULL;
		long long t = 0;

		if ((p = store_line(p, end, &t, &hash)) == NULL)
			break; /* damaged: no answer from it */
		/* never longer than the configured time, whatever the file says */
		hit = t >= now && t <= now + cfg->introspect_cache && memcmp(hash, hex, 64) == 0;
	}
	free(text);
	return hit;
}

void pj_answer_keep(const struct pj_config *cfg, const struct json_object *claims, int64_t now,
                    int64_t until)
{
	char path[4096], hex[65], add[LINE_LEN + 1], *text = NULL;
	const char *p, *end;
	size_t len = 0;
	struct pj_err err;

	if (cfg->introspect_cache <= 0 || answer_key(cfg, claims, path, hex) != 0 ||
	    state_dir(cfg->replay_dir, &err) != PJ_OK)
		return;
	if (until > now + cfg->introspect_cache)
		until = now + cfg->introspect_cache;
	if (pj_read_file(path, 1024 * 1024, &text, &len, &err) != PJ_OK)
		len = 0;
	/* a damaged file is replaced by the new answer alone */
	for (p = text, end = text + len; p != NULL && p < end;) {
		const char *hash = NULL;
		long long t = 0;

		if ((p = store_line(p, end, &t, &hash)) == NULL)
			len = 0;
	}
	snprintf(add, sizeof(add), "%lld %s\n", (long long)until, hex);
	/* no lock: a lost answer only costs one more request */
	(void)rewrite(cfg->replay_dir, path, text != NULL && len > 0 ? text : "", len, now, add,
	              &err);
	free(text);
}
