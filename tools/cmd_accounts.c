/* pam-jwt accounts [--config FILE] [NAME=VALUE ...] COMMAND
 *
 *   list | show NAME | lock NAME | unlock NAME | remove NAME
 *   expire --unused DURATION [--now EPOCH] [--dry-run]
 *
 * The administrator's view of the account database that pam_jwt writes
 * when accounts = create (see accounts.h).  Changes are made under the
 * database's lock, like the module's.  Exit status: 0 done, 1 no such
 * account, 2 usage, configuration or database error. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "cli.h"
#include "jwtdb.h"

#define EXIT_NO_ACCOUNT 1

static void usage(FILE *f)
{
	fputs("usage: pam-jwt accounts [--config FILE] [NAME=VALUE ...] COMMAND\n"
	      "\n"
	      "  list                 every account of the database\n"
	      "  show NAME            one account: identity, ids, groups, last login\n"
	      "  lock NAME            refuse its token logins (root)\n"
	      "  unlock NAME          allow them again (root)\n"
	      "  remove NAME          remove it from the database; its files stay (root)\n"
	      "  expire --unused DURATION [--now EPOCH] [--dry-run]\n"
	      "                       remove accounts not logged in to for DURATION (e.g. 90d)\n"
	      "                       (root)\n"
	      "\n"
	      "  The database is accounts_dir/" JDB_FILE " (default " JDB_DEFAULT_DIR ").\n"
	      "  Exit status: 0 done, 1 no such account, 2 usage, configuration or\n"
	      "  database error.\n",
	      f);
}

static const char *when(int64_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, n, "never");
	return buf;
}

static void list(const struct jdb *db)
{
	char t[32];
	size_t i;

	printf("%-20s %-11s %-7s %-20s %s\n", "NAME", "UID", "STATE", "LAST_LOGIN", "IDENTITY");
	for (i = 0; i < db->n_users; i++) {
		const struct jdb_user *u = &db->users[i];

		printf("%-20s %-11lu %-7s %-20s %s %s\n", u->name, (unsigned long)u->uid,
		       (u->flags & JDB_USER_LOCKED) ? "locked" : "active",
		       when(u->last_login, t, sizeof(t)), u->iss, u->sub);
	}
}

static void show(const struct jdb *db, const struct jdb_user *u)
{
	char t[32];
	size_t i;

	printf("name: %s\nuid: %lu\ngid: %lu\ngecos: %s\nhome: %s\nshell: %s\n", u->name,
	       (unsigned long)u->uid, (unsigned long)u->gid, u->gecos, u->home, u->shell);
	printf("iss: %s\nsub: %s\nstate: %s\n", u->iss, u->sub,
	       (u->flags & JDB_USER_LOCKED) ? "locked" : "active");
	printf("created: %s\n", when(u->created, t, sizeof(t)));
	printf("last_login: %s\n", when(u->last_login, t, sizeof(t)));
	printf("groups:");
	for (i = 0; i < u->n_gids; i++) {
		const struct jdb_group *g = jdb_group_by_gid(db, u->gids[i]);

		printf(" %s(%lu)", g != NULL ? g->name : "?", (unsigned long)u->gids[i]);
	}
	printf("\n");
}

struct args {
	const char *config_file, *cmd, *name, *unused;
	const char **opts;
	int nopts, dry_run;
	int64_t now;
};

static int parse(int argc, char **argv, struct args *a)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *s = argv[i];
		int value = strcmp(s, "--config") == 0 || strcmp(s, "--unused") == 0 ||
		            strcmp(s, "--now") == 0;

		if (value && i + 1 >= argc) {
			fprintf(stderr, "pam-jwt accounts: %s needs a value\n", s);
			return -1;
		}
		if (strcmp(s, "--config") == 0) {
			a->config_file = argv[++i];
		} else if (strcmp(s, "--unused") == 0) {
			a->unused = argv[++i];
		} else if (strcmp(s, "--now") == 0) {
			char *end = NULL;

			errno = 0;
			a->now = strtoll(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i] || a->now < 0) {
				fprintf(stderr,
				        "pam-jwt accounts: --now takes seconds since 1970\n");
				return -1;
			}
		} else if (strcmp(s, "--dry-run") == 0) {
			a->dry_run = 1;
		} else if (s[0] == '-') {
			fprintf(stderr, "pam-jwt accounts: unknown option %s (see --help)\n", s);
			return -1;
		} else if (strchr(s, '=') != NULL) {
			a->opts[a->nopts++] = s;
		} else if (a->cmd == NULL) {
			a->cmd = s;
		} else if (a->name == NULL) {
			a->name = s;
		} else {
			fprintf(stderr, "pam-jwt accounts: unexpected argument \"%s\"\n", s);
			return -1;
		}
	}
	return 0;
}

/* Check the words a command takes. */
static int check_args(const struct args *a)
{
	int named = strcmp(a->cmd, "show") == 0 || strcmp(a->cmd, "lock") == 0 ||
	            strcmp(a->cmd, "unlock") == 0 || strcmp(a->cmd, "remove") == 0;
	int expire = strcmp(a->cmd, "expire") == 0;

	if (!named && !expire && strcmp(a->cmd, "list") != 0) {
		fprintf(stderr, "pam-jwt accounts: unknown command \"%s\" (see --help)\n", a->cmd);
		return -1;
	}
	if (named != (a->name != NULL)) {
		fprintf(stderr, "pam-jwt accounts %s: %s\n", a->cmd,
		        named ? "needs an account name" : "takes no account name");
		return -1;
	}
	if (expire != (a->unused != NULL) || (!expire && (a->dry_run || a->now))) {
		fprintf(stderr, "pam-jwt accounts: --unused (and only with it --now, --dry-run) "
		                "goes with expire\n");
		return -1;
	}
	return 0;
}

/* lock, unlock, remove, expire: on the model db; *changed when it must
 * be saved.  Returns an exit code. */
static int change(const struct args *a, struct jdb *db, int64_t unused, int *changed)
{
	struct jdb_user *u = a->name != NULL ? jdb_user_by_name(db, a->name) : NULL;
	char t[32];
	size_t i;

	if (a->name != NULL && u == NULL) {
		fprintf(stderr, "pam-jwt accounts %s: no account \"%s\" in the database\n", a->cmd,
		        a->name);
		return EXIT_NO_ACCOUNT;
	}
	if (strcmp(a->cmd, "lock") == 0 || strcmp(a->cmd, "unlock") == 0) {
		uint32_t flags =
		        a->cmd[0] == 'l' ? u->flags | JDB_USER_LOCKED : u->flags & ~JDB_USER_LOCKED;

		*changed = flags != u->flags;
		u->flags = flags;
		printf("%s: %s\n", a->name, a->cmd[0] == 'l' ? "locked" : "unlocked");
	} else if (strcmp(a->cmd, "remove") == 0) {
		printf("%s: removed from the database; its files (%s) stay\n", a->name, u->home);
		jdb_remove_user(db, a->name);
		*changed = 1;
	} else {
		for (i = db->n_users; i-- > 0;) {
			struct jdb_user *e = &db->users[i];
			int64_t last = e->last_login > 0 ? e->last_login : e->created;
			char name[64];

			if (a->now - last < unused)
				continue;
			snprintf(name, sizeof(name), "%s", e->name);
			printf("%s %s (last login %s)\n", name,
			       a->dry_run ? "would be removed" : "removed",
			       when(e->last_login, t, sizeof(t)));
			if (!a->dry_run) {
				jdb_remove_user(db, name);
				*changed = 1;
			}
		}
	}
	return 0;
}

static int run(const struct args *a, const struct pj_config *cfg)
{
	struct jdb db;
	struct pj_err err;
	char path[PATH_MAX], why[PJ_REASON_MAX];
	int64_t unused = 0;
	int write = strcmp(a->cmd, "list") != 0 && strcmp(a->cmd, "show") != 0;
	int fd = -1, rc, changed = 0;

	pj_err_clear(&err);
	if (a->unused != NULL &&
	    pj_parse_duration(a->unused, 0, 100LL * 366 * 86400, &unused) != 0) {
		fprintf(stderr, "pam-jwt accounts expire: --unused takes a duration such as 90d\n");
		return EXIT_USAGE;
	}
	if (write && geteuid() != 0) {
		fprintf(stderr, "pam-jwt accounts %s: only root changes the account database\n",
		        a->cmd);
		return EXIT_USAGE;
	}
	if (pj_acct_db_path(cfg, path, &err) != PJ_OK ||
	    (write && pj_acct_dir_check(cfg, 0, &err) != PJ_OK)) {
		fprintf(stderr, "pam-jwt accounts: %s\n", err.reason);
		return EXIT_USAGE;
	}
	if (write && (fd = jdb_lock(cfg->accounts_dir, cfg->http_timeout * 1000)) < 0) {
		fprintf(stderr, "pam-jwt accounts: cannot lock the account database in %s\n",
		        cfg->accounts_dir);
		return EXIT_USAGE;
	}
	if (pj_acct_load(cfg, &db, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt accounts: %s\n", err.reason);
		jdb_unlock(fd);
		return EXIT_USAGE;
	}
	rc = 0;
	if (strcmp(a->cmd, "list") == 0) {
		list(&db);
	} else if (strcmp(a->cmd, "show") == 0) {
		const struct jdb_user *u = jdb_user_by_name(&db, a->name);

		if (u != NULL)
			show(&db, u);
		else {
			fprintf(stderr,
			        "pam-jwt accounts show: no account \"%s\" in the database\n",
			        a->name);
			rc = EXIT_NO_ACCOUNT;
		}
	} else {
		rc = change(a, &db, unused, &changed);
	}
	if (rc == 0 && changed && jdb_save(path, &db, why, sizeof(why)) != 0) {
		fprintf(stderr, "pam-jwt accounts: cannot save %s: %s\n", path, why);
		rc = EXIT_USAGE;
	}
	jdb_unlock(fd);
	jdb_free(&db);
	return rc;
}

int cmd_accounts(int argc, char **argv)
{
	struct args a;
	struct pj_config cfg;
	int i, rc;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	a.opts = calloc((size_t)argc + 1, sizeof(*a.opts));
	if (a.opts == NULL) {
		fputs("pam-jwt: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	if (parse(argc, argv, &a) != 0 || a.cmd == NULL) {
		if (a.cmd == NULL)
			usage(stderr);
		free(a.opts);
		return EXIT_USAGE;
	}
	if (check_args(&a) != 0 ||
	    cli_load_config(a.config_file, a.nopts, a.opts, &cfg, "accounts") != 0) {
		free(a.opts);
		return EXIT_USAGE;
	}
	if (a.now == 0)
		a.now = (int64_t)time(NULL);
	rc = run(&a, &cfg);
	pj_config_free(&cfg);
	free(a.opts);
	return rc;
}
