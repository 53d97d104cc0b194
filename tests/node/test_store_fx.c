/*
 * test_store_fx.c -- fixtures for the store tests (test_store_fx.h).
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <lmdb.h>

#include "crypto/crypto.h"
#include "test_store_fx.h"

static char fx_lang[] = "en-US";
static char fx_event[] = "Typhoon";
static char fx_headline[] = "Typhoon warning";
static char fx_ident[] = "TJ-2026-0001";

void
sfx_record(struct rm_record *r, struct rm_alert *alert, const char *origin, const char *oid,
    uint64_t ver, uint64_t seq, const rm_hash *prev, const char *area,
    rm_cap_msgtype mt, rm_utc_ms issued_ms, rm_utc_ms expires_ms)
{
	static struct rm_alert_text text;

	memset(r, 0, sizeof(*r));
	memset(alert, 0, sizeof(*alert));
	text.lang = fx_lang;
	text.event = fx_event;
	text.headline = fx_headline;
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_alert;
	r->body = alert;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->object_id, sizeof(r->object_id), "%s", oid);
	r->ver = ver;
	r->seq = seq;
	r->issued_ms = issued_ms;
	r->expires_ms = expires_ms;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "%s", area);
	if (prev != NULL) {
		r->has_prev = true;
		r->prev = *prev;
	}
	record_alert(r)->identifier = fx_ident;
	record_alert(r)->status = RM_STATUS_ACTUAL;
	record_alert(r)->msg_type = mt;
	record_alert(r)->categories = RM_CAT_MET;
	record_alert(r)->urgency = RM_URGENCY_EXPECTED;
	record_alert(r)->severity = RM_SEVERITY_SEVERE;
	record_alert(r)->certainty = RM_CERTAINTY_LIKELY;
	record_alert(r)->grade = RM_GRADE_ORANGE;
	record_alert(r)->effective_ms = issued_ms;
	record_alert(r)->n_texts = 1;
	record_alert(r)->texts = &text;
}

int
sfx_seal(void *arg, struct rm_record *r, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	static const uint8_t zero[64];
	const rm_hash *kid = arg;
	rm_buf body = RM_BUF_INIT, prot = RM_BUF_INIT;
	size_t start = out->len;
	int rv;

	if ((rv = record_encode(r, &body, why)) != RM_OK)
		return rv;
	rm_cbor_put_map(&prot, 2);
	rm_cbor_put_uint(&prot, COSE_HDR_ALG);
	rm_cbor_put_int(&prot, COSE_ALG_ES256);
	rm_cbor_put_uint(&prot, COSE_HDR_KID);
	rm_cbor_put_bytes(&prot, kid != NULL ? kid->b : zero, RM_HASH_BYTES);
	rm_cbor_put_tag(out, COSE_TAG_SIGN1);
	rm_cbor_put_array(out, 4);
	rm_cbor_put_bytes(out, prot.data, prot.len);
	rm_cbor_put_map(out, 0);
	rm_cbor_put_bytes(out, body.data, body.len);
	rm_cbor_put_bytes(out, zero, sizeof(zero));
	crypto_sha256(out->data + start, out->len - start, hash);
	rm_buf_fini(&body);
	rm_buf_fini(&prot);
	return RM_OK;
}

void
sfx_make(struct sfx *f, const char *origin, const char *oid, uint64_t ver,
    uint64_t seq, const rm_hash *prev, const char *area, rm_cap_msgtype mt,
    rm_utc_ms issued_ms, rm_utc_ms expires_ms)
{
	memset(&f->bytes, 0, sizeof(f->bytes));
	sfx_record(&f->rec, &f->alert, origin, oid, ver, seq, prev, area, mt, issued_ms,
	    expires_ms);
	sfx_reseal(f);
}

void
sfx_reseal(struct sfx *f)
{
	rm_why why = { "", "" };
	int rv;

	rm_buf_reset(&f->bytes);
	rv = sfx_seal(NULL, &f->rec, &f->bytes, &f->hash, &why);
	if (rv != RM_OK)
		fprintf(stderr, "sfx_reseal: %s\n", why.msg);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
}

void
sfx_fini(struct sfx *f)
{
	rm_buf_fini(&f->bytes);
}

int
sfx_put(store *s, const struct sfx *f, struct store_put_result *res)
{
	return store_put_wait(s, f->bytes.data, f->bytes.len,
	    &f->hash, NULL, res);
}

void
sfx_tmpdir(char out[256])
{
	const char *t = getenv("TMPDIR");

	snprintf(out, 256, "%s/rm_store_XXXXXX", t != NULL ? t : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(out));
}

void
sfx_rmdir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

store *
sfx_open(const char *dir, size_t map_size_bytes)
{
	struct store_opts o = { .dir = dir, .map_size_bytes = map_size_bytes };
	rm_why why = { "", "" };
	store *s = NULL;
	int rv;

	rv = store_open(&o, &s, &why);
	if (rv != RM_OK)
		fprintf(stderr, "store_open: %s\n", why.msg);
	CU_ASSERT_EQUAL_FATAL(rv, RM_OK);
	return s;
}

void
sfx_wait_init(struct sfx_wait *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mtx, NULL);
	pthread_cond_init(&w->cv, NULL);
}

void
sfx_wait_fini(struct sfx_wait *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mtx);
}

void
sfx_wait_cb(void *arg, int err, const struct store_put_result *res)
{
	struct sfx_wait *w = arg;

	pthread_mutex_lock(&w->mtx);
	w->done++;
	if (err == RM_OK)
		w->ok++;
	if (err == RM_OK && res->stored)
		w->stored++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mtx);
}

void
sfx_wait_for(struct sfx_wait *w, unsigned n)
{
	pthread_mutex_lock(&w->mtx);
	while (w->done < n)
		pthread_cond_wait(&w->cv, &w->mtx);
	pthread_mutex_unlock(&w->mtx);
}

/* One transaction on the closed store's `meta` (LMDB directly). */
static void
meta_txn(const char *dir, const char *key, const char *set, char *get,
    size_t getlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(key), (void *)key }, v;

	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 8);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	if (set != NULL) {
		v.mv_size = strlen(set);
		v.mv_data = (void *)set;
		CU_ASSERT_EQUAL(mdb_put(txn, dbi, &k, &v, 0), 0);
	} else {
		get[0] = '\0';
		if (mdb_get(txn, dbi, &k, &v) == 0)
			snprintf(get, getlen, "%.*s", (int)v.mv_size,
			    (const char *)v.mv_data);
	}
	CU_ASSERT_EQUAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

uint64_t
sfx_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

void
sfx_drop_dbs(const char *dir, const char *const *names, size_t n)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(mdb_dbi_open(txn, names[i], 0, &dbi), 0);
		CU_ASSERT_EQUAL_FATAL(mdb_drop(txn, dbi, 1), 0);
	}
	CU_ASSERT_EQUAL_FATAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

void
sfx_meta_set(const char *dir, const char *key, const char *value)
{
	meta_txn(dir, key, value, NULL, 0);
}

void
sfx_meta_get(const char *dir, const char *key, char *out, size_t len)
{
	meta_txn(dir, key, NULL, out, len);
}

/* sfx_chain_len's walk. */
struct sfx_walk {
	uint64_t n;
	rm_hash prev;
	const crypto_key *pub;
	bool ok;
};

static int
sfx_walk_each(void *arg, const uint8_t *p, size_t n)
{
	struct sfx_walk *w = arg;
	struct cose_sign1 m;
	struct rm_record r;
	rm_why why;

	if (cose_sign1_decode(p, n, &m, &why) != RM_OK ||
	    (w->pub != NULL && cose_sign1_verify(w->pub, &m, &why) != RM_OK) ||
	    record_decode(m.payload, m.payload_len, &r, &why) != RM_OK) {
		w->ok = false;
		return RM_OK;
	}
	w->n++;
	if (r.seq != w->n || r.has_prev != (r.seq > 1) || (r.has_prev &&
	    memcmp(r.prev.b, w->prev.b, RM_HASH_BYTES) != 0))
		w->ok = false;
	crypto_sha256(p, n, &w->prev);
	record_fini(&r);
	return RM_OK;
}

uint64_t
sfx_chain_len(store *s, const char *origin, const crypto_key *pub)
{
	struct sfx_walk w;

	memset(&w, 0, sizeof(w));
	w.pub = pub;
	w.ok = true;
	CU_ASSERT_EQUAL(store_log_range(s, origin, 0, UINT64_MAX, SIZE_MAX,
	    sfx_walk_each, &w), RM_OK);
	CU_ASSERT(w.ok);
	return w.n;
}

uint64_t
sfx_crash_run(const char *dir, void (*child)(const char *dir, int fd),
    uint64_t min_acked)
{
	int fds[2], status;
	uint64_t acked = 0, got;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child(dir, fds[1]);
		_exit(5);
	}
	close(fds[1]);
	while (acked < min_acked && read(fds[0], &got, sizeof(got)) ==
	    sizeof(got))
		acked = got;
	nanosleep(&(struct timespec){ 0, 7000000 }, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	while (read(fds[0], &got, sizeof(got)) == sizeof(got))
		acked = got;
	close(fds[0]);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return acked;
}
