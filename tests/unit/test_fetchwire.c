/* The frames between the module and pam_jwt-fetch (fetchwire.c): what the
 * module reads back from a process outside it is decoded strictly. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "fetchwire.h"
#include "proxy.h"

/* A frame built by hand: magic, then fields ("" for an empty value,
 * NULL for an absent one). */
static size_t frame(char *out, const char *magic, int n, const char *const *fields)
{
	size_t len = 4;
	int i;

	memcpy(out, magic, 4);
	for (i = 0; i < n; i++) {
		uint32_t l = fields[i] == NULL ? 0xffffffffu : (uint32_t)strlen(fields[i]);

		out[len++] = (char)(l >> 24);
		out[len++] = (char)(l >> 16);
		out[len++] = (char)(l >> 8);
		out[len++] = (char)l;
		if (fields[i] != NULL) {
			memcpy(out + len, fields[i], strlen(fields[i]));
			len += strlen(fields[i]);
		}
	}
	return len;
}

static void test_request_roundtrip(void **state)
{
	struct pj_http_opts o = {
		"/etc/ca.pem",      NULL, NULL, 0, 3000, 1000, "http://proxy.corp:3128",
		".corp, 10.0.0.0/8"
	};
	struct pj_fetch_req req;
	struct pj_err err;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(
	        pj_fetchwire_req_encode("https://a.test/jwks", "a=b&c=d", &o, &buf, &len, &err),
	        PJ_OK);
	assert_int_equal(pj_fetchwire_req_decode(buf, len, &req, &err), PJ_OK);
	assert_string_equal(req.url, "https://a.test/jwks");
	assert_string_equal(req.form, "a=b&c=d");
	assert_string_equal(req.ca_file, "/etc/ca.pem");
	assert_null(req.ca_dir);
	assert_int_equal(req.timeout_ms, 3000);
	assert_int_equal(req.max_body, 1000);
	assert_string_equal(req.proxy, "http://proxy.corp:3128");
	assert_string_equal(req.no_proxy, ".corp, 10.0.0.0/8");
	pj_fetchwire_req_free(&req);
	/* every strict prefix is refused, and so is one byte more */
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(pj_fetchwire_req_decode(buf, cut, &req, &err), PJ_E_FORMAT);
	buf = realloc(buf, len + 1);
	buf[len] = 'x';
	assert_int_equal(pj_fetchwire_req_decode(buf, len + 1, &req, &err), PJ_E_FORMAT);
	free(buf);
}

static void test_request_too_large_refused(void **state)
{
	struct pj_http_opts o = { NULL, NULL, NULL, 0, 3000, 0, NULL, NULL };
	struct pj_err err;
	char *big = malloc(PJ_FETCH_REQ_MAX + 1), *buf = NULL;
	size_t len = 0;

	(void)state;
	memset(big, 'a', PJ_FETCH_REQ_MAX);
	big[PJ_FETCH_REQ_MAX] = '\0';
	assert_int_equal(pj_fetchwire_req_encode("https://a.test/", big, &o, &buf, &len, &err),
	                 PJ_E_TOO_LARGE);
	memcpy(big, "https://", 8);
	big[PJ_FETCH_URL_MAX + 1] = '\0';
	assert_int_equal(pj_fetchwire_req_encode(big, NULL, &o, &buf, &len, &err), PJ_E_TOO_LARGE);
	free(big);
}

static void test_response_ok(void **state)
{
	const char *f[] = { "0", "200", "300", "{\"keys\":[]}" };
	char buf[256];
	size_t len = frame(buf, "PJR1", 4, f);
	struct pj_http_resp r;
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_fetchwire_resp_decode(buf, len, 1024, &r, &err), PJ_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.max_age, 300);
	assert_int_equal(r.len, 11);
	assert_string_equal(r.body, "{\"keys\":[]}");
	pj_http_resp_free(&r);
	/* a body over the caller's limit */
	assert_int_equal(pj_fetchwire_resp_decode(buf, len, 10, &r, &err), PJ_E_FORMAT);
}

static void test_response_failure_is_sanitized(void **state)
{
	const char *f[] = { "16", "0", "-1", "bad\x1b[31m\n\"x\"" };
	char buf[256];
	size_t len = frame(buf, "PJR1", 4, f);
	struct pj_http_resp r;
	struct pj_err err;

	(void)state;
	assert_int_equal(pj_fetchwire_resp_decode(buf, len, 1024, &r, &err), 16);
	assert_null(r.body);
	assert_null(strchr(err.reason, '\x1b'));
	assert_null(strchr(err.reason, '\n'));
	assert_null(strchr(err.reason, '"'));
}

static void test_response_malformed_refused(void **state)
{
	static const char *const cases[][5] = {
		{ "0", "200", "-1", NULL, NULL }, /* body absent */
		{ "0", "99", "-1", "x", NULL }, /* status out of range */
		{ "0", "600", "-1", "x", NULL },
		{ "0", "0200", "-1", "x", NULL }, /* leading zero */
		{ "0", "+200", "-1", "x", NULL },
		{ "0", "200", "-2", "x", NULL }, /* max_age below -1 */
		{ "0", "200", "-0", "x", NULL },
		{ "0", "200", "", "x", NULL }, /* empty number */
		{ "99", "200", "-1", "x", NULL }, /* unknown status */
		{ "-1", "200", "-1", "x", NULL },
		{ "0", "200", "-1", "x", "extra" }, /* a field too many */
	};
	struct pj_http_resp r;
	struct pj_err err;
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = cases[i][4] != NULL ? 5 : 4;
		size_t len = frame(buf, "PJR1", n, cases[i]);

		if (pj_fetchwire_resp_decode(buf, len, 1024, &r, &err) != PJ_E_FORMAT)
			FAILF("case %zu decoded", i);
	}
	/* wrong magic; a length past the end */
	{
		const char *f[] = { "0", "200", "-1", "x" };
		size_t len = frame(buf, "PJF1", 4, f);

		assert_int_equal(pj_fetchwire_resp_decode(buf, len, 1024, &r, &err), PJ_E_FORMAT);
		len = frame(buf, "PJR1", 4, f);
		buf[len - 2] = 9; /* the body's length byte: 9 > what is left */
		assert_int_equal(pj_fetchwire_resp_decode(buf, len, 1024, &r, &err), PJ_E_FORMAT);
	}
}

static void test_request_nul_in_string_refused(void **state)
{
	const char *f[] = { "https://a.test/x", NULL, NULL, NULL, "100", "100", NULL, NULL };
	struct pj_fetch_req req;
	struct pj_err err;
	char buf[256];
	size_t len = frame(buf, "PJF2", 8, f);

	(void)state;
	assert_int_equal(pj_fetchwire_req_decode(buf, len, &req, &err), PJ_OK);
	pj_fetchwire_req_free(&req);
	buf[4 + 4 + 10] = '\0'; /* inside the URL */
	assert_int_equal(pj_fetchwire_req_decode(buf, len, &req, &err), PJ_E_FORMAT);
}

/* A request without the proxy fields (the frame of an older module) is
 * refused whole: a helper must never guess "no proxy" or "proxy". */
static void test_request_without_proxy_fields_refused(void **state)
{
	const char *f[] = { "https://a.test/x", NULL, NULL, NULL, "100", "100", NULL, NULL };
	struct pj_fetch_req req;
	struct pj_err err;
	char buf[256];

	(void)state;
	assert_int_equal(pj_fetchwire_req_decode(buf, frame(buf, "PJF1", 6, f), &req, &err),
	                 PJ_E_FORMAT);
	assert_int_equal(pj_fetchwire_req_decode(buf, frame(buf, "PJF2", 6, f), &req, &err),
	                 PJ_E_FORMAT);
	assert_int_equal(pj_fetchwire_req_decode(buf, frame(buf, "PJF2", 7, f), &req, &err),
	                 PJ_E_FORMAT);
	assert_int_equal(pj_fetchwire_req_decode(buf, frame(buf, "PJF2", 8, f), &req, &err), PJ_OK);
	assert_null(req.proxy);
	assert_null(req.no_proxy);
	pj_fetchwire_req_free(&req);
}

/* Only a plain http:// proxy with a host and a port: no credentials in
 * a configuration file, no socks (the name would be resolved there or
 * here depending on the scheme), no path that libcurl would ignore. */
static void test_proxy_forms(void **state)
{
	static const char *const good[] = { "http://proxy:3128", "http://proxy.corp.example:8080/",
		                            "http://127.0.0.1:1", "http://[::1]:3128",
		                            "http://p-1.x:65535" };
	static const char *const bad[] = {
		"proxy:3128",
		"https://proxy:3128",
		"socks5://proxy:1080",
		"http://proxy",
		"http://proxy:",
		"http://proxy:0",
		"http://proxy:65536",
		"http://proxy:03128",
		"http://user:pw@proxy:3128",
		"http://proxy:3128/x",
		"http://proxy:3128?a=b",
		"http://:3128",
		"http://a..b:3128",
		"http://pro xy:3128",
		"http://[::1:3128",
		"HTTP://proxy:3128",
		"",
	};
	static const char *const good_np[] = { "*", "localhost", ".corp, 10.0.0.0/8",
		                               "a.example b.example", "[::1],127.0.0.1" };
	static const char *const bad_np[] = { "", " , ", "a;b", "host\n", "a\"b", "x=y" };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!pj_proxy_valid(good[i]))
			FAILF("refused %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pj_proxy_valid(bad[i]))
			FAILF("accepted %s", bad[i]);
	for (size_t i = 0; i < sizeof(good_np) / sizeof(good_np[0]); i++)
		if (!pj_no_proxy_valid(good_np[i]))
			FAILF("refused no_proxy %s", good_np[i]);
	for (size_t i = 0; i < sizeof(bad_np) / sizeof(bad_np[0]); i++)
		if (pj_no_proxy_valid(bad_np[i]))
			FAILF("accepted no_proxy %s", bad_np[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_request_too_large_refused),
		cmocka_unit_test(test_response_ok),
		cmocka_unit_test(test_response_failure_is_sanitized),
		cmocka_unit_test(test_response_malformed_refused),
		cmocka_unit_test(test_request_nul_in_string_refused),
		cmocka_unit_test(test_request_without_proxy_fields_refused),
		cmocka_unit_test(test_proxy_forms),
	};

	return cmocka_run_group_tests_name("fetchwire", tests, NULL, NULL);
}
