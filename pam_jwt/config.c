#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "safefile.h"
#include "textline.h"

struct line {
	const char *key, *value; /* value NUL-terminated copy, or NULL */
	size_t keylen;
	int section; /* 1 for a "[name]" line */
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split the next non-empty, non-comment line of [*p, end).  Returns 1 with
 * *ln filled (ln->value malloc'ed for key lines), 0 at the end, -1 on a
 * syntax error, -2 when out of memory.  *lineno counts lines. */
static int next_line(const char **p, const char *end, unsigned *lineno, struct line *ln)
{
	const char *s, *ve, *eq, *ke, *vs;
	size_t n;
	char *v;

	if (!pj_next_text_line(p, end, lineno, &s, &n))
		return 0;
	ve = s + n;
	memset(ln, 0, sizeof(*ln));
	if (*s == '[') {
		if (ve[-1] != ']' || ve - s < 3)
			return -1;
		ln->section = 1;
		ln->key = s + 1;
		ln->keylen = (size_t)(ve - s - 2);
		return 1;
	}
	eq = memchr(s, '=', n);
	if (eq == NULL)
		return -1;
	ke = eq;
	while (ke > s && is_space(ke[-1]))
		ke--;
	vs = eq + 1;
	while (vs < ve && is_space(*vs))
		vs++;
	if (ke == s)
		return -1;
	/* "value" keeps spaces at its ends (prompt = "Token: ") */
	if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
		vs++;
		ve--;
	}
	v = malloc((size_t)(ve - vs) + 1);
	if (v == NULL)
		return -2;
	memcpy(v, vs, (size_t)(ve - vs));
	v[ve - vs] = '\0';
	ln->key = s;
	ln->keylen = (size_t)(ke - s);
	ln->value = v;
	return 1;
}

static enum pj_status at_line(enum pj_status st, const char *path, unsigned lineno,
                              struct pj_err *err)
{
	char inner[PJ_REASON_MAX];

	if (err == NULL)
		return st;
	memcpy(inner, err->reason, sizeof(inner));
	return pj_fail(err, st, "%s:%u: %s", path, lineno, inner);
}

/* Walk the text.  Lines before the first section, and the lines of
 * section number apply_section (counting from 0; -1 for none), go to
 * `global` (when not NULL).  Every section's lines also go to a scratch
 * configuration, so every line is checked and each section's issuer is
 * known.  Sets *nsec to the number of sections and *match to the index of
 * the section whose issuer equals want[0..wantlen) (or -1). */
static enum pj_status walk(struct pj_config *global, const char *text, size_t len, const char *path,
                           const char *want, size_t wantlen, long apply_section, size_t *nsec,
                           long *match, char **collect, struct pj_err *err)
{
	const char *p = text, *end = text + len;
	struct pj_config scratch;
	char *seen[PJ_MAX_SECTIONS] = { NULL };
	unsigned lineno = 0, sec_line = 0;
	long sec = -1, k;
	int in_scratch = 0, r;
	enum pj_status st = PJ_OK;
	struct pj_err local;
	struct line ln;

	if (err == NULL)
		err = &local;
	*nsec = 0;
	*match = -1;
	if (memchr(text, '\0', len) != NULL)
		return pj_fail(err, PJ_E_CONFIG, "%s: contains a NUL byte", path);
	for (;;) {
		r = next_line(&p, end, &lineno, &ln);
		if (r == -2)
			st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		else if (r == -1)
			st = pj_fail(err, PJ_E_CONFIG,
			             "%s:%u: expected \"name = value\" or \"[section]\"", path,
			             lineno);
		if (r < 0)
			break;
		if (r == 0 || ln.section) {
			/* close the previous section */
			if (in_scratch) {
				if (scratch.issuer == NULL) {
					st = pj_fail(err, PJ_E_CONFIG,
					             "%s:%u: section has no issuer", path,
					             sec_line);
					break;
				}
				for (k = 0; k < sec; k++) {
					if (seen[k] != NULL &&
					    strcmp(seen[k], scratch.issuer) == 0) {
						st = pj_fail(err, PJ_E_CONFIG,
						             "%s:%u: a section for issuer %s "
						             "exists already",
						             path, sec_line, scratch.issuer);
						break;
					}
				}
				if (st != PJ_OK)
					break;
				seen[sec] = strdup(scratch.issuer);
				if (collect != NULL && sec < PJ_MAX_SECTIONS)
					collect[sec] = strdup(scratch.issuer);
				if (want != NULL && strlen(scratch.issuer) == wantlen &&
				    memcmp(scratch.issuer, want, wantlen) == 0)
					*match = sec;
				pj_config_free(&scratch);
				in_scratch = 0;
			}
			if (r == 0)
				break;
			sec++;
			(*nsec)++;
			if (sec >= PJ_MAX_SECTIONS) {
				st = pj_fail(err, PJ_E_CONFIG, "%s:%u: more than %d sections", path,
				             lineno, PJ_MAX_SECTIONS);
				break;
			}
			sec_line = lineno;
			if ((st = pj_config_init(&scratch, err)) != PJ_OK)
				break;
			in_scratch = 1;
			continue;
		}
		if (!pj_opt_file_allowed(ln.key, ln.keylen)) {
			char safe[48];

			pj_sanitize(safe, sizeof(safe), ln.key, ln.keylen);
			free((char *)ln.value);
			st = pj_fail(err, PJ_E_CONFIG,
			             "%s:%u: %s may only be a module argument (on the PAM line of "
			             "the service that wants it)",
			             path, lineno, safe);
			break;
		}
		if (sec < 0 || sec == apply_section) {
			if (global != NULL &&
			    (st = pj_opt_set(global, ln.key, ln.keylen, ln.value, err)) != PJ_OK) {
				free((char *)ln.value);
				st = at_line(st, path, lineno, err);
				break;
			}
		}
		if (sec >= 0 &&
		    (st = pj_opt_set(&scratch, ln.key, ln.keylen, ln.value, err)) != PJ_OK) {
			free((char *)ln.value);
			st = at_line(st, path, lineno, err);
			break;
		}
		free((char *)ln.value);
	}
	if (in_scratch)
		pj_config_free(&scratch);
	for (k = 0; k < PJ_MAX_SECTIONS; k++)
		free(seen[k]);
	return st;
}

enum pj_status pj_config_parse(struct pj_config *cfg, const char *text, size_t len,
                               const char *path, struct pj_err *err)
{
	long match;

	return walk(cfg, text, len, path, NULL, 0, -1, &cfg->n_sections, &match, NULL, err);
}

enum pj_status pj_config_check(const struct pj_config *cfg, struct pj_err *err)
{
	if (cfg->issuer == NULL || cfg->audience == NULL)
		return pj_fail(err, PJ_E_CONFIG, "issuer and audience must be configured");
	if (cfg->n_key_files == 0 && cfg->jwks_file == NULL && cfg->hmac_secret_file == NULL &&
	    strncmp(cfg->issuer, "https://", 8) != 0 &&
	    (cfg->jwks_uri == NULL || strncmp(cfg->jwks_uri, "https://", 8) != 0))
		return pj_fail(err, PJ_E_CONFIG,
		               "no key source: set key_file, jwks_file or hmac_secret_file, "
		               "or use an https issuer or jwks_uri");
	if (cfg->jwks_uri != NULL && strncmp(cfg->jwks_uri, "https://", 8) != 0)
		return pj_fail(err, PJ_E_CONFIG, "jwks_uri must be an https:// URL");
	if (cfg->introspection_endpoint != NULL &&
	    strncmp(cfg->introspection_endpoint, "https://", 8) != 0)
		return pj_fail(err, PJ_E_CONFIG, "introspection_endpoint must be an https:// URL");
	if (cfg->introspect &&
	    (cfg->introspect_client_id == NULL || cfg->introspect_secret_file == NULL))
		return pj_fail(err, PJ_E_CONFIG,
		               "introspect needs introspect_client_id and introspect_secret_file");
	if (cfg->introspect && cfg->introspection_endpoint == NULL &&
	    strncmp(cfg->issuer, "https://", 8) != 0)
		return pj_fail(err, PJ_E_CONFIG,
		               "introspect needs introspection_endpoint or an https issuer");
	if (cfg->accounts_uid_min > cfg->accounts_uid_max)
		return pj_fail(err, PJ_E_CONFIG, "accounts_uid_min is above accounts_uid_max");
	/* a provisional entry carries the UID the account will keep: the NSS
	 * module knows the name, never the token's sub */
	if (cfg->accounts_provisional != NULL && !cfg->accounts_uid_from_name)
		return pj_fail(err, PJ_E_CONFIG,
		               "accounts_provisional needs accounts_uid_from = name");
	return PJ_OK;
}

static enum pj_status apply_args(struct pj_config *cfg, int argc, char *const *argv,
                                 struct pj_err *err)
{
	int i;
	enum pj_status st;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			continue;
		if ((st = pj_opt_arg(cfg, argv[i], err)) != PJ_OK)
			return st;
	}
	return PJ_OK;
}

/* Keep the source of cfg so per-issuer configurations can be derived. */
static enum pj_status keep_source(struct pj_config *cfg, char *text, size_t len, const char *path,
                                  int argc, const char **argv, struct pj_err *err)
{
	int i;

	cfg->src_text = text;
	cfg->src_len = len;
	cfg->src_path = strdup(path);
	cfg->src_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (cfg->src_path == NULL || cfg->src_argv == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	for (i = 0; i < argc; i++) {
		if ((cfg->src_argv[i] = strdup(argv[i])) == NULL)
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
		cfg->src_argc = i + 1;
	}
	return PJ_OK;
}

enum pj_status pj_config_load(struct pj_config *cfg, int argc, const char **argv,
                              struct pj_err *err)
{
	const char *path = PJ_DEFAULT_CONFIG;
	int explicit_path = 0, i;
	char *text = NULL;
	size_t len = 0;
	enum pj_status st;

	if ((st = pj_config_init(cfg, err)) != PJ_OK)
		return st;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0) {
			path = argv[i] + 7;
			explicit_path = 1;
		}
	}
	/* as for every other path: a relative one would be opened in the
	 * caller's working directory (su and sudo keep the caller's) */
	if (path[0] != '/') {
		st = pj_fail(err, PJ_E_CONFIG, "config= must be an absolute path");
		goto fail;
	}
	st = pj_read_file(path, PJ_CONFIG_MAX_BYTES, &text, &len, err);
	if (st == PJ_OK) {
		st = pj_config_parse(cfg, text, len, path, err);
		if (st != PJ_OK) {
			free(text);
			goto fail;
		}
	} else if (explicit_path || st != PJ_E_UNAVAILABLE || access(path, F_OK) == 0) {
		/* A named file must exist; an existing default must be readable. */
		st = st == PJ_E_UNAVAILABLE ? PJ_E_CONFIG : st;
		goto fail;
	}
	if ((st = keep_source(cfg, text, len, path, argc, argv, err)) != PJ_OK)
		goto fail;
	if ((st = apply_args(cfg, cfg->src_argc, cfg->src_argv, err)) != PJ_OK)
		goto fail;
	if (cfg->n_sections == 0 && (st = pj_config_check(cfg, err)) != PJ_OK)
		goto fail;
	return PJ_OK;
fail:
	pj_config_free(cfg);
	return st;
}

enum pj_status pj_config_for_issuer(const struct pj_config *base, const char *iss, size_t isslen,
                                    struct pj_config *out, struct pj_err *err)
{
	size_t nsec = 0;
	long match = -1;
	enum pj_status st;

	if ((st = pj_config_init(out, err)) != PJ_OK)
		return st;
	if (base->src_text != NULL) {
		/* find the section, then apply globals and that section */
		if (base->n_sections > 0)
			st = walk(NULL, base->src_text, base->src_len, base->src_path, iss, isslen,
			          -1, &nsec, &match, NULL, err);
		if (st == PJ_OK && base->n_sections > 0 && match < 0) {
			char safe[96];

			pj_sanitize(safe, sizeof(safe), iss, isslen);
			st = pj_fail(err, PJ_E_ISSUER, "no auth center is configured for issuer %s",
			             safe);
		}
		if (st == PJ_OK)
			st = walk(out, base->src_text, base->src_len, base->src_path, NULL, 0,
			          match, &nsec, &match, NULL, err);
	}
	if (st == PJ_OK)
		st = apply_args(out, base->src_argc, base->src_argv, err);
	if (st == PJ_OK)
		st = pj_config_check(out, err);
	/* one database per host: the NSS module reads the global value */
	if (st == PJ_OK && strcmp(out->accounts_dir, base->accounts_dir) != 0)
		st = pj_fail(err, PJ_E_CONFIG,
		             "accounts_dir is set inside a section: set it in the global part");
	out->service = base->service;
	out->replay_readonly = base->replay_readonly;
	if (st != PJ_OK)
		pj_config_free(out);
	return st;
}

enum pj_status pj_config_issuers(const struct pj_config *base, char **issuers, size_t *n,
                                 struct pj_err *err)
{
	size_t i;
	long match;
	enum pj_status st;

	*n = 0;
	for (i = 0; i < PJ_MAX_SECTIONS; i++)
		issuers[i] = NULL;
	if (base->n_sections == 0) {
		if (base->issuer == NULL)
			return pj_fail(err, PJ_E_CONFIG, "no issuer configured");
		issuers[0] = strdup(base->issuer);
		*n = 1;
		return issuers[0] ? PJ_OK : pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	st = walk(NULL, base->src_text, base->src_len, base->src_path, NULL, 0, -1, n, &match,
	          issuers, err);
	for (i = 0; st == PJ_OK && i < *n; i++)
		if (issuers[i] == NULL)
			st = pj_fail(err, PJ_E_NOMEM, "out of memory");
	if (st != PJ_OK) {
		for (i = 0; i < PJ_MAX_SECTIONS; i++) {
			free(issuers[i]);
			issuers[i] = NULL;
		}
		*n = 0;
	}
	return st;
}
