/* Per-token cost in a warm process, for one token and its key:
 *   warm MODE PEMKEY JWKS TOKEN ITERATIONS [NOW]
 * MODE: raw       OpenSSL's signature check alone, key pre-loaded (the limit)
 *       validate  pam_jwt's pj_validate_with_keys, keys pre-loaded
 *       libjwt    libjwt's jwt_decode (the peer; it parses the PEM key each time)
 * Runs the check ITERATIONS times and prints "ok NS_PER_TOKEN" (wall clock),
 * or "refused" when a check fails.  Callgrind is run on two iteration
 * counts by bench/run.sh to get instructions per token. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "jwk.h"
#include "options.h"
#include "validate.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		exit(2);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		buf[--*len] = '\0';
	return buf;
}

struct raw {
	EVP_PKEY *pkey;
	const char *md;
	int pss;
	unsigned char *sig;
	size_t siglen;
	const char *msg;
	size_t msglen;
};

static int raw_once(const struct raw *r)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int ok = m != NULL && EVP_DigestVerifyInit_ex(m, &pc, r->md, NULL, NULL, r->pkey, NULL) == 1;

	if (ok && r->pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) == 1;
	ok = ok && EVP_DigestVerify(m, r->sig, r->siglen, (const unsigned char *)r->msg, r->msglen) == 1;
	EVP_MD_CTX_free(m);
	return ok;
}

static void raw_setup(struct raw *r, const char *pemfile, const char *tok, size_t len)
{
	const char *d1 = strchr(tok, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	unsigned char *hdr = NULL, *sig = NULL;
	size_t hlen = 0, slen = 0;
	FILE *f = fopen(pemfile, "r");

	if (f == NULL || d2 == NULL)
		exit(2);
	r->pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (r->pkey == NULL || b64_decode(tok, (size_t)(d1 - tok), &hdr, &hlen) != 0 ||
	    b64_decode(d2 + 1, len - (size_t)(d2 + 1 - tok), &sig, &slen) != 0)
		exit(2);
	r->msg = tok;
	r->msglen = (size_t)(d2 - tok);
	r->md = strstr((char *)hdr, "256") ? "SHA256" : strstr((char *)hdr, "384") ? "SHA384" : "SHA512";
	r->pss = strstr((char *)hdr, "\"PS") != NULL;
	if (strstr((char *)hdr, "EdDSA") != NULL)
		r->md = NULL;
	if (strstr((char *)hdr, "\"ES") != NULL) {
		/* JOSE r||s -> DER once, outside the loop */
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *der = NULL;
		int dl;

		ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)slen / 2, NULL),
			       BN_bin2bn(sig + slen / 2, (int)slen / 2, NULL));
		dl = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		free(sig);
		r->sig = der;
		r->siglen = (size_t)dl;
	} else {
		r->sig = sig;
		r->siglen = slen;
	}
	free(hdr);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *mode;
	char *tok, *pem, *jwks;
	size_t toklen, pemlen, jwkslen;
	long iters, i;
	int64_t now;
	double t0, t1;
	int ok = 1;

	if (argc < 6) {
		fprintf(stderr, "usage: warm raw|validate|libjwt PEMKEY JWKS TOKEN ITERATIONS [NOW]\n");
		return 2;
	}
	mode = argv[1];
	pem = slurp(argv[2], &pemlen);
	jwks = slurp(argv[3], &jwkslen);
	tok = slurp(argv[4], &toklen);
	iters = strtol(argv[5], NULL, 10);
	now = argc > 6 ? strtoll(argv[6], NULL, 10) : (int64_t)time(NULL);

	if (strcmp(mode, "raw") == 0) {
		struct raw r;

		raw_setup(&r, argv[2], tok, toklen);
		t0 = now_ns();
		for (i = 0; i < iters && ok; i++)
			ok = raw_once(&r);
		t1 = now_ns();
	} else if (strcmp(mode, "validate") == 0) {
		struct pj_config cfg;
		struct pj_keyset *set = calloc(1, sizeof(*set));
		struct pj_err err;
		struct pj_decision d;

		if (set == NULL || pj_config_init(&cfg, &err) != PJ_OK ||
		    pj_opt_arg(&cfg, "issuer=https://bench.pam-jwt.test", &err) != PJ_OK ||
		    pj_opt_arg(&cfg, "audience=ssh://bench-host", &err) != PJ_OK ||
		    pj_opt_arg(&cfg, "min_uid=1", &err) != PJ_OK ||
		    pj_jwks_add(set, jwks, jwkslen, &err) != PJ_OK)
			return 2;
		t0 = now_ns();
		for (i = 0; i < iters && ok; i++) {
			ok = pj_validate_with_keys(&cfg, set, tok, toklen, "daemon", now, &d) == PJ_OK;
			if (!ok)
				fprintf(stderr, "warm: %s\n", d.err.reason);
			pj_decision_free(&d);
		}
		t1 = now_ns();
	} else if (strcmp(mode, "libjwt") == 0) {
		t0 = now_ns();
		for (i = 0; i < iters && ok; i++) {
			jwt_t *j = NULL;

			ok = jwt_decode(&j, tok, (const unsigned char *)pem, (int)pemlen) == 0;
			jwt_free(j);
		}
		t1 = now_ns();
	} else {
		return 2;
	}
	if (!ok) {
		printf("refused\n");
		return 1;
	}
	printf("ok %.0f\n", (t1 - t0) / (double)iters);
	return 0;
}
