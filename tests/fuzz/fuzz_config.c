/* libFuzzer target: configuration text, then the per-issuer
 * configuration derived from it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pj_config cfg, one;
	struct pj_err err;
	char *issuers[PJ_MAX_SECTIONS];
	size_t n = 0, i;

	if (pj_config_init(&cfg, &err) != PJ_OK)
		return 0;
	if (pj_config_parse(&cfg, (const char *)data, size, "fuzz", &err) == PJ_OK) {
		cfg.src_text = malloc(size + 1);
		if (cfg.src_text != NULL) {
			memcpy(cfg.src_text, data, size);
			cfg.src_text[size] = '\0';
			cfg.src_len = size;
			cfg.src_path = strdup("fuzz");
			if (cfg.src_path != NULL && pj_config_issuers(&cfg, issuers, &n, &err) == PJ_OK) {
				for (i = 0; i < n; i++) {
					if (pj_config_for_issuer(&cfg, issuers[i], strlen(issuers[i]), &one,
								 &err) == PJ_OK)
						pj_config_free(&one);
					free(issuers[i]);
				}
			}
		}
	}
	pj_config_free(&cfg);
	return 0;
}
