#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "b64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Each byte's value as a base64url character plus one; 0 for every byte
 * that is not one.  Decoding is on every login's path: one lookup a
 * character, and one test a group of four. */
static const unsigned char values[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
	['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
	['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
	['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
	['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
	['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['-'] = 63,
	['_'] = 64,
};

static int value_of(unsigned char c)
{
	return (int)values[c] - 1;
}

int b64_is_url_char(unsigned char c)
{
	return value_of(c) >= 0;
}

int b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	size_t i, n = 0, rem = inlen % 4;
	uint32_t acc = 0;
	int bits = 0;

	if (rem == 1 || (in == NULL && inlen > 0))
		return -1;
	buf = malloc(inlen / 4 * 3 + 3 + 1);
	if (buf == NULL)
		return -1;
	/* whole groups of four characters -> three bytes */
	for (i = 0; i + 4 <= inlen; i += 4) {
		int a = value_of((unsigned char)in[i]), b = value_of((unsigned char)in[i + 1]);
		int c = value_of((unsigned char)in[i + 2]), d = value_of((unsigned char)in[i + 3]);
		uint32_t v;

		if ((a | b | c | d) < 0)
			goto bad;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		buf[n++] = (unsigned char)(v >> 16);
		buf[n++] = (unsigned char)(v >> 8);
		buf[n++] = (unsigned char)v;
	}
	for (; i < inlen; i++) {
		int v = value_of((unsigned char)in[i]);

		if (v < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits (2 or 4) must be zero: only one text per byte string. */
	if (acc != 0)
		goto bad;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
bad:
	free(buf);
	return -1;
}

char *b64_encode(const unsigned char *in, size_t inlen)
{
	char *out = malloc((inlen + 2) / 3 * 4 + 1);
	size_t i, n = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < inlen; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[n++] = alphabet[v >> 18];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
		out[n++] = alphabet[v & 63];
	}
	if (inlen - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[n++] = alphabet[v >> 18];
		out[n++] = alphabet[(v >> 12) & 63];
	} else if (inlen - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = alphabet[v >> 18];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
	}
	out[n] = '\0';
	return out;
}
