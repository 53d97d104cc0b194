/*
 * node_risk_diff.c -- the changes of the risk register between two
 * dates (service_risks_diff): the store's history of kind "risk" over
 * [from, to) (a range scan of `history`), grouped per object, each
 * compared with the version in force before `from` (the first
 * version's supersedes).
 */
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* One version issued in the interval. */
struct dv {
	char origin[RM_AGENCY_ID_MAX + 1];
	char oid[RM_OBJECT_ID_MAX + 1];
	uint64_t ver;
	rm_utc_ms issued_ms;
	rm_hash hash;
	bool has_sup;
	rm_hash sup;
};

struct dvs {
	struct dv *v;
	size_t n, cap;
};

static int
collect(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct dvs *d = arg;
	struct dv *e;

	(void)p;
	(void)n;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct dv *nv = realloc(d->v, cap * sizeof(*nv));

		if (nv == NULL)
			return RM_ENOMEM;
		d->v = nv;
		d->cap = cap;
	}
	e = &d->v[d->n++];
	memcpy(e->origin, rec->origin, sizeof(e->origin));
	memcpy(e->oid, rec->object_id, sizeof(e->oid));
	e->ver = rec->ver;
	e->issued_ms = rec->issued_ms;
	e->hash = *h;
	e->has_sup = rec->has_supersedes;
	e->sup = rec->supersedes;
	return RM_OK;
}

static int
obj_cmp(const struct dv *a, const struct dv *b)
{
	int d = strcmp(a->origin, b->origin);

	return d != 0 ? d : strcmp(a->oid, b->oid);
}

/* By object, then ver. */
static int
dv_cmp(const void *x, const void *y)
{
	const struct dv *a = x, *b = y;
	int d = obj_cmp(a, b);

	if (d != 0)
		return d;
	return a->ver < b->ver ? -1 : a->ver > b->ver;
}

/* One object's versions v[first..last] (by ver). */
struct drun {
	size_t first, last;
	const struct dv *lastv;
};

/* By the last version's issued time, then object. */
static int
run_cmp(const void *x, const void *y)
{
	const struct drun *a = x, *b = y;

	if (a->lastv->issued_ms != b->lastv->issued_ms)
		return a->lastv->issued_ms < b->lastv->issued_ms ? -1 : 1;
	return obj_cmp(a->lastv, b->lastv);
}

static int
load(struct node *n, const rm_hash *h, rm_buf *b, struct rm_record *rec)
{
	struct cose_sign1 msg;
	int rv;

	rm_buf_reset(b);
	if ((rv = store_get(n->store, h, b)) != RM_OK)
		return rv;
	if ((rv = cose_sign1_decode(b->data, b->len, &msg, NULL)) != RM_OK)
		return rv;
	return record_decode(msg.payload, msg.payload_len, rec, NULL);
}

static const char *
classify(const struct rm_record *old, const struct rm_record *cur)
{
	const struct rm_risk *o = old != NULL ? record_risk(old) : NULL;
	const struct rm_risk *c = record_risk(cur);

	if (c->status == RM_RISK_REMOVED)
		return "removed";
	if (o == NULL)
		return "added";
	if (o->grade != c->grade)
		return "regraded";
	return "changed";
}

/* Report one object's run. */
static int
report(struct node *n, const struct dv *v, const struct drun *r,
    const char *area,
    int (*each)(void *arg, const struct service_risk_change *c), void *arg)
{
	struct rm_record old, cur;
	struct service_risk_change ch;
	rm_buf ob = RM_BUF_INIT, cb = RM_BUF_INIT;
	bool has_old = false;
	int rv;

	memset(&ch, 0, sizeof(ch));
	if ((rv = load(n, &v[r->last].hash, &cb, &cur)) != RM_OK)
		goto out_buf;
	if (record_risk(&cur) == NULL)
		goto out;                /* restricted: not ours to read */
	if (v[r->first].has_sup &&
	    load(n, &v[r->first].sup, &ob, &old) == RM_OK) {
		has_old = record_risk(&old) != NULL;
		if (!has_old)
			record_fini(&old);
	}
	if (area != NULL && !area_overlaps(area, cur.areas[0]) &&
	    !(has_old && area_overlaps(area, old.areas[0])))
		goto out;
	ch.change = classify(has_old ? &old : NULL, &cur);
	ch.old = has_old ? &old : NULL;
	ch.old_hash = has_old ? &v[r->first].sup : NULL;
	ch.cur = &cur;
	ch.cur_hash = &v[r->last].hash;
	ch.versions = (unsigned)(r->last - r->first + 1);
	rv = each(arg, &ch);
out:
	if (has_old)
		record_fini(&old);
	record_fini(&cur);
out_buf:
	rm_buf_fini(&ob);
	rm_buf_fini(&cb);
	return rv;
}

int
service_risks_diff(struct node *n, rm_utc_ms from_ms, rm_utc_ms to_ms,
    const char *area,
    int (*each)(void *arg, const struct service_risk_change *c), void *arg,
    rm_why *why)
{
	struct dvs d = { NULL, 0, 0 };
	struct drun *runs = NULL;
	size_t i, nr = 0;
	int rv;

	if (from_ms >= to_ms)
		return rm_fail_at(why, RM_EBADVALUE, "from", "must be before to");
	if (area != NULL && (strlen(area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(area)))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code", area);
	rv = store_history(n->store, &rm_kind_risk, from_ms, to_ms, collect,
	    &d);
	if (rv != RM_OK)
		goto fail;
	qsort(d.v, d.n, sizeof(d.v[0]), dv_cmp);
	if (d.n > 0 && (runs = calloc(d.n, sizeof(*runs))) == NULL) {
		rv = RM_ENOMEM;
		goto fail;
	}
	for (i = 0; i < d.n; i++) {
		if (i == 0 || obj_cmp(&d.v[i], &d.v[i - 1]) != 0)
			runs[nr++].first = i;
		runs[nr - 1].last = i;
		runs[nr - 1].lastv = &d.v[i];
	}
	qsort(runs, nr, sizeof(runs[0]), run_cmp);
	for (i = 0; i < nr && rv == RM_OK; i++)
		rv = report(n, d.v, &runs[i], area, each, arg);
fail:
	free(runs);
	free(d.v);
	if (rv != RM_OK && why->msg[0] == '\0')
		return rm_fail(why, rv, "cannot read the risk history: %s",
		    rm_strerror(rv));
	return rv;
}
