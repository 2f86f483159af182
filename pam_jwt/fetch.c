#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "fetch.h"
#include "fetchwire.h"
#include "safefile.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The helper decides what keys the host trusts: it must be as safe as a
 * key file. */
static enum pj_status check_helper(const char *path, struct pj_err *err)
{
	struct stat st;

	if (path == NULL || path[0] != '/')
		return pj_fail(err, PJ_E_CONFIG, "fetch_helper must be an absolute path");
	if (lstat(path, &st) != 0)
		return pj_fail(err, PJ_E_CONFIG, "fetch helper %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pj_fail(err, PJ_E_CONFIG, "fetch helper %s is not a regular file", path);
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return pj_fail(err, PJ_E_CONFIG,
		               "fetch helper %s is writable by someone other than root", path);
	if ((st.st_mode & S_IXUSR) == 0)
		return pj_fail(err, PJ_E_CONFIG, "fetch helper %s is not executable", path);
	return pj_check_parents(path, err);
}

/* A descriptor >= 3, so that dup2 onto 0 and 1 in the child cannot
 * clobber it when the host runs with its standard descriptors closed. */
static int above_std(int fd)
{
	int nfd;

	if (fd < 0 || fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static pid_t spawn_helper(const char *helper, char *const argv[], int child_fd, struct pj_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char *envp[] = { NULL };
	pid_t pid = -1;
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return pj_fail(err, PJ_E_NOMEM, "out of memory"), -1;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return pj_fail(err, PJ_E_NOMEM, "out of memory"), -1;
	}
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	rc = posix_spawn_file_actions_adddup2(&fa, child_fd, 0);
	rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, child_fd, 1);
	rc = rc ? rc : posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = rc ? rc : posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = rc ? rc : posix_spawnattr_setsigmask(&at, &none);
	rc = rc ? rc : posix_spawnattr_setsigdefault(&at, &all);
	/* its own session: the terminal's job control (^C, ^Z at su's
	 * prompt) does not reach it; the time limit here does */
	rc = rc ? rc
	        : posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                                                POSIX_SPAWN_SETSID);
	rc = rc ? rc : posix_spawn(&pid, helper, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "cannot start the helper %s: %s", helper,
		               strerror(rc)),
		       -1;
	return pid;
}

/* End the child for sure and reap it.  A pidfd names this child only,
 * even if the host reaps children itself (a SIGCHLD handler, or SIGCHLD
 * ignored) and the PID is reused. */
static void end_child(pid_t pid, int pidfd)
{
	siginfo_t si;
	int status;

	if (pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) != 0 && errno == EINTR)
			;
		close(pidfd);
		return;
	}
	/* no pidfd (a kernel older than 5.4): the PID is still ours until
	 * reaped, unless the host reaped it, in which case waitpid says so */
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
}

/* Wait until fd is ready for events or the deadline passes: 1 ready,
 * 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { fd, events, 0 };
	int rc;

	for (;;) {
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return 0;
		rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Send the request, then read the whole answer (until the helper closes
 * the socket) into *ans. */
static enum pj_status exchange(int fd, const char *req, size_t reqlen, size_t max, int64_t deadline,
                               char **ans, size_t *anslen, size_t *anscap, struct pj_err *err)
{
	size_t off = 0;
	char chunk[16384];

	while (off < reqlen) {
		ssize_t n;

		if (wait_fd(fd, POLLOUT, deadline) != 1)
			return pj_fail(err, PJ_E_UNAVAILABLE, "the helper took no request");
		n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return pj_fail(err, PJ_E_UNAVAILABLE, "the helper took no request: %s",
			               strerror(errno));
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n;
		int w = wait_fd(fd, POLLIN, deadline);

		if (w == 0)
			return pj_fail(err, PJ_E_UNAVAILABLE, "no answer within the time limit");
		if (w < 0)
			return pj_fail(err, PJ_E_UNAVAILABLE, "helper: %s", strerror(errno));
		n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return pj_fail(err, PJ_E_UNAVAILABLE, "helper: %s", strerror(errno));
		if (n == 0)
			break;
		if ((size_t)n > max - *anslen) {
			OPENSSL_cleanse(chunk, sizeof(chunk));
			return pj_fail(err, PJ_E_UNAVAILABLE, "the helper's answer is too large");
		}
		if (pj_buf_append(ans, anslen, anscap, chunk, (size_t)n) != 0) {
			OPENSSL_cleanse(chunk, sizeof(chunk));
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	return PJ_OK;
}

enum pj_status pj_helper_exchange(const char *helper, char *const argv[], const char *req,
                                  size_t reqlen, size_t max, int64_t timeout_ms, char **ans,
                                  size_t *anslen, size_t *anscap, struct pj_err *err)
{
	int64_t deadline = now_ms() + timeout_ms;
	int sv[2] = { -1, -1 }, pidfd = -1;
	pid_t pid = -1;
	enum pj_status st;

	*ans = NULL;
	*anslen = *anscap = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "socketpair: %s", strerror(errno));
	sv[0] = above_std(sv[0]);
	sv[1] = above_std(sv[1]);
	if (sv[0] < 0 || sv[1] < 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "no descriptor for the helper");
		goto out;
	}
	pid = spawn_helper(helper, argv, sv[1], err);
	close(sv[1]);
	sv[1] = -1;
	if (pid < 0) {
		st = err != NULL ? err->status : PJ_E_UNAVAILABLE;
		goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	st = exchange(sv[0], req, reqlen, max, deadline, ans, anslen, anscap, err);
out:
	if (pid > 0)
		end_child(pid, pidfd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (st != PJ_OK) {
		pj_free_secret(*ans, *anscap);
		*ans = NULL;
		*anslen = *anscap = 0;
	}
	return st;
}

enum pj_status pj_fetch_request(const char *helper, const char *url, const char *form,
                                const struct pj_http_opts *o, struct pj_http_resp *resp,
                                struct pj_err *err)
{
	char *req = NULL, *ans = NULL;
	char *argv[] = { (char *)"pam_jwt-fetch", NULL };
	size_t reqlen = 0, anslen = 0, anscap = 0;
	size_t max_body = o->max_body ? o->max_body : PJ_HTTP_MAX_BODY;
	enum pj_status st;

	memset(resp, 0, sizeof(*resp));
	if (strncmp(url, "https://", 8) != 0)
		return pj_fail(err, PJ_E_UNAVAILABLE, "refusing a non-https URL");
	if ((st = check_helper(helper, err)) != PJ_OK)
		return st;
	if ((st = pj_fetchwire_req_encode(url, form, o, &req, &reqlen, err)) != PJ_OK)
		return st;
	st = pj_helper_exchange(helper, argv, req, reqlen, max_body + 4096,
	                        o->timeout_ms + PJ_FETCH_SLACK_MS, &ans, &anslen, &anscap, err);
	if (st == PJ_OK)
		st = pj_fetchwire_resp_decode(ans, anslen, max_body, resp, err);
	/* whatever the helper said went wrong, for the caller it is the
	 * auth center that could not be reached (or a CA file refused) */
	if (st != PJ_OK && st != PJ_E_NOMEM && st != PJ_E_CONFIG) {
		st = PJ_E_UNAVAILABLE;
		if (err != NULL)
			err->status = st;
	}
	pj_free_secret(req, reqlen);
	pj_free_secret(ans, anscap);
	return st;
}
