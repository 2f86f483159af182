/* The offline PIN: a person who signed in online on this host within
 * offline_max may sign in or unlock with a PIN while the auth center
 * cannot be reached.
 *
 * The store (offline_dir, root's, 0700) holds one record per local
 * account, a JSON file of mode 0600: the identity (iss, sub) and the
 * claims of the last online sign-in, its time, the PIN's yescrypt hash
 * (libcrypt, "$y$") and the failure count with the time before which no
 * PIN is checked.  A record is only ever written after a token was
 * accepted (pj_offline_record) or a PIN was checked (pj_offline_check).
 * No PAM types here. */
#ifndef PJ_OFFLINE_H
#define PJ_OFFLINE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "options.h"
#include "pj_err.h"
#include "state.h"

#define PJ_DEFAULT_OFFLINE_DIR PJ_DEFAULT_STATE_DIR "/offline"
#define PJ_PIN_MIN 4
#define PJ_PIN_MAX 64
/* wrong PINs in a row after which the PIN is erased */
#define PJ_PIN_MAX_FAILURES 10
/* after n wrong PINs in a row no PIN is checked for 2^n seconds, at most */
#define PJ_PIN_DELAY_MAX 3600
/* pam-jwt pin set: the token must have been issued this recently */
#define PJ_PIN_FRESH 300
#define PJ_OFFLINE_RECORD_MAX (128 * 1024)

enum pj_pin_verdict {
	PJ_PIN_OK = 0, /* the PIN is right: *claims are the last online sign-in's */
	PJ_PIN_WRONG, /* a wrong PIN (counted) */
	PJ_PIN_WAIT, /* too soon after a wrong PIN: not checked */
	PJ_PIN_NONE, /* no usable PIN: none set, off, or the last online sign-in is too old */
	PJ_PIN_ONLINE, /* the auth center answers and offline_pin = when_offline */
	PJ_PIN_REFUSED /* the identity is revoked, or its account locked or taken */
};

/* The result of pj_offline_check. */
struct pj_pin_result {
	enum pj_pin_verdict verdict;
	int64_t wait; /* PJ_PIN_WAIT: seconds left */
	char iss[128], sub[96]; /* sanitised, for the log; "" when unknown */
	struct json_object *claims; /* PJ_PIN_OK: owned, release with json_object_put */
};

/* Non-zero when pin[0..len) may be a PIN: PJ_PIN_MIN..PJ_PIN_MAX bytes,
 * no control character, not shaped like the start of a token ("eyJ"). */
int pj_pin_valid(const char *pin, size_t len);

/* After a token was accepted online for the local account user: when
 * the configuration of the token's issuer (cfg routed already) has
 * offline_max, record the time, the identity and the claims, and when
 * pin is not NULL set the PIN (pin[0..pinlen), pj_pin_valid) with a new
 * salt, clearing the failure count.  A record of another identity for
 * the same account is replaced (with its PIN).  PJ_OK also when
 * offline_max is off (nothing is written).  Errors: PJ_E_FORMAT (not a
 * valid PIN), PJ_E_UNAVAILABLE (store not writable), PJ_E_CONFIG (store
 * unsafe). */
enum pj_status pj_offline_record(const struct pj_config *cfg, const char *user,
                                 const struct json_object *claims, int64_t now, const char *pin,
                                 size_t pinlen, struct pj_err *err);

/* Does user's record for the identity of claims hold a PIN?  *has 1 or 0
 * (0 too when the store or record is missing).  Errors: PJ_E_CONFIG. */
enum pj_status pj_offline_has_pin(const struct pj_config *cfg, const char *user,
                                  const struct json_object *claims, int *has, struct pj_err *err);

/* 1 when the auth center of cfg answers: a GET of its discovery document
 * (or jwks_uri) through the fetch helper completes with any HTTP status
 * within http_timeout over verified TLS; 0 when it does not (no route,
 * refused, time-out, TLS failure, helper failure), the reason in err.  A
 * configuration without an https issuer or jwks_uri has nothing to ask:
 * 1 (never offline). */
int pj_offline_probe(const struct pj_config *cfg, struct pj_err *err);

/* Check pin[0..len) for the local account user at time now, with the
 * module line's configuration base (routed here by the record's issuer):
 * no record, no PIN, offline_pin = off, no offline_max, or a last online
 * sign-in more than offline_max ago: PJ_PIN_NONE; the identity revoked
 * (revocation_file: its lines apply as to a token issued at the last
 * online sign-in), or the account of the database locked or bound to
 * another identity: PJ_PIN_REFUSED; within the delay after a wrong PIN:
 * PJ_PIN_WAIT; with when_offline and the auth center answering (probed
 * by pj_offline_probe): PJ_PIN_ONLINE.  Only then is the hash compared,
 * after the failure has been counted on disk (a check killed half-way
 * counts as wrong); a right PIN clears the count.  Fills *r (release
 * r->claims).  Errors (PJ_E_UNAVAILABLE, PJ_E_CONFIG) mean no decision. */
enum pj_status pj_offline_check(const struct pj_config *base, const char *user, const char *pin,
                                size_t len, int64_t now, struct pj_pin_result *r,
                                struct pj_err *err);

#endif
