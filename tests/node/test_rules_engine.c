/*
 * test_rules_engine.c -- the rules engine (node/rules) with recorded
 * series (tests/node/data, the CSV files): a crossing fires once after the
 * pending period and clears past the hysteresis; a value hovering at
 * the threshold does not flap; rise over a window; the chain fires only
 * while both terms hold; the same inputs in any batching give the same
 * transitions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/rules/rules.h"
#include "rm_test.h"

#define T0   1780000000000LL          /* 2026-05-28T20:26:40Z */
#define MIN  60000LL
#define OBS_MAX 4096

struct log {
	size_t n, raised, cleared;
	struct rules_transition t[256];
	char text[1 << 20];               /* every transition, one a line */
	size_t len;
};

static void
record(void *arg, const struct rules_transition *t)
{
	struct log *l = arg;

	if (l->n < sizeof(l->t) / sizeof(l->t[0]))
		l->t[l->n] = *t;
	l->n++;
	if (t->raised)
		l->raised++;
	else
		l->cleared++;
	if (l->len + 128 > sizeof(l->text)) {
		CU_FAIL("transition log full");
		return;
	}
	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len,
	    "%s %s %s %lld %lld %.6g\n", t->raised ? "raise" : "clear",
	    t->rule->id, t->area, (long long)(t->at_ms - T0) / MIN,
	    (long long)(t->since_ms - T0) / MIN, t->n_evidence > 0 ?
	    t->evidence[0].value : 0.0);
}

static struct rules_set *
set_of(const char *text)
{
	struct rules_set *s = NULL;
	rm_why why;

	if (rules_parse(text, strlen(text), "test", &s, NULL, NULL, NULL,
	    &why) != RM_OK)
		fprintf(stderr, "%s\n", why.msg);
	return s;
}

/* A recorded series: "minute,value" lines after a header, '#' comments. */
static size_t
load(const char *file, const char *code, const char *area,
    struct rules_obs *obs, size_t max)
{
	char path[1024], line[256];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/%s", RM_RULES_DIR, file);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		long long m;
		double v;

		if (sscanf(line, "%lld,%lf", &m, &v) != 2)
			continue;
		obs[n].code = code;
		obs[n].area = area;
		obs[n].t_ms = T0 + m * MIN;
		obs[n].value = v;
		n++;
	}
	fclose(f);
	return n;
}

static const char rain_rules[] =
    "rule rain\n scope 120116\n when rain_3h >= 50 clear 40\n"
    " pending 30m\n warning orange\n event 暴雨\n headline h\nend\n";

static void
test_rain_pending(void)
{
	struct rules_set *s = set_of(rain_rules);
	struct rules_engine *e;
	struct rules_obs obs[64];
	struct log *l = calloc(1, sizeof(*l));
	size_t n = load("rain_3h.csv", "rain_3h", "120116", obs, 64);

	CU_ASSERT_EQUAL_FATAL(n, 14);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	CU_ASSERT_EQUAL(rules_observe(e, obs, n, record, l), RM_OK);
	/* above 50 from minute 30; the pending half hour ends at 60 */
	CU_ASSERT_EQUAL_FATAL(l->n, 2);
	CU_ASSERT(l->t[0].raised);
	CU_ASSERT_EQUAL(l->t[0].at_ms, T0 + 60 * MIN);
	CU_ASSERT_STRING_EQUAL(l->t[0].area, "120116");
	CU_ASSERT_EQUAL(l->t[0].n_evidence, 1);
	CU_ASSERT(l->t[0].evidence[0].value == 58);   /* newest by 60 */
	CU_ASSERT_EQUAL(l->t[0].evidence[0].at_ms, T0 + 50 * MIN);
	CU_ASSERT_STRING_EQUAL(l->t[0].evidence[0].code, "rain_3h");
	/* 47 and 44 stay above the clear threshold 40; 38 clears */
	CU_ASSERT_FALSE(l->t[1].raised);
	CU_ASSERT_EQUAL(l->t[1].at_ms, T0 + 120 * MIN);
	CU_ASSERT_EQUAL(l->t[1].since_ms, T0 + 60 * MIN);
	rules_engine_free(e);
	rules_set_free(s);
	free(l);
}

/* Under the threshold inside the pending period: nothing fires. */
static void
test_pending_reset(void)
{
	struct rules_set *s = set_of(rain_rules);
	struct rules_engine *e;
	struct log *l = calloc(1, sizeof(*l));
	rm_utc_ms d;
	struct rules_obs o[] = {
		{ "rain_3h", "120116", T0, 55 },
		{ "rain_3h", "120116", T0 + 20 * MIN, 49 },
		{ "rain_3h", "120116", T0 + 25 * MIN, 51 },
	};

	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	rules_observe(e, o, 3, record, l);
	CU_ASSERT_EQUAL(l->n, 0);
	/* pending again since 25: the deadline is 55, and advancing fires */
	CU_ASSERT(rules_next_deadline(e, &d));
	CU_ASSERT_EQUAL(d, T0 + 55 * MIN);
	rules_advance(e, T0 + 54 * MIN, record, l);
	CU_ASSERT_EQUAL(l->n, 0);
	rules_advance(e, T0 + 90 * MIN, record, l);
	CU_ASSERT_EQUAL_FATAL(l->n, 1);
	CU_ASSERT_EQUAL(l->t[0].at_ms, T0 + 55 * MIN);
	CU_ASSERT_FALSE(rules_next_deadline(e, &d));
	rules_engine_free(e);
	rules_set_free(s);
	free(l);
}

static void
test_hover(void)
{
	struct rules_set *s = set_of(
	    "rule h\n scope 120100\n when rain_3h >= 50 clear 40\n"
	    " warning orange\n event e\n headline h\nend\n"
	    "rule flap\n scope 120100\n when rain_3h >= 50\n"
	    " warning orange\n event e\n headline h\nend\n");
	struct rules_engine *e;
	struct rules_obs obs[64];
	struct log *l = calloc(1, sizeof(*l));
	size_t n = load("rain_hover.csv", "rain_3h", "120116", obs, 64), r = 0,
	    c = 0;

	CU_ASSERT_EQUAL_FATAL(n, 16);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	rules_observe(e, obs, n, record, l);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->t[i].rule->id, "h") == 0) {
			if (l->t[i].raised) {
				r++;
				CU_ASSERT_EQUAL(l->t[i].at_ms, T0 + 10 * MIN);
			} else {
				c++;
				CU_ASSERT_EQUAL(l->t[i].at_ms, T0 + 120 * MIN);
			}
		}
	CU_ASSERT_EQUAL(r, 1);        /* exactly one raise, one clear */
	CU_ASSERT_EQUAL(c, 1);
	/* without hysteresis the same series flaps */
	CU_ASSERT(l->n - r - c >= 8);
	rules_engine_free(e);
	rules_set_free(s);
	free(l);
}

static void
test_rise(void)
{
	struct rules_set *s = set_of(
	    "rule rise\n scope 120116\n when rise(river_level, 3h) >= 0.5\n"
	    " task 120116.water\n subject s\nend\n"
	    "rule fall\n scope 120116\n when fall(river_level, 1h) >= 0.01\n"
	    " task 120116.water\n subject s\nend\n");
	struct rules_engine *e;
	struct rules_obs obs[64];
	struct log *l = calloc(1, sizeof(*l));
	size_t n = load("river_level.csv", "river_level", "120116", obs, 64);

	CU_ASSERT_EQUAL_FATAL(n, 11);
	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	rules_observe(e, obs, n, record, l);
	/* at 150 the rise over 3 h is 0.45; at 180 3.62 - 3.00 = 0.62;
	 * the level falls 0.02 at 300 */
	CU_ASSERT_EQUAL_FATAL(l->n, 2);
	CU_ASSERT_STRING_EQUAL(l->t[0].rule->id, "rise");
	CU_ASSERT_EQUAL(l->t[0].at_ms, T0 + 180 * MIN);
	CU_ASSERT(fabs(l->t[0].evidence[0].value - 0.62) < 1e-9);
	CU_ASSERT_EQUAL(l->t[0].evidence[0].window_ms, 3 * 3600000);
	CU_ASSERT_EQUAL(l->t[0].evidence[0].kind, RULES_RISE);
	CU_ASSERT_STRING_EQUAL(l->t[1].rule->id, "fall");
	CU_ASSERT_EQUAL(l->t[1].at_ms, T0 + 300 * MIN);
	rules_engine_free(e);
	rules_set_free(s);
	free(l);
}

static void
alert(struct rules_engine *e, const char *key, const char *area,
    const char *event, rm_grade g, bool in_force, rm_utc_ms t,
    struct log *l)
{
	const char *areas[] = { area }, *events[] = { "Typhoon", event };
	struct rules_alert_fact f = { key, 1, areas, 2, events, g, in_force,
		t, 0 };

	CU_ASSERT_EQUAL(rules_alert(e, &f, record, l), RM_OK);
}

static void
test_chain(void)
{
	struct rules_set *s = set_of(
	    "rule flood\n scope 120116\n"
	    " when alert(台风) >= orange and river_level >= 4.5 clear 4.3\n"
	    " warning red\n event 洪水\n headline h\nend\n");
	struct rules_engine *e;
	struct log *l = calloc(1, sizeof(*l));
	struct rules_obs o = { "river_level", "120116001", T0, 4.8 };

	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	rules_observe(e, &o, 1, record, l);
	CU_ASSERT_EQUAL(l->n, 0);                   /* level alone */
	alert(e, "120000.meteorology/ty1", "120000", "台风", RM_GRADE_YELLOW,
	    true, T0 + MIN, l);
	CU_ASSERT_EQUAL(l->n, 0);                   /* yellow: below orange */
	alert(e, "120000.meteorology/ty1", "120000", "台风", RM_GRADE_ORANGE,
	    true, T0 + 2 * MIN, l);
	CU_ASSERT_EQUAL_FATAL(l->n, 1);             /* both hold */
	CU_ASSERT(l->t[0].raised);
	CU_ASSERT_STRING_EQUAL(l->t[0].area, "120116001");
	CU_ASSERT_EQUAL(l->t[0].n_evidence, 2);
	CU_ASSERT_EQUAL(l->t[0].evidence[0].grade, RM_GRADE_ORANGE);
	CU_ASSERT_STRING_EQUAL(l->t[0].evidence[0].ref,
	    "120000.meteorology/ty1");
	CU_ASSERT(l->t[0].evidence[1].value == 4.8);
	o.t_ms = T0 + 3 * MIN;
	o.value = 4.4;                              /* inside the band */
	rules_observe(e, &o, 1, record, l);
	CU_ASSERT_EQUAL(l->n, 1);
	alert(e, "120000.meteorology/ty1", "120000", "台风", RM_GRADE_ORANGE,
	    false, T0 + 4 * MIN, l);                /* cancelled */
	CU_ASSERT_EQUAL_FATAL(l->n, 2);
	CU_ASSERT_FALSE(l->t[1].raised);
	/* an alert for another district does not count */
	alert(e, "120101.gov/ty2", "120101", "台风", RM_GRADE_RED, true,
	    T0 + 5 * MIN, l);
	o.t_ms = T0 + 6 * MIN;
	o.value = 5;
	rules_observe(e, &o, 1, record, l);
	CU_ASSERT_EQUAL(l->n, 2);
	rules_engine_free(e);
	rules_set_free(s);
	free(l);
}

/* Alert-only rules get states from the alert's areas; an expiring alert
 * clears at its expiry (a deadline). */
static void
test_alert_expiry(void)
{
	struct rules_set *s = set_of(
	    "rule ty\n scope 120000\n when alert(*) >= red\n"
	    " task responsible\n subject s\nend\n");
	struct rules_engine *e;
	struct log *l = calloc(1, sizeof(*l));
	const char *areas[] = { "120116" }, *events[] = { "Typhoon" };
	struct rules_alert_fact f = { "a/b", 1, areas, 1, events, RM_GRADE_RED,
		true, T0, T0 + 60 * MIN };
	rm_utc_ms d;

	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	rules_alert(e, &f, record, l);
	CU_ASSERT_EQUAL_FATAL(l->n, 1);
	CU_ASSERT(rules_next_deadline(e, &d) && d == T0 + 60 * MIN);
	rules_advance(e, T0 + 61 * MIN, record, l);
	CU_ASSERT_EQUAL_FATAL(l->n, 2);
	CU_ASSERT_FALSE(l->t[1].raised);
	CU_ASSERT_EQUAL(l->t[1].at_ms, T0 + 60 * MIN);
	/* restored firing: clearing still reaches it */
	CU_ASSERT_EQUAL(rules_restore_firing(e, "ty", "120116", T0), RM_OK);
	CU_ASSERT_EQUAL(rules_restore_firing(e, "ty", "130000", T0),
	    RM_EBADVALUE);
	CU_ASSERT_EQUAL(rules_restore_firing(e, "no", "120116", T0),
	    RM_ENOTFOUND);
	f.in_force = false;
	f.t_ms = T0 + 70 * MIN;
	rules_alert(e, &f, record, l);
	CU_ASSERT_EQUAL(l->n, 3);
	rules_engine_free(e);
	rules_set_free(s);
	free(l);
}

static uint32_t lcg = 12345;
static uint32_t
rnd(uint32_t n)
{
	lcg = lcg * 1103515245u + 12345u;
	return (lcg >> 8) % n;
}

static const char det_rules[] =
    "rule a\n scope 120116 120101\n when rain_3h >= 50 clear 40\n"
    " pending 20m\n warning orange\n event e\n headline h\nend\n"
    "rule b\n scope 120100\n when rise(level, 1h) >= 0.3 clear 0.1\n"
    " pending 10m\n warning yellow\n event e\n headline h\nend\n"
    "rule c\n scope 120116\n when alert(台风) >= orange and "
    "max(rain_3h, 2h) >= 30\n warning red\n event e\n headline h\nend\n";

/* One input: an observation, or (code NULL) an alert fact. */
struct input {
	struct rules_obs o;
	rm_grade g;
	bool in_force;
};

static void
run(const struct rules_set *s, const struct input *in, size_t n, bool split,
    struct log *l)
{
	static const char *const areas[] = { "120116" };
	static const char *const events[] = { "台风" };
	static struct rules_obs batch[OBS_MAX];
	struct rules_engine *e;
	size_t i = 0;

	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	while (i < n) {
		size_t k = 1;

		if (in[i].o.code == NULL) {
			struct rules_alert_fact f = { "m/ty", 1, areas, 1, events,
				in[i].g, in[i].in_force, in[i].o.t_ms, 0 };

			rules_alert(e, &f, record, l);
			i++;
			continue;
		}
		while (split && i + k < n && in[i + k].o.code != NULL &&
		    k < 1 + rnd(9))
			k++;
		if (!split)
			while (i + k < n && in[i + k].o.code != NULL)
				k++;
		if (split && rnd(3) == 0)      /* an evaluation time */
			rules_advance(e, in[i].o.t_ms - rnd(5) * MIN, record, l);
		for (size_t j = 0; j < k; j++)
			batch[j] = in[i + j].o;
		rules_observe(e, batch, k, record, l);
		i += k;
	}
	rules_advance(e, in[n - 1].o.t_ms + 24 * 60 * MIN, record, l);
	rules_engine_free(e);
}

static void
test_batching(void)
{
	static const char *const codes[] = { "rain_3h", "level" };
	static const char *const areas[] = { "120116", "120101", "120116001" };
	struct rules_set *s = set_of(det_rules);
	struct input *in = calloc(OBS_MAX, sizeof(*in));
	struct log *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	rm_utc_ms t = T0;
	size_t n = 0;

	for (; n < 1500; n++) {
		t += (1 + rnd(6)) * MIN;
		if (rnd(40) == 0) {
			in[n].g = (rm_grade)(1 + rnd(4));
			in[n].in_force = rnd(3) != 0;
		} else {
			in[n].o.code = codes[rnd(2)];
			in[n].o.area = areas[rnd(3)];
			in[n].o.value = in[n].o.code == codes[0] ?
			    (double)rnd(700) / 10 : 3 + (double)rnd(100) / 100;
		}
		in[n].o.t_ms = t;
	}
	run(s, in, n, false, a);
	CU_ASSERT(a->raised >= 10);
	CU_ASSERT(a->cleared >= 10);
	for (int trial = 0; trial < 5; trial++) {
		memset(b, 0, sizeof(*b));
		run(s, in, n, true, b);
		CU_ASSERT_EQUAL(a->n, b->n);
		CU_ASSERT_STRING_EQUAL(a->text, b->text);
	}
	rules_set_free(s);
	free(in);
	free(a);
	free(b);
}

static void
test_bounds(void)
{
	struct rules_set *s = set_of(rain_rules);
	struct rules_engine *e;
	struct rules_stats st;
	struct rules_obs o = { "rain_3h", "120116", T0, 1 };
	int64_t m;
	int32_t x;

	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	for (int i = 0; i < 2000; i++) {
		o.t_ms = T0 + i * 1000;
		rules_observe(e, &o, 1, NULL, NULL);
	}
	o.code = "unused";
	rules_observe(e, &o, 1, NULL, NULL);
	o.code = "rain_3h";
	o.area = "130000";                  /* out of scope */
	rules_observe(e, &o, 1, NULL, NULL);
	o.area = "12";
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, NULL, NULL), RM_EBADVALUE);
	o.area = "120116";
	o.value = NAN;
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, NULL, NULL), RM_EBADVALUE);
	rules_get_stats(e, &st);
	CU_ASSERT_EQUAL(st.obs_used, 2000);
	CU_ASSERT_EQUAL(st.obs_ignored, 2);
	CU_ASSERT_EQUAL(st.series, 1);
	CU_ASSERT_EQUAL(st.states, 1);
	rules_engine_free(e);
	rules_set_free(s);
	/* decimals */
	CU_ASSERT(rules_decimal(62.5, &m, &x) == RM_OK && m == 625 && x == -1);
	CU_ASSERT(rules_decimal(0.1, &m, &x) == RM_OK && m == 1 && x == -1);
	CU_ASSERT(rules_decimal(1200, &m, &x) == RM_OK && m == 12 && x == 2);
	CU_ASSERT(rules_decimal(-0.03, &m, &x) == RM_OK && m == -3 && x == -2);
	CU_ASSERT(rules_decimal(0, &m, &x) == RM_OK && m == 0 && x == 0);
	CU_ASSERT_EQUAL(rules_decimal(INFINITY, &m, &x), RM_EBADVALUE);
}

/* Area i of the flood: a village of district 120116. */
static void
flood_area(int i, char *out, size_t len)
{
	snprintf(out, len, "120116%03d%03d", i / 999 + 1, i % 999 + 1);
}

/* A flood of harmless readings for distinct areas (more than the
 * engine keeps) never blinds it: idle (rule, area) states and unneeded
 * series are evicted, least recently observed first, a pending area
 * keeps its state and its series and still fires, a new area is still
 * taken; only when every state is pending is a new one refused. */
static void
run_flood(struct log *l, struct rules_stats *st, bool all_pending)
{
	struct rules_set *s = set_of(rain_rules);
	struct rules_engine *e;
	struct rules_obs o = { "rain_3h", "120116", T0, 60 };
	char area[RM_AREA_CODE_MAX + 1];
	int n = RULES_STATES_MAX + 100, bad = 0;

	CU_ASSERT_EQUAL_FATAL(rules_engine_new(s, &e), RM_OK);
	/* the real rain: pending for 30 min */
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, l), RM_OK);
	for (int i = 0; i < n; i++) {
		flood_area(i, area, sizeof(area));
		o.area = area;
		o.t_ms = T0 + 1 + i;
		o.value = all_pending ? 60 : 1;
		if (rules_observe(e, &o, 1, record, l) != RM_OK)
			bad++;
	}
	if (all_pending) {
		/* every state is pending: the new areas are refused */
		CU_ASSERT(bad > 0);
	} else {
		CU_ASSERT_EQUAL(bad, 0);
	}
	/* a new area with real rain, then the real area again */
	o.area = "120116999999";
	o.t_ms = T0 + 20 * MIN;
	o.value = 70;
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, l),
	    all_pending ? RM_ETOOBIG : RM_OK);
	o.area = "120116";
	o.t_ms = T0 + 51 * MIN;
	o.value = 60;
	CU_ASSERT_EQUAL(rules_observe(e, &o, 1, record, l), RM_OK);
	rules_get_stats(e, st);
	rules_engine_free(e);
	rules_set_free(s);
}

static void
test_evict(void)
{
	static struct log l1, l2;
	struct rules_stats st1, st2;

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	run_flood(&l1, &st1, false);
	CU_ASSERT_EQUAL(st1.refused, 0);
	CU_ASSERT(st1.evicted >= 100);
	CU_ASSERT_EQUAL(st1.states, RULES_STATES_MAX);
	CU_ASSERT(st1.series <= RULES_SERIES_MAX);
	/* the real area and the new one fired after their pending period */
	CU_ASSERT_EQUAL(l1.raised, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(l1.text, "raise rain 120116 30 30 60\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l1.text,
	    "raise rain 120116999999 50 50 70\n"));
	/* the same inputs evict the same entries: the same outputs */
	run_flood(&l2, &st2, false);
	CU_ASSERT_STRING_EQUAL(l1.text, l2.text);
	CU_ASSERT_EQUAL(st1.evicted, st2.evicted);
	CU_ASSERT_EQUAL(st1.series, st2.series);

	/* every state pending: nothing can go, new areas are refused */
	memset(&l1, 0, sizeof(l1));
	run_flood(&l1, &st1, true);
	CU_ASSERT(st1.refused > 0);
	CU_ASSERT_EQUAL(st1.evicted, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(l1.text, "raise rain 120116 30 30 60\n"));
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "rain_pending", test_rain_pending },
		{ "pending_reset", test_pending_reset },
		{ "hover", test_hover },
		{ "rise", test_rise },
		{ "chain", test_chain },
		{ "alert_expiry", test_alert_expiry },
		{ "batching", test_batching },
		{ "bounds", test_bounds },
		{ "evict", test_evict },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("rules_engine", tests);
}
