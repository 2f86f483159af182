/* pam-jwt askpass PROMPT          (as SSH_ASKPASS or SUDO_ASKPASS)
 * pam-jwt askpass --explain PROMPT
 *
 * Answers ssh's and sudo's prompts with a fresh token for the host they
 * are about: the audience comes from a template (audience_ssh, default
 * ssh://%h; audience_sudo, default sudo://%h with this machine's name).
 * A token longer than one answer can be (sudo: 511 bytes, ssh: 1023) is
 * given in parts by the module's chunked entry convention: the first
 * prompt gets the first part plus '\', each "(part N)" prompt part N of
 * the SAME token, kept for the session (the ssh or sudo process that asks)
 * in the cache directory until its last part is given.
 *
 * Who asks decides the audience, and only what the asking program vouches
 * for counts: an ssh prompt names its host in the "(user@host) " prefix
 * that OpenSSH 8.4 and later put before every prompt a server sends (a
 * server can write anything after it); a prompt without that prefix is
 * sudo's only when the parent process is sudo (sudo -A runs the askpass
 * program as its child), whatever its text says.
 *
 * A prompt it does not understand (host key confirmation, key
 * passphrase, ssh's password method...) or whose asker it cannot tell is
 * never answered: exit 6 with nothing on stdout.  Every failure leaves
 * stdout empty; the reason goes to stderr. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "client.h"
#include "pj_json.h"

#define SSH_PART 1022 /* + '\' = 1023: what ssh reads from askpass */
#define SUDO_PART 510 /* + '\' = 511: sudo refuses answers >= 512 bytes */
#define STATE_MAX_AGE 300

static void usage(FILE *f)
{
	fputs("usage: pam-jwt askpass PROMPT\n"
	      "       pam-jwt askpass --explain PROMPT\n"
	      "\n"
	      "  An SSH_ASKPASS / SUDO_ASKPASS program: answers ssh's keyboard-interactive\n"
	      "  token prompts (OpenSSH >= 8.4, which prefixes them with \"(user@host) \") and\n"
	      "  sudo's prompts (only when sudo is the parent process) with a fresh token for\n"
	      "  the host (audience_ssh, default ssh://%h; audience_sudo, default sudo://%h),\n"
	      "  in parts when it is too long for one answer.  Other prompts (host keys,\n"
	      "  passphrases, ssh's password method) are not answered.\n"
	      "  --explain  say how PROMPT is understood, without answering it\n"
	      "\n"
	      "  Environment: PAM_JWT_CLI_ASKPASS_SERVICE=ssh|sudo and "
	      "PAM_JWT_CLI_ASKPASS_HOST=NAME\n"
	      "  when the prompt does not tell; PAM_JWT_CLI_ASKPASS_SESSION=ID names the session\n"
	      "  whose parts belong together (default: the asking ssh or sudo process).\n"
	      "\n"
	      "  Exit status: 0 answered, 1 the auth center refused, 2 configuration error,\n"
	      "  3 no usable login (run pam-jwt login), 4 unsafe cache, 5 auth center\n"
	      "  unreachable, 6 not a prompt it answers.  Nothing is printed on failure.\n",
	      f);
}

struct proc {
	pid_t pid, ppid;
	unsigned long long start;
	char comm[32];
};

/* pid's name, parent and start time from /proc/PID/stat. */
static int proc_read(pid_t pid, struct proc *p)
{
	char path[64], buf[1024], *rparen, *s, *end;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	s = strchr(buf, '(');
	rparen = strrchr(buf, ')');
	if (s == NULL || rparen == NULL || rparen < s)
		return -1;
	*rparen = '\0';
	snprintf(p->comm, sizeof(p->comm), "%s", s + 1);
	p->pid = pid;
	/* fields after ") ": 3 state, 4 ppid, ..., 22 starttime */
	s = rparen + 2;
	for (field = 3; field <= 22 && *s; field++) {
		unsigned long long v;

		errno = 0;
		v = strtoull(s, &end, 10);
		if (field == 4)
			p->ppid = (pid_t)v;
		if (field == 22) {
			if (end == s || errno != 0)
				return -1;
			p->start = v;
			return 0;
		}
		s = strchr(s, ' ');
		if (s == NULL)
			return -1;
		s++;
	}
	return -1;
}

/* The process that asks: the nearest ssh or sudo above us (a wrapper
 * script may be in between), else our parent.  Sets *svc when found. */
static int session_proc(struct proc *out, enum pjc_service *svc)
{
	struct proc p;
	pid_t pid = getppid();
	int depth;

	*svc = PJC_SVC_NONE;
	if (proc_read(pid, out) != 0)
		return -1;
	for (depth = 0; depth < 4 && pid > 1 && proc_read(pid, &p) == 0; depth++, pid = p.ppid) {
		if (strcmp(p.comm, "ssh") == 0 || strcmp(p.comm, "sudo") == 0) {
			*svc = p.comm[1] == 's' ? PJC_SVC_SSH : PJC_SVC_SUDO;
			*out = p;
			break;
		}
	}
	return 0;
}

/* The direct parent is sudo: named so, and running as root (sudo is
 * setuid root).  sudo -A runs the askpass program as its own child, so a
 * prompt is sudo's only when our parent is sudo; a wrapper script in
 * between must exec pam-jwt.  Fills *parent (its name for messages). */
static int parent_is_sudo(struct proc *parent)
{
	char path[64];
	struct stat st;

	memset(parent, 0, sizeof(*parent));
	if (proc_read(getppid(), parent) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld", (long)parent->pid);
	return strcmp(parent->comm, "sudo") == 0 && stat(path, &st) == 0 && st.st_uid == 0;
}

static int host_ok(const char *h)
{
	if (h[0] == '\0' || h[0] == '-')
		return 0;
	for (; *h; h++)
		if ((unsigned char)*h <= 0x20 || (unsigned char)*h >= 0x7f || *h == '/' ||
		    *h == '@')
			return 0;
	return 1;
}

/* Write all of buf to stdout in one go (or nothing on error). */
static int put_answer(const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(1, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Answer: s[0..n) + (more ? "\\" : "") + "\n". */
static int answer(const char *s, size_t n, int more, struct pjc_err *e)
{
	char *buf = malloc(n + 3);
	size_t len = n;
	int rc;

	if (buf == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	memcpy(buf, s, n);
	if (more)
		buf[len++] = '\\';
	buf[len++] = '\n';
	rc = put_answer(buf, len) == 0 ? 0 : errno;
	pj_free_secret(buf, n + 3);
	return rc == 0 ? 0
	               : pjc_fail(e, PJC_EXIT_FAIL, "cannot write the answer: %s", strerror(rc));
}

static const char *svc_name(enum pjc_service s)
{
	return s == PJC_SVC_SSH ? "ssh" : s == PJC_SVC_SUDO ? "sudo" : "none";
}

static const char *kind_name(enum pjc_prompt_kind k)
{
	return k == PJC_PROMPT_TOKEN      ? "token"
	       : k == PJC_PROMPT_PART     ? "part"
	       : k == PJC_PROMPT_PASSWORD ? "password"
	                                  : "unknown";
}

struct ask {
	struct pjc_prompt p;
	struct proc session;
	char state_name[96];
	char *audience;
	size_t part_size;
};

/* Fill in service, host and audience; -1 with e set when it cannot. */
static int understand(const struct pjc_conf *c, const char *prompt, struct ask *a,
                      struct pjc_err *e)
{
	const char *env_svc = getenv("PAM_JWT_CLI_ASKPASS_SERVICE");
	const char *env_host = getenv("PAM_JWT_CLI_ASKPASS_HOST");
	const char *env_session = getenv("PAM_JWT_CLI_ASKPASS_SESSION");
	enum pjc_service found = PJC_SVC_NONE;

	struct proc parent;
	int sudo_asks;

	pjc_prompt_parse(prompt, c->prompt, &a->p);
	if (a->p.kind == PJC_PROMPT_UNKNOWN)
		return pjc_fail(e, PJC_EXIT_PROMPT, "not answering (%s)", a->p.why);
	if (session_proc(&a->session, &found) != 0)
		return pjc_fail(e, PJC_EXIT_FAIL, "cannot read /proc for the asking process");
	sudo_asks = parent_is_sudo(&parent);
	if (a->p.service == PJC_SVC_NONE) {
		if (env_svc != NULL && strcmp(env_svc, "ssh") == 0)
			a->p.service = PJC_SVC_SSH;
		else if (env_svc != NULL && strcmp(env_svc, "sudo") == 0)
			a->p.service = PJC_SVC_SUDO;
		else if (env_svc != NULL && env_svc[0] != '\0')
			return pjc_fail(e, PJC_EXIT_USAGE,
			                "PAM_JWT_CLI_ASKPASS_SERVICE must be ssh or sudo");
		else if (sudo_asks)
			a->p.service = PJC_SVC_SUDO;
		else if (found == PJC_SVC_SSH)
			return pjc_fail(e, PJC_EXIT_PROMPT,
			                "not answering (an ssh prompt without the \"(user@host) \" "
			                "prefix that OpenSSH >= 8.4 puts before every server "
			                "prompt, so its host cannot be told: use OpenSSH 8.4 or "
			                "later)");
		else
			return pjc_fail(e, PJC_EXIT_PROMPT,
			                "not answering (a prompt without \"(user@host) \" and "
			                "the asking process, %s, is neither ssh nor sudo: set "
			                "PAM_JWT_CLI_ASKPASS_SERVICE and PAM_JWT_CLI_ASKPASS_HOST)",
			                parent.comm[0] ? parent.comm : "unknown");
	}
	/* a sudo prompt's text proves nothing: an ssh server can send it */
	if (a->p.service == PJC_SVC_SUDO && !sudo_asks)
		return pjc_fail(e, PJC_EXIT_PROMPT,
		                "not answering (a sudo prompt, but the asking process is %s, not "
		                "sudo: a token for this machine goes only to sudo itself; a "
		                "SUDO_ASKPASS wrapper script must exec pam-jwt askpass)",
		                parent.comm[0] ? parent.comm : "unknown");
	if (a->p.host[0] == '\0' && env_host != NULL && env_host[0] != '\0')
		snprintf(a->p.host, sizeof(a->p.host), "%s", env_host);
	if (a->p.host[0] == '\0' && a->p.service == PJC_SVC_SUDO &&
	    gethostname(a->p.host, sizeof(a->p.host) - 1) != 0)
		a->p.host[0] = '\0';
	if (a->p.user[0] == '\0') {
		struct passwd *pw = getpwuid(getuid());

		if (pw != NULL)
			snprintf(a->p.user, sizeof(a->p.user), "%s", pw->pw_name);
	}
	if (!host_ok(a->p.host))
		return pjc_fail(
		        e, PJC_EXIT_PROMPT,
		        "cannot tell the host from the prompt; set PAM_JWT_CLI_ASKPASS_HOST");
	if (pjc_expand(a->p.service == PJC_SVC_SSH ? c->audience_ssh : c->audience_sudo, a->p.host,
	               a->p.user, &a->audience, e) != 0)
		return -1;
	a->part_size = a->p.service == PJC_SVC_SSH ? SSH_PART : SUDO_PART;
	if (env_session != NULL && env_session[0] != '\0') {
		size_t i;

		for (i = 0; env_session[i]; i++)
			if (!isalnum((unsigned char)env_session[i]) || i >= 40)
				return pjc_fail(e, PJC_EXIT_USAGE,
				                "PAM_JWT_CLI_ASKPASS_SESSION: at most 40 letters "
				                "and digits");
		snprintf(a->state_name, sizeof(a->state_name), "askpass-%s.json", env_session);
	} else {
		snprintf(a->state_name, sizeof(a->state_name), "askpass-%ld-%llu.json",
		         (long)a->session.pid, a->session.start);
	}
	return 0;
}

/* Remove session files older than STATE_MAX_AGE (of sessions that ended
 * before their last part was asked for). */
static void prune_states(const char *dir, int64_t now)
{
	DIR *d = opendir(dir);
	struct dirent *ent;

	if (d == NULL)
		return;
	while ((ent = readdir(d)) != NULL) {
		struct stat st;
		size_t n = strlen(ent->d_name);

		if (strncmp(ent->d_name, "askpass-", 8) != 0 || n < 13 ||
		    strcmp(ent->d_name + n - 5, ".json") != 0)
			continue;
		if (fstatat(dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (int64_t)st.st_mtime + STATE_MAX_AGE < now)
			(void)unlinkat(dirfd(d), ent->d_name, 0);
	}
	closedir(d);
}

static int save_state(const struct pjc_conf *c, const struct ask *a, const char *token,
                      struct pjc_err *e)
{
	struct json_object *o = json_object_new_object();
	const char *text = NULL;
	int rc;

	if (o == NULL)
		return pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	json_object_object_add(o, "audience", json_object_new_string(a->audience));
	json_object_object_add(o, "token", json_object_new_string(token));
	json_object_object_add(o, "part_size", json_object_new_int64((int64_t)a->part_size));
	json_object_object_add(o, "created", json_object_new_int64((int64_t)time(NULL)));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	} else {
		rc = pjc_cache_write(c->cache_dir, a->state_name, text, strlen(text), e);
		OPENSSL_cleanse((char *)(uintptr_t)text, strlen(text));
	}
	pj_json_wipe(o);
	json_object_put(o);
	return rc;
}

/* The token this session's first part came from. */
static int load_state(const struct pjc_conf *c, const struct ask *a, char **token,
                      struct pjc_err *e)
{
	struct json_object *o = NULL;
	struct pj_err perr;
	char *buf = NULL;
	const char *s = NULL, *aud = NULL;
	size_t len = 0, slen = 0, alen = 0;
	int64_t created = 0, size = 0;
	int missing = 0, rc;

	pj_err_clear(&perr);
	rc = pjc_cache_read(c->cache_dir, a->state_name, &buf, &len, &missing, e);
	if (rc != 0)
		return missing ? pjc_fail(e, PJC_EXIT_PROMPT,
		                          "asked for part %d, but no first part was given to "
		                          "this session",
		                          a->p.part)
		               : rc;
	if (pj_json_parse(buf, len, PJ_JSON_MAX_DEPTH, &o, &perr) != PJ_OK ||
	    pj_json_get_string(o, "token", &s, &slen) != 1 ||
	    pj_json_get_string(o, "audience", &aud, &alen) != 1 ||
	    pj_json_get_date(o, "created", &created) != 1 ||
	    pj_json_get_date(o, "part_size", &size) != 1) {
		rc = pjc_fail(e, PJC_EXIT_FAIL,
		              "the session file %s is damaged; answer the "
		              "first prompt again",
		              a->state_name);
	} else if (!pj_json_str_eq(aud, alen, a->audience) || size != (int64_t)a->part_size) {
		rc = pjc_fail(e, PJC_EXIT_PROMPT,
		              "asked for part %d of a token for %s, but this "
		              "session's token is for another audience",
		              a->p.part, a->audience);
	} else if (created + STATE_MAX_AGE < (int64_t)time(NULL)) {
		rc = pjc_fail(e, PJC_EXIT_PROMPT,
		              "asked for part %d of a token given more "
		              "than %d s ago",
		              a->p.part, STATE_MAX_AGE);
	} else if ((*token = strndup(s, slen)) == NULL) {
		rc = pjc_fail(e, PJC_EXIT_FAIL, "out of memory");
	}
	if (o != NULL) {
		pj_json_wipe(o);
		json_object_put(o);
	}
	pj_free_secret(buf, len + 1);
	return rc;
}

static void explain(const struct ask *a)
{
	printf("kind: %s\nservice: %s\nuser: %s\nhost: %s\n", kind_name(a->p.kind),
	       svc_name(a->p.service), a->p.user, a->p.host);
	if (a->p.kind == PJC_PROMPT_PART)
		printf("part: %d\n", a->p.part);
	printf("audience: %s\npart size: %zu\nsession: %s\n", a->audience, a->part_size,
	       a->state_name);
}

/* The first prompt: the whole token, or its first part (the rest kept). */
static int answer_first(const struct pjc_conf *c, struct ask *a, struct pjc_err *e)
{
	struct pjc_err ignored;
	char *token = NULL;
	int64_t exp = 0;
	size_t len;
	int rc;

	if ((rc = pjc_get_token(c, a->audience, c->min_valid, 1, &token, &exp, e)) != 0)
		return rc;
	len = strlen(token);
	if (len <= a->part_size) {
		(void)pjc_cache_remove(c->cache_dir, a->state_name, &ignored);
		rc = answer(token, len, 0, e);
	} else if ((rc = save_state(c, a, token, e)) == 0) {
		rc = answer(token, a->part_size, 1, e);
	}
	pj_free_secret(token, strlen(token));
	return rc;
}

static int answer_part(const struct pjc_conf *c, struct ask *a, struct pjc_err *e)
{
	struct pjc_err ignored;
	char *token = NULL;
	size_t len, off = (size_t)(a->p.part - 1) * a->part_size, n;
	int rc, more;

	if ((rc = pjc_cache_check_dir(c->cache_dir, 0, e)) != 0 ||
	    (rc = load_state(c, a, &token, e)) != 0)
		return rc;
	len = strlen(token);
	/* the first part passed the check; the token may have expired since */
	if ((rc = pjc_check_handout(c, token, a->audience, (int64_t)time(NULL), e)) != 0) {
		pj_free_secret(token, len);
		return rc;
	}
	if (off >= len) {
		rc = pjc_fail(e, PJC_EXIT_PROMPT, "asked for part %d, but the token has only %zu",
		              a->p.part, (len + a->part_size - 1) / a->part_size);
	} else {
		n = len - off > a->part_size ? a->part_size : len - off;
		more = off + n < len;
		rc = answer(token + off, n, more, e);
		if (rc == 0 && !more)
			(void)pjc_cache_remove(c->cache_dir, a->state_name, &ignored);
	}
	pj_free_secret(token, len);
	return rc;
}

int cmd_askpass(int argc, char **argv)
{
	struct pjc_conf c;
	struct pjc_err e = { 0, "" };
	struct ask a;
	const char *hint = getenv("SSH_ASKPASS_PROMPT");
	int rc, do_explain = 0;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "--explain") == 0) {
		do_explain = 1;
		argc--;
		argv++;
	}
	if (argc != 1) {
		rc = pjc_fail(&e, PJC_EXIT_PROMPT, "expected one argument, the prompt");
		goto out;
	}
	/* ssh's confirmations ("confirm") and notices ("none") are no prompts */
	if (!do_explain && hint != NULL &&
	    (strcmp(hint, "confirm") == 0 || strcmp(hint, "none") == 0)) {
		rc = pjc_fail(&e, PJC_EXIT_PROMPT, "not answering (a %s request)", hint);
		goto out;
	}
	if ((rc = pjc_conf_load(&c, &e)) != 0)
		goto out;
	if (understand(&c, argv[0], &a, &e) != 0) {
		rc = e.code;
		if (do_explain) {
			printf("kind: %s\nwhy: %s\n", kind_name(a.p.kind), e.msg);
			rc = a.p.kind == PJC_PROMPT_UNKNOWN ? PJC_EXIT_PROMPT : rc;
			e.code = 0;
		}
		goto out;
	}
	if (do_explain) {
		explain(&a);
		rc = 0;
		goto out;
	}
	if (pjc_cache_check_dir(c.cache_dir, 0, &e) == 0)
		prune_states(c.cache_dir, (int64_t)time(NULL));
	rc = a.p.kind == PJC_PROMPT_PART ? answer_part(&c, &a, &e) : answer_first(&c, &a, &e);
out:
	free(a.audience);
	pjc_conf_free(&c);
	if (rc != 0 && e.code != 0)
		return pjc_report("askpass", &e);
	return rc;
}
