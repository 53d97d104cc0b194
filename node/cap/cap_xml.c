/*
 * cap_xml.c -- reading a CAP 1.2 document with libxml2: the bounds
 * (size, depth, element count), DTDs and entities refused before they
 * are read, the root and its namespace (which CAP version), and the
 * helpers every element parser uses: the schema-sequence walker and the
 * text reader (element paths and refusals: cap_path.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>

#include "node/cap/cap_int.h"

#define CAP_NS_PREFIX "urn:oasis:names:tc:emergency:cap:"
#define CAP_NS_1_0    "http://www.incident.com/cap/1.0"

/* ---------------- sequences and text ---------------- */

xmlNode *
cap_elem_at(xmlNode *n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

xmlNode *
cap_slot_at(struct cap_slot *s, size_t k)
{
	if (s->cur == NULL || k < s->cur_k) {
		s->cur = s->first;
		s->cur_k = 0;
	}
	while (s->cur_k < k && s->cur != NULL) {
		s->cur = cap_elem_at(s->cur->next);
		s->cur_k++;
	}
	return s->cur;
}

static bool
blank(const xmlChar *s)
{
	for (; s != NULL && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static bool
later_sibling(xmlNode *x, const char *name)
{
	for (x = x->next; x != NULL; x = x->next)
		if (x->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)x->name, name) == 0)
			return true;
	return false;
}

/* Non-element children allowed among elements: blank text, comments,
 * processing instructions. */
static int
between(struct cap_ctx *c, xmlNode *x, const char *clause)
{
	switch (x->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (blank(x->content))
			return RM_OK;
		return cap_fail(c, RM_EMALFORMED, "text \"%.24s\" between "
		    "elements (CAP 1.2 %s: element content only)",
		    (const char *)x->content, clause);
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return RM_OK;
	case XML_ENTITY_REF_NODE:
		return cap_fail(c, RM_EBADVALUE, "entity reference &%s; "
		    "(entities are not read)", (const char *)x->name);
	default:
		return cap_fail(c, RM_EMALFORMED, "unexpected XML node type "
		    "%d", (int)x->type);
	}
}

/* The sequence entries before j that are still below minOccurs. */
static int
gap(struct cap_ctx *c, xmlNode *x, const struct cap_elem *tab, size_t from,
    size_t j, struct cap_slot *slots, const char *clause)
{
	for (size_t k = from; k < j; k++) {
		if (slots[k].n >= tab[k].min)
			continue;
		if (x != NULL && later_sibling(x, tab[k].name))
			return cap_fail_in(c, tab[k].name, RM_EBADVALUE,
			    "out of order: must come before <%s> (CAP 1.2 %s, "
			    "the schema's sequence)", (const char *)x->name,
			    clause);
		return cap_fail_in(c, tab[k].name, RM_EMISSING, "required "
		    "(CAP 1.2 %s)", clause);
	}
	return RM_OK;
}

int
cap_seq(struct cap_ctx *c, xmlNode *parent, const struct cap_elem *tab,
    size_t nt, const char *clause, struct cap_slot *slots)
{
	size_t pos = 0, j;
	int rv;

	memset(slots, 0, nt * sizeof(*slots));
	for (xmlNode *x = parent->children; x != NULL; x = x->next) {
		const char *name = (const char *)x->name;

		if (x->type != XML_ELEMENT_NODE) {
			if ((rv = between(c, x, clause)) != RM_OK)
				return rv;
			continue;
		}
		if (x->ns == NULL || strcmp((const char *)x->ns->href,
		    CAP_NS_1_2) != 0)
			return cap_fail_in(c, name, RM_EUNKNOWN, "element "
			    "outside the CAP 1.2 namespace (%s)", x->ns ?
			    (const char *)x->ns->href : "no namespace");
		for (j = 0; j < nt && strcmp(tab[j].name, name) != 0; j++)
			;
		if (j == nt)
			return cap_fail_in(c, name, RM_EUNKNOWN, "unknown "
			    "element in <%s> (CAP 1.2 %s)",
			    (const char *)parent->name, clause);
		if (x->properties != NULL)
			return cap_fail_in(c, name, RM_EBADVALUE, "attribute "
			    "\"%s\" not allowed (CAP 1.2 elements have none)",
			    (const char *)x->properties->name);
		if (j < pos)
			return cap_fail_in(c, name, RM_EBADVALUE, "out of "
			    "order: must come before <%s> (CAP 1.2 %s, the "
			    "schema's sequence)", tab[pos].name, clause);
		if ((rv = gap(c, x, tab, pos, j, slots, clause)) != RM_OK)
			return rv;
		pos = j;
		if (tab[j].max != 0 && slots[j].n >= tab[j].max)
			return cap_fail_in(c, name, RM_EBADVALUE, "more than "
			    "%u (CAP 1.2 %s: at most %u)", tab[j].max, clause,
			    tab[j].max);
		if (slots[j].n++ == 0)
			slots[j].first = x;
	}
	return gap(c, NULL, tab, pos, nt, slots, clause);
}

int
cap_text(struct cap_ctx *c, xmlNode *el, char **out)
{
	rm_buf b = RM_BUF_INIT;
	int rv = RM_OK;

	for (xmlNode *x = el->children; x != NULL && rv == RM_OK;
	    x = x->next) {
		if (x->type == XML_TEXT_NODE ||
		    x->type == XML_CDATA_SECTION_NODE) {
			if (x->content != NULL && rm_buf_append(&b, x->content,
			    strlen((const char *)x->content)) != RM_OK)
				rv = RM_ENOMEM;
		} else if (x->type == XML_ELEMENT_NODE) {
			rv = cap_fail(c, RM_EMALFORMED, "holds an element "
			    "<%s> (CAP 1.2: text only)", (const char *)x->name);
		} else if (x->type == XML_ENTITY_REF_NODE) {
			rv = cap_fail(c, RM_EBADVALUE, "entity reference &%s; "
			    "(entities are not read)", (const char *)x->name);
		}
	}
	if (rv == RM_OK && (*out = cap_strndup(c->a, b.data ?
	    (const char *)b.data : "", b.len)) == NULL)
		rv = cap_fail(c, RM_ENOMEM, "out of memory");
	rm_buf_fini(&b);
	return rv;
}

int
cap_opt_text(struct cap_ctx *c, struct cap_slot *s, const char *name,
    char **out)
{
	size_t old;
	int rv;

	*out = NULL;
	if (s->n == 0)
		return RM_OK;
	old = cap_push(c, name, -1);
	rv = cap_text(c, s->first, out);
	cap_pop(c, old);
	return rv;
}

/* ---------------- the document ---------------- */

struct guard {
	unsigned depth;
	size_t nodes;
	bool doctype, deep, many;
};

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	xmlParserCtxtPtr p = ctx;
	struct guard *g = p->_private;

	if (++g->depth > CAP_DEPTH_MAX || ++g->nodes > CAP_NODES_MAX) {
		g->deep = g->depth > CAP_DEPTH_MAX;
		g->many = !g->deep;
		xmlStopParser(p);
		return;
	}
	xmlSAX2StartElementNs(ctx, name, prefix, uri, nns, ns, nattr, ndef,
	    attrs);
}

static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct guard *g = ((xmlParserCtxtPtr)ctx)->_private;

	g->depth--;
	xmlSAX2EndElementNs(ctx, name, prefix, uri);
}

/* <!DOCTYPE ...>: stop before its internal subset or external ID is
 * read; nothing of a DTD is ever loaded or expanded. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	((struct guard *)((xmlParserCtxtPtr)ctx)->_private)->doctype = true;
	xmlStopParser(ctx);
}

/* libxml2's own messages (e.g. encoding errors, which bypass
 * XML_PARSE_NOERROR) never reach stderr: the refusal in rm_why says
 * what went wrong. */
static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void
quiet_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

void
cap_init(void)
{
	xmlInitParser();
	/* per thread in libxml2's threaded builds: set on every call */
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
}

static int
read_doc(struct cap_ctx *c, const void *p, size_t n, xmlDoc **out)
{
	struct guard g = { 0, 0, false, false, false };
	xmlParserCtxtPtr pc;
	const xmlError *e;
	xmlDoc *doc;

	if ((pc = xmlNewParserCtxt()) == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	pc->_private = &g;
	pc->sax->startElementNs = on_start;
	pc->sax->endElementNs = on_end;
	pc->sax->internalSubset = on_doctype;
	doc = xmlCtxtReadMemory(pc, p, (int)n, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (g.doctype || g.deep || g.many || doc == NULL || !pc->wellFormed) {
		int rv = g.doctype ? cap_fail(c, RM_EBADVALUE, "DOCTYPE: "
		    "DTDs and entity declarations are refused (CAP 1.2 "
		    "documents have none; nothing was expanded)") :
		    g.deep ? cap_fail(c, RM_ETOOBIG, "elements nested deeper "
		    "than %d levels", CAP_DEPTH_MAX) :
		    g.many ? cap_fail(c, RM_ETOOBIG, "more than %d elements",
		    CAP_NODES_MAX) : RM_EMALFORMED;

		if (rv == RM_EMALFORMED) {
			e = xmlCtxtGetLastError(pc);
			rv = cap_fail(c, RM_EMALFORMED, "not well-formed XML: "
			    "line %d: %.120s", e ? e->line : 0, e && e->message ?
			    e->message : "unknown error");
			if (c->why && strchr(c->why->msg, '\n'))
				*strchr(c->why->msg, '\n') = '\0';
		}
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(pc);
		return rv;
	}
	xmlFreeParserCtxt(pc);
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		xmlFreeDoc(doc);
		return cap_fail(c, RM_EBADVALUE, "DOCTYPE: DTDs are refused");
	}
	if (doc->encoding != NULL && strcasecmp((const char *)doc->encoding,
	    "UTF-8") != 0) {
		int rv = cap_fail(c, RM_EMALFORMED, "encoding %.32s: CAP "
		    "documents are read as UTF-8 only",
		    (const char *)doc->encoding);
		xmlFreeDoc(doc);
		return rv;
	}
	*out = doc;
	return RM_OK;
}

/* The root: <alert> in the CAP 1.2 namespace; another CAP version is
 * named. */
static int
check_root(struct cap_ctx *c, xmlNode *root)
{
	const char *href = root && root->ns ? (const char *)root->ns->href :
	    NULL;

	if (root == NULL)
		return cap_fail(c, RM_EMALFORMED, "no root element");
	if (href != NULL && strcmp(href, CAP_NS_1_2) != 0) {
		if (strncmp(href, CAP_NS_PREFIX, strlen(CAP_NS_PREFIX)) == 0)
			return cap_fail_in(c, "alert", RM_EUNKNOWN, "CAP %.16s "
			    "(namespace %.60s): only CAP 1.2 is read", href +
			    strlen(CAP_NS_PREFIX), href);
		if (strcmp(href, CAP_NS_1_0) == 0)
			return cap_fail_in(c, "alert", RM_EUNKNOWN, "CAP 1.0 "
			    "(namespace %s): only CAP 1.2 is read", href);
		return cap_fail_in(c, "alert", RM_EUNKNOWN, "namespace %.80s "
		    "is not CAP 1.2's (%s)", href, CAP_NS_1_2);
	}
	if (strcmp((const char *)root->name, "alert") != 0)
		return cap_fail_in(c, (const char *)root->name, RM_EUNKNOWN,
		    "not a CAP alert (the root must be <alert>)");
	if (href == NULL)
		return cap_fail_in(c, "alert", RM_EUNKNOWN, "no namespace: a "
		    "CAP 1.2 alert is in %s", CAP_NS_1_2);
	if (root->properties != NULL)
		return cap_fail_in(c, "alert", RM_EBADVALUE, "attribute \"%s\" "
		    "not allowed (CAP 1.2 elements have none)",
		    (const char *)root->properties->name);
	return RM_OK;
}

int
cap_parse(const void *p, size_t n, struct cap_alert *out, rm_why *why)
{
	struct cap_ctx c;
	xmlDoc *doc = NULL;
	int rv;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.a = out;
	c.why = why;
	if (p == NULL || n == 0)
		return cap_fail(&c, RM_EMISSING, "empty document");
	if (n > CAP_DOC_MAX)
		return cap_fail(&c, RM_ETOOBIG, "%zu bytes, limit %u", n,
		    CAP_DOC_MAX);
	cap_init();
	if ((rv = read_doc(&c, p, n, &doc)) != RM_OK)
		return rv;
	if ((rv = check_root(&c, xmlDocGetRootElement(doc))) == RM_OK) {
		cap_push(&c, "alert", -1);
		rv = cap_parse_alert(&c, xmlDocGetRootElement(doc));
	}
	xmlFreeDoc(doc);
	if (rv != RM_OK)
		cap_alert_fini(out);
	return rv;
}
