/*
 * coap_fanout.c -- benchmark (not a test): how long after the 201 of
 * POST /v1/alerts the last of N CoAP observers of /alerts/<area> holds
 * its notification, beside a raw UDP floor measured in the same run.
 *
 *   bench_coap_fanout COAP_PORT HTTP_HOST:PORT TOKEN [N] [ROUNDS] [AREA]
 *       [non|con] [blue|red] [NODE_PID]
 *   (defaults: 1000 observers, 5 rounds, area 120116, non, blue)
 *
 * Also measured: the time to register the N observers (BATCH requests
 * in flight), and with NODE_PID the node's CPU time (utime + stime from
 * /proc/PID/stat) from before the POST until it is idle again (no CPU
 * used for 300 ms), per round. A red alert makes the notifications
 * confirmable: every observer ACKs as it reads.
 *
 * 1. N UDP sockets on 127.0.0.1 each register one observation (NON or
 *    CON GET /alerts/<area>, Observe: 0, RFC 7641 §3.1), a batch at a
 *    time so that the server's receive buffer never overflows; lost
 *    requests are sent again.
 * 2. Each round: POST a blue alert for <area> (so notifications are
 *    non-confirmable, coap_srv.h), note the time the 201 was read, then
 *    collect one notification per observer, reading (and ACKing a
 *    confirmable one) as they come, as devices would. Arrival times
 *    are the kernel's receive timestamps (SO_TIMESTAMPNS), so when the
 *    program reads does not shift them. libcoap sends every sixth
 *    notification to an observer confirmable (RFC 7641 §4.5): rounds
 *    1-5 are the NON figure. (Reading everything only after the
 *    fan-out was tried: 1,000 ACKs then reach the server at once,
 *    overflow its socket's receive buffer, and the lost ACKs hold
 *    later notifications back for a retransmission, 2-5 s.)
 * 3. Each round also: a thread sends one datagram of the
 *    notification's size to each of the N sockets from one socket,
 *    while the observers read as they do for notifications; the floor
 *    is the time from before the first sendto() to the last arrival
 *    (median of 3 such sends, the machine being shared).
 * The observer sockets are bound, not connected, so that the floor's
 * datagrams reach them.
 * Prints one line per round and a Markdown summary with medians; the
 * ratio fan-out / floor is the figure that means something on a
 * shared machine. Loopback only; no libcoap, a minimal client of
 * RFC 7252 §3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "test_coap_raw.h"

#define N_MAX      20000
#define BATCH      1000      /* registrations in flight */
#define WAIT_MS    10000     /* longest wait for one round */
#define CT_CON     0
#define CT_NON     1
#define CT_ACK     2
#define OPT_OBSERVE 6

struct obs {
	int fd;
	struct sockaddr_in addr;  /* its own address, for the floor */
	bool got;
	int64_t t_ns;             /* kernel receive time, CLOCK_REALTIME */
	size_t len;
};

static struct obs *obs;
static int n_obs;
static int ep = -1;
static struct sockaddr_in srv;   /* the CoAP server */
static uint16_t mid = 1;
static bool floor_mode;          /* any datagram counts (udp_floor) */
static bool reg_con;             /* register with CON, else NON */
static const char *grade = "blue"; /* of the alerts posted */
static int node_pid;             /* 0: CPU not measured */

static void
die(const char *what)
{
	fprintf(stderr, "bench_coap_fanout: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* GET /alerts/<area> (CON or NON), Observe: 0, token = i (4 bytes). */
static size_t
build_register(uint8_t *p, int i, const char *area)
{
	size_t n = 0, al = strlen(area);

	p[n++] = (reg_con ? 0x40 : 0x50) | 4; /* ver 1, CON/NON, TKL 4 */
	p[n++] = 0x01;                      /* GET */
	p[n++] = (uint8_t)(mid >> 8);
	p[n++] = (uint8_t)mid;
	mid++;
	memcpy(p + n, &i, 4);
	n += 4;
	p[n++] = 0x60;                      /* Observe (6), length 0 = 0 */
	p[n++] = 0x56;                      /* Uri-Path (11 = 6 + 5), 6 */
	memcpy(p + n, "alerts", 6);
	n += 6;
	p[n++] = (uint8_t)(al & 0x0f);      /* Uri-Path again, delta 0 */
	memcpy(p + n, area, al);
	return n + al;
}

/* Does the message p[0..n) carry a 2.05 with an Observe option? */
static bool
is_notification(const uint8_t *p, size_t n)
{
	size_t opts = 4 + (p[0] & 0x0f);

	return n >= opts && p[1] == 0x45 &&
	    raw_has_option(p + opts, n - opts, OPT_OBSERVE);
}

/* Read every datagram waiting on o; ACK confirmable ones. Returns true
 * when one of them was a notification (time kept in o->t_ns). */
static bool
drain(struct obs *o)
{
	uint8_t buf[2048], ack[4];
	char cbuf[256];
	bool hit = false;

	for (;;) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { 0 };
		struct cmsghdr *c;
		int64_t t = bench_now_ns();
		ssize_t n;

		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(o->fd, &m, MSG_DONTWAIT)) < 0)
			return hit;
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				t = (int64_t)ts.tv_sec * 1000000000 +
				    ts.tv_nsec;
			}
		if (n >= 4 && (buf[0] >> 4 & 3) == CT_CON) {
			ack[0] = 0x60;      /* ver 1, ACK, TKL 0 */
			ack[1] = 0;
			ack[2] = buf[2];
			ack[3] = buf[3];
			(void)sendto(o->fd, ack, sizeof(ack), 0,
			    (struct sockaddr *)&srv, sizeof(srv));
		}
		if ((floor_mode || is_notification(buf, (size_t)n)) && !hit) {
			hit = true;
			o->t_ns = t;
			o->len = (size_t)n;
		}
	}
}

/* Wait until every observer in [lo, hi) got a notification, or
 * wait_ms. Returns how many did. */
static int
collect(int lo, int hi, int wait_ms)
{
	struct epoll_event ev[64];
	int64_t end = bench_now_ns() + (int64_t)wait_ms * 1000000;
	int done = 0;

	for (int i = lo; i < hi; i++)
		done += obs[i].got;
	while (done < hi - lo) {
		int left = (int)((end - bench_now_ns()) / 1000000), k;
		if (left <= 0)
			break;
		if ((k = epoll_wait(ep, ev, 64, left)) < 0 && errno != EINTR)
			die("epoll_wait");
		for (int j = 0; j < k; j++) {
			struct obs *o = &obs[ev[j].data.u32];
			if (drain(o) && !o->got && o - obs >= lo &&
			    o - obs < hi) {
				o->got = true;
				done++;
			}
		}
	}
	return done;
}

static void
open_observers(uint16_t coap_port)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	struct rlimit rl;
	int on = 1;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)n_obs + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n_obs + 64 ? rl.rlim_max :
		    (rlim_t)n_obs + 64;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			die("setrlimit");
	}
	srv.sin_family = AF_INET;
	srv.sin_port = htons(coap_port);
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ep = epoll_create1(0)) < 0)
		die("epoll_create1");
	for (int i = 0; i < n_obs; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		socklen_t al = sizeof(obs[i].addr);
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0)
			die("socket (raise ulimit -n)");
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
		    sizeof(on)) != 0 ||
		    bind(fd, (struct sockaddr *)&any, sizeof(any)) != 0 ||
		    getsockname(fd, (struct sockaddr *)&obs[i].addr, &al) != 0)
			die("observer socket");
		obs[i].fd = fd;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			die("epoll_ctl");
	}
}

static void
register_all(const char *area)
{
	uint8_t p[64];

	for (int lo = 0; lo < n_obs; lo += BATCH) {
		int hi = lo + BATCH < n_obs ? lo + BATCH : n_obs, tries = 0;
		while (collect(lo, hi, 0) < hi - lo) {
			if (++tries > 5) {
				fprintf(stderr, "bench_coap_fanout: observers "
				    "%d..%d not registered\n", lo, hi - 1);
				exit(1);
			}
			for (int i = lo; i < hi; i++)
				if (!obs[i].got)
					(void)sendto(obs[i].fd, p,
					    build_register(p, i, area), 0,
					    (struct sockaddr *)&srv,
					    sizeof(srv));
			(void)collect(lo, hi, 2000);
		}
	}
}

/* POST one alert (grade) for area; returns the time the 201 was read. */
static int64_t
post_alert(const char *hostport, const char *token, const char *area,
    int round, int64_t *t_sent)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char host[64], body[256], req[1024], resp[4096];
	const char *colon = strrchr(hostport, ':');
	size_t got = 0;
	int fd, blen, rlen;
	int64_t t;

	if (colon == NULL || (size_t)(colon - hostport) >= sizeof(host)) {
		fprintf(stderr, "bench_coap_fanout: bad HTTP address\n");
		exit(2);
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "bench_coap_fanout: bad HTTP host\n");
		exit(2);
	}
	blen = snprintf(body, sizeof(body), "{\"grade\":\"%s\",\"areas\":"
	    "[\"%s\"],\"texts\":[{\"lang\":\"en-US\",\"event\":\"Bench\","
	    "\"headline\":\"fan-out %d\"}]}", grade, area, round);
	rlen = snprintf(req, sizeof(req), "POST /v1/alerts HTTP/1.1\r\n"
	    "Host: %s\r\nAuthorization: Bearer %s\r\nContent-Type: "
	    "application/json\r\nContent-Length: %d\r\nConnection: close"
	    "\r\n\r\n%s", hostport, token, blen, body);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("HTTP connect");
	*t_sent = bench_now_ns();
	if (write(fd, req, (size_t)rlen) != rlen)
		die("HTTP write");
	for (;;) {
		ssize_t n = read(fd, resp + got, sizeof(resp) - 1 - got);
		if (n <= 0)
			die("HTTP read");
		got += (size_t)n;
		resp[got] = '\0';
		if (strstr(resp, "\r\n") != NULL)
			break;
	}
	t = bench_now_ns();
	close(fd);
	if (strncmp(resp, "HTTP/1.1 201", 12) != 0) {
		fprintf(stderr, "bench_coap_fanout: POST: %s\n", resp);
		exit(1);
	}
	return t;
}

/* Read (and ACK) what waits on every observer socket. */
static void
drain_all(void)
{
	for (int k = 0; k < n_obs; k++)
		(void)drain(&obs[k]);
}

/* The floor's sender: one datagram of f->len bytes to each observer. */
struct floor_send {
	size_t len;
	int64_t t0;               /* before the first sendto() */
};

static void *
floor_sender(void *arg)
{
	struct floor_send *f = arg;
	uint8_t buf[2048];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	memset(buf, 0x5a, sizeof(buf)); /* NON, code 0x5a: no 2.05 */
	f->t0 = bench_now_ns();
	for (int i = 0; i < n_obs; i++)
		if (sendto(fd, buf, f->len, 0, (struct sockaddr *)&obs[i].addr,
		    sizeof(obs[i].addr)) < 0)
			die("sendto");
	close(fd);
	return NULL;
}

/* The floor: a thread sends one datagram to each observer while this
 * thread reads them as for the notifications; time from the first
 * sendto() to the last arrival. */
static int64_t
udp_floor(size_t len)
{
	struct floor_send f = { .len = len };
	pthread_t t;
	int64_t last = 0;

	for (int i = 0; i < n_obs; i++) {
		(void)drain(&obs[i]);
		obs[i].got = false;
	}
	floor_mode = true;
	if (pthread_create(&t, NULL, floor_sender, &f) != 0)
		die("pthread_create");
	if (collect(0, n_obs, WAIT_MS) < n_obs) {
		fprintf(stderr, "bench_coap_fanout: floor datagrams lost\n");
		exit(1);
	}
	pthread_join(t, NULL);
	floor_mode = false;
	for (int i = 0; i < n_obs; i++)
		last = obs[i].t_ns > last ? obs[i].t_ns : last;
	return last - f.t0;
}

int
main(int argc, char **argv)
{
	int rounds = 5;
	const char *area = "120116";
	int64_t fan[64], flo[64], first[64], spread[64], from_post[64];
	int64_t ratio[64];              /* per round, x 1000 */
	int64_t cpu[64];                /* node CPU ms until idle */

	if (argc < 4) {
		fprintf(stderr, "usage: bench_coap_fanout COAP_PORT "
		    "HTTP_HOST:PORT TOKEN [N] [ROUNDS] [AREA] [non|con]\n");
		return 2;
	}
	n_obs = argc > 4 ? atoi(argv[4]) : 1000;
	rounds = argc > 5 ? atoi(argv[5]) : 5;
	if (argc > 6)
		area = argv[6];
	reg_con = argc > 7 && strcmp(argv[7], "con") == 0;
	if (n_obs < 1 || n_obs > N_MAX || rounds < 1 || rounds > 64 ||
	    strlen(area) > 12) {
		fprintf(stderr, "bench_coap_fanout: N 1..%d, ROUNDS 1..64\n",
		    N_MAX);
		return 2;
	}
	if ((obs = calloc((size_t)n_obs, sizeof(*obs))) == NULL)
		die("calloc");
	if (argc > 8)
		grade = argv[8];
	node_pid = argc > 9 ? atoi(argv[9]) : 0;
	open_observers((uint16_t)atoi(argv[1]));
	{
		int64_t t0 = bench_now_ns(), c0 = bench_cpu_ms(node_pid);
		register_all(area);
		printf("# %d observers of /alerts/%s registered (%s GET, %d "
		    "in flight) in %.1f ms, node CPU %lld ms\n", n_obs, area,
		    reg_con ? "CON" : "NON", BATCH, (bench_now_ns() - t0) / 1e6,
		    (long long)(bench_cpu_ms(node_pid) - c0));
	}
	printf("# alerts posted: %s\n", grade);
	for (int r = 0; r < rounds; r++) {
		int64_t t_sent, t201, lo = INT64_MAX, hi = 0;
		size_t len = 0;
		int got;

		int64_t cpu0, cpu1;

		for (int i = 0; i < n_obs; i++) {
			(void)drain(&obs[i]);
			obs[i].got = false;
		}
		cpu0 = bench_idle_cpu_ms(node_pid, drain_all);
		t201 = post_alert(argv[2], argv[3], area, r, &t_sent);
		if ((got = collect(0, n_obs, WAIT_MS)) < n_obs) {
			fprintf(stderr, "bench_coap_fanout: round %d: only %d "
			    "of %d observers notified\n", r, got, n_obs);
			return 1;
		}
		for (int i = 0; i < n_obs; i++) {
			lo = obs[i].t_ns < lo ? obs[i].t_ns : lo;
			hi = obs[i].t_ns > hi ? obs[i].t_ns : hi;
			len = obs[i].len > len ? obs[i].len : len;
		}
		cpu1 = bench_idle_cpu_ms(node_pid, drain_all);
		cpu[r] = cpu1 - cpu0;
		fan[r] = hi - t201;
		first[r] = lo - t201;
		spread[r] = hi - lo;
		from_post[r] = hi - t_sent;
		{
			int64_t f[3];
			for (int k = 0; k < 3; k++)
				f[k] = udp_floor(len);
			flo[r] = bench_median(f, 3);
		}
		ratio[r] = fan[r] * 1000 / flo[r];
		printf("round %d: POST->201 %.2f ms, 201->first %.2f ms, "
		    "201->last %.2f ms, first->last %.2f ms, UDP floor "
		    "(%zu-byte datagrams) %.2f ms, ratio %.1f, node CPU until "
		    "idle %lld ms\n", r + 1,
		    (t201 - t_sent) / 1e6, first[r] / 1e6, fan[r] / 1e6,
		    spread[r] / 1e6, len, flo[r] / 1e6,
		    ratio[r] / 1e3, (long long)cpu[r]);
		fflush(stdout);
	}
	{
		int64_t mf = bench_median(fan, rounds);
		int64_t mu = bench_median(flo, rounds);
		int64_t m1 = bench_median(first, rounds);
		int64_t ms = bench_median(spread, rounds);
		int64_t mp = bench_median(from_post, rounds);
		printf("\n| figure (median of %d rounds) | value |\n|---|---|\n"
		    "| POST sent to last of %d observers notified | %.2f ms |\n"
		    "| 201 to first of %d observers notified | %.2f ms |\n"
		    "| first to last notification | %.2f ms |\n"
		    "| **201 to last of %d observers notified** | "
		    "**%.2f ms** |\n"
		    "| raw UDP floor, %d datagrams | %.2f ms |\n"
		    "| **ratio (201 to last) / floor, same round** | "
		    "**%.1f** |\n"
		    "| node CPU from POST until idle | %lld ms |\n",
		    rounds, n_obs, mp / 1e6, n_obs, m1 / 1e6, ms / 1e6, n_obs,
		    mf / 1e6, n_obs, mu / 1e6, bench_median(ratio, rounds) / 1e3,
		    (long long)bench_median(cpu, rounds));
	}
	return 0;
}
