/* A preload library for tests: does a program free memory that still
 * holds a secret?  With WIPECHECK_SECRET set, every free() looks for that
 * string in the block it releases and aborts the program when it is
 * there (the block was not wiped).  With WIPECHECK_STDIN_FAIL also set,
 * the first read() of standard input returns the secret and the next one
 * fails with EIO: a token read in part, then a read error.  A program
 * built with _FORTIFY_SOURCE calls __read_chk instead of read: it is
 * caught as well.
 *
 *   LD_PRELOAD=tests/helper/.libs/libwipecheck.so WIPECHECK_SECRET=... prog
 *
 * For tests only: it relies on glibc's __libc_free and
 * malloc_usable_size. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void __libc_free(void *p);
/* glibc declares it only under _FORTIFY_SOURCE */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);

static int stdin_reads;

/* Contract: as free(3); aborts when the block holds $WIPECHECK_SECRET. */
__attribute__((visibility("default"))) void free(void *p)
{
	const char *secret = getenv("WIPECHECK_SECRET");

	if (p != NULL && secret != NULL && secret[0] != '\0' &&
	    memmem(p, malloc_usable_size(p), secret, strlen(secret)) != NULL) {
		static const char msg[] = "wipecheck: a freed block still holds the secret\n";

		(void)syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		abort();
	}
	__libc_free(p);
}

/* Contract: as read(2), except for standard input under
 * WIPECHECK_STDIN_FAIL (see above). */
__attribute__((visibility("default"))) ssize_t read(int fd, void *buf, size_t n)
{
	const char *secret = getenv("WIPECHECK_SECRET");

	if (fd == 0 && secret != NULL && getenv("WIPECHECK_STDIN_FAIL") != NULL) {
		size_t len = strlen(secret);

		if (stdin_reads++ > 0 || n < len) {
			errno = EIO;
			return -1;
		}
		memcpy(buf, secret, len);
		return (ssize_t)len;
	}
	return syscall(SYS_read, fd, buf, n);
}

/* Contract: as glibc's __read_chk (what read() becomes under
 * _FORTIFY_SOURCE): aborts when n exceeds the buffer, else as read()
 * above. */
__attribute__((visibility("default"))) ssize_t __read_chk(int fd, void *buf, size_t n,
                                                          size_t buflen)
{
	if (n > buflen)
		abort();
	return read(fd, buf, n);
}
