/* Strict JSON for tokens, key sets and caches, read into json-c objects.
 *
 * json-c's own tokener accepts trailing garbage, NaN, raw control
 * characters, overlong UTF-8, lone surrogates and single-quoted names, and
 * silently keeps the last of two duplicate members.  pj_json_parse reads
 * the text itself in one pass, refuses all of those, and builds the json-c
 * tree as it goes. */
#ifndef PJ_JSON_H
#define PJ_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "pj_err.h"

#define PJ_JSON_MAX_DEPTH 32

/* Parse buf[0..len) as exactly one JSON object (whitespace around it is
 * allowed, nothing else).  Refuses: invalid UTF-8 (overlong forms,
 * surrogates, > U+10FFFF), a byte order mark, raw control characters in
 * strings, \u0000 and lone surrogate escapes, NaN and infinities, nesting
 * deeper than max_depth, duplicate member names, and a top level that is
 * not an object.  On success returns PJ_OK and sets *out (caller releases
 * with json_object_put).  On failure returns PJ_E_FORMAT (PJ_E_NOMEM out
 * of memory, PJ_E_TOO_LARGE above INT32_MAX bytes) with a reason in err;
 * *out is untouched. */
enum pj_status pj_json_parse(const char *buf, size_t len, int max_depth, struct json_object **out,
                             struct pj_err *err);

/* Member `name` of obj if it exists and has JSON type `type`, else NULL. */
struct json_object *pj_json_get(const struct json_object *obj, const char *name,
                                enum json_type type);

/* String member `name`: sets *s and *slen (borrowed from obj) and returns
 * 1 when present and a string; 0 when absent; -1 when present with another
 * type. */
int pj_json_get_string(const struct json_object *obj, const char *name, const char **s,
                       size_t *slen);

/* Numeric member `name` as a NumericDate: an integer or a finite fraction
 * with |value| <= 253402300799 (year 9999).  Returns 1 and sets *value
 * (fractions truncated towards negative infinity) when present and valid;
 * 0 when absent; -1 when present but not such a number (strings, booleans,
 * null, arrays, out of range). */
int pj_json_get_date(const struct json_object *obj, const char *name, int64_t *value);

/* Exact, length-aware comparison of a JSON string value with a C string. */
int pj_json_str_eq(const char *s, size_t slen, const char *want);

#endif
