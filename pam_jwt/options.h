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
#define PJ_MAX_KEY_FILES 8
#define PJ_CONFIG_MAX_BYTES (64 * 1024)

struct pj_config {
	char *issuer;
	char *audience;
	char *key_files[PJ_MAX_KEY_FILES];
	size_t n_key_files;
	char *jwks_file;
	char *hmac_secret_file;
	unsigned algorithms;      /* bit (1u << enum jws_alg) per allowed alg */
	int64_t leeway;           /* seconds */
	int64_t max_age;          /* seconds since iat; 0 = off */
	int64_t max_lifetime;     /* exp - iat; 0 = off */
	char *typ;                /* required typ, or NULL */
	char *user_claim;
	size_t max_token_size;
	int require_exp;
	int debug;
	char *prompt;
	int use_first_pass;
	int try_first_pass;
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

/* Apply one "name=value" or "name" argument (module argument or CLI
 * override).  "config=" is not handled here (see pj_config_load). */
enum pj_status pj_opt_arg(struct pj_config *cfg, const char *arg, struct pj_err *err);

/* Parse configuration text: "name = value" lines, '#' comments, blank
 * lines.  Errors name the line. */
enum pj_status pj_config_parse(struct pj_config *cfg, const char *text, size_t len,
			       const char *path, struct pj_err *err);

/* Build the configuration the module and the CLI use: defaults, then the
 * file (the `config=PATH` argument if given, else PJ_DEFAULT_CONFIG; the
 * default file may be missing when arguments supply what is needed), then
 * every other argument in order.  Then checks that it is complete
 * (issuer, audience, at least one key source).  argv is the module's
 * argument vector or the CLI's overrides. */
enum pj_status pj_config_load(struct pj_config *cfg, int argc, const char **argv,
			      struct pj_err *err);

/* Non-zero when alg is in the allow-list. */
int pj_config_alg_allowed(const struct pj_config *cfg, enum jws_alg alg);

#endif
