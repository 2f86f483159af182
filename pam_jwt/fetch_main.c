/* pam_jwt-fetch: makes one HTTPS request for pam_jwt.so, outside the host
 * process (see fetch.h).  It reads one request frame from standard input
 * and writes one response frame to standard output (fetchwire.h), then
 * exits.  It trusts nothing it inherits: the environment is cleared,
 * every descriptor above 2 closed, and when started as root it reads the
 * configured CA file and then runs as the unprivileged overflow user, so
 * the code that parses TLS and HTTP from the network holds no privilege.
 * It is not setuid: run by hand it can do nothing its caller cannot. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetchwire.h"
#include "http.h"
#include "safefile.h"

/* The overflow user and group ("nobody"/"nogroup" on Debian), fixed so
 * that no name service is asked. */
#define PJ_FETCH_UID 65534
#define PJ_FETCH_GID 65534
#define PJ_CA_FILE_MAX (4 * 1024 * 1024)

extern char **environ;

static int reply(enum pj_status result, const struct pj_http_resp *resp, const char *reason)
{
	struct pj_err err;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (pj_fetchwire_resp_encode(result, resp, reason, &out, &len, &err) != PJ_OK)
		return 1;
	rc = pj_write_all(1, out, len) == 0 ? 0 : 1;
	pj_free_secret(out, len);
	return rc;
}

static int read_request(char **buf, size_t *len)
{
	size_t cap = 0;
	char chunk[4096];

	*buf = NULL;
	*len = 0;
	for (;;) {
		ssize_t n = read(0, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if ((size_t)n > PJ_FETCH_REQ_MAX - *len ||
		    pj_buf_append(buf, len, &cap, chunk, (size_t)n) != 0)
			return -1;
	}
}

/* Give up root for good, keeping nothing that lets the caller of the
 * host process (su runs PAM with the user's real UID) signal or trace
 * this process. */
static int drop_privileges(void)
{
	if (geteuid() != 0)
		return setresuid(geteuid(), geteuid(), geteuid()) == 0 &&
		                       setresgid(getegid(), getegid(), getegid()) == 0
		               ? 0
		               : -1;
	if (setgroups(0, NULL) != 0 || setresgid(PJ_FETCH_GID, PJ_FETCH_GID, PJ_FETCH_GID) != 0 ||
	    setresuid(PJ_FETCH_UID, PJ_FETCH_UID, PJ_FETCH_UID) != 0)
		return -1;
	/* no way back */
	if (setuid(0) == 0 || geteuid() == 0)
		return -1;
	return 0;
}

int main(void)
{
	struct pj_fetch_req req;
	struct pj_http_opts o;
	struct pj_http_resp resp;
	struct pj_err err;
	struct rlimit no_core = { 0, 0 };
	char *in = NULL, *ca = NULL;
	size_t inlen = 0, calen = 0;
	pid_t parent = getppid();
	int rc;

	/* Nothing inherited counts: no variable, no descriptor but 0-2. */
	environ = NULL;
	clearenv();
	close_range(3, ~0U, 0);
	umask(077);
	setrlimit(RLIMIT_CORE, &no_core);
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	pj_err_clear(&err);

	if (read_request(&in, &inlen) != 0 ||
	    pj_fetchwire_req_decode(in, inlen, &req, &err) != PJ_OK) {
		pj_free_secret(in, inlen);
		reply(PJ_E_UNAVAILABLE, NULL, "pam_jwt-fetch: malformed request");
		return 1;
	}
	pj_free_secret(in, inlen);
	/* The helper cannot outlive its time limit, whatever the host does. */
	alarm((unsigned)(req.timeout_ms / 1000 + 2));
	/* Read as root: a CA file may be root-only; it must be as safe as
	 * any file that decides access. */
	if (req.ca_file != NULL &&
	    pj_read_file(req.ca_file, PJ_CA_FILE_MAX, &ca, &calen, &err) != PJ_OK) {
		rc = reply(err.status == PJ_E_CONFIG ? PJ_E_CONFIG : PJ_E_UNAVAILABLE, NULL,
		           err.reason);
		goto out;
	}
	if (drop_privileges() != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent) {
		rc = reply(PJ_E_UNAVAILABLE, NULL, "pam_jwt-fetch: cannot drop privileges");
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.ca_blob = ca;
	o.ca_blob_len = calen;
	o.ca_dir = req.ca_dir;
	o.timeout_ms = req.timeout_ms;
	o.max_body = req.max_body;
	o.proxy = req.proxy;
	o.no_proxy = req.no_proxy;
	if (pj_http_request(req.url, req.form, &o, &resp, &err) != PJ_OK)
		rc = reply(err.status, NULL, err.reason);
	else
		rc = reply(PJ_OK, &resp, NULL);
	pj_http_resp_free(&resp);
out:
	pj_free_secret(ca, calen);
	pj_fetchwire_req_free(&req);
	return rc;
}
