/*
 * task_int.h -- private to schemas/: the pieces the kinds of task
 * dispatch (task_kind.c, ack_kind.c, escalation_kind.c) share: the
 * task reference {oid, origin}, sorted agency lists and bounded text.
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

/* Append an array of n agency ids. */
int sch_agency_list_encode(char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    rm_buf *b);
/* Read an array of 1..max agency ids into ids, *n their count. */
int sch_agency_list_decode(rm_cbor_rd *rd, const char *field,
    char (*ids)[RM_AGENCY_ID_MAX + 1], size_t max, size_t *n, rm_why *why);
/* Agency ids, 1..max of them, sorted by strcmp and unique. */
int sch_agency_list_check(char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    size_t max, const char *field, rm_why *why);

/* Text s: absent allowed when !required; else 1..max bytes of UTF-8.
 * RM_EMISSING / RM_EBADVALUE naming field. */
int sch_text_check(const char *s, const char *field, size_t max,
    bool required, rm_why *why);

/* The 1-based index of s in t[0..n), 0 if absent. */
int sch_enum_find(const char *const *t, size_t n, const char *s);
/* Read a text item that must be one of t[0..n) into *out (1-based). */
int sch_dec_enum(rm_cbor_rd *rd, const char *field, const char *const *t,
    size_t n, int *out, rm_why *why);

#endif /* RM_SCHEMAS_TASK_INT_H */
