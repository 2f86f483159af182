#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "accounts.h"
#include "jwtdb.h"
#include "fetch.h"
#include "options.h"
#include "policy.h"
#include "proxy.h"
#include "state.h"

enum opt_type {
	OPT_STRING,
	OPT_PATH,
	OPT_FLAG,
	OPT_DURATION,
	OPT_SIZE,
	OPT_KEYFILE,
	OPT_ALGS,
	OPT_REQUIRE,
	OPT_USERS,
	OPT_UID,
	OPT_CHOICE, /* one word of choices, stored as its index (int) */
	OPT_HOME,
	OPT_GLOB, /* a string; empty: off (NULL) */
	OPT_MODE,
	OPT_GROUPS,
	OPT_GROUP_ALLOW,
	OPT_GROUP_MAP,
	OPT_ARGFLAG, /* a flag only a module argument may set */
	OPT_PROXY, /* http://HOST:PORT (proxy.h) */
	OPT_HOSTS /* a no-proxy list (proxy.h) */
};

struct opt {
	const char *name;
	enum opt_type type;
	size_t offset;
	int64_t min, max; /* for numbers */
	const char *choices; /* OPT_CHOICE: "a|b|c" */
};

#define OFF(f) offsetof(struct pj_config, f)

static const struct opt opts[] = {
	{ "issuer", OPT_STRING, OFF(issuer), 0, 0, NULL },
	{ "audience", OPT_STRING, OFF(audience), 0, 0, NULL },
	{ "key_file", OPT_KEYFILE, 0, 0, 0, NULL },
	{ "jwks_file", OPT_PATH, OFF(jwks_file), 0, 0, NULL },
	{ "hmac_secret_file", OPT_PATH, OFF(hmac_secret_file), 0, 0, NULL },
	{ "algorithms", OPT_ALGS, 0, 0, 0, NULL },
	{ "leeway", OPT_DURATION, OFF(leeway), 0, 86400, NULL },
	{ "max_age", OPT_DURATION, OFF(max_age), 0, 366LL * 86400, NULL },
	{ "max_lifetime", OPT_DURATION, OFF(max_lifetime), 0, 366LL * 86400, NULL },
	{ "typ", OPT_STRING, OFF(typ), 0, 0, NULL },
	{ "user_claim", OPT_STRING, OFF(user_claim), 0, 0, NULL },
	{ "max_token_size", OPT_SIZE, OFF(max_token_size), 256, 65536, NULL },
	{ "require_exp", OPT_FLAG, OFF(require_exp), 0, 0, NULL },
	{ "debug", OPT_FLAG, OFF(debug), 0, 0, NULL },
	{ "prompt", OPT_STRING, OFF(prompt), 0, 0, NULL },
	{ "use_first_pass", OPT_FLAG, OFF(use_first_pass), 0, 0, NULL },
	{ "try_first_pass", OPT_FLAG, OFF(try_first_pass), 0, 0, NULL },
	{ "jwks_uri", OPT_STRING, OFF(jwks_uri), 0, 0, NULL },
	{ "ca_file", OPT_PATH, OFF(ca_file), 0, 0, NULL },
	{ "ca_dir", OPT_PATH, OFF(ca_dir), 0, 0, NULL },
	{ "cache_dir", OPT_PATH, OFF(cache_dir), 0, 0, NULL },
	{ "fetch_helper", OPT_PATH, OFF(fetch_helper), 0, 0, NULL },
	{ "https_proxy", OPT_PROXY, OFF(https_proxy), 0, 0, NULL },
	{ "no_proxy", OPT_HOSTS, OFF(no_proxy), 0, 0, NULL },
	{ "introspect", OPT_FLAG, OFF(introspect), 0, 0, NULL },
	{ "introspection_endpoint", OPT_STRING, OFF(introspection_endpoint), 0, 0, NULL },
	{ "introspect_client_id", OPT_STRING, OFF(introspect_client_id), 0, 0, NULL },
	{ "introspect_secret_file", OPT_PATH, OFF(introspect_secret_file), 0, 0, NULL },
	{ "introspect_unavailable", OPT_CHOICE, OFF(introspect_unavailable_allow), 0, 0,
	  "refuse|allow" },
	{ "introspect_cache", OPT_DURATION, OFF(introspect_cache), 0, 10, NULL },
	{ "http_timeout", OPT_DURATION, OFF(http_timeout), 1, 60, NULL },
	{ "refresh_interval", OPT_DURATION, OFF(refresh_interval), 60, 7LL * 86400, NULL },
	{ "refresh_min_interval", OPT_DURATION, OFF(refresh_min_interval), 0, 86400, NULL },
	{ "stale_max", OPT_DURATION, OFF(stale_max), 0, 30LL * 86400, NULL },
	{ "map_file", OPT_PATH, OFF(map_file), 0, 0, NULL },
	{ "user_email_local", OPT_FLAG, OFF(user_email_local), 0, 0, NULL },
	{ "user_strip_suffix", OPT_STRING, OFF(user_strip_suffix), 0, 0, NULL },
	{ "user_lowercase", OPT_FLAG, OFF(user_lowercase), 0, 0, NULL },
	{ "require", OPT_REQUIRE, 0, 0, 0, NULL },
	{ "session_env", OPT_STRING, OFF(session_env), 0, 0, NULL },
	{ "replay", OPT_FLAG, OFF(replay), 0, 0, NULL },
	{ "replay_dir", OPT_PATH, OFF(replay_dir), 0, 0, NULL },
	{ "replay_max_entries", OPT_SIZE, OFF(replay_max_entries), 100, 1000000, NULL },
	{ "revocation_file", OPT_PATH, OFF(revocation_file), 0, 0, NULL },
	{ "deny_users", OPT_USERS, OFF(deny_users), 0, 0, NULL },
	{ "min_uid", OPT_UID, OFF(min_uid), 1, 2147483647, NULL },
	{ "accounts", OPT_CHOICE, OFF(accounts_create), 0, 0, "existing|create" },
	{ "accounts_uid_min", OPT_UID, OFF(accounts_uid_min), 1, PJ_ACCT_ID_MAX, NULL },
	{ "accounts_uid_max", OPT_UID, OFF(accounts_uid_max), 1, PJ_ACCT_ID_MAX, NULL },
	{ "accounts_uid_from", OPT_CHOICE, OFF(accounts_uid_from_name), 0, 0, "sub|name" },
	{ "accounts_home", OPT_HOME, OFF(accounts_home), 0, 0, NULL },
	{ "accounts_shell", OPT_PATH, OFF(accounts_shell), 0, 0, NULL },
	{ "accounts_provisional", OPT_GLOB, OFF(accounts_provisional), 0, 0, NULL },
	{ "accounts_dir", OPT_PATH, OFF(accounts_dir), 0, 0, NULL },
	{ "accounts_skel", OPT_PATH, OFF(accounts_skel), 0, 0, NULL },
	{ "accounts_home_mode", OPT_MODE, OFF(accounts_home_mode), 0, 0755, NULL },
	{ "group_claim", OPT_STRING, OFF(group_claim), 0, 0, NULL },
	{ "accounts_groups", OPT_GROUPS, OFF(accounts_groups_prefix), 0, 0, NULL },
	{ "accounts_group_allow", OPT_GROUP_ALLOW, OFF(accounts_group_allow), 0, 0, NULL },
	{ "accounts_group_map", OPT_GROUP_MAP, OFF(accounts_group_map), 0, 0, NULL },
	{ "device_flow", OPT_ARGFLAG, OFF(device_flow), 0, 0, NULL },
	{ "device_only", OPT_ARGFLAG, OFF(device_only), 0, 0, NULL },
	{ "device_in_prompt", OPT_ARGFLAG, OFF(device_in_prompt), 0, 0, NULL },
	{ "client_id", OPT_STRING, OFF(client_id), 0, 0, NULL },
	{ "client_secret_file", OPT_PATH, OFF(client_secret_file), 0, 0, NULL },
	{ "device_scope", OPT_STRING, OFF(device_scope), 0, 0, NULL },
	{ "device_max_wait", OPT_DURATION, OFF(device_max_wait), 10, 1800, NULL },
	{ "sso_audiences", OPT_STRING, OFF(sso_audiences), 0, 0, NULL },
	{ "sso_cache", OPT_FLAG, OFF(sso_cache), 0, 0, NULL },
	{ "offline_max", OPT_DURATION, OFF(offline_max), 0, 90LL * 86400, NULL },
	{ "offline_pin", OPT_CHOICE, OFF(offline_pin), 0, 0, "when_offline|always|off" },
	{ "offline_dir", OPT_PATH, OFF(offline_dir), 0, 0, NULL },
	{ "pin_prompt", OPT_FLAG, OFF(pin_prompt), 0, 0, NULL },
	{ "unlock_helper", OPT_PATH, OFF(unlock_helper), 0, 0, NULL },
	{ "unlock_max_wait", OPT_DURATION, OFF(unlock_max_wait), 10, 1800, NULL },
};

/* The names of enum opt_type, in its order. */
static const char *const kind_names[] = { "string",    "path",          "flag",       "duration",
	                                  "size",      "keyfile",       "algorithms", "require",
	                                  "users",     "uid",           "choice",     "home",
	                                  "glob",      "mode",          "groups",     "group-allow",
	                                  "group-map", "argument-flag", "proxy",      "hosts" };
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == OPT_HOSTS + 1,
               "one name per option type");

int pj_opt_describe(size_t i, struct pj_opt_info *out)
{
	const struct opt *o;

	if (i >= sizeof(opts) / sizeof(opts[0]))
		return 0;
	o = &opts[i];
	out->name = o->name;
	out->kind = kind_names[o->type];
	out->min = o->min;
	out->max = o->max;
	out->choices = o->choices;
	return 1;
}

#define ASYMMETRIC_ALGS \
	((1u << JWS_RS256) | (1u << JWS_RS384) | (1u << JWS_RS512) | (1u << JWS_PS256) | \
	 (1u << JWS_PS384) | (1u << JWS_PS512) | (1u << JWS_ES256) | (1u << JWS_ES384) | \
	 (1u << JWS_ES512) | (1u << JWS_EDDSA))
#define HMAC_ALGS ((1u << JWS_HS256) | (1u << JWS_HS384) | (1u << JWS_HS512))

enum pj_status pj_config_init(struct pj_config *cfg, struct pj_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->algorithms = ASYMMETRIC_ALGS | HMAC_ALGS;
	cfg->leeway = 60;
	cfg->max_token_size = 16384;
	cfg->require_exp = 1;
	cfg->http_timeout = 5;
	cfg->refresh_interval = 3600;
	cfg->refresh_min_interval = 60;
	cfg->stale_max = 86400;
	cfg->user_claim = strdup("sub");
	cfg->prompt = strdup("Token: ");
	cfg->cache_dir = strdup(PJ_DEFAULT_CACHE_DIR);
	cfg->fetch_helper = strdup(PJ_FETCH_HELPER);
	cfg->replay_dir = strdup(PJ_DEFAULT_STATE_DIR);
	cfg->replay_max_entries = 100000;
	cfg->accounts_uid_min = PJ_ACCT_UID_MIN_DEFAULT;
	cfg->accounts_uid_max = PJ_ACCT_UID_MAX_DEFAULT;
	cfg->accounts_home = strdup("/home/%u");
	cfg->accounts_shell = strdup("/bin/bash");
	cfg->accounts_dir = strdup(JDB_DEFAULT_DIR);
	cfg->accounts_skel = strdup("/etc/skel");
	cfg->accounts_home_mode = 0700;
	cfg->group_claim = strdup("groups");
	cfg->device_max_wait = 300;
	cfg->sso_cache = 1;
	cfg->device_scope = strdup("openid offline_access");
	if (cfg->user_claim == NULL || cfg->prompt == NULL || cfg->cache_dir == NULL ||
	    cfg->fetch_helper == NULL || cfg->replay_dir == NULL || cfg->accounts_home == NULL ||
	    cfg->accounts_shell == NULL || cfg->accounts_dir == NULL ||
	    cfg->accounts_skel == NULL || cfg->group_claim == NULL || cfg->device_scope == NULL) {
		pj_config_free(cfg);
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	return PJ_OK;
}

void pj_config_free(struct pj_config *cfg)
{
	int i;

	free(cfg->issuer);
	free(cfg->audience);
	for (i = 0; i < (int)cfg->n_key_files; i++)
		free(cfg->key_files[i]);
	free(cfg->jwks_file);
	free(cfg->hmac_secret_file);
	free(cfg->typ);
	free(cfg->user_claim);
	free(cfg->prompt);
	free(cfg->jwks_uri);
	free(cfg->ca_file);
	free(cfg->ca_dir);
	free(cfg->cache_dir);
	free(cfg->fetch_helper);
	free(cfg->https_proxy);
	free(cfg->no_proxy);
	free(cfg->introspection_endpoint);
	free(cfg->introspect_client_id);
	free(cfg->introspect_secret_file);
	free(cfg->map_file);
	free(cfg->user_strip_suffix);
	free(cfg->deny_users);
	for (i = 0; i < (int)cfg->n_require; i++)
		free(cfg->require[i]);
	free(cfg->session_env);
	free(cfg->replay_dir);
	free(cfg->revocation_file);
	free(cfg->accounts_home);
	free(cfg->accounts_shell);
	free(cfg->accounts_provisional);
	free(cfg->accounts_dir);
	free(cfg->accounts_skel);
	free(cfg->group_claim);
	free(cfg->accounts_groups_prefix);
	free(cfg->accounts_group_allow);
	free(cfg->accounts_group_map);
	free(cfg->client_id);
	free(cfg->client_secret_file);
	free(cfg->device_scope);
	free(cfg->sso_audiences);
	free(cfg->offline_dir);
	free(cfg->unlock_helper);
	free(cfg->src_text);
	free(cfg->src_path);
	for (i = 0; i < cfg->src_argc; i++)
		free(cfg->src_argv[i]);
	free(cfg->src_argv);
	memset(cfg, 0, sizeof(*cfg));
}

int pj_config_alg_allowed(const struct pj_config *cfg, enum jws_alg alg)
{
	return alg > JWS_ALG_UNKNOWN && alg < JWS_ALG_COUNT && (cfg->algorithms & (1u << alg)) != 0;
}

int pj_parse_duration(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	long long n, mult = 1;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return -1;
	if (end[0] != '\0') {
		if (end[1] != '\0')
			return -1;
		switch (end[0]) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -1;
		}
	}
	if (n > max / mult || n * mult < min)
		return -1;
	*out = n * mult;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (v == NULL || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* "RS256,ES256 EdDSA" -> bit set; "none" and unknown names are errors. */
static int parse_algs(const char *v, unsigned *out)
{
	unsigned set = 0;
	const char *p = v;

	while (*p != '\0') {
		size_t n;
		enum jws_alg a;

		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		a = jws_alg_from_name(p, n);
		if (a == JWS_ALG_UNKNOWN)
			return -1;
		set |= 1u << a;
		p += n;
	}
	if (set == 0)
		return -1;
	*out = set;
	return 0;
}

/* One word of o->choices; its index goes into the int at o->offset. */
static enum pj_status set_choice(struct pj_config *cfg, const struct opt *o, const char *value,
                                 const char *safe, struct pj_err *err)
{
	const char *p = o->choices;
	size_t vlen = strlen(value);
	int i = 0;

	while (*p != '\0') {
		size_t n = strcspn(p, "|");

		if (n == vlen && memcmp(p, value, n) == 0) {
			*(int *)((char *)cfg + o->offset) = i;
			return PJ_OK;
		}
		p += n;
		p += *p == '|';
		i++;
	}
	return pj_fail(err, PJ_E_CONFIG, "option %s takes one of %s", safe, o->choices);
}

/* accounts_groups = none | prefix:PREFIX */
static enum pj_status set_groups(struct pj_config *cfg, const char *value, struct pj_err *err)
{
	char *copy = NULL;

	if (strcmp(value, "none") != 0) {
		if (strncmp(value, "prefix:", 7) != 0 || !pj_acct_prefix_valid(value + 7))
			return pj_fail(
			        err, PJ_E_CONFIG,
			        "option accounts_groups takes none or prefix:PREFIX (1 to 16 "
			        "of a-z 0-9 _ . -, starting with a letter)");
		if ((copy = strdup(value + 7)) == NULL)
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	free(cfg->accounts_groups_prefix);
	cfg->accounts_groups_prefix = copy;
	return PJ_OK;
}

enum pj_status pj_opt_set(struct pj_config *cfg, const char *name, size_t namelen,
                          const char *value, struct pj_err *err)
{
	const struct opt *o = NULL;
	char safe[48];
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].name) == namelen && memcmp(opts[i].name, name, namelen) == 0)
			o = &opts[i];
	pj_sanitize(safe, sizeof(safe), name, namelen);
	if (o == NULL)
		return pj_fail(err, PJ_E_CONFIG, "unknown option \"%s\"", safe);
	if (o->type == OPT_GLOB && value != NULL && value[0] == '\0') {
		char **slot = (char **)((char *)cfg + o->offset);

		free(*slot);
		*slot = NULL;
		return PJ_OK;
	}
	if (o->type != OPT_FLAG && o->type != OPT_ARGFLAG && (value == NULL || value[0] == '\0'))
		return pj_fail(err, PJ_E_CONFIG, "option %s needs a value", safe);

	/* A relative path would name another file in every working directory
	 * (sudo runs PAM in the user's): files that decide access are absolute. */
	if ((o->type == OPT_PATH || o->type == OPT_KEYFILE) && value[0] != '/')
		return pj_fail(err, PJ_E_CONFIG, "option %s must be an absolute path", safe);

	if (o->type == OPT_USERS && !pj_user_list_valid(value))
		return pj_fail(err, PJ_E_CONFIG,
		               "option %s takes user names separated by commas or spaces", safe);

	if (o->type == OPT_HOME && !pj_acct_home_valid(value))
		return pj_fail(err, PJ_E_CONFIG,
		               "option %s takes an absolute path where %%u stands for the account "
		               "name (no other %% escape, no \"..\")",
		               safe);
	if (o->type == OPT_GROUP_ALLOW && !pj_acct_group_allow_valid(value))
		return pj_fail(err, PJ_E_CONFIG,
		               "option %s takes the auth center's group names separated by commas, "
		               "or *",
		               safe);
	if (o->type == OPT_GROUP_MAP && !pj_acct_group_map_valid(value))
		return pj_fail(err, PJ_E_CONFIG,
		               "option %s takes IDPGROUP:unixgroup pairs separated by commas "
		               "(unix names of a-z 0-9 _ . -)",
		               safe);
	if (o->type == OPT_PROXY && !pj_proxy_valid(value))
		return pj_fail(err, PJ_E_CONFIG,
		               "option %s takes http://HOST:PORT (no user name or password, no "
		               "path; HTTPS goes through it with CONNECT)",
		               safe);
	if (o->type == OPT_HOSTS && !pj_no_proxy_valid(value))
		return pj_fail(err, PJ_E_CONFIG,
		               "option %s takes host names, .domain suffixes, IP addresses or "
		               "ranges separated by commas, or *",
		               safe);

	switch (o->type) {
	case OPT_PROXY:
	case OPT_HOSTS:
	case OPT_USERS:
	case OPT_PATH:
	case OPT_HOME:
	case OPT_GLOB:
	case OPT_GROUP_ALLOW:
	case OPT_GROUP_MAP:
	case OPT_STRING: {
		char **slot = (char **)((char *)cfg + o->offset);
		char *copy = strdup(value);

		if (copy == NULL)
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
		free(*slot);
		*slot = copy;
		return PJ_OK;
	}
	case OPT_KEYFILE:
		if (cfg->n_key_files >= PJ_MAX_KEY_FILES)
			return pj_fail(err, PJ_E_CONFIG, "more than %d key_file options",
			               PJ_MAX_KEY_FILES);
		if ((cfg->key_files[cfg->n_key_files] = strdup(value)) == NULL)
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
		cfg->n_key_files++;
		return PJ_OK;
	case OPT_REQUIRE:
		if (cfg->n_require >= PJ_MAX_REQUIRE)
			return pj_fail(err, PJ_E_CONFIG, "more than %d require rules",
			               PJ_MAX_REQUIRE);
		if (!pj_require_valid(value))
			return pj_fail(
			        err, PJ_E_CONFIG,
			        "require takes CLAIM=VALUE or CLAIM=V1|V2 (e.g. groups=admins)");
		if ((cfg->require[cfg->n_require] = strdup(value)) == NULL)
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
		cfg->n_require++;
		return PJ_OK;
	case OPT_ARGFLAG:
	case OPT_FLAG:
		if (parse_bool(value, (int *)((char *)cfg + o->offset)) != 0)
			return pj_fail(err, PJ_E_CONFIG, "option %s takes yes or no", safe);
		return PJ_OK;
	case OPT_DURATION:
		if (pj_parse_duration(value, o->min, o->max,
		                      (int64_t *)((char *)cfg + o->offset)) != 0)
			return pj_fail(err, PJ_E_CONFIG,
			               "option %s takes a duration of %lld to %lld seconds (e.g. "
			               "60, 5m, 1h)",
			               safe, (long long)o->min, (long long)o->max);
		return PJ_OK;
	case OPT_SIZE: {
		int64_t v;

		if (pj_parse_duration(value, o->min, o->max, &v) != 0 ||
		    strspn(value, "0123456789") != strlen(value))
			return pj_fail(err, PJ_E_CONFIG,
			               "option %s takes a number of bytes from %lld to %lld", safe,
			               (long long)o->min, (long long)o->max);
		*(size_t *)((char *)cfg + o->offset) = (size_t)v;
		return PJ_OK;
	}
	case OPT_ALGS:
		if (parse_algs(value, &cfg->algorithms) != 0)
			return pj_fail(err, PJ_E_CONFIG,
			               "option algorithms takes a list of RS256..RS512, "
			               "PS256..PS512, ES256..ES512, EdDSA, HS256..HS512");
		return PJ_OK;
	case OPT_UID: {
		int64_t *slot = (int64_t *)((char *)cfg + o->offset);

		if (strspn(value, "0123456789") != strlen(value) ||
		    pj_parse_duration(value, o->min, o->max, slot) != 0)
			return pj_fail(err, PJ_E_CONFIG, "option %s takes a UID from %lld to %lld",
			               safe, (long long)o->min, (long long)o->max);
		return PJ_OK;
	}
	case OPT_CHOICE: return set_choice(cfg, o, value, safe, err);
	case OPT_MODE: {
		char *end = NULL;
		long m;

		errno = 0;
		m = strtol(value, &end, 8);
		if (errno != 0 || end == value || *end != '\0' || m < o->min || m > o->max ||
		    (m & 022) != 0)
			return pj_fail(err, PJ_E_CONFIG,
			               "option %s takes an octal mode that only the owner can "
			               "write, e.g. 0700 or 0750",
			               safe);
		*(int64_t *)((char *)cfg + o->offset) = m;
		return PJ_OK;
	}
	case OPT_GROUPS: return set_groups(cfg, value, err);
	}
	return pj_fail(err, PJ_E_INTERNAL, "option table corrupt");
}

int pj_opt_file_allowed(const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].name) == namelen && memcmp(opts[i].name, name, namelen) == 0)
			return opts[i].type != OPT_ARGFLAG;
	return 1; /* unknown: pj_opt_set says so */
}

enum pj_status pj_opt_arg(struct pj_config *cfg, const char *arg, struct pj_err *err)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL)
		return pj_opt_set(cfg, arg, strlen(arg), NULL, err);
	return pj_opt_set(cfg, arg, (size_t)(eq - arg), eq + 1, err);
}
