/*
 * trust_int.h -- internals shared by the federation/trust sources only.
 * Not a public header: nothing outside federation/trust includes it.
 */
#ifndef RM_TRUST_INT_H
#define RM_TRUST_INT_H

#include <stdatomic.h>

#include "federation/trust/trust.h"

/* ---------------- roster ---------------- */

struct roster {
	atomic_uint refs;
	char federation[ROSTER_FED_NAME_MAX + 1];
	uint64_t version;
	rm_utc_ms issued_ms;
	size_t n, cap;
	struct roster_agency *agencies;     /* sorted by id (strcmp) */
	uint8_t *signed_bytes;              /* as opened; NULL if built */
	size_t signed_len;
};

#define ROSTER_FORMAT_VERSION 1

/* Validate one entry (id, names, role, kinds, grade, areas, key). */
int roster_agency_check(const struct roster_agency *a, rm_why *why);
/* Shared by roster_new and roster_open. */
struct roster *roster_alloc(void);
void roster_set_issued(struct roster *r, rm_utc_ms issued_ms);

/* A restricted record's COSE_Encrypt is addressed to exactly the enc
 * keys of the agencies its "to" names (restricted.c; errors as
 * fed_record_open says). */
int fed_check_recipients(const struct roster *r, const struct rm_record *rec,
    rm_why *why);

#endif /* RM_TRUST_INT_H */
