/*
 * repr.h -- records <-> the JSON alert shape of docs/API.md (rm_repr).
 *
 * Used by the HTTP API (POST /v1/alerts in, GET /v1/alerts out) and by
 * the CLI (`riskmesh verify` prints a record as JSON). JSON is parsed
 * and written with jansson; jansson types appear only in this header's
 * json_record_object() and in node/repr/json_*.c and node/http/.
 *
 * Input is strict (docs/API.md "POST /v1/alerts"): the body must be one
 * JSON object without duplicate keys, unknown fields are refused, and
 * every refusal names the JSON field ("texts[1].lang", "polygon[3][0]")
 * and the reason: `field` is the top-level request field ("texts"), the
 * reason starts with the exact path when it is deeper ("texts[1].lang:
 * required"). The split between 400 and 422 follows docs/API.md:
 *   400  not JSON, wrong JSON type, required field missing, unknown field
 *   422  well-formed but invalid value (unknown grade, bad area code,
 *        time without offset, expires not after effective, open polygon,
 *        over a limit of schemas/schemas.h)
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

#define JSON_FIELD_MAX 64

/* The rule of object_id_valid() (schemas/schemas.h), for reasons. */
#define JSON_OBJECT_ID_RULE "1..128 of A-Z a-z 0-9 . _ : -, not \".\" or " \
    "\"..\""

/* Why a request was refused: HTTP status, rm_err, field and reason. The
 * body of an API error is {"error": rm_errname(err), "field": field,
 * "reason": reason}; field is "" when the whole body is at fault. */
struct json_error {
	int status;                     /* 400, 403, 404, 422, 500 … */
	int err;                        /* rm_err */
	char field[JSON_FIELD_MAX];
	char reason[RM_WHY_MAX];
};

/*
 * Fill e and return err (`return json_fail(e, 422, RM_EBADVALUE,
 * "grade", "unknown grade");`). path is the JSON path of the offending
 * value ("texts[1].lang"); e->field becomes its top-level request field
 * ("texts") and, when the two differ, the reason starts with the path
 * ("texts[1].lang: required"). e may be NULL.
 */
int json_fail(struct json_error *e, int status, int err, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Copy the C string in to out (outlen bytes, NUL-terminated), keeping
 * well-formed UTF-8 (RFC 3629) and printable ASCII, and writing every
 * control character and every byte that is not part of a well-formed
 * sequence as the four characters "\xNN". Cut at a character boundary
 * if it does not fit. in and out may be the same buffer. Every reason
 * and field of a json_error goes through it (json_fail, json_fail_why),
 * so echoed request bytes can never make an error body invalid JSON
 * text or forge log lines.
 */
void json_text_clean(const char *in, char *out, size_t outlen);

/* Same from a lower layer's diagnostic "path: reason" (schemas/,
 * roster_authorise()): the leading path is rewritten to the request's
 * path ("alert.texts[0].areaDesc" -> "texts[0].area_desc", "oid" ->
 * "object_id", "alert.id" -> "identifier") and field is its top-level
 * part ("texts"); the reason is the diagnostic with the rewritten path.
 * A diagnostic without a leading "path: " gives field "". */
int json_fail_why(struct json_error *e, int status, int err,
    const rm_why *why);

/* Context for turning a request into a record. Borrowed strings. */
struct json_alert_ctx {
	const char *origin;             /* the node's own agency id */
	rm_utc_ms now_ms;               /* issued time; default effective */
	const char *default_identifier; /* used when "identifier" is absent,
	                                   e.g. "<agency>-<utc ms>-<random>" */
};

/*
 * Parse a POST /v1/alerts body (len bytes of UTF-8 JSON) into an alert
 * record: kind alert, schema version 1, origin = ctx->origin, issued =
 * ctx->now_ms, ver = 0 and seq = 0 (the store assigns both, see
 * store_issue()), no prev/supersedes. Defaults as in docs/API.md. The
 * record is checked with record_validate() (with ver and seq set to 1
 * for the check), so a record returned here encodes once the store has
 * numbered it. *msg_type_set tells whether the body named msg_type (the
 * node turns a defaulted Alert into an Update for an existing object);
 * it may be NULL.
 *
 * On success *out owns heap memory: release it with json_record_free().
 * On error *out is zeroed, nothing needs freeing, and e says why.
 * Errors: RM_EMALFORMED (not JSON / wrong JSON type), RM_EMISSING,
 * RM_EUNKNOWN (unknown field), RM_EBADVALUE, RM_ETOOBIG, RM_ENOMEM.
 */
int json_alert_parse(const char *body, size_t len,
    const struct json_alert_ctx *ctx, struct rm_record *out,
    bool *msg_type_set, struct json_error *e);

/* Free what json_alert_parse() allocated and zero *rec. Not for records
 * from record_decode() (use record_fini() for those). */
void json_record_free(struct rm_record *rec);

/*
 * The JSON alert shape of a record, as a new jansson object (caller
 * json_decref()s; NULL on allocation failure): hash (if non-NULL),
 * kind, origin, object_id, ver, seq, issued, expires (if any), prev and
 * supersedes (hex, if present), and for alerts every alert field of
 * docs/API.md (identifier, status, msg_type, categories, urgency,
 * severity, certainty, grade, effective, areas, texts, polygon, circle,
 * references). Times are UTC "…T…:…:….mmmZ"; coordinates are decimal
 * degrees (micro-degree precision).
 */
json_t *json_record_object(const struct rm_record *rec, const rm_hash *hash);

/* Flags for json_record_dump()/json_dump_buf(). */
#define JSON_RECORD_PRETTY 1u

/* Serialise a jansson value with the project's flags (UTF-8 kept as is,
 * reals with 10 significant digits, keys in insertion order), appending
 * to out. RM_ENOMEM. */
int json_dump_buf(const json_t *v, unsigned flags, rm_buf *out);

/* json_record_object() serialised and appended to out. RM_ENOMEM. */
int json_record_dump(const struct rm_record *rec, const rm_hash *hash,
    unsigned flags, rm_buf *out);

#endif /* RM_NODE_REPR_REPR_H */
