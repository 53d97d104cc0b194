/*
 * cap_export.c -- cap_from_alert: a record of kind alert as a CAP 1.2
 * alert: the message it carries ("cap"), else the inverse of
 * cap_to_alert for what the kind keeps.
 */
#include <stdio.h>
#include <string.h>

#include "node/cap/cap_int.h"

#define DUP(c, s) ((s) == NULL ? NULL : cap_strndup((c)->a, (s), strlen(s)))

/* "sender,identifier,sent" as stored; a time without a CAP offset (a
 * JSON client may write "Z") gets offset_min. */
static int
ref(struct cap_ctx *c, const char *s, int offset_min, struct cap_ref *r)
{
	char *t = DUP(c, s), *c1, *c2;
	struct cap_ctx quiet = *c;
	rm_utc_ms at;

	if (t == NULL)
		return RM_ENOMEM;
	if ((c1 = strchr(t, ',')) == NULL || (c2 = strchr(c1 + 1, ',')) == NULL)
		return rm_fail_at(c->why, RM_EINVAL, "references", "\"%.60s\" "
		    "is not sender,identifier,sent", s);
	*c1 = *c2 = '\0';
	r->sender = t;
	r->identifier = c1 + 1;
	quiet.why = NULL;
	if (cap_time_parse(&quiet, c2 + 1, &r->sent) == RM_OK)
		return RM_OK;
	if (rm_utc_parse(c2 + 1, &at) != RM_OK)
		return rm_fail_at(c->why, RM_EINVAL, "references", "\"%.60s\": "
		    "bad time", s);
	r->sent = (struct cap_time){ true, at / 1000 * 1000,
		(int16_t)offset_min };
	return RM_OK;
}

static int
area(struct cap_ctx *c, const struct rm_record *rec, const struct rm_alert *a,
    const struct rm_alert_text *t, struct cap_area *ar)
{
	struct cap_alert *o = c->a;

	ar->desc = DUP(c, t->area_desc ? t->area_desc : rec->areas[0]);
	ar->polygon = cap_alloc(o, 1, sizeof(*ar->polygon));
	ar->circle = cap_alloc(o, 1, sizeof(*ar->circle));
	ar->geocode = cap_alloc(o, rec->n_areas, sizeof(*ar->geocode));
	if (ar->desc == NULL || ar->polygon == NULL || ar->circle == NULL ||
	    ar->geocode == NULL)
		return RM_ENOMEM;
	if (a->n_polygon > 0) {
		struct cap_polygon *p = ar->polygon;

		if ((p->pts = cap_alloc(o, a->n_polygon, sizeof(*p->pts))) ==
		    NULL)
			return RM_ENOMEM;
		for (p->n = 0; p->n < a->n_polygon; p->n++) {
			p->pts[p->n].lat = a->polygon[p->n].lat_udeg / 1e6;
			p->pts[p->n].lon = a->polygon[p->n].lon_udeg / 1e6;
		}
		ar->n_polygon = 1;
	}
	if (a->has_circle) {
		ar->circle->centre.lat = a->circle_centre.lat_udeg / 1e6;
		ar->circle->centre.lon = a->circle_centre.lon_udeg / 1e6;
		ar->circle->radius_km = a->circle_radius_m / 1000.0;
		ar->n_circle = 1;
	}
	for (; ar->n_geocode < rec->n_areas; ar->n_geocode++) {
		struct cap_pair *g = &ar->geocode[ar->n_geocode];

		g->name = DUP(c, CAP_GEOCODE_AREA);
		g->value = DUP(c, rec->areas[ar->n_geocode]);
		if (g->name == NULL || g->value == NULL)
			return RM_ENOMEM;
	}
	return RM_OK;
}

static int
info(struct cap_ctx *c, const struct rm_record *rec, const struct rm_alert *a,
    const struct rm_alert_text *t, int16_t off, struct cap_info *in)
{
	struct cap_alert *o = c->a;
	size_t n = 0;

	in->language = DUP(c, t->lang);
	in->category = cap_alloc(o, 32, sizeof(*in->category));
	in->parameter = cap_alloc(o, 1, sizeof(*in->parameter));
	in->area = cap_alloc(o, 1, sizeof(*in->area));
	if (in->language == NULL || in->category == NULL ||
	    in->parameter == NULL || in->area == NULL)
		return RM_ENOMEM;
	for (uint32_t bit = 1; bit != 0; bit <<= 1)
		if ((a->categories & bit) && cap_category_name(bit) != NULL)
			in->category[n++] = bit;
	in->n_category = n;
	in->urgency = a->urgency;
	in->severity = a->severity;
	in->certainty = a->certainty;
	in->effective = (struct cap_time){ true, a->effective_ms / 1000 * 1000,
		off };
	if (rec->expires_ms != 0)
		in->expires = (struct cap_time){ true,
			rec->expires_ms / 1000 * 1000, off };
	in->event = DUP(c, t->event);
	in->headline = DUP(c, t->headline);
	in->description = DUP(c, t->description);
	in->instruction = DUP(c, t->instruction);
	in->sender_name = DUP(c, t->sender_name);
	in->parameter->name = DUP(c, CAP_GRADE_NAME);
	in->parameter->value = DUP(c, grade_name(a->grade));
	in->n_parameter = 1;
	in->grade = a->grade;
	in->n_area = 1;
	if (in->event == NULL || in->parameter->name == NULL ||
	    in->parameter->value == NULL)
		return RM_ENOMEM;
	return area(c, rec, a, t, in->area);
}

/* A deep copy of the model carried by a record (through its CBOR
 * form, which also checks it). */
static int
cap_copy(const struct cap_alert *m, struct cap_alert *out, rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	int rv;

	if ((rv = cap_model_encode(m, &b)) == RM_OK)
		rv = cap_model_decode(b.data, b.len, out, why);
	else
		rv = rm_fail(why, rv, "cannot copy the CAP message: %s",
		    rm_strerror(rv));
	rm_buf_fini(&b);
	return rv;
}

int
cap_from_alert(const struct rm_record *rec, int offset_min,
    struct cap_alert *out, rm_why *why)
{
	const struct rm_alert *a = rec ? record_alert(rec) : NULL;
	struct cap_ctx c;
	int rv = RM_OK;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.a = out;
	c.why = why;
	if (a == NULL)
		return rm_fail(why, RM_EINVAL, "not a readable alert record");
	if (a->cap != NULL)
		return cap_copy(a->cap, out, why);
	if (offset_min < -1439 || offset_min > 1439)
		return rm_fail(why, RM_EINVAL, "offset %d minutes out of range",
		    offset_min);
	out->identifier = DUP(&c, a->identifier);
	out->sender = DUP(&c, rec->origin);
	out->sent = (struct cap_time){ true, rec->issued_ms / 1000 * 1000,
		(int16_t)offset_min };
	out->status = a->status;
	out->msg_type = a->msg_type;
	out->scope = CAP_SCOPE_PUBLIC;
	out->ref = cap_alloc(out, a->n_references, sizeof(*out->ref));
	out->info = cap_alloc(out, a->n_texts, sizeof(*out->info));
	if (out->identifier == NULL || out->sender == NULL ||
	    out->ref == NULL || out->info == NULL)
		rv = RM_ENOMEM;
	for (; rv == RM_OK && out->n_ref < a->n_references; out->n_ref++)
		rv = ref(&c, a->references[out->n_ref], offset_min,
		    &out->ref[out->n_ref]);
	for (; rv == RM_OK && out->n_info < a->n_texts; out->n_info++)
		rv = info(&c, rec, a, &a->texts[out->n_info],
		    (int16_t)offset_min, &out->info[out->n_info]);
	if (rv == RM_ENOMEM)
		rm_fail(why, rv, "out of memory");
	if (rv != RM_OK)
		cap_alert_fini(out);
	return rv;
}
