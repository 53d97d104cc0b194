/*
 * test_store_active.c -- in-force alerts by area: overlap through
 * ancestors and descendants (GB/T 2260 levels), Update replacing,
 * Cancel removing, expiry at read time, newest first.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define A "120000.met"

#define HITS_MAX 8

struct hits {
	store *s;       /* if set, each() reads again (nested read) */
	int n;
	rm_hash h[HITS_MAX];
	rm_utc_ms issued[HITS_MAX];
	bool rec_ok[HITS_MAX];
};

static int
hits_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct hits *x = arg;
	rm_hash again;

	if (x->n >= HITS_MAX)
		return RM_ETOOBIG;
	x->h[x->n] = *h;
	x->issued[x->n] = rec->issued_ms;
	/* The bytes are the record's signed bytes, the record decoded. */
	crypto_sha256(p, n, &again);
	x->rec_ok[x->n] = memcmp(again.b, h->b, 32) == 0 &&
	    record_alert(rec)->identifier != NULL && rec->kind == &rm_kind_alert;
	if (x->s != NULL) {
		rm_buf b = RM_BUF_INIT;

		x->rec_ok[x->n] = x->rec_ok[x->n] &&
		    store_get(x->s, h, &b) == RM_OK && b.len == n &&
		    memcmp(b.data, p, n) == 0;
		rm_buf_fini(&b);
	}
	x->n++;
	return 0;
}

static int
query(store *s, const char *area, rm_utc_ms now, struct hits *x)
{
	memset(x, 0, sizeof(*x));
	x->s = s;
	CU_ASSERT_EQUAL(store_active(s, &rm_kind_alert, area, now, hits_each, x), RM_OK);
	return x->n;
}

static bool
has(const struct hits *x, const struct sfx *f)
{
	int i;

	for (i = 0; i < x->n; i++)
		if (memcmp(x->h[i].b, f->hash.b, 32) == 0)
			return true;
	return false;
}

static void
put(store *s, struct sfx *f)
{
	struct store_put_result res;

	CU_ASSERT_EQUAL(sfx_put(s, f, &res), RM_OK);
	CU_ASSERT(res.stored);
}

static void
test_area_overlap(void)
{
	struct sfx county, prov, village, twoareas;
	struct store_stats st;
	struct hits x;
	char dir[256];
	store *s;
	int i;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	sfx_make(&county, A, "county", 1, 1, NULL, "120116", RM_MSGTYPE_ALERT,
	    T0 + 10, 0);
	sfx_make(&prov, A, "prov", 1, 2, &county.hash, "120000",
	    RM_MSGTYPE_ALERT, T0 + 20, 0);
	sfx_make(&village, A, "village", 1, 3, &prov.hash, "120103001",
	    RM_MSGTYPE_ALERT, T0 + 30, 0);
	/* Two areas, one spelled with a zero township level. */
	sfx_record(&twoareas.rec, &twoareas.alert, A, "two", 1, 4, &village.hash, "120101000",
	    RM_MSGTYPE_ALERT, T0 + 5, 0);
	twoareas.rec.n_areas = 2;
	snprintf(twoareas.rec.areas[1], sizeof(twoareas.rec.areas[1]),
	    "120116001");
	memset(&twoareas.bytes, 0, sizeof(twoareas.bytes));
	sfx_reseal(&twoareas);
	put(s, &county);
	put(s, &prov);
	put(s, &village);
	put(s, &twoareas);

	/* Province: everything, newest issued first. */
	CU_ASSERT_EQUAL(query(s, "120000", T0, &x), 4);
	CU_ASSERT(has(&x, &village) && has(&x, &prov) && has(&x, &county) &&
	    has(&x, &twoareas));
	for (i = 1; i < x.n; i++)
		CU_ASSERT(x.issued[i - 1] >= x.issued[i]);
	CU_ASSERT(x.n == 4 && memcmp(x.h[0].b, village.hash.b, 32) == 0);
	for (i = 0; i < x.n; i++)
		CU_ASSERT(x.rec_ok[i]);

	/* The county: itself, the province above, the two-area alert
	 * (its village 120116001 lies inside). Each once. */
	CU_ASSERT_EQUAL(query(s, "120116", T0, &x), 3);
	CU_ASSERT(has(&x, &county) && has(&x, &prov) && has(&x, &twoareas));
	CU_ASSERT(!has(&x, &village));

	/* A village in the county: county and province contain it. */
	CU_ASSERT_EQUAL(query(s, "120116001", T0, &x), 3);
	CU_ASSERT(has(&x, &county) && has(&x, &prov) && has(&x, &twoareas));
	CU_ASSERT_EQUAL(query(s, "120116002", T0, &x), 2);
	CU_ASSERT(has(&x, &county) && has(&x, &prov));

	/* Another county: not the 120116 alert. */
	CU_ASSERT_EQUAL(query(s, "120103", T0, &x), 2);
	CU_ASSERT(has(&x, &prov) && has(&x, &village));
	CU_ASSERT(!has(&x, &county));

	/* The city 120100 contains 120101 (spelled 120101000). */
	CU_ASSERT_EQUAL(query(s, "120101", T0, &x), 2);
	CU_ASSERT(has(&x, &twoareas) && has(&x, &prov));
	CU_ASSERT_EQUAL(query(s, "120100", T0, &x), 4);

	/* Another province: nothing. NULL: everything. */
	CU_ASSERT_EQUAL(query(s, "110000", T0, &x), 0);
	CU_ASSERT_EQUAL(query(s, NULL, T0, &x), 4);

	/* Invalid area codes are refused. */
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(store_active(s, &rm_kind_alert, "12", T0, hits_each, &x),
	    RM_EINVAL);
	CU_ASSERT_EQUAL(store_active(s, &rm_kind_alert, "12011600x", T0, hits_each,
	    &x), RM_EINVAL);
	CU_ASSERT_EQUAL(x.n, 0);

	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.active_alerts, 5);   /* entries by area */
	store_close(s);
	sfx_fini(&county);
	sfx_fini(&prov);
	sfx_fini(&village);
	sfx_fini(&twoareas);
	sfx_rmdir(dir);
}

static void
test_update_cancel_expiry(void)
{
	struct sfx v1, v2, v3, exp, other;
	struct store_stats st;
	struct hits x;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	sfx_make(&v1, A, "storm", 1, 1, NULL, "120116", RM_MSGTYPE_ALERT, T0,
	    0);
	sfx_make(&v2, A, "storm", 2, 2, &v1.hash, "120117", RM_MSGTYPE_UPDATE,
	    T0 + 100, 0);
	sfx_make(&v3, A, "storm", 3, 3, &v2.hash, "120117", RM_MSGTYPE_CANCEL,
	    T0 + 200, 0);
	sfx_make(&exp, A, "short", 1, 4, &v3.hash, "120116", RM_MSGTYPE_ALERT,
	    T0, T0 + 1000);
	sfx_make(&other, A, "other", 1, 5, &exp.hash, "120117",
	    RM_MSGTYPE_ALERT, T0 + 50, 0);

	put(s, &v1);
	CU_ASSERT_EQUAL(query(s, "120116", T0, &x), 1);
	CU_ASSERT(has(&x, &v1));

	/* Update moves the alert to 120117 and replaces v1. */
	put(s, &v2);
	CU_ASSERT_EQUAL(query(s, "120116", T0, &x), 0);
	CU_ASSERT_EQUAL(query(s, "120117", T0, &x), 1);
	CU_ASSERT(has(&x, &v2));
	put(s, &other);
	CU_ASSERT_EQUAL(query(s, "120117", T0, &x), 2);
	CU_ASSERT(x.n == 2 && memcmp(x.h[0].b, v2.hash.b, 32) == 0);

	/* Cancel removes it. */
	put(s, &v3);
	CU_ASSERT_EQUAL(query(s, "120117", T0, &x), 1);
	CU_ASSERT(has(&x, &other) && !has(&x, &v3) && !has(&x, &v2));
	CU_ASSERT_EQUAL(query(s, "120000", T0, &x), 1);

	/* Expiry is applied at read time. */
	put(s, &exp);
	CU_ASSERT_EQUAL(query(s, "120116", T0 + 999, &x), 1);
	CU_ASSERT(has(&x, &exp));
	CU_ASSERT_EQUAL(query(s, "120116", T0 + 1000, &x), 0);
	CU_ASSERT_EQUAL(query(s, NULL, T0 + 5000, &x), 1);
	CU_ASSERT(has(&x, &other));

	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.active_alerts, 2);   /* other, exp */
	store_close(s);

	/* The index survives a reopen. */
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL(query(s, "120117", T0, &x), 1);
	CU_ASSERT(has(&x, &other));
	store_close(s);
	sfx_fini(&v1);
	sfx_fini(&v2);
	sfx_fini(&v3);
	sfx_fini(&exp);
	sfx_fini(&other);
	sfx_rmdir(dir);
}

/* An older version arriving after a newer one changes nothing; an
 * equivocating pair keeps only the winner in force. */
static void
test_late_and_equivocating(void)
{
	struct sfx v2, v1, e1, e2;
	struct hits x;
	const struct sfx *win;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	sfx_make(&v1, A, "late", 1, 1, NULL, "120116", RM_MSGTYPE_ALERT, T0, 0);
	sfx_make(&v2, A, "late", 2, 2, &v1.hash, "120116",
	    RM_MSGTYPE_CANCEL, T0 + 1, 0);
	sfx_make(&e1, A, "eq", 1, 3, &v2.hash, "120103", RM_MSGTYPE_ALERT, T0,
	    0);
	sfx_make(&e2, A, "eq", 1, 4, &e1.hash, "120103", RM_MSGTYPE_ALERT,
	    T0 + 7, 0);
	put(s, &v2);     /* the Cancel first */
	put(s, &v1);     /* then the alert it cancelled */
	CU_ASSERT_EQUAL(query(s, "120116", T0, &x), 0);

	put(s, &e1);
	put(s, &e2);
	win = memcmp(e1.hash.b, e2.hash.b, 32) < 0 ? &e1 : &e2;
	CU_ASSERT_EQUAL(query(s, "120103", T0, &x), 1);
	CU_ASSERT(has(&x, win));
	store_close(s);
	sfx_fini(&v1);
	sfx_fini(&v2);
	sfx_fini(&e1);
	sfx_fini(&e2);
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "area_overlap", test_area_overlap },
		{ "update_cancel_expiry", test_update_cancel_expiry },
		{ "late_and_equivocating", test_late_and_equivocating },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.active", tests);
}
