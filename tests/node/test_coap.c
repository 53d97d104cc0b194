/*
 * test_coap.c -- the CoAP alert server against the real libcoap client
 * (coap-client-openssl) on 127.0.0.1: representations, discovery,
 * observe, area filtering, resources created on demand (observable
 * on the first request), errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rm_test.h"
#include "test_coap_fake.h"

#define CLIENT     "/usr/bin/coap-client-openssl"
#define ARGS_MAX   24

static struct fake fk;
static struct coap_srv *srv;
static unsigned port;
static char tmpdir[64];
static int seq;

/* ---------------- helpers ---------------- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct run {
	pid_t pid;
	char path[128];
};

/* Start the client with its stdout and stderr in a file. */
static int
client_start(struct run *r, const char *arg, ...)
{
	const char *argv[ARGS_MAX + 2];
	va_list ap;
	int n = 0, fd;

	argv[n++] = CLIENT;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < ARGS_MAX; a = va_arg(ap,
	    const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(r->path, sizeof(r->path), "%s/out.%d", tmpdir, seq++);
	if ((fd = open(r->path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	if ((r->pid = fork()) < 0) {
		close(fd);
		return -1;
	}
	if (r->pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		execv(CLIENT, (char *const *)argv);
		_exit(127);
	}
	close(fd);
	return 0;
}

/* Wait at most timeout_ms for the client (then kill it); return what
 * it printed (malloc'd, NUL-terminated) and its exit status. */
static char *
client_wait(struct run *r, long timeout_ms, int *status)
{
	rm_buf b = RM_BUF_INIT;
	int st = -1;

	for (long t = 0;; t += 20) {
		pid_t p = waitpid(r->pid, &st, WNOHANG);
		if (p == r->pid)
			break;
		if (t >= timeout_ms) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &st, 0);
			st = -1;
			break;
		}
		sleep_ms(20);
	}
	if (status != NULL)
		*status = st;
	rm_file_read(r->path, 8 << 20, &b, NULL);
	rm_buf_cstr(&b);
	return (char *)rm_buf_steal(&b, NULL);
}

static void
uri(char *out, size_t n, const char *path)
{
	snprintf(out, n, "coap://127.0.0.1:%u%s", port, path);
}

/* GET path with the given Accept (NULL: none); returns the output. */
static char *
get(const char *path, const char *accept)
{
	struct run r;
	char u[128];

	uri(u, sizeof(u), path);
	if (accept != NULL) {
		if (client_start(&r, "-m", "get", "-B", "5", "-A", accept, u,
		    NULL) != 0)
			return strdup("");
	} else if (client_start(&r, "-m", "get", "-B", "5", u, NULL) != 0)
		return strdup("");
	return client_wait(&r, 10000, NULL);
}

/* GET path into a file; returns its bytes in out. */
static int
get_file(const char *path, const char *accept, rm_buf *out)
{
	struct run r;
	char u[128], file[160];
	char *log;

	uri(u, sizeof(u), path);
	snprintf(file, sizeof(file), "%s/body.%d", tmpdir, seq++);
	if (client_start(&r, "-m", "get", "-B", "5", "-A", accept, "-o",
	    file, u, NULL) != 0)
		return -1;
	log = client_wait(&r, 10000, NULL);
	free(log);
	return rm_file_read(file, 8 << 20, out, NULL);
}

static bool
wait_stat(uint64_t *field, struct coap_srv_stats *st, uint64_t want,
    bool at_least, long timeout_ms)
{
	for (long t = 0; t <= timeout_ms; t += 20) {
		coap_srv_get_stats(srv, st);
		if (at_least ? *field >= want : *field == want)
			return true;
		sleep_ms(20);
	}
	return false;
}

static struct fake_alert *
add_alert(const char *oid, rm_grade g, rm_cap_status status,
    const char *zh, const char *en, const char *area1, const char *area2)
{
	struct fake_spec s = {
		.oid = oid, .grade = g, .status = status,
		.zh_event = "台风", .zh_headline = zh,
		.en_event = "Typhoon", .en_headline = en,
		.areas = { area1, area2 }, .expires_ms = 0,
	};

	return fake_add(&fk, &s);
}

/* ---------------- tests ---------------- */

static void
test_start(void)
{
	static const char *const areas[] = { "120116", "120104" };
	struct coap_srv_opts o;
	struct coap_srv *bad;
	rm_why why;

	CU_ASSERT_FATAL(access(CLIENT, X_OK) == 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rm_coap_XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
	fake_init(&fk);
	add_alert("typhoon-1", RM_GRADE_RED, RM_STATUS_ACTUAL,
	    "天津市气象局发布台风红色预警",
	    "Red typhoon warning for the Binhai coast", "120116", NULL);
	add_alert("fog-1", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "和平区大雾蓝色预警", "Blue fog warning for Heping", "120101", NULL);

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.max_age_s = 30;
	o.areas = areas;
	o.n_areas = 2;
	o.provider = fake_provider(&fk);
	/* rejected options */
	{
		static const char *const bad_areas[] = { "12011" };
		struct coap_srv_opts b = o;
		b.areas = bad_areas;
		b.n_areas = 1;
		CU_ASSERT_EQUAL(coap_srv_start(&b, &bad, &why), RM_EINVAL);
		CU_ASSERT(strstr(why.msg, "areas[0]") != NULL);
		b = o;
		b.provider.alerts = NULL;
		CU_ASSERT_EQUAL(coap_srv_start(&b, &bad, &why), RM_EINVAL);
		b = o;
		b.host = "not an address";
		b.port = 5683;
		CU_ASSERT_EQUAL(coap_srv_start(&b, &bad, &why), RM_EINVAL);
	}
	for (int i = 0; i < 5 && srv == NULL; i++) {
		o.port = (uint16_t)(30000 + (getpid() + i * 977) % 20000);
		if (coap_srv_start(&o, &srv, &why) != RM_OK)
			fprintf(stderr, "start: %s\n", why.msg);
	}
	CU_ASSERT_FATAL(srv != NULL);
	port = o.port;
}

static void
test_get_text(void)
{
	char *out;
	struct coap_srv_stats st;

	if (srv == NULL)
		return;
	out = get("/alerts/120116", NULL);
	CU_ASSERT(strstr(out, "[红色预警/RED] 台风 Typhoon: "
	    "天津市气象局发布台风红色预警 | Red typhoon warning for the "
	    "Binhai coast (120116)\n") != NULL);
	CU_ASSERT(strstr(out, "Heping") == NULL);
	free(out);
	out = get("/alerts", "0");
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "[蓝色预警/BLUE]") != NULL);
	free(out);
	out = get("/alerts/120104", "0");
	CU_ASSERT(strstr(out, "(no active alerts / 无生效预警)") != NULL);
	free(out);
	coap_srv_get_stats(srv, &st);
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

	if (srv == NULL)
		return;
	CU_ASSERT_EQUAL_FATAL(get_file("/alerts/120116", "60", &b), RM_OK);
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

	if (srv == NULL)
		return;
	out = get("/alerts/120116", "50");
	CU_ASSERT(strstr(out, "[{\"hash\":\"") != NULL);
	CU_ASSERT(strstr(out, "\"grade\":\"red\",\"status\":\"Actual\"") != NULL);
	free(out);
	CU_ASSERT_EQUAL_FATAL(get_file("/alerts/120116", "18", &b), RM_OK);
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

	if (srv == NULL)
		return;
	out = get("/.well-known/core", NULL);
	CU_ASSERT(strstr(out, "</alerts>") != NULL);
	CU_ASSERT(strstr(out, "</alerts/120116>") != NULL);
	CU_ASSERT(strstr(out, "rt=\"riskmesh.alerts\"") != NULL);
	CU_ASSERT(strstr(out, "ct=\"0 50 60 18\"") != NULL);
	CU_ASSERT(strstr(out, ";obs") != NULL);
	free(out);
}

static void
test_errors(void)
{
	static const char *const bad[] = {
		"/alerts/12011", "/alerts/abcdef", "/alerts/000000",
		"/alerts/1201160000000", "/nothing", "/alerts/120116/x",
	};
	char *out;

	if (srv == NULL)
		return;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = get(bad[i], NULL);
		CU_ASSERT(strstr(out, "4.04") != NULL);
		if (strstr(out, "4.04") == NULL)
			fprintf(stderr, "%s: %s\n", bad[i], out);
		free(out);
	}
	out = get("/alerts/120116", "41");  /* application/xml */
	CU_ASSERT(strstr(out, "4.06") != NULL);
	CU_ASSERT(strstr(out, "天津") == NULL);
	free(out);
	out = get("/alerts", "application/xml");
	CU_ASSERT(strstr(out, "4.06") != NULL);
	free(out);
}

static void
test_observe_area(void)
{
	struct coap_srv_stats st0, st;
	struct fake_alert *a, *b;
	struct run r;
	char u[128];
	char *out;

	if (srv == NULL)
		return;
	coap_srv_get_stats(srv, &st0);
	uri(u, sizeof(u), "/alerts/120116");
	CU_ASSERT_FATAL(client_start(&r, "-s", "3", "-B", "8", "-A", "0", u,
	    NULL) == 0);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	a = add_alert("new-1", RM_GRADE_ORANGE, RM_STATUS_ACTUAL,
	    "NEW-120116 滨海新区大风橙色预警", "NEW-120116 gale", "120116",
	    NULL);
	b = add_alert("other-1", RM_GRADE_RED, RM_STATUS_ACTUAL,
	    "OTHER-120103 河西区暴雨", "OTHER-120103 rain", "120103", NULL);
	coap_srv_notify(srv, &a->rec);
	coap_srv_notify(srv, &b->rec);
	out = client_wait(&r, 12000, NULL);
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "NEW-120116 滨海新区大风橙色预警") != NULL);
	CU_ASSERT(strstr(out, "OTHER-120103") == NULL);
	if (strstr(out, "NEW-120116") == NULL)
		fprintf(stderr, "observe output: %s\n", out);
	free(out);
	coap_srv_get_stats(srv, &st);
	CU_ASSERT(st.notifications > st0.notifications);
	/* the client cancelled when its -s time was up */
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers, false, 5000));
	/* a notified area code got its resource; the city sees both */
	CU_ASSERT_EQUAL(st.resources, 3);
	out = get("/alerts/120000", NULL);
	CU_ASSERT(strstr(out, "NEW-120116") != NULL);
	CU_ASSERT(strstr(out, "OTHER-120103") != NULL);
	CU_ASSERT(strstr(out, "台风红色预警") != NULL);
	free(out);
	out = get("/alerts/120103", NULL);
	CU_ASSERT(strstr(out, "OTHER-120103") != NULL);
	CU_ASSERT(strstr(out, "NEW-120116") == NULL);
	free(out);
}

static void
test_unknown_area_on_demand(void)
{
	struct coap_srv_stats st0, st;
	struct run r;
	char u[128];
	char *out;

	if (srv == NULL)
		return;
	add_alert("drill-1", RM_GRADE_YELLOW, RM_STATUS_EXERCISE,
	    "南开区地震应急演练", "Nankai earthquake drill", "120104001", NULL);
	coap_srv_get_stats(srv, &st0);
	/* 120104001 has no resource: served, and created on the spot */
	out = get("/alerts/120104001", NULL);
	CU_ASSERT(strstr(out, "[演练 EXERCISE] [黄色预警/YELLOW]") != NULL);
	CU_ASSERT(strstr(out, "南开区地震应急演练") != NULL);
	free(out);
	coap_srv_get_stats(srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 1);
	out = get("/.well-known/core", NULL);
	CU_ASSERT(strstr(out, "</alerts/120104001>") != NULL);
	free(out);
	/* the containing district sees the drill, marked */
	out = get("/alerts/120104", NULL);
	CU_ASSERT(strstr(out, "[演练 EXERCISE]") != NULL);
	free(out);

	/* A plain GET created the resource; an Observe GET now goes
	 * straight to it. */
	uri(u, sizeof(u), "/alerts/120105");
	out = get("/alerts/120105", NULL);
	CU_ASSERT(strstr(out, "无生效预警") != NULL);
	free(out);
	coap_srv_get_stats(srv, &st0);
	CU_ASSERT_FATAL(client_start(&r, "-s", "2", "-B", "6", u, NULL) == 0);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	{
		struct fake_alert *a = add_alert("late-1", RM_GRADE_BLUE,
		    RM_STATUS_TEST, "红桥区测试", "Hongqiao test", "120105",
		    NULL);
		coap_srv_notify(srv, &a->rec);
	}
	out = client_wait(&r, 10000, NULL);
	CU_ASSERT(strstr(out, "[测试 TEST] [蓝色预警/BLUE]") != NULL);
	free(out);
}

/* Notification types: NON for a blue/yellow set, CON for orange/red. */
static void
test_confirmable(void)
{
	struct coap_srv_stats st0, st;
	struct fake_alert *a;
	struct run r;
	char u[128];
	char *out, *p, *non, *con;

	if (srv == NULL)
		return;
	coap_srv_get_stats(srv, &st0);
	uri(u, sizeof(u), "/alerts/120106");
	out = get("/alerts/120106", NULL);   /* creates the resource */
	free(out);
	CU_ASSERT_FATAL(client_start(&r, "-v", "7", "-s", "3", "-B", "8", u,
	    NULL) == 0);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	a = add_alert("yellow-1", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "YELLOW-ONE", "yellow one", "120106", NULL);
	coap_srv_notify(srv, &a->rec);
	sleep_ms(600);
	a = add_alert("red-1", RM_GRADE_RED, RM_STATUS_ACTUAL,
	    "RED-TWO", "red two", "120106", NULL);
	coap_srv_notify(srv, &a->rec);
	out = client_wait(&r, 12000, NULL);
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

static void
test_blockwise(void)
{
	struct coap_srv_provider p = fake_provider(&fk);
	rm_buf got = RM_BUF_INIT, want = RM_BUF_INIT;
	char oid[32], head[200];

	if (srv == NULL)
		return;
	for (int i = 0; i < 40; i++) {
		snprintf(oid, sizeof(oid), "bulk-%d", i);
		snprintf(head, sizeof(head), "BULK %02d 河北省石家庄市长安区 "
		    "大风蓝色预警 — a long enough headline to need blocks", i);
		add_alert(oid, RM_GRADE_BLUE, RM_STATUS_ACTUAL, head,
		    "Blue gale warning", "130102", NULL);
	}
	CU_ASSERT_EQUAL(coap_srv_render(&p, "130102", rm_utc_now_ms(),
	    COAP_SRV_CF_TEXT, &want, NULL, NULL), RM_OK);
	CU_ASSERT(want.len > 4096);
	CU_ASSERT_EQUAL_FATAL(get_file("/alerts/130102", "0", &got), RM_OK);
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

	if (srv == NULL)
		return;
	pthread_mutex_lock(&fk.mu);
	fk.fail = RM_ESTORE;
	pthread_mutex_unlock(&fk.mu);
	out = get("/alerts/120116", NULL);
	CU_ASSERT(strstr(out, "5.00") != NULL);
	CU_ASSERT(strstr(out, "天津") == NULL);
	free(out);
	pthread_mutex_lock(&fk.mu);
	fk.fail = 0;
	pthread_mutex_unlock(&fk.mu);
	out = get("/alerts/120116", NULL);
	CU_ASSERT(strstr(out, "天津") != NULL);
	free(out);
}

/* An alert the server served reaches its expiry: observers are told
 * without anyone calling coap_srv_notify(). */
static void
test_expiry_notifies(void)
{
	struct coap_srv_stats st0, st;
	struct fake_spec s = {
		.oid = "short-1", .grade = RM_GRADE_YELLOW,
		.zh_event = "高温", .zh_headline = "SHORT-LIVED 高温黄色预警",
		.areas = { "120110" },
	};
	struct run r;
	char u[128];
	char *out, *first;

	if (srv == NULL)
		return;
	s.expires_ms = rm_utc_now_ms() + 1500;
	fake_add(&fk, &s);
	uri(u, sizeof(u), "/alerts/120110");
	out = get("/alerts/120110", NULL);       /* creates the resource */
	free(out);
	coap_srv_get_stats(srv, &st0);
	CU_ASSERT_FATAL(client_start(&r, "-s", "4", "-B", "8", u, NULL) == 0);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers + 1, true, 5000));
	out = client_wait(&r, 12000, NULL);
	first = strstr(out, "SHORT-LIVED");
	CU_ASSERT(first != NULL);
	CU_ASSERT(first != NULL && strstr(first, "无生效预警") != NULL);
	free(out);
}

/* A first Observe GET for an area with no resource registers the
 * observer (through the re-dispatch) and leaves the resource behind. */
static void
test_first_observe_unknown(void)
{
	struct coap_srv_stats st0, st;
	struct run r;
	char u[128];
	char *out;

	if (srv == NULL)
		return;
	coap_srv_get_stats(srv, &st0);
	uri(u, sizeof(u), "/alerts/120107");
	CU_ASSERT_FATAL(client_start(&r, "-v", "7", "-s", "2", "-B", "6", u,
	    NULL) == 0);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers + 1, true,
	    5000));
	out = client_wait(&r, 10000, NULL);
	CU_ASSERT(strstr(out, "无生效预警") != NULL);
	/* separate response: empty ACK, then a CON 2.05 with Observe */
	CU_ASSERT(strstr(out, "t:ACK c:0.00") != NULL);
	CU_ASSERT(strstr(out, "t:CON c:2.05") != NULL);
	CU_ASSERT(strstr(out, "c:2.05") != NULL &&
	    strstr(strstr(out, "c:2.05"), "Observe:") != NULL);
	free(out);
	coap_srv_get_stats(srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 1);
	/* the client cancelled when its -s time was up */
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers, false, 5000));
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
	struct coap_srv_stats st0, st;
	struct fake_alert *a, *b, *d;
	struct run ra, rb, rc, rx;
	char ua[128], ub[128], uc[128], ux[128];
	char *out;

	if (srv == NULL)
		return;
	coap_srv_get_stats(srv, &st0);
	uri(ua, sizeof(ua), "/alerts/120116001");
	uri(ub, sizeof(ub), "/alerts/120103");
	uri(uc, sizeof(uc), "/alerts/120102001");
	uri(ux, sizeof(ux), "/alerts/1201160");   /* invalid: 7 digits */
	CU_ASSERT_FATAL(client_start(&ra, "-s", "4", "-B", "10", "-A", "0",
	    ua, NULL) == 0);
	CU_ASSERT_FATAL(client_start(&rb, "-s", "4", "-B", "10", ub,
	    NULL) == 0);
	CU_ASSERT_FATAL(client_start(&rc, "-N", "-s", "4", "-B", "10", uc,
	    NULL) == 0);
	CU_ASSERT_FATAL(client_start(&rx, "-s", "2", "-B", "4", ux,
	    NULL) == 0);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers + 3, true,
	    5000));
	coap_srv_get_stats(srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 2);
	a = add_alert("mixed-a", RM_GRADE_ORANGE, RM_STATUS_ACTUAL,
	    "MIXED-120116 滨海新区风暴潮橙色预警", "MIXED-120116 storm surge",
	    "120116", NULL);
	b = add_alert("mixed-b", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "MIXED-120103 河西区大雾蓝色预警", "MIXED-120103 fog", "120103",
	    NULL);
	d = add_alert("mixed-d", RM_GRADE_YELLOW, RM_STATUS_ACTUAL,
	    "MIXED-120102001 河东区道路结冰", "MIXED-120102001 ice",
	    "120102001", NULL);
	coap_srv_notify(srv, &a->rec);
	coap_srv_notify(srv, &b->rec);
	coap_srv_notify(srv, &d->rec);

	out = client_wait(&ra, 15000, NULL);
	/* initial set: the district's typhoon alert; then the push */
	CU_ASSERT(strstr(out, "天津市气象局发布台风红色预警") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120116 滨海新区风暴潮橙色预警") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120103") == NULL);
	CU_ASSERT(strstr(out, "MIXED-120102001") == NULL);
	if (strstr(out, "MIXED-120116") == NULL)
		fprintf(stderr, "120116001 output: %s\n", out);
	free(out);
	out = client_wait(&rb, 15000, NULL);
	CU_ASSERT(strstr(out, "MIXED-120103 河西区大雾蓝色预警") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120116") == NULL);
	CU_ASSERT(strstr(out, "MIXED-120102001") == NULL);
	free(out);
	out = client_wait(&rc, 15000, NULL);
	CU_ASSERT(strstr(out, "MIXED-120102001 河东区道路结冰") != NULL);
	CU_ASSERT(strstr(out, "MIXED-120116") == NULL);
	CU_ASSERT(strstr(out, "MIXED-120103") == NULL);
	if (strstr(out, "MIXED-120102001") == NULL)
		fprintf(stderr, "120102001 output: %s\n", out);
	free(out);
	/* an invalid code is still 4.04, Observe or not, and creates
	 * nothing */
	out = client_wait(&rx, 8000, NULL);
	CU_ASSERT(strstr(out, "4.04") != NULL);
	CU_ASSERT(strstr(out, "无生效预警") == NULL);
	free(out);
	coap_srv_get_stats(srv, &st);
	CU_ASSERT_EQUAL(st.resources, st0.resources + 2);
	CU_ASSERT(st.notifications >= st0.notifications + 3);
	CU_ASSERT(wait_stat(&st.observers, &st, st0.observers, false, 5000));
}

static void
test_stop(void)
{
	char cmd[128];

	coap_srv_stop(srv);
	srv = NULL;
	coap_srv_stop(NULL);
	fake_fini(&fk);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
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
		{ "errors", test_errors },
		{ "observe_area", test_observe_area },
		{ "unknown_area_on_demand", test_unknown_area_on_demand },
		{ "confirmable", test_confirmable },
		{ "blockwise", test_blockwise },
		{ "provider_failure", test_provider_failure },
		{ "expiry_notifies", test_expiry_notifies },
		{ "first_observe_unknown", test_first_observe_unknown },
		{ "observe_unknown_mixed", test_observe_unknown_mixed },
		{ "stop", test_stop },
		CU_TEST_INFO_NULL,
	};
	signal(SIGPIPE, SIG_IGN);
	RM_SUITE("coap", tests);
}
