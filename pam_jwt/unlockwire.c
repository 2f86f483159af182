#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "offline.h"
#include "unlockwire.h"

static size_t be16(const char *p)
{
	return ((size_t)(unsigned char)p[0] << 8) | (unsigned char)p[1];
}

/* Is s[0..n) a secret the verb may carry in that place? */
static int secret_ok(char verb, int second, const char *s, size_t n)
{
	size_t max = (verb == 'P' || second) ? PJ_PIN_MAX : PJ_UNLOCK_TOKEN_MAX;

	if (second && verb != 'S')
		return n == 0;
	return n > 0 && n <= max && memchr(s, '\0', n) == NULL;
}

/* Refuse: nothing of the frame is handed out. */
static enum pj_status refuse(struct pj_unlock_req *req, struct pj_err *err, const char *why)
{
	memset(req, 0, sizeof(*req));
	return pj_fail(err, PJ_E_FORMAT, "%s", why);
}

enum pj_status pj_unlock_parse(const char *buf, size_t len, struct pj_unlock_req *req,
                               struct pj_err *err)
{
	size_t off;

	memset(req, 0, sizeof(*req));
	if (len < 9 || memcmp(buf, PJ_UNLOCK_MAGIC, 4) != 0)
		return refuse(req, err, "not an unlock request");
	req->verb = buf[4];
	if (req->verb != 'T' && req->verb != 'P' && req->verb != 'S')
		return refuse(req, err, "unknown request");
	req->len1 = be16(buf + 5);
	off = 7;
	if (len - off < req->len1 + 2)
		return refuse(req, err, "request cut short");
	req->secret1 = buf + off;
	off += req->len1;
	req->len2 = be16(buf + off);
	off += 2;
	if (len - off != req->len2)
		return refuse(req, err, "request of the wrong length");
	req->secret2 = buf + off;
	if (!secret_ok(req->verb, 0, req->secret1, req->len1) ||
	    !secret_ok(req->verb, 1, req->secret2, req->len2))
		return refuse(req, err, "secret of a refused size or with a NUL byte");
	return PJ_OK;
}

enum pj_status pj_unlock_frame(char verb, const char *s1, size_t l1, const char *s2, size_t l2,
                               char **out, size_t *outlen, struct pj_err *err)
{
	struct pj_unlock_req check;
	size_t n = 4 + 1 + 2 + l1 + 2 + l2;
	char *p;

	*out = NULL;
	if (l1 > PJ_UNLOCK_TOKEN_MAX || l2 > PJ_PIN_MAX)
		return pj_fail(err, PJ_E_TOO_LARGE, "secret too long for the unlock helper");
	if ((p = malloc(n)) == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	memcpy(p, PJ_UNLOCK_MAGIC, 4);
	p[4] = verb;
	p[5] = (char)(l1 >> 8);
	p[6] = (char)(l1 & 0xff);
	if (l1 > 0)
		memcpy(p + 7, s1, l1);
	p[7 + l1] = (char)(l2 >> 8);
	p[8 + l1] = (char)(l2 & 0xff);
	if (l2 > 0)
		memcpy(p + 9 + l1, s2, l2);
	if (pj_unlock_parse(p, n, &check, err) != PJ_OK) {
		pj_free_secret(p, n);
		return err->status;
	}
	*out = p;
	*outlen = n;
	return PJ_OK;
}
