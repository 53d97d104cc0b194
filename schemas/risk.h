/*
 * risk.h -- the risk register (风险清单): kind "risk".
 *
 * Part of the schemas module's public interface: include
 * "schemas/schemas.h", which includes this file after the record model
 * and the kind registry it builds on. Thread rules and conventions are
 * those of schemas.h.
 */
#ifndef RM_SCHEMAS_RISK_H
#define RM_SCHEMAS_RISK_H

#include "schemas/schemas.h"

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

#endif /* RM_SCHEMAS_RISK_H */
