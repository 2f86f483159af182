#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetchwire.h"
#include "proxy.h"

#define ABSENT 0xffffffffu
#define NUM_MAX 24

struct wbuf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put_field(struct wbuf *w, const char *v, size_t n)
{
	unsigned char hdr[4];
	uint32_t l = v == NULL ? ABSENT : (uint32_t)n;

	hdr[0] = (unsigned char)(l >> 24);
	hdr[1] = (unsigned char)(l >> 16);
	hdr[2] = (unsigned char)(l >> 8);
	hdr[3] = (unsigned char)l;
	if (w->failed || pj_buf_append(&w->p, &w->len, &w->cap, (const char *)hdr, 4) != 0 ||
	    (v != NULL && n > 0 && pj_buf_append(&w->p, &w->len, &w->cap, v, n) != 0))
		w->failed = 1;
}

static void put_str(struct wbuf *w, const char *s)
{
	put_field(w, s, s != NULL ? strlen(s) : 0);
}

static void put_num(struct wbuf *w, long long v)
{
	char num[NUM_MAX];
	int n = snprintf(num, sizeof(num), "%lld", v);

	put_field(w, num, (size_t)n);
}

static enum pj_status finish(struct wbuf *w, char **out, size_t *outlen, struct pj_err *err)
{
	if (w->failed) {
		pj_free_secret(w->p, w->cap);
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	*out = w->p;
	*outlen = w->len;
	return PJ_OK;
}

enum pj_status pj_fetchwire_req_encode(const char *url, const char *form,
                                       const struct pj_http_opts *o, char **out, size_t *outlen,
                                       struct pj_err *err)
{
	struct wbuf w = { NULL, 0, 0, 0 };
	size_t total = strlen(url) + (form ? strlen(form) : 0) +
	               (o->ca_file ? strlen(o->ca_file) : 0) + (o->ca_dir ? strlen(o->ca_dir) : 0) +
	               (o->proxy ? strlen(o->proxy) : 0) + (o->no_proxy ? strlen(o->no_proxy) : 0);

	if (strlen(url) > PJ_FETCH_URL_MAX || total > PJ_FETCH_REQ_MAX - 256)
		return pj_fail(err, PJ_E_TOO_LARGE, "request to the auth center is too large");
	if (pj_buf_append(&w.p, &w.len, &w.cap, "PJF2", 4) != 0)
		w.failed = 1;
	put_str(&w, url);
	put_str(&w, form);
	put_str(&w, o->ca_file);
	put_str(&w, o->ca_dir);
	put_num(&w, o->timeout_ms);
	put_num(&w, (long long)(o->max_body ? o->max_body : PJ_HTTP_MAX_BODY));
	put_str(&w, o->proxy);
	put_str(&w, o->no_proxy);
	return finish(&w, out, outlen, err);
}

enum pj_status pj_fetchwire_resp_encode(enum pj_status result, const struct pj_http_resp *resp,
                                        const char *reason, char **out, size_t *outlen,
                                        struct pj_err *err)
{
	struct wbuf w = { NULL, 0, 0, 0 };

	if (pj_buf_append(&w.p, &w.len, &w.cap, "PJR1", 4) != 0)
		w.failed = 1;
	put_num(&w, (long long)result);
	if (result == PJ_OK) {
		put_num(&w, resp->status);
		put_num(&w, resp->max_age);
		put_field(&w, resp->body, resp->len);
	} else {
		put_num(&w, 0);
		put_num(&w, -1);
		put_str(&w, reason != NULL ? reason : "");
	}
	return finish(&w, out, outlen, err);
}

/* A reader over a frame: each get_* takes the next field. */
struct rbuf {
	const unsigned char *p;
	size_t len, pos;
};

/* The next field: 1 with *v, *n (v NULL when absent), 0 when malformed. */
static int get_field(struct rbuf *r, const char **v, size_t *n, size_t max)
{
	uint32_t l;

	if (r->len - r->pos < 4)
		return 0;
	l = (uint32_t)r->p[r->pos] << 24 | (uint32_t)r->p[r->pos + 1] << 16 |
	    (uint32_t)r->p[r->pos + 2] << 8 | (uint32_t)r->p[r->pos + 3];
	r->pos += 4;
	if (l == ABSENT) {
		*v = NULL;
		*n = 0;
		return 1;
	}
	if (l > max || l > r->len - r->pos)
		return 0;
	*v = (const char *)r->p + r->pos;
	*n = l;
	r->pos += l;
	return 1;
}

/* A present string field without NUL bytes, copied (absent allowed when
 * optional). */
static int get_str(struct rbuf *r, char **out, size_t max, int optional)
{
	const char *v;
	size_t n;

	*out = NULL;
	if (!get_field(r, &v, &n, max))
		return 0;
	if (v == NULL)
		return optional;
	if (memchr(v, '\0', n) != NULL)
		return 0;
	*out = strndup(v, n);
	return *out != NULL;
}

/* A decimal number in [min, max]: an optional '-', 1..18 digits, no
 * leading zero. */
static int get_num(struct rbuf *r, long long min, long long max, long long *out)
{
	const char *v;
	size_t n, i = 0;
	long long x = 0;
	int neg = 0;

	if (!get_field(r, &v, &n, NUM_MAX) || v == NULL || n == 0)
		return 0;
	if (v[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (n - i == 0 || n - i > 18 || (v[i] == '0' && n - i > 1) || (neg && v[i] == '0'))
		return 0;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		x = x * 10 + (v[i] - '0');
	}
	if (neg)
		x = -x;
	if (x < min || x > max)
		return 0;
	*out = x;
	return 1;
}

void pj_fetchwire_req_free(struct pj_fetch_req *req)
{
	if (req == NULL)
		return;
	free(req->url);
	if (req->form != NULL)
		pj_free_secret(req->form, strlen(req->form) + 1);
	free(req->ca_file);
	free(req->ca_dir);
	free(req->proxy);
	free(req->no_proxy);
	memset(req, 0, sizeof(*req));
}

enum pj_status pj_fetchwire_req_decode(const char *buf, size_t len, struct pj_fetch_req *req,
                                       struct pj_err *err)
{
	struct rbuf r = { (const unsigned char *)buf, len, 4 };
	struct pj_fetch_req q;
	long long t = 0, mb = 0;

	memset(&q, 0, sizeof(q));
	memset(req, 0, sizeof(*req));
	if (len < 4 || memcmp(buf, "PJF2", 4) != 0 || len > PJ_FETCH_REQ_MAX ||
	    !get_str(&r, &q.url, PJ_FETCH_URL_MAX, 0) || !get_str(&r, &q.form, len, 1) ||
	    !get_str(&r, &q.ca_file, PJ_FETCH_PATH_MAX, 1) ||
	    !get_str(&r, &q.ca_dir, PJ_FETCH_PATH_MAX, 1) || !get_num(&r, 1, 600000, &t) ||
	    !get_num(&r, 1, 64LL * 1024 * 1024, &mb) || !get_str(&r, &q.proxy, PJ_PROXY_MAX, 1) ||
	    !get_str(&r, &q.no_proxy, PJ_NO_PROXY_MAX, 1) || r.pos != len) {
		pj_fetchwire_req_free(&q);
		return pj_fail(err, PJ_E_FORMAT, "malformed request frame");
	}
	q.timeout_ms = (long)t;
	q.max_body = (size_t)mb;
	*req = q;
	return PJ_OK;
}

enum pj_status pj_fetchwire_resp_decode(const char *buf, size_t len, size_t max_body,
                                        struct pj_http_resp *resp, struct pj_err *err)
{
	struct rbuf r = { (const unsigned char *)buf, len, 4 };
	long long result = 0, status = 0, max_age = 0;
	const char *v = NULL;
	size_t n = 0;
	char why[PJ_REASON_MAX];

	memset(resp, 0, sizeof(*resp));
	if (len < 4 || memcmp(buf, "PJR1", 4) != 0 ||
	    !get_num(&r, 0, (long long)PJ_E_INTERNAL, &result) || !get_num(&r, 0, 999, &status) ||
	    !get_num(&r, -1, 100000000, &max_age) ||
	    !get_field(&r, &v, &n, result == PJ_OK ? max_body : 4096) || v == NULL ||
	    r.pos != len || (result == PJ_OK && (status < 100 || status > 599)))
		return pj_fail(err, PJ_E_FORMAT, "the fetch helper sent a malformed answer");
	if (result != PJ_OK) {
		/* the reason can carry text from the auth center */
		pj_sanitize(why, sizeof(why), v, n);
		return pj_fail(err, (enum pj_status)result, "%s", why);
	}
	resp->body = malloc(n + 1);
	if (resp->body == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	memcpy(resp->body, v, n);
	resp->body[n] = '\0';
	resp->len = n;
	resp->status = (long)status;
	resp->max_age = max_age;
	return PJ_OK;
}

void pj_http_resp_free(struct pj_http_resp *resp)
{
	if (resp == NULL)
		return;
	pj_free_secret(resp->body, resp->len + 1);
	memset(resp, 0, sizeof(*resp));
}
