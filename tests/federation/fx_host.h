/*
 * fx_host.h -- for the peer engine tests: an in-memory fake host
 * implementing struct fed_host_ops (with the rbsr ops over an in-memory
 * sorted set of its records' keys, mset.h), engine options for it,
 * bounded waits.
 */
#ifndef RM_TEST_FX_HOST_H
#define RM_TEST_FX_HOST_H

#include <pthread.h>
#include <stdbool.h>

#include "fed_fixture.h"
#include "federation/peer/peer.h"
#include "mset.h"

/* ---------------- fake host ---------------- */

#define FX_HOST_MAX 512

struct fx_stored {
	rm_hash hash;
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
	rm_utc_ms issued_ms;
	uint8_t *bytes;
	size_t len;
};

struct fx_host {
	pthread_mutex_t mtx;
	const struct fx_fed *fed;  /* keys and roster: fx_fed() unless set */
	fed *f;                  /* relays newly stored records; may be NULL */
	size_t n;
	struct fx_stored recs[FX_HOST_MAX];
	unsigned stored, duplicates;
	unsigned roster_saves;
	/* The reconciled set: (issued, hash) of every stored record. */
	struct mset set;
	/* Serve no catch-up: the vector names no origin and log_range gives
	 * nothing, so only push and reconciliation move records. */
	bool no_catchup;
	/* the own chain, for fx_host_publish */
	char self[RM_AGENCY_ID_MAX + 1];
	uint64_t next_seq;
	rm_hash last;
};

extern const struct fed_host_ops fx_host_ops;

void fx_host_init(struct fx_host *h, const char *self);
void fx_host_fini(struct fx_host *h);
/* Store a sealed record (as if local) and broadcast it via h->f. */
int fx_host_put(struct fx_host *h, const uint8_t *p, size_t n,
    const char *from);
/* Store a sealed record of origin and seq without verifying it (a
 * record of another federation's test roster) and broadcast it. */
int fx_host_put_raw(struct fx_host *h, const uint8_t *p, size_t n,
    const char *origin, uint64_t seq);
/* Issue the next record of h->self (area/grade allowed for it), store and
 * broadcast it. */
void fx_host_publish(struct fx_host *h, const char *area, rm_grade g);
unsigned fx_host_count(struct fx_host *h);
/* Store a sealed record without broadcasting it (as if it arrived
 * while no link was up). */
int fx_host_put_quiet(struct fx_host *h, const uint8_t *p, size_t n);
/* Do two hosts hold the same set of records? */
bool fx_host_same_set(struct fx_host *a, struct fx_host *b);
/* Number of stored records with this origin. */
unsigned fx_host_count_origin(struct fx_host *h, const char *origin);

/* Options for a fed of agency id (keys and root from h->fed). */
void fx_opts(struct fed_opts *o, const char *id, struct roster *r,
    struct fx_host *h);

/* Poll cond(arg) every 10 ms until true or timeout_ms passed. */
bool fx_wait(bool (*cond)(void *), void *arg, unsigned timeout_ms);

#endif
