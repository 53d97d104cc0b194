/*
 * test_cap_corpus.c -- the shared CAP corpus (sims/data/cap): every
 * valid file is accepted and round-trips (write -> parse -> the same
 * model field by field; writing is idempotent; Chinese text byte for
 * byte; times the same instant and offset); every file in invalid/ has
 * its documented verdict (element and rule); the mapping to the alert
 * kind and back.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "rm_test.h"
#include "test_cap_fx.h"

static char *
corpus(const char *rel, size_t *len)
{
	char path[1024];
	char *p;

	snprintf(path, sizeof(path), "%s/cap/%s", rm_test_data_dir(), rel);
	p = cap_fx_read(path, len);
	if (p == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/* Names of the *.xml files directly in cap/sub, sorted; returns count. */
static size_t
list(const char *sub, char names[][128], size_t max)
{
	char path[1024];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/cap/%s", rm_test_data_dir(), sub);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d = opendir(path));
	while ((e = readdir(d)) != NULL && n < max) {
		size_t l = strlen(e->d_name);

		if (l > 4 && l < 120 && strcmp(e->d_name + l - 4, ".xml") == 0)
			snprintf(names[n++], 128, "%s%s", sub, e->d_name);
	}
	closedir(d);
	return n;
}

/* Every text of the original appears byte for byte in the output. */
static void
texts_kept(const char *orig, const rm_buf *out)
{
	static const char *const keep[] = { "<headline>", "<description>",
		"<instruction>", "<senderName>", "<areaDesc>", "<note>",
		"<event>" };
	char *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o = strndup((const char *)out->data,
	    out->len));
	for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
		for (const char *p = strstr(orig, keep[k]); p != NULL;
		    p = strstr(p + 1, keep[k])) {
			const char *end = strchr(p, '/');
			char *piece = strndup(p, end ? (size_t)(end - p) : 0);

			CU_ASSERT_PTR_NOT_NULL(strstr(o, piece));
			free(piece);
		}
	free(o);
}

static void
test_valid(void)
{
	char names[32][128];
	size_t n = list("", names, 32);

	CU_ASSERT(n >= 5);
	for (size_t i = 0; i < n; i++) {
		struct cap_alert a, b;
		rm_buf o1 = RM_BUF_INIT, o2 = RM_BUF_INIT;
		rm_why why = { "", "" };
		size_t len;
		char *doc = corpus(names[i], &len);
		int rv = cap_parse(doc, len, &a, &why);

		if (rv != RM_OK)
			fprintf(stderr, "%s: %s\n", names[i], why.msg);
		CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
		CU_ASSERT_EQUAL_FATAL(cap_write(&a, &o1, &why), RM_OK);
		CU_ASSERT_EQUAL_FATAL(cap_parse(o1.data, o1.len, &b, &why),
		    RM_OK);
		rv = cap_alert_equal(&a, &b, &why);
		if (rv != RM_OK)
			fprintf(stderr, "%s: %s\n", names[i], why.msg);
		CU_ASSERT_EQUAL(rv, RM_OK);
		CU_ASSERT_EQUAL(cap_write(&b, &o2, &why), RM_OK);
		CU_ASSERT(o1.len == o2.len &&
		    memcmp(o1.data, o2.data, o1.len) == 0);
		texts_kept(doc, &o1);
		CU_ASSERT_EQUAL_FATAL(rm_buf_cstr(&o1), RM_OK);
		CU_ASSERT_PTR_NOT_NULL(strstr((const char *)o1.data,
		    "+08:00</sent>"));
		cap_alert_fini(&a);
		cap_alert_fini(&b);
		rm_buf_fini(&o1);
		rm_buf_fini(&o2);
		free(doc);
	}
}

/* The documented verdict of each invalid file: element and rule. */
static const struct verdict {
	const char *file;
	int err;
	const char *field, *rule;
} verdicts[] = {
	{ "invalid/elements-out-of-order.xml", RM_EBADVALUE, "alert/status",
	  "out of order: must come before <msgType>" },
	{ "invalid/polygon-not-closed.xml", RM_EBADVALUE,
	  "alert/info[0]/area[0]/polygon[0]", "not closed" },
	{ "invalid/references-identifier-only.xml", RM_EBADVALUE,
	  "alert/references", "is not sender,identifier,sent" },
	{ "invalid/sent-without-offset.xml", RM_EBADVALUE, "alert/sent",
	  "no time zone offset" },
	{ "invalid/severity-lowercase.xml", RM_EBADVALUE,
	  "alert/info[0]/severity", "exact case" },
};
#define N_VERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

static void
test_invalid(void)
{
	char names[32][128];
	size_t n = list("invalid/", names, 32);

	CU_ASSERT_EQUAL(n, N_VERDICTS);   /* a new file needs its verdict */
	for (size_t i = 0; i < n; i++) {
		size_t k, len;
		char *doc;

		for (k = 0; k < N_VERDICTS &&
		    strcmp(verdicts[k].file, names[i]) != 0; k++)
			;
		if (k == N_VERDICTS)
			fprintf(stderr, "%s: no verdict\n", names[i]);
		CU_ASSERT_FATAL(k < N_VERDICTS);
		doc = corpus(names[i], &len);
		cap_fx_expect(doc, len, verdicts[k].err, verdicts[k].field,
		    verdicts[k].rule);
		free(doc);
	}
}

/* typhoon-red-zh-en.xml -> the alert kind -> CAP again: what the kind
 * keeps comes back equal (texts byte for byte, instants). */
static void
test_map(void)
{
	struct cap_alert a, b;
	struct rm_record rec;
	struct rm_alert *al;
	rm_why why = { "", "" };
	size_t len;
	char *doc = corpus("typhoon-red-zh-en.xml", &len);
	int rv;

	CU_ASSERT_EQUAL_FATAL(cap_parse(doc, len, &a, &why), RM_OK);
	rv = cap_to_alert(&a, &rec, &why);
	if (rv != RM_OK)
		fprintf(stderr, "cap_to_alert: %s\n", why.msg);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
	al = record_alert(&rec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	CU_ASSERT_STRING_EQUAL(rec.origin, "120000.meteorology");
	CU_ASSERT_EQUAL(rec.n_areas, 1);
	CU_ASSERT_STRING_EQUAL(rec.areas[0], "120116");
	CU_ASSERT_EQUAL(rec.expires_ms, a.info[0].expires.at_ms);
	CU_ASSERT_EQUAL(al->grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(al->severity, RM_SEVERITY_EXTREME);
	CU_ASSERT_EQUAL(al->categories, RM_CAT_MET);
	CU_ASSERT_EQUAL(al->n_texts, 2);
	CU_ASSERT_EQUAL(al->n_polygon, 5);
	CU_ASSERT_EQUAL(al->polygon[2].lon_udeg, 117950000);
	CU_ASSERT_STRING_EQUAL(al->texts[0].headline, a.info[0].headline);
	CU_ASSERT_STRING_EQUAL(al->texts[1].lang, "en-US");
	rec.issued_ms = a.sent.at_ms;
	CU_ASSERT_EQUAL_FATAL(cap_from_alert(&rec, 480, &b, &why), RM_OK);
	CU_ASSERT_STRING_EQUAL(b.sender, a.sender);
	CU_ASSERT_EQUAL(b.sent.at_ms, a.sent.at_ms);
	CU_ASSERT_EQUAL(b.sent.offset_min, 480);
	CU_ASSERT_EQUAL(b.n_info, 2);
	for (size_t i = 0; i < 2; i++) {
		CU_ASSERT_STRING_EQUAL(b.info[i].description,
		    a.info[i].description);
		CU_ASSERT_STRING_EQUAL(b.info[i].instruction,
		    a.info[i].instruction);
		CU_ASSERT_EQUAL(b.info[i].expires.at_ms,
		    a.info[i].expires.at_ms);
		CU_ASSERT_EQUAL(b.info[i].area[0].polygon[0].n, 5);
		CU_ASSERT_EQUAL(b.info[i].area[0].polygon[0].pts[1].lat, 39.3);
	}
	cap_fx_expect(doc, len, RM_OK, NULL, NULL);
	record_fini(&rec);
	cap_alert_fini(&a);
	cap_alert_fini(&b);
	free(doc);
}

/* What the kind cannot hold is refused by the mapping, saying why. */
static void
test_map_refusals(void)
{
	struct cap_alert a;
	struct rm_record rec;
	rm_why why = { "", "" };
	size_t len;
	char *doc = corpus("typhoon-cancel.xml", &len);
	char *nograde = cap_fx_variant(cap_fx_base, "<parameter><valueName>"
	    "grade</valueName><value>red</value></parameter>", "");

	CU_ASSERT_EQUAL_FATAL(cap_parse(doc, len, &a, &why), RM_OK);
	CU_ASSERT_EQUAL(cap_to_alert(&a, &rec, &why), RM_EMISSING);
	CU_ASSERT_STRING_EQUAL(why.field, "alert/info");
	cap_alert_fini(&a);
	CU_ASSERT_EQUAL_FATAL(cap_parse(nograde, strlen(nograde), &a, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(cap_to_alert(&a, &rec, &why), RM_EMISSING);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "grade"));
	cap_alert_fini(&a);
	free(nograde);
	free(doc);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "valid_files_roundtrip", test_valid },
		{ "invalid_files_verdicts", test_invalid },
		{ "to_alert_and_back", test_map },
		{ "to_alert_refusals", test_map_refusals },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("cap_corpus", tests);
}
