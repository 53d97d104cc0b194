/*
 * test_store_basic.c -- store open/close, put/get/has, duplicates,
 * persistence, group commit, the observer, map growth, bad arguments,
 * store_put_decoded (a record handed over already decoded).
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "crypto/crypto.h"
#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL   /* 2026-08-06 */
#define ORG "120000.met"

static void
test_put_get_has(void)
{
	char dir[256];
	struct store_put_result res;
	struct store_stats st;
	struct sfx a, b;
	rm_buf out = RM_BUF_INIT;
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	sfx_make(&a, ORG, "typhoon-1", 1, 1, NULL, "120000", RM_MSGTYPE_ALERT,
	    T0, 0);
	sfx_make(&b, ORG, "typhoon-2", 1, 2, &a.hash, "120000",
	    RM_MSGTYPE_ALERT, T0 + 1, 0);

	CU_ASSERT(!store_has(s, &a.hash));
	CU_ASSERT_EQUAL(store_get(s, &a.hash, &out), RM_ENOTFOUND);
	CU_ASSERT_EQUAL(out.len, 0);

	memset(&res, 0xff, sizeof(res));
	CU_ASSERT_EQUAL(sfx_put(s, &a, &res), RM_OK);
	CU_ASSERT(res.stored);
	CU_ASSERT(!res.equivocation);
	CU_ASSERT_EQUAL(res.seq, 1);
	CU_ASSERT_EQUAL(res.ver, 1);
	CU_ASSERT(memcmp(res.hash.b, a.hash.b, 32) == 0);
	CU_ASSERT(store_has(s, &a.hash));
	CU_ASSERT(!store_has(s, &b.hash));
	CU_ASSERT_EQUAL(store_get(s, &a.hash, &out), RM_OK);
	CU_ASSERT_EQUAL(out.len, a.bytes.len);
	CU_ASSERT(memcmp(out.data, a.bytes.data, out.len) == 0);

	/* Duplicate: accepted, not stored again. */
	CU_ASSERT_EQUAL(sfx_put(s, &a, &res), RM_OK);
	CU_ASSERT(!res.stored);
	CU_ASSERT_EQUAL(sfx_put(s, &b, &res), RM_OK);
	CU_ASSERT(res.stored);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, 2);
	CU_ASSERT_EQUAL(st.origins, 1);
	CU_ASSERT_EQUAL(st.jobs, 3);
	CU_ASSERT_EQUAL(st.forks, 0);
	CU_ASSERT(st.map_size_bytes >= 64u * 1024 * 1024);
	CU_ASSERT(st.map_used_bytes > 0 &&
	    st.map_used_bytes <= st.map_size_bytes);
	store_close(s);

	/* Persistence across close / reopen. */
	s = sfx_open(dir, 0);
	CU_ASSERT(store_has(s, &a.hash));
	rm_buf_reset(&out);
	CU_ASSERT_EQUAL(store_get(s, &b.hash, &out), RM_OK);
	CU_ASSERT_EQUAL(out.len, b.bytes.len);
	CU_ASSERT(memcmp(out.data, b.bytes.data, out.len) == 0);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, 2);
	CU_ASSERT_EQUAL(st.jobs, 0);
	CU_ASSERT_EQUAL(st.commits, 0);
	store_close(s);

	rm_buf_fini(&out);
	sfx_fini(&a);
	sfx_fini(&b);
	sfx_rmdir(dir);
}

static void
test_bad_args(void)
{
	char dir[256], file[300];
	struct store_opts o = { .dir = NULL };
	struct store_put_result res;
	struct sfx a;
	rm_why why;
	store *s = NULL;
	int fd;

	CU_ASSERT_EQUAL(store_open(&o, &s, &why), RM_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT(strstr(why.msg, "dir") != NULL);

	sfx_tmpdir(dir);
	snprintf(file, sizeof(file), "%s/plainfile", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	CU_ASSERT(fd >= 0);
	close(fd);
	o.dir = file;
	CU_ASSERT_EQUAL(store_open(&o, &s, &why), RM_EIO);
	CU_ASSERT_PTR_NULL(s);
	unlink(file);

	s = sfx_open(dir, 0);
	sfx_make(&a, ORG, "x", 1, 1, NULL, "120000", RM_MSGTYPE_ALERT, T0, 0);
	CU_ASSERT_EQUAL(store_put_wait(s, NULL, 1, &a.hash, NULL,
	    &res), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put_wait(s, a.bytes.data, 0, &a.hash,
	    NULL, &res), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put_wait(s, a.bytes.data, a.bytes.len, NULL,
	    NULL, &res), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put(s, a.bytes.data, a.bytes.len,
	    &a.hash, NULL, NULL, NULL), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put_wait(s, a.bytes.data, COSE_SIGN1_MAX + 1,
	    &a.hash, NULL, &res), RM_ETOOBIG);
	/* Bytes that are not a signed record are refused: the store
	 * decodes its own copy and never trusts a caller's view of it. */
	CU_ASSERT_EQUAL(store_put_wait(s, (const uint8_t *)"\xd2\x84garbage",
	    9, &a.hash, NULL, &res), RM_EINVAL);
	CU_ASSERT(!store_has(s, &a.hash));
	store_close(s);
	sfx_fini(&a);
	sfx_rmdir(dir);
}

static void
test_layout_mismatch(void)
{
	char dir[256];
	struct store_opts o = { .dir = NULL };
	rm_why why = { "", "" };
	store *s = NULL;

	sfx_tmpdir(dir);
	store_close(sfx_open(dir, 0));
	sfx_meta_set(dir, "layout", "99");

	o.dir = dir;
	CU_ASSERT_EQUAL(store_open(&o, &s, &why), RM_ESTORE);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT(strstr(why.msg, "layout") != NULL);
	sfx_rmdir(dir);
}

/* ---- group commit: 4 threads x 200 asynchronous puts, while this
 * thread issues its own records into the same batches ---- */

#define GC_THREADS 4
#define GC_PUTS 200
#define GC_ISSUES 50

struct gc_thread {
	store *s;
	struct sfx *recs;
	struct sfx_wait *w;
	int queued_ok;
};

static void *
gc_main(void *arg)
{
	struct gc_thread *t = arg;
	int i;

	for (i = 0; i < GC_PUTS; i++)
		if (store_put(t->s, t->recs[i].bytes.data, t->recs[i].bytes.len,
		    &t->recs[i].hash, "120103.peer", sfx_wait_cb, t->w) ==
		    RM_OK)
			t->queued_ok++;
	return NULL;
}

static void
test_group_commit(void)
{
	static struct sfx recs[GC_THREADS][GC_PUTS];
	struct gc_thread th[GC_THREADS];
	pthread_t tid[GC_THREADS];
	struct store_stats st;
	struct sfx_wait w;
	char dir[256], origin[32], oid[32];
	store *s;
	int t, i;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	sfx_wait_init(&w);
	for (t = 0; t < GC_THREADS; t++)
		for (i = 0; i < GC_PUTS; i++) {
			snprintf(origin, sizeof(origin), "12010%d.t", t);
			snprintf(oid, sizeof(oid), "obj-%d", i);
			sfx_make(&recs[t][i], origin, oid, 1, (uint64_t)i + 1,
			    i > 0 ? &recs[t][i - 1].hash : NULL, "120100",
			    RM_MSGTYPE_ALERT, T0 + i, 0);
		}
	for (t = 0; t < GC_THREADS; t++) {
		th[t].s = s;
		th[t].recs = recs[t];
		th[t].w = &w;
		th[t].queued_ok = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[t], NULL, gc_main,
		    &th[t]), 0);
	}
	/* Issues land in the same batches as the peer puts: each must
	 * complete (a batch mixing both once walked freed put jobs). */
	for (i = 0; i < GC_ISSUES; i++) {
		struct store_put_result res;
		struct rm_record r;
		struct rm_alert ra;
		rm_why why = { "", "" };

		snprintf(oid, sizeof(oid), "own-%d", i);
		sfx_record(&r, &ra, "120000.own", oid, 0, 0, NULL, "120000",
		    RM_MSGTYPE_ALERT, T0 + i, 0);
		CU_ASSERT_EQUAL(store_issue(s, &r, sfx_seal, NULL, &res, &why),
		    RM_OK);
		CU_ASSERT_EQUAL(res.seq, (uint64_t)i + 1);
	}
	for (t = 0; t < GC_THREADS; t++) {
		pthread_join(tid[t], NULL);
		CU_ASSERT_EQUAL(th[t].queued_ok, GC_PUTS);
	}
	sfx_wait_for(&w, GC_THREADS * GC_PUTS);
	CU_ASSERT_EQUAL(w.ok, GC_THREADS * GC_PUTS);
	CU_ASSERT_EQUAL(w.stored, GC_THREADS * GC_PUTS);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, GC_THREADS * GC_PUTS + GC_ISSUES);
	CU_ASSERT_EQUAL(st.origins, GC_THREADS + 1);
	CU_ASSERT_EQUAL(st.jobs, GC_THREADS * GC_PUTS + GC_ISSUES);
	CU_ASSERT(st.commits >= 1);
	CU_ASSERT(st.commits < st.jobs);
	CU_ASSERT_EQUAL(st.forks, 0);
	store_close(s);
	for (t = 0; t < GC_THREADS; t++)
		for (i = 0; i < GC_PUTS; i++)
			sfx_fini(&recs[t][i]);
	sfx_wait_fini(&w);
	sfx_rmdir(dir);
}

/* ---- observer ---- */

#define OBS_MAX 16

struct obs_log {
	int n;
	rm_hash h[OBS_MAX];
	uint64_t seq[OBS_MAX];
	bool latest[OBS_MAX];
	bool has_ident[OBS_MAX];
	bool evidence[OBS_MAX];
	char source[OBS_MAX][32];
	size_t len[OBS_MAX];
};

static void
obs_fn(void *arg, const struct store_event *ev)
{
	struct obs_log *o = arg;

	if (o->n >= OBS_MAX)
		return;
	o->h[o->n] = ev->hash;
	o->seq[o->n] = ev->rec->seq;
	o->latest[o->n] = ev->is_latest;
	o->evidence[o->n] = ev->fork_evidence;
	o->has_ident[o->n] = record_alert(ev->rec)->identifier != NULL &&
	    strcmp(record_alert(ev->rec)->identifier, "TJ-2026-0001") == 0;
	snprintf(o->source[o->n], sizeof(o->source[0]), "%s",
	    ev->source != NULL ? ev->source : "(local)");
	o->len[o->n] = ev->len;
	o->n++;
}

static void
test_observer(void)
{
	struct obs_log o;
	struct sfx r[4], fork1;
	struct sfx_wait w;
	struct store_put_result res;
	char dir[256];
	store *s;
	int i;

	memset(&o, 0, sizeof(o));
	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	store_set_observer(s, obs_fn, &o);
	sfx_wait_init(&w);
	for (i = 0; i < 4; i++)
		sfx_make(&r[i], ORG, "obj", (uint64_t)i + 1, (uint64_t)i + 1,
		    i > 0 ? &r[i - 1].hash : NULL, "120000", RM_MSGTYPE_UPDATE,
		    T0 + i, 0);
	sfx_make(&fork1, ORG, "other", 1, 4, &r[2].hash, "120000",
	    RM_MSGTYPE_ALERT, T0, 0);
	/* Queue r0, r1, r0 (duplicate), r2 asynchronously, in order. */
	CU_ASSERT_EQUAL(store_put(s, r[0].bytes.data, r[0].bytes.len, &r[0].hash, "120103.peer", sfx_wait_cb, &w), RM_OK);
	CU_ASSERT_EQUAL(store_put(s, r[1].bytes.data, r[1].bytes.len, &r[1].hash, NULL, sfx_wait_cb, &w), RM_OK);
	CU_ASSERT_EQUAL(store_put(s, r[0].bytes.data, r[0].bytes.len, &r[0].hash, NULL, sfx_wait_cb, &w), RM_OK);
	CU_ASSERT_EQUAL(store_put(s, r[2].bytes.data, r[2].bytes.len, &r[2].hash, NULL, sfx_wait_cb, &w), RM_OK);
	sfx_wait_for(&w, 4);
	CU_ASSERT_EQUAL(w.ok, 4);
	CU_ASSERT_EQUAL(w.stored, 3);
	/* r3 then a fork at seq 4: the fork is reported once, as evidence
	 * (to be relayed), never as a version. */
	CU_ASSERT_EQUAL(sfx_put(s, &r[3], &res), RM_OK);
	CU_ASSERT_EQUAL(sfx_put(s, &fork1, &res), RM_EFORK);
	CU_ASSERT_EQUAL(sfx_put(s, &fork1, &res), RM_OK);   /* duplicate */
	CU_ASSERT(!res.stored);
	CU_ASSERT_EQUAL(sfx_put(s, &r[3], &res), RM_OK);
	CU_ASSERT(!res.stored);

	CU_ASSERT_EQUAL(o.n, 5);
	CU_ASSERT(o.n == 5 && o.evidence[4] && !o.latest[4] &&
	    memcmp(o.h[4].b, fork1.hash.b, 32) == 0);
	for (i = 0; i < 4 && i < o.n; i++) {
		CU_ASSERT(!o.evidence[i]);
		CU_ASSERT(memcmp(o.h[i].b, r[i].hash.b, 32) == 0);
		CU_ASSERT_EQUAL(o.seq[i], (uint64_t)i + 1);
		CU_ASSERT(o.latest[i]);
		CU_ASSERT(o.has_ident[i]);
		CU_ASSERT_EQUAL(o.len[i], r[i].bytes.len);
	}
	CU_ASSERT_STRING_EQUAL(o.source[0], "120103.peer");
	CU_ASSERT_STRING_EQUAL(o.source[1], "(local)");
	store_close(s);
	for (i = 0; i < 4; i++)
		sfx_fini(&r[i]);
	sfx_fini(&fork1);
	sfx_wait_fini(&w);
	sfx_rmdir(dir);
}

/* ---- store_put_decoded ---- */

/* f's body decoded as a peer's ingest would (fed_record_open). */
static void
decode_sfx(const struct sfx *f, struct rm_record *rec)
{
	struct cose_sign1 msg;

	CU_ASSERT_EQUAL_FATAL(cose_sign1_decode(f->bytes.data, f->bytes.len,
	    &msg, NULL), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(msg.payload, msg.payload_len,
	    rec, NULL), RM_OK);
}

static void
test_put_decoded(void)
{
	struct obs_log o;
	struct sfx a, b;
	struct sfx_wait w;
	struct store_put_result res;
	struct rm_record rec, none;
	rm_buf out = RM_BUF_INIT;
	char dir[256];
	rm_hash h;
	store *s;

	memset(&o, 0, sizeof(o));
	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	store_set_observer(s, obs_fn, &o);
	sfx_wait_init(&w);
	sfx_make(&a, ORG, "flood-1", 1, 1, NULL, "120000", RM_MSGTYPE_ALERT,
	    T0, 0);
	sfx_make(&b, ORG, "flood-1", 2, 2, &a.hash, "120000",
	    RM_MSGTYPE_UPDATE, T0 + 1, 0);

	/* Refusals leave rec with the caller, unchanged. */
	decode_sfx(&a, &rec);
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, a.bytes.len,
	    &a.hash, NULL, NULL, sfx_wait_cb, &w), RM_EINVAL);
	memset(&none, 0, sizeof(none));
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, a.bytes.len,
	    &a.hash, &none, NULL, sfx_wait_cb, &w), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, 0, &a.hash, &rec,
	    NULL, sfx_wait_cb, &w), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, a.bytes.len,
	    &a.hash, &rec, NULL, NULL, NULL), RM_EINVAL);
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, COSE_SIGN1_MAX + 1,
	    &a.hash, &rec, NULL, sfx_wait_cb, &w), RM_ETOOBIG);
	CU_ASSERT_PTR_NOT_NULL(rec.kind);
	CU_ASSERT_PTR_NOT_NULL(rec.body);
	CU_ASSERT_STRING_EQUAL(rec.origin, ORG);
	CU_ASSERT_EQUAL(rec.seq, 1);
	CU_ASSERT(!store_has(s, &a.hash));

	/* Accepted: the store owns the body, rec is zeroed. */
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, a.bytes.len,
	    &a.hash, &rec, "120103.peer", sfx_wait_cb, &w), RM_OK);
	CU_ASSERT_PTR_NULL(rec.kind);
	CU_ASSERT_PTR_NULL(rec.body);
	CU_ASSERT_EQUAL(rec.seq, 0);
	CU_ASSERT_EQUAL(rec.origin[0], '\0');
	record_fini(&rec);                  /* harmless */
	decode_sfx(&b, &rec);
	CU_ASSERT_EQUAL(store_put_decoded(s, b.bytes.data, b.bytes.len,
	    &b.hash, &rec, NULL, sfx_wait_cb, &w), RM_OK);
	/* A copy handed over decoded is a duplicate, as with store_put. */
	decode_sfx(&a, &rec);
	CU_ASSERT_EQUAL(store_put_decoded(s, a.bytes.data, a.bytes.len,
	    &a.hash, &rec, NULL, sfx_wait_cb, &w), RM_OK);
	sfx_wait_for(&w, 3);
	CU_ASSERT_EQUAL(w.ok, 3);
	CU_ASSERT_EQUAL(w.stored, 2);

	/* Stored, filed and reported exactly as store_put would. */
	CU_ASSERT_EQUAL(store_get(s, &a.hash, &out), RM_OK);
	CU_ASSERT_EQUAL(out.len, a.bytes.len);
	CU_ASSERT(out.len == a.bytes.len &&
	    memcmp(out.data, a.bytes.data, out.len) == 0);
	CU_ASSERT_EQUAL(store_latest(s, ORG, "flood-1", &h), RM_OK);
	CU_ASSERT(memcmp(h.b, b.hash.b, 32) == 0);
	CU_ASSERT_EQUAL(o.n, 2);
	CU_ASSERT(memcmp(o.h[0].b, a.hash.b, 32) == 0);
	CU_ASSERT(memcmp(o.h[1].b, b.hash.b, 32) == 0);
	CU_ASSERT_EQUAL(o.seq[0], 1);
	CU_ASSERT_EQUAL(o.seq[1], 2);
	CU_ASSERT(o.has_ident[0]);
	CU_ASSERT(o.latest[1]);
	CU_ASSERT_STRING_EQUAL(o.source[0], "120103.peer");
	CU_ASSERT_STRING_EQUAL(o.source[1], "(local)");
	CU_ASSERT_EQUAL(sfx_put(s, &b, &res), RM_OK);
	CU_ASSERT(!res.stored);
	CU_ASSERT_EQUAL(res.seq, 2);
	CU_ASSERT_EQUAL(res.ver, 2);
	store_close(s);
	rm_buf_fini(&out);
	sfx_fini(&a);
	sfx_fini(&b);
	sfx_wait_fini(&w);
	sfx_rmdir(dir);
}

/* ---- map growth: a 1 MiB map takes several MB ---- */

#define MG_RECS 300

struct mg_reader {
	store *s;
	const rm_hash *h;
	atomic_int stop;
	unsigned reads, errors;
};

/* Reads while the writer grows the map under it. */
static void *
mg_read_main(void *arg)
{
	struct mg_reader *r = arg;
	rm_buf b = RM_BUF_INIT;
	struct store_stats st;

	while (!atomic_load(&r->stop)) {
		rm_buf_reset(&b);
		if (store_get(r->s, r->h, &b) != RM_OK ||
		    store_get_stats(r->s, &st) != RM_OK)
			r->errors++;
		r->reads++;
	}
	rm_buf_fini(&b);
	return NULL;
}

static void
test_map_growth(void)
{
	static char desc[8000], instr[4000];
	static struct sfx recs[MG_RECS];
	struct rm_alert_text text;
	struct store_stats st;
	struct sfx_wait w;
	struct mg_reader rd;
	pthread_t tid;
	char dir[256], oid[32];
	size_t total = 0;
	store *s;
	int i;

	memset(desc, 'd', sizeof(desc) - 1);
	memset(instr, 'i', sizeof(instr) - 1);
	sfx_tmpdir(dir);
	s = sfx_open(dir, 1024 * 1024);
	sfx_wait_init(&w);
	for (i = 0; i < MG_RECS; i++) {
		snprintf(oid, sizeof(oid), "big-%d", i);
		sfx_record(&recs[i].rec, &recs[i].alert, ORG, oid, 1, (uint64_t)i + 1,
		    i > 0 ? &recs[i - 1].hash : NULL, "120000",
		    RM_MSGTYPE_ALERT, T0 + i, 0);
		text = record_alert(&recs[i].rec)->texts[0];
		text.description = desc;
		text.instruction = instr;
		record_alert(&recs[i].rec)->texts = &text;
		memset(&recs[i].bytes, 0, sizeof(recs[i].bytes));
		sfx_reseal(&recs[i]);
		record_alert(&recs[i].rec)->texts = NULL;
		record_alert(&recs[i].rec)->n_texts = 0;
		total += recs[i].bytes.len;
	}
	CU_ASSERT(total > 3u * 1024 * 1024);
	CU_ASSERT_EQUAL(sfx_put(s, &recs[0], NULL), RM_OK);
	rd.s = s;
	rd.h = &recs[0].hash;
	atomic_init(&rd.stop, 0);
	rd.reads = rd.errors = 0;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tid, NULL, mg_read_main, &rd),
	    0);
	for (i = 1; i < MG_RECS; i++)
		CU_ASSERT_EQUAL(store_put(s, recs[i].bytes.data,
		    recs[i].bytes.len, &recs[i].hash, NULL,
		    sfx_wait_cb, &w), RM_OK);
	sfx_wait_for(&w, MG_RECS - 1);
	atomic_store(&rd.stop, 1);
	pthread_join(tid, NULL);
	CU_ASSERT_EQUAL(w.ok, MG_RECS - 1);
	CU_ASSERT(rd.reads > 0);
	CU_ASSERT_EQUAL(rd.errors, 0);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, MG_RECS);
	CU_ASSERT(st.map_size_bytes >= 4u * 1024 * 1024);
	CU_ASSERT(st.map_used_bytes > total);
	store_close(s);

	s = sfx_open(dir, 1024 * 1024);
	for (i = 0; i < MG_RECS; i++)
		CU_ASSERT(store_has(s, &recs[i].hash));
	store_close(s);
	for (i = 0; i < MG_RECS; i++)
		sfx_fini(&recs[i]);
	sfx_wait_fini(&w);
	sfx_rmdir(dir);
}

/* ---- puts during close are refused ---- */

struct late_put {
	store *s;
	struct sfx *b;
	int rv;
};

static void
late_cb(void *arg, int err, const struct store_put_result *res)
{
	struct late_put *lp = arg;

	struct timespec ts = { 0, 200 * 1000 * 1000 };

	(void)err;
	(void)res;
	nanosleep(&ts, NULL);   /* store_close has set closing by now */
	lp->rv = store_put(lp->s, lp->b->bytes.data, lp->b->bytes.len, &lp->b->hash, NULL, sfx_wait_cb, NULL);
}

static void
test_closed(void)
{
	struct late_put lp;
	struct sfx a, b;
	char dir[256];

	sfx_tmpdir(dir);
	sfx_make(&a, ORG, "a", 1, 1, NULL, "120000", RM_MSGTYPE_ALERT, T0, 0);
	sfx_make(&b, ORG, "b", 1, 2, &a.hash, "120000", RM_MSGTYPE_ALERT, T0,
	    0);
	lp.s = sfx_open(dir, 0);
	lp.b = &b;
	lp.rv = -1;
	CU_ASSERT_EQUAL(store_put(lp.s, a.bytes.data, a.bytes.len,
	    &a.hash, NULL, late_cb, &lp), RM_OK);
	store_close(lp.s);
	CU_ASSERT_EQUAL(lp.rv, RM_ECLOSED);
	lp.s = sfx_open(dir, 0);
	CU_ASSERT(store_has(lp.s, &a.hash));
	CU_ASSERT(!store_has(lp.s, &b.hash));
	store_close(lp.s);
	sfx_fini(&a);
	sfx_fini(&b);
	sfx_rmdir(dir);
}

/* Two processes (or two opens) must never share one store. */
static void
test_exclusive(void)
{
	struct store_opts o = { .dir = NULL };
	char dir[256];
	store *s, *t = NULL;
	rm_why why;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	o.dir = dir;
	CU_ASSERT_EQUAL(store_open(&o, &t, &why), RM_EBUSY);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT(strstr(why.msg, "in use") != NULL);
	store_close(s);
	/* released on close: the next open succeeds */
	CU_ASSERT_EQUAL(store_open(&o, &t, &why), RM_OK);
	store_close(t);
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "put_get_has_duplicate_reopen", test_put_get_has },
		{ "bad_args", test_bad_args },
		{ "layout_mismatch", test_layout_mismatch },
		{ "group_commit", test_group_commit },
		{ "observer", test_observer },
		{ "put_decoded", test_put_decoded },
		{ "map_growth", test_map_growth },
		{ "closed", test_closed },
		{ "exclusive", test_exclusive },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.basic", tests);
}
