/* libFuzzer target: the strict JSON reader against json-c's own tokener.
 * Whatever pj_json_parse accepts, json-c (strict mode) must accept too and
 * read to the same tree: same types, values, names and order.  (The other
 * way round does not hold: json-c accepts much that RFC 8259 refuses.) */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pj_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *mine = NULL, *theirs;
	struct json_tokener *tok;
	struct pj_err err;

	if (pj_json_parse((const char *)data, size, PJ_JSON_MAX_DEPTH, &mine, &err) != PJ_OK)
		return 0;
	tok = json_tokener_new_ex(PJ_JSON_MAX_DEPTH + 1);
	if (tok == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	theirs = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	if (theirs == NULL || json_tokener_get_error(tok) != json_tokener_success)
		abort(); /* accepted here, refused by json-c */
	if (strcmp(json_object_to_json_string_ext(mine, JSON_C_TO_STRING_PLAIN),
	           json_object_to_json_string_ext(theirs, JSON_C_TO_STRING_PLAIN)) != 0 ||
	    !json_object_equal(mine, theirs))
		abort(); /* read differently */
	json_object_put(mine);
	json_object_put(theirs);
	json_tokener_free(tok);
	return 0;
}
