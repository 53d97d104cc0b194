/*
 * fed_fixture.h -- shared by the federation tests: a test federation
 * (root key, agencies, signed roster), sample records, and an in-memory
 * fake host implementing struct fed_host_ops.
 */
#ifndef RM_TEST_FED_FIXTURE_H
#define RM_TEST_FED_FIXTURE_H

#include <pthread.h>

#include "federation/federation.h"

#define FX_FED_NAME  "tianjin-test"
#define FX_COMMAND   "120000.command"    /* centre, 120000, red */
#define FX_EMERGENCY "120103.emergency"  /* district, 120103, orange */
#define FX_WATER     "120104.water"      /* department, 120104+120105, yellow */
#define FX_N_AGENCIES 3

/* The federation of one test process: keys are created once. */
struct fx_fed {
	crypto_key *root;
	crypto_key *key[FX_N_AGENCIES];     /* agency keys (tests save them) */
	crypto_signer *root_signer;         /* signers on the keys above */
	crypto_signer *signer[FX_N_AGENCIES];
	const char *id[FX_N_AGENCIES];
};

const struct fx_fed *fx_fed(void);
/* Index of an agency id in fx_fed() (abort if unknown). */
size_t fx_index(const char *id);
/* Fill an entry for agency i (key referenced by the roster on put). */
void fx_agency(size_t i, struct roster_agency *a);
/* A signed roster of the given version, re-opened so that it carries its
 * signed encoding. Aborts on failure. */
struct roster *fx_roster(uint64_t version);
/* Signed encoding of the roster of that version (appended to out). */
void fx_roster_bytes(uint64_t version, rm_buf *out);

/* A record with static-looking storage inside the struct. */
struct fx_rec {
	struct rm_record r;
	struct rm_alert a;          /* r.body */
	struct rm_alert_text t;
	char ident[64];
};

/* An alert from origin, seq, chained to prev (NULL for seq 1), in area,
 * with grade g. */
void fx_record(struct fx_rec *x, const char *origin, uint64_t seq,
    const rm_hash *prev, const char *area, rm_grade g);
/* Seal x with origin's key from fx_fed(); aborts on failure. */
void fx_seal(const struct fx_rec *x, rm_buf *out, rm_hash *hash);

/* ---------------- fake host ---------------- */

#define FX_HOST_MAX 512

struct fx_stored {
	rm_hash hash;
	char origin[RM_AGENCY_ID_MAX + 1];
	uint64_t seq;
	uint8_t *bytes;
	size_t len;
};

struct fx_host {
	pthread_mutex_t mtx;
	fed *f;                  /* relays newly stored records; may be NULL */
	size_t n;
	struct fx_stored recs[FX_HOST_MAX];
	unsigned stored, duplicates;
	unsigned roster_saves;
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
/* Issue the next record of h->self (area/grade allowed for it), store and
 * broadcast it. */
void fx_host_publish(struct fx_host *h, const char *area, rm_grade g);
unsigned fx_host_count(struct fx_host *h);
/* Number of stored records with this origin. */
unsigned fx_host_count_origin(struct fx_host *h, const char *origin);

/* Options for a fed of agency id (keys from fx_fed()). */
void fx_opts(struct fed_opts *o, const char *id, struct roster *r,
    struct fx_host *h);

/* Poll cond(arg) every 10 ms until true or timeout_ms passed. */
bool fx_wait(bool (*cond)(void *), void *arg, unsigned timeout_ms);

#endif
