/*
 * repr_proposal.c -- the JSON shape of a proposal (docs/API.md "The
 * proposal shape"): rule, type, state, raised; grade, event, headline
 * and lang of a warning, or assignee and subject of a task; evidence;
 * confirmed {origin, object_id} once confirmed. Decimal values are
 * JSON numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "node/repr/repr_int.h"

static json_t *
evidence_object(const struct rm_proposal_evidence *x)
{
	json_t *o = json_object();
	char v[64];

	if (o == NULL)
		return NULL;
	if (!repr_put(o, "what", json_string(x->what)) ||
	    !repr_put(o, "code", json_string(x->code)))
		goto fail;
	if (x->has_value) {
		proposal_num_text(&x->value, v, sizeof(v));
		if (!repr_put(o, "value", json_real(strtod(v, NULL))))
			goto fail;
	}
	if (x->window_s > 0 &&
	    !repr_put(o, "window_s", json_integer((json_int_t)x->window_s)))
		goto fail;
	if (x->grade != 0 && (!repr_put(o, "grade", json_string(grade_name(x->grade)))
	    || !repr_put(o, "alert", json_string(x->ref))))
		goto fail;
	if (x->grade == 0 && x->ref[0] != '\0' &&
	    !repr_put(o, "risk", json_string(x->ref)))
		goto fail;                 /* review: "ORIGIN/OID" of the risk */
	if (!repr_put(o, "at", repr_time(x->at_ms)))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

bool
repr_put_proposal(json_t *o, const struct rm_proposal *p)
{
	json_t *ev;

	if (!repr_put(o, "rule", json_string(p->rule)) ||
	    !repr_put(o, "type", json_string(proposal_type_name(p->type))) ||
	    !repr_put(o, "state", json_string(proposal_state_name(p->state))) ||
	    !repr_put(o, "raised", repr_time(p->raised_ms)))
		return false;
	if (p->type == RM_PROPOSAL_WARNING &&
	    (!repr_put(o, "grade", json_string(grade_name(p->grade))) ||
	    !repr_put(o, "event", json_string(p->event)) ||
	    !repr_put(o, "headline", json_string(p->headline)) ||
	    !repr_put(o, "lang", json_string(p->lang))))
		return false;
	if (p->type == RM_PROPOSAL_TASK &&
	    (!repr_put(o, "assignee", json_string(p->assignee)) ||
	    !repr_put(o, "subject", json_string(p->subject))))
		return false;
	if (!repr_put(o, "evidence", ev = json_array()))
		return false;
	for (size_t i = 0; i < p->n_evidence; i++)
		if (json_array_append_new(ev, evidence_object(&p->evidence[i])) !=
		    0)
			return false;
	if (p->state == RM_PROPOSAL_CONFIRMED &&
	    !repr_put(o, "confirmed", json_pack("{s:s,s:s}", "origin",
	    p->confirmed_origin, "object_id", p->confirmed_oid)))
		return false;
	return true;
}
