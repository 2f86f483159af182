/* The token helper's configuration: /etc/pam-jwt/client.conf, then the
 * user's client.conf, then PAM_JWT_CLI_* environment variables, then command
 * line options; later sources override earlier ones.  Unknown keys and bad
 * values are errors (fail closed), and a file that someone else could
 * have written is refused: it decides where refresh tokens are sent. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "proxy.h"
#include "safefile.h"

#define CONF_MAX_BYTES (64 * 1024)

int pjc_fail(struct pjc_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int pjc_report(const char *cmd, const struct pjc_err *e)
{
	fprintf(stderr, "pam-jwt %s: %s\n", cmd, e->msg[0] ? e->msg : "failed");
	return e->code ? e->code : PJC_EXIT_FAIL;
}

enum key_type { K_STR, K_URL, K_SECONDS, K_BOOL, K_PROXY, K_HOSTS };

struct key {
	const char *name;
	enum key_type type;
	size_t off; /* offset of the char *, long (K_SECONDS) or int (K_BOOL) member */
	long min, max; /* K_SECONDS */
};

#define STR(m) offsetof(struct pjc_conf, m)
static const struct key keys[] = {
	{ "issuer", K_URL, STR(issuer), 0, 0 },
	{ "client_id", K_STR, STR(client_id), 0, 0 },
	{ "scope", K_STR, STR(scope), 0, 0 },
	{ "ca_file", K_STR, STR(ca_file), 0, 0 },
	{ "ca_dir", K_STR, STR(ca_dir), 0, 0 },
	{ "audiences", K_STR, STR(audiences), 0, 0 },
	{ "audience", K_STR, STR(audience), 0, 0 },
	{ "audience_ssh", K_STR, STR(audience_ssh), 0, 0 },
	{ "audience_sudo", K_STR, STR(audience_sudo), 0, 0 },
	{ "prompt", K_STR, STR(prompt), 0, 0 },
	{ "cache_dir", K_STR, STR(cache_dir), 0, 0 },
	{ "http_timeout", K_SECONDS, STR(http_timeout), 1, 120 },
	{ "min_valid", K_SECONDS, STR(min_valid), 0, 86400 },
	{ "allow_multi_audience", K_BOOL, STR(allow_multi_audience), 0, 0 },
	{ "https_proxy", K_PROXY, STR(https_proxy), 0, 0 },
	{ "no_proxy", K_HOSTS, STR(no_proxy), 0, 0 },
};
#undef STR

static const struct key *find_key(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/* "30", "30s", "5m", "1h", "1d" -> seconds */
static int parse_seconds(const char *s, long *out)
{
	char *end = NULL;
	long v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	else if (*end == 'd')
		mul = 86400, end++;
	if (*end != '\0' || v > 86400L * 365)
		return -1;
	*out = v * mul;
	return 0;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int pjc_conf_set(struct pjc_conf *c, const char *key, const char *value, const char *origin,
                 struct pjc_err *e)
{
	const struct key *k = find_key(key, strlen(key));
	char **field;
	char *copy;

	if (k == NULL)
		return pjc_fail(e, PJC_EXIT_USAGE, "%s: unknown setting \"%.64s\"", origin, key);
	if (!printable(value))
		return pjc_fail(e, PJC_EXIT_USAGE, "%s: %s has control characters", origin, key);
	if (k->type == K_SECONDS) {
		long v;

		if (parse_seconds(value, &v) != 0 || v < k->min || v > k->max)
			return pjc_fail(
			        e, PJC_EXIT_USAGE,
			        "%s: %s must be a duration from %ld to %ld seconds, not \"%.32s\"",
			        origin, key, k->min, k->max, value);
		*(long *)(void *)((char *)c + k->off) = v;
		return 0;
	}
	if (k->type == K_BOOL) {
		int yes = strcmp(value, "yes") == 0 || strcmp(value, "true") == 0;

		if (!yes && strcmp(value, "no") != 0 && strcmp(value, "false") != 0)
			return pjc_fail(e, PJC_EXIT_USAGE,
			                "%s: %s must be yes or no, not \"%.32s\"", origin, key,
			                value);
		*(int *)(void *)((char *)c + k->off) = yes;
		return 0;
	}
	if (strcmp(k->name, "cache_dir") == 0 && value[0] != '/')
		return pjc_fail(e, PJC_EXIT_USAGE, "%s: cache_dir must be an absolute path",
		                origin);
	if (k->type == K_URL && strncmp(value, "https://", 8) != 0)
		return pjc_fail(e, PJC_EXIT_USAGE, "%s: %s must be an https:// URL, not \"%.128s\"",
		                origin, key, value);
	if (k->type == K_PROXY && !pj_proxy_valid(value))
		return pjc_fail(e, PJC_EXIT_USAGE,
		                "%s: %s must be http://HOST:PORT (no user name or password, no "
		                "path), not \"%.128s\"",
		                origin, key, value);
	if (k->type == K_HOSTS && !pj_no_proxy_valid(value))
		return pjc_fail(e, PJC_EXIT_USAGE,
		                "%s: %s takes host names, .domain suffixes or IP addresses "
		                "separated by commas, or *",
		                origin, key);
	copy = strdup(value);
	if (copy == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	field = (char **)(void *)((char *)c + k->off);
	free(*field);
	*field = copy;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Parse "key = value" lines; '#' starts a comment line.  The value keeps
 * inner spaces (scope, audiences, prompt); a prompt ending in a space can
 * be written in double quotes. */
static int parse_text(struct pjc_conf *c, char *text, const char *path, struct pjc_err *e)
{
	char *line = text, *next;
	int lineno = 0;

	for (; line != NULL; line = next) {
		char *eq, *k, *v, origin[320];
		size_t vl;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
		eq = strchr(k, '=');
		if (eq == NULL)
			return pjc_fail(e, PJC_EXIT_USAGE, "%s: expected \"name = value\"", origin);
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		vl = strlen(v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v[vl - 1] = '\0';
			v++;
		}
		if (pjc_conf_set(c, k, v, origin, e) != 0)
			return e->code;
	}
	return 0;
}

static int load_file(struct pjc_conf *c, const char *path, struct pjc_err *e)
{
	struct pj_err perr;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	pj_err_clear(&perr);
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 0;
	if (pj_read_file(path, CONF_MAX_BYTES, &buf, &len, &perr) != PJ_OK)
		return pjc_fail(e, PJC_EXIT_USAGE,
		                "%s (fix the file's owner or mode, or remove it)", perr.reason);
	if (memchr(buf, '\0', len) != NULL)
		rc = pjc_fail(e, PJC_EXIT_USAGE, "%s: has a NUL byte", path);
	else
		rc = parse_text(c, buf, path, e);
	free(buf);
	return rc;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] == '/')
		return h;
	pw = getpwuid(geteuid());
	return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

/* $VAR/suffix when VAR is an absolute path, else ~/fallback/suffix. */
static char *xdg_path(const char *var, const char *fallback, const char *suffix)
{
	const char *base = getenv(var), *home;
	size_t n;
	char *out;

	if (base != NULL && base[0] == '/') {
		n = strlen(base) + strlen(suffix) + 2;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "%s/%s", base, suffix);
		return out;
	}
	home = home_dir();
	if (home == NULL)
		return NULL;
	n = strlen(home) + strlen(fallback) + strlen(suffix) + 3;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s/%s/%s", home, fallback, suffix);
	return out;
}

static int set_default(struct pjc_conf *c, char **field, const char *value, struct pjc_err *e)
{
	(void)c;
	if (*field != NULL)
		return 0;
	*field = strdup(value);
	return *field ? 0 : pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
}

int pjc_conf_load(struct pjc_conf *c, struct pjc_err *e)
{
	const char *user_file = getenv("PAM_JWT_CLI_CLIENT_CONF");
	char *path = NULL;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	c->http_timeout = 10;
	c->min_valid = 60;
	if ((rc = load_file(c, PJC_SYSTEM_CONF, e)) != 0)
		return rc;
	if (user_file == NULL || user_file[0] == '\0') {
		path = xdg_path("XDG_CONFIG_HOME", ".config", "pam-jwt/client.conf");
		user_file = path;
	}
	if (user_file != NULL && (rc = load_file(c, user_file, e)) != 0) {
		free(path);
		return rc;
	}
	free(path);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char var[64];
		const char *v;
		size_t j, n;

		n = (size_t)snprintf(var, sizeof(var), "PAM_JWT_CLI_%s", keys[i].name);
		for (j = 8; j < n && j < sizeof(var); j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		v = getenv(var);
		if (v != NULL && v[0] != '\0' &&
		    (rc = pjc_conf_set(c, keys[i].name, v, var, e)) != 0)
			return rc;
	}
	if (set_default(c, &c->scope, "openid offline_access", e) != 0 ||
	    set_default(c, &c->audience_ssh, "ssh://%h", e) != 0 ||
	    set_default(c, &c->audience_sudo, "sudo://%h", e) != 0 ||
	    set_default(c, &c->prompt, "Token: ", e) != 0)
		return e->code;
	if (c->cache_dir == NULL) {
		c->cache_dir = xdg_path("XDG_CACHE_HOME", ".cache", "pam-jwt");
		if (c->cache_dir == NULL)
			return pjc_fail(e, PJC_EXIT_USAGE,
			                "cannot find your home directory for the cache: set HOME "
			                "or XDG_CACHE_HOME");
	}
	return 0;
}

void pjc_conf_free(struct pjc_conf *c)
{
	free(c->issuer);
	free(c->client_id);
	free(c->scope);
	free(c->ca_file);
	free(c->ca_dir);
	free(c->audiences);
	free(c->audience);
	free(c->audience_ssh);
	free(c->audience_sudo);
	free(c->prompt);
	free(c->cache_dir);
	free(c->https_proxy);
	free(c->no_proxy);
	memset(c, 0, sizeof(*c));
}

int pjc_conf_need_client(const struct pjc_conf *c, struct pjc_err *e)
{
	if (c->issuer == NULL)
		return pjc_fail(e, PJC_EXIT_USAGE,
		                "no auth center configured: set issuer = https://... in "
		                "~/.config/pam-jwt/client.conf or " PJC_SYSTEM_CONF
		                ", or use --issuer URL or PAM_JWT_CLI_ISSUER");
	if (c->client_id == NULL)
		return pjc_fail(e, PJC_EXIT_USAGE,
		                "no client id configured: set client_id = ... in "
		                "~/.config/pam-jwt/client.conf or " PJC_SYSTEM_CONF
		                ", or use --client-id ID or PAM_JWT_CLI_CLIENT_ID");
	return 0;
}

int pjc_expand(const char *tmpl, const char *host, const char *user, char **out, struct pjc_err *e)
{
	size_t n = 1, i, o = 0;
	char *buf;

	host = host ? host : "";
	user = user ? user : "";
	for (i = 0; tmpl[i]; i++)
		n += tmpl[i] == '%' ? strlen(host) + strlen(user) + 1 : 1;
	buf = malloc(n);
	if (buf == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	for (i = 0; tmpl[i]; i++) {
		const char *add = NULL;

		if (tmpl[i] != '%') {
			buf[o++] = tmpl[i];
			continue;
		}
		switch (tmpl[++i]) {
		case 'h': add = host; break;
		case 'u': add = user; break;
		case '%': add = "%"; break;
		default:
			free(buf);
			return pjc_fail(
			        e, PJC_EXIT_USAGE,
			        "audience template \"%.100s\": only %%h, %%u and %%%% are known",
			        tmpl);
		}
		memcpy(buf + o, add, strlen(add));
		o += strlen(add);
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

struct pj_http_opts pjc_http_opts(const struct pjc_conf *c)
{
	struct pj_http_opts o;

	memset(&o, 0, sizeof(o));
	o.ca_file = c->ca_file;
	o.ca_dir = c->ca_dir;
	o.timeout_ms = c->http_timeout * 1000;
	o.proxy = c->https_proxy;
	o.no_proxy = c->no_proxy;
	return o;
}

int pjc_common_option(struct pjc_conf *c, int argc, char **argv, int *i, struct pjc_err *e)
{
	static const char *const map[][2] = {
		{ "--issuer", "issuer" },       { "--client-id", "client_id" },
		{ "--scope", "scope" },         { "--ca-file", "ca_file" },
		{ "--cache-dir", "cache_dir" }, { "--http-timeout", "http_timeout" },
	};
	size_t k;

	for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
		if (strcmp(argv[*i], map[k][0]) != 0)
			continue;
		if (*i + 1 >= argc)
			return -(pjc_fail(e, PJC_EXIT_USAGE, "%s needs a value", map[k][0]) != 0);
		(*i)++;
		if (pjc_conf_set(c, map[k][1], argv[*i], map[k][0], e) != 0)
			return -1;
		return 1;
	}
	return 0;
}

int pjc_wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int pjc_args_with_flag(struct pjc_conf *c, int argc, char **argv, const char *flag, int *set,
                       struct pjc_err *e)
{
	int i, r;

	for (i = 0; i < argc; i++) {
		if ((r = pjc_common_option(c, argc, argv, &i, e)) < 0)
			return e->code;
		if (r > 0)
			continue;
		if (strcmp(argv[i], flag) != 0)
			return pjc_fail(e, PJC_EXIT_USAGE, "unexpected argument \"%.64s\"",
			                argv[i]);
		*set = 1;
	}
	return 0;
}

int pjc_next_word(const char **p, const char **word, size_t *len)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	if (*s == '\0') {
		*p = s;
		return 0;
	}
	*word = s;
	while (*s != '\0' && *s != ' ' && *s != '\t' && *s != ',')
		s++;
	*len = (size_t)(s - *word);
	*p = s;
	return 1;
}
