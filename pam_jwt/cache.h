/* The on-disk cache of an auth center's JWKS: one file per issuer under
 * cache_dir, written atomically (temporary file + rename), root-owned and
 * never group/world-writable (refused when it is). */
#ifndef PJ_CACHE_H
#define PJ_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "pj_err.h"

#define PJ_CACHE_FILE_MAX (512 * 1024)

struct pj_cache_entry {
	int64_t fetched; /* when the JWKS was fetched (0: never) */
	int64_t expires; /* fresh until */
	int64_t attempt; /* last fetch attempt, successful or not */
	char *jwks_uri; /* owned, may be NULL */
	struct json_object *jwks; /* owned reference to the JWKS, NULL when none */
};

/* Path of the cache file for issuer in dir: DIR/<sha256(issuer) hex>.json
 * (malloc'ed), or NULL when out of memory.  With lock != 0, the path of
 * its lock file (".lock" instead of ".json"). */
char *pj_cache_path(const char *dir, const char *issuer, int lock);

/* Read the cache file of issuer.  PJ_OK with *e filled (release with
 * pj_cache_entry_free); PJ_E_UNAVAILABLE when there is none; PJ_E_CONFIG
 * when the file or its directory is unsafe (not root-owned, group or
 * world-writable, a symlink) or its content is not a cache of this issuer
 * (tampered): such a cache is never trusted. */
enum pj_status pj_cache_read(const char *dir, const char *issuer, struct pj_cache_entry *e,
                             struct pj_err *err);

/* Write e as the cache of issuer, atomically, creating dir (0755) when
 * missing.  PJ_E_UNAVAILABLE when it cannot be written (read-only, full,
 * not root). */
enum pj_status pj_cache_write(const char *dir, const char *issuer, const struct pj_cache_entry *e,
                              struct pj_err *err);

/* Take an exclusive lock for refreshing issuer's cache (waits up to
 * timeout_ms for another process's refresh to end).  Returns a descriptor
 * to pass to pj_cache_unlock; -2 when the wait timed out; -1 when no lock
 * can be had (an unusable directory). */
int pj_cache_lock(const char *dir, const char *issuer, int64_t timeout_ms);
void pj_cache_unlock(int fd);

void pj_cache_entry_free(struct pj_cache_entry *e);

#endif
