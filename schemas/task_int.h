/*
 * task_int.h -- private to schemas/: the pieces the kinds of task
 * dispatch (task_kind.c, ack_kind.c, escalation_kind.c) share: the
 * task reference {oid, origin} (agency lists and text rules are in
 * schemas_int.h).
 * Reentrant, no shared state.
 */
#ifndef RM_SCHEMAS_TASK_INT_H
#define RM_SCHEMAS_TASK_INT_H

#include "schemas/schemas_int.h"

/* Append {"oid": r->oid, "origin": r->origin} (deterministic order). */
int sch_task_ref_encode(const struct rm_task_ref *r, rm_buf *b);
/* Read one reference map into *r; field names it in why ("ack.task"). */
int sch_task_ref_decode(rm_cbor_rd *rd, const char *field,
    struct rm_task_ref *r, rm_why *why);
/* A reference's rules: origin an agency id, oid a task id
 * (task_id_valid). */
int sch_task_ref_check(const struct rm_task_ref *r, const char *field,
    rm_why *why);

#endif /* RM_SCHEMAS_TASK_INT_H */
