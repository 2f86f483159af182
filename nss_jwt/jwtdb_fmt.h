/* The byte layout of the account database (see jwtdb.h), shared by its
 * reader and writer only. */
#ifndef PJ_JWTDB_FMT_H
#define PJ_JWTDB_FMT_H

#include <stddef.h>
#include <stdint.h>

#define JDB_MAGIC "PJWTADB1"
#define JDB_VERSION 1u
#define JDB_HEADER_SIZE 64u

/* header fields: byte offsets */
#define JDB_H_VERSION 8
#define JDB_H_FLAGS 12
#define JDB_H_N_USERS 16
#define JDB_H_N_GROUPS 20
#define JDB_H_OFF_USERS 24
#define JDB_H_OFF_UIDX 28
#define JDB_H_OFF_GROUPS 32
#define JDB_H_OFF_GIDX 36
#define JDB_H_OFF_POOL 40
#define JDB_H_N_POOL 44
#define JDB_H_OFF_STR 48
#define JDB_H_LEN_STR 52
#define JDB_H_FILE_SIZE 56
#define JDB_H_CHECKSUM 60

/* user record */
#define JDB_USER_REC 64u
#define JDB_U_NAME 0
#define JDB_U_GECOS 4
#define JDB_U_HOME 8
#define JDB_U_SHELL 12
#define JDB_U_ISS 16
#define JDB_U_SUB 20
#define JDB_U_UID 24
#define JDB_U_GID 28
#define JDB_U_FLAGS 32
#define JDB_U_GIDS_AT 36
#define JDB_U_GIDS_N 40
#define JDB_U_CREATED 44
#define JDB_U_LAST_LOGIN 52

/* group record */
#define JDB_GROUP_REC 32u
#define JDB_G_NAME 0
#define JDB_G_IDP_NAME 4
#define JDB_G_ISS 8
#define JDB_G_GID 12
#define JDB_G_FLAGS 16
#define JDB_G_MEMBERS_AT 20
#define JDB_G_MEMBERS_N 24

struct jdb;
struct jdb_user;
struct jdb_group;

uint32_t jdb_get32(const unsigned char *p);
void jdb_say(char *why, size_t whylen, const char *text);
/* jdb_add_user / jdb_add_group without the uniqueness checks, for a file
 * already verified (jdb_save checks again). */
int jdb_append_user(struct jdb *db, const struct jdb_user *u);
int jdb_append_group(struct jdb *db, const struct jdb_group *g);
uint32_t jdb_fnv32(const unsigned char *p, size_t n, uint32_t h);
uint32_t jdb_checksum(const unsigned char *base, size_t size);

#endif
