/*
 * http_forks.c -- the forks resource group (docs/API.md):
 *   GET /v1/forks   the fork evidence this node holds: per (origin, seq)
 *                   the record kept as evidence, the one in the log and
 *                   the resolution, if any
 *   POST /v1/forks/{origin}/{seq}/resolve   {"keep": HASH}: this node
 *                   signs a fork_resolution record (service_fork_resolve)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

/* A hash as a JSON string, or null. */
static json_t *
hash_json(const rm_hash *h)
{
	char hex[65];

	if (h == NULL)
		return json_null();
	rm_hash_hex(h, hex);
	return json_string(hex);
}

static int
fork_json(void *arg, const char *origin, uint64_t seq,
    const rm_hash *evidence, const rm_hash *log, const rm_hash *resolution)
{
	json_t *arr = arg;

	if (json_array_append_new(arr, json_pack("{s:s,s:I,s:o,s:o,s:b,s:o}",
	    "origin", origin, "seq", (json_int_t)seq,
	    "evidence", hash_json(evidence), "log", hash_json(log),
	    "resolved", resolution != NULL,
	    "resolution", hash_json(resolution))) != 0)
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

/* {"keep": "<64 hex digits>"}, nothing else. */
static int
resolve_body(const char *body, size_t len, rm_hash *keep, rm_why *why)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	int rv = RM_OK;
	bool have = false;

	if (body == NULL || len == 0)
		return rm_fail_at(why, RM_EMISSING, "keep", "required: the "
		    "hash (hex) of the record to keep");
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return rm_fail_at(why, RM_EMALFORMED, "", "not JSON: %s (line "
		    "%d, column %d)", req_json_error_text(&jerr), jerr.line,
		    jerr.column);
	if (!json_is_object(root))
		rv = rm_fail_at(why, RM_EMALFORMED, "", "the body must be a "
		    "JSON object");
	json_object_foreach(root, key, v) {
		if (rv != RM_OK)
			break;
		if (strcmp(key, "keep") != 0)
			rv = rm_fail_at(why, RM_EUNKNOWN, key, "unknown field");
		else if (!json_is_string(v) ||
		    rm_hash_parse(json_string_value(v), keep) != RM_OK)
			rv = rm_fail_at(why, RM_EMALFORMED, "keep", "must be "
			    "a record hash: 64 hex digits");
		else
			have = true;
	}
	if (rv == RM_OK && !have)
		rv = rm_fail_at(why, RM_EMISSING, "keep", "required: the hash "
		    "(hex) of the record to keep");
	json_decref(root);
	return rv;
}

/* POST /v1/forks/{origin}/{seq}/resolve */
int
http_post_fork_resolve(struct http_call_ctx *c)
{
	char path[RM_AGENCY_ID_MAX + 32], *slash, *end, hex[65];
	struct service_issued is;
	unsigned long long seq;
	enum http_pct_rv pr;
	rm_hash keep;
	int rv;

	pr = http_pct_decode(c->tail, c->tail_len, path, sizeof(path));
	if (pr == PCT_LONG)
		return http_refuse(c, 404, RM_ENOTFOUND, "origin", "no such "
		    "fork: the path is too long");
	if (pr != PCT_OK)
		return http_pct_refuse(c, pr, "origin");
	if ((slash = strchr(path, '/')) == NULL)
		return http_refuse(c, 404, RM_ENOTFOUND, "seq", "expected "
		    "/v1/forks/{origin}/{seq}/resolve");
	*slash = '\0';
	errno = 0;
	seq = strtoull(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] < '1' || slash[1] > '9' || errno != 0)
		return http_refuse(c, 404, RM_ENOTFOUND, "seq", "\"%.24s\" is "
		    "not a seq (1, 2, ...)", slash + 1);
	if ((rv = resolve_body(c->req->body, c->req->body_len, &keep,
	    &c->why)) != RM_OK)
		return rv;
	if ((rv = service_fork_resolve(c->n, path, seq, &keep, &is,
	    &c->why)) != RM_OK) {
		http_why_request_path(&c->why);
		return rv;
	}
	rm_hash_hex(&is.hash, hex);
	http_res_json(c->res, 201, json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:I}",
	    "hash", hex, "object_id", is.object_id, "origin", is.origin,
	    "seq", (json_int_t)is.seq, "ver", (json_int_t)is.ver,
	    "resolved_origin", path, "resolved_seq", (json_int_t)seq));
	return RM_OK;
}
