/*
 * node_risk_batch.c -- pass 2 of the risk register import (service.h,
 * "the risk register import"; pass 1 is node_risk_import.c): the rows
 * are read again and those that change something are copied out of the
 * source and issued SERVICE_IMPORT_BATCH at a time with
 * store_issue_batch (one commit per batch), each record sealed by
 * node_issue_seal only if its object's latest version is still the one
 * pass 1 saw. Two batches alternate: while a helper thread waits for
 * one to be sealed and committed on the store's writer thread, this
 * thread reads and copies the next, so that reading the file overlaps
 * the signing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* Pass 2's batch: owned copies of the drafts, with their bases. */
struct imp_batch {
	size_t m;
	struct rm_record rec[SERVICE_IMPORT_BATCH];
	struct issue_base base[SERVICE_IMPORT_BATCH];
	struct store_issue_item item[SERVICE_IMPORT_BATCH];
	size_t line[SERVICE_IMPORT_BATCH];
	enum imp_action action[SERVICE_IMPORT_BATCH];
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

/* Issue the batch in one commit and count it; b->m becomes 0. Runs on
 * the helper thread (x->rep's counts are not touched by the reading
 * thread during pass 2). */
static int
batch_flush(struct imp *x, struct imp_batch *b, rm_why *why)
{
	size_t bad, m = b->m;
	rm_why w;
	int rv;

	b->m = 0;
	if (m == 0)
		return RM_OK;
	if ((rv = node_issue_ready(x->n, why)) == RM_OK &&
	    (rv = store_issue_batch(x->n->store, b->item, m, node_issue_seal,
	    &bad, &w)) != RM_OK) {
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
	}
	for (size_t i = 0; i < m; i++) {
		if (rv == RM_OK) {
			x->rep->created += b->action[i] == IMP_CREATE;
			x->rep->updated += b->action[i] == IMP_UPDATE;
			x->rep->removed += b->action[i] == IMP_REMOVE;
		}
		record_fini(&b->rec[i]);
	}
	if (rv != RM_OK)
		return rv;
	atomic_fetch_add(&x->n->ctr.issued, m);
	rm_log(RM_LOG_NOTICE, "node", "imported %zu risks in one commit, seq "
	    "%llu..%llu", m, (unsigned long long)b->item[0].res.seq,
	    (unsigned long long)b->item[m - 1].res.seq);
	return RM_OK;
}

/* A batch committed on a helper thread while the next one is read. */
struct flusher {
	struct imp *x;
	struct imp_batch *b;
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

/* Hand b to the helper thread (after the batch before it committed);
 * without a thread, commit it here. */
static int
flusher_start(struct flusher *f, struct imp_batch *b, rm_why *why)
{
	int rv;

	if ((rv = flusher_join(f, why)) != RM_OK)
		return rv;
	f->b = b;
	if (pthread_create(&f->t, NULL, flusher_main, f) != 0)
		return batch_flush(f->x, b, why);
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
	memset(&b->item[b->m], 0, sizeof(b->item[b->m]));
	b->item[b->m].rec = &b->rec[b->m];
	b->item[b->m].seal_arg = &b->base[b->m];
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
	b = &bs[0];
	if ((rv = x->src->rewind(x->src->arg, why)) != RM_OK)
		goto out;
	for (;;) {
		const struct imp_row *r;

		rv = x->src->next(x->src->arg, &dummy, &d, &line, why);
		if (rv == RM_ENOTFOUND) {
			if ((rv = flusher_join(&f, why)) == RM_OK)
				rv = batch_flush(x, b, why);
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
			if ((rv = flusher_start(&f, b, why)) != RM_OK)
				break;
			b = b == &bs[0] ? &bs[1] : &bs[0];
		}
	}
	/* An error here: the batch in flight still commits (or fails);
	 * what was read after it is dropped. */
	if ((jrv = flusher_join(&f, rv == RM_OK ? why : NULL)) != RM_OK &&
	    rv == RM_OK)
		rv = jrv;
	for (int i = 0; i < 2; i++)
		for (size_t j = 0; j < bs[i].m; j++)
			record_fini(&bs[i].rec[j]);
out:
	free(bs);
	service_import_report_fini(&dummy);
	return rv;
}
