#include "config.h"

#include <string.h>

#include "proxy.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The host part of a proxy URL at s[0..n): a DNS name or IPv4 address
 * (letters, digits, dots, hyphens; no empty label), or [IPv6]. */
static int host_valid(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0)
		return 0;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return 0;
		for (i = 1; i + 1 < n; i++)
			if (!is_digit(s[i]) && strchr("abcdefABCDEF:.", s[i]) == NULL)
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (is_alnum(s[i]) || s[i] == '-') {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0;
}

int pj_proxy_valid(const char *url)
{
	const char *host, *colon, *end;
	long port = 0;
	size_t len;

	if (url == NULL || strncmp(url, "http://", 7) != 0)
		return 0;
	len = strlen(url);
	if (len > PJ_PROXY_MAX)
		return 0;
	host = url + 7;
	end = url + len;
	if (end > host && end[-1] == '/')
		end--;
	/* the port is after the last ':' (after the ']' of an IPv6 host) */
	colon = NULL;
	for (const char *p = host; p < end; p++)
		if (*p == ':')
			colon = p;
		else if (*p == ']')
			colon = NULL;
	if (colon == NULL || colon + 1 == end || end - (colon + 1) > 5)
		return 0;
	for (const char *p = colon + 1; p < end; p++) {
		if (!is_digit(*p))
			return 0;
		port = port * 10 + (*p - '0');
	}
	if (port < 1 || port > 65535 || colon[1] == '0')
		return 0;
	return host_valid(host, (size_t)(colon - host));
}

int pj_no_proxy_valid(const char *list)
{
	size_t i, len, words = 0;
	int in_word = 0;

	if (list == NULL)
		return 0;
	len = strlen(list);
	if (len == 0 || len > PJ_NO_PROXY_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = list[i];

		if (c == ',' || c == ' ' || c == '\t') {
			in_word = 0;
			continue;
		}
		if (!is_alnum(c) && strchr(".-:/[]*", c) == NULL)
			return 0;
		if (!in_word)
			words++;
		in_word = 1;
	}
	return words > 0;
}
