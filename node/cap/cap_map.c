/*
 * cap_map.c -- between a CAP alert and a record of kind alert
 * (schemas/alert.cddl): what is kept and what not is listed in cap.h
 * (cap_to_alert); cap_from_alert writes the record back as CAP.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap_int.h"

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
				for (m = 0; m < r->n_areas &&
				    strcmp(r->areas[m], v) != 0; m++)
					;
				if (m < r->n_areas)
					continue;
				if (r->n_areas == RM_AREAS_MAX)
					return rm_fail_at(why, RM_ETOOBIG,
					    "alert/info", "more than %d area "
					    "codes", RM_AREAS_MAX);
				snprintf(r->areas[r->n_areas++],
				    sizeof(r->areas[0]), "%s", v);
			}
		}
	if (r->n_areas == 0)
		return rm_fail_at(why, RM_EMISSING, "alert/info", "no area "
		    "geocode " CAP_GEOCODE_AREA " (a record needs its area "
		    "codes)");
	return RM_OK;
}

/* The first polygon and the first circle of info[0]. */
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
	if (pg != NULL) {
		if (pg->n > RM_ALERT_POLYGON_MAX)
			return rm_fail_at(why, RM_ETOOBIG, "alert/info",
			    "polygon of %zu points, the alert kind holds %d",
			    pg->n, RM_ALERT_POLYGON_MAX);
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

int
cap_to_alert(const struct cap_alert *c, struct rm_record *out, rm_why *why)
{
	struct rm_record r;
	struct rm_alert *a;
	int rv;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	if (c->n_info == 0)
		return rm_fail_at(why, RM_EMISSING, "alert/info", "the alert "
		    "kind needs at least one <info>");
	if (c->sender == NULL || strlen(c->sender) > RM_AGENCY_ID_MAX ||
	    !agency_id_valid(c->sender))
		return rm_fail_at(why, RM_EBADVALUE, "alert/sender", "\"%.64s\" "
		    "is not an agency id (%s)", c->sender ? c->sender : "",
		    RM_AGENCY_ID_RULE);
	r.schema_version = RM_SCHEMA_VERSION;
	r.kind = &rm_kind_alert;
	snprintf(r.origin, sizeof(r.origin), "%s", c->sender);
	if ((a = r.body = calloc(1, sizeof(*a))) == NULL ||
	    (a->identifier = dup(c->identifier)) == NULL) {
		rv = RM_ENOMEM;
		goto fail;
	}
	a->status = c->status;
	a->msg_type = c->msg_type;
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
	    (rv = refs(c, a)) != RM_OK || (rv = areas(c, &r, why)) != RM_OK ||
	    (rv = r.kind->validate(&r, why)) != RM_OK)
		goto fail;
	*out = r;
	return RM_OK;
fail:
	if (rv == RM_ENOMEM)
		rm_fail(why, RM_ENOMEM, "out of memory");
	record_fini(&r);
	return rv;
}
