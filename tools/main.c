/* pam-jwt: the command-line companion of pam_jwt.so.  Each command lives
 * in its own file (cmd_*.c); this one only dispatches. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fputs("usage: pam-jwt COMMAND [ARGS]\n"
	      "\n"
	      "  verify [--config FILE] [--user NAME] [--now EPOCH] [NAME=VALUE ...] < token\n"
	      "        print the module's verdict on a token and why\n"
	      "  check [--config FILE] [--syntax] [NAME=VALUE ...]\n"
	      "        check a configuration, its key files and mapping file\n"
	      "  revoke --jti ID | --sub SUB [--before EPOCH|now] [--iss URL] [--config "
	      "FILE|--file F]\n"
	      "        add a token or a subject to the revocation list\n"
	      "  accounts list | show NAME | lock NAME | unlock NAME | remove NAME\n"
	      "  accounts expire --unused DURATION\n"
	      "        the accounts pam_jwt created (accounts = create)\n"
	      "  keys refresh [--config FILE]   fetch every auth center's keys into the cache now\n"
	      "  keys show [--config FILE]      list the cached keys: kid, type, size, age\n"
	      "\n"
	      "Getting tokens (settings: ~/.config/pam-jwt/client.conf, "
	      "/etc/pam-jwt/client.conf):\n"
	      "  login [--audience A]... [--issuer URL] [--client-id ID] [--no-qr] [--json]\n"
	      "        log in at the auth center with the device flow; keeps a refresh token\n"
	      "  token [--audience A] [--min-valid SECONDS] [--json]\n"
	      "        print a valid access token for audience A (refreshed when needed)\n"
	      "  askpass PROMPT\n"
	      "        SSH_ASKPASS / SUDO_ASKPASS (as a link named pam-jwt-askpass): answer\n"
	      "        token prompts with a token for the host\n"
	      "  robot --client-id ID --client-secret-file F [--audience A]\n"
	      "  robot --token-file F | --token-env VAR [--audience A]\n"
	      "        a token for a robot or CI job\n"
	      "  status [--json]    who am I, cached tokens and their lifetime\n"
	      "  logout [--all]     revoke the refresh token and delete the cache\n"
	      "  pin set [--pin-stdin] < token\n"
	      "        set this computer's offline PIN, proven by a fresh token\n"
	      "\n"
	      "Run 'pam-jwt COMMAND --help' for a command's options; see pam-jwt(1).\n",
	      f);
}

int cli_load_config(const char *config_file, int nopts, const char **opts, struct pj_config *cfg,
                    const char *cmd)
{
	const char **all = calloc((size_t)nopts + 2, sizeof(*all));
	char *config_arg = NULL;
	struct pj_err err;
	int i, n = 0, rc = 0;

	pj_err_clear(&err);
	if (all == NULL)
		return -1;
	for (i = 0; i < nopts; i++)
		all[n++] = opts[i];
	if (config_file != NULL) {
		size_t len = strlen(config_file) + 8;

		config_arg = malloc(len);
		if (config_arg == NULL) {
			free(all);
			return -1;
		}
		snprintf(config_arg, len, "config=%s", config_file);
		all[n++] = config_arg;
	}
	if (pj_config_load(cfg, n, all, &err) != PJ_OK) {
		fprintf(stderr, "pam-jwt %s: configuration error: %s\n", cmd, err.reason);
		rc = -1;
	}
	free(config_arg);
	free(all);
	return rc;
}

/* Every command, for dispatch and for --list-commands. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "verify", cmd_verify }, { "check", cmd_check },       { "keys", cmd_keys },
	{ "revoke", cmd_revoke }, { "accounts", cmd_accounts }, { "login", cmd_login },
	{ "token", cmd_token },   { "askpass", cmd_askpass },   { "robot", cmd_robot },
	{ "status", cmd_status }, { "logout", cmd_logout },     { "pin", cmd_pin },
};

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	size_t i;

	/* ssh and sudo run their askpass program with the prompt as the only
	 * argument: a link named pam-jwt-askpass is `pam-jwt askpass` */
	base = base != NULL ? base + 1 : argc > 0 ? argv[0] : "";
	if (strcmp(base, "pam-jwt-askpass") == 0)
		return cmd_askpass(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 2, argv + 2);
	/* not in the usage text: for the test that compares the commands
	 * with pam-jwt(1) */
	if (strcmp(argv[1], "--list-commands") == 0) {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			puts(commands[i].name);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "pam-jwt: unknown command \"%s\" (try pam-jwt --help)\n", argv[1]);
	return EXIT_USAGE;
}
