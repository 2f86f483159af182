#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "introspect.h"
#include "keys.h"
#include "pj_json.h"
#include "policy.h"
#include "state.h"
#include "validate.h"
#include "verify.h"

static void copy_claim(char *out, size_t outsz, const struct json_object *o, const char *name)
{
	const char *s = NULL;
	size_t len = 0;

	if (o != NULL && pj_json_get_string(o, name, &s, &len) == 1)
		pj_sanitize(out, outsz, s, len);
}

enum pj_status pj_validate(const struct pj_config *base, const char *token, size_t len,
                           const char *pam_user, int64_t now, struct pj_decision *d)
{
	return pj_validate_with_keys(base, NULL, token, len, pam_user, now, d);
}

enum pj_status pj_validate_with_keys(const struct pj_config *base, const struct pj_keyset *given,
                                     const char *token, size_t len, const char *pam_user,
                                     int64_t now, struct pj_decision *d)
{
	const struct pj_config *cfg = base;
	const struct pj_keyset *use;
	struct pj_config routed;
	int have_routed = 0;
	struct pj_keyset *keys = NULL;
	struct jws j;
	struct pj_err *err = &d->err;
	enum pj_status st;

	memset(d, 0, sizeof(*d));
	memset(&j, 0, sizeof(j));
	memset(&routed, 0, sizeof(routed));
	if (len > cfg->max_token_size) {
		st = pj_fail(err, PJ_E_TOO_LARGE, "token of %zu bytes exceeds max_token_size %zu",
		             len, cfg->max_token_size);
		goto out;
	}
	if ((st = jws_parse(token, len, &j, err)) != PJ_OK)
		goto out;
	d->header = json_object_get(j.header);
	d->claims = json_object_get(j.claims);
	d->alg = j.alg;
	if (j.kid != NULL)
		pj_sanitize(d->kid, sizeof(d->kid), j.kid, j.kid_len);
	copy_claim(d->iss, sizeof(d->iss), j.claims, "iss");
	copy_claim(d->sub, sizeof(d->sub), j.claims, "sub");
	copy_claim(d->jti, sizeof(d->jti), j.claims, "jti");
	if (pj_json_get_date(j.claims, "exp", &d->exp) != 1)
		d->exp = 0;

	if (base->n_sections > 0) {
		/* Several auth centers: the token's (not yet trusted) iss picks
		 * the one whose keys and rules apply; iss is checked again
		 * against that section's issuer below. */
		const char *iss = NULL;
		size_t isslen = 0;

		if (pj_json_get_string(j.claims, "iss", &iss, &isslen) != 1) {
			st = pj_fail(err, PJ_E_ISSUER, "token has no iss string to route it by");
			goto out;
		}
		if ((st = pj_config_for_issuer(base, iss, isslen, &routed, err)) != PJ_OK)
			goto out;
		have_routed = 1;
		cfg = &routed;
	}
	if (len > cfg->max_token_size) {
		st = pj_fail(err, PJ_E_TOO_LARGE, "token of %zu bytes exceeds max_token_size %zu",
		             len, cfg->max_token_size);
		goto out;
	}
	if (!pj_config_alg_allowed(cfg, j.alg)) {
		st = pj_fail(err, PJ_E_ALG, "algorithm %s is not in the allowed list",
		             jws_alg_name(j.alg));
		goto out;
	}
	use = given;
	if (use == NULL) {
		keys = calloc(1, sizeof(*keys));
		if (keys == NULL) {
			st = pj_fail(err, PJ_E_NOMEM, "out of memory");
			goto out;
		}
		st = pj_keys_for_token(cfg, j.kid, j.kid_len, j.alg, now, keys, d->key_note, err);
		if (st != PJ_OK)
			goto out;
		use = keys;
	}
	if ((st = pj_keyset_verify(use, j.alg, j.kid, j.kid_len,
	                           (const unsigned char *)j.signing_input, j.signing_input_len,
	                           j.sig, j.sig_len, err)) != PJ_OK)
		goto out;
	if ((st = pj_claims_check(&j, cfg, now, err)) != PJ_OK)
		goto out;
	if ((st = pj_account_resolve(j.claims, cfg, pam_user, d->user, d->rule, sizeof(d->rule),
	                             &d->acct, err)) != PJ_OK)
		goto out;
	if ((st = pj_policy_check(j.claims, cfg, err)) != PJ_OK)
		goto out;
	if ((st = pj_revocation_check(cfg, j.claims, err)) != PJ_OK)
		goto out;
	/* After every local check: only a token this host would accept is
	 * sent to the auth center.  Before the replay store, so that a
	 * refused login does not use up the token. */
	if ((st = pj_introspect_check(cfg, token, len, j.claims, now, d->introspect_note, err)) !=
	    PJ_OK)
		goto out;
	/* Last, so that a refused login does not use up the token. */
	if (cfg->replay)
		st = pj_replay_check(cfg, j.claims, now, !cfg->replay_readonly, err);
out:
	if (keys != NULL) {
		pj_keyset_free(keys);
		free(keys);
	}
	jws_free(&j);
	if (have_routed)
		pj_config_free(&routed);
	err->status = st;
	return st;
}

void pj_decision_free(struct pj_decision *d)
{
	if (d == NULL)
		return;
	json_object_put(d->header);
	json_object_put(d->claims);
	d->header = d->claims = NULL;
}
