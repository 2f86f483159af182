/* Shared helpers for the cmocka unit tests: fixture files (found through
 * $top_srcdir, committed, made by make-fixtures.sh with tools independent
 * of pam_jwt) and a private temporary directory for files made at run
 * time.  Every helper fails the running test (FAILF) instead of
 * returning an error. */
#ifndef PJ_UNIT_H
#define PJ_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <cmocka.h>

/* Fail the running test with a message.  cmocka's fail_msg() writes
 * to stderr, which the TAP log does not show; this is a TAP comment. */
#define FAILF(...) do {                                                   \
		printf("# ");                                             \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
		fail();                                                   \
	} while (0)

/* The fixed "now" the fixture tokens were minted with. */
#define FX_NOW 1750000000
#define FX_ISS "https://idp.test"
#define FX_AUD "host.test"

/* malloc'ed path of fixture `name` (caller frees). */
char *fx_path(const char *name);

/* Whole fixture file, NUL-terminated, malloc'ed; *len may be NULL. */
char *fx_read(const char *name, size_t *len);

/* The second field of the line of fixture `file` ("name value" lines)
 * whose first field is `name`, malloc'ed. */
char *fx_line(const char *file, const char *name);

/* A token from tokens.txt (malloc'ed). */
char *fx_token(const char *name);

/* Decode base64url with OpenSSL's decoder (not pam_jwt's), malloc'ed. */
unsigned char *fx_unb64(const char *s, size_t *len);

/* A fresh private directory (mkdtemp); remove it with tmp_remove. */
char *tmp_dir(void);

/* Write data[0..len) to dir/name with exactly `mode`; returns the
 * malloc'ed path.  An existing file is replaced. */
char *tmp_write(const char *dir, const char *name, const void *data, size_t len,
		mode_t mode);

/* Copy fixture `name` into dir with mode 0600; returns the path. */
char *tmp_copy_fixture(const char *dir, const char *name);

/* Remove dir and everything under it, then free dir. */
void tmp_remove(char *dir);

/* malloc'ed concatenation of a and b. */
char *str_cat(const char *a, const char *b);

#endif
