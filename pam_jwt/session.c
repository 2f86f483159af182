#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

/* Append text to out (capacity PJ_ENV_VALUE_MAX + 1), sanitising. */
static int append(char *out, size_t *n, const char *s, size_t len)
{
	size_t i;

	if (len > PJ_ENV_VALUE_MAX - *n)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		out[(*n)++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[*n] = '\0';
	return 0;
}

/* s[0..len) as a JSON string: '"' and '\\' escaped, control characters
 * as \u00XX, bytes outside printable ASCII as '?' (as in plain values). */
static int append_quoted(char *out, size_t *n, const char *s, size_t len)
{
	char esc[8];
	size_t i;

	if (append(out, n, "\"", 1) != 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int bad;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			bad = append(out, n, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			bad = append(out, n, esc, 6);
		} else {
			bad = append(out, n, s + i, 1);
		}
		if (bad)
			return -1;
	}
	return append(out, n, "\"", 1);
}

/* A scalar claim; in_array: strings as JSON strings. */
static int scalar(struct json_object *v, int in_array, char *out, size_t *n)
{
	char num[40];
	const char *s;
	size_t len;

	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (in_array)
			return append_quoted(out, n, s, len);
		/* a value that starts with '[' is always an array */
		if (len > 0 && s[0] == '[')
			return -1;
		return append(out, n, s, len);
	case json_type_int:
		/* json-c keeps values above INT64_MAX as unsigned; get_int64
		 * would clamp them */
		if (json_object_get_int64(v) == INT64_MAX)
			snprintf(num, sizeof(num), "%llu",
			         (unsigned long long)json_object_get_uint64(v));
		else
			snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		return append(out, n, num, strlen(num));
	case json_type_double:
		snprintf(num, sizeof(num), "%.17g", json_object_get_double(v));
		return append(out, n, num, strlen(num));
	case json_type_boolean:
		return json_object_get_boolean(v) ? append(out, n, "true", 4)
		                                  : append(out, n, "false", 5);
	default: return -1;
	}
}

enum pj_status pj_session_env(const struct json_object *claims, const char *list, pj_env_fn fn,
                              void *ctx, struct pj_err *err)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		char name[64], var[8 + 64 + 1 + PJ_ENV_VALUE_MAX + 1], value[PJ_ENV_VALUE_MAX + 1];
		struct json_object *v = NULL;
		size_t len, i, n = 0;
		int bad = 0;

		while (*p == ',' || *p == ' ')
			p++;
		len = strcspn(p, ", ");
		if (len == 0)
			break;
		if (len >= sizeof(name))
			return pj_fail(err, PJ_E_CONFIG, "session_env claim name too long");
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		value[0] = '\0';
		if (!json_object_object_get_ex(claims, name, &v) || v == NULL)
			continue;
		if (json_object_is_type(v, json_type_array)) {
			size_t k, cnt = json_object_array_length(v);

			/* JSON text: ["a,b"] and ["a","b"] stay apart */
			bad = append(value, &n, "[", 1) != 0;
			for (k = 0; k < cnt && !bad; k++)
				bad = (k > 0 && append(value, &n, ",", 1) != 0) ||
				      scalar(json_object_array_get_idx(v, k), 1, value, &n) != 0;
			bad = bad || append(value, &n, "]", 1) != 0;
		} else {
			bad = scalar(v, 0, value, &n) != 0;
		}
		if (bad)
			continue;
		for (i = 0; i < len; i++) {
			char c = name[i];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				c = '_';
			name[i] = c;
		}
		snprintf(var, sizeof(var), "PAM_JWT_%s=%s", name, value);
		if (fn(ctx, var) != 0)
			return pj_fail(err, PJ_E_INTERNAL, "cannot set %s", name);
	}
	return PJ_OK;
}
