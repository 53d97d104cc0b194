/*
 * test_store_resolve.c -- fork resolution in the store (store.h "Fork
 * resolution", docs/STORAGE.md): a resolution from the forked origin
 * itself (refused with the key that signed the losing record, accepted
 * with another), one from a registrar that switches the log to the
 * evidence and takes the chain after the loser out of the log, the
 * refusals (keep names neither record, a second contrary resolution),
 * the issue path through a held origin, and opening a layout-2 store.
 */
#include <stdio.h>
#include <string.h>

#include "rm_test.h"
#include "test_store_fx.h"

#define A   "120000.water"
#define B   "120116.gov"
#define REG "120000.gov"
#define T0  1786000000000LL

/* A fork_resolution record of origin `by` at seq (prev), keeping keep
 * for the fork of `forked` at fseq, sealed with kid (NULL: zero). */
struct res {
	struct rm_record rec;
	struct rm_fork_ref ref;
	rm_buf bytes;
	rm_hash hash;
};

static void
res_make(struct res *r, const char *by, uint64_t seq, const rm_hash *prev,
    const char *forked, uint64_t fseq, const rm_hash *keep,
    const rm_hash *kid)
{
	rm_why why = { "", "" };

	memset(r, 0, sizeof(*r));
	r->rec.schema_version = RM_SCHEMA_VERSION;
	r->rec.kind = &rm_kind_fork_resolution;
	r->rec.body = &r->ref;
	snprintf(r->rec.origin, sizeof(r->rec.origin), "%s", by);
	snprintf(r->rec.object_id, sizeof(r->rec.object_id), "fork:%s:%llu",
	    forked, (unsigned long long)fseq);
	r->rec.ver = 1;
	r->rec.seq = seq;
	r->rec.has_prev = prev != NULL;
	if (prev != NULL)
		r->rec.prev = *prev;
	r->rec.issued_ms = T0 + 1000;
	r->rec.n_areas = 1;
	snprintf(r->rec.areas[0], sizeof(r->rec.areas[0]), "120000");
	snprintf(r->ref.origin, sizeof(r->ref.origin), "%s", forked);
	r->ref.seq = fseq;
	r->ref.keep = *keep;
	CU_ASSERT_EQUAL_FATAL(sfx_seal((void *)kid, &r->rec, &r->bytes,
	    &r->hash, &why), RM_OK);
}

static int
res_put(store *s, const struct res *r, struct store_put_result *out)
{
	return store_put_wait(s, r->bytes.data, r->bytes.len, &r->hash, NULL,
	    out);
}

/* What store_forks_each reports for (origin, seq). */
struct fk {
	const char *origin;
	uint64_t seq;
	int found;
	rm_hash evidence, log, resolution;
	bool has_log, resolved;
};

static int
fk_each(void *arg, const char *origin, uint64_t seq, const rm_hash *ev,
    const rm_hash *log, const rm_hash *resolution)
{
	struct fk *f = arg;

	if (strcmp(origin, f->origin) != 0 || seq != f->seq)
		return RM_OK;
	f->found++;
	f->evidence = *ev;
	f->has_log = log != NULL;
	if (log != NULL)
		f->log = *log;
	f->resolved = resolution != NULL;
	if (resolution != NULL)
		f->resolution = *resolution;
	return RM_OK;
}

static struct fk
fork_of(store *s, const char *origin, uint64_t seq)
{
	struct fk f;

	memset(&f, 0, sizeof(f));
	f.origin = origin;
	f.seq = seq;
	CU_ASSERT_EQUAL(store_forks_each(s, fk_each, &f), RM_OK);
	return f;
}

struct vec_q {
	const char *origin;
	uint64_t seq;
	rm_hash head;
};

static void
vec_each(void *arg, const char *origin, uint64_t seq, const rm_hash *head)
{
	struct vec_q *q = arg;

	if (strcmp(origin, q->origin) == 0) {
		q->seq = seq;
		if (head != NULL)
			q->head = *head;
	}
}

static uint64_t
contig_of(store *s, const char *origin)
{
	struct vec_q q;

	memset(&q, 0, sizeof(q));
	q.origin = origin;
	CU_ASSERT_EQUAL(store_vector(s, vec_each, &q), RM_OK);
	return q.seq;
}

static bool
heq(const rm_hash *a, const rm_hash *b)
{
	return memcmp(a->b, b->b, RM_HASH_BYTES) == 0;
}

/* a1 <- a2 in A's log, then x2 (also after a1): a fork at seq 2. */
static void
fork_a(store *s, struct sfx *a1, struct sfx *a2, struct sfx *x2)
{
	struct store_put_result pr;

	sfx_make(a1, A, "o1", 1, 1, NULL, "120000", RM_MSGTYPE_ALERT, T0, 0);
	sfx_make(a2, A, "o2", 1, 2, &a1->hash, "120000", RM_MSGTYPE_ALERT,
	    T0, 0);
	sfx_make(x2, A, "x2", 1, 2, &a1->hash, "120000", RM_MSGTYPE_ALERT,
	    T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, a1, &pr), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, a2, &pr), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, x2, &pr), RM_EFORK);
	CU_ASSERT(pr.stored);
	CU_ASSERT(store_origin_forked(s, A));
}

/* The origin resolves its own fork, keeping its log record. */
static void
test_resolve_by_origin(void)
{
	static const rm_hash kid1 = { { 1 } };
	struct store_put_result pr;
	struct store_stats st;
	struct sfx a1, a2, x2, a4;
	struct res same, rot;
	rm_hash cur;
	struct fk f;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	fork_a(s, &a1, &a2, &x2);
	f = fork_of(s, A, 2);
	CU_ASSERT_EQUAL(f.found, 1);
	CU_ASSERT(!f.resolved);

	/* With the key that signed the losing record (the zero kid):
	 * refused, nothing changes. */
	res_make(&same, A, 3, &a2.hash, A, 2, &a2.hash, NULL);
	CU_ASSERT_EQUAL(res_put(s, &same, &pr), RM_EUNAUTH);
	CU_ASSERT(!store_has(s, &same.hash));
	CU_ASSERT(store_origin_forked(s, A));

	/* With a rotated key: applied, then logged at seq 3. */
	res_make(&rot, A, 3, &a2.hash, A, 2, &a2.hash, &kid1);
	CU_ASSERT_EQUAL(res_put(s, &rot, &pr), RM_OK);
	CU_ASSERT(pr.stored);
	CU_ASSERT(!store_origin_forked(s, A));
	f = fork_of(s, A, 2);
	CU_ASSERT(f.resolved);
	CU_ASSERT(heq(&f.resolution, &rot.hash));
	CU_ASSERT(heq(&f.evidence, &x2.hash));     /* evidence kept */
	CU_ASSERT(f.has_log && heq(&f.log, &a2.hash));
	CU_ASSERT_EQUAL(contig_of(s, A), 3);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.forks, 1);
	CU_ASSERT_EQUAL(st.forks_open, 0);
	CU_ASSERT_EQUAL(st.forks_resolved, 1);

	/* The origin's later records are accepted again; the evidence
	 * stays a duplicate. */
	sfx_make(&a4, A, "o4", 1, 4, &rot.hash, "120000", RM_MSGTYPE_ALERT,
	    T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &a4, &pr), RM_OK);
	CU_ASSERT(pr.stored);
	CU_ASSERT_EQUAL(sfx_put(s, &x2, &pr), RM_OK);
	CU_ASSERT(!pr.stored);
	CU_ASSERT_EQUAL(store_latest(s, A, "x2", &cur), RM_ENOTFOUND);
	/* Applying it again (a replay) changes nothing. */
	CU_ASSERT_EQUAL(res_put(s, &rot, &pr), RM_OK);
	CU_ASSERT(!pr.stored);
	store_close(s);

	/* Persisted. */
	s = sfx_open(dir, 0);
	CU_ASSERT(!store_origin_forked(s, A));
	CU_ASSERT(fork_of(s, A, 2).resolved);
	store_close(s);
	sfx_fini(&a1);
	sfx_fini(&a2);
	sfx_fini(&x2);
	sfx_fini(&a4);
	rm_buf_fini(&same.bytes);
	rm_buf_fini(&rot.bytes);
	sfx_rmdir(dir);
}

/* A registrar keeps the evidence: the log switches, the chain after the
 * losing record leaves the log and the indexes. */
static void
test_resolve_switch(void)
{
	static const rm_hash other = { { 0xee } };
	struct store_put_result pr;
	struct store_stats st;
	struct sfx b1, b2, b3, y2, z3;
	struct res r, bad, contrary;
	rm_hash cur;
	struct fk f;
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	sfx_make(&b1, B, "o1", 1, 1, NULL, "120116", RM_MSGTYPE_ALERT, T0, 0);
	sfx_make(&b2, B, "o2", 1, 2, &b1.hash, "120116", RM_MSGTYPE_ALERT,
	    T0, 0);
	sfx_make(&b3, B, "o3", 1, 3, &b2.hash, "120116", RM_MSGTYPE_ALERT,
	    T0, 0);
	sfx_make(&y2, B, "y", 1, 2, &b1.hash, "120116", RM_MSGTYPE_ALERT,
	    T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &b1, &pr), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &b2, &pr), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &b3, &pr), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &y2, &pr), RM_EFORK);
	CU_ASSERT(store_origin_forked(s, B));
	CU_ASSERT_EQUAL(store_latest(s, B, "o3", &cur), RM_OK);

	/* keep names neither record: refused. */
	res_make(&bad, REG, 1, NULL, B, 2, &other, NULL);
	CU_ASSERT_EQUAL(res_put(s, &bad, &pr), RM_EBADVALUE);
	CU_ASSERT(store_origin_forked(s, B));

	res_make(&r, REG, 1, NULL, B, 2, &y2.hash, NULL);
	CU_ASSERT_EQUAL(res_put(s, &r, &pr), RM_OK);
	CU_ASSERT(!store_origin_forked(s, B));
	f = fork_of(s, B, 2);
	CU_ASSERT(f.resolved);
	CU_ASSERT(heq(&f.evidence, &b2.hash));     /* the former log record */
	CU_ASSERT(f.has_log && heq(&f.log, &y2.hash));
	CU_ASSERT_EQUAL(contig_of(s, B), 2);       /* b3 left the log */
	CU_ASSERT_EQUAL(store_latest(s, B, "y", &cur), RM_OK);
	CU_ASSERT(heq(&cur, &y2.hash));
	CU_ASSERT_EQUAL(store_latest(s, B, "o2", &cur), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(store_latest(s, B, "o3", &cur), RM_ENOTFOUND);
	CU_ASSERT(store_has(s, &b3.hash));         /* still held */
	/* b3 is never accepted again; the chain after y2 is. */
	CU_ASSERT_EQUAL(sfx_put(s, &b3, &pr), RM_OK);
	CU_ASSERT(!pr.stored);
	CU_ASSERT_EQUAL(contig_of(s, B), 2);
	sfx_make(&z3, B, "z", 1, 3, &y2.hash, "120116", RM_MSGTYPE_ALERT,
	    T0, 0);
	CU_ASSERT_EQUAL(sfx_put(s, &z3, &pr), RM_OK);
	CU_ASSERT(pr.stored);
	CU_ASSERT_EQUAL(contig_of(s, B), 3);

	/* A second resolution keeping the other record: the first stands. */
	res_make(&contrary, REG, 2, &r.hash, B, 2, &b2.hash, NULL);
	CU_ASSERT_EQUAL(res_put(s, &contrary, &pr), RM_EEXIST);
	f = fork_of(s, B, 2);
	CU_ASSERT(heq(&f.log, &y2.hash));
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.forks_open, 0);
	CU_ASSERT_EQUAL(st.forks_resolved, 1);
	store_close(s);
	sfx_fini(&b1);
	sfx_fini(&b2);
	sfx_fini(&b3);
	sfx_fini(&y2);
	sfx_fini(&z3);
	rm_buf_fini(&r.bytes);
	rm_buf_fini(&bad.bytes);
	rm_buf_fini(&contrary.bytes);
	sfx_rmdir(dir);
}

/* A forked own origin may issue its resolution (and nothing else). */
static void
test_resolve_issue(void)
{
	static const rm_hash kid1 = { { 1 } };
	struct store_put_result pr;
	struct sfx a1, a2, x2;
	struct res r;
	rm_why why = { "", "" };
	char dir[256];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	fork_a(s, &a1, &a2, &x2);
	/* numbered by the store: seq 3 after a2 */
	res_make(&r, A, 3, &a2.hash, A, 2, &a2.hash, &kid1);
	r.rec.seq = 0;
	r.rec.ver = 0;
	CU_ASSERT_EQUAL(store_issue(s, &r.rec, sfx_seal, (void *)&kid1, &pr,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(pr.seq, 3);
	CU_ASSERT(!store_origin_forked(s, A));
	CU_ASSERT(fork_of(s, A, 2).resolved);
	store_close(s);
	sfx_fini(&a1);
	sfx_fini(&a2);
	sfx_fini(&x2);
	rm_buf_fini(&r.bytes);
	sfx_rmdir(dir);
}

/* A layout-2 store (before resolutions) opens: it is migrated to the
 * current layout (5: ordered in-force indexes and the RBSR index,
 * docs/STORAGE.md) and relabelled, as layout 3 is (test_store_query.c). */
static void
test_layout2_opens(void)
{
	char dir[256], v[8];
	store *s;

	sfx_tmpdir(dir);
	store_close(sfx_open(dir, 0));
	sfx_meta_set(dir, "layout", "2");
	s = sfx_open(dir, 0);
	CU_ASSERT_PTR_NOT_NULL(s);
	store_close(s);
	sfx_meta_get(dir, "layout", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "5");
	sfx_rmdir(dir);
}

static CU_TestInfo tests[] = {
	{ "resolve_by_origin", test_resolve_by_origin },
	{ "resolve_switch", test_resolve_switch },
	{ "resolve_issue", test_resolve_issue },
	{ "layout2_opens", test_layout2_opens },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("node.store_resolve", tests);
}
