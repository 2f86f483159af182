#include "config.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include <openssl/crypto.h>

#include "osslinit.h"

struct order {
	const char *self; /* path of the object that holds this code */
	int self_at; /* its position in load order, or -1 */
	int crypto_at; /* libcrypto's, or -1 */
	int n;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct order *o = data;
	const char *name = info->dlpi_name;

	(void)size;
	if (name != NULL && name[0] != '\0') {
		const char *base = strrchr(name, '/');

		base = base ? base + 1 : name;
		if (o->self_at < 0 && strcmp(name, o->self) == 0)
			o->self_at = o->n;
		if (o->crypto_at < 0 && strncmp(base, "libcrypto.so", 12) == 0)
			o->crypto_at = o->n;
	}
	o->n++;
	return 0;
}

int pj_openssl_init(void)
{
	struct order o = { NULL, -1, -1, 0 };
	Dl_info info;

	if (dladdr((void *)pj_openssl_init, &info) == 0 || info.dli_fname == NULL)
		return 0;
	o.self = info.dli_fname;
	dl_iterate_phdr(visit, &o);
	if (o.self_at < 0 || o.crypto_at < o.self_at)
		return 0; /* the host had libcrypto before us: leave it alone */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
	                            OPENSSL_INIT_NO_ATEXIT,
	                    NULL);
	return 1;
}
