#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

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

/* One pass over the text: each check is made where its byte is read, and
 * the json-c tree is built as the values end (json-c's own tokener accepts
 * what RFC 8259 refuses, and costs more than reading it here). */
struct reader {
	const unsigned char *p;
	size_t i, len;
	int max_depth;
	char *scratch; /* room for any decoded string: len + 1 bytes */
	struct pj_err *err;
	enum pj_status st;
};

static void *refuse(struct reader *r, enum pj_status st, const char *why)
{
	if (r->st == PJ_OK)
		r->st = pj_fail(r->err, st, "%s", why);
	return NULL;
}

static void skip_ws(struct reader *r)
{
	while (r->i < r->len && (r->p[r->i] == ' ' || r->p[r->i] == '\t' || r->p[r->i] == '\n' ||
	                         r->p[r->i] == '\r'))
		r->i++;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The escape at p[at] == '\\': appends its UTF-8 to out, returns the bytes
 * of text it took (0: refused, reason set). */
static size_t unescape(struct reader *r, size_t at, char *out, size_t *olen)
{
	const unsigned char *p = r->p + at;
	size_t left = r->len - at;
	unsigned v, w;

	if (left < 2)
		return refuse(r, PJ_E_FORMAT, "JSON string cut short"), 0;
	switch (p[1]) {
	case '"': out[(*olen)++] = '"'; return 2;
	case '\\': out[(*olen)++] = '\\'; return 2;
	case '/': out[(*olen)++] = '/'; return 2;
	case 'b': out[(*olen)++] = '\b'; return 2;
	case 'f': out[(*olen)++] = '\f'; return 2;
	case 'n': out[(*olen)++] = '\n'; return 2;
	case 'r': out[(*olen)++] = '\r'; return 2;
	case 't': out[(*olen)++] = '\t'; return 2;
	case 'u': break;
	default: return refuse(r, PJ_E_FORMAT, "bad escape in a JSON string"), 0;
	}
	if (left < 6 || hex4(p + 2, &v) != 0)
		return refuse(r, PJ_E_FORMAT, "bad \\u escape in JSON"), 0;
	if (v == 0)
		return refuse(r, PJ_E_FORMAT, "\\u0000 in a JSON string"), 0;
	if (v >= 0xdc00 && v <= 0xdfff)
		return refuse(r, PJ_E_FORMAT, "lone surrogate in a JSON string"), 0;
	if (v < 0xd800 || v > 0xdbff) {
		*olen += put_utf8(out + *olen, v);
		return 6;
	}
	if (left < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &w) != 0 || w < 0xdc00 ||
	    w > 0xdfff)
		return refuse(r, PJ_E_FORMAT, "lone surrogate in a JSON string"), 0;
	*olen += put_utf8(out + *olen, 0x10000 + ((v - 0xd800) << 10) + (w - 0xdc00));
	return 12;
}

/* The string starting at the '"' at p[i].  Sets *s to its bytes: inside
 * the text when it has no escape (not terminated), else decoded into
 * r->scratch (terminated).  Returns 0, or -1 with the reason set. */
static int read_string(struct reader *r, const char **s, size_t *slen)
{
	const unsigned char *p = r->p;
	size_t i = r->i + 1, start = i, olen = 0, n;
	int copying = 0;

	for (;;) {
		/* the common case: plain printable ASCII */
		while (i < r->len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
			i++;
		if (copying) {
			memcpy(r->scratch + olen, p + start, i - start);
			olen += i - start;
		}
		if (i >= r->len)
			return refuse(r, PJ_E_FORMAT, "JSON string not closed"), -1;
		if (p[i] == '"')
			break;
		if (p[i] == '\\') {
			if (!copying) {
				copying = 1;
				olen = i - (r->i + 1);
				memcpy(r->scratch, p + r->i + 1, olen);
			}
			n = unescape(r, i, r->scratch, &olen);
			if (n == 0)
				return -1;
			i += n;
		} else if (p[i] < 0x20) {
			return refuse(r, PJ_E_FORMAT, "raw control character in a JSON string"), -1;
		} else {
			n = utf8_seq(p + i, r->len - i);
			if (n == 0)
				return refuse(r, PJ_E_FORMAT, "JSON is not valid UTF-8"), -1;
			if (copying) {
				memcpy(r->scratch + olen, p + i, n);
				olen += n;
			}
			i += n;
		}
		start = i;
	}
	if (copying) {
		r->scratch[olen] = '\0';
		*s = r->scratch;
		*slen = olen;
	} else {
		*s = (const char *)p + r->i + 1;
		*slen = i - (r->i + 1);
	}
	r->i = i + 1;
	return 0;
}

/* An RFC 8259 number as json-c would hold it: integers as int64, above
 * INT64_MAX as uint64, saturated beyond either end; anything with a
 * fraction or exponent as a finite double (keeping its text). */
static struct json_object *read_number(struct reader *r)
{
	const unsigned char *p = r->p + r->i;
	size_t n = number_len(p, r->len - r->i), k;
	locale_t c_locale;
	uint64_t mag = 0;
	double d;

	if (n == 0)
		return refuse(r, PJ_E_FORMAT, "JSON number is not in RFC 8259 form");
	r->i += n;
	for (k = p[0] == '-'; k < n && p[k] >= '0' && p[k] <= '9'; k++) {
		unsigned digit = p[k] - '0';

		mag = mag > (UINT64_MAX - digit) / 10 ? UINT64_MAX : mag * 10 + digit;
	}
	if (k == n) {
		if (p[0] == '-')
			return json_object_new_int64(mag > (uint64_t)INT64_MAX ? INT64_MIN
			                                                       : -(int64_t)mag);
		if (mag > (uint64_t)INT64_MAX)
			return json_object_new_uint64(mag);
		return json_object_new_int64((int64_t)mag);
	}
	/* A fraction or an exponent: the C locale's decimal point whatever
	 * the host process set.  scratch is free here (names are copied out
	 * before their values are read). */
	memcpy(r->scratch, p, n);
	r->scratch[n] = '\0';
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		return refuse(r, PJ_E_NOMEM, "out of memory");
	d = strtod_l(r->scratch, NULL, c_locale);
	freelocale(c_locale);
	if (!isfinite(d))
		return refuse(r, PJ_E_FORMAT, "JSON number is not finite");
	return json_object_new_double_s(d, r->scratch);
}

static struct json_object *read_value(struct reader *r, int depth);

/* Steps over the opening '{' or '['; 1 (and over the close) when the
 * container is empty. */
static int opens_empty(struct reader *r, unsigned char close)
{
	r->i++;
	skip_ws(r);
	if (r->i < r->len && r->p[r->i] == close) {
		r->i++;
		return 1;
	}
	return 0;
}

/* After a member or element: 1 past a ',' (another follows), 0 past the
 * close, -1 (reason set) on anything else. */
static int next_item(struct reader *r, unsigned char close, const char *what)
{
	skip_ws(r);
	if (r->i < r->len && r->p[r->i] == ',') {
		r->i++;
		skip_ws(r);
		return 1;
	}
	if (r->i < r->len && r->p[r->i] == close) {
		r->i++;
		return 0;
	}
	if (r->st == PJ_OK)
		r->st = pj_fail(r->err, PJ_E_FORMAT, "JSON %s not followed by ',' or '%c'", what,
		                close);
	return -1;
}

static struct json_object *read_object(struct reader *r, int depth)
{
	struct json_object *o = json_object_new_object(), *v;
	size_t members = 0;
	int more;

	if (o == NULL)
		return refuse(r, PJ_E_NOMEM, "out of memory");
	if (opens_empty(r, '}'))
		return o;
	for (;;) {
		const char *key;
		size_t klen;
		char small[128], *name = small, *big = NULL;
		int added;

		if (r->i >= r->len || r->p[r->i] != '"') {
			refuse(r, PJ_E_FORMAT, "JSON member name is not a double-quoted string");
			break;
		}
		if (read_string(r, &key, &klen) != 0)
			break;
		/* a copy of the name: the value may be decoded into scratch */
		if (klen < sizeof(small)) {
			memcpy(small, key, klen);
			small[klen] = '\0';
		} else if ((name = big = strndup(key, klen)) == NULL) {
			refuse(r, PJ_E_NOMEM, "out of memory");
			break;
		}
		skip_ws(r);
		if (r->i >= r->len || r->p[r->i] != ':') {
			pj_free_secret(big, klen + 1);
			refuse(r, PJ_E_FORMAT, "JSON member name not followed by ':'");
			break;
		}
		r->i++;
		skip_ws(r);
		v = read_value(r, depth);
		added = r->st == PJ_OK && json_object_object_add(o, name, v) == 0;
		/* the names, like the values, are the token's: wipe them */
		if (name == small)
			OPENSSL_cleanse(small, klen);
		pj_free_secret(big, klen + 1);
		if (!added) {
			json_object_put(v);
			refuse(r, PJ_E_NOMEM, "out of memory");
			break;
		}
		members++;
		more = next_item(r, '}', "member");
		if (more > 0)
			continue;
		/* a repeated name replaced the earlier member */
		if (more == 0 && (size_t)json_object_object_length(o) != members)
			refuse(r, PJ_E_FORMAT, "duplicate member name in JSON");
		if (r->st == PJ_OK)
			return o;
		break;
	}
	json_object_put(o);
	return NULL;
}

static struct json_object *read_array(struct reader *r, int depth)
{
	struct json_object *a = json_object_new_array_ext(4), *v;
	int more;

	if (a == NULL)
		return refuse(r, PJ_E_NOMEM, "out of memory");
	if (opens_empty(r, ']'))
		return a;
	for (;;) {
		v = read_value(r, depth);
		if (r->st != PJ_OK) {
			json_object_put(v);
			break;
		}
		if (json_object_array_add(a, v) != 0) {
			json_object_put(v);
			refuse(r, PJ_E_NOMEM, "out of memory");
			break;
		}
		more = next_item(r, ']', "array element");
		if (more > 0)
			continue;
		if (more == 0)
			return a;
		break;
	}
	json_object_put(a);
	return NULL;
}

/* A value at p[i] (no white space before it).  NULL is both JSON null and
 * failure: r->st tells them apart. */
static struct json_object *read_value(struct reader *r, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	const unsigned char *p = r->p + r->i;
	size_t left = r->len - r->i, w, wl;

	if (left == 0)
		return refuse(r, PJ_E_FORMAT, "JSON value missing");
	switch (p[0]) {
	case '{':
	case '[':
		if (depth + 1 > r->max_depth) {
			if (r->st == PJ_OK)
				r->st = pj_fail(r->err, PJ_E_FORMAT, "JSON nested deeper than %d",
				                r->max_depth);
			return NULL;
		}
		return p[0] == '{' ? read_object(r, depth + 1) : read_array(r, depth + 1);
	case '"': {
		const char *s;
		size_t slen;
		struct json_object *o;

		if (read_string(r, &s, &slen) != 0)
			return NULL;
		o = json_object_new_string_len(s, (int)slen);
		return o != NULL ? o : refuse(r, PJ_E_NOMEM, "out of memory");
	}
	case 't':
	case 'f':
	case 'n':
		/* true, false, null: nothing else is a bare word */
		for (w = 0; w < 3; w++) {
			wl = strlen(words[w]);
			if (left >= wl && memcmp(p, words[w], wl) == 0) {
				struct json_object *b = NULL;

				r->i += wl;
				if (w == 2)
					return NULL; /* json-c's null */
				b = json_object_new_boolean(w == 0);
				return b != NULL ? b : refuse(r, PJ_E_NOMEM, "out of memory");
			}
		}
		return refuse(r, PJ_E_FORMAT,
		              "JSON has a bare word that is not true, false or null");
	default:
		if (p[0] == '-' || (p[0] >= '0' && p[0] <= '9')) {
			struct json_object *o = read_number(r);

			return o != NULL || r->st != PJ_OK ? o
			                                   : refuse(r, PJ_E_NOMEM, "out of memory");
		}
		if (p[0] >= 0x80 && utf8_seq(p, left) == 0)
			return refuse(r, PJ_E_FORMAT, "JSON is not valid UTF-8");
		/* single quotes, comments, NaN, Infinity, stray bytes */
		return refuse(r, PJ_E_FORMAT, "JSON has a character outside any string");
	}
}

enum pj_status pj_json_parse(const char *buf, size_t len, int max_depth, struct json_object **out,
                             struct pj_err *err)
{
	struct reader r;
	struct json_object *obj = NULL;
	char small[1024];

	if (len > INT32_MAX)
		return pj_fail(err, PJ_E_TOO_LARGE, "JSON too large");
	if (len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
	    (unsigned char)buf[2] == 0xbf)
		return pj_fail(err, PJ_E_FORMAT, "JSON starts with a byte order mark");
	memset(&r, 0, sizeof(r));
	r.p = (const unsigned char *)buf;
	r.len = len;
	r.max_depth = max_depth;
	r.err = err;
	r.st = PJ_OK;
	r.scratch = len < sizeof(small) ? small : malloc(len + 1);
	if (r.scratch == NULL)
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	skip_ws(&r);
	if (r.i >= len || r.p[r.i] != '{') {
		refuse(&r, PJ_E_FORMAT, "JSON value is not an object");
	} else {
		obj = read_value(&r, 0);
		skip_ws(&r);
		if (r.st == PJ_OK && r.i < len)
			refuse(&r, PJ_E_FORMAT, "data after the JSON value");
	}
	/* scratch held decoded strings of the payload: wipe it */
	if (r.scratch != small)
		pj_free_secret(r.scratch, len + 1);
	else
		OPENSSL_cleanse(small, sizeof(small));
	if (r.st != PJ_OK) {
		json_object_put(obj);
		return r.st;
	}
	*out = obj;
	return PJ_OK;
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
	/* towards negative infinity, as floor() would (|d| is in range) */
	*value = (int64_t)d;
	if ((double)*value > d)
		(*value)--;
	return 1;
}

int pj_json_str_eq(const char *s, size_t slen, const char *want)
{
	size_t wlen = strlen(want);

	return slen == wlen && memcmp(s, want, wlen) == 0;
}
