/*
 * verify_pool_int.h -- the peer engine's pool of verifier threads
 * (verify_pool.c). Internal to federation/peer; not a public header.
 *
 * The link threads hand each RECORDS frame to the pool instead of
 * verifying it themselves. Worker threads (fed_opts.verify_threads; 0 =
 * one per online core) verify the records in parallel (fed_verify:
 * COSE_Sign1 ES256 against the roster, body, authorisation), and hand
 * them to the host's ingest strictly in the order they were submitted,
 * over all links: a record never reaches ingest before a record that
 * arrived before it on the same link, so each origin's records reach the
 * store in seq order as the peer sent them (the store's log and fork
 * checks depend on it).
 *
 * Refused records are counted (fed_counters.refused[err] and the peer's
 * records_refused), logged (rate-limited, once per hash) and answered
 * with a REFUSE frame, exactly as when the link thread verified them.
 * The frame is sent by the link thread itself (fed_vpool_flush_refusals
 * from its pump), never by a worker: workers do not block on a socket.
 *
 * Bounds (memory stays small; nothing grows with the stream):
 *   - at most FED_VPOOL_RECORDS_MAX records queued or being verified; a
 *     link thread submitting more blocks on a condition variable (and so
 *     stops reading its socket: TCP pushes back on the peer) until
 *     records are handed over;
 *   - at most FED_VPOOL_INGEST_MAX records and FED_VPOOL_INGEST_BYTES
 *     bytes handed to ingest and not yet completed (f->pending_ingest,
 *     f->pending_ingest_bytes); the worker handing over waits for
 *     completions beyond that, so the store writer's queue stays
 *     bounded. 1024 records let a catch-up fill group commits of up to
 *     that many (config group_max): ~1.5x the records/s of 256 in a
 *     cold join (docs/BENCHMARKS.md "Cold join").
 * No polling: every wait is on a condition variable.
 *
 * Lifecycle: fed_vpool_open (fed_start, before the link threads),
 * fed_vpool_stop (fed_close, before joining the link threads: it
 * releases submitters and joins the workers; records not yet handed
 * over are dropped -- the next version-vector exchange fetches them
 * again), fed_vpool_wait_ingest, fed_vpool_free.
 */
#ifndef RM_VERIFY_POOL_INT_H
#define RM_VERIFY_POOL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "federation/peer/peer_int.h"

#define FED_VERIFY_THREADS_MAX  64
#define FED_VPOOL_RECORDS_MAX   (2 * FED_BATCH_MAX)
#define FED_VPOOL_INGEST_MAX    (4 * FED_BATCH_MAX)
#define FED_VPOOL_INGEST_BYTES  (32u * 1024 * 1024)

struct fed_vpool;

/* The number of workers threads asks for: threads itself, or with 0 the
 * online cores (sysconf(_SC_NPROCESSORS_ONLN)); within
 * 1..FED_VERIFY_THREADS_MAX. */
unsigned fed_vpool_threads(unsigned threads);

/*
 * Start fed_vpool_threads(threads) workers for engine f. On success
 * *out is the pool (fed_vpool_free releases it). Errors: RM_ENOMEM
 * (memory or threads; nothing is left running).
 */
int fed_vpool_open(fed *f, unsigned threads, struct fed_vpool **out,
    rm_why *why);

/*
 * Hand the n records of a RECORDS frame received from peer p on
 * connection `pipe` to the pool. The records are copied: rp/rl stay the
 * caller's. Blocks while the pool is full. Called by p's link thread
 * (one submitter per peer; records of one submitter reach ingest in
 * submission order). Returns RM_OK, RM_ECLOSED (the pool is stopping;
 * the records were dropped) or RM_ENOMEM (dropped).
 */
int fed_vpool_submit(struct fed_vpool *vp, struct fed_peer *p,
    uint32_t pipe, const uint8_t *const *rp, const size_t *rl, size_t n);

/*
 * Send (fed_net_send, on the session being served) the REFUSE frames due
 * for p's refused records that arrived on connection `pipe`, the id of
 * that session's connection; those of other connections are dropped.
 * p's link thread only.
 */
void fed_vpool_flush_refusals(struct fed_vpool *vp, struct fed_peer *p,
    uint32_t pipe);

/* How many REFUSE frames wait for p's link thread (tests). */
size_t fed_vpool_refusals(struct fed_vpool *vp, const struct fed_peer *p);

/* Stop: release blocked submitters, let each worker finish the record it
 * holds, join them, drop what was not handed over. Idempotent. */
void fed_vpool_stop(struct fed_vpool *vp);

/* Wait until every ingest handed over has completed or timeout_ms has
 * passed. Returns the number still pending (0: all done). */
unsigned fed_vpool_wait_ingest(struct fed_vpool *vp, unsigned timeout_ms);

/* Free a stopped pool (NULL is ignored). Its ingest completions must
 * have run (fed_vpool_wait_ingest returned 0): they refer to it. */
void fed_vpool_free(struct fed_vpool *vp);

#endif /* RM_VERIFY_POOL_INT_H */
