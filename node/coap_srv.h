/*
 * coap_srv.h -- the node's CoAP alert server (libcoap 4.3.1, RFC 7252).
 *
 * Resources:
 *   /alerts                  all in-force alerts, observable (RFC 7641)
 *   /alerts/{area code}      in-force alerts whose areas contain or are
 *                            contained by the code, observable
 *   /.well-known/core        link format (RFC 6690)
 *
 * Each observable resource is the *current set* of in-force alerts, so a
 * device that missed a notification converges on the next one.
 * Representations by Accept (RFC 7252 §5.10.4):
 *   text/plain;charset=utf-8 (0)  one line per alert, Chinese and English
 *   application/cbor (60)         compact alert list (docs/PROTOCOL.md §CoAP)
 *   application/json (50)         same content as JSON
 *   application/cose; cose-type="cose-sign1" (18)
 *                                 the signed records, as a CBOR array of
 *                                 COSE_Sign1 messages
 * Notifications for a set whose highest grade is orange or red are sent
 * confirmable; blue/yellow non-confirmable. Max-Age is max_age_s.
 * Test, Exercise and Draft alerts are marked in every representation.
 *
 * libcoap is not thread-safe: it runs on the server's own thread; the
 * other threads only call coap_srv_notify(), which records what changed
 * and wakes that thread. libcoap types never leave node/coap_*.c.
 */
#ifndef RM_NODE_COAP_SRV_H
#define RM_NODE_COAP_SRV_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "schemas/schemas.h"

struct coap_srv;

/* Called for each alert, newest first; bytes are the signed record. */
typedef int (*coap_srv_each_fn)(void *ctx, const rm_hash *h,
    const uint8_t *p, size_t n, const struct rm_record *rec);

/* Where the server reads alerts (the node wires it to the store). */
struct coap_srv_provider {
	/* In-force alerts overlapping `area` (NULL = all) at `now`. */
	int (*alerts)(void *arg, const char *area, rm_utc_ms now,
	    coap_srv_each_fn each, void *ctx);
	void *arg;
};

struct coap_srv_opts {
	const char *host;          /* "127.0.0.1", "::1", "0.0.0.0" */
	uint16_t port;             /* default 5683 */
	unsigned max_age_s;        /* Max-Age option, default 60 */
	/* Area resources created at start (others are created when an
	 * alert for them is notified or when first requested). */
	const char *const *areas;
	size_t n_areas;
	struct coap_srv_provider provider;
};

struct coap_srv_stats {
	uint64_t requests;
	uint64_t notifications;    /* resource-change notifications triggered */
	uint64_t observers;        /* current observers, all resources */
	uint64_t resources;        /* area resources */
};

/* Bind, create resources, start the thread.
 * Errors: RM_ENET (bind), RM_EINVAL, RM_ENOMEM. */
int coap_srv_start(const struct coap_srv_opts *opts, struct coap_srv **out,
    rm_why *why);

/* An alert was stored (new, updated, cancelled): mark /alerts and every
 * area resource that overlaps rec's areas as changed. Thread-safe,
 * never blocks on I/O; notifications go out from the server thread. */
void coap_srv_notify(struct coap_srv *c, const struct rm_record *rec);

void coap_srv_get_stats(struct coap_srv *c, struct coap_srv_stats *out);

/* Stop the thread, release observers and sockets. NULL is fine. */
void coap_srv_stop(struct coap_srv *c);

#endif /* RM_NODE_COAP_SRV_H */
