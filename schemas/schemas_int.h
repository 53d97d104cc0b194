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
/* True iff v is in the proposal's one form (struct rm_proposal_num):
 * exponent -30..30, mantissa not a multiple of 10 unless 0 (then
 * exponent 0). */
bool sch_proposal_num_canonical(const struct rm_proposal_num *v);

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
/* Text at rd into out[cap] (NUL included; longer: RM_ETOOBIG), why
 * naming field. */
int sch_dec_fixed(rm_cbor_rd *rd, const char *field, char *out, size_t cap,
    rm_why *why);
/* Read a text item that must be one of t[0..n) into *out (1-based).
 * Otherwise RM_EBADVALUE: "field: \"text\" (choices)" when choices is
 * not NULL, else "field: unknown value \"text\"". */
int sch_dec_enum(rm_cbor_rd *rd, const char *field, const char *const *t,
    size_t n, const char *choices, int *out, rm_why *why);

/*
 * Decimal fractions (RFC 8949 §3.4.4): tag 4 [exponent, mantissa], the
 * framing both decimal types share (dec_util.c). Each caller applies
 * its own canonical rules to (e, m): the indicator kinds' struct
 * rm_decimal (ind_dec_put, ind_dec_read) and the proposal's evidence
 * values (proposal_codec.c).
 */
/* Append 4([e, m]). The rm_buf errors. */
int sch_decfrac_put(rm_buf *b, int64_t e, int64_t m);
/* Read 4([e, m]) at rd into *e, *m. RM_EBADVALUE (why naming field) for
 * another item or another tag, or an array that is not [int, int]; the
 * reader's errors (sch_dec_err) for bad CBOR. */
int sch_decfrac_read(rm_cbor_rd *rd, const char *field, int64_t *e,
    int64_t *m, rm_why *why);

/* Field rules the kinds share (field_util.c). */
/* Text s: absent (NULL) allowed when !required; else 1..max bytes of
 * UTF-8 (RFC 3629) on one line: no control character (C0, DEL, C1:
 * U+0000..U+001F, U+007F..U+009F) and no bidirectional embedding,
 * override or isolate (U+202A..U+202E, U+2066..U+2069, Unicode UAX #9),
 * so a value shown in a terminal, a log or a spreadsheet cannot hide
 * or fake text. RM_EMISSING for NULL or "", RM_EBADVALUE otherwise, the
 * message "field: 1..max bytes of UTF-8" or "field: control character
 * U+XXXX at byte N". */
int sch_text_check(const char *s, const char *field, size_t max,
    bool required, rm_why *why);
/* Append one map entry of text key and text value (both NUL-terminated,
 * deterministic CBOR, RFC 8949 §4.2.1). RM_ENOMEM, RM_ETOOBIG. */
int sch_put_text_entry(rm_buf *b, const char *key, const char *v);
/* The character rule of sch_text_check alone, for valid UTF-8 s (NUL-
 * terminated): lines allows line feeds and tabs. RM_EBADVALUE. */
int sch_text_plain(const char *s, const char *field, bool lines,
    rm_why *why);
/* sch_text_check for text of several lines (measures, notes, reasons,
 * details): line feeds (U+000A) and tabs (U+0009) are allowed too. */
int sch_text_check_lines(const char *s, const char *field, size_t max,
    bool required, rm_why *why);
/* Enumerations over a table t[0..n) of names, value i+1 for t[i] (0 is
 * never a value). sch_enum_name: the static name of v, NULL outside
 * 1..n. sch_enum_find: the value of name s, 0 if s is NULL or absent. */
const char *sch_enum_name(const char *const *t, size_t n, int v);
int sch_enum_find(const char *const *t, size_t n, const char *s);
/* Define `const char *fn##_name(type)` and `int fn##_parse(const char *,
 * type *)` (RM_EBADVALUE for an unknown name, *out written on success
 * only) over the static array t; the prototypes are the caller's
 * (schemas.h). */
#define SCH_ENUM_NAME(fn, type, t)					\
const char *								\
fn##_name(type v)							\
{									\
	return sch_enum_name(t, sizeof(t) / sizeof((t)[0]), (int)v);	\
}
#define SCH_ENUM_PARSE(fn, type, t)					\
int									\
fn##_parse(const char *s, type *out)					\
{									\
	int v = sch_enum_find(t, sizeof(t) / sizeof((t)[0]), s);	\
									\
	if (v == 0)							\
		return RM_EBADVALUE;					\
	*out = (type)v;							\
	return RM_OK;							\
}
#define SCH_ENUM_NAMES(fn, type, t)					\
	SCH_ENUM_NAME(fn, type, t)					\
	SCH_ENUM_PARSE(fn, type, t)
/* Agency ids ids[0..n): each an agency id (agency_id_valid), sorted by
 * strcmp and unique. RM_EBADVALUE naming field[i] otherwise. The count
 * is the caller's rule. */
int sch_agency_ids_check(const char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    const char *field, rm_why *why);
/* Append an array of n agency ids. */
int sch_agency_list_encode(const char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    rm_buf *b);
/* Read an array of 1..max agency ids into ids, *n their count. */
int sch_agency_list_decode(rm_cbor_rd *rd, const char *field,
    char (*ids)[RM_AGENCY_ID_MAX + 1], size_t max, size_t *n, rm_why *why);
/* Agency ids, 1..max of them, sorted by strcmp and unique. */
int sch_agency_list_check(const char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    size_t max, const char *field, rm_why *why);

#endif /* RM_SCHEMAS_INT_H */
