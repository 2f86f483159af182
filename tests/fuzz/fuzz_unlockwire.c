/* libFuzzer target: the request frame pam_jwt-unlock reads from its
 * caller (unlockwire.c).  The caller is an unprivileged user and the
 * reader is setuid root: no input may crash it, read out of bounds or
 * leak; a frame that parses has its secrets inside the input, of the
 * lengths the verb allows, and encodes back to the same bytes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "offline.h"
#include "unlockwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct pj_unlock_req rq;
	struct pj_err err;
	char *again = NULL;
	size_t againlen = 0;

	pj_err_clear(&err);
	if (pj_unlock_parse(buf, size, &rq, &err) != PJ_OK) {
		if (err.status == PJ_OK || rq.secret1 != NULL)
			abort(); /* a refusal says why and hands out nothing */
		return 0;
	}
	if (rq.secret1 < buf || rq.secret1 + rq.len1 > buf + size || rq.secret2 < buf ||
	    rq.secret2 + rq.len2 > buf + size || rq.len1 == 0 ||
	    (rq.verb == 'P' && rq.len1 > PJ_PIN_MAX) || (rq.verb != 'S' && rq.len2 != 0) ||
	    (rq.verb == 'S' && (rq.len2 == 0 || rq.len2 > PJ_PIN_MAX)) ||
	    memchr(rq.secret1, '\0', rq.len1) != NULL)
		abort();
	if (pj_unlock_frame(rq.verb, rq.secret1, rq.len1, rq.verb == 'S' ? rq.secret2 : NULL,
	                    rq.len2, &again, &againlen, &err) != PJ_OK ||
	    againlen != size || memcmp(again, buf, size) != 0)
		abort();
	pj_free_secret(again, againlen);
	return 0;
}
