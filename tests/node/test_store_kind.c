/*
 * test_store_kind.c -- the store handles a kind it has never heard of:
 * "notice", defined only in tests/schemas/notice_kind.c, is issued,
 * stored, indexed by (kind, area) and by the kind's own keys, and
 * leaves the indexes when a closing version supersedes it -- with no
 * kind-specific code in node/store*.
 */
#include <string.h>

#include "../schemas/notice_kind.h"
#include "rm_test.h"
#include "test_store_fx.h"

#define ORG "120000.water"

struct seen {
	unsigned n;
	char oid[8][RM_OBJECT_ID_MAX + 1];
	bool notice[8];
};

static int
seen_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct seen *s = arg;

	(void)h;
	(void)p;
	(void)n;
	if (s->n >= 8)
		return RM_ETOOBIG;
	snprintf(s->oid[s->n], sizeof(s->oid[0]), "%s", rec->object_id);
	s->notice[s->n] = rec->kind == &notice_kind && rec->body != NULL &&
	    ((const struct notice *)rec->body)->n_to == 1;
	s->n++;
	return 0;
}

static void
issue_notice(store *s, const char *oid, const char *area, const char *to,
    uint64_t state, struct store_put_result *res)
{
	struct rm_record r;
	struct notice n;
	rm_why why = { "", "" };

	notice_record(&r, &n, ORG, oid, area, RM_GRADE_YELLOW, to, state);
	r.ver = 0;                 /* the store numbers versions and seq */
	r.seq = 0;
	CU_ASSERT_EQUAL_FATAL(store_issue(s, &r, sfx_seal, NULL, res, &why),
	    RM_OK);
}

static void
test_notice_indexed(void)
{
	struct store_put_result res;
	struct store_stats st;
	struct seen x;
	char dir[256];
	store *s;

	notice_kind_register();
	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	issue_notice(s, "n1", "120116", "120116.gov", 0, &res);
	CU_ASSERT_EQUAL(res.seq, 1);
	CU_ASSERT_EQUAL(res.ver, 1);
	issue_notice(s, "n2", "120101", "120101.gov", 0, &res);
	CU_ASSERT_EQUAL(res.seq, 2);

	/* by (kind, area): the city sees both, a district its own */
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_active(s, &notice_kind, "120000", 0, seen_each,
	    &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 2);
	CU_ASSERT(x.notice[0] && x.notice[1]);
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_active(s, &notice_kind, "120116", 0, seen_each,
	    &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 1);
	CU_ASSERT_STRING_EQUAL(x.oid[0], "n1");
	/* kinds do not mix: no alert is in force */
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_active(s, &rm_kind_alert, "120000", 0,
	    seen_each, &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 0);
	/* by the kind's own index keys */
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_index_each(s, &notice_kind, "to=120101.gov", 0,
	    seen_each, &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 1);
	CU_ASSERT_STRING_EQUAL(x.oid[0], "n2");
	CU_ASSERT_EQUAL(store_index_each(s, &notice_kind, "", 0, seen_each,
	    &x), RM_EINVAL);

	/* a closing version (the kind says: not in force) leaves both */
	issue_notice(s, "n2", "120101", "120101.gov", 1, &res);
	CU_ASSERT_EQUAL(res.ver, 2);
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_index_each(s, &notice_kind, "to=120101.gov", 0,
	    seen_each, &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 0);
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_active(s, &notice_kind, NULL, 0, seen_each, &x),
	    RM_OK);
	CU_ASSERT_EQUAL(x.n, 1);
	CU_ASSERT_STRING_EQUAL(x.oid[0], "n1");
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, 3);
	CU_ASSERT_EQUAL(st.active_alerts, 0);   /* a notice in force is no alert */

	/* and it all survives a reopen */
	store_close(s);
	s = sfx_open(dir, 0);
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_index_each(s, &notice_kind, "to=120116.gov", 0,
	    seen_each, &x), RM_OK);
	CU_ASSERT_EQUAL(x.n, 1);
	store_close(s);
	sfx_rmdir(dir);
}

static CU_TestInfo tests[] = {
	{ "notice_indexed", test_notice_indexed },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("store.kind", tests);
}
