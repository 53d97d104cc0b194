/*
 * alert_dec.c -- strict decoding of an alert body (schemas/alert.cddl).
 * Checks types, key order, unknown and missing keys, enumeration names
 * and container sizes; the remaining rules are in validate.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/cap_model.h"
#include "schemas/schemas_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)

#define FIELD_MAX 48

/* Read an enumeration by name; parse is one of the *_parse functions
 * cast to take an int *. */
typedef int (*enum_parse_fn)(const char *, int *);

static int
dec_enum(rm_cbor_rd *rd, const char *field, const char *what,
    enum_parse_fn parse, int *out, rm_why *why)
{
	char buf[17], q[160];
	const char *p;
	size_t n;
	int rv;

	if ((rv = sch_dec_text(rd, field, 256, &p, &n, why)) != RM_OK)
		return rv;
	if (n < sizeof(buf)) {
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (parse(buf, out) == RM_OK)
			return RM_OK;
	}
	schemas_quote(p, n, q);
	return rm_fail(why, RM_EBADVALUE, "%s: unknown %s %s", field, what, q);
}

/* Adapters from the typed parse functions to enum_parse_fn. */
#define ADAPT(fn, type)                                                  \
	static int fn##_int(const char *s, int *out)                     \
	{                                                                \
		type v;                                                  \
		int rv = fn(s, &v);                                      \
		if (rv == RM_OK)                                         \
			*out = (int)v;                                   \
		return rv;                                               \
	}
ADAPT(grade_parse, rm_grade)
ADAPT(cap_status_parse, rm_cap_status)
ADAPT(cap_msgtype_parse, rm_cap_msgtype)
ADAPT(cap_urgency_parse, rm_cap_urgency)
ADAPT(cap_severity_parse, rm_cap_severity)
ADAPT(cap_certainty_parse, rm_cap_certainty)

static int
dec_cat(rm_cbor_rd *rd, uint32_t *out, rm_why *why)
{
	char f[FIELD_MAX], q[160];
	uint32_t set = 0, bit;
	const char *p;
	size_t n, len;
	int rv;

	TRY(sch_dec_array(rd, "alert.cat", &n, why));
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "alert.cat: at least one category required");
	if (n > RM_CAT_COUNT)
		return rm_fail(why, RM_ETOOBIG, "alert.cat: %zu categories, "
		    "limit %d", n, RM_CAT_COUNT);
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "alert.cat[%zu]", i);
		TRY(sch_dec_text(rd, f, 256, &p, &len, why));
		bit = 0;
		if (len < 16) {
			char buf[16];
			memcpy(buf, p, len);
			buf[len] = '\0';
			(void)cap_category_parse(buf, &bit);
		}
		if (bit == 0) {
			schemas_quote(p, len, q);
			return rm_fail(why, RM_EBADVALUE, "%s: unknown "
			    "category %s", f, q);
		}
		if (bit <= set)	/* set holds only lower bits so far */
			return rm_fail(why, RM_EBADVALUE, "%s: categories "
			    "must be unique and in CAP 1.2 order", f);
		set |= bit;
	}
	*out = set;
	return RM_OK;
}

static int
dec_coord(rm_cbor_rd *rd, const char *field, int32_t *out, rm_why *why)
{
	int64_t v;
	int rv;

	TRY(sch_dec_int(rd, field, &v, why));
	if (v < INT32_MIN || v > INT32_MAX)
		return rm_fail(why, RM_EBADVALUE, "%s: %lld udeg out of "
		    "range", field, (long long)v);
	*out = (int32_t)v;
	return RM_OK;
}

static int
dec_point(rm_cbor_rd *rd, const char *field, struct rm_point *pt,
    uint32_t *radius, rm_why *why)
{
	size_t n, want = radius != NULL ? 3 : 2;
	uint64_t r;
	int rv;

	TRY(sch_dec_array(rd, field, &n, why));
	if (n != want)
		return rm_fail(why, RM_EBADVALUE, "%s: %zu items, expected %s",
		    field, n, radius != NULL ? "[lat, lon, radius_m]" :
		    "[lat, lon]");
	TRY(dec_coord(rd, field, &pt->lat_udeg, why));
	TRY(dec_coord(rd, field, &pt->lon_udeg, why));
	if (radius != NULL) {
		TRY(sch_dec_uint(rd, field, &r, why));
		if (r > UINT32_MAX)
			return rm_fail(why, RM_EBADVALUE, "%s: radius %llu m "
			    "out of range", field, (unsigned long long)r);
		*radius = (uint32_t)r;
	}
	return RM_OK;
}

static int
dec_polygon(rm_cbor_rd *rd, struct rm_alert *a, rm_why *why)
{
	char f[FIELD_MAX];
	size_t n;
	int rv;

	TRY(sch_dec_array(rd, "alert.polygon", &n, why));
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "alert.polygon: empty (omit the key instead)");
	if (n > RM_ALERT_POLYGON_MAX)
		return rm_fail(why, RM_ETOOBIG, "alert.polygon: %zu points, "
		    "limit %d", n, RM_ALERT_POLYGON_MAX);
	if ((a->polygon = calloc(n, sizeof(*a->polygon))) == NULL)
		return rm_fail(why, RM_ENOMEM, "alert.polygon: out of memory");
	a->n_polygon = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "alert.polygon[%zu]", i);
		TRY(dec_point(rd, f, &a->polygon[i], NULL, why));
	}
	return RM_OK;
}

static int
dec_refs(rm_cbor_rd *rd, struct rm_alert *a, rm_why *why)
{
	char f[FIELD_MAX];
	size_t n;
	int rv;

	TRY(sch_dec_array(rd, "alert.refs", &n, why));
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "alert.refs: empty (omit the key instead)");
	if (n > RM_ALERT_REFERENCES_MAX)
		return rm_fail(why, RM_ETOOBIG, "alert.refs: %zu references, "
		    "limit %d", n, RM_ALERT_REFERENCES_MAX);
	if ((a->references = calloc(n, sizeof(char *))) == NULL)
		return rm_fail(why, RM_ENOMEM, "alert.refs: out of memory");
	a->n_references = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "alert.refs[%zu]", i);
		TRY(sch_dec_strdup(rd, f, RM_ALERT_REFERENCE_MAX,
		    &a->references[i], why));
	}
	return RM_OK;
}

static int
dec_text_block(rm_cbor_rd *rd, size_t idx, struct rm_alert_text *t,
    rm_why *why)
{
	static const size_t max[TK_COUNT] = {
		[TK_DESC] = RM_ALERT_DESCRIPTION_MAX,
		[TK_LANG] = RM_ALERT_LANG_MAX,
		[TK_EVENT] = RM_ALERT_EVENT_MAX,
		[TK_INSTR] = RM_ALERT_INSTRUCTION_MAX,
		[TK_SENDER] = RM_ALERT_SENDER_NAME_MAX,
		[TK_AREADESC] = RM_ALERT_AREA_DESC_MAX,
		[TK_HEADLINE] = RM_ALERT_HEADLINE_MAX,
	};
	char **slot[TK_COUNT] = {
		[TK_DESC] = &t->description, [TK_LANG] = &t->lang,
		[TK_EVENT] = &t->event, [TK_INSTR] = &t->instruction,
		[TK_SENDER] = &t->sender_name, [TK_AREADESC] = &t->area_desc,
		[TK_HEADLINE] = &t->headline,
	};
	char map[FIELD_MAX], f[FIELD_MAX + 16];
	rm_cbor_keys keys;
	size_t n;
	int rv, k;

	snprintf(map, sizeof(map), "alert.texts[%zu]", idx);
	TRY(sch_dec_map(rd, map, &n, why));
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		TRY(sch_dec_key(rd, &keys, map, rm_text_keys, TK_COUNT, &k,
		    why));
		snprintf(f, sizeof(f), "%s.%s", map, rm_text_keys[k]);
		TRY(sch_dec_strdup(rd, f, max[k], slot[k], why));
	}
	if (t->lang == NULL)
		return rm_fail(why, RM_EMISSING, "%s.lang: required", map);
	if (t->event == NULL)
		return rm_fail(why, RM_EMISSING, "%s.event: required", map);
	if (t->headline == NULL)
		return rm_fail(why, RM_EMISSING, "%s.headline: required", map);
	return RM_OK;
}

static int
dec_texts(rm_cbor_rd *rd, struct rm_alert *a, rm_why *why)
{
	size_t n;
	int rv;

	TRY(sch_dec_array(rd, "alert.texts", &n, why));
	if (n == 0)
		return rm_fail(why, RM_EBADVALUE,
		    "alert.texts: at least one text block required");
	if (n > RM_ALERT_TEXTS_MAX)
		return rm_fail(why, RM_ETOOBIG, "alert.texts: %zu blocks, "
		    "limit %d", n, RM_ALERT_TEXTS_MAX);
	if ((a->texts = calloc(n, sizeof(*a->texts))) == NULL)
		return rm_fail(why, RM_ENOMEM, "alert.texts: out of memory");
	a->n_texts = n;
	for (size_t i = 0; i < n; i++)
		TRY(dec_text_block(rd, i, &a->texts[i], why));
	return RM_OK;
}

static int
dec_field(rm_cbor_rd *rd, int k, struct rm_alert *a, rm_why *why)
{
	int v, rv;

	switch (k) {
	case AK_ID:
		return sch_dec_strdup(rd, "alert.id", RM_ALERT_IDENTIFIER_MAX,
		    &a->identifier, why);
	case AK_CAP:
		if ((a->cap = calloc(1, sizeof(*a->cap))) == NULL)
			return rm_fail(why, RM_ENOMEM, "alert.cap: out of "
			    "memory");
		return cap_model_decode_rd(rd, a->cap, why);
	case AK_CAT:
		return dec_cat(rd, &a->categories, why);
	case AK_REFS:
		return dec_refs(rd, a, why);
	case AK_GRADE:
		TRY(dec_enum(rd, "alert.grade", "grade", grade_parse_int, &v,
		    why));
		a->grade = (rm_grade)v;
		return RM_OK;
	case AK_TEXTS:
		return dec_texts(rd, a, why);
	case AK_CIRCLE:
		TRY(dec_point(rd, "alert.circle", &a->circle_centre,
		    &a->circle_radius_m, why));
		a->has_circle = true;
		return RM_OK;
	case AK_STATUS:
		TRY(dec_enum(rd, "alert.status", "status",
		    cap_status_parse_int, &v, why));
		a->status = (rm_cap_status)v;
		return RM_OK;
	case AK_MSGTYPE:
		TRY(dec_enum(rd, "alert.msgType", "msgType",
		    cap_msgtype_parse_int, &v, why));
		a->msg_type = (rm_cap_msgtype)v;
		return RM_OK;
	case AK_POLYGON:
		return dec_polygon(rd, a, why);
	case AK_URGENCY:
		TRY(dec_enum(rd, "alert.urgency", "urgency",
		    cap_urgency_parse_int, &v, why));
		a->urgency = (rm_cap_urgency)v;
		return RM_OK;
	case AK_SEVERITY:
		TRY(dec_enum(rd, "alert.severity", "severity",
		    cap_severity_parse_int, &v, why));
		a->severity = (rm_cap_severity)v;
		return RM_OK;
	case AK_CERTAINTY:
		TRY(dec_enum(rd, "alert.certainty", "certainty",
		    cap_certainty_parse_int, &v, why));
		a->certainty = (rm_cap_certainty)v;
		return RM_OK;
	case AK_EFFECTIVE:
		return sch_dec_int(rd, "alert.effective", &a->effective_ms,
		    why);
	default:
		return rm_fail(why, RM_EINVAL, "alert: internal key %d", k);
	}
}

int
sch_alert_decode_rd(rm_cbor_rd *rd, struct rm_alert *a, rm_why *why)
{
	static const int required[] = {
		AK_ID, AK_CAT, AK_GRADE, AK_TEXTS, AK_STATUS, AK_MSGTYPE,
		AK_URGENCY, AK_SEVERITY, AK_CERTAINTY, AK_EFFECTIVE,
	};
	bool seen[AK_COUNT] = { false };
	rm_cbor_keys keys;
	size_t n;
	int rv, k;

	TRY(sch_dec_map(rd, "alert", &n, why));
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		TRY(sch_dec_key(rd, &keys, "alert", rm_alert_keys, AK_COUNT, &k,
		    why));
		seen[k] = true;
		TRY(dec_field(rd, k, a, why));
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!seen[required[i]])
			return rm_fail(why, RM_EMISSING, "alert.%s: required",
			    rm_alert_keys[required[i]]);
	return RM_OK;
}

void
sch_alert_fini(struct rm_alert *a)
{
	free(a->identifier);
	for (size_t i = 0; a->texts != NULL && i < a->n_texts; i++) {
		struct rm_alert_text *t = &a->texts[i];

		free(t->lang);
		free(t->event);
		free(t->headline);
		free(t->description);
		free(t->instruction);
		free(t->sender_name);
		free(t->area_desc);
	}
	free(a->texts);
	free(a->polygon);
	for (size_t i = 0; a->references != NULL && i < a->n_references; i++)
		free(a->references[i]);
	free(a->references);
	if (a->cap != NULL)
		cap_alert_fini(a->cap);
	free(a->cap);
	memset(a, 0, sizeof(*a));
}
