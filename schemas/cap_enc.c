/*
 * cap_enc.c -- the CAP 1.2 model as deterministic CBOR (the "cap-alert"
 * rule of schemas/alert.cddl; schemas/cap_model.h). Keys are written in
 * the order of the key tables in cap_int.h (RFC 8949 §4.2.1 order);
 * numbers never as floats (cap_num_encode).
 */
#include <stdio.h>
#include <string.h>

#include "schemas/cap_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)

const char *const cap_alert_keys[CA_COUNT] = {
	"code", "info", "note", "sent", "scope", "sender", "source",
	"status", "msgType", "addresses", "incidents", "identifier",
	"references", "restriction",
};
const char *const cap_info_keys[CI_COUNT] = {
	"web", "area", "event", "onset", "contact", "expires", "urgency",
	"audience", "category", "headline", "language", "resource",
	"severity", "certainty", "effective", "eventCode", "parameter",
	"senderName", "description", "instruction", "responseType",
};
const char *const cap_area_keys[CR_COUNT] = {
	"circle", "ceiling", "geocode", "polygon", "altitude", "areaDesc",
};
const char *const cap_res_keys[CS_COUNT] = {
	"uri", "size", "digest", "derefUri", "mimeType", "resourceDesc",
};

int
cap_num_encode(double v, rm_buf *b)
{
	char s[48];
	int64_t mant = 0;
	int frac = -1, rv;
	bool neg = false;

	cap_decimal_format(v, s);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '-') {
			neg = true;
			continue;
		}
		if (*p == '.') {
			frac = 0;
			continue;
		}
		if (mant > (INT64_MAX - 9) / 10)
			return RM_EINVAL;
		mant = mant * 10 + (*p - '0');
		if (frac >= 0)
			frac++;
	}
	if (frac < 0)
		frac = 0;
	if (neg)
		mant = -mant;
	if (frac <= CAP_NUM_SCALE_DIGITS) {
		int64_t scaled = mant;
		bool fits = true;

		for (int k = frac; k < CAP_NUM_SCALE_DIGITS && fits; k++) {
			fits = scaled <= INT64_MAX / 10 && scaled >= INT64_MIN / 10;
			scaled *= fits ? 10 : 1;
		}
		if (fits)
			return rm_cbor_put_int(b, scaled);
	}
	TRY(rm_cbor_put_tag(b, 4));        /* RFC 8949 §3.4.4 */
	TRY(rm_cbor_put_array(b, 2));
	TRY(rm_cbor_put_int(b, -frac));
	return rm_cbor_put_int(b, mant);
}

static int
put_time(rm_buf *b, const struct cap_time *t)
{
	int rv;

	TRY(rm_cbor_put_array(b, 2));
	TRY(rm_cbor_put_int(b, t->at_ms / 1000));
	return rm_cbor_put_int(b, t->offset_min);
}

static int
put_str(rm_buf *b, const char *s)
{
	return s == NULL ? RM_EINVAL : rm_cbor_put_cstr(b, s);
}

static int
put_pairs(rm_buf *b, const struct cap_pair *p, size_t n)
{
	int rv;

	TRY(rm_cbor_put_array(b, n));
	for (size_t i = 0; i < n; i++) {
		TRY(rm_cbor_put_array(b, 2));
		TRY(put_str(b, p[i].name));
		TRY(put_str(b, p[i].value));
	}
	return RM_OK;
}

static int
put_point(rm_buf *b, const struct cap_point *p)
{
	int rv;

	TRY(cap_num_encode(p->lat, b));
	return cap_num_encode(p->lon, b);
}

static int
put_area(rm_buf *b, const struct cap_area *ar)
{
	bool has[CR_COUNT] = {
		[CR_CIRCLE] = ar->n_circle > 0, [CR_CEILING] = ar->has_ceiling,
		[CR_GEOCODE] = ar->n_geocode > 0,
		[CR_POLYGON] = ar->n_polygon > 0,
		[CR_ALTITUDE] = ar->has_altitude, [CR_AREADESC] = true,
	};
	int rv;

	TRY(rm_cbor_put_map(b, cap_count(has, CR_COUNT)));
	for (int k = 0; k < CR_COUNT; k++) {
		if (!has[k])
			continue;
		TRY(rm_cbor_put_cstr(b, cap_area_keys[k]));
		switch (k) {
		case CR_CIRCLE:
			TRY(rm_cbor_put_array(b, ar->n_circle));
			for (size_t i = 0; i < ar->n_circle; i++) {
				TRY(rm_cbor_put_array(b, 3));
				TRY(put_point(b, &ar->circle[i].centre));
				TRY(cap_num_encode(ar->circle[i].radius_km, b));
			}
			break;
		case CR_CEILING:
			TRY(cap_num_encode(ar->ceiling, b));
			break;
		case CR_GEOCODE:
			TRY(put_pairs(b, ar->geocode, ar->n_geocode));
			break;
		case CR_POLYGON:
			TRY(rm_cbor_put_array(b, ar->n_polygon));
			for (size_t i = 0; i < ar->n_polygon; i++) {
				const struct cap_polygon *pg = &ar->polygon[i];

				TRY(rm_cbor_put_array(b, pg->n * 2));
				for (size_t j = 0; j < pg->n; j++)
					TRY(put_point(b, &pg->pts[j]));
			}
			break;
		case CR_ALTITUDE:
			TRY(cap_num_encode(ar->altitude, b));
			break;
		default:
			TRY(put_str(b, ar->desc));
		}
	}
	return RM_OK;
}

static int
put_resource(rm_buf *b, const struct cap_resource *r)
{
	const char *s[CS_COUNT] = {
		[CS_URI] = r->uri, [CS_DIGEST] = r->digest,
		[CS_DEREFURI] = r->deref_uri, [CS_MIMETYPE] = r->mime_type,
		[CS_DESC] = r->desc,
	};
	bool has[CS_COUNT];
	int rv;

	for (int k = 0; k < CS_COUNT; k++)
		has[k] = s[k] != NULL;
	has[CS_SIZE] = r->has_size;
	has[CS_MIMETYPE] = has[CS_DESC] = true;
	TRY(rm_cbor_put_map(b, cap_count(has, CS_COUNT)));
	for (int k = 0; k < CS_COUNT; k++) {
		if (!has[k])
			continue;
		TRY(rm_cbor_put_cstr(b, cap_res_keys[k]));
		TRY(k == CS_SIZE ? rm_cbor_put_uint(b, r->size) :
		    put_str(b, s[k]));
	}
	return RM_OK;
}

static int
put_info_value(rm_buf *b, const struct cap_info *in, int k, const char *s)
{
	int rv;

	switch (k) {
	case CI_AREA:
		TRY(rm_cbor_put_array(b, in->n_area));
		for (size_t i = 0; i < in->n_area; i++)
			TRY(put_area(b, &in->area[i]));
		return RM_OK;
	case CI_ONSET:
		return put_time(b, &in->onset);
	case CI_EXPIRES:
		return put_time(b, &in->expires);
	case CI_EFFECTIVE:
		return put_time(b, &in->effective);
	case CI_URGENCY:
		return put_str(b, cap_urgency_name(in->urgency));
	case CI_SEVERITY:
		return put_str(b, cap_severity_name(in->severity));
	case CI_CERTAINTY:
		return put_str(b, cap_certainty_name(in->certainty));
	case CI_CATEGORY:
		TRY(rm_cbor_put_array(b, in->n_category));
		for (size_t i = 0; i < in->n_category; i++)
			TRY(put_str(b, cap_category_name(in->category[i])));
		return RM_OK;
	case CI_RESPONSE:
		TRY(rm_cbor_put_array(b, in->n_response));
		for (size_t i = 0; i < in->n_response; i++)
			TRY(put_str(b, cap_response_name(in->response[i])));
		return RM_OK;
	case CI_RESOURCE:
		TRY(rm_cbor_put_array(b, in->n_resource));
		for (size_t i = 0; i < in->n_resource; i++)
			TRY(put_resource(b, &in->resource[i]));
		return RM_OK;
	case CI_EVENTCODE:
		return put_pairs(b, in->event_code, in->n_event_code);
	case CI_PARAMETER:
		return put_pairs(b, in->parameter, in->n_parameter);
	default:
		return put_str(b, s);
	}
}

static int
put_info(rm_buf *b, const struct cap_info *in)
{
	const char *s[CI_COUNT] = {
		[CI_WEB] = in->web, [CI_EVENT] = in->event,
		[CI_CONTACT] = in->contact, [CI_AUDIENCE] = in->audience,
		[CI_HEADLINE] = in->headline, [CI_LANGUAGE] = in->language,
		[CI_SENDERNAME] = in->sender_name,
		[CI_DESCRIPTION] = in->description,
		[CI_INSTRUCTION] = in->instruction,
	};
	bool has[CI_COUNT];
	int rv;

	for (int k = 0; k < CI_COUNT; k++)
		has[k] = s[k] != NULL;
	has[CI_AREA] = in->n_area > 0;
	has[CI_ONSET] = in->onset.set;
	has[CI_EXPIRES] = in->expires.set;
	has[CI_EFFECTIVE] = in->effective.set;
	has[CI_URGENCY] = has[CI_SEVERITY] = has[CI_CERTAINTY] = true;
	has[CI_EVENT] = has[CI_LANGUAGE] = has[CI_CATEGORY] = true;
	has[CI_RESPONSE] = in->n_response > 0;
	has[CI_RESOURCE] = in->n_resource > 0;
	has[CI_EVENTCODE] = in->n_event_code > 0;
	has[CI_PARAMETER] = in->n_parameter > 0;
	TRY(rm_cbor_put_map(b, cap_count(has, CI_COUNT)));
	for (int k = 0; k < CI_COUNT; k++) {
		if (!has[k])
			continue;
		TRY(rm_cbor_put_cstr(b, cap_info_keys[k]));
		TRY(put_info_value(b, in, k, s[k]));
	}
	return RM_OK;
}

size_t
cap_count(const bool *has, int n)
{
	size_t c = 0;

	for (int k = 0; k < n; k++)
		c += has[k];
	return c;
}

int
cap_model_encode(const struct cap_alert *a, rm_buf *b)
{
	const char *s[CA_COUNT] = {
		[CA_NOTE] = a->note, [CA_SENDER] = a->sender,
		[CA_SOURCE] = a->source, [CA_ADDRESSES] = a->addresses,
		[CA_INCIDENTS] = a->incidents, [CA_IDENTIFIER] = a->identifier,
		[CA_RESTRICTION] = a->restriction,
		[CA_SCOPE] = cap_scope_name(a->scope),
		[CA_STATUS] = cap_status_name(a->status),
		[CA_MSGTYPE] = cap_msgtype_name(a->msg_type),
	};
	bool has[CA_COUNT];
	int rv;

	for (int k = 0; k < CA_COUNT; k++)
		has[k] = s[k] != NULL;
	has[CA_CODE] = a->n_code > 0;
	has[CA_INFO] = a->n_info > 0;
	has[CA_REFS] = a->n_ref > 0;
	has[CA_SENT] = has[CA_SCOPE] = has[CA_STATUS] = has[CA_MSGTYPE] =
	    has[CA_SENDER] = has[CA_IDENTIFIER] = true;
	TRY(rm_cbor_put_map(b, cap_count(has, CA_COUNT)));
	for (int k = 0; k < CA_COUNT; k++) {
		if (!has[k])
			continue;
		TRY(rm_cbor_put_cstr(b, cap_alert_keys[k]));
		switch (k) {
		case CA_CODE:
			TRY(rm_cbor_put_array(b, a->n_code));
			for (size_t i = 0; i < a->n_code; i++)
				TRY(put_str(b, a->code[i]));
			break;
		case CA_INFO:
			TRY(rm_cbor_put_array(b, a->n_info));
			for (size_t i = 0; i < a->n_info; i++)
				TRY(put_info(b, &a->info[i]));
			break;
		case CA_SENT:
			TRY(put_time(b, &a->sent));
			break;
		case CA_REFS:
			TRY(rm_cbor_put_array(b, a->n_ref));
			for (size_t i = 0; i < a->n_ref; i++) {
				TRY(rm_cbor_put_array(b, 3));
				TRY(put_str(b, a->ref[i].sender));
				TRY(put_str(b, a->ref[i].identifier));
				TRY(put_time(b, &a->ref[i].sent));
			}
			break;
		default:
			TRY(put_str(b, s[k]));
		}
	}
	return RM_OK;
}
