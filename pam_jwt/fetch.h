/* The module's HTTPS requests, made outside the host process.  sshd, sudo,
 * su and the greeters must not load libcurl: it reads the caller's
 * environment (SSLKEYLOGFILE, proxies, CA variables), starts threads and
 * keeps global state.  So each request runs in a short-lived child,
 * pam_jwt-fetch, started with execve, an empty environment, default
 * signal handling, its own session and no descriptor of the host but a
 * socket; its answer comes back over that socket and is checked here
 * before anything above sees it (see fetchwire.h). */
#ifndef PJ_FETCH_H
#define PJ_FETCH_H

#include <stdint.h>

#include "http.h"
#include "pj_err.h"

/* The helper's installed path (configure sets it; the `fetch_helper`
 * option overrides it). */
#ifndef PJ_FETCH_HELPER
#define PJ_FETCH_HELPER "/usr/libexec/pam_jwt/pam_jwt-fetch"
/* Run the program at helper (a checked path) with argv, an empty
 * environment, default signal handling, its own session, a socket as
 * its standard input and output and /dev/null as its standard error;
 * send req[0..reqlen), end the sending side, read everything it writes
 * (at most max bytes) into *ans (*anslen used, *anscap allocated; wipe
 * with pj_free_secret(*ans, *anscap)) until it closes the socket, at
 * most timeout_ms in all; then end and reap it.  Errors:
 * PJ_E_UNAVAILABLE (cannot start, too slow, too much), PJ_E_NOMEM. */
enum pj_status pj_helper_exchange(const char *helper, char *const argv[], const char *req,
                                  size_t reqlen, size_t max, int64_t timeout_ms, char **ans,
                                  size_t *anslen, size_t *anscap, struct pj_err *err);

#endif

/* Slack on top of the request's own time limit for the helper to start
 * and exit, in milliseconds. */
#define PJ_FETCH_SLACK_MS 2000

/* pj_http_request's contract, run by the helper at path helper: GET url
 * (or POST form), https only, verified, within o->timeout_ms (plus
 * PJ_FETCH_SLACK_MS for the helper itself; then it is killed).  The helper
 * must be an absolute path to a regular executable file owned by root (or
 * the effective user) that neither group nor others may write, in
 * directories that only root may write.  On PJ_OK *resp holds the
 * response (release with pj_http_resp_free).  Errors: PJ_E_CONFIG for an
 * unsafe or missing helper, PJ_E_UNAVAILABLE for every failure of the
 * request or the helper (time-out, crash, malformed answer), with a
 * printable reason. */
enum pj_status pj_fetch_request(const char *helper, const char *url, const char *form,
                                const struct pj_http_opts *o, struct pj_http_resp *resp,
                                struct pj_err *err);

/* Run the program at helper (a checked path) with argv, an empty
 * environment, default signal handling, its own session, a socket as
 * its standard input and output and /dev/null as its standard error;
 * send req[0..reqlen), end the sending side, read everything it writes
 * (at most max bytes) into *ans (*anslen used, *anscap allocated; wipe
 * with pj_free_secret(*ans, *anscap)) until it closes the socket, at
 * most timeout_ms in all; then end and reap it.  Errors:
 * PJ_E_UNAVAILABLE (cannot start, too slow, too much), PJ_E_NOMEM. */
enum pj_status pj_helper_exchange(const char *helper, char *const argv[], const char *req,
                                  size_t reqlen, size_t max, int64_t timeout_ms, char **ans,
                                  size_t *anslen, size_t *anscap, struct pj_err *err);

#endif
