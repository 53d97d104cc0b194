/*
 * repr_emit.c -- struct rm_record -> the JSON alert shape of docs/API.md.
 */
#include <stdlib.h>
#include <string.h>

#include "node/repr/repr_int.h"

/* Set key to a new value; false if either allocation failed. */
static bool
put(json_t *o, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(o, key, v) == 0;
}

static json_t *
time_str(rm_utc_ms t)
{
	char s[32];

	rm_utc_format(t, s);
	return json_string(s);
}

bool
repr_put(json_t *o, const char *key, json_t *v)
{
	return put(o, key, v);
}

json_t *
repr_time(rm_utc_ms t)
{
	return time_str(t);
}

static json_t *
hash_str(const rm_hash *h)
{
	char s[65];

	rm_hash_hex(h, s);
	return json_string(s);
}

static json_t *
opt_str(const char *s)
{
	return s != NULL ? json_string(s) : NULL;
}

static json_t *
deg(int32_t udeg)
{
	return json_real((double)udeg / 1e6);
}

static json_t *
texts_array(const struct rm_alert *a)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < a->n_texts; i++) {
		const struct rm_alert_text *t = &a->texts[i];
		json_t *o = json_object();

		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto fail;
		if (!put(o, "lang", json_string(t->lang)) ||
		    !put(o, "event", json_string(t->event)) ||
		    !put(o, "headline", json_string(t->headline)))
			goto fail;
		if ((t->description != NULL &&
		    !put(o, "description", opt_str(t->description))) ||
		    (t->instruction != NULL &&
		    !put(o, "instruction", opt_str(t->instruction))) ||
		    (t->sender_name != NULL &&
		    !put(o, "sender_name", opt_str(t->sender_name))) ||
		    (t->area_desc != NULL &&
		    !put(o, "area_desc", opt_str(t->area_desc))))
			goto fail;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

static json_t *
categories_array(uint32_t cats)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (unsigned b = 0; b < 32; b++) {
		const char *n;

		if (!(cats & (1u << b)) ||
		    (n = cap_category_name(1u << b)) == NULL)
			continue;
		if (json_array_append_new(arr, json_string(n)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static bool
put_alert(json_t *o, const struct rm_alert *a)
{
	json_t *poly, *refs, *c;

	if (!put(o, "identifier", json_string(a->identifier)) ||
	    !put(o, "status", json_string(cap_status_name(a->status))) ||
	    !put(o, "msg_type", json_string(cap_msgtype_name(a->msg_type))) ||
	    !put(o, "categories", categories_array(a->categories)) ||
	    !put(o, "urgency", json_string(cap_urgency_name(a->urgency))) ||
	    !put(o, "severity", json_string(cap_severity_name(a->severity))) ||
	    !put(o, "certainty",
	        json_string(cap_certainty_name(a->certainty))) ||
	    !put(o, "grade", json_string(grade_name(a->grade))) ||
	    !put(o, "effective", time_str(a->effective_ms)) ||
	    !put(o, "texts", texts_array(a)))
		return false;
	if (a->n_polygon > 0) {
		if (!put(o, "polygon", poly = json_array()))
			return false;
		for (size_t i = 0; i < a->n_polygon; i++)
			if (json_array_append_new(poly, json_pack("[oo]",
			    deg(a->polygon[i].lat_udeg),
			    deg(a->polygon[i].lon_udeg))) != 0)
				return false;
	}
	if (a->has_circle) {
		c = json_pack("{s:o,s:o,s:I}",
		    "lat", deg(a->circle_centre.lat_udeg),
		    "lon", deg(a->circle_centre.lon_udeg),
		    "radius_m", (json_int_t)a->circle_radius_m);
		if (!put(o, "circle", c))
			return false;
	}
	if (a->n_references > 0) {
		if (!put(o, "references", refs = json_array()))
			return false;
		for (size_t i = 0; i < a->n_references; i++)
			if (json_array_append_new(refs,
			    json_string(a->references[i])) != 0)
				return false;
	}
	return true;
}

/* A risk (docs/API.md "The risk shape"): optional fields are absent. */
static bool
put_risk(json_t *o, const struct rm_risk *r)
{
	json_t *coop;

	if (!put(o, "name", json_string(r->name)) ||
	    !put(o, "category", json_string(risk_category_name(r->category))) ||
	    !put(o, "subcategory",
	        json_string(risk_subcategory_name(r->subcategory))) ||
	    !put(o, "grade", json_string(grade_name(r->grade))) ||
	    !put(o, "status", json_string(risk_status_name(r->status))))
		return false;
	if (r->reason != NULL && !put(o, "reason", json_string(r->reason)))
		return false;
	if (r->has_point && !put(o, "point", json_pack("{s:o,s:o}",
	    "lat", deg(r->point.lat_udeg), "lon", deg(r->point.lon_udeg))))
		return false;
	if (!put(o, "location", json_string(r->location)) ||
	    !put(o, "responsible", json_string(r->responsible)) ||
	    !put(o, "cooperating", coop = json_array()))
		return false;
	for (size_t i = 0; i < r->n_coop; i++)
		if (json_array_append_new(coop, json_string(r->coop[i])) != 0)
			return false;
	if (r->measures != NULL &&
	    !put(o, "measures", json_string(r->measures)))
		return false;
	return put(o, "review", json_string(r->review));
}

json_t *
repr_record_object(const struct rm_record *rec, const rm_hash *hash)
{
	json_t *o = json_object(), *areas;

	if (o == NULL)
		return NULL;
	if (hash != NULL && !put(o, "hash", hash_str(hash)))
		goto fail;
	if (!put(o, "kind", json_string(rec->kind->name)) ||
	    !put(o, "origin", json_string(rec->origin)) ||
	    !put(o, "object_id", json_string(rec->object_id)) ||
	    !put(o, "ver", json_integer((json_int_t)rec->ver)) ||
	    !put(o, "seq", json_integer((json_int_t)rec->seq)) ||
	    !put(o, "issued", time_str(rec->issued_ms)))
		goto fail;
	if (rec->expires_ms != 0 && !put(o, "expires", time_str(rec->expires_ms)))
		goto fail;
	if (!put(o, "areas", areas = json_array()))
		goto fail;
	for (size_t i = 0; i < rec->n_areas; i++)
		if (json_array_append_new(areas, json_string(rec->areas[i])) != 0)
			goto fail;
	if (rec->has_prev && !put(o, "prev", hash_str(&rec->prev)))
		goto fail;
	if (rec->has_supersedes &&
	    !put(o, "supersedes", hash_str(&rec->supersedes)))
		goto fail;
	if (record_restricted(rec)) {
		json_t *to;

		if (!put(o, "restricted", json_true()) ||
		    !put(o, "to", to = json_array()))
			goto fail;
		for (size_t i = 0; i < rec->n_to; i++)
			if (json_array_append_new(to,
			    json_string(rec->to[i])) != 0)
				goto fail;
	}
	if (record_alert(rec) != NULL && !put_alert(o, record_alert(rec)))
		goto fail;
	if (record_risk(rec) != NULL && !put_risk(o, record_risk(rec)))
		goto fail;
	if (rec->body != NULL && !repr_task_fields(o, rec))
		goto fail;
	if (record_proposal(rec) != NULL &&
	    !repr_put_proposal(o, record_proposal(rec)))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

int
repr_dump_buf(const json_t *v, unsigned flags, rm_buf *out)
{
	size_t jflags = JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER;
	char *s;
	int rv;

	if (flags & REPR_PRETTY)
		jflags |= JSON_INDENT(2);
	else
		jflags |= JSON_COMPACT;
	if ((s = json_dumps(v, jflags)) == NULL)
		return RM_ENOMEM;
	rv = rm_buf_append(out, s, strlen(s));
	free(s);
	return rv;
}

int
repr_record_dump(const struct rm_record *rec, const rm_hash *hash,
    unsigned flags, rm_buf *out)
{
	json_t *o = repr_record_object(rec, hash);
	int rv;

	if (o == NULL)
		return RM_ENOMEM;
	rv = repr_dump_buf(o, flags, out);
	json_decref(o);
	return rv;
}
