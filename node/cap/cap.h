/*
 * cap.h -- OASIS Common Alerting Protocol v1.2 (CAP 1.2, 2010): a full
 * C model of an alert message, a strict reader, a writer and the
 * mapping to the record model's alert kind (rm_cap, node/cap).
 *
 * libxml2 types stay in this module (cap_xml.c, cap_write.c); callers
 * see bytes in and rm_buf out.
 *
 * Standard: CAP 1.2 (OASIS Standard, 1 July 2010), its XML schema (the
 * sequence and cardinality of every element) and its prose rules. The
 * clause of each rule is named where it is checked and in every refusal.
 *
 * Memory: a parsed alert (cap_parse) or a converted one
 * (cap_from_alert) owns every string and array it points at, in one
 * arena freed by cap_alert_fini. An alert built by hand for cap_write
 * may point at any memory (arena NULL); cap_write only reads it.
 *
 * Thread rules: libxml2 must be initialised once before several threads
 * use this module: call cap_init() from the main thread first (every
 * entry point calls it too, which is enough for one thread, and which
 * keeps libxml2's own messages off stderr on the calling thread). After
 * that every function is reentrant; a struct cap_alert belongs to one
 * thread at a time. Rules and the record mapping: docs/CAP.md.
 */
#ifndef RM_NODE_CAP_CAP_H
#define RM_NODE_CAP_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "schemas/cap_model.h"
#include "schemas/schemas.h"

/* ---------------- limits ---------------- */

#define CAP_NS_1_2      "urn:oasis:names:tc:emergency:cap:1.2"
#define CAP_DOC_MAX     (1024u * 1024u) /* bytes of one document */
#define CAP_DEPTH_MAX   8        /* element nesting (CAP needs 4) */
#define CAP_NODES_MAX   200000   /* elements in one document */
/* The model (struct cap_alert and its parts), the decimal limits, the
 * grade parameter names and its CBOR form are in schemas/cap_model.h. */
/* ---------------- calls ---------------- */

/* Initialise libxml2 (xmlInitParser) and silence its messages on the
 * calling thread. Idempotent; call once from the main thread before
 * threads use this module. */
void cap_init(void);

/*
 * Read and validate one CAP 1.2 document p[0..n). On success *out (any
 * previous content ignored) owns the alert; cap_alert_fini it. On error
 * *out is zeroed and why names the element (why->field: its path,
 * "alert/info[0]/urgency", "" for the document) and the rule with its
 * CAP 1.2 clause (why->msg). Errors:
 *   RM_ETOOBIG     more than CAP_DOC_MAX bytes, CAP_DEPTH_MAX levels or
 *                  CAP_NODES_MAX elements
 *   RM_EMALFORMED  not well-formed XML (libxml2's reason and line), an
 *                  encoding other than UTF-8, text where only elements
 *                  may be, an element inside a text element
 *   RM_EBADVALUE   a DOCTYPE (DTDs and entities are never read:
 *                  XML_PARSE_NONET, no DTD loading, no entity
 *                  substitution), an attribute, elements out of the
 *                  schema's order or repeated, a value outside its
 *                  rule: enumerations (exact case, §3.2), times (§3.3.2:
 *                  explicit offset, no "Z", UTC is "-00:00"), identifier
 *                  and sender (§3.2.1: no whitespace, ',', '<', '&'),
 *                  references (§3.2.1: sender,identifier,sent triplets;
 *                  an Update or Cancel must have them, none may name the
 *                  alert itself or a later message), restriction only
 *                  with scope Restricted, addresses with Private or
 *                  Restricted only, language (RFC 3066), effective,
 *                  onset and expires not before sent, polygon (§3.2.4:
 *                  >= 4 lat,lon pairs separated by whitespace, closed,
 *                  in range), circle ("lat,lon radius", radius >= 0),
 *                  ceiling only with altitude, the grade parameter
 *   RM_EMISSING    a required element is absent
 *   RM_EUNKNOWN    another root, namespace or CAP version (which one is
 *                  said: only CAP 1.2 is read), an unknown element
 *   RM_ENOMEM
 */
int cap_parse(const void *p, size_t n, struct cap_alert *out, rm_why *why);

/* cap_alert_fini, the arena and the CBOR form: schemas/cap_model.h. */

/*
 * Write a as a CAP 1.2 document (UTF-8, XML declaration, the schema's
 * element order, two-space indentation) appended to out. Text is written
 * byte for byte (only '&', '<', '>' and CR escaped); times in their
 * offset; numbers as the shortest decimal that reads back as the same
 * double. a is not validated: cap_parse of the output refuses what
 * cap_parse would refuse. Errors: RM_EINVAL (a required string NULL, an
 * enumeration out of range), RM_ENOMEM, RM_ETOOBIG (out's limit); on
 * error out is unchanged.
 */
int cap_write(const struct cap_alert *a, rm_buf *out, rm_why *why);

/*
 * True iff a and b are the same alert: the same elements in the same
 * order with the same values (strings byte for byte, times the same
 * instant and offset, numbers equal, polygons vertex for vertex). When
 * they differ and why is non-NULL it names the first difference
 * (why->field its path). RM_OK / RM_EBADVALUE.
 */
int cap_alert_equal(const struct cap_alert *a, const struct cap_alert *b,
    rm_why *why);

/*
 * The record draft an alert becomes (kind alert, schemas/alert.cddl): the
 * core fields (cap_model_core, below) and the whole message as the
 * body's "cap" entry (schemas/cap_model.h), so that cap_from_alert gives
 * it back element for element. *out gets schema_version, kind, origin
 * (= sender, which must be an agency id: the signing agency checks it),
 * areas (the GB/T 2260 geocodes of every area, sorted, unique), expires
 * (the latest expires of the info blocks; 0 if none) and a heap body;
 * record_fini frees it. The caller sets object_id, ver, seq, issued and
 * prev. What the core keeps: identifier, status, msgType, the categories
 * of every info (union), urgency, severity and certainty of info[0], the
 * grade (every info that has one must agree; one is required), effective
 * (info[0]'s effective, else sent), one text per info (language, event,
 * headline (event when absent), description, instruction, senderName,
 * the first areaDesc), the first polygon of info[0] if it has at most
 * RM_ALERT_POLYGON_MAX points (else none: the outline stays whole in
 * "cap") and the first circle of info[0] (micro-degrees; radius in
 * metres, > 0), references as "sender,identifier,sent". A message
 * without <info> (a Cancel) takes the core's texts, grade, categories,
 * urgency, severity, certainty, geometry, areas and expiry from base,
 * the alert it follows (cap_to_record; cap_to_alert passes NULL: such a
 * message is RM_EMISSING "alert/info"). Errors: RM_EMISSING (no info
 * and no base, no grade), RM_EBADVALUE (sender not an agency id,
 * grades disagree, a circle the kind cannot hold), RM_ETOOBIG (kind
 * limits, the message larger than RM_RECORD_ANY_MAX), RM_ENOMEM, and
 * the kind's validation errors; *out is zeroed on error.
 */
int cap_to_record(const struct cap_alert *cap, const struct rm_record *base,
    struct rm_record *out, rm_why *why);
/* cap_to_record(cap, NULL, out, why). */
int cap_to_alert(const struct cap_alert *cap, struct rm_record *out,
    rm_why *why);

/*
 * The CAP alert a record of kind alert gives: a copy of the message it
 * carries ("cap") when it has one (offset_min unused); else sender = origin, sent =
 * issued, times written with offset_min (e.g. 480 for +08:00), scope
 * Public, one info per text with the body's shared fields, the grade
 * parameter, the polygon and circle in the first area with the
 * record's areas as GB/T2260 geocodes, expires from the record. *out
 * owns its memory (cap_alert_fini). Errors: RM_EINVAL (not an alert, a
 * restricted record not decrypted, offset out of range), RM_ENOMEM.
 */
int cap_from_alert(const struct rm_record *rec, int offset_min,
    struct cap_alert *out, rm_why *why);

/* ---------------- Atom (RFC 4287) ---------------- */

#define CAP_MEDIA_TYPE       "application/cap+xml"
#define CAP_ATOM_MEDIA_TYPE  "application/atom+xml"

/* The feed element's metadata (RFC 4287 §4.1.1): every string UTF-8,
 * borrowed for the call; id an IRI, self_href the feed's own link. */
struct cap_atom_feed {
	const char *id, *title, *author, *self_href;
	rm_utc_ms updated_ms;      /* written as RFC 3339 UTC */
};

/* One entry (RFC 4287 §4.1.2): id a stable IRI, title and summary
 * (NULL: none) in language lang (xml:lang; NULL: none), author the
 * issuing agency, href the CAP document (link rel="alternate"
 * type="application/cap+xml"), category a term (NULL: none),
 * updated_ms the time the alert last changed. */
struct cap_atom_entry {
	const char *id, *title, *summary, *lang, *author, *href, *category;
	rm_utc_ms updated_ms;
};

/*
 * Append an Atom 1.0 feed (RFC 4287) with the entries e[0..n) in order
 * to out: UTF-8, XML declaration, feed id, title, updated, author and
 * link rel="self" always (n == 0 gives a valid empty feed), text
 * escaped by libxml2. Errors: RM_ENOMEM, RM_ETOOBIG (out's limit); out
 * unchanged on error. Thread rules: as the module (cap_init first).
 */
int cap_atom_write(const struct cap_atom_feed *f,
    const struct cap_atom_entry *e, size_t n, rm_buf *out, rm_why *why);

#endif /* RM_NODE_CAP_CAP_H */
