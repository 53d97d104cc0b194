/*
 * test_reject.c -- every rejection path of record_decode() (and of the
 * shared validation through record_encode()). Each case mutates the
 * hand-computed tiny record (fixtures.c), which decodes fine unmutated.
 */
#include <string.h>

#include "schemas/schemas.h"
#include "fixtures.h"
#include "rm_test.h"

struct tab {
	struct fx_kv kv[20];
	size_t n;
};

static void
tab_init(struct tab *t, const struct fx_kv *src, size_t n)
{
	memcpy(t->kv, src, n * sizeof(*src));
	t->n = n;
}

static size_t
tab_find(const struct tab *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].key, key) == 0)
			return i;
	CU_FAIL_FATAL("test table key not found");
	return 0;
}

static void
tab_set(struct tab *t, const char *key, const char *hex)
{
	t->kv[tab_find(t, key)].hex = hex;
}

static void
tab_del(struct tab *t, size_t at)
{
	memmove(&t->kv[at], &t->kv[at + 1], (t->n - at - 1) * sizeof(t->kv[0]));
	t->n--;
}

static void
tab_ins(struct tab *t, size_t at, const char *key, const char *hex)
{
	memmove(&t->kv[at + 1], &t->kv[at], (t->n - at) * sizeof(t->kv[0]));
	t->kv[at].key = key;
	t->kv[at].hex = hex;
	t->n++;
}

/* Decode; on failure *out must have been left zeroed. */
static int
try_bytes(const uint8_t *p, size_t n, rm_why *why)
{
	static const struct rm_record zero;
	struct rm_record d;
	int rv;

	memset(&d, 0xa5, sizeof(d));
	memset(why, 0, sizeof(*why));
	rv = record_decode(p, n, &d, why);
	if (rv == RM_OK)
		record_fini(&d);
	else
		CU_ASSERT(memcmp(&d, &zero, sizeof(d)) == 0);
	return rv;
}

static int
try_tabs(const struct tab *rec, const struct tab *body, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	int rv;

	fx_build_record(rec->kv, rec->n, body->kv, body->n, &b);
	rv = try_bytes(b.data, b.len, why);
	rm_buf_fini(&b);
	return rv;
}

static int
try_hex(const char *hex, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	int rv;

	fx_unhex(hex, &b);
	rv = try_bytes(b.data, b.len, why);
	rm_buf_fini(&b);
	return rv;
}

#define SETUP()                                                          \
	struct tab rec, body;                                            \
	rm_why why;                                                      \
	tab_init(&rec, fx_tiny_rec, FX_TINY_REC_N);                      \
	tab_init(&body, fx_tiny_body, FX_TINY_BODY_N)

#define REJECT(want, substr)                                             \
	do {                                                             \
		CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), (want));    \
		if (strstr(why.msg, (substr)) == NULL) {                 \
			fprintf(stderr, "\n  why=\"%s\" lacks \"%s\"\n", \
			    why.msg, (substr));                          \
			CU_FAIL("rm_why does not name the field");       \
		}                                                        \
	} while (0)

/* The unmutated tables decode: every rejection below is the mutation's. */
static void
test_baseline(void)
{
	SETUP();
	CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), RM_OK);
	CU_ASSERT_EQUAL(try_hex(FX_TINY_HEX, &why), RM_OK);
}

static void
test_noncanon(void)
{
	rm_buf b = RM_BUF_INIT;
	struct fx_kv tmp;

	{	/* key order: "ver" before "seq" */
		SETUP();
		tmp = rec.kv[2]; rec.kv[2] = rec.kv[3]; rec.kv[3] = tmp;
		REJECT(RM_ENONCANON, "record: keys out of canonical order");
	}
	{	/* key order inside the alert: "texts" before "grade" */
		SETUP();
		tmp = body.kv[2]; body.kv[2] = body.kv[3]; body.kv[3] = tmp;
		REJECT(RM_ENONCANON, "alert: keys out of canonical order");
	}
	{	/* shorter key after a longer one: "v" last */
		SETUP();
		tmp = rec.kv[0];
		tab_del(&rec, 0);
		tab_ins(&rec, rec.n, tmp.key, tmp.hex);
		REJECT(RM_ENONCANON, "record: keys out of canonical order");
	}
	{	/* duplicate key */
		SETUP();
		tab_ins(&rec, 3, "seq", "01");
		REJECT(RM_ENONCANON, "record: keys out of canonical order");
	}
	{	/* non-minimal integer: 1 as 0x18 0x01 */
		SETUP();
		tab_set(&rec, "seq", "1801");
		REJECT(RM_ENONCANON, "seq: not deterministic");
	}
	{	/* non-minimal integer: 1000 in four bytes */
		SETUP();
		tab_set(&rec, "issued", "1a000003e8");
		REJECT(RM_ENONCANON, "issued: not deterministic");
	}
	{	/* indefinite-length text string */
		SETUP();
		tab_set(&rec, "oid", "7f626131ff");
		REJECT(RM_ENONCANON, "oid");
	}
	{	/* indefinite-length array */
		SETUP();
		tab_set(&rec, "areas", "9f66313230313033ff");
		REJECT(RM_ENONCANON, "areas");
	}
	/* non-minimal map head: map(9) as b8 09 */
	fx_unhex("b809", &b);
	fx_unhex(FX_TINY_HEX + 2, &b);
	{
		rm_why why;
		CU_ASSERT_EQUAL(try_bytes(b.data, b.len, &why), RM_ENONCANON);
	}
	rm_buf_fini(&b);
}

static void
test_malformed(void)
{
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	fx_unhex(FX_TINY_HEX, &b);
	rm_buf_append_byte(&b, 0x00);	/* one trailing byte */
	CU_ASSERT_EQUAL(try_bytes(b.data, b.len, &why), RM_EMALFORMED);
	CU_ASSERT(strstr(why.msg, "trailing") != NULL);
	/* truncated by one byte */
	CU_ASSERT_EQUAL(try_bytes(b.data, b.len - 2, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(try_bytes(b.data, 0, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(try_hex("01", &why), RM_EBADVALUE);	/* not a map */
	CU_ASSERT(strstr(why.msg, "record: expected map") != NULL);
	CU_ASSERT_EQUAL(try_hex("a10101", &why), RM_EBADVALUE); /* int key */
	CU_ASSERT(strstr(why.msg, "map keys must be text") != NULL);
	rm_buf_fini(&b);
}

static void
test_oversize(void)
{
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	fx_unhex(FX_TINY_HEX, &b);
	rm_buf_reserve(&b, RM_RECORD_BODY_MAX + 1);
	memset(b.data + b.len, 0, RM_RECORD_BODY_MAX + 1 - b.len);
	CU_ASSERT_EQUAL(try_bytes(b.data, RM_RECORD_BODY_MAX + 1, &why),
	    RM_ETOOBIG);
	CU_ASSERT(strstr(why.msg, "limit 49152") != NULL);
	rm_buf_fini(&b);
}

static void
test_missing_each(void)
{
	char want[64];

	for (size_t i = 0; i < FX_TINY_REC_N; i++) {
		SETUP();
		snprintf(want, sizeof(want), "%s: required", rec.kv[i].key);
		tab_del(&rec, i);
		REJECT(RM_EMISSING, want);
	}
	for (size_t i = 0; i < FX_TINY_BODY_N; i++) {
		SETUP();
		snprintf(want, sizeof(want), "alert.%s: required",
		    body.kv[i].key);
		tab_del(&body, i);
		REJECT(RM_EMISSING, want);
	}
	{	/* text block without lang / event / headline */
		SETUP();
		tab_set(&body, "texts", "81a2656576656e74615468686561646c696e656148");
		REJECT(RM_EMISSING, "alert.texts[0].lang: required");
		tab_set(&body, "texts", "81a2646c616e6762656e68686561646c696e656148");
		REJECT(RM_EMISSING, "alert.texts[0].event: required");
		tab_set(&body, "texts", "81a2646c616e6762656e656576656e746154");
		REJECT(RM_EMISSING, "alert.texts[0].headline: required");
	}
}

static void
test_unknown(void)
{
	{
		SETUP();
		tab_set(&rec, "v", "02");
		REJECT(RM_EUNKNOWN, "v: unknown schema version 2");
	}
	{
		SETUP();
		tab_set(&rec, "kind", "647461736a");	/* "tasj" */
		REJECT(RM_EUNKNOWN, "kind: unknown kind \"tasj\"");
	}
	{
		SETUP();
		tab_ins(&rec, rec.n, "unknownfield", "01");
		REJECT(RM_EUNKNOWN, "record: unknown key \"unknownfield\"");
	}
	{
		SETUP();
		tab_ins(&body, body.n, "zzzzzzzzzzzz", "01");
		REJECT(RM_EUNKNOWN, "alert: unknown key \"zzzzzzzzzzzz\"");
	}
	{	/* unknown key in a text block */
		SETUP();
		tab_set(&body, "texts", "81a4646c616e6762656e656576656e7461"
		    "5468686561646c696e6561486c7a7a7a7a7a7a7a7a7a7a7a7a01");
		REJECT(RM_EUNKNOWN, "alert.texts[0]: unknown key");
	}
}

static void
test_enums(void)
{
	{
		SETUP();
		tab_set(&body, "grade", "66707572706c65");	/* "purple" */
		REJECT(RM_EBADVALUE, "alert.grade: unknown grade \"purple\"");
		CU_ASSERT_STRING_EQUAL(why.msg,
		    "alert.grade: unknown grade \"purple\"");
	}
	{
		SETUP();
		tab_set(&body, "grade", "63526564");	/* "Red": case matters */
		REJECT(RM_EBADVALUE, "alert.grade: unknown grade \"Red\"");
	}
	{
		SETUP();
		tab_set(&body, "status", "63466f6f");	/* "Foo" */
		REJECT(RM_EBADVALUE, "alert.status: unknown status \"Foo\"");
		tab_set(&body, "status", "6641637475616c");
		tab_set(&body, "msgType", "63466f6f");
		REJECT(RM_EBADVALUE, "alert.msgType: unknown msgType");
		tab_set(&body, "msgType", "65416c657274");
		tab_set(&body, "urgency", "63466f6f");
		REJECT(RM_EBADVALUE, "alert.urgency: unknown urgency");
		tab_set(&body, "urgency", "69496d6d656469617465");
		tab_set(&body, "severity", "63466f6f");
		REJECT(RM_EBADVALUE, "alert.severity: unknown severity");
		tab_set(&body, "severity", "6745787472656d65");
		tab_set(&body, "certainty", "63466f6f");
		REJECT(RM_EBADVALUE, "alert.certainty: unknown certainty");
	}
	{
		SETUP();
		tab_set(&body, "cat", "816757656174686572");   /* "Weather" */
		REJECT(RM_EBADVALUE, "alert.cat[0]: unknown category \"Weather\"");
		tab_set(&body, "cat", "82634d65746347656f"); /* Met, Geo */
		REJECT(RM_EBADVALUE, "alert.cat[1]: categories must be unique");
		tab_set(&body, "cat", "82634d6574634d6574"); /* Met, Met */
		REJECT(RM_EBADVALUE, "alert.cat[1]");
		tab_set(&body, "cat", "80");
		REJECT(RM_EBADVALUE, "alert.cat: at least one");
	}
}

static void
test_types(void)
{
	{
		SETUP();
		tab_set(&rec, "seq", "6131");
		REJECT(RM_EBADVALUE, "seq: expected unsigned integer, got text");
		tab_set(&rec, "seq", "20");
		REJECT(RM_EBADVALUE, "seq: expected unsigned integer");
		tab_set(&rec, "seq", "f93c00");	/* half float 1.0 */
		REJECT(RM_EBADVALUE, "seq: expected unsigned integer, got float");
	}
	{
		SETUP();
		tab_set(&rec, "issued", "20");	/* -1 */
		REJECT(RM_EBADVALUE, "issued: negative time");
	}
	{
		SETUP();
		tab_set(&rec, "areas", "66313230313033");	/* not array */
		REJECT(RM_EBADVALUE, "areas: expected array, got text");
	}
	{
		SETUP();
		tab_set(&rec, "body", "80");
		REJECT(RM_EBADVALUE, "body: expected map, got array");
	}
}

static void
test_ids_and_areas(void)
{
	{
		SETUP();
		tab_set(&rec, "origin", "63616263");	/* "abc" */
		REJECT(RM_EBADVALUE, "origin: invalid agency id \"abc\"");
		tab_set(&rec, "origin", "6b3132303130332e456d6572"); /* upper */
		REJECT(RM_EBADVALUE, "origin: invalid agency id");
		tab_set(&rec, "origin", "7841" "3132303130332e"
		    "6161616161616161616161616161616161616161616161616161616161"
		    "6161616161616161616161616161616161616161616161616161616161");
		REJECT(RM_ETOOBIG, "origin: 65 bytes, limit 64");
	}
	{
		SETUP();
		tab_set(&rec, "oid", "63612062");	/* "a b" */
		REJECT(RM_EBADVALUE, "oid: invalid object id \"a b\"");
		tab_set(&rec, "oid", "60");
		REJECT(RM_EBADVALUE, "oid: invalid object id \"\"");
	}
	{
		SETUP();
		tab_set(&rec, "areas", "81653132303130");	/* "12010" */
		REJECT(RM_EBADVALUE, "areas[0]: invalid area code \"12010\"");
		tab_set(&rec, "areas", "8166303031303033");	/* "001003" */
		REJECT(RM_EBADVALUE, "areas[0]: invalid area code");
		tab_set(&rec, "areas", "816631323031306a");	/* "12010j" */
		REJECT(RM_EBADVALUE, "areas[0]: invalid area code");
		tab_set(&rec, "areas", "816d31323031303331323334353637");
		REJECT(RM_ETOOBIG, "areas[0]: 13 bytes");
		tab_set(&rec, "areas", "80");
		REJECT(RM_EBADVALUE, "areas: at least one");
	}
	{	/* unsorted, then duplicated */
		SETUP();
		tab_set(&rec, "areas", "8266313230313136" "66313230313033");
		REJECT(RM_EBADVALUE, "areas[1]: \"120103\" not after \"120116\"");
		tab_set(&rec, "areas", "8266313230313033" "66313230313033");
		REJECT(RM_EBADVALUE, "areas[1]");
	}
}

#define HASH32 "5820000102030405060708090a0b0c0d0e0f" \
	"101112131415161718191a1b1c1d1e1f"

static void
test_chain(void)
{
	{
		SETUP();
		tab_set(&rec, "seq", "00");
		REJECT(RM_EBADVALUE, "seq: 0, must be >= 1");
	}
	{
		SETUP();
		tab_set(&rec, "ver", "00");
		REJECT(RM_EBADVALUE, "ver: 0, must be >= 1");
	}
	{	/* seq 2 without prev */
		SETUP();
		tab_set(&rec, "seq", "02");
		REJECT(RM_EMISSING, "prev: required when seq > 1");
		/* ... and with it, fine */
		tab_ins(&rec, tab_find(&rec, "kind") + 1, "prev", HASH32);
		CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), RM_OK);
	}
	{	/* seq 1 with prev */
		SETUP();
		tab_ins(&rec, tab_find(&rec, "kind") + 1, "prev", HASH32);
		REJECT(RM_EBADVALUE, "prev: must be absent when seq == 1");
	}
	{	/* wrong hash length */
		SETUP();
		tab_set(&rec, "seq", "02");
		tab_ins(&rec, tab_find(&rec, "kind") + 1, "prev", "4100");
		REJECT(RM_EBADVALUE, "prev: 1 bytes, expected 32");
		tab_set(&rec, "prev", "6161");
		REJECT(RM_EBADVALUE, "prev: expected byte string");
	}
	{	/* supersedes */
		SETUP();
		tab_ins(&rec, rec.n, "supersedes", "4100");
		REJECT(RM_EBADVALUE, "supersedes: 1 bytes, expected 32");
	}
}

static void
test_times(void)
{
	{	/* expires == effective */
		SETUP();
		tab_ins(&rec, rec.n, "expires", "1903e8");
		REJECT(RM_EBADVALUE, "expires: 1000 not after alert.effective "
		    "1000");
		tab_set(&rec, "expires", "1903e7");
		REJECT(RM_EBADVALUE, "expires: 999 not after");
		tab_set(&rec, "expires", "00");
		REJECT(RM_EBADVALUE, "expires: 0 (omit");
		tab_set(&rec, "expires", "1903e9");
		CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), RM_OK);
	}
}

/* Where "polygon" goes in the alert map: after "msgType". */
static void
with_polygon(struct tab *body, const char *hex)
{
	tab_ins(body, 6, "polygon", hex);
}

static void
test_geometry(void)
{
	{	/* open polygon */
		SETUP();
		with_polygon(&body, "84820102820304820506820708");
		REJECT(RM_EBADVALUE, "alert.polygon: not closed");
	}
	{	/* closed, but only 3 points */
		SETUP();
		with_polygon(&body, "83820102820304820102");
		REJECT(RM_EBADVALUE, "alert.polygon: 3 points, need at least 4");
	}
	{	/* latitude 91e6 */
		SETUP();
		with_polygon(&body, "84821a056c8cc002820304820506821a056c8cc002");
		REJECT(RM_EBADVALUE, "alert.polygon[0]: latitude 91000000");
	}
	{	/* a closed square is fine; a 3-item point is not */
		SETUP();
		with_polygon(&body, "84820102820304820506820102");
		CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), RM_OK);
		tab_set(&body, "polygon", "8483010203820304820506820102");
		REJECT(RM_EBADVALUE, "alert.polygon[0]: 3 items");
		tab_set(&body, "polygon", "80");
		REJECT(RM_EBADVALUE, "alert.polygon: empty");
	}
	{	/* circle: after "texts" */
		SETUP();
		tab_ins(&body, 4, "circle", "83010200");
		REJECT(RM_EBADVALUE, "alert.circle: radius must be > 0");
		tab_set(&body, "circle", "8301021a000186a0");
		CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), RM_OK);
		tab_set(&body, "circle", "820102");
		REJECT(RM_EBADVALUE, "alert.circle: 2 items");
		tab_set(&body, "circle", "83011a0aba950101");
		REJECT(RM_EBADVALUE, "alert.circle: longitude 180000001");
	}
}

static void
test_texts(void)
{
	{	/* invalid UTF-8 in the headline */
		SETUP();
		tab_set(&body, "texts", "81a3646c616e6762656e656576656e7461"
		    "5468686561646c696e6561ff");
		REJECT(RM_EBADVALUE, "alert.texts[0].headline: invalid UTF-8");
	}
	{	/* a control character, a bidirectional override: every node
		 * refuses them, so no headline rewrites a terminal */
		SETUP();
		tab_set(&body, "texts", "81a3646c616e6762656e656576656e7461"
		    "5468686561646c696e65621b41");
		REJECT(RM_EBADVALUE, "alert.texts[0].headline: control "
		    "character U+001B at byte 0");
		tab_set(&body, "texts", "81a3646c616e6762656e656576656e7461"
		    "5468686561646c696e6563e280ae");
		REJECT(RM_EBADVALUE, "alert.texts[0].headline: control "
		    "character U+202E");
	}
	{	/* overlong encoding of '/' */
		SETUP();
		tab_set(&body, "id", "62c0af");
		REJECT(RM_EBADVALUE, "alert.id: invalid UTF-8");
	}
	{
		SETUP();
		tab_set(&body, "texts", "80");
		REJECT(RM_EBADVALUE, "alert.texts: at least one text block");
	}
	{	/* same language twice */
		SETUP();
		tab_set(&body, "texts", "82"
		    "a3646c616e6762656e656576656e74615468686561646c696e656148"
		    "a3646c616e6762454e656576656e74615468686561646c696e656148");
		REJECT(RM_EBADVALUE, "alert.texts[1].lang: duplicate language");
	}
	{	/* empty headline, bad language tag */
		SETUP();
		tab_set(&body, "texts", "81a3646c616e6762656e656576656e7461"
		    "5468686561646c696e6560");
		REJECT(RM_EBADVALUE, "alert.texts[0].headline: empty");
		tab_set(&body, "texts", "81a3646c616e6762652e656576656e7461"
		    "5468686561646c696e656148");
		REJECT(RM_EBADVALUE, "alert.texts[0].lang: not a language tag");
		/* one letter, seven letters, an empty or a lone last subtag */
		tab_set(&body, "texts", "81a3646c616e676161656576656e7461"
		    "5468686561646c696e656148");
		REJECT(RM_EBADVALUE, "alert.texts[0].lang: not a language tag");
		tab_set(&body, "texts", "81a3646c616e6767656e676c697368656576"
		    "656e74615468686561646c696e656148");
		REJECT(RM_EBADVALUE, "alert.texts[0].lang: not a language tag");
		tab_set(&body, "texts", "81a3646c616e6763" "7a682d"
		    "656576656e74615468686561646c696e656148");
		REJECT(RM_EBADVALUE, "alert.texts[0].lang: not a language tag");
		tab_set(&body, "texts", "81a3646c616e6767" "7a682d434e2d78"
		    "656576656e74615468686561646c696e656148");
		REJECT(RM_EBADVALUE, "RFC 5646");
	}
	{	/* CAP identifier may not contain a space */
		SETUP();
		tab_set(&body, "id", "63612062");
		REJECT(RM_EBADVALUE, "alert.id: contains space");
	}
	{	/* refs: between "cat" and "grade"; empty is not canonical */
		SETUP();
		tab_ins(&body, 2, "refs", "80");
		REJECT(RM_EBADVALUE, "alert.refs: empty");
		tab_set(&body, "refs", "816161");
		CU_ASSERT_EQUAL(try_tabs(&rec, &body, &why), RM_OK);
	}
}

static CU_TestInfo reject_tests[] = {
	{ "baseline decodes", test_baseline },
	{ "non-canonical CBOR", test_noncanon },
	{ "malformed input", test_malformed },
	{ "oversize input", test_oversize },
	{ "each required field missing", test_missing_each },
	{ "unknown version, kind, keys", test_unknown },
	{ "enumeration names", test_enums },
	{ "wrong types", test_types },
	{ "identifiers and areas", test_ids_and_areas },
	{ "seq, ver, prev, supersedes", test_chain },
	{ "expires vs effective", test_times },
	{ "polygon and circle", test_geometry },
	{ "texts, UTF-8, refs", test_texts },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.reject", reject_tests);
}
