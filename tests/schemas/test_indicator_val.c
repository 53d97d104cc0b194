/*
 * test_indicator_val.c -- the values and times of the indicator kinds
 * (schemas/indicator_val.c): exact decimals (text both ways, order,
 * subtraction), period labels and their instants in UTC+08:00, and the
 * CSV reader of bulk values with broken rows (schemas/indicator_csv.c).
 */
#include <stdio.h>
#include <string.h>

#include "schemas/schemas.h"
#include "rm_test.h"

static void
test_decimal_text(void)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "12.5", "12.5" }, { "12.50", "12.5" }, { "-0.05", "-0.05" },
		{ "1e3", "1000" }, { "1.5E-3", "0.0015" }, { "0", "0" },
		{ "-0", "0" }, { "100", "100" }, { "+7", "7" },
		{ "0.000125", "0.000125" }, { "007.10", "7.1" }, { "1.", "1" },
		{ "999999999999999999", "999999999999999999" },
		{ "-0.000000000000000001", "-0.000000000000000001" },
		{ "123456789012.345678", "123456789012.345678" },
		{ "2.5e+2", "250" },
	};
	static const char *const bad[] = { "", "abc", "1.2.3", "1e", ".",
		"--1", " 1", "1 ", "1000000000000000000", "1e-19", "0x10",
		"1e999", "NaN", "inf", "1,5", "1e18" };
	char out[RM_DECIMAL_TEXT_MAX];
	struct rm_decimal d;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(decimal_parse(ok[i].in, strlen(ok[i].in),
		    &d), RM_OK);
		CU_ASSERT(decimal_valid(d));
		decimal_format(d, out);
		CU_ASSERT_STRING_EQUAL(out, ok[i].out);
		/* text -> decimal -> text -> decimal: one value */
		{
			struct rm_decimal e;

			CU_ASSERT_EQUAL(decimal_parse(out, strlen(out), &e),
			    RM_OK);
			CU_ASSERT(e.m == d.m && e.e == d.e);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(decimal_parse(bad[i], strlen(bad[i]), &d),
		    RM_EBADVALUE);
	/* canonical form */
	CU_ASSERT(!decimal_valid((struct rm_decimal){ 1250, -2 }));
	CU_ASSERT(!decimal_valid((struct rm_decimal){ 0, -1 }));
	CU_ASSERT(!decimal_valid((struct rm_decimal){ 5, 1 }));
	CU_ASSERT(!decimal_valid((struct rm_decimal){ 5, -19 }));
	CU_ASSERT(!decimal_valid((struct rm_decimal){ 1000000000000000000LL,
	    0 }));
	CU_ASSERT(decimal_valid((struct rm_decimal){ 1250, 0 }));
	CU_ASSERT_DOUBLE_EQUAL(decimal_to_double((struct rm_decimal){ 125,
	    -1 }), 12.5, 1e-12);
}

static void
test_decimal_math(void)
{
	struct rm_decimal a = { 118, -1 }, b = { 125, -1 }, c, big;

	CU_ASSERT_EQUAL(decimal_cmp(a, b), -1);
	CU_ASSERT_EQUAL(decimal_cmp(b, a), 1);
	CU_ASSERT_EQUAL(decimal_cmp((struct rm_decimal){ 36, 0 },
	    (struct rm_decimal){ 36, 0 }), 0);
	CU_ASSERT_EQUAL(decimal_cmp((struct rm_decimal){ 35, 0 },
	    (struct rm_decimal){ 35001, -3 }), -1);
	CU_ASSERT_EQUAL(decimal_sub(a, b, &c), RM_OK);
	CU_ASSERT(c.m == -7 && c.e == -1);
	CU_ASSERT_EQUAL(decimal_sub((struct rm_decimal){ 36, 0 },
	    (struct rm_decimal){ 38125, -3 }, &c), RM_OK);
	CU_ASSERT(c.m == -2125 && c.e == -3);
	CU_ASSERT_EQUAL(decimal_sub(b, b, &c), RM_OK);
	CU_ASSERT(c.m == 0 && c.e == 0);
	/* 18 digits and 18 decimals do not align: refused, not rounded */
	big.m = 999999999999999999LL;
	big.e = 0;
	CU_ASSERT_EQUAL(decimal_sub(big, (struct rm_decimal){ 1, -18 }, &c),
	    RM_ETOOBIG);
	/* but still ordered */
	CU_ASSERT_EQUAL(decimal_cmp(big, (struct rm_decimal){ 1, -18 }), 1);
}

static void
test_times(void)
{
	static const struct {
		const char *in, *out;
		enum rm_ind_period k;
		const char *start;
	} ok[] = {
		{ "2025", "2025", RM_IND_YEAR, "2024-12-31T16:00:00.000Z" },
		{ "2025-Q3", "2025-Q3", RM_IND_QUARTER,
		  "2025-06-30T16:00:00.000Z" },
		{ "2025-07", "2025-07", RM_IND_MONTH,
		  "2025-06-30T16:00:00.000Z" },
		{ "2025-07-31", "2025-07-31", RM_IND_DAY,
		  "2025-07-30T16:00:00.000Z" },
		{ "1969-12-31", "1969-12-31", RM_IND_DAY,
		  "1969-12-30T16:00:00.000Z" },
		{ "2026-07-01T08:00:00+08:00", "2026-07-01T00:00:00.000Z",
		  RM_IND_INSTANT, "2026-07-01T00:00:00.000Z" },
	};
	static const char *const bad[] = { "2025-Q5", "2025-Q0", "2025-13",
		"2025-02-30", "1899", "abcd", "25", "2025-7", "2026-07-01T08:00:00",
		"", "2025-00" };
	char out[RM_IND_TIME_TEXT_MAX], ms[32];
	enum rm_ind_period k;
	int64_t t;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(indicator_time_parse(ok[i].in, &k, &t),
		    RM_OK);
		CU_ASSERT_EQUAL(k, ok[i].k);
		indicator_time_format(k, t, out);
		CU_ASSERT_STRING_EQUAL(out, ok[i].out);
		rm_utc_format(indicator_time_ms(k, t), ms);
		CU_ASSERT_STRING_EQUAL(ms, ok[i].start);
		if (k != RM_IND_INSTANT) {
			/* the period holding its first and last instant */
			CU_ASSERT_EQUAL(indicator_period_of(k,
			    indicator_time_ms(k, t)), t);
			CU_ASSERT_EQUAL(indicator_period_of(k,
			    indicator_time_ms(k, t + 1) - 1), t);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(indicator_time_parse(bad[i], &k, &t),
		    RM_EBADVALUE);
	/* 2025-Q1 is 2025*4, January 2025 is 2025*12 */
	CU_ASSERT_EQUAL(indicator_time_parse("2025-Q1", &k, &t), RM_OK);
	CU_ASSERT_EQUAL(t, 2025 * 4);
	CU_ASSERT_EQUAL(indicator_time_parse("2025-01", &k, &t), RM_OK);
	CU_ASSERT_EQUAL(t, 2025 * 12);
	CU_ASSERT_EQUAL(indicator_time_parse("1970-01-02", &k, &t), RM_OK);
	CU_ASSERT_EQUAL(t, 1);
}

static void
test_names(void)
{
	enum rm_ind_source s;
	enum rm_ind_period p;
	enum rm_ind_direction d;

	CU_ASSERT_EQUAL(indicator_source_parse("big_data", &s), RM_OK);
	CU_ASSERT_EQUAL(s, RM_IND_BIG_DATA);
	CU_ASSERT_STRING_EQUAL(indicator_source_name(RM_IND_SURVEY), "survey");
	CU_ASSERT_EQUAL(indicator_source_parse("Sensor", &s), RM_EBADVALUE);
	CU_ASSERT_EQUAL(indicator_period_parse("quarter", &p), RM_OK);
	CU_ASSERT_EQUAL(p, RM_IND_QUARTER);
	CU_ASSERT_PTR_NULL(indicator_period_name(0));
	CU_ASSERT_EQUAL(indicator_direction_parse("lower_worse", &d), RM_OK);
	CU_ASSERT_EQUAL(d, RM_IND_LOWER_WORSE);
	CU_ASSERT_EQUAL(indicator_direction_parse(NULL, &d), RM_EBADVALUE);
	CU_ASSERT(indicator_code_valid("rain_3h", 7));
	CU_ASSERT(indicator_code_valid("hc.green_space_per_capita", 25));
	CU_ASSERT(indicator_code_valid("3h", 2));
	CU_ASSERT(!indicator_code_valid("Rain", 4));
	CU_ASSERT(!indicator_code_valid(".a", 2));
	CU_ASSERT(!indicator_code_valid("_a", 2));
	CU_ASSERT(!indicator_code_valid("a..b", 4));
	CU_ASSERT(!indicator_code_valid("a.", 2));
	CU_ASSERT(!indicator_code_valid("a-b", 3));
	CU_ASSERT(!indicator_code_valid("", 0));
	CU_ASSERT(indicator_code_valid("abcdefghijabcdefghijabcdefghijabcdefghij"
	    "abcdefgh", 48));
	CU_ASSERT(!indicator_code_valid("abcdefghijabcdefghijabcdefghijabcdefgh"
	    "ijabcdefghi", 49));
}

/* ---------------- CSV ---------------- */

struct errs {
	size_t n;
	struct rm_ind_row_err e[16];
};

static void
collect(void *arg, const struct rm_ind_row_err *e)
{
	struct errs *x = arg;

	if (x->n < 16)
		x->e[x->n++] = *e;
}

static int
read_csv(const char *text, struct rm_ind_value **v, size_t *nv,
    struct errs *x)
{
	size_t nbad;

	memset(x, 0, sizeof(*x));
	return indicator_csv_read(text, strlen(text), 1000, v, nv, collect, x,
	    &nbad);
}

static void
test_csv_good(void)
{
	struct rm_ind_value *v;
	struct errs x;
	size_t nv;
	char t[RM_DECIMAL_TEXT_MAX];

	/* a spreadsheet's file: BOM, CRLF, quoted field, columns moved */
	CU_ASSERT_EQUAL_FATAL(read_csv("\xef\xbb\xbfvalue,code,time,area,"
	    "unit,source\r\n\"12.50\",rain_3h,2026-07-01T08:00:00+08:00,"
	    "120116001,mm,sensor\r\n3,hc.pm25,2025,120116,,\r\n\r\n", &v, &nv,
	    &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 0);
	CU_ASSERT_EQUAL_FATAL(nv, 2);
	CU_ASSERT_STRING_EQUAL(v[0].code, "rain_3h");
	CU_ASSERT_STRING_EQUAL(v[0].area, "120116001");
	CU_ASSERT_STRING_EQUAL(v[0].unit, "mm");
	CU_ASSERT_EQUAL(v[0].source, RM_IND_SENSOR);
	CU_ASSERT_EQUAL(v[0].period, RM_IND_INSTANT);
	CU_ASSERT_EQUAL(v[0].line, 2);
	decimal_format(v[0].v, t);
	CU_ASSERT_STRING_EQUAL(t, "12.5");
	CU_ASSERT_STRING_EQUAL(v[1].unit, "");
	CU_ASSERT_EQUAL(v[1].source, 0);
	CU_ASSERT_EQUAL(v[1].period, RM_IND_YEAR);
	CU_ASSERT_EQUAL(v[1].t, 2025);
	CU_ASSERT_EQUAL(v[1].line, 3);
	free(v);
}

static void
test_csv_broken(void)
{
	struct rm_ind_value *v;
	struct errs x;
	size_t nv;

	CU_ASSERT_EQUAL(read_csv("code,area,time,value\n"
	    "hc.pm25,120116,2025,abc\n"          /* bad number */
	    "hc.pm25,12011x,2025,1\n"           /* not an area code */
	    "hc.pm25,120116,2025-13,1\n"        /* bad time */
	    "hc.pm25,120116,2025\n"             /* wrong column count */
	    "Bad Code,120116,2025,1\n"          /* bad code */
	    "hc.pm25,120116,2025,1.5\n",        /* good */
	    &v, &nv, &x), RM_OK);
	CU_ASSERT_EQUAL_FATAL(x.n, 5);
	CU_ASSERT_EQUAL(nv, 1);
	CU_ASSERT(x.e[0].line == 2 && x.e[0].column == 4 &&
	    strcmp(x.e[0].field, "value") == 0 && x.e[0].err == RM_EBADVALUE);
	CU_ASSERT(x.e[1].line == 3 && x.e[1].column == 2 &&
	    strcmp(x.e[1].field, "area") == 0);
	CU_ASSERT(x.e[2].line == 4 && x.e[2].column == 3 &&
	    strcmp(x.e[2].field, "time") == 0);
	CU_ASSERT(x.e[3].line == 5 && x.e[3].column == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.e[3].reason, "3 columns"));
	CU_ASSERT(x.e[4].line == 6 && x.e[4].column == 1 &&
	    strcmp(x.e[4].field, "code") == 0);
	free(v);

	/* not UTF-8: the reader stops at that line */
	CU_ASSERT_EQUAL(read_csv("code,area,time,value,unit\n"
	    "hc.pm25,120116,2025,1,\xff\xfe\n"
	    "hc.pm25,120116,2024,1,x\n", &v, &nv, &x), RM_EBADVALUE);
	CU_ASSERT_EQUAL_FATAL(x.n, 1);
	CU_ASSERT_EQUAL(x.e[0].line, 2);
	free(v);
	/* headers */
	CU_ASSERT_EQUAL(read_csv("", &v, &nv, &x), RM_EMISSING);
	free(v);
	CU_ASSERT_EQUAL(read_csv("code,area,time\nx,120116,2025\n", &v, &nv,
	    &x), RM_EMISSING);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.e[0].reason, "value"));
	free(v);
	CU_ASSERT_EQUAL(read_csv("code,area,time,value,colour\n", &v, &nv,
	    &x), RM_EBADVALUE);
	CU_ASSERT_EQUAL(x.e[0].column, 5);
	free(v);
	CU_ASSERT_EQUAL(read_csv("code,area,time,value,code\n", &v, &nv,
	    &x), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.e[0].reason, "twice"));
	free(v);
	/* an unknown source, a unit over the limit */
	CU_ASSERT_EQUAL(read_csv("code,area,time,value,unit,source\n"
	    "a,120116,2025,1,x,radar\n"
	    "a,120116,2025,1,abcdefghijabcdefghijabcdefghijabc,\n", &v, &nv,
	    &x), RM_OK);
	CU_ASSERT_EQUAL_FATAL(x.n, 2);
	CU_ASSERT(x.e[0].column == 6 && strcmp(x.e[0].field, "source") == 0);
	CU_ASSERT(x.e[1].column == 5 && x.e[1].err == RM_ETOOBIG);
	free(v);
	/* more values than allowed */
	{
		size_t nbad;
		const char *t = "code,area,time,value\na,120116,2025,1\n"
		    "a,120116,2024,1\n";

		memset(&x, 0, sizeof(x));
		CU_ASSERT_EQUAL(indicator_csv_read(t, strlen(t), 1, &v, &nv,
		    collect, &x, &nbad), RM_ETOOBIG);
		free(v);
	}
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "decimal_text", test_decimal_text },
		{ "decimal_math", test_decimal_math },
		{ "times", test_times },
		{ "names", test_names },
		{ "csv_good", test_csv_good },
		{ "csv_broken", test_csv_broken },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("schemas.indicator_val", tests);
}
