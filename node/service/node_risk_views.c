/*
 * node_risk_views.c -- the views of the risk register (service.h "risk
 * register views"): filtered pages and the roll-up summary over the
 * store's query engine. The changes between two dates are in
 * node_risk_diff.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* The store query of f; keys are written into kb (one per slot). */
struct risk_q {
	struct store_query q;
	char kb[STORE_QUERY_KEYS_MAX][RM_INDEX_KEY_MAX + 1];
	char hi[RM_INDEX_KEY_MAX + 1];
};

static void
q_key(struct risk_q *r, const char *fmt, const char *v)
{
	snprintf(r->kb[r->q.n_keys], sizeof(r->kb[0]), fmt, v);
	r->q.keys[r->q.n_keys] = r->kb[r->q.n_keys];
	r->q.n_keys++;
}

static int
risk_query(const struct service_risk_filter *f, rm_utc_ms now,
    struct risk_q *r, rm_why *why)
{
	char today[32];

	memset(r, 0, sizeof(*r));
	if (f->area != NULL && (strlen(f->area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(f->area)))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code", f->area);
	if (f->within && f->area == NULL)
		return rm_fail_at(why, RM_EBADVALUE, "within", "needs an area");
	if (f->limit > SERVICE_RISKS_LIMIT_MAX)
		return rm_fail_at(why, RM_EBADVALUE, "limit", "at most %d",
		    SERVICE_RISKS_LIMIT_MAX);
	if (f->today != NULL && !risk_date_valid(f->today))
		return rm_fail_at(why, RM_EBADVALUE, "today", "\"%.20s\" is not "
		    "a date YYYY-MM-DD", f->today);
	r->q.kind = &rm_kind_risk;
	r->q.area = f->area;
	r->q.area_mode = f->within ? STORE_AREA_WITHIN : STORE_AREA_OVERLAP;
	r->q.limit = f->limit;
	r->q.after = f->after;
	r->q.now = now;
	if (f->grade != 0)
		q_key(r, "grade=%s", grade_name(f->grade));
	if (f->status != 0)
		q_key(r, "status=%s", risk_status_name(f->status));
	if (f->category != 0)
		q_key(r, "category=%s", risk_category_name(f->category));
	if (f->subcategory != 0)
		q_key(r, "subcategory=%s", risk_subcategory_name(f->subcategory));
	if (f->responsible != NULL)
		q_key(r, "responsible=%.52s", f->responsible);
	if (f->overdue) {
		if (f->today == NULL)
			rm_utc_format(now, today);
		snprintf(r->hi, sizeof(r->hi), "review=%.10s",
		    f->today != NULL ? f->today : today);
		r->q.range_lo = "review=";
		r->q.range_hi = r->hi;
	}
	return RM_OK;
}

int
service_risks_page(struct node *n, const struct service_risk_filter *f,
    rm_utc_ms now, store_each_fn each, void *arg, struct store_page *page,
    rm_why *why)
{
	struct risk_q r;
	int rv;

	if ((rv = risk_query(f, now, &r, why)) != RM_OK)
		return rv;
	if ((rv = store_query(n->store, &r.q, each, arg, page)) != RM_OK)
		return rm_fail(why, rv, "cannot read risks: %s",
		    rm_strerror(rv));
	return RM_OK;
}

/* ---------------- summary ---------------- */

/* One group of the summary and its counts. */
struct sgroup {
	char name[RM_INDEX_KEY_MAX + 1];
	struct service_risk_counts c;
};

struct sgroups {
	struct sgroup *g;
	size_t n, cap;
};

struct summary {
	struct service_risk_counts total;
	struct sgroups areas, units;
};

static struct sgroup *
sgroup_get(struct sgroups *gs, const char *name)
{
	for (size_t i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].name, name) == 0)
			return &gs->g[i];
	if (gs->n == gs->cap) {
		size_t cap = gs->cap ? 2 * gs->cap : 32;
		struct sgroup *ng = realloc(gs->g, cap * sizeof(*ng));

		if (ng == NULL)
			return NULL;
		gs->g = ng;
		gs->cap = cap;
	}
	memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
	snprintf(gs->g[gs->n].name, sizeof(gs->g[0].name), "%s", name);
	return &gs->g[gs->n++];
}

static void
counts_add(struct service_risk_counts *c, rm_grade g,
    enum rm_risk_status st, uint64_t n)
{
	c->total += n;
	if (g >= RM_GRADE_BLUE && g <= RM_GRADE_RED)
		c->grade[g] += n;
	if (st == RM_RISK_IDENTIFIED || st == RM_RISK_CONTROLLED)
		c->status[st] += n;
}

/* store_query_groups: labels child area, grade=, status=,
 * responsible=. */
static int
summary_cell(void *arg, const char *const *l, uint64_t n)
{
	struct summary *sm = arg;
	enum rm_risk_status st = 0;
	rm_grade g = 0;
	struct sgroup *a = NULL, *u = NULL;

	if (l[1] != NULL)
		(void)grade_parse(l[1] + strlen("grade="), &g);
	if (l[2] != NULL)
		(void)risk_status_parse(l[2] + strlen("status="), &st);
	if ((l[0] != NULL && (a = sgroup_get(&sm->areas, l[0])) == NULL) ||
	    (l[3] != NULL && (u = sgroup_get(&sm->units,
	    l[3] + strlen("responsible="))) == NULL))
		return RM_ENOMEM;
	counts_add(&sm->total, g, st, n);
	if (a != NULL)
		counts_add(&a->c, g, st, n);
	if (u != NULL)
		counts_add(&u->c, g, st, n);
	return RM_OK;
}

static int
sgroup_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sgroup *)a)->name,
	    ((const struct sgroup *)b)->name);
}

struct only_child {
	size_t n;
	char first[RM_AREA_CODE_MAX + 1];
};

static int
child_seen(void *arg, const char *prefix)
{
	struct only_child *oc = arg;

	if (oc->n++ == 0)
		snprintf(oc->first, sizeof(oc->first), "%s", prefix);
	return RM_OK;
}

/* A significant prefix as an area code: padded to 6 or 12 digits. */
static void
prefix_code(const char *prefix, char code[RM_AREA_CODE_MAX + 1])
{
	size_t n = strnlen(prefix, RM_AREA_CODE_MAX), w = n <= 6 ? 6 : 12;

	memcpy(code, prefix, n);
	memset(code + n, '0', w - n);
	code[w] = '\0';
}

/* The area whose children the summary lists: `area`, or, while it has
 * one child only (a city's 市辖区 1201 under 12), that child. */
static int
summary_level(struct node *n, const char *area,
    char out[RM_AREA_CODE_MAX + 1])
{
	struct only_child oc;
	int rv;

	char next[RM_AREA_CODE_MAX + 1];

	snprintf(out, RM_AREA_CODE_MAX + 1, "%s", area);
	for (;;) {
		memset(&oc, 0, sizeof(oc));
		if ((rv = store_area_children(n->store, &rm_kind_risk,
		    out[0] != '\0' ? out : NULL, child_seen, &oc)) != RM_OK)
			return rv;
		if (oc.n != 1)
			return RM_OK;
		prefix_code(oc.first, next);
		memset(&oc, 0, sizeof(oc));
		if ((rv = store_area_children(n->store, &rm_kind_risk, next,
		    child_seen, &oc)) != RM_OK || oc.n == 0)
			return rv;       /* a leaf: list it as the child */
		memcpy(out, next, sizeof(next));
	}
}

static int
summary_emit(struct summary *sm, const char *area,
    int (*each)(void *arg, enum service_risk_group group, const char *name,
        const struct service_risk_counts *c),
    void *arg)
{
	char code[RM_AREA_CODE_MAX + 1];
	size_t i;
	int rv;

	qsort(sm->areas.g, sm->areas.n, sizeof(sm->areas.g[0]), sgroup_cmp);
	qsort(sm->units.g, sm->units.n, sizeof(sm->units.g[0]), sgroup_cmp);
	if ((rv = each(arg, SERVICE_RISK_AREA_TOTAL, area != NULL ? area : "",
	    &sm->total)) != RM_OK)
		return rv;
	for (i = 0; i < sm->areas.n; i++) {
		prefix_code(sm->areas.g[i].name, code);
		if ((rv = each(arg, SERVICE_RISK_AREA_CHILD, code,
		    &sm->areas.g[i].c)) != RM_OK)
			return rv;
	}
	for (i = 0; i < sm->units.n; i++)
		if ((rv = each(arg, SERVICE_RISK_RESPONSIBLE,
		    sm->units.g[i].name, &sm->units.g[i].c)) != RM_OK)
			return rv;
	return RM_OK;
}

int
service_risks_summary(struct node *n, const char *area, rm_utc_ms now,
    int (*each)(void *arg, enum service_risk_group group, const char *name,
        const struct service_risk_counts *c),
    void *arg, rm_why *why)
{
	static const char *const dims[] = { NULL, "grade=", "status=",
	    "responsible=" };
	struct service_risk_filter f;
	char level[RM_AREA_CODE_MAX + 1];
	struct summary sm;
	struct risk_q r;
	int rv;

	memset(&f, 0, sizeof(f));
	f.area = area;
	f.within = area != NULL;
	if ((rv = risk_query(&f, now, &r, why)) != RM_OK)
		return rv;
	memset(&sm, 0, sizeof(sm));
	if ((rv = summary_level(n, area != NULL ? area : "", level)) ==
	    RM_OK)
		rv = store_query_groups(n->store, &r.q, level[0] != '\0' ?
		    level : NULL, dims, 4, summary_cell, &sm);
	if (rv == RM_OK)
		rv = summary_emit(&sm, area, each, arg);
	free(sm.areas.g);
	free(sm.units.g);
	if (rv != RM_OK && why->msg[0] == '\0')
		return rm_fail(why, rv, "cannot read risks: %s",
		    rm_strerror(rv));
	return rv;
}
