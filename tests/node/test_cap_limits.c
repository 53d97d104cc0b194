/*
 * test_cap_limits.c -- what a hostile CAP document cannot do (node/cap):
 * a DOCTYPE is refused before anything of it is read (billion laughs,
 * an external entity naming /etc/passwd, an external DTD); size, depth
 * and element count are bounded; other encodings are refused; a
 * district outline of thousands of vertices is kept vertex for vertex.
 */
#include <stdio.h>
#include <string.h>

#include "rm_test.h"
#include "test_cap_fx.h"

#define PROLOG "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static void
expect_doctype(const char *dtd, const char *use)
{
	char *body = cap_fx_variant(cap_fx_base, "<headline>台风红色预警"
	    "</headline>", use);
	char *doc = cap_fx_variant(body, PROLOG, dtd);
	struct cap_alert a;
	rm_why why = { "", "" };

	CU_ASSERT_EQUAL(cap_parse(doc, strlen(doc), &a, &why), RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "DOCTYPE"));
	CU_ASSERT_PTR_NULL(strstr(why.msg, "root:"));
	CU_ASSERT_PTR_NULL(a.identifier);
	free(doc);
	free(body);
}

static void
test_doctype(void)
{
	expect_doctype(PROLOG "<!DOCTYPE alert [\n"
	    "<!ENTITY lol \"lol\">\n"
	    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n", "<headline>&lol9;</headline>");
	expect_doctype(PROLOG "<!DOCTYPE alert [\n<!ENTITY xxe SYSTEM "
	    "\"file:///etc/passwd\">\n]>\n", "<headline>&xxe;</headline>");
	expect_doctype(PROLOG "<!DOCTYPE alert SYSTEM \"http://127.0.0.1:1/"
	    "cap.dtd\">\n", "<headline>x</headline>");
	expect_doctype(PROLOG "<!DOCTYPE alert>\n", "<headline>x</headline>");
}

/* An undeclared entity is not well-formed, and nothing is fetched. */
static void
test_entity_undeclared(void)
{
	char *doc = cap_fx_variant(cap_fx_base, "<headline>台风红色预警"
	    "</headline>", "<headline>&xxe;</headline>");

	cap_fx_expect(doc, strlen(doc), RM_EMALFORMED, "",
	    "not well-formed XML");
	free(doc);
}

static void
test_size(void)
{
	size_t n = CAP_DOC_MAX + 1;
	char *big = malloc(n), *note, *doc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', n);
	memcpy(big, cap_fx_base, strlen(cap_fx_base));
	cap_fx_expect(big, n, RM_ETOOBIG, "", "limit");
	/* 900 KiB of text is within the bound */
	note = malloc(900 * 1024 + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(note);
	strcpy(note, "<scope>Public</scope><note>");
	memset(note + strlen(note), 'x', 900 * 1024);
	strcpy(note + strlen("<scope>Public</scope><note>") + 900 * 1024,
	    "</note>");
	doc = cap_fx_variant(cap_fx_base, "<scope>Public</scope>", note);
	cap_fx_expect(doc, strlen(doc), RM_OK, NULL, NULL);
	free(doc);
	free(note);
	free(big);
}

/* n nested elements inside <note>, or n empty ones in a row. */
static char *
repeat(const char *open, const char *close, size_t n)
{
	rm_buf b = RM_BUF_INIT;
	char *doc;

	CU_ASSERT_FATAL(rm_buf_printf(&b, "<scope>Public</scope><note>") == 0);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_FATAL(rm_buf_printf(&b, "%s", open) == 0);
	for (size_t i = 0; close[0] && i < n; i++)
		CU_ASSERT_FATAL(rm_buf_printf(&b, "%s", close) == 0);
	CU_ASSERT_FATAL(rm_buf_printf(&b, "</note>") == 0);
	CU_ASSERT_FATAL(rm_buf_cstr(&b) == 0);
	doc = cap_fx_variant(cap_fx_base, "<scope>Public</scope>",
	    (const char *)b.data);
	rm_buf_fini(&b);
	return doc;
}

static void
test_depth_nodes(void)
{
	char *deep = repeat("<n>", "</n>", 10000);
	char *shallow = repeat("<n>", "</n>", CAP_DEPTH_MAX - 2);
	char *many = repeat("<n/>", "", CAP_NODES_MAX + 10);

	cap_fx_expect(deep, strlen(deep), RM_ETOOBIG, "", "nested deeper");
	/* within the depth bound it is refused for what it is */
	cap_fx_expect(shallow, strlen(shallow), RM_EMALFORMED, "alert/note",
	    "holds an element <n>");
	cap_fx_expect(many, strlen(many), RM_ETOOBIG, "", "more than");
	free(deep);
	free(shallow);
	free(many);
}

static void
test_encoding(void)
{
	char *doc = cap_fx_variant(cap_fx_base, "encoding=\"UTF-8\"",
	    "encoding=\"ISO-8859-1\"");

	cap_fx_expect(doc, strlen(doc), RM_EMALFORMED, "", "UTF-8 only");
	free(doc);
	doc = cap_fx_variant(cap_fx_base, "<headline>台风", "<headline>\xff");
	cap_fx_expect(doc, strlen(doc), RM_EMALFORMED, "",
	    "not well-formed XML");
	free(doc);
}

/* A district outline: 5,000 vertices, every one kept and written back. */
static void
test_outline(void)
{
	rm_buf b = RM_BUF_INIT;
	struct cap_alert a;
	struct rm_record rec;
	rm_why why;
	char *doc, last[32];

	CU_ASSERT_FATAL(rm_buf_printf(&b, "<polygon>") == 0);
	for (int i = 0; i < 4999; i++)
		CU_ASSERT_FATAL(rm_buf_printf(&b, "%s39.%06d,117.%06d",
		    i ? (i % 7 ? " " : "\n\t") : "", i * 3 % 999983,
		    i * 7 % 999983) == 0);
	CU_ASSERT_FATAL(rm_buf_printf(&b, " 39.000000,117.000000</polygon>")
	    == 0);
	CU_ASSERT_FATAL(rm_buf_cstr(&b) == 0);
	doc = cap_fx_variant(cap_fx_base, "<polygon>38.9,117.6 39.3,117.6 "
	    "39.3,117.95 38.9,117.6</polygon>", (const char *)b.data);
	cap_fx_expect(doc, strlen(doc), RM_OK, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(cap_parse(doc, strlen(doc), &a, &why), RM_OK);
	CU_ASSERT_EQUAL(a.info[0].area[0].polygon[0].n, 5000);
	snprintf(last, sizeof(last), "39.%06d", 4998 * 3 % 999983);
	CU_ASSERT_EQUAL(a.info[0].area[0].polygon[0].pts[4998].lat,
	    strtod(last, NULL));
	/* the core holds 128 points: the outline stays whole in "cap"
	 * (it was refused, RM_ETOOBIG "5000 points", before the record
	 * carried the message), and the record round-trips */
	CU_ASSERT_EQUAL_FATAL(cap_to_alert(&a, &rec, &why), RM_OK);
	CU_ASSERT_EQUAL(record_alert(&rec)->n_polygon, 0);
	CU_ASSERT_EQUAL(record_alert(&rec)->cap->info[0].area[0].polygon[0].n,
	    5000);
	CU_ASSERT_EQUAL(record_alert(&rec)->cap->info[0].area[0].polygon[0]
	    .pts[4998].lat, strtod(last, NULL));
	{
		struct rm_record back;
		rm_buf enc = RM_BUF_INIT;

		rec.object_id[0] = 'x';
		rec.ver = rec.seq = 1;
		rec.issued_ms = a.sent.at_ms;
		CU_ASSERT_EQUAL_FATAL(record_encode(&rec, &enc, &why), RM_OK);
		CU_ASSERT(enc.len > RM_RECORD_BODY_MAX);
		CU_ASSERT_EQUAL_FATAL(record_decode(enc.data, enc.len, &back,
		    &why), RM_OK);
		CU_ASSERT_EQUAL(cap_alert_equal(record_alert(&back)->cap, &a,
		    &why), RM_OK);
		record_fini(&back);
		rm_buf_fini(&enc);
	}
	record_fini(&rec);
	cap_alert_fini(&a);
	rm_buf_fini(&b);
	free(doc);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "doctype_entities_refused", test_doctype },
		{ "entity_undeclared", test_entity_undeclared },
		{ "size_bound", test_size },
		{ "depth_and_node_bounds", test_depth_nodes },
		{ "encoding", test_encoding },
		{ "district_outline", test_outline },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("cap_limits", tests);
}
