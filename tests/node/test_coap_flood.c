/*
 * test_coap_flood.c -- what a stranger on the network can do to the
 * area table of the CoAP alert server: codes outside the federation get
 * 4.04 and create nothing; a flood of distinct in-federation codes
 * evicts unobserved on-demand resources (least recently requested
 * first) and logs once, while pre-created and observed resources stay,
 * old and new observers keep getting notifications and
 * /.well-known/core stays small. The flood is sent with a minimal raw
 * CoAP client (one UDP socket, RFC 7252 §3) so that thousands of
 * requests take seconds, not a process each.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "rm_test.h"
#include "test_coap_fx.h"
#include "test_coap_raw.h"

#define FLOOD_N       5000
#define FLOOD_BUDGET  60000   /* ms for the whole flood */
#define CODE_GET      0x01
#define CODE_CONTENT  0x45    /* 2.05 */
#define CODE_NOTFOUND 0x84    /* 4.04 */

static int raw_fd = -1;
static uint16_t raw_mid;
static char logfile[64];

/* ---------------- a raw CoAP client ---------------- */

static int
raw_open(void)
{
	struct sockaddr_in a;
	struct timeval tv = { 1, 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)fx_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * NON GET /alerts/<code> (Observe: 0 if `observe`), token = the 2-byte
 * message id; returns the response code (0 on timeout after 3 tries)
 * and whether the response carried an Observe option.
 */
static int
raw_get(int fd, const char *code, bool observe, bool *has_observe)
{
	uint8_t q[64], r[1500];
	size_t n = 0, cl = strlen(code);
	uint16_t mid = ++raw_mid;

	q[n++] = 0x50 | 2;              /* ver 1, NON, TKL 2 */
	q[n++] = CODE_GET;
	q[n++] = (uint8_t)(mid >> 8);
	q[n++] = (uint8_t)mid;
	q[n++] = (uint8_t)(mid >> 8);   /* token */
	q[n++] = (uint8_t)mid;
	if (observe)
		q[n++] = 0x60;          /* Observe (6), empty = 0 */
	q[n++] = (uint8_t)(((observe ? 5 : 11) << 4) | 6);
	memcpy(q + n, "alerts", 6);     /* Uri-Path (11) */
	n += 6;
	q[n++] = (uint8_t)cl;           /* Uri-Path again */
	memcpy(q + n, code, cl);
	n += cl;
	for (int tries = 0; tries < 3; tries++) {
		if (send(fd, q, n, 0) != (ssize_t)n)
			return 0;
		for (;;) {
			ssize_t got = recv(fd, r, sizeof(r), 0);
			if (got < 0)
				break;          /* timeout: send again */
			if (got >= 4 && (r[0] & 0x30) == 0) {
				/* CON (a separate response, a
				 * notification): acknowledge it */
				uint8_t ack[4] = { 0x60, 0, r[2], r[3] };
				(void)!send(fd, ack, sizeof(ack), 0);
			}
			if (got < 6 || (r[0] & 0x0f) != 2 ||
			    r[4] != q[4] || r[5] != q[5])
				continue;       /* not ours (or a late one) */
			if (has_observe != NULL)
				*has_observe = raw_has_option(r + 6,
				    (size_t)got - 6, 6);
			return r[1];
		}
	}
	return 0;
}

/* ---------------- stderr capture (the server logs there) ---------------- */

static int saved_stderr = -1;

static void
capture_start(void)
{
	int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *
capture_end(void)
{
	rm_buf b = RM_BUF_INIT;

	dup2(saved_stderr, 2);
	close(saved_stderr);
	rm_file_read(logfile, 8 << 20, &b, NULL);
	rm_buf_cstr(&b);
	return (char *)rm_buf_steal(&b, NULL);
}

/* ---------------- tests ---------------- */

static void
test_start(void)
{
	static const char *const areas[] = { "120116", "120104" };
	static const char *const served[] = { "120000" };
	struct alertcoap_opts o;

	memset(&o, 0, sizeof(o));
	o.max_age_s = 30;
	o.areas = areas;
	o.n_areas = 2;
	o.served = served;
	o.n_served = 1;
	fx_start(&o);
	raw_fd = raw_open();
	CU_ASSERT_FATAL(raw_fd >= 0);
	snprintf(logfile, sizeof(logfile), "/tmp/rm_coap_log.%d",
	    (int)getpid());
}

/* Valid codes no served prefix contains: 4.04, nothing created, with
 * or without Observe; codes inside are served. */
static void
test_out_of_federation(void)
{
	static const char *const outside[] = {
		"110101", "130102001", "990000000001", "210000",
	};
	struct alertcoap_stats st0, st;
	struct fx_run r;
	bool obs = true;
	char u[128];
	char *out;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	out = fx_get("/alerts/110101", NULL);
	CU_ASSERT(strstr(out, "4.04") != NULL);
	CU_ASSERT(strstr(out, "area outside this federation") != NULL);
	free(out);
	fx_uri(u, sizeof(u), "/alerts/130102001");
	CU_ASSERT_FATAL(fx_client_start(&r, "-s", "2", "-B", "4", u,
	    NULL) == 0);
	out = fx_client_wait(&r, 8000, NULL);
	CU_ASSERT(strstr(out, "4.04") != NULL);
	CU_ASSERT(strstr(out, "无生效预警") == NULL);
	free(out);
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		CU_ASSERT_EQUAL(raw_get(raw_fd, outside[i], false, NULL),
		    CODE_NOTFOUND);
		CU_ASSERT_EQUAL(raw_get(raw_fd, outside[i], true, &obs),
		    CODE_NOTFOUND);
		CU_ASSERT(!obs);
	}
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources);
	CU_ASSERT_EQUAL(st.observers, st0.observers);
	/* inside: a city-wide code and a Binhai street */
	CU_ASSERT_EQUAL(raw_get(raw_fd, "120000", false, NULL), CODE_CONTENT);
	out = fx_get("/alerts/120116001001", NULL);
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	free(out);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 2);
}

/*
 * An observer registers on an on-demand resource, then FLOOD_N distinct
 * in-federation codes arrive: the table stays at its cap by evicting,
 * logs one warning, keeps the pre-created and the observed resources,
 * and the observer is still notified afterwards.
 */
static void
test_flood(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a;
	struct fx_run r;
	rm_mono_ms t0;
	char u[128], code[24];
	char *out, *log;
	int ok = 0;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(u, sizeof(u), "/alerts/120103001");
	CU_ASSERT_FATAL(fx_client_start(&r, "-s", "90", "-B", "95", u,
	    NULL) == 0);
	CU_ASSERT_FATAL(fx_wait_stat(&st.observers, &st, st0.observers + 1,
	    true, 5000));
	alertcoap_get_stats(fx_srv, &st0);

	capture_start();
	t0 = rm_mono_now_ms();
	for (int i = 0; i < FLOOD_N &&
	    rm_mono_now_ms() - t0 < FLOOD_BUDGET; i++) {
		snprintf(code, sizeof(code), "120116%06d", 100000 + i);
		ok += raw_get(raw_fd, code, false, NULL) == CODE_CONTENT;
	}
	log = capture_end();
	fprintf(stderr, "flood: %d requests in %lld ms\n", ok,
	    (long long)(rm_mono_now_ms() - t0));
	CU_ASSERT_EQUAL(ok, FLOOD_N);
	CU_ASSERT_EQUAL(fx_count(log, "area table full"), 1);
	free(log);

	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, ALERTCOAP_AREAS_MAX);
	CU_ASSERT_EQUAL(st.evicted, st0.evicted + st0.resources + FLOOD_N -
	    ALERTCOAP_AREAS_MAX);
	CU_ASSERT_EQUAL(st.observers, st0.observers);

	/* the early observer's resource was kept: it hears of a change */
	a = fx_add_alert("after-flood-1", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "AFTER-FLOOD 河西区大雾", "after flood fog", "120103001", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	out = fx_client_until(&r, "AFTER-FLOOD", 8000);
	CU_ASSERT(strstr(out, "无生效预警") != NULL);    /* first answer */
	CU_ASSERT(strstr(out, "AFTER-FLOOD 河西区大雾") != NULL);
	free(out);
	/* the pre-created ones were kept (the listing reads the table) */
	out = fx_get("/.well-known/core", NULL);
	CU_ASSERT(strstr(out, "</alerts/120116>") != NULL);
	CU_ASSERT(strstr(out, "</alerts/120104>") != NULL);
	free(out);
}

/* After the flood a device observing a new code is registered on its
 * first request and notified. */
static void
test_new_observer_after_flood(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a;
	struct fx_run r;
	char u[128];
	char *out;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(u, sizeof(u), "/alerts/120116002");
	CU_ASSERT_FATAL(fx_client_start(&r, "-s", "8", "-B", "12", u,
	    NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 1, true,
	    5000));
	CU_ASSERT_EQUAL(st.resources, ALERTCOAP_AREAS_MAX);
	CU_ASSERT_EQUAL(st.evicted, st0.evicted + 1);
	a = fx_add_alert("new-after-flood", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "NEW-OBSERVER 滨海新区高温", "new observer heat", "120116002",
	    NULL);
	alertcoap_notify(fx_srv, &a->rec);
	out = fx_client_until(&r, "NEW-OBSERVER", 8000);
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "NEW-OBSERVER 滨海新区高温") != NULL);
	if (strstr(out, "NEW-OBSERVER") == NULL)
		fprintf(stderr, "120116002 output: %s\n", out);
	free(out);
}

/* The discovery document lists /alerts and the pre-created areas only,
 * however many resources exist. */
static void
test_well_known_bounded(void)
{
	char *out;

	if (fx_srv == NULL)
		return;
	out = fx_get("/.well-known/core", NULL);
	CU_ASSERT_EQUAL(fx_count(out, "</"), 3);
	CU_ASSERT(strlen(out) < 600);
	CU_ASSERT(strstr(out, "</alerts/120116100") == NULL);
	CU_ASSERT(strstr(out, "</alerts/120103001>") == NULL);
	free(out);
}

/*
 * A table full of observed (and pre-created) resources evicts nothing:
 * a new code is still answered, without a resource, so without Observe.
 */
static void
test_full_of_observers(void)
{
	struct alertcoap_stats st0, st;
	char code[24];
	bool obs = false;
	int ok = 0, need;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	need = (int)(ALERTCOAP_AREAS_MAX - st0.observers - 2);
	for (int i = 0; i < need; i++) {
		snprintf(code, sizeof(code), "120105%06d", 100000 + i);
		ok += raw_get(raw_fd, code, true, &obs) == CODE_CONTENT && obs;
	}
	CU_ASSERT_EQUAL(ok, need);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers +
	    (uint64_t)need, false, 5000));
	alertcoap_get_stats(fx_srv, &st0);
	CU_ASSERT_EQUAL(st0.resources, ALERTCOAP_AREAS_MAX);
	/* nothing is evictable now */
	CU_ASSERT_EQUAL(raw_get(raw_fd, "120106000001", true, &obs),
	    CODE_CONTENT);
	CU_ASSERT(!obs);
	CU_ASSERT_EQUAL(raw_get(raw_fd, "120106000002", false, NULL),
	    CODE_CONTENT);
	/* and an observed one is still there, and still observable */
	CU_ASSERT_EQUAL(raw_get(raw_fd, "120105100000", true, &obs),
	    CODE_CONTENT);
	CU_ASSERT(obs);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, ALERTCOAP_AREAS_MAX);
	CU_ASSERT_EQUAL(st.evicted, st0.evicted);
	CU_ASSERT_EQUAL(st.observers, st0.observers);
}

static void
test_stop(void)
{
	if (raw_fd >= 0)
		close(raw_fd);
	raw_fd = -1;
	unlink(logfile);
	fx_stop();
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "start", test_start },
		{ "out_of_federation", test_out_of_federation },
		{ "flood", test_flood },
		{ "new_observer_after_flood", test_new_observer_after_flood },
		{ "well_known_bounded", test_well_known_bounded },
		{ "full_of_observers", test_full_of_observers },
		{ "stop", test_stop },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("coap_flood", tests);
}
