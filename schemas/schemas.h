/*
 * schemas.h -- the riskmesh record model and its deterministic-CBOR codec.
 *
 * A record body is a CBOR map with text keys, encoded deterministically
 * (RFC 8949 §4.2.1: shortest heads, definite lengths, keys sorted by the
 * bytewise order of their encodings). The CDDL is in schemas/record.cddl
 * (common fields) and schemas/alert.cddl (kind "alert", the CAP 1.2
 * compatible core: OASIS CAP 1.2 §3.2). The signature envelope
 * (COSE_Sign1) is not here: see crypto/crypto.h.
 *
 * Decoding is strict: record_decode() accepts exactly the bytes that
 * record_encode() would produce for the decoded value, and rejects
 * anything else with a specific error and an rm_why naming the field:
 *   RM_ETOOBIG     input or a field over the limits below
 *   RM_EMALFORMED  not CBOR, truncated, trailing bytes
 *   RM_ENONCANON   not deterministic CBOR (non-minimal head, indefinite
 *                  length, keys out of order or duplicated)
 *   RM_EMISSING    a required field is absent
 *   RM_EBADVALUE   wrong type or value outside its domain (unknown grade,
 *                  bad area code, invalid UTF-8, expires before effective…)
 *   RM_EUNKNOWN    unknown field, kind or schema version
 *
 * Memory: a decoded rm_record owns its strings and arrays (heap); call
 * record_fini() to release them. Records built by hand for encoding may
 * point at any memory; record_encode() only reads them.
 * Thread rules: all functions are reentrant; no shared state.
 */
#ifndef RM_SCHEMAS_H
#define RM_SCHEMAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ---------------- limits (bytes unless stated) ---------------- */

#define RM_SCHEMA_VERSION        1
#define RM_RECORD_BODY_MAX       (48 * 1024) /* encoded record, default
                                                 per kind (rm_kind_ops
                                                 .body_max) */
#define RM_RECORD_ANY_MAX        (512 * 1024) /* the largest body_max of
                                                 any kind: an alert with
                                                 its CAP document */
#define RM_AGENCY_ID_MAX         64   /* "120103.emergency" */
#define RM_AGENCY_NAME_MAX       48   /* the part after "<area code>." */
#define RM_OBJECT_ID_MAX         128
#define RM_AREA_CODE_MAX         12   /* 6, 9 or 12 digits, GB/T 2260 */
#define RM_AREAS_MAX             32   /* area codes per record */
#define RM_RECORD_TO_MAX         64   /* recipients of a restricted record
                                         (COSE_ENCRYPT_RECIPIENTS_MAX) */
#define RM_ALERT_TEXTS_MAX       4    /* language blocks (CAP <info>) */
#define RM_ALERT_LANG_MAX        16   /* RFC 5646 tag, "zh-CN" */
#define RM_ALERT_IDENTIFIER_MAX  128
#define RM_ALERT_EVENT_MAX       128
#define RM_ALERT_SENDER_NAME_MAX 256
#define RM_ALERT_HEADLINE_MAX    512
#define RM_ALERT_DESCRIPTION_MAX 8192
#define RM_ALERT_INSTRUCTION_MAX 4096
#define RM_ALERT_AREA_DESC_MAX   512
#define RM_ALERT_POLYGON_MAX     128  /* points */
#define RM_ALERT_REFERENCES_MAX  16
#define RM_ALERT_REFERENCE_MAX   512  /* "sender,identifier,sent" */

/* ---------------- enumerations ---------------- */

/* Colour grade of a warning; ordered: blue < yellow < orange < red
 * (levels IV, III, II, I). */
typedef enum rm_grade {
	RM_GRADE_BLUE = 1,
	RM_GRADE_YELLOW = 2,
	RM_GRADE_ORANGE = 3,
	RM_GRADE_RED = 4,
} rm_grade;

/* CAP 1.2 §3.2.1 <status> */
typedef enum rm_cap_status {
	RM_STATUS_ACTUAL = 1, RM_STATUS_EXERCISE, RM_STATUS_SYSTEM,
	RM_STATUS_TEST, RM_STATUS_DRAFT,
} rm_cap_status;

/* CAP 1.2 §3.2.1 <msgType> */
typedef enum rm_cap_msgtype {
	RM_MSGTYPE_ALERT = 1, RM_MSGTYPE_UPDATE, RM_MSGTYPE_CANCEL,
	RM_MSGTYPE_ACK, RM_MSGTYPE_ERROR,
} rm_cap_msgtype;

/* CAP 1.2 §3.2.2 <category>, as a bit set (an alert may have several). */
enum {
	RM_CAT_GEO = 1u << 0, RM_CAT_MET = 1u << 1, RM_CAT_SAFETY = 1u << 2,
	RM_CAT_SECURITY = 1u << 3, RM_CAT_RESCUE = 1u << 4,
	RM_CAT_FIRE = 1u << 5, RM_CAT_HEALTH = 1u << 6, RM_CAT_ENV = 1u << 7,
	RM_CAT_TRANSPORT = 1u << 8, RM_CAT_INFRA = 1u << 9,
	RM_CAT_CBRNE = 1u << 10, RM_CAT_OTHER = 1u << 11,
};

/* CAP 1.2 §3.2.2 <urgency>, <severity>, <certainty> */
typedef enum rm_cap_urgency {
	RM_URGENCY_IMMEDIATE = 1, RM_URGENCY_EXPECTED, RM_URGENCY_FUTURE,
	RM_URGENCY_PAST, RM_URGENCY_UNKNOWN,
} rm_cap_urgency;
typedef enum rm_cap_severity {
	RM_SEVERITY_EXTREME = 1, RM_SEVERITY_SEVERE, RM_SEVERITY_MODERATE,
	RM_SEVERITY_MINOR, RM_SEVERITY_UNKNOWN,
} rm_cap_severity;
typedef enum rm_cap_certainty {
	RM_CERTAINTY_OBSERVED = 1, RM_CERTAINTY_LIKELY, RM_CERTAINTY_POSSIBLE,
	RM_CERTAINTY_UNLIKELY, RM_CERTAINTY_UNKNOWN,
} rm_cap_certainty;

/* ---------------- record body ---------------- */

/* One language block of an alert (CAP <info> texts). Strings are
 * NUL-terminated UTF-8; optional ones may be NULL. */
struct rm_alert_text {
	char *lang;         /* required, "zh-CN", "en-US" */
	char *event;        /* required, "台风" / "Typhoon" */
	char *headline;     /* required */
	char *description;  /* optional */
	char *instruction;  /* optional */
	char *sender_name;  /* optional */
	char *area_desc;    /* optional, CAP <areaDesc> */
};

/* WGS 84 point in micro-degrees (CAP uses decimal degrees; we keep
 * integers so the encoding stays deterministic). */
struct rm_point {
	int32_t lat_udeg;   /* -90e6 .. 90e6 */
	int32_t lon_udeg;   /* -180e6 .. 180e6 */
};

struct cap_alert;                  /* schemas/cap_model.h */

struct rm_alert {
	char *identifier;              /* CAP <identifier>, required */
	/* ["cap"] optional: the whole CAP 1.2 message the alert was issued
	 * from (schemas/cap_model.h), owned (heap struct + its arena) by
	 * the body; NULL when absent. When set, the core fields above, the
	 * record's origin (= <sender>), areas and expiry must equal what
	 * cap_model_core derives from it (the kind's validate checks). */
	struct cap_alert *cap;
	rm_cap_status status;
	rm_cap_msgtype msg_type;
	uint32_t categories;           /* RM_CAT_* bits, at least one */
	rm_cap_urgency urgency;
	rm_cap_severity severity;
	rm_cap_certainty certainty;
	rm_grade grade;                /* native colour grade, required */
	rm_utc_ms effective_ms;        /* required */
	size_t n_texts;                /* 1..RM_ALERT_TEXTS_MAX */
	struct rm_alert_text *texts;
	size_t n_polygon;              /* 0 or 4..RM_ALERT_POLYGON_MAX, closed */
	struct rm_point *polygon;
	bool has_circle;
	struct rm_point circle_centre;
	uint32_t circle_radius_m;      /* > 0 when has_circle */
	size_t n_references;           /* CAP "sender,identifier,sent" */
	char **references;
};

struct rm_kind_ops;

/* A fork of an origin's log at one seq, and the record to keep there:
 * what a fork resolution names (rm_kind_ops.resolves; the body of kind
 * "fork_resolution", schemas/fork_resolution.cddl). */
struct rm_fork_ref {
	char origin[RM_AGENCY_ID_MAX + 1]; /* ["origin"] the forked agency */
	uint64_t seq;                      /* ["seq"] the forked seq, >= 1 */
	rm_hash keep;                      /* ["keep"] hash of the record to
	                                      keep in the log at seq */
};

/*
 * Common fields of every record (schemas/record.cddl). The body map key
 * names are given in brackets. The kind-specific body is opaque here:
 * `kind` (an entry of the kind registry, below) says what `body` points
 * at and how to encode, decode, validate, authorise and index it.
 */
struct rm_record {
	uint32_t schema_version;           /* ["v"] == RM_SCHEMA_VERSION */
	const struct rm_kind_ops *kind;    /* ["kind"] a registered kind */
	char origin[RM_AGENCY_ID_MAX + 1]; /* ["origin"] issuing agency id */
	char object_id[RM_OBJECT_ID_MAX + 1]; /* ["oid"] */
	uint64_t ver;                      /* ["ver"] object version, >= 1 */
	uint64_t seq;                      /* ["seq"] origin log seq, >= 1 */
	rm_utc_ms issued_ms;               /* ["issued"] */
	rm_utc_ms expires_ms;              /* ["expires"] 0 = none */
	size_t n_areas;                    /* ["areas"] 1..RM_AREAS_MAX */
	char areas[RM_AREAS_MAX][RM_AREA_CODE_MAX + 1];
	bool has_prev;                     /* ["prev"] absent iff seq == 1 */
	rm_hash prev;
	bool has_supersedes;               /* ["supersedes"] optional */
	rm_hash supersedes;
	void *body;                        /* ["body"] kind->body_size
	                                      bytes; owned (heap) when
	                                      record_decode made it. NULL in
	                                      a restricted record until a
	                                      recipient decrypts it
	                                      (record_body_decode) */
	/* Restricted records (docs/PROTOCOL.md §6a): n_to > 0 names the
	 * recipient agencies, and on the wire ["body"] is then the bstr
	 * enc (a COSE_Encrypt of the kind's body map) instead of the map.
	 * Both owned (heap) when record_decode made them; record_fini
	 * frees them. */
	size_t n_to;                       /* ["to"] 0 or 1..RM_RECORD_TO_MAX */
	char (*to)[RM_AGENCY_ID_MAX + 1];  /* sorted by strcmp, unique */
	uint8_t *enc;                      /* ["body"] when n_to > 0 */
	size_t enc_len;                    /* 1..RM_RECORD_BODY_MAX bytes */
};

/* ---------------- the kind registry ---------------- */

#define RM_KINDS_MAX        16  /* registered kinds, built-in included */
#define RM_KIND_NAME_MAX    15  /* [a-z][a-z_]{0,14} */
#define RM_INDEX_KEY_MAX    64  /* bytes of one secondary index key */

/*
 * One record kind: everything the layers above need to know about a
 * kind's body, so that the store, the federation (authorisation, relay,
 * catch-up) and the node's fan-out never name a kind's fields. A new
 * kind is one table like this plus its CDDL (schemas/<kind>.cddl) and,
 * where it has them, its representations; nothing else changes.
 *
 * Every function gets records whose common fields are valid and whose
 * body is this kind's (record_validate has run, except for `validate`
 * itself and `decode`). None may keep a pointer into the record.
 * Restricted records (record_restricted) whose body is not decrypted
 * (body NULL) are never handed to the body operations: the callers
 * (roster_authorise, the store, record_summary, record_in_force) skip
 * them, and the store never calls in_force or index_keys on a
 * restricted record even with its body (docs/PROTOCOL.md §6a).
 * All are called from any thread, concurrently: they must be pure.
 */
struct rm_kind_ops {
	/* ["kind"] on the wire, in the roster and the APIs: 1..15 bytes of
	 * [a-z_], the first a letter, unique in the registry. */
	const char *name;
	/* The CDDL of the body ("alert.cddl", in schemas/). */
	const char *cddl;
	/* sizeof the C body struct that record.body points at. */
	size_t body_size;
	/* The largest encoded record rec may be, bytes, at most
	 * RM_RECORD_ANY_MAX (rec's body decoded). NULL: RM_RECORD_BODY_MAX.
	 * The alert kind allows RM_RECORD_ANY_MAX to an alert carrying its
	 * CAP message (district outlines), RM_RECORD_BODY_MAX otherwise. */
	size_t (*body_max)(const struct rm_record *rec);

	/* Append the body map as deterministic CBOR (RFC 8949 §4.2.1) to
	 * out. Called only after validate passed. RM_ENOMEM, RM_ETOOBIG
	 * (out's limit). */
	int (*encode)(const void *body, rm_buf *out);
	/* Read exactly one body map at rd into body (zeroed, body_size
	 * bytes), leaving rd after it; strict as record_decode. On error
	 * body may hold partial allocations: the caller calls fini. why
	 * names the field ("alert.texts[0].lang: ..."). */
	int (*decode)(rm_cbor_rd *rd, void *body, rm_why *why);
	/* The body's semantic rules, given the record's common fields
	 * (e.g. an alert's effective time before the record's expiry).
	 * Errors as record_validate. */
	int (*validate)(const struct rm_record *rec, rm_why *why);
	/* Free what decode allocated inside body (not body itself). */
	void (*fini)(void *body);

	/* Authorisation: the grade the record claims (checked against the
	 * roster's highest grade for its origin), or 0 for an ungraded
	 * kind. NULL: ungraded. */
	rm_grade (*grade)(const struct rm_record *rec);
	/* Authorisation and routing: the agencies the record addresses (a
	 * task's assignees). Writes at most max agency ids (borrowed from
	 * rec) to out and returns how many there are (may exceed max).
	 * NULL: none. */
	size_t (*recipients)(const struct rm_record *rec, const char **out,
	    size_t max);
	/* Whether this version keeps its object in force until
	 * rec->expires_ms (0: no expiry): false for tombstones (cancelled,
	 * resolved, removed). In-force versions are indexed by kind and
	 * area (store) and served to devices. NULL: never in force. */
	bool (*in_force)(const struct rm_record *rec);
	/* Secondary index keys of an in-force version besides its areas
	 * ("grade=red", "assignee=120116.gov"): calls emit(arg, key) for
	 * each key, 1..RM_INDEX_KEY_MAX bytes of printable ASCII, and
	 * returns emit's first non-zero result or RM_OK. NULL: none. */
	int (*index_keys)(const struct rm_record *rec,
	    int (*emit)(void *arg, const char *key), void *arg);
	/* One line for logs and operators, UTF-8, NUL-terminated in
	 * out[0..len), truncated if longer ("red 大风 Gale ..."). */
	void (*summary)(const struct rm_record *rec, char *out, size_t len);

	/* Authorisation of a kind whose rule is not "the signer's roster
	 * entry lists the kind" (federation/trust roster_authorise calls
	 * it instead of that one check; the origin, area and grade checks
	 * still apply). rec->origin is the signer. signer_registrar: the
	 * signer is a registrar of the roster (roster_is_registrar).
	 * Returns RM_OK or RM_EUNAUTH with why naming the rule. NULL: the
	 * roster's kinds decide. */
	int (*authorise)(const struct rm_record *rec, bool signer_registrar,
	    rm_why *why);
	/* The kind whose permission in the roster covers this one, when it
	 * is not the kind itself: an escalation is published by whoever
	 * may publish tasks ("task"), an indicator definition by whoever
	 * may publish indicators. roster_authorise then checks that the
	 * signer's entry lists that kind, so the roster and its CSV name
	 * only the kinds operators grant. NULL: the kind's own name.
	 * Ignored when `authorise` is set. */
	const char *roster_kind;
	/* The fork this record resolves (borrowed from rec), or NULL: the
	 * store applies a resolution when it stores the record
	 * (node/store/store.h, "Fork resolution"). NULL: never one. */
	const struct rm_fork_ref *(*resolves)(const struct rm_record *rec);
	/* The version rule of an object: may `next` become the latest
	 * version of the object whose latest version is `prev` (same
	 * origin, object id and kind, both bodies decoded; next->ver >=
	 * prev->ver)? The store calls it on every node, for records it
	 * issues and records it receives, so that a final state (a removed
	 * risk, a closed task, a done ack) stays final everywhere
	 * (docs/STORAGE.md, "Merge rules" 4). RM_OK, or RM_EBADVALUE with
	 * why naming the field ("status"). NULL: any version may follow
	 * any other. */
	int (*transition)(const struct rm_record *prev,
	    const struct rm_record *next, rm_why *why);
};

/* The built-in kinds. */
extern const struct rm_kind_ops rm_kind_alert;   /* schemas/alert_kind.c */
extern const struct rm_kind_ops rm_kind_agency;  /* schemas/agency_kind.c */
/* "fork_resolution" (schemas/fork_resolution_kind.c): names a fork of
 * an origin's log and the record to keep; body struct rm_fork_ref. Valid
 * from the forked origin itself (its signing kid must differ from the
 * kid of the losing record: the store checks that, it holds the
 * records) or from a registrar. Never in force, not graded. */
extern const struct rm_kind_ops rm_kind_fork_resolution;
/* "risk": see "the risk kind" below. */

/*
 * Add a kind to the registry (the built-in kinds are always there).
 * Call during start-up, before any other thread decodes records: the
 * registry is read without locks. ops must stay valid for the life of
 * the process. Errors: RM_EINVAL (NULL, a required operation missing:
 * name, encode, decode, validate, fini, body_size 0; or a name that is
 * not 1..RM_KIND_NAME_MAX of [a-z_] starting with a letter), RM_EEXIST
 * (the name is taken),
 * RM_ETOOBIG (RM_KINDS_MAX kinds already). Registering the same ops
 * twice is RM_OK.
 */
int kind_register(const struct rm_kind_ops *ops, rm_why *why);

/* The registered kind called `name` (n bytes, not NUL-terminated), or
 * NULL. Thread-safe. */
const struct rm_kind_ops *kind_find(const char *name, size_t n);

/* Registered kinds in registration order (built-in first): the kind
 * with index i (0..), or NULL past the end. The index is stable for
 * the life of the process and is what rm_kind_set bits use. */
const struct rm_kind_ops *kind_at(unsigned i);
/* Index of a registered kind, or -1 for one that is not registered. */
int kind_index(const struct rm_kind_ops *ops);

/* A set of kinds (bit kind_index(k)), e.g. what an agency may publish.
 * The built-in alert kind always has index 0. */
typedef uint32_t rm_kind_set;
#define RM_KIND_SET_ALERT ((rm_kind_set)1u)

/* Every registered kind. */
rm_kind_set kind_set_all(void);
/* Names of the kinds in s, sorted bytewise (the order rosters and
 * listings use): writes at most max names (static strings) to out and
 * returns how many kinds s holds. */
size_t kind_set_names(rm_kind_set s, const char **out, size_t max);

/* The body of an alert record, or NULL if rec is not an alert or is a
 * restricted record not decrypted here (body NULL). */
struct rm_alert *record_alert(const struct rm_record *rec);
/* The body of a fork_resolution record, or NULL if rec is not one. */
struct rm_fork_ref *record_fork_resolution(const struct rm_record *rec);

/* ---------------- the agency kind ---------------- */

/*
 * Kind "agency" (schemas/agency.cddl): one agency of a federation, as
 * a registrar publishes it (docs/PROTOCOL.md §5a). The record's origin
 * is the registrar, its object id is the agency id, its areas are the
 * agency's areas; every change (new key, revocation, removal, new
 * areas) is a new version of the object. Keys carry their validity:
 * a key is good for records issued in [from, until) and, when last_seq
 * is set, for log seqs up to last_seq (docs/PROTOCOL.md §5b).
 */
#define RM_AGENCY_KEYS_MAX   16     /* key history kept per agency */
#define RM_AGENCY_AREAS_MAX  16
#define RM_AGENCY_TEXT_MAX   256    /* bytes of UTF-8 in a name */
#define RM_SPKI_MAX          160    /* DER SubjectPublicKeyInfo */

enum rm_key_end {
	RM_KEY_OPEN = 0,        /* in use: no "until" */
	RM_KEY_ROTATED,         /* replaced by a newer key at "until" */
	RM_KEY_REVOKED,         /* compromised: refused from "until" on */
	RM_KEY_REMOVED,         /* the agency left the federation */
};

struct rm_agency_key {
	uint8_t spki[RM_SPKI_MAX];          /* ["key"] P-256 SPKI, DER */
	size_t spki_len;
	rm_utc_ms from;                     /* ["from"] first issue time */
	rm_utc_ms until;                    /* ["until"] 0: open */
	enum rm_key_end end;                /* ["end"] set iff until is */
	uint64_t last_seq;                  /* ["last_seq"] 0: no bound */
};

struct rm_agency {
	char id[RM_AGENCY_ID_MAX + 1];      /* ["id"] == the record's oid */
	char *name_zh;                      /* ["name_zh"] heap */
	char *name_en;                      /* ["name_en"] heap */
	char role[16];                      /* ["role"] centre|department|
	                                       district */
	size_t n_areas;                     /* ["areas"] == record areas */
	char areas[RM_AGENCY_AREAS_MAX][RM_AREA_CODE_MAX + 1];
	size_t n_kinds;                     /* ["kinds"] names, sorted; a
	                                       kind this build does not
	                                       know is kept, never granted */
	char kinds[RM_KINDS_MAX][RM_KIND_NAME_MAX + 1];
	rm_grade max_grade;                 /* ["max_grade"] */
	size_t n_keys;                      /* ["keys"] oldest first */
	struct rm_agency_key keys[RM_AGENCY_KEYS_MAX];
	size_t enc_len;                     /* ["enc"] optional: P-256 SPKI
	                                       for restricted records */
	uint8_t enc[RM_SPKI_MAX];
	bool removed;                       /* ["status"] "removed" */
};

/* The body of an agency record, or NULL if rec is not one. */
struct rm_agency *record_agency(const struct rm_record *rec);
/* "open", "rotated", "revoked", "removed"; NULL for an unknown value. */
const char *key_end_name(enum rm_key_end e);

/* ---------------- the risk kind ---------------- */

/*
 * Kind "risk" (schemas/risk.cddl, schemas/risk_kind.c): one item of an
 * agency's risk register (风险清单). The record's origin owns the item,
 * its oid is the risk id, its single area is the item's area code; every
 * change (regrading, new measures, control, removal) is a new version of
 * the object. A point is WGS 84 in integer micro-degrees (struct
 * rm_point: no floats in our CBOR; the JSON API shows and takes decimal
 * degrees). Removal is status "removed" with a reason; a removed item is
 * not in force and is never changed again. Index keys of an item in
 * force (rm_kind_ops.index_keys, in this order): "grade=red",
 * "status=identified", "category=natural", "responsible=<agency id>",
 * "review=YYYY-MM-DD" (a key range [review=, review=<today>) is the
 * overdue items), "subcategory=flood".
 */
#define RM_RISK_NAME_MAX      256   /* bytes of UTF-8 */
#define RM_RISK_LOCATION_MAX  512
#define RM_RISK_MEASURES_MAX  4096
#define RM_RISK_REASON_MAX    1024
#define RM_RISK_COOP_MAX      16    /* cooperating units */

/* The four classes of emergencies (突发事件: 自然灾害, 事故灾难,
 * 公共卫生事件, 社会安全事件). */
enum rm_risk_category {
	RM_RISK_NATURAL = 1, RM_RISK_ACCIDENT, RM_RISK_PUBLIC_HEALTH,
	RM_RISK_SOCIAL_SECURITY,
};

/* Subcategories; each belongs to one category (risk_subcategory_class),
 * except "other", allowed in every category. */
enum rm_risk_subcategory {
	RM_RISK_TYPHOON = 1, RM_RISK_RAINSTORM_WATERLOGGING, RM_RISK_FLOOD,
	RM_RISK_STORM_SURGE, RM_RISK_GEOLOGICAL, RM_RISK_FIRE, RM_RISK_GAS,
	RM_RISK_HAZARDOUS_CHEMICALS, RM_RISK_WATER_SUPPLY,
	RM_RISK_POWER_SUPPLY, RM_RISK_HEAT_SUPPLY, RM_RISK_BUILDING,
	RM_RISK_CROWD, RM_RISK_TRAFFIC, RM_RISK_INFECTIOUS_DISEASE,
	RM_RISK_MEDICAL_ACCESS, RM_RISK_OTHER,
};

/* identified -> controlled -> removed (risk_status_next). */
enum rm_risk_status {
	RM_RISK_IDENTIFIED = 1, RM_RISK_CONTROLLED, RM_RISK_REMOVED,
};

struct rm_risk {
	char id[RM_OBJECT_ID_MAX + 1];      /* ["id"] == the record's oid */
	char *name;                         /* ["name"] heap */
	enum rm_risk_category category;     /* ["category"] */
	enum rm_risk_subcategory subcategory; /* ["subcategory"] */
	rm_grade grade;                     /* ["grade"] */
	bool has_point;                     /* ["point"] {"lat","lon"} */
	struct rm_point point;
	char *location;                     /* ["location"] heap */
	char responsible[RM_AGENCY_ID_MAX + 1]; /* ["responsible"] */
	size_t n_coop;                      /* ["cooperating"] absent iff
	                                       0; sorted, unique, never the
	                                       responsible unit */
	char coop[RM_RISK_COOP_MAX][RM_AGENCY_ID_MAX + 1];
	char *measures;                     /* ["measures"] heap, optional */
	enum rm_risk_status status;         /* ["status"] */
	char *reason;                       /* ["reason"] heap; present iff
	                                       status is removed */
	char review[11];                    /* ["review"] "YYYY-MM-DD" */
};

/* The body of a risk record, or NULL if rec is not one (or is a
 * restricted record not decrypted here). */
struct rm_risk *record_risk(const struct rm_record *rec);

/* Names as on the wire, in the JSON API and the index keys ("natural",
 * "rainstorm_waterlogging", "controlled"): static strings, NULL for a
 * value outside the enum. The parsers match exactly and return
 * RM_EBADVALUE for an unknown name or NULL; *out is written on success
 * only. */
const char *risk_category_name(enum rm_risk_category c);
int risk_category_parse(const char *s, enum rm_risk_category *out);
const char *risk_subcategory_name(enum rm_risk_subcategory s);
int risk_subcategory_parse(const char *s, enum rm_risk_subcategory *out);
const char *risk_status_name(enum rm_risk_status s);
int risk_status_parse(const char *s, enum rm_risk_status *out);
/* The category a subcategory belongs to; 0 for "other" (any) and for
 * values outside the enum. */
enum rm_risk_category risk_subcategory_class(enum rm_risk_subcategory s);
/* A grade by its English name ("red", grade_parse) or its register name
 * (重大 red, 较大 orange, 一般 yellow, 低 blue). RM_EBADVALUE. */
int risk_grade_parse(const char *s, rm_grade *out);
/* True iff s is a calendar date "YYYY-MM-DD" (years 1900..9999, the
 * Gregorian leap rule). */
bool risk_date_valid(const char *s);

/*
 * The status rule of a risk object: may `next` follow `cur` (the
 * object's latest version; NULL for a new object)? A new item is
 * identified or controlled; identified and controlled items may move
 * to either or be removed; a removed item is closed. RM_OK, or
 * RM_EBADVALUE (a new item cannot start removed) / RM_EEXIST (removed
 * is final) with why naming "status".
 */
int risk_status_next(const struct rm_risk *cur, const struct rm_risk *next,
    rm_why *why);

/* The built-in kind "risk". */
extern const struct rm_kind_ops rm_kind_risk;   /* schemas/risk_kind.c */

/* ---------------- task dispatch (交办): task, ack, escalation -------- */

/*
 * Kind "task" (schemas/task.cddl, schemas/task_kind.c): a task an
 * agency (the record's origin, the assigner) dispatches to 1..16 other
 * agencies (the assignees), one of them the lead unit (牵头单位). Its
 * oid is the task id (task_id_valid), its areas those the task is
 * about (within the assigner's: the roster checks). Every change is a
 * new version; closed and cancelled are final (task_status_next). A
 * task is in force while open; it addresses its assignees
 * (rm_kind_ops.recipients).
 *
 * Kind "ack" (schemas/ack.cddl): an assignee's answer to a task, one
 * object per (task, assignee): origin the assignee, oid
 * ack_object_id(task); versions move received -> in_progress -> done
 * (with a note) | refused (with a reason); done and refused are final
 * (ack_state_next). Any roster agency may sign an ack (the roster
 * cannot know assignments: rm_kind_ops.authorise); that only an
 * assignee's ack counts is the service's rule (node/service, "task
 * dispatch"), on the issuing node and in every view.
 *
 * Kind "escalation" (schemas/escalation.cddl): issued once by the
 * assigner's node when an open task passes its deadline with some
 * assignee not done: oid escalation_object_id(task), origin the task's
 * origin, body the task reference, its deadline, the lead unit and the
 * assignees not done. Addresses the lead unit and those assignees. The
 * roster permission for "task" covers it (rm_kind_ops.roster_kind).
 */
#define RM_TASK_ID_MAX         59   /* bytes of a task id: "ack:" +
                                       agency id + ":" + task id fits
                                       RM_OBJECT_ID_MAX */
#define RM_TASK_SUBJECT_MAX    512  /* bytes of UTF-8 */
#define RM_TASK_DETAIL_MAX     8192
#define RM_TASK_NOTE_MAX       1024 /* task note, ack note and reason */
#define RM_TASK_ASSIGNEES_MAX  16
#define RM_TASK_LINKS_MAX      8

/* A reference to an object: a task (in an ack or escalation) or the
 * risk or alert a task is about. */
struct rm_task_ref {
	char origin[RM_AGENCY_ID_MAX + 1];  /* ["origin"] agency id */
	char oid[RM_OBJECT_ID_MAX + 1];     /* ["oid"] object id */
};

enum rm_task_priority {
	RM_TASK_URGENT = 1, RM_TASK_HIGH, RM_TASK_NORMAL, RM_TASK_LOW,
};

/* open -> closed | cancelled (task_status_next). */
enum rm_task_status {
	RM_TASK_OPEN = 1, RM_TASK_CLOSED, RM_TASK_CANCELLED,
};

struct rm_task {
	char *subject;                      /* ["subject"] heap, required */
	char *detail;                       /* ["detail"] heap, optional */
	char *note;                         /* ["note"] heap, optional: why
	                                       it was closed or cancelled */
	size_t n_assignees;                 /* ["assignees"] 1..16, sorted
	                                       by strcmp, unique */
	char assignees[RM_TASK_ASSIGNEES_MAX][RM_AGENCY_ID_MAX + 1];
	char lead[RM_AGENCY_ID_MAX + 1];    /* ["lead"] one of assignees */
	size_t n_links;                     /* ["links"] absent iff 0 */
	struct rm_task_ref links[RM_TASK_LINKS_MAX];
	enum rm_task_priority priority;     /* ["priority"] */
	rm_utc_ms deadline_ms;              /* ["deadline"] > 0 */
	enum rm_task_status status;         /* ["status"] */
};

/* received -> in_progress -> done | refused (ack_state_next). */
enum rm_ack_state {
	RM_ACK_RECEIVED = 1, RM_ACK_IN_PROGRESS, RM_ACK_DONE, RM_ACK_REFUSED,
};

struct rm_ack {
	struct rm_task_ref task;            /* ["task"] */
	enum rm_ack_state state;            /* ["state"] */
	char *note;                         /* ["note"] heap; required when
	                                       done, optional before */
	char *reason;                       /* ["reason"] heap; present iff
	                                       refused */
};

struct rm_escalation {
	struct rm_task_ref task;            /* ["task"] origin == record's */
	rm_utc_ms deadline_ms;              /* ["deadline"] the task's */
	char lead[RM_AGENCY_ID_MAX + 1];    /* ["lead"] the lead unit */
	size_t n_pending;                   /* ["pending"] 1..16, sorted,
	                                       unique: assignees not done */
	char pending[RM_TASK_ASSIGNEES_MAX][RM_AGENCY_ID_MAX + 1];
};

/* The bodies, or NULL if rec is not of that kind (or its body is not
 * decrypted here). */
struct rm_task *record_task(const struct rm_record *rec);
struct rm_ack *record_ack(const struct rm_record *rec);
struct rm_escalation *record_escalation(const struct rm_record *rec);

/* Names as on the wire and in the JSON API ("urgent", "in_progress"):
 * static strings, NULL outside the enum; parsers match exactly,
 * RM_EBADVALUE otherwise (*out written on success only). */
const char *task_priority_name(enum rm_task_priority p);
int task_priority_parse(const char *s, enum rm_task_priority *out);
const char *task_status_name(enum rm_task_status s);
int task_status_parse(const char *s, enum rm_task_status *out);
const char *ack_state_name(enum rm_ack_state s);
int ack_state_parse(const char *s, enum rm_ack_state *out);

/* True iff s is a task id: an object id (object_id_valid) of at most
 * RM_TASK_ID_MAX bytes. */
bool task_id_valid(const char *s);

/* The oid of the ack of task t by any assignee: "ack:" origin ":" oid;
 * of its escalation: "esc:" oid. out holds RM_OBJECT_ID_MAX + 1 bytes.
 * RM_EBADVALUE if t is not a valid reference. */
int ack_object_id(const struct rm_task_ref *t, char *out);
int escalation_object_id(const struct rm_task_ref *t, char *out);

/* Is agency among t's assignees? */
bool task_is_assignee(const struct rm_task *t, const char *agency);

/*
 * The status rule of a task object: may `next` follow `cur` (NULL: a
 * new task)? A new task is open; an open one may stay open (edited),
 * close or be cancelled; closed and cancelled are final. RM_OK, or
 * RM_EBADVALUE (a new task that is not open) / RM_EEXIST (final) with
 * why naming "status".
 */
int task_status_next(const struct rm_task *cur, const struct rm_task *next,
    rm_why *why);

/*
 * The state rule of an ack object: received -> in_progress -> done |
 * refused; a state may repeat (a new note) and steps may be skipped
 * forward (received -> done); never backwards; done and refused are
 * final. cur NULL: a new ack (any state). RM_OK, RM_EBADVALUE
 * (backwards), RM_EEXIST (final), why naming "state"; RM_EBADVALUE
 * field "task" when next names another task than cur.
 */
int ack_state_next(const struct rm_ack *cur, const struct rm_ack *next,
    rm_why *why);

/* The built-in kinds of task dispatch. */
extern const struct rm_kind_ops rm_kind_task;        /* task_kind.c */
extern const struct rm_kind_ops rm_kind_ack;         /* ack_kind.c */
extern const struct rm_kind_ops rm_kind_escalation;  /* escalation_kind.c */

/* ---------------- the indicator kinds ---------------- */

/*
 * Kinds "indicator_def" and "indicator" (schemas/indicator_def.cddl,
 * schemas/indicator.cddl; schemas/indicator_def_kind.c,
 * indicator_kind.c, indicator_val.c): the monitoring and city health
 * check (城市体检) indicators.
 *
 * An indicator definition is published by the agency that owns the
 * indicator: its oid is the code, its areas the scope it applies to.
 * An indicator record is a series: one source's values of one code in
 * the record's single area, in one unit, at 1..RM_IND_POINTS_MAX
 * points in strictly ascending time. Either kind is published by
 * whoever the roster lets publish "indicator" (roster_kind).
 *
 * Values are exact decimals (struct rm_decimal): no floats in CBOR. On
 * the wire a value with exponent 0 is a CBOR integer, any other a
 * decimal fraction (RFC 8949 §3.4.4, tag 4 [exponent, mantissa]) in
 * canonical form: exponent -18..-1 and a mantissa that is not a
 * multiple of 10, so that "12.5" and "12.50" are one value, shown
 * "12.5".
 *
 * Times: a series has one period kind. An instant is a time in ms
 * (rm_utc_ms); a period is an ordinal: a year Y, a quarter Y*4+q-1, a
 * month Y*12+m-1, a day the days since 1970-01-01. Periods are the
 * calendar periods of China Standard Time (UTC+08:00); their labels
 * are "2025", "2025-Q3", "2025-07", "2025-07-31" (years 1900..9999).
 */
#define RM_IND_CODE_MAX        48    /* [a-z0-9_.], first a-z or 0-9 */
#define RM_IND_NAME_MAX        256   /* bytes of UTF-8 */
#define RM_IND_UNIT_MAX        32    /* bytes of UTF-8 ("mm", "m²/人") */
#define RM_IND_POINTS_MAX      4096  /* points of one series */
#define RM_IND_POINTS_BYTES_MAX (44 * 1024) /* encoded points of one
                                        series (RM_RECORD_BODY_MAX less
                                        the header and fields) */
#define RM_DECIMAL_DIGITS_MAX  18    /* significant digits */
#define RM_DECIMAL_EXP_MIN     (-18) /* at most 18 decimals */
#define RM_DECIMAL_TEXT_MAX    48    /* decimal_format output with NUL */
#define RM_IND_TIME_TEXT_MAX   32    /* indicator_time_format, NUL incl. */
#define RM_CST_OFFSET_MS       (8LL * 3600 * 1000) /* UTC+08:00 */

/* An exact decimal: m x 10^e, canonical: e in RM_DECIMAL_EXP_MIN..0,
 * |m| < 10^18, m not a multiple of 10 when e < 0, e == 0 when m == 0. */
struct rm_decimal {
	int64_t m;
	int32_t e;
};

enum rm_ind_direction { RM_IND_HIGHER_WORSE = 1, RM_IND_LOWER_WORSE };
enum rm_ind_source {
	RM_IND_STATISTICS = 1, RM_IND_SURVEY, RM_IND_SENSOR, RM_IND_BIG_DATA,
};
enum rm_ind_period {
	RM_IND_INSTANT = 1, RM_IND_DAY, RM_IND_MONTH, RM_IND_QUARTER,
	RM_IND_YEAR,
};

struct rm_indicator_def {
	char code[RM_IND_CODE_MAX + 1];     /* ["code"] == the record's oid */
	char *name_zh;                      /* ["name_zh"] heap, optional */
	char *name_en;                      /* ["name_en"] heap, optional;
	                                       at least one of the two */
	char unit[RM_IND_UNIT_MAX + 1];     /* ["unit"] */
	enum rm_ind_direction direction;    /* ["direction"] */
	struct rm_decimal target;           /* ["target"] */
	bool has_warning;                   /* ["warning"] optional: the
	                                       warning threshold, on the
	                                       worse side of target (or
	                                       equal) */
	struct rm_decimal warning;
	enum rm_ind_source source;          /* ["source"] */
	enum rm_ind_period period;          /* ["period"] */
};

/* One value of a series: t as the series' period kind says. */
struct rm_ind_point {
	int64_t t;
	struct rm_decimal v;
};

struct rm_indicator {
	char code[RM_IND_CODE_MAX + 1];     /* ["code"] */
	char unit[RM_IND_UNIT_MAX + 1];     /* ["unit"] */
	enum rm_ind_source source;          /* ["source"] */
	enum rm_ind_period period;          /* ["period"] */
	size_t n_points;                    /* ["points"] 1..RM_IND_POINTS_MAX,
	                                       t strictly ascending; on the
	                                       wire ["t0"] = points[0].t and
	                                       each point [t - t0, value] */
	struct rm_ind_point *points;        /* heap when decoded */
};

/* The bodies, or NULL if rec is not of that kind (or not decrypted). */
struct rm_indicator_def *record_indicator_def(const struct rm_record *rec);
struct rm_indicator *record_indicator(const struct rm_record *rec);

/* True iff s (n bytes) is an indicator code: 1..RM_IND_CODE_MAX of
 * [a-z0-9_.], starting with [a-z0-9], no "..", not ending with '.'. */
bool indicator_code_valid(const char *s, size_t n);
#define RM_IND_CODE_RULE "1-48 of a-z, 0-9, '_', '.', starting with a " \
	"letter or digit"

/* Names on the wire, in the APIs and CSV ("higher_worse", "big_data",
 * "quarter"): static strings, NULL outside the enum. Parsers match
 * exactly; RM_EBADVALUE otherwise; *out written on success only. */
const char *indicator_direction_name(enum rm_ind_direction d);
int indicator_direction_parse(const char *s, enum rm_ind_direction *out);
const char *indicator_source_name(enum rm_ind_source s);
int indicator_source_parse(const char *s, enum rm_ind_source *out);
const char *indicator_period_name(enum rm_ind_period p);
int indicator_period_parse(const char *s, enum rm_ind_period *out);

/*
 * Decimal text: [+-]digits[.digits][(e|E)[+-]digits] ("12.5", "-3",
 * "1.5E3", "0.000125"), s[0..n). Exact: RM_EBADVALUE for anything
 * else, for more than RM_DECIMAL_DIGITS_MAX significant digits or a
 * value that needs more than 18 decimals; *out (canonical) on success.
 */
int decimal_parse(const char *s, size_t n, struct rm_decimal *out);
/* Plain decimal text of d ("12.5", "-0.05", "100"): no exponent,
 * no trailing zeros. out holds RM_DECIMAL_TEXT_MAX bytes. */
void decimal_format(struct rm_decimal d, char out[RM_DECIMAL_TEXT_MAX]);
/* True iff d is canonical (see struct rm_decimal). */
bool decimal_valid(struct rm_decimal d);
/* The nearest double (as strtod of decimal_format's text). */
double decimal_to_double(struct rm_decimal d);
/* -1, 0, 1 as a < b, a == b, a > b (exact). */
int decimal_cmp(struct rm_decimal a, struct rm_decimal b);
/* a - b exactly into *out (canonical). RM_ETOOBIG if it needs more
 * than 18 digits or decimals; *out untouched then. */
int decimal_sub(struct rm_decimal a, struct rm_decimal b,
    struct rm_decimal *out);

/*
 * A time text as an indicator time: a period label ("2025", "2025-Q3",
 * "2025-07", "2025-07-31") or an RFC 3339 time with offset (instant).
 * *kind and *t on success; RM_EBADVALUE otherwise.
 */
int indicator_time_parse(const char *s, enum rm_ind_period *kind,
    int64_t *t);
/* The label of period t of kind k, or the RFC 3339 UTC time of an
 * instant ("2026-07-01T00:00:00.000Z"). "?" for a kind out of range. */
void indicator_time_format(enum rm_ind_period k, int64_t t,
    char out[RM_IND_TIME_TEXT_MAX]);
/* When t of kind k starts, in UTC ms (an instant: t itself; a period:
 * its first instant in UTC+08:00). */
rm_utc_ms indicator_time_ms(enum rm_ind_period k, int64_t t);
/* The period of kind k (not instant) holding instant ms. */
int64_t indicator_period_of(enum rm_ind_period k, rm_utc_ms ms);
/* Bytes point p takes in a series starting at t0 (its [t - t0, value]
 * array), for splitting values into series within
 * RM_IND_POINTS_BYTES_MAX. p->t >= t0, p->v canonical. */
size_t indicator_point_size(const struct rm_ind_point *p, int64_t t0);

/*
 * Bulk input of indicator values (schemas/indicator_csv.c): one value
 * as a CSV row or an NDJSON line gives it, before it is grouped into
 * series. unit "" and source 0 mean "the indicator definition's".
 */
struct rm_ind_value {
	char code[RM_IND_CODE_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	char unit[RM_IND_UNIT_MAX + 1];
	enum rm_ind_source source;
	enum rm_ind_period period;          /* from the time's form */
	int64_t t;                          /* as struct rm_ind_point */
	struct rm_decimal v;
	size_t line;                        /* 1-based input line */
};

/* A refused input row: line and 1-based column (0: the whole row),
 * the column's name ("" for none), the rm_err and why. */
struct rm_ind_row_err {
	size_t line;
	size_t column;
	char field[16];
	int err;
	char reason[RM_WHY_MAX];
};
typedef void (*rm_ind_row_err_fn)(void *arg, const struct rm_ind_row_err *e);

/*
 * The rules of one value's fields, given as text (NULL or "" for the
 * optional unit and source), into *out (line set by the caller). On a
 * refusal returns the rm_err with e->column (1-based index in the
 * order code, area, time, value, unit, source), e->field and
 * e->reason set: RM_EBADVALUE (bad code, area code, time, number,
 * source), RM_ETOOBIG (a unit over RM_IND_UNIT_MAX), RM_EMISSING.
 */
int indicator_value_parse(const char *code, const char *area,
    const char *time, const char *value, const char *unit,
    const char *source, struct rm_ind_value *out, struct rm_ind_row_err *e);

/*
 * Read CSV text p[0..n) (RFC 4180, UTF-8 with or without BOM, CRLF or
 * LF) whose header names the columns code, area, time, value and,
 * optionally, unit and source, in any order. Every good row is
 * appended to *vals (heap, *nvals of them; free() it, also on error);
 * each refused row (bad field, wrong column count) is handed to
 * bad(arg, e) and counted in *nbad, and reading goes on. Returns RM_OK
 * after the last row, or stops with the error after reporting it to
 * bad(): a missing or wrong header (RM_EBADVALUE, RM_EMISSING, line
 * 1), text that is not CSV or not UTF-8 (rm_csv_next's errors at the
 * line), RM_ETOOBIG (more than max values), RM_ENOMEM.
 */
int indicator_csv_read(const char *p, size_t n, size_t max,
    struct rm_ind_value **vals, size_t *nvals, rm_ind_row_err_fn bad,
    void *arg, size_t *nbad);

/* The built-in kinds "indicator_def" and "indicator". */
extern const struct rm_kind_ops rm_kind_indicator_def;
extern const struct rm_kind_ops rm_kind_indicator;

/* ---------------- the proposal kind ---------------- */

/*
 * Kind "proposal" (schemas/proposal.cddl, schemas/proposal_kind.c): what
 * a monitoring rule (node/rules, docs/RULES.md) proposes for one area
 * when it fires, issued by the node that runs the rule: a warning to
 * confirm into an alert, or a task for an assignee, with the evidence
 * (the values that made it fire). The record's single area is the area
 * evaluated; its oid is "prop:<rule>:<area>:<raised ms>". Versions:
 * open (in force) -> confirmed (names the record it became: origin and
 * oid) or expired (the condition cleared); both are final. The roster
 * permission is the alert's (rm_kind_ops.roster_kind "alert"): whoever
 * may warn the area may propose warnings for it, and a warning
 * proposal's grade is checked against the agency's highest grade.
 * Values are decimals without floats: CBOR decimal fractions (RFC 8949
 * §3.4.4, tag 4 [exponent, mantissa]).
 */
#define RM_PROPOSAL_RULE_MAX      64    /* rule id, [A-Za-z0-9._-] */
#define RM_PROPOSAL_CODE_MAX      64    /* indicator code / alert event */
#define RM_PROPOSAL_EVIDENCE_MAX  8
#define RM_PROPOSAL_SUBJECT_MAX   512
#define RM_PROPOSAL_REF_MAX       (RM_AGENCY_ID_MAX + RM_OBJECT_ID_MAX + 1)

enum rm_proposal_type { RM_PROPOSAL_WARNING = 1, RM_PROPOSAL_TASK };
enum rm_proposal_state {
	RM_PROPOSAL_OPEN = 1, RM_PROPOSAL_CONFIRMED, RM_PROPOSAL_EXPIRED,
};

/* A decimal mant * 10^exp: mant not a multiple of 10 unless 0 (then
 * exp 0), |exp| <= 30 (the one encoding of each value). */
struct rm_proposal_num {
	int64_t mant;
	int32_t exp;
};

/* What one term of the rule saw. */
struct rm_proposal_evidence {
	char what[8];                      /* ["what"] level|rise|fall|max|
	                                      min|alert|target (off_target)|
	                                      review (review_overdue) */
	char code[RM_PROPOSAL_CODE_MAX + 1]; /* ["code"] indicator code, or
	                                      the alert's event, or (review)
	                                      the risk's review date */
	rm_utc_ms at_ms;                   /* ["at"] newest point used /
	                                      when the alert was known */
	uint32_t window_s;                 /* ["window"] rise..min only */
	bool has_value;                    /* ["value"] numeric terms */
	struct rm_proposal_num value;
	rm_grade grade;                    /* ["grade"] alert terms only */
	char ref[RM_PROPOSAL_REF_MAX + 1]; /* ["ref"] alert and review terms
	                                      only: "ORIGIN/OID" of the alert
	                                      or of the risk; a review term's
	                                      value is the days overdue */
};

struct rm_proposal {
	char rule[RM_PROPOSAL_RULE_MAX + 1]; /* ["rule"] */
	enum rm_proposal_type type;        /* ["type"] warning|task */
	enum rm_proposal_state state;      /* ["state"] open|confirmed|
	                                      expired */
	rm_utc_ms raised_ms;               /* ["raised"] when the rule fired
	                                      (event time) */
	/* warning: all three present; absent for a task */
	rm_grade grade;                    /* ["grade"] */
	char *event;                       /* ["event"] heap */
	char *headline;                    /* ["headline"] heap */
	char lang[RM_ALERT_LANG_MAX + 1];  /* ["lang"] */
	/* task: both present; absent for a warning */
	char assignee[RM_AGENCY_ID_MAX + 1]; /* ["assignee"] */
	char *subject;                     /* ["subject"] heap */
	size_t n_evidence;                 /* ["evidence"] 1..8 */
	struct rm_proposal_evidence evidence[RM_PROPOSAL_EVIDENCE_MAX];
	/* ["confirmed"] {"oid", "origin"}: present iff state confirmed */
	char confirmed_origin[RM_AGENCY_ID_MAX + 1];
	char confirmed_oid[RM_OBJECT_ID_MAX + 1];
};

/* The body of a proposal record, or NULL if rec is not one. */
struct rm_proposal *record_proposal(const struct rm_record *rec);
/* "warning"/"task", "open"/"confirmed"/"expired": static strings, NULL
 * outside the enum; the parsers return RM_EBADVALUE for other names. */
const char *proposal_type_name(enum rm_proposal_type t);
const char *proposal_state_name(enum rm_proposal_state s);
int proposal_state_parse(const char *s, enum rm_proposal_state *out);
/* True iff s is a rule id: 1..RM_PROPOSAL_RULE_MAX of A-Z a-z 0-9 . _ -
 * (the ids of docs/RULES.md). NULL gives false. */
bool proposal_rule_id_valid(const char *s);
/* The decimal as text ("62.5", "-0.03", "1200"), at most 48 bytes. */
void proposal_num_text(const struct rm_proposal_num *v, char *out,
    size_t len);

/* The built-in kind "proposal". */
extern const struct rm_kind_ops rm_kind_proposal; /* schemas/proposal_kind.c */

/* ---------------- codec ---------------- */

/*
 * Encode rec as deterministic CBOR, appending to out. The record is
 * validated first with the same rules as the decoder, so a record that
 * encodes always decodes. Errors: as listed at the top (never
 * RM_EMALFORMED/RM_ENONCANON), RM_ENOMEM. On error out is unchanged.
 */
int record_encode(const struct rm_record *rec, rm_buf *out, rm_why *why);

/*
 * Decode and validate a record of n bytes: n <= RM_RECORD_BODY_MAX, or
 * up to RM_RECORD_ANY_MAX for a record whose kind allows it (record_max);
 * a larger input, or one over RM_RECORD_BODY_MAX that does not decode,
 * is RM_ETOOBIG.
 * On success *out is filled and owns its memory (record_fini). On error
 * *out is left zeroed and nothing needs freeing.
 */
int record_decode(const uint8_t *p, size_t n, struct rm_record *out,
    rm_why *why);

/* The largest encoded record rec may be (its kind's body_max, else
 * RM_RECORD_BODY_MAX; also for a restricted record or a NULL kind). */
size_t record_max(const struct rm_record *rec);

/* Validate a record in memory (what record_encode checks; the rules are
 * in schemas/record.cddl and schemas/alert.cddl): text fields non-NULL
 * when required, never "" (omit instead), within the limits above
 * (RM_ETOOBIG) and valid UTF-8; areas sorted by strcmp and unique;
 * enumeration values in range. Errors as listed at the top, plus
 * RM_EINVAL for rec == NULL. */
int record_validate(const struct rm_record *rec, rm_why *why);

/* Free what record_decode allocated (the body and everything in it)
 * and zero *rec. Safe on a zeroed record; do not call on a hand-built
 * record, whose body and strings belong to its builder. */
void record_fini(struct rm_record *rec);

/* True iff this version of its object is in force at `now`: its kind
 * says so (rm_kind_ops.in_force: an alert's Alert or Update, never a
 * Cancel) and expires_ms is 0 or later than now. A restricted record
 * (record_restricted) counts as in force until its expiry whatever its
 * content, since most nodes cannot read it: a recipient that decrypts
 * it applies the kind's rule itself (docs/PROTOCOL.md §6a). */
bool record_in_force(const struct rm_record *rec, rm_utc_ms now);

/* The kind's one-line summary (rm_kind_ops.summary), or "<kind> <oid>"
 * when the kind has none; for a restricted record always
 * "<kind> <oid> (restricted to N)", never its content (logs). */
void record_summary(const struct rm_record *rec, char *out, size_t len);

/* ---------------- restricted records (docs/PROTOCOL.md §6a) -------- */

/* True iff rec names recipients (n_to > 0): its body travels encrypted. */
bool record_restricted(const struct rm_record *rec);

/*
 * Set rec's recipients to ids[0..n) (any order): copied to a new heap
 * array, sorted; replaces (and frees) an earlier list. For drafts that
 * the caller releases with record_fini. Errors (nothing changed):
 * RM_EBADVALUE (an id is not an agency id, field "to[i]", or an id is
 * repeated), RM_ETOOBIG (n > RM_RECORD_TO_MAX), RM_EINVAL (n == 0 or
 * NULL), RM_ENOMEM.
 */
int record_set_to(struct rm_record *rec, const char *const *ids, size_t n,
    rm_why *why);

/*
 * Encode rec's body alone (the kind's map, deterministic CBOR): the
 * plaintext of a restricted record. rec->body must be set; the body is
 * validated first (rm_kind_ops.validate). Appends to out; on error out
 * is unchanged. Errors: RM_EMISSING (no body), the kind's validation
 * errors, RM_ENOMEM, RM_ETOOBIG.
 */
int record_body_encode(const struct rm_record *rec, rm_buf *out,
    rm_why *why);

/*
 * Decode p[0..n) (a decrypted plaintext) as rec's body: one map of
 * rec->kind, strictly (exactly what record_body_encode writes for it),
 * then the kind's validation against rec's common fields. On success
 * rec->body is a new heap body owned by rec (record_fini or
 * record_body_free release it); on error rec is unchanged. Errors: as
 * record_decode (why names the field), RM_EEXIST (rec already has a
 * body), RM_EINVAL.
 */
int record_body_decode(struct rm_record *rec, const uint8_t *p, size_t n,
    rm_why *why);

/* Free rec->body (made by record_body_decode or record_decode) and set
 * it to NULL, leaving the rest of rec alone: for a shallow copy of a
 * borrowed record whose body the copier decrypted. */
void record_body_free(struct rm_record *rec);

/*
 * The external AAD that binds a restricted record's COSE_Encrypt to its
 * record (docs/PROTOCOL.md §6a), deterministic CBOR:
 *   ["riskmesh restricted v1", origin, kind, oid, ver, [to...]]
 * Appends to out. Errors: RM_EINVAL (not restricted, no kind),
 * RM_ENOMEM.
 */
int record_restricted_aad(const struct rm_record *rec, rm_buf *out,
    rm_why *why);

/* ---------------- names and area codes ---------------- */

/* Text names as used in the encoding, the JSON API and CAP ("red",
 * "Actual", "Alert", "Met", "Immediate", "Extreme", "Likely").
 * *_name return a static string, or NULL for a value outside the enum.
 * *_parse match exactly (case-sensitive, as CAP 1.2) and return
 * RM_EBADVALUE for unknown names or NULL; *out is written only on
 * success. */
const char *grade_name(rm_grade g);
int grade_parse(const char *s, rm_grade *out);
const char *cap_status_name(rm_cap_status v);
int cap_status_parse(const char *s, rm_cap_status *out);
const char *cap_msgtype_name(rm_cap_msgtype v);
int cap_msgtype_parse(const char *s, rm_cap_msgtype *out);
const char *cap_urgency_name(rm_cap_urgency v);
int cap_urgency_parse(const char *s, rm_cap_urgency *out);
const char *cap_severity_name(rm_cap_severity v);
int cap_severity_parse(const char *s, rm_cap_severity *out);
const char *cap_certainty_name(rm_cap_certainty v);
int cap_certainty_parse(const char *s, rm_cap_certainty *out);
/* One category name ("Met") to its RM_CAT_* bit. */
int cap_category_parse(const char *s, uint32_t *bit);
/* Name of a single RM_CAT_* bit, NULL if not exactly one known bit. */
const char *cap_category_name(uint32_t bit);
/* CAP severity that corresponds to a grade (red→Extreme, orange→Severe,
 * yellow→Moderate, blue→Minor). */
rm_cap_severity grade_cap_severity(rm_grade g);

/* True iff s is a GB/T 2260 area code: 6, 9 or 12 ASCII digits, not all
 * zero in the first two. */
bool area_code_valid(const char *s);

/* Significant prefix of an area code: the code with its trailing zero
 * levels removed ("120000"→"12", "120100"→"1201", "120116"→"120116",
 * "120116001"→"120116001", "120116000"→"120116"). Writes at most
 * RM_AREA_CODE_MAX+1 bytes to out. Returns the prefix length. */
size_t area_code_prefix(const char *code, char out[RM_AREA_CODE_MAX + 1]);

/* True iff area `outer` contains area `inner` (equal areas contain each
 * other): inner starts with outer's significant prefix. Both must be
 * valid codes; invalid ones give false. */
bool area_contains(const char *outer, const char *inner);

/* True iff two areas overlap: one contains the other. */
bool area_overlaps(const char *a, const char *b);

/* True iff s is an agency id: a valid area code (area_code_valid), ".",
 * then 1..RM_AGENCY_NAME_MAX of [a-z0-9_-]: "120103.emergency". At most
 * RM_AGENCY_ID_MAX bytes follow from that. NULL gives false. */
bool agency_id_valid(const char *s);
/* The rule of agency_id_valid in words, for error messages. */
#define RM_AGENCY_ID_RULE \
	"an area code of 6, 9 or 12 digits, '.', then 1-48 of a-z, 0-9, " \
	"'-', '_'"

/* True iff s is an object id: 1..RM_OBJECT_ID_MAX of [A-Za-z0-9._:-],
 * other than "." and "..". NULL gives false. */
bool object_id_valid(const char *s);

#endif /* RM_SCHEMAS_H */
