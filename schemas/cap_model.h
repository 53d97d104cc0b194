/*
 * cap_model.h -- the C model of an OASIS CAP 1.2 alert message (CAP 1.2,
 * OASIS Standard, 1 July 2010, §3.2) and its deterministic CBOR form
 * (schemas/alert.cddl, "cap-alert"): what the "cap" entry of an alert
 * body (struct rm_alert.cap) carries, so that the whole CAP document
 * travels signed in the record and every node writes it back the same.
 *
 * The XML reader and writer are node/cap (cap.h); this header is part of
 * the schemas module (layer 0) so that the alert kind can decode,
 * encode and check the model without depending on libxml2.
 *
 * Memory: a decoded alert (cap_model_decode) or a parsed one (cap_parse)
 * owns every string and array it points at in one arena (cap_alloc),
 * freed by cap_alert_fini. A hand-built alert (arena NULL) may point at
 * any memory. Thread rules: every function is reentrant; an alert
 * belongs to one thread at a time.
 */
#ifndef RM_SCHEMAS_CAP_MODEL_H
#define RM_SCHEMAS_CAP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "schemas/schemas.h"

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

/* ---------------- bounds of the CBOR form ---------------- */

/* Counts the decoder accepts (beyond them RM_ETOOBIG); the record's
 * size limit (rm_kind_alert.body_max) bounds the whole. */
#define CAP_MODEL_INFO_MAX     16      /* <info> blocks */
#define CAP_MODEL_AREA_MAX     64      /* <area> per info */
#define CAP_MODEL_SHAPE_MAX    256     /* polygons, circles per area */
#define CAP_MODEL_VERTEX_MAX   100000  /* points per polygon */
#define CAP_MODEL_LIST_MAX     64      /* codes, references, categories,
                                          responseTypes, eventCodes,
                                          parameters, geocodes, resources */
#define CAP_MODEL_TEXT_MAX     (1024 * 1024) /* bytes of one string (a
                                          document is at most 1 MiB) */

/* ---------------- memory and formats (schemas/cap_mem.c) ------- */

/* n zeroed items of size bytes owned by a's arena; NULL on allocation
 * failure or overflow of n * size. */
void *cap_alloc(struct cap_alert *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n) in a's arena; NULL on ENOMEM. */
char *cap_strndup(struct cap_alert *a, const char *s, size_t n);
/* Release what a's arena owns and zero *a. A zeroed or hand-built
 * (arena NULL) alert is only zeroed. NULL is a no-op. */
void cap_alert_fini(struct cap_alert *a);
/* The CAP 1.2 §3.3.2 text of t ("2026-08-15T06:00:00+08:00", UTC as
 * "-00:00"): 25 bytes + NUL. */
void cap_time_format(const struct cap_time *t, char out[32]);
/* The shortest plain decimal (no exponent) that strtod reads back as v
 * ("38.9" for 38.90). */
void cap_decimal_format(double v, char out[48]);
/* Names in CAP 1.2 spelling ("Public", "AllClear"); NULL if out of
 * range. */
const char *cap_scope_name(enum cap_scope s);
const char *cap_response_name(enum cap_response r);
/* CAP 1.2 §3.2.1 identifier/sender rule: non-empty, no XML white
 * space, ',', '<', '&'. */
bool cap_ident_ok(const char *s);
/* The grade a <parameter> names: RM_OK and *out (0 when p is not a
 * grade parameter: valueName neither CAP_GRADE_NAME nor
 * CAP_GRADE_NAME_URN); RM_EBADVALUE for a grade parameter whose value
 * is not blue, yellow, orange or red (exact case). */
int cap_param_grade(const struct cap_pair *p, rm_grade *out);

/* ---------------- the CBOR form (schemas/cap_enc.c, cap_dec.c) ---- */

/*
 * Append a as deterministic CBOR (RFC 8949 §4.2.1; the "cap-alert" rule
 * of schemas/alert.cddl) to out: maps with the CAP element names as
 * keys, absent elements absent, enumerations by their CAP names, times
 * as [epoch seconds, offset minutes], numbers without floats: integer
 * millionths (micro-degrees for coordinates) when the shortest decimal
 * of the value has at most 6 fraction digits and fits, an RFC 8949
 * §3.4.4 decimal fraction (tag 4, [exponent, mantissa]) otherwise.
 * a is not validated here (cap_model_check does). Errors: RM_EINVAL (a
 * required string NULL, an enumeration out of range), RM_ENOMEM,
 * RM_ETOOBIG (out's limit); on error out may hold a partial item (the
 * caller truncates).
 */
int cap_model_encode(const struct cap_alert *a, rm_buf *out);

/*
 * Read one cap-alert item at rd into *out (zeroed here), strictly: key
 * order, types, no unknown or duplicate keys, the bounds above, and
 * cap_model_check. On success *out owns its memory (cap_alert_fini);
 * on error *out is released and zeroed, and why names the field
 * ("cap.info[0].area[1].polygon[2][7]: ..."). Errors: RM_EMALFORMED,
 * RM_EMISSING, RM_EBADVALUE, RM_EUNKNOWN (a key), RM_ENONCANON (key
 * order), RM_ETOOBIG, RM_ENOMEM.
 */
int cap_model_decode_rd(rm_cbor_rd *rd, struct cap_alert *out, rm_why *why);
/* cap_model_decode_rd over exactly p[0..n) (trailing bytes:
 * RM_EMALFORMED). */
int cap_model_decode(const void *p, size_t n, struct cap_alert *out,
    rm_why *why);

/*
 * The rules of the model a record must keep (those of cap_parse that
 * the CBOR form could break): identifier and sender (§3.2.1: no white
 * space, ',', '<', '&'), required strings present and non-empty,
 * enumerations in range, times set where required with offsets in
 * -1439..1439, polygons of >= 4 closed points in range (§3.2.4), circle
 * radius >= 0, categories >= 1 per info, ceiling only with altitude, at
 * most one valid grade parameter per info (info.grade agreeing).
 * RM_OK, or RM_EBADVALUE / RM_EMISSING with why naming the field.
 */
int cap_model_check(const struct cap_alert *a, rm_why *why);

/*
 * The core fields of the record draft a CAP alert gives (what
 * cap_to_alert in node/cap documents): into *out (zeroed here) kind
 * alert, origin = sender, areas (every GB/T2260 geocode, sorted,
 * unique), expires (the latest <expires>, 0 if none) and a heap body
 * whose core is derived from a (cap left NULL). An alert without
 * <info> (a Cancel may have none) takes texts, categories, grade,
 * urgency, severity, certainty, geometry, areas and expires from base
 * (the core of the version it follows; NULL: RM_EMISSING). record_fini
 * frees *out. Errors: RM_EMISSING, RM_EBADVALUE (sender not an agency
 * id, grades disagree, a geometry the kind cannot hold), RM_ETOOBIG,
 * RM_ENOMEM, and the alert kind's validation errors; *out zeroed.
 */
int cap_model_core(const struct cap_alert *a, const struct rm_record *base,
    struct rm_record *out, rm_why *why);

#endif /* RM_SCHEMAS_CAP_MODEL_H */
