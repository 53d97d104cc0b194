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

#endif /* RM_NODE_REPR_REPR_H */
