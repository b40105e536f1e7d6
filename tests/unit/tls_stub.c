/* tls_stub.c - a tiny HTTP(S) server for unit tests; see tls_stub.h. */
#include "tls_stub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	gnutls_session_t tls; /* NULL for plain HTTP */
};

static ssize_t conn_read(struct conn *c, char *p, size_t n)
{
	ssize_t r;

	if (c->tls == NULL)
		return read(c->fd, p, n);
	do
		r = gnutls_record_recv(c->tls, p, n);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	return r;
}

static void conn_write(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = c->tls ? gnutls_record_send(c->tls, p, n) : write(c->fd, p, n);

		if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* The If-None-Match value of the request head req, or "" */
static void if_none_match(const char *req, char *out, size_t size)
{
	const char *p = req;

	out[0] = '\0';
	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, "If-None-Match:", 14) == 0) {
			size_t n;

			p += 14;
			while (*p == ' ')
				p++;
			n = strcspn(p, "\r\n");
			if (n >= size)
				n = size - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return;
		}
	}
}

static void answer(struct conn *c, struct stub_cfg *cfg)
{
	char req[2048], inm[128], head[1024];
	size_t len = 0;
	int n;

	while (len + 1 < sizeof(req)) {
		ssize_t r = conn_read(c, req + len, sizeof(req) - 1 - len);

		if (r <= 0)
			return;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[len] = '\0';
	memcpy(cfg->last_request, req, len + 1);
	cfg->requests++;
	if (cfg->delay_ms > 0) {
		struct timespec ts = {cfg->delay_ms / 1000, (cfg->delay_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
	if (cfg->drop)
		return;
	if_none_match(req, inm, sizeof(inm));
	if (cfg->etag[0] && strcmp(inm, cfg->etag) == 0) {
		cfg->answered_304++;
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 304 Not Modified\r\nETag: %s\r\nConnection: close\r\n\r\n",
			     cfg->etag);
		conn_write(c, head, (size_t)n);
		return;
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n", cfg->status,
		     cfg->body_len);
	if (cfg->ctype[0])
		n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Type: %s\r\n",
			      cfg->ctype);
	if (cfg->etag[0])
		n += snprintf(head + n, sizeof(head) - (size_t)n, "ETag: %s\r\n", cfg->etag);
	if (cfg->location[0])
		n +=
		    snprintf(head + n, sizeof(head) - (size_t)n, "Location: %s\r\n", cfg->location);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	conn_write(c, head, (size_t)n);
	conn_write(c, cfg->body, cfg->body_len);
}

static void serve(int lfd, struct stub_cfg *cfg, gnutls_certificate_credentials_t cred,
		  gnutls_priority_t prio)
{
	for (;;) {
		struct conn c = {-1, NULL};

		c.fd = accept(lfd, NULL, NULL);
		if (c.fd < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (cred) {
			int rc;

			gnutls_init(&c.tls, GNUTLS_SERVER);
			gnutls_priority_set(c.tls, prio);
			gnutls_credentials_set(c.tls, GNUTLS_CRD_CERTIFICATE, cred);
			gnutls_transport_set_int(c.tls, c.fd);
			gnutls_handshake_set_timeout(c.tls, 30000);
			do
				rc = gnutls_handshake(c.tls);
			while (rc < 0 && !gnutls_error_is_fatal(rc));
			if (rc < 0) {
				cfg->handshakes_failed++;
				gnutls_deinit(c.tls);
				close(c.fd);
				continue;
			}
		}
		answer(&c, cfg);
		if (c.tls) {
			gnutls_bye(c.tls, GNUTLS_SHUT_WR);
			gnutls_deinit(c.tls);
		}
		close(c.fd);
	}
}

static int listen_any(int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

void stub_set_body(struct stub *s, const char *body)
{
	size_t n = strlen(body);

	if (n >= sizeof(s->cfg->body))
		n = sizeof(s->cfg->body) - 1;
	memcpy(s->cfg->body, body, n);
	s->cfg->body[n] = '\0';
	s->cfg->body_len = n;
}

int stub_start(struct stub *s, const char *chain, const char *key, const char *priority)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_priority_t prio = NULL;
	int lfd;

	memset(s, 0, sizeof(*s));
	s->cfg =
	    mmap(NULL, sizeof(*s->cfg), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->cfg == MAP_FAILED)
		return -1;
	memset(s->cfg, 0, sizeof(*s->cfg));
	s->cfg->status = 200;
	snprintf(s->cfg->ctype, sizeof(s->cfg->ctype), "application/json");
	stub_set_body(s, "{\"keys\":[]}");
	lfd = listen_any(&s->port);
	if (lfd < 0)
		return -1;
	if (chain) {
		if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
		    gnutls_certificate_set_x509_key_file(cred, chain, key, GNUTLS_X509_FMT_PEM) <
			0 ||
		    gnutls_priority_init(&prio, priority ? priority : "NORMAL", NULL) < 0) {
			close(lfd);
			return -1;
		}
	}
	s->pid = fork();
	if (s->pid < 0) {
		close(lfd);
		return -1;
	}
	if (s->pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		alarm(120);
		serve(lfd, s->cfg, cred, prio);
		_exit(0);
	}
	close(lfd);
	if (cred) {
		gnutls_priority_deinit(prio);
		gnutls_certificate_free_credentials(cred);
	}
	return 0;
}

void stub_stop(struct stub *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->cfg && s->cfg != MAP_FAILED)
		munmap(s->cfg, sizeof(*s->cfg));
	s->cfg = NULL;
}
