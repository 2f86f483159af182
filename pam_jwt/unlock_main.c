/* pam_jwt-unlock: checks a token or an offline PIN for lock screens that
 * run PAM as the person whose screen is locked (see unlock.h).  Installed
 * setuid root; it does one job, for one account: the calling real user's.
 *
 *   pam_jwt-unlock USER   < one request frame (unlockwire.h)
 *
 * USER must be the name of the calling real UID's account.  It trusts
 * nothing it inherits: the environment is cleared, descriptors 0-2 are
 * made valid and every other one closed, the signal mask and dispositions
 * and the resource limits it depends on are reset, the configuration is
 * the system's (PJ_DEFAULT_CONFIG; no argument changes it) and the PAM
 * service is unknown to it (mapping rules on pam_service do not match).
 * Its only output is one byte, the verdict, which is also its exit status;
 * refusals are logged to syslog (LOG_AUTHPRIV).  It never prints or logs
 * a secret. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "offline.h"
#include "osslinit.h"
#include "pj_json.h"
#include "safefile.h"
#include "unlockwire.h"
#include "validate.h"

/* It ends itself after this many seconds, whatever it waits for. */
#define PJ_UNLOCK_ALARM 90

static char caller[256];
static uid_t caller_uid;

/* Descriptors 0-2 valid (/dev/null when the caller closed them: nothing
 * later may land on a descriptor that a file of ours then gets), every
 * other one closed. */
static int sanitize_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	return close_range(3, ~0U, 0);
}

/* Default signal dispositions, nothing blocked (an ignored or blocked
 * SIGALRM would keep it alive for ever); SIGPIPE and SIGXFSZ ignored (a
 * caller gone, or a write over a file size limit, is an error to report,
 * not a reason to die half-way). */
static void sanitize_signals(void)
{
	sigset_t none;
	int s;

	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The limits it depends on: writing the PIN store (a file size limit
 * would stop the count of a wrong PIN), yescrypt's memory, CPU time (the
 * alarm bounds it), descriptors for the fetch helper; no core file.  Each
 * is set to what it needs; where the caller lowered the hard limit and
 * this process may not raise it (no CAP_SYS_RESOURCE, as in some
 * containers), the soft limit goes up to the hard one, and a limit still
 * below the need is refused: 0, or -1 (naming the limit in *which). */
static int sanitize_limits(const char **which)
{
	static const struct {
		int res;
		rlim_t want, need;
		const char *name;
	} lim[] = {
		{ RLIMIT_FSIZE, RLIM_INFINITY, 1 << 20, "file size" },
		{ RLIMIT_CPU, RLIM_INFINITY, PJ_UNLOCK_ALARM, "CPU time" },
		{ RLIMIT_AS, RLIM_INFINITY, (rlim_t)256 << 20, "address space" },
		{ RLIMIT_DATA, RLIM_INFINITY, (rlim_t)256 << 20, "data size" },
		{ RLIMIT_NOFILE, 1024, 64, "open files" },
		{ RLIMIT_STACK, 8 << 20, 1 << 20, "stack size" },
	};
	struct rlimit r, zero = { 0, 0 };
	size_t i;

	if (setrlimit(RLIMIT_CORE, &zero) != 0) {
		*which = "core size";
		return -1;
	}
	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		r.rlim_cur = r.rlim_max = lim[i].want;
		if (setrlimit(lim[i].res, &r) == 0)
			continue;
		if (getrlimit(lim[i].res, &r) != 0)
			goto bad;
		r.rlim_cur = r.rlim_max;
		if (setrlimit(lim[i].res, &r) != 0 ||
		    (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < lim[i].need))
			goto bad;
		continue;
	bad:
		*which = lim[i].name;
		return -1;
	}
	return 0;
}

static void refuse(int prio, const char *what, const char *reason)
{
	syslog(prio, "%s for user=\"%s\" uid=%lu: %s", what, caller, (unsigned long)caller_uid,
	       reason);
}

static enum pj_unlock_verdict finish(enum pj_unlock_verdict v)
{
	unsigned char b = (unsigned char)v;

	/* a refused secret costs the guesser a second, every time */
	if (v == PJ_UNLOCK_DENIED)
		sleep(1);
	/* the exit status says it too: a caller that closed standard
	 * output (glibc then gives a setuid program an unwritable one) still
	 * gets the verdict */
	(void)pj_write_all(1, (const char *)&b, 1);
	return v;
}

/* Read the whole of standard input (at most PJ_UNLOCK_FRAME_MAX bytes);
 * 0, or -1 with why set. */
static int read_frame(char *buf, size_t *len, const char **why)
{
	*len = 0;
	for (;;) {
		ssize_t n = read(0, buf + *len, PJ_UNLOCK_FRAME_MAX + 1 - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = "cannot read the request";
			return -1;
		}
		if (n == 0)
			return 0;
		*len += (size_t)n;
		if (*len > PJ_UNLOCK_FRAME_MAX) {
			*why = "request too long";
			return -1;
		}
	}
}

/* The token check, as the module makes it for a typed token; on success
 * the online sign-in is recorded, with the new PIN for 'S'. */
static enum pj_unlock_verdict check_token(const struct pj_config *base,
                                          const struct pj_unlock_req *rq, int64_t now)
{
	struct pj_decision d;
	struct pj_config routed;
	const struct pj_config *cfg = base;
	struct pj_err err;
	int64_t iat = 0;
	enum pj_unlock_verdict v = PJ_UNLOCK_DENIED;

	pj_err_clear(&err);
	memset(&routed, 0, sizeof(routed));
	if (pj_validate(base, rq->secret1, rq->len1, caller, now, &d) != PJ_OK) {
		refuse(LOG_NOTICE, "refused token", d.err.reason);
		v = d.err.status == PJ_E_UNAVAILABLE || d.err.status == PJ_E_CONFIG
		            ? PJ_UNLOCK_UNAVAIL
		            : PJ_UNLOCK_DENIED;
		goto out;
	}
	if (d.acct.kind == PJ_ACCT_NEW) {
		refuse(LOG_NOTICE, "refused token", "no such account yet: sign in first");
		goto out;
	}
	if (base->n_sections > 0) {
		if (pj_config_for_issuer(base, d.iss, strlen(d.iss), &routed, &err) != PJ_OK) {
			refuse(LOG_ERR, "refused token", err.reason);
			v = PJ_UNLOCK_UNAVAIL;
			goto out;
		}
		cfg = &routed;
	}
	if (rq->verb == 'S' && cfg->offline_max == 0) {
		refuse(LOG_NOTICE, "no PIN set", "offline_max is off");
		v = PJ_UNLOCK_NO_PIN;
		goto out;
	}
	if (rq->verb == 'S' &&
	    (pj_json_get_date(d.claims, "iat", &iat) != 1 || now - iat > PJ_PIN_FRESH)) {
		refuse(LOG_NOTICE, "no PIN set", "the token is not fresh (iat over 300 s ago)");
		goto out;
	}
	if (pj_offline_record(cfg, caller, d.claims, now, rq->verb == 'S' ? rq->secret2 : NULL,
	                      rq->len2, &err) != PJ_OK) {
		refuse(LOG_ERR, rq->verb == 'S' ? "no PIN set" : "online sign-in not recorded",
		       err.reason);
		v = err.status == PJ_E_FORMAT ? PJ_UNLOCK_DENIED : PJ_UNLOCK_UNAVAIL;
		if (rq->verb == 'S')
			goto out;
	}
	syslog(LOG_NOTICE, "%s for user=\"%s\" iss=\"%s\" sub=\"%s\" jti=\"%s\"",
	       rq->verb == 'S' ? "offline PIN set" : "accepted token", caller, d.iss, d.sub, d.jti);
	v = PJ_UNLOCK_OK;
out:
	if (cfg == &routed)
		pj_config_free(&routed);
	pj_decision_free(&d);
	return v;
}

static enum pj_unlock_verdict check_pin(const struct pj_config *cfg, const struct pj_unlock_req *rq,
                                        int64_t now)
{
	struct pj_pin_result r;
	struct pj_err err;
	enum pj_status st;

	pj_err_clear(&err);
	st = pj_offline_check(cfg, caller, rq->secret1, rq->len1, now, &r, &err);
	json_object_put(r.claims);
	if (st != PJ_OK) {
		refuse(LOG_ERR, "offline PIN not checked", err.reason);
		return PJ_UNLOCK_UNAVAIL;
	}
	switch (r.verdict) {
	case PJ_PIN_OK:
		syslog(LOG_NOTICE, "accepted offline PIN for user=\"%s\" iss=\"%s\" sub=\"%s\"",
		       caller, r.iss, r.sub);
		return PJ_UNLOCK_OK;
	case PJ_PIN_WRONG:
		refuse(LOG_WARNING, "refused offline PIN", err.reason);
		return PJ_UNLOCK_DENIED;
	case PJ_PIN_WAIT:
		refuse(LOG_WARNING, "refused offline PIN", err.reason);
		return PJ_UNLOCK_WAIT;
	case PJ_PIN_ONLINE:
		refuse(LOG_INFO, "offline PIN not used", err.reason);
		return PJ_UNLOCK_ONLINE;
	case PJ_PIN_REFUSED:
		refuse(LOG_WARNING, "refused offline PIN", err.reason);
		return PJ_UNLOCK_DENIED;
	case PJ_PIN_NONE: break;
	}
	refuse(LOG_INFO, "offline PIN not used", err.reason);
	return PJ_UNLOCK_NO_PIN;
}

/* Is name the calling real user's account?  Fills caller. */
static int caller_is(const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	caller_uid = getuid();
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
	    strlen(pw.pw_name) >= sizeof(caller))
		return 0;
	memcpy(caller, pw.pw_name, strlen(pw.pw_name) + 1);
	return strcmp(name, pw.pw_name) == 0;
}

int main(int argc, char **argv)
{
	static char buf[PJ_UNLOCK_FRAME_MAX + 1];
	struct pj_unlock_req rq;
	struct pj_config cfg;
	struct pj_err err;
	size_t len = 0;
	const char *why = NULL;
	enum pj_unlock_verdict v;
	int64_t now;

	if (sanitize_fds() != 0)
		return PJ_UNLOCK_USAGE;
	clearenv();
	umask(077);
	sanitize_signals();
	openlog("pam_jwt-unlock", LOG_PID, LOG_AUTHPRIV);
	if (geteuid() != 0) {
		syslog(LOG_ERR, "not set up: must be setuid root");
		return finish(PJ_UNLOCK_UNAVAIL);
	}
	if (sanitize_limits(&why) != 0) {
		syslog(LOG_ERR, "refused: the caller's %s limit is too low and cannot be raised",
		       why);
		return finish(PJ_UNLOCK_UNAVAIL);
	}
	why = NULL;
	alarm(PJ_UNLOCK_ALARM);
	if (argc != 2 || !caller_is(argv[1])) {
		syslog(LOG_WARNING, "refused: uid=%lu asked for another account than its own",
		       (unsigned long)getuid());
		return finish(PJ_UNLOCK_USAGE);
	}
	/* from here on all root: the caller can no longer signal or trace it
	 * half-way through the bookkeeping */
	if (setgroups(0, NULL) != 0 || setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
		refuse(LOG_ERR, "refused", "cannot take root's identity");
		return finish(PJ_UNLOCK_UNAVAIL);
	}
	pj_err_clear(&err);
	if (read_frame(buf, &len, &why) != 0 || pj_unlock_parse(buf, len, &rq, &err) != PJ_OK) {
		refuse(LOG_WARNING, "refused request", why != NULL ? why : err.reason);
		v = PJ_UNLOCK_USAGE;
		goto out;
	}
	pj_openssl_init();
	if (pj_config_load(&cfg, 0, NULL, &err) != PJ_OK) {
		refuse(LOG_ERR, "refused", err.reason);
		v = PJ_UNLOCK_UNAVAIL;
		goto out;
	}
	now = (int64_t)time(NULL);
	v = rq.verb == 'P' ? check_pin(&cfg, &rq, now) : check_token(&cfg, &rq, now);
	pj_config_free(&cfg);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return finish(v);
}
