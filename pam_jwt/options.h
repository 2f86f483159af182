/* The one option table: the configuration file, the module arguments and
 * the CLI's overrides all go through pj_opt_set(), so they accept exactly
 * the same names and values.  Unknown or malformed options are errors. */
#ifndef PJ_OPTIONS_H
#define PJ_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "jws.h"
#include "pj_err.h"

#define PJ_DEFAULT_CONFIG "/etc/security/pam_jwt.conf"
#define PJ_DEFAULT_CACHE_DIR "/var/cache/pam_jwt"
#define PJ_MAX_KEY_FILES 8
#define PJ_MAX_SECTIONS 32
#define PJ_MAX_REQUIRE 16
#define PJ_CONFIG_MAX_BYTES (64 * 1024)

struct pj_config {
	char *issuer;
	char *audience;
	char *key_files[PJ_MAX_KEY_FILES];
	size_t n_key_files;
	char *jwks_file;
	char *hmac_secret_file;
	unsigned algorithms; /* bit (1u << enum jws_alg) per allowed alg */
	int64_t leeway; /* seconds */
	int64_t max_age; /* seconds since iat; 0 = off */
	int64_t max_lifetime; /* exp - iat; 0 = off */
	char *typ; /* required typ, or NULL */
	char *user_claim;
	size_t max_token_size;
	int require_exp;
	int debug;
	char *prompt;
	int use_first_pass;
	int try_first_pass;

	/* Accounts and policy. */
	char *map_file; /* mapping rules, replaces user_claim */
	int user_email_local; /* user_claim: keep the part before '@' */
	char *user_strip_suffix; /* user_claim: remove this suffix (required) */
	int user_lowercase; /* user_claim: lower-case ASCII */
	/* Accounts a claim may never name (a literal mapping rule may): */
	char *deny_users; /* these, separated by commas or spaces */
	int64_t min_uid; /* UIDs below; 0 = UID_MIN of /etc/login.defs */
	char *require[PJ_MAX_REQUIRE];
	size_t n_require;
	char *session_env; /* claims exported as PAM_JWT_* */
	const char *service; /* the PAM service (set by the caller, not an option) */

	/* Per-host state. */
	int replay; /* each jti once */
	char *replay_dir;
	size_t replay_max_entries;
	int replay_readonly; /* look, do not record (set by pam-jwt verify) */
	char *revocation_file;

	/* Accounts created from the auth center (see accounts.h). */
	int accounts_create; /* accounts = create (0: existing) */
	int64_t accounts_uid_min, accounts_uid_max;
	int accounts_uid_from_name; /* accounts_uid_from = name (0: sub) */
	char *accounts_home; /* "%u" stands for the account name */
	char *accounts_shell;
	char *accounts_provisional; /* fnmatch pattern; NULL: off */
	char *accounts_dir; /* the database's directory */
	char *accounts_skel;
	int64_t accounts_home_mode;
	char *group_claim;
	char *accounts_groups_prefix; /* accounts_groups = prefix:P; NULL: none */
	char *accounts_group_allow; /* IdP groups given the prefix ("*": all) */
	char *accounts_group_map; /* "IDP:UNIX,..." */

	/* Keys from the auth center (used when no static key is configured). */
	char *jwks_uri; /* skip discovery */
	char *ca_file, *ca_dir; /* trust anchors for the auth center */
	char *cache_dir;
	char *fetch_helper; /* the program that makes the HTTPS requests */
	char *https_proxy; /* http://HOST:PORT, or NULL: no proxy (never the environment's) */
	char *no_proxy; /* hosts reached without the proxy, or NULL */

	/* Introspection (RFC 7662, introspect.h). */
	int introspect; /* ask the auth center whether the token is active */
	char *introspection_endpoint; /* NULL: discovery's */
	char *introspect_client_id;
	char *introspect_secret_file; /* root-only */
	int introspect_unavailable_allow; /* introspect_unavailable = allow (0: refuse) */
	int64_t introspect_cache; /* seconds an active answer is kept; 0 = off */
	int64_t http_timeout; /* seconds, total per request */
	int64_t refresh_interval; /* cache lifetime without Cache-Control */
	int64_t refresh_min_interval; /* at most one fetch per this, per issuer */
	int64_t stale_max; /* how long a cache is used while unreachable */

	/* The device flow inside the PAM conversation (device.h) and the
	 * session's token cache for onward sign-on (sso.h). */
	int device_flow; /* an empty answer starts it (module argument only) */
	int device_only; /* no token prompt: start it at once (argument only) */
	int device_in_prompt; /* URL and code in an echo-off prompt (argument only) */
	char *client_id; /* the OAuth client the module is */
	char *client_secret_file; /* root-only; none: a public client */
	char *device_scope; /* requested scope */
	int64_t device_max_wait; /* seconds the person has at most */
	char *sso_audiences; /* further audiences the session's login covers */
	int sso_cache; /* keep the tokens for the session */
	/* Lock screens and the offline PIN (offline.h, unlock.h). */
	int64_t offline_max; /* seconds after an online sign-in; 0: no PIN */
	int offline_pin; /* 0: when_offline, 1: always, 2: off */
	char *offline_dir; /* the PIN store; NULL: PJ_DEFAULT_OFFLINE_DIR */
	int pin_prompt; /* offer to set a PIN at an online sign-in */
	char *unlock_helper; /* NULL: PJ_UNLOCK_HELPER */
	int64_t unlock_max_wait; /* device-flow cap for unlock services; 0: none */

	/* Where this configuration came from, so the one for a token's
	 * issuer can be derived from it (see pj_config_for_issuer). */
	char *src_text;
	size_t src_len;
	char *src_path;
	char **src_argv;
	int src_argc;
	size_t n_sections;
};

/* Fill cfg with the defaults (caller frees with pj_config_free). */
enum pj_status pj_config_init(struct pj_config *cfg, struct pj_err *err);

/* Release what cfg holds. */
void pj_config_free(struct pj_config *cfg);

/* Set option `name` (name[0..namelen)) to `value` (NULL for a bare flag
 * such as "debug").  Errors: unknown name, a value of the wrong form, a
 * number out of range, a flag given a non-boolean value. */
enum pj_status pj_opt_set(struct pj_config *cfg, const char *name, size_t namelen,
                          const char *value, struct pj_err *err);

/* Non-zero when option name[0..namelen) may be set in the configuration
 * file; zero for those that only a module argument may set (the device
 * flow: a wait that must never reach a service whose stack did not ask
 * for it, through a file every service reads). */
int pj_opt_file_allowed(const char *name, size_t namelen);

/* Apply one "name=value" or "name" argument (module argument or CLI
 * override).  "config=" is not handled here (see pj_config_load). */
enum pj_status pj_opt_arg(struct pj_config *cfg, const char *arg, struct pj_err *err);

/* Parse configuration text: "name = value" lines, '#' comments, blank
 * lines, and "[name]" lines that start a section for one auth center
 * (every section must set issuer).  Lines before the first section apply
 * to cfg; section lines are only checked here (see pj_config_for_issuer)
 * and counted in cfg->n_sections.  Errors name the file and line. */
enum pj_status pj_config_parse(struct pj_config *cfg, const char *text, size_t len,
                               const char *path, struct pj_err *err);

/* Build the configuration the module and the CLI start from: defaults,
 * then the file (the `config=PATH` argument if given, which must be an
 * absolute path, else PJ_DEFAULT_CONFIG; the default file may be missing
 * when arguments supply what is needed), then every other argument in
 * order.  Without sections
 * the result must be complete (pj_config_check).  The text and arguments
 * are kept in cfg for pj_config_for_issuer. */
enum pj_status pj_config_load(struct pj_config *cfg, int argc, const char **argv,
                              struct pj_err *err);

/* The configuration for tokens from issuer iss[0..isslen): defaults, the
 * global lines, the lines of the section whose issuer equals iss exactly,
 * then the arguments; checked with pj_config_check.  Errors: PJ_E_ISSUER
 * when no section names that issuer. */
enum pj_status pj_config_for_issuer(const struct pj_config *base, const char *iss, size_t isslen,
                                    struct pj_config *out, struct pj_err *err);

/* The issuers cfg knows: the global one without sections, else each
 * section's.  Fills issuers[PJ_MAX_SECTIONS] with malloc'ed strings (caller
 * frees each) and *n. */
enum pj_status pj_config_issuers(const struct pj_config *base, char **issuers, size_t *n,
                                 struct pj_err *err);

/* Check that cfg can decide: issuer and audience set, and a key source
 * (static keys, or an https issuer / jwks_uri for the auth center's keys). */
enum pj_status pj_config_check(const struct pj_config *cfg, struct pj_err *err);

/* "30", "30s", "5m", "2h", "1d" -> seconds in [min, max] (*out).
 * Returns 0, or -1 when v is malformed or out of range. */
int pj_parse_duration(const char *v, int64_t min, int64_t max, int64_t *out);

/* What the option table says about one option, for listings. */
struct pj_opt_info {
	const char *name;
	const char *kind; /* "duration", "flag", "path", "choice"... */
	int64_t min, max; /* numbers: the accepted range; else 0, 0 */
	const char *choices; /* kind "choice": "a|b"; else NULL */
};

/* Describe option number i of the one option table (0, 1, ...) into
 * *out.  Returns 1, or 0 when i is past the last option.  Used by
 * `pam-jwt check --list-options`, which the tests compare with
 * pam_jwt.conf(5). */
int pj_opt_describe(size_t i, struct pj_opt_info *out);

/* Non-zero when alg is in the allow-list. */
int pj_config_alg_allowed(const struct pj_config *cfg, enum jws_alg alg);

#endif
