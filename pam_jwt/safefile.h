/* Reading files that decide access (configuration, keys, secrets). */
#ifndef PJ_SAFEFILE_H
#define PJ_SAFEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "pj_err.h"

/* Read the whole of path into a new NUL-terminated buffer.  The file is
 * opened without following a final symlink and must be a regular file
 * owned by root (or by the process's effective user), not writable by
 * group or others, and at most maxsize bytes; every directory above it
 * must be owned by root (or the effective user) and not writable by
 * others unless sticky (/tmp).  On success sets *buf
 * (caller frees; wipe it with pj_free_secret when it holds a secret) and
 * *len.  Errors: PJ_E_UNAVAILABLE when the file cannot be read (missing,
 * unreadable), PJ_E_CONFIG when it is unsafe or too large. */
enum pj_status pj_read_file(const char *path, size_t maxsize, char **buf, size_t *len,
                            struct pj_err *err);

/* pj_read_file for a file that holds a secret (a shared HMAC key): also
 * refused when group or others may read it. */
enum pj_status pj_read_secret_file(const char *path, size_t maxsize, char **buf, size_t *len,
                                   struct pj_err *err);

/* Write all of p[0..n) to fd, retrying after EINTR and short writes.
 * Returns 0, or -1 with errno set. */
int pj_write_all(int fd, const char *p, size_t n);

/* Every directory holding path (which must exist), both as written and
 * after resolving symlinks, is owned by root (or this user) and not
 * writable by others (unless sticky).  PJ_OK, or PJ_E_CONFIG naming the
 * directory (PJ_E_UNAVAILABLE when one cannot be examined). */
enum pj_status pj_check_parents(const char *path, struct pj_err *err);

/* Read exactly n bytes from fd into p, retrying after EINTR and short
 * reads.  Returns 0; -1 with errno set on a read error; 1 when the file
 * ended first (it shrank while being read). */
int pj_read_all(int fd, char *p, size_t n);

/* Take an exclusive flock on fd, waiting at most timeout_ms for another
 * process to let go (a stopped process must not hold every login).
 * Returns 0 when locked, -1 with errno set (EWOULDBLOCK: timed out). */
int pj_lock_wait(int fd, int64_t timeout_ms);

#endif
