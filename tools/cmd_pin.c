/* pam-jwt pin set [--pin-stdin] [--helper PATH] < token
 *
 * Sets (or changes) the calling user's offline PIN on this computer.  The
 * proof is a fresh token for this host (issued at most PJ_PIN_FRESH
 * seconds ago, not used before), never the old PIN: for example
 *
 *   pam-jwt token --audience pam://this-host | pam-jwt pin set
 *
 * The PIN is read twice from the terminal (or, with --pin-stdin, from the
 * second and third lines of standard input).  The PIN store is root's:
 * the setuid helper pam_jwt-unlock checks the token and writes the hash,
 * for the calling user's own account only. */
#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "offline.h"
#include "safefile.h"
#include "tokenin.h"
#include "unlock.h"

#define EXIT_OFF 3
#define EXIT_UNAVAIL 4

static void usage(FILE *f)
{
	fputs("usage: pam-jwt pin set [--pin-stdin] [--helper PATH] < token\n"
	      "\n"
	      "  Set this computer's offline PIN for your account.  Standard input holds a\n"
	      "  fresh token for this host (issued in the last 5 minutes), e.g.\n"
	      "    pam-jwt token --audience pam://HOST | pam-jwt pin set\n"
	      "  The PIN is asked twice on the terminal; --pin-stdin reads it from the\n"
	      "  second and third lines of standard input instead.\n"
	      "\n"
	      "  Exit status: 0 set, 1 refused (token or PIN), 2 usage, 3 offline PINs are\n"
	      "  off on this computer, 4 cannot be decided now.\n",
	      f);
}

/* The next line of *p (before end), NUL-terminated in place, or NULL. */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL)
		nl = end;
	*nl = '\0';
	*p = nl + 1;
	s[pj_trim_newline(s, strlen(s))] = '\0';
	return s;
}

/* One line from the terminal, echo off, into buf[sz]; 0 or -1. */
static int tty_line(const char *prompt, char *buf, size_t sz)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY), rc = -1;
	size_t n = 0;
	char c;

	if (fd < 0 || tcgetattr(fd, &old) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (pj_write_all(fd, prompt, strlen(prompt)) == 0 &&
	    tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
		while (read(fd, &c, 1) == 1 && c != '\n')
			if (n + 1 < sz)
				buf[n++] = c;
		buf[n] = '\0';
		rc = 0;
		tcsetattr(fd, TCSAFLUSH, &old);
		pj_write_all(fd, "\n", 1);
	}
	close(fd);
	return rc;
}

static int set_pin(const char *helper, const char *token, const char *pin)
{
	struct passwd *pw = getpwuid(getuid());
	enum pj_unlock_verdict v = PJ_UNLOCK_UNAVAIL;
	struct pj_err err;

	pj_err_clear(&err);
	if (pw == NULL) {
		fputs("pam-jwt pin: who are you? (no account for this user id)\n", stderr);
		return EXIT_UNAVAIL;
	}
	if (pj_unlock_run(helper, pw->pw_name, 'S', token, strlen(token), pin, strlen(pin), &v,
	                  &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt pin: %s\n", err.reason);
		return err.status == PJ_E_UNAVAILABLE ? EXIT_UNAVAIL : EXIT_REFUSE;
	}
	switch (v) {
	case PJ_UNLOCK_OK: fputs("Offline PIN set.\n", stderr); return 0;
	case PJ_UNLOCK_NO_PIN:
		fputs("pam-jwt pin: offline PINs are off on this computer (offline_max)\n", stderr);
		return EXIT_OFF;
	case PJ_UNLOCK_DENIED:
		fputs("pam-jwt pin: refused: the token (fresh, for this host, not used before) "
		      "or the PIN (see the system log)\n",
		      stderr);
		return EXIT_REFUSE;
	default:
		fputs("pam-jwt pin: cannot decide now (see the system log)\n", stderr);
		return EXIT_UNAVAIL;
	}
}

int cmd_pin(int argc, char **argv)
{
	const char *helper = NULL;
	char *in = NULL, *p, *token, *pin = NULL, *again = NULL, a[PJ_PIN_MAX + 2],
	     b[PJ_PIN_MAX + 2];
	size_t len = 0;
	int i, from_stdin = 0, rc = EXIT_USAGE;

	if (argc < 1 || strcmp(argv[0], "set") != 0) {
		usage(argc >= 1 && strcmp(argv[0], "--help") == 0 ? stdout : stderr);
		return argc >= 1 && strcmp(argv[0], "--help") == 0 ? 0 : EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pin-stdin") == 0) {
			from_stdin = 1;
		} else if (strcmp(argv[i], "--helper") == 0 && i + 1 < argc) {
			helper = argv[++i];
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((in = cli_read_stdin(&len)) == NULL || len > STDIN_MAX) {
		fputs("pam-jwt pin: cannot read the token from standard input\n", stderr);
		goto out;
	}
	p = in;
	token = next_line(&p, in + len);
	if (from_stdin) {
		pin = next_line(&p, in + len);
		again = next_line(&p, in + len);
	} else if (tty_line("New offline PIN: ", a, sizeof(a)) == 0 &&
	           tty_line("Repeat the offline PIN: ", b, sizeof(b)) == 0) {
		pin = a;
		again = b;
	}
	if (token == NULL || token[0] == '\0' || pin == NULL || again == NULL) {
		fputs("pam-jwt pin: need a token on standard input and the PIN twice\n", stderr);
	} else if (strcmp(pin, again) != 0) {
		fputs("pam-jwt pin: the PINs differ\n", stderr);
		rc = EXIT_REFUSE;
	} else if (!pj_pin_valid(pin, strlen(pin))) {
		fprintf(stderr,
		        "pam-jwt pin: a PIN has %d to %d characters and no control "
		        "characters\n",
		        PJ_PIN_MIN, PJ_PIN_MAX);
		rc = EXIT_REFUSE;
	} else {
		rc = set_pin(helper, token, pin);
	}
out:
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	if (in != NULL)
		pj_free_secret(in, STDIN_MAX + 1);
	return rc;
}
