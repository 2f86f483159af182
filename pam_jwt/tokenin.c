#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jws.h"
#include "tokenin.h"

size_t pj_trim_newline(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return n;
}

static size_t trimmed_len(const char *s)
{
	return pj_trim_newline(s, strlen(s));
}

static int jws_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '.' && !b64_is_url_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A JOSE object that is not a well-formed JWS (two or five parts, an
 * empty signature, a token cut short): "eyJ" (base64url of '{"'), only
 * base64url characters and dots, at least one dot.  Such an answer is a
 * token attempt, refused with its own reason, not a password. */
static int looks_like_jose(const char *s, size_t n)
{
	return n > 4 && strncmp(s, "eyJ", 3) == 0 && memchr(s, '.', n) != NULL && jws_chars(s, n);
}

static int is_first_part(const char *s, size_t n)
{
	return n > 4 && s[n - 1] == '\\' && strncmp(s, "eyJ", 3) == 0 && jws_chars(s, n - 1);
}

enum pj_status pj_token_collect(const char *first, pj_ask_fn ask, void *ctx, size_t max_size,
                                char **token, size_t *len, int *not_token, struct pj_err *err)
{
	size_t n = trimmed_len(first), used, cap = max_size + 1;
	char *buf = NULL;
	enum pj_status st;
	int part;

	*not_token = 0;
	*token = NULL;
	if (!is_first_part(first, n)) {
		if (!jws_looks_like_token(first, n) && !looks_like_jose(first, n)) {
			*not_token = 1;
			return PJ_OK;
		}
		if (n > max_size)
			return pj_fail(err, PJ_E_TOO_LARGE,
			               "token of %zu bytes exceeds max_token_size %zu", n,
			               max_size);
		buf = malloc(n + 1);
		if (buf == NULL)
			return pj_fail(err, PJ_E_NOMEM, "out of memory");
		memcpy(buf, first, n);
		buf[n] = '\0';
		*token = buf;
		*len = n;
		return PJ_OK;
	}

	buf = malloc(cap + 1);
	if (buf == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	if (n - 1 > max_size) {
		st = pj_fail(err, PJ_E_TOO_LARGE, "token exceeds max_token_size %zu", max_size);
		goto fail;
	}
	memcpy(buf, first, n - 1);
	used = n - 1;
	for (part = 2;; part++) {
		char *ans = NULL;
		size_t an;
		int more;

		if (part > PJ_MAX_PARTS) {
			st = pj_fail(err, PJ_E_TOO_LARGE, "token in more than %d parts",
			             PJ_MAX_PARTS);
			goto fail;
		}
		if (ask(ctx, part, &ans) != 0 || ans == NULL) {
			if (ans != NULL)
				pj_free_secret(ans, strlen(ans));
			st = pj_fail(err, PJ_E_UNAVAILABLE, "no answer for token part %d", part);
			goto fail;
		}
		an = trimmed_len(ans);
		more = an > 0 && ans[an - 1] == '\\';
		if (more)
			an--;
		if (!jws_chars(ans, an)) {
			pj_free_secret(ans, strlen(ans));
			st = pj_fail(err, PJ_E_FORMAT,
			             "token part %d has characters a JWS cannot have", part);
			goto fail;
		}
		if (an > max_size - used) {
			pj_free_secret(ans, strlen(ans));
			st = pj_fail(err, PJ_E_TOO_LARGE, "token exceeds max_token_size %zu",
			             max_size);
			goto fail;
		}
		memcpy(buf + used, ans, an);
		used += an;
		pj_free_secret(ans, strlen(ans));
		if (!more)
			break;
	}
	buf[used] = '\0';
	*token = buf;
	*len = used;
	return PJ_OK;
fail:
	pj_free_secret(buf, cap + 1);
	return st;
}
