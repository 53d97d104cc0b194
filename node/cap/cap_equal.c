/*
 * cap_equal.c -- are two CAP alerts the same document? Field by field,
 * naming the first difference by its element path (round-trip tests,
 * the fuzz target, and later the check that every node exports the
 * same CAP document).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node/cap/cap_int.h"

struct eq {
	rm_why *why;
	bool differ;
	char path[RM_WHY_FIELD_MAX];
};

static bool
diff(struct eq *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the first difference at path fmt...; returns true. */
static bool
diff(struct eq *e, const char *fmt, ...)
{
	va_list ap;

	if (e->differ)
		return true;
	e->differ = true;
	va_start(ap, fmt);
	vsnprintf(e->path, sizeof(e->path), fmt, ap);
	va_end(ap);
	return true;
}

/* "p/name[i]", cut at n - 1 bytes. */
static void
subpath(char *q, size_t n, const char *p, const char *name, size_t i)
{
	if (snprintf(q, n, "%s/%s[%zu]", p, name, i) < 0)
		q[0] = '\0';
}

static bool
str_ne(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

static bool
time_ne(const struct cap_time *a, const struct cap_time *b)
{
	return a->set != b->set || (a->set && (a->at_ms != b->at_ms ||
	    a->offset_min != b->offset_min));
}

static bool
pairs_ne(const struct cap_pair *a, size_t na, const struct cap_pair *b,
    size_t nb)
{
	if (na != nb)
		return true;
	for (size_t i = 0; i < na; i++)
		if (str_ne(a[i].name, b[i].name) ||
		    str_ne(a[i].value, b[i].value))
			return true;
	return false;
}

static void
area_eq(struct eq *e, const char *p, const struct cap_area *a,
    const struct cap_area *b)
{
	if (str_ne(a->desc, b->desc))
		diff(e, "%s/areaDesc", p);
	if (a->n_polygon != b->n_polygon)
		diff(e, "%s/polygon", p);
	for (size_t i = 0; !e->differ && i < a->n_polygon; i++) {
		if (a->polygon[i].n != b->polygon[i].n)
			diff(e, "%s/polygon[%zu]", p, i);
		for (size_t k = 0; !e->differ && k < a->polygon[i].n; k++)
			if (a->polygon[i].pts[k].lat != b->polygon[i].pts[k].lat ||
			    a->polygon[i].pts[k].lon != b->polygon[i].pts[k].lon)
				diff(e, "%s/polygon[%zu] vertex %zu", p, i, k);
	}
	if (a->n_circle != b->n_circle)
		diff(e, "%s/circle", p);
	for (size_t i = 0; !e->differ && i < a->n_circle; i++)
		if (a->circle[i].centre.lat != b->circle[i].centre.lat ||
		    a->circle[i].centre.lon != b->circle[i].centre.lon ||
		    a->circle[i].radius_km != b->circle[i].radius_km)
			diff(e, "%s/circle[%zu]", p, i);
	if (pairs_ne(a->geocode, a->n_geocode, b->geocode, b->n_geocode))
		diff(e, "%s/geocode", p);
	if (a->has_altitude != b->has_altitude ||
	    (a->has_altitude && a->altitude != b->altitude))
		diff(e, "%s/altitude", p);
	if (a->has_ceiling != b->has_ceiling ||
	    (a->has_ceiling && a->ceiling != b->ceiling))
		diff(e, "%s/ceiling", p);
}

static void
resource_eq(struct eq *e, const char *p, const struct cap_resource *a,
    const struct cap_resource *b)
{
	if (str_ne(a->desc, b->desc) || str_ne(a->mime_type, b->mime_type) ||
	    a->has_size != b->has_size || a->size != b->size ||
	    str_ne(a->uri, b->uri) || str_ne(a->deref_uri, b->deref_uri) ||
	    str_ne(a->digest, b->digest))
		diff(e, "%s", p);
}

static void
info_eq(struct eq *e, const char *p, const struct cap_info *a,
    const struct cap_info *b)
{
	char q[RM_WHY_FIELD_MAX];

	if (str_ne(a->language, b->language))
		diff(e, "%s/language", p);
	if (a->n_category != b->n_category || (a->n_category > 0 &&
	    memcmp(a->category, b->category,
	    a->n_category * sizeof(*a->category)) != 0))
		diff(e, "%s/category", p);
	if (str_ne(a->event, b->event))
		diff(e, "%s/event", p);
	if (a->n_response != b->n_response || (a->n_response > 0 &&
	    memcmp(a->response, b->response,
	    a->n_response * sizeof(*a->response)) != 0))
		diff(e, "%s/responseType", p);
	if (a->urgency != b->urgency)
		diff(e, "%s/urgency", p);
	if (a->severity != b->severity)
		diff(e, "%s/severity", p);
	if (a->certainty != b->certainty)
		diff(e, "%s/certainty", p);
	if (str_ne(a->audience, b->audience))
		diff(e, "%s/audience", p);
	if (pairs_ne(a->event_code, a->n_event_code, b->event_code,
	    b->n_event_code))
		diff(e, "%s/eventCode", p);
	if (time_ne(&a->effective, &b->effective))
		diff(e, "%s/effective", p);
	if (time_ne(&a->onset, &b->onset))
		diff(e, "%s/onset", p);
	if (time_ne(&a->expires, &b->expires))
		diff(e, "%s/expires", p);
	if (str_ne(a->sender_name, b->sender_name))
		diff(e, "%s/senderName", p);
	if (str_ne(a->headline, b->headline))
		diff(e, "%s/headline", p);
	if (str_ne(a->description, b->description))
		diff(e, "%s/description", p);
	if (str_ne(a->instruction, b->instruction))
		diff(e, "%s/instruction", p);
	if (str_ne(a->web, b->web))
		diff(e, "%s/web", p);
	if (str_ne(a->contact, b->contact))
		diff(e, "%s/contact", p);
	if (pairs_ne(a->parameter, a->n_parameter, b->parameter,
	    b->n_parameter) || a->grade != b->grade)
		diff(e, "%s/parameter", p);
	if (a->n_resource != b->n_resource)
		diff(e, "%s/resource", p);
	for (size_t i = 0; !e->differ && i < a->n_resource; i++) {
		subpath(q, sizeof(q), p, "resource", i);
		resource_eq(e, q, &a->resource[i], &b->resource[i]);
	}
	if (a->n_area != b->n_area)
		diff(e, "%s/area", p);
	for (size_t i = 0; !e->differ && i < a->n_area; i++) {
		subpath(q, sizeof(q), p, "area", i);
		area_eq(e, q, &a->area[i], &b->area[i]);
	}
}

static void
alert_eq(struct eq *e, const struct cap_alert *a, const struct cap_alert *b)
{
	char q[RM_WHY_FIELD_MAX];

	if (str_ne(a->identifier, b->identifier))
		diff(e, "alert/identifier");
	if (str_ne(a->sender, b->sender))
		diff(e, "alert/sender");
	if (time_ne(&a->sent, &b->sent))
		diff(e, "alert/sent");
	if (a->status != b->status)
		diff(e, "alert/status");
	if (a->msg_type != b->msg_type)
		diff(e, "alert/msgType");
	if (str_ne(a->source, b->source))
		diff(e, "alert/source");
	if (a->scope != b->scope)
		diff(e, "alert/scope");
	if (str_ne(a->restriction, b->restriction))
		diff(e, "alert/restriction");
	if (str_ne(a->addresses, b->addresses))
		diff(e, "alert/addresses");
	if (a->n_code != b->n_code)
		diff(e, "alert/code");
	for (size_t i = 0; i < a->n_code && i < b->n_code; i++)
		if (str_ne(a->code[i], b->code[i]))
			diff(e, "alert/code[%zu]", i);
	if (str_ne(a->note, b->note))
		diff(e, "alert/note");
	if (a->n_ref != b->n_ref)
		diff(e, "alert/references");
	for (size_t i = 0; i < a->n_ref && i < b->n_ref; i++)
		if (str_ne(a->ref[i].sender, b->ref[i].sender) ||
		    str_ne(a->ref[i].identifier, b->ref[i].identifier) ||
		    time_ne(&a->ref[i].sent, &b->ref[i].sent))
			diff(e, "alert/references");
	if (str_ne(a->incidents, b->incidents))
		diff(e, "alert/incidents");
	if (a->n_info != b->n_info)
		diff(e, "alert/info");
	for (size_t i = 0; !e->differ && i < a->n_info; i++) {
		subpath(q, sizeof(q), "alert", "info", i);
		info_eq(e, q, &a->info[i], &b->info[i]);
	}
}

int
cap_alert_equal(const struct cap_alert *a, const struct cap_alert *b,
    rm_why *why)
{
	struct eq e;

	memset(&e, 0, sizeof(e));
	e.why = why;
	alert_eq(&e, a, b);
	if (!e.differ)
		return RM_OK;
	if (why != NULL) {
		snprintf(why->field, sizeof(why->field), "%s", e.path);
		snprintf(why->msg, sizeof(why->msg), "%s: differs", e.path);
	}
	return RM_EBADVALUE;
}
