/*
 * http_devices.c -- registered devices and reach (docs/API.md):
 *   GET    /v1/devices             the registry (never a key)
 *   POST   /v1/devices             {"id", "area", "psk"?}: register; a
 *                                  generated key is answered once
 *   DELETE /v1/devices/{id}        unregister
 *   GET    /v1/alerts/{id}/reach   receipts per district, p50/p99
 * The registry is node/devices (n->devices, opened by the daemon).
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "node/devices/devices.h"
#include "node/http/http_int.h"

static int
no_registry(struct http_call_ctx *c)
{
	return http_refuse(c, 503, RM_ECLOSED, "", "this node has no device "
	    "registry open");
}

static json_t *
ms_json(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

/* GET /v1/devices */
int
http_get_devices(struct http_call_ctx *c)
{
	struct device_info *v = NULL;
	json_t *arr;
	size_t n = 0;
	char t[32];

	if (c->n->devices == NULL)
		return no_registry(c);
	if (devices_list(c->n->devices, &v, &n) != RM_OK ||
	    (arr = json_array()) == NULL) {
		free(v);
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		rm_utc_format(v[i].added_ms, t);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I}", "id",
		    v[i].id, "area", v[i].area, "added", t, "receipts",
		    (json_int_t)v[i].receipts));
	}
	free(v);
	http_res_json(c->res, 200, json_pack("{s:I,s:o}", "count",
	    (json_int_t)n, "devices", arr));
	return RM_OK;
}

/* POST /v1/devices */
int
http_post_device(struct http_call_ctx *c)
{
	static const char *const keys[] = { "id", "area", "psk", NULL };
	char psk[DEVICE_PSK_MAX + 1], mt[64];
	const char *id, *area, *key;
	json_t *root = NULL, *o;
	int rv;

	if (c->n->devices == NULL)
		return no_registry(c);
	http_media_type(c->req->content_type, mt);
	if (mt[0] != '\0' && strcmp(mt, HTTP_CT_JSON) != 0)
		return http_refuse(c, 415, RM_EUNSUPPORTED, "content-type",
		    "Content-Type %.64s is not taken here: POST /v1/devices "
		    "takes " HTTP_CT_JSON, mt);
	if ((rv = req_json_object(c->req->body, c->req->body_len, &root,
	    &c->why)) != RM_OK)
		return rv;
	if ((rv = req_check_keys(root, keys, "", &c->why)) != RM_OK ||
	    (rv = req_get_str(root, "id", "id", true, DEVICE_ID_MAX, &id,
	    &c->why)) != RM_OK ||
	    (rv = req_get_str(root, "area", "area", true, RM_AREA_CODE_MAX,
	    &area, &c->why)) != RM_OK ||
	    (rv = req_get_str(root, "psk", "psk", false, DEVICE_PSK_MAX, &key,
	    &c->why)) != RM_OK)
		goto out;
	rv = devices_add(c->n->devices, id, area, (const uint8_t *)key,
	    key != NULL ? strlen(key) : 0, psk, &c->why);
	if (rv != RM_OK)
		goto out;
	rm_log(RM_LOG_NOTICE, "devices", "device %s registered (area %s, "
	    "%s key)", id, area, key != NULL ? "given" : "generated");
	/* the key only when this node made it: the one time it is shown */
	o = key != NULL ? json_pack("{s:s,s:s}", "id", id, "area", area) :
	    json_pack("{s:s,s:s,s:s}", "id", id, "area", area, "psk", psk);
	http_res_json(c->res, 201, o);
out:
	crypto_wipe(psk, sizeof(psk));
	if (root != NULL && (key = json_string_value(json_object_get(root,
	    "psk"))) != NULL)
		crypto_wipe((void *)key, strlen(key));
	json_decref(root);
	return rv;
}

/* DELETE /v1/devices/{id} */
int
http_delete_device(struct http_call_ctx *c)
{
	char id[DEVICE_ID_MAX + 2];
	enum http_pct_rv pr;
	int rv;

	if (c->n->devices == NULL)
		return no_registry(c);
	if ((pr = http_pct_decode(c->tail, c->tail_len, id, sizeof(id))) !=
	    PCT_OK)
		return pr == PCT_LONG ? http_refuse(c, 404, RM_ENOTFOUND, "id",
		    "no such device") : http_pct_refuse(c, pr, "path");
	if ((rv = devices_remove(c->n->devices, id, &c->why)) != RM_OK)
		return rv;
	rm_log(RM_LOG_NOTICE, "devices", "device %s removed", id);
	http_res_json(c->res, 200, json_pack("{s:s}", "removed", id));
	return RM_OK;
}

static json_t *
reach_row(const struct device_reach_row *r)
{
	json_t *o = json_pack("{s:I,s:I,s:o,s:o}", "registered",
	    (json_int_t)r->registered, "receipts", (json_int_t)r->receipts,
	    "p50_ms", ms_json(r->p50_ms), "p99_ms", ms_json(r->p99_ms));

	if (o != NULL && r->district[0] != '\0')
		json_object_set_new(o, "district", json_string(r->district));
	return o;
}

/* GET /v1/alerts/{id}/reach */
int
http_get_alert_reach(struct http_call_ctx *c)
{
	char oid[RM_OBJECT_ID_MAX + 2], origin[RM_AGENCY_ID_MAX + 1];
	const char *areas[RM_AREAS_MAX];
	struct device_reach *r;
	struct rm_record rec;
	json_t *rows;
	rm_hash h;
	int rv;

	if (c->n->devices == NULL)
		return no_registry(c);
	if ((rv = http_path_object_id(c, oid)) != RM_OK ||
	    (rv = http_alert_origin(c, oid, origin)) != RM_OK ||
	    (rv = service_alert_read(c->n, origin, oid, &rec, &h,
	    &c->why)) != RM_OK)
		return rv;
	for (size_t i = 0; i < rec.n_areas && i < RM_AREAS_MAX; i++)
		areas[i] = rec.areas[i];
	rv = devices_reach(c->n->devices, origin, oid, areas, rec.n_areas, &r);
	record_fini(&rec);
	if (rv != RM_OK)
		return http_refuse(c, 500, rv, "", "out of memory");
	if ((rows = json_array()) != NULL)
		for (size_t i = 0; i < r->n; i++)
			json_array_append_new(rows, reach_row(&r->rows[i]));
	http_res_json(c->res, 200, json_pack("{s:s,s:s,s:o,s:o}", "origin",
	    origin, "object_id", oid, "districts", rows, "total",
	    reach_row(&r->total)));
	free(r);
	return RM_OK;
}
