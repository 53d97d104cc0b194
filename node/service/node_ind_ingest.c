/*
 * node_ind_ingest.c -- bulk ingest of indicator values (service.h,
 * service_indicator_ingest): defaults from the definitions, grouping
 * into series, the checks of every series before the first is issued,
 * then one record (one commit) per series.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* A code's newest definition, looked up once per ingest. */
struct def_cache {
	char code[RM_IND_CODE_MAX + 1];
	bool found;
	char unit[RM_IND_UNIT_MAX + 1];
	enum rm_ind_source source;
};

struct ingest {
	struct node *n;
	struct rm_ind_value *v;
	size_t nv;
	bool skip_bad;
	rm_ind_row_err_fn bad;
	void *arg;
	struct def_cache *defs;
	size_t n_defs, cap_defs;
	bool *refused;               /* per value */
	size_t n_refused;
	int first_err;
	rm_why first_why;
};

static int
def_first(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct def_cache *d = arg;
	const struct rm_indicator_def *b = record_indicator_def(rec);

	(void)h;
	(void)p;
	(void)n;
	if (b == NULL)
		return RM_OK;
	d->found = true;
	memcpy(d->unit, b->unit, sizeof(d->unit));
	d->source = b->source;
	return RM_EEXIST;            /* stop: the newest is enough */
}

static int
def_lookup(struct ingest *g, const char *code, const struct def_cache **out)
{
	char key[RM_INDEX_KEY_MAX + 1];
	struct def_cache *d;
	int rv;

	for (size_t i = 0; i < g->n_defs; i++)
		if (strcmp(g->defs[i].code, code) == 0) {
			*out = &g->defs[i];
			return RM_OK;
		}
	if (g->n_defs == g->cap_defs) {
		size_t nc = g->cap_defs ? g->cap_defs * 2 : 16;
		void *p = realloc(g->defs, nc * sizeof(*g->defs));

		if (p == NULL)
			return RM_ENOMEM;
		g->defs = p;
		g->cap_defs = nc;
	}
	d = &g->defs[g->n_defs];
	memset(d, 0, sizeof(*d));
	memcpy(d->code, code, strlen(code) + 1);
	snprintf(key, sizeof(key), "code=%s", code);
	rv = store_index_each(g->n->store, &rm_kind_indicator_def, key,
	    rm_utc_now_ms(), def_first, d);
	if (rv != RM_OK && rv != RM_EEXIST)
		return rv;
	g->n_defs++;
	*out = d;
	return RM_OK;
}

/* Value i refused: reported, counted; the first refusal is kept. */
static void
refuse(struct ingest *g, size_t i, int err, const char *field,
    const char *reason)
{
	struct rm_ind_row_err e;

	memset(&e, 0, sizeof(e));
	e.line = g->v[i].line;
	e.err = err;
	snprintf(e.field, sizeof(e.field), "%.15s", field);
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	if (g->n_refused++ == 0) {
		g->first_err = err;
		rm_fail_at(&g->first_why, err, field, "line %zu: %s", e.line,
		    reason);
	}
	g->refused[i] = true;
	if (g->bad != NULL)
		g->bad(g->arg, &e);
}

/* The units and sources the values leave to their definitions. */
static int
fill_defaults(struct ingest *g, rm_why *why)
{
	const struct def_cache *d;
	char r[RM_WHY_MAX];
	int rv;

	for (size_t i = 0; i < g->nv; i++) {
		struct rm_ind_value *v = &g->v[i];

		if (v->unit[0] != '\0' && v->source != 0)
			continue;
		if ((rv = def_lookup(g, v->code, &d)) != RM_OK)
			return rm_fail(why, rv, "cannot read indicator "
			    "definitions: %s", rm_strerror(rv));
		if (!d->found) {
			snprintf(r, sizeof(r), "no %s given and no definition "
			    "of %s says it", v->unit[0] == '\0' ? "unit" :
			    "source", v->code);
			refuse(g, i, RM_EMISSING, v->unit[0] == '\0' ? "unit" :
			    "source", r);
			continue;
		}
		if (v->unit[0] == '\0')
			memcpy(v->unit, d->unit, sizeof(v->unit));
		if (v->source == 0)
			v->source = d->source;
	}
	return RM_OK;
}

/* Order: the series key, then time, then input order. */
static int
value_cmp(const void *pa, const void *pb)
{
	const struct rm_ind_value *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->code, b->code)) != 0 ||
	    (c = strcmp(a->area, b->area)) != 0 ||
	    (c = (int)a->source - (int)b->source) != 0 ||
	    (c = strcmp(a->unit, b->unit)) != 0 ||
	    (c = (int)a->period - (int)b->period) != 0)
		return c;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static bool
same_series(const struct rm_ind_value *a, const struct rm_ind_value *b)
{
	return strcmp(a->code, b->code) == 0 && strcmp(a->area, b->area) ==
	    0 && a->source == b->source && strcmp(a->unit, b->unit) == 0 &&
	    a->period == b->period;
}

/* One series to issue: values [from, to) of g->v (refused ones and
 * replaced times skipped), as points. */
struct series {
	size_t from, to;
	struct rm_ind_point *pts;    /* into the shared points array */
	size_t npts;
};

static atomic_uint oid_counter;

static void
draft_init(struct ingest *g, const struct series *s, struct rm_record *r,
    struct rm_indicator *b, rm_utc_ms now)
{
	const struct rm_ind_value *v = &g->v[s->from];

	memset(r, 0, sizeof(*r));
	memset(b, 0, sizeof(*b));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_indicator;
	r->body = b;
	snprintf(r->origin, sizeof(r->origin), "%s", g->n->cfg.agency);
	snprintf(r->object_id, sizeof(r->object_id), "ind:%s:%s:%llx.%x",
	    v->code, v->area, (unsigned long long)now,
	    atomic_fetch_add(&oid_counter, 1));
	r->issued_ms = now;
	r->n_areas = 1;
	memcpy(r->areas[0], v->area, sizeof(r->areas[0]));
	memcpy(b->code, v->code, sizeof(b->code));
	memcpy(b->unit, v->unit, sizeof(b->unit));
	b->source = v->source;
	b->period = v->period;
	b->points = s->pts;
	b->n_points = s->npts;
}

/* Cut the sorted values into series; pts has room for nv points. */
static int
group(struct ingest *g, struct rm_ind_point *pts, struct series **out,
    size_t *nout)
{
	struct series *ss = NULL, *s = NULL;
	size_t ns = 0, cap = 0, np = 0, bytes = 0;

	for (size_t i = 0; i < g->nv; i++) {
		struct rm_ind_value *v = &g->v[i];
		struct rm_ind_point p = { v->t, v->v };

		if (g->refused[i])
			continue;
		/* a later value of the same time replaces this one */
		if (i + 1 < g->nv && !g->refused[i + 1] &&
		    same_series(v, &g->v[i + 1]) && g->v[i + 1].t == v->t)
			continue;
		if (s == NULL || !same_series(&g->v[s->from], v) ||
		    s->npts == RM_IND_POINTS_MAX || bytes +
		    indicator_point_size(&p, s->pts[0].t) >
		    RM_IND_POINTS_BYTES_MAX) {
			if (ns == cap) {
				size_t nc = cap ? cap * 2 : 16;
				void *q = realloc(ss, nc * sizeof(*ss));

				if (q == NULL) {
					free(ss);
					return RM_ENOMEM;
				}
				ss = q;
				cap = nc;
			}
			s = &ss[ns++];
			s->from = i;
			s->pts = &pts[np];
			s->npts = 0;
			bytes = 0;
		}
		bytes += indicator_point_size(&p, s->npts == 0 ? p.t :
		    s->pts[0].t);
		s->pts[s->npts++] = p;
		s->to = i + 1;
		np++;
	}
	*out = ss;
	*nout = ns;
	return RM_OK;
}

/* Check every series (record rules, roster) before issuing any. */
static void
check_series(struct ingest *g, struct series *ss, size_t ns, rm_utc_ms now)
{
	struct rm_record r;
	struct rm_indicator b;
	rm_why w;

	int rv;

	for (size_t k = 0; k < ns; k++) {
		draft_init(g, &ss[k], &r, &b, now);
		memset(&w, 0, sizeof(w));
		if ((rv = node_issue_draft_valid(g->n, &rm_kind_indicator, &r,
		    &w)) == RM_OK &&
		    (rv = node_issue_authorise(g->n, &r, &w)) == RM_OK)
			continue;
		/* the roster refuses an area (or the kind); the record's
		 * rules can only refuse a time out of range here */
		for (size_t i = ss[k].from; i < ss[k].to; i++)
			if (!g->refused[i])
				refuse(g, i, rv, w.field[0] != '\0' ? w.field :
				    rv == RM_EUNAUTH || rv == RM_EUNKNOWNSIGNER ?
				    "area" : "time", w.msg);
		ss[k].npts = 0;      /* not issued */
	}
}

static int
issue_all(struct ingest *g, struct series *ss, size_t ns,
    struct service_ind_ingest *res, rm_why *why)
{
	struct issue_base base = { g->n, false, { { 0 } } };
	struct rm_record r;
	struct rm_indicator b;
	int rv;

	if ((res->series = calloc(ns ? ns : 1, sizeof(*res->series))) == NULL)
		return rm_fail(why, RM_ENOMEM, "out of memory");
	for (size_t k = 0; k < ns; k++) {
		struct service_ind_series *o = &res->series[res->n_series];

		if (ss[k].npts == 0)
			continue;
		draft_init(g, &ss[k], &r, &b, rm_utc_now_ms());
		if ((rv = node_issue_commit(g->n, &r, &base, &o->is, why)) !=
		    RM_OK)
			return rv;
		memcpy(o->code, b.code, sizeof(o->code));
		memcpy(o->area, r.areas[0], sizeof(o->area));
		memcpy(o->unit, b.unit, sizeof(o->unit));
		o->source = b.source;
		o->period = b.period;
		o->count = b.n_points;
		o->first = b.points[0].t;
		o->last = b.points[b.n_points - 1].t;
		res->n_series++;
		res->values += b.n_points;
	}
	return RM_OK;
}

int
service_indicator_ingest(struct node *n, struct rm_ind_value *v, size_t nv,
    bool skip_bad, rm_ind_row_err_fn bad, void *arg,
    struct service_ind_ingest *res, rm_why *why)
{
	struct ingest g = { .n = n, .v = v, .nv = nv, .skip_bad = skip_bad,
		.bad = bad, .arg = arg };
	struct rm_ind_point *pts = NULL;
	struct series *ss = NULL;
	size_t ns = 0;
	int rv;

	memset(res, 0, sizeof(*res));
	if (nv == 0)
		return rm_fail_at(why, RM_EMISSING, "values", "no values");
	if ((g.refused = calloc(nv, sizeof(*g.refused))) == NULL ||
	    (pts = calloc(nv, sizeof(*pts))) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "out of memory");
		goto out;
	}
	if ((rv = fill_defaults(&g, why)) != RM_OK)
		goto out;
	qsort(v, nv, sizeof(*v), value_cmp);
	/* refused[] follows the values: recompute after the sort */
	memset(g.refused, 0, nv * sizeof(*g.refused));
	for (size_t i = 0; i < nv; i++)
		g.refused[i] = v[i].unit[0] == '\0' || v[i].source == 0;
	if ((rv = group(&g, pts, &ss, &ns)) != RM_OK) {
		rv = rm_fail(why, rv, "out of memory");
		goto out;
	}
	check_series(&g, ss, ns, rm_utc_now_ms());
	res->refused = g.n_refused;
	if (g.n_refused > 0 && !skip_bad) {
		rv = g.first_err;
		if (why != NULL)
			*why = g.first_why;
		goto out;
	}
	rv = issue_all(&g, ss, ns, res, why);
out:
	free(ss);
	free(pts);
	free(g.defs);
	free(g.refused);
	return rv;
}
