/*
 * indicator_int.h -- private to schemas/: what the two indicator kinds
 * (indicator_def_kind.c, indicator_kind.c) share from indicator_val.c.
 */
#ifndef RM_SCHEMAS_INDICATOR_INT_H
#define RM_SCHEMAS_INDICATOR_INT_H

#include "schemas/schemas_int.h"

/* A canonical decimal as CBOR: an integer when d.e == 0, else the
 * decimal fraction 4([e, m]) (RFC 8949 §3.4.4). The rm_buf errors. */
int ind_dec_put(rm_buf *b, struct rm_decimal d);
/* Read one value written by ind_dec_put, strictly (why names field):
 * RM_ENONCANON for a non-canonical decimal, RM_EBADVALUE for another
 * item or tag, or a value out of range. */
int ind_dec_read(rm_cbor_rd *rd, const char *field, struct rm_decimal *out,
    rm_why *why);

/* An enumerated text at rd: parse(text) gives *out, else RM_EBADVALUE
 * listing choices. */
int ind_rd_enum(rm_cbor_rd *rd, int (*parse)(const char *, int *),
    const char *field, const char *choices, int *out, rm_why *why);
/* Enumeration parsers with an int out, for table-driven decoders. */
int ind_parse_source(const char *s, int *v);
int ind_parse_period(const char *s, int *v);
/* The rules both kinds share (kind "indicator" or "indicator_def"
 * names the fields): code, unit, source, period. */
int ind_check_common(const char *kind, const char *code, const char *unit,
    enum rm_ind_source source, enum rm_ind_period period, rm_why *why);

#endif /* RM_SCHEMAS_INDICATOR_INT_H */
