#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "remote.h"
#include "safefile.h"

/* Prefix err's reason with the file it came from.  A configured file that
 * holds no usable key is the host's problem, not the token's: a refused
 * key or too many keys become PJ_E_UNAVAILABLE. */
static enum pj_status in_file(enum pj_status st, const char *path, struct pj_err *err)
{
	char inner[PJ_REASON_MAX];

	if (st == PJ_E_KEY || st == PJ_E_TOO_LARGE)
		st = PJ_E_UNAVAILABLE;
	if (err != NULL)
		err->status = st;
	if (err == NULL || strstr(err->reason, path) != NULL)
		return st;
	memcpy(inner, err->reason, sizeof(inner));
	return pj_fail(err, st, "%s: %s", path, inner);
}

/* pj_keys_load, building from the JWKS file only the keys that fit the
 * token (filter != 0) and allowing an empty result then. */
static enum pj_status load_static(const struct pj_config *cfg, int filter, const char *kid,
                                  size_t kidlen, enum jws_alg alg, struct pj_keyset *set,
                                  struct pj_err *err)
{
	char *buf = NULL;
	size_t len = 0, i;
	enum pj_status st;

	for (i = 0; i < cfg->n_key_files; i++) {
		st = pj_read_file(cfg->key_files[i], PJ_KEY_FILE_MAX, &buf, &len, err);
		if (st == PJ_OK) {
			st = pj_pem_add(set, buf, len, err);
			free(buf);
		}
		if (st != PJ_OK) {
			st = in_file(st, cfg->key_files[i], err);
			goto fail;
		}
	}
	if (cfg->jwks_file != NULL) {
		st = pj_read_file(cfg->jwks_file, PJ_JWKS_FILE_MAX, &buf, &len, err);
		if (st == PJ_OK) {
			st = pj_jwks_add_for(set, buf, len, kid, kidlen, alg, err);
			free(buf);
		}
		if (st != PJ_OK) {
			st = in_file(st, cfg->jwks_file, err);
			goto fail;
		}
	}
	if (cfg->hmac_secret_file != NULL) {
		st = pj_read_secret_file(cfg->hmac_secret_file, PJ_KEY_FILE_MAX, &buf, &len, err);
		if (st == PJ_OK) {
			st = pj_hmac_add(set, (unsigned char *)buf, len, err);
			pj_free_secret(buf, len);
		}
		if (st != PJ_OK) {
			st = in_file(st, cfg->hmac_secret_file, err);
			goto fail;
		}
	}
	if (set->n == 0 && filter && set->skipped) {
		/* the keys this token names exist but were refused */
		st = pj_fail(err, PJ_E_KEY, "the key for this token is refused: %s",
		             set->skip_reason);
		goto fail;
	}
	if (set->n == 0 && (!filter || (set->offered == 0 && cfg->n_key_files == 0 &&
	                                cfg->hmac_secret_file == NULL))) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "no usable key in the configured key files%s%s",
		             set->skipped ? ": " : "", set->skipped ? set->skip_reason : "");
		goto fail;
	}
	return PJ_OK;
fail:
	pj_keyset_free(set);
	return st;
}

enum pj_status pj_keys_load(const struct pj_config *cfg, struct pj_keyset *set, struct pj_err *err)
{
	return load_static(cfg, 0, NULL, 0, JWS_ALG_UNKNOWN, set, err);
}

int pj_keys_static(const struct pj_config *cfg)
{
	return cfg->n_key_files > 0 || cfg->jwks_file != NULL || cfg->hmac_secret_file != NULL;
}

enum pj_status pj_keys_for_token(const struct pj_config *cfg, const char *kid, size_t kidlen,
                                 enum jws_alg alg, int64_t now, struct pj_keyset *set, char *note,
                                 struct pj_err *err)
{
	if (note != NULL)
		note[0] = '\0';
	if (pj_keys_static(cfg))
		return load_static(cfg, 1, kid, kidlen, alg, set, err);
	return pj_remote_keys(cfg, kid, kidlen, alg, now, 0, set, note, err);
}
