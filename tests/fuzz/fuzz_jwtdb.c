/* libFuzzer target: the account database reader (nss_jwt/jwtdb_read.c)
 * over arbitrary bytes.  Whatever the header and records say, opening,
 * verifying and every lookup and enumeration must stay inside the input
 * (ASan) and never crash; a file verify calls sound must answer its own
 * names and ids. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwtdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "alice", "bob", "g00", "u0000001", "", "zzzz" };
	struct jdb_map m;
	struct jdb_uview u, w;
	struct jdb_gview g, h;
	uint32_t i, k, nu, ng;
	size_t j;
	int sound;
	/* a copy of exactly size bytes, so that ASan sees any read past it */
	unsigned char *copy = malloc(size ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (jdb_map_from_buffer(copy, size, &m) != 0) {
		free(copy);
		return 0;
	}
	sound = jdb_map_verify(&m) == 0;
	nu = jdb_map_n_users(&m);
	ng = jdb_map_n_groups(&m);
	for (i = 0; i < nu && i < 4096; i++) {
		if (!jdb_map_user_at(&m, i, &u))
			continue;
		for (k = 0; k < u.gids_n; k++)
			(void)jdb_map_user_gid(&m, &u, k);
		if (sound && (!jdb_map_user_by_name(&m, u.name, &w) || w.index != i ||
		              !jdb_map_user_by_uid(&m, u.uid, &w) || w.index != i))
			abort();
		(void)jdb_map_user_by_uid(&m, u.uid + 1, &w);
	}
	for (i = 0; i < ng && i < 4096; i++) {
		if (!jdb_map_group_at(&m, i, &g))
			continue;
		for (k = 0; k < g.members_n && k < 4096; k++)
			(void)jdb_map_member(&m, &g, k);
		if (sound && (!jdb_map_group_by_name(&m, g.name, &h) || h.index != i ||
		              !jdb_map_group_by_gid(&m, g.gid, &h) || h.index != i))
			abort();
	}
	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
		(void)jdb_map_user_by_name(&m, names[j], &u);
		(void)jdb_map_group_by_name(&m, names[j], &g);
	}
	(void)jdb_map_group_by_gid(&m, 2000000000u, &g);
	jdb_map_close(&m);
	free(copy);
	return 0;
}
