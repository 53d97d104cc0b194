/*
 * trust_int.h -- internals shared by the federation/trust sources only.
 * Not a public header: nothing outside federation/trust includes it.
 */
#ifndef RM_TRUST_INT_H
#define RM_TRUST_INT_H

#include <stdatomic.h>

#include "federation/trust/trust.h"

/* ---------------- roster ---------------- */

/* An entry shared, unchanged, by every roster version that holds it
 * (roster_apply copies pointers, not entries). */
struct roster_entry {
	atomic_uint refs;
	struct roster_agency a;
};

/* The kid index: every key of every entry, sorted by kid. */
struct roster_kid {
	rm_hash kid;
	const struct roster_entry *e;
	size_t key;                         /* index in e->a.keys */
};

struct roster {
	atomic_uint refs;
	char federation[ROSTER_FED_NAME_MAX + 1];
	uint64_t version;
	rm_utc_ms issued_ms;
	size_t n, cap;
	struct roster_entry **agencies;     /* sorted by id (strcmp) */
	size_t n_kids;
	struct roster_kid *kids;            /* NULL until roster_index */
	size_t n_enc;                       /* encryption keys, by kid */
	struct roster_kid *enc;
	uint8_t *signed_bytes;              /* as opened; NULL if built */
	size_t signed_len;
};

#define ROSTER_FORMAT_VERSION 1

/* Validate one entry (id, names, role, kinds, grade, areas, key). */
int roster_agency_check(const struct roster_agency *a, rm_why *why);
/* Shared by roster_new and roster_open. */
struct roster *roster_alloc(void);
void roster_set_issued(struct roster *r, rm_utc_ms issued_ms);
/* A shared entry holding a copy of a (keys referenced); an entry built
 * with n_keys == 0 gets one open key, a->key. NULL: RM_ENOMEM in why. */
struct roster_entry *roster_entry_new(const struct roster_agency *a,
    rm_why *why);
struct roster_entry *roster_entry_ref(const struct roster_entry *e);
void roster_entry_free(const struct roster_entry *e);
/* The agency holding key kid as a signing key (*enc false) or as an
 * encryption key (*enc true), or NULL. O(log n). */
const struct roster_agency *roster_kid_holder(const struct roster *r,
    const rm_hash *kid, bool *enc);
/* Build r->kids from the entries (after the last change to a roster
 * being built). RM_ENOMEM. */
int roster_index(struct roster *r, rm_why *why);

/* A restricted record's COSE_Encrypt is addressed to exactly the enc
 * keys of the agencies its "to" names (restricted.c; errors as
 * fed_record_open says). */
int fed_check_recipients(const struct roster *r, const struct rm_record *rec,
    rm_why *why);

#endif /* RM_TRUST_INT_H */
