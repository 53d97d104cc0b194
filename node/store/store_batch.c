/*
 * store_batch.c -- store_issue_batch (store.h): many own records
 * numbered, sealed and stored in one write transaction, all or nothing.
 *
 * The caller queues one BATCH job holding an ISSUE sub job per record.
 * The writer (store_writer.c) applies it like any job of its group
 * commit, but inside a nested LMDB transaction (mdb_txn_begin with the
 * group's transaction as parent): each sub job goes through
 * store_apply_job (numbering, seal, merge rules) in order; the first
 * that fails aborts the nested transaction, so nothing of the batch is
 * stored while the other jobs of the group commit are unaffected. The
 * observer and the blocked caller are served by store_complete.
 */
#include <stdlib.h>
#include <string.h>

#include "node/store/store_int.h"

int
store_batch_apply(store *s, MDB_txn *txn, struct store_job *j,
    uint64_t *forks, uint64_t *equivocations)
{
	uint64_t forks0 = *forks, equiv0 = *equivocations;
	MDB_txn *child;
	size_t i;
	int mrc;

	j->err = RM_OK;
	j->bad = j->n_subs;
	if ((mrc = mdb_txn_begin(s->env, txn, 0, &child)) != 0)
		return mrc;
	for (i = 0; i < j->n_subs; i++) {
		struct store_job *sj = &j->subs[i];

		if ((mrc = store_apply_job(s, child, sj, forks,
		    equivocations)) != 0) {
			mdb_txn_abort(child);
			return mrc;
		}
		if (sj->err == RM_OK && !sj->res.stored)
			sj->err = rm_fail(&sj->iwhy, RM_EEXIST, "store issue: "
			    "the sealed record is already stored");
		if (sj->err != RM_OK)
			break;
	}
	if (i < j->n_subs) {
		const struct store_job *sj = &j->subs[i];

		mdb_txn_abort(child);
		*forks = forks0;
		*equivocations = equiv0;
		j->bad = i;
		j->err = sj->err;
		rm_fail_at(&j->iwhy, sj->err, sj->iwhy.field, "record %zu (%s): "
		    "%s", i, sj->irec->object_id, sj->iwhy.msg);
		for (i = 0; i < j->n_subs; i++) {
			j->subs[i].res.stored = false;
			j->subs[i].is_latest = false;
		}
		return 0;
	}
	return mdb_txn_commit(child);
}

void
store_batch_release(struct store_job *j)
{
	for (size_t i = 0; j->subs != NULL && i < j->n_subs; i++)
		rm_buf_fini(&j->subs[i].sealed);
	free(j->subs);
	j->subs = NULL;
	j->n_subs = 0;
}

struct store_job *
store_batch_new(size_t n)
{
	struct store_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->subs = calloc(n, sizeof(*j->subs))) == NULL) {
		free(j);
		return NULL;
	}
	j->kind = STORE_JOB_BATCH;
	j->n_subs = n;
	j->bad = n;
	for (size_t i = 0; i < n; i++)
		j->subs[i].kind = STORE_JOB_ISSUE;
	return j;
}

int
store_batch_run(store *s, struct store_job *j, size_t *bad, rm_why *why)
{
	bool finished = false;
	int rv;

	j->done_arg = &finished;
	if ((rv = store_enqueue(s, j)) != RM_OK)
		return rm_fail(why, rv, "store batch: store closing");
	pthread_mutex_lock(&s->mtx);
	while (!finished)
		pthread_cond_wait(&s->done_cv, &s->mtx);
	pthread_mutex_unlock(&s->mtx);
	if ((rv = j->err) != RM_OK) {
		if (bad != NULL)
			*bad = j->bad < j->n_subs && j->subs[j->bad].head_moved ?
			    j->n_subs : j->bad;
		if (why != NULL)
			*why = j->iwhy;
	}
	return rv;
}

int
store_issue_batch(store *s, struct store_issue_item *items, size_t n,
    store_seal_fn seal, size_t *bad, rm_why *why)
{
	struct store_job *j;
	int rv;

	if (bad != NULL)
		*bad = n;
	if (s == NULL || items == NULL || seal == NULL || n == 0)
		return rm_fail(why, RM_EINVAL, "store issue batch: missing "
		    "argument");
	if (n > STORE_ISSUE_BATCH_MAX)
		return rm_fail(why, RM_EINVAL, "store issue batch: %zu records, "
		    "at most %d", n, STORE_ISSUE_BATCH_MAX);
	for (size_t i = 0; i < n; i++)
		if (items[i].rec == NULL) {
			if (bad != NULL)
				*bad = i;
			return rm_fail(why, RM_EINVAL, "store issue batch: "
			    "record %zu missing", i);
		}
	if ((j = store_batch_new(n)) == NULL)
		return rm_fail(why, RM_ENOMEM, "store issue batch: out of "
		    "memory");
	for (size_t i = 0; i < n; i++) {
		struct store_job *sj = &j->subs[i];

		sj->irec = items[i].rec;
		sj->iver0 = items[i].rec->ver;
		sj->seal = seal;
		sj->seal_arg = items[i].seal_arg;
	}
	if ((rv = store_batch_run(s, j, bad, why)) == RM_OK)
		for (size_t i = 0; i < n; i++)
			items[i].res = j->subs[i].res;
	store_job_free(j);
	return rv;
}
