/*
 * test_coap_life.c -- observations over raw UDP (one socket per device,
 * requests built byte by byte): the observers gauge follows libcoap's
 * own lifecycle exactly (register, cancel with Observe: 1, RST to a
 * non-confirmable notification), and a device that fetches later
 * blocks with Observe: 0 and Block2 on its registration token (as
 * node-coap does) gets the blocks and keeps its observation.
 */
#define _GNU_SOURCE     /* memmem() */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rm_test.h"
#include "test_coap_fx.h"

struct msg {
	int type, code, mid;
	uint8_t tok[8];
	size_t tkl;
	long observe;           /* -1 absent */
	long block2;            /* -1 absent */
	uint8_t etag[8];
	size_t etag_len;
	const uint8_t *payload;
	size_t plen;
	uint8_t raw[2048];
};

static int
dev_open(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)fx_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0 && connect(fd, (struct sockaddr *)&a,
	    sizeof(a)) == 0);
	return fd;
}

static size_t
put_opt(uint8_t *p, unsigned *last, unsigned num, const void *v, size_t len)
{
	unsigned d = num - *last;
	size_t i = 1;

	*last = num;
	p[0] = (uint8_t)((d < 13 ? d : 13) << 4 | len);
	if (d >= 13)
		p[i++] = (uint8_t)(d - 13);
	memcpy(p + i, v, len);
	return i + len;
}

/* GET /alerts/<area> (CON), token tok, Observe obs (-1 none), Block2
 * value blk (-1 none); the bytes node-coap sends. */
static void
dev_req(int fd, int type, int mid, const char *tok, const char *area,
    int obs, int blk)
{
	uint8_t b[256], v[3];
	unsigned last = 0;
	size_t n = 0, tl = strlen(tok);

	b[n++] = (uint8_t)(0x40 | type << 4 | tl);
	b[n++] = 0x01;
	b[n++] = (uint8_t)(mid >> 8);
	b[n++] = (uint8_t)mid;
	memcpy(b + n, tok, tl);
	n += tl;
	if (obs >= 0) {
		v[0] = (uint8_t)obs;
		n += put_opt(b + n, &last, 6, v, obs == 0 ? 0 : 1);
	}
	n += put_opt(b + n, &last, 11, "alerts", 6);
	n += put_opt(b + n, &last, 11, area, strlen(area));
	if (blk >= 0) {
		v[0] = (uint8_t)blk;
		n += put_opt(b + n, &last, 23, v, 1);
	}
	CU_ASSERT(send(fd, b, n, 0) == (ssize_t)n);
}

static void
dev_get(int fd, int mid, const char *tok, const char *area, int obs,
    int blk)
{
	dev_req(fd, 0, mid, tok, area, obs, blk);       /* CON */
}

static void
dev_empty(int fd, int type, int mid)
{
	uint8_t b[4] = { (uint8_t)(0x40 | type << 4), 0, (uint8_t)(mid >> 8),
	    (uint8_t)mid };

	CU_ASSERT(send(fd, b, 4, 0) == 4);
}

static unsigned long
uval(const uint8_t *p, size_t n)
{
	unsigned long v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Next message within timeout_ms; false on timeout. */
static bool
dev_recv(int fd, struct msg *m, long timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned num = 0;
	ssize_t n;
	size_t i;

	if (poll(&p, 1, (int)timeout_ms) != 1 ||
	    (n = recv(fd, m->raw, sizeof(m->raw), 0)) < 4)
		return false;
	m->type = m->raw[0] >> 4 & 3;
	m->tkl = m->raw[0] & 15;
	m->code = m->raw[1];
	m->mid = m->raw[2] << 8 | m->raw[3];
	memcpy(m->tok, m->raw + 4, m->tkl);
	m->observe = m->block2 = -1;
	m->etag_len = 0;
	m->payload = NULL;
	m->plen = 0;
	for (i = 4 + m->tkl; i < (size_t)n && m->raw[i] != 0xff;) {
		unsigned d = m->raw[i] >> 4, l = m->raw[i] & 15;
		i++;
		if (d == 13)
			d = 13u + m->raw[i++];
		if (l == 13)
			l = 13u + m->raw[i++];
		num += d;
		if (num == 6)
			m->observe = (long)uval(m->raw + i, l);
		else if (num == 23)
			m->block2 = (long)uval(m->raw + i, l);
		else if (num == 4 && l <= 8) {
			memcpy(m->etag, m->raw + i, l);
			m->etag_len = l;
		}
		i += l;
	}
	if (i < (size_t)n) {
		m->payload = m->raw + i + 1;
		m->plen = (size_t)n - i - 1;
	}
	return true;
}

/* Next message that is not an empty ACK. */
static bool
dev_recv_full(int fd, struct msg *m, long timeout_ms)
{
	while (dev_recv(fd, m, timeout_ms))
		if (m->code != 0)
			return true;
	return false;
}

static uint64_t
observers(void)
{
	struct alertcoap_stats st;

	alertcoap_get_stats(fx_srv, &st);
	return st.observers;
}

static bool
wait_observers(uint64_t want)
{
	struct alertcoap_stats st;

	return fx_wait_stat(&st.observers, &st, want, false, 5000);
}

static void
test_start(void)
{
	static const char *const areas[] = { "120116", "120105" };
	struct alertcoap_opts o;
	char zh[128];

	memset(&o, 0, sizeof(o));
	o.areas = areas;
	o.n_areas = 2;
	o.ack_timeout_ms = 100;         /* test_con_no_ack() */
	fx_start(&o);
	/* 120105: blue only (non-confirmable notifications); 120116: a
	 * body of several blocks. */
	fx_add_alert("fog-5", RM_GRADE_BLUE, RM_STATUS_ACTUAL, "河北区大雾蓝色预警",
	    "Blue fog warning for Hebei", "120105", NULL);
	for (int i = 0; i < 12; i++) {
		snprintf(zh, sizeof(zh), "BIG-%02d 滨海新区暴雨黄色预警，请注意防范城市内涝", i);
		fx_add_alert(strdup(zh), RM_GRADE_YELLOW, RM_STATUS_ACTUAL, zh,
		    "Yellow rainstorm warning for Binhai, beware of urban "
		    "flooding", "120116", NULL);
	}
}

/* Register, then cancel with GET Observe: 1: the gauge goes up and back. */
static void
test_register_cancel(void)
{
	struct msg m;
	uint64_t base;
	int fd;

	if (fx_srv == NULL)
		return;
	base = observers();
	fd = dev_open();
	dev_get(fd, 0x100, "CANC", "120105", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(m.code == 0x45 && m.observe >= 0);
	CU_ASSERT(wait_observers(base + 1));
	/* registering again on the same token is the same observation */
	dev_get(fd, 0x101, "CANC", "120105", 0, -1);
	CU_ASSERT(dev_recv_full(fd, &m, 3000));
	fx_sleep_ms(200);
	CU_ASSERT_EQUAL(observers(), base + 1);
	dev_get(fd, 0x102, "CANC", "120105", 1, -1);
	CU_ASSERT(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(m.code == 0x45 && m.observe < 0);
	CU_ASSERT(wait_observers(base));
	close(fd);
}

/* An RST to a non-confirmable notification: libcoap drops the
 * observation with no callback; the gauge must follow. */
static void
test_rst_non(void)
{
	struct fake_alert *a;
	struct msg m;
	uint64_t base;
	int fd, fd2;

	if (fx_srv == NULL)
		return;
	base = observers();
	fd = dev_open();
	fd2 = dev_open();
	dev_get(fd, 0x200, "RST1", "120105", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	dev_get(fd2, 0x200, "KEEP", "120105", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(wait_observers(base + 2));
	a = fx_add_alert("fog-6", RM_GRADE_BLUE, RM_STATUS_ACTUAL, "RST 蓝色",
	    "RST blue", "120105", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(m.type == 1 && m.observe >= 0);   /* NON notification */
	dev_empty(fd, 3, m.mid);                     /* RST */
	CU_ASSERT(wait_observers(base + 1));
	CU_ASSERT(dev_recv_full(fd2, &m, 3000));
	/* the other device is still notified, the RST one is not */
	a = fx_add_alert("fog-7", RM_GRADE_BLUE, RM_STATUS_ACTUAL, "RST2 蓝色",
	    "RST2 blue", "120105", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	CU_ASSERT(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(!dev_recv_full(fd, &m, 1000));
	CU_ASSERT_EQUAL(observers(), base + 1);
	dev_get(fd2, 0x201, "KEEP", "120105", 1, -1);
	CU_ASSERT(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(wait_observers(base));
	close(fd);
	close(fd2);
}

/* RFC 7641 §3.4: Observe value v is newer than u. */
static bool
obs_newer(long v, long u)
{
	unsigned long d = (unsigned long)(v - u) & 0xffffffu;

	return v >= 0 && u >= 0 && d > 0 && d < (1ul << 23);
}

/* Fetch every block of the body with Observe: 0 and Block2 on the
 * registration token (node-coap's requests); the ETag must be the
 * first block's. Each answer carries Observe (the device is the
 * registered observer), the last one a value newer than the
 * notification's and every earlier answer's: node-coap takes the
 * Observe of the message that completes the body and drops the body
 * when it is not newer than the last one it delivered. Returns the
 * body length; *last_obs: the last block's Observe. */
static size_t
fetch_rest(int fd, int *mid, const struct msg *first, long *last_obs)
{
	size_t total = first->plen;
	long num = 1, prev = first->observe;
	struct msg m;

	CU_ASSERT_FATAL(first->block2 >= 0 && (first->block2 & 8) != 0);
	for (;;) {
		dev_get(fd, (*mid)++, "NODE", "120116", 0,
		    (int)(num << 4 | 6));
		if (!dev_recv_full(fd, &m, 3000)) {
			CU_FAIL("no answer to a block request");
			return 0;
		}
		CU_ASSERT_EQUAL(m.code, 0x45);
		if (m.code != 0x45)
			return 0;
		CU_ASSERT(m.block2 >> 4 == num);
		CU_ASSERT(m.plen > 0);
		CU_ASSERT(m.etag_len == first->etag_len &&
		    memcmp(m.etag, first->etag, m.etag_len) == 0);
		total += m.plen;
		CU_ASSERT(m.observe >= 0);
		if ((m.block2 & 8) == 0) {
			CU_ASSERT(obs_newer(m.observe, prev));
			*last_obs = m.observe;
			return total;
		}
		CU_ASSERT(!obs_newer(prev, m.observe));
		prev = m.observe;
		num++;
	}
}

static void
test_block_with_observe(void)
{
	struct fake_alert *a;
	struct msg m;
	uint64_t base;
	int fd, mid = 0x300;
	long obs1, obs2, obs3;
	size_t len;

	if (fx_srv == NULL)
		return;
	base = observers();
	fd = dev_open();
	dev_get(fd, mid++, "NODE", "120116", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(m.code == 0x45 && m.observe >= 0);
	len = fetch_rest(fd, &mid, &m, &obs1);
	CU_ASSERT(len > 1024);
	/* the same body fetched again (a stack that restarts a transfer,
	 * or two transfers for one notification when the set changed
	 * mid-way): the second completes with a newer value still */
	CU_ASSERT(fetch_rest(fd, &mid, &m, &obs2) == len);
	CU_ASSERT(obs_newer(obs2, obs1));
	fprintf(stderr, "block fetch with Observe: %zu bytes\n", len);
	CU_ASSERT(wait_observers(base + 1));
	fx_sleep_ms(200);
	CU_ASSERT_EQUAL(observers(), base + 1);
	/* still observing: the next change is notified, blocks again */
	a = fx_add_alert("big-new", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "BLOCK-NEW 新的预警", "BLOCK-NEW", "120116", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	/* libcoap may hold it up to 2 s after the last block-wise one */
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 5000));
	CU_ASSERT(m.code == 0x45 && m.observe >= 0);
	CU_ASSERT(memcmp(m.tok, "NODE", 4) == 0);
	if (m.type == 0)
		dev_empty(fd, 2, m.mid);             /* ACK a CON */
	CU_ASSERT(obs_newer(m.observe, obs2));
	CU_ASSERT(fetch_rest(fd, &mid, &m, &obs3) > len);
	CU_ASSERT(obs_newer(obs3, m.observe));
	CU_ASSERT_EQUAL(observers(), base + 1);
	dev_get(fd, mid++, "NODE", "120116", 1, -1);
	CU_ASSERT(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(wait_observers(base));
	close(fd);
}

/* Confirmable notifications (a red alert) to two raw devices: one ACKs
 * and stays; the other never answers, gets the same message again
 * MAX_RETRANSMIT (4) times with doubling timeouts, then its observation
 * ends (RFC 7641 §4.5) and the gauge goes down. */
static void
test_con_no_ack(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a;
	struct msg m, first;
	uint64_t base;
	int fd, fd2, sends = 0;

	if (fx_srv == NULL)
		return;
	base = observers();
	alertcoap_get_stats(fx_srv, &st0);
	fd = dev_open();
	fd2 = dev_open();
	dev_get(fd, 0x400, "MUTE", "120110", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(m.type == 2 && m.code == 0x45 && m.observe >= 0);
	dev_get(fd2, 0x400, "ACKS", "120110", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(wait_observers(base + 2));
	a = fx_add_alert("quake-1", RM_GRADE_RED, RM_STATUS_ACTUAL, "地震红色预警",
	    "Red earthquake warning", "120110", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	CU_ASSERT_FATAL(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(m.type == 0 && m.observe >= 0);    /* CON */
	dev_empty(fd2, 2, m.mid);                    /* ACK */
	CU_ASSERT_FATAL(dev_recv_full(fd, &first, 3000));
	CU_ASSERT(first.type == 0 && memcmp(first.tok, "MUTE", 4) == 0);
	/* the same message again, never acknowledged */
	while (dev_recv_full(fd, &m, 3000)) {
		CU_ASSERT(m.type == 0 && m.mid == first.mid);
		sends++;
	}
	CU_ASSERT_EQUAL(sends, 4);
	CU_ASSERT(wait_observers(base + 1));
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT(st.sent_con >= st0.sent_con + 2);
	CU_ASSERT_EQUAL(st.retransmits, st0.retransmits + 4);
	CU_ASSERT_EQUAL(st.dropped_no_ack, st0.dropped_no_ack + 1);
	CU_ASSERT_EQUAL(st.acks, st0.acks + 1);
	/* the ACKing device still observes */
	dev_get(fd2, 0x401, "ACKS", "120110", 1, -1);
	CU_ASSERT(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(wait_observers(base));
	close(fd);
	close(fd2);
}

/* A device registered with NON refreshes (NON, same token) while a
 * confirmable notification is outstanding, then acknowledges that
 * notification: the ACK must match (the answer to the refresh takes
 * another MID, RFC 7252 §4.4) and the retransmissions stop. */
static void
test_non_refresh_ack(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a;
	struct msg m, note;
	int fd;

	if (fx_srv == NULL)
		return;
	fd = dev_open();
	dev_req(fd, 1, 0x500, "NRAK", "120111", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	CU_ASSERT(m.type == 1 && m.observe >= 0);
	a = fx_add_alert("quake-2", RM_GRADE_RED, RM_STATUS_ACTUAL, "地震红色预警",
	    "Red earthquake warning", "120111", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	CU_ASSERT_FATAL(dev_recv_full(fd, &note, 3000));
	CU_ASSERT_FATAL(note.type == 0);                /* CON */
	alertcoap_get_stats(fx_srv, &st0);
	dev_req(fd, 1, 0x501, "NRAK", "120111", 0, -1);
	for (int i = 0; i < 8; i++) {       /* retransmissions first */
		CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
		if (m.type != 0 || m.mid != note.mid)
			break;
	}
	CU_ASSERT(m.type == 1 && m.mid != note.mid);
	dev_empty(fd, 2, note.mid);                     /* ACK */
	fx_sleep_ms(100);
	while (dev_recv(fd, &m, 0))
		;       /* retransmissions already on their way */
	/* ack_timeout_ms 100: a retransmission would come within 1 s */
	CU_ASSERT_FALSE(dev_recv(fd, &m, 1000));
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.acks, st0.acks + 1);
	dev_get(fd, 0x502, "NRAK", "120111", 1, -1);
	CU_ASSERT(dev_recv_full(fd, &m, 3000));
	close(fd);
}

/* A change already in the store whose round has not run yet: another
 * device's registration renders the new set first; the round must
 * still notify the observers who had the old one. */
static void
test_registration_before_round(void)
{
	struct fake_alert *a, *b;
	struct msg m;
	uint64_t base;
	int fd1, fd2;

	if (fx_srv == NULL)
		return;
	fd1 = dev_open();
	fd2 = dev_open();
	dev_get(fd1, 0x600, "OLD1", "120112", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd1, &m, 3000));
	/* a round for another district: 120112's cached body is stale */
	b = fx_add_alert("fog-6", RM_GRADE_BLUE, RM_STATUS_ACTUAL, "和平区大雾",
	    "Fog in Heping", "120101", NULL);
	alertcoap_notify(fx_srv, &b->rec);
	fx_sleep_ms(200);
	a = fx_add_alert("fire-7", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "NEWFIRE 火险黄色预警", "Yellow fire warning", "120112", NULL);
	dev_get(fd2, 0x601, "NEW2", "120112", 0, -1);
	CU_ASSERT_FATAL(dev_recv_full(fd2, &m, 3000));
	CU_ASSERT(m.plen > 0 && memmem(m.payload, m.plen, "NEWFIRE", 7));
	alertcoap_notify(fx_srv, &a->rec);
	CU_ASSERT_FATAL(dev_recv_full(fd1, &m, 3000));
	CU_ASSERT(m.plen > 0 && memmem(m.payload, m.plen, "NEWFIRE", 7));
	base = observers();
	dev_get(fd1, 0x602, "OLD1", "120112", 1, -1);
	dev_get(fd2, 0x603, "NEW2", "120112", 1, -1);
	CU_ASSERT(wait_observers(base - 2));
	close(fd1);
	close(fd2);
}

/* An Observe GET with a critical option the server does not know
 * (RFC 7252 §5.4.1) is not registered: libcoap answers 4.02 Bad
 * Option. */
static void
test_critical_option(void)
{
	/* CON GET, token "CR", Observe: 0, option 9 "x", Uri-Path
	 * alerts / 120105 */
	static const uint8_t crit[] = { 0x42, 0x01, 0x07, 0x00, 'C', 'R',
	    0x60, 0x31, 'x', 0x26, 'a', 'l', 'e', 'r', 't', 's', 0x06,
	    '1', '2', '0', '1', '0', '5' };
	struct msg m;
	uint64_t base;
	int fd;

	if (fx_srv == NULL)
		return;
	base = observers();
	fd = dev_open();
	CU_ASSERT(send(fd, crit, sizeof(crit), 0) == (ssize_t)sizeof(crit));
	CU_ASSERT_FATAL(dev_recv_full(fd, &m, 3000));
	CU_ASSERT_EQUAL(m.code, 0x82);                  /* 4.02 */
	CU_ASSERT(m.observe < 0);
	fx_sleep_ms(100);
	CU_ASSERT_EQUAL(observers(), base);
	close(fd);
}

static void
test_stop(void)
{
	fx_stop();
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "start", test_start },
		{ "register_cancel", test_register_cancel },
		{ "rst_non", test_rst_non },
		{ "block_with_observe", test_block_with_observe },
		{ "con_no_ack", test_con_no_ack },
		{ "non_refresh_ack", test_non_refresh_ack },
		{ "registration_before_round", test_registration_before_round },
		{ "critical_option", test_critical_option },
		{ "stop", test_stop },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("coap_life", tests);
}
