/*
 * test_risk_csv.c -- the risk register's spreadsheet form
 * (node/repr/repr_risk_csv.c): a row of the office register reads into
 * the record it would be; that record written back reads into the same
 * record (export -> import round trip), bilingual values and exact
 * degrees included; every bad cell is reported against its column.
 */
#include <string.h>

#include "node/repr/repr.h"
#include "rm_test.h"

#define NOW_MS 1786744800000LL  /* 2026-08-14T22:00:00Z */

static const char register_csv[] =
    "\xef\xbb\xbf风险编号 risk_id,风险名称 name,风险类别 category,风险子类 "
    "subcategory,风险等级 grade,区域代码 area_code,具体位置 location,纬度 lat,"
    "经度 lon,责任单位 responsible,配合单位 cooperating,管控措施 measures,"
    "状态 status,复核日期 review_date\r\n"
    "TJ-HX-2026-0001,老旧小区燃气立管腐蚀,事故灾难 accident,燃气 gas,较大 "
    "orange,120103,\"河西区某街道, 1980年代住宅楼群\",39.1012,117.2231,"
    "120000.gas,120103.gov;120000.emergency,\"每季度入户检测\n年底更换\","
    "管控中 controlled,2026-12-31\r\n"
    "TJ-HX-2026-0009,锅炉房,事故灾难 accident,供热 heating,一般 yellow,"
    "120103,某锅炉房,-0.5,-117,120103.gov,,,已整改销号 removed,2026-03-01\r\n";

struct sink {
	char cols[16][32];
	size_t n;
};

static void
sink_report(void *arg, const char *column, const char *msg)
{
	struct sink *s = arg;

	(void)msg;
	if (s->n < 16)
		snprintf(s->cols[s->n], sizeof(s->cols[0]), "%s", column);
	s->n++;
}

/* Read every data row of text into rows (at most max); returns count. */
static size_t
read_rows(const char *text, size_t len, struct repr_risk_row *rows,
    size_t max, rm_buf *keep, struct sink *s)
{
	const char *f[RM_CSV_FIELDS_MAX];
	struct repr_risk_csv_map map;
	size_t nf, line, n = 0;
	rm_csv c;
	rm_why why;

	rm_csv_init(&c, text, len);
	CU_ASSERT_FATAL(rm_csv_next(&c, &keep[0], f, RM_CSV_FIELDS_MAX, &nf,
	    &line, &why) == RM_OK);
	CU_ASSERT_FATAL(repr_risk_csv_header(f, nf, &map, &why) == RM_OK);
	while (n < max && rm_csv_next(&c, &keep[n + 1], f, RM_CSV_FIELDS_MAX,
	    &nf, &line, &why) == RM_OK) {
		if (repr_risk_csv_row(&map, f, nf, NOW_MS, &rows[n], sink_report,
		    s) == RM_OK)
			n++;
	}
	return n;
}

static void
test_round_trip(void)
{
	struct repr_risk_row a[2], b[2];
	rm_buf keep_a[3] = { RM_BUF_INIT, RM_BUF_INIT, RM_BUF_INIT };
	rm_buf keep_b[3] = { RM_BUF_INIT, RM_BUF_INIT, RM_BUF_INIT };
	rm_buf out = RM_BUF_INIT, ea = RM_BUF_INIT, eb = RM_BUF_INIT;
	struct sink s = { .n = 0 };

	CU_ASSERT_EQUAL_FATAL(read_rows(register_csv, strlen(register_csv), a,
	    2, keep_a, &s), 2);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_STRING_EQUAL(a[0].risk.coop[0], "120000.emergency");
	CU_ASSERT_EQUAL(a[0].risk.point.lat_udeg, 39101200);
	CU_ASSERT_EQUAL(a[1].risk.status, RM_RISK_REMOVED);
	CU_ASSERT_STRING_EQUAL(a[1].risk.reason, "已整改销号 removed");
	CU_ASSERT_EQUAL(a[1].risk.point.lat_udeg, -500000);
	CU_ASSERT_FATAL(repr_risk_csv_write_header(&out) == RM_OK);
	CU_ASSERT_FATAL(repr_risk_csv_write_row(&out, &a[0].rec) == RM_OK);
	CU_ASSERT_FATAL(repr_risk_csv_write_row(&out, &a[1].rec) == RM_OK);
	CU_ASSERT(memcmp(out.data, "\xef\xbb\xbf", 3) == 0);
	CU_ASSERT(strstr((char *)out.data, ",39.1012,117.2231,") != NULL);
	CU_ASSERT(strstr((char *)out.data, ",-0.5,-117,") != NULL);
	CU_ASSERT(strstr((char *)out.data, "供热 heat_supply") != NULL);
	CU_ASSERT_EQUAL_FATAL(read_rows((char *)out.data, out.len, b, 2,
	    keep_b, &s), 2);
	CU_ASSERT_EQUAL(s.n, 0);
	/* the export names each row's register (登记单位 origin) */
	CU_ASSERT(strstr((char *)out.data, ",销号原因 reason,登记单位 origin\r\n")
	    != NULL);
	CU_ASSERT_STRING_EQUAL(a[0].origin, "");
	for (int i = 0; i < 2; i++)
		CU_ASSERT_STRING_EQUAL(b[i].origin, a[i].rec.origin);
	for (int i = 0; i < 2; i++) {
		/* the same body bytes: every field survived */
		rm_buf_reset(&ea);
		rm_buf_reset(&eb);
		CU_ASSERT_FATAL(rm_kind_risk.encode(&a[i].risk, &ea) == RM_OK);
		CU_ASSERT_FATAL(rm_kind_risk.encode(&b[i].risk, &eb) == RM_OK);
		CU_ASSERT_EQUAL(ea.len, eb.len);
		CU_ASSERT(ea.len == eb.len && memcmp(ea.data, eb.data, ea.len) ==
		    0);
		CU_ASSERT_STRING_EQUAL(a[i].rec.areas[0], b[i].rec.areas[0]);
	}
	for (int i = 0; i < 3; i++) {
		rm_buf_fini(&keep_a[i]);
		rm_buf_fini(&keep_b[i]);
	}
	rm_buf_fini(&out);
	rm_buf_fini(&ea);
	rm_buf_fini(&eb);
}

/* Every bad cell of a row is reported against its own column. */
static void
test_bad_cells(void)
{
	static const char *const hdr[] = { "risk_id", "name", "category",
	    "subcategory", "grade", "area_code", "location", "lat", "lon",
	    "responsible", "cooperating", "measures", "status",
	    "review_date" };
	static const char *const row[] = { "R-1", "x", "weather", "gas",
	    "purple", "12010", "", "91", "", "120103.gov", "", "",
	    "done", "2026-02-30" };
	static const char *const want[] = { "category", "grade", "area_code",
	    "lon", "status", "review_date" };
	struct repr_risk_csv_map map;
	struct repr_risk_row r;
	struct sink s = { .n = 0 };
	rm_why why;

	CU_ASSERT_FATAL(repr_risk_csv_header(hdr, 14, &map, &why) == RM_OK);
	CU_ASSERT_EQUAL(map.col[REPR_RISK_REASON], -1);
	CU_ASSERT_EQUAL(map.col[REPR_RISK_ORIGIN], -1);
	CU_ASSERT_EQUAL(repr_risk_csv_row(&map, row, 14, NOW_MS, &r,
	    sink_report, &s), RM_EBADVALUE);
	CU_ASSERT_EQUAL_FATAL(s.n, 6);
	for (size_t i = 0; i < 6; i++)
		CU_ASSERT_STRING_EQUAL(s.cols[i], want[i]);
	/* a short row: the first missing column */
	s.n = 0;
	CU_ASSERT_EQUAL(repr_risk_csv_row(&map, row, 5, NOW_MS, &r,
	    sink_report, &s), RM_EBADVALUE);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.cols[0], "area_code");
	/* headers: a missing and a doubled column */
	CU_ASSERT_EQUAL(repr_risk_csv_header(hdr, 13, &map, &why),
	    RM_EMISSING);
	CU_ASSERT_STRING_EQUAL(why.field, "review_date");
	{
		const char *twice[15];

		memcpy(twice, hdr, sizeof(hdr));
		twice[14] = "等级 grade";
		CU_ASSERT_EQUAL(repr_risk_csv_header(twice, 15, &map, &why),
		    RM_EEXIST);
		CU_ASSERT_STRING_EQUAL(why.field, "grade");
	}
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "round_trip", test_round_trip },
		{ "bad_cells", test_bad_cells },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "node.risk_csv", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	CU_register_suites(suites);
}
