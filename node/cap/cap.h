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
#include "schemas/schemas.h"

/* ---------------- limits ---------------- */

#define CAP_NS_1_2      "urn:oasis:names:tc:emergency:cap:1.2"
#define CAP_DOC_MAX     (1024u * 1024u) /* bytes of one document */
#define CAP_DEPTH_MAX   8        /* element nesting (CAP needs 4) */
#define CAP_NODES_MAX   200000   /* elements in one document */
/* Decimal numbers (coordinates, radius, altitude, ceiling): at most 20
 * digits before the point and 15 after, |value| <= 1e15, no exponent;
 * so each is written back as the same number. */
#define CAP_DECIMAL_WHOLE_MAX 20
#define CAP_DECIMAL_FRAC_MAX  15
#define CAP_DECIMAL_ABS_MAX   1e15
/* valueNames of the colour grade parameter (docs/CAP.md): riskmesh's
 * short name and its namespaced equivalent; values blue, yellow,
 * orange, red, exact case. */
#define CAP_GRADE_NAME      "grade"
#define CAP_GRADE_NAME_URN  "urn:riskmesh:grade"
/* geocode valueName of a GB/T 2260 area code (cap_to_alert). */
#define CAP_GEOCODE_AREA    "GB/T2260"

/* ---------------- the model ---------------- */

/* A CAP time (CAP 1.2 §3.3.2): an instant and the offset it was written
 * with, so "+08:00" in is "+08:00" out. UTC is written "-00:00". */
struct cap_time {
	bool set;            /* false: the element is absent */
	rm_utc_ms at_ms;     /* the instant (whole seconds) */
	int16_t offset_min;  /* -1439..1439, minutes east of UTC */
};

/* <scope> (CAP 1.2 §3.2.1) */
enum cap_scope { CAP_SCOPE_PUBLIC = 1, CAP_SCOPE_RESTRICTED,
	CAP_SCOPE_PRIVATE };

/* <responseType> (CAP 1.2 §3.2.2) */
enum cap_response { CAP_RESP_SHELTER = 1, CAP_RESP_EVACUATE,
	CAP_RESP_PREPARE, CAP_RESP_EXECUTE, CAP_RESP_AVOID, CAP_RESP_MONITOR,
	CAP_RESP_ASSESS, CAP_RESP_ALLCLEAR, CAP_RESP_NONE };

/* <eventCode>, <parameter>, <geocode>: a valueName and a value. */
struct cap_pair {
	char *name;
	char *value;
};

/* One entry of <references>: "sender,identifier,sent". */
struct cap_ref {
	char *sender;
	char *identifier;
	struct cap_time sent;
};

/* WGS 84 decimal degrees, as written (a double holds every decimal a
 * document can carry to 15 significant digits exactly enough to write
 * it back as the same number). */
struct cap_point {
	double lat;          /* -90..90 */
	double lon;          /* -180..180 */
};

struct cap_polygon {     /* CAP 1.2 §3.2.4 <polygon>: closed, >= 4 */
	size_t n;
	struct cap_point *pts;
};

struct cap_circle {      /* CAP 1.2 §3.2.4 <circle> */
	struct cap_point centre;
	double radius_km;    /* >= 0 */
};

struct cap_resource {    /* CAP 1.2 §3.2.3 <resource> */
	char *desc;          /* <resourceDesc> required */
	char *mime_type;     /* <mimeType> required */
	bool has_size;
	uint64_t size;       /* <size> bytes */
	char *uri;           /* optional strings: NULL when absent */
	char *deref_uri;     /* base64, kept as written */
	char *digest;        /* SHA-1 hex, kept as written */
};

struct cap_area {        /* CAP 1.2 §3.2.4 <area> */
	char *desc;          /* <areaDesc> required */
	size_t n_polygon;
	struct cap_polygon *polygon;
	size_t n_circle;
	struct cap_circle *circle;
	size_t n_geocode;
	struct cap_pair *geocode;
	bool has_altitude, has_ceiling;   /* ceiling only with altitude */
	double altitude, ceiling;         /* feet above sea level */
};

struct cap_info {        /* CAP 1.2 §3.2.2 <info> */
	char *language;      /* never NULL once parsed: "en-US" default */
	size_t n_category;   /* >= 1, document order, RM_CAT_* bits */
	uint32_t *category;
	char *event;         /* required */
	size_t n_response;
	enum cap_response *response;
	rm_cap_urgency urgency;
	rm_cap_severity severity;
	rm_cap_certainty certainty;
	char *audience;
	size_t n_event_code;
	struct cap_pair *event_code;
	struct cap_time effective, onset, expires;
	char *sender_name, *headline, *description, *instruction;
	char *web, *contact;
	size_t n_parameter;
	struct cap_pair *parameter;
	rm_grade grade;      /* from the grade parameter; 0: none */
	size_t n_resource;
	struct cap_resource *resource;
	size_t n_area;
	struct cap_area *area;
};

struct cap_alert {       /* CAP 1.2 §3.2.1 <alert> */
	char *identifier;    /* no whitespace, ',', '<', '&' */
	char *sender;        /* the same rule */
	struct cap_time sent;
	rm_cap_status status;
	rm_cap_msgtype msg_type;
	char *source;
	enum cap_scope scope;
	char *restriction;   /* iff scope Restricted */
	char *addresses;     /* required with Private, also Restricted */
	size_t n_code;
	char **code;
	char *note;
	size_t n_ref;
	struct cap_ref *ref; /* <references>, in order */
	char *incidents;
	size_t n_info;
	struct cap_info *info;
	void *arena;         /* owner of the above; NULL if built by hand */
};

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

/* Release what a parsed or converted alert owns and zero it. A zeroed
 * or hand-built (arena NULL) alert is only zeroed. */
void cap_alert_fini(struct cap_alert *a);

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
 * The record draft an alert becomes (kind alert, schemas/alert.cddl):
 * *out gets schema_version, kind, origin (= sender, which must be an
 * agency id: the signing agency checks it), areas (the GB/T 2260
 * geocodes of every area, unique, in order), expires (the latest
 * expires of the info blocks; 0 if none) and a heap body; record_fini
 * frees it. The caller sets object_id, ver, seq, issued and prev. What
 * the body keeps: identifier, status, msgType, the categories of every
 * info (union), urgency, severity and certainty of info[0], the grade
 * (every info that has one must agree; one is required), effective
 * (info[0]'s effective, else sent), one text per info (language, event,
 * headline (event when absent), description, instruction, senderName,
 * the first areaDesc), the first polygon and the first circle of
 * info[0] (micro-degrees; radius in metres, > 0), references as
 * "sender,identifier,sent". What it does not keep: source, scope,
 * restriction, addresses, code, note, incidents, responseType, audience,
 * eventCode, onset, web, contact, other parameters, resources, every
 * other area, polygon, circle and geocode, altitude and ceiling, and
 * the offsets of times. Errors: RM_EMISSING (no info, no grade),
 * RM_EBADVALUE (sender not an agency id, grades disagree, a geometry
 * the kind cannot hold), RM_ETOOBIG (kind limits), RM_ENOMEM, and the
 * kind's validation errors; *out is zeroed on error.
 */
int cap_to_alert(const struct cap_alert *cap, struct rm_record *out,
    rm_why *why);

/*
 * The CAP alert a record of kind alert gives: sender = origin, sent =
 * issued, times written with offset_min (e.g. 480 for +08:00), scope
 * Public, one info per text with the body's shared fields, the grade
 * parameter, the polygon and circle in the first area with the
 * record's areas as GB/T2260 geocodes, expires from the record. *out
 * owns its memory (cap_alert_fini). Errors: RM_EINVAL (not an alert, a
 * restricted record not decrypted, offset out of range), RM_ENOMEM.
 */
int cap_from_alert(const struct rm_record *rec, int offset_min,
    struct cap_alert *out, rm_why *why);

/* Names in CAP 1.2 spelling ("Public", "AllClear"); NULL if out of
 * range. */
const char *cap_scope_name(enum cap_scope s);
const char *cap_response_name(enum cap_response r);

#endif /* RM_NODE_CAP_CAP_H */
