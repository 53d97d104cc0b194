/*
 * store_writer.c -- the write queue and the group-commit writer thread.
 *
 * Callers queue jobs (store_put, store_put_wait, store_issue). The one
 * writer thread takes everything waiting (up to group_max), applies the
 * jobs in one write transaction (store_apply.c), commits (fsync), and
 * only then reports: first the observer for each newly stored record,
 * in queue order, then each job's completion. If the commit fails every
 * job in the batch fails with RM_ESTORE; MDB_MAP_FULL doubles the map
 * and retries the whole batch.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "node/store/store_int.h"

void
store_job_free(struct store_job *j)
{
	if (j == NULL)
		return;
	if (j->kind == STORE_JOB_BATCH)
		store_batch_release(j);
	free(j->bytes);
	free(j->source);
	record_fini(&j->rec);
	rm_buf_fini(&j->sealed);
	free(j);
}

/* Queue j unless closing. */
int
store_enqueue(store *s, struct store_job *j)
{
	pthread_mutex_lock(&s->mtx);
	if (s->closing) {
		pthread_mutex_unlock(&s->mtx);
		return RM_ECLOSED;
	}
	j->next = NULL;
	if (s->tail != NULL)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->work_cv);
	pthread_mutex_unlock(&s->mtx);
	return RM_OK;
}

/* A PUT job holding copies of bytes and source, or NULL (RM_EINVAL,
 * RM_ETOOBIG, RM_ENOMEM in *rv). */
static struct store_job *
put_job_new(store *s, const uint8_t *bytes, size_t len, const rm_hash *hash,
    const char *source, store_done_fn done, void *arg, int *rv)
{
	struct store_job *j;

	*rv = RM_EINVAL;
	if (s == NULL || bytes == NULL || len == 0 || hash == NULL ||
	    done == NULL)
		return NULL;
	*rv = RM_ETOOBIG;
	if (len > COSE_SIGN1_MAX)
		return NULL;
	*rv = RM_ENOMEM;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->kind = STORE_JOB_PUT;
	if ((j->bytes = malloc(len)) == NULL ||
	    (source != NULL && (j->source = strdup(source)) == NULL)) {
		store_job_free(j);
		return NULL;
	}
	memcpy(j->bytes, bytes, len);
	j->len = len;
	j->hash = *hash;
	j->done = done;
	j->done_arg = arg;
	*rv = RM_OK;
	return j;
}

int
store_put(store *s, const uint8_t *bytes, size_t len, const rm_hash *hash,
    const char *source, store_done_fn done, void *arg)
{
	struct store_job *j;
	int rv;

	if ((j = put_job_new(s, bytes, len, hash, source, done, arg, &rv)) ==
	    NULL)
		return rv;
	/* The merge, the indexes and the observer need the whole record:
	 * decode the store's own copy here, on the caller's thread, rather
	 * than in the writer. The caller verified these bytes. */
	if ((rv = store_decode_signed(bytes, len, &j->rec, NULL)) != RM_OK) {
		store_job_free(j);
		return rv == RM_ENOMEM ? RM_ENOMEM : RM_EINVAL;
	}
	if ((rv = store_enqueue(s, j)) != RM_OK) {
		store_job_free(j);
		return rv;
	}
	return RM_OK;
}

int
store_put_decoded(store *s, const uint8_t *bytes, size_t len,
    const rm_hash *hash, struct rm_record *rec, const char *source,
    store_done_fn done, void *arg)
{
	struct store_job *j;
	int rv;

	if (rec == NULL || rec->kind == NULL)
		return RM_EINVAL;
	if ((j = put_job_new(s, bytes, len, hash, source, done, arg, &rv)) ==
	    NULL)
		return rv;
	j->rec = *rec;
	if ((rv = store_enqueue(s, j)) != RM_OK) {
		/* Ownership passes only on success: give rec back. */
		memset(&j->rec, 0, sizeof(j->rec));
		store_job_free(j);
		return rv;
	}
	memset(rec, 0, sizeof(*rec));
	return RM_OK;
}

struct store_waiter {
	store *s;
	bool done;
	int err;
	struct store_put_result res;
};

static void
store_wait_done(void *arg, int err, const struct store_put_result *res)
{
	struct store_waiter *w = arg;

	pthread_mutex_lock(&w->s->mtx);
	w->err = err;
	w->res = *res;
	w->done = true;
	pthread_cond_broadcast(&w->s->done_cv);
	pthread_mutex_unlock(&w->s->mtx);
}

int
store_put_wait(store *s, const uint8_t *bytes, size_t len,
    const rm_hash *hash, const char *source, struct store_put_result *res)
{
	struct store_waiter w;
	int rv;

	memset(&w, 0, sizeof(w));
	w.s = s;
	rv = store_put(s, bytes, len, hash, source, store_wait_done, &w);
	if (rv != RM_OK)
		return rv;
	pthread_mutex_lock(&s->mtx);
	while (!w.done)
		pthread_cond_wait(&s->done_cv, &s->mtx);
	pthread_mutex_unlock(&s->mtx);
	if (res != NULL && (w.err == RM_OK || w.err == RM_EFORK))
		*res = w.res;
	return w.err;
}

int
store_issue(store *s, struct rm_record *rec, store_seal_fn seal,
    void *seal_arg, struct store_put_result *res, rm_why *why)
{
	struct store_job *j;
	bool finished = false;
	int rv;

	if (s == NULL || rec == NULL || seal == NULL)
		return rm_fail(why, RM_EINVAL, "store issue: missing argument");
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return rm_fail(why, RM_ENOMEM, "store issue: out of memory");
	j->kind = STORE_JOB_ISSUE;
	j->irec = rec;
	j->iver0 = rec->ver;
	j->seal = seal;
	j->seal_arg = seal_arg;
	/* The writer signals completion through done_arg. */
	j->done_arg = &finished;
	if ((rv = store_enqueue(s, j)) != RM_OK) {
		store_job_free(j);
		return rm_fail(why, rv, "store issue: store closing");
	}
	pthread_mutex_lock(&s->mtx);
	while (!finished)
		pthread_cond_wait(&s->done_cv, &s->mtx);
	pthread_mutex_unlock(&s->mtx);
	rv = j->err;
	if (rv == RM_OK) {
		if (res != NULL)
			*res = j->res;
	} else if (why != NULL) {
		*why = j->iwhy;
	}
	store_job_free(j);
	return rv;
}

/* Newly stored records, and newly stored fork evidence (which must
 * spread so that every node sees the fork), are reported. */
static bool
reported(const struct store_job *j)
{
	return j->res.stored && (j->err == RM_OK || j->err == RM_EFORK);
}

/* The last job of the group (a batch's sub job) the observer hears of. */
static const struct store_job *
last_reported(const struct store_job *batch)
{
	const struct store_job *j, *last = NULL;

	for (j = batch; j != NULL; j = j->next) {
		if (j->kind != STORE_JOB_BATCH) {
			if (reported(j))
				last = j;
			continue;
		}
		for (size_t i = 0; j->err == RM_OK && i < j->n_subs; i++)
			if (reported(&j->subs[i]))
				last = &j->subs[i];
	}
	return last;
}

static void job_event(void (*obs)(void *, const struct store_event *),
    void *obs_arg, const struct store_job *j, const struct store_job *last);

/* Report a committed (or failed) batch and release it. */
static void
store_complete(store *s, struct store_job *batch, bool committed)
{
	void (*obs)(void *, const struct store_event *);
	void *obs_arg;
	struct store_job *j, *next, *issues = NULL, **tail = &issues;
	const struct store_job *last = NULL;

	pthread_mutex_lock(&s->mtx);
	obs = s->obs;
	obs_arg = s->obs_arg;
	pthread_mutex_unlock(&s->mtx);
	if (committed && obs != NULL)
		last = last_reported(batch);
	for (j = batch; committed && obs != NULL && j != NULL; j = j->next) {
		if (j->kind != STORE_JOB_BATCH) {
			job_event(obs, obs_arg, j, last);
			continue;
		}
		for (size_t i = 0; j->err == RM_OK && i < j->n_subs; i++)
			job_event(obs, obs_arg, &j->subs[i], last);
	}
	/* Put jobs complete and are freed here; issue and batch jobs are
	 * set aside on their own list (the batch list runs through freed
	 * jobs after this loop and must not be walked again). */
	for (j = batch; j != NULL; j = next) {
		next = j->next;
		if (j->kind != STORE_JOB_PUT) {
			*tail = j;
			tail = &j->next;
			continue;
		}
		j->done(j->done_arg, j->err, &j->res);
		store_job_free(j);
	}
	*tail = NULL;
	if (issues == NULL)
		return;
	/* Issue jobs belong to their blocked callers from the moment their
	 * flag is set (the callers wait for done_cv under mtx, so each job
	 * stays valid until the mutex is released). */
	pthread_mutex_lock(&s->mtx);
	for (j = issues; j != NULL; j = next) {
		next = j->next;
		*(bool *)j->done_arg = true;
	}
	pthread_cond_broadcast(&s->done_cv);
	pthread_mutex_unlock(&s->mtx);
}

/* The observer's event for one committed job, if it stored a record. */
static void
job_event(void (*obs)(void *, const struct store_event *), void *obs_arg,
    const struct store_job *j, const struct store_job *last)
{
	struct store_event ev;

	if (!reported(j))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.fork_evidence = j->err == RM_EFORK;
	ev.hash = j->res.hash;
	if (j->kind == STORE_JOB_ISSUE) {
		ev.bytes = j->sealed.data;
		ev.len = j->sealed.len;
		ev.rec = j->irec;
	} else {
		ev.bytes = j->bytes;
		ev.len = j->len;
		ev.rec = &j->rec;
	}
	ev.source = j->source;
	ev.is_latest = j->is_latest;
	ev.commit_last = j == last;
	obs(obs_arg, &ev);
}

static void
store_batch_fail(store *s, struct store_job *batch, int mrc)
{
	struct store_job *j;

	for (j = batch; j != NULL; j = j->next) {
		j->err = store_commit_fail(s, mrc, &j->iwhy);
		j->res.stored = false;
		j->is_latest = false;
	}
}

/* Apply and commit one batch; true if committed. */
static bool
store_run_batch(store *s, struct store_job *batch, unsigned n)
{
	uint64_t forks0, equiv0, forks, equiv;
	struct store_job *j;
	MDB_txn *txn;
	int mrc, tries = 0;

retry:
	pthread_rwlock_rdlock(&s->resize_lk);
	mrc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (mrc != 0) {
		pthread_rwlock_unlock(&s->resize_lk);
		if (mrc == MDB_MAP_RESIZED && tries++ < STORE_GROW_MAX &&
		    store_adopt_mapsize(s) == 0)
			goto retry;
		store_batch_fail(s, batch, mrc);
		return false;
	}
	if ((mrc = store_meta_get_u64(s, txn, "forks", &forks0)) != 0 ||
	    (mrc = store_meta_get_u64(s, txn, "equivocations", &equiv0)) != 0)
		goto abort;
	forks = forks0;
	equiv = equiv0;
	for (j = batch; j != NULL; j = j->next)
		if ((mrc = j->kind == STORE_JOB_BATCH ?
		    store_batch_apply(s, txn, j, &forks, &equiv) :
		    store_apply_job(s, txn, j, &forks, &equiv)) != 0)
			goto abort;
	if (forks != forks0 &&
	    (mrc = store_meta_put_u64(s, txn, "forks", forks)) != 0)
		goto abort;
	if (equiv != equiv0 &&
	    (mrc = store_meta_put_u64(s, txn, "equivocations", equiv)) != 0)
		goto abort;
	mrc = mdb_txn_commit(txn);
	pthread_rwlock_unlock(&s->resize_lk);
	if (mrc != 0)
		goto failed;
	pthread_mutex_lock(&s->mtx);
	s->commits++;
	s->jobs += n;
	pthread_mutex_unlock(&s->mtx);
	return true;

abort:
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&s->resize_lk);
failed:
	if (mrc == MDB_MAP_FULL && tries++ < STORE_GROW_MAX &&
	    (mrc = store_grow(s)) == 0)
		goto retry;
	store_batch_fail(s, batch, mrc);
	return false;
}

void *
store_writer_main(void *arg)
{
	store *s = arg;
	struct store_job *batch, *last;
	unsigned n;
	bool ok;

	pthread_mutex_lock(&s->mtx);
	for (;;) {
		while (s->head == NULL && !s->closing)
			pthread_cond_wait(&s->work_cv, &s->mtx);
		if (s->head == NULL)
			break;
		batch = last = s->head;
		for (n = 1; n < s->group_max && last->next != NULL; n++)
			last = last->next;
		s->head = last->next;
		if (s->head == NULL)
			s->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&s->mtx);
		ok = store_run_batch(s, batch, n);
		store_complete(s, batch, ok);
		pthread_mutex_lock(&s->mtx);
	}
	pthread_mutex_unlock(&s->mtx);
	return NULL;
}
