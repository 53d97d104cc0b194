/*
 * http_records.c -- the records resource group (docs/API.md):
 *   POST /v1/records                   signed records (CBOR sequence)
 *   GET /v1/records/{hash}             the signed record (COSE_Sign1)
 *   GET /v1/records/{hash}?view=json   the record shape (repr), a
 *                                      restricted one decrypted if this
 *                                      node's agency is a recipient
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

static const char ct_cose[] = "application/cose; cose-type=\"cose-sign1\"";

/* ?view=json: the one record shape, content only where this node may
 * read it (service_record_reveal). */
static int
record_json(struct http_call_ctx *c, const rm_hash *h, const char *hex)
{
	struct rm_record rec;
	json_t *o;
	rm_why w;
	int rv;

	rv = service_record_read(c->n, h, &rec, &c->why);
	if (rv == RM_ENOTFOUND)
		return http_refuse(c, 404, rv, "hash", "no record %s", hex);
	if (rv != RM_OK) {
		c->status = 500;
		return rv;
	}
	/* not readable here: shown without content, never an error */
	(void)service_record_reveal(c->n, &rec, &w);
	o = repr_record_object(&rec, h);
	record_fini(&rec);
	if (o == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	http_res_json(c->res, 200, o);
	return RM_OK;
}

int
http_get_record(struct http_call_ctx *c)
{
	char hexhash[2 * RM_HASH_BYTES + 2];
	rm_hash h;
	int rv;

	snprintf(hexhash, sizeof(hexhash), "%.*s", (int)c->tail_len, c->tail);
	if (c->tail_len != 2 * RM_HASH_BYTES ||
	    rm_hash_parse(hexhash, &h) != RM_OK)
		return http_refuse(c, 400, RM_EMALFORMED, "hash",
		    "\"%.70s\" is not 64 hex digits", c->tail);
	if (c->q->n == 1) {
		if (!c->q->p[0].has_val || (strcmp(c->q->p[0].val, "json") != 0
		    && strcmp(c->q->p[0].val, "cose") != 0))
			return http_refuse(c, 400, RM_EBADVALUE, "view", "\"%.20s"
			    "\" is not a view (json|cose)", c->q->p[0].has_val ?
			    c->q->p[0].val : "");
		if (strcmp(c->q->p[0].val, "json") == 0)
			return record_json(c, &h, hexhash);
	}
	rm_buf_reset(&c->res->body);
	rv = service_record_get(c->n, &h, &c->res->body, &c->why);
	if (rv == RM_ENOTFOUND)
		return http_refuse(c, 404, rv, "hash", "no record %s", hexhash);
	if (rv != RM_OK) {
		c->status = 500;
		return rv;
	}
	c->res->status = 200;
	c->res->content_type = ct_cose;
	return RM_OK;
}

/*
 * POST /v1/records: signed records handed in as an RFC 8742 CBOR
 * sequence (application/cbor-seq), e.g. by `riskmesh roster publish`.
 * 200 with what became of each: {"stored", "duplicate", "refused":
 * [{"index", "error", "reason"}], "refused_total"}; 400 for a body that
 * is not a sequence of complete CBOR items (nothing after it is read).
 */
int
http_post_records(struct http_call_ctx *c)
{
	struct service_ingest *res;
	json_t *o, *ref;
	int rv;

	if ((res = malloc(sizeof(*res))) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	rv = service_records_ingest(c->n, (const uint8_t *)c->req->body,
	    c->req->body_len, res, &c->why);
	if (rv != RM_OK) {
		free(res);
		c->status = 400;
		return rv;
	}
	ref = json_array();
	for (size_t i = 0; ref != NULL && i < res->n_refused; i++)
		json_array_append_new(ref, json_pack("{s:I,s:s,s:s}", "index",
		    (json_int_t)res->refused[i].index, "error",
		    rm_errname(res->refused[i].err), "reason",
		    res->refused[i].reason));
	o = json_pack("{s:I,s:I,s:o,s:I}", "stored", (json_int_t)res->stored,
	    "duplicate", (json_int_t)res->duplicate, "refused", ref,
	    "refused_total", (json_int_t)res->n_refused_total);
	free(res);
	if (o == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	http_res_json(c->res, 200, o);
	return RM_OK;
}
