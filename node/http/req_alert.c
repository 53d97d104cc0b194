/*
 * req_alert.c -- POST /v1/alerts body (docs/API.md) -> an alert draft
 * (struct rm_record) for service_alert_issue().
 *
 * Structure errors (not JSON, wrong JSON type, missing or unknown field)
 * are 400; value errors are 422 (http_status_for). Every refusal names
 * the JSON field (rm_fail_at).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "node/http/http_int.h"

#define UDEG_PER_DEG 1000000.0

static const char *const top_keys[] = {
	"identifier", "status", "msg_type", "categories", "urgency",
	"severity", "certainty", "grade", "effective", "expires", "areas",
	"texts", "polygon", "circle", "references", "object_id", "to", NULL,
};
static const char *const text_keys[] = {
	"lang", "event", "headline", "description", "instruction",
	"sender_name", "area_desc", NULL,
};
static const char *const circle_keys[] = { "lat", "lon", "radius_m", NULL };

static int
parse_time(json_t *obj, const char *key, rm_utc_ms *out, bool *present,
    rm_why *why)
{
	const char *s;
	int rv;

	*present = false;
	if ((rv = req_get_str(obj, key, key, false, 64, &s, why)) != RM_OK)
		return rv;
	if (s == NULL)
		return RM_OK;
	if (rm_utc_parse(s, out) != RM_OK)
		return rm_fail_at(why, RM_EBADVALUE, key,
		    "bad time \"%.40s\" (RFC 3339 with an offset, e.g. "
		    "2026-08-15T06:00:00+08:00)", s);
	*present = true;
	return RM_OK;
}

/* The CAP enumerations: parse a name or refuse with the allowed list. */
#define PARSE_ENUM(obj, key, fn, out, allowed, why) do {                    \
	const char *s_;                                                    \
	int rv_, v_;                                                       \
	if ((rv_ = req_get_str((obj), (key), (key), false, 32, &s_, (why))) != 0) \
		return rv_;                                                \
	if (s_ != NULL) {                                                  \
		__typeof__(*(out)) t_;                                     \
		if (fn(s_, &t_) != RM_OK)                                  \
			return rm_fail_at((why), RM_EBADVALUE, (key),        \
			    "unknown %s \"%.40s\" (%s)", (key), s_, allowed); \
		v_ = (int)t_;                                              \
		*(out) = (__typeof__(*(out)))v_;                           \
	}                                                                  \
} while (0)

static int
parse_enums(json_t *root, struct rm_alert *a, bool *msg_type_set,
    rm_why *why)
{
	bool sev_set;
	int rv;

	a->status = RM_STATUS_ACTUAL;
	a->msg_type = RM_MSGTYPE_ALERT;
	a->urgency = RM_URGENCY_UNKNOWN;
	a->certainty = RM_CERTAINTY_UNKNOWN;
	a->severity = 0;
	{
		const char *s;

		if ((rv = req_get_str(root, "grade", "grade", true, 16, &s,
		    why)) != 0)
			return rv;
		if (grade_parse(s, &a->grade) != RM_OK)
			return rm_fail_at(why, RM_EBADVALUE, "grade",
			    "unknown grade \"%.40s\" (blue|yellow|orange|red)",
			    s);
	}
	PARSE_ENUM(root, "status", cap_status_parse, &a->status,
	    "Actual|Exercise|System|Test|Draft", why);
	PARSE_ENUM(root, "msg_type", cap_msgtype_parse, &a->msg_type,
	    "Alert|Update|Cancel|Ack|Error", why);
	PARSE_ENUM(root, "urgency", cap_urgency_parse, &a->urgency,
	    "Immediate|Expected|Future|Past|Unknown", why);
	PARSE_ENUM(root, "severity", cap_severity_parse, &a->severity,
	    "Extreme|Severe|Moderate|Minor|Unknown", why);
	PARSE_ENUM(root, "certainty", cap_certainty_parse, &a->certainty,
	    "Observed|Likely|Possible|Unlikely|Unknown", why);
	sev_set = a->severity != 0;
	if (!sev_set)
		a->severity = grade_cap_severity(a->grade);
	if (msg_type_set != NULL)
		*msg_type_set = json_object_get(root, "msg_type") != NULL &&
		    !json_is_null(json_object_get(root, "msg_type"));
	return RM_OK;
}

static int
parse_categories(json_t *root, struct rm_alert *a, rm_why *why)
{
	json_t *arr, *v;
	size_t i;
	char f[RM_WHY_FIELD_MAX];
	int rv;

	if ((rv = req_get_array(root, "categories", false, 1, 12, &arr, why)) != 0)
		return rv;
	if (arr == NULL) {
		a->categories = RM_CAT_OTHER;
		return RM_OK;
	}
	a->categories = 0;
	json_array_foreach(arr, i, v) {
		uint32_t bit;

		snprintf(f, sizeof(f), "categories[%zu]", i);
		if (!json_is_string(v))
			return rm_fail_at(why, RM_EMALFORMED, f,
			    "must be a JSON string");
		if (cap_category_parse(json_string_value(v), &bit) != RM_OK)
			return rm_fail_at(why, RM_EBADVALUE, f,
			    "unknown category \"%.40s\" (Geo|Met|Safety|"
			    "Security|Rescue|Fire|Health|Env|Transport|Infra|"
			    "CBRNE|Other)", json_string_value(v));
		if (a->categories & bit)
			return rm_fail_at(why, RM_EBADVALUE, f,
			    "duplicate category \"%s\"", json_string_value(v));
		a->categories |= bit;
	}
	return RM_OK;
}

static int
parse_areas(json_t *root, struct rm_record *rec, rm_why *why)
{
	json_t *arr, *v;
	size_t i, j;
	char f[RM_WHY_FIELD_MAX];
	int rv;

	if ((rv = req_get_array(root, "areas", true, 1, RM_AREAS_MAX, &arr,
	    why)) != 0)
		return rv;
	json_array_foreach(arr, i, v) {
		const char *s;

		snprintf(f, sizeof(f), "areas[%zu]", i);
		if (!json_is_string(v))
			return rm_fail_at(why, RM_EMALFORMED, f,
			    "must be a JSON string");
		s = json_string_value(v);
		if (strlen(s) > RM_AREA_CODE_MAX || !area_code_valid(s))
			return rm_fail_at(why, RM_EBADVALUE, f,
			    "\"%.40s\" is not a GB/T 2260 area code (6, 9 or "
			    "12 digits)", s);
		for (j = 0; j < i; j++)
			if (strcmp(rec->areas[j], s) == 0)
				return rm_fail_at(why, RM_EBADVALUE, f,
				    "duplicate area \"%s\"", s);
		memcpy(rec->areas[i], s, strlen(s) + 1);
	}
	rec->n_areas = json_array_size(arr);
	/* The record keeps them sorted (schemas/ "areas"); order in the
	 * request carries no meaning. */
	qsort(rec->areas, rec->n_areas, sizeof(rec->areas[0]), req_str_cmp);
	return RM_OK;
}

static int
parse_text(json_t *v, size_t i, struct rm_alert_text *t,
    rm_why *why)
{
	static const struct {
		const char *key;
		bool required;
		size_t max;
		size_t off;
	} fields[] = {
		{ "lang", true, RM_ALERT_LANG_MAX,
		  offsetof(struct rm_alert_text, lang) },
		{ "event", true, RM_ALERT_EVENT_MAX,
		  offsetof(struct rm_alert_text, event) },
		{ "headline", true, RM_ALERT_HEADLINE_MAX,
		  offsetof(struct rm_alert_text, headline) },
		{ "description", false, RM_ALERT_DESCRIPTION_MAX,
		  offsetof(struct rm_alert_text, description) },
		{ "instruction", false, RM_ALERT_INSTRUCTION_MAX,
		  offsetof(struct rm_alert_text, instruction) },
		{ "sender_name", false, RM_ALERT_SENDER_NAME_MAX,
		  offsetof(struct rm_alert_text, sender_name) },
		{ "area_desc", false, RM_ALERT_AREA_DESC_MAX,
		  offsetof(struct rm_alert_text, area_desc) },
	};
	char prefix[RM_WHY_FIELD_MAX], f[RM_WHY_FIELD_MAX];
	int rv;

	snprintf(prefix, sizeof(prefix), "texts[%zu].", i);
	if (!json_is_object(v)) {
		snprintf(f, sizeof(f), "texts[%zu]", i);
		return rm_fail_at(why, RM_EMALFORMED, f,
		    "must be a JSON object");
	}
	if ((rv = req_check_keys(v, text_keys, prefix, why)) != RM_OK)
		return rv;
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		const char *s;
		char **dst = (char **)(void *)((char *)t + fields[k].off);

		snprintf(f, sizeof(f), "%s%s", prefix, fields[k].key);
		if ((rv = req_get_str(v, fields[k].key, f, fields[k].required,
		    fields[k].max, &s, why)) != RM_OK)
			return rv;
		if ((rv = req_dup_str(s, f, dst, why)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static int
parse_texts(json_t *root, struct rm_alert *a, rm_why *why)
{
	json_t *arr, *v;
	size_t i;
	int rv;

	if ((rv = req_get_array(root, "texts", true, 1, RM_ALERT_TEXTS_MAX, &arr,
	    why)) != RM_OK)
		return rv;
	a->texts = calloc(json_array_size(arr), sizeof(*a->texts));
	if (a->texts == NULL)
		return rm_fail_at(why, RM_ENOMEM, "texts", "out of memory");
	json_array_foreach(arr, i, v) {
		a->n_texts = i + 1;
		if ((rv = parse_text(v, i, &a->texts[i], why)) != RM_OK)
			return rv;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->texts[j].lang, a->texts[i].lang) == 0) {
				char f[RM_WHY_FIELD_MAX];

				snprintf(f, sizeof(f), "texts[%zu].lang", i);
				return rm_fail_at(why, RM_EBADVALUE, f,
				    "duplicate language \"%s\"",
				    a->texts[i].lang);
			}
	}
	return RM_OK;
}

int
req_get_coord(json_t *v, const char *f, double limit, int32_t *out,
    rm_why *why)
{
	double d;

	if (v == NULL)
		return rm_fail_at(why, RM_EMISSING, f, "required");
	if (!json_is_number(v))
		return rm_fail_at(why, RM_EMALFORMED, f,
		    "must be a JSON number");
	d = json_number_value(v);
	if (!(d >= -limit && d <= limit))
		return rm_fail_at(why, RM_EBADVALUE, f,
		    "%.10g is outside -%g..%g degrees", d, limit, limit);
	d *= UDEG_PER_DEG;
	*out = (int32_t)(d >= 0 ? d + 0.5 : d - 0.5);
	return RM_OK;
}

static int
parse_polygon(json_t *root, struct rm_alert *a, rm_why *why)
{
	json_t *arr, *pt;
	size_t i, n;
	char f[RM_WHY_FIELD_MAX];
	int rv;

	if ((rv = req_get_array(root, "polygon", false, 4, RM_ALERT_POLYGON_MAX,
	    &arr, why)) != RM_OK || arr == NULL)
		return rv;
	n = json_array_size(arr);
	if ((a->polygon = calloc(n, sizeof(*a->polygon))) == NULL)
		return rm_fail_at(why, RM_ENOMEM, "polygon", "out of memory");
	a->n_polygon = n;
	json_array_foreach(arr, i, pt) {
		snprintf(f, sizeof(f), "polygon[%zu]", i);
		if (!json_is_array(pt))
			return rm_fail_at(why, RM_EMALFORMED, f,
			    "must be a [lat, lon] array");
		if (json_array_size(pt) != 2)
			return rm_fail_at(why, RM_EBADVALUE, f,
			    "must be [lat, lon], has %zu elements",
			    json_array_size(pt));
		snprintf(f, sizeof(f), "polygon[%zu][0]", i);
		if ((rv = req_get_coord(json_array_get(pt, 0), f, 90,
		    &a->polygon[i].lat_udeg, why)) != RM_OK)
			return rv;
		snprintf(f, sizeof(f), "polygon[%zu][1]", i);
		if ((rv = req_get_coord(json_array_get(pt, 1), f, 180,
		    &a->polygon[i].lon_udeg, why)) != RM_OK)
			return rv;
	}
	if (a->polygon[0].lat_udeg != a->polygon[n - 1].lat_udeg ||
	    a->polygon[0].lon_udeg != a->polygon[n - 1].lon_udeg)
		return rm_fail_at(why, RM_EBADVALUE, "polygon",
		    "not closed: the last point must equal the first "
		    "(CAP 1.2 §3.3.2)");
	return RM_OK;
}

static int
parse_circle(json_t *root, struct rm_alert *a, rm_why *why)
{
	json_t *c = json_object_get(root, "circle"), *r;
	int rv;

	if (c == NULL || json_is_null(c))
		return RM_OK;
	if (!json_is_object(c))
		return rm_fail_at(why, RM_EMALFORMED, "circle",
		    "must be a JSON object {lat, lon, radius_m}");
	if ((rv = req_check_keys(c, circle_keys, "circle.", why)) != RM_OK)
		return rv;
	if ((rv = req_get_coord(json_object_get(c, "lat"), "circle.lat", 90,
	    &a->circle_centre.lat_udeg, why)) != RM_OK)
		return rv;
	if ((rv = req_get_coord(json_object_get(c, "lon"), "circle.lon", 180,
	    &a->circle_centre.lon_udeg, why)) != RM_OK)
		return rv;
	if ((r = json_object_get(c, "radius_m")) == NULL)
		return rm_fail_at(why, RM_EMISSING, "circle.radius_m",
		    "required");
	if (!json_is_integer(r))
		return rm_fail_at(why, RM_EMALFORMED, "circle.radius_m",
		    "must be a JSON integer (metres)");
	if (json_integer_value(r) <= 0 ||
	    json_integer_value(r) > 20000000)
		return rm_fail_at(why, RM_EBADVALUE, "circle.radius_m",
		    "%lld is outside 1..20000000 metres",
		    (long long)json_integer_value(r));
	a->circle_radius_m = (uint32_t)json_integer_value(r);
	a->has_circle = true;
	return RM_OK;
}

/* CAP 1.2 §3.2.1 references: "sender,identifier,sent". */
static int
parse_references(json_t *root, struct rm_alert *a, rm_why *why)
{
	json_t *arr, *v;
	size_t i;
	char f[RM_WHY_FIELD_MAX];
	int rv;

	if ((rv = req_get_array(root, "references", false, 0,
	    RM_ALERT_REFERENCES_MAX, &arr, why)) != RM_OK || arr == NULL ||
	    json_array_size(arr) == 0)
		return rv;
	a->references = calloc(json_array_size(arr), sizeof(char *));
	if (a->references == NULL)
		return rm_fail_at(why, RM_ENOMEM, "references",
		    "out of memory");
	json_array_foreach(arr, i, v) {
		const char *s, *c1, *c2;
		rm_utc_ms t;

		snprintf(f, sizeof(f), "references[%zu]", i);
		if (!json_is_string(v))
			return rm_fail_at(why, RM_EMALFORMED, f,
			    "must be a JSON string");
		s = json_string_value(v);
		if (strlen(s) > RM_ALERT_REFERENCE_MAX)
			return rm_fail_at(why, RM_ETOOBIG, f,
			    "longer than %d bytes", RM_ALERT_REFERENCE_MAX);
		c1 = strchr(s, ',');
		c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
		if (c1 == NULL || c2 == NULL || c1 == s || c2 == c1 + 1 ||
		    strchr(c2 + 1, ',') != NULL || strchr(s, ' ') != NULL ||
		    rm_utc_parse(c2 + 1, &t) != RM_OK)
			return rm_fail_at(why, RM_EBADVALUE, f,
			    "\"%.60s\" is not \"sender,identifier,sent\" "
			    "(CAP 1.2 §3.2.1)", s);
		if ((rv = req_dup_str(s, f, &a->references[i], why)) != RM_OK)
			return rv;
		a->n_references = i + 1;
	}
	return RM_OK;
}

/* CAP identifiers (CAP 1.2 §3.2.1): no spaces, commas or restricted
 * characters; control characters neither. */
static bool
ident_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == ',' || *p == '<' ||
		    *p == '&')
			return false;
	return true;
}

/* object_id when the body has none: the identifier if it is a valid
 * object id, else "<origin>-<first 16 hex digits of SHA-256(id)>". */
static void
derive_object_id(const char *origin, const char *id,
    char out[RM_OBJECT_ID_MAX + 1])
{
	rm_hash h;
	char hex[65];

	if (object_id_valid(id)) {
		snprintf(out, RM_OBJECT_ID_MAX + 1, "%s", id);
		return;
	}
	crypto_sha256(id, strlen(id), &h);
	rm_hash_hex(&h, hex);
	snprintf(out, RM_OBJECT_ID_MAX + 1, "%s-%.16s", origin, hex);
}

static int
parse_ids(json_t *root, const struct req_alert_ctx *ctx,
    struct rm_record *rec, rm_why *why)
{
	const char *id, *oid;
	int rv;

	if ((rv = req_get_str(root, "identifier", "identifier", false,
	    RM_ALERT_IDENTIFIER_MAX, &id, why)) != RM_OK)
		return rv;
	if (id != NULL && !ident_valid(id))
		return rm_fail_at(why, RM_EBADVALUE, "identifier",
		    "\"%.80s\" contains a space, a comma, '<', '&' or a "
		    "control character (CAP 1.2 §3.2.1)", id);
	if (id == NULL)
		id = ctx->default_identifier;
	if (id == NULL || id[0] == '\0' ||
	    strlen(id) > RM_ALERT_IDENTIFIER_MAX)
		return rm_fail_at(why, RM_EMISSING, "identifier", "required");
	if ((rv = req_get_str(root, "object_id", "object_id", false,
	    RM_OBJECT_ID_MAX, &oid, why)) != RM_OK)
		return rv;
	if (oid != NULL && !object_id_valid(oid))
		return rm_fail_at(why, RM_EBADVALUE, "object_id",
		    "\"%.80s\" is not a valid object id (%s)", oid,
		    NODE_OBJECT_ID_RULE);
	if (oid != NULL)
		snprintf(rec->object_id, sizeof(rec->object_id), "%s", oid);
	else
		derive_object_id(rec->origin, id, rec->object_id);
	return req_dup_str(id, "identifier", &record_alert(rec)->identifier, why);
}

/* "to": recipient agencies of a restricted alert (docs/API.md), any
 * order, each once; the service checks them against the roster. */
static int
parse_to(json_t *root, struct rm_record *rec, rm_why *why)
{
	const char *ids[RM_RECORD_TO_MAX];
	char f[RM_WHY_FIELD_MAX];
	json_t *arr, *v;
	size_t i;
	int rv;

	if ((rv = req_get_array(root, "to", false, 1, RM_RECORD_TO_MAX, &arr,
	    why)) != 0 || arr == NULL)
		return rv;
	json_array_foreach(arr, i, v) {
		snprintf(f, sizeof(f), "to[%zu]", i);
		if (!json_is_string(v))
			return rm_fail_at(why, RM_EMALFORMED, f,
			    "must be a JSON string");
		ids[i] = json_string_value(v);
		if (strlen(ids[i]) > RM_AGENCY_ID_MAX ||
		    !agency_id_valid(ids[i]))
			return rm_fail_at(why, RM_EBADVALUE, f, "\"%.70s\" is "
			    "not an agency id (%s)", ids[i], RM_AGENCY_ID_RULE);
	}
	return record_set_to(rec, ids, json_array_size(arr), why);
}

int
req_alert_parse(const char *body, size_t len,
    const struct req_alert_ctx *ctx, struct rm_record *out,
    bool *msg_type_set, rm_why *why)
{
	struct rm_record rec;
	struct rm_alert *a;
	json_error_t jerr;
	json_t *root;
	bool has_eff, has_exp;
	rm_utc_ms expires = 0;
	int rv;

	memset(&rec, 0, sizeof(rec));
	memset(out, 0, sizeof(*out));
	if (body == NULL || len == 0)
		return rm_fail_at(why, RM_EMISSING, "", "body: required (a "
		    "JSON object, sent with Content-Length)");
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return rm_fail_at(why, RM_EMALFORMED, "",
		    "not JSON: %s (line %d, column %d)",
		    req_json_error_text(&jerr), jerr.line,
		    jerr.column);
	if (!json_is_object(root)) {
		rv = rm_fail_at(why, RM_EMALFORMED, "",
		    "the body must be a JSON object");
		goto fail;
	}
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_alert;
	/* Owned like a decoded record: record_fini frees it. */
	if ((a = rec.body = calloc(1, sizeof(*a))) == NULL) {
		rv = rm_fail_at(why, RM_ENOMEM, "", "out of memory");
		goto fail;
	}
	snprintf(rec.origin, sizeof(rec.origin), "%s", ctx->origin);
	rec.issued_ms = ctx->now_ms;
	a->effective_ms = ctx->now_ms;
	if ((rv = req_check_keys(root, top_keys, "", why)) != RM_OK ||
	    (rv = parse_enums(root, a, msg_type_set, why)) != RM_OK ||
	    (rv = parse_areas(root, &rec, why)) != RM_OK ||
	    (rv = parse_texts(root, a, why)) != RM_OK ||
	    (rv = parse_ids(root, ctx, &rec, why)) != RM_OK ||
	    (rv = parse_categories(root, a, why)) != RM_OK ||
	    (rv = parse_time(root, "effective", &a->effective_ms,
	        &has_eff, why)) != RM_OK ||
	    (rv = parse_time(root, "expires", &expires, &has_exp, why)) != RM_OK ||
	    (rv = parse_polygon(root, a, why)) != RM_OK ||
	    (rv = parse_circle(root, a, why)) != RM_OK ||
	    (rv = parse_references(root, a, why)) != RM_OK)
		goto fail;
	if (has_exp) {
		if (expires <= ctx->now_ms) {
			char t[32], now[32];

			rm_utc_format(expires, t);
			rm_utc_format(ctx->now_ms, now);
			rv = rm_fail_at(why, RM_EBADVALUE, "expires",
			    "%s is in the past (now %s)", t, now);
			goto fail;
		}
		if (expires <= a->effective_ms) {
			rv = rm_fail_at(why, RM_EBADVALUE, "expires",
			    "must be after effective");
			goto fail;
		}
		rec.expires_ms = expires;
	}
	/* The store numbers the record; validate as version 1, seq 1. */
	rec.ver = 1;
	rec.seq = 1;
	if ((rv = record_validate(&rec, why)) != RM_OK) {
		if (why != NULL)
			http_why_request_path(why);
		goto fail;
	}
	rec.ver = 0;
	rec.seq = 0;
	if ((rv = parse_to(root, &rec, why)) != RM_OK)
		goto fail;
	json_decref(root);
	*out = rec;
	return RM_OK;
fail:
	json_decref(root);
	record_fini(&rec);
	return rv;
}

int
req_cancel_parse(const char *body, size_t len, json_t **root,
    const char **reason, rm_why *why)
{
	json_t *v;
	const char *key;
	int rv;

	*root = NULL;
	*reason = NULL;
	if (body == NULL || len == 0)
		return RM_OK;
	if ((rv = req_json_object(body, len, root, why)) != RM_OK)
		return rv;
	json_object_foreach(*root, key, v) {
		if (strcmp(key, "reason") != 0)
			return rm_fail_at(why, RM_EUNKNOWN, key,
			    "unknown field");
		if (!json_is_string(v))
			return rm_fail_at(why, RM_EMALFORMED, "reason",
			    "must be a JSON string");
		if (json_string_length(v) == 0 ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return rm_fail_at(why, RM_EBADVALUE, "reason",
			    "must be text, not empty");
		if (json_string_length(v) > RM_ALERT_DESCRIPTION_MAX)
			return rm_fail_at(why, RM_EBADVALUE, "reason",
			    "at most %d bytes", RM_ALERT_DESCRIPTION_MAX);
		*reason = json_string_value(v);
	}
	return RM_OK;
}
