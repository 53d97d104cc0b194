/*
 * trust.h -- the federation's trust root: the signed roster of agencies
 * (codec, load/save, lookup), authorisation of a record by its signer's
 * roster entry, and the signed-record envelope (verify/seal).
 *
 * Pure functions over immutable values: no threads, no network, no
 * process-global state. Several trust roots (one per federation, e.g. the
 * two sides of a gateway) can be used side by side in one process.
 *
 * Depends on schemas/ (record model), crypto/ (keys, COSE_Sign1) and
 * common/. The peer engine (federation/peer/peer.h) builds on it, never
 * the other way. Roster format: docs/PROTOCOL.md §Roster; record
 * envelope: COSE_Sign1 (RFC 9052 §4.2), docs/PROTOCOL.md §Records.
 */
#ifndef RM_TRUST_H
#define RM_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "schemas/schemas.h"

/* ================================================================== */
/* Roster                                                             */
/* ================================================================== */

#define ROSTER_AGENCIES_MAX   1024
#define ROSTER_AREAS_MAX      16
#define ROSTER_NAME_MAX       256
#define ROSTER_FED_NAME_MAX   64
#define ROSTER_MAX_BYTES      (1024 * 1024)   /* signed roster file */

/* What an agency may publish. */
#define ROSTER_KIND_ALERT     RM_KIND_SET_ALERT

/* One roster entry, fully owned by the roster. */
struct roster_agency {
	char id[RM_AGENCY_ID_MAX + 1];       /* "120000.meteorology" */
	char name_zh[ROSTER_NAME_MAX + 1];
	char name_en[ROSTER_NAME_MAX + 1];
	char role[16];                       /* "centre", "department", "district" */
	rm_kind_set kinds;                   /* kinds it may publish */
	rm_grade max_grade;                  /* highest alert grade allowed */
	size_t n_areas;                      /* area codes it may publish for */
	char areas[ROSTER_AREAS_MAX][RM_AREA_CODE_MAX + 1];
	rm_hash kid;                         /* SHA-256 of key SPKI */
	crypto_key *key;                     /* public signing key */
};

/*
 * A roster: the federation's signed list of agencies. Encoded as a
 * COSE_Sign1 (signed by the federation root key, i.e. the CA key) over a
 * deterministic CBOR map (docs/PROTOCOL.md §Roster). Immutable once
 * built; share it by reference (roster_ref / roster_free).
 */
struct roster;

/* Build an empty roster (for `riskmesh federation init`). */
int roster_new(const char *federation_name, uint64_t version,
    struct roster **out, rm_why *why);
/* Add or replace an agency entry (by id); the key is referenced. Only on
 * rosters being built, before roster_sign. */
int roster_put_agency(struct roster *r, const struct roster_agency *a,
    rm_why *why);
/* Encode and sign with the root's signer; appends the COSE_Sign1 to out. */
int roster_sign(const struct roster *r, crypto_signer *root, rm_buf *out,
    rm_why *why);
/* Verify a signed roster with the root public key and decode it.
 * Errors: any of the COSE/CBOR errors, RM_EBADSIG, RM_ETOOBIG,
 * RM_EBADVALUE (bad agency entry: id, area code, grade, key). */
int roster_open(const uint8_t *p, size_t n, const crypto_key *root,
    struct roster **out, rm_why *why);
/* Convenience: read and open a roster file. */
int roster_load(const char *path, const crypto_key *root,
    struct roster **out, rm_why *why);

/* The signed encoding the roster was opened from (roster_open,
 * roster_load), sent to peers with an older roster; NULL (and *n = 0) for
 * a roster built with roster_new. Borrowed: valid while r is held. */
const uint8_t *roster_signed(const struct roster *r, size_t *n);

struct roster *roster_ref(struct roster *r);
void roster_free(struct roster *r);

uint64_t roster_version(const struct roster *r);
/* Issue time of the roster (UTC ms): set by roster_new to the current
 * time, or read from the signed "issued" field by roster_open. */
rm_utc_ms roster_issued(const struct roster *r);
const char *roster_federation(const struct roster *r);
size_t roster_count(const struct roster *r);
/* i-th entry in id order, or NULL. Borrowed: valid while r is held. */
const struct roster_agency *roster_at(const struct roster *r, size_t i);
const struct roster_agency *roster_find(const struct roster *r,
    const char *agency_id);
const struct roster_agency *roster_find_kid(const struct roster *r,
    const rm_hash *kid);

/*
 * Is `a` a registrar: an agency the roster trusts to act for other
 * agencies (resolve their forks)? Today: its kinds include
 * "fork_resolution"; with agency records (docs/PROTOCOL.md) it becomes
 * "its kinds include agency" -- this is the one place that says so.
 * False for NULL. Pure.
 */
bool roster_is_registrar(const struct roster_agency *a);

/*
 * May agency `a` publish rec? Checks: rec->origin == a->id, the kind is
 * in a->kinds (or, for a kind with its own rule, rm_kind_ops.authorise
 * with roster_is_registrar(a) says yes), every area of rec is contained by one of a->areas, and
 * for a graded kind (rm_kind_ops.grade, e.g. alerts) its grade <=
 * a->max_grade. Kind-specific fields are reached only through rec->kind.
 * Errors: RM_EUNAUTH with why naming the failed rule.
 */
int roster_authorise(const struct roster_agency *a,
    const struct rm_record *rec, rm_why *why);

/* ================================================================== */
/* Signed records                                                      */
/* ================================================================== */

/* A verified record: signature checked against the roster, body decoded,
 * origin == signer, authorised. Owns `rec` (record_fini via
 * fed_record_fini); `bytes` borrows the caller's input. */
struct fed_record {
	rm_hash hash;               /* SHA-256 of the signed bytes */
	const uint8_t *bytes;       /* COSE_Sign1 encoding (borrowed) */
	size_t len;
	struct rm_record rec;       /* decoded body */
};

/*
 * Verify a signed record against a roster: size <= COSE_SIGN1_MAX,
 * COSE_Sign1 well-formed (RM_EMALFORMED/RM_ENONCANON/...), kid in roster
 * (RM_EUNKNOWNSIGNER), signature valid (RM_EBADSIG), body valid
 * (schemas errors), body origin equals the signer (RM_EUNAUTH),
 * authorised (RM_EUNAUTH). On error *out is zeroed.
 */
int fed_record_open(const struct roster *r, const uint8_t *p, size_t n,
    struct fed_record *out, rm_why *why);
void fed_record_fini(struct fed_record *fr);

/* Encode rec and sign it with the agency's signer s: appends the
 * COSE_Sign1 to out and, if hash is non-NULL, stores the record hash. */
int fed_record_seal(crypto_signer *s, const struct rm_record *rec,
    rm_buf *out, rm_hash *hash, rm_why *why);

/* Short hex prefix of a hash for messages: 8 hex digits, "…" and a NUL
 * (at most 16 bytes). */
void fed_hash_short(const rm_hash *h, char out[16]);

#endif /* RM_TRUST_H */
