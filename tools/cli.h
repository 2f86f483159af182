/* pam-jwt: shared declarations of the command files. */
#ifndef PJ_CLI_H
#define PJ_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define EXIT_ACCEPT 0
#define EXIT_REFUSE 1
#define EXIT_USAGE 2
#define STDIN_MAX (256 * 1024)

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

/* The offline PIN (cmd_pin.c). */
int cmd_pin(int argc, char **argv);

/* Read all of stdin (at most STDIN_MAX bytes) into a buffer of
 * STDIN_MAX + 1 bytes (wipe with pj_free_secret(buf, STDIN_MAX + 1));
 * NULL on a read error (what was read so far is wiped too: it may be a
 * token) or out of memory. */
char *cli_read_stdin(size_t *len);

/* Load the configuration from --config FILE (or the default) plus
 * NAME=VALUE overrides; prints the error and returns non-zero on
 * failure. */
int cli_load_config(const char *config_file, int nopts, const char **opts, struct pj_config *cfg,
                    const char *cmd);

#endif
