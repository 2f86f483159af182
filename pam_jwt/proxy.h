/* An explicit HTTP proxy for the requests to the auth center.  It comes
 * only from configuration (`https_proxy`, `no_proxy` in pam_jwt.conf and
 * client.conf), never from the environment: libcurl's https_proxy,
 * HTTPS_PROXY, ALL_PROXY and NO_PROXY are overridden on every request
 * (see http.c).  The proxy is spoken to in plain HTTP and HTTPS goes
 * through it with CONNECT, so TLS with the auth center stays end to end
 * and the certificate checks are the same as without a proxy. */
#ifndef PJ_PROXY_H
#define PJ_PROXY_H

#define PJ_PROXY_MAX 512
#define PJ_NO_PROXY_MAX 2048

/* Non-zero when url is "http://HOST:PORT" with an optional trailing "/":
 * HOST a DNS name, an IPv4 address or a bracketed IPv6 address, PORT
 * 1..65535; no user name or password, path, query or other scheme. */
int pj_proxy_valid(const char *url);

/* Non-zero when list is "*" or host names, domain suffixes (".corp"),
 * IP addresses or CIDR ranges separated by commas and/or spaces: only
 * letters, digits and ". - : / [ ] *", at most PJ_NO_PROXY_MAX bytes. */
int pj_no_proxy_valid(const char *list);

#endif
