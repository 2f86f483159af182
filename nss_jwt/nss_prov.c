/* Provisional passwd entries for a first login over SSH.  sshd looks a
 * user up before PAM runs and, for a name it cannot resolve, runs PAM
 * with a fake user that can never log in.  Where an auth center's section
 * of /etc/security/pam_jwt.conf says `accounts = create` and
 * `accounts_provisional = GLOB`, getpwnam answers for a name that matches
 * GLOB and has no account yet an entry with the UID that pam_jwt will give
 * the account it creates from an accepted token (`accounts_uid_from =
 * name`): the first of jdb_id_candidate(issuer, name, uid_min, uid_max,
 * 0, 1, ...) that is no UID of the database and none of /etc/passwd
 * (read as a file, never through NSS: no recursion into this module).
 * Such an entry is never enumerated and has no group entry; it owns
 * nothing until pam_jwt writes the account.
 *
 * The configuration is read with a small parser of its own (libc only),
 * only when it is a regular file owned by root that only root can write,
 * at most 64 KiB; the parse is cached until the file changes.  Only the
 * options below are read; the module itself checks the whole file.
 * Values before the first `[section]` apply to every section, as in the
 * module.  Anything malformed: no provisional entry (fail closed). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jwtdb.h"
#include "nss_jwt.h"

#define NJ_CONFIG_MAX (64 * 1024)
#define NJ_MAX_SECTIONS 32
#define NJ_ATTEMPTS 64
#define NJ_PATH_MAX 4096

enum { K_ISSUER, K_ACCOUNTS, K_GLOB, K_UID_MIN, K_UID_MAX, K_HOME, K_SHELL, K_DIR, K_N };

static const char *const nj_keys[K_N] = {
	"issuer",           "accounts",      "accounts_provisional", "accounts_uid_min",
	"accounts_uid_max", "accounts_home", "accounts_shell",       "accounts_dir"
};
static const char *const nj_defaults[K_N] = {
	"", "", "", "1000000000", "1999999999", "/home/%u", "/bin/bash", JDB_DEFAULT_DIR
};

/* The cached parse, under the module's lock.  Values point into text;
 * v[0] is the part before the first section, v[1..n_sec] the sections. */
static struct {
	char *text;
	const char *v[NJ_MAX_SECTIONS + 1][K_N];
	size_t n_sec;
	int usable;
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
} nj_conf;

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim [*s, *e) in place. */
static void trim(char **s, char **e)
{
	while (*s < *e && blank(**s))
		(*s)++;
	while (*e > *s && blank((*e)[-1]))
		(*e)--;
}

/* Split nj_conf.text (NUL-terminated) in place.  0, or -1 when a line is
 * neither "name = value" nor "[section]", or too many sections. */
static int parse(void)
{
	char *p = nj_conf.text;
	size_t sec = 0;
	int k;

	while (*p != '\0') {
		char *s = p, *e = strchr(p, '\n'), *eq, *ke, *vs;

		if (e == NULL)
			e = p + strlen(p);
		p = *e != '\0' ? e + 1 : e;
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		if (*s == '[') {
			if (e - s < 3 || e[-1] != ']' || ++sec > NJ_MAX_SECTIONS)
				return -1;
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL || eq == s)
			return -1;
		ke = eq;
		vs = eq + 1;
		trim(&s, &ke);
		trim(&vs, &e);
		if (e - vs >= 2 && *vs == '"' && e[-1] == '"') {
			vs++;
			e--;
		}
		*ke = '\0';
		*e = '\0';
		for (k = 0; k < K_N; k++)
			if (strcmp(s, nj_keys[k]) == 0)
				nj_conf.v[sec][k] = vs;
	}
	nj_conf.n_sec = sec;
	return 0;
}

/* Read the file when it is safe (see above) into a fresh cache. */
static void load(void)
{
	struct stat st;
	ssize_t got = 0, r;
	int fd;

	free(nj_conf.text);
	memset(&nj_conf, 0, sizeof(nj_conf));
	fd = open(NJ_CONFIG_PATH, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size > NJ_CONFIG_MAX) {
		close(fd);
		return;
	}
	nj_conf.dev = st.st_dev;
	nj_conf.ino = st.st_ino;
	nj_conf.size = st.st_size;
	nj_conf.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	nj_conf.text = malloc((size_t)st.st_size + 1);
	while (nj_conf.text != NULL && got < st.st_size) {
		r = read(fd, nj_conf.text + got, (size_t)(st.st_size - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	if (nj_conf.text == NULL || got != st.st_size)
		return;
	nj_conf.text[got] = '\0';
	nj_conf.usable = memchr(nj_conf.text, '\0', (size_t)got) == NULL && parse() == 0;
}

/* The cached parse, re-read when the file changed.  1 when usable. */
static int conf_current(void)
{
	struct stat st;

	if (stat(NJ_CONFIG_PATH, &st) != 0) {
		free(nj_conf.text);
		memset(&nj_conf, 0, sizeof(nj_conf));
		return 0;
	}
	if (nj_conf.text == NULL || st.st_dev != nj_conf.dev || st.st_ino != nj_conf.ino ||
	    st.st_size != nj_conf.size ||
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != nj_conf.mtime_ns)
		load();
	return nj_conf.usable;
}

const char *nj_db_path(char *out, size_t outlen)
{
	const char *dir = NULL;

	/* accounts_dir counts only in the global part, as in the module */
	if (conf_current())
		dir = nj_conf.v[0][K_DIR];
	if (dir == NULL || dir[0] != '/' ||
	    (size_t)snprintf(out, outlen, "%s/%s", dir, JDB_FILE) >= outlen)
		return NJ_DB_PATH;
	return out;
}

static const char *value(size_t sec, int k)
{
	if (nj_conf.v[sec][k] != NULL)
		return nj_conf.v[sec][k];
	if (nj_conf.v[0][k] != NULL)
		return nj_conf.v[0][k];
	return nj_defaults[k];
}

/* A decimal id in 1..UINT32_MAX-1. */
static int parse_id(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v >= UINT32_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* home with each "%u" replaced by name ("%%" is "%"); -1 for another
 * "%" sequence, a result that is not an absolute path or too long. */
static int expand_home(const char *home, const char *name, char *out, size_t outlen)
{
	size_t n = 0, add;
	const char *s;

	for (; *home != '\0'; home++) {
		s = home;
		add = 1;
		if (*home == '%') {
			home++;
			if (*home == 'u') {
				s = name;
				add = strlen(name);
			} else if (*home != '%') {
				return -1;
			}
		}
		if (n + add >= outlen)
			return -1;
		memcpy(out + n, s, add);
		n += add;
	}
	out[n] = '\0';
	return out[0] == '/' && strpbrk(out, ":\n") == NULL ? 0 : -1;
}

struct plan {
	const char *issuer, *shell;
	uint32_t uid_min, uid_max;
	char home[NJ_PATH_MAX];
};

/* The first section with accounts = create whose glob matches name and
 * whose settings are sound.  1 found, 0 none. */
static int find_section(const char *name, struct plan *p)
{
	size_t first = nj_conf.n_sec > 0 ? 1 : 0, sec;

	for (sec = first; sec <= nj_conf.n_sec; sec++) {
		const char *glob = value(sec, K_GLOB);

		if (strcmp(value(sec, K_ACCOUNTS), "create") != 0 || glob[0] == '\0' ||
		    fnmatch(glob, name, 0) != 0)
			continue;
		p->issuer = value(sec, K_ISSUER);
		p->shell = value(sec, K_SHELL);
		if (p->issuer[0] == '\0' || parse_id(value(sec, K_UID_MIN), &p->uid_min) != 0 ||
		    parse_id(value(sec, K_UID_MAX), &p->uid_max) != 0 || p->uid_min > p->uid_max ||
		    p->shell[0] != '/' || strpbrk(p->shell, ":\n") != NULL ||
		    expand_home(value(sec, K_HOME), name, p->home, sizeof(p->home)) != 0)
			continue;
		return 1;
	}
	return 0;
}

struct local_ids {
	uint32_t *uids;
	size_t n;
	int has_name;
};

/* The UIDs of /etc/passwd, and whether name is there.  0, or -1 when the
 * file cannot be read whole (then no entry: fail closed). */
static int read_passwd(const char *name, struct local_ids *ids)
{
	static const size_t cap_max = 1u << 20;
	size_t cap = 0;
	struct passwd pw, *res;
	char buf[4096];
	FILE *fp = fopen(NJ_PASSWD_PATH, "re");
	int rc = 0, r;

	memset(ids, 0, sizeof(*ids));
	if (fp == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((r = fgetpwent_r(fp, &pw, buf, sizeof(buf), &res)) == 0) {
		if (strcmp(pw.pw_name, name) == 0)
			ids->has_name = 1;
		if (ids->n == cap) {
			uint32_t *p = NULL;

			if (cap < cap_max)
				p = realloc(ids->uids, (cap ? 2 * cap : 64) * sizeof(*p));
			if (p == NULL) {
				rc = -1;
				break;
			}
			ids->uids = p;
			cap = cap ? 2 * cap : 64;
		}
		ids->uids[ids->n++] = (uint32_t)pw.pw_uid;
	}
	if (r != 0 && r != ENOENT)
		rc = -1; /* a line too long for buf, or a read error */
	fclose(fp);
	return rc;
}

static int taken(const struct local_ids *ids, const struct jdb_map *m, uint32_t uid)
{
	struct jdb_uview u;
	size_t i;

	if (m != NULL && jdb_map_user_by_uid(m, uid, &u))
		return 1;
	for (i = 0; i < ids->n; i++)
		if (ids->uids[i] == uid)
			return 1;
	return 0;
}

int nj_provisional(const char *name, const struct jdb_map *m, struct passwd *pw, char *buf,
                   size_t len)
{
	struct local_ids ids;
	struct plan p;
	struct nj_buf b = { buf, len };
	uint32_t attempt, uid = 0;
	int found = 0;

	if (!jdb_name_ok(name) || !conf_current() || !find_section(name, &p))
		return 0;
	if (read_passwd(name, &ids) != 0 || ids.has_name) {
		free(ids.uids);
		return 0;
	}
	for (attempt = 0; attempt < NJ_ATTEMPTS && !found; attempt++) {
		uid = jdb_id_candidate(p.issuer, name, p.uid_min, p.uid_max, attempt);
		found = !taken(&ids, m, uid);
	}
	free(ids.uids);
	if (!found)
		return 0;
	pw->pw_name = nj_put(&b, name);
	pw->pw_passwd = nj_put(&b, "*");
	pw->pw_gecos = nj_put(&b, "pam_jwt provisional");
	pw->pw_dir = nj_put(&b, p.home);
	pw->pw_shell = nj_put(&b, p.shell);
	pw->pw_uid = uid;
	pw->pw_gid = uid;
	return pw->pw_shell != NULL ? 1 : -1;
}
