/* The account database library (nss_jwt/jwtdb.h): the writer's model,
 * saving and loading, every reader lookup, limits, and damaged or unsafe
 * files.  A damaged file must never make the reader crash or read out of
 * bounds (run under ASan by tests/sanitize.sh) and must be refused by
 * jdb_map_verify.  Cases that need a root-owned file skip when not root. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "jwtdb.h"
#include "jwtdb_fmt.h"

#define ISS "https://idp.test"
#define BASE_UID 1000000000u

struct fx {
	char *dir, *path;
	struct jdb db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dir = tmp_dir();
	f->path = str_cat(f->dir, "/" JDB_FILE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	jdb_free(&f->db);
	free(f->path);
	tmp_remove(f->dir);
	free(f);
	return 0;
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip(); /* jdb_map_open takes only root-owned files */
}

static void add_group(struct jdb *db, const char *name, uint32_t gid, uint32_t flags)
{
	struct jdb_group g = { (char *)name, (char *)(flags ? "" : name), (char *)ISS, gid, flags };

	assert_int_equal(jdb_add_group(db, &g), 0);
}

static void add_user(struct jdb *db, const char *name, uint32_t uid, const uint32_t *gids, size_t n)
{
	char home[64];
	struct jdb_user u;

	snprintf(home, sizeof(home), "/home/%s", name);
	memset(&u, 0, sizeof(u));
	u.name = (char *)name;
	u.gecos = (char *)"A Person";
	u.home = home;
	u.shell = (char *)"/bin/bash";
	u.iss = (char *)ISS;
	u.sub = (char *)name;
	u.uid = uid;
	u.gid = uid;
	u.created = 1750000000;
	u.last_login = -2;
	u.gids = (uint32_t *)gids;
	u.n_gids = n;
	add_group(db, name, uid, JDB_GROUP_PRIVATE);
	assert_int_equal(jdb_add_user(db, &u), 0);
}

/* alice (2 groups), bob (1), carol (none), groups devs and admins. */
static void small_db(struct jdb *db)
{
	static const uint32_t ag[] = { 2000000001, 2000000002 }, bg[] = { 2000000001 };

	add_group(db, "devs", 2000000001, 0);
	add_group(db, "admins", 2000000002, 0);
	add_user(db, "bob", BASE_UID + 7, bg, 1);
	add_user(db, "alice", BASE_UID + 9, ag, 2);
	add_user(db, "carol", BASE_UID + 3, NULL, 0);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *p;
	long len = 0;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0)
		FAILF("cannot read %s", path);
	rewind(fp);
	p = malloc((size_t)len + 1);
	if (p == NULL || fread(p, 1, (size_t)len, fp) != (size_t)len)
		FAILF("cannot read %s", path);
	fclose(fp);
	*n = (size_t)len;
	return p;
}

/* The saved image of the small database. */
static unsigned char *small_image(struct fx *f, size_t *n)
{
	char why[128];

	small_db(&f->db);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), 0);
	return slurp(f->path, n);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void reseal(unsigned char *img, size_t n)
{
	put32(img + JDB_H_CHECKSUM, jdb_checksum(img, n));
}

/* Every lookup over a map that may be damaged: must not crash. */
static void touch_all(const struct jdb_map *m)
{
	static const char *names[] = { "alice", "bob", "carol", "devs", "admins", "zz", "" };
	struct jdb_uview u;
	struct jdb_gview g;
	uint32_t i, k;
	size_t j;

	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
		if (jdb_map_user_by_name(m, names[j], &u))
			for (k = 0; k < u.gids_n; k++)
				(void)jdb_map_user_gid(m, &u, k);
		if (jdb_map_group_by_name(m, names[j], &g))
			for (k = 0; k < g.members_n && k < 64; k++)
				(void)jdb_map_member(m, &g, k);
	}
	for (i = 0; i < 16; i++) {
		(void)jdb_map_user_by_uid(m, BASE_UID + i, &u);
		(void)jdb_map_group_by_gid(m, 2000000000 + i % 4, &g);
		(void)jdb_map_user_at(m, i, &u);
		if (jdb_map_group_at(m, i, &g))
			for (k = 0; k < g.members_n && k < 64; k++)
				(void)jdb_map_member(m, &g, k);
	}
}

static void test_round_trip_keeps_every_field(void **state)
{
	struct fx *f = *state;
	struct jdb back;
	struct jdb_user *u;
	char why[128];

	small_db(&f->db);
	f->db.users[1].flags = JDB_USER_LOCKED;
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), 0);
	need_root();
	assert_int_equal(jdb_load(f->path, &back, why, sizeof(why)), 0);
	assert_int_equal(back.n_users, 3);
	assert_int_equal(back.n_groups, 5);
	u = jdb_user_by_name(&back, "alice");
	assert_non_null(u);
	assert_string_equal(u->home, "/home/alice");
	assert_string_equal(u->gecos, "A Person");
	assert_string_equal(u->shell, "/bin/bash");
	assert_string_equal(u->iss, ISS);
	assert_string_equal(u->sub, "alice");
	assert_int_equal(u->uid, BASE_UID + 9);
	assert_int_equal(u->flags, JDB_USER_LOCKED);
	assert_true(u->created == 1750000000 && u->last_login == -2);
	assert_int_equal(u->n_gids, 2);
	assert_true(u->gids[0] == 2000000001 && u->gids[1] == 2000000002);
	assert_non_null(jdb_group_by_gid(&back, BASE_UID + 3));
	assert_int_equal(jdb_group_by_name(&back, "carol")->flags, JDB_GROUP_PRIVATE);
	assert_string_equal(jdb_group_by_name(&back, "devs")->idp_name, "devs");
	jdb_free(&back);
}

static void test_map_lookups_find_each_and_only_each(void **state)
{
	struct fx *f = *state;
	struct jdb_map m;
	struct jdb_uview u;
	struct jdb_gview g;
	char why[128];
	int seen_alice = 0, seen_bob = 0;
	uint32_t k;

	small_db(&f->db);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), 0);
	need_root();
	assert_int_equal(jdb_map_open(f->path, &m), 0);
	assert_int_equal(jdb_map_verify(&m), 0);
	assert_int_equal(jdb_map_current(&m, f->path), 1);
	assert_int_equal(jdb_map_n_users(&m), 3);
	assert_int_equal(jdb_map_n_groups(&m), 5);
	assert_true(jdb_map_user_by_name(&m, "bob", &u));
	assert_int_equal(u.uid, BASE_UID + 7);
	assert_string_equal(u.home, "/home/bob");
	assert_true(jdb_map_user_by_uid(&m, BASE_UID + 9, &u));
	assert_string_equal(u.name, "alice");
	assert_int_equal(u.gids_n, 2);
	assert_int_equal(jdb_map_user_gid(&m, &u, 1), 2000000002);
	assert_int_equal(jdb_map_user_gid(&m, &u, 2), (uint32_t)-1);
	assert_false(jdb_map_user_by_name(&m, "aaa", &u));
	assert_false(jdb_map_user_by_name(&m, "bobby", &u));
	assert_false(jdb_map_user_by_name(&m, "zed", &u));
	assert_false(jdb_map_user_by_uid(&m, BASE_UID + 8, &u));
	assert_false(jdb_map_user_at(&m, 3, &u));
	assert_true(jdb_map_group_by_name(&m, "devs", &g));
	assert_int_equal(g.gid, 2000000001);
	assert_int_equal(g.members_n, 2);
	for (k = 0; k < g.members_n; k++) {
		seen_alice += strcmp(jdb_map_member(&m, &g, k), "alice") == 0;
		seen_bob += strcmp(jdb_map_member(&m, &g, k), "bob") == 0;
	}
	assert_true(seen_alice == 1 && seen_bob == 1);
	assert_null(jdb_map_member(&m, &g, 2));
	assert_true(jdb_map_group_by_gid(&m, 2000000002, &g));
	assert_string_equal(g.name, "admins");
	assert_int_equal(g.members_n, 1);
	assert_string_equal(jdb_map_member(&m, &g, 0), "alice");
	assert_true(jdb_map_group_by_gid(&m, BASE_UID + 3, &g));
	assert_int_equal(g.flags, JDB_GROUP_PRIVATE);
	assert_int_equal(g.members_n, 0);
	assert_false(jdb_map_group_by_gid(&m, 2000000003, &g));
	assert_false(jdb_map_group_by_name(&m, "nobody", &g));
	assert_false(jdb_map_group_at(&m, 5, &g));
	/* a new file behind the path: the map is no longer current */
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), 0);
	assert_int_equal(jdb_map_current(&m, f->path), 0);
	jdb_map_close(&m);
}

/* Binary searches over many records, ids not in name order. */
static void test_many_accounts_all_found(void **state)
{
	struct fx *f = *state;
	struct jdb_map m;
	struct jdb_uview u;
	struct jdb_gview g;
	char why[128], name[32];
	uint32_t i, n = 3000;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%u", (i * 7919u) % n);
		add_user(&f->db, name, BASE_UID + (i * 104729u) % 1000003u, NULL, 0);
	}
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), 0);
	need_root();
	assert_int_equal(jdb_map_open(f->path, &m), 0);
	assert_int_equal(jdb_map_verify(&m), 0);
	for (i = 0; i < n; i++) {
		const struct jdb_user *w = &f->db.users[i];

		assert_true(jdb_map_user_by_name(&m, w->name, &u));
		assert_int_equal(u.uid, w->uid);
		assert_true(jdb_map_user_by_uid(&m, w->uid, &u));
		assert_string_equal(u.name, w->name);
		assert_true(jdb_map_group_by_gid(&m, w->gid, &g));
		assert_string_equal(g.name, w->name);
	}
	jdb_map_close(&m);
}

static void test_names_and_ids(void **state)
{
	uint32_t a, b;

	(void)state;
	assert_true(jdb_name_ok("alice"));
	assert_true(jdb_name_ok("a.b-c_d@corp"));
	assert_true(jdb_name_ok("1a"));
	assert_true(jdb_name_ok("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(jdb_name_ok("abcdefghijklmnopqrstuvwxyz0123456"));
	assert_false(jdb_name_ok(""));
	assert_false(jdb_name_ok(NULL));
	assert_false(jdb_name_ok("12345"));
	assert_false(jdb_name_ok("-rf"));
	assert_false(jdb_name_ok(".hidden"));
	assert_false(jdb_name_ok("@x"));
	assert_false(jdb_name_ok("Alice"));
	assert_false(jdb_name_ok("a:b"));
	assert_false(jdb_name_ok("a/b"));
	assert_false(jdb_name_ok("a b"));
	assert_false(jdb_name_ok("a\nb"));
	a = jdb_id_candidate(ISS, "alice", BASE_UID, 1999999999, 0);
	b = jdb_id_candidate(ISS, "alice", BASE_UID, 1999999999, 1);
	assert_int_equal(a, jdb_id_candidate(ISS, "alice", BASE_UID, 1999999999, 0));
	assert_true(a >= BASE_UID && a <= 1999999999 && b >= BASE_UID && b <= 1999999999);
	assert_true(a != b);
	assert_true(a != jdb_id_candidate("https://other", "alice", BASE_UID, 1999999999, 0));
	assert_int_equal(jdb_id_candidate(ISS, "alice", 5, 5, 3), 5);
	assert_int_equal(jdb_id_candidate(ISS, "alice", 9, 5, 0), 9);
}

static void test_limits_refused(void **state)
{
	struct fx *f = *state;
	static uint32_t many[JDB_MAX_USER_GROUPS + 1];
	char why[128], *big;
	uint32_t missing = 42;

	small_db(&f->db);
	assert_int_equal(jdb_set_user_gids(&f->db.users[0], many, JDB_MAX_USER_GROUPS + 1), -1);
	/* a supplementary group the database does not have */
	assert_int_equal(jdb_set_user_gids(&f->db.users[0], &missing, 1), 0);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "group"));
	assert_int_equal(jdb_set_user_gids(&f->db.users[0], NULL, 0), 0);
	/* a string longer than the reader takes */
	big = malloc(JDB_MAX_STRING + 1);
	assert_non_null(big);
	memset(big, 'x', JDB_MAX_STRING);
	big[JDB_MAX_STRING] = '\0';
	free(f->db.users[0].gecos);
	f->db.users[0].gecos = big;
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), -1);
	assert_int_equal(access(f->path, F_OK), -1);
	/* a name the database does not accept */
	big[JDB_MAX_STRING - 1] = '\0';
	free(f->db.users[0].name);
	f->db.users[0].name = strdup("Root");
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), -1);
}

static void test_duplicates_refused(void **state)
{
	struct fx *f = *state;
	struct jdb_user u;
	struct jdb_group g;
	char why[128];

	small_db(&f->db);
	u = f->db.users[0];
	assert_int_equal(jdb_add_user(&f->db, &u), -1); /* same name, same uid */
	u.name = (char *)"other";
	assert_int_equal(jdb_add_user(&f->db, &u), -1); /* same uid */
	g = f->db.groups[0];
	assert_int_equal(jdb_add_group(&f->db, &g), -1);
	/* bypassing the model's checks, jdb_save still refuses */
	assert_int_equal(jdb_append_user(&f->db, &u), 0);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), -1);
	assert_string_equal(why, "two users with one UID");
	f->db.users[3].uid = 5;
	free(f->db.users[3].name);
	f->db.users[3].name = strdup(f->db.users[0].name);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), -1);
	assert_string_equal(why, "two users with one name");
	free(f->db.users[3].name);
	f->db.users[3].name = strdup("dave");
	assert_int_equal(jdb_remove_user(&f->db, "alice"), 0);
	assert_int_equal(jdb_remove_user(&f->db, "alice"), -1);
	assert_null(jdb_group_by_name(&f->db, "alice")); /* its private group went too */
	g.name = (char *)"devs2";
	assert_int_equal(jdb_append_group(&f->db, &g), 0);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), -1);
	assert_string_equal(why, "two groups with one GID");
	assert_int_equal(access(f->path, F_OK), -1);
}

static void test_remove_group_drops_memberships(void **state)
{
	struct fx *f = *state;

	small_db(&f->db);
	assert_int_equal(jdb_remove_group(&f->db, "devs"), 0);
	assert_int_equal(jdb_user_by_name(&f->db, "bob")->n_gids, 0);
	assert_int_equal(jdb_user_by_name(&f->db, "alice")->n_gids, 1);
	assert_int_equal(jdb_remove_group(&f->db, "devs"), -1);
}

/* Every prefix of a good file: refused, never read past its end. */
static void attack_truncated_file(void **state)
{
	struct fx *f = *state;
	struct jdb_map m;
	size_t n, cut;
	unsigned char *img = small_image(f, &n);

	for (cut = 0; cut < n; cut++) {
		unsigned char *p = malloc(cut + 1);

		memcpy(p, img, cut);
		if (jdb_map_from_buffer(p, cut, &m) == 0) {
			touch_all(&m);
			assert_int_equal(jdb_map_verify(&m), -1);
		}
		free(p);
	}
	need_root();
	img[JDB_H_FILE_SIZE] ^= 1;
	free(tmp_write(f->dir, "cut.db", img, n - 1, 0644));
	{
		char *p = str_cat(f->dir, "/cut.db");

		assert_int_equal(jdb_map_open(p, &m), -1);
		assert_int_equal(errno, EINVAL);
		free(p);
	}
	free(img);
}

/* Every bit of a good file flipped in turn: verify refuses each. */
static void attack_flipped_bits(void **state)
{
	struct fx *f = *state;
	struct jdb_map m;
	size_t n, i;
	unsigned char *img = small_image(f, &n);
	int bit;

	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			img[i] ^= (unsigned char)(1u << bit);
			if (jdb_map_from_buffer(img, n, &m) == 0) {
				touch_all(&m);
				if (jdb_map_verify(&m) == 0)
					FAILF("byte %zu bit %d flipped: verify says sound", i, bit);
			}
			img[i] ^= (unsigned char)(1u << bit);
		}
	assert_int_equal(jdb_map_from_buffer(img, n, &m), 0);
	assert_int_equal(jdb_map_verify(&m), 0);
	free(img);
}

/* Damage with a valid checksum (a buggy or hostile writer): every
 * offset, index and order the reader relies on is checked. */
static int n_sound;

static void expect_refused(unsigned char *img, size_t n, const char *what)
{
	struct jdb_map m;

	reseal(img, n);
	if (jdb_map_from_buffer(img, n, &m) != 0)
		return;
	touch_all(&m);
	if (jdb_map_verify(&m) == 0) {
		printf("# %s: verify says sound\n", what);
		n_sound++;
	}
}

/* img with the records of size rec at `at` and `at + rec` swapped. */
static void swapped(const unsigned char *img, unsigned char *copy, size_t n, size_t at, size_t rec,
                    const char *what)
{
	memcpy(copy, img, n);
	memcpy(copy + at, img + at + rec, rec);
	memcpy(copy + at + rec, img + at, rec);
	expect_refused(copy, n, what);
}

static void attack_offsets_out_of_range(void **state)
{
	struct fx *f = *state;
	size_t n;
	unsigned char *img = small_image(f, &n), *copy = malloc(n);
	uint32_t users = jdb_get32(img + JDB_H_OFF_USERS),
	         groups = jdb_get32(img + JDB_H_OFF_GROUPS);
	uint32_t uidx = jdb_get32(img + JDB_H_OFF_UIDX), pool = jdb_get32(img + JDB_H_OFF_POOL);
	uint32_t gidx = jdb_get32(img + JDB_H_OFF_GIDX), lenstr = jdb_get32(img + JDB_H_LEN_STR);
	static const size_t ufields[] = { JDB_U_NAME,  JDB_U_GECOS, JDB_U_HOME,
		                          JDB_U_SHELL, JDB_U_ISS,   JDB_U_SUB };
	static const uint32_t bad[] = { 0xffffffffu, 0x80000000u, 0x7fffffffu };
	size_t i, j;

	n_sound = 0;
#define TRY(at, v, what) \
	do { \
		memcpy(copy, img, n); \
		put32(copy + (at), (v)); \
		expect_refused(copy, n, what); \
	} while (0)
	for (j = 0; j < 3; j++) {
		for (i = 0; i < 6; i++)
			TRY(users + ufields[i], bad[j], "user string offset");
		TRY(users + JDB_U_NAME, lenstr, "user name at the end of the pool");
		TRY(users + JDB_U_GIDS_AT, bad[j], "user gids_at");
		TRY(users + JDB_U_GIDS_N, bad[j], "user gids_n");
		TRY(groups + JDB_G_NAME, bad[j], "group name offset");
		TRY(groups + JDB_G_MEMBERS_AT, bad[j], "group members_at");
		TRY(groups + JDB_G_MEMBERS_N, bad[j], "group members_n");
		TRY(uidx, bad[j], "uid index entry");
		TRY(gidx, bad[j], "gid index entry");
		for (i = JDB_H_N_USERS; i < JDB_H_CHECKSUM; i += 4)
			TRY(i, bad[j], "header field");
	}
	/* a member that is no user of the file */
	memcpy(copy, img, n);
	for (i = 0; i < jdb_get32(img + JDB_H_N_POOL); i++)
		put32(copy + pool + 4 * i, 3);
	expect_refused(copy, n, "member index past the users");
	/* two records swapped: binary searches would miss names and ids */
	swapped(img, copy, n, users, JDB_USER_REC, "users out of name order");
	swapped(img, copy, n, uidx, 4, "uid index out of order");
	swapped(img, copy, n, groups, JDB_GROUP_REC, "groups out of name order");
	swapped(img, copy, n, gidx, 4, "gid index out of order");
	memcpy(copy, img, n);
	memcpy(copy + users + JDB_U_NAME, img + users + JDB_USER_REC + JDB_U_NAME, 4);
	expect_refused(copy, n, "two users with one name");
	memcpy(copy, img, n);
	put32(copy + pool, 2000000003);
	expect_refused(copy, n, "a user in a group the file does not have");
#undef TRY
	assert_int_equal(n_sound, 0);
	free(copy);
	free(img);
}

static void attack_unsafe_file_refused(void **state)
{
	struct fx *f = *state;
	struct jdb_map m;
	struct jdb back;
	char why[128], *link;

	need_root();
	small_db(&f->db);
	assert_int_equal(jdb_save(f->path, &f->db, why, sizeof(why)), 0);
	assert_int_equal(chown(f->path, 1, 0), 0); /* owned by another user */
	assert_int_equal(jdb_map_open(f->path, &m), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(jdb_load(f->path, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "root"));
	assert_int_equal(chown(f->path, 0, 0), 0);
	assert_int_equal(chmod(f->path, 0664), 0); /* group-writable */
	assert_int_equal(jdb_map_open(f->path, &m), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(chmod(f->path, 0646), 0); /* world-writable */
	assert_int_equal(jdb_map_open(f->path, &m), -1);
	assert_int_equal(chmod(f->path, 0644), 0);
	link = str_cat(f->dir, "/link.db"); /* a symlink to a good file */
	assert_int_equal(symlink(f->path, link), 0);
	assert_int_equal(jdb_map_open(link, &m), -1);
	free(link);
	assert_int_equal(jdb_map_open(f->dir, &m), -1); /* a directory */
	assert_int_equal(jdb_map_open(f->path, &m), 0);
	jdb_map_close(&m);
}

static void test_missing_file_is_empty(void **state)
{
	struct fx *f = *state;
	struct jdb_map m;
	char why[128];

	assert_int_equal(jdb_map_open(f->path, &m), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(m.base);
	assert_int_equal(jdb_map_n_users(&m), 0);
	assert_int_equal(jdb_load(f->path, &f->db, why, sizeof(why)), 0);
	assert_int_equal(f->db.n_users, 0);
}

static void test_lock_excludes(void **state)
{
	struct fx *f = *state;
	int a = jdb_lock(f->dir, 1000), b;

	assert_true(a >= 0);
	b = jdb_lock(f->dir, 50);
	assert_int_equal(b, -1);
	jdb_unlock(a);
	b = jdb_lock(f->dir, 50);
	assert_true(b >= 0);
	jdb_unlock(b);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_round_trip_keeps_every_field),
		T(test_map_lookups_find_each_and_only_each),
		T(test_many_accounts_all_found),
		T(test_names_and_ids),
		T(test_limits_refused),
		T(test_duplicates_refused),
		T(test_remove_group_drops_memberships),
		T(attack_truncated_file),
		T(attack_flipped_bits),
		T(attack_offsets_out_of_range),
		T(attack_unsafe_file_refused),
		T(test_missing_file_is_empty),
		T(test_lock_excludes),
	};

	return cmocka_run_group_tests_name("jwtdb", tests, NULL, NULL);
}
