/*
 * proposal.h -- what a node's monitoring rules propose: kind "proposal".
 *
 * Part of the schemas module's public interface: include
 * "schemas/schemas.h", which includes this file after the record model
 * and the kind registry it builds on. Thread rules and conventions are
 * those of schemas.h.
 */
#ifndef RM_SCHEMAS_PROPOSAL_H
#define RM_SCHEMAS_PROPOSAL_H

#include "schemas/schemas.h"

/* ---------------- the proposal kind ---------------- */

/*
 * Kind "proposal" (schemas/proposal.cddl, schemas/proposal_kind.c): what
 * a monitoring rule (node/rules, docs/RULES.md) proposes for one area
 * when it fires, issued by the node that runs the rule: a warning to
 * confirm into an alert, or a task for an assignee, with the evidence
 * (the values that made it fire). The record's single area is the area
 * evaluated; its oid is "prop:<rule>:<area>:<raised ms>". Versions:
 * open (in force) -> confirmed (names the record it became: origin and
 * oid) or expired (the condition cleared); both are final. The roster
 * permission is the alert's (rm_kind_ops.roster_kind "alert"): whoever
 * may warn the area may propose warnings for it, and a warning
 * proposal's grade is checked against the agency's highest grade.
 * Values are decimals without floats: CBOR decimal fractions (RFC 8949
 * §3.4.4, tag 4 [exponent, mantissa]).
 */
#define RM_PROPOSAL_RULE_MAX      64    /* rule id, [A-Za-z0-9._-] */
#define RM_PROPOSAL_CODE_MAX      64    /* indicator code / alert event */
#define RM_PROPOSAL_EVIDENCE_MAX  8
#define RM_PROPOSAL_SUBJECT_MAX   512
#define RM_PROPOSAL_REF_MAX       (RM_AGENCY_ID_MAX + RM_OBJECT_ID_MAX + 1)

enum rm_proposal_type { RM_PROPOSAL_WARNING = 1, RM_PROPOSAL_TASK };
enum rm_proposal_state {
	RM_PROPOSAL_OPEN = 1, RM_PROPOSAL_CONFIRMED, RM_PROPOSAL_EXPIRED,
};

/* A decimal mant * 10^exp: mant not a multiple of 10 unless 0 (then
 * exp 0), |exp| <= 30 (the one encoding of each value). */
struct rm_proposal_num {
	int64_t mant;
	int32_t exp;
};

/* What one term of the rule saw. */
struct rm_proposal_evidence {
	char what[8];                      /* ["what"] level|rise|fall|max|
	                                      min|alert|target (off_target)|
	                                      review (review_overdue) */
	char code[RM_PROPOSAL_CODE_MAX + 1]; /* ["code"] indicator code, or
	                                      the alert's event, or (review)
	                                      the risk's review date */
	rm_utc_ms at_ms;                   /* ["at"] newest point used /
	                                      when the alert was known */
	uint32_t window_s;                 /* ["window"] rise..min only */
	bool has_value;                    /* ["value"] numeric terms */
	struct rm_proposal_num value;
	rm_grade grade;                    /* ["grade"] alert terms only */
	char ref[RM_PROPOSAL_REF_MAX + 1]; /* ["ref"] alert and review terms
	                                      only: "ORIGIN/OID" of the alert
	                                      or of the risk; a review term's
	                                      value is the days overdue */
};

struct rm_proposal {
	char rule[RM_PROPOSAL_RULE_MAX + 1]; /* ["rule"] */
	enum rm_proposal_type type;        /* ["type"] warning|task */
	enum rm_proposal_state state;      /* ["state"] open|confirmed|
	                                      expired */
	rm_utc_ms raised_ms;               /* ["raised"] when the rule fired
	                                      (event time) */
	/* warning: all three present; absent for a task */
	rm_grade grade;                    /* ["grade"] */
	char *event;                       /* ["event"] heap */
	char *headline;                    /* ["headline"] heap */
	char lang[RM_ALERT_LANG_MAX + 1];  /* ["lang"] */
	/* task: both present; absent for a warning */
	char assignee[RM_AGENCY_ID_MAX + 1]; /* ["assignee"] */
	char *subject;                     /* ["subject"] heap */
	size_t n_evidence;                 /* ["evidence"] 1..8 */
	struct rm_proposal_evidence evidence[RM_PROPOSAL_EVIDENCE_MAX];
	/* ["confirmed"] {"oid", "origin"}: present iff state confirmed */
	char confirmed_origin[RM_AGENCY_ID_MAX + 1];
	char confirmed_oid[RM_OBJECT_ID_MAX + 1];
};

/* The body of a proposal record, or NULL if rec is not one. */
struct rm_proposal *record_proposal(const struct rm_record *rec);
/* "warning"/"task", "open"/"confirmed"/"expired": static strings, NULL
 * outside the enum; the parsers return RM_EBADVALUE for other names. */
const char *proposal_type_name(enum rm_proposal_type t);
const char *proposal_state_name(enum rm_proposal_state s);
int proposal_state_parse(const char *s, enum rm_proposal_state *out);
/* True iff s is a rule id: 1..RM_PROPOSAL_RULE_MAX of A-Z a-z 0-9 . _ -
 * (the ids of docs/RULES.md). NULL gives false. */
bool proposal_rule_id_valid(const char *s);
/* The decimal as text ("62.5", "-0.03", "1200"), at most 48 bytes. */
void proposal_num_text(const struct rm_proposal_num *v, char *out,
    size_t len);

/* The built-in kind "proposal". */
extern const struct rm_kind_ops rm_kind_proposal; /* schemas/proposal_kind.c */

#endif /* RM_SCHEMAS_PROPOSAL_H */
