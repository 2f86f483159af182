#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "pj_json.h"

#define MAX_DATE 253402300799.0 /* 9999-12-31T23:59:59Z */

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int hex4(const unsigned char *p, unsigned *v)
{
	unsigned i, r = 0;

	for (i = 0; i < 4; i++) {
		unsigned char c = p[i];
		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= c - '0';
		else if (c >= 'a' && c <= 'f')
			r |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			r |= c - 'A' + 10;
		else
			return -1;
	}
	*v = r;
	return 0;
}

/* Length of the RFC 8259 number at p (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
 * or 0 when the text there is not one (json-c also takes "1.", "00", "-01"). */
static size_t number_len(const unsigned char *p, size_t n)
{
	size_t i = 0, d;

	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0') {
		i++;
	} else if (i < n && p[i] >= '1' && p[i] <= '9') {
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	} else {
		return 0;
	}
	if (i < n && p[i] == '.') {
		i++;
		for (d = 0; i < n && p[i] >= '0' && p[i] <= '9'; d++)
			i++;
		if (d == 0)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = 0; i < n && p[i] >= '0' && p[i] <= '9'; d++)
			i++;
		if (d == 0)
			return 0;
	}
	/* a number ends at a delimiter: "01" is "0" then "1" */
	if (i < n && !(p[i] == ',' || p[i] == '}' || p[i] == ']' || p[i] == ' ' || p[i] == '\t' ||
	               p[i] == '\n' || p[i] == '\r'))
		return 0;
	return i;
}

/* The checks json-c does not make, done on the raw text.  Counts the
 * members (one ':' outside strings per member) so duplicates can be found
 * after parsing. */
static enum pj_status prescan(const unsigned char *p, size_t len, int max_depth, size_t *members,
                              struct pj_err *err)
{
	size_t i = 0, n;
	int depth = 0, in_str = 0;

	*members = 0;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return pj_fail(err, PJ_E_FORMAT, "JSON starts with a byte order mark");
	while (i < len) {
		unsigned char c = p[i];

		if (in_str) {
			/* the common case: plain printable ASCII inside a string */
			while (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && i + 1 < len)
				c = p[++i];
		}
		n = c < 0x80 ? 1 : utf8_seq(p + i, len - i);
		if (n == 0)
			return pj_fail(err, PJ_E_FORMAT, "JSON is not valid UTF-8");
		if (in_str) {
			if (c < 0x20)
				return pj_fail(err, PJ_E_FORMAT,
				               "raw control character in a JSON string");
			if (c == '"') {
				in_str = 0;
			} else if (c == '\\') {
				unsigned v, w;

				if (i + 1 >= len)
					return pj_fail(err, PJ_E_FORMAT, "JSON string cut short");
				if (p[i + 1] == 'u') {
					if (i + 6 > len || hex4(p + i + 2, &v) != 0)
						return pj_fail(err, PJ_E_FORMAT,
						               "bad \\u escape in JSON");
					if (v == 0)
						return pj_fail(err, PJ_E_FORMAT,
						               "\\u0000 in a JSON string");
					if (v >= 0xdc00 && v <= 0xdfff)
						return pj_fail(err, PJ_E_FORMAT,
						               "lone surrogate in a JSON string");
					if (v >= 0xd800 && v <= 0xdbff) {
						if (i + 12 > len || p[i + 6] != '\\' ||
						    p[i + 7] != 'u' || hex4(p + i + 8, &w) != 0 ||
						    w < 0xdc00 || w > 0xdfff)
							return pj_fail(
							        err, PJ_E_FORMAT,
							        "lone surrogate in a JSON string");
						i += 6;
					}
					i += 6;
					continue;
				}
				i += 2;
				continue;
			}
		} else {
			switch (c) {
			case '"': in_str = 1; break;
			case '{':
			case '[':
				if (++depth > max_depth)
					return pj_fail(err, PJ_E_FORMAT,
					               "JSON nested deeper than %d", max_depth);
				break;
			case '}':
			case ']': depth--; break;
			case ':': (*members)++; break;
			case ',':
			case ' ':
			case '\t':
			case '\n':
			case '\r': break;
			case 't':
			case 'f':
			case 'n': {
				/* true, false, null: nothing else is a bare word */
				static const char *const words[] = { "true", "false", "null" };
				size_t w, wl;
				int okw = 0;

				for (w = 0; w < 3 && !okw; w++) {
					wl = strlen(words[w]);
					if (len - i >= wl && memcmp(p + i, words[w], wl) == 0) {
						i += wl;
						okw = 1;
					}
				}
				if (!okw)
					return pj_fail(err, PJ_E_FORMAT,
					               "JSON has a bare word that is not true, "
					               "false or null");
				continue;
			}
			default:
				if (c == '-' || (c >= '0' && c <= '9')) {
					size_t nl = number_len(p + i, len - i);

					if (nl == 0)
						return pj_fail(
						        err, PJ_E_FORMAT,
						        "JSON number is not in RFC 8259 form");
					i += nl;
					continue;
				}
				/* single quotes, comments, NaN, Infinity, stray bytes */
				return pj_fail(err, PJ_E_FORMAT,
				               "JSON has a character outside any string");
			}
		}
		i += n;
	}
	if (in_str)
		return pj_fail(err, PJ_E_FORMAT, "JSON string not closed");
	return PJ_OK;
}

/* Count object members in the tree and refuse non-finite numbers. */
static int walk(struct json_object *o, size_t *members)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double: return isfinite(json_object_get_double(o)) ? 0 : -1;
	case json_type_object: {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			(*members)++;
			if (walk(val, members) != 0)
				return -1;
		}
		return 0;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (walk(json_object_array_get_idx(o, i), members) != 0)
				return -1;
		return 0;
	default: return 0;
	}
}

enum pj_status pj_json_parse(const char *buf, size_t len, int max_depth, struct json_object **out,
                             struct pj_err *err)
{
	return pj_json_parse_tok(NULL, buf, len, max_depth, out, err);
}

enum pj_status pj_json_parse_tok(struct json_tokener *given, const char *buf, size_t len,
                                 int max_depth, struct json_object **out, struct pj_err *err)
{
	struct json_tokener *tok = given;
	struct json_object *obj = NULL;
	size_t members = 0, seen = 0, end;
	enum pj_status st;

	st = prescan((const unsigned char *)buf, len, max_depth, &members, err);
	if (st != PJ_OK)
		return st;
	if (len > INT32_MAX)
		return pj_fail(err, PJ_E_TOO_LARGE, "JSON too large");
	if (tok == NULL)
		tok = json_tokener_new_ex(max_depth + 1);
	else
		json_tokener_reset(tok);
	if (tok == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		st = pj_fail(err, PJ_E_FORMAT, "invalid JSON");
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++) {
		char c = buf[end];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			st = pj_fail(err, PJ_E_FORMAT, "data after the JSON value");
			goto out;
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		st = pj_fail(err, PJ_E_FORMAT, "JSON value is not an object");
		goto out;
	}
	if (walk(obj, &seen) != 0) {
		st = pj_fail(err, PJ_E_FORMAT, "JSON number is not finite");
		goto out;
	}
	if (seen != members) {
		st = pj_fail(err, PJ_E_FORMAT, "duplicate member name in JSON");
		goto out;
	}
	*out = obj;
	obj = NULL;
	st = PJ_OK;
out:
	json_object_put(obj);
	if (given == NULL)
		json_tokener_free(tok);
	return st;
}

struct json_object *pj_json_get(const struct json_object *obj, const char *name,
                                enum json_type type)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, name, &v))
		return NULL;
	return json_object_is_type(v, type) ? v : NULL;
}

int pj_json_get_string(const struct json_object *obj, const char *name, const char **s,
                       size_t *slen)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*s = json_object_get_string(v);
	*slen = (size_t)json_object_get_string_len(v);
	return 1;
}

int pj_json_get_date(const struct json_object *obj, const char *name, int64_t *value)
{
	struct json_object *v = NULL;
	double d;

	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i;

		errno = 0;
		i = json_object_get_int64(v);
		/* json-c saturates out-of-range integers; the range check
		 * below refuses both saturated values. */
		if (i < -(int64_t)MAX_DATE || i > (int64_t)MAX_DATE)
			return -1;
		*value = i;
		return 1;
	}
	if (!json_object_is_type(v, json_type_double))
		return -1;
	d = json_object_get_double(v);
	if (!isfinite(d) || d < -MAX_DATE || d > MAX_DATE)
		return -1;
	*value = (int64_t)floor(d);
	return 1;
}

int pj_json_str_eq(const char *s, size_t slen, const char *want)
{
	size_t wlen = strlen(want);

	return slen == wlen && memcmp(s, want, wlen) == 0;
}
