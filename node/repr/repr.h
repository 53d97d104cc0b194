/*
 * repr.h -- the JSON representation of records (rm_repr): the one alert
 * shape of docs/API.md ("The alert shape"), written with jansson.
 *
 * Used by the HTTP API (GET /v1/alerts, the 201 bodies), by the CoAP
 * server's application/json representation (docs/COAP.md) and by
 * anything else that shows a record as JSON. Parsing requests is the
 * HTTP layer's (node/http). jansson types appear only in this header's
 * repr_record_object()/repr_dump_buf() and in the modules that use
 * them.
 *
 * Thread rules: all functions are reentrant.
 */
#ifndef RM_NODE_REPR_REPR_H
#define RM_NODE_REPR_REPR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/common.h"
#include "schemas/schemas.h"

/*
 * The JSON shape of a record, as a new jansson object (caller
 * json_decref()s; NULL on allocation failure): hash (if non-NULL),
 * kind, origin, object_id, ver, seq, issued, expires (if any), areas,
 * prev and supersedes (hex, if present), and for alerts every alert
 * field of docs/API.md (identifier, status, msg_type, categories,
 * urgency, severity, certainty, grade, effective, texts, polygon,
 * circle, references), for risks every risk field of docs/API.md
 * ("The risk shape": name, category, subcategory, grade, status,
 * reason, point, location, responsible, cooperating, measures, review),
 * for proposals every proposal field ("The proposal shape": rule, type,
 * state, raised, grade, event, headline, lang or assignee, subject;
 * evidence; confirmed).
 * A restricted record (docs/PROTOCOL.md §6a)
 * also has "restricted": true and "to" (its recipients) after
 * supersedes, and the alert fields only if its body was decrypted
 * (rec->body set). Times are UTC "…T…:…:….mmmZ"; coordinates are
 * decimal degrees (micro-degree precision).
 */
json_t *repr_record_object(const struct rm_record *rec,
    const rm_hash *hash);

/* The body fields of a task, ack or escalation record (docs/API.md
 * "Task dispatch": subject, detail, assignees, lead, links, priority,
 * deadline, status, note; task, state, note, reason; task, deadline,
 * lead, pending) added to o, which repr_record_object() calls. True
 * with nothing added for other kinds; false on allocation failure
 * (repr_task.c). */
bool repr_task_fields(json_t *o, const struct rm_record *rec);

/* Flags for repr_dump_buf()/repr_record_dump(). */
#define REPR_PRETTY 1u

/* Serialise a jansson value with the project's flags (UTF-8 kept as is,
 * reals with 10 significant digits, keys in insertion order), appending
 * to out. RM_ENOMEM. */
int repr_dump_buf(const json_t *v, unsigned flags, rm_buf *out);

/* repr_record_object() serialised and appended to out. RM_ENOMEM. */
int repr_record_dump(const struct rm_record *rec, const rm_hash *hash,
    unsigned flags, rm_buf *out);

/*
 * Copy the C string in to out (outlen bytes, NUL-terminated), keeping
 * well-formed UTF-8 (RFC 3629) and printable ASCII, and writing every
 * control character and every byte that is not part of a well-formed
 * sequence as the four characters "\xNN". Cut at a character boundary
 * if it does not fit. in and out may be the same buffer. Every field
 * and reason of an HTTP error body goes through it, so echoed request
 * bytes can never make an error body invalid JSON text or forge log
 * lines.
 */
void repr_text_clean(const char *in, char *out, size_t outlen);

/* ---------------- the risk register's spreadsheet form ----------------
 * (repr_risk_csv.c) The CSV form offices keep (sims/data/
 * risk-register.csv): UTF-8, bilingual header cells ("风险等级 grade")
 * and values ("较大 orange"); a column is found by the English word
 * after the last space of its header cell, so column order and the
 * Chinese words are free. Written by the CSV views (GET /v1/risks.csv),
 * read by `riskmesh risk import` (offline check) and the node's import:
 * one column table, so export -> import round-trips.
 */
enum repr_risk_col {
	REPR_RISK_ID, REPR_RISK_NAME, REPR_RISK_CATEGORY,
	REPR_RISK_SUBCATEGORY, REPR_RISK_GRADE, REPR_RISK_AREA,
	REPR_RISK_LOCATION, REPR_RISK_LAT, REPR_RISK_LON,
	REPR_RISK_RESPONSIBLE, REPR_RISK_COOPERATING, REPR_RISK_MEASURES,
	REPR_RISK_STATUS, REPR_RISK_REVIEW,
	REPR_RISK_REASON,       /* optional: the reason of a removal */
	REPR_RISK_ORIGIN,       /* optional: the agency whose register the
	                           row is (登记单位; written by the views) */
	REPR_RISK_COLS
};

/* The English name of a column ("grade"), NULL outside the enum. */
const char *repr_risk_csv_column(enum repr_risk_col c);

/* Where each column is in a file: col[c] is its 0-based index, -1 for
 * an optional column that is absent. */
struct repr_risk_csv_map {
	int col[REPR_RISK_COLS];
};

/* Map a header row of nf cells. Errors: RM_EMISSING (a required column
 * is absent), RM_EEXIST (a column named twice); why.field is the
 * column's English name. */
int repr_risk_csv_header(const char *const *f, size_t nf,
    struct repr_risk_csv_map *map, rm_why *why);

/* One data row as the risk record it would be. rec.body points at
 * risk, and the record's strings point into the row's cells (f) and
 * into *out: valid while both are, never to be freed (no record_fini);
 * a struct repr_risk_row must not be copied (rec.body would point at
 * the original). rec.origin is set to the responsible unit for the
 * kind's rules; the caller sets the issuing agency. origin is the
 * origin column's agency id ("" when the file has no such column or
 * the cell is empty): the register the row was exported from, so that
 * an importer can leave other agencies' rows alone. */
struct repr_risk_row {
	struct rm_record rec;
	struct rm_risk risk;
	char origin[RM_AGENCY_ID_MAX + 1];
};

/* Called once per problem of a row: column is the English column name
 * ("grade", or "row" for a rule that names no column), msg the reason. */
typedef void (*repr_risk_report_fn)(void *arg, const char *column,
    const char *msg);

/*
 * Read one data row (cells f[0..nf), columns by map) into *out, issued
 * at now (ver 1, seq 1: a draft): every cell is checked (names and
 * bilingual values: category, subcategory, grade by 重大/较大/一般/低
 * or red/orange/yellow/blue, status, area code, lat/lon with at most 6
 * decimals, review date, cooperating units separated by ';', the origin
 * an agency id if given), each
 * problem reported through report(arg, column, reason); then, if no
 * cell was bad, the kind's own rules (record_validate), a failure
 * reported against the column it names. A removed risk's reason is the
 * reason column, else the status cell's own words. Returns RM_OK or
 * RM_EBADVALUE (report was called at least once). Reentrant.
 */
int repr_risk_csv_row(const struct repr_risk_csv_map *map,
    const char *const *f, size_t nf, rm_utc_ms now,
    struct repr_risk_row *out, repr_risk_report_fn report, void *arg);

/* The column holding a record field a rule names (a service's
 * why->field or a message's leading path): "object_id" -> "risk_id",
 * "areas" -> "area_code", "risk.review" -> "review_date", "grade" ->
 * "grade"; "row" for a field no column holds (e.g. "kind"). */
const char *repr_risk_csv_field_column(const char *field);

/* The English name of a register value written in Chinese or both
 * ways, as in the spreadsheet and the CLI: "管控中" and "管控中
 * controlled" -> "controlled", "较大" -> "orange"; any other word is
 * returned as it is. The result is a static string or word itself
 * (borrowed for word's life). Any thread. */
const char *repr_risk_value_en(const char *word);

/* Append the byte order mark and the bilingual header row (every
 * column, reason then origin last). RM_ENOMEM, RM_ETOOBIG; b unchanged on error. */
int repr_risk_csv_write_header(rm_buf *b);

/* Append rec (a risk record with its body) as one row in the header's
 * column order, values bilingual ("较大 orange"), degrees exact, the
 * origin column rec->origin.
 * RM_EINVAL (not a risk with a body), RM_ENOMEM, RM_ETOOBIG. */
int repr_risk_csv_write_row(rm_buf *b, const struct rm_record *rec);

#endif /* RM_NODE_REPR_REPR_H */
