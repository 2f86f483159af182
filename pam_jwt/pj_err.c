#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pj_err.h"

enum pj_status pj_fail(struct pj_err *err, enum pj_status status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return status;
}

void pj_err_clear(struct pj_err *err)
{
	if (err == NULL)
		return;
	err->status = PJ_OK;
	err->reason[0] = '\0';
}

const char *pj_status_name(enum pj_status status)
{
	switch (status) {
	case PJ_OK: return "ok";
	case PJ_E_FORMAT: return "malformed";
	case PJ_E_TOO_LARGE: return "too-large";
	case PJ_E_ALG: return "algorithm";
	case PJ_E_KEY: return "key";
	case PJ_E_SIGNATURE: return "signature";
	case PJ_E_EXPIRED: return "expired";
	case PJ_E_NOT_YET: return "not-yet-valid";
	case PJ_E_CLAIM: return "claim";
	case PJ_E_ISSUER: return "issuer";
	case PJ_E_AUDIENCE: return "audience";
	case PJ_E_USER: return "user";
	case PJ_E_NO_ACCOUNT: return "no-account";
	case PJ_E_REPLAY: return "replayed";
	case PJ_E_REVOKED: return "revoked";
	case PJ_E_CONFIG: return "config";
	case PJ_E_UNAVAILABLE: return "unavailable";
	case PJ_E_NOMEM: return "no-memory";
	case PJ_E_INTERNAL: return "internal";
	}
	return "unknown";
}

void pj_sanitize(char *out, size_t outsz, const char *in, size_t inlen)
{
	size_t i, n = 0;
	int cut = 0;

	if (outsz == 0)
		return;
	if (in == NULL)
		inlen = 0;
	if (inlen > outsz - 1) {
		cut = outsz > 4;
		inlen = cut ? outsz - 4 : outsz - 1;
	}
	for (i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];
		out[n++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
	}
	if (cut) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

void pj_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

int pj_buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 256;
		char *nb;

		while (ncap < *len + n + 1)
			ncap *= 2;
		nb = malloc(ncap);
		if (nb == NULL)
			return -1;
		if (*buf != NULL) {
			memcpy(nb, *buf, *len);
			pj_free_secret(*buf, *cap);
		}
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}
