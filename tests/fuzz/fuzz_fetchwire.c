/* libFuzzer target: the frames between the module and pam_jwt-fetch
 * (fetchwire.c).  The module decodes what a helper process sends, and the
 * helper what the module sends: neither may crash, read out of bounds or
 * leak on any input, and a request that decodes encodes back to the same
 * bytes (one frame, one meaning). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetchwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pj_http_resp resp;
	struct pj_fetch_req req;
	struct pj_http_opts o;
	struct pj_err err;
	char *again = NULL;
	size_t againlen = 0;

	if (pj_fetchwire_resp_decode((const char *)data, size, 64 * 1024, &resp, &err) == PJ_OK) {
		if (resp.status < 100 || resp.status > 599 || resp.body == NULL ||
		    resp.body[resp.len] != '\0')
			abort();
		pj_http_resp_free(&resp);
	} else if (err.status == PJ_OK) {
		abort(); /* a refusal always says why */
	}
	if (pj_fetchwire_req_decode((const char *)data, size, &req, &err) == PJ_OK) {
		memset(&o, 0, sizeof(o));
		o.ca_file = req.ca_file;
		o.ca_dir = req.ca_dir;
		o.timeout_ms = req.timeout_ms;
		o.max_body = req.max_body;
		o.proxy = req.proxy;
		o.no_proxy = req.no_proxy;
		if (pj_fetchwire_req_encode(req.url, req.form, &o, &again, &againlen, &err) ==
		    PJ_OK) {
			if (againlen != size || memcmp(again, data, size) != 0)
				abort();
			pj_free_secret(again, againlen);
		}
		pj_fetchwire_req_free(&req);
	}
	return 0;
}
