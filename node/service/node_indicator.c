/*
 * node_indicator.c -- indicator definitions of the node's own agency
 * and the walk over a series' points (service.h, "indicators"). Bulk
 * ingest is in node_ind_ingest.c, value queries in node_ind_query.c.
 */
#include <stdio.h>
#include <string.h>

#include "node/service/service_int.h"

int
service_indicator_define(struct node *n, struct rm_record *draft,
    struct service_issued *out, rm_why *why)
{
	struct rm_record cur;
	struct issue_base base;
	int rv;

	if (record_restricted(draft))
		return rm_fail(why, RM_EINVAL, "an indicator definition is not "
		    "restricted");
	if ((rv = node_issue_base_of(n, &rm_kind_indicator_def, draft, &base,
	    &cur, why)) != RM_OK)
		return rv;
	if (base.exists && record_indicator_def(&cur) == NULL)
		rv = rm_fail_at(why, RM_EEXIST, "code", "object %s of %s is a "
		    "%s, not an indicator definition", draft->object_id,
		    n->cfg.agency, cur.kind->name);
	else if ((rv = node_issue_authorise(n, draft, why)) == RM_OK)
		rv = node_issue_commit(n, draft, &base, out, why);
	if (base.exists)
		record_fini(&cur);
	return rv;
}

/* The area filter of a walk by code. */
struct def_walk {
	const char *area;
	store_each_fn each;
	void *arg;
};

static int
def_walk_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	const struct def_walk *w = arg;

	for (size_t i = 0; i < rec->n_areas; i++)
		if (w->area == NULL || area_overlaps(w->area, rec->areas[i]))
			return w->each(w->arg, h, p, n, rec);
	return RM_OK;
}

int
service_indicator_defs(struct node *n, const char *code, const char *area,
    rm_utc_ms now, store_each_fn each, void *arg, rm_why *why)
{
	struct def_walk w = { area, each, arg };
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	if (code != NULL && !indicator_code_valid(code, strlen(code)))
		return rm_fail_at(why, RM_EBADVALUE, "code", "\"%.60s\" is not "
		    "an indicator code (%s)", code, RM_IND_CODE_RULE);
	if (area != NULL && (strlen(area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(area)))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code", area);
	if (code != NULL) {
		snprintf(key, sizeof(key), "code=%s", code);
		rv = store_index_each(n->store, &rm_kind_indicator_def, key,
		    now, def_walk_each, &w);
	} else
		rv = store_active(n->store, &rm_kind_indicator_def, area, now,
		    each, arg);
	if (rv != RM_OK)
		return rm_fail(why, rv, "cannot read indicator definitions: %s",
		    rm_strerror(rv));
	return RM_OK;
}

int
service_indicator_points(const struct rm_record *rec, service_ind_fn each,
    void *arg)
{
	const struct rm_indicator *s = record_indicator(rec);
	struct service_ind_obs o;
	int rv;

	if (s == NULL)
		return RM_EINVAL;
	memset(&o, 0, sizeof(o));
	o.code = s->code;
	o.area = rec->areas[0];
	o.unit = s->unit;
	o.origin = rec->origin;
	o.source = s->source;
	o.period = s->period;
	for (size_t i = 0; i < s->n_points; i++) {
		o.t = s->points[i].t;
		o.time_ms = indicator_time_ms(s->period, o.t);
		o.value = s->points[i].v;
		o.value_d = decimal_to_double(o.value);
		if ((rv = each(arg, &o)) != RM_OK)
			return rv;
	}
	return RM_OK;
}
