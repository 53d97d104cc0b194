/*
 * cap_core.c -- the core of an alert record that a CAP 1.2 model gives
 * (cap_model_core: what is kept and what not is listed in node/cap/cap.h,
 * cap_to_alert), and the alert kind's check that a record carrying its
 * CAP model ("cap") agrees with it (sch_alert_cap_agrees).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/cap_int.h"

static char *
dup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

/* Every GB/T2260 geocode of every area, unique, in order. */
static int
areas(const struct cap_alert *c, struct rm_record *r, rm_why *why)
{
	for (size_t i = 0; i < c->n_info; i++)
		for (size_t j = 0; j < c->info[i].n_area; j++) {
			const struct cap_area *ar = &c->info[i].area[j];

			for (size_t k = 0; k < ar->n_geocode; k++) {
				const char *v = ar->geocode[k].value;
				size_t m;

				if (strcmp(ar->geocode[k].name,
				    CAP_GEOCODE_AREA) != 0)
					continue;
				if (!area_code_valid(v) || strlen(v) >
				    RM_AREA_CODE_MAX)
					return rm_fail_at(why, RM_EBADVALUE,
					    "alert/info", "info[%zu] area[%zu] "
					    "geocode \"%.20s\" is not a GB/T 2260 "
					    "area code", i, j, v);
				/* sorted by strcmp, unique (record.cddl) */
				for (m = 0; m < r->n_areas &&
				    strcmp(r->areas[m], v) < 0; m++)
					;
				if (m < r->n_areas &&
				    strcmp(r->areas[m], v) == 0)
					continue;
				if (r->n_areas == RM_AREAS_MAX)
					return rm_fail_at(why, RM_ETOOBIG,
					    "alert/info", "more than %d area "
					    "codes", RM_AREAS_MAX);
				memmove(r->areas[m + 1], r->areas[m],
				    (r->n_areas - m) * sizeof(r->areas[0]));
				snprintf(r->areas[m], sizeof(r->areas[0]),
				    "%s", v);
				r->n_areas++;
			}
		}
	if (r->n_areas == 0)
		return rm_fail_at(why, RM_EMISSING, "alert/info", "no area "
		    "geocode " CAP_GEOCODE_AREA " (a record needs its area "
		    "codes)");
	return RM_OK;
}

/* The first polygon (if it has at most RM_ALERT_POLYGON_MAX points)
 * and the first circle of info[0]. */
static int
geometry(const struct cap_info *in, struct rm_alert *a, rm_why *why)
{
	const struct cap_polygon *pg = NULL;
	const struct cap_circle *ci = NULL;

	for (size_t j = 0; j < in->n_area; j++) {
		if (pg == NULL && in->area[j].n_polygon > 0)
			pg = &in->area[j].polygon[0];
		if (ci == NULL && in->area[j].n_circle > 0)
			ci = &in->area[j].circle[0];
	}
	/* An outline longer than the core holds stays whole in the CAP
	 * model only; the core then has no polygon (devices use the areas
	 * and the circle). */
	if (pg != NULL && pg->n <= RM_ALERT_POLYGON_MAX) {
		if ((a->polygon = calloc(pg->n, sizeof(*a->polygon))) == NULL)
			return RM_ENOMEM;
		for (size_t k = 0; k < pg->n; k++) {
			a->polygon[k].lat_udeg = (int32_t)llround(pg->pts[k].lat *
			    1e6);
			a->polygon[k].lon_udeg = (int32_t)llround(pg->pts[k].lon *
			    1e6);
		}
		a->n_polygon = pg->n;
	}
	if (ci != NULL) {
		if (ci->radius_km * 1000 < 1 || ci->radius_km > 20000)
			return rm_fail_at(why, RM_EBADVALUE, "alert/info",
			    "circle radius %g km: the alert kind holds 1 m .. "
			    "20000 km", ci->radius_km);
		a->has_circle = true;
		a->circle_centre.lat_udeg = (int32_t)llround(ci->centre.lat * 1e6);
		a->circle_centre.lon_udeg = (int32_t)llround(ci->centre.lon * 1e6);
		a->circle_radius_m = (uint32_t)llround(ci->radius_km * 1000);
	}
	return RM_OK;
}

static int
texts(const struct cap_alert *c, struct rm_alert *a, rm_why *why)
{
	if (c->n_info > RM_ALERT_TEXTS_MAX)
		return rm_fail_at(why, RM_ETOOBIG, "alert/info", "%zu info "
		    "blocks, the alert kind holds %d", c->n_info,
		    RM_ALERT_TEXTS_MAX);
	if ((a->texts = calloc(c->n_info, sizeof(*a->texts))) == NULL)
		return RM_ENOMEM;
	a->n_texts = c->n_info;
	for (size_t i = 0; i < c->n_info; i++) {
		const struct cap_info *in = &c->info[i];
		struct rm_alert_text *t = &a->texts[i];

		for (size_t k = 0; k < in->n_category; k++)
			a->categories |= in->category[k];
		if (in->grade != 0 && a->grade != 0 && in->grade != a->grade)
			return rm_fail_at(why, RM_EBADVALUE, "alert/info",
			    "info[%zu] grade %s differs from %s", i,
			    grade_name(in->grade), grade_name(a->grade));
		if (in->grade != 0)
			a->grade = in->grade;
		t->lang = dup(in->language);
		t->event = dup(in->event);
		t->headline = dup(in->headline ? in->headline : in->event);
		t->description = dup(in->description);
		t->instruction = dup(in->instruction);
		t->sender_name = dup(in->sender_name);
		t->area_desc = dup(in->n_area ? in->area[0].desc : NULL);
		if (t->lang == NULL || t->event == NULL || t->headline == NULL)
			return RM_ENOMEM;
	}
	if (a->grade == 0)
		return rm_fail_at(why, RM_EMISSING, "alert/info", "no grade "
		    "parameter (riskmesh needs the colour grade: valueName "
		    CAP_GRADE_NAME ")");
	return RM_OK;
}

static int
refs(const struct cap_alert *c, struct rm_alert *a)
{
	char t[32];

	if (c->n_ref == 0)
		return RM_OK;
	if ((a->references = calloc(c->n_ref, sizeof(char *))) == NULL)
		return RM_ENOMEM;
	a->n_references = c->n_ref;
	for (size_t i = 0; i < c->n_ref; i++) {
		size_t n;

		cap_time_format(&c->ref[i].sent, t);
		n = strlen(c->ref[i].sender) + strlen(c->ref[i].identifier) +
		    strlen(t) + 3;
		if ((a->references[i] = malloc(n)) == NULL)
			return RM_ENOMEM;
		snprintf(a->references[i], n, "%s,%s,%s", c->ref[i].sender,
		    c->ref[i].identifier, t);
	}
	return RM_OK;
}

/* The core of base's alert as a new heap body (a deep copy through
 * its own encoding), without its CAP model. */
static int
core_copy(const struct rm_record *base, struct rm_record *r, rm_why *why)
{
	const struct rm_alert *ba = base != NULL ? record_alert(base) : NULL;
	struct rm_alert *a = r->body;
	rm_buf b = RM_BUF_INIT;
	rm_cbor_rd rd;
	int rv;

	if (ba == NULL)
		return rm_fail_at(why, RM_EMISSING, "alert/info", "a message "
		    "without <info> needs the alert it follows (the alert "
		    "kind needs texts, grade and areas)");
	if ((rv = sch_alert_encode(ba, &b)) == RM_OK) {
		rm_cbor_rd_init(&rd, b.data, b.len);
		rv = sch_alert_decode_rd(&rd, a, why);
	}
	rm_buf_fini(&b);
	if (rv != RM_OK)
		return rv;
	if (a->cap != NULL) {
		cap_alert_fini(a->cap);
		free(a->cap);
		a->cap = NULL;
	}
	for (size_t i = 0; i < a->n_references; i++)
		free(a->references[i]);
	free(a->references);
	a->references = NULL;
	a->n_references = 0;
	free(a->identifier);
	a->identifier = NULL;
	r->n_areas = base->n_areas;
	memcpy(r->areas, base->areas, sizeof(r->areas));
	r->expires_ms = base->expires_ms;
	return RM_OK;
}

int
cap_model_core(const struct cap_alert *c, const struct rm_record *base,
    struct rm_record *out, rm_why *why)
{
	struct rm_record r;
	struct rm_alert *a;
	int rv;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	if (c->sender == NULL || strlen(c->sender) > RM_AGENCY_ID_MAX ||
	    !agency_id_valid(c->sender))
		return rm_fail_at(why, RM_EBADVALUE, "alert/sender", "\"%.64s\" "
		    "is not an agency id (%s)", c->sender ? c->sender : "",
		    RM_AGENCY_ID_RULE);
	r.schema_version = RM_SCHEMA_VERSION;
	r.kind = &rm_kind_alert;
	snprintf(r.origin, sizeof(r.origin), "%s", c->sender);
	if ((a = r.body = calloc(1, sizeof(*a))) == NULL) {
		rv = RM_ENOMEM;
		goto fail;
	}
	if (c->n_info == 0) {
		if ((rv = core_copy(base, &r, why)) != RM_OK)
			goto fail;
	} else {
		a->urgency = c->info[0].urgency;
		a->severity = c->info[0].severity;
		a->certainty = c->info[0].certainty;
		a->effective_ms = c->info[0].effective.set ?
		    c->info[0].effective.at_ms : c->sent.at_ms;
		for (size_t i = 0; i < c->n_info; i++)
			if (c->info[i].expires.set &&
			    c->info[i].expires.at_ms > r.expires_ms)
				r.expires_ms = c->info[i].expires.at_ms;
		if ((rv = texts(c, a, why)) != RM_OK ||
		    (rv = geometry(&c->info[0], a, why)) != RM_OK ||
		    (rv = areas(c, &r, why)) != RM_OK)
			goto fail;
	}
	a->status = c->status;
	a->msg_type = c->msg_type;
	if ((a->identifier = dup(c->identifier)) == NULL) {
		rv = RM_ENOMEM;
		goto fail;
	}
	/* ver, seq: any valid value for the check; the caller numbers */
	r.ver = r.seq = 1;
	if ((rv = refs(c, a)) != RM_OK ||
	    (rv = r.kind->validate(&r, why)) != RM_OK)
		goto fail;
	r.ver = r.seq = 0;
	*out = r;
	return RM_OK;
fail:
	if (rv == RM_ENOMEM)
		rm_fail(why, RM_ENOMEM, "out of memory");
	record_fini(&r);
	return rv;
}

/* The core fields of rec's body as CBOR, without "cap". */
static int
core_bytes(const struct rm_alert *a, rm_buf *out)
{
	struct rm_alert copy = *a;

	copy.cap = NULL;
	return sch_alert_encode(&copy, out);
}

int
sch_alert_cap_agrees(const struct rm_record *rec, const struct rm_record *base,
    rm_why *why)
{
	const struct rm_alert *a = rec->body;
	struct rm_record d;
	rm_why w = { "", "" };
	rm_buf x = RM_BUF_INIT, y = RM_BUF_INIT;
	int rv;

	if (strcmp(a->cap->sender, rec->origin) != 0)
		return rm_fail(why, RM_EBADVALUE, "alert.cap.sender: \"%.64s\" "
		    "is not the record's origin %s (the CAP sender is the "
		    "signing agency)", a->cap->sender, rec->origin);
	if (strcmp(a->cap->identifier, a->identifier) != 0)
		return rm_fail(why, RM_EBADVALUE, "alert.cap.identifier: "
		    "differs from alert.id");
	if (a->cap->n_info == 0 && base == NULL) {
		/* checked against the version it follows by the issuer; a
		 * reader without it checks what the message itself says */
		if (a->status != a->cap->status ||
		    a->msg_type != a->cap->msg_type)
			return rm_fail(why, RM_EBADVALUE, "alert.cap: status or "
			    "msgType differ from the core");
		return RM_OK;
	}
	if ((rv = cap_model_core(a->cap, base, &d, &w)) != RM_OK)
		return rm_fail(why, rv, "alert.cap: %s", w.msg);
	if ((rv = core_bytes(a, &x)) == RM_OK)
		rv = core_bytes(d.body, &y);
	if (rv == RM_OK && (x.len != y.len ||
	    memcmp(x.data, y.data, x.len) != 0))
		rv = rm_fail(why, RM_EBADVALUE, "alert.cap: the core fields "
		    "differ from what the CAP message gives (cap_model_core)");
	else if (rv == RM_OK && (rec->n_areas != d.n_areas ||
	    memcmp(rec->areas, d.areas, sizeof(rec->areas[0]) *
	    rec->n_areas) != 0))
		rv = rm_fail(why, RM_EBADVALUE, "areas: differ from the CAP "
		    "message's GB/T2260 geocodes");
	else if (rv == RM_OK && rec->expires_ms != d.expires_ms)
		rv = rm_fail(why, RM_EBADVALUE, "expires: differs from the CAP "
		    "message's latest <expires>");
	rm_buf_fini(&x);
	rm_buf_fini(&y);
	record_fini(&d);
	return rv;
}
