#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"

struct sink {
	char *buf;
	size_t len, cap, max;
	int too_big;
	int64_t max_age;
};

static size_t on_body(char *data, size_t size, size_t n, void *vs)
{
	struct sink *s = vs;
	size_t add = size * n;

	if (add > s->max - s->len) {
		s->too_big = 1;
		return 0; /* makes libcurl abort the transfer */
	}
	if (s->len + add + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *nb;

		while (cap < s->len + add + 1)
			cap *= 2;
		nb = malloc(cap);
		if (nb == NULL)
			return 0;
		if (s->buf != NULL) {
			memcpy(nb, s->buf, s->len);
			pj_free_secret(s->buf, s->cap);
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

/* Cache-Control: ... max-age=N ... ; no-store / no-cache count as 0. */
static size_t on_header(char *data, size_t size, size_t n, void *vs)
{
	struct sink *s = vs;
	size_t len = size * n, i;
	static const char name[] = "cache-control:";

	if (len < sizeof(name) - 1 || strncasecmp(data, name, sizeof(name) - 1) != 0)
		return len;
	for (i = sizeof(name) - 1; i < len; i++) {
		if (len - i >= 8 && strncasecmp(data + i, "max-age=", 8) == 0) {
			int64_t v = 0;
			size_t j = i + 8;

			if (j >= len || !isdigit((unsigned char)data[j]))
				continue;
			while (j < len && isdigit((unsigned char)data[j]) && v < 100000000)
				v = v * 10 + (data[j++] - '0');
			s->max_age = v;
		} else if ((len - i >= 8 && strncasecmp(data + i, "no-store", 8) == 0) ||
			   (len - i >= 8 && strncasecmp(data + i, "no-cache", 8) == 0)) {
			s->max_age = 0;
			break;
		}
	}
	return len;
}

enum pj_status pj_http_request(const char *url, const char *form,
			       const struct pj_http_opts *opts, struct pj_http_resp *resp,
			       struct pj_err *err)
{
	struct sink s = { NULL, 0, 0, 0, 0, -1 };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode rc;
	long status = 0;
	enum pj_status st;

	memset(resp, 0, sizeof(*resp));
	s.max = opts->max_body ? opts->max_body : PJ_HTTP_MAX_BODY;
	if (strncmp(url, "https://", 8) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "refusing a non-https URL");
	/* Reference counted by libcurl and thread-safe since 7.84: paired
	 * with the cleanup below, it leaves nothing behind in the host. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return pj_fail(err, PJ_E_INTERNAL, "libcurl could not start");
	c = curl_easy_init();
	if (c == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "libcurl could not start");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (opts->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, opts->ca_file);
	if (opts->ca_dir != NULL)
		curl_easy_setopt(c, CURLOPT_CAPATH, opts->ca_dir);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opts->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, opts->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pam_jwt/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	if (form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED)
			st = pj_fail(err, PJ_E_UNAVAILABLE, "response from %s is larger than %zu bytes",
				     url, s.max);
		else
			st = pj_fail(err, PJ_E_UNAVAILABLE, "%s: %s", url,
				     errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	resp->body = s.buf != NULL ? s.buf : calloc(1, 1);
	resp->len = s.len;
	resp->max_age = s.max_age;
	s.buf = NULL;
	st = resp->body != NULL ? PJ_OK : pj_fail(err, PJ_E_NOMEM, "out of memory");
out:
	pj_free_secret(s.buf, s.cap);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return st;
}

void pj_http_resp_free(struct pj_http_resp *resp)
{
	if (resp == NULL)
		return;
	pj_free_secret(resp->body, resp->len + 1);
	memset(resp, 0, sizeof(*resp));
}
