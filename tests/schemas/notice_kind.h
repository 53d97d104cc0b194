/*
 * notice_kind.h -- a record kind defined only by the tests ("notice"):
 * proof that a new kind is one table entry, with no change to schemas/,
 * the store, the federation or the node. Body (deterministic CBOR map):
 *   { "to": [1*4 agency-id], "note": text, "grade": grade-name,
 *     "state": 0 (open) / 1 (closed) }
 * Graded (authorised against the roster's highest grade), addressed to
 * its "to" agencies (recipients, and index keys "to=<agency>"), in force
 * while open.
 */
#ifndef RM_TEST_NOTICE_KIND_H
#define RM_TEST_NOTICE_KIND_H

#include "schemas/schemas.h"

#define NOTICE_TO_MAX 4

struct notice {
	size_t n_to;
	char to[NOTICE_TO_MAX][RM_AGENCY_ID_MAX + 1];
	char *note;            /* heap when decoded */
	rm_grade grade;
	uint64_t state;        /* 0 open, 1 closed */
};

extern const struct rm_kind_ops notice_kind;

/* Register notice_kind (idempotent); aborts on failure. */
void notice_kind_register(void);

/* Fill r (common fields valid, seq/ver 1) as a notice of origin in area
 * with body n (borrowed; note may point at static text). */
void notice_record(struct rm_record *r, struct notice *n, const char *origin,
    const char *oid, const char *area, rm_grade g, const char *to,
    uint64_t state);

#endif /* RM_TEST_NOTICE_KIND_H */
