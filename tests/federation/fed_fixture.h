/*
 * fed_fixture.h -- shared by the federation tests: test federations
 * (root key, agencies, signed roster) and sample records. Trust only;
 * the fake host for the peer engine is in fx_host.h.
 */
#ifndef RM_TEST_FED_FIXTURE_H
#define RM_TEST_FED_FIXTURE_H

#include <pthread.h>

#include "federation/trust/trust.h"

#define FX_FED_NAME  "tianjin-test"
#define FX_FED2_NAME "beijing-test"      /* another root, same ids */
#define FX_COMMAND   "120000.command"    /* centre, 120000, red */
#define FX_EMERGENCY "120103.emergency"  /* district, 120103, orange */
#define FX_WATER     "120104.water"      /* department, 120104+120105, yellow */
#define FX_N_AGENCIES 3

/* A federation of the test process: keys are created once. */
struct fx_fed {
	const char *name;
	crypto_key *root;
	crypto_key *key[FX_N_AGENCIES];     /* agency keys (tests save them) */
	crypto_signer *root_signer;         /* signers on the keys above */
	crypto_signer *signer[FX_N_AGENCIES];
	const char *id[FX_N_AGENCIES];
};

const struct fx_fed *fx_fed(void);
/* A second federation: its own root and agency keys, the same ids. */
const struct fx_fed *fx_fed2(void);
/* Index of an agency id in fx_fed() (abort if unknown). */
size_t fx_index(const char *id);
/* Fill an entry for agency i (key referenced by the roster on put). */
void fx_agency(size_t i, struct roster_agency *a);
void fx_agency_in(const struct fx_fed *x, size_t i, struct roster_agency *a);
/* Kinds each agency of the fixture rosters may publish besides alerts
 * (bits kind_index(k)); a test sets them before it builds rosters and
 * clears them after. */
extern rm_kind_set fx_kinds_extra[FX_N_AGENCIES];
/* A signed roster of the given version, re-opened so that it carries its
 * signed encoding. Aborts on failure. */
struct roster *fx_roster(uint64_t version);
struct roster *fx_roster_in(const struct fx_fed *x, uint64_t version);
/* Signed encoding of the roster of that version (appended to out). */
void fx_roster_bytes(uint64_t version, rm_buf *out);
void fx_roster_bytes_in(const struct fx_fed *x, uint64_t version,
    rm_buf *out);

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
/* The same with the agency keys of federation f. */
void fx_seal_in(const struct fx_fed *f, const struct fx_rec *x, rm_buf *out,
    rm_hash *hash);

#endif
