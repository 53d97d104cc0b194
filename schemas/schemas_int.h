/*
 * schemas_int.h -- private to the schemas module (and its tests): the
 * canonical key tables shared by encoder and decoder, and the helpers
 * the codec files share. Not part of the public API.
 *
 * Every key table below is written once, in the deterministic order of
 * RFC 8949 §4.2.1 (bytewise order of the encoded keys: shorter text keys
 * first, then lexicographic). The encoder emits keys in enum order; the
 * decoder maps a key to its enum value. tests/schemas checks that each
 * table is strictly ascending in that order.
 */
#ifndef RM_SCHEMAS_INT_H
#define RM_SCHEMAS_INT_H

#include "schemas/schemas.h"

/* Record body (schemas/record.cddl). */
enum rec_key {
	RK_V,           /* "v" */
	RK_TO,          /* "to" */
	RK_OID,         /* "oid" */
	RK_SEQ,         /* "seq" */
	RK_VER,         /* "ver" */
	RK_BODY,        /* "body" */
	RK_KIND,        /* "kind" */
	RK_PREV,        /* "prev" */
	RK_AREAS,       /* "areas" */
	RK_ISSUED,      /* "issued" */
	RK_ORIGIN,      /* "origin" */
	RK_EXPIRES,     /* "expires" */
	RK_SUPERSEDES,  /* "supersedes" */
	RK_COUNT
};

/* Alert body (schemas/alert.cddl). */
enum alert_key {
	AK_ID,          /* "id" */
	AK_CAP,         /* "cap" (schemas/cap_model.h) */
	AK_CAT,         /* "cat" */
	AK_REFS,        /* "refs" */
	AK_GRADE,       /* "grade" */
	AK_TEXTS,       /* "texts" */
	AK_CIRCLE,      /* "circle" */
	AK_STATUS,      /* "status" */
	AK_MSGTYPE,     /* "msgType" */
	AK_POLYGON,     /* "polygon" */
	AK_URGENCY,     /* "urgency" */
	AK_SEVERITY,    /* "severity" */
	AK_CERTAINTY,   /* "certainty" */
	AK_EFFECTIVE,   /* "effective" */
	AK_COUNT
};

/* One alert text block (alert.cddl alert-text). */
enum text_key {
	TK_DESC,        /* "desc" */
	TK_LANG,        /* "lang" */
	TK_EVENT,       /* "event" */
	TK_INSTR,       /* "instr" */
	TK_SENDER,      /* "sender" */
	TK_AREADESC,    /* "areaDesc" */
	TK_HEADLINE,    /* "headline" */
	TK_COUNT
};

extern const char *const rm_rec_keys[RK_COUNT];
extern const char *const rm_alert_keys[AK_COUNT];
extern const char *const rm_text_keys[TK_COUNT];

/* Number of RM_CAT_* categories; bit i has name cap_category_name(1u<<i). */
#define RM_CAT_COUNT 12
#define RM_CAT_ALL   ((1u << RM_CAT_COUNT) - 1)

/* Key index of (key, len) in a table of n keys, or -1. */
int schemas_key_find(const char *const *table, int n, const char *key,
    size_t len);

/* Quote up to ~32 bytes of the UTF-8 text p[0..n) for an rm_why message,
 * escaping quotes, backslashes and controls; out holds 160 bytes. */
void schemas_quote(const char *p, size_t n, char out[160]);

/* Alert body codec (alert_enc.c, alert_dec.c, validate.c). */
int sch_alert_encode(const struct rm_alert *a, rm_buf *b);
/* Read one alert map at rd into *out (zeroed by the caller); on error
 * *out may hold partial allocations (sch_alert_fini). */
int sch_alert_decode_rd(rm_cbor_rd *rd, struct rm_alert *out, rm_why *why);
int sch_alert_validate(const struct rm_alert *a, rm_utc_ms expires_ms,
    rm_why *why);
void sch_alert_fini(struct rm_alert *a);
/* The alert's CAP model (a->cap, set) agrees with rec: its sender is
 * rec's origin, and the core fields, areas and expiry are what
 * cap_model_core derives from it (with base, the version it follows,
 * for a message without <info>; with base NULL such a message is
 * checked for identifier, status and msgType only). RM_EBADVALUE
 * naming what differs (cap_core.c). */
int sch_alert_cap_agrees(const struct rm_record *rec,
    const struct rm_record *base, rm_why *why);

/* Proposal body codec (proposal_codec.c; the kind: proposal_kind.c). */
int sch_proposal_encode(const void *body, rm_buf *b);
int sch_proposal_decode(rm_cbor_rd *rd, void *body, rm_why *why);

/* Shared decoding helpers (dec_util.c). Each names `field` in *why. */
int sch_dec_err(rm_why *why, int rv, const char *field);
int sch_dec_text(rm_cbor_rd *rd, const char *field, size_t max, const char **p,
    size_t *n, rm_why *why);
int sch_dec_strdup(rm_cbor_rd *rd, const char *field, size_t max, char **out,
    rm_why *why);
int sch_dec_uint(rm_cbor_rd *rd, const char *field, uint64_t *out, rm_why *why);
int sch_dec_int(rm_cbor_rd *rd, const char *field, int64_t *out, rm_why *why);
int sch_dec_bytes(rm_cbor_rd *rd, const char *field, const uint8_t **p,
    size_t *n, rm_why *why);
int sch_dec_array(rm_cbor_rd *rd, const char *field, size_t *n, rm_why *why);
int sch_dec_map(rm_cbor_rd *rd, const char *field, size_t *n, rm_why *why);
int sch_dec_key(rm_cbor_rd *rd, rm_cbor_keys *k, const char *map,
    const char *const *table, int ntable, int *idx, rm_why *why);

#endif /* RM_SCHEMAS_INT_H */
