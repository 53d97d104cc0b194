/*
 * fixtures.h -- sample records and a raw CBOR map builder shared by the
 * schemas tests and tests/schemas/record_sample.c.
 */
#ifndef RM_TEST_SCHEMAS_FIXTURES_H
#define RM_TEST_SCHEMAS_FIXTURES_H

#include "schemas/schemas.h"

/* The smallest useful record; its encoding is FX_TINY_HEX (below). The
 * record points at static storage: do not record_fini() it. */
void fx_tiny(struct rm_record *r);

/* A full bilingual (zh-CN, en-US) red typhoon alert with every optional
 * field: expires, prev, supersedes, three areas, polygon, circle, refs.
 * Static storage as for fx_tiny. */
void fx_typhoon(struct rm_record *r);

/* Hex (spaces and newlines ignored) to bytes appended to out. */
void fx_unhex(const char *hex, rm_buf *out);

/* One map entry for fx_build: a text key and its value as CBOR hex. */
struct fx_kv {
	const char *key;
	const char *hex;
};

/* Append a map of the n entries, in the order given (not sorted). */
void fx_build(const struct fx_kv *kv, size_t n, rm_buf *out);

/* The tiny record as entry tables (canonical order), for mutation:
 * FX_TINY_BODY_N alert entries and FX_TINY_REC_N record entries; the
 * record's "body" entry hex is NULL, meaning "the alert map built from
 * the body table". */
#define FX_TINY_BODY_N 10
#define FX_TINY_REC_N 9
extern const struct fx_kv fx_tiny_body[FX_TINY_BODY_N];
extern const struct fx_kv fx_tiny_rec[FX_TINY_REC_N];

/* Build a record from a record table whose NULL "body" hex is replaced
 * by the map built from the body table. */
void fx_build_record(const struct fx_kv *rec, size_t nrec,
    const struct fx_kv *body, size_t nbody, rm_buf *out);

/* Hand-computed deterministic encoding of fx_tiny(). */
extern const char FX_TINY_HEX[];

#endif
