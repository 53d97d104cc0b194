/*
 * node_risk_batch.c -- pass 2 of the risk register import (service.h,
 * "the risk register import"; pass 1 is node_risk_import.c): the rows
 * are read again and those that change something are copied out of the
 * source, SERVICE_IMPORT_BATCH at a time, and issued pre-sealed
 * (store.h, store_put_sealed_batch): this thread numbers each batch
 * from the own log's head (seq, prev) and from the version pass 1 saw
 * of each object (ver, supersedes), signs it with the agency's signer
 * (node_issue_seal) and hands it to a helper thread that waits for the
 * store's writer to check, apply and commit it. Meanwhile this thread
 * reads and signs the next batch, chained on the last record of the
 * one in flight, so that signing (here) and applying (on the writer)
 * run on two cores at once.
 *
 * The writer stores a batch only if the own log's head is still the one
 * it was chained on, and each record only if its object's latest
 * version is still the one pass 1 saw (else RM_EBUSY naming the row,
 * nothing of the batch stored, and the import stops, as on the single
 * issue path). A head that moved (a single issue over HTTP came first)
 * refuses the whole batch: it is sealed again from the new head and
 * resubmitted (at most IMP_RESEAL_MAX times), and the next batch,
 * signed on the refused one, is sealed again too before it is handed
 * over. Records signed for seqs that another record took are dropped
 * here: they were never stored nor sent, so no fork exists (store.h,
 * "pre-sealed batches"). While pass 2 runs, n->imports holds the
 * review_overdue rules back (they would react to each stored risk with
 * a proposal, each moving the head: docs/RULES.md "Risk review
 * dates"); other issuers are rare enough for the reseals. Only committed batches are counted in the
 * report; a crash loses at most the batches not yet committed, never
 * a part of one, so the own log stays contiguous.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* Seals of one batch after the own log's head moved under it. */
#define IMP_RESEAL_MAX 8

/* A place in the own log: the seq and hash of its last record. */
struct imp_tip {
	uint64_t seq;
	rm_hash hash;
};

/* Pass 2's batch: owned copies of the drafts, with their bases, their
 * signed bytes and the head they are chained on. */
struct imp_batch {
	size_t m;
	struct rm_record rec[SERVICE_IMPORT_BATCH];
	struct issue_base base[SERVICE_IMPORT_BATCH];
	uint64_t base_ver[SERVICE_IMPORT_BATCH];
	rm_buf sig[SERVICE_IMPORT_BATCH];
	struct store_sealed_item item[SERVICE_IMPORT_BATCH];
	size_t line[SERVICE_IMPORT_BATCH];
	enum imp_action action[SERVICE_IMPORT_BATCH];
	struct imp_tip head;         /* the own log's head it is chained on */
	struct imp_tip tail;         /* its last record (valid once sealed) */
};

/* An owned copy of draft d (the source's is valid until its next row):
 * through its encoding, numbered 1 for the codec and back to 0. */
static int
draft_copy(struct imp *x, const struct rm_record *d, struct rm_record *out,
    rm_why *why)
{
	struct rm_record t = *d;
	int rv;

	t.ver = 1;
	t.seq = 1;
	rm_buf_reset(&x->a);
	if ((rv = record_encode(&t, &x->a, why)) != RM_OK ||
	    (rv = record_decode(x->a.data, x->a.len, out, why)) != RM_OK)
		return rv;
	out->ver = 0;
	out->seq = 0;
	return RM_OK;
}

/* The own log's head now. */
static int
own_head(struct imp *x, struct imp_tip *t, rm_why *why)
{
	rm_why w;
	int rv;

	if ((rv = store_own_head(x->n->store, x->n->cfg.agency, &t->seq,
	    &t->hash, &w)) != RM_OK)
		return rm_fail(why, rv, "nothing of the next batch was stored: "
		    "%s", w.msg);
	return RM_OK;
}

/* Number, chain and sign b's records on head (after the own-log
 * guard); b->head and b->tail are set. */
static int
batch_seal(struct imp *x, struct imp_batch *b, const struct imp_tip *head,
    rm_why *why)
{
	struct imp_tip t = *head;
	rm_why w;
	int rv;

	if ((rv = node_issue_ready(x->n, why)) != RM_OK)
		return rv;
	b->head = *head;
	for (size_t i = 0; i < b->m; i++) {
		struct rm_record *rec = &b->rec[i];
		const struct issue_base *base = &b->base[i];
		struct store_sealed_item *it = &b->item[i];

		rec->seq = t.seq + 1;
		rec->has_prev = rec->seq > 1;
		memset(&rec->prev, 0, sizeof(rec->prev));
		if (rec->has_prev)
			rec->prev = t.hash;
		rec->ver = base->exists ? b->base_ver[i] + 1 : 1;
		rec->has_supersedes = base->exists;
		memset(&rec->supersedes, 0, sizeof(rec->supersedes));
		if (base->exists)
			rec->supersedes = base->hash;
		rm_buf_reset(&b->sig[i]);
		if ((rv = node_issue_seal((void *)base, rec, &b->sig[i],
		    &it->hash, &w)) != RM_OK)
			return rm_fail_at(why, rv, w.field, "line %zu: %s",
			    b->line[i], w.msg);
		it->rec = rec;
		it->bytes = b->sig[i].data;
		it->len = b->sig[i].len;
		t.seq = rec->seq;
		t.hash = it->hash;
	}
	b->tail = t;
	return RM_OK;
}

/* Store the sealed batch in one commit, sealing it again from the new
 * head while the head moved under it, and count it. Runs on the helper
 * thread (x->rep's counts are not touched by the reading thread during
 * pass 2). b->tail is its last record as committed. */
static int
batch_flush(struct imp *x, struct imp_batch *b, rm_why *why)
{
	size_t bad, m = b->m;
	struct imp_tip h;
	rm_why w;
	int rv;

	for (int tries = 0;; tries++) {
		rv = store_put_sealed_batch(x->n->store, b->head.seq,
		    &b->head.hash, b->item, m, &bad, &w);
		if (rv != RM_EBUSY || bad < m || tries == IMP_RESEAL_MAX)
			break;
		/* a single issue came first: what was signed for its seq is
		 * dropped (never stored nor sent), the batch sealed anew */
		rm_log(RM_LOG_INFO, "node", "risk import: %s; sealing the "
		    "batch again", w.msg);
		if ((rv = own_head(x, &h, why)) != RM_OK ||
		    (rv = batch_seal(x, b, &h, why)) != RM_OK)
			return rv;
	}
	if (rv != RM_OK) {
		if (bad < m)
			/* a risk changed since pass 1: EBUSY names the object
			 * (409), as on the single issue path */
			rm_fail_at(why, rv, rv == RM_EBUSY ? "object_id" :
			    w.field, "line %zu: %s", b->line[bad], w.msg);
		else
			rm_fail(why, rv, "lines %zu..%zu: %s; the %zu rows "
			    "before them were imported (re-sending the file "
			    "finishes the import)", b->line[0], b->line[m - 1],
			    w.msg, x->rep->created + x->rep->updated +
			    x->rep->removed);
		rm_log(RM_LOG_ERR, "node", "risk import stopped: %s", why->msg);
		return rv;
	}
	for (size_t i = 0; i < m; i++) {
		x->rep->created += b->action[i] == IMP_CREATE;
		x->rep->updated += b->action[i] == IMP_UPDATE;
		x->rep->removed += b->action[i] == IMP_REMOVE;
	}
	atomic_fetch_add(&x->n->ctr.issued, m);
	rm_log(RM_LOG_NOTICE, "node", "imported %zu risks in one commit, seq "
	    "%llu..%llu", m, (unsigned long long)b->item[0].res.seq,
	    (unsigned long long)b->item[m - 1].res.seq);
	return RM_OK;
}

/* Free b's drafts; b->m becomes 0 (the signed buffers are kept). */
static void
batch_clear(struct imp_batch *b)
{
	for (size_t i = 0; i < b->m; i++)
		record_fini(&b->rec[i]);
	b->m = 0;
}

/* A batch committed on a helper thread while the next one is read and
 * sealed. */
struct flusher {
	struct imp *x;
	struct imp_batch *b;         /* in flight while running */
	struct imp_tip tip;          /* b->tail when it was handed over */
	pthread_t t;
	bool running;
	int rv;
	rm_why why;
};

static void *
flusher_main(void *arg)
{
	struct flusher *f = arg;

	f->rv = batch_flush(f->x, f->b, &f->why);
	return NULL;
}

/* Wait for the batch in flight, if any; its error. */
static int
flusher_join(struct flusher *f, rm_why *why)
{
	if (!f->running)
		return RM_OK;
	pthread_join(f->t, NULL);
	f->running = false;
	if (f->rv != RM_OK && why != NULL)
		*why = f->why;
	return f->rv;
}

/*
 * Seal b on the last record of the batch in flight (or on the own log's
 * head when none is), then, once the batch in flight committed, hand b
 * to the helper thread; without a thread, commit it here. If the batch
 * in flight had to be sealed again (the head moved under it), b, signed
 * on its old last record, is sealed again on its new one first.
 */
static int
batch_submit(struct imp *x, struct flusher *f, struct imp_batch *b,
    rm_why *why)
{
	struct imp_batch *pb = f->running ? f->b : NULL;
	struct imp_tip tip;
	int rv;

	if (b->m == 0)
		return RM_OK;
	if (pb != NULL)
		tip = f->tip;
	else if ((rv = own_head(x, &tip, why)) != RM_OK)
		return rv;
	if ((rv = batch_seal(x, b, &tip, why)) != RM_OK ||
	    (rv = flusher_join(f, why)) != RM_OK)
		return rv;
	if (pb != NULL) {
		if (pb->tail.seq != b->head.seq || memcmp(pb->tail.hash.b,
		    b->head.hash.b, RM_HASH_BYTES) != 0)
			rv = batch_seal(x, b, &pb->tail, why);
		batch_clear(pb);
		if (rv != RM_OK)
			return rv;
	}
	f->b = b;
	f->tip = b->tail;
	if (pthread_create(&f->t, NULL, flusher_main, f) != 0) {
		rv = batch_flush(x, b, why);
		batch_clear(b);
		return rv;
	}
	f->running = true;
	return RM_OK;
}

/* Add the row (draft d, pass 1's decision r) to b. */
static int
batch_add(struct imp *x, struct imp_batch *b, const struct imp_row *r,
    const struct rm_record *d, size_t line, rm_why *why)
{
	int rv;

	if ((rv = draft_copy(x, d, &b->rec[b->m], why)) != RM_OK)
		return rv;
	b->base[b->m] = (struct issue_base){ x->n, r->exists, r->base };
	b->base_ver[b->m] = r->base_ver;
	memset(&b->item[b->m], 0, sizeof(b->item[b->m]));
	b->line[b->m] = line;
	b->action[b->m] = r->action;
	b->m++;
	return RM_OK;
}

int
node_import_issue(struct imp *x, rm_why *why)
{
	struct service_import_report dummy;
	struct flusher f;
	struct imp_batch *bs, *b;
	struct rm_record *d;
	size_t line, k = 0;
	int rv, jrv;

	memset(&dummy, 0, sizeof(dummy));
	memset(&f, 0, sizeof(f));
	f.x = x;
	if ((bs = calloc(2, sizeof(*bs))) == NULL)
		return rm_fail(why, RM_ENOMEM, "out of memory");
	/* the review_overdue rules hold their proposals meanwhile: each
	 * would move the own log's head under the sealed batches */
	atomic_fetch_add(&x->n->imports, 1);
	b = &bs[0];
	if ((rv = x->src->rewind(x->src->arg, why)) != RM_OK)
		goto out;
	for (;;) {
		const struct imp_row *r;

		rv = x->src->next(x->src->arg, &dummy, &d, &line, why);
		if (rv == RM_ENOTFOUND) {
			if ((rv = batch_submit(x, &f, b, why)) == RM_OK)
				rv = flusher_join(&f, why);
			break;
		}
		if (k == x->n_rows) {
			rv = rm_fail(why, RM_EINVAL, "the rows changed between "
			    "the check and the import");
			break;
		}
		r = &x->rows[k++];
		if (rv == RM_EBADVALUE)
			continue;
		if (rv != RM_OK)
			break;
		if (r->action == IMP_BAD || r->action == IMP_UNCHANGED)
			continue;
		if ((rv = batch_add(x, b, r, d, line, why)) != RM_OK)
			break;
		if (b->m == SERVICE_IMPORT_BATCH) {
			if ((rv = batch_submit(x, &f, b, why)) != RM_OK)
				break;
			b = b == &bs[0] ? &bs[1] : &bs[0];
		}
	}
	/* An error here: the batch in flight still commits (or fails);
	 * what was read or sealed after it is dropped, never stored. */
	if ((jrv = flusher_join(&f, rv == RM_OK ? why : NULL)) != RM_OK &&
	    rv == RM_OK)
		rv = jrv;
	for (int i = 0; i < 2; i++) {
		batch_clear(&bs[i]);
		for (size_t j = 0; j < SERVICE_IMPORT_BATCH; j++)
			rm_buf_fini(&bs[i].sig[j]);
	}
out:
	atomic_fetch_sub(&x->n->imports, 1);
	node_rules_import_done(x->n);
	free(bs);
	service_import_report_fini(&dummy);
	return rv;
}
