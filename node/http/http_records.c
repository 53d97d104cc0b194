/*
 * http_records.c -- the records resource group (docs/API.md):
 *   GET /v1/records/{hash}   the signed record (COSE_Sign1)
 */
#include <stdio.h>
#include <string.h>

#include "node/http/http_int.h"

static const char ct_cose[] = "application/cose; cose-type=\"cose-sign1\"";

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
