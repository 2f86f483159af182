/* The token helper of pam-jwt: shared declarations of its files.
 *
 *   client_conf.c   client.conf files, environment and options
 *   client_cache.c  the user's cache directory: checks, atomic writes, locks
 *   client_login.c  the cached login (refresh token, access tokens) as JSON
 *   oauth.c         discovery and token endpoint requests (over http.h)
 *   tokens.c        a valid access token for an audience: cache or refresh
 *   askpass_prompt.c what an ssh/sudo prompt asks for
 *   qr.c, jwt_peek.c terminal QR codes, unverified claims for display
 *
 * Errors are values: every function that can fail fills a struct pjc_err
 * whose code is the exit status the command ends with and whose text says
 * what went wrong and what to do next.  No function here prints, except
 * qr.c (which writes to the stream it is given). */
#ifndef PJ_CLIENT_H
#define PJ_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "http.h"
#include "oauth.h"

/* Exit status of the helper commands (see pam-jwt(1)). */
#define PJC_EXIT_OK 0
#define PJC_EXIT_FAIL 1 /* the auth center refused, or another failure */
#define PJC_EXIT_USAGE 2 /* usage or configuration error */
#define PJC_EXIT_LOGIN 3 /* no usable login: run pam-jwt login */
#define PJC_EXIT_CACHE 4 /* the cache is unsafe (owner, permissions) */
#define PJC_EXIT_NETWORK 5 /* the auth center cannot be reached */
#define PJC_EXIT_PROMPT 6 /* askpass: not a prompt it answers */

#define PJC_MSG_MAX 768

struct pjc_err {
	int code; /* a PJC_EXIT_* value; 0 when no error */
	char msg[PJC_MSG_MAX]; /* what happened and what to do next */
};

/* Set e to code and a printf-formatted message; returns code. */
int pjc_fail(struct pjc_err *e, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Print "pam-jwt CMD: MESSAGE" on stderr and return e->code. */
int pjc_report(const char *cmd, const struct pjc_err *e);

/* ---- configuration (client_conf.c) ---------------------------------- */

#define PJC_SYSTEM_CONF "/etc/pam-jwt/client.conf"

struct pjc_conf {
	char *issuer;
	char *client_id;
	char *scope; /* requested at login; offline_access is added */
	char *ca_file, *ca_dir;
	char *audiences; /* space-separated audiences a login covers */
	char *audience; /* default audience of `pam-jwt token` */
	char *audience_ssh; /* askpass templates: %h host, %u user, %% */
	char *audience_sudo;
	char *prompt; /* the module's prompt, for askpass */
	long http_timeout; /* seconds */
	long min_valid; /* seconds a printed token must stay valid */
	int allow_multi_audience; /* hand out an aud array holding others too */
	char *cache_dir; /* resolved: $XDG_CACHE_HOME/pam-jwt ... */
	char *https_proxy; /* http://HOST:PORT (never https_proxy of the environment) */
	char *no_proxy;
};

/* Fill c with the defaults, then /etc/pam-jwt/client.conf, then the
 * user's file ($PAM_JWT_CLI_CLIENT_CONF, else $XDG_CONFIG_HOME/pam-jwt/
 * client.conf, else ~/.config/pam-jwt/client.conf), then the environment
 * (PAM_JWT_CLI_ISSUER, PAM_JWT_CLI_CLIENT_ID... one per key).  Missing files are
 * fine; an unsafe file (writable by others, owned by someone else), an
 * unknown key or a bad value is an error (PJC_EXIT_USAGE) naming the file
 * and line.  Release with pjc_conf_free, also after a failure. */
int pjc_conf_load(struct pjc_conf *c, struct pjc_err *e);

/* Set key (as in client.conf) to value; origin names the source for
 * messages ("--issuer", "file:3").  Errors: unknown key, bad value. */
int pjc_conf_set(struct pjc_conf *c, const char *key, const char *value, const char *origin,
                 struct pjc_err *e);

/* Release what c holds. */
void pjc_conf_free(struct pjc_conf *c);

/* Check that issuer (an https URL) and client_id are set, else a message
 * that says how to set them (PJC_EXIT_USAGE). */
int pjc_conf_need_client(const struct pjc_conf *c, struct pjc_err *e);

/* Expand a template: %h -> host, %u -> user (each "" when NULL), %% ->
 * %.  Sets *out (malloc'ed).  Errors: another % sequence. */
int pjc_expand(const char *tmpl, const char *host, const char *user, char **out, struct pjc_err *e);

/* The next word of a list separated by spaces, tabs or commas: returns
 * 1 and sets *word, *len (borrowed) and advances *p; 0 at the end. */
int pjc_next_word(const char **p, const char **word, size_t *len);

/* HTTP options (CA, time limit) for requests to the auth center. */
struct pj_http_opts pjc_http_opts(const struct pjc_conf *c);

/* Handle a common option at argv[*i] (--issuer, --client-id, --scope,
 * --ca-file, --cache-dir, --http-timeout): returns 1 and advances *i when
 * it was one, 0 when argv[*i] is not a common option, -1 on error. */
int pjc_common_option(struct pjc_conf *c, int argc, char **argv, int *i, struct pjc_err *e);

/* Non-zero when --help or -h is among argv[0..argc): the command prints
 * its usage and succeeds, whatever else is there. */
int pjc_wants_help(int argc, char **argv);

/* The arguments of a command that takes the common options and at most
 * one flag of its own (`flag`, which sets *set to 1).  Returns 0, or the
 * exit code with e set (anything else is a usage error naming it). */
int pjc_args_with_flag(struct pjc_conf *c, int argc, char **argv, const char *flag, int *set,
                       struct pjc_err *e);

/* ---- the cache directory (client_cache.c) ---------------------------- */

#define PJC_CACHE_FILE_MAX (256 * 1024)

/* Check the cache directory c->cache_dir: a directory (not a symlink)
 * owned by this user with no access for group or others.  With create,
 * make it (0700, and missing parents 0700) when absent.  Errors:
 * PJC_EXIT_CACHE (unsafe: the message says which chmod fixes it),
 * PJC_EXIT_LOGIN when absent and !create, PJC_EXIT_FAIL otherwise. */
int pjc_cache_check_dir(const char *dir, int create, struct pjc_err *e);

/* Read dir/name (at most PJC_CACHE_FILE_MAX bytes) into *buf (malloc'ed,
 * NUL-terminated; wipe with pj_free_secret(buf, len + 1)).  The file must
 * be a regular file (not a symlink) owned by this user, mode 0600 or
 * stricter.  *missing = 1 (and PJC_EXIT_LOGIN) when it does not exist;
 * PJC_EXIT_CACHE when unsafe. */
int pjc_cache_read(const char *dir, const char *name, char **buf, size_t *len, int *missing,
                   struct pjc_err *e);

/* Write data[0..len) to dir/name atomically (a 0600 temporary file in
 * dir, fsync, rename, fsync of dir). */
int pjc_cache_write(const char *dir, const char *name, const char *data, size_t len,
                    struct pjc_err *e);

/* dir + "/" + name (malloc'ed), or NULL when out of memory. */
char *pjc_path(const char *dir, const char *name);

/* Remove dir/name; a missing file is fine. */
int pjc_cache_remove(const char *dir, const char *name, struct pjc_err *e);

/* Take the exclusive lock dir/name (created 0600), waiting up to
 * wait_s seconds for another process.  Returns the descriptor (>= 0) or
 * -1 with e set. */
int pjc_cache_lock(const char *dir, const char *name, int wait_s, struct pjc_err *e);

/* Release a lock taken with pjc_cache_lock (-1 is fine). */
void pjc_cache_unlock(int fd);

/* ---- the cached login (client_login.c) ------------------------------- */

#define PJC_MAX_AUDIENCES 64
#define PJC_MAX_TOKENS 64

struct pjc_token {
	char *audience; /* "" for the login's default token */
	char *access_token;
	int64_t expires_at;
	int spent; /* given out by askpass: not to be given again */
};

struct pjc_login {
	char *issuer, *client_id;
	char *token_endpoint, *revocation_endpoint; /* revocation may be NULL */
	char *refresh_token; /* NULL when none (or revoked) */
	int64_t refresh_expires_at; /* 0: unknown */
	char *id_token; /* may be NULL */
	char *scope; /* as requested at login */
	int64_t login_time, refresh_time;
	char *audiences[PJC_MAX_AUDIENCES];
	size_t n_audiences;
	struct pjc_token tokens[PJC_MAX_TOKENS];
	size_t n_tokens;
};

/* The login file's name: pj_login_file_name (sso.h). */

/* Read the login of c->issuer/c->client_id from the cache.  Errors:
 * PJC_EXIT_LOGIN when there is none or it is damaged (the message says to
 * run pam-jwt login), PJC_EXIT_CACHE when it is unsafe.  Release with
 * pjc_login_free. */
int pjc_login_read(const struct pjc_conf *c, struct pjc_login *l, struct pjc_err *e);

/* Parse the text of a login file (for status, which reads every file).
 * The name is only used in messages. */
int pjc_login_parse(const char *text, size_t len, const char *name, struct pjc_login *l,
                    struct pjc_err *e);

/* Write l to the cache directory atomically (its name comes from l's
 * issuer and client_id).  Expired tokens are dropped first. */
int pjc_login_write(const char *dir, struct pjc_login *l, int64_t now, struct pjc_err *e);

/* The cached token for audience ("" for the default), or NULL. */
struct pjc_token *pjc_login_find(struct pjc_login *l, const char *audience);

/* Store a copy of access_token for audience, replacing an older one. */
int pjc_login_put(struct pjc_login *l, const char *audience, const char *access_token,
                  int64_t expires_at, struct pjc_err *e);

/* Non-zero when audience is one of the audiences the login covers. */
int pjc_login_covers(const struct pjc_login *l, const char *audience);

/* Add audience to the login's list (no duplicates).  Errors: too many. */
int pjc_login_add_audience(struct pjc_login *l, const char *audience, struct pjc_err *e);

/* Replace *field by a copy of value (NULL clears it), wiping the old one. */
int pjc_set_secret(char **field, const char *value, struct pjc_err *e);

/* Release (and wipe) what l holds. */
void pjc_login_free(struct pjc_login *l);

/* ---- OAuth 2.0 requests (oauth.c) ------------------------------------ */

struct pjc_endpoints {
	char *device; /* device_authorization_endpoint, or NULL */
	char *token; /* token_endpoint */
	char *revocation; /* revocation_endpoint, or NULL */
	char *authorization; /* authorization_endpoint, or NULL */
};

/* OpenID Connect discovery at c->issuer: the document's issuer must be
 * c->issuer exactly and every endpoint an https URL.  Errors:
 * PJC_EXIT_NETWORK (unreachable), PJC_EXIT_FAIL (bad document). */
int pjc_discover(const struct pjc_conf *c, struct pjc_endpoints *ep, struct pjc_err *e);

/* Release what pjc_discover filled (safe on a zeroed struct). */
void pjc_endpoints_free(struct pjc_endpoints *ep);

/* Form bodies: struct pj_form, pj_form_add and pj_form_free (oauth.h). */

struct pjc_oauth_resp {
	long status;
	struct json_object *json; /* owned; the parsed body */
	char error[64]; /* "error" member, sanitised, or "" */
	char description[256]; /* "error_description", sanitised, or "" */
};

/* POST the form to url and parse a JSON object answer (any HTTP status;
 * the caller looks at status and error).  Errors: PJC_EXIT_NETWORK when
 * the auth center cannot be reached, PJC_EXIT_FAIL when the answer is not
 * a JSON object.  Release with pjc_oauth_resp_free (it wipes). */
int pjc_oauth_post(const struct pjc_conf *c, const char *url, const struct pj_form *f,
                   struct pjc_oauth_resp *r, struct pjc_err *e);

/* Wipe and release an answer (safe on a zeroed struct). */
void pjc_oauth_resp_free(struct pjc_oauth_resp *r);

/* String member of an answer, or NULL (borrowed). */
const char *pjc_oauth_str(const struct pjc_oauth_resp *r, const char *name);

/* Integer member (expires_in, interval), or dflt when absent or bad. */
int64_t pjc_oauth_int(const struct pjc_oauth_resp *r, const char *name, int64_t dflt);

/* The auth center's error as text for a message: "error: description". */
void pjc_oauth_error_text(const struct pjc_oauth_resp *r, char *out, size_t outsz);

/* The authorization code grant with PKCE and a loopback redirect
 * (browser_login.c): listen on 127.0.0.1, show (and, with a display, open
 * with xdg-open) the authorization URL at auth_url for scope and l's
 * audiences, take one answer on the port and close it, check state,
 * exchange the code at token_url with the verifier, check the ID token's
 * nonce.  quiet: a JSON event instead of text.  On 0, *r holds the token
 * response (release with pjc_oauth_resp_free).  Errors: PJC_EXIT_LOGIN
 * (refused, wrong state or nonce, no answer in 10 minutes),
 * PJC_EXIT_NETWORK, PJC_EXIT_FAIL. */
int pjc_browser_login(const struct pjc_conf *c, const char *auth_url, const char *token_url,
                      const char *scope, const struct pjc_login *l, int quiet,
                      struct pjc_oauth_resp *r, struct pjc_err *e);

/* Revoke token (RFC 7009) at url as client c->client_id. */
int pjc_revoke(const struct pjc_conf *c, const char *url, const char *token, const char *hint,
               struct pjc_err *e);

/* ---- access tokens (tokens.c) ---------------------------------------- */

/* Store the tokens of a successful token response in l: access token for
 * audience (expiry from its exp claim, else expires_in; not kept when
 * audience is NULL), the rotated refresh token, the ID token.  Errors: no
 * access_token in the answer. */
int pjc_store_response(struct pjc_login *l, const struct pjc_oauth_resp *r, const char *audience,
                       int64_t now, struct pjc_err *e);

/* An access token for audience (NULL or "": the login's default) valid
 * for at least min_valid seconds: from the cache, or by the refresh token
 * grant with resource=audience (RFC 8707), storing the rotated refresh
 * token in the cache before returning.  With fresh, always a new token
 * (askpass: a host with replay protection takes each token once), kept
 * in the cache only as spent; a spent token is never returned again
 * (unless there is no refresh token to get another).  Every token, cached
 * or new, passes pjc_check_handout first: one that fails it is never
 * returned (nor kept, when new), and the error says why.  On success sets *token (malloc'ed;
 * wipe with pj_free_secret) and *expires_at.  Errors: PJC_EXIT_LOGIN (not
 * logged in, login expired or revoked, audience not covered),
 * PJC_EXIT_NETWORK, PJC_EXIT_FAIL, PJC_EXIT_CACHE. */
int pjc_get_token(const struct pjc_conf *c, const char *audience, long min_valid, int fresh,
                  char **token, int64_t *expires_at, struct pjc_err *e);

/* ---- reading tokens without verifying them (jwt_peek.c) -------------- */

/* The claims of a compact JWS, decoded WITHOUT checking the signature
 * (for display and for expiry bookkeeping only).  Returns a new object
 * (json_object_put) or NULL when token is not a decodable JWT. */
struct json_object *pjc_peek_claims(const char *token);

/* The exp claim of token, or 0 when it has none or cannot be decoded. */
int64_t pjc_peek_exp(const char *token);

/* Non-zero when the claims' aud (string or array) contains audience. */
int pjc_claims_have_aud(const struct json_object *claims, const char *audience);

/* Whether token may be handed out as a token for audience (NULL or "":
 * the login's own token) at time now: it must be a JWT with an exp claim
 * after now and, when an audience is asked for, an aud that is exactly
 * that audience (the string, or an array of just it); with
 * c->allow_multi_audience, an aud array that holds it among others.  The
 * token is decoded WITHOUT verifying its signature: this keeps a token
 * another host would accept from being handed out; the host verifies.
 * Returns 0, or PJC_EXIT_FAIL with e (may be NULL) saying what the auth
 * center issued and how to configure it. */
int pjc_check_handout(const struct pjc_conf *c, const char *token, const char *audience,
                      int64_t now, struct pjc_err *e);

/* "1h 5m", "42s"... for a number of seconds (negative: the absolute). */
void pjc_duration(int64_t s, char *out, size_t outsz);

/* ---- terminal QR codes (qr.c) ---------------------------------------- */

/* Draw text as a QR code with UTF-8 half blocks on f (two module rows per
 * line, light modules as blocks, a quiet zone of 2).  Returns 0, or -1
 * when libqrencode cannot encode it (nothing is written). */
int pjc_qr_print(FILE *f, const char *text);

/* ---- askpass prompts (askpass_prompt.c) ------------------------------ */

enum pjc_prompt_kind {
	PJC_PROMPT_UNKNOWN = 0,
	PJC_PROMPT_TOKEN, /* the module's prompt: answer with a token or its first part */
	PJC_PROMPT_PART, /* "... (part N): ": answer with part N */
	PJC_PROMPT_PASSWORD /* sudo's own prompt */
};

enum pjc_service { PJC_SVC_NONE = 0, PJC_SVC_SSH, PJC_SVC_SUDO };

struct pjc_prompt {
	enum pjc_prompt_kind kind;
	enum pjc_service service; /* from the prompt; NONE when it does not say */
	char user[128]; /* "" when the prompt does not say */
	char host[256]; /* "" when the prompt does not say */
	int part; /* PJC_PROMPT_PART: 2..64 */
	const char *why; /* PJC_PROMPT_UNKNOWN: a short reason (static) */
};

/* Work out what prompt asks.  module_prompt is the module's prompt
 * ("Token: "); its part prompts are "<it without trailing ': '> (part N): ".
 * Handles "(user@host) " prefixes (ssh keyboard-interactive, OpenSSH >=
 * 8.4: the only source of a host), info lines before the prompt and
 * "[sudo] password for user: " (service SUDO as the text claims: the
 * caller checks that sudo asks).  Anything else, "user@host's password: "
 * included, is PJC_PROMPT_UNKNOWN. */
void pjc_prompt_parse(const char *prompt, const char *module_prompt, struct pjc_prompt *p);

#endif
