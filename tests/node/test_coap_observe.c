/*
 * test_coap_observe.c -- Observe (RFC 7641) on the CoAP alert server,
 * with the real libcoap client on 127.0.0.1: notifications per area,
 * resources created on demand (observable on the first request), CON
 * for orange/red sets, Max-Age and ETag, expiry, concurrent observers
 * (one body per round and format).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rm_test.h"
#include "test_coap_fx.h"

static void
test_start(void)
{
	static const char *const areas[] = { "120116", "120104" };
	struct alertcoap_opts o;

	memset(&o, 0, sizeof(o));
	o.max_age_s = 30;
	o.areas = areas;
	o.n_areas = 2;
	fx_start(&o);
}

static void
test_observe_area(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a, *b;
	struct fx_run r;
	char u[128];
	char *out;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(u, sizeof(u), "/alerts/120116");
	CU_ASSERT_FATAL(fx_client_start(&r, "-s", "3", "-B", "8", "-A", "0", u,
	    NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	a = fx_add_alert("new-1", RM_GRADE_ORANGE, RM_STATUS_ACTUAL,
	    "NEW-120116 滨海新区大风橙色预警", "NEW-120116 gale", "120116",
	    NULL);
	b = fx_add_alert("other-1", RM_GRADE_RED, RM_STATUS_ACTUAL,
	    "OTHER-120103 河西区暴雨", "OTHER-120103 rain", "120103", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	alertcoap_notify(fx_srv, &b->rec);
	out = fx_client_wait(&r, 12000, NULL);
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "NEW-120116 滨海新区大风橙色预警") != NULL);
	CU_ASSERT(strstr(out, "OTHER-120103") == NULL);
	if (strstr(out, "NEW-120116") == NULL)
		fprintf(stderr, "observe output: %s\n", out);
	free(out);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT(st.notifications > st0.notifications);
	/* the client cancelled when its -s time was up */
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers, false, 5000));
	/* a notified area code got its resource; the city sees both */
	CU_ASSERT_EQUAL(st.resources, 3);
	out = fx_get("/alerts/120000", NULL);
	CU_ASSERT(strstr(out, "NEW-120116") != NULL);
	CU_ASSERT(strstr(out, "OTHER-120103") != NULL);
	CU_ASSERT(strstr(out, "台风红色预警") != NULL);
	free(out);
	out = fx_get("/alerts/120103", NULL);
	CU_ASSERT(strstr(out, "OTHER-120103") != NULL);
	CU_ASSERT(strstr(out, "NEW-120116") == NULL);
	free(out);
}

/* Observers of one resource in one round share a body per content
 * format (coap_res.c); each gets its own format, and a later change
 * starts a new round with a new body. */
static void
test_observers_share_round(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a;
	struct fx_run r[3];
	static const char *const accept[] = { "0", "0", "50" };
	char u[128];

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(u, sizeof(u), "/alerts/120104");
	for (int i = 0; i < 3; i++)
		CU_ASSERT_FATAL(fx_client_start(&r[i], "-s", "3", "-B", "8",
		    "-A", accept[i], u, NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 3, true,
	    5000));
	a = fx_add_alert("round-1", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "ROUND-1 河东区大雾", "ROUND-1 fog", "120104", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	CU_ASSERT(fx_wait_stat(&st.notifications, &st, st0.notifications + 1,
	    true, 5000));
	fx_sleep_ms(300);
	a = fx_add_alert("round-2", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "ROUND-2 河东区霜冻", "ROUND-2 frost", "120104", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	for (int i = 0; i < 3; i++) {
		char *out = fx_client_wait(&r[i], 12000, NULL);
		CU_ASSERT(strstr(out, "ROUND-1 fog") != NULL);
		CU_ASSERT(strstr(out, "ROUND-2 frost") != NULL);
		if (i < 2)
			CU_ASSERT(strstr(out, "ROUND-2 河东区霜冻 | ROUND-2 "
			    "frost") != NULL);
		CU_ASSERT_EQUAL(strstr(out, "\"headline\"") != NULL, i == 2);
		free(out);
	}
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers, false,
	    5000));
}

static void
test_unknown_area_on_demand(void)
{
	struct alertcoap_stats st0, st;
	struct fx_run r;
	char u[128];
	char *out;

	if (fx_srv == NULL)
		return;
	fx_add_alert("drill-1", RM_GRADE_YELLOW, RM_STATUS_EXERCISE,
	    "南开区地震应急演练", "Nankai earthquake drill", "120104001", NULL);
	alertcoap_get_stats(fx_srv, &st0);
	/* 120104001 has no resource: served, and created on the spot */
	out = fx_get("/alerts/120104001", NULL);
	CU_ASSERT(strstr(out, "[演练 EXERCISE] [黄色预警/YELLOW]") != NULL);
	CU_ASSERT(strstr(out, "南开区地震应急演练") != NULL);
	free(out);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 1);
	/* on-demand resources stay out of discovery */
	out = fx_get("/.well-known/core", NULL);
	CU_ASSERT(strstr(out, "</alerts/120104>") != NULL);
	CU_ASSERT(strstr(out, "</alerts/120104001>") == NULL);
	free(out);
	/* the containing district sees the drill, marked */
	out = fx_get("/alerts/120104", NULL);
	CU_ASSERT(strstr(out, "[演练 EXERCISE]") != NULL);
	free(out);

	/* A plain GET created the resource; an Observe GET now goes
	 * straight to it. */
	fx_uri(u, sizeof(u), "/alerts/120105");
	out = fx_get("/alerts/120105", NULL);
	CU_ASSERT(strstr(out, "无生效预警") != NULL);
	free(out);
	alertcoap_get_stats(fx_srv, &st0);
	CU_ASSERT_FATAL(fx_client_start(&r, "-s", "2", "-B", "6", u, NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	{
		struct fake_alert *a = fx_add_alert("late-1", RM_GRADE_BLUE,
		    RM_STATUS_TEST, "红桥区测试", "Hongqiao test", "120105",
		    NULL);
		alertcoap_notify(fx_srv, &a->rec);
	}
	out = fx_client_wait(&r, 10000, NULL);
	CU_ASSERT(strstr(out, "[测试 TEST] [蓝色预警/BLUE]") != NULL);
	free(out);
}


/* Notification types: NON for a blue/yellow set, CON for orange/red. */
static void
test_confirmable(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a;
	struct fx_run r;
	char u[128];
	char *out, *p, *non, *con;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(u, sizeof(u), "/alerts/120106");
	out = fx_get("/alerts/120106", NULL);   /* creates the resource */
	free(out);
	CU_ASSERT_FATAL(fx_client_start(&r, "-v", "7", "-s", "3", "-B", "8", u,
	    NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	a = fx_add_alert("yellow-1", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "YELLOW-ONE", "yellow one", "120106", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	fx_sleep_ms(600);
	a = fx_add_alert("red-1", RM_GRADE_RED, RM_STATUS_ACTUAL,
	    "RED-TWO", "red two", "120106", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	out = fx_client_wait(&r, 12000, NULL);
	/* libcoap's debug dump: "v:1 t:NON c:2.05 ... YELLOW-ONE" */
	non = strstr(out, "YELLOW-ONE");
	CU_ASSERT_FATAL(non != NULL);
	p = non;
	while (p > out && strncmp(p, "t:", 2) != 0)
		p--;
	CU_ASSERT(strncmp(p, "t:NON", 5) == 0);
	con = strstr(out, "RED-TWO");
	CU_ASSERT_FATAL(con != NULL);
	p = con;
	while (p > out && strncmp(p, "t:", 2) != 0)
		p--;
	CU_ASSERT(strncmp(p, "t:CON", 5) == 0);
	CU_ASSERT(strstr(out, "Max-Age:30") != NULL);
	CU_ASSERT(strstr(out, "ETag:") != NULL);
	free(out);
}


/* An alert the server served reaches its expiry: observers are told
 * without anyone calling alertcoap_notify(). */
static void
test_expiry_notifies(void)
{
	struct alertcoap_stats st0, st;
	struct fake_spec s = {
		.oid = "short-1", .grade = RM_GRADE_YELLOW,
		.zh_event = "高温", .zh_headline = "SHORT-LIVED 高温黄色预警",
		.areas = { "120110" },
	};
	struct fx_run r;
	char u[128];
	char *out, *first;

	if (fx_srv == NULL)
		return;
	s.expires_ms = rm_utc_now_ms() + 1500;
	fake_add(&fx_fake, &s);
	fx_uri(u, sizeof(u), "/alerts/120110");
	out = fx_get("/alerts/120110", NULL);       /* creates the resource */
	free(out);
	alertcoap_get_stats(fx_srv, &st0);
	CU_ASSERT_FATAL(fx_client_start(&r, "-s", "4", "-B", "8", u, NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	out = fx_client_wait(&r, 12000, NULL);
	first = strstr(out, "SHORT-LIVED");
	CU_ASSERT(first != NULL);
	CU_ASSERT(first != NULL && strstr(first, "无生效预警") != NULL);
	free(out);
}


/* A first Observe GET for an area with no resource registers the
 * observer and leaves the resource behind. Plain UDP: the own engine
 * (coap_own.c) creates the resource and answers piggybacked, so the
 * separate response libcoap needed (empty ACK, then CON 2.05) is gone;
 * the answer is one ACK 2.05 with Observe. */
static void
test_first_observe_unknown(void)
{
	struct alertcoap_stats st0, st;
	struct fx_run r;
	char u[128];
	char *out;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(u, sizeof(u), "/alerts/120107");
	CU_ASSERT_FATAL(fx_client_start(&r, "-v", "7", "-s", "2", "-B", "6", u,
	    NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 1, true,
	    5000));
	out = fx_client_wait(&r, 10000, NULL);
	CU_ASSERT(strstr(out, "无生效预警") != NULL);
	/* piggybacked: no empty ACK, an ACK 2.05 with Observe */
	CU_ASSERT(strstr(out, "t:ACK c:0.00") == NULL);
	CU_ASSERT(strstr(out, "t:ACK c:2.05") != NULL);
	CU_ASSERT(strstr(out, "c:2.05") != NULL &&
	    strstr(strstr(out, "c:2.05"), "Observe:") != NULL);
	free(out);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 1);
	/* the client cancelled when its -s time was up */
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers, false, 5000));
}


/*
 * Devices observe codes nobody created: a community code (CON), an
 * existing district and an unknown street code observed with NON
 * requests, all at once; each gets the alerts of its own area only,
 * pushed after a single request.
 */
static void
test_observe_unknown_mixed(void)
{
	struct alertcoap_stats st0, st;
	struct fake_alert *a, *b, *d;
	struct fx_run ra, rb, rc, rx;
	char ua[128], ub[128], uc[128], ux[128];
	char *out;

	if (fx_srv == NULL)
		return;
	alertcoap_get_stats(fx_srv, &st0);
	fx_uri(ua, sizeof(ua), "/alerts/120116001");
	fx_uri(ub, sizeof(ub), "/alerts/120103");
	fx_uri(uc, sizeof(uc), "/alerts/120102001");
	fx_uri(ux, sizeof(ux), "/alerts/1201160");   /* invalid: 7 digits */
	CU_ASSERT_FATAL(fx_client_start(&ra, "-s", "4", "-B", "10", "-A", "0",
	    ua, NULL) == 0);
	CU_ASSERT_FATAL(fx_client_start(&rb, "-s", "4", "-B", "10", ub,
	    NULL) == 0);
	CU_ASSERT_FATAL(fx_client_start(&rc, "-N", "-s", "4", "-B", "10", uc,
	    NULL) == 0);
	CU_ASSERT_FATAL(fx_client_start(&rx, "-s", "2", "-B", "4", ux,
	    NULL) == 0);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers + 3, true,
	    5000));
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 2);
	a = fx_add_alert("mixed-a", RM_GRADE_ORANGE, RM_STATUS_ACTUAL,
	    "MIXED-120116 滨海新区风暴潮橙色预警", "MIXED-120116 storm surge",
	    "120116", NULL);
	b = fx_add_alert("mixed-b", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "MIXED-120103 河西区大雾蓝色预警", "MIXED-120103 fog", "120103",
	    NULL);
	d = fx_add_alert("mixed-d", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "MIXED-120102001 河东区道路结冰", "MIXED-120102001 ice",
	    "120102001", NULL);
	alertcoap_notify(fx_srv, &a->rec);
	alertcoap_notify(fx_srv, &b->rec);
	alertcoap_notify(fx_srv, &d->rec);

	out = fx_client_wait(&ra, 15000, NULL);
	/* initial set: the district's typhoon alert; then the push */
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120116 滨海新区风暴潮橙色预警") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120103") == NULL);
	CU_ASSERT(strstr(out, "MIXED-120102001") == NULL);
	if (strstr(out, "MIXED-120116") == NULL)
		fprintf(stderr, "120116001 output: %s\n", out);
	free(out);
	out = fx_client_wait(&rb, 15000, NULL);
	CU_ASSERT(strstr(out, "MIXED-120103 河西区大雾蓝色预警") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120116") == NULL);
	CU_ASSERT(strstr(out, "MIXED-120102001") == NULL);
	free(out);
	out = fx_client_wait(&rc, 15000, NULL);
	CU_ASSERT(strstr(out, "MIXED-120102001 河东区道路结冰") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120116") == NULL);
	CU_ASSERT(strstr(out, "MIXED-120103") == NULL);
	if (strstr(out, "MIXED-120102001") == NULL)
		fprintf(stderr, "120102001 output: %s\n", out);
	free(out);
	/* an invalid code is still 4.04, Observe or not, and creates
	 * nothing */
	out = fx_client_wait(&rx, 8000, NULL);
	CU_ASSERT(strstr(out, "4.04") != NULL);
	CU_ASSERT(strstr(out, "无生效预警") == NULL);
	free(out);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 2);
	CU_ASSERT(st.notifications >= st0.notifications + 3);
	CU_ASSERT(fx_wait_stat(&st.observers, &st, st0.observers, false, 5000));
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
		{ "observe_area", test_observe_area },
		{ "observers_share_round", test_observers_share_round },
		{ "unknown_area_on_demand", test_unknown_area_on_demand },
		{ "confirmable", test_confirmable },
		{ "expiry_notifies", test_expiry_notifies },
		{ "first_observe_unknown", test_first_observe_unknown },
		{ "observe_unknown_mixed", test_observe_unknown_mixed },
		{ "stop", test_stop },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("coap_observe", tests);
}
