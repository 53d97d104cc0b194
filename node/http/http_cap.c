/*
 * http_cap.c -- CAP 1.2 over HTTP (docs/API.md, docs/CAP.md):
 *   POST /v1/alerts with Content-Type application/cap+xml
 *                                    issue a CAP message
 *                                    (service_alert_issue_cap)
 *   GET  /v1/alerts/{object_id}.xml[?origin=AGENCY]
 *                                    the alert as a CAP document
 *   GET  /v1/alerts.atom             Atom feed (RFC 4287) of the alerts
 *                                    in force, linking to each document
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap.h"
#include "node/http/http_int.h"

/* Offset of the times of an alert that carries no CAP message (issued
 * through the JSON API): China Standard Time, +08:00. */
#define HTTP_CAP_OFFSET_MIN 480

/* POST /v1/alerts, application/cap+xml */
int
http_post_alert_cap(struct http_call_ctx *c)
{
	struct service_issued is;
	struct cap_alert cap;
	bool dup;
	char hex[65];
	int rv;

	if ((rv = cap_parse(c->req->body, c->req->body_len, &cap,
	    &c->why)) != RM_OK)
		return rv;
	rv = service_alert_issue_cap(c->n, &cap, &is, &dup, &c->why);
	cap_alert_fini(&cap);
	if (rv != RM_OK || !dup)
		return http_issue_answer(c, rv, &is);
	/* the same message again: what is stored, 200 */
	rm_hash_hex(&is.hash, hex);
	http_res_json(c->res, 200, json_pack("{s:s,s:s,s:s,s:I,s:I,s:b}",
	    "hash", hex, "object_id", is.object_id, "origin", is.origin,
	    "seq", (json_int_t)is.seq, "ver", (json_int_t)is.ver,
	    "duplicate", 1));
	return RM_OK;
}

/* Find the origin of object oid among the alerts in force. */
struct find_origin {
	const char *oid;
	char origin[RM_AGENCY_ID_MAX + 1];
	size_t n;
};

static int
find_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct find_origin *f = arg;

	(void)h;
	(void)p;
	(void)n;
	if (strcmp(rec->object_id, f->oid) == 0 &&
	    strcmp(rec->origin, f->origin) != 0) {
		snprintf(f->origin, sizeof(f->origin), "%s", rec->origin);
		f->n++;
	}
	return RM_OK;
}

/* The origin of GET /v1/alerts/{id}.xml (and /reach): http_int.h. */
int
http_alert_origin(struct http_call_ctx *c, const char *oid,
    char out[RM_AGENCY_ID_MAX + 1])
{
	struct find_origin f = { oid, "", 0 };
	int rv;

	if (c->q->n == 1) {
		const char *o = c->q->p[0].val;

		if (!c->q->p[0].has_val || strlen(o) > RM_AGENCY_ID_MAX ||
		    !agency_id_valid(o))
			return http_refuse(c, 422, RM_EBADVALUE, "origin",
			    "\"%.64s\" is not an agency id (%s)", o,
			    RM_AGENCY_ID_RULE);
		snprintf(out, RM_AGENCY_ID_MAX + 1, "%s", o);
		return RM_OK;
	}
	if ((rv = service_alerts_active(c->n, NULL, rm_utc_now_ms(),
	    find_each, &f, &c->why)) != RM_OK)
		return rv;
	if (f.n > 1)
		return http_refuse(c, 409, RM_EEXIST, "origin", "alerts of "
		    "several agencies have object id %s: name one with "
		    "?origin=AGENCY", oid);
	snprintf(out, RM_AGENCY_ID_MAX + 1, "%s", f.n == 1 ? f.origin :
	    c->n->cfg.agency);
	return RM_OK;
}

/* GET /v1/alerts/{object_id}.xml */
int
http_get_alert_xml(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2], origin[RM_AGENCY_ID_MAX + 1];
	struct rm_record rec;
	struct cap_alert cap;
	rm_hash h;
	int rv;

	if ((rv = http_path_object_id(c, oid)) != RM_OK ||
	    (rv = http_alert_origin(c, oid, origin)) != RM_OK ||
	    (rv = service_alert_read(c->n, origin, oid, &rec, &h,
	    &c->why)) != RM_OK)
		return rv;
	rv = cap_from_alert(&rec, HTTP_CAP_OFFSET_MIN, &cap, &c->why);
	record_fini(&rec);
	if (rv != RM_OK) {
		c->status = 500;
		return rv;
	}
	rm_buf_reset(&c->res->body);
	rv = cap_write(&cap, &c->res->body, &c->why);
	cap_alert_fini(&cap);
	if (rv != RM_OK) {
		c->status = 500;
		return rv;
	}
	c->res->status = 200;
	c->res->content_type = CAP_MEDIA_TYPE;
	return RM_OK;
}

#define ATOM_ENTRIES_MAX 4096

struct atom_ctx {
	struct cap_atom_entry e[ATOM_ENTRIES_MAX];
	char ids[ATOM_ENTRIES_MAX][48];
	char href[ATOM_ENTRIES_MAX][RM_OBJECT_ID_MAX + RM_AGENCY_ID_MAX + 32];
	size_t n;
	rm_utc_ms newest;
};

/* A stable entry id: a name-based UUID (RFC 9562 version 8) of origin
 * and object id, so an entry keeps its id across versions and nodes. */
static void
entry_id(const char *origin, const char *oid, char out[48])
{
	const void *parts[4] = { "riskmesh alert ", origin, "/", oid };
	size_t lens[4] = { 15, strlen(origin), 1, strlen(oid) };
	rm_hash h;
	uint8_t *b = h.b;

	crypto_sha256_v(parts, lens, 4, &h);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x80);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 48, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}

static int
atom_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct atom_ctx *a = arg;
	const struct rm_alert *al = record_alert(rec);
	struct cap_atom_entry *e;
	const struct rm_alert_text *t;

	(void)h;
	(void)p;
	(void)n;
	if (al == NULL || al->n_texts == 0 || a->n == ATOM_ENTRIES_MAX)
		return RM_OK;
	/* rec is borrowed for this call: copy what the feed needs */
	e = &a->e[a->n];
	t = &al->texts[0];
	entry_id(rec->origin, rec->object_id, a->ids[a->n]);
	snprintf(a->href[a->n], sizeof(a->href[0]), "/v1/alerts/%s.xml?"
	    "origin=%s", rec->object_id, rec->origin);
	e->id = a->ids[a->n];
	e->href = a->href[a->n];
	e->title = strdup(t->headline);
	e->summary = t->description != NULL ? strdup(t->description) : NULL;
	e->lang = strdup(t->lang);
	e->author = strdup(t->sender_name != NULL ? t->sender_name :
	    rec->origin);
	e->category = grade_name(al->grade);
	e->updated_ms = rec->issued_ms;
	if (rec->issued_ms > a->newest)
		a->newest = rec->issued_ms;
	a->n++;
	if (e->title == NULL || e->lang == NULL || e->author == NULL ||
	    (t->description != NULL && e->summary == NULL))
		return RM_ENOMEM;
	return RM_OK;
}

/* GET /v1/alerts.atom */
int
http_get_alerts_atom(struct http_call_ctx *c)
{
	struct atom_ctx *a = calloc(1, sizeof(*a));
	struct cap_atom_feed f;
	char fid[48], title[RM_AGENCY_ID_MAX + 48];
	int rv;

	if (a == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	rv = service_alerts_active(c->n, NULL, rm_utc_now_ms(), atom_each, a,
	    &c->why);
	if (rv == RM_OK) {
		entry_id(c->n->cfg.agency, "alerts.atom", fid);
		snprintf(title, sizeof(title), "riskmesh alerts in force (node "
		    "of %s)", c->n->cfg.agency);
		f.id = fid;
		f.title = title;
		f.author = c->n->cfg.agency;
		f.self_href = "/v1/alerts.atom";
		f.updated_ms = a->n > 0 ? a->newest : c->n->started_ms;
		rm_buf_reset(&c->res->body);
		rv = cap_atom_write(&f, a->e, a->n, &c->res->body, &c->why);
	}
	for (size_t i = 0; i < a->n; i++) {
		free((char *)a->e[i].title);
		free((char *)a->e[i].summary);
		free((char *)a->e[i].lang);
		free((char *)a->e[i].author);
	}
	free(a);
	if (rv != RM_OK) {
		c->status = 500;
		return rv;
	}
	c->res->status = 200;
	c->res->content_type = CAP_ATOM_MEDIA_TYPE;
	return RM_OK;
}
