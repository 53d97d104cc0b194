/*
 * alert_enc.c -- deterministic CBOR encoding of an alert body
 * (schemas/alert.cddl). Keys are written in the order of the enums in
 * schemas_int.h, which is the RFC 8949 §4.2.1 order; nothing is sorted
 * at run time. The caller has validated the alert.
 */
#include <string.h>

#include "schemas/cap_model.h"
#include "schemas/schemas_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)

static int
put_key(rm_buf *b, const char *const *table, int k)
{
	return rm_cbor_put_cstr(b, table[k]);
}

static int
put_point(rm_buf *b, const struct rm_point *p, size_t n, uint32_t radius)
{
	int rv;

	TRY(rm_cbor_put_array(b, n));
	TRY(rm_cbor_put_int(b, p->lat_udeg));
	TRY(rm_cbor_put_int(b, p->lon_udeg));
	if (n == 3)
		TRY(rm_cbor_put_uint(b, radius));
	return RM_OK;
}

static int
put_text(rm_buf *b, const struct rm_alert_text *t)
{
	/* In enum text_key order. */
	const char *val[TK_COUNT] = {
		[TK_DESC] = t->description, [TK_LANG] = t->lang,
		[TK_EVENT] = t->event, [TK_INSTR] = t->instruction,
		[TK_SENDER] = t->sender_name, [TK_AREADESC] = t->area_desc,
		[TK_HEADLINE] = t->headline,
	};
	size_t n = 0;
	int rv;

	for (int k = 0; k < TK_COUNT; k++)
		n += val[k] != NULL;
	TRY(rm_cbor_put_map(b, n));
	for (int k = 0; k < TK_COUNT; k++) {
		if (val[k] == NULL)
			continue;
		TRY(put_key(b, rm_text_keys, k));
		TRY(rm_cbor_put_cstr(b, val[k]));
	}
	return RM_OK;
}

static int
put_value(rm_buf *b, const struct rm_alert *a, int k)
{
	size_t n;
	int rv;

	switch (k) {
	case AK_ID:
		return rm_cbor_put_cstr(b, a->identifier);
	case AK_CAP:
		return cap_model_encode(a->cap, b);
	case AK_CAT:
		n = 0;
		for (unsigned i = 0; i < RM_CAT_COUNT; i++)
			n += (a->categories >> i) & 1;
		TRY(rm_cbor_put_array(b, n));
		for (unsigned i = 0; i < RM_CAT_COUNT; i++)
			if (a->categories & (1u << i))
				TRY(rm_cbor_put_cstr(b,
				    cap_category_name(1u << i)));
		return RM_OK;
	case AK_REFS:
		TRY(rm_cbor_put_array(b, a->n_references));
		for (size_t i = 0; i < a->n_references; i++)
			TRY(rm_cbor_put_cstr(b, a->references[i]));
		return RM_OK;
	case AK_GRADE:
		return rm_cbor_put_cstr(b, grade_name(a->grade));
	case AK_TEXTS:
		TRY(rm_cbor_put_array(b, a->n_texts));
		for (size_t i = 0; i < a->n_texts; i++)
			TRY(put_text(b, &a->texts[i]));
		return RM_OK;
	case AK_CIRCLE:
		return put_point(b, &a->circle_centre, 3, a->circle_radius_m);
	case AK_STATUS:
		return rm_cbor_put_cstr(b, cap_status_name(a->status));
	case AK_MSGTYPE:
		return rm_cbor_put_cstr(b, cap_msgtype_name(a->msg_type));
	case AK_POLYGON:
		TRY(rm_cbor_put_array(b, a->n_polygon));
		for (size_t i = 0; i < a->n_polygon; i++)
			TRY(put_point(b, &a->polygon[i], 2, 0));
		return RM_OK;
	case AK_URGENCY:
		return rm_cbor_put_cstr(b, cap_urgency_name(a->urgency));
	case AK_SEVERITY:
		return rm_cbor_put_cstr(b, cap_severity_name(a->severity));
	case AK_CERTAINTY:
		return rm_cbor_put_cstr(b, cap_certainty_name(a->certainty));
	case AK_EFFECTIVE:
		return rm_cbor_put_int(b, a->effective_ms);
	default:
		return RM_EINVAL;
	}
}

int
sch_alert_encode(const struct rm_alert *a, rm_buf *b)
{
	bool present[AK_COUNT];
	size_t n = 0;
	int rv;

	for (int k = 0; k < AK_COUNT; k++)
		present[k] = true;
	present[AK_CAP] = a->cap != NULL;
	present[AK_REFS] = a->n_references > 0;
	present[AK_CIRCLE] = a->has_circle;
	present[AK_POLYGON] = a->n_polygon > 0;
	for (int k = 0; k < AK_COUNT; k++)
		n += present[k];
	TRY(rm_cbor_put_map(b, n));
	for (int k = 0; k < AK_COUNT; k++) {
		if (!present[k])
			continue;
		TRY(put_key(b, rm_alert_keys, k));
		TRY(put_value(b, a, k));
	}
	return RM_OK;
}
