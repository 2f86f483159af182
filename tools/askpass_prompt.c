/* What an SSH_ASKPASS / SUDO_ASKPASS prompt asks for.  The prompts this
 * understands, and nothing else:
 *
 *   "(alice@host1) Token: "            ssh keyboard-interactive (OpenSSH
 *   "(alice@host1) Token (part 2): "   >= 8.4 prefixes "(user@host) ";
 *                                      info lines may come before, each
 *                                      ending in a newline)
 *   "Token: ", "Token (part 2): "      sudo -A passes the module's prompt
 *   "[sudo] password for alice: "      sudo's own prompt
 *
 * "Token: " stands for the module's prompt (its `prompt` option); part
 * prompts are that prompt without its trailing ": " plus " (part N): ",
 * as pam_jwt.so makes them.  Host key confirmations, key passphrases,
 * PINs and password changes are PJC_PROMPT_UNKNOWN: never answered.
 *
 * The host comes only from the "(user@host) " prefix, which the OpenSSH
 * client (8.4 and later) puts before every prompt a server sends.  A host
 * named anywhere else is text the server may have chosen: an older client
 * shows a server's "alice@host1's password: " as it is, so ssh's own
 * password method prompt (which looks the same) is not answered either.
 * Prompts without the prefix are for sudo only when the caller finds that
 * sudo itself asks (cmd_askpass.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"

static void copy_n(char *out, size_t outsz, const char *s, size_t n)
{
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* s[0..n) without trailing spaces. */
static size_t rtrim(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && memcmp(s, prefix, pl) == 0;
}

/* "<base> (part N):" with base = the module prompt without ": ". */
static int part_number(const char *s, size_t n, const char *module_prompt)
{
	size_t bl = strlen(module_prompt), i;
	int part = 0;

	while (bl > 0 && (module_prompt[bl - 1] == ' ' || module_prompt[bl - 1] == ':'))
		bl--;
	if (bl == 0 || n < bl + 10 || memcmp(s, module_prompt, bl) != 0)
		return 0;
	s += bl;
	n -= bl;
	if (!starts(s, n, " (part "))
		return 0;
	for (i = 7; i < n && s[i] >= '0' && s[i] <= '9' && part <= 64; i++)
		part = part * 10 + (s[i] - '0');
	if (i == 7 || i + 2 != n || s[i] != ')' || s[i + 1] != ':' || part < 2 || part > 64)
		return 0;
	return part;
}

/* "(user@host) " at the start: returns the length of the prefix and
 * fills user and host, or 0. */
static size_t ssh_prefix(const char *s, struct pjc_prompt *p)
{
	const char *close, *at = NULL, *q;

	if (s[0] != '(')
		return 0;
	for (close = strstr(s, ") "); close != NULL; close = strstr(close + 1, ") ")) {
		for (q = s + 1; q < close; q++)
			if (*q == '@')
				at = q;
		if (at != NULL && at > s + 1 && close > at + 1)
			break;
	}
	if (close == NULL || at == NULL || memchr(s, '\n', (size_t)(close - s)) != NULL)
		return 0;
	copy_n(p->user, sizeof(p->user), s + 1, (size_t)(at - s - 1));
	copy_n(p->host, sizeof(p->host), at + 1, (size_t)(close - at - 1));
	return (size_t)(close - s) + 2;
}

static const char *unknown_why(const char *s)
{
	if (strstr(s, "continue connecting") != NULL || strstr(s, "fingerprint") != NULL)
		return "a host key confirmation";
	if (strstr(s, "passphrase") != NULL)
		return "a key passphrase prompt";
	if (strstr(s, "PIN") != NULL || strstr(s, "Confirm user presence") != NULL)
		return "a security key prompt";
	if (strstr(s, "new password") != NULL || strstr(s, "old password") != NULL)
		return "a password change";
	if (strstr(s, "'s password") != NULL)
		return "a prompt that names its host without the \"(user@host) \" prefix of "
		       "OpenSSH >= 8.4, so the host could be a server's choice (ssh's password "
		       "method looks the same): use keyboard-interactive "
		       "(-o PreferredAuthentications=keyboard-interactive) with OpenSSH 8.4 or "
		       "later";
	return "not a token or password prompt";
}

void pjc_prompt_parse(const char *prompt, const char *module_prompt, struct pjc_prompt *p)
{
	const char *s = prompt, *line, *nl;
	size_t n, mpl = rtrim(module_prompt, strlen(module_prompt)), pre;
	int part;

	memset(p, 0, sizeof(*p));
	p->why = "not a token or password prompt";
	pre = ssh_prefix(s, p);
	if (pre > 0) {
		p->service = PJC_SVC_SSH;
		s += pre;
	}
	/* the prompt proper is the last line; earlier lines are info text */
	line = s;
	while ((nl = strchr(line, '\n')) != NULL && nl[1] != '\0')
		line = nl + 1;
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		n--;
	n = rtrim(line, n);
	if (mpl > 0 && n == mpl && memcmp(line, module_prompt, mpl) == 0) {
		p->kind = PJC_PROMPT_TOKEN;
		return;
	}
	if ((part = part_number(line, n, module_prompt)) > 0) {
		p->kind = PJC_PROMPT_PART;
		p->part = part;
		return;
	}
	if (pre == 0 && line == prompt) {
		const char *end = line + n;

		if (starts(line, n, "[sudo] password for ") && n > 21 && end[-1] == ':') {
			p->kind = PJC_PROMPT_PASSWORD;
			p->service = PJC_SVC_SUDO;
			copy_n(p->user, sizeof(p->user), line + 20, n - 21);
			return;
		}
	}
	p->kind = PJC_PROMPT_UNKNOWN;
	p->service = PJC_SVC_NONE;
	p->user[0] = p->host[0] = '\0';
	p->why = unknown_why(prompt);
}
