/*
 * risk_kind.c -- the record kind "risk" (schemas.h, "the risk kind";
 * CDDL in schemas/risk.cddl): one item of an agency's risk register.
 *
 * The body is a map with text keys in deterministic order (RFC 8949
 * §4.2.1: shorter keys first, then bytewise); the optional keys
 * ("point", "reason", "measures", "cooperating") are absent rather than
 * null or empty. Decoding is strict: exactly what risk_encode writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const categories[] = { "natural", "accident",
	"public_health", "social_security" };
static const char *const subcategories[] = { "typhoon",
	"rainstorm_waterlogging", "flood", "storm_surge", "geological", "fire",
	"gas", "hazardous_chemicals", "water_supply", "power_supply",
	"heat_supply", "building", "crowd", "traffic", "infectious_disease",
	"medical_access", "other" };
/* Names registers also use for a subcategory (sims/data/
 * risk-register.csv: "供热 heating"). */
static const struct {
	const char *alias;
	enum rm_risk_subcategory sub;
} sub_aliases[] = { { "heating", RM_RISK_HEAT_SUPPLY } };
/* risk_subcategory_class, by subcategory - 1 ("other": 0, any). */
static const enum rm_risk_category sub_class[] = { RM_RISK_NATURAL,
	RM_RISK_NATURAL, RM_RISK_NATURAL, RM_RISK_NATURAL, RM_RISK_NATURAL,
	RM_RISK_ACCIDENT, RM_RISK_ACCIDENT, RM_RISK_ACCIDENT, RM_RISK_ACCIDENT,
	RM_RISK_ACCIDENT, RM_RISK_ACCIDENT, RM_RISK_ACCIDENT,
	RM_RISK_SOCIAL_SECURITY, RM_RISK_ACCIDENT, RM_RISK_PUBLIC_HEALTH,
	RM_RISK_PUBLIC_HEALTH, 0 };
static const char *const statuses[] = { "identified", "controlled",
	"removed" };
/* The grades' names on the wire and in the register, blue..red. */
static const char *const grade_en[] = { "blue", "yellow", "orange", "red" };
static const char *const grade_zh[] = { "低", "一般", "较大", "重大" };

/* The body's keys in canonical order. */
enum risk_key {
	RISK_ID, RISK_NAME, RISK_GRADE, RISK_POINT, RISK_REASON, RISK_REVIEW,
	RISK_STATUS, RISK_CATEGORY, RISK_LOCATION, RISK_MEASURES, RISK_COOP,
	RISK_RESPONSIBLE, RISK_SUBCATEGORY, RISK_NKEYS
};
static const char *const risk_keys[RISK_NKEYS] = { "id", "name", "grade",
	"point", "reason", "review", "status", "category", "location",
	"measures", "cooperating", "responsible", "subcategory" };
#define RISK_OPTIONAL ((1u << RISK_POINT) | (1u << RISK_REASON) | \
	(1u << RISK_MEASURES) | (1u << RISK_COOP))
#define RISK_ALL ((1u << RISK_NKEYS) - 1)

SCH_ENUM_NAMES(risk_category, enum rm_risk_category, categories)
SCH_ENUM_NAMES(risk_status, enum rm_risk_status, statuses)
SCH_ENUM_NAME(risk_subcategory, enum rm_risk_subcategory, subcategories)

int
risk_subcategory_parse(const char *s, enum rm_risk_subcategory *out)
{
	int v = sch_enum_find(subcategories, NELEM(subcategories), s);

	if (v != 0) {
		*out = (enum rm_risk_subcategory)v;
		return RM_OK;
	}
	for (size_t i = 0; s != NULL && i < NELEM(sub_aliases); i++)
		if (strcmp(s, sub_aliases[i].alias) == 0) {
			*out = sub_aliases[i].sub;
			return RM_OK;
		}
	return RM_EBADVALUE;
}

enum rm_risk_category
risk_subcategory_class(enum rm_risk_subcategory s)
{
	return s >= 1 && (size_t)s <= NELEM(sub_class) ? sub_class[s - 1] : 0;
}

int
risk_grade_parse(const char *s, rm_grade *out)
{
	int v;

	if (grade_parse(s, out) == RM_OK)
		return RM_OK;
	if ((v = sch_enum_find(grade_zh, NELEM(grade_zh), s)) == 0)
		return RM_EBADVALUE;
	*out = (rm_grade)v;
	return RM_OK;
}

bool
risk_date_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y, m, d, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return y >= 1900 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= mdays[m - 1] + (m == 2 && leap);
}

int
risk_status_next(const struct rm_risk *cur, const struct rm_risk *next,
    rm_why *why)
{
	if (cur == NULL && next->status == RM_RISK_REMOVED)
		return rm_fail_at(why, RM_EBADVALUE, "status", "a new risk is "
		    "identified or controlled, not removed");
	if (cur != NULL && cur->status == RM_RISK_REMOVED)
		return rm_fail_at(why, RM_EEXIST, "status", "risk %s was "
		    "removed (%s); register a new risk", cur->id,
		    cur->reason != NULL ? cur->reason : "no reason");
	return RM_OK;
}

struct rm_risk *
record_risk(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_risk)
		return NULL;
	return rec->body;
}

/* ---------------- encoder ---------------- */

static int
put_kv(rm_buf *b, enum risk_key k, const char *v)
{
	return sch_put_text_entry(b, risk_keys[k], v);
}

static int
risk_encode(const void *body, rm_buf *b)
{
	const struct rm_risk *r = body;
	size_t n = 9 + r->has_point + (r->reason != NULL) +
	    (r->measures != NULL) + (r->n_coop > 0);
	int rv;

	if ((rv = rm_cbor_put_map(b, n)) != RM_OK ||
	    (rv = put_kv(b, RISK_ID, r->id)) != RM_OK ||
	    (rv = put_kv(b, RISK_NAME, r->name)) != RM_OK ||
	    (rv = put_kv(b, RISK_GRADE, grade_name(r->grade))) != RM_OK)
		return rv;
	if (r->has_point &&
	    ((rv = rm_cbor_put_cstr(b, risk_keys[RISK_POINT])) != RM_OK ||
	    (rv = rm_cbor_put_map(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "lat")) != RM_OK ||
	    (rv = rm_cbor_put_int(b, r->point.lat_udeg)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "lon")) != RM_OK ||
	    (rv = rm_cbor_put_int(b, r->point.lon_udeg)) != RM_OK))
		return rv;
	if (r->reason != NULL &&
	    (rv = put_kv(b, RISK_REASON, r->reason)) != RM_OK)
		return rv;
	if ((rv = put_kv(b, RISK_REVIEW, r->review)) != RM_OK ||
	    (rv = put_kv(b, RISK_STATUS, risk_status_name(r->status))) !=
	    RM_OK ||
	    (rv = put_kv(b, RISK_CATEGORY, risk_category_name(r->category))) !=
	    RM_OK ||
	    (rv = put_kv(b, RISK_LOCATION, r->location)) != RM_OK)
		return rv;
	if (r->measures != NULL &&
	    (rv = put_kv(b, RISK_MEASURES, r->measures)) != RM_OK)
		return rv;
	if (r->n_coop > 0 &&
	    ((rv = rm_cbor_put_cstr(b, risk_keys[RISK_COOP])) != RM_OK ||
	    (rv = sch_agency_list_encode(r->coop, r->n_coop, b)) != RM_OK))
		return rv;
	if ((rv = put_kv(b, RISK_RESPONSIBLE, r->responsible)) != RM_OK)
		return rv;
	return put_kv(b, RISK_SUBCATEGORY,
	    risk_subcategory_name(r->subcategory));
}

/* ---------------- decoder ---------------- */

/* Text at rd into a fixed buffer of cap bytes (NUL included). */
static int
rd_text_into(rm_cbor_rd *rd, char *out, size_t cap, const char *field,
    rm_why *why)
{
	char f[40];

	snprintf(f, sizeof(f), "risk.%s", field);
	return sch_dec_fixed(rd, f, out, cap, why);
}

static int
rd_text_dup(rm_cbor_rd *rd, char **out, const char *field, size_t max,
    rm_why *why)
{
	char f[40];

	snprintf(f, sizeof(f), "risk.%s", field);
	return sch_dec_strdup(rd, f, max, out, why);
}

/* An enumerated text value: its 1-based index in t[0..n). */
static int
rd_enum(rm_cbor_rd *rd, const char *const *t, size_t n, const char *field,
    const char *choices, int *out, rm_why *why)
{
	char f[40];

	snprintf(f, sizeof(f), "risk.%s", field);
	return sch_dec_enum(rd, f, t, n, choices, out, why);
}

static int
rd_coord(rm_cbor_rd *rd, const char *field, int32_t *out, rm_why *why)
{
	int64_t v;
	int rv;

	if ((rv = sch_dec_int(rd, field, &v, why)) != RM_OK)
		return rv;
	if (v < -180000000 || v > 180000000)
		return rm_fail(why, RM_EBADVALUE, "%s: out of range", field);
	*out = (int32_t)v;
	return RM_OK;
}

static int
rd_point(rm_cbor_rd *rd, struct rm_risk *r, rm_why *why)
{
	rm_cbor_keys ks;
	const char *k;
	size_t n, klen;
	int rv;

	if ((rv = rm_cbor_rd_map(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "risk.point: expected a map");
	if (n != 2)
		return rm_fail(why, RM_EMISSING, "risk.point: \"lat\" and "
		    "\"lon\" are required, got %zu fields", n);
	rm_cbor_keys_init(&ks);
	if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK ||
	    !rm_cbor_key_is(k, klen, "lat"))
		return rm_fail(why, rv != RM_OK ? rv : RM_EUNKNOWN, "risk.point: "
		    "want \"lat\" first");
	if ((rv = rd_coord(rd, "risk.point.lat", &r->point.lat_udeg, why)) !=
	    RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK ||
	    !rm_cbor_key_is(k, klen, "lon"))
		return rm_fail(why, rv != RM_OK ? rv : RM_EUNKNOWN, "risk.point: "
		    "want \"lon\" second");
	if ((rv = rd_coord(rd, "risk.point.lon", &r->point.lon_udeg, why)) !=
	    RM_OK)
		return rv;
	r->has_point = true;
	return RM_OK;
}

static int
rd_coop(rm_cbor_rd *rd, struct rm_risk *r, rm_why *why)
{
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "risk.cooperating: expected an array");
	if (n == 0 || n > RM_RISK_COOP_MAX)
		return rm_fail(why, RM_EBADVALUE, "risk.cooperating: 1..%d "
		    "agencies when present, got %zu", RM_RISK_COOP_MAX, n);
	for (size_t i = 0; i < n; i++)
		if ((rv = rd_text_into(rd, r->coop[i], sizeof(r->coop[i]),
		    "cooperating", why)) != RM_OK)
			return rv;
	r->n_coop = n;
	return RM_OK;
}

static int
rd_field(rm_cbor_rd *rd, struct rm_risk *r, enum risk_key i, rm_why *why)
{
	int v = 0, rv;

	switch (i) {
	case RISK_ID:
		return rd_text_into(rd, r->id, sizeof(r->id), "id", why);
	case RISK_NAME:
		return rd_text_dup(rd, &r->name, "name", RM_RISK_NAME_MAX, why);
	case RISK_GRADE:
		rv = rd_enum(rd, grade_en, NELEM(grade_en), "grade",
		    "blue|yellow|orange|red", &v, why);
		r->grade = (rm_grade)v;
		return rv;
	case RISK_POINT:
		return rd_point(rd, r, why);
	case RISK_REASON:
		return rd_text_dup(rd, &r->reason, "reason", RM_RISK_REASON_MAX,
		    why);
	case RISK_REVIEW:
		return rd_text_into(rd, r->review, sizeof(r->review), "review",
		    why);
	case RISK_STATUS:
		rv = rd_enum(rd, statuses, NELEM(statuses), "status",
		    "identified|controlled|removed", &v, why);
		r->status = (enum rm_risk_status)v;
		return rv;
	case RISK_CATEGORY:
		rv = rd_enum(rd, categories, NELEM(categories), "category",
		    "natural|accident|public_health|social_security", &v, why);
		r->category = (enum rm_risk_category)v;
		return rv;
	case RISK_LOCATION:
		return rd_text_dup(rd, &r->location, "location",
		    RM_RISK_LOCATION_MAX, why);
	case RISK_MEASURES:
		return rd_text_dup(rd, &r->measures, "measures",
		    RM_RISK_MEASURES_MAX, why);
	case RISK_COOP:
		return rd_coop(rd, r, why);
	case RISK_RESPONSIBLE:
		return rd_text_into(rd, r->responsible, sizeof(r->responsible),
		    "responsible", why);
	default:
		rv = rd_enum(rd, subcategories, NELEM(subcategories),
		    "subcategory", "see schemas/risk.cddl", &v, why);
		r->subcategory = (enum rm_risk_subcategory)v;
		return rv;
	}
}

static int
risk_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	struct rm_risk *r = body;
	rm_cbor_keys ks;
	const char *k;
	size_t npairs, klen;
	unsigned seen = 0;
	int rv, i;

	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "risk: expected a map");
	if (npairs < 9 || npairs > RISK_NKEYS)
		return rm_fail(why, RM_EMISSING, "risk: 9..%d fields, got %zu",
		    RISK_NKEYS, npairs);
	rm_cbor_keys_init(&ks);
	for (size_t p = 0; p < npairs; p++) {
		if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK)
			return rm_fail(why, rv, "risk: bad key");
		if ((i = schemas_key_find(risk_keys, RISK_NKEYS, k, klen)) < 0)
			return rm_fail(why, RM_EUNKNOWN, "risk: unknown field "
			    "\"%.*s\"", (int)(klen > 32 ? 32 : klen), k);
		seen |= 1u << i;
		if ((rv = rd_field(rd, r, (enum risk_key)i, why)) != RM_OK)
			return rv;
	}
	if ((seen | RISK_OPTIONAL) != RISK_ALL)
		return rm_fail(why, RM_EMISSING, "risk: id, name, grade, review, "
		    "status, category, location, responsible and subcategory "
		    "are required");
	return RM_OK;
}

/* ---------------- rules ---------------- */

static int
check_class(const struct rm_risk *r, rm_why *why)
{
	enum rm_risk_category c;

	if (risk_category_name(r->category) == NULL)
		return rm_fail(why, RM_EBADVALUE, "risk.category: out of range "
		    "(natural|accident|public_health|social_security)");
	if (risk_subcategory_name(r->subcategory) == NULL)
		return rm_fail(why, RM_EBADVALUE, "risk.subcategory: out of "
		    "range");
	c = risk_subcategory_class(r->subcategory);
	/* Traffic is an accident risk, and a social-security one too where
	 * registers file it so (congestion around crowds, sims/data). */
	if (c != 0 && c != r->category && !(r->subcategory ==
	    RM_RISK_TRAFFIC && r->category == RM_RISK_SOCIAL_SECURITY))
		return rm_fail(why, RM_EBADVALUE, "risk.subcategory: %s is a "
		    "%s risk, not %s", risk_subcategory_name(r->subcategory),
		    risk_category_name(c), risk_category_name(r->category));
	return RM_OK;
}

static int
check_units(const struct rm_risk *r, rm_why *why)
{
	if (!agency_id_valid(r->responsible))
		return rm_fail(why, RM_EBADVALUE, "risk.responsible: \"%.64s\" "
		    "is not an agency id (%s)", r->responsible,
		    RM_AGENCY_ID_RULE);
	if (r->n_coop > RM_RISK_COOP_MAX)
		return rm_fail(why, RM_EBADVALUE, "risk.cooperating: at most "
		    "%d agencies", RM_RISK_COOP_MAX);
	for (size_t i = 0; i < r->n_coop; i++)
		if (strcmp(r->coop[i], r->responsible) == 0)
			return rm_fail(why, RM_EBADVALUE, "risk.cooperating[%zu]: "
			    "%s is the responsible unit", i, r->coop[i]);
	return sch_agency_ids_check(r->coop, r->n_coop, "risk.cooperating",
	    why);
}

static int
risk_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_risk *r = rec->body;
	int rv;

	if (strcmp(r->id, rec->object_id) != 0)
		return rm_fail(why, RM_EBADVALUE, "risk.id: \"%.64s\" is not the "
		    "record's oid \"%s\"", r->id, rec->object_id);
	if (rec->n_areas != 1)
		return rm_fail(why, RM_EBADVALUE, "areas: a risk has one area "
		    "code, the record has %zu", rec->n_areas);
	if ((rv = sch_text_check(r->name, "risk.name", RM_RISK_NAME_MAX, true,
	    why)) != RM_OK ||
	    (rv = sch_text_check_lines(r->location, "risk.location",
	    RM_RISK_LOCATION_MAX, true, why)) != RM_OK ||
	    (rv = sch_text_check_lines(r->measures, "risk.measures",
	    RM_RISK_MEASURES_MAX, false, why)) != RM_OK ||
	    (rv = check_class(r, why)) != RM_OK)
		return rv;
	if (grade_name(r->grade) == NULL)
		return rm_fail(why, RM_EBADVALUE, "risk.grade: out of range "
		    "(blue|yellow|orange|red)");
	if (r->has_point && (r->point.lat_udeg < -90000000 ||
	    r->point.lat_udeg > 90000000 || r->point.lon_udeg < -180000000 ||
	    r->point.lon_udeg > 180000000))
		return rm_fail(why, RM_EBADVALUE, "risk.point: lat -90..90, lon "
		    "-180..180 degrees");
	if ((rv = check_units(r, why)) != RM_OK)
		return rv;
	if (risk_status_name(r->status) == NULL)
		return rm_fail(why, RM_EBADVALUE, "risk.status: out of range "
		    "(identified|controlled|removed)");
	if (r->status == RM_RISK_REMOVED && r->reason == NULL)
		return rm_fail(why, RM_EMISSING, "risk.reason: a removal needs "
		    "a reason");
	if (r->status != RM_RISK_REMOVED && r->reason != NULL)
		return rm_fail(why, RM_EBADVALUE, "risk.reason: only a removal "
		    "has a reason (status is %s)", risk_status_name(r->status));
	if ((rv = sch_text_check_lines(r->reason, "risk.reason", RM_RISK_REASON_MAX,
	    false, why)) != RM_OK)
		return rv;
	if (!risk_date_valid(r->review))
		return rm_fail(why, RM_EBADVALUE, "risk.review: \"%.16s\" is not "
		    "a date YYYY-MM-DD", r->review);
	return RM_OK;
}

static void
risk_fini(void *body)
{
	struct rm_risk *r = body;

	free(r->name);
	free(r->location);
	free(r->measures);
	free(r->reason);
	r->name = r->location = r->measures = r->reason = NULL;
}

static rm_grade
risk_grade(const struct rm_record *rec)
{
	return ((const struct rm_risk *)rec->body)->grade;
}

static bool
risk_in_force(const struct rm_record *rec)
{
	return ((const struct rm_risk *)rec->body)->status != RM_RISK_REMOVED;
}

/* What list filters need. A responsible unit's id longer than the key
 * allows is cut (the service compares the field itself). */
static int
risk_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_risk *r = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	snprintf(key, sizeof(key), "grade=%s", grade_name(r->grade));
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "status=%s", risk_status_name(r->status));
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "category=%s",
	    risk_category_name(r->category));
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "responsible=%.52s", r->responsible);
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	/* the whole date: a key range [review=, review=TODAY) is every
	 * item whose review is overdue */
	snprintf(key, sizeof(key), "review=%.10s", r->review);
	if ((rv = emit(arg, key)) != RM_OK)
		return rv;
	snprintf(key, sizeof(key), "subcategory=%s",
	    risk_subcategory_name(r->subcategory));
	return emit(arg, key);
}

static void
risk_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_risk *r = rec->body;

	snprintf(out, len, "risk %s %s %s/%s: %s", grade_name(r->grade),
	    risk_status_name(r->status), risk_category_name(r->category),
	    risk_subcategory_name(r->subcategory), r->name);
}

/* rm_kind_ops.transition: risk_status_next against the latest version. */
static int
risk_transition(const struct rm_record *prev, const struct rm_record *next,
    rm_why *why)
{
	return risk_status_next(record_risk(prev), record_risk(next), why) == RM_OK ? RM_OK :
	    RM_EBADVALUE;
}

const struct rm_kind_ops rm_kind_risk = {
	.name = "risk",
	.cddl = "risk.cddl",
	.body_size = sizeof(struct rm_risk),
	.encode = risk_encode,
	.decode = risk_decode,
	.validate = risk_validate,
	.fini = risk_fini,
	.grade = risk_grade,
	.in_force = risk_in_force,
	.index_keys = risk_index_keys,
	.summary = risk_summary,
	.transition = risk_transition,
};
