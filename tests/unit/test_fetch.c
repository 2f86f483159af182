/* The process boundary (fetch.c): the module's HTTPS requests run in a
 * helper process.  Stand-in helpers (shell scripts) show that the module
 * starts it with an empty environment and no inherited descriptor, kills
 * it at the time limit, refuses a malformed or oversized answer, refuses
 * an unsafe helper file, survives a helper that never reads, and works
 * when the host ignores SIGCHLD. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "fetch.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tmp_dir();
	chmod(dir, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tmp_remove(dir);
	return 0;
}

/* The whole of a file made at run time ("" when it is missing). */
static char *read_path(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(buf);
	if (f == NULL)
		return buf;
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *helper(const char *name, const char *script, mode_t mode)
{
	return tmp_write(dir, name, script, strlen(script), mode);
}

static struct pj_http_opts opts(long timeout_ms)
{
	struct pj_http_opts o;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = timeout_ms;
	return o;
}

/* A helper that answers 200 with body "hello" (a frame written by printf). */
#define GOOD_ANSWER \
	"printf 'PJR1\\000\\000\\000\\0010\\000\\000\\000\\003200\\000\\000\\000\\002-1" \
	"\\000\\000\\000\\005hello'\n"

static void test_good_answer(void **state)
{
	struct pj_http_opts o = opts(2000);
	struct pj_http_resp r;
	struct pj_err err;
	char *h = helper("good", "#!/bin/sh\ncat >/dev/null\n" GOOD_ANSWER, 0755);

	(void)state;
	assert_int_equal(pj_fetch_request(h, "https://a.test/", NULL, &o, &r, &err), PJ_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "hello");
	pj_http_resp_free(&r);
	free(h);
}

static void test_environment_and_descriptors_not_inherited(void **state)
{
	struct pj_http_opts o = opts(2000);
	struct pj_http_resp r;
	struct pj_err err;
	char *out = str_cat(dir, "/seen");
	char *script = NULL;
	char *seen;
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a careless host's */
	size_t n = strlen(out) * 2 + 256;
	char fdpath[64];

	(void)state;
	assert_true(fd > 2);
	setenv("SSLKEYLOGFILE", "/nonexistent/keylog", 1);
	setenv("https_proxy", "http://127.0.0.1:9", 1);
	script = malloc(n);
	snprintf(script, n,
	         "#!/bin/sh\ncat >/dev/null\n/usr/bin/env >%s\nls /proc/self/fd >>%s "
	         "2>&1\n" GOOD_ANSWER,
	         out, out);
	{
		char *h = helper("env", script, 0755);

		assert_int_equal(pj_fetch_request(h, "https://a.test/", NULL, &o, &r, &err), PJ_OK);
		pj_http_resp_free(&r);
		free(h);
	}
	seen = read_path(out);
	if (strstr(seen, "SSLKEYLOGFILE") != NULL || strstr(seen, "proxy") != NULL)
		FAILF("the helper saw the host's environment:\n%s", seen);
	snprintf(fdpath, sizeof(fdpath), "\n%d\n", fd);
	if (strstr(seen, fdpath) != NULL)
		FAILF("the helper inherited descriptor %d", fd);
	unsetenv("SSLKEYLOGFILE");
	unsetenv("https_proxy");
	close(fd);
	free(seen);
	free(script);
	free(out);
}

static void test_hanging_helper_killed_at_time_limit(void **state)
{
	struct pj_http_opts o = opts(300);
	struct pj_http_resp r;
	struct pj_err err;
	char *pidfile = str_cat(dir, "/hang.pid");
	char script[512], *h, *pid;
	struct timespec a, b;
	long ms;

	(void)state;
	snprintf(script, sizeof(script), "#!/bin/sh\necho $$ >%s\nexec sleep 60\n", pidfile);
	h = helper("hang", script, 0755);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(pj_fetch_request(h, "https://a.test/", NULL, &o, &r, &err),
	                 PJ_E_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	if (ms > 300 + PJ_FETCH_SLACK_MS + 1000)
		FAILF("took %ld ms", ms);
	pid = read_path(pidfile);
	if (kill((pid_t)strtol(pid, NULL, 10), 0) == 0 || errno != ESRCH)
		FAILF("the helper (pid %s) is still there", pid);
	free(pid);
	free(h);
	free(pidfile);
}

static void test_malformed_answer_refused(void **state)
{
	static const char *const scripts[] = {
		"#!/bin/sh\ncat >/dev/null\necho garbage\n",
		"#!/bin/sh\ncat >/dev/null\n", /* nothing */
		"#!/bin/sh\nexit 0\n", /* never reads the request */
		"#!/bin/sh\ncat >/dev/null\nhead -c 400000 /dev/zero\n", /* over the limit */
		"#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n",
	};
	struct pj_http_opts o = opts(2000);
	struct pj_http_resp r;
	struct pj_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		char name[16];
		char *h;

		snprintf(name, sizeof(name), "bad%zu", i);
		h = helper(name, scripts[i], 0755);
		if (pj_fetch_request(h, "https://a.test/", NULL, &o, &r, &err) != PJ_E_UNAVAILABLE)
			FAILF("helper %zu: not refused as unavailable", i);
		free(h);
	}
}

static void test_unsafe_helper_refused(void **state)
{
	struct pj_http_opts o = opts(2000);
	struct pj_http_resp r;
	struct pj_err err;
	char *ww = helper("ww", "#!/bin/sh\ncat >/dev/null\n" GOOD_ANSWER, 0757);
	char *noexec = helper("noexec", "#!/bin/sh\n", 0644);
	char *missing = str_cat(dir, "/missing");

	(void)state;
	chmod(ww, 0757); /* tmp_write's mode is subject to the umask */
	assert_int_equal(pj_fetch_request(ww, "https://a.test/", NULL, &o, &r, &err), PJ_E_CONFIG);
	assert_non_null(strstr(err.reason, "writable"));
	assert_int_equal(pj_fetch_request(noexec, "https://a.test/", NULL, &o, &r, &err),
	                 PJ_E_CONFIG);
	assert_int_equal(pj_fetch_request(missing, "https://a.test/", NULL, &o, &r, &err),
	                 PJ_E_CONFIG);
	assert_int_equal(pj_fetch_request("relative/helper", "https://a.test/", NULL, &o, &r, &err),
	                 PJ_E_CONFIG);
	/* and no plain http, whatever the helper */
	assert_int_equal(pj_fetch_request(ww, "http://a.test/", NULL, &o, &r, &err),
	                 PJ_E_UNAVAILABLE);
	free(ww);
	free(noexec);
	free(missing);
}

static void test_host_ignoring_sigchld(void **state)
{
	struct pj_http_opts o = opts(2000);
	struct pj_http_resp r;
	struct pj_err err;
	char *h = helper("good2", "#!/bin/sh\ncat >/dev/null\n" GOOD_ANSWER, 0755);
	struct sigaction ign, old;

	(void)state;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGCHLD, &ign, &old);
	assert_int_equal(pj_fetch_request(h, "https://a.test/", NULL, &o, &r, &err), PJ_OK);
	pj_http_resp_free(&r);
	sigaction(SIGCHLD, &old, NULL);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_answer),
		cmocka_unit_test(test_environment_and_descriptors_not_inherited),
		cmocka_unit_test(test_hanging_helper_killed_at_time_limit),
		cmocka_unit_test(test_malformed_answer_refused),
		cmocka_unit_test(test_unsafe_helper_refused),
		cmocka_unit_test(test_host_ignoring_sigchld),
	};

	/* the helper writes frames a pipe's reader may not take: never die */
	signal(SIGPIPE, SIG_DFL);
	return cmocka_run_group_tests_name("fetch", tests, setup, teardown);
}
