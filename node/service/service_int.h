/*
 * service_int.h -- private to node/service: the steps of the issue path
 * (node_issue.c) that every kind's domain API (node_issue.c for alerts
 * and fork resolutions, node_risk.c for risks) goes through, so that
 * each kind decides its own rules and none re-implements the roster
 * check, the own-log guard or the optimistic concurrency of store_issue.
 *
 * Thread rules: as service.h (thread-safe).
 */
#ifndef RM_NODE_SERVICE_INT_H
#define RM_NODE_SERVICE_INT_H

#include "node/rules/rules.h"
#include "node/service/service.h"

/* The version an issue decision was based on. */
struct issue_base {
	struct node *n;
	bool exists;                 /* the object had a version */
	rm_hash hash;                /* its latest version, if it exists */
};

/* The winning version of (own agency, object_id): *found false if there
 * is none; else its hash in *h and the record decoded into *out
 * (record_fini() it; a restricted own record is decrypted). Errors:
 * RM_ESTORE (a stored record that does not decode, or missing), the
 * store's; RM_EEXIST (field object_id) for a restricted object this
 * node cannot read. */
int node_issue_latest(struct node *n, const char *object_id, bool *found,
    rm_hash *h, struct rm_record *out, rm_why *why);

/* The own agency's latest version of object `id`, which must be of
 * `kind` (what), into *out (record_fini it) with its hash:
 * RM_ENOTFOUND (field object_id: not a valid object id, or none),
 * RM_EEXIST (field object_id: an object of another kind), the
 * store's. */
int node_issue_latest_of(struct node *n, const char *id,
    const struct rm_kind_ops *kind, struct rm_record *out, rm_hash *hash,
    rm_why *why);

/* The start of an issue of draft (a record of `kind`):
 * node_issue_draft_valid, then *base and *cur from node_issue_latest
 * (both zeroed first; record_fini(cur) when base->exists, also on a
 * later error). Errors: those two functions'. */
int node_issue_base_of(struct node *n, const struct rm_kind_ops *kind,
    struct rm_record *draft, struct issue_base *base, struct rm_record *cur,
    rm_why *why);

/* The version rules of a draft against the latest version (base, cur
 * from node_issue_base_of), all with field "object_id": a new object
 * (base_hash NULL) must not exist (RM_EEXIST); an update (base_hash
 * set) must exist (RM_ENOTFOUND) at base_hash (RM_EBUSY: it changed
 * concurrently); an existing object must be of the draft's kind
 * (RM_EEXIST). */
int node_issue_base_check(struct node *n, const struct rm_record *draft,
    const rm_hash *base_hash, const struct issue_base *base,
    const struct rm_record *cur, rm_why *why);

/* A draft from any front end: a record of `kind` by the own agency,
 * not numbered (ver, seq 0; no prev, supersedes), that is a valid
 * record once numbered (checked as ver 1, seq 1; a restricted draft as
 * the plain record it will encrypt). RM_EINVAL (the caller's mistake)
 * or record_validate's errors. */
int node_issue_draft_valid(struct node *n, const struct rm_kind_ops *kind,
    struct rm_record *d, rm_why *why);

/* The roster's verdict on rec issued by this node's agency:
 * RM_EUNKNOWNSIGNER (field "agency": not in the roster; field "key":
 * the node's key is not the agency's key in use) or RM_EUNAUTH (why
 * names the rule: kind, area, grade), logged (rate-limited). */
int node_issue_authorise(struct node *n, const struct rm_record *rec,
    rm_why *why);

/* The own-log guard, then store_issue with rec sealed by the agency's
 * signer only if the object's latest version is still base's (else
 * RM_EBUSY field "object_id", nothing stored). Returns after the
 * commit; *out is written on success only. Errors as
 * service_alert_issue's after the rules. */
int node_issue_commit(struct node *n, struct rm_record *rec,
    const struct issue_base *base, struct service_issued *out, rm_why *why);


/* Task dispatch (node_task*.c): the view of task rec (hash h) at now,
 * its acks joined in from the store (service.h struct
 * service_task_view; v->rec and v->hash borrow rec and h). Errors:
 * the store's. */
int node_task_view_build(struct node *n, const struct rm_record *rec,
    const rm_hash *h, rm_utc_ms now, struct service_task_view *v,
    rm_why *why);

/* The own-log guard of node_issue_commit (RM_EBUSY, field "": a peer
 * holds more of the own log, or no peer vector yet shortly after
 * start), for paths that issue in batches: called before a batch is
 * signed. */
int node_issue_ready(struct node *n, rm_why *why);

/* The store_seal_fn of node_issue_commit: arg is the struct issue_base
 * the decision was based on (RM_EBUSY if the object's latest version
 * is no longer its hash), then fed_record_seal with the agency's
 * signer. On the writer thread (store_issue, store_issue_batch) or
 * on an importing thread for a record it numbered itself (the risk
 * import's pre-sealed batches, node_risk_batch.c). */
int node_issue_seal(void *arg, struct rm_record *rec, rm_buf *out,
    rm_hash *hash, rm_why *why);

/* The responsible unit of a risk draft is an agency of the roster in
 * use, not removed, whose areas cover the risk's area: RM_EBADVALUE
 * field "responsible" otherwise, RM_EUNKNOWNSIGNER without a roster. */
int node_risk_units_check(struct node *n, const struct rm_record *draft,
    rm_why *why);

/* ---- the risk register import (node_risk_import.c: pass 1, the
 * check; node_risk_batch.c: pass 2, the batches) ---- */

enum imp_action { IMP_BAD, IMP_CREATE, IMP_UPDATE, IMP_REMOVE,
	IMP_UNCHANGED };

/* Pass 1's decision on one row. */
struct imp_row {
	size_t line;
	enum imp_action action;      /* IMP_UNCHANGED for a foreign row */
	bool foreign;                /* another agency's row: not issued */
	bool exists;
	rm_hash base;                /* latest version, if it exists */
	uint64_t base_ver;           /* its ver */
};

/* A risk id and the row that gave it, for ids given twice. */
struct imp_id {
	char *id;
	size_t row;
};

/* One import (node_risk_import.c, node_risk_batch.c). */
struct imp {
	struct node *n;
	const struct service_import_src *src;
	struct service_import_report *rep;
	struct imp_row *rows;
	size_t n_rows, cap_rows;
	struct imp_id *ids;
	size_t n_ids;
	rm_buf a, b;                 /* scratch encodings */
};

/* Pass 2: read the rows again and issue those that change something,
 * SERVICE_IMPORT_BATCH per store_put_sealed_batch: this thread reads,
 * numbers and signs the next batch (chained on the one in flight)
 * while a helper thread waits for the writer to apply and commit the
 * one before. Counts into x->rep what was committed. Errors: the
 * store's and the seal's (why names the row's line), the own-log
 * guard's, the source's, RM_ENOMEM. */
int node_import_issue(struct imp *x, rm_why *why);

/* ---------------- proposals (node_proposal.c) ---------------- */

/* The object id of the proposal a rule raised in area at `at`:
 * "prop:<rule>:<area>:<at ms>". */
void node_proposal_oid(const char *rule, const char *area, rm_utc_ms at,
    char out[RM_OBJECT_ID_MAX + 1]);

/* A rule raised (t->raised): issue its proposal, or with auto_issue on
 * the rule and rules_auto_issue in the config its alert. RM_EEXIST when
 * the proposal exists already and is open (a restart); RM_EEXPIRED
 * when it exists and is expired or confirmed (the raise has no
 * proposal: counted in issue_failed); else the issue path's. */
int node_proposal_raise(struct node *n, const struct rules_transition *t,
    rm_why *why);

/* A rule cleared: the proposal it raised at t->since_ms expires (its
 * next version, state expired), if it is still open. RM_OK when there is
 * nothing to expire (confirmed, expired, auto-issued). */
int node_proposal_expire(struct node *n, const struct rules_transition *t,
    rm_why *why);

/* The version of proposal oid the own agency issued, if open, expires.
 * RM_OK when there is no such proposal or it is no longer open; else
 * the issue path's errors. */
int node_proposal_expire_oid(struct node *n, const char *oid, rm_why *why);

/* A risk as the review_overdue rules see it (node_rules_review.c): the
 * latest version's fields the proposal needs. */
struct node_review_item {
	char origin[RM_AGENCY_ID_MAX + 1];
	char oid[RM_OBJECT_ID_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	char responsible[RM_AGENCY_ID_MAX + 1];
	char name[RM_RISK_NAME_MAX + 1];
	char review[11];             /* YYYY-MM-DD */
	bool in_force;               /* not removed */
};

/* The object id of the review proposal of rule for risk origin/risk_id
 * whose review date `review` passed: "prop:<rule>:review:<16 hex>:
 * <review>", the hex the first 8 bytes of SHA-256("ORIGIN/ID"), so
 * that a restart finds the proposal it raised (docs/RULES.md). */
void node_proposal_review_oid(const char *rule, const char *origin,
    const char *risk_id, const char *review, char out[RM_OBJECT_ID_MAX + 1]);

/* Issue the review task proposal of review rule r for the overdue risk
 * it: to the risk's responsible unit (task responsible) or the rule's
 * agency, subject the rule's plus the risk id and name, evidence
 * "review" (the review date, the days overdue, ref "ORIGIN/OID"), in
 * the risk's area, raised at the midnight (UTC+08:00) the date passed.
 * RM_EEXIST when it exists and is open (a restart); RM_EEXPIRED when
 * it exists and is expired or confirmed; RM_EBADVALUE (field review)
 * when the date is not past; else the issue path's. */
int node_proposal_review_raise(struct node *n, const struct rules_rule *r,
    const struct node_review_item *it, rm_why *why);

/* ---------------- review_overdue rules (node_rules_review.c) ------
 * Thread rules: node_review_queue, _ready and _next_ms with the
 * node_rules mutex held; node_review_run on the rules thread (or at
 * start, before it runs) without it; node_review_restore at start. */

/* Open review proposals a rule may hold (docs/RULES.md "Limits"); an
 * overdue risk past it gets none, counted in review_refused. */
#define NODE_REVIEW_HELD_MAX 4096

struct node_review;

/* The review state of set (borrowed; outlives it), each rule holding at
 * most held_max open proposals (config rules_review_max, at most
 * NODE_REVIEW_HELD_MAX); *out NULL when set has no review_overdue rule.
 * RM_ENOMEM. */
int node_review_new(const struct rules_set *set, size_t held_max,
    struct node_review **out);
void node_review_free(struct node_review *v);
/* An own open review proposal found at start: held again, so that its
 * risk's next version or the next full pass expires it. */
void node_review_restore(struct node_review *v, const struct rm_record *rec);
/* A stored risk version (the store observer): queued for the thread. */
void node_review_queue(struct node_review *v, const struct rm_record *rec);
/* Work to do at now (node time): queued versions, or a new day (UTC+08:00)
 * since the last full pass. False for v NULL. */
bool node_review_ready(const struct node_review *v, rm_utc_ms now);
/* The node time of the next full pass: the midnight (UTC+08:00) after
 * the day of the last one. */
rm_utc_ms node_review_next_ms(const struct node_review *v);
/* Take the queue (under mu) and, on a new day, evaluate every review
 * rule over the store's overdue risks; then each queued version. Issues
 * and expires the proposals. What it cannot issue because a risk
 * import started meanwhile (n->imports), and risks refused for the
 * bound once a held proposal expired, are left to a full pass at the
 * next ready (bounded: one per run that deferred or freed a slot). */
void node_review_run(struct node *n, struct node_review *v,
    pthread_mutex_t *mu);
/* A risk import ended (n->imports dropped): wake the rules thread for
 * the review work it held back. Any thread; takes obs_mtx. */
void node_rules_import_done(struct node *n);
/* Add the review counters to out (raised, cleared, issue_failed,
 * review_refused). */
void node_review_stats(const struct node_review *v,
    struct node_rules_stats *out);

#endif /* RM_NODE_SERVICE_INT_H */
