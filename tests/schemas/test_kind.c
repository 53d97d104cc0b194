/*
 * test_kind.c -- the kind registry: registration rules, and a kind
 * defined only here ("notice", notice_kind.c) encoded, decoded,
 * validated and summarised through schemas/ without any change to it.
 */
#include <stdbool.h>
#include <string.h>

#include "notice_kind.h"
#include "rm_test.h"

static const struct rm_kind_ops bad_name = {
	.name = "Bad", .body_size = 1,
};

static void
test_register_rules(void)
{
	struct rm_kind_ops dup = notice_kind, nodecode = notice_kind;
	struct rm_kind_ops longname = notice_kind;
	const char *names[RM_KINDS_MAX];
	rm_why why;

	CU_ASSERT_EQUAL(kind_register(NULL, &why), RM_EINVAL);
	CU_ASSERT_EQUAL(kind_register(&bad_name, &why), RM_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "[a-z_]"));
	longname.name = "abcdefghijklmnop";          /* 16 > 15 */
	CU_ASSERT_EQUAL(kind_register(&longname, &why), RM_EINVAL);
	longname.name = "_notice";                   /* '_' not first */
	CU_ASSERT_EQUAL(kind_register(&longname, &why), RM_EINVAL);
	nodecode.name = "nodecode";
	nodecode.decode = NULL;
	CU_ASSERT_EQUAL(kind_register(&nodecode, &why), RM_EINVAL);
	CU_ASSERT_PTR_NULL(kind_find("nodecode", 8));
	dup.name = "alert";                          /* taken by the built-in */
	CU_ASSERT_EQUAL(kind_register(&dup, &why), RM_EEXIST);
	CU_ASSERT_PTR_EQUAL(kind_find("alert", 5), &rm_kind_alert);

	CU_ASSERT_PTR_NULL(kind_find("notice", 6));
	CU_ASSERT_EQUAL(kind_index(&notice_kind), -1);
	CU_ASSERT_EQUAL(kind_register(&notice_kind, &why), RM_OK);
	CU_ASSERT_EQUAL(kind_register(&notice_kind, &why), RM_OK); /* again */
	CU_ASSERT_PTR_EQUAL(kind_find("notice", 6), &notice_kind);
	/* after the built-in kinds: alert (0), agency (1), fork_resolution
	 * (2), risk (3), task (4), ack (5), escalation (6), indicator_def (7),
	 * indicator (8), proposal (9) */
	CU_ASSERT_PTR_EQUAL(kind_at(1), &rm_kind_agency);
	CU_ASSERT_PTR_EQUAL(kind_at(2), &rm_kind_fork_resolution);
	CU_ASSERT_PTR_EQUAL(kind_at(3), &rm_kind_risk);
	CU_ASSERT_PTR_EQUAL(kind_at(4), &rm_kind_task);
	CU_ASSERT_PTR_EQUAL(kind_at(5), &rm_kind_ack);
	CU_ASSERT_PTR_EQUAL(kind_at(6), &rm_kind_escalation);
	CU_ASSERT_PTR_EQUAL(kind_at(7), &rm_kind_indicator_def);
	CU_ASSERT_PTR_EQUAL(kind_at(8), &rm_kind_indicator);
	CU_ASSERT_PTR_EQUAL(kind_at(9), &rm_kind_proposal);
	CU_ASSERT_EQUAL(kind_index(&notice_kind), 10);
	CU_ASSERT_PTR_EQUAL(kind_at(10), &notice_kind);
	CU_ASSERT_PTR_NULL(kind_at(11));
	CU_ASSERT_EQUAL(kind_set_all(), 2047u);
	/* names sorted bytewise whatever the registration order */
	CU_ASSERT_EQUAL(kind_set_names(kind_set_all(), names, RM_KINDS_MAX),
	    11);
	CU_ASSERT_STRING_EQUAL(names[0], "ack");
	CU_ASSERT_STRING_EQUAL(names[1], "agency");
	CU_ASSERT_STRING_EQUAL(names[2], "alert");
	CU_ASSERT_STRING_EQUAL(names[3], "escalation");
	CU_ASSERT_STRING_EQUAL(names[4], "fork_resolution");
	CU_ASSERT_STRING_EQUAL(names[5], "indicator");
	CU_ASSERT_STRING_EQUAL(names[6], "indicator_def");
	CU_ASSERT_STRING_EQUAL(names[7], "notice");
	CU_ASSERT_STRING_EQUAL(names[8], "proposal");
	CU_ASSERT_STRING_EQUAL(names[9], "risk");
	CU_ASSERT_STRING_EQUAL(names[10], "task");
	CU_ASSERT_EQUAL(kind_set_names(1024u, names, RM_KINDS_MAX), 1);
	CU_ASSERT_STRING_EQUAL(names[0], "notice");
	CU_ASSERT_EQUAL(kind_set_names(16u, names, RM_KINDS_MAX), 1);
	CU_ASSERT_STRING_EQUAL(names[0], "task");
	CU_ASSERT_EQUAL(kind_set_names(8u, names, RM_KINDS_MAX), 1);
	CU_ASSERT_STRING_EQUAL(names[0], "risk");
}

static void
test_notice_roundtrip(void)
{
	struct rm_record r, d;
	struct notice n;
	const struct notice *dn;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	char line[128];
	const char *to[2];
	rm_why why;

	notice_kind_register();
	notice_record(&r, &n, "120000.water", "n-1", "120116", RM_GRADE_ORANGE,
	    "120116.gov", 0);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_PTR_EQUAL(d.kind, &notice_kind);
	CU_ASSERT_PTR_NULL(record_alert(&d));
	dn = d.body;
	CU_ASSERT_EQUAL(dn->n_to, 1);
	CU_ASSERT_STRING_EQUAL(dn->to[0], "120116.gov");
	CU_ASSERT_STRING_EQUAL(dn->note, "check the pumping station");
	CU_ASSERT_EQUAL(dn->grade, RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(d.kind->grade(&d), RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(d.kind->recipients(&d, to, 2), 1);
	CU_ASSERT_STRING_EQUAL(to[0], "120116.gov");
	CU_ASSERT(record_in_force(&d, 0));
	record_summary(&d, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, "notice orange to 120116.gov: check the "
	    "pumping station");
	/* re-encoding the decoded record gives the same bytes */
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	record_fini(&d);
	CU_ASSERT_PTR_NULL(d.body);

	/* closed: a tombstone, never in force */
	n.state = 1;
	CU_ASSERT(!record_in_force(&r, 0));
	/* the kind's own rules run inside record_validate/encode */
	n.state = 2;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "notice.state"));
	n.state = 0;
	snprintf(n.to[0], sizeof(n.to[0]), "not an agency");
	CU_ASSERT_EQUAL(record_encode(&r, &b2, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "notice.to[0]"));
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

static void
test_notice_rejects(void)
{
	struct rm_record r, d;
	struct notice n;
	rm_buf b = RM_BUF_INIT;
	bool patched = false;
	rm_why why;

	notice_kind_register();
	notice_record(&r, &n, "120000.water", "n-2", "120116", RM_GRADE_BLUE,
	    "120116.gov", 0);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	/* body "state": 0 -> 5: well-formed CBOR the kind's rules refuse */
	for (size_t i = 0; i + 6 < b.len && !patched; i++)
		if (memcmp(b.data + i, "\x65state\x00", 7) == 0) {
			b.data[i + 6] = 0x05;
			patched = true;
		}
	CU_ASSERT_FATAL(patched);
	CU_ASSERT_EQUAL(record_decode(b.data, b.len, &d, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "notice.state"));
	CU_ASSERT_PTR_NULL(d.body);
	/* a body that is not the kind's shape names the kind's field */
	b.len = 0;
	notice_record(&r, &n, "120000.water", "n-3", "120116", RM_GRADE_BLUE,
	    "120116.gov", 0);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	for (size_t i = 0; i + 5 < b.len; i++)
		if (memcmp(b.data + i, "\x64note", 5) == 0) {
			memcpy(b.data + i, "\x64nota", 5);
			break;
		}
	CU_ASSERT_EQUAL(record_decode(b.data, b.len, &d, &why), RM_EUNKNOWN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "notice"));
	rm_buf_fini(&b);
}

static void
fr_record(struct rm_record *r, struct rm_fork_ref *f)
{
	memset(r, 0, sizeof(*r));
	memset(f, 0, sizeof(*f));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_fork_resolution;
	r->body = f;
	strcpy(r->origin, "120000.gov");
	strcpy(r->object_id, "fork:120116.gov:2");
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = 1786000000000LL;
	r->n_areas = 1;
	strcpy(r->areas[0], "120000");
	strcpy(f->origin, "120116.gov");
	f->seq = 2;
	memset(f->keep.b, 0xab, RM_HASH_BYTES);
}

/* kind "fork_resolution": the codec, its rules and its hooks. */
static void
test_fork_resolution(void)
{
	static const uint8_t keys[] = "\x63seq\x02\x64keep\x58\x20";
	struct rm_record r, d;
	struct rm_fork_ref f;
	const struct rm_fork_ref *df;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	char line[128];
	rm_why why;
	bool found = false;

	CU_ASSERT_PTR_EQUAL(kind_find("fork_resolution", 15),
	    &rm_kind_fork_resolution);
	fr_record(&r, &f);
	CU_ASSERT_EQUAL_FATAL(record_encode(&r, &b, &why), RM_OK);
	/* deterministic key order: "seq", "keep" (a 32-byte string),
	 * "origin" */
	for (size_t i = 0; i + sizeof(keys) - 1 <= b.len && !found; i++)
		found = memcmp(b.data + i, keys, sizeof(keys) - 1) == 0;
	CU_ASSERT(found);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_PTR_EQUAL(d.kind, &rm_kind_fork_resolution);
	CU_ASSERT_PTR_NULL(record_alert(&d));
	df = record_fork_resolution(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(df);
	CU_ASSERT_PTR_EQUAL(d.kind->resolves(&d), df);
	CU_ASSERT_STRING_EQUAL(df->origin, "120116.gov");
	CU_ASSERT_EQUAL(df->seq, 2);
	CU_ASSERT(memcmp(df->keep.b, f.keep.b, RM_HASH_BYTES) == 0);
	CU_ASSERT(!record_in_force(&d, 0));
	record_summary(&d, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, "fork resolution 120116.gov seq 2: keep "
	    "abababababababab");
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	/* authorisation: the forked origin, or a registrar */
	CU_ASSERT_EQUAL(d.kind->authorise(&d, false, &why), RM_EUNAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "registrar"));
	CU_ASSERT_EQUAL(d.kind->authorise(&d, true, &why), RM_OK);
	strcpy(d.origin, "120116.gov");
	d.seq = 3;
	CU_ASSERT_EQUAL(d.kind->authorise(&d, false, &why), RM_OK);
	record_fini(&d);
	CU_ASSERT_PTR_NULL(record_fork_resolution(NULL));

	/* the rules */
	f.seq = 0;
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "fork_resolution.seq"));
	f.seq = 2;
	strcpy(f.origin, "not an agency");
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "fork_resolution.origin"));
	/* the origin cannot resolve a seq at or after its own */
	strcpy(f.origin, "120000.gov");
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_EBADVALUE);
	r.seq = 3;
	r.has_prev = true;                   /* seq > 1 links back */
	CU_ASSERT_EQUAL(record_validate(&r, &why), RM_OK);

	/* strict decoding: keep must be 32 bytes */
	for (size_t i = 0; i + 6 <= b.len; i++)
		if (memcmp(b.data + i, "\x64keep\x58\x20", 7) == 0) {
			b.data[i + 6] = 0x1f;        /* 31 bytes, one extra */
			break;
		}
	CU_ASSERT_NOT_EQUAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	CU_ASSERT_PTR_NULL(d.body);
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

static CU_TestInfo tests[] = {
	{ "register_rules", test_register_rules },
	{ "notice_roundtrip", test_notice_roundtrip },
	{ "notice_rejects", test_notice_rejects },
	{ "fork_resolution", test_fork_resolution },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.kind", tests);
}
