/*
 * node_risk.c -- the risk register of the node's own agency (service.h,
 * "the risk register"): new risks, their next versions and removals go
 * through the issue path of node_issue.c (service_int.h); lists read
 * the store's in-force indexes (kind "risk" by area, and the keys the
 * kind emits: grade=, status=, category=, responsible=).
 */
#include <stdio.h>
#include <string.h>

#include "node/service/service_int.h"

int
service_risk_latest(struct node *n, const char *id, struct rm_record *out,
    rm_hash *hash, rm_why *why)
{
	return node_issue_latest_of(n, id, &rm_kind_risk, out, hash, why);
}

/* The responsible unit is an agency of the roster in use, not removed,
 * whose areas cover the risk's area (a district answers for its own
 * risks, a city department for the city's). Cooperating units need only
 * be agency ids (the kind's rule): they may belong to a neighbouring
 * federation. RM_EBADVALUE with field responsible. */
static int
risk_units_check(struct node *n, const struct rm_record *draft, rm_why *why)
{
	const struct rm_risk *r = record_risk(draft);
	struct roster *ro = node_roster(n);
	const struct roster_agency *a;
	int rv = RM_OK;
	size_t i;

	if (ro == NULL)
		return rm_fail_at(why, RM_EUNKNOWNSIGNER, "agency", "no roster");
	if ((a = roster_find(ro, r->responsible)) == NULL || a->removed) {
		rv = rm_fail_at(why, RM_EBADVALUE, "responsible", "%s is %s",
		    r->responsible, a == NULL ? "not an agency of the roster" :
		    "removed from the federation");
		goto out;
	}
	for (i = 0; i < a->n_areas; i++)
		if (area_contains(a->areas[i], draft->areas[0]))
			break;
	if (i == a->n_areas) {
		rv = rm_fail_at(why, RM_EBADVALUE, "responsible", "%s does not "
		    "cover area %s (its areas start %s)", r->responsible,
		    draft->areas[0], a->areas[0]);
		goto out;
	}
	/* The roster's highest grade of the unit answering for it, in the
	 * words of the offline check (riskmesh risk import --check --dir) */
	if (r->grade != 0 && r->grade > a->max_grade)
		rv = rm_fail_at(why, RM_EUNAUTH, "responsible", "%s may not "
		    "publish it: grade: %s above the maximum %s", r->responsible,
		    grade_name(r->grade) != NULL ? grade_name(r->grade) :
		    "?", grade_name(a->max_grade));
out:
	roster_free(ro);
	return rv;
}

int
service_risk_issue(struct node *n, struct rm_record *draft,
    const rm_hash *base_hash, struct service_issued *out, rm_why *why)
{
	struct rm_record cur;
	struct issue_base base;
	int rv;

	if (record_restricted(draft))
		return rm_fail(why, RM_EINVAL, "a risk is not restricted");
	if ((rv = node_issue_base_of(n, &rm_kind_risk, draft, &base, &cur,
	    why)) != RM_OK)
		return rv;
	if ((rv = node_issue_base_check(n, draft, base_hash, &base, &cur,
	    why)) == RM_OK &&
	    (rv = risk_status_next(base.exists ? record_risk(&cur) : NULL,
	    record_risk(draft), why)) == RM_OK &&
	    (rv = node_issue_authorise(n, draft, why)) == RM_OK &&
	    (rv = risk_units_check(n, draft, why)) == RM_OK)
		rv = node_issue_commit(n, draft, &base, out, why);
	if (base.exists)
		record_fini(&cur);
	return rv;
}

int
service_risk_remove(struct node *n, const char *id, const char *reason,
    struct service_issued *out, rm_why *why)
{
	struct rm_record cur, next;
	struct rm_risk body;
	rm_hash h;
	size_t len = reason != NULL ? strlen(reason) : 0;
	int rv;

	if (len == 0)
		return rm_fail_at(why, RM_EMISSING, "reason", "a removal needs "
		    "a reason");
	if (len > RM_RISK_REASON_MAX || !rm_utf8_valid(reason, len))
		return rm_fail_at(why, RM_EBADVALUE, "reason", "1..%d bytes of "
		    "UTF-8", RM_RISK_REASON_MAX);
	if ((rv = service_risk_latest(n, id, &cur, &h, why)) != RM_OK)
		return rv;
	/* The next version: the same content, status removed. */
	next = cur;
	body = *record_risk(&cur);
	next.body = &body;
	next.ver = 0;
	next.seq = 0;
	next.has_prev = false;
	next.has_supersedes = false;
	next.issued_ms = rm_utc_now_ms();
	body.status = RM_RISK_REMOVED;
	body.reason = (char *)reason;
	rv = service_risk_issue(n, &next, &h, out, why);
	record_fini(&cur);
	return rv;
}

int
service_risks_list(struct node *n, const struct service_risk_filter *f,
    rm_utc_ms now, store_each_fn each, void *arg, rm_why *why)
{
	/* every filter is an index of the store's query engine */
	return service_risks_page(n, f, now, each, arg, NULL, why);
}

int
node_risk_units_check(struct node *n, const struct rm_record *draft,
    rm_why *why)
{
	return risk_units_check(n, draft, why);
}
