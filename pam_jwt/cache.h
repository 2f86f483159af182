/* The on-disk cache of an auth center's JWKS: one file per source under
 * cache_dir, written atomically (temporary file + rename), root-owned and
 * never group/world-writable (refused when it is).
 *
 * A source is everything that decided where the keys came from and why
 * they were trusted: the issuer, the configured jwks_uri (or discovery)
 * and the trust anchors (ca_file, ca_dir).  Two PAM stacks that differ in
 * any of them never share keys, and keys cached before an administrator
 * changed one of them are not used afterwards. */
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

/* Where a key set comes from (see above).  jwks_uri NULL: discovery;
 * ca_file and ca_dir NULL: the system's trust anchors. */
struct pj_cache_src {
	const char *issuer;
	const char *jwks_uri;
	const char *ca_file;
	const char *ca_dir;
};

/* The source's binding text, one "name=value" line each after a version
 * line (malloc'ed), or NULL when out of memory:
 *   "pam_jwt key cache v2\nissuer=I\njwks_uri=U\nca_file=F\nca_dir=D\n"
 * with an empty value for an absent one. */
char *pj_cache_binding(const struct pj_cache_src *src);

/* Path of the cache file of src in dir: DIR/<sha256(binding) hex>.json
 * (malloc'ed), or NULL when out of memory.  With lock != 0, the path of
 * its lock file (".lock" instead of ".json"). */
char *pj_cache_path(const char *dir, const struct pj_cache_src *src, int lock);

/* Read the cache file of src.  PJ_OK with *e filled (release with
 * pj_cache_entry_free); PJ_E_UNAVAILABLE when there is none; PJ_E_CONFIG
 * when the file or its directory is unsafe (not root-owned, group or
 * world-writable, a symlink) or its content is not a cache of this
 * source (tampered, or another source's): such a cache is never trusted. */
enum pj_status pj_cache_read(const char *dir, const struct pj_cache_src *src,
                             struct pj_cache_entry *e, struct pj_err *err);

/* Write e as the cache of src, atomically, creating dir (0755) when
 * missing.  PJ_E_UNAVAILABLE when it cannot be written (read-only, full,
 * not root). */
enum pj_status pj_cache_write(const char *dir, const struct pj_cache_src *src,
                              const struct pj_cache_entry *e, struct pj_err *err);

/* Take an exclusive lock for refreshing src's cache (waits up to
 * timeout_ms for another process's refresh to end).  Returns a descriptor
 * to pass to pj_cache_unlock; -2 when the wait timed out; -1 when no lock
 * can be had (an unusable directory). */
int pj_cache_lock(const char *dir, const struct pj_cache_src *src, int64_t timeout_ms);
void pj_cache_unlock(int fd);

void pj_cache_entry_free(struct pj_cache_entry *e);

#endif
