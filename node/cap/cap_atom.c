/*
 * cap_atom.c -- an Atom feed (RFC 4287) of CAP alerts, written with
 * libxml2's xmlTextWriter: the form in which alert aggregators take
 * alerts, each entry linking to its CAP document.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "node/cap/cap_int.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

struct aw {
	xmlTextWriterPtr w;
	bool bad;
};

static void
el(struct aw *w, const char *name, const char *s)
{
	if (s != NULL && xmlTextWriterWriteElement(w->w, BAD_CAST name,
	    BAD_CAST s) < 0)
		w->bad = true;
}

/* RFC 3339 UTC ("2026-08-15T06:00:00Z"), RFC 4287 §3.3. */
static void
date(struct aw *w, const char *name, rm_utc_ms t)
{
	char s[40];

	rm_utc_format(t / 1000 * 1000, s);
	el(w, name, s);
}

static void
attr(struct aw *w, const char *name, const char *v)
{
	if (v != NULL && xmlTextWriterWriteAttribute(w->w, BAD_CAST name,
	    BAD_CAST v) < 0)
		w->bad = true;
}

static void
start(struct aw *w, const char *name)
{
	if (xmlTextWriterStartElement(w->w, BAD_CAST name) < 0)
		w->bad = true;
}

static void
end(struct aw *w)
{
	if (xmlTextWriterEndElement(w->w) < 0)
		w->bad = true;
}

static void
link_el(struct aw *w, const char *rel, const char *type, const char *href)
{
	start(w, "link");
	attr(w, "rel", rel);
	attr(w, "type", type);
	attr(w, "href", href);
	end(w);
}

static void
entry(struct aw *w, const struct cap_atom_entry *e)
{
	start(w, "entry");
	el(w, "id", e->id);
	start(w, "title");
	attr(w, "xml:lang", e->lang);
	if (xmlTextWriterWriteString(w->w, BAD_CAST e->title) < 0)
		w->bad = true;
	end(w);
	date(w, "updated", e->updated_ms);
	start(w, "author");
	el(w, "name", e->author);
	end(w);
	link_el(w, "alternate", CAP_MEDIA_TYPE, e->href);
	if (e->category != NULL) {
		start(w, "category");
		attr(w, "term", e->category);
		end(w);
	}
	if (e->summary != NULL) {
		start(w, "summary");
		attr(w, "xml:lang", e->lang);
		if (xmlTextWriterWriteString(w->w, BAD_CAST e->summary) < 0)
			w->bad = true;
		end(w);
	}
	end(w);
}

int
cap_atom_write(const struct cap_atom_feed *f, const struct cap_atom_entry *e,
    size_t n, rm_buf *out, rm_why *why)
{
	struct aw w = { NULL, false };
	xmlBufferPtr xb;
	int rv;

	cap_init();
	if ((xb = xmlBufferCreate()) == NULL ||
	    (w.w = xmlNewTextWriterMemory(xb, 0)) == NULL) {
		xmlBufferFree(xb);
		return rm_fail(why, RM_ENOMEM, "cap_atom_write: out of memory");
	}
	xmlTextWriterSetIndent(w.w, 1);
	xmlTextWriterSetIndentString(w.w, BAD_CAST "  ");
	if (xmlTextWriterStartDocument(w.w, NULL, "UTF-8", NULL) < 0)
		w.bad = true;
	start(&w, "feed");
	attr(&w, "xmlns", ATOM_NS);
	el(&w, "id", f->id);
	el(&w, "title", f->title);
	date(&w, "updated", f->updated_ms);
	start(&w, "author");
	el(&w, "name", f->author);
	end(&w);
	link_el(&w, "self", CAP_ATOM_MEDIA_TYPE, f->self_href);
	for (size_t i = 0; i < n; i++)
		entry(&w, &e[i]);
	end(&w);
	if (xmlTextWriterEndDocument(w.w) < 0)
		w.bad = true;
	xmlFreeTextWriter(w.w);
	rv = w.bad ? rm_fail(why, RM_ENOMEM, "cap_atom_write: out of memory") :
	    rm_buf_append(out, xmlBufferContent(xb),
	    (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	return rv;
}
