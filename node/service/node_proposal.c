/*
 * node_proposal.c -- proposals of the node's own rules (service.h,
 * "monitoring rules and proposals"; kind "proposal", schemas.h): issued
 * when a rule raises, expired when it clears, confirmed into an alert
 * with one call; listed from the store's in-force index.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "node/service/service_int.h"

void
node_proposal_oid(const char *rule, const char *area, rm_utc_ms at,
    char out[RM_OBJECT_ID_MAX + 1])
{
	snprintf(out, RM_OBJECT_ID_MAX + 1, "prop:%.64s:%.12s:%lld", rule,
	    area, (long long)at);
}

void
node_proposal_review_oid(const char *rule, const char *origin,
    const char *risk_id, const char *review, char out[RM_OBJECT_ID_MAX + 1])
{
	const void *parts[3] = { origin, "/", risk_id };
	size_t lens[3] = { strlen(origin), 1, strlen(risk_id) };
	rm_hash h;

	crypto_sha256_v(parts, lens, 3, &h);
	snprintf(out, RM_OBJECT_ID_MAX + 1, "prop:%.64s:review:%02x%02x%02x%02x"
	    "%02x%02x%02x%02x:%.10s", rule, h.b[0], h.b[1], h.b[2], h.b[3],
	    h.b[4], h.b[5], h.b[6], h.b[7], review);
}

static void
evidence_of(const struct rules_evidence *x, struct rm_proposal_evidence *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->what, sizeof(o->what), "%s", rules_term_name(x->kind));
	snprintf(o->code, sizeof(o->code), "%s", x->code);
	o->at_ms = x->at_ms;
	o->window_s = (uint32_t)(x->window_ms / 1000);
	if (x->kind == RULES_ALERT) {
		o->grade = x->grade;
		snprintf(o->ref, sizeof(o->ref), "%s", x->ref);
	} else
		o->has_value = rules_decimal(x->value, &o->value.mant,
		    &o->value.exp) == RM_OK;
}

/* The responsible unit of the highest-graded risk in force in an area
 * (the first listed, newest, among equals). */
struct responsible {
	char id[RM_AGENCY_ID_MAX + 1];
	rm_grade grade;
};

static int
risk_responsible(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct responsible *best = arg;
	const struct rm_risk *r = record_risk(rec);

	(void)h;
	(void)p;
	(void)n;
	if (r != NULL && r->grade > best->grade) {
		snprintf(best->id, sizeof(best->id), "%s", r->responsible);
		best->grade = r->grade;
	}
	return RM_OK;
}

static void
assignee_of(struct node *n, const struct rules_rule *r, const char *area,
    char out[RM_AGENCY_ID_MAX + 1])
{
	struct service_risk_filter f;
	struct responsible best;
	rm_why why;

	if (strcmp(r->assignee, RULES_RESPONSIBLE) != 0) {
		snprintf(out, RM_AGENCY_ID_MAX + 1, "%s", r->assignee);
		return;
	}
	memset(&f, 0, sizeof(f));
	memset(&best, 0, sizeof(best));
	f.area = area;
	(void)service_risks_list(n, &f, rm_utc_now_ms(), risk_responsible,
	    &best, &why);
	snprintf(out, RM_AGENCY_ID_MAX + 1, "%s", best.id[0] != '\0' ?
	    best.id : n->cfg.agency);
}

/* A record draft of the own agency for one area. */
static void
draft_init(struct node *n, struct rm_record *d,
    const struct rm_kind_ops *kind, void *body, const char *oid,
    const char *area)
{
	memset(d, 0, sizeof(*d));
	d->schema_version = RM_SCHEMA_VERSION;
	d->kind = kind;
	snprintf(d->origin, sizeof(d->origin), "%s", n->cfg.agency);
	snprintf(d->object_id, sizeof(d->object_id), "%s", oid);
	d->issued_ms = rm_utc_now_ms();
	d->n_areas = 1;
	snprintf(d->areas[0], sizeof(d->areas[0]), "%s", area);
	d->body = body;
}

/* The evidence in words, for an alert's description. */
static void
evidence_text(const struct rm_proposal *p, char *out, size_t len)
{
	size_t o = 0;

	o += (size_t)snprintf(out, len, "rule %s:", p->rule);
	for (size_t i = 0; i < p->n_evidence && o < len; i++) {
		const struct rm_proposal_evidence *x = &p->evidence[i];
		char v[64], t[32];

		rm_utc_format(x->at_ms, t);
		if (x->has_value)
			proposal_num_text(&x->value, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "%s", grade_name(x->grade));
		o += (size_t)snprintf(out + o, len - o, "%s %s %s %s at %s",
		    i > 0 ? ";" : "", x->what, x->code, v, t);
	}
}

/* Issue the alert a warning proposal p (area, reference ref) stands
 * for. */
static int
alert_issue(struct node *n, const struct rm_proposal *p, const char *area,
    const char *ref, struct service_issued *out, rm_why *why)
{
	char id[RM_ALERT_IDENTIFIER_MAX + 1], desc[2048];
	struct rm_alert a;
	struct rm_alert_text tx;
	struct rm_record d;
	char *refs[1];
	int rv;

	if ((rv = service_alert_default_id(n, rm_utc_now_ms(), id, why)) !=
	    RM_OK)
		return rv;
	memset(&a, 0, sizeof(a));
	memset(&tx, 0, sizeof(tx));
	evidence_text(p, desc, sizeof(desc));
	tx.lang = (char *)p->lang;
	tx.event = p->event;
	tx.headline = p->headline;
	tx.description = desc;
	a.identifier = id;
	a.status = RM_STATUS_ACTUAL;
	a.msg_type = RM_MSGTYPE_ALERT;
	a.categories = RM_CAT_MET;
	a.urgency = RM_URGENCY_EXPECTED;
	a.severity = grade_cap_severity(p->grade);
	a.certainty = RM_CERTAINTY_LIKELY;
	a.grade = p->grade;
	a.effective_ms = rm_utc_now_ms();
	a.n_texts = 1;
	a.texts = &tx;
	if (ref != NULL) {
		refs[0] = (char *)ref;
		a.references = refs;
		a.n_references = 1;
	}
	draft_init(n, &d, &rm_kind_alert, &a, id, area);
	return service_alert_issue(n, &d, true, out, why);
}

/* The task a task proposal p (record cur) stands for: to p's assignee
 * (the lead unit), about the proposal, due NODE_PROPOSAL_TASK_DAYS
 * after confirmation, in the proposal's area. */
static int
task_issue(struct node *n, const struct rm_record *cur,
    const struct rm_proposal *p, struct service_issued *out, rm_why *why)
{
	char defid[RM_ALERT_IDENTIFIER_MAX + 1], id[RM_TASK_ID_MAX + 1];
	char detail[2048];
	rm_utc_ms now = node_now(n);
	struct rm_task tk;
	struct rm_record d;
	int rv;

	if ((rv = service_alert_default_id(n, now, defid, why)) != RM_OK)
		return rv;
	/* "t-<ms>-<hex>", as POST /v1/tasks makes them */
	snprintf(id, sizeof(id), "t-%.57s", defid + strlen(n->cfg.agency) +
	    (strlen(defid) > strlen(n->cfg.agency) ? 1 : 0));
	memset(&tk, 0, sizeof(tk));
	evidence_text(p, detail, sizeof(detail));
	tk.subject = p->subject;
	tk.detail = detail;
	tk.n_assignees = 1;
	memcpy(tk.assignees[0], p->assignee, sizeof(tk.assignees[0]));
	memcpy(tk.lead, p->assignee, sizeof(tk.lead));
	tk.n_links = 1;
	memcpy(tk.links[0].origin, cur->origin, sizeof(tk.links[0].origin));
	memcpy(tk.links[0].oid, cur->object_id, sizeof(tk.links[0].oid));
	/* a review task links the risk it reviews ("ORIGIN/OID") */
	for (size_t i = 0; i < p->n_evidence && tk.n_links < RM_TASK_LINKS_MAX;
	    i++) {
		const char *ref = p->evidence[i].ref, *sl = strchr(ref, '/');
		struct rm_task_ref *l = &tk.links[tk.n_links];

		if (strcmp(p->evidence[i].what, "review") != 0 || sl == NULL ||
		    (size_t)(sl - ref) >= sizeof(l->origin) ||
		    strlen(sl + 1) >= sizeof(l->oid))
			continue;
		memcpy(l->origin, ref, (size_t)(sl - ref));
		l->origin[sl - ref] = '\0';
		memcpy(l->oid, sl + 1, strlen(sl + 1) + 1);
		tk.n_links++;
	}
	tk.priority = RM_TASK_HIGH;
	tk.deadline_ms = now + (rm_utc_ms)NODE_PROPOSAL_TASK_DAYS * 86400000;
	tk.status = RM_TASK_OPEN;
	draft_init(n, &d, &rm_kind_task, &tk, id, cur->areas[0]);
	d.issued_ms = now;
	return service_task_issue(n, &d, NULL, out, why);
}

static int proposal_new(struct node *n, struct rm_proposal *p,
    const char *oid, const char *area, rm_why *why);

int
node_proposal_raise(struct node *n, const struct rules_transition *t,
    rm_why *why)
{
	const struct rules_rule *r = t->rule;
	struct service_issued is;
	struct rm_proposal p;
	char oid[RM_OBJECT_ID_MAX + 1];

	memset(&p, 0, sizeof(p));
	snprintf(p.rule, sizeof(p.rule), "%s", r->id);
	p.state = RM_PROPOSAL_OPEN;
	p.raised_ms = t->at_ms;
	p.n_evidence = t->n_evidence;
	for (size_t i = 0; i < t->n_evidence; i++)
		evidence_of(&t->evidence[i], &p.evidence[i]);
	if (r->action == RULES_WARNING) {
		p.type = RM_PROPOSAL_WARNING;
		p.grade = r->grade;
		p.event = (char *)r->event;
		p.headline = (char *)r->headline;
		snprintf(p.lang, sizeof(p.lang), "%s", r->lang);
		if (r->auto_issue && n->cfg.rules_auto_issue)
			return alert_issue(n, &p, t->area, NULL, &is, why);
	} else {
		p.type = RM_PROPOSAL_TASK;
		assignee_of(n, r, t->area, p.assignee);
		p.subject = (char *)r->subject;
	}
	node_proposal_oid(r->id, t->area, t->at_ms, oid);
	return proposal_new(n, &p, oid, t->area, why);
}

/* Issue the first version of proposal p as oid in area; RM_EEXIST when
 * the object exists and is open, RM_EEXPIRED when it exists in another
 * state (expired, confirmed). */
static int
proposal_new(struct node *n, struct rm_proposal *p, const char *oid,
    const char *area, rm_why *why)
{
	struct service_issued is;
	struct rm_record d;
	struct issue_base base;
	struct rm_record cur;
	int rv;

	draft_init(n, &d, &rm_kind_proposal, p, oid, area);
	if ((rv = node_issue_draft_valid(n, &rm_kind_proposal, &d, why)) !=
	    RM_OK)
		return rv;
	memset(&base, 0, sizeof(base));
	base.n = n;
	if ((rv = node_issue_latest(n, oid, &base.exists, &base.hash, &cur,
	    why)) != RM_OK)
		return rv;
	if (base.exists) {
		bool open = record_proposal(&cur) != NULL &&
		    record_proposal(&cur)->state == RM_PROPOSAL_OPEN;

		record_fini(&cur);
		/* open: raised before (a restart); else this raise cannot
		 * have its own proposal and must not pass for one */
		return rm_fail_at(why, open ? RM_EEXIST : RM_EEXPIRED,
		    "object_id", "proposal %s exists%s", oid, open ? "" :
		    " and is no longer open");
	}
	if ((rv = node_issue_authorise(n, &d, why)) != RM_OK)
		return rv;
	return node_issue_commit(n, &d, &base, &is, why);
}

/* The next version of the open proposal cur (hash h) in state st. */
static int
proposal_next(struct node *n, const struct rm_record *cur, const rm_hash *h,
    enum rm_proposal_state st, const struct service_issued *became,
    rm_why *why)
{
	struct rm_record next = *cur;
	struct rm_proposal body = *record_proposal(cur);
	struct issue_base base = { n, true, *h };
	struct service_issued is;
	int rv;

	next.body = &body;
	next.ver = next.seq = 0;
	next.has_prev = next.has_supersedes = false;
	next.issued_ms = rm_utc_now_ms();
	body.state = st;
	if (became != NULL) {
		snprintf(body.confirmed_origin, sizeof(body.confirmed_origin),
		    "%s", became->origin);
		snprintf(body.confirmed_oid, sizeof(body.confirmed_oid), "%s",
		    became->object_id);
	}
	if ((rv = node_issue_draft_valid(n, &rm_kind_proposal, &next, why)) ==
	    RM_OK && (rv = node_issue_authorise(n, &next, why)) == RM_OK)
		rv = node_issue_commit(n, &next, &base, &is, why);
	return rv;
}

int
node_proposal_expire(struct node *n, const struct rules_transition *t,
    rm_why *why)
{
	char oid[RM_OBJECT_ID_MAX + 1];

	node_proposal_oid(t->rule->id, t->area, t->since_ms, oid);
	return node_proposal_expire_oid(n, oid, why);
}

int
node_proposal_expire_oid(struct node *n, const char *oid, rm_why *why)
{
	struct rm_record cur;
	rm_hash h;
	int rv;

	if ((rv = service_proposal_latest(n, oid, &cur, &h, why)) != RM_OK)
		return rv == RM_ENOTFOUND ? RM_OK : rv;
	if (record_proposal(&cur)->state == RM_PROPOSAL_OPEN)
		rv = proposal_next(n, &cur, &h, RM_PROPOSAL_EXPIRED, NULL, why);
	record_fini(&cur);
	return rv;
}

/* The subject of a review task: the rule's, the risk id and name, cut
 * at a character boundary to RM_PROPOSAL_SUBJECT_MAX bytes. */
static void
review_subject(const struct rules_rule *r, const struct node_review_item *it,
    char out[RM_PROPOSAL_SUBJECT_MAX + 1])
{
	char buf[RULES_SUBJECT_MAX + RM_OBJECT_ID_MAX + RM_RISK_NAME_MAX + 3];
	size_t len;

	snprintf(buf, sizeof(buf), "%s %s %s", r->subject, it->oid, it->name);
	len = strlen(buf) < RM_PROPOSAL_SUBJECT_MAX ? strlen(buf) :
	    RM_PROPOSAL_SUBJECT_MAX;
	memcpy(out, buf, len);
	out[len] = '\0';
	while (len > 0 && !rm_utf8_valid(out, len))
		out[--len] = '\0';
}

int
node_proposal_review_raise(struct node *n, const struct rules_rule *r,
    const struct node_review_item *it, rm_why *why)
{
	char oid[RM_OBJECT_ID_MAX + 1], subject[RM_PROPOSAL_SUBJECT_MAX + 1];
	struct rm_proposal_evidence *x;
	struct rm_proposal p;
	enum rm_ind_period k;
	int64_t day, today = indicator_period_of(RM_IND_DAY, node_now(n));

	if (indicator_time_parse(it->review, &k, &day) != RM_OK ||
	    k != RM_IND_DAY || day >= today)
		return rm_fail_at(why, RM_EBADVALUE, "review", "risk %s/%s: "
		    "review date %s is not past", it->origin, it->oid,
		    it->review);
	memset(&p, 0, sizeof(p));
	snprintf(p.rule, sizeof(p.rule), "%s", r->id);
	p.type = RM_PROPOSAL_TASK;
	p.state = RM_PROPOSAL_OPEN;
	/* event time: the midnight (UTC+08:00) the review date passed */
	p.raised_ms = indicator_time_ms(RM_IND_DAY, day + 1);
	snprintf(p.assignee, sizeof(p.assignee), "%s",
	    strcmp(r->assignee, RULES_RESPONSIBLE) == 0 ? it->responsible :
	    r->assignee);
	review_subject(r, it, subject);
	p.subject = subject;
	p.n_evidence = 1;
	x = &p.evidence[0];
	snprintf(x->what, sizeof(x->what), "%s", rules_term_name(RULES_REVIEW));
	snprintf(x->code, sizeof(x->code), "%s", it->review);
	x->at_ms = p.raised_ms;
	x->has_value = true;
	(void)rules_decimal((double)(today - day), &x->value.mant,
	    &x->value.exp);
	snprintf(x->ref, sizeof(x->ref), "%s/%s", it->origin, it->oid);
	node_proposal_review_oid(r->id, it->origin, it->oid, it->review, oid);
	return proposal_new(n, &p, oid, it->area, why);
}

int
service_proposal_latest(struct node *n, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why)
{
	return node_issue_latest_of(n, id, &rm_kind_proposal, out, hash, why);
}

int
service_proposal_confirm(struct node *n, const char *id,
    struct service_issued *out, rm_why *why)
{
	struct rm_record cur;
	struct rm_proposal *p;
	struct service_issued alert;
	char ref[RM_ALERT_REFERENCE_MAX + 1], t[32];
	rm_why w2;
	rm_hash h;
	int rv;

	if ((rv = service_proposal_latest(n, id, &cur, &h, why)) != RM_OK)
		return rv;
	p = record_proposal(&cur);
	if (p->state != RM_PROPOSAL_OPEN)
		rv = rm_fail_at(why, RM_EEXIST, "state", "proposal %s is %s%s%s",
		    id, proposal_state_name(p->state), p->state ==
		    RM_PROPOSAL_CONFIRMED ? " as " : "", p->state ==
		    RM_PROPOSAL_CONFIRMED ? p->confirmed_oid : "");
	if (rv != RM_OK)
		goto out;
	rm_utc_format(cur.issued_ms, t);
	snprintf(ref, sizeof(ref), "%s,%s,%s", cur.origin, cur.object_id, t);
	if (p->type == RM_PROPOSAL_TASK)
		rv = task_issue(n, &cur, p, &alert, why);
	else
		rv = alert_issue(n, p, cur.areas[0], ref, &alert, why);
	if (rv != RM_OK)
		goto out;
	/* the alert or task stands; a proposal left open is logged, not
	 * undone */
	if (proposal_next(n, &cur, &h, RM_PROPOSAL_CONFIRMED, &alert, &w2) !=
	    RM_OK)
		rm_log(RM_LOG_WARN, "node", "proposal %s confirmed as %s %s but "
		    "not marked confirmed: %s", id, proposal_type_name(p->type),
		    alert.object_id, w2.msg);
	*out = alert;
out:
	record_fini(&cur);
	return rv;
}

int
service_proposals_list(struct node *n, const char *area, rm_utc_ms now,
    store_each_fn each, void *arg, rm_why *why)
{
	int rv;

	if (area != NULL && (strlen(area) > RM_AREA_CODE_MAX ||
	    !area_code_valid(area)))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code", area);
	rv = store_active(n->store, &rm_kind_proposal, area, now, each, arg);
	if (rv != RM_OK && rv > 0 && rv < RM_ERR_COUNT)
		return rm_fail(why, rv, "cannot read proposals: %s",
		    rm_strerror(rv));
	return rv;
}
