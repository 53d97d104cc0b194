/*
 * cap_check.c -- the rules a CAP 1.2 model carried in a record keeps
 * (cap_model_check), and reading its numbers back from CBOR exactly
 * (cap_num_decode): integer millionths or a decimal fraction, turned
 * into the double strtod reads from the same decimal, refused unless
 * cap_num_encode writes that double the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/cap_int.h"

bool
cap_ident_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strpbrk(s, " \t\r\n,<&") == NULL;
}

int
cap_num_decode(rm_cbor_rd *rd, const char *field, double *out, rm_why *why)
{
	rm_buf re = RM_BUF_INIT;
	size_t start = rd->off, n;
	int64_t exp = -CAP_NUM_SCALE_DIGITS, mant;
	uint64_t tag;
	char s[64];
	int rv;

	if (rm_cbor_rd_peek(rd) == RM_CBOR_TAG) {
		if ((rv = rm_cbor_rd_tag(rd, &tag)) != RM_OK)
			return sch_dec_err(why, rv, field);
		if (tag != 4)
			return rm_fail(why, RM_EBADVALUE, "%s: tag %llu, only a "
			    "decimal fraction (4) is a number here", field,
			    (unsigned long long)tag);
		if ((rv = sch_dec_array(rd, field, &n, why)) != RM_OK)
			return rv;
		if (n != 2)
			return rm_fail(why, RM_EBADVALUE, "%s: decimal fraction "
			    "of %zu items", field, n);
		if ((rv = sch_dec_int(rd, field, &exp, why)) != RM_OK)
			return rv;
		if (exp < -40 || exp > 0)
			return rm_fail(why, RM_EBADVALUE, "%s: exponent %lld "
			    "out of range", field, (long long)exp);
	}
	if ((rv = sch_dec_int(rd, field, &mant, why)) != RM_OK)
		return rv;
	snprintf(s, sizeof(s), "%llde%lld", (long long)mant, (long long)exp);
	*out = strtod(s, NULL);
	if (*out > CAP_DECIMAL_ABS_MAX || *out < -CAP_DECIMAL_ABS_MAX)
		return rm_fail(why, RM_EBADVALUE, "%s: %s out of range", field,
		    s);
	re.limit = 64;
	rv = cap_num_encode(*out, &re);
	if (rv != RM_OK || re.len != rd->off - start ||
	    memcmp(re.data, rd->p + start, re.len) != 0)
		rv = rm_fail(why, RM_ENONCANON, "%s: number %s not in its "
		    "canonical form (integer millionths when exact, else the "
		    "shortest decimal fraction)", field, s);
	rm_buf_fini(&re);
	return rv;
}

static int
need(const char *s, const char *field, rm_why *why)
{
	if (s == NULL || s[0] == '\0')
		return rm_fail(why, RM_EMISSING, "%s: required", field);
	return RM_OK;
}

static bool
point_ok(const struct cap_point *p)
{
	return p->lat >= -90 && p->lat <= 90 && p->lon >= -180 &&
	    p->lon <= 180;
}

static int
check_area(const struct cap_area *ar, const char *f, rm_why *why)
{
	for (size_t k = 0; k < ar->n_polygon; k++) {
		const struct cap_polygon *pg = &ar->polygon[k];

		if (pg->n < 4 || pg->pts[0].lat != pg->pts[pg->n - 1].lat ||
		    pg->pts[0].lon != pg->pts[pg->n - 1].lon)
			return rm_fail(why, RM_EBADVALUE, "%s.polygon[%zu]: at "
			    "least 4 points, closed (CAP 1.2 §3.2.4)", f, k);
		for (size_t j = 0; j < pg->n; j++)
			if (!point_ok(&pg->pts[j]))
				return rm_fail(why, RM_EBADVALUE, "%s.polygon"
				    "[%zu][%zu]: out of range", f, k, j);
	}
	for (size_t k = 0; k < ar->n_circle; k++)
		if (!point_ok(&ar->circle[k].centre) ||
		    !(ar->circle[k].radius_km >= 0))
			return rm_fail(why, RM_EBADVALUE, "%s.circle[%zu]: centre "
			    "out of range or radius < 0 (CAP 1.2 §3.2.4)", f, k);
	if (ar->has_ceiling && !ar->has_altitude)
		return rm_fail(why, RM_EBADVALUE, "%s.ceiling: only with "
		    "altitude (CAP 1.2 §3.2.4)", f);
	return need(ar->desc, f, why);
}

static int
check_info(const struct cap_info *in, const char *f, rm_why *why)
{
	char g[2 * RM_WHY_FIELD_MAX];
	int rv;

	if (in->n_category == 0 || in->urgency == 0 || in->severity == 0 ||
	    in->certainty == 0)
		return rm_fail(why, RM_EMISSING, "%s: category, urgency, "
		    "severity and certainty are required (CAP 1.2 §3.2.2)", f);
	snprintf(g, sizeof(g), "%s.event", f);
	if ((rv = need(in->event, g, why)) != RM_OK)
		return rv;
	snprintf(g, sizeof(g), "%s.language", f);
	if ((rv = need(in->language, g, why)) != RM_OK)
		return rv;
	for (size_t j = 0; j < in->n_resource; j++) {
		snprintf(g, sizeof(g), "%s.resource[%zu]", f, j);
		if ((rv = need(in->resource[j].desc, g, why)) != RM_OK ||
		    (rv = need(in->resource[j].mime_type, g, why)) != RM_OK)
			return rv;
	}
	for (size_t j = 0; j < in->n_area; j++) {
		snprintf(g, sizeof(g), "%s.area[%zu]", f, j);
		if ((rv = check_area(&in->area[j], g, why)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

int
cap_model_check(const struct cap_alert *a, rm_why *why)
{
	char f[RM_WHY_FIELD_MAX];
	int rv;

	if (!cap_ident_ok(a->identifier) || !cap_ident_ok(a->sender))
		return rm_fail(why, RM_EBADVALUE, "cap.identifier, cap.sender: "
		    "required, without white space, ',', '<' or '&' (CAP 1.2 "
		    "§3.2.1)");
	if (!a->sent.set || a->status == 0 || a->msg_type == 0 ||
	    a->scope == 0)
		return rm_fail(why, RM_EMISSING, "cap: sent, status, msgType "
		    "and scope are required (CAP 1.2 §3.2.1)");
	if ((a->scope == CAP_SCOPE_RESTRICTED) != (a->restriction != NULL))
		return rm_fail(why, RM_EBADVALUE, "cap.restriction: with scope "
		    "Restricted only, and required there (CAP 1.2 §3.2.1)");
	if (a->scope == CAP_SCOPE_PRIVATE ? a->addresses == NULL :
	    a->scope == CAP_SCOPE_PUBLIC && a->addresses != NULL)
		return rm_fail(why, RM_EBADVALUE, "cap.addresses: required with "
		    "Private, refused with Public (CAP 1.2 §3.2.1)");
	for (size_t i = 0; i < a->n_ref; i++) {
		if (!cap_ident_ok(a->ref[i].sender) ||
		    !cap_ident_ok(a->ref[i].identifier))
			return rm_fail(why, RM_EBADVALUE, "cap.references[%zu]: "
			    "sender and identifier without white space, ',', "
			    "'<' or '&' (CAP 1.2 §3.2.1)", i);
		if (strcmp(a->ref[i].sender, a->sender) == 0 &&
		    strcmp(a->ref[i].identifier, a->identifier) == 0)
			return rm_fail(why, RM_EBADVALUE, "cap.references[%zu]: "
			    "names the message itself (CAP 1.2 §3.2.1)", i);
	}
	if ((a->msg_type == RM_MSGTYPE_UPDATE ||
	    a->msg_type == RM_MSGTYPE_CANCEL) && a->n_ref == 0)
		return rm_fail(why, RM_EMISSING, "cap.references: required with "
		    "msgType %s (CAP 1.2 §3.2.1)", cap_msgtype_name(a->msg_type));
	for (size_t i = 0; i < a->n_info; i++) {
		snprintf(f, sizeof(f), "cap.info[%zu]", i);
		if ((rv = check_info(&a->info[i], f, why)) != RM_OK)
			return rv;
	}
	return RM_OK;
}
