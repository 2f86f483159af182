#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "vec_common.h"
#include "verify.h"

/* ---- TAP ---------------------------------------------------------- */

#define MAX_CATS 128
#define MAX_EXTRA 10

struct tally {
	char name[64];
	unsigned pass, fail, skip;
	char extra_name[MAX_EXTRA][48];
	unsigned extra[MAX_EXTRA];
};

static struct tally cats[MAX_CATS];
static size_t ncats;
static unsigned ntests, nfailed;

static struct tally *tally(const char *cat)
{
	size_t i;

	for (i = 0; i < ncats; i++)
		if (strcmp(cats[i].name, cat) == 0)
			return &cats[i];
	if (ncats == MAX_CATS)
		vec_bail("more than %d test categories", MAX_CATS);
	snprintf(cats[ncats].name, sizeof(cats[ncats].name), "%s", cat);
	return &cats[ncats++];
}

/* A TAP description must stay on one line and must not contain '#'. */
static void print_desc(const char *fmt, va_list ap)
{
	char buf[512];
	size_t i;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (i = 0; buf[i] != '\0'; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '#' || c < 0x20 || c >= 0x7f)
			buf[i] = '_';
	}
	fputs(buf, stdout);
}

int vec_check(const char *cat, int ok, const char *fmt, ...)
{
	struct tally *t = tally(cat);
	va_list ap;

	ntests++;
	printf("%sok %u - [%s] ", ok ? "" : "not ", ntests, cat);
	va_start(ap, fmt);
	print_desc(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok) {
		t->pass++;
	} else {
		t->fail++;
		nfailed++;
	}
	return ok;
}

void vec_skip(const char *cat, const char *reason, const char *fmt, ...)
{
	va_list ap;

	ntests++;
	printf("ok %u - [%s] ", ntests, cat);
	va_start(ap, fmt);
	print_desc(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	tally(cat)->skip++;
}

void vec_count(const char *cat, const char *what)
{
	struct tally *t = tally(cat);
	size_t i;

	for (i = 0; i < MAX_EXTRA && t->extra_name[i][0] != '\0'; i++)
		if (strcmp(t->extra_name[i], what) == 0)
			break;
	if (i == MAX_EXTRA)
		vec_bail("too many counters for category %s", cat);
	if (t->extra_name[i][0] == '\0')
		snprintf(t->extra_name[i], sizeof(t->extra_name[i]), "%s", what);
	t->extra[i]++;
}

void vec_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int vec_done(void)
{
	size_t i, j;

	vec_diag("---- summary per category: passed / failed / skipped ----");
	for (i = 0; i < ncats; i++) {
		char extra[320] = "";
		size_t off = 0;

		for (j = 0; j < MAX_EXTRA && cats[i].extra_name[j][0] != '\0'; j++)
			off += (size_t)snprintf(extra + off, sizeof(extra) - off, "%s%s %u",
						j ? ", " : " (", cats[i].extra_name[j],
						cats[i].extra[j]);
		if (off > 0 && off < sizeof(extra) - 1)
			snprintf(extra + off, sizeof(extra) - off, ")");
		vec_diag("%-28s %5u / %u / %u%s", cats[i].name, cats[i].pass, cats[i].fail,
			 cats[i].skip, extra);
	}
	vec_diag("total: %u cases, %u failed", ntests, nfailed);
	printf("1..%u\n", ntests);
	fflush(stdout);
	return 0; /* the TAP driver judges by the "not ok" lines */
}

void vec_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(99);
}

/* ---- files -------------------------------------------------------- */

char *vec_path(const char *rel)
{
	const char *top = getenv("top_srcdir");
	size_t n;
	char *p;

	if (top == NULL || top[0] == '\0')
		top = ".";
	n = strlen(top) + strlen("/tests/vectors/") + strlen(rel) + 1;
	if ((p = malloc(n)) == NULL)
		vec_bail("out of memory");
	snprintf(p, n, "%s/tests/vectors/%s", top, rel);
	return p;
}

char *vec_read(const char *rel, size_t *len)
{
	char *path = vec_path(rel), *buf = NULL;
	size_t cap = 0, n = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		vec_bail("cannot open %s: %s (is top_srcdir set?)", path, strerror(errno));
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap + 1)) == NULL)
				vec_bail("out of memory");
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		vec_bail("cannot read %s", path);
	fclose(f);
	free(path);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct json_object *vec_load_json(const char *rel)
{
	size_t len;
	char *text = vec_read(rel, &len);
	struct json_object *o = json_tokener_parse(text);

	if (o == NULL)
		vec_bail("%s is not JSON", rel);
	free(text);
	return o;
}

/* ---- bytes -------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

unsigned char *vec_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned char *out;

	if (n % 2 != 0 || (out = malloc(n / 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

char *vec_b64url(const unsigned char *in, size_t len)
{
	char *s = b64_encode(in, len);

	if (s == NULL)
		vec_bail("out of memory");
	return s;
}

const char *vec_str(const struct json_object *obj, const char *name)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ---- keys --------------------------------------------------------- */

struct json_object *vec_public_jwk(const struct json_object *jwk)
{
	static const char *const priv[] = { "d", "p", "q", "dp", "dq", "qi", "oth", "k" };
	struct json_object *copy = NULL;
	size_t i;

	if (json_object_deep_copy((struct json_object *)jwk, &copy, NULL) != 0)
		vec_bail("out of memory");
	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		json_object_object_del(copy, priv[i]);
	return copy;
}

enum pj_status vec_keyset_add(struct pj_keyset *set, const struct json_object *jwk_or_jwks,
			      struct pj_err *err)
{
	struct pj_key key;
	enum pj_status st;

	if (json_object_object_get_ex(jwk_or_jwks, "keys", NULL)) {
		const char *text = json_object_to_json_string_ext(
			(struct json_object *)jwk_or_jwks, JSON_C_TO_STRING_PLAIN);

		return pj_jwks_add(set, text, strlen(text), err);
	}
	st = pj_jwk_import(jwk_or_jwks, &key, err);
	if (st != PJ_OK)
		return st;
	if (set->n >= PJ_KEYSET_MAX) {
		pj_key_free(&key);
		return pj_fail(err, PJ_E_TOO_LARGE, "key set full");
	}
	set->keys[set->n++] = key;
	return PJ_OK;
}

struct pj_keyset *vec_keyset_new(void)
{
	struct pj_keyset *set = calloc(1, sizeof(*set));

	if (set == NULL)
		vec_bail("out of memory");
	return set;
}

void vec_keyset_free(struct pj_keyset *set)
{
	if (set != NULL)
		pj_keyset_free(set);
	free(set);
}

/* ---- the signature layer ------------------------------------------ */

/* Key selection is pj_validate's own (pj_keyset_verify); VEC_IGNORE_KID
 * drops the kid so every key that allows alg is tried. */
static enum pj_status select_and_verify(const struct pj_keyset *set, enum jws_alg alg,
					const char *kid, size_t kid_len, int flags,
					const unsigned char *msg, size_t msglen,
					const unsigned char *sig, size_t siglen,
					struct pj_err *err)
{
	if (flags & VEC_IGNORE_KID)
		kid = NULL;
	return pj_keyset_verify(set, alg, kid, kid_len, msg, msglen, sig, siglen, err);
}

enum pj_status vec_sig_layer(const char *tok, size_t len, const struct pj_keyset *set,
			     int flags, int *via_probe, struct pj_err *err)
{
	struct jws j, probe_jws;
	const char *d1 = NULL, *d2 = NULL;
	char *probe = NULL;
	unsigned char *payload = NULL;
	size_t i, ndots = 0, plen = 0, l0, l2;
	enum pj_status st;
	struct pj_err perr;

	*via_probe = 0;
	memset(&j, 0, sizeof(j));
	st = jws_parse(tok, len, &j, err);
	if (st == PJ_OK) {
		st = select_and_verify(set, j.alg, j.kid, j.kid_len, flags,
				       (const unsigned char *)j.signing_input, j.signing_input_len,
				       j.sig, j.sig_len, err);
		jws_free(&j);
		return st;
	}
	/* Was the payload the only obstacle?  Only a three-segment token can
	 * be probed; every other shape keeps jws_parse's verdict. */
	for (i = 0; i < len; i++) {
		if (tok[i] != '.')
			continue;
		if (++ndots == 1)
			d1 = tok + i;
		else
			d2 = tok + i;
	}
	if (ndots != 2)
		return st;
	l0 = (size_t)(d1 - tok);
	l2 = (size_t)(tok + len - d2 - 1);
	if ((probe = malloc(l0 + 5 + l2 + 1)) == NULL)
		vec_bail("out of memory");
	memcpy(probe, tok, l0);
	memcpy(probe + l0, ".e30.", 5);
	memcpy(probe + l0 + 5, d2 + 1, l2);
	probe[l0 + 5 + l2] = '\0';
	memset(&probe_jws, 0, sizeof(probe_jws));
	pj_err_clear(&perr);
	if (jws_parse(probe, l0 + 5 + l2, &probe_jws, &perr) != PJ_OK) {
		free(probe);
		return st; /* refused for the header or the signature: a real verdict */
	}
	/* A payload that is not strict base64url is refused by jws_parse
	 * before it looks at JSON: keep that verdict. */
	if (b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), &payload, &plen) == 0) {
		*via_probe = 1;
		st = select_and_verify(set, probe_jws.alg, probe_jws.kid, probe_jws.kid_len, flags,
				       (const unsigned char *)tok, (size_t)(d2 - tok),
				       probe_jws.sig, probe_jws.sig_len, err);
		free(payload);
	}
	jws_free(&probe_jws);
	free(probe);
	return st;
}
