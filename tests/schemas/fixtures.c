/*
 * fixtures.c -- sample records for the schemas tests.
 */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

/*
 * fx_tiny() encoded by hand (RFC 8949 §4.2.1 key order):
 * a9                                map(9)
 *   61 76  01                       "v": 1
 *   63 6f6964  62 6131              "oid": "a1"
 *   63 736571  01                   "seq": 1
 *   63 766572  01                   "ver": 1
 *   64 626f6479  aa                 "body": map(10)
 *     62 6964  61 78                  "id": "x"
 *     63 636174  81 63 4d6574         "cat": ["Met"]
 *     65 6772616465  63 726564        "grade": "red"
 *     65 7465787473  81 a3            "texts": [map(3)
 *       64 6c616e67  62 656e            "lang": "en"
 *       65 6576656e74  61 54            "event": "T"
 *       68 686561646c696e65  61 48      "headline": "H"]
 *     66 737461747573  66 41637475616c          "status": "Actual"
 *     67 6d736754797065  65 416c657274          "msgType": "Alert"
 *     67 757267656e6379  69 496d6d656469617465  "urgency": "Immediate"
 *     68 7365766572697479  67 45787472656d65    "severity": "Extreme"
 *     69 6365727461696e7479  68 4f62736572766564  "certainty": "Observed"
 *     69 656666656374697665  19 03e8            "effective": 1000
 *   64 6b696e64  65 616c657274      "kind": "alert"
 *   65 6172656173  81 66 313230313033  "areas": ["120103"]
 *   66 697373756564  19 03e8        "issued": 1000
 *   66 6f726967696e  69 3132303130332e656d  "origin": "120103.em"
 */
const char FX_TINY_HEX[] =
    "a9"
    "6176" "01"
    "636f6964" "626131"
    "63736571" "01"
    "63766572" "01"
    "64626f6479" "aa"
    "626964" "6178"
    "63636174" "81634d6574"
    "656772616465" "63726564"
    "657465787473" "81a3"
    "646c616e67" "62656e"
    "656576656e74" "6154"
    "68686561646c696e65" "6148"
    "66737461747573" "6641637475616c"
    "676d736754797065" "65416c657274"
    "67757267656e6379" "69496d6d656469617465"
    "687365766572697479" "6745787472656d65"
    "696365727461696e7479" "684f62736572766564"
    "69656666656374697665" "1903e8"
    "646b696e64" "65616c657274"
    "656172656173" "8166313230313033"
    "66697373756564" "1903e8"
    "666f726967696e" "693132303130332e656d";

const struct fx_kv fx_tiny_body[FX_TINY_BODY_N] = {
	{ "id", "6178" },
	{ "cat", "81634d6574" },
	{ "grade", "63726564" },
	{ "texts", "81a3646c616e6762656e656576656e74615468686561646c696e656148" },
	{ "status", "6641637475616c" },
	{ "msgType", "65416c657274" },
	{ "urgency", "69496d6d656469617465" },
	{ "severity", "6745787472656d65" },
	{ "certainty", "684f62736572766564" },
	{ "effective", "1903e8" },
};

const struct fx_kv fx_tiny_rec[FX_TINY_REC_N] = {
	{ "v", "01" },
	{ "oid", "626131" },
	{ "seq", "01" },
	{ "ver", "01" },
	{ "body", NULL },
	{ "kind", "65616c657274" },
	{ "areas", "8166313230313033" },
	{ "issued", "1903e8" },
	{ "origin", "693132303130332e656d" },
};

void
fx_tiny(struct rm_record *r)
{
	static struct rm_alert_text t;
	static struct rm_alert alert;

	memset(r, 0, sizeof(*r));
	memset(&t, 0, sizeof(t));
	memset(&alert, 0, sizeof(alert));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_alert;
	r->body = &alert;
	strcpy(r->origin, "120103.em");
	strcpy(r->object_id, "a1");
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = 1000;
	r->n_areas = 1;
	strcpy(r->areas[0], "120103");
	t.lang = "en";
	t.event = "T";
	t.headline = "H";
	record_alert(r)->identifier = "x";
	record_alert(r)->status = RM_STATUS_ACTUAL;
	record_alert(r)->msg_type = RM_MSGTYPE_ALERT;
	record_alert(r)->categories = RM_CAT_MET;
	record_alert(r)->urgency = RM_URGENCY_IMMEDIATE;
	record_alert(r)->severity = RM_SEVERITY_EXTREME;
	record_alert(r)->certainty = RM_CERTAINTY_OBSERVED;
	record_alert(r)->grade = RM_GRADE_RED;
	record_alert(r)->effective_ms = 1000;
	record_alert(r)->n_texts = 1;
	record_alert(r)->texts = &t;
}

void
fx_typhoon(struct rm_record *r)
{
	static struct rm_alert_text t[2];
	static struct rm_point poly[5];
	static char *refs[2];
	static const struct rm_point pts[5] = {
		{ 39100000, 117000000 }, { 39100000, 117900000 },
		{ 38600000, 117900000 }, { 38600000, 117000000 },
		{ 39100000, 117000000 },
	};
	static struct rm_alert alert;
	struct rm_alert *a = &alert;

	memset(r, 0, sizeof(*r));
	memset(&alert, 0, sizeof(alert));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_alert;
	r->body = &alert;
	strcpy(r->origin, "120000.meteo");
	strcpy(r->object_id, "typhoon-2026-09:tj");
	r->ver = 2;
	r->seq = 7;
	r->issued_ms = 1786000000000LL;
	r->expires_ms = 1786086400000LL;
	r->n_areas = 3;
	strcpy(r->areas[0], "120000");
	strcpy(r->areas[1], "120103");
	strcpy(r->areas[2], "120116001");
	r->has_prev = true;
	r->has_supersedes = true;
	for (int i = 0; i < RM_HASH_BYTES; i++) {
		r->prev.b[i] = (uint8_t)i;
		r->supersedes.b[i] = (uint8_t)(0xa0 + i);
	}
	t[0] = (struct rm_alert_text){
		.lang = "zh-CN",
		.event = "台风",
		.headline = "天津市气象台发布台风红色预警信号",
		.description = "受今年第9号台风影响，预计未来24小时内本市"
		    "将出现12级以上大风。",
		.instruction = "停止集会、停课、停业；人员留在室内。",
		.sender_name = "天津市气象台",
		.area_desc = "天津市全境",
	};
	t[1] = (struct rm_alert_text){
		.lang = "en-US",
		.event = "Typhoon",
		.headline = "Tianjin: red typhoon warning",
		.description = "Typhoon No. 9: gales of force 12 and above "
		    "expected within 24 hours.",
		.instruction = "Stay indoors; schools and businesses closed.",
		.sender_name = "Tianjin Meteorological Observatory",
		.area_desc = "All of Tianjin",
	};
	memcpy(poly, pts, sizeof(poly));
	refs[0] = "120000.meteo,CN-TJ-METEO-2026-0915-00,"
	    "2026-08-15T06:00:00+08:00";
	refs[1] = "120000.meteo,CN-TJ-METEO-2026-0914-03,"
	    "2026-08-14T18:00:00+08:00";
	a->identifier = "CN-TJ-METEO-2026-0915-01";
	a->status = RM_STATUS_ACTUAL;
	a->msg_type = RM_MSGTYPE_UPDATE;
	a->categories = RM_CAT_MET | RM_CAT_SAFETY;
	a->urgency = RM_URGENCY_IMMEDIATE;
	a->severity = RM_SEVERITY_EXTREME;
	a->certainty = RM_CERTAINTY_LIKELY;
	a->grade = RM_GRADE_RED;
	a->effective_ms = 1786000000000LL;
	a->n_texts = 2;
	a->texts = t;
	a->n_polygon = 5;
	a->polygon = poly;
	a->has_circle = true;
	a->circle_centre = (struct rm_point){ 39084000, 117201000 };
	a->circle_radius_m = 150000;
	a->n_references = 2;
	a->references = refs;
}

void
fx_unhex(const char *hex, rm_buf *out)
{
	int hi = -1;

	for (const char *c = hex; *c != '\0'; c++) {
		int v;

		if (*c >= '0' && *c <= '9')
			v = *c - '0';
		else if (*c >= 'a' && *c <= 'f')
			v = *c - 'a' + 10;
		else if (*c >= 'A' && *c <= 'F')
			v = *c - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (rm_buf_append_byte(out, (uint8_t)(hi << 4 | v)) !=
			    RM_OK)
				abort();
			hi = -1;
		}
	}
}

void
fx_build(const struct fx_kv *kv, size_t n, rm_buf *out)
{
	if (rm_cbor_put_map(out, n) != RM_OK)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (rm_cbor_put_cstr(out, kv[i].key) != RM_OK)
			abort();
		fx_unhex(kv[i].hex, out);
	}
}

void
fx_build_record(const struct fx_kv *rec, size_t nrec,
    const struct fx_kv *body, size_t nbody, rm_buf *out)
{
	if (rm_cbor_put_map(out, nrec) != RM_OK)
		abort();
	for (size_t i = 0; i < nrec; i++) {
		if (rm_cbor_put_cstr(out, rec[i].key) != RM_OK)
			abort();
		if (rec[i].hex == NULL)
			fx_build(body, nbody, out);
		else
			fx_unhex(rec[i].hex, out);
	}
}
