/*
 * http_status.c -- GET /v1/status (docs/API.md): identity, store, peers
 * and every refusal counter of the node.
 */
#include <stdlib.h>
#include <string.h>

#include "common/rm_version.h"
#include "node/http/http_int.h"

/*
 * How current the roster is: when it was signed, how old it is, the
 * newest version an authenticated peer announced, and whether that is
 * newer than ours (stale: keep working, but an operator should look).
 */
static json_t *
roster_json(const struct roster *r, uint64_t seen)
{
	rm_utc_ms issued = roster_issued(r), now = rm_utc_now_ms();

	if (seen > (uint64_t)INT64_MAX)     /* JSON integers are signed */
		seen = (uint64_t)INT64_MAX;

	return json_pack("{s:I,s:o,s:I,s:I,s:b,s:I}",
	    "version", (json_int_t)roster_version(r),
	    "issued", http_time_or_null(issued),
	    "age_s", (json_int_t)(issued > 0 && now > issued ?
	    (now - issued) / 1000 : 0),
	    "newest_seen", (json_int_t)(seen > roster_version(r) ? seen :
	    roster_version(r)),
	    "stale", seen > roster_version(r),
	    "agencies", (json_int_t)roster_count(r));
}

/* The gateway links (docs/PROTOCOL.md §12.3): each with its federation,
 * policy, state and lag. */
static json_t *
gateways_json(const struct service_status *st)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < st->n_peers; i++) {
		const struct fed_peer_status *p = &st->peers[i];

		if (!p->gateway)
			continue;
		if (json_array_append_new(arr, json_pack(
		    "{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:I,s:I,"
		    "s:{s:I,s:o,s:o}}",
		    "agency", p->agency, "federation", p->federation,
		    "url", p->url, "mode", p->listen ? "listen" : "dial",
		    "state", fed_peer_state_name(p->state),
		    "policy", p->policy, "refusal", http_refusal_json(p),
		    "records_sent", (json_int_t)p->records_sent,
		    "records_received", (json_int_t)p->records_received,
		    "records_refused", (json_int_t)p->records_refused,
		    "policy_refused", (json_int_t)p->policy_refused,
		    "foreign_refused", (json_int_t)p->foreign_refused,
		    "lag", "queued", (json_int_t)p->queued,
		    "last_sent", http_time_or_null(p->last_sent_ms),
		    "last_received", http_time_or_null(p->last_received_ms))) !=
		    0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Foreign-trust counters (docs/PROTOCOL.md §12). */
static json_t *
foreign_json(const struct service_status *st)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}",
	    "untrusted", (json_int_t)st->fed.foreign_untrusted,
	    "foreign_refused", (json_int_t)st->fed.foreign_refused,
	    "policy_refused", (json_int_t)st->fed.policy_refused,
	    "rosters_ignored", (json_int_t)st->fed.rosters_foreign_ignored,
	    "rosters_adopted", (json_int_t)st->fed.rosters_foreign_adopted);
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
status_coap_json(struct node *n, const struct service_status *st)
{
	const struct node_coap_stats *cs = &st->coap;

	if (!st->coap_on)
		return json_null();
	return json_pack("{s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "listen", n->cfg.coap_listen,
	    "dtls_listen", n->cfg.coaps_listen,
	    "allow_unregistered", n->cfg.coap_allow_unregistered,
	    "dtls_handshakes_ok", (json_int_t)cs->dtls_ok,
	    "dtls_handshakes_failed", (json_int_t)cs->dtls_failed,
	    "alert_changes", (json_int_t)atomic_load(&n->ctr.coap_notified),
	    "requests", (json_int_t)cs->requests,
	    "notifications", (json_int_t)cs->notifications,
	    "observers", (json_int_t)cs->observers,
	    "resources", (json_int_t)cs->resources,
	    "malformed", (json_int_t)cs->malformed,
	    "left_out", (json_int_t)cs->left_out,
	    "plain_refused", (json_int_t)cs->plain_refused,
	    "restored_observers", (json_int_t)cs->restored,
	    "restored_notifications", (json_int_t)cs->restored_sent,
	    "registrations", (json_int_t)cs->registrations,
	    "notifications_non", (json_int_t)cs->sent_non,
	    "notifications_con", (json_int_t)cs->sent_con,
	    "retransmissions", (json_int_t)cs->retransmits,
	    "acks", (json_int_t)cs->acks,
	    "dropped_no_ack", (json_int_t)cs->dropped_no_ack,
	    "socket_drops", (json_int_t)cs->sock_drops);
}

/* The monitoring rules (node_rules_get_stats), null without them. */
static json_t *
status_rules_json(struct node *n)
{
	struct node_rules_stats rs;

	node_rules_get_stats(n, &rs);
	if (!rs.on)
		return json_null();
	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "file", n->cfg.rules_file,
	    "rules", (json_int_t)rs.rules,
	    "observations", (json_int_t)rs.obs_used,
	    "ignored", (json_int_t)rs.obs_ignored,
	    "refused", (json_int_t)rs.refused,
	    "evicted", (json_int_t)rs.evicted,
	    "raised", (json_int_t)rs.raised,
	    "cleared", (json_int_t)rs.cleared,
	    "issue_failed", (json_int_t)rs.issue_failed,
	    "review_refused", (json_int_t)rs.review_refused);
}

int
http_status_json(struct node *n, rm_buf *out)
{
	struct service_status *st;
	const struct store_stats *ss;
	const struct roster *r;
	char kid[65], started[32], setfp[2 * RBSR_FP_BYTES + 1];
	json_t *o;
	int rv;

	if ((rv = service_status(n, &st, NULL)) != RM_OK)
		return rv;
	if ((r = st->roster) == NULL) {
		service_status_free(st);
		return RM_ENOMEM;
	}
	ss = &st->store;
	rm_hash_hex(&n->kid, kid);
	rm_utc_format(n->started_ms, started);
	rm_hex_encode(st->set_fingerprint, RBSR_FP_BYTES, setfp);
	o = json_pack("{s:s,s:s,s:s,s:I,s:o,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:I,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:I,s:s}}",
	    "version", RM_VERSION,
	    "agency", n->cfg.agency,
	    "federation", roster_federation(r),
	    "roster_version", (json_int_t)roster_version(r),
	    "roster", roster_json(r, st->roster_seen),
	    "kid", kid,
	    "started", started,
	    "records", (json_int_t)ss->records,
	    "origins", (json_int_t)ss->origins,
	    "active_alerts", (json_int_t)ss->active_alerts,
	    "forks", (json_int_t)ss->forks_open,
	    "forks_resolved", (json_int_t)ss->forks_resolved,
	    "equivocations", (json_int_t)ss->equivocations,
	    "stored_local", (json_int_t)atomic_load(&n->ctr.stored_local),
	    "stored_peer", (json_int_t)atomic_load(&n->ctr.stored_peer),
	    "issued", (json_int_t)atomic_load(&n->ctr.issued),
	    "store_commits", (json_int_t)ss->commits,
	    "store_jobs", (json_int_t)ss->jobs,
	    "map_size_bytes", (json_int_t)ss->map_size_bytes,
	    "map_used_bytes", (json_int_t)ss->map_used_bytes,
	    "own_key_valid", st->own_key_valid,
	    "peers", http_peers_json(st->peers, st->n_peers),
	    "gateways", gateways_json(st),
	    "foreign", foreign_json(st),
	    "refused", by_error(st->fed.refused, n->ctr.ingest_refused),
	    "http", http_json(n),
	    "coap", status_coap_json(n, st),
	    "set", "count", (json_int_t)st->set_count, "fingerprint", setfp);
	service_status_free(st);
	if (o == NULL || json_object_set_new(o, "rules",
	    status_rules_json(n)) != 0) {
		json_decref(o);
		return RM_ENOMEM;
	}
	rv = repr_dump_buf(o, REPR_PRETTY, out);
	if (rv == RM_OK)
		rv = rm_buf_append_byte(out, '\n');
	json_decref(o);
	return rv;
}

/* GET /v1/status */
int
http_get_status(struct http_call_ctx *c)
{
	int rv;

	c->res->content_type = HTTP_CT_JSON;
	if ((rv = http_status_json(c->n, &c->res->body)) != RM_OK)
		return http_refuse(c, 500, rv, "", "%s", rm_strerror(rv));
	c->res->status = 200;
	return RM_OK;
}
