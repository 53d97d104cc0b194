/*
 * test_coap.c -- the CoAP alert server against the real libcoap client
 * (coap-client-openssl) on 127.0.0.1: start-up options, the
 * representations, discovery and its filter queries, errors, block-wise
 * bodies, a failing provider. Observe is in test_coap_observe.c, the
 * served prefixes and the bounded area table in test_coap_flood.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rm_test.h"
#include "test_coap_fx.h"

static void
test_start(void)
{
	static const char *const areas[] = { "120116", "120104" };
	struct alertcoap_opts o, b;
	struct alertcoap *bad = NULL;
	rm_why why;

	memset(&o, 0, sizeof(o));
	o.max_age_s = 30;
	o.areas = areas;
	o.n_areas = 2;
	o.provider = fake_provider(&fx_fake);
	/* rejected options, each naming the field */
	{
		static const char *const bad_areas[] = { "12011" };
		static const char *const bad_served[] = { "120000", "00" };
		b = o;
		b.areas = bad_areas;
		b.n_areas = 1;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		CU_ASSERT(strstr(why.msg, "areas[0]") != NULL);
		b = o;
		b.provider.alerts = NULL;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		b = o;
		b.host = "not an address";
		b.port = 5683;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		b = o;
		b.served = bad_served;
		b.n_served = 2;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		CU_ASSERT(strstr(why.msg, "served[1]") != NULL);
		b = o;
		b.served = NULL;
		b.n_served = 1;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		CU_ASSERT(strstr(why.msg, "coap.served") != NULL);
		b = o;
		b.served = bad_served;
		b.n_served = ALERTCOAP_AREAS_MAX + 1;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		CU_ASSERT(strstr(why.msg, "more than") != NULL);
		b = o;
		b.max_age_s = 0x1000000;
		CU_ASSERT_EQUAL(alertcoap_start(&b, &bad, &why), RM_EINVAL);
		CU_ASSERT(strstr(why.msg, "max_age_s") != NULL);
		CU_ASSERT(bad == NULL);
	}
	fx_start(&o);
}

static void
test_get_text(void)
{
	char *out;
	struct alertcoap_stats st;

	if (fx_srv == NULL)
		return;
	out = fx_get("/alerts/120116", NULL);
	CU_ASSERT(strstr(out, "[红色预警/RED] 台风 Typhoon: "
	    "天津市气象局发布台风红色预警 | Red typhoon warning for the "
	    "Binhai coast (120116)\n") != NULL);
	CU_ASSERT(strstr(out, "Heping") == NULL);
	free(out);
	out = fx_get("/alerts", "0");
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "[蓝色预警/BLUE]") != NULL);
	free(out);
	out = fx_get("/alerts/120104", "0");
	CU_ASSERT(strstr(out, "(no active alerts / 无生效预警)") != NULL);
	free(out);
	alertcoap_get_stats(fx_srv, &st);
	CU_ASSERT(st.requests >= 3);
	CU_ASSERT_EQUAL(st.resources, 2);
}

static void
test_get_cbor(void)
{
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	rm_cbor_keys k;
	const char *s;
	size_t n, pairs;
	bool saw_grade = false, saw_oid = false;

	if (fx_srv == NULL)
		return;
	CU_ASSERT_EQUAL_FATAL(fx_get_file("/alerts/120116", "60", &b), RM_OK);
	rm_cbor_rd_init(&rd, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_map(&rd, &pairs), RM_OK);
	CU_ASSERT_EQUAL(pairs, 12);
	rm_cbor_keys_init(&k);
	for (size_t i = 0; i < pairs; i++) {
		CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_key(&rd, &k, &s, &n), RM_OK);
		if (rm_cbor_key_is(s, n, "grade")) {
			CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_OK);
			CU_ASSERT(n == 3 && memcmp(s, "red", 3) == 0);
			saw_grade = true;
		} else if (rm_cbor_key_is(s, n, "oid")) {
			CU_ASSERT_EQUAL(rm_cbor_rd_text(&rd, &s, &n), RM_OK);
			CU_ASSERT(n == 9 && memcmp(s, "typhoon-1", 9) == 0);
			saw_oid = true;
		} else {
			CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_skip(&rd), RM_OK);
		}
	}
	CU_ASSERT(saw_grade && saw_oid);
	CU_ASSERT_EQUAL(rm_cbor_rd_end(&rd), RM_OK);
	rm_buf_fini(&b);
}

static void
test_get_json_and_cose(void)
{
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	uint64_t tag;
	size_t n;
	char *out;

	if (fx_srv == NULL)
		return;
	out = fx_get("/alerts/120116", "50");
	CU_ASSERT(strstr(out, "[{\"hash\":\"") != NULL);
	/* the one alert shape of docs/API.md */
	CU_ASSERT(strstr(out, "\"status\":\"Actual\",\"msg_type\":\"Alert\"") !=
	    NULL);
	CU_ASSERT(strstr(out, "\"grade\":\"red\"") != NULL);
	free(out);
	CU_ASSERT_EQUAL_FATAL(fx_get_file("/alerts/120116", "18", &b), RM_OK);
	rm_cbor_rd_init(&rd, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(rm_cbor_rd_array(&rd, &n), RM_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(rm_cbor_rd_tag(&rd, &tag), RM_OK);
	CU_ASSERT_EQUAL(tag, 18);
	rm_buf_fini(&b);
}

static void
test_well_known(void)
{
	char *out;

	if (fx_srv == NULL)
		return;
	out = fx_get("/.well-known/core", NULL);
	CU_ASSERT(strstr(out, "</alerts>") != NULL);
	CU_ASSERT(strstr(out, "</alerts/120116>") != NULL);
	CU_ASSERT(strstr(out, "</alerts/120104>") != NULL);
	CU_ASSERT(strstr(out, "rt=\"riskmesh.alerts\"") != NULL);
	CU_ASSERT(strstr(out, "ct=\"0 50 60 18\"") != NULL);
	CU_ASSERT(strstr(out, "title=\"Alerts for area 120116\"") != NULL);
	CU_ASSERT_EQUAL(fx_count(out, ";obs"), 3);
	CU_ASSERT_EQUAL(fx_count(out, "</"), 3);
	CU_ASSERT(strstr(out, ".well-known") == NULL);
	free(out);
}

/* RFC 6690 §4.1 filter queries. */
static void
test_well_known_filter(void)
{
	static const struct {
		const char *q;
		int n;                  /* links listed */
		const char *has;        /* one of them, or NULL */
	} cases[] = {
		{ "?rt=riskmesh.alerts", 3, "</alerts>" },
		{ "?rt=riskmesh*", 3, "</alerts/120104>" },
		{ "?rt=riskmesh", 0, NULL },
		{ "?rt=core.ps", 0, NULL },
		{ "?href=/alerts", 1, "</alerts>" },
		{ "?href=alerts/120116", 1, "</alerts/120116>" },
		{ "?href=/alerts/1201*", 2, "</alerts/120104>" },
		{ "?href=/alerts*", 3, "</alerts>" },
		{ "?ct=60", 3, "</alerts/120116>" },
		{ "?ct=6", 0, NULL },
		{ "?ct=41", 0, NULL },
		{ "?title=Alerts%20for%20area%20120104", 1, "</alerts/120104>" },
		{ "?title=All*", 1, "</alerts>" },
		{ "?sz=5", 0, NULL },
		{ "?obs", 0, NULL },
		{ "?=x", 0, NULL },
	};
	char path[96];
	char *out;

	if (fx_srv == NULL)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/.well-known/core%s", cases[i].q);
		out = fx_get(path, NULL);
		CU_ASSERT_EQUAL(fx_count(out, "</"), (size_t)cases[i].n);
		if (cases[i].has != NULL)
			CU_ASSERT(strstr(out, cases[i].has) != NULL);
		if (fx_count(out, "</") != (size_t)cases[i].n)
			fprintf(stderr, "%s: %s\n", cases[i].q, out);
		free(out);
	}
}

static void
test_errors(void)
{
	static const char *const bad[] = {
		"/alerts/12011", "/alerts/abcdef", "/alerts/000000",
		"/alerts/1201160000000", "/nothing", "/alerts/120116/x",
	};
	char *out;

	if (fx_srv == NULL)
		return;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = fx_get(bad[i], NULL);
		CU_ASSERT(strstr(out, "4.04") != NULL);
		if (strstr(out, "4.04") == NULL)
			fprintf(stderr, "%s: %s\n", bad[i], out);
		free(out);
	}
	out = fx_get("/alerts/120116", "41");  /* application/xml */
	CU_ASSERT(strstr(out, "4.06") != NULL);
	CU_ASSERT(strstr(out, "天津") == NULL);
	free(out);
	out = fx_get("/alerts", "application/xml");
	CU_ASSERT(strstr(out, "4.06") != NULL);
	free(out);
}

static void
test_blockwise(void)
{
	struct alertcoap_provider p = fake_provider(&fx_fake);
	rm_buf got = RM_BUF_INIT, want = RM_BUF_INIT;
	char oid[32], head[200];

	if (fx_srv == NULL)
		return;
	for (int i = 0; i < 40; i++) {
		snprintf(oid, sizeof(oid), "bulk-%d", i);
		snprintf(head, sizeof(head), "BULK %02d 河北省石家庄市长安区 "
		    "大风蓝色预警 — a long enough headline to need blocks", i);
		fx_add_alert(oid, RM_GRADE_BLUE, RM_STATUS_ACTUAL, head,
		    "Blue gale warning", "130102", NULL);
	}
	CU_ASSERT_EQUAL(alertcoap_render(&p, "130102", rm_utc_now_ms(),
	    ALERTCOAP_CF_TEXT, &want, NULL, NULL), RM_OK);
	CU_ASSERT(want.len > 4096);
	CU_ASSERT_EQUAL_FATAL(fx_get_file("/alerts/130102", "0", &got), RM_OK);
	CU_ASSERT_EQUAL(got.len, want.len);
	CU_ASSERT(got.len == want.len &&
	    memcmp(got.data, want.data, got.len) == 0);
	rm_buf_fini(&got);
	rm_buf_fini(&want);
}


/* The provider fails: 5.00, and nothing is sent as if it were data. */
static void
test_provider_failure(void)
{
	char *out;

	if (fx_srv == NULL)
		return;
	pthread_mutex_lock(&fx_fake.mu);
	fx_fake.fail = RM_ESTORE;
	pthread_mutex_unlock(&fx_fake.mu);
	out = fx_get("/alerts/120116", NULL);
	CU_ASSERT(strstr(out, "5.00") != NULL);
	CU_ASSERT(strstr(out, "天津") == NULL);
	free(out);
	pthread_mutex_lock(&fx_fake.mu);
	fx_fake.fail = 0;
	pthread_mutex_unlock(&fx_fake.mu);
	out = fx_get("/alerts/120116", NULL);
	CU_ASSERT(strstr(out, "天津") != NULL);
	free(out);
}

static void
test_stop(void)
{
	fx_stop();
	alertcoap_stop(NULL);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "start", test_start },
		{ "get_text", test_get_text },
		{ "get_cbor", test_get_cbor },
		{ "get_json_and_cose", test_get_json_and_cose },
		{ "well_known", test_well_known },
		{ "well_known_filter", test_well_known_filter },
		{ "errors", test_errors },
		{ "blockwise", test_blockwise },
		{ "provider_failure", test_provider_failure },
		{ "stop", test_stop },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("coap", tests);
}
