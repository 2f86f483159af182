/* pam-jwt: shared declarations of the command files. */
#ifndef PJ_CLI_H
#define PJ_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define EXIT_ACCEPT 0
#define EXIT_REFUSE 1
#define EXIT_USAGE 2

/* Each command gets the arguments after its name; returns the exit code. */
int cmd_verify(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_accounts(int argc, char **argv);

/* The token helper (exit codes: PJC_EXIT_* in client.h). */
int cmd_login(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_askpass(int argc, char **argv);
int cmd_robot(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_logout(int argc, char **argv);

/* Load the configuration from --config FILE (or the default) plus
 * NAME=VALUE overrides; prints the error and returns non-zero on
 * failure. */
int cli_load_config(const char *config_file, int nopts, const char **opts, struct pj_config *cfg,
                    const char *cmd);

#endif
