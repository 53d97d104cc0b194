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

/* ---------------- the kinds of the registers ---------------- */

/* Each in its own header, on the record model above. */
#include "schemas/risk.h"
#include "schemas/task.h"
#include "schemas/indicator.h"
#include "schemas/proposal.h"

#endif /* RM_SCHEMAS_H */
