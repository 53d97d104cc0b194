/*
 * proposal_codec.c -- the body codec of the record kind "proposal"
 * (schemas.h, "the proposal kind"; CDDL in schemas/proposal.cddl; the
 * kind's rules and table are in proposal_kind.c).
 *
 * Maps have text keys in deterministic order (RFC 8949 §4.2.1: shorter
 * keys first, then bytewise); optional keys are absent, never null.
 * Decimal values are tag 4 [exponent, mantissa] in their one canonical
 * form. Decoding is strict: exactly what proposal_encode writes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum pkey { P_LANG, P_RULE, P_TYPE, P_EVENT, P_GRADE, P_STATE, P_RAISED,
	P_SUBJECT, P_ASSIGNEE, P_EVIDENCE, P_HEADLINE, P_CONFIRMED, P_NKEYS };
static const char *const pkeys[P_NKEYS] = { "lang", "rule", "type", "event",
	"grade", "state", "raised", "subject", "assignee", "evidence",
	"headline", "confirmed" };
enum ekey { E_AT, E_REF, E_CODE, E_WHAT, E_GRADE, E_VALUE, E_WINDOW,
	E_NKEYS };
static const char *const ekeys[E_NKEYS] = { "at", "ref", "code", "what",
	"grade", "value", "window" };
static const char *const types[] = { "warning", "task" };
static const char *const states[] = { "open", "confirmed", "expired" };
static const char *const grades[] = { "blue", "yellow", "orange", "red" };
static const char *const whats[] = { "level", "rise", "fall", "max", "min",
	"alert", "target", "review" };

SCH_ENUM_NAME(proposal_type, enum rm_proposal_type, types)
SCH_ENUM_NAMES(proposal_state, enum rm_proposal_state, states)

bool
sch_proposal_num_canonical(const struct rm_proposal_num *v)
{
	return v->exp >= -30 && v->exp <= 30 && (v->mant != 0 || v->exp == 0) &&
	    (v->mant == 0 || v->mant % 10 != 0);
}

void
proposal_num_text(const struct rm_proposal_num *v, char *out, size_t len)
{
	char d[24];
	uint64_t m = v->mant < 0 ? (uint64_t)0 - (uint64_t)v->mant :
	    (uint64_t)v->mant;
	int n = snprintf(d, sizeof(d), "%" PRIu64, m), e = v->exp;
	const char *sign = v->mant < 0 ? "-" : "";

	if (e >= 0)
		snprintf(out, len, "%s%s%.*s", sign, d, e > 30 ? 30 : e,
		    "000000000000000000000000000000");
	else if (-e < n)
		snprintf(out, len, "%s%.*s.%s", sign, n + e, d, d + n + e);
	else
		snprintf(out, len, "%s0.%.*s%s", sign, -e - n > 30 ? 30 : -e - n,
		    "000000000000000000000000000000", d);
}

struct rm_proposal *
record_proposal(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_proposal)
		return NULL;
	return rec->body;
}

/* ---------------- encoder ---------------- */

static int
kv(rm_buf *b, const char *k, const char *v)
{
	int rv = rm_cbor_put_cstr(b, k);

	return rv != RM_OK ? rv : rm_cbor_put_cstr(b, v);
}

static int
put_evidence(rm_buf *b, const struct rm_proposal_evidence *x)
{
	bool alert = strcmp(x->what, "alert") == 0;
	bool ref = alert || strcmp(x->what, "review") == 0;
	size_t n = 3 + alert + ref + x->has_value + (x->window_s > 0);
	int rv;

	if ((rv = rm_cbor_put_map(b, n)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, ekeys[E_AT])) != RM_OK ||
	    (rv = rm_cbor_put_int(b, x->at_ms)) != RM_OK)
		return rv;
	if (ref && (rv = kv(b, ekeys[E_REF], x->ref)) != RM_OK)
		return rv;
	if ((rv = kv(b, ekeys[E_CODE], x->code)) != RM_OK ||
	    (rv = kv(b, ekeys[E_WHAT], x->what)) != RM_OK)
		return rv;
	if (alert && (rv = kv(b, ekeys[E_GRADE], grade_name(x->grade))) !=
	    RM_OK)
		return rv;
	if (x->has_value && ((rv = rm_cbor_put_cstr(b, ekeys[E_VALUE])) !=
	    RM_OK || (rv = sch_decfrac_put(b, x->value.exp, x->value.mant)) != RM_OK))
		return rv;
	if (x->window_s > 0 && ((rv = rm_cbor_put_cstr(b, ekeys[E_WINDOW])) !=
	    RM_OK || (rv = rm_cbor_put_uint(b, x->window_s)) != RM_OK))
		return rv;
	return RM_OK;
}

int
sch_proposal_encode(const void *body, rm_buf *b)
{
	const struct rm_proposal *p = body;
	bool w = p->type == RM_PROPOSAL_WARNING;
	bool c = p->state == RM_PROPOSAL_CONFIRMED;
	int rv;

	if ((rv = rm_cbor_put_map(b, 5 + (w ? 4 : 2) + c)) != RM_OK)
		return rv;
	if (w && (rv = kv(b, pkeys[P_LANG], p->lang)) != RM_OK)
		return rv;
	if ((rv = kv(b, pkeys[P_RULE], p->rule)) != RM_OK ||
	    (rv = kv(b, pkeys[P_TYPE], proposal_type_name(p->type))) != RM_OK)
		return rv;
	if (w && ((rv = kv(b, pkeys[P_EVENT], p->event)) != RM_OK ||
	    (rv = kv(b, pkeys[P_GRADE], grade_name(p->grade))) != RM_OK))
		return rv;
	if ((rv = kv(b, pkeys[P_STATE], proposal_state_name(p->state))) !=
	    RM_OK || (rv = rm_cbor_put_cstr(b, pkeys[P_RAISED])) != RM_OK ||
	    (rv = rm_cbor_put_int(b, p->raised_ms)) != RM_OK)
		return rv;
	if (!w && ((rv = kv(b, pkeys[P_SUBJECT], p->subject)) != RM_OK ||
	    (rv = kv(b, pkeys[P_ASSIGNEE], p->assignee)) != RM_OK))
		return rv;
	if ((rv = rm_cbor_put_cstr(b, pkeys[P_EVIDENCE])) != RM_OK ||
	    (rv = rm_cbor_put_array(b, p->n_evidence)) != RM_OK)
		return rv;
	for (size_t i = 0; i < p->n_evidence; i++)
		if ((rv = put_evidence(b, &p->evidence[i])) != RM_OK)
			return rv;
	if (w && (rv = kv(b, pkeys[P_HEADLINE], p->headline)) != RM_OK)
		return rv;
	if (c && ((rv = rm_cbor_put_cstr(b, pkeys[P_CONFIRMED])) != RM_OK ||
	    (rv = rm_cbor_put_map(b, 2)) != RM_OK ||
	    (rv = kv(b, "oid", p->confirmed_oid)) != RM_OK ||
	    (rv = kv(b, "origin", p->confirmed_origin)) != RM_OK))
		return rv;
	return RM_OK;
}

/* ---------------- decoder ---------------- */

static int
rd_num(rm_cbor_rd *rd, struct rm_proposal_num *v, rm_why *why)
{
	const char *f = "proposal.evidence.value";
	int64_t e, m;
	int rv;

	if ((rv = sch_decfrac_read(rd, f, &e, &m, why)) != RM_OK)
		return rv;
	v->mant = m;
	v->exp = e < INT32_MIN || e > INT32_MAX ? INT32_MAX : (int32_t)e;
	if (!sch_proposal_num_canonical(v))
		return rm_fail(why, RM_ENONCANON, "%s: not the canonical decimal "
		    "(mantissa not a multiple of 10, exponent -30..30)", f);
	return RM_OK;
}

static int
rd_evidence_field(rm_cbor_rd *rd, struct rm_proposal_evidence *x, int k,
    rm_why *why)
{
	int64_t i;
	int v = 0, rv;

	switch (k) {
	case E_AT:
		rv = sch_dec_int(rd, "proposal.evidence.at", &i, why);
		x->at_ms = i;
		return rv;
	case E_REF:
		return sch_dec_fixed(rd, "proposal.evidence.ref", x->ref,
		    sizeof(x->ref), why);
	case E_CODE:
		return sch_dec_fixed(rd, "proposal.evidence.code", x->code,
		    sizeof(x->code), why);
	case E_WHAT:
		if ((rv = sch_dec_enum(rd, "proposal.evidence.what", whats,
		    NELEM(whats), NULL, &v, why)) == RM_OK)
			memcpy(x->what, whats[v - 1], strlen(whats[v - 1]) + 1);
		return rv;
	case E_GRADE:
		rv = sch_dec_enum(rd, "proposal.evidence.grade", grades,
		    NELEM(grades), NULL, &v, why);
		x->grade = (rm_grade)v;
		return rv;
	case E_VALUE:
		x->has_value = true;
		return rd_num(rd, &x->value, why);
	default:
		rv = sch_dec_int(rd, "proposal.evidence.window", &i, why);
		if (rv == RM_OK && (i < 1 || i > 7 * 86400))
			return rm_fail(why, RM_EBADVALUE, "proposal.evidence."
			    "window: 1..604800 seconds");
		x->window_s = (uint32_t)i;
		return rv;
	}
}

static int
rd_evidence(rm_cbor_rd *rd, struct rm_proposal *p, rm_why *why)
{
	size_t n, m;
	int rv, k;

	if ((rv = sch_dec_array(rd, "proposal.evidence", &n, why)) != RM_OK)
		return rv;
	if (n < 1 || n > RM_PROPOSAL_EVIDENCE_MAX)
		return rm_fail(why, RM_EBADVALUE, "proposal.evidence: 1..%d "
		    "items", RM_PROPOSAL_EVIDENCE_MAX);
	for (size_t i = 0; i < n; i++) {
		rm_cbor_keys ks;

		if ((rv = sch_dec_map(rd, "proposal.evidence", &m, why)) != RM_OK)
			return rv;
		rm_cbor_keys_init(&ks);
		for (size_t j = 0; j < m; j++)
			if ((rv = sch_dec_key(rd, &ks, "proposal.evidence", ekeys,
			    E_NKEYS, &k, why)) != RM_OK ||
			    (rv = rd_evidence_field(rd, &p->evidence[i], k,
			    why)) != RM_OK)
				return rv;
		p->n_evidence = i + 1;
	}
	return RM_OK;
}

static int
rd_confirmed(rm_cbor_rd *rd, struct rm_proposal *p, rm_why *why)
{
	rm_cbor_keys ks;
	size_t n;
	int rv, k;

	if ((rv = sch_dec_map(rd, "proposal.confirmed", &n, why)) != RM_OK)
		return rv;
	if (n != 2)
		return rm_fail(why, RM_EMISSING, "proposal.confirmed: oid and "
		    "origin");
	rm_cbor_keys_init(&ks);
	if ((rv = sch_dec_key(rd, &ks, "proposal.confirmed", (const char
	    *const[]){ "oid" }, 1, &k, why)) != RM_OK ||
	    (rv = sch_dec_fixed(rd, "proposal.confirmed.oid", p->confirmed_oid,
	    sizeof(p->confirmed_oid), why)) != RM_OK ||
	    (rv = sch_dec_key(rd, &ks, "proposal.confirmed", (const char
	    *const[]){ "origin" }, 1, &k, why)) != RM_OK)
		return rv;
	return sch_dec_fixed(rd, "proposal.confirmed.origin", p->confirmed_origin,
	    sizeof(p->confirmed_origin), why);
}

static int
rd_field(rm_cbor_rd *rd, struct rm_proposal *p, int k, rm_why *why)
{
	int64_t i;
	int v = 0, rv;

	switch (k) {
	case P_LANG:
		return sch_dec_fixed(rd, "proposal.lang", p->lang, sizeof(p->lang),
		    why);
	case P_RULE:
		return sch_dec_fixed(rd, "proposal.rule", p->rule, sizeof(p->rule),
		    why);
	case P_TYPE:
		rv = sch_dec_enum(rd, "proposal.type", types, NELEM(types), NULL,
		    &v, why);
		p->type = (enum rm_proposal_type)v;
		return rv;
	case P_EVENT:
		return sch_dec_strdup(rd, "proposal.event", RM_ALERT_EVENT_MAX,
		    &p->event, why);
	case P_GRADE:
		rv = sch_dec_enum(rd, "proposal.grade", grades, NELEM(grades),
		    NULL, &v, why);
		p->grade = (rm_grade)v;
		return rv;
	case P_STATE:
		rv = sch_dec_enum(rd, "proposal.state", states, NELEM(states),
		    NULL, &v, why);
		p->state = (enum rm_proposal_state)v;
		return rv;
	case P_RAISED:
		rv = sch_dec_int(rd, "proposal.raised", &i, why);
		p->raised_ms = i;
		return rv;
	case P_SUBJECT:
		return sch_dec_strdup(rd, "proposal.subject",
		    RM_PROPOSAL_SUBJECT_MAX, &p->subject, why);
	case P_ASSIGNEE:
		return sch_dec_fixed(rd, "proposal.assignee", p->assignee,
		    sizeof(p->assignee), why);
	case P_EVIDENCE:
		return rd_evidence(rd, p, why);
	case P_HEADLINE:
		return sch_dec_strdup(rd, "proposal.headline",
		    RM_ALERT_HEADLINE_MAX, &p->headline, why);
	default:
		return rd_confirmed(rd, p, why);
	}
}

int
sch_proposal_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_proposal *p = body;
	rm_cbor_keys ks;
	size_t n;
	int rv, k;

	if ((rv = sch_dec_map(rd, "proposal", &n, why)) != RM_OK)
		return rv;
	rm_cbor_keys_init(&ks);
	for (size_t i = 0; i < n; i++)
		if ((rv = sch_dec_key(rd, &ks, "proposal", pkeys, P_NKEYS, &k,
		    why)) != RM_OK || (rv = rd_field(rd, p, k, why)) != RM_OK)
			return rv;
	/* which keys must be there follows from type and state: validate
	 * checks them, and encode writes exactly those, so a map with
	 * missing or extra keys fails there */
	return RM_OK;
}
