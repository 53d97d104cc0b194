/*
 * test_csv.c -- the RFC 4180 reader: records as spreadsheets save them
 * (BOM, CRLF, quoted commas, quotes and line breaks), line numbers, and
 * every refusal with its line.
 */
#include <string.h>

#include "common/common.h"
#include "rm_test.h"

struct rec {
	size_t n, line;
	char f[8][64];
};

/* Read every record of s; returns the error or RM_OK at the end. */
static int
read_all(const char *s, size_t len, struct rec *out, size_t max,
    size_t *count, rm_why *why)
{
	rm_buf scratch = RM_BUF_INIT;
	const char *fields[8];
	rm_csv c;
	int rv;

	*count = 0;
	rm_csv_init(&c, s, len);
	while (*count < max && (rv = rm_csv_next(&c, &scratch, fields, 8,
	    &out[*count].n, &out[*count].line, why)) == RM_OK) {
		for (size_t i = 0; i < out[*count].n; i++)
			snprintf(out[*count].f[i], sizeof(out[*count].f[i]), "%s",
			    fields[i]);
		(*count)++;
	}
	rm_buf_fini(&scratch);
	return rv == RM_ENOTFOUND ? RM_OK : rv;
}

static void
test_plain(void)
{
	static const char s[] = "a,b,c\n1,,3\n";
	struct rec r[4];
	size_t n;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(read_all(s, strlen(s), r, 4, &n, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(r[0].n, 3);
	CU_ASSERT_STRING_EQUAL(r[0].f[2], "c");
	CU_ASSERT_EQUAL(r[1].n, 3);
	CU_ASSERT_STRING_EQUAL(r[1].f[1], "");
	CU_ASSERT_EQUAL(r[1].line, 2);
}

/* The same table saved by a spreadsheet program reads the same. */
static void
test_spreadsheet_equal(void)
{
	static const char lf[] =
	    "id,name,measures\n"
	    "R1,\"燃气立管, 腐蚀\",\"每季度检测\n年底前更换\"\n"
	    "R2,\"say \"\"hi\"\"\",x";
	static const char excel[] =
	    "\xef\xbb\xbfid,name,measures\r\n"
	    "R1,\"燃气立管, 腐蚀\",\"每季度检测\r\n年底前更换\"\r\n"
	    "\r\n"
	    "R2,\"say \"\"hi\"\"\",x\r\n";
	struct rec a[4], b[4];
	size_t na, nb;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(read_all(lf, strlen(lf), a, 4, &na, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(read_all(excel, strlen(excel), b, 4, &nb, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(na, 3);
	CU_ASSERT_EQUAL_FATAL(nb, 3);
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(a[i].n, b[i].n);
		for (size_t j = 0; j < a[i].n; j++)
			CU_ASSERT_STRING_EQUAL(a[i].f[j], b[i].f[j]);
	}
	CU_ASSERT_STRING_EQUAL(a[0].f[0], "id");       /* no BOM left */
	CU_ASSERT_STRING_EQUAL(b[0].f[0], "id");
	CU_ASSERT_STRING_EQUAL(a[1].f[1], "燃气立管, 腐蚀");
	CU_ASSERT_STRING_EQUAL(a[1].f[2], "每季度检测\n年底前更换");
	CU_ASSERT_STRING_EQUAL(a[2].f[1], "say \"hi\"");
	/* line numbers count the line break inside the quoted cell */
	CU_ASSERT_EQUAL(a[1].line, 2);
	CU_ASSERT_EQUAL(a[2].line, 4);
	CU_ASSERT_EQUAL(b[2].line, 5);                 /* after a blank */
}

static void
expect_error(const char *s, int err, const char *part)
{
	struct rec r[4];
	size_t n;
	rm_why why;

	memset(&why, 0, sizeof(why));
	CU_ASSERT_EQUAL(read_all(s, strlen(s), r, 4, &n, &why), err);
	if (strstr(why.msg, part) == NULL) {
		fprintf(stderr, "\n  why \"%s\" lacks \"%s\"\n", why.msg, part);
		CU_FAIL("why");
	}
}

static void
test_refusals(void)
{
	expect_error("a,b\n1,\"open\n2,3\n", RM_EMALFORMED,
	    "quoted field is not closed (opened on line 2)");
	expect_error("a,\"b\"c\n", RM_EMALFORMED, "line 1: text after a closing "
	    "quote");
	expect_error("a,b\nx\"y,z\n", RM_EMALFORMED, "line 2: a quote inside an "
	    "unquoted field");
	expect_error("a,b\rc\n", RM_EMALFORMED, "carriage return");
	expect_error("a,\xff\xfe\n", RM_EBADVALUE, "line 1: a field is not UTF-8");
	expect_error("1,2,3,4,5,6,7,8,9\n", RM_ETOOBIG, "more than 8 fields");
}

static void
test_empty(void)
{
	struct rec r[2];
	size_t n;
	rm_why why;

	CU_ASSERT_EQUAL(read_all("", 0, r, 2, &n, &why), RM_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(read_all("\xef\xbb\xbf\r\n\n", 5, r, 2, &n, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(n, 0);
	/* one empty field on a line of its own is a record: "" */
	CU_ASSERT_EQUAL(read_all("\"\"\n", 3, r, 2, &n, &why), RM_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(r[0].n, 1);
	CU_ASSERT_STRING_EQUAL(r[0].f[0], "");
}

/* What the writer writes, the reader reads back field for field. */
static void
test_write_round_trip(void)
{
	static const char *const row[] = { "plain", "a,b", "say \"hi\"",
	    "two\nlines", "", " pad ", NULL, "风险" };
	static const char want[] = "\xef\xbb\xbfplain,\"a,b\",\"say \"\"hi"
	    "\"\"\",\"two\nlines\",,\" pad \",,风险\r\n";
	rm_buf b = RM_BUF_INIT;
	struct rec r[2];
	size_t n;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(rm_csv_bom(&b), RM_OK);
	CU_ASSERT_EQUAL_FATAL(rm_csv_row(&b, row, 8), RM_OK);
	CU_ASSERT_EQUAL_FATAL(b.len, strlen(want));
	CU_ASSERT(memcmp(b.data, want, b.len) == 0);
	CU_ASSERT_EQUAL_FATAL(read_all((const char *)b.data, b.len, r, 2, &n,
	    &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL_FATAL(r[0].n, 8);
	for (size_t i = 0; i < 8; i++)
		CU_ASSERT_STRING_EQUAL(r[0].f[i], row[i] != NULL ? row[i] : "");
	rm_buf_fini(&b);
}

/* One field written alone: the bytes the writer gives, no separator. */
static void
expect_written(const char *in, const char *want)
{
	rm_buf b = RM_BUF_INIT;
	struct rec r[2];
	size_t n;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(rm_csv_field(&b, true, in, strlen(in)), RM_OK);
	if (b.len != strlen(want) || (b.len > 0 &&
	    memcmp(b.data, want, b.len) != 0)) {
		fprintf(stderr, "\n  \"%s\" written as \"%.*s\", not \"%s\"\n",
		    in, (int)b.len, (const char *)b.data, want);
		CU_FAIL("written");
	}
	/* and it reads back as it was */
	CU_ASSERT_EQUAL_FATAL(rm_buf_append(&b, "\r\n", 2), RM_OK);
	CU_ASSERT_EQUAL_FATAL(read_all((const char *)b.data, b.len, r, 2, &n,
	    &why), RM_OK);
	if (in[0] != '\0') {
		CU_ASSERT_EQUAL_FATAL(n, 1);
		CU_ASSERT_STRING_EQUAL(r[0].f[0], in);
	}
	rm_buf_fini(&b);
}

/* OWASP CSV injection: a cell a spreadsheet would run is text. */
static void
test_formula_guard(void)
{
	static const char saved[] = "'=x,\"'@y\",'-0.5,'a\n";
	struct rec r[2];
	size_t n;
	rm_why why;

	expect_written("=HYPERLINK(\"http://x\")",
	    "\"'=HYPERLINK(\"\"http://x\"\")\"");
	expect_written("=1+2", "'=1+2");
	expect_written("+86 22 1234", "'+86 22 1234");
	expect_written("@SUM(A1)", "'@SUM(A1)");
	expect_written("\tcmd", "'\tcmd");
	expect_written("\rcmd", "\"'\rcmd\"");
	expect_written("-2+3", "'-2+3");
	expect_written("-", "'-");
	expect_written("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0");
	/* plain numbers stay numbers */
	expect_written("-0.5", "-0.5");
	expect_written("-12", "-12");
	expect_written("-1e3", "-1e3");
	expect_written("-1.5E-3", "-1.5E-3");
	expect_written("12.5", "12.5");
	/* text that merely holds such a character later is untouched */
	expect_written("a=b", "a=b");
	expect_written("风险-1", "风险-1");
	expect_written("", "");
	/* apostrophes before a formula start get one more (exact inverse) */
	expect_written("'=1", "''=1");
	expect_written("''+x", "'''+x");
	/* an apostrophe before anything else is the cell's own */
	expect_written("'quoted'", "'quoted'");
	expect_written("'-5", "'-5");
	/* the reader takes the guard off cells a spreadsheet saved */
	CU_ASSERT_EQUAL_FATAL(read_all(saved, strlen(saved), r, 2, &n, &why),
	    RM_OK);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(r[0].f[0], "=x");
	CU_ASSERT_STRING_EQUAL(r[0].f[1], "@y");
	CU_ASSERT_STRING_EQUAL(r[0].f[2], "'-0.5");
	CU_ASSERT_STRING_EQUAL(r[0].f[3], "'a");
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "plain", test_plain },
		{ "spreadsheet_equal", test_spreadsheet_equal },
		{ "refusals", test_refusals },
		{ "empty", test_empty },
		{ "write_round_trip", test_write_round_trip },
		{ "formula_guard", test_formula_guard },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "common.csv", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	CU_register_suites(suites);
}
