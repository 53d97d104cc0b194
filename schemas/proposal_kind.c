/*
 * proposal_kind.c -- the record kind "proposal" (schemas.h, "the
 * proposal kind"; CDDL in schemas/proposal.cddl; codec in
 * proposal_codec.c): the body's rules, the authorisation fields, in
 * force while open, index keys and the one-line summary.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

bool
proposal_rule_id_valid(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > RM_PROPOSAL_RULE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("._-", s[i]) != NULL))
			return false;
	return true;
}

static int
evidence_ok(const struct rm_proposal_evidence *x, size_t i, rm_why *why)
{
	static const char *const whats[] = { "level", "rise", "fall", "max",
		"min", "alert", "target", "review" };
	bool alert = strcmp(x->what, "alert") == 0;
	bool review = strcmp(x->what, "review") == 0;
	bool windowed = false, known = false;

	for (size_t k = 0; k < sizeof(whats) / sizeof(whats[0]); k++)
		if (strcmp(x->what, whats[k]) == 0) {
			known = true;
			windowed = k >= 1 && k <= 4;
		}
	if (!known)
		return rm_fail(why, RM_EBADVALUE, "proposal.evidence[%zu].what: "
		    "level, rise, fall, max, min, alert, target or review", i);
	if (x->code[0] == '\0' || !rm_utf8_valid(x->code, strlen(x->code)))
		return rm_fail(why, RM_EMISSING, "proposal.evidence[%zu].code: "
		    "required", i);
	if (alert != (grade_name(x->grade) != NULL) ||
	    (alert || review) != (x->ref[0] != '\0') ||
	    (alert && x->has_value))
		return rm_fail(why, RM_EBADVALUE, "proposal.evidence[%zu]: an "
		    "alert term has grade and ref and no value, a review term "
		    "ref and value; the others a value", i);
	if (!alert && !x->has_value)
		return rm_fail(why, RM_EMISSING, "proposal.evidence[%zu].value: "
		    "required", i);
	if (windowed == (x->window_s == 0) || x->window_s > 7 * 86400)
		return rm_fail(why, RM_EBADVALUE, "proposal.evidence[%zu].window:"
		    " 1..604800 s for rise, fall, max and min only", i);
	if (x->has_value && !sch_proposal_num_canonical(&x->value))
		return rm_fail(why, RM_EBADVALUE, "proposal.evidence[%zu].value: "
		    "not a canonical decimal", i);
	return RM_OK;
}

static int
action_ok(const struct rm_proposal *p, rm_why *why)
{
	int rv;

	if (p->type == RM_PROPOSAL_WARNING) {
		if (grade_name(p->grade) == NULL)
			return rm_fail(why, RM_EMISSING, "proposal.grade: a "
			    "warning has a grade");
		if ((rv = sch_text_check(p->event, "proposal.event",
		    RM_ALERT_EVENT_MAX, true, why)) != RM_OK ||
		    (rv = sch_text_check(p->headline, "proposal.headline",
		    RM_ALERT_HEADLINE_MAX, true, why)) != RM_OK ||
		    (rv = sch_text_check(p->lang, "proposal.lang",
		    RM_ALERT_LANG_MAX, true, why)) != RM_OK)
			return rv;
		if (p->assignee[0] != '\0' || p->subject != NULL)
			return rm_fail(why, RM_EBADVALUE, "proposal.assignee: a "
			    "warning has no assignee or subject");
		return RM_OK;
	}
	if (p->type != RM_PROPOSAL_TASK)
		return rm_fail(why, RM_EBADVALUE, "proposal.type: warning or "
		    "task");
	if (!agency_id_valid(p->assignee))
		return rm_fail(why, RM_EBADVALUE, "proposal.assignee: \"%.64s\" "
		    "is not an agency id (%s)", p->assignee, RM_AGENCY_ID_RULE);
	if ((rv = sch_text_check(p->subject, "proposal.subject",
	    RM_PROPOSAL_SUBJECT_MAX, true, why)) != RM_OK)
		return rv;
	if (p->grade != 0 || p->event != NULL || p->headline != NULL ||
	    p->lang[0] != '\0')
		return rm_fail(why, RM_EBADVALUE, "proposal.grade: a task has "
		    "no grade, event, headline or lang");
	return RM_OK;
}

static int
proposal_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_proposal *p = rec->body;
	bool c = p->state == RM_PROPOSAL_CONFIRMED;
	int rv;

	if (rec->n_areas != 1)
		return rm_fail(why, RM_EBADVALUE, "areas: a proposal has one "
		    "area, the record has %zu", rec->n_areas);
	if (!proposal_rule_id_valid(p->rule))
		return rm_fail(why, RM_EBADVALUE, "proposal.rule: 1..%d of "
		    "A-Z a-z 0-9 . _ -", RM_PROPOSAL_RULE_MAX);
	if (proposal_state_name(p->state) == NULL)
		return rm_fail(why, RM_EBADVALUE, "proposal.state: open, "
		    "confirmed or expired");
	if (p->raised_ms <= 0)
		return rm_fail(why, RM_EBADVALUE, "proposal.raised: a time "
		    "after 1970");
	if ((rv = action_ok(p, why)) != RM_OK)
		return rv;
	if (p->n_evidence < 1 || p->n_evidence > RM_PROPOSAL_EVIDENCE_MAX)
		return rm_fail(why, RM_EMISSING, "proposal.evidence: 1..%d items",
		    RM_PROPOSAL_EVIDENCE_MAX);
	for (size_t i = 0; i < p->n_evidence; i++)
		if ((rv = evidence_ok(&p->evidence[i], i, why)) != RM_OK)
			return rv;
	if (c != (p->confirmed_oid[0] != '\0') ||
	    c != (p->confirmed_origin[0] != '\0'))
		return rm_fail(why, c ? RM_EMISSING : RM_EBADVALUE,
		    "proposal.confirmed: present iff the state is confirmed");
	if (c && (!object_id_valid(p->confirmed_oid) ||
	    !agency_id_valid(p->confirmed_origin)))
		return rm_fail(why, RM_EBADVALUE, "proposal.confirmed: an agency "
		    "id and an object id");
	return RM_OK;
}

static void
proposal_fini(void *body)
{
	struct rm_proposal *p = body;

	free(p->event);
	free(p->headline);
	free(p->subject);
	p->event = p->headline = p->subject = NULL;
}

static rm_grade
proposal_grade(const struct rm_record *rec)
{
	return ((const struct rm_proposal *)rec->body)->grade;
}

static bool
proposal_in_force(const struct rm_record *rec)
{
	return ((const struct rm_proposal *)rec->body)->state ==
	    RM_PROPOSAL_OPEN;
}

static int
proposal_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_proposal *p = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	snprintf(key, sizeof(key), "type=%s", proposal_type_name(p->type));
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "rule=%.59s", p->rule);
	return emit(arg, key);
}

static void
proposal_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_proposal *p = rec->body;

	if (p->type == RM_PROPOSAL_WARNING)
		snprintf(out, len, "proposal %s %s warning %s: %s", p->rule,
		    proposal_state_name(p->state), grade_name(p->grade),
		    p->headline);
	else
		snprintf(out, len, "proposal %s %s task for %s: %s", p->rule,
		    proposal_state_name(p->state), p->assignee, p->subject);
}

const struct rm_kind_ops rm_kind_proposal = {
	.name = "proposal",
	.cddl = "proposal.cddl",
	.body_size = sizeof(struct rm_proposal),
	.encode = sch_proposal_encode,
	.decode = sch_proposal_decode,
	.validate = proposal_validate,
	.fini = proposal_fini,
	.grade = proposal_grade,
	.in_force = proposal_in_force,
	.index_keys = proposal_index_keys,
	.summary = proposal_summary,
	.roster_kind = "alert",
};
