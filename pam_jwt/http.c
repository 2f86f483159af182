#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "proxy.h"

/* libcurl is loaded when a request is made, not with the module: most
 * logins never fetch anything, and libcurl with its 30-odd dependencies
 * would triple the cost of loading pam_jwt.so into every sshd, sudo and
 * greeter process.  RTLD_NODELETE keeps it mapped after dlclose (its
 * dependencies do not all unload cleanly), so nothing is torn down under
 * a host that may use libcurl itself. */
struct curl_api {
	void *lib;
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
};

static int curl_load(struct curl_api *api)
{
	memset(api, 0, sizeof(*api));
	api->lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (api->lib == NULL)
		return -1;
#define SYM(field, name) (*(void **)(&api->field) = dlsym(api->lib, name)) == NULL
	if (SYM(global_init, "curl_global_init") || SYM(global_cleanup, "curl_global_cleanup") ||
	    SYM(easy_init, "curl_easy_init") || SYM(easy_setopt, "curl_easy_setopt") ||
	    SYM(easy_perform, "curl_easy_perform") || SYM(easy_getinfo, "curl_easy_getinfo") ||
	    SYM(easy_cleanup, "curl_easy_cleanup") || SYM(easy_strerror, "curl_easy_strerror")) {
		dlclose(api->lib);
		api->lib = NULL;
		return -1;
	}
#undef SYM
	return 0;
}

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
	if (pj_buf_append(&s->buf, &s->len, &s->cap, data, add) != 0)
		return 0;
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

enum pj_status pj_http_request(const char *url, const char *form, const struct pj_http_opts *opts,
                               struct pj_http_resp *resp, struct pj_err *err)
{
	struct sink s = { NULL, 0, 0, 0, 0, -1 };
	struct curl_api api;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode rc;
	long status = 0;
	int bad = 0;
	enum pj_status st;

	memset(resp, 0, sizeof(*resp));
	s.max = opts->max_body ? opts->max_body : PJ_HTTP_MAX_BODY;
	if (strncmp(url, "https://", 8) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "refusing a non-https URL");
	if ((opts->proxy != NULL && !pj_proxy_valid(opts->proxy)) ||
	    (opts->no_proxy != NULL && !pj_no_proxy_valid(opts->no_proxy)))
		return pj_fail(err, PJ_E_CONFIG, "the proxy must be http://HOST:PORT");
	if (curl_load(&api) != 0) {
		/* curl_load's dlclose may have cleared the message already */
		const char *why = dlerror();

		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot load libcurl.so.4: %s",
		               why != NULL ? why : "a symbol is missing");
	}
	/* Reference counted by libcurl and thread-safe since 7.84: paired
	 * with the cleanup below, it leaves nothing behind in the host. */
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		dlclose(api.lib);
		return pj_fail(err, PJ_E_INTERNAL, "libcurl could not start");
	}
	c = api.easy_init();
	if (c == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "libcurl could not start");
		goto out;
	}
	api.easy_setopt(c, CURLOPT_URL, url);
	bad |= api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK;
	bad |= api.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK;
	api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	api.easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	bad |= api.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= api.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	/* TLS 1.2 at least, whatever the process's OpenSSL configuration */
	bad |= api.easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK;
	if (opts->ca_blob != NULL) {
		struct curl_blob blob = { (void *)opts->ca_blob, opts->ca_blob_len,
			                  CURL_BLOB_COPY };

		bad |= api.easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK;
	} else if (opts->ca_file != NULL) {
		bad |= api.easy_setopt(c, CURLOPT_CAINFO, opts->ca_file) != CURLE_OK;
	}
	/* configured trust anchors are the only ones: no system CA directory
	 * beside a configured CA file */
	if (opts->ca_dir != NULL)
		bad |= api.easy_setopt(c, CURLOPT_CAPATH, opts->ca_dir) != CURLE_OK;
	else if (opts->ca_blob != NULL || opts->ca_file != NULL)
		bad |= api.easy_setopt(c, CURLOPT_CAPATH, (char *)NULL) != CURLE_OK;
	bad |= api.easy_setopt(c, CURLOPT_TIMEOUT_MS, opts->timeout_ms) != CURLE_OK;
	api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, opts->timeout_ms);
	bad |= api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	api.easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
	/* The configured proxy or none: "" turns off libcurl's reading of
	 * https_proxy, HTTPS_PROXY, ALL_PROXY; an explicit no-proxy list
	 * ("" when none) keeps NO_PROXY out too.  HTTPS goes through the
	 * proxy with CONNECT: TLS and its checks stay end to end. */
	bad |= api.easy_setopt(c, CURLOPT_PROXY, opts->proxy != NULL ? opts->proxy : "") !=
	       CURLE_OK;
	bad |= api.easy_setopt(c, CURLOPT_NOPROXY, opts->no_proxy != NULL ? opts->no_proxy : "") !=
	       CURLE_OK;
	if (opts->proxy != NULL) {
		bad |= api.easy_setopt(c, CURLOPT_PROXYTYPE, (long)CURLPROXY_HTTP) != CURLE_OK;
		bad |= api.easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L) != CURLE_OK;
	}
	bad |= api.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max) != CURLE_OK;
	api.easy_setopt(c, CURLOPT_USERAGENT, "pam_jwt/" PACKAGE_VERSION);
	api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	api.easy_setopt(c, CURLOPT_WRITEDATA, &s);
	api.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	api.easy_setopt(c, CURLOPT_HEADERDATA, &s);
	if (form != NULL)
		api.easy_setopt(c, CURLOPT_POSTFIELDS, form);
	/* A libcurl that does not take one of the settings that keep the
	 * fetch safe (older than 7.85: no protocol lists) is not used. */
	if (bad) {
		st = pj_fail(err, PJ_E_UNAVAILABLE,
		             "libcurl refused a safety setting (libcurl >= 7.85 needed)");
		goto out;
	}
	rc = api.easy_perform(c);
	if (rc != CURLE_OK) {
		if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED)
			st = pj_fail(err, PJ_E_UNAVAILABLE,
			             "response from %s is larger than %zu bytes", url, s.max);
		else
			st = pj_fail(err, PJ_E_UNAVAILABLE, "%s: %s", url,
			             errbuf[0] ? errbuf : api.easy_strerror(rc));
		goto out;
	}
	api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	resp->body = s.buf != NULL ? s.buf : calloc(1, 1);
	resp->len = s.len;
	resp->max_age = s.max_age;
	s.buf = NULL;
	st = resp->body != NULL ? PJ_OK : pj_fail(err, PJ_E_NOMEM, "out of memory");
out:
	pj_free_secret(s.buf, s.cap);
	if (c != NULL)
		api.easy_cleanup(c);
	api.global_cleanup();
	dlclose(api.lib);
	return st;
}
