/* The derived attack corpus (derived/jwt_attack_vectors.dev.json) through
 * pj_validate, the function the PAM module and `pam-jwt verify` call.
 *
 * Each test's policy (default_policy + policy_overrides) becomes a
 * struct pj_config through pj_opt_set, the option table the config file
 * and module arguments use; the named JWKS is written to a private temp
 * file (mode 0600) for jwks_file; now = the policy's clock.  pj_validate
 * maps the token's subject to a local account with getpwnam, so the
 * program re-executes itself under nss_wrapper with a passwd file that
 * holds "alice" (see with_nss_wrapper).
 *
 * A rejection must also come from the layer the category attacks (e.g. a
 * forged ECDSA signature must fail as a signature, not as "expired"), so
 * every negative is refused for the intended reason.  Where rfc_allows
 * lists both outcomes, the outcome pam_jwt chose is printed and counted. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "options.h"
#include "validate.h"
#include "vec_common.h"

#define CORPUS "derived/jwt_attack_vectors.dev.json"
#define NSSW_ENV "PJ_VEC_NSSW_DIR"

static char tmpdir[PATH_MAX];

/* ---- nss_wrapper ---------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text, char *path,
		       size_t pathsz)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, pathsz, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0)
		vec_bail("cannot write %s: %s", path, strerror(errno));
}

static void setenv_or_bail(const char *name, const char *value)
{
	if (setenv(name, value, 1) != 0)
		vec_bail("setenv %s failed", name);
}

/* First run: make a temp dir with passwd/group files naming alice, point
 * nss_wrapper at them, and exec this program again with libnss_wrapper.so
 * preloaded.  Second run: just note the temp dir. */
static void with_nss_wrapper(char **argv)
{
	const char *dir = getenv(NSSW_ENV), *tmp = getenv("TMPDIR");
	char path[PATH_MAX + 16], self[PATH_MAX], preload[PATH_MAX * 2], asan[512];
	const char *old;
	ssize_t n;

	if (dir != NULL) {
		snprintf(tmpdir, sizeof(tmpdir), "%s", dir);
		if (getpwnam("alice") == NULL)
			vec_bail("account alice unknown although nss_wrapper should be preloaded "
				 "(is libnss-wrapper installed?)");
		return;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/pj-vectors.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		vec_bail("mkdtemp: %s", strerror(errno));
	write_file(tmpdir, "passwd",
		   "root:x:0:0:root:/root:/bin/sh\n"
		   "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n",
		   path, sizeof(path));
	setenv_or_bail("NSS_WRAPPER_PASSWD", path);
	write_file(tmpdir, "group", "root:x:0:\nalice:x:1000:\n", path, sizeof(path));
	setenv_or_bail("NSS_WRAPPER_GROUP", path);
	setenv_or_bail(NSSW_ENV, tmpdir);
	old = getenv("LD_PRELOAD");
	snprintf(preload, sizeof(preload), "libnss_wrapper.so%s%s", old ? " " : "", old ? old : "");
	setenv_or_bail("LD_PRELOAD", preload);
	/* ASan builds: the preloaded library comes before the ASan runtime. */
	old = getenv("ASAN_OPTIONS");
	snprintf(asan, sizeof(asan), "%s%sverify_asan_link_order=0", old ? old : "",
		 old && old[0] ? ":" : "");
	setenv_or_bail("ASAN_OPTIONS", asan);
	fflush(stdout);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		execv(self, argv);
	}
	execv(argv[0], argv);
	vec_bail("cannot re-execute %s under nss_wrapper: %s", argv[0], strerror(errno));
}

/* Remove the regular files in dir (one level) and dir itself. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX + 300];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* ---- policy -> pj_config -------------------------------------------- */

static int opt(struct pj_config *cfg, const char *name, const char *value, char *why,
	       size_t whysz)
{
	struct pj_err err;

	pj_err_clear(&err);
	if (pj_opt_set(cfg, name, strlen(name), value, &err) == PJ_OK)
		return 1;
	snprintf(why, whysz, "option %s=%.48s refused: %.150s", name, value ? value : "", err.reason);
	return 0;
}

static int has_string(const struct json_object *arr, const char *s)
{
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return 1;
	return 0;
}

/* Build cfg from the merged policy; 0 (with why) when the policy asks for
 * something pam_jwt cannot be configured to do. */
static int build_config(const struct json_object *pol, const char *jwks_path,
			struct pj_config *cfg, char *why, size_t whysz)
{
	char buf[512];
	struct pj_err err;

	pj_err_clear(&err);
	if (pj_config_init(cfg, &err) != PJ_OK)
		vec_bail("pj_config_init: %s", err.reason);
	json_object_object_foreach((struct json_object *)pol, key, val) {
		int ok = 1;

		if (!strcmp(key, "now") || !strcmp(key, "pam_user") || !strcmp(key, "jwks") ||
		    !strcmp(key, "jwk_alg_pinning")) {
			/* now / pam_user go to pj_validate, jwks to jwks_file;
			 * the core always pins a key to its JWK alg. */
		} else if (!strcmp(key, "leeway") || !strcmp(key, "max_token_len")) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_object_get_int64(val));
			ok = opt(cfg, !strcmp(key, "leeway") ? "leeway" : "max_token_size", buf, why, whysz);
		} else if (!strcmp(key, "iss") || !strcmp(key, "aud") || !strcmp(key, "username_claim")) {
			ok = opt(cfg, !strcmp(key, "iss") ? "issuer" : !strcmp(key, "aud") ? "audience"
											 : "user_claim",
				 json_object_get_string(val), why, whysz);
		} else if (!strcmp(key, "allowed_algs")) {
			size_t i, off = 0;

			buf[0] = '\0';
			for (i = 0; i < json_object_array_length(val) && off < sizeof(buf); i++)
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "",
							json_object_get_string(json_object_array_get_idx(val, i)));
			ok = opt(cfg, "algorithms", buf, why, whysz);
		} else if (!strcmp(key, "require")) {
			/* iss, aud and sub are always required by the core */
			if (!has_string(val, "iss") || !has_string(val, "aud") || !has_string(val, "sub")) {
				snprintf(why, whysz, "policy does not require iss/aud/sub");
				ok = 0;
			} else {
				ok = opt(cfg, "require_exp", has_string(val, "exp") ? "yes" : "no", why, whysz);
			}
		} else if (!strcmp(key, "required_typ")) {
			if (val != NULL)
				ok = opt(cfg, "typ", json_object_get_string(val), why, whysz);
		} else if (!strcmp(key, "max_lifetime")) {
			if (val != NULL) {
				snprintf(buf, sizeof(buf), "%lld", (long long)json_object_get_int64(val));
				ok = opt(cfg, "max_lifetime", buf, why, whysz);
			}
		} else if (!strcmp(key, "replay_cache")) {
			/* Explicit either way, so a changed default never makes
			 * this test write to the system's state directory.  A
			 * replay cache lives in the private temp dir; tests run in
			 * file order, which keeps a "sequence" in order. */
			ok = opt(cfg, "replay", json_object_get_boolean(val) ? "yes" : "no", why, whysz);
			if (ok && json_object_get_boolean(val)) {
				char rdir[PATH_MAX + 16];

				snprintf(rdir, sizeof(rdir), "%s/replay", tmpdir);
				if (mkdir(rdir, 0700) != 0 && errno != EEXIST)
					vec_bail("mkdir %s: %s", rdir, strerror(errno));
				ok = opt(cfg, "replay_dir", rdir, why, whysz);
			}
		} else if (!strcmp(key, "min_rsa_bits")) {
			if (json_object_get_int(val) != PJ_RSA_MIN_BITS) {
				snprintf(why, whysz, "min_rsa_bits %d != PJ_RSA_MIN_BITS",
					 json_object_get_int(val));
				ok = 0;
			}
		} else {
			snprintf(why, whysz, "policy key \"%s\" not supported by this harness", key);
			ok = 0;
		}
		if (!ok)
			return 0;
	}
	if (!opt(cfg, "jwks_file", jwks_path, why, whysz))
		return 0;
	pj_err_clear(&err);
	if (pj_config_check(cfg, &err) != PJ_OK) {
		snprintf(why, whysz, "configuration incomplete: %s", err.reason);
		return 0;
	}
	return 1;
}

/* ---- layers ------------------------------------------------------------ */

#define B(s) (1u << (s))
#define STRUCT_LAYER (B(PJ_E_FORMAT) | B(PJ_E_ALG) | B(PJ_E_TOO_LARGE))
#define CLAIM_LAYER                                                                     \
	(B(PJ_OK) | B(PJ_E_EXPIRED) | B(PJ_E_NOT_YET) | B(PJ_E_CLAIM) | B(PJ_E_ISSUER) |   \
	 B(PJ_E_AUDIENCE) | B(PJ_E_USER) | B(PJ_E_NO_ACCOUNT) | B(PJ_E_REPLAY) | B(PJ_E_REVOKED))

/* The statuses a rejection in each category may carry. */
static unsigned layer_of(const char *cat)
{
	static const struct {
		const char *cat;
		unsigned mask;
	} t[] = {
		{ "alg_none", B(PJ_E_FORMAT) | B(PJ_E_ALG) },
		{ "alg_value", B(PJ_E_FORMAT) | B(PJ_E_ALG) },
		{ "key_confusion", B(PJ_E_ALG) | B(PJ_E_KEY) },
		{ "alg_key_mismatch", B(PJ_E_ALG) | B(PJ_E_KEY) | B(PJ_E_SIGNATURE) },
		/* HS256 kid-injection tokens die on the alg allow-list first */
		{ "kid", B(PJ_E_FORMAT) | B(PJ_E_KEY) | B(PJ_E_ALG) },
		{ "ecdsa", B(PJ_E_FORMAT) | B(PJ_E_SIGNATURE) },
		{ "rsa", B(PJ_E_SIGNATURE) },
		{ "eddsa", B(PJ_E_KEY) | B(PJ_E_SIGNATURE) },
		{ "weak_key", B(PJ_E_KEY) | B(PJ_E_SIGNATURE) },
		{ "jwks_policy", B(PJ_E_KEY) | B(PJ_E_SIGNATURE) },
		{ "header_injection", B(PJ_E_KEY) | B(PJ_E_SIGNATURE) },
		{ "crit", STRUCT_LAYER },
		{ "b64", STRUCT_LAYER },
		{ "nested", STRUCT_LAYER },
		{ "jwe", STRUCT_LAYER },
		{ "serialization", STRUCT_LAYER },
		{ "structure", STRUCT_LAYER },
		{ "base64url", STRUCT_LAYER },
		{ "json", STRUCT_LAYER },
		{ "size", B(PJ_E_TOO_LARGE) },
		{ "typ", B(PJ_E_CLAIM) },
		{ "identity", B(PJ_E_FORMAT) | B(PJ_E_USER) | B(PJ_E_NO_ACCOUNT) | B(PJ_E_AUDIENCE) },
		{ "iss_aud", B(PJ_E_ISSUER) | B(PJ_E_AUDIENCE) },
		{ "time", B(PJ_E_EXPIRED) | B(PJ_E_NOT_YET) | B(PJ_E_CLAIM) },
		/* another host's audience, or a jti seen before (replay cache) */
		{ "replay", B(PJ_E_AUDIENCE) | B(PJ_E_REPLAY) },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].cat, cat) == 0)
			return t[i].mask;
	return 0; /* unknown category: any rejection, with a note */
}

/* ---- the corpus ---------------------------------------------------------- */

struct jwks_file {
	const char *name;
	char path[PATH_MAX + 32];
};

static void run_test(const struct json_object *t, const struct json_object *dflt,
		     const struct jwks_file *files, size_t nfiles)
{
	struct json_object *pol = NULL, *ov = NULL, *tokv = NULL, *allows = NULL, *v = NULL;
	const char *id = vec_str(t, "id"), *catname = vec_str(t, "category");
	const char *expected = vec_str(t, "expected"), *jwks = vec_str(t, "jwks"), *user;
	char cat[64], why[256] = "";
	const char *jwks_path = NULL;
	struct pj_config cfg;
	struct pj_decision d;
	enum pj_status st;
	unsigned mask;
	int64_t now;
	size_t i;
	int ok;

	if (id == NULL || catname == NULL || expected == NULL ||
	    !json_object_object_get_ex(t, "token", &tokv))
		vec_bail("corpus test without id / category / expected / token");
	snprintf(cat, sizeof(cat), "derived/%s", catname);
	if (json_object_deep_copy((struct json_object *)dflt, &pol, NULL) != 0)
		vec_bail("out of memory");
	if (json_object_object_get_ex(t, "policy_overrides", &ov)) {
		json_object_object_foreach(ov, k, val)
			json_object_object_add(pol, k, json_object_get(val));
	}
	if (jwks == NULL)
		jwks = vec_str(pol, "jwks");
	for (i = 0; jwks != NULL && i < nfiles; i++)
		if (strcmp(files[i].name, jwks) == 0)
			jwks_path = files[i].path;
	if (jwks_path == NULL)
		vec_bail("%s: unknown jwks %s", id, jwks ? jwks : "(none)");
	json_object_object_get_ex(pol, "now", &v);
	now = json_object_get_int64(v);
	user = vec_str(pol, "pam_user");

	memset(&cfg, 0, sizeof(cfg));
	if (!build_config(pol, jwks_path, &cfg, why, sizeof(why))) {
		vec_check(cat, 0, "%s: policy cannot be expressed - %s", id, why);
		pj_config_free(&cfg);
		json_object_put(pol);
		return;
	}
	st = pj_validate(&cfg, json_object_get_string(tokv), (size_t)json_object_get_string_len(tokv),
			 user, now, &d);
	mask = layer_of(catname);
	if (strcmp(expected, "accept") == 0) {
		ok = st == PJ_OK && user != NULL && strcmp(d.user, user) == 0;
	} else if (strcmp(expected, "reject") == 0) {
		ok = st != PJ_OK && (mask == 0 || (mask & B(st)) != 0);
		if (mask == 0)
			vec_diag("%s: no layer rule for category %s", id, catname);
	} else if (strcmp(expected, "signature-valid") == 0) {
		/* the signature layer accepted: any outcome decided after it */
		ok = (CLAIM_LAYER & B(st)) != 0;
	} else {
		vec_bail("%s: unknown expectation %s", id, expected);
	}
	vec_count(cat, st == PJ_OK ? "accepted" : pj_status_name(st));
	vec_check(cat, ok, "%s: want %s, got %s%s%s%s", id, expected,
		  st == PJ_OK ? "accept" : "reject (", st == PJ_OK ? "" : pj_status_name(st),
		  st == PJ_OK ? "" : ") ", st == PJ_OK ? "" : d.err.reason);
	if (!ok && st != PJ_OK && strcmp(expected, "reject") == 0)
		vec_diag("%s: rejected, but as %s; the category expects another layer", id,
			 pj_status_name(st));
	if (json_object_object_get_ex(t, "rfc_allows", &allows) &&
	    json_object_array_length(allows) > 1) {
		vec_count(cat, st == PJ_OK ? "rfc-choice-accept" : "rfc-choice-reject");
		vec_diag("%s: RFCs allow accept or reject; pam_jwt chose %s", id,
			 st == PJ_OK ? "accept" : "reject");
	}
	pj_decision_free(&d);
	pj_config_free(&cfg);
	json_object_put(pol);
}

/* Each named key set through pj_keys_load (the module's loader, reading
 * the temp file): the published RFC keys are all kept; a "trusted+X" set
 * keeps exactly the trusted keys, because its extra key X is an attack
 * (weak, off-curve, small-order, wrong use / key_ops) that must be
 * refused, or repeats a trusted kid, and then every key with that kid is
 * dropped. */
static void check_key_sets(const struct json_object *jwks, const struct jwks_file *files,
			   size_t nfiles)
{
	struct json_object *trusted = NULL;
	size_t f;

	if (!json_object_object_get_ex(jwks, "trusted", &trusted) ||
	    !json_object_object_get_ex(trusted, "keys", &trusted))
		vec_bail(CORPUS ": no trusted key set");
	for (f = 0; f < nfiles; f++) {
		struct json_object *set = NULL, *keys = NULL;
		size_t i, j, want, ntr = json_object_array_length(trusted);
		struct pj_keyset *ks = vec_keyset_new();
		struct pj_config cfg;
		struct pj_err err;
		enum pj_status st;

		json_object_object_get_ex(jwks, files[f].name, &set);
		json_object_object_get_ex(set, "keys", &keys);
		want = json_object_array_length(keys);
		if (strncmp(files[f].name, "trusted+", 8) == 0) {
			want = ntr;
			for (i = 0; i < json_object_array_length(keys); i++) {
				struct json_object *k = json_object_array_get_idx(keys, i);
				int known = 0;

				for (j = 0; j < ntr; j++)
					known |= json_object_equal(k, json_object_array_get_idx(trusted, j));
				for (j = 0; !known && j < ntr; j++) {
					const char *a = vec_str(k, "kid");
					const char *b = vec_str(json_object_array_get_idx(trusted, j), "kid");

					if (a != NULL && b != NULL && strcmp(a, b) == 0)
						want--;
				}
			}
		}
		pj_err_clear(&err);
		if (pj_config_init(&cfg, &err) != PJ_OK ||
		    pj_opt_set(&cfg, "jwks_file", 9, files[f].path, &err) != PJ_OK)
			vec_bail("config: %s", err.reason);
		st = pj_keys_load(&cfg, ks, &err);
		vec_check("derived/key_sets", st == PJ_OK && ks->n == want,
			  "key set %s: %zu of %zu keys kept (want %zu)%s%s", files[f].name,
			  st == PJ_OK ? ks->n : 0, json_object_array_length(keys), want,
			  st != PJ_OK ? " - " : ks->skipped ? ", refused: " : "",
			  st != PJ_OK ? err.reason : ks->skipped ? ks->skip_reason : "");
		vec_keyset_free(ks);
		pj_config_free(&cfg);
	}
}

int main(int argc, char **argv)
{
	struct json_object *root, *dflt = NULL, *jwks = NULL, *tests = NULL;
	struct jwks_file *files;
	char path[PATH_MAX + 16];
	size_t nfiles = 0, i, n;

	(void)argc;
	with_nss_wrapper(argv);
	root = vec_load_json(CORPUS);
	if (!json_object_object_get_ex(root, "default_policy", &dflt) ||
	    !json_object_object_get_ex(root, "jwks", &jwks) ||
	    !json_object_object_get_ex(root, "tests", &tests))
		vec_bail(CORPUS ": no default_policy, jwks or tests");
	if ((files = calloc((size_t)json_object_object_length(jwks), sizeof(*files))) == NULL)
		vec_bail("out of memory");
	json_object_object_foreach(jwks, name, set) {
		char fname[32];

		files[nfiles].name = name;
		snprintf(fname, sizeof(fname), "jwks-%zu.json", nfiles);
		write_file(tmpdir, fname, json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN),
			   files[nfiles].path, sizeof(files[nfiles].path));
		nfiles++;
	}
	check_key_sets(jwks, files, nfiles);
	n = json_object_array_length(tests);
	for (i = 0; i < n; i++)
		run_test(json_object_array_get_idx(tests, i), dflt, files, nfiles);

	snprintf(path, sizeof(path), "%s/replay", tmpdir);
	remove_dir(path);
	remove_dir(tmpdir);
	free(files);
	json_object_put(root);
	return vec_done();
}
