/*
 * test_cap_fx.c -- helpers of the CAP 1.2 tests (test_cap_fx.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rm_test.h"
#include "test_cap_fx.h"

const char cap_fx_base[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
    "<identifier>120000.meteorology-T-2</identifier>\n"
    "<sender>120000.meteorology</sender>\n"
    "<sent>2026-08-15T12:00:00+08:00</sent>\n"
    "<status>Actual</status>\n"
    "<msgType>Update</msgType>\n"
    "<scope>Public</scope>\n"
    "<references>120000.meteorology,120000.meteorology-T-1,"
    "2026-08-15T06:00:00+08:00</references>\n"
    "<info>\n"
    "<language>zh-CN</language>\n"
    "<category>Met</category>\n"
    "<event>台风</event>\n"
    "<urgency>Immediate</urgency>\n"
    "<severity>Extreme</severity>\n"
    "<certainty>Likely</certainty>\n"
    "<effective>2026-08-15T12:00:00+08:00</effective>\n"
    "<expires>2026-08-16T06:00:00+08:00</expires>\n"
    "<headline>台风红色预警</headline>\n"
    "<parameter><valueName>grade</valueName><value>red</value></parameter>\n"
    "<area>\n"
    "<areaDesc>滨海新区</areaDesc>\n"
    "<polygon>38.9,117.6 39.3,117.6 39.3,117.95 38.9,117.6</polygon>\n"
    "<circle>39.0,117.7 10</circle>\n"
    "<geocode><valueName>GB/T2260</valueName><value>120116</value>"
    "</geocode>\n"
    "</area>\n"
    "</info>\n"
    "</alert>\n";

char *
cap_fx_variant(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t nb = strlen(base), nf = strlen(from), nt = strlen(to);
	char *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	out = malloc(nb - nf + nt + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	memcpy(out, base, (size_t)(at - base));
	memcpy(out + (at - base), to, nt);
	memcpy(out + (at - base) + nt, at + nf, nb - (size_t)(at - base) - nf + 1);
	return out;
}

/* write a, parse it back: the same alert; the same through CBOR. */
static void
roundtrip(const struct cap_alert *a)
{
	struct cap_alert b;
	rm_buf out = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	CU_ASSERT_EQUAL_FATAL(cap_write(a, &out, &why), RM_OK);
	rv = cap_parse(out.data, out.len, &b, &why);
	if (rv != RM_OK)
		fprintf(stderr, "re-parse: %s\n%.*s\n", why.msg, (int)out.len,
		    (const char *)out.data);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
	rv = cap_alert_equal(a, &b, &why);
	if (rv != RM_OK)
		fprintf(stderr, "round trip: %s\n", why.msg);
	CU_ASSERT_EQUAL(rv, RM_OK);
	cap_alert_fini(&b);
	/* and through the CBOR form a record carries (cap_model.h) */
	rm_buf_reset(&out);
	CU_ASSERT_EQUAL_FATAL(cap_model_encode(a, &out), RM_OK);
	rv = cap_model_decode(out.data, out.len, &b, &why);
	if (rv != RM_OK)
		fprintf(stderr, "CBOR decode: %s\n", why.msg);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
	rv = cap_alert_equal(a, &b, &why);
	if (rv != RM_OK)
		fprintf(stderr, "CBOR round trip: %s\n", why.msg);
	CU_ASSERT_EQUAL(rv, RM_OK);
	cap_alert_fini(&b);
	rm_buf_fini(&out);
}

void
cap_fx_expect(const char *doc, size_t len, int err, const char *field,
    const char *rule)
{
	struct cap_alert a;
	rm_why why = { "", "" };
	int rv = cap_parse(doc, len, &a, &why);

	if (rv != err || (err != RM_OK && (strcmp(why.field, field) != 0 ||
	    strstr(why.msg, rule) == NULL)))
		fprintf(stderr, "want %s %s /%s/, got %s field \"%s\": %s\n",
		    rm_errname(err), field ? field : "", rule ? rule : "",
		    rm_errname(rv), why.field, why.msg);
	CU_ASSERT_EQUAL(rv, err);
	if (rv != RM_OK || err != RM_OK) {
		if (err != RM_OK) {
			CU_ASSERT_STRING_EQUAL(why.field, field);
			CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, rule));
		}
		return;
	}
	roundtrip(&a);
	cap_alert_fini(&a);
}

char *
cap_fx_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
		*len = fread(p, 1, (size_t)n, f);
		p[*len] = '\0';
	}
	fclose(f);
	return p;
}
