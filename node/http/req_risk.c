/*
 * req_risk.c -- the body of POST /v1/risks and POST /v1/risks/{id}
 * (docs/API.md) as a risk draft (http_int.h, req_risk_parse). The
 * draft borrows its strings from the parsed JSON and from the base
 * version, so nothing here allocates but the JSON tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

static const char *const risk_keys[] = { "id", "area", "name", "category",
	"subcategory", "grade", "point", "location", "responsible",
	"cooperating", "measures", "status", "review", NULL };

/* A text field into *dst: absent keeps *dst (base's or NULL); null
 * clears it when clearable; else 1..max bytes. */
static int
get_text(json_t *root, const char *key, size_t max, bool clearable,
    char **dst, rm_why *why)
{
	json_t *v = json_object_get(root, key);
	const char *s;
	int rv;

	if (v == NULL)
		return RM_OK;
	if (json_is_null(v)) {
		if (!clearable)
			return rm_fail_at(why, RM_EMALFORMED, key, "must be a "
			    "JSON string");
		*dst = NULL;
		return RM_OK;
	}
	if ((rv = req_get_str(root, key, key, true, max, &s, why)) != RM_OK)
		return rv;
	*dst = (char *)s;
	return RM_OK;
}

/* A text field into a fixed buffer (absent: unchanged). */
static int
get_fixed(json_t *root, const char *key, char *dst, size_t cap, rm_why *why)
{
	char *s = NULL;
	int rv;

	if ((rv = get_text(root, key, cap - 1, false, &s, why)) != RM_OK ||
	    s == NULL)
		return rv;
	memcpy(dst, s, strlen(s) + 1);
	return RM_OK;
}

/* An enumerated field: parse(name) must accept it; choices for the
 * reason. */
static int
get_enum(json_t *root, const char *key, int (*parse)(const char *, int *),
    int *dst, const char *choices, rm_why *why)
{
	char *s = NULL;
	int rv;

	if ((rv = get_text(root, key, 64, false, &s, why)) != RM_OK ||
	    s == NULL)
		return rv;
	if (parse(s, dst) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, key, "\"%.40s\" is not one "
		    "of %s", s, choices);
	return RM_OK;
}

static int
p_category(const char *s, int *v)
{
	enum rm_risk_category c;
	int rv = risk_category_parse(s, &c);

	*v = (int)c;
	return rv;
}

static int
p_subcategory(const char *s, int *v)
{
	enum rm_risk_subcategory c;
	int rv = risk_subcategory_parse(s, &c);

	*v = (int)c;
	return rv;
}

static int
p_status(const char *s, int *v)
{
	enum rm_risk_status c;
	int rv = risk_status_parse(s, &c);

	*v = (int)c;
	return rv;
}

static int
p_grade(const char *s, int *v)
{
	rm_grade g;
	int rv = risk_grade_parse(s, &g);

	*v = (int)g;
	return rv;
}

static int
get_point(json_t *root, struct rm_risk *r, rm_why *why)
{
	json_t *v = json_object_get(root, "point");
	int rv;

	if (v == NULL)
		return RM_OK;
	if (json_is_null(v)) {
		r->has_point = false;
		return RM_OK;
	}
	if (!json_is_object(v))
		return rm_fail_at(why, RM_EMALFORMED, "point", "must be "
		    "{\"lat\": degrees, \"lon\": degrees}");
	if ((rv = req_check_keys(v, (const char *const[]){ "lat", "lon",
	    NULL }, "point.", why)) != RM_OK ||
	    (rv = req_get_coord(json_object_get(v, "lat"), "point.lat", 90,
	    &r->point.lat_udeg, why)) != RM_OK ||
	    (rv = req_get_coord(json_object_get(v, "lon"), "point.lon", 180,
	    &r->point.lon_udeg, why)) != RM_OK)
		return rv;
	r->has_point = true;
	return RM_OK;
}

static int
get_coop(json_t *root, struct rm_risk *r, rm_why *why)
{
	json_t *arr, *v;
	char f[RM_WHY_FIELD_MAX];
	size_t i;
	int rv;

	if (json_is_null(json_object_get(root, "cooperating"))) {
		r->n_coop = 0;
		return RM_OK;
	}
	if ((rv = req_get_array(root, "cooperating", false, 0,
	    RM_RISK_COOP_MAX, &arr, why)) != RM_OK || arr == NULL)
		return rv;
	json_array_foreach(arr, i, v) {
		snprintf(f, sizeof(f), "cooperating[%zu]", i);
		if (!json_is_string(v))
			return rm_fail_at(why, RM_EMALFORMED, f, "must be a JSON "
			    "string (an agency id)");
		if (!agency_id_valid(json_string_value(v)))
			return rm_fail_at(why, RM_EBADVALUE, f, "\"%.64s\" is not "
			    "an agency id (%s)", json_string_value(v),
			    RM_AGENCY_ID_RULE);
		snprintf(r->coop[i], sizeof(r->coop[i]), "%s",
		    json_string_value(v));
	}
	r->n_coop = json_array_size(arr);
	/* sorted here: the record keeps them sorted */
	qsort(r->coop, r->n_coop, sizeof(r->coop[0]), req_str_cmp);
	return RM_OK;
}

static int
get_area(json_t *root, struct rm_record *rec, bool required, rm_why *why)
{
	const char *s;
	int rv;

	if ((rv = req_get_str(root, "area", "area", required,
	    RM_AREA_CODE_MAX + 8, &s, why)) != RM_OK || s == NULL)
		return rv;
	if (strlen(s) > RM_AREA_CODE_MAX || !area_code_valid(s))
		return rm_fail_at(why, RM_EBADVALUE, "area", "\"%.40s\" is not a "
		    "GB/T 2260 area code (6, 9 or 12 digits)", s);
	rec->n_areas = 1;
	snprintf(rec->areas[0], sizeof(rec->areas[0]), "%s", s);
	return RM_OK;
}

/* The fields of a new risk that have defaults, and its id. */
static int
new_risk(json_t *root, const char *origin, const char *default_id,
    struct rm_record *rec, struct rm_risk *r, rm_why *why)
{
	static const char *const required[] = { "name", "category",
		"subcategory", "grade", "location", "review", NULL };
	int rv;

	for (size_t i = 0; required[i] != NULL; i++)
		if (json_object_get(root, required[i]) == NULL)
			return rm_fail_at(why, RM_EMISSING, required[i],
			    "required");
	snprintf(r->id, sizeof(r->id), "%s", default_id);
	if ((rv = get_fixed(root, "id", r->id, sizeof(r->id), why)) != RM_OK)
		return rv;
	if (!object_id_valid(r->id))
		return rm_fail_at(why, RM_EBADVALUE, "id", "\"%.80s\" is not a "
		    "valid id (1..128 of A-Z a-z 0-9 . _ : -)", r->id);
	snprintf(rec->object_id, sizeof(rec->object_id), "%s", r->id);
	snprintf(r->responsible, sizeof(r->responsible), "%s", origin);
	r->status = RM_RISK_IDENTIFIED;
	return get_area(root, rec, true, why);
}

int
req_risk_parse(const char *text, size_t len, const char *origin,
    rm_utc_ms now_ms, const char *default_id, const struct rm_record *base,
    struct rm_record *out, struct rm_risk *r, json_t **root, rm_why *why)
{
	int v, rv;

	memset(out, 0, sizeof(*out));
	memset(r, 0, sizeof(*r));
	*root = NULL;
	if (text == NULL || len == 0)
		return rm_fail_at(why, RM_EMISSING, "", "body: required (a "
		    "JSON object, sent with Content-Length)");
	if ((rv = req_json_object(text, len, root, why)) != RM_OK ||
	    (rv = req_check_keys(*root, risk_keys, "", why)) != RM_OK)
		return rv;
	if (base != NULL) {
		*out = *base;
		*r = *record_risk(base);
		out->ver = out->seq = 0;
		out->has_prev = out->has_supersedes = false;
		if (json_object_get(*root, "id") != NULL)
			return rm_fail_at(why, RM_EUNKNOWN, "id", "set by the "
			    "path, not by the body");
		rv = get_area(*root, out, false, why);
	} else {
		out->schema_version = RM_SCHEMA_VERSION;
		out->kind = &rm_kind_risk;
		snprintf(out->origin, sizeof(out->origin), "%s", origin);
		rv = new_risk(*root, origin, default_id, out, r, why);
	}
	out->body = r;
	out->issued_ms = now_ms;
	if (rv != RM_OK ||
	    (rv = get_text(*root, "name", RM_RISK_NAME_MAX, false, &r->name,
	    why)) != RM_OK ||
	    (rv = get_text(*root, "location", RM_RISK_LOCATION_MAX, false,
	    &r->location, why)) != RM_OK ||
	    (rv = get_text(*root, "measures", RM_RISK_MEASURES_MAX, true,
	    &r->measures, why)) != RM_OK ||
	    (rv = get_fixed(*root, "responsible", r->responsible,
	    sizeof(r->responsible), why)) != RM_OK ||
	    (rv = get_fixed(*root, "review", r->review, sizeof(r->review),
	    why)) != RM_OK ||
	    (rv = get_point(*root, r, why)) != RM_OK ||
	    (rv = get_coop(*root, r, why)) != RM_OK)
		return rv;
	v = (int)r->category;
	if ((rv = get_enum(*root, "category", p_category, &v, "natural, "
	    "accident, public_health, social_security", why)) != RM_OK)
		return rv;
	r->category = (enum rm_risk_category)v;
	v = (int)r->subcategory;
	if ((rv = get_enum(*root, "subcategory", p_subcategory, &v,
	    "docs/API.md \"The risk shape\"", why)) != RM_OK)
		return rv;
	r->subcategory = (enum rm_risk_subcategory)v;
	v = (int)r->grade;
	if ((rv = get_enum(*root, "grade", p_grade, &v, "blue, yellow, orange, "
	    "red (低, 一般, 较大, 重大)", why)) != RM_OK)
		return rv;
	r->grade = (rm_grade)v;
	v = (int)r->status;
	if ((rv = get_enum(*root, "status", p_status, &v, "identified, "
	    "controlled (removal: POST /v1/risks/{id}/remove)", why)) != RM_OK)
		return rv;
	r->status = (enum rm_risk_status)v;
	if (r->status == RM_RISK_REMOVED &&
	    json_object_get(*root, "status") != NULL)
		return rm_fail_at(why, RM_EBADVALUE, "status", "a risk is removed "
		    "with POST /v1/risks/{id}/remove and a reason");
	out->ver = 1;
	out->seq = 1;
	rv = record_validate(out, why);
	out->ver = 0;
	out->seq = 0;
	if (rv != RM_OK)
		http_why_request_path(why);
	return rv;
}
