/*
 * http_forks.c -- the forks resource group (docs/API.md):
 *   GET /v1/forks   the fork evidence this node holds: per (origin, seq)
 *                   the record kept as evidence and the one in the log
 */
#include "node/http/http_int.h"

static int
fork_json(void *arg, const char *origin, uint64_t seq,
    const rm_hash *evidence, const rm_hash *log)
{
	json_t *arr = arg;
	char eh[65], lh[65];

	rm_hash_hex(evidence, eh);
	if (log != NULL)
		rm_hash_hex(log, lh);
	if (json_array_append_new(arr, json_pack("{s:s,s:I,s:s,s:o}",
	    "origin", origin, "seq", (json_int_t)seq, "evidence", eh,
	    "log", log != NULL ? json_string(lh) : json_null())) != 0)
		return RM_ENOMEM;
	return RM_OK;
}

/* GET /v1/forks */
int
http_get_forks(struct http_call_ctx *c)
{
	json_t *arr = json_array(), *o;
	int rv;

	if (arr == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	if ((rv = service_forks_each(c->n, fork_json, arr, &c->why)) !=
	    RM_OK) {
		json_decref(arr);
		c->status = 500;
		return rv;
	}
	if ((o = json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(
	    arr), "forks", arr)) == NULL)
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	c->res->content_type = HTTP_CT_JSON;
	rm_buf_reset(&c->res->body);
	rv = repr_dump_buf(o, REPR_PRETTY, &c->res->body);
	if (rv == RM_OK)
		rv = rm_buf_append_byte(&c->res->body, '\n');
	json_decref(o);
	if (rv != RM_OK)
		return http_refuse(c, 500, rv, "", "%s", rm_strerror(rv));
	c->res->status = 200;
	return RM_OK;
}
