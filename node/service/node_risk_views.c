/*
 * node_risk_views.c -- the views of the risk register (service.h "risk
 * register views"): filtered pages and the roll-up summary over the
 * store's query engine. The changes between two dates are in
 * node_risk_diff.c.
 */
#include <stdio.h>
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

struct summary {
	struct node *n;
	struct risk_q base;          /* area (within), no keys */
	rm_utc_ms now;
	int (*each)(void *arg, enum service_risk_group group,
	    const char *name, const struct service_risk_counts *c);
	void *arg;
	rm_why *why;
};

/* Counts of base AND key0 (NULL: none) by grade and status. */
static int
counts_of(const struct summary *sm, const char *area, const char *key0,
    struct service_risk_counts *c)
{
	static const rm_grade grades[] = { RM_GRADE_BLUE, RM_GRADE_YELLOW,
	    RM_GRADE_ORANGE, RM_GRADE_RED };
	static const enum rm_risk_status sts[] = { RM_RISK_IDENTIFIED,
	    RM_RISK_CONTROLLED };
	char k[RM_INDEX_KEY_MAX + 1];
	struct store_query q = sm->base.q;
	size_t i;
	int rv;

	memset(c, 0, sizeof(*c));
	q.area = area;
	q.area_mode = STORE_AREA_WITHIN;
	if (key0 != NULL)
		q.keys[q.n_keys++] = key0;
	if ((rv = store_query_count(sm->n->store, &q, &c->total)) != RM_OK ||
	    c->total == 0)
		return rv;
	q.keys[q.n_keys++] = k;
	for (i = 0; i < sizeof(grades) / sizeof(grades[0]); i++) {
		snprintf(k, sizeof(k), "grade=%s", grade_name(grades[i]));
		if ((rv = store_query_count(sm->n->store, &q,
		    &c->grade[grades[i]])) != RM_OK)
			return rv;
	}
	for (i = 0; i < sizeof(sts) / sizeof(sts[0]); i++) {
		snprintf(k, sizeof(k), "status=%s", risk_status_name(sts[i]));
		if ((rv = store_query_count(sm->n->store, &q,
		    &c->status[sts[i]])) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static int
summary_child(void *arg, const char *prefix)
{
	struct summary *sm = arg;
	struct service_risk_counts c;
	char code[RM_AREA_CODE_MAX + 1];
	int rv;

	/* a significant prefix as an area code: pad to 6 or 12 digits */
	snprintf(code, sizeof(code), "%s%.*s", prefix,
	    (int)((strlen(prefix) <= 6 ? 6 : 12) - strlen(prefix)),
	    "000000000000");
	if ((rv = counts_of(sm, code, NULL, &c)) != RM_OK || c.total == 0)
		return rv;
	return sm->each(sm->arg, SERVICE_RISK_AREA_CHILD, code, &c);
}

static int
summary_unit(void *arg, const char *key)
{
	struct summary *sm = arg;
	struct service_risk_counts c;
	int rv;

	if ((rv = counts_of(sm, sm->base.q.area, key, &c)) != RM_OK ||
	    c.total == 0)
		return rv;
	return sm->each(sm->arg, SERVICE_RISK_RESPONSIBLE,
	    key + strlen("responsible="), &c);
}

int
service_risks_summary(struct node *n, const char *area, rm_utc_ms now,
    int (*each)(void *arg, enum service_risk_group group, const char *name,
        const struct service_risk_counts *c),
    void *arg, rm_why *why)
{
	struct service_risk_filter f;
	struct service_risk_counts c;
	struct summary sm;
	int rv;

	memset(&f, 0, sizeof(f));
	f.area = area;
	f.within = area != NULL;
	memset(&sm, 0, sizeof(sm));
	if ((rv = risk_query(&f, now, &sm.base, why)) != RM_OK)
		return rv;
	sm.n = n;
	sm.now = now;
	sm.each = each;
	sm.arg = arg;
	sm.why = why;
	if ((rv = counts_of(&sm, area, NULL, &c)) == RM_OK &&
	    (rv = each(arg, SERVICE_RISK_AREA_TOTAL, area != NULL ? area : "",
	    &c)) == RM_OK &&
	    (rv = store_area_children(n->store, &rm_kind_risk, area,
	    summary_child, &sm)) == RM_OK)
		rv = store_index_keys(n->store, &rm_kind_risk, "responsible=",
		    summary_unit, &sm);
	if (rv != RM_OK && why->msg[0] == '\0')
		return rm_fail(why, rv, "cannot read risks: %s",
		    rm_strerror(rv));
	return rv;
}
