/* tls_stub.h - a tiny HTTP(S) server for the fetch/keysource unit tests.
 *
 * stub_start() forks a child that serves 127.0.0.1:PORT, one connection
 * at a time, one request per connection ("Connection: close"), with GnuTLS
 * when a certificate is given.  The answer is taken, for every request,
 * from the shared-memory struct stub_cfg that the test may change between
 * requests; the child counts what it served there.  The child exits on
 * stub_stop(), or by itself after 120 s (alarm) if the test dies.
 */
#ifndef JWTSIGN_TLS_STUB_H
#define JWTSIGN_TLS_STUB_H

#include <stddef.h>
#include <sys/types.h>

struct stub_cfg {
	int status;	  /* HTTP status (default 200) */
	char ctype[64];	  /* Content-Type ("" = none; default application/json) */
	char body[65536]; /* body (default {"keys":[]}) */
	size_t body_len;
	char etag[64];	    /* "" = no ETag; else sent, and If-None-Match equal to it
			     * gets 304 */
	char location[256]; /* sent as Location when not "" */
	int delay_ms;	    /* wait before answering */
	int drop;	    /* 1: close the connection without answering */
	/* counters, written by the child */
	volatile int handshakes_failed;
	volatile int requests;
	volatile int answered_304;
	char last_request[2048]; /* head of the last request */
};

struct stub {
	pid_t pid;
	int port;
	struct stub_cfg *cfg; /* shared with the child (mmap) */
};

/* stub_start - start the server.  chain/key: PEM files (certificate chain,
 * private key) for HTTPS, or NULL for plain HTTP.  priority: GnuTLS
 * priority string of the server (NULL = "NORMAL").  Returns 0 or -1. */
int stub_start(struct stub *s, const char *chain, const char *key, const char *priority);

/* stub_set_body - set the answer's body (NUL-terminated text). */
void stub_set_body(struct stub *s, const char *body);

/* stub_stop - stop the child and release the shared memory. */
void stub_stop(struct stub *s);

#endif
