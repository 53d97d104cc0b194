/*
 * http_status.c -- GET /v1/status (docs/API.md): identity, store, peers
 * and every refusal counter of the node.
 */
#include <stdlib.h>
#include <string.h>

#include "common/rm_version.h"
#include "node/node.h"

static json_t *
time_or_null(rm_utc_ms t)
{
	char s[32];

	if (t == 0)
		return json_null();
	rm_utc_format(t, s);
	return json_string(s);
}

static json_t *
peers_json(struct node *n)
{
	struct fed_peer_status *ps;
	json_t *arr = json_array();
	size_t np;

	if (arr == NULL || n->fed == NULL)
		return arr;
	if ((ps = calloc(CONFIG_PEERS_MAX, sizeof(*ps))) == NULL) {
		json_decref(arr);
		return NULL;
	}
	np = fed_peers(n->fed, ps, CONFIG_PEERS_MAX);
	for (size_t i = 0; i < np; i++) {
		const struct fed_peer_status *p = &ps[i];

		if (json_array_append_new(arr, json_pack(
		    "{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:o}",
		    "agency", p->agency, "url", p->url,
		    "mode", p->listen ? "listen" : "dial",
		    "state", fed_peer_state_name(p->state),
		    "records_sent", (json_int_t)p->records_sent,
		    "records_received", (json_int_t)p->records_received,
		    "records_refused", (json_int_t)p->records_refused,
		    "connects", (json_int_t)p->connects,
		    "last_up", time_or_null(p->last_up_ms))) != 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	free(ps);
	return arr;
}

/* {"EBADSIG": n, …} for every error code; src may be NULL (zeros). */
static json_t *
by_error(const uint64_t *a, const atomic_uint_fast64_t *b)
{
	json_t *o = json_object();

	for (int i = 1; o != NULL && i < RM_ERR_COUNT; i++) {
		uint64_t v = (a != NULL ? a[i] : 0) +
		    (b != NULL ? atomic_load(&b[i]) : 0);

		if (json_object_set_new(o, rm_errname(i),
		    json_integer((json_int_t)v)) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static json_t *
http_json(struct node *n)
{
	json_t *st = json_object();
	char code[8];

	for (int i = 100; st != NULL && i < NODE_HTTP_STATUS_MAX; i++) {
		uint64_t v = atomic_load(&n->ctr.http_status[i]);

		if (v == 0)
			continue;
		snprintf(code, sizeof(code), "%d", i);
		if (json_object_set_new(st, code,
		    json_integer((json_int_t)v)) != 0) {
			json_decref(st);
			st = NULL;
		}
	}
	return json_pack("{s:I,s:o,s:o}",
	    "requests", (json_int_t)atomic_load(&n->ctr.http_requests),
	    "responses", st,
	    "refused", by_error(NULL, n->ctr.http_refused));
}

static json_t *
status_coap_json(struct node *n)
{
	struct alertcoap_stats cs;

	if (n->coap == NULL)
		return json_null();
	alertcoap_get_stats(n->coap, &cs);
	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}",
	    "listen", n->cfg.coap_listen,
	    "alert_changes", (json_int_t)atomic_load(&n->ctr.coap_notified),
	    "requests", (json_int_t)cs.requests,
	    "notifications", (json_int_t)cs.notifications,
	    "observers", (json_int_t)cs.observers,
	    "resources", (json_int_t)cs.resources);
}

int
http_status_json(struct node *n, rm_buf *out)
{
	struct store_stats ss;
	struct fed_counters fc;
	struct roster *r;
	char kid[65], started[32];
	json_t *o;
	int rv;

	memset(&fc, 0, sizeof(fc));
	if ((rv = store_get_stats(n->store, &ss)) != RM_OK)
		return rv;
	if (n->fed != NULL)
		fed_get_counters(n->fed, &fc);
	if ((r = node_roster(n)) == NULL)
		return RM_ENOMEM;
	rm_hash_hex(&n->kid, kid);
	rm_utc_format(n->started_ms, started);
	o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}",
	    "version", RM_VERSION,
	    "agency", n->cfg.agency,
	    "federation", roster_federation(r),
	    "roster_version", (json_int_t)roster_version(r),
	    "kid", kid,
	    "started", started,
	    "records", (json_int_t)ss.records,
	    "origins", (json_int_t)ss.origins,
	    "active_alerts", (json_int_t)ss.active_alerts,
	    "forks", (json_int_t)ss.forks,
	    "equivocations", (json_int_t)ss.equivocations,
	    "stored_local", (json_int_t)atomic_load(&n->ctr.stored_local),
	    "stored_peer", (json_int_t)atomic_load(&n->ctr.stored_peer),
	    "issued", (json_int_t)atomic_load(&n->ctr.issued),
	    "store_commits", (json_int_t)ss.commits,
	    "store_jobs", (json_int_t)ss.jobs,
	    "map_size_bytes", (json_int_t)ss.map_size_bytes,
	    "map_used_bytes", (json_int_t)ss.map_used_bytes,
	    "peers", peers_json(n),
	    "refused", by_error(fc.refused, n->ctr.ingest_refused),
	    "http", http_json(n),
	    "coap", status_coap_json(n));
	roster_free(r);
	if (o == NULL)
		return RM_ENOMEM;
	rv = json_dump_buf(o, JSON_RECORD_PRETTY, out);
	if (rv == RM_OK)
		rv = rm_buf_append_byte(out, '\n');
	json_decref(o);
	return rv;
}
