/*
 * coap_srv.h -- the node's CoAP alert server (libcoap 4.3.1, RFC 7252).
 *
 * Resources:
 *   /alerts                  all in-force alerts, observable (RFC 7641)
 *   /alerts/{area code}      in-force alerts whose areas contain or are
 *                            contained by the code, observable
 *   /.well-known/core        link format (RFC 6690), see below
 *
 * Each observable resource is the *current set* of in-force alerts, so a
 * device that missed a notification converges on the next one.
 * Representations by Accept (RFC 7252 §5.10.4):
 *   text/plain;charset=utf-8 (0)  one line per alert, Chinese and English
 *   application/cbor (60)         compact alert list (docs/COAP.md)
 *   application/json (50)         same content as JSON
 *   application/cose; cose-type="cose-sign1" (18)
 *                                 the signed records, as a CBOR array of
 *                                 COSE_Sign1 messages
 * Notifications for a set whose highest grade is orange or red are sent
 * confirmable; blue/yellow non-confirmable. Max-Age is max_age_s.
 * Test, Exercise and Draft alerts are marked in every representation.
 * docs/COAP.md describes all of this for device makers.
 *
 * libcoap is not thread-safe: it runs on the server's own thread; the
 * other threads only call alertcoap_notify(), which records what changed
 * and wakes the server thread at once (an eventfd in its poll set; the
 * thread has no fixed tick, see coap_srv.c). libcoap types never leave
 * node/coap_*.c.
 *
 * Area resources that do not exist yet: libcoap 4.3.1 routes a request
 * for an unknown path to its "unknown resource", which can hold
 * observers but is never notified (coap_check_notify() only walks the
 * context's resource table). For /alerts/<valid area code> inside the
 * federation (opts.served, below) the server creates the observable
 * area resource on the spot. A plain GET is answered at once. An
 * Observe GET (Observe: 0, first block) is answered as a separate
 * response (RFC 7252 §5.2.2): an empty ACK (nothing for a NON
 * request), then libcoap runs the same request again
 * (coap_register_async()), now against the new resource, so the 2.05
 * carries Observe and the device is registered on its first request;
 * notifications follow as for any area.
 * A valid code that no served prefix contains gets 4.04 "area outside
 * this federation" and creates nothing; other unknown paths and
 * invalid area codes get 4.04 "no such resource".
 *
 * The area table holds at most ALERTCOAP_AREAS_MAX resources. When it is
 * full, a new on-demand resource replaces the least recently requested
 * one that was created on demand (by a request or by
 * alertcoap_notify()) and has no observer; pre-created resources
 * (opts.areas) and resources with observers are never evicted. If
 * nothing can be evicted, the GET is answered without creating a
 * resource (so without Observe). The first time the table is full the
 * server logs one warning, then at most one a minute.
 *
 * /.well-known/core (RFC 6690, application/link-format) lists /alerts
 * and the pre-created area resources only, never the on-demand ones,
 * so its size is bounded by opts.n_areas. It takes one filter query
 * (RFC 6690 §4.1, the first Uri-Query): href=<path> (a leading "/" is
 * optional) or <attribute>=<value> for rt, ct, title, if or rel; a
 * trailing "*" matches a prefix; rt, if, rel and ct match any one of
 * their space-separated values. A query that is not name=value matches
 * nothing (as libcoap's own discovery handler does).
 */
#ifndef RM_NODE_COAP_SRV_H
#define RM_NODE_COAP_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "schemas/schemas.h"

struct alertcoap;

/* Called for each alert, newest first; bytes are the signed record. */
typedef int (*alertcoap_each_fn)(void *ctx, const rm_hash *h,
    const uint8_t *p, size_t n, const struct rm_record *rec);

/* Where the server reads alerts (the node wires it to the store). */
struct alertcoap_provider {
	/* In-force alerts overlapping `area` (NULL = all) at `now`. */
	int (*alerts)(void *arg, const char *area, rm_utc_ms now,
	    alertcoap_each_fn each, void *ctx);
	void *arg;
};

/* Registered devices (node/coap/coap_dtls.c, docs/COAP.md "Devices"):
 * the daemon wires these to its device registry. Called on the server
 * thread; must not block on I/O other than a short write. */
struct alertcoap_devices {
	/* The pre-shared key of identity id[0..n) into key (at most
	 * ALERTCOAP_PSK_MAX bytes) and *key_len; false: not registered
	 * (the DTLS handshake fails). NULL: no coaps:// endpoint. */
	bool (*psk)(void *arg, const uint8_t *id, size_t n, uint8_t *key,
	    size_t *key_len);
	/* A POST to /receipts: identity NULL when the request did not come
	 * over DTLS; cf its Content-Format (0 when absent, 0xffff when
	 * not a valid option); p[0..n) the payload. Returns RM_OK (2.04
	 * Changed; *dup: the receipt was counted before) or an error:
	 * RM_EUNAUTH 4.01, RM_EUNSUPPORTED 4.15, RM_ENOTFOUND 4.04,
	 * RM_EBUSY 5.03, any other 4.00; why.msg is the payload.
	 * NULL: no /receipts resource. */
	int (*receipt)(void *arg, const uint8_t *identity, size_t id_len,
	    unsigned cf, const uint8_t *p, size_t n, bool *dup, rm_why *why);
	void *arg;
};

#define ALERTCOAP_PSK_MAX 64    /* bytes of a pre-shared key */

struct alertcoap_opts {
	const char *host;          /* "127.0.0.1", "::1", "0.0.0.0";
	                              NULL = "127.0.0.1" */
	uint16_t port;             /* default (0) 5683 */
	unsigned max_age_s;        /* Max-Age option, default (0) 60,
	                              at most 2^24-1 */
	/* Area resources created at start (others are created when an
	 * alert for them is notified or when first requested). Listed in
	 * /.well-known/core, never evicted. */
	const char *const *areas;
	size_t n_areas;
	/* Served prefixes: the area codes whose containment defines what
	 * this node serves (the node passes its roster agencies' areas).
	 * Resources are created on demand only for codes that one of them
	 * contains (area_contains(): "120000" serves every 12xxxx code);
	 * other valid codes get 4.04. n_served == 0 (the zero value):
	 * every valid code is served. At most ALERTCOAP_AREAS_MAX. */
	const char *const *served;
	size_t n_served;
	struct alertcoap_provider provider;
	/* Where the plain-UDP observations are kept across restarts
	 * (coap_restore.c, docs/COAP.md "Restarts"): read at start, the
	 * observers found there registered again and notified at once;
	 * written atomically (mode 0600) at most once a second while
	 * observations change, and at alertcoap_stop(). NULL: not kept. */
	const char *observers_file;
	/* coaps:// (DTLS 1.2, PSK only; RFC 7252 §9.1): dtls_port 0 = no
	 * DTLS endpoint; dtls_host as host (NULL = host). Needs
	 * devices.psk. */
	const char *dtls_host;
	uint16_t dtls_port;
	/* false (the zero value): plain coap:// GETs from anyone; true:
	 * they get 4.01 "registered devices only" (/.well-known/core
	 * stays open), only coaps:// sessions read alerts. */
	bool registered_only;
	struct alertcoap_devices devices;
	/* ACK_TIMEOUT of confirmable notifications to plain-UDP observers
	 * (RFC 7252 §4.8; §4.8.1 lets an application change it): 0 means
	 * 2000 ms, the RFC's default (the node always uses it; tests set a
	 * short one). */
	uint32_t ack_timeout_ms;
};

struct alertcoap_stats {
	uint64_t requests;
	uint64_t notifications;    /* resource-change notifications triggered */
	uint64_t observers;        /* current observers, all resources */
	uint64_t resources;        /* area resources */
	uint64_t evicted;          /* on-demand resources evicted (table full) */
	uint64_t left_out;         /* records left out of representations
	                              over ALERTCOAP_BODY_MAX (stubbed or
	                              not), summed over every body rendered
	                              for a response or notification round */
	uint64_t malformed;        /* datagrams dropped as malformed: shorter
	                              than a CoAP header, or not parsed by
	                              libcoap (RFC 7252 §3); each counted,
	                              a sample logged (5 lines per 10 s) */
	uint64_t restored;         /* observers read back after a restart
	                              and not yet registered again */
	uint64_t restored_sent;    /* notifications sent to them */
	uint64_t dtls_ok;          /* DTLS handshakes completed */
	uint64_t dtls_failed;      /* DTLS handshakes failed (unknown
	                              identity, wrong key, bad records) */
	uint64_t psk_unknown;      /* of those, identity not registered */
	uint64_t plain_refused;    /* plain GETs refused (registered_only) */
	/* The own engine for plain-UDP observers (docs/COAP.md "Observe"): */
	uint64_t registrations;    /* Observe: 0 GETs registered or refreshed */
	uint64_t sent_non;         /* notifications sent NON */
	uint64_t sent_con;         /* notifications sent CON (first send) */
	uint64_t retransmits;      /* CON retransmissions (RFC 7252 §4.8) */
	uint64_t acks;             /* ACKs to our CON notifications */
	uint64_t dropped_no_ack;   /* observers ended: no ACK after the last
	                              retransmission (RFC 7641 §4.5) */
	uint64_t send_errors;      /* datagrams the kernel refused to send */
	uint64_t sock_drops;       /* datagrams the kernel dropped at the
	                              server's UDP socket (SO_RXQ_OVFL) */
};

/* Bind (UDP), create resources, start the thread. opts is copied
 * (areas and served are only read during the call; the provider must
 * stay valid until alertcoap_stop()). The provider is called on the
 * server thread.
 * Errors: RM_ENET (bind), RM_ECONFIG (dtls_port without devices.psk,
 * or libcoap without DTLS), RM_EINVAL (no provider, invalid or more than
 * ALERTCOAP_AREAS_MAX area codes in areas or served, unresolvable host,
 * max_age_s too large), RM_ENOMEM. On error *out is untouched. */
int alertcoap_start(const struct alertcoap_opts *opts, struct alertcoap **out,
    rm_why *why);

/* An alert was stored (new, updated, cancelled): mark /alerts and every
 * area resource that overlaps rec's areas as changed. Thread-safe,
 * never blocks on I/O; notifications go out from the server thread.
 * Area codes of rec that have no resource yet get one if they are
 * served (evicting as a request does when the table is full). rec is
 * only read during the call; rec == NULL marks every resource as
 * changed. The server also re-notifies every resource by itself when
 * an alert it served reaches its expiry. */
void alertcoap_notify(struct alertcoap *c, const struct rm_record *rec);

/* Snapshot of the counters; callable from any thread. `observers` is
 * the server's own tally of libcoap's subscriptions (libcoap 4.3.1 has
 * no API to count them): registrations minus every way libcoap ends
 * one (cancel, error response, RST to a confirmable or a
 * non-confirmable message, a confirmable message never acknowledged,
 * a session torn down; coap_obs.c lists them), so it is exact. */
void alertcoap_get_stats(struct alertcoap *c, struct alertcoap_stats *out);

/* Stop the thread, release observers and sockets. NULL is fine. */
void alertcoap_stop(struct alertcoap *c);

/* ---------------- representations (node/coap/coap_repr.c) ----------------
 * Used by the server for every response and notification; public so
 * that tests and other front ends can render the same bodies. No
 * libcoap here; reentrant.
 */

/* CoAP Content-Format numbers (RFC 7252 §12.3, IANA registry). */
#define ALERTCOAP_CF_TEXT  0   /* text/plain;charset=utf-8 */
#define ALERTCOAP_CF_COSE  18  /* application/cose; cose-type="cose-sign1" */
#define ALERTCOAP_CF_JSON  50  /* application/json */
#define ALERTCOAP_CF_CBOR  60  /* application/cbor */

#define ALERTCOAP_BODY_MAX  (1024 * 1024) /* bytes per representation */
#define ALERTCOAP_AREAS_MAX 4096          /* area resources per server,
                                            and served prefixes */

/* True iff cf is one of the ALERTCOAP_CF_* formats above. */
bool alertcoap_cf_supported(unsigned cf);

/* What a rendered set held. */
struct alertcoap_set_info {
	size_t n_alerts;           /* alerts in the representation in full
	                              (info only: every alert of the set) */
	rm_grade max_grade;        /* highest grade, 0 when empty; left-out
	                              alerts count */
	rm_utc_ms next_expiry_ms;  /* earliest expires_ms > now, 0 = none;
	                              left-out alerts count */
	size_t n_left_out;         /* alerts left out for the body limit,
	                              named by a stub or not */
	size_t n_unnamed;          /* of those, left out without a stub
	                              (even the stubs were over the limit) */
};

/*
 * Render the in-force alerts of `area` (NULL = all) at `now`, as read
 * from p, in content format cf, appending to out (out may be NULL to
 * only fill *info). Bodies, newest alert first:
 *   TEXT  one line per alert, "\n"-terminated:
 *         "[演练 EXERCISE] " (or 测试 TEST, 草稿 DRAFT, 系统 SYSTEM) for
 *         non-Actual status, then "[红色预警/RED] 台风 Typhoon: <zh
 *         headline> | <en headline> (<areas, comma separated>) until
 *         <RFC 3339 expiry>"; control characters become spaces; an
 *         empty set is "(no active alerts / 无生效预警)\n".
 *   CBOR  deterministic array of maps (RFC 8949 §4.2.1) with keys
 *         "hash" (bstr 32), "origin", "oid", "ver" (uint), "grade"
 *         ("red"), "status" ("Exercise"), "msgType" ("Alert"),
 *         "event" (text of the zh-CN block if present, else the
 *         first), "headline" (array: that block's headline first,
 *         then the other blocks' in record order), "areas" (array of
 *         text), "expires" (uint, ms since the epoch, 0 = none),
 *         "identifier" (CAP identifier).
 *   JSON  array of the alert objects of docs/API.md ("The alert
 *         shape", repr_record_object() of node/repr/repr.h: the
 *         same shape as GET /v1/alerts), with hash.
 *   COSE  CBOR array whose elements are the signed records as given
 *         by the provider (tagged COSE_Sign1, RFC 9052 §4.2); bytes
 *         that are not exactly one deterministic CBOR item with tag 18
 *         are left out (and logged).
 * Records that are not alerts are skipped.
 * Size: a body is at most ALERTCOAP_BODY_MAX bytes (or out's own tighter
 * limit, counted from out's length at the call). A set that would be
 * larger is never refused: records are left out instead
 * (docs/COAP.md, "When the set is too big"). The provider is read
 * twice: once to measure every record's item and stub, once to write.
 * In priority order (highest grade first, then newest) every record
 * gets a stub while stubs fit; then, in the same order, each record
 * whose whole item still fits replaces its stub (one that does not
 * fit is skipped, the next ones are still tried). Bodies keep the
 * provider's order (newest first), stubs in place of the left-out
 * records. A stub names the record: origin, object id, ver, hash,
 * grade, status and href "/v1/records/<hash hex>" (the node's HTTP
 * API, docs/API.md):
 *   TEXT  "[未列出 LEFT OUT] [红色预警/RED] <origin> <oid> ver <n>:
 *         /v1/records/<hex>\n" (status mark first unless Actual)
 *   CBOR, COSE  map {"oid", "ver", "hash" (bstr 32), "href", "grade",
 *         "origin", "status", "left_out": true} (untagged, also in the
 *         COSE array)
 *   JSON  {"left_out": true, "origin", "object_id", "ver", "hash"
 *         (hex), "grade", "status", "href"}
 * info->n_left_out counts them. If the set changes between the two
 * reads, a record not seen in the first is stubbed, and one that no
 * longer fits falls back to a stub, then to nothing (n_unnamed).
 * On error out keeps its previous length and *info is unchanged.
 * Errors: RM_EINVAL (cf unsupported), RM_ENOMEM, or the provider's own
 * error code.
 */
int alertcoap_render(const struct alertcoap_provider *p, const char *area,
    rm_utc_ms now, unsigned cf, rm_buf *out, struct alertcoap_set_info *info,
    rm_why *why);

#endif /* RM_NODE_COAP_SRV_H */
