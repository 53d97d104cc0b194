/*
 * rm_relay -- the link layer of the sims harness: one TCP relay per peer
 * link of a simulated federation, all in one process (epoll), which the
 * harness can cut and heal while the nodes keep running, and which counts
 * the bytes and direction turns of every link.
 *
 *   rm_relay LINKS CONTROL STATS SESSIONS
 *
 * LINKS     one line per link: "ID LISTEN_PORT TARGET_PORT" (127.0.0.1).
 *           The dialing node connects to LISTEN_PORT, the relay connects
 *           on to TARGET_PORT, where the listening node is bound.
 * CONTROL   a FIFO the relay reads commands from, one per line:
 *             cut ID     close every connection of link ID (both nodes
 *                        see the session end at once) and stop listening
 *                        on its port (dials are refused) until healed
 *             reset ID   close every connection of link ID, then listen,
 *                        accept and reset (RST) every connection at once:
 *                        a proxy whose backend is dead (the dialer's
 *                        TCP connect succeeds, its TLS handshake does
 *                        not) until healed; each such connection is
 *                        logged on stderr: "rm_relay: MS reset link ID"
 *             heal ID    listen, accept and forward again
 *             dump N     write STATS (atomically, via STATS.tmp); its
 *                        first line is "seq N", so the caller knows the
 *                        file answers its own request
 *             quit       end every open session (logged, why "open")
 *                        and exit 0
 * STATS     "seq N" then per link: "ID state bytes_d2l bytes_l2d turns
 *           sessions refused" (d = dialer side, l = listener side; turns:
 *           times the direction of data flow changed, summed over the
 *           link's sessions; a request/response round trip is two).
 * SESSIONS  appended when a session ends: "END_MS ID START_MS bytes_d2l
 *           bytes_l2d turns why" (why: eof, cut, error).
 *
 * Every loop is bounded by the data at hand; buffers are fixed (64 KiB per
 * direction), and a full buffer stops reading from its source until the
 * other side drained it, so the relay never grows. It exits on SIGTERM or
 * SIGINT (default action) or "quit". Test tooling, not part of riskmeshd.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINKS 4096
#define MAX_CONNS 8192
#define BUF_SZ 65536

struct link {
	int id, listen_port, target_port, lfd, cut, rst;
	unsigned long long d2l, l2d, turns, sessions, refused;
};

struct side {
	int fd;
	unsigned char buf[BUF_SZ]; /* data read from this side, to the other */
	size_t len, off;
	int eof;
};

struct conn {
	int used, link;
	struct side s[2]; /* 0: dialer, 1: listener */
	int last_dir;     /* -1 none, 0 d->l, 1 l->d */
	unsigned long long bytes[2], turns;
	long long start_ms;
};

static struct link links[MAX_LINKS];
static int nlinks;
static struct conn *conns;
static int epfd;
static FILE *sessions_f;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* epoll data: >= 0 a connection side (conn * 2 + side), -1 - i link i's
 * listener, INT32_MIN the control FIFO. */
#define CTL_TAG INT32_MIN

static void ep_set(int fd, int op, uint32_t ev, int32_t tag)
{
	struct epoll_event e = { .events = ev, .data.u64 = (uint64_t)(uint32_t)tag };
	if (epoll_ctl(epfd, op, fd, &e) != 0 && op != EPOLL_CTL_DEL)
		perror("rm_relay: epoll_ctl");
}

static void conn_close(int ci, const char *why)
{
	struct conn *c = &conns[ci];
	struct link *l = &links[c->link];
	for (int k = 0; k < 2; k++) {
		if (c->s[k].fd >= 0) {
			epoll_ctl(epfd, EPOLL_CTL_DEL, c->s[k].fd, NULL);
			close(c->s[k].fd);
			c->s[k].fd = -1;
		}
	}
	l->d2l += c->bytes[0];
	l->l2d += c->bytes[1];
	l->turns += c->turns;
	if (sessions_f) {
		fprintf(sessions_f, "%lld %d %lld %llu %llu %llu %s\n", now_ms(),
		    l->id, c->start_ms, c->bytes[0], c->bytes[1], c->turns, why);
		fflush(sessions_f);
	}
	c->used = 0;
}

/* Interest of side k: read while its buffer is empty and not at EOF, write
 * while the other side's buffer has data for it. */
static void conn_arm(int ci)
{
	struct conn *c = &conns[ci];
	for (int k = 0; k < 2; k++) {
		uint32_t ev = 0;
		if (c->s[k].len == 0 && !c->s[k].eof)
			ev |= EPOLLIN;
		if (c->s[!k].len > c->s[!k].off)
			ev |= EPOLLOUT;
		ep_set(c->s[k].fd, EPOLL_CTL_MOD, ev, ci * 2 + k);
	}
}

/* Move data of side k to the other side; returns -1 when the session ends. */
static int pump(int ci, int k)
{
	struct conn *c = &conns[ci];
	struct side *src = &c->s[k], *dst = &c->s[!k];
	if (src->len == 0 && !src->eof) {
		ssize_t n = read(src->fd, src->buf, BUF_SZ);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			return -1;
		if (n == 0) {
			src->eof = 1;
			shutdown(dst->fd, SHUT_WR);
		} else {
			src->len = (size_t)n;
			src->off = 0;
			c->bytes[k] += (unsigned long long)n;
			if (c->last_dir != -1 && c->last_dir != k)
				c->turns++;
			c->last_dir = k;
		}
	}
	while (src->off < src->len) {
		ssize_t n = write(dst->fd, src->buf + src->off, src->len - src->off);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0)
			return -1;
		src->off += (size_t)n;
	}
	if (src->off == src->len)
		src->len = src->off = 0;
	if (c->s[0].eof && c->s[1].eof && c->s[0].len == 0 && c->s[1].len == 0)
		return -1;
	return 0;
}

static void on_accept(int li)
{
	struct link *l = &links[li];
	for (int guard = 0; guard < 64; guard++) {
		int fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (l->cut || l->rst) {
			struct linger lg = { 1, 0 }; /* RST */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(fd);
			l->refused++;
			if (l->rst)
				fprintf(stderr, "rm_relay: %lld reset link %d\n",
				    now_ms(), l->id);
			continue;
		}
		int ci = -1;
		for (int i = 0; i < MAX_CONNS; i++)
			if (!conns[i].used) { ci = i; break; }
		int up = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t)l->target_port),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		if (ci < 0 || up < 0 || (connect(up, (struct sockaddr *)&sa, sizeof sa) != 0 &&
		    errno != EINPROGRESS)) {
			close(fd);
			if (up >= 0)
				close(up);
			l->refused++;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = &conns[ci];
		memset(c, 0, sizeof *c);
		c->used = 1;
		c->link = li;
		c->s[0].fd = fd;
		c->s[1].fd = up;
		c->last_dir = -1;
		c->start_ms = now_ms();
		l->sessions++;
		ep_set(fd, EPOLL_CTL_ADD, EPOLLIN, ci * 2);
		/* the connect completes when the upstream side is writable; a
		 * refused connect shows as EPOLLERR/EPOLLHUP and ends the session */
		ep_set(up, EPOLL_CTL_ADD, EPOLLIN, ci * 2 + 1);
	}
}

/* Bind and listen on link li's port; 0 or -1 (logged). */
static int link_listen(int li)
{
	struct link *l = &links[li];
	int one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)l->listen_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->lfd < 0)
		goto fail;
	setsockopt(l->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l->lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(l->lfd, 64) != 0)
		goto fail;
	ep_set(l->lfd, EPOLL_CTL_ADD, EPOLLIN, -1 - li);
	return 0;
fail:
	fprintf(stderr, "rm_relay: link %d: port %d: %s\n", l->id,
	    l->listen_port, strerror(errno));
	if (l->lfd >= 0)
		close(l->lfd);
	l->lfd = -1;
	return -1;
}

static int find_link(int id)
{
	for (int i = 0; i < nlinks; i++)
		if (links[i].id == id)
			return i;
	return -1;
}

static void dump(const char *path, long seq)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "seq %ld\n", seq);
	for (int i = 0; i < nlinks; i++) {
		struct link *l = &links[i];
		unsigned long long d2l = l->d2l, l2d = l->l2d, turns = l->turns;
		for (int ci = 0; ci < MAX_CONNS; ci++) /* open sessions too */
			if (conns[ci].used && conns[ci].link == i) {
				d2l += conns[ci].bytes[0];
				l2d += conns[ci].bytes[1];
				turns += conns[ci].turns;
			}
		fprintf(f, "%d %s %llu %llu %llu %llu %llu\n", l->id,
		    l->cut ? "cut" : l->rst ? "reset" : "up", d2l, l2d, turns, l->sessions, l->refused);
	}
	fclose(f);
	rename(tmp, path);
}

/* Returns 1 on "quit". */
static int on_control(int fd, const char *stats, char *acc, size_t *acclen)
{
	ssize_t n = read(fd, acc + *acclen, 4095 - *acclen);
	if (n <= 0)
		return 0;
	*acclen += (size_t)n;
	acc[*acclen] = 0;
	char *line = acc, *nl;
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = 0;
		char cmd[16];
		long arg = -1;
		if (sscanf(line, "%15s %ld", cmd, &arg) >= 1) {
			if (!strcmp(cmd, "quit")) {
				for (int ci = 0; ci < MAX_CONNS; ci++)
					if (conns[ci].used)
						conn_close(ci, "open");
				return 1;
			}
			if (!strcmp(cmd, "dump")) {
				dump(stats, arg);
			} else if (!strcmp(cmd, "cut") || !strcmp(cmd, "heal") ||
			    !strcmp(cmd, "reset")) {
				int li = find_link((int)arg);
				if (li < 0) {
					fprintf(stderr, "rm_relay: no link %ld\n", arg);
				} else if (cmd[0] == 'r') {
					links[li].rst = 1;
					for (int ci = 0; ci < MAX_CONNS; ci++)
						if (conns[ci].used && conns[ci].link == li)
							conn_close(ci, "reset");
					if (links[li].lfd < 0)
						(void)link_listen(li);
				} else if (cmd[0] == 'c') {
					links[li].cut = 1;
					/* dialers get "connection refused", as from
					 * a host whose port is closed: an accepted
					 * and reset connection would leave a TLS
					 * dial waiting for its timeout instead */
					if (links[li].lfd >= 0) {
						epoll_ctl(epfd, EPOLL_CTL_DEL, links[li].lfd, NULL);
						close(links[li].lfd);
						links[li].lfd = -1;
					}
					for (int ci = 0; ci < MAX_CONNS; ci++)
						if (conns[ci].used && conns[ci].link == li)
							conn_close(ci, "cut");
				} else {
					links[li].cut = 0;
					links[li].rst = 0;
					if (links[li].lfd < 0)
						(void)link_listen(li);
				}
			} else {
				fprintf(stderr, "rm_relay: unknown command %s\n", cmd);
			}
		}
		line = nl + 1;
	}
	*acclen = strlen(line);
	memmove(acc, line, *acclen + 1);
	if (*acclen >= 4000) /* a line that long is garbage: drop it */
		*acclen = 0;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: rm_relay LINKS CONTROL STATS SESSIONS\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	conns = calloc(MAX_CONNS, sizeof *conns);
	FILE *lf = fopen(argv[1], "r");
	if (!conns || !lf) {
		perror("rm_relay");
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	int id, lp, tp;
	while (nlinks < MAX_LINKS && fscanf(lf, "%d %d %d", &id, &lp, &tp) == 3) {
		struct link *l = &links[nlinks];
		memset(l, 0, sizeof *l);
		l->id = id;
		l->listen_port = lp;
		l->target_port = tp;
		if (link_listen(nlinks) != 0)
			return 1;
		nlinks++;
	}
	fclose(lf);
	int cfd = open(argv[2], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (cfd < 0) {
		perror(argv[2]);
		return 1;
	}
	ep_set(cfd, EPOLL_CTL_ADD, EPOLLIN, CTL_TAG);
	sessions_f = fopen(argv[4], "a");
	dump(argv[3], 0);
	fprintf(stderr, "rm_relay: %d links ready\n", nlinks);
	char acc[4096];
	size_t acclen = 0;
	struct epoll_event ev[256];
	for (;;) {
		int n = epoll_wait(epfd, ev, 256, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			int32_t tag = (int32_t)(uint32_t)ev[i].data.u64;
			if (tag == CTL_TAG) {
				if (on_control(cfd, argv[3], acc, &acclen))
					return 0;
			} else if (tag < 0) {
				on_accept(-1 - tag);
			} else {
				int ci = tag / 2, k = tag % 2;
				if (!conns[ci].used)
					continue; /* closed earlier in this batch */
				int end = 0;
				if (ev[i].events & EPOLLERR)
					end = 1;
				if (!end && (ev[i].events & (EPOLLIN | EPOLLHUP)))
					end = pump(ci, k) < 0;
				if (!end && (ev[i].events & EPOLLOUT))
					end = pump(ci, !k) < 0;
				/* both directions of this side are gone: what it sent
				 * was forwarded above, nothing can reach it any more */
				if (!end && (ev[i].events & EPOLLHUP))
					end = 1;
				if (end)
					conn_close(ci, "eof");
				else
					conn_arm(ci);
			}
		}
	}
}
