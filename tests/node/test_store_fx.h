/*
 * test_store_fx.h -- fixtures shared by the store tests: hand-built
 * alert records wrapped in unsigned-but-well-formed COSE_Sign1 (the
 * store never verifies signatures), temporary store directories, and a
 * counter for asynchronous puts.
 */
#ifndef RM_TEST_STORE_FX_H
#define RM_TEST_STORE_FX_H

#include <pthread.h>

#include "crypto/crypto.h"
#include "node/store/store.h"

/* A record with its signed bytes and hash. */
struct sfx {
	struct rm_record rec;
	struct rm_alert alert;       /* rec.body */
	rm_buf bytes;
	rm_hash hash;
};

/*
 * Fill r with a valid alert: origin, object id, ver, seq, prev (NULL
 * when seq == 1), one area, msg_type, issued and expires (0 = none).
 * Strings point at static storage or at r itself; do not record_fini.
 */
void sfx_record(struct rm_record *r, struct rm_alert *alert, const char *origin, const char *oid,
    uint64_t ver, uint64_t seq, const rm_hash *prev, const char *area,
    rm_cap_msgtype mt, rm_utc_ms issued_ms, rm_utc_ms expires_ms);

/* Encode r, wrap it as COSE_Sign1 with a zero signature and a zero kid
 * (or, if arg is not NULL, the kid the rm_hash arg points at), hash it.
 * A store_seal_fn. */
int sfx_seal(void *arg, struct rm_record *r, rm_buf *out, rm_hash *hash,
    rm_why *why);

/* sfx_record + sfx_seal into f (f->bytes must be released: sfx_fini). */
void sfx_make(struct sfx *f, const char *origin, const char *oid,
    uint64_t ver, uint64_t seq, const rm_hash *prev, const char *area,
    rm_cap_msgtype mt, rm_utc_ms issued_ms, rm_utc_ms expires_ms);
/* Re-seal f after editing f->rec. */
void sfx_reseal(struct sfx *f);
void sfx_fini(struct sfx *f);

/* store_put_wait of f. */
int sfx_put(store *s, const struct sfx *f, struct store_put_result *res);

/* A fresh directory under $TMPDIR (or /tmp), and its removal. */
void sfx_tmpdir(char out[256]);
void sfx_rmdir(const char *dir);

/* Write / read (as text, "" if absent) a `meta` value of the closed
 * store in dir, through LMDB directly. */
void sfx_meta_set(const char *dir, const char *key, const char *value);
void sfx_meta_get(const char *dir, const char *key, char *out, size_t len);

/* A repeatable pseudo-random sequence (xorshift64; *state non-zero). */
uint64_t sfx_rand(uint64_t *state);

/* Delete the sub-databases names[0..n) of the closed store in dir
 * (LMDB directly), as an older layout that had none of them. */
void sfx_drop_dbs(const char *dir, const char *const *names, size_t n);

/* Open a store on dir with the given map size (0 = default). */
store *sfx_open(const char *dir, size_t map_size_bytes);

/* Counts completions of asynchronous puts. */
struct sfx_wait {
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	unsigned done;
	unsigned ok;
	unsigned stored;
};
void sfx_wait_init(struct sfx_wait *w);
void sfx_wait_fini(struct sfx_wait *w);
/* A store_done_fn; arg is a struct sfx_wait. */
void sfx_wait_cb(void *arg, int err, const struct store_put_result *res);
/* Wait until n completions. */
void sfx_wait_for(struct sfx_wait *w, unsigned n);

/* Walk origin's log from seq 1: asserts every record decodes, has the
 * next seq and links to the one before (prev), and, if pub is not
 * NULL, that its signature verifies with pub; returns how many. */
uint64_t sfx_chain_len(store *s, const char *origin, const crypto_key *pub);

/* Fork a child that runs child(dir, fd): it stores in dir and, after
 * each acknowledgement, writes the last acknowledged seq (a uint64_t)
 * to fd, and never returns. Once min_acked is acknowledged (or the
 * child stopped), wait 7 ms, SIGKILL it (asserted), and return the
 * last seq it acknowledged. */
uint64_t sfx_crash_run(const char *dir,
    void (*child)(const char *dir, int fd), uint64_t min_acked);

#endif
