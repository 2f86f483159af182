#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "fetch.h"
#include "pj_json.h"
#include "remote.h"

/* note = what + ": " + reason, cut to PJ_REASON_MAX.  The first note
 * wins, except that a failure (the keys could not be fetched or kept)
 * replaces a warning about refused keys: the failure is what a caller
 * such as `pam-jwt keys refresh` must see. */
static void note_as(char *note, int failure, const char *what, const char *reason)
{
	size_t n = 0, i;
	const char *parts[3] = { what, ": ", reason };

	if (note == NULL ||
	    (note[0] != '\0' && !(failure && strncmp(note, "keys refused", 12) == 0)))
		return;
	for (i = 0; i < 3; i++) {
		size_t len = strlen(parts[i]);

		if (len > PJ_REASON_MAX - 1 - n)
			len = PJ_REASON_MAX - 1 - n;
		memcpy(note + n, parts[i], len);
		n += len;
	}
	note[n] = '\0';
	/* a reason can carry the auth center's text (a jwks_uri from its
	 * discovery document): the note goes to syslog and terminals, so
	 * only printable ASCII */
	for (i = 0; i < n; i++)
		if ((unsigned char)note[i] < 0x20 || (unsigned char)note[i] > 0x7e)
			note[i] = '?';
}

struct pj_http_opts pj_remote_http_opts(const struct pj_config *cfg)
{
	struct pj_http_opts o;

	memset(&o, 0, sizeof(o));
	o.ca_file = cfg->ca_file;
	o.ca_dir = cfg->ca_dir;
	o.timeout_ms = (long)cfg->http_timeout * 1000;
	o.proxy = cfg->https_proxy;
	o.no_proxy = cfg->no_proxy;
	return o;
}

/* GET url and parse the body as a JSON object. */
static enum pj_status get_json(const struct pj_config *cfg, const char *url,
                               const struct pj_http_opts *o, struct json_object **out,
                               int64_t *max_age, struct pj_err *err)
{
	struct pj_http_resp r;
	enum pj_status st;

	if ((st = pj_fetch_request(cfg->fetch_helper, url, NULL, o, &r, err)) != PJ_OK)
		return st;
	if (r.status != 200)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "%s answered HTTP %ld", url, r.status);
	else if (pj_json_parse(r.body, r.len, PJ_JSON_MAX_DEPTH, out, err) != PJ_OK)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "%s did not send a JSON object", url);
	if (max_age != NULL)
		*max_age = r.max_age;
	pj_http_resp_free(&r);
	return st;
}

enum pj_status pj_discover(const struct pj_config *cfg, const char *const *names, char **out,
                           size_t n, struct pj_err *err)
{
	struct pj_http_opts o = pj_remote_http_opts(cfg);
	struct json_object *doc = NULL;
	const char *s = NULL;
	size_t slen = 0, len, i;
	char *url;
	enum pj_status st = PJ_OK;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (cfg->issuer == NULL)
		return pj_fail(err, PJ_E_CONFIG, "no issuer configured");
	len = strlen(cfg->issuer) + sizeof("/.well-known/openid-configuration");
	url = malloc(len);
	if (url == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	/* OpenID Connect Discovery 1.0, section 4: issuer + path */
	snprintf(url, len, "%s%s", cfg->issuer,
	         cfg->issuer[0] && cfg->issuer[strlen(cfg->issuer) - 1] == '/'
	                 ? ".well-known/openid-configuration"
	                 : "/.well-known/openid-configuration");
	st = get_json(cfg, url, &o, &doc, NULL, err);
	free(url);
	if (st != PJ_OK)
		return st;
	if (pj_json_get_string(doc, "issuer", &s, &slen) != 1 ||
	    !pj_json_str_eq(s, slen, cfg->issuer))
		st = pj_fail(err, PJ_E_UNAVAILABLE, "discovery document names another issuer");
	for (i = 0; st == PJ_OK && i < n; i++) {
		if (pj_json_get_string(doc, names[i], &s, &slen) != 1 || slen < 9 ||
		    strncmp(s, "https://", 8) != 0 || memchr(s, '\0', slen) != NULL)
			st = pj_fail(err, PJ_E_UNAVAILABLE, "discovery document has no https %s",
			             names[i]);
		else if ((out[i] = strdup(s)) == NULL)
			st = pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	if (st != PJ_OK)
		for (i = 0; i < n; i++) {
			free(out[i]);
			out[i] = NULL;
		}
	json_object_put(doc);
	return st;
}

/* jwks_uri from the configuration, or from the discovery document. */
static enum pj_status find_jwks_uri(const struct pj_config *cfg, char **uri, struct pj_err *err)
{
	static const char *const names[] = { "jwks_uri" };

	if (cfg->jwks_uri != NULL) {
		*uri = strdup(cfg->jwks_uri);
		return *uri ? PJ_OK : pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	return pj_discover(cfg, names, uri, 1, err);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fetch the JWKS; succeed only when it has at least one usable key.
 * cfg->http_timeout bounds the whole fetch, discovery included. */
static enum pj_status fetch(const struct pj_config *cfg, int64_t now, struct pj_cache_entry *e,
                            char *note, struct pj_err *err)
{
	struct pj_http_opts o = pj_remote_http_opts(cfg);
	struct json_object *jwks = NULL;
	struct pj_keyset *check = NULL;
	char *uri = NULL;
	int64_t max_age = -1, ttl;
	int64_t start = mono_ms();
	enum pj_status st;

	if ((st = find_jwks_uri(cfg, &uri, err)) != PJ_OK)
		return st;
	o.timeout_ms -= (long)(mono_ms() - start);
	if (o.timeout_ms <= 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "discovery took the whole http_timeout");
		goto out;
	}
	if ((st = get_json(cfg, uri, &o, &jwks, &max_age, err)) != PJ_OK)
		goto out;
	check = calloc(1, sizeof(*check));
	if (check == NULL) {
		st = pj_fail(err, PJ_E_NOMEM, "out of memory");
		goto out;
	}
	if ((st = pj_jwks_add_json(check, jwks, NULL, 0, JWS_ALG_UNKNOWN, err)) != PJ_OK) {
		st = PJ_E_UNAVAILABLE;
		goto out;
	}
	if (check->n == 0) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "JWKS from %s has no usable key (%s)", uri,
		             check->skip_reason);
		goto out;
	}
	if (check->skipped)
		note_as(note, 0, "keys refused in the auth center's JWKS", check->skip_reason);
	ttl = max_age < 0 ? cfg->refresh_interval : max_age;
	if (ttl < cfg->refresh_min_interval)
		ttl = cfg->refresh_min_interval;
	if (ttl > cfg->refresh_interval)
		ttl = cfg->refresh_interval;
	json_object_put(e->jwks);
	free(e->jwks_uri);
	e->jwks = jwks;
	jwks = NULL;
	e->jwks_uri = uri;
	uri = NULL;
	e->fetched = now;
	e->expires = now + ttl;
	st = PJ_OK;
out:
	if (check != NULL) {
		pj_keyset_free(check);
		free(check);
	}
	json_object_put(jwks);
	free(uri);
	return st;
}

static int has_kid(const struct pj_cache_entry *e, const char *kid, size_t kidlen)
{
	if (e->jwks == NULL)
		return 0;
	return kid == NULL || pj_jwks_has_kid(e->jwks, kid, kidlen);
}

static int needs_fetch(const struct pj_cache_entry *e, const char *kid, size_t kidlen, int64_t now)
{
	return e->jwks == NULL || now >= e->expires || !has_kid(e, kid, kidlen);
}

enum pj_status pj_remote_keys(const struct pj_config *cfg, const char *kid, size_t kidlen,
                              enum jws_alg alg, int64_t now, int force, struct pj_keyset *set,
                              char *note, struct pj_err *err)
{
	struct pj_cache_entry e;
	struct pj_cache_src src = { cfg->issuer, cfg->jwks_uri, cfg->ca_file, cfg->ca_dir };
	struct pj_err ferr;
	int64_t seen_attempt;
	int lock = -1;
	enum pj_status st;

	memset(&e, 0, sizeof(e));
	if (note != NULL)
		note[0] = '\0';
	pj_err_clear(&ferr);
	st = pj_cache_read(cfg->cache_dir, &src, &e, &ferr);
	if (st == PJ_E_CONFIG)
		note_as(note, 1, "cached keys not trusted", ferr.reason);
	seen_attempt = e.attempt;
	if (force ||
	    (needs_fetch(&e, kid, kidlen, now) &&
	     (e.attempt == 0 || now - e.attempt >= cfg->refresh_min_interval || now < e.attempt))) {
		lock = pj_cache_lock(cfg->cache_dir, &src, cfg->http_timeout * 1000);
		if (lock < 0 && !force) {
			/* No usable cache directory: no attempt could be recorded,
			 * so fetching would lift the rate limit (every login a
			 * fetch).  A lock held past http_timeout: another process
			 * is stuck (or stopped) in its refresh.  Either way use
			 * what is cached; `pam-jwt keys refresh` still tries. */
			note_as(note, 1,
			        lock == -2 ? "key cache locked by another process for "
			                     "longer than http_timeout, keys not fetched"
			                   : "key cache directory unusable, keys not fetched",
			        cfg->cache_dir);
			goto use;
		}
		/* Another login may have refreshed while we waited. */
		if (lock >= 0 && !force) {
			struct pj_cache_entry again;

			memset(&again, 0, sizeof(again));
			if (pj_cache_read(cfg->cache_dir, &src, &again, NULL) == PJ_OK &&
			    again.attempt != seen_attempt) {
				pj_cache_entry_free(&e);
				e = again;
				goto use;
			}
			pj_cache_entry_free(&again);
		}
		pj_err_clear(&ferr);
		e.attempt = now;
		if (fetch(cfg, now, &e, note, &ferr) != PJ_OK) {
			if (e.jwks != NULL && now <= e.expires + cfg->stale_max)
				note_as(note, 1, "auth center unreachable, using cached keys",
				        ferr.reason);
			else
				note_as(note, 1, "auth center unreachable", ferr.reason);
		}
		pj_err_clear(&ferr);
		if (pj_cache_write(cfg->cache_dir, &src, &e, &ferr) != PJ_OK)
			note_as(note, 1, "cannot update the key cache", ferr.reason);
	}
use:
	pj_cache_unlock(lock);
	if (e.jwks == NULL || now > e.expires + cfg->stale_max) {
		st = pj_fail(err, PJ_E_UNAVAILABLE, "no usable keys%s%s",
		             note != NULL && note[0] ? ": " : "", note != NULL ? note : "");
		goto out;
	}
	st = pj_jwks_add_json(set, e.jwks, kid, kidlen, alg, err);
	if (st == PJ_OK && set->n == 0 && alg != JWS_ALG_UNKNOWN && set->skipped)
		st = pj_fail(err, PJ_E_KEY, "the key for this token is refused: %s",
		             set->skip_reason);
	else if (st == PJ_OK && set->n == 0 && alg == JWS_ALG_UNKNOWN)
		st = pj_fail(err, PJ_E_UNAVAILABLE, "cached JWKS of %s has no usable key",
		             cfg->issuer);
out:
	pj_cache_entry_free(&e);
	return st;
}
