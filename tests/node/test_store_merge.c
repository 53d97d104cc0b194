/*
 * test_store_merge.c -- the merge rules: per-origin log and version
 * vector, log ranges, forks (same seq, prev mismatch both ways) and the
 * refusal of a forked origin, latest version and equivocation, and
 * store_issue numbering (seq, prev, ver, supersedes) across reopen.
 */
#include <stdio.h>
#include <string.h>

#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define A "120000.met"
#define B "120103.emergency"

struct vec {
	int n;
	char origin[8][RM_AGENCY_ID_MAX + 1];
	uint64_t seq[8];
	rm_hash head[8];
	bool has_head[8];
};

static void
vec_each(void *arg, const char *origin, uint64_t seq, const rm_hash *head)
{
	struct vec *v = arg;

	if (v->n >= 8)
		return;
	snprintf(v->origin[v->n], sizeof(v->origin[0]), "%s", origin);
	v->has_head[v->n] = head != NULL;
	if (head != NULL)
		v->head[v->n] = *head;
	v->seq[v->n++] = seq;
}

static uint64_t
vec_of(store *s, const char *origin)
{
	struct vec v;
	int i;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(store_vector(s, vec_each, &v), RM_OK);
	for (i = 0; i < v.n; i++)
		if (strcmp(v.origin[i], origin) == 0)
			return v.seq[i];
	return 0;
}

/* A chain of n records of origin o (object ids "o-<i>"). */
static void
chain(struct sfx *r, int n, const char *o)
{
	char oid[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(oid, sizeof(oid), "o-%d", i + 1);
		sfx_make(&r[i], o, oid, 1, (uint64_t)i + 1,
		    i > 0 ? &r[i - 1].hash : NULL, "120000", RM_MSGTYPE_ALERT,
		    T0 + i, 0);
	}
}

static void
chain_fini(struct sfx *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sfx_fini(&r[i]);
}

static void
test_vector_out_of_order(void)
{
	struct store_put_result res;
	struct sfx a[3], b[1];
	struct vec v;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	chain(a, 3, A);
	chain(b, 1, B);
	CU_ASSERT_EQUAL(sfx_put(s, &a[0], &res), RM_OK);
	CU_ASSERT_EQUAL(vec_of(s, A), 1);
	CU_ASSERT_EQUAL(sfx_put(s, &a[2], &res), RM_OK);
	CU_ASSERT(res.stored);
	CU_ASSERT_EQUAL(res.seq, 3);
	CU_ASSERT_EQUAL(vec_of(s, A), 1);   /* gap at 2 */
	CU_ASSERT_EQUAL(sfx_put(s, &b[0], &res), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &a[1], &res), RM_OK);
	CU_ASSERT(res.stored);
	CU_ASSERT_EQUAL(vec_of(s, A), 3);   /* 2 fills the gap */
	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(store_vector(s, vec_each, &v), RM_OK);
	CU_ASSERT_EQUAL(v.n, 2);
	CU_ASSERT_STRING_EQUAL(v.origin[0], A);   /* sorted */
	CU_ASSERT_STRING_EQUAL(v.origin[1], B);
	CU_ASSERT_EQUAL(v.seq[1], 1);
	/* the head is the record at the contiguous seq */
	CU_ASSERT(v.has_head[0] && memcmp(v.head[0].b, a[2].hash.b,
	    RM_HASH_BYTES) == 0);
	CU_ASSERT(v.has_head[1] && memcmp(v.head[1].b, b[0].hash.b,
	    RM_HASH_BYTES) == 0);
	CU_ASSERT(!store_origin_forked(s, A));
	store_close(s);
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL(vec_of(s, A), 3);
	store_close(s);
	chain_fini(a, 3);
	chain_fini(b, 1);
	sfx_rmdir(dir);
}

struct range {
	int n;
	size_t len[8];
	const uint8_t *first;
	uint8_t first_copy[4096];
	int stop_after;
};

static int
range_each(void *arg, const uint8_t *p, size_t n)
{
	struct range *r = arg;

	if (r->n < 8)
		r->len[r->n] = n;
	if (r->n == 0 && n <= sizeof(r->first_copy))
		memcpy(r->first_copy, p, n);
	r->n++;
	if (r->stop_after != 0 && r->n >= r->stop_after)
		return RM_EBUSY;
	return 0;
}

static void
test_log_range(void)
{
	struct store_put_result res;
	struct sfx a[5], b[2];
	struct range rg;
	char dir[256];
	store *s;
	int i;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	chain(a, 5, A);
	chain(b, 2, B);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(sfx_put(s, &a[i], &res), RM_OK);
	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(sfx_put(s, &b[i], &res), RM_OK);

	memset(&rg, 0, sizeof(rg));
	CU_ASSERT_EQUAL(store_log_range(s, A, 0, 100, 100, range_each, &rg),
	    RM_OK);
	CU_ASSERT_EQUAL(rg.n, 5);   /* B's records are not included */
	CU_ASSERT(memcmp(rg.first_copy, a[0].bytes.data, a[0].bytes.len) == 0);
	for (i = 0; i < 5 && i < rg.n; i++)
		CU_ASSERT_EQUAL(rg.len[i], a[i].bytes.len);

	memset(&rg, 0, sizeof(rg));
	CU_ASSERT_EQUAL(store_log_range(s, A, 1, 3, 100, range_each, &rg),
	    RM_OK);
	CU_ASSERT_EQUAL(rg.n, 2);   /* seq 2, 3 */
	CU_ASSERT(memcmp(rg.first_copy, a[1].bytes.data, a[1].bytes.len) == 0);

	memset(&rg, 0, sizeof(rg));
	CU_ASSERT_EQUAL(store_log_range(s, A, 0, 5, 2, range_each, &rg),
	    RM_OK);
	CU_ASSERT_EQUAL(rg.n, 2);   /* max */

	memset(&rg, 0, sizeof(rg));
	rg.stop_after = 1;
	CU_ASSERT_EQUAL(store_log_range(s, A, 0, 5, 10, range_each, &rg),
	    RM_EBUSY);
	CU_ASSERT_EQUAL(rg.n, 1);

	memset(&rg, 0, sizeof(rg));
	CU_ASSERT_EQUAL(store_log_range(s, A, 5, 10, 10, range_each, &rg),
	    RM_OK);
	CU_ASSERT_EQUAL(rg.n, 0);
	CU_ASSERT_EQUAL(store_log_range(s, "120000.none", 0, 10, 10,
	    range_each, &rg), RM_OK);
	CU_ASSERT_EQUAL(rg.n, 0);
	/* "120000.me" is a prefix of A: must not match A's keys. */
	CU_ASSERT_EQUAL(store_log_range(s, "120000.me", 0, 10, 10,
	    range_each, &rg), RM_OK);
	CU_ASSERT_EQUAL(rg.n, 0);
	CU_ASSERT_EQUAL(store_log_range(s, "", 0, 10, 10, range_each, &rg),
	    RM_EINVAL);
	store_close(s);
	chain_fini(a, 5);
	chain_fini(b, 2);
	sfx_rmdir(dir);
}

static void
test_fork_same_seq(void)
{
	struct store_put_result res;
	struct store_stats st;
	struct sfx a[3], f;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	chain(a, 3, A);
	/* Another record at seq 2, validly linked to seq 1. */
	sfx_make(&f, A, "forked", 1, 2, &a[0].hash, "120000",
	    RM_MSGTYPE_ALERT, T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &a[0], &res), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &a[1], &res), RM_OK);
	CU_ASSERT(!store_origin_forked(s, A));
	CU_ASSERT_EQUAL(sfx_put(s, &f, &res), RM_EFORK);
	CU_ASSERT(res.stored);            /* kept as evidence */
	CU_ASSERT(store_has(s, &f.hash));
	CU_ASSERT(store_origin_forked(s, A));
	/* The log keeps the first. */
	CU_ASSERT_EQUAL(vec_of(s, A), 2);
	/* Duplicates are still answered; new records are refused. */
	CU_ASSERT_EQUAL(sfx_put(s, &a[1], &res), RM_OK);
	CU_ASSERT(!res.stored);
	CU_ASSERT_EQUAL(sfx_put(s, &a[2], &res), RM_EFORK);
	CU_ASSERT(!res.stored);
	CU_ASSERT(!store_has(s, &a[2].hash));
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.forks, 1);
	CU_ASSERT_EQUAL(st.records, 3);
	store_close(s);
	/* The mark and the count persist. */
	s = sfx_open(dir, 0);
	CU_ASSERT(store_origin_forked(s, A));
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.forks, 1);
	CU_ASSERT_EQUAL(sfx_put(s, &a[2], &res), RM_EFORK);
	store_close(s);
	chain_fini(a, 3);
	sfx_fini(&f);
	sfx_rmdir(dir);
}

static void
test_fork_prev_mismatch(void)
{
	struct store_put_result res;
	struct store_stats st;
	struct sfx a[3], b[3], bad, b2;
	rm_hash junk;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	chain(a, 3, A);
	chain(b, 3, B);
	memset(junk.b, 0x5a, sizeof(junk.b));
	/* A: seq 2 whose prev is not the hash of seq 1. */
	sfx_make(&bad, A, "bad", 1, 2, &junk, "120000", RM_MSGTYPE_ALERT, T0,
	    0);
	CU_ASSERT_EQUAL(sfx_put(s, &a[0], &res), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &bad, &res), RM_EFORK);
	CU_ASSERT(store_origin_forked(s, A));
	CU_ASSERT(store_has(s, &bad.hash));
	CU_ASSERT_EQUAL(vec_of(s, A), 1);
	CU_ASSERT_EQUAL(sfx_put(s, &a[1], &res), RM_EFORK);
	CU_ASSERT(!store_has(s, &a[1].hash));

	/* B: seq 1 and 3 present, then a seq 2 that seq 3 does not link
	 * to (the symmetric check). */
	sfx_make(&b2, B, "other", 1, 2, &b[0].hash, "120000",
	    RM_MSGTYPE_ALERT, T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &b[0], &res), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &b[2], &res), RM_OK);
	CU_ASSERT(!store_origin_forked(s, B));
	CU_ASSERT_EQUAL(sfx_put(s, &b2, &res), RM_EFORK);
	CU_ASSERT(store_origin_forked(s, B));
	CU_ASSERT_EQUAL(vec_of(s, B), 1);
	/* The right seq 2 now comes too late. */
	CU_ASSERT_EQUAL(sfx_put(s, &b[1], &res), RM_EFORK);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.forks, 2);
	store_close(s);
	chain_fini(a, 3);
	chain_fini(b, 3);
	sfx_fini(&bad);
	sfx_fini(&b2);
	sfx_rmdir(dir);
}

static void
test_latest_equivocation(void)
{
	struct store_put_result res;
	struct store_stats st;
	struct sfx r[5];
	rm_hash h, lo;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	/* x v1 (seq 1), x v1 again, different (seq 2): equivocation. */
	sfx_make(&r[0], A, "x", 1, 1, NULL, "120000", RM_MSGTYPE_ALERT, T0, 0);
	sfx_make(&r[1], A, "x", 1, 2, &r[0].hash, "120100",
	    RM_MSGTYPE_ALERT, T0 + 1, 0);
	/* y v2 at seq 3, then y v1 at seq 4: the older version loses. */
	sfx_make(&r[2], A, "y", 2, 3, &r[1].hash, "120000",
	    RM_MSGTYPE_ALERT, T0 + 2, 0);
	sfx_make(&r[3], A, "y", 1, 4, &r[2].hash, "120000",
	    RM_MSGTYPE_ALERT, T0 + 3, 0);
	/* x v2 at seq 5 supersedes both v1s. */
	sfx_make(&r[4], A, "x", 2, 5, &r[3].hash, "120000",
	    RM_MSGTYPE_UPDATE, T0 + 4, 0);

	CU_ASSERT_EQUAL(store_latest(s, A, "x", &h), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(sfx_put(s, &r[0], &res), RM_OK);
	CU_ASSERT(!res.equivocation);
	CU_ASSERT_EQUAL(store_latest(s, A, "x", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, r[0].hash.b, 32) == 0);
	CU_ASSERT_EQUAL(sfx_put(s, &r[1], &res), RM_OK);
	CU_ASSERT(res.stored);
	CU_ASSERT(res.equivocation);
	lo = memcmp(r[0].hash.b, r[1].hash.b, 32) < 0 ? r[0].hash : r[1].hash;
	CU_ASSERT_EQUAL(store_latest(s, A, "x", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, lo.b, 32) == 0);
	CU_ASSERT(store_has(s, &r[0].hash) && store_has(s, &r[1].hash));
	CU_ASSERT(!store_origin_forked(s, A));

	CU_ASSERT_EQUAL(sfx_put(s, &r[2], &res), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &r[3], &res), RM_OK);
	CU_ASSERT(res.stored);
	CU_ASSERT(!res.equivocation);
	CU_ASSERT_EQUAL(store_latest(s, A, "y", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, r[2].hash.b, 32) == 0);

	CU_ASSERT_EQUAL(sfx_put(s, &r[4], &res), RM_OK);
	CU_ASSERT_EQUAL(res.ver, 2);
	CU_ASSERT_EQUAL(store_latest(s, A, "x", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, r[4].hash.b, 32) == 0);
	CU_ASSERT_EQUAL(store_latest(s, B, "x", &h), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.equivocations, 1);
	store_close(s);
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.equivocations, 1);
	store_close(s);
	chain_fini(r, 5);
	sfx_rmdir(dir);
}

/* ---- store_issue ---- */

static int
seal_fail(void *arg, struct rm_record *rec, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	(void)arg;
	(void)rec;
	(void)out;
	(void)hash;
	return rm_fail(why, RM_ECRYPTO, "test: signing key unavailable");
}

static void
issue(store *s, struct rm_record *r, const char *oid, uint64_t ver,
    struct store_put_result *res)
{
	rm_why why = { "", "" };
	int rv;

	/* bodies outlive the call: the test reads the records after */
	static struct rm_alert bodies[8];
	static unsigned next;

	sfx_record(r, &bodies[next++ % 8], B, oid, ver, 0, NULL, "120103", RM_MSGTYPE_ALERT, T0,
	    0);
	rv = store_issue(s, r, sfx_seal, NULL, res, &why);
	if (rv != RM_OK)
		fprintf(stderr, "store_issue: %s\n", why.msg);
	CU_ASSERT_EQUAL(rv, RM_OK);
}

static void
test_issue(void)
{
	struct store_put_result res;
	struct rm_record r1, r2, r3, r4, r5;
	struct rm_alert a4;
	struct sfx f;
	rm_hash h;
	rm_why why = { "", "" };
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	issue(s, &r1, "obj1", 0, &res);
	CU_ASSERT_EQUAL(r1.seq, 1);
	CU_ASSERT(!r1.has_prev);
	CU_ASSERT_EQUAL(r1.ver, 1);
	CU_ASSERT(!r1.has_supersedes);
	CU_ASSERT(res.stored);
	CU_ASSERT_EQUAL(res.seq, 1);
	CU_ASSERT(store_has(s, &res.hash));
	h = res.hash;

	issue(s, &r2, "obj1", 0, &res);
	CU_ASSERT_EQUAL(r2.seq, 2);
	CU_ASSERT(r2.has_prev);
	CU_ASSERT(memcmp(r2.prev.b, h.b, 32) == 0);
	CU_ASSERT_EQUAL(r2.ver, 2);
	CU_ASSERT(r2.has_supersedes);
	CU_ASSERT(memcmp(r2.supersedes.b, h.b, 32) == 0);
	h = res.hash;
	CU_ASSERT_EQUAL(store_latest(s, B, "obj1", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, res.hash.b, 32) == 0);

	/* A given ver is kept. */
	issue(s, &r3, "obj2", 7, &res);
	CU_ASSERT_EQUAL(r3.seq, 3);
	CU_ASSERT_EQUAL(r3.ver, 7);
	CU_ASSERT(!r3.has_supersedes);
	h = res.hash;

	/* A failing seal: error passed through, nothing stored, no seq
	 * consumed. */
	sfx_record(&r4, &a4, B, "obj3", 0, 0, NULL, "120103", RM_MSGTYPE_ALERT, T0,
	    0);
	CU_ASSERT_EQUAL(store_issue(s, &r4, seal_fail, NULL, &res, &why),
	    RM_ECRYPTO);
	CU_ASSERT(strstr(why.msg, "signing key") != NULL);
	CU_ASSERT_EQUAL(vec_of(s, B), 3);
	store_close(s);

	/* seq continues after reopen. */
	s = sfx_open(dir, 0);
	issue(s, &r5, "obj2", 0, &res);
	CU_ASSERT_EQUAL(r5.seq, 4);
	CU_ASSERT(memcmp(r5.prev.b, h.b, 32) == 0);
	CU_ASSERT_EQUAL(r5.ver, 8);
	CU_ASSERT(memcmp(r5.supersedes.b, h.b, 32) == 0);
	CU_ASSERT_EQUAL(vec_of(s, B), 4);

	/* A forked own origin cannot issue. */
	sfx_make(&f, B, "evil", 1, 4, &r3.prev, "120103", RM_MSGTYPE_ALERT,
	    T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &f, &res), RM_EFORK);
	sfx_record(&r4, &a4, B, "obj3", 0, 0, NULL, "120103", RM_MSGTYPE_ALERT, T0,
	    0);
	CU_ASSERT_EQUAL(store_issue(s, &r4, sfx_seal, NULL, &res, &why),
	    RM_EFORK);
	CU_ASSERT(strstr(why.msg, "forked") != NULL);
	store_close(s);
	sfx_fini(&f);
	sfx_rmdir(dir);
}

/* ---- the kind's version rule (rm_kind_ops.transition) ---- */

static char risk_name[] = "dyke";

/* A risk version of A's object "r1", sealed into f (f->bytes only). */
static void
risk_make(struct sfx *f, struct rm_risk *k, uint64_t ver, uint64_t seq,
    const rm_hash *prev, enum rm_risk_status st)
{
	rm_why why = { "", "" };

	memset(f, 0, sizeof(*f));
	memset(k, 0, sizeof(*k));
	f->rec.schema_version = RM_SCHEMA_VERSION;
	f->rec.kind = &rm_kind_risk;
	f->rec.body = k;
	snprintf(f->rec.origin, sizeof(f->rec.origin), A);
	snprintf(f->rec.object_id, sizeof(f->rec.object_id), "r1");
	f->rec.ver = ver;
	f->rec.seq = seq;
	f->rec.has_prev = prev != NULL;
	if (prev != NULL)
		f->rec.prev = *prev;
	f->rec.issued_ms = T0 + (rm_utc_ms)seq;
	f->rec.n_areas = 1;
	snprintf(f->rec.areas[0], sizeof(f->rec.areas[0]), "120000");
	snprintf(k->id, sizeof(k->id), "r1");
	k->name = risk_name;
	k->location = risk_name;
	k->category = RM_RISK_NATURAL;
	k->subcategory = RM_RISK_FLOOD;
	k->grade = RM_GRADE_ORANGE;
	k->status = st;
	k->reason = st == RM_RISK_REMOVED ? risk_name : NULL;
	snprintf(k->responsible, sizeof(k->responsible), A);
	snprintf(k->review, sizeof(k->review), "2027-01-01");
	CU_ASSERT_EQUAL_FATAL(record_validate(&f->rec, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(sfx_seal(NULL, &f->rec, &f->bytes, &f->hash,
	    &why), RM_OK);
}

/* A removed risk stays removed on every node: a validly signed next
 * version that brings it back is refused by the store (not stored,
 * RM_EBADVALUE), whether it is received or issued. */
static void
test_transition_final(void)
{
	struct store_put_result res;
	struct rm_risk k[4];
	struct sfx f[4];
	rm_why why = { "", "" };
	char dir[256];
	rm_hash h;
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	risk_make(&f[0], &k[0], 1, 1, NULL, RM_RISK_IDENTIFIED);
	risk_make(&f[1], &k[1], 2, 2, &f[0].hash, RM_RISK_CONTROLLED);
	risk_make(&f[2], &k[2], 3, 3, &f[1].hash, RM_RISK_REMOVED);
	risk_make(&f[3], &k[3], 4, 4, &f[2].hash, RM_RISK_IDENTIFIED);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(sfx_put(s, &f[i], &res), RM_OK);
		CU_ASSERT(res.stored);
	}
	CU_ASSERT_EQUAL(sfx_put(s, &f[3], &res), RM_EBADVALUE);
	CU_ASSERT(!store_has(s, &f[3].hash));
	CU_ASSERT_EQUAL(store_latest(s, A, "r1", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, f[2].hash.b, 32) == 0);
	CU_ASSERT_EQUAL(vec_of(s, A), 3);

	/* the same rule on the issuing path */
	f[3].rec.ver = 0;
	CU_ASSERT_EQUAL(store_issue(s, &f[3].rec, sfx_seal, NULL, &res, &why),
	    RM_EBADVALUE);
	CU_ASSERT_STRING_EQUAL(why.field, "status");
	CU_ASSERT(strstr(why.msg, "ver 4 cannot follow ver 3") != NULL);
	CU_ASSERT_EQUAL(store_latest(s, A, "r1", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, f[2].hash.b, 32) == 0);
	store_close(s);
	for (int i = 0; i < 4; i++)
		rm_buf_fini(&f[i].bytes);
	sfx_rmdir(dir);
}

/* An object keeps its kind: an alert version slipped over a removed
 * risk (to be followed by the risk again, reopened) is refused. */
static void
test_kind_switch(void)
{
	struct store_put_result res;
	struct rm_risk k[2];
	struct sfx f[3];
	char dir[256];
	rm_hash h;
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	risk_make(&f[0], &k[0], 1, 1, NULL, RM_RISK_IDENTIFIED);
	risk_make(&f[1], &k[1], 2, 2, &f[0].hash, RM_RISK_REMOVED);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(sfx_put(s, &f[i], &res), RM_OK);
	sfx_make(&f[2], A, "r1", 3, 3, &f[1].hash, "120000", RM_MSGTYPE_ALERT,
	    T0 + 3, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &f[2], &res), RM_EBADVALUE);
	CU_ASSERT(!store_has(s, &f[2].hash));
	CU_ASSERT_EQUAL(store_latest(s, A, "r1", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, f[1].hash.b, 32) == 0);
	store_close(s);
	for (int i = 0; i < 3; i++)
		rm_buf_fini(&f[i].bytes);
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "vector_out_of_order", test_vector_out_of_order },
		{ "log_range", test_log_range },
		{ "fork_same_seq", test_fork_same_seq },
		{ "fork_prev_mismatch", test_fork_prev_mismatch },
		{ "latest_equivocation", test_latest_equivocation },
		{ "issue", test_issue },
		{ "transition_final", test_transition_final },
		{ "kind_switch", test_kind_switch },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.merge", tests);
}
