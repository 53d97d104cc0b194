/*
 * load_gen -- a bounded HTTP load generator for the crash tests, and the
 * check that follows them.
 *
 *   load_gen post   --addr HOST:PORT --token TOKEN --out FILE
 *                   [--conns N] [--max REQUESTS] [--secs SECONDS]
 *                   [--area CODE] [--tag TEXT]
 *   load_gen verify --addr HOST:PORT --token TOKEN --in FILE
 *
 * post: N threads, one HTTP/1.1 keep-alive connection each (plain POSIX
 * sockets), POST /v1/alerts with a distinct yellow alert per request
 * (docs/API.md). After a complete 201 response arrives, its "hash" is
 * appended to FILE as one line and the line is flushed (fflush, no fsync:
 * the test kills the server, not the machine). FILE therefore holds exactly
 * the acknowledged hashes. A 503 (busy) is retried after 20 ms; any other
 * status is a broken test and stops the run with exit status 2. The run
 * ends when REQUESTS requests were sent, SECONDS have passed, or the server
 * goes away (a connection fails and the reconnect is refused); the last two
 * are normal ends, exit status 0. Prints "answered N acknowledged A" on
 * stdout (N responses of any status, A of them 201).
 *
 * verify: GET /v1/records/{hash} for every line of FILE on one connection;
 * prints "acknowledged N lost M" (lost = 404) and exits 1 if M > 0, 2 on any
 * other status or I/O error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LG_IO_TIMEOUT_S 10
#define LG_BODY_MAX (1u << 20)
#define LG_MAX_CONNS 64

struct lg_opts {
	const char *mode, *addr, *token, *file, *area, *tag;
	long conns, max_requests, secs;
};

/* One connection and its receive buffer. */
struct lg_conn {
	int fd;
	char buf[8192];
	size_t len, off;
};

struct lg_resp {
	int status;
	int close;   /* server said Connection: close */
	char *body;  /* NUL-terminated, heap */
	size_t body_len;
};

static struct addrinfo *lg_ai;
static char lg_host[300];
static struct lg_opts lg_o;
static FILE *lg_out;
static pthread_mutex_t lg_out_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_long lg_claimed, lg_answered, lg_acked;
static atomic_int lg_stop, lg_failed;
static struct timespec lg_deadline;

static void lg_conn_close(struct lg_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = c->off = 0;
}

/* 0 on success, -1 if no connection could be made (server gone). */
static int lg_conn_open(struct lg_conn *c)
{
	struct timeval tv = {.tv_sec = LG_IO_TIMEOUT_S};
	int one = 1;

	lg_conn_close(c);
	c->fd = socket(lg_ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, lg_ai->ai_addr, lg_ai->ai_addrlen) != 0) {
		lg_conn_close(c);
		return -1;
	}
	return 0;
}

static int lg_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int lg_fill(struct lg_conn *c)
{
	ssize_t r;

	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof(c->buf))
		return -1; /* header line longer than the buffer */
	do
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	return 0;
}

/* Next header line without its CRLF, NUL-terminated in place. */
static char *lg_line(struct lg_conn *c)
{
	for (;;) {
		char *s = c->buf + c->off;
		char *nl = memchr(s, '\n', c->len - c->off);
		if (nl) {
			*nl = '\0';
			if (nl > s && nl[-1] == '\r')
				nl[-1] = '\0';
			c->off = (size_t)(nl + 1 - c->buf);
			return s;
		}
		if (lg_fill(c) != 0)
			return NULL;
	}
}

/* Reads one response. 0 on success, -1 on I/O or protocol error. */
static int lg_read_resp(struct lg_conn *c, struct lg_resp *r)
{
	long clen = -1;
	char *l;

	memset(r, 0, sizeof(*r));
	l = lg_line(c);
	if (!l || sscanf(l, "HTTP/1.%*d %d", &r->status) != 1)
		return -1;
	while ((l = lg_line(c)) && *l) {
		if (strncasecmp(l, "Content-Length:", 15) == 0)
			clen = strtol(l + 15, NULL, 10);
		else if (strncasecmp(l, "Connection:", 11) == 0 && strstr(l, "close"))
			r->close = 1;
		else if (strncasecmp(l, "Transfer-Encoding:", 18) == 0)
			return -1; /* the API always sends Content-Length */
	}
	if (!l || clen < 0 || clen > (long)LG_BODY_MAX)
		return -1;
	r->body = malloc((size_t)clen + 1);
	if (!r->body)
		return -1;
	while (r->body_len < (size_t)clen) {
		size_t have = c->len - c->off, want = (size_t)clen - r->body_len;
		if (have == 0) {
			if (lg_fill(c) != 0) {
				free(r->body);
				r->body = NULL;
				return -1;
			}
			continue;
		}
		if (have > want)
			have = want;
		memcpy(r->body + r->body_len, c->buf + c->off, have);
		c->off += have;
		r->body_len += have;
	}
	r->body[r->body_len] = '\0';
	return 0;
}

/* Sends one request and reads its response; reconnects once if a kept-alive
 * connection was closed. 0 on success, -1 if the server is gone. */
static int lg_exchange(struct lg_conn *c, const char *req, size_t req_len,
    struct lg_resp *r)
{
	int fresh = 0;

	if (c->fd < 0) {
		if (lg_conn_open(c) != 0)
			return -1;
		fresh = 1;
	}
	if (lg_write_all(c->fd, req, req_len) == 0 && lg_read_resp(c, r) == 0) {
		if (r->close)
			lg_conn_close(c);
		return 0;
	}
	lg_conn_close(c);
	if (fresh)
		return -1;
	return lg_exchange(c, req, req_len, r);
}

static int lg_past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > lg_deadline.tv_sec ||
	    (now.tv_sec == lg_deadline.tv_sec && now.tv_nsec >= lg_deadline.tv_nsec);
}

static int lg_record_ack(const char *body)
{
	json_error_t jerr;
	json_t *doc = json_loads(body, 0, &jerr);
	const char *h = doc ? json_string_value(json_object_get(doc, "hash")) : NULL;
	int ok = h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;

	if (ok) {
		pthread_mutex_lock(&lg_out_mu);
		ok = fprintf(lg_out, "%s\n", h) > 0 && fflush(lg_out) == 0;
		pthread_mutex_unlock(&lg_out_mu);
	}
	json_decref(doc);
	return ok ? 0 : -1;
}

static void *lg_post_thread(void *arg)
{
	long id = (long)(intptr_t)arg, i = 0;
	struct lg_conn c = {.fd = -1};
	char body[512], req[1024];

	while (!atomic_load(&lg_stop) && !lg_past_deadline() &&
	    atomic_fetch_add(&lg_claimed, 1) < lg_o.max_requests) {
		struct lg_resp r;
		int bn = snprintf(body, sizeof(body),
		    "{\"grade\":\"yellow\",\"areas\":[\"%s\"],\"texts\":[{\"lang\":"
		    "\"en-US\",\"event\":\"Load\",\"headline\":\"load %s %ld-%ld\"}]}",
		    lg_o.area, lg_o.tag, id, i++);
		int rn = snprintf(req, sizeof(req),
		    "POST /v1/alerts HTTP/1.1\r\nHost: %s\r\n"
		    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
		    "Content-Length: %d\r\n\r\n%s", lg_host, lg_o.token, bn, body);

		if (bn < 0 || (size_t)bn >= sizeof(body) || rn < 0 ||
		    (size_t)rn >= sizeof(req)) {
			fprintf(stderr, "load_gen: request too long\n");
			atomic_store(&lg_failed, 1);
			break;
		}
		if (lg_exchange(&c, req, (size_t)rn, &r) != 0)
			break; /* server gone: a normal end */
		atomic_fetch_add(&lg_answered, 1);
		if (r.status == 201 && lg_record_ack(r.body) == 0) {
			atomic_fetch_add(&lg_acked, 1);
		} else if (r.status == 503) {
			nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
		} else {
			fprintf(stderr, "load_gen: POST /v1/alerts: %d %s\n", r.status,
			    r.body ? r.body : "");
			atomic_store(&lg_failed, 1);
		}
		free(r.body);
		if (atomic_load(&lg_failed))
			break;
	}
	atomic_store(&lg_stop, 1);
	lg_conn_close(&c);
	return NULL;
}

static int lg_post(void)
{
	pthread_t th[LG_MAX_CONNS];
	long n;

	lg_out = fopen(lg_o.file, "a");
	if (!lg_out) {
		perror(lg_o.file);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &lg_deadline);
	lg_deadline.tv_sec += lg_o.secs;
	for (n = 0; n < lg_o.conns; n++) {
		if (pthread_create(&th[n], NULL, lg_post_thread, (void *)(intptr_t)n)) {
			fprintf(stderr, "load_gen: pthread_create failed\n");
			atomic_store(&lg_stop, 1);
			atomic_store(&lg_failed, 1);
			break;
		}
	}
	while (n-- > 0)
		pthread_join(th[n], NULL);
	if (fclose(lg_out) != 0)
		atomic_store(&lg_failed, 1);
	printf("answered %ld acknowledged %ld\n", atomic_load(&lg_answered),
	    atomic_load(&lg_acked));
	return atomic_load(&lg_failed) ? 2 : 0;
}

static int lg_verify(void)
{
	struct lg_conn c = {.fd = -1};
	FILE *in = fopen(lg_o.file, "r");
	long acked = 0, lost = 0;
	char line[256], req[1024];

	if (!in) {
		perror(lg_o.file);
		return 2;
	}
	while (fgets(line, sizeof(line), in)) {
		struct lg_resp r;
		int rn;

		line[strcspn(line, "\r\n")] = '\0';
		if (strlen(line) != 64 || strspn(line, "0123456789abcdef") != 64) {
			fprintf(stderr, "load_gen: %s: not a hash: '%s'\n", lg_o.file, line);
			fclose(in);
			return 2;
		}
		rn = snprintf(req, sizeof(req),
		    "GET /v1/records/%s HTTP/1.1\r\nHost: %s\r\n"
		    "Authorization: Bearer %s\r\n\r\n", line, lg_host, lg_o.token);
		if (rn < 0 || (size_t)rn >= sizeof(req) ||
		    lg_exchange(&c, req, (size_t)rn, &r) != 0) {
			fprintf(stderr, "load_gen: GET /v1/records/%s: no response\n", line);
			fclose(in);
			return 2;
		}
		acked++;
		if (r.status == 404) {
			lost++;
			fprintf(stderr, "lost %s\n", line);
		} else if (r.status != 200) {
			fprintf(stderr, "load_gen: GET /v1/records/%s: %d %s\n", line,
			    r.status, r.body);
			free(r.body);
			fclose(in);
			return 2;
		}
		free(r.body);
	}
	fclose(in);
	lg_conn_close(&c);
	printf("acknowledged %ld lost %ld\n", acked, lost);
	return lost ? 1 : 0;
}

/* HOST:PORT or [V6]:PORT -> lg_ai; HOST:PORT is also the Host header. */
static int lg_resolve(const char *addr)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	char host[256];
	const char *colon = strrchr(addr, ':');
	size_t hl;

	if (!colon || colon == addr || strlen(addr) >= sizeof(lg_host))
		return -1;
	hl = (size_t)(colon - addr);
	if (addr[0] == '[' && colon[-1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	strcpy(lg_host, lg_o.addr);
	return getaddrinfo(host, colon + 1, &hints, &lg_ai) == 0 ? 0 : -1;
}

static long lg_num(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= min && v <= max ? v : -1;
}

static int lg_usage(void)
{
	fprintf(stderr,
	    "usage: load_gen post --addr HOST:PORT --token TOKEN --out FILE\n"
	    "           [--conns N] [--max REQUESTS] [--secs SECONDS] [--area CODE] [--tag TEXT]\n"
	    "       load_gen verify --addr HOST:PORT --token TOKEN --in FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	int i;

	lg_o = (struct lg_opts){.conns = 4, .max_requests = 100000, .secs = 60,
	    .area = "120116", .tag = "lg"};
	if (argc < 2)
		return lg_usage();
	lg_o.mode = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--addr"))
			lg_o.addr = v;
		else if (!strcmp(k, "--token"))
			lg_o.token = v;
		else if (!strcmp(k, "--out") || !strcmp(k, "--in"))
			lg_o.file = v;
		else if (!strcmp(k, "--area"))
			lg_o.area = v;
		else if (!strcmp(k, "--tag"))
			lg_o.tag = v;
		else if (!strcmp(k, "--conns"))
			lg_o.conns = lg_num(v, 1, LG_MAX_CONNS);
		else if (!strcmp(k, "--max"))
			lg_o.max_requests = lg_num(v, 1, 100000000);
		else if (!strcmp(k, "--secs"))
			lg_o.secs = lg_num(v, 1, 86400);
		else
			return lg_usage();
	}
	if (i != argc || !lg_o.addr || !lg_o.token || !lg_o.file || lg_o.conns < 0 ||
	    lg_o.max_requests < 0 || lg_o.secs < 0)
		return lg_usage();
	if (lg_resolve(lg_o.addr) != 0) {
		fprintf(stderr, "load_gen: cannot resolve %s\n", lg_o.addr);
		return 2;
	}
	if (!strcmp(lg_o.mode, "post"))
		return lg_post();
	if (!strcmp(lg_o.mode, "verify"))
		return lg_verify();
	return lg_usage();
}
