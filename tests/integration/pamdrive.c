/* pamdrive: run pam_authenticate() in-process on a test service, with a
 * conversation that behaves like a picky real application.
 *
 *   pamdrive -D CONFDIR -s SERVICE -u USER [-c CAP] [-f ANSWERS]
 *            [-a USER2] [-U USER3] [-S] [-e] [-t TTY]
 *
 * - The service file is read from CONFDIR with pam_start_confdir(), so the
 *   host's /etc/pam.d is never used and no preload is needed.
 * - Every PAM_PROMPT_ECHO_OFF / PAM_PROMPT_ECHO_ON prompt takes the next
 *   line of ANSWERS (one answer per line, bytes as they are, the newline
 *   removed).  No answer left: PAM_CONV_ERR.
 * - With -c CAP, an answer longer than CAP bytes makes the conversation
 *   return PAM_CONV_ERR, like sudo (answers of 512 bytes or more: -c 511)
 *   and ssh (more than 1023: -c 1023).
 * - Prompts and messages are printed on stdout as "prompt: TEXT",
 *   "info: TEXT", "error: TEXT"; answers are never printed.
 * - With -a USER2, one handle authenticates twice, like a greeter whose
 *   first attempt failed: USER first, then PAM_USER is set to USER2 and
 *   pam_authenticate() runs again (answers continue from the same file);
 *   the first attempt's code is printed as "first: N TEXT".
 * - With -S, after a successful (last) authentication: PAM_USER is set to
 *   USER3 when -U is given, then pam_acct_mgmt() and pam_open_session()
 *   run ("account: N TEXT", "session: N TEXT").
 * - With -e, every PAM_JWT_* variable of the handle's PAM environment is
 *   printed at the end as "env: NAME=VALUE".
 * - -E NAME=VALUE (repeatable) puts a variable into the PAM environment
 *   before authentication (what pam_systemd's XDG_RUNTIME_DIR would be).
 * - With -C, pam_setcred(PAM_ESTABLISH_CRED) runs before the session
 *   (sudo, su and sshd do; -S alone is an application that does not).
 * - -x CMD runs CMD with /bin/sh inside the open session, with the PAM
 *   environment as its environment (plus PATH), before the session is
 *   closed; its exit status is printed as "exec: N".
 * - -t TTY sets PAM_TTY before authentication (a console login's
 *   "tty1", a greeter's ":0").
 * - With -i, SIGUSR1 has a handler (installed without SA_RESTART, as sshd
 *   and greeters do), so the signal interrupts the module's waits instead
 *   of ending the process; "pid: N" is printed first.
 * - The last line is "result: N TEXT" (the last pam_authenticate() code and
 *   pam_strerror()).  Exit status: the PAM code of the last step run
 *   (0 = success); 99 for a usage or driver error.
 *
 * Logging: this executable defines syslog() and friends and is linked with
 * -rdynamic, so libpam's pam_syslog() (and anything else in the process
 * that logs) lands here instead of the system log.  Each line is appended
 * to the file named by $PAMDRIVE_LOG (dropped when it is unset). */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

/* Linux-PAM >= 1.4 has pam_start_confdir(); a weak reference lets the
 * driver build everywhere and skip where it is missing (configure's
 * HAVE_PAM_START_CONFDIR is not used: its check does not link libpam). */
#pragma weak pam_start_confdir

#define DRIVER_ERROR 99
#define DRIVER_SKIP 77
#define MAX_ANSWERS 256

#ifndef HAVE_EXPLICIT_BZERO
static void explicit_bzero(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}
#endif

struct answers {
	char *v[MAX_ANSWERS];
	size_t n, next;
	size_t cap; /* 0: no cap */
	int prompts;
};

/* ---- syslog capture ------------------------------------------------ */

/* The tree builds with -fvisibility=hidden: these must be exported. */
#define DRIVE_EXPORT __attribute__((visibility("default")))

/* glibc's fortified entry points; declared here because <syslog.h> only
 * declares them under _FORTIFY_SOURCE. */
void __syslog_chk(int pri, int flag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void capture(int pri, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void capture(int pri, const char *fmt, va_list ap)
{
	const char *path = getenv("PAMDRIVE_LOG");
	FILE *f;

	if (path == NULL || path[0] == '\0')
		return;
	f = fopen(path, "a");
	if (f == NULL)
		return;
	fprintf(f, "<%d> ", pri & LOG_PRIMASK);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fclose(f);
}

DRIVE_EXPORT void vsyslog(int pri, const char *fmt, va_list ap)
{
	capture(pri, fmt, ap);
}

DRIVE_EXPORT void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	capture(pri, fmt, ap);
	va_end(ap);
}

DRIVE_EXPORT void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	capture(pri, fmt, ap);
}

DRIVE_EXPORT void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	capture(pri, fmt, ap);
	va_end(ap);
}

/* ---- conversation ---------------------------------------------------- */

static void free_responses(struct pam_response *r, int n)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

static int converse(int n, const struct pam_message **msg, struct pam_response **resp,
		    void *data)
{
	struct answers *a = data;
	struct pam_response *r;
	int i;

	*resp = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		const char *text = msg[i]->msg != NULL ? msg[i]->msg : "";

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			a->prompts++;
			printf("prompt: %s\n", text);
			if (a->next >= a->n) {
				printf("conv: no answer left, PAM_CONV_ERR\n");
				goto fail;
			}
			if (a->cap > 0 && strlen(a->v[a->next]) > a->cap) {
				printf("conv: answer %zu is %zu bytes, over the cap of %zu, PAM_CONV_ERR\n",
				       a->next + 1, strlen(a->v[a->next]), a->cap);
				a->next++;
				goto fail;
			}
			r[i].resp = strdup(a->v[a->next++]);
			if (r[i].resp == NULL)
				goto fail;
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", text);
			break;
		case PAM_ERROR_MSG:
			printf("error: %s\n", text);
			break;
		default:
			printf("conv: unknown message style %d, PAM_CONV_ERR\n", msg[i]->msg_style);
			goto fail;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
fail:
	fflush(stdout);
	free_responses(r, n);
	return PAM_CONV_ERR;
}

/* ---- main ------------------------------------------------------------ */

static int read_answers(const char *path, struct answers *a)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t sz = 0;
	ssize_t len;

	if (f == NULL) {
		fprintf(stderr, "pamdrive: cannot open %s\n", path);
		return -1;
	}
	while ((len = getline(&line, &sz, f)) >= 0) {
		if (a->n >= MAX_ANSWERS) {
			fprintf(stderr, "pamdrive: more than %d answers\n", MAX_ANSWERS);
			break;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		a->v[a->n] = strdup(line);
		if (a->v[a->n] == NULL)
			break;
		a->n++;
	}
	if (line != NULL) {
		explicit_bzero(line, sz);
		free(line);
	}
	fclose(f);
	return 0;
}

static void usage(void)
{
	fputs("usage: pamdrive -D CONFDIR -s SERVICE -u USER [-c CAP] [-f ANSWERS]\n"
	      "                [-a USER2] [-U USER3] [-S] [-e] [-E NAME=VALUE] [-C]\n"
	      "                [-x CMD] [-i] [-t TTY]\n",
	      stderr);
}

/* Print the PAM_JWT_* variables of the handle's environment. */
static void print_env(pam_handle_t *pamh)
{
	char **env = pam_getenvlist(pamh);
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], "PAM_JWT_", 8) == 0)
			printf("env: %s\n", env[i]);
		free(env[i]);
	}
	free(env);
}

/* Run cmd with /bin/sh and the handle's PAM environment; its status. */
static int run_in_session(pam_handle_t *pamh, const char *cmd)
{
	char **env = pam_getenvlist(pamh), *path = (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	char **envp;
	size_t n = 0, i;
	pid_t pid;
	int status = 0;

	while (env != NULL && env[n] != NULL)
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (envp == NULL)
		return -1;
	for (i = 0; i < n; i++)
		envp[i] = env[i];
	envp[n] = path;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0)
		;
	for (i = 0; i < n; i++)
		free(env[i]);
	free(env);
	free(envp);
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* pam_acct_mgmt() then pam_open_session(), as USER3 when given. */
static int account_and_session(pam_handle_t *pamh, const char *user3, int setcred,
			       const char *cmd)
{
	int rc;

	if (user3 != NULL && pam_set_item(pamh, PAM_USER, user3) != PAM_SUCCESS)
		return PAM_SYSTEM_ERR;
	rc = pam_acct_mgmt(pamh, 0);
	printf("account: %d %s\n", rc, pam_strerror(pamh, rc));
	if (rc != PAM_SUCCESS)
		return rc;
	if (setcred) {
		rc = pam_setcred(pamh, PAM_ESTABLISH_CRED);
		printf("setcred: %d %s\n", rc, pam_strerror(pamh, rc));
		if (rc != PAM_SUCCESS)
			return rc;
	}
	rc = pam_open_session(pamh, 0);
	printf("session: %d %s\n", rc, pam_strerror(pamh, rc));
	if (rc == PAM_SUCCESS && cmd != NULL)
		printf("exec: %d\n", run_in_session(pamh, cmd));
	if (rc == PAM_SUCCESS)
		pam_close_session(pamh, 0);
	return rc;
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct answers a;
	struct pam_conv conv = { converse, &a };
	pam_handle_t *pamh = NULL;
	const char *confdir = NULL, *service = NULL, *user = NULL, *file = NULL;
	const char *user2 = NULL, *user3 = NULL, *cmd = NULL, *tty = NULL, *preset[16];
	char *end = NULL;
	size_t i, npreset = 0;
	int opt, rc, session = 0, show_env = 0, setcred = 0;
	struct sigaction sa;

	memset(&a, 0, sizeof(a));
	while ((opt = getopt(argc, argv, "D:s:u:c:f:a:U:SeE:Cx:it:")) != -1) {
		switch (opt) {
		case 'D': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'f': file = optarg; break;
		case 'a': user2 = optarg; break;
		case 'U': user3 = optarg; break;
		case 'S': session = 1; break;
		case 'e': show_env = 1; break;
		case 'C': setcred = 1; break;
		case 'x': cmd = optarg; break;
		case 't': tty = optarg; break;
		case 'E':
			if (npreset < sizeof(preset) / sizeof(preset[0]))
				preset[npreset++] = optarg;
			break;
		case 'i':
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_usr1; /* no SA_RESTART */
			sigaction(SIGUSR1, &sa, NULL);
			printf("pid: %ld\n", (long)getpid());
			fflush(stdout);
			break;
		case 'c':
			a.cap = strtoul(optarg, &end, 10);
			if (end == optarg || *end != '\0') {
				usage();
				return DRIVER_ERROR;
			}
			break;
		default:
			usage();
			return DRIVER_ERROR;
		}
	}
	if (confdir == NULL || service == NULL || user == NULL || optind != argc) {
		usage();
		return DRIVER_ERROR;
	}
	if (file != NULL && read_answers(file, &a) != 0)
		return DRIVER_ERROR;

	if (pam_start_confdir == NULL) {
		puts("pamdrive: this libpam has no pam_start_confdir");
		return DRIVER_SKIP;
	}
	rc = pam_start_confdir(service, user, &conv, confdir, &pamh);
	if (rc != PAM_SUCCESS) {
		printf("pam_start_confdir failed: %d\n", rc);
		return DRIVER_ERROR;
	}
	for (i = 0; i < npreset; i++)
		pam_putenv(pamh, preset[i]);
	if (tty != NULL && pam_set_item(pamh, PAM_TTY, tty) != PAM_SUCCESS) {
		puts("pamdrive: cannot set PAM_TTY");
		pam_end(pamh, PAM_SYSTEM_ERR);
		return DRIVER_ERROR;
	}
	rc = pam_authenticate(pamh, 0);
	if (user2 != NULL) {
		printf("first: %d %s\n", rc, pam_strerror(pamh, rc));
		if (pam_set_item(pamh, PAM_USER, user2) != PAM_SUCCESS) {
			puts("pamdrive: cannot set PAM_USER");
			pam_end(pamh, PAM_SYSTEM_ERR);
			return DRIVER_ERROR;
		}
		rc = pam_authenticate(pamh, 0);
	}
	printf("prompts: %d\n", a.prompts);
	printf("answers used: %zu of %zu\n", a.next, a.n);
	printf("result: %d %s\n", rc, pam_strerror(pamh, rc));
	if (session && rc == PAM_SUCCESS)
		rc = account_and_session(pamh, user3, setcred, cmd);
	if (show_env)
		print_env(pamh);
	pam_end(pamh, rc);
	for (i = 0; i < a.n; i++) {
		explicit_bzero(a.v[i], strlen(a.v[i]));
		free(a.v[i]);
	}
	return rc == PAM_SUCCESS ? 0 : rc;
}
