/*
 * http_peers.c -- the peer links (docs/API.md "Peers"): GET /v1/peers,
 * GET /v1/peers/{agency}, and POST /v1/peers/{agency}/sync, which starts
 * a range-based set reconciliation with that peer now
 * (docs/PROTOCOL.md §7a; `riskmesh sync`). The same peer objects are
 * the "peers" of GET /v1/status.
 */
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

json_t *
http_time_or_null(rm_utc_ms t)
{
	char s[32];

	if (t == 0)
		return json_null();
	rm_utc_format(t, s);
	return json_string(s);
}

/* Why the link is refused: {"by": "self"|"peer", "code", "reason"};
 * null when it is not. */
json_t *
http_refusal_json(const struct fed_peer_status *p)
{
	if (p->state != FED_PEER_REFUSED || p->refusal_code == 0)
		return json_null();
	return json_pack("{s:s,s:s,s:s}",
	    "by", p->refused_by_peer ? "peer" : "self",
	    "code", rm_errname(p->refusal_code),
	    "reason", p->refusal);
}

/* The link's reconciliation: the session running or the last one. */
static json_t *
reconcile_json(const struct fed_peer_status *p)
{
	return json_pack("{s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:s}",
	    "running", p->reconcile_running,
	    "requested", p->reconcile_requested,
	    "sessions", (json_int_t)p->reconcile_sessions,
	    "rounds", (json_int_t)p->reconcile_rounds,
	    "bytes", (json_int_t)p->reconcile_bytes,
	    "sent", (json_int_t)p->reconcile_sent,
	    "wanted", (json_int_t)p->reconcile_wanted,
	    "started", http_time_or_null(p->reconcile_started_ms),
	    "finished", http_time_or_null(p->reconcile_finished_ms),
	    "error", p->reconcile_error != 0 ?
	    json_string(rm_errname(p->reconcile_error)) : json_null(),
	    "reason", p->reconcile_why);
}

static json_t *
peer_json(const struct fed_peer_status *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:o,"
	    "s:o}",
	    "agency", p->agency, "url", p->url,
	    "mode", p->listen ? "listen" : "dial",
	    "state", fed_peer_state_name(p->state),
	    "refusal", http_refusal_json(p),
	    "refusal_logs_held", (json_int_t)p->refusal_logs_held,
	    "roster_announced", (json_int_t)(p->roster_announced >
	    (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : p->roster_announced),
	    "records_sent", (json_int_t)p->records_sent,
	    "records_received", (json_int_t)p->records_received,
	    "records_refused", (json_int_t)p->records_refused,
	    "connects", (json_int_t)p->connects,
	    "last_up", http_time_or_null(p->last_up_ms),
	    "reconcile", reconcile_json(p));
}

json_t *
http_peers_json(const struct fed_peer_status *p, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, peer_json(&p[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* GET /v1/peers */
int
http_get_peers(struct http_call_ctx *c)
{
	struct fed_peer_status *p;
	size_t n;
	json_t *arr;

	if ((p = calloc(CONFIG_PEERS_MAX, sizeof(*p))) == NULL)
		return RM_ENOMEM;
	n = service_peers(c->n, p, CONFIG_PEERS_MAX);
	arr = http_peers_json(p, n);
	free(p);
	if (arr == NULL)
		return RM_ENOMEM;
	http_res_json(c->res, 200, json_pack("{s:I,s:o}", "count",
	    (json_int_t)n, "peers", arr));
	return RM_OK;
}

/* The {agency} of /v1/peers/{agency}[/sync], checked. */
static int
peer_of_path(struct http_call_ctx *c, char *out, size_t len)
{
	enum http_pct_rv pr;

	pr = http_pct_decode(c->tail, c->tail_len, out, len);
	if (pr == PCT_LONG || (pr == PCT_OK && !agency_id_valid(out)))
		return http_refuse(c, 404, RM_ENOTFOUND, "agency", "no such "
		    "peer: not an agency id (%s)", RM_AGENCY_ID_RULE);
	if (pr != PCT_OK)
		return http_pct_refuse(c, pr, "agency");
	return RM_OK;
}

/* The status of one peer into *out; 404 when there is no such link. */
static int
find_peer(struct http_call_ctx *c, const char *agency,
    struct fed_peer_status *out)
{
	struct fed_peer_status *p;
	size_t n;
	int rv = RM_ENOTFOUND;

	if ((p = calloc(CONFIG_PEERS_MAX, sizeof(*p))) == NULL)
		return RM_ENOMEM;
	n = service_peers(c->n, p, CONFIG_PEERS_MAX);
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].agency, agency) == 0) {
			*out = p[i];
			rv = RM_OK;
			break;
		}
	free(p);
	if (rv == RM_ENOTFOUND)
		return http_refuse(c, 404, RM_ENOTFOUND, "agency", "no peer "
		    "link to %s on this node", agency);
	return rv;
}

/* The peer of the path into *out: 404 unless the node has that link. */
static int
peer_of_request(struct http_call_ctx *c, char *agency, size_t len,
    struct fed_peer_status *out)
{
	int rv;

	if ((rv = peer_of_path(c, agency, len)) != RM_OK)
		return rv;
	return find_peer(c, agency, out);
}

/* GET /v1/peers/{agency} */
int
http_get_peer(struct http_call_ctx *c)
{
	char agency[RM_AGENCY_ID_MAX + 1];
	struct fed_peer_status p;
	int rv;

	if ((rv = peer_of_request(c, agency, sizeof(agency), &p)) != RM_OK)
		return rv;
	http_res_json(c->res, 200, peer_json(&p));
	return RM_OK;
}

/* POST /v1/peers/{agency}/sync: 202 with the peer, its session started. */
int
http_post_peer_sync(struct http_call_ctx *c)
{
	char agency[RM_AGENCY_ID_MAX + 1];
	struct fed_peer_status p;
	int rv;

	if ((rv = peer_of_request(c, agency, sizeof(agency), &p)) != RM_OK)
		return rv;
	if ((rv = service_peer_sync(c->n, agency, &c->why)) != RM_OK) {
		c->status = rv == RM_EBUSY ? 409 : rv == RM_EUNSUPPORTED ? 501 :
		    0;
		return rv;
	}
	if ((rv = find_peer(c, agency, &p)) != RM_OK)
		return rv;
	http_res_json(c->res, 202, peer_json(&p));
	return RM_OK;
}
