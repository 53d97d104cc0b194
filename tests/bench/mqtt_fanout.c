/*
 * mqtt_fanout.c -- benchmark (not a test): the MQTT side of the CoAP
 * fan-out comparison (scripts/bench-fanout). N subscribers of one topic
 * at QoS 1 on an MQTT 3.1.1 broker (Mosquitto 2.0 with its defaults),
 * one publisher; each round publishes one message of SIZE bytes at
 * QoS 1 and measures the time from the PUBLISH written (and from the
 * broker's PUBACK read) to the last subscriber holding it; every
 * subscriber PUBACKs as it reads, as devices would. Arrival times are
 * the kernel's receive timestamps (SO_TIMESTAMPING, software RX) when
 * the kernel gives them, else the read time. With BROKER_PID, the
 * broker's CPU time from before the PUBLISH until idle (no CPU for
 * 300 ms), as bench_coap_fanout measures the node.
 *
 *   bench_mqtt_fanout PORT N SIZE [ROUNDS] [BROKER_PID]
 *
 * A minimal MQTT 3.1.1 client (OASIS MQTT 3.1.1 §3.1-3.11: CONNECT,
 * SUBSCRIBE, PUBLISH, PUBACK); loopback only; bounded (N <= 20000).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#define N_MAX   20000
#define WAIT_MS 20000

struct sub {
	int fd;
	bool got;
	int64_t t_ns;
	uint8_t buf[4096];
	size_t have;
};

static struct sub *subs;
static int n_subs, ep = -1, broker_pid;
static struct sockaddr_in broker;
static const char topic[] = "alerts/120116";

static void
die(const char *what)
{
	fprintf(stderr, "bench_mqtt_fanout: %s: %s\n", what, strerror(errno));
	exit(1);
}

static size_t
put_len(uint8_t *p, size_t v)
{
	size_t n = 0;

	do {
		uint8_t b = v % 128;
		v /= 128;
		p[n++] = (uint8_t)(b | (v > 0 ? 128 : 0));
	} while (v > 0);
	return n;
}

static size_t
put_str(uint8_t *p, const char *s)
{
	size_t l = strlen(s);

	p[0] = (uint8_t)(l >> 8);
	p[1] = (uint8_t)l;
	memcpy(p + 2, s, l);
	return 2 + l;
}

static void
send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			die("write");
		p += k;
		n -= (size_t)k;
	}
}

/* Read one whole packet (blocking); its first byte, body in body. */
static uint8_t
read_packet(int fd, uint8_t *body, size_t room, size_t *len)
{
	uint8_t h, b;
	size_t v = 0, mul = 1, got = 0;

	if (read(fd, &h, 1) != 1)
		die("read");
	do {
		if (read(fd, &b, 1) != 1)
			die("read");
		v += (size_t)(b & 127) * mul;
		mul *= 128;
	} while (b & 128);
	if (v > room) {
		errno = EMSGSIZE;
		die("packet");
	}
	while (got < v) {
		ssize_t k = read(fd, body + got, v - got);
		if (k <= 0)
			die("read");
		got += (size_t)k;
	}
	*len = v;
	return h;
}

static int
mqtt_connect(int i)
{
	uint8_t p[128], body[64];
	char id[32];
	size_t n = 0, vl, l;
	int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;

	if (fd < 0)
		die("socket (raise ulimit -n)");
	if (connect(fd, (struct sockaddr *)&broker, sizeof(broker)) != 0)
		die("connect");
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	snprintf(id, sizeof(id), "bench-%d", i);
	vl = 10 + 2 + strlen(id);
	p[n++] = 0x10;
	n += put_len(p + n, vl);
	n += put_str(p + n, "MQTT");
	p[n++] = 4;             /* 3.1.1 */
	p[n++] = 0x02;          /* clean session */
	p[n++] = 0;
	p[n++] = 60;            /* keep alive */
	n += put_str(p + n, id);
	send_all(fd, p, n);
	if (read_packet(fd, body, sizeof(body), &l) != 0x20 || l != 2 ||
	    body[1] != 0) {
		errno = EPROTO;
		die("CONNACK");
	}
	return fd;
}

static void
subscribe(int fd)
{
	uint8_t p[64], body[16];
	size_t n = 0, l;

	p[n++] = 0x82;
	n += put_len(p + n, 2 + 2 + strlen(topic) + 1);
	p[n++] = 0;
	p[n++] = 1;             /* packet id */
	n += put_str(p + n, topic);
	p[n++] = 1;             /* QoS 1 */
	send_all(fd, p, n);
	if (read_packet(fd, body, sizeof(body), &l) != 0x90 || l != 3 ||
	    body[2] != 1) {
		errno = EPROTO;
		die("SUBACK");
	}
}

/* Read what waits on s; PUBACK each PUBLISH; true on the first. */
static bool
sub_read(struct sub *s)
{
	char cbuf[256];
	bool hit = false;

	for (;;) {
		struct iovec iov = { s->buf + s->have, sizeof(s->buf) - s->have };
		struct msghdr m = { 0 };
		struct cmsghdr *c;
		int64_t t = bench_now_ns();
		ssize_t k;
		size_t off = 0;

		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if ((k = recvmsg(s->fd, &m, MSG_DONTWAIT)) <= 0)
			return hit;
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPING) {
				struct timespec ts[3];
				memcpy(ts, CMSG_DATA(c), sizeof(ts));
				if (ts[0].tv_sec != 0)
					t = (int64_t)ts[0].tv_sec * 1000000000 +
					    ts[0].tv_nsec;
			}
		s->have += (size_t)k;
		/* whole packets */
		for (;;) {
			size_t v = 0, mul = 1, i = off + 1;
			bool ok = false;
			while (i < s->have && i < off + 5) {
				v += (size_t)(s->buf[i] & 127) * mul;
				mul *= 128;
				if (!(s->buf[i++] & 128)) {
					ok = true;
					break;
				}
			}
			if (!ok || s->have - i < v)
				break;
			if ((s->buf[off] & 0xf0) == 0x30) {
				unsigned qos = s->buf[off] >> 1 & 3;
				size_t tl = (size_t)(s->buf[i] << 8 | s->buf[i + 1]);
				if (qos > 0) {
					uint8_t ack[4] = { 0x40, 2,
					    s->buf[i + 2 + tl], s->buf[i + 3 + tl] };
					send_all(s->fd, ack, 4);
				}
				if (!hit) {
					hit = true;
					s->t_ns = t;
				}
			}
			off = i + v;
		}
		memmove(s->buf, s->buf + off, s->have - off);
		s->have -= off;
	}
}

static int
collect(int wait_ms)
{
	struct epoll_event ev[64];
	int64_t end = bench_now_ns() + (int64_t)wait_ms * 1000000;
	int done = 0;

	for (int i = 0; i < n_subs; i++)
		done += subs[i].got;
	while (done < n_subs) {
		int left = (int)((end - bench_now_ns()) / 1000000), k;
		if (left <= 0)
			break;
		if ((k = epoll_wait(ep, ev, 64, left)) < 0 && errno != EINTR)
			die("epoll_wait");
		for (int j = 0; j < k; j++) {
			struct sub *s = &subs[ev[j].data.u32];
			if (sub_read(s) && !s->got) {
				s->got = true;
				done++;
			}
		}
	}
	return done;
}

/* Read (and PUBACK) what waits on every subscriber. */
static void
read_all(void)
{
	for (int k = 0; k < n_subs; k++)
		(void)sub_read(&subs[k]);
}

int
main(int argc, char **argv)
{
	int rounds, pubfd, ts = SOF_TIMESTAMPING_RX_SOFTWARE |
	    SOF_TIMESTAMPING_SOFTWARE;
	size_t size;
	int64_t fan[64], ack[64], cpu[64], t0;
	uint8_t *msg, body[64];
	struct rlimit rl;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_mqtt_fanout PORT N SIZE "
		    "[ROUNDS] [BROKER_PID]\n");
		return 2;
	}
	n_subs = atoi(argv[2]);
	size = (size_t)atol(argv[3]);
	rounds = argc > 4 ? atoi(argv[4]) : 5;
	broker_pid = argc > 5 ? atoi(argv[5]) : 0;
	if (n_subs < 1 || n_subs > N_MAX || size < 1 || size > 60000 ||
	    rounds < 1 || rounds > 64) {
		fprintf(stderr, "bench_mqtt_fanout: N 1..%d, SIZE 1..60000, "
		    "ROUNDS 1..64\n", N_MAX);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)n_subs + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n_subs + 64 ? rl.rlim_max :
		    (rlim_t)n_subs + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	broker.sin_family = AF_INET;
	broker.sin_port = htons((uint16_t)atoi(argv[1]));
	broker.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((subs = calloc((size_t)n_subs, sizeof(*subs))) == NULL ||
	    (msg = malloc(size + 64)) == NULL)
		die("calloc");
	if ((ep = epoll_create1(0)) < 0)
		die("epoll_create1");
	t0 = bench_now_ns();
	for (int i = 0; i < n_subs; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		subs[i].fd = mqtt_connect(i);
		subscribe(subs[i].fd);
		(void)setsockopt(subs[i].fd, SOL_SOCKET, SO_TIMESTAMPING, &ts,
		    sizeof(ts));
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev) != 0)
			die("epoll_ctl");
	}
	printf("# %d MQTT subscribers (QoS 1) of %s connected and subscribed "
	    "in %.1f ms\n", n_subs, topic, (bench_now_ns() - t0) / 1e6);
	pubfd = mqtt_connect(n_subs);
	for (int r = 0; r < rounds; r++) {
		size_t n = 0, l;
		int64_t t_sent, t_ack, last = 0, c0, c1;
		int got;

		for (int i = 0; i < n_subs; i++) {
			(void)sub_read(&subs[i]);
			subs[i].got = false;
		}
		c0 = bench_idle_cpu_ms(broker_pid, read_all);
		msg[n++] = 0x32;        /* PUBLISH, QoS 1 */
		n += put_len(msg + n, 2 + strlen(topic) + 2 + size);
		n += put_str(msg + n, topic);
		msg[n++] = 0;
		msg[n++] = (uint8_t)(r + 1);
		memset(msg + n, 'x', size);
		n += size;
		t_sent = bench_now_ns();
		send_all(pubfd, msg, n);
		if (read_packet(pubfd, body, sizeof(body), &l) != 0x40) {
			errno = EPROTO;
			die("PUBACK");
		}
		t_ack = bench_now_ns();
		if ((got = collect(WAIT_MS)) < n_subs) {
			fprintf(stderr, "bench_mqtt_fanout: round %d: only %d "
			    "of %d subscribers got it\n", r, got, n_subs);
			return 1;
		}
		for (int i = 0; i < n_subs; i++)
			last = subs[i].t_ns > last ? subs[i].t_ns : last;
		c1 = bench_idle_cpu_ms(broker_pid, read_all);
		fan[r] = last - t_sent;
		ack[r] = last - t_ack;
		cpu[r] = c1 - c0;
		printf("round %d: PUBLISH->PUBACK %.2f ms, PUBLISH->last %.2f ms, "
		    "PUBACK->last %.2f ms, broker CPU until idle %lld ms\n",
		    r + 1, (t_ack - t_sent) / 1e6, fan[r] / 1e6, ack[r] / 1e6,
		    (long long)cpu[r]);
		fflush(stdout);
	}
	printf("\n| MQTT QoS 1, %d subscribers, %zu-byte payload (median of %d) "
	    "| value |\n|---|---|\n| PUBLISH written to last subscriber | "
	    "%.2f ms |\n| PUBACK to last subscriber | %.2f ms |\n"
	    "| broker CPU from PUBLISH until idle | %lld ms |\n", n_subs, size,
	    rounds, bench_median(fan, rounds) / 1e6, bench_median(ack, rounds) / 1e6,
	    (long long)bench_median(cpu, rounds));
	return 0;
}
