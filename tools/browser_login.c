/* `pam-jwt login --browser`: the authorization code grant with PKCE (RFC
 * 7636) and a loopback redirect (RFC 8252, section 7.3).  The CLI listens
 * on 127.0.0.1 on a port the system picks, opens the auth center's
 * authorization page in the browser (xdg-open when there is a display;
 * the URL is always printed), takes exactly one answer on that port and
 * closes it, checks state, exchanges the code with the PKCE verifier, and
 * checks the ID token's nonce.  The device flow stays the default. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64.h"
#include "client.h"
#include "pj_json.h"

#define REQ_MAX 8192

extern char **environ;

/* A random base64url string of n bytes of entropy (caller frees). */
static char *random_b64(size_t n)
{
	unsigned char buf[64];

	if (n > sizeof(buf) || RAND_bytes(buf, (int)n) != 1)
		return NULL;
	return b64_encode(buf, n);
}

/* S256 code challenge of verifier (caller frees). */
static char *challenge(const char *verifier)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return NULL;
	return b64_encode(md, 32);
}

/* A socket listening on 127.0.0.1, port chosen by the system. */
static int listen_loopback(int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded value of parameter name in the query q[0..n) (caller
 * frees), or NULL when absent or malformed. */
static char *query_param(const char *q, size_t n, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < n) {
		size_t end = i;

		while (end < n && q[end] != '&')
			end++;
		if (end - i > nl && memcmp(q + i, name, nl) == 0 && q[i + nl] == '=') {
			char *out = malloc(end - i);
			size_t o = 0, k;

			if (out == NULL)
				return NULL;
			for (k = i + nl + 1; k < end; k++) {
				int h, l;

				if (q[k] == '+') {
					out[o++] = ' ';
				} else if (q[k] == '%' && k + 2 < end &&
				           (h = hexval(q[k + 1])) >= 0 &&
				           (l = hexval(q[k + 2])) >= 0) {
					out[o++] = (char)(h * 16 + l);
					k += 2;
				} else if (q[k] == '%') {
					free(out);
					return NULL;
				} else {
					out[o++] = q[k];
				}
			}
			out[o] = '\0';
			if (memchr(out, '\0', o) != NULL) {
				free(out);
				return NULL;
			}
			return out;
		}
		i = end + 1;
	}
	return NULL;
}

/* Wait (until deadline) for one HTTP request on the listening socket and
 * answer it; sets *code (caller frees) on "GET /callback?code=..&state=S"
 * with S == state.  The listening socket is closed by the caller after
 * this one answer. */
static int one_answer(int lfd, const char *state, int64_t deadline, char **code, struct pjc_err *e)
{
	char req[REQ_MAX + 1];
	size_t len = 0;
	int fd = -1, rc;
	char *got_state = NULL, *err = NULL;
	const char *q, *sp;
	const char *page;

	*code = NULL;
	for (;;) {
		struct pollfd p = { lfd, POLLIN, 0 };
		int64_t left = deadline - (int64_t)time(NULL);

		if (left <= 0)
			return pjc_fail(
			        e, PJC_EXIT_LOGIN,
			        "no answer from the browser in time: run pam-jwt login again");
		rc = poll(&p, 1, (int)(left > 60 ? 60000 : left * 1000));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return pjc_fail(e, PJC_EXIT_FAIL, "poll: %s", strerror(errno));
		if (rc == 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
	}
	/* the request line and headers, within 10 s */
	while (len < REQ_MAX && memmem(req, len, "\r\n\r\n", 4) == NULL) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			break;
		n = read(fd, req + len, REQ_MAX - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	req[len] = '\0';
	rc = PJC_EXIT_LOGIN;
	if (len < 14 || memcmp(req, "GET /callback?", 14) != 0 ||
	    (sp = memchr(req + 14, ' ', len - 14)) == NULL) {
		pjc_fail(e, PJC_EXIT_LOGIN,
		         "the browser sent an unexpected request to the login port");
		page = "Unexpected request. Run pam-jwt login again.";
		goto reply;
	}
	q = req + 14;
	got_state = query_param(q, (size_t)(sp - q), "state");
	err = query_param(q, (size_t)(sp - q), "error");
	*code = query_param(q, (size_t)(sp - q), "code");
	if (got_state == NULL || strlen(got_state) != strlen(state) ||
	    CRYPTO_memcmp(got_state, state, strlen(state)) != 0) {
		pjc_fail(e, PJC_EXIT_LOGIN,
		         "the answer on the login port does not carry this login's state: refused");
		page = "This answer does not belong to the login in progress.";
	} else if (err != NULL || *code == NULL) {
		char s[64];

		pj_sanitize(s, sizeof(s), err ? err : "no code", strlen(err ? err : "no code"));
		pjc_fail(e, PJC_EXIT_LOGIN, "the auth center refused the login (%s)", s);
		page = "The login was refused.";
	} else {
		rc = 0;
		page = "Logged in. You can close this window.";
	}
reply:
	if (rc != 0 && *code != NULL) {
		pj_free_secret(*code, strlen(*code));
		*code = NULL;
	}
	{
		char out[512];
		int n = snprintf(out, sizeof(out),
		                 "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
		                 "Cache-Control: no-store\r\nConnection: close\r\n"
		                 "Content-Length: %zu\r\n\r\n%s",
		                 strlen(page), page);

		if (n > 0 && (size_t)n < sizeof(out))
			(void)!write(fd, out, (size_t)n);
	}
	close(fd);
	OPENSSL_cleanse(req, sizeof(req));
	free(got_state);
	free(err);
	return rc;
}

/* Open url with xdg-open when there is a display; never waits for it. */
static void open_browser(const char *url)
{
	char *argv[] = { "xdg-open", (char *)url, NULL };
	pid_t pid;

	if (getenv("DISPLAY") == NULL && getenv("WAYLAND_DISPLAY") == NULL)
		return;
	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) == 0)
		(void)waitpid(pid, NULL, WNOHANG);
}

int pjc_browser_login(const struct pjc_conf *c, const char *auth_url, const char *token_url,
                      const char *scope, const struct pjc_login *l, int quiet,
                      struct pjc_oauth_resp *r, struct pjc_err *e)
{
	char *verifier = random_b64(32), *state = random_b64(16), *nonce = random_b64(16);
	char *chal = verifier ? challenge(verifier) : NULL, *code = NULL, *url = NULL;
	char redirect[64];
	struct pj_form q = { NULL, 0, 0, 0 }, f = { NULL, 0, 0, 0 };
	int lfd = -1, port = 0, rc;
	size_t i, n;

	if (verifier == NULL || state == NULL || nonce == NULL || chal == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot make the PKCE verifier");
		goto out;
	}
	if ((lfd = listen_loopback(&port)) < 0) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "cannot listen on 127.0.0.1: %s", strerror(errno));
		goto out;
	}
	snprintf(redirect, sizeof(redirect), "http://127.0.0.1:%d/callback", port);
	pj_form_add(&q, "response_type", "code");
	pj_form_add(&q, "client_id", c->client_id);
	pj_form_add(&q, "redirect_uri", redirect);
	pj_form_add(&q, "scope", scope);
	pj_form_add(&q, "state", state);
	pj_form_add(&q, "nonce", nonce);
	pj_form_add(&q, "code_challenge", chal);
	pj_form_add(&q, "code_challenge_method", "S256");
	pj_form_add(&q, "prompt", "consent");
	for (i = 0; i < l->n_audiences; i++)
		pj_form_add(&q, "resource", l->audiences[i]);
	n = strlen(auth_url) + q.len + 2;
	if (q.oom || (url = malloc(n)) == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
		goto out;
	}
	snprintf(url, n, "%s%c%.*s", auth_url, strchr(auth_url, '?') ? '&' : '?', (int)q.len,
	         q.buf);
	if (!quiet)
		printf("To log in to %s, open this page in a browser on this machine:\n\n    %s\n\n"
		       "Waiting for the browser (on 127.0.0.1:%d)...\n",
		       c->issuer, url, port);
	else {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string("authorization"));
		json_object_object_add(j, "url", json_object_new_string(url));
		json_object_object_add(j, "port", json_object_new_int(port));
		printf("%s\n", json_object_to_json_string_ext(
		                       j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	}
	fflush(stdout);
	open_browser(url);
	rc = one_answer(lfd, state, (int64_t)time(NULL) + 600, &code, e);
	close(lfd); /* one answer, then the port is closed */
	lfd = -1;
	if (rc != 0)
		goto out;
	pj_form_add(&f, "grant_type", "authorization_code");
	pj_form_add(&f, "code", code);
	pj_form_add(&f, "redirect_uri", redirect);
	pj_form_add(&f, "client_id", c->client_id);
	pj_form_add(&f, "code_verifier", verifier);
	if (l->n_audiences > 0)
		pj_form_add(&f, "resource", l->audiences[0]);
	if ((rc = pjc_oauth_post(c, token_url, &f, r, e)) != 0)
		goto out;
	if (r->status != 200 || pjc_oauth_str(r, "access_token") == NULL) {
		char why[400];

		pjc_oauth_error_text(r, why, sizeof(why));
		rc = pjc_fail(e, PJC_EXIT_LOGIN, "the auth center refused the code (%s)", why);
		goto out;
	}
	/* the ID token came straight from the token endpoint over TLS (OpenID
	 * Connect Core 3.1.3.7): its nonce ties it to this login */
	{
		const char *idt = pjc_oauth_str(r, "id_token"), *got = NULL;
		struct json_object *claims = idt ? pjc_peek_claims(idt) : NULL;
		size_t glen = 0;

		if (claims == NULL || pj_json_get_string(claims, "nonce", &got, &glen) != 1 ||
		    !pj_json_str_eq(got, glen, nonce))
			rc = pjc_fail(e, PJC_EXIT_LOGIN,
			              "the ID token does not carry this login's nonce: refused");
		json_object_put(claims);
	}
out:
	if (lfd >= 0)
		close(lfd);
	if (code != NULL)
		pj_free_secret(code, strlen(code));
	if (verifier != NULL)
		pj_free_secret(verifier, strlen(verifier));
	free(state);
	free(nonce);
	free(chal);
	free(url);
	pj_form_free(&q);
	pj_form_free(&f);
	return rc;
}
