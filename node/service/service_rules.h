/*
 * service_rules.h -- monitoring rules and proposals: a part of the domain API.
 *
 * Include "node/service/service.h", which includes this file after
 * struct node and the domain API it builds on; thread rules and error
 * conventions are those of service.h.
 */
#ifndef RM_NODE_SERVICE_SERVICE_RULES_H
#define RM_NODE_SERVICE_SERVICE_RULES_H

#include "node/service/service.h"

/* ---------------- monitoring rules and proposals (node_rules.c,
 * node_proposal.c) ----------------
 * The node runs the rules file of config `rules` (docs/RULES.md) with
 * the engine of node/rules: observations (node_rules_observe; the
 * indicator records once that kind is wired to it) and the alerts in
 * force (every alert version stored, own or a peer's, through the store
 * observer; those in force at start) go in; a rule raising in an area
 * issues a proposal record (kind "proposal", schemas.h), or with
 * auto_issue on a rule and config rules_auto_issue the alert itself
 * (service_alert_issue); a rule clearing issues the proposal's next
 * version, expired. Records are issued by the rules thread, which
 * sleeps on a condition variable until a transition is queued or the
 * earliest pending deadline (no polling tick). At start the node's own
 * open proposals put their (rule, area) back in the firing state, so
 * that clearing still expires them.
 */

/* Load config `rules` (nothing when unset) and start the rules thread:
 * subscribes to stored records (node_subscribe), feeds the alerts in
 * force and restores the open proposals. Call after the store observer
 * is installed and before the federation starts. Errors: rules_load's
 * (RM_ECONFIG with "FILE:LINE: what"; RM_EIO), RM_ETOOBIG (no
 * subscriber slot), RM_ENOMEM, the store's. */
int node_rules_start(struct node *n, rm_why *why);
/* Stop and join the rules thread (no issue runs after it returns),
 * detach the rules from the store subscriber (under obs_mtx) and free
 * them. Call before node_detach, while the federation and the store are
 * open. Safe when not started. */
void node_rules_stop(struct node *n);

/*
 * One observation for the rules: indicator `code` in `area` (a GB/T
 * 2260 code) at t, value v (finite; in the indicator's unit). Evaluated
 * at once under the engine's lock; what it raises or clears is issued
 * by the rules thread. Any thread, the store writer's included (never
 * blocks on the store). Errors: RM_ENOTFOUND (field "rules": this node
 * has no rules), RM_EBADVALUE (field code, area or value), RM_ETOOBIG
 * (field "rules": an engine bound, docs/RULES.md "Limits").
 */
int node_rules_observe(struct node *n, const char *code, const char *area,
    rm_utc_ms t, double v, rm_why *why);

/* Figures of the engine for the status pages; zeros without rules. */
struct node_rules_stats {
	bool on;
	size_t rules;
	uint64_t obs_used, obs_ignored, refused, raised, cleared;
	uint64_t evicted;            /* engine entries evicted for room
	                                (rules_stats.evicted) */
	uint64_t issue_failed;       /* proposals or alerts not issued */
	uint64_t review_refused;     /* overdue risks past a rule's
	                                NODE_REVIEW_HELD_MAX */
};
void node_rules_get_stats(struct node *n, struct node_rules_stats *out);

/*
 * The own agency's latest version of proposal `id` into *out
 * (record_fini it) with its hash. Errors: RM_ENOTFOUND (field
 * object_id), RM_EEXIST (an object that is not a proposal), RM_ESTORE.
 */
int service_proposal_latest(struct node *n, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/* Days a task confirmed from a task proposal has before its deadline. */
#define NODE_PROPOSAL_TASK_DAYS 7

/*
 * Confirm the own agency's open proposal `id` with one call. A warning
 * proposal becomes an alert (Actual, Alert, category Met, urgency
 * Expected, certainty Likely, severity from the grade) with the
 * proposal's grade, event, headline and lang, the evidence as its
 * description, the proposal's area, and a CAP reference
 * "origin,oid,issued" to the proposal, issued with
 * service_alert_issue. A task proposal becomes a task (service_task_
 * issue) to the proposal's assignee as the lead unit, subject the
 * proposal's, the evidence as its detail, linked to the proposal,
 * priority high, due NODE_PROPOSAL_TASK_DAYS after now, in the
 * proposal's area. Then the proposal's next version, confirmed, names
 * the alert or task; *out is the alert's or task's. Errors: those of
 * service_proposal_latest; RM_EEXIST (field "state": confirmed or
 * expired already); then service_alert_issue's or service_task_issue's
 * (e.g. RM_EBADVALUE field "assignees" for an assignee that is this
 * agency or not in the roster).
 */
int service_proposal_confirm(struct node *n, const char *id,
    struct service_issued *out, rm_why *why);

/* The proposals in force (open) at now whose area overlaps area (NULL:
 * all), every agency's, newest issued first (store_active). Errors:
 * RM_EBADVALUE (field "area"), the store's, each's. */
int service_proposals_list(struct node *n, const char *area, rm_utc_ms now,
    store_each_fn each, void *arg, rm_why *why);

#endif /* RM_NODE_SERVICE_SERVICE_RULES_H */
