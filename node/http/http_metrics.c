/*
 * http_metrics.c -- GET /metrics in the Prometheus text exposition
 * format 0.0.4 (one HELP and TYPE line per family, then samples).
 */
#include <stdlib.h>
#include <string.h>

#include "node/devices/devices.h"
#include "node/http/http_int.h"

static int
family(rm_buf *b, const char *name, const char *type, const char *help)
{
	return rm_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* A label value with \, " and newline escaped. */
static int
label(rm_buf *b, const char *s)
{
	int rv = RM_OK;

	for (; *s != '\0' && rv == RM_OK; s++) {
		if (*s == '\\' || *s == '"')
			rv = rm_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			rv = rm_buf_printf(b, "\\n");
		else
			rv = rm_buf_append_byte(b, (uint8_t)*s);
	}
	return rv;
}

static int
sample(rm_buf *b, const char *name, const char *lname, const char *lval,
    uint64_t v)
{
	int rv;

	if (lname == NULL)
		return rm_buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
	if ((rv = rm_buf_printf(b, "%s{%s=\"", name, lname)) != RM_OK ||
	    (rv = label(b, lval)) != RM_OK)
		return rv;
	return rm_buf_printf(b, "\"} %llu\n", (unsigned long long)v);
}

static int
peers(const struct service_status *st, rm_buf *b)
{
	int rv = RM_OK;
	static const struct {
		const char *name, *type, *help;
	} fams[] = {
		{ "riskmesh_peer_up", "gauge",
		  "1 if the peer link is authenticated and exchanging" },
		{ "riskmesh_peer_records_sent_total", "counter",
		  "Records sent to the peer" },
		{ "riskmesh_peer_records_received_total", "counter",
		  "Records received from the peer" },
		{ "riskmesh_peer_records_refused_total", "counter",
		  "Records from the peer that were refused" },
		{ "riskmesh_peer_connects_total", "counter",
		  "Authenticated connections with the peer" },
		{ "riskmesh_peer_refused", "gauge",
		  "1 if the link is refused (by this node or by the peer)" },
		{ "riskmesh_peer_refusal_logs_held_total", "counter",
		  "Refusal log lines about the peer held back by the rate "
		  "limit (one line per reason per minute)" },
	};

	if (!st->fed_on)
		return RM_OK;
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		if (rv == RM_OK)
			rv = family(b, fams[f].name, fams[f].type, fams[f].help);
		for (size_t i = 0; i < st->n_peers && rv == RM_OK; i++) {
			const struct fed_peer_status *p = &st->peers[i];
			uint64_t v[] = { p->state == FED_PEER_UP,
			    p->records_sent, p->records_received,
			    p->records_refused, p->connects,
			    p->state == FED_PEER_REFUSED, p->refusal_logs_held };

			rv = sample(b, fams[f].name, "peer", p->agency, v[f]);
		}
	}
	return rv;
}

static int
refused(struct node *n, const struct service_status *st, rm_buf *b)
{
	const struct fed_counters *fc = &st->fed;
	int rv;

	rv = family(b, "riskmesh_records_refused_total", "counter",
	    "Records and frames from peers, or handed in (POST /v1/records), "
	    "refused, by reason");
	for (int i = 1; i < RM_ERR_COUNT && rv == RM_OK; i++)
		rv = sample(b, "riskmesh_records_refused_total", "reason",
		    rm_errname(i), fc->refused[i] +
		    atomic_load(&n->ctr.ingest_refused[i]));
	if (rv == RM_OK)
		rv = family(b, "riskmesh_handshakes_ok_total", "counter",
		    "Peer handshakes that authenticated");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_handshakes_ok_total", NULL, NULL,
		    fc->handshakes_ok);
	if (rv == RM_OK)
		rv = family(b, "riskmesh_handshakes_failed_total", "counter",
		    "Peer handshakes refused or failed");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_handshakes_failed_total", NULL, NULL,
		    fc->handshakes_failed);
	if (rv == RM_OK)
		rv = family(b, "riskmesh_fed_frames_malformed_total", "counter",
		    "Peer frames that did not decode");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_fed_frames_malformed_total", NULL,
		    NULL, fc->frames_malformed);
	if (rv == RM_OK)
		rv = family(b, "riskmesh_fed_reconcile_refused_total",
		    "counter", "RECONCILE messages refused (PROTOCOL 7a)");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_fed_reconcile_refused_total", NULL,
		    NULL, fc->reconcile_refused);
	if (rv == RM_OK)
		rv = family(b, "riskmesh_foreign_refused_total", "counter",
		    "Foreign records refused for an area outside their "
		    "federation's areas");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_foreign_refused_total", NULL, NULL,
		    fc->foreign_refused);
	if (rv == RM_OK)
		rv = family(b, "riskmesh_foreign_untrusted_total", "counter",
		    "Records of another region not kept: no foreign root is "
		    "configured for their federation (expected on nodes that "
		    "do not take them)");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_foreign_untrusted_total", NULL, NULL,
		    fc->foreign_untrusted);
	if (rv == RM_OK)
		rv = family(b, "riskmesh_gateway_policy_refused_total",
		    "counter", "Records a gateway link's policy refused on "
		    "receipt");
	if (rv == RM_OK)
		rv = sample(b, "riskmesh_gateway_policy_refused_total", NULL,
		    NULL, fc->policy_refused);
	return rv;
}

static int
http(struct node *n, rm_buf *b)
{
	char code[8];
	int rv;

	rv = family(b, "riskmesh_http_requests_total", "counter",
	    "HTTP API responses, by status code");
	for (int i = 100; i < NODE_HTTP_STATUS_MAX && rv == RM_OK; i++) {
		uint64_t v = atomic_load(&n->ctr.http_status[i]);

		if (v == 0 && i != 200)
			continue;
		snprintf(code, sizeof(code), "%d", i);
		rv = sample(b, "riskmesh_http_requests_total", "code", code, v);
	}
	if (rv == RM_OK)
		rv = family(b, "riskmesh_http_refused_total", "counter",
		    "HTTP API requests refused (4xx/5xx), by reason");
	for (int i = 1; i < RM_ERR_COUNT && rv == RM_OK; i++)
		rv = sample(b, "riskmesh_http_refused_total", "reason",
		    rm_errname(i), atomic_load(&n->ctr.http_refused[i]));
	return rv;
}

/* The own observe engine's counters (docs/COAP.md "Observe"). */
static int
coap_engine(const struct node_coap_stats *cs, rm_buf *b)
{
	static const char *const help[] = {
		"CoAP Observe registrations (plain UDP)",
		"CoAP notifications sent, by message type",
		"CoAP confirmable notifications retransmitted",
		"CoAP ACKs to confirmable notifications",
		"CoAP observers dropped after no ACK (RFC 7641 4.5)",
		"Datagrams dropped at the CoAP UDP socket",
	};
	int rv;

	if ((rv = family(b, "riskmesh_coap_registrations_total", "counter",
	    help[0])) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_registrations_total", NULL, NULL,
	    cs->registrations)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_notifications_sent_total",
	    "counter", help[1])) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_notifications_sent_total", "type",
	    "non", cs->sent_non)) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_notifications_sent_total", "type",
	    "con", cs->sent_con)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_retransmissions_total", "counter",
	    help[2])) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_retransmissions_total", NULL, NULL,
	    cs->retransmits)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_acks_total", "counter", help[3]))
	    != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_acks_total", NULL, NULL, cs->acks))
	    != RM_OK ||
	    (rv = family(b, "riskmesh_coap_observers_dropped_total", "counter",
	    help[4])) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_observers_dropped_total", NULL, NULL,
	    cs->dropped_no_ack)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_socket_drops_total", "counter",
	    help[5])) != RM_OK)
		return rv;
	return sample(b, "riskmesh_coap_socket_drops_total", NULL, NULL,
	    cs->sock_drops);
}

static int
coap(const struct service_status *st, rm_buf *b)
{
	const struct node_coap_stats *cs = &st->coap;
	int rv;

	if ((rv = family(b, "riskmesh_coap_notifications_total", "counter",
	    "CoAP resource-change notifications triggered")) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_notifications_total", NULL, NULL,
	    cs->notifications)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_observers", "gauge",
	    "Current CoAP observers, all resources")) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_observers", NULL, NULL,
	    cs->observers)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_requests_total", "counter",
	    "CoAP requests served")) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_requests_total", NULL, NULL,
	    cs->requests)) != RM_OK)
		return rv;
	if ((rv = sample(b, "riskmesh_coap_requests_total", NULL, NULL,
	    cs->requests)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_dtls_handshakes_total", "counter",
	    "DTLS-PSK handshakes on coaps://, by result (failed: unknown "
	    "identity or wrong key)")) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_dtls_handshakes_total", "result",
	    "ok", cs->dtls_ok)) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_dtls_handshakes_total", "result",
	    "failed", cs->dtls_failed)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_psk_unknown_total", "counter",
	    "DTLS handshakes with an identity not registered")) != RM_OK ||
	    (rv = sample(b, "riskmesh_coap_psk_unknown_total", NULL, NULL,
	    cs->psk_unknown)) != RM_OK ||
	    (rv = family(b, "riskmesh_coap_plain_refused_total", "counter",
	    "Plain coap:// reads refused (coap_allow_unregistered = no)")) !=
	    RM_OK)
		return rv;
	if ((rv = sample(b, "riskmesh_coap_plain_refused_total", NULL, NULL,
	    cs->plain_refused)) != RM_OK)
		return rv;
	return coap_engine(cs, b);
}

/* Registered devices and delivery receipts (node/devices). */
static int
devices_metrics(struct node *n, rm_buf *b)
{
	struct devices_stats ds;
	int rv;

	if (n->devices == NULL)
		return RM_OK;
	devices_get_stats(n->devices, &ds);
	if ((rv = family(b, "riskmesh_devices", "gauge",
	    "Registered devices (DTLS-PSK identities)")) != RM_OK ||
	    (rv = sample(b, "riskmesh_devices", NULL, NULL, ds.devices)) !=
	    RM_OK ||
	    (rv = family(b, "riskmesh_receipts_total", "counter",
	    "Delivery receipts acknowledged, by result (duplicate: the "
	    "device had confirmed the alert already)")) != RM_OK ||
	    (rv = sample(b, "riskmesh_receipts_total", "result", "accepted",
	    ds.accepted)) != RM_OK ||
	    (rv = sample(b, "riskmesh_receipts_total", "result", "duplicate",
	    ds.duplicate)) != RM_OK ||
	    (rv = family(b, "riskmesh_receipts_refused_total", "counter",
	    "Delivery receipts refused, by reason")) != RM_OK)
		return rv;
	for (int i = 0; i < DEVICE_REF_COUNT && rv == RM_OK; i++)
		rv = sample(b, "riskmesh_receipts_refused_total", "reason",
		    device_refusal_name((enum device_refusal)i),
		    ds.refused[i]);
	return rv;
}

static int
metrics(struct node *n, const struct service_status *st, rm_buf *b)
{
	const struct store_stats *ss = &st->store;
	int rv;
	struct {
		const char *name, *type, *help;
		uint64_t v;
	} plain[] = {
		{ "riskmesh_records", "gauge", "Records in the local store", 0 },
		{ "riskmesh_origins", "gauge", "Origins with records", 0 },
		{ "riskmesh_active_alerts", "gauge",
		  "In-force alert entries (by area)", 0 },
		{ "riskmesh_forks", "gauge", "Open forks (two records, one "
		  "origin and seq; the origin is held until resolved)", 0 },
		{ "riskmesh_equivocations", "gauge", "Equivocations (two "
		  "records, one object and ver)", 0 },
		{ "riskmesh_store_commits_total", "counter",
		  "LMDB write transactions committed", 0 },
		{ "riskmesh_store_jobs_total", "counter",
		  "Store jobs committed", 0 },
		{ "riskmesh_store_map_used_bytes", "gauge",
		  "LMDB map bytes in use", 0 },
		{ "riskmesh_store_map_size_bytes", "gauge",
		  "LMDB map size", 0 },
		{ "riskmesh_roster_version", "gauge",
		  "Version of the roster in use", 0 },
		{ "riskmesh_roster_newest_seen", "gauge",
		  "Newest roster version announced by an authenticated peer "
		  "in its latest session (above riskmesh_roster_version: "
		  "this node is stale)", 0 },
		{ "riskmesh_roster_age_seconds", "gauge",
		  "Seconds since the roster in use was signed", 0 },
		{ "riskmesh_own_key_valid", "gauge",
		  "1 if this node's signing key is its agency's key in use; "
		  "0: rotated, revoked or removed, the node cannot issue", 0 },
		{ "riskmesh_alerts_issued_total", "counter",
		  "Alerts and cancellations issued through the API", 0 },
		{ "riskmesh_forks_resolved", "gauge", "Forks resolved by a "
		  "fork_resolution record (evidence kept)", 0 },
		{ "riskmesh_roster_agencies", "gauge", "Agencies in the roster "
		  "in use (charter and agency records)", 0 },
		{ "riskmesh_agency_records_applied_total", "counter",
		  "Agency records applied to the roster in use", 0 },
		{ "riskmesh_agency_records_skipped_total", "counter",
		  "Agency records not applied (for a charter agency, or a key "
		  "another agency holds)", 0 },
		{ "riskmesh_own_key_refused_total", "counter", "Issues refused "
		  "because this node's key is not its agency's key in use", 0 },
		{ "riskmesh_acks_ignored_total", "counter", "Acks stored from "
		  "agencies that are not among the task's assignees (they "
		  "never count)", 0 },
		{ "riskmesh_escalations_total", "counter", "Escalations of "
		  "overdue tasks this node issued", 0 },
		{ "riskmesh_rules_evicted_total", "counter", "Idle (rule, "
		  "area) states and unneeded series the rules engine evicted "
		  "for room (docs/RULES.md, Limits)", 0 },
	};
	struct node_rules_stats rs;

	plain[0].v = ss->records;
	plain[1].v = ss->origins;
	plain[2].v = ss->active_alerts;
	plain[3].v = ss->forks_open;
	plain[4].v = ss->equivocations;
	plain[5].v = ss->commits;
	plain[6].v = ss->jobs;
	plain[7].v = ss->map_used_bytes;
	plain[8].v = ss->map_size_bytes;
	plain[9].v = st->roster != NULL ? roster_version(st->roster) : 0;
	plain[10].v = st->roster != NULL && st->roster_seen >
	    roster_version(st->roster) ? st->roster_seen : plain[9].v;
	plain[11].v = st->roster != NULL && roster_issued(st->roster) > 0 &&
	    rm_utc_now_ms() > roster_issued(st->roster) ?
	    (uint64_t)(rm_utc_now_ms() - roster_issued(st->roster)) / 1000 : 0;
	plain[12].v = st->own_key_valid ? 1 : 0;
	plain[13].v = atomic_load(&n->ctr.issued);
	plain[14].v = ss->forks_resolved;
	plain[15].v = st->roster != NULL ? roster_count(st->roster) : 0;
	plain[16].v = atomic_load(&n->ctr.agency_applied);
	plain[17].v = atomic_load(&n->ctr.agency_skipped);
	plain[18].v = atomic_load(&n->ctr.own_key_refused);
	plain[19].v = atomic_load(&n->ctr.acks_ignored);
	plain[20].v = atomic_load(&n->ctr.escalations);
	node_rules_get_stats(n, &rs);
	plain[21].v = rs.evicted;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if ((rv = family(b, plain[i].name, plain[i].type,
		    plain[i].help)) != RM_OK ||
		    (rv = sample(b, plain[i].name, NULL, NULL, plain[i].v)) !=
		    RM_OK)
			return rv;
	if ((rv = family(b, "riskmesh_records_stored_total", "counter",
	    "Records newly stored, by source")) != RM_OK ||
	    (rv = sample(b, "riskmesh_records_stored_total", "source", "local",
	    atomic_load(&n->ctr.stored_local))) != RM_OK ||
	    (rv = sample(b, "riskmesh_records_stored_total", "source", "peer",
	    atomic_load(&n->ctr.stored_peer))) != RM_OK)
		return rv;
	if ((rv = refused(n, st, b)) != RM_OK || (rv = peers(st, b)) != RM_OK ||
	    (rv = http(n, b)) != RM_OK || (rv = devices_metrics(n, b)) != RM_OK)
		return rv;
	return coap(st, b);
}

int
http_metrics(struct node *n, rm_buf *b)
{
	struct service_status *st;
	int rv;

	if ((rv = service_status(n, &st, NULL)) != RM_OK)
		return rv;
	rv = metrics(n, st, b);
	service_status_free(st);
	return rv;
}

/* GET /metrics */
int
http_get_metrics(struct http_call_ctx *c)
{
	int rv;

	c->res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	if ((rv = http_metrics(c->n, &c->res->body)) != RM_OK)
		return http_refuse(c, 500, rv, "", "%s", rm_strerror(rv));
	c->res->status = 200;
	return RM_OK;
}
