/*
 * cap_write.c -- a CAP 1.2 document from the model, with libxml2's
 * xmlTextWriter: UTF-8, the schema's element order (CAP 1.2 §3.2),
 * times in their own offset, numbers as the shortest decimal that reads
 * back the same.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "node/cap/cap_int.h"

struct wr {
	xmlTextWriterPtr w;
	bool bad;                  /* libxml2 failed (memory) */
	const char *missing;       /* a required value absent */
};

static void
start(struct wr *w, const char *name)
{
	if (xmlTextWriterStartElement(w->w, BAD_CAST name) < 0)
		w->bad = true;
}

static void
end(struct wr *w)
{
	if (xmlTextWriterEndElement(w->w) < 0)
		w->bad = true;
}

/* <name>s</name> if s is set; a required one missing is remembered. */
static void
text(struct wr *w, const char *name, const char *s, bool required)
{
	if (s == NULL) {
		if (required && w->missing == NULL)
			w->missing = name;
		return;
	}
	if (xmlTextWriterWriteElement(w->w, BAD_CAST name, BAD_CAST s) < 0)
		w->bad = true;
}

static void
when(struct wr *w, const char *name, const struct cap_time *t)
{
	char s[32];

	if (!t->set)
		return;
	cap_time_format(t, s);
	text(w, name, s, true);
}

static void
pair(struct wr *w, const char *name, const struct cap_pair *p)
{
	start(w, name);
	text(w, "valueName", p->name, true);
	text(w, "value", p->value, true);
	end(w);
}

static void
enum_text(struct wr *w, const char *name, const char *v)
{
	if (v == NULL && w->missing == NULL)
		w->missing = name;
	text(w, name, v, true);
}

static void
number(struct wr *w, const char *name, double v)
{
	char s[48];

	cap_decimal_format(v, s);
	text(w, name, s, true);
}

static void
area(struct wr *w, const struct cap_area *ar, rm_buf *tmp)
{
	char a[48], b[48];

	start(w, "area");
	text(w, "areaDesc", ar->desc, true);
	for (size_t i = 0; i < ar->n_polygon; i++) {
		const struct cap_polygon *p = &ar->polygon[i];

		rm_buf_reset(tmp);
		for (size_t k = 0; k < p->n; k++) {
			cap_decimal_format(p->pts[k].lat, a);
			cap_decimal_format(p->pts[k].lon, b);
			if (rm_buf_printf(tmp, "%s%s,%s", k ? " " : "", a, b))
				w->bad = true;
		}
		if (rm_buf_cstr(tmp) != RM_OK)
			w->bad = true;
		text(w, "polygon", tmp->data ? (char *)tmp->data : "", true);
	}
	for (size_t i = 0; i < ar->n_circle; i++) {
		char r[48], s[160];

		cap_decimal_format(ar->circle[i].centre.lat, a);
		cap_decimal_format(ar->circle[i].centre.lon, b);
		cap_decimal_format(ar->circle[i].radius_km, r);
		snprintf(s, sizeof(s), "%s,%s %s", a, b, r);
		text(w, "circle", s, true);
	}
	for (size_t i = 0; i < ar->n_geocode; i++)
		pair(w, "geocode", &ar->geocode[i]);
	if (ar->has_altitude)
		number(w, "altitude", ar->altitude);
	if (ar->has_ceiling)
		number(w, "ceiling", ar->ceiling);
	end(w);
}

static void
resource(struct wr *w, const struct cap_resource *r)
{
	char s[24];

	start(w, "resource");
	text(w, "resourceDesc", r->desc, true);
	text(w, "mimeType", r->mime_type, true);
	if (r->has_size) {
		snprintf(s, sizeof(s), "%llu", (unsigned long long)r->size);
		text(w, "size", s, true);
	}
	text(w, "uri", r->uri, false);
	text(w, "derefUri", r->deref_uri, false);
	text(w, "digest", r->digest, false);
	end(w);
}

static void
info(struct wr *w, const struct cap_info *in, rm_buf *tmp)
{
	start(w, "info");
	text(w, "language", in->language, false);
	for (size_t i = 0; i < in->n_category; i++)
		enum_text(w, "category", cap_category_name(in->category[i]));
	text(w, "event", in->event, true);
	for (size_t i = 0; i < in->n_response; i++)
		enum_text(w, "responseType", cap_response_name(in->response[i]));
	enum_text(w, "urgency", cap_urgency_name(in->urgency));
	enum_text(w, "severity", cap_severity_name(in->severity));
	enum_text(w, "certainty", cap_certainty_name(in->certainty));
	text(w, "audience", in->audience, false);
	for (size_t i = 0; i < in->n_event_code; i++)
		pair(w, "eventCode", &in->event_code[i]);
	when(w, "effective", &in->effective);
	when(w, "onset", &in->onset);
	when(w, "expires", &in->expires);
	text(w, "senderName", in->sender_name, false);
	text(w, "headline", in->headline, false);
	text(w, "description", in->description, false);
	text(w, "instruction", in->instruction, false);
	text(w, "web", in->web, false);
	text(w, "contact", in->contact, false);
	for (size_t i = 0; i < in->n_parameter; i++)
		pair(w, "parameter", &in->parameter[i]);
	for (size_t i = 0; i < in->n_resource; i++)
		resource(w, &in->resource[i]);
	for (size_t i = 0; i < in->n_area; i++)
		area(w, &in->area[i], tmp);
	end(w);
}

static void
refs(struct wr *w, const struct cap_alert *a, rm_buf *tmp)
{
	char t[32];

	if (a->n_ref == 0)
		return;
	rm_buf_reset(tmp);
	for (size_t i = 0; i < a->n_ref; i++) {
		cap_time_format(&a->ref[i].sent, t);
		if (rm_buf_printf(tmp, "%s%s,%s,%s", i ? " " : "",
		    a->ref[i].sender ? a->ref[i].sender : "",
		    a->ref[i].identifier ? a->ref[i].identifier : "", t))
			w->bad = true;
	}
	if (rm_buf_cstr(tmp) != RM_OK)
		w->bad = true;
	text(w, "references", (char *)tmp->data, true);
}

static void
alert(struct wr *w, const struct cap_alert *a, rm_buf *tmp)
{
	if (xmlTextWriterStartDocument(w->w, NULL, "UTF-8", NULL) < 0)
		w->bad = true;
	start(w, "alert");
	if (xmlTextWriterWriteAttribute(w->w, BAD_CAST "xmlns",
	    BAD_CAST CAP_NS_1_2) < 0)
		w->bad = true;
	text(w, "identifier", a->identifier, true);
	text(w, "sender", a->sender, true);
	if (!a->sent.set && w->missing == NULL)
		w->missing = "sent";
	when(w, "sent", &a->sent);
	enum_text(w, "status", cap_status_name(a->status));
	enum_text(w, "msgType", cap_msgtype_name(a->msg_type));
	text(w, "source", a->source, false);
	enum_text(w, "scope", cap_scope_name(a->scope));
	text(w, "restriction", a->restriction, false);
	text(w, "addresses", a->addresses, false);
	for (size_t i = 0; i < a->n_code; i++)
		text(w, "code", a->code[i], true);
	text(w, "note", a->note, false);
	refs(w, a, tmp);
	text(w, "incidents", a->incidents, false);
	for (size_t i = 0; i < a->n_info; i++)
		info(w, &a->info[i], tmp);
	end(w);
	if (xmlTextWriterEndDocument(w->w) < 0)
		w->bad = true;
}

int
cap_write(const struct cap_alert *a, rm_buf *out, rm_why *why)
{
	struct wr w = { NULL, false, NULL };
	rm_buf tmp = RM_BUF_INIT;
	xmlBufferPtr xb;
	int rv = RM_OK;

	cap_init();
	if ((xb = xmlBufferCreate()) == NULL ||
	    (w.w = xmlNewTextWriterMemory(xb, 0)) == NULL) {
		xmlBufferFree(xb);
		return rm_fail(why, RM_ENOMEM, "cap_write: out of memory");
	}
	xmlTextWriterSetIndent(w.w, 1);
	xmlTextWriterSetIndentString(w.w, BAD_CAST "  ");
	alert(&w, a, &tmp);
	xmlFreeTextWriter(w.w);
	if (w.missing != NULL)
		rv = rm_fail_at(why, RM_EINVAL, w.missing, "a required value "
		    "is not set or out of range");
	else if (w.bad)
		rv = rm_fail(why, RM_ENOMEM, "cap_write: out of memory");
	else
		rv = rm_buf_append(out, xmlBufferContent(xb),
		    (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	rm_buf_fini(&tmp);
	return rv;
}
