/*
 * store_sealed.c -- store_own_head and store_put_sealed_batch (store.h):
 * own records numbered, chained and signed by the caller, off the
 * writer thread, stored all or nothing if the origin's log head is
 * still the one they were chained on.
 *
 * The caller reads the head (store_own_head), seals the next records
 * from it and hands them over as one BATCH job of ISSUE sub jobs with
 * seal NULL. The writer applies the job like store_issue_batch's
 * (store_batch.c: a nested transaction, the first refusal aborts it),
 * but instead of numbering and sealing each record it checks it
 * (store_sealed_check): the head is still its prev, and its object's
 * latest version is still the one it supersedes. Then the merge rules,
 * indexes and observer are those of any issue. The signed bytes are
 * never re-signed: a moved head refuses the batch (RM_EBUSY) and the
 * caller seals it again from the new head.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "node/store/store_int.h"

/* latest[origin, oid] into *h, *ver; MDB_NOTFOUND if absent. */
static int
latest_get(store *s, MDB_txn *txn, const char *origin, const char *oid,
    rm_hash *h, uint64_t *ver)
{
	uint8_t kb[RM_AGENCY_ID_MAX + 1 + RM_OBJECT_ID_MAX];
	size_t on = strnlen(origin, RM_AGENCY_ID_MAX);
	size_t bn = strnlen(oid, RM_OBJECT_ID_MAX);
	MDB_val k = { on + 1 + bn, kb }, v;
	int mrc;

	memcpy(kb, origin, on);
	kb[on] = 0;
	memcpy(kb + on + 1, oid, bn);
	if ((mrc = mdb_get(txn, s->db_latest, &k, &v)) != 0)
		return mrc;
	if (v.mv_size != STORE_LATEST_LEN)
		return MDB_CORRUPTED;
	memcpy(h->b, v.mv_data, RM_HASH_BYTES);
	*ver = store_be64_get((const uint8_t *)v.mv_data + RM_HASH_BYTES);
	return 0;
}

/* The head of origin's log in txn: heads.max and the hash logged at it
 * (zeroed when the log is empty). MDB code. */
static int
head_get(store *s, MDB_txn *txn, const char *origin, struct store_heads *h,
    rm_hash *hash)
{
	int mrc;

	memset(hash, 0, sizeof(*hash));
	if ((mrc = store_heads_get(s, txn, origin, h)) != 0 || h->max == 0)
		return mrc;
	mrc = store_log_get(s, txn, origin, h->max, hash);
	return mrc == MDB_NOTFOUND ? MDB_CORRUPTED : mrc;
}

int
store_own_head(store *s, const char *origin, uint64_t *seq, rm_hash *hash,
    rm_why *why)
{
	struct store_heads h;
	rm_hash hh;
	MDB_txn *txn;
	int mrc;

	if (s == NULL || origin == NULL || origin[0] == '\0' ||
	    strlen(origin) > RM_AGENCY_ID_MAX || seq == NULL || hash == NULL)
		return rm_fail(why, RM_EINVAL, "store own head: bad argument");
	if ((mrc = store_rd_begin(s, &txn)) != 0)
		return store_mdb_fail(why, mrc, "store own head");
	mrc = head_get(s, txn, origin, &h, &hh);
	store_rd_end(s, txn);
	if (mrc != 0)
		return store_mdb_fail(why, mrc, "store own head");
	if (h.flags & STORE_HEADS_FORKED)
		return rm_fail(why, RM_EFORK, "origin %s is marked forked",
		    origin);
	*seq = h.max;
	*hash = hh;
	return RM_OK;
}

int
store_sealed_check(store *s, MDB_txn *txn, struct store_job *j)
{
	const struct rm_record *rec = j->irec;
	struct store_heads h;
	rm_hash head, cur;
	uint64_t ver;
	int mrc;

	j->head_moved = false;
	if ((mrc = head_get(s, txn, rec->origin, &h, &head)) != 0)
		return mrc;
	if (h.flags & STORE_HEADS_FORKED) {
		j->err = rm_fail(&j->iwhy, RM_EFORK, "store issue: origin %s "
		    "is marked forked", rec->origin);
		return 0;
	}
	if (h.max + 1 != rec->seq || (rec->has_prev &&
	    memcmp(head.b, rec->prev.b, RM_HASH_BYTES) != 0)) {
		j->head_moved = true;
		j->err = rm_fail(&j->iwhy, RM_EBUSY, "the log head of %s moved "
		    "(now seq %llu) since the record at seq %llu was sealed",
		    rec->origin, (unsigned long long)h.max,
		    (unsigned long long)rec->seq);
		return 0;
	}
	mrc = latest_get(s, txn, rec->origin, rec->object_id, &cur, &ver);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return mrc;
	if (mrc == MDB_NOTFOUND ? rec->has_supersedes :
	    !rec->has_supersedes || ver + 1 != rec->ver ||
	    memcmp(cur.b, rec->supersedes.b, RM_HASH_BYTES) != 0)
		j->err = rm_fail(&j->iwhy, RM_EBUSY, "object %s changed "
		    "concurrently (now at ver %llu); retry", rec->object_id,
		    (unsigned long long)(mrc == MDB_NOTFOUND ? 0 : ver));
	return 0;
}

/* Are items a chain from (head_seq, head_hash) of one origin? */
static int
chain_valid(uint64_t head_seq, const rm_hash *head_hash,
    const struct store_sealed_item *items, size_t n, size_t *bad,
    rm_why *why)
{
	const char *origin = items[0].rec != NULL ?
	    items[0].rec->origin : "";

	for (size_t i = 0; i < n; i++) {
		const struct store_sealed_item *it = &items[i];
		const struct rm_record *r = it->rec;
		const rm_hash *prev = i == 0 ? head_hash : &items[i - 1].hash;

		*bad = i;
		if (r == NULL || it->bytes == NULL || it->len == 0 ||
		    it->len > COSE_SIGN1_MAX || r->kind == NULL)
			return rm_fail(why, RM_EINVAL, "store sealed batch: "
			    "record %zu missing or too big", i);
		if (origin[0] == '\0' || strcmp(r->origin, origin) != 0 ||
		    r->object_id[0] == '\0' || r->ver == 0)
			return rm_fail(why, RM_EINVAL, "store sealed batch: "
			    "record %zu: one origin, an object id and a ver "
			    "required", i);
		if (r->seq != head_seq + 1 + i || r->has_prev != (r->seq > 1) ||
		    (r->has_prev && memcmp(r->prev.b, prev->b,
		    RM_HASH_BYTES) != 0))
			return rm_fail(why, RM_EINVAL, "store sealed batch: "
			    "record %zu is not seq %llu chained on the one "
			    "before", i, (unsigned long long)(head_seq + 1 + i));
	}
	*bad = n;
	return RM_OK;
}

int
store_put_sealed_batch(store *s, uint64_t head_seq, const rm_hash *head_hash,
    struct store_sealed_item *items, size_t n, size_t *bad, rm_why *why)
{
	struct store_job *j;
	size_t b = n;
	int rv;

	if (bad != NULL)
		*bad = n;
	if (s == NULL || items == NULL || head_hash == NULL || n == 0 ||
	    n > STORE_ISSUE_BATCH_MAX)
		return rm_fail(why, RM_EINVAL, "store sealed batch: missing "
		    "argument or %zu records (at most %d)", n,
		    STORE_ISSUE_BATCH_MAX);
	if ((rv = chain_valid(head_seq, head_hash, items, n, &b, why)) !=
	    RM_OK) {
		if (bad != NULL)
			*bad = b;
		return rv;
	}
	if ((j = store_batch_new(n)) == NULL)
		return rm_fail(why, RM_ENOMEM, "store sealed batch: out of "
		    "memory");
	for (size_t i = 0; i < n; i++) {
		struct store_job *sj = &j->subs[i];

		/* never written: the job only reads a pre-sealed record */
		sj->irec = (struct rm_record *)items[i].rec;
		sj->iver0 = items[i].rec->ver;
		sj->hash = items[i].hash;
		if (rm_buf_append(&sj->sealed, items[i].bytes, items[i].len) !=
		    RM_OK) {
			store_job_free(j);
			return rm_fail(why, RM_ENOMEM, "store sealed batch: out "
			    "of memory");
		}
	}
	if ((rv = store_batch_run(s, j, bad, why)) == RM_OK)
		for (size_t i = 0; i < n; i++)
			items[i].res = j->subs[i].res;
	store_job_free(j);
	return rv;
}
