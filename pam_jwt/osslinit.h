/* How pam_jwt starts OpenSSL inside a PAM host. */
#ifndef PJ_OSSLINIT_H
#define PJ_OSSLINIT_H

/* Start libcrypto for a login.  When libcrypto was loaded into this
 * process by pam_jwt itself (it comes after pam_jwt.so in the process's
 * load order: the host does not use OpenSSL), it is started without
 * reading openssl.cnf, without error strings and without an exit handler:
 * verifying a signature needs none of them, and nothing else in the
 * process does.  When the host loaded libcrypto first, this does nothing,
 * and OpenSSL starts as the host configured it.  Returns 1 when the lean
 * start was used.  Safe to call more than once and from several threads
 * (OPENSSL_init_crypto is). */
int pj_openssl_init(void);

#endif
