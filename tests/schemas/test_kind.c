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
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "[a-z]"));
	longname.name = "abcdefghijklmnop";          /* 16 > 15 */
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
	CU_ASSERT_EQUAL(kind_index(&notice_kind), 2);    /* after the built-ins */
	CU_ASSERT_PTR_EQUAL(kind_at(1), &rm_kind_agency);
	CU_ASSERT_PTR_EQUAL(kind_at(2), &notice_kind);
	CU_ASSERT_PTR_NULL(kind_at(3));
	CU_ASSERT_EQUAL(kind_set_all(), 7u);
	/* names sorted bytewise whatever the registration order */
	CU_ASSERT_EQUAL(kind_set_names(kind_set_all(), names, RM_KINDS_MAX),
	    3);
	CU_ASSERT_STRING_EQUAL(names[0], "agency");
	CU_ASSERT_STRING_EQUAL(names[1], "alert");
	CU_ASSERT_STRING_EQUAL(names[2], "notice");
	CU_ASSERT_EQUAL(kind_set_names(4u, names, RM_KINDS_MAX), 1);
	CU_ASSERT_STRING_EQUAL(names[0], "notice");
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

static CU_TestInfo tests[] = {
	{ "register_rules", test_register_rules },
	{ "notice_roundtrip", test_notice_roundtrip },
	{ "notice_rejects", test_notice_rejects },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.kind", tests);
}
