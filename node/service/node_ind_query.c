/*
 * node_ind_query.c -- single values of stored indicator series
 * (service.h, service_indicator_values): index lookups by code and
 * area ("code=", "at=", "in=" keys of schemas/indicator_kind.c), every
 * series found decoded once, its points filtered, de-duplicated (a
 * newer series' value of one time replaces an older one), sorted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* One series a query touched: what its values borrow. */
struct q_series {
	char code[RM_IND_CODE_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	char unit[RM_IND_UNIT_MAX + 1];
	char origin[RM_AGENCY_ID_MAX + 1];
	rm_hash hash;
	enum rm_ind_source source;
	enum rm_ind_period period;
	rm_utc_ms issued_ms;
	uint64_t seq;
};

struct q_value {
	size_t s;                    /* index in q_walk.ss */
	int64_t t;
	rm_utc_ms ms;
	struct rm_decimal v;
};

struct q_walk {
	const struct service_ind_query *q;
	struct q_series *ss;
	size_t ns, cap_s;
	struct q_value *vs;
	size_t nv, cap_v;
};

static bool
point_wanted(const struct service_ind_query *q, enum rm_ind_period k,
    int64_t t, rm_utc_ms ms)
{
	if ((q->from_ms != 0 && ms < q->from_ms) ||
	    (q->to_ms != 0 && ms > q->to_ms))
		return false;
	if (!q->has_period)
		return true;
	if (k == q->period_kind)
		return t == q->period;
	return k == RM_IND_INSTANT &&
	    indicator_period_of(q->period_kind, ms) == q->period;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *np;
	size_t nc;

	if (need <= *cap)
		return RM_OK;
	nc = *cap ? *cap * 2 : 256;
	while (nc < need)
		nc *= 2;
	if ((np = realloc(*p, nc * size)) == NULL)
		return RM_ENOMEM;
	*p = np;
	*cap = nc;
	return RM_OK;
}

static int
gather(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct q_walk *w = arg;
	const struct rm_indicator *b = record_indicator(rec);
	const struct service_ind_query *q = w->q;
	struct q_series *s;
	size_t si = w->ns;

	(void)p;
	(void)n;
	if (b == NULL || strcmp(b->code, q->code) != 0)
		return RM_OK;
	if (q->area != NULL && (q->match == SERVICE_IND_EXACT ?
	    !(area_contains(q->area, rec->areas[0]) &&
	    area_contains(rec->areas[0], q->area)) :
	    q->match == SERVICE_IND_WITHIN ?
	    !area_contains(q->area, rec->areas[0]) :
	    !area_overlaps(q->area, rec->areas[0])))
		return RM_OK;
	if ((q->from_ms != 0 && indicator_time_ms(b->period,
	    b->points[b->n_points - 1].t) < q->from_ms) ||
	    (q->to_ms != 0 && indicator_time_ms(b->period, b->points[0].t) >
	    q->to_ms))
		return RM_OK;
	if (grow((void **)&w->ss, &w->cap_s, w->ns + 1, sizeof(*w->ss)) !=
	    RM_OK)
		return RM_ENOMEM;
	s = &w->ss[w->ns++];
	memcpy(s->code, b->code, sizeof(s->code));
	memcpy(s->area, rec->areas[0], sizeof(s->area));
	memcpy(s->unit, b->unit, sizeof(s->unit));
	memcpy(s->origin, rec->origin, sizeof(s->origin));
	s->hash = *h;
	s->source = b->source;
	s->period = b->period;
	s->issued_ms = rec->issued_ms;
	s->seq = rec->seq;
	for (size_t i = 0; i < b->n_points; i++) {
		rm_utc_ms ms = indicator_time_ms(b->period, b->points[i].t);
		struct q_value *v;

		if (!point_wanted(q, b->period, b->points[i].t, ms))
			continue;
		if (w->nv >= SERVICE_IND_SCAN_MAX)
			return RM_ETOOBIG;
		if (grow((void **)&w->vs, &w->cap_v, w->nv + 1,
		    sizeof(*w->vs)) != RM_OK)
			return RM_ENOMEM;
		v = &w->vs[w->nv++];
		v->s = si;
		v->t = b->points[i].t;
		v->ms = ms;
		v->v = b->points[i].v;
	}
	return RM_OK;
}

static _Thread_local const struct q_series *tl_ss;

/* Same (origin, area, source, period, t) together, newest series first. */
static int
dedup_cmp(const void *pa, const void *pb)
{
	const struct q_value *a = pa, *b = pb;
	const struct q_series *x = &tl_ss[a->s], *y = &tl_ss[b->s];
	int c;

	if ((c = strcmp(x->origin, y->origin)) != 0 ||
	    (c = strcmp(x->area, y->area)) != 0 ||
	    (c = (int)x->source - (int)y->source) != 0 ||
	    (c = (int)x->period - (int)y->period) != 0)
		return c;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (x->issued_ms != y->issued_ms)
		return x->issued_ms > y->issued_ms ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static int
time_cmp(const void *pa, const void *pb)
{
	const struct q_value *a = pa, *b = pb;
	int c;

	if (a->ms != b->ms)
		return a->ms > b->ms ? -1 : 1;   /* newest first */
	if ((c = strcmp(tl_ss[a->s].area, tl_ss[b->s].area)) != 0)
		return c;
	return (int)tl_ss[a->s].source - (int)tl_ss[b->s].source;
}

/* Newest first per area, for `latest`. */
static int
area_time_cmp(const void *pa, const void *pb)
{
	const struct q_value *a = pa, *b = pb;
	int c = strcmp(tl_ss[a->s].area, tl_ss[b->s].area);

	return c != 0 ? c : time_cmp(pa, pb);
}

static size_t
dedup(struct q_walk *w)
{
	size_t o = 0;

	qsort(w->vs, w->nv, sizeof(*w->vs), dedup_cmp);
	for (size_t i = 0; i < w->nv; i++) {
		const struct q_series *x = &w->ss[w->vs[i].s];

		if (o > 0) {
			const struct q_value *p = &w->vs[o - 1];
			const struct q_series *y = &w->ss[p->s];

			if (p->t == w->vs[i].t && x->source == y->source &&
			    x->period == y->period &&
			    strcmp(x->origin, y->origin) == 0 &&
			    strcmp(x->area, y->area) == 0)
				continue;
		}
		w->vs[o++] = w->vs[i];
	}
	return o;
}

/* The index walks of q: one key, or for "overlap" the areas within
 * and each area strictly containing q->area. */
static int
walk(struct node *n, struct q_walk *w, rm_utc_ms now)
{
	static const size_t levels[] = { 2, 4, 6, 9, 12 };
	const struct service_ind_query *q = w->q;
	char key[RM_INDEX_KEY_MAX + 1], pre[RM_AREA_CODE_MAX + 1];
	size_t plen;
	int rv;

	if (q->area == NULL) {
		snprintf(key, sizeof(key), "code=%s", q->code);
		return store_index_each(n->store, &rm_kind_indicator, key, now,
		    gather, w);
	}
	plen = area_code_prefix(q->area, pre);
	snprintf(key, sizeof(key), "%s=%s@%s", q->match == SERVICE_IND_EXACT ?
	    "at" : "in", q->code, pre);
	if ((rv = store_index_each(n->store, &rm_kind_indicator, key, now,
	    gather, w)) != RM_OK || q->match != SERVICE_IND_OVERLAP)
		return rv;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]) &&
	    levels[i] < plen; i++) {
		snprintf(key, sizeof(key), "at=%s@%.*s", q->code,
		    (int)levels[i], pre);
		if ((rv = store_index_each(n->store, &rm_kind_indicator, key,
		    now, gather, w)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

int
service_indicator_values(struct node *n, const struct service_ind_query *q,
    rm_utc_ms now, service_ind_fn each, void *arg, rm_why *why)
{
	struct q_walk w;
	struct service_ind_obs o;
	size_t limit = q->limit ? q->limit : SERVICE_IND_LIMIT_DEFAULT, nv;
	size_t out = 0;
	int rv;

	if (q->code == NULL)
		return rm_fail_at(why, RM_EMISSING, "code", "required");
	if (!indicator_code_valid(q->code, strlen(q->code)))
		return rm_fail_at(why, RM_EBADVALUE, "code", "\"%.60s\" is not "
		    "an indicator code (%s)", q->code, RM_IND_CODE_RULE);
	if (q->area != NULL && (strlen(q->area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(q->area)))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code", q->area);
	if (limit > SERVICE_IND_LIMIT_MAX)
		return rm_fail_at(why, RM_EBADVALUE, "limit", "at most %d",
		    SERVICE_IND_LIMIT_MAX);
	memset(&w, 0, sizeof(w));
	w.q = q;
	if ((rv = walk(n, &w, now)) != RM_OK) {
		rv = rv == RM_ETOOBIG ? rm_fail(why, rv, "more than %d values "
		    "match: narrow the query (area, from, to, period)",
		    SERVICE_IND_SCAN_MAX) : rm_fail(why, rv, "cannot read "
		    "indicators: %s", rm_strerror(rv));
		goto out;
	}
	tl_ss = w.ss;
	nv = dedup(&w);
	qsort(w.vs, nv, sizeof(*w.vs), q->latest ? area_time_cmp : time_cmp);
	memset(&o, 0, sizeof(o));
	for (size_t k = 0; k < nv && out < limit; k++) {
		size_t i = q->ascending && !q->latest ? nv - 1 - k : k;
		const struct q_value *v = &w.vs[i];
		const struct q_series *s = &w.ss[v->s];

		if (q->latest && k > 0 && strcmp(w.ss[w.vs[k - 1].s].area,
		    s->area) == 0)
			continue;
		o.code = s->code;
		o.area = s->area;
		o.unit = s->unit;
		o.origin = s->origin;
		o.series = &s->hash;
		o.source = s->source;
		o.period = s->period;
		o.t = v->t;
		o.time_ms = v->ms;
		o.value = v->v;
		o.value_d = decimal_to_double(v->v);
		out++;
		if ((rv = each(arg, &o)) != RM_OK)
			goto out;
	}
	rv = RM_OK;
out:
	tl_ss = NULL;
	free(w.ss);
	free(w.vs);
	return rv;
}
