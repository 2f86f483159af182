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

#include "http.h"
#include "pj_err.h"

/* The helper's installed path (configure sets it; the `fetch_helper`
 * option overrides it). */
#ifndef PJ_FETCH_HELPER
#define PJ_FETCH_HELPER "/usr/libexec/pam_jwt/pam_jwt-fetch"
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

#endif
