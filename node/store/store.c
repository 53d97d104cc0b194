/*
 * store.c -- the LMDB environment: open, close, map growth, meta and
 * statistics. See docs/STORAGE.md for the layout and the rules.
 */
#define _GNU_SOURCE   /* pthread_rwlockattr_setkind_np */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "node/store/store_int.h"

#define STORE_MAP_DEFAULT    (64u * 1024 * 1024)
#define STORE_READERS_DEFAULT 126
#define STORE_GROUP_DEFAULT  1024
#define STORE_MAXDBS         12

int
store_mdb_fail(rm_why *why, int mrc, const char *what)
{
	return rm_fail(why, RM_ESTORE, "%s: %s", what, mdb_strerror(mrc));
}

int
store_commit_fail(store *s, int mrc, rm_why *why)
{
	const char *dir = NULL;
	struct statvfs fs;
	bool full = mrc == ENOSPC || mrc == EDQUOT || mrc == MDB_MAP_FULL;

	if (mdb_env_get_path(s->env, &dir) != 0 || dir == NULL)
		dir = "the data directory";
	if (!full && mrc == EIO && statvfs(dir, &fs) == 0)
		full = (uint64_t)fs.f_bavail * fs.f_frsize < STORE_DISK_LOW_BYTES;
	if (full)
		return rm_fail(why, RM_ESTORE, "disk full (%s) at %s: nothing "
		    "of this batch was stored", mrc == EDQUOT ? "EDQUOT" :
		    mrc == MDB_MAP_FULL ? "ENOSPC: the map cannot grow" :
		    mrc == EIO ? "ENOSPC: write failed with EIO" : "ENOSPC",
		    dir);
	return rm_fail(why, RM_ESTORE, "store commit: %s: nothing of this "
	    "batch was stored", mdb_strerror(mrc));
}

/*
 * The resize lock prefers writers, so that a stream of readers cannot
 * starve a map resize. A writer-preferring rwlock deadlocks if a thread
 * takes it shared twice while a writer waits, and read callbacks may
 * call read functions: the per-thread depth makes nested read
 * transactions on the same store take the lock only once.
 */
static _Thread_local struct {
	const store *s;
	unsigned depth;
} rd_tl;

static void
store_rd_lock(store *s)
{
	if (rd_tl.s == s && rd_tl.depth > 0) {
		rd_tl.depth++;
		return;
	}
	pthread_rwlock_rdlock(&s->resize_lk);
	if (rd_tl.depth == 0) {
		rd_tl.s = s;
		rd_tl.depth = 1;
	}
}

/* Returns true if the lock was released (outermost level). */
static bool
store_rd_unlock(store *s)
{
	if (rd_tl.s == s && rd_tl.depth > 0) {
		if (--rd_tl.depth > 0)
			return false;
		rd_tl.s = NULL;
	}
	pthread_rwlock_unlock(&s->resize_lk);
	return true;
}

int
store_rd_begin(store *s, MDB_txn **txn)
{
	int mrc;

	store_rd_lock(s);
	mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
	if (mrc == MDB_MAP_RESIZED && store_rd_unlock(s)) {
		/* Another process grew the map: adopt its size, which needs
		 * every transaction of this process closed (exclusive lock;
		 * the writer holds the lock shared during its txn). Nested
		 * in another read of this thread that is impossible, so the
		 * inner read fails instead. */
		if ((mrc = store_adopt_mapsize(s)) != 0)
			return mrc;
		store_rd_lock(s);
		mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
		if (mrc != 0)
			store_rd_unlock(s);
		return mrc;
	}
	if (mrc != 0 && mrc != MDB_MAP_RESIZED)
		store_rd_unlock(s);
	return mrc;
}

void
store_rd_end(store *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	(void)store_rd_unlock(s);
}

int
store_grow(store *s)
{
	MDB_envinfo info;
	size_t want;
	int mrc;

	pthread_rwlock_wrlock(&s->resize_lk);
	if ((mrc = mdb_env_info(s->env, &info)) == 0) {
		want = info.me_mapsize * 2;
		if (want < info.me_mapsize)
			mrc = MDB_MAP_FULL;
		else
			mrc = mdb_env_set_mapsize(s->env, want);
	}
	pthread_rwlock_unlock(&s->resize_lk);
	return mrc;
}

int
store_adopt_mapsize(store *s)
{
	int mrc;

	pthread_rwlock_wrlock(&s->resize_lk);
	mrc = mdb_env_set_mapsize(s->env, 0);
	pthread_rwlock_unlock(&s->resize_lk);
	return mrc;
}

static int
store_mkdir(const char *dir, rm_why *why)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return RM_OK;
	if (errno != EEXIST)
		return rm_fail(why, RM_EIO, "store dir %s: %s", dir,
		    strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return rm_fail(why, RM_EIO, "store dir %s: not a directory",
		    dir);
	return RM_OK;
}

/*
 * meta["layout"]: written for a new store; "4" gets the RBSR index built
 * (store_migrate_timeline), "3" and "2" first the layout-4 indexes
 * (store_migrate); then relabelled, so that an older binary refuses
 * the store. Anything else is refused. Returns RM_OK, an RM_ error, or
 * MDB_MAP_FULL (the caller grows the map and starts again).
 */
static int
store_layout(store *s, MDB_txn *txn, rm_why *why)
{
	MDB_val k = { strlen("layout"), "layout" }, v;
	int mrc;

	mrc = mdb_get(txn, s->db_meta, &k, &v);
	if (mrc == 0 && v.mv_size == 1 &&
	    (memcmp(v.mv_data, STORE_LAYOUT_OLD4, 1) == 0 ||
	    memcmp(v.mv_data, STORE_LAYOUT_OLD3, 1) == 0 ||
	    memcmp(v.mv_data, STORE_LAYOUT_OLD2, 1) == 0)) {
		s->migrated_from = (unsigned)(((const char *)v.mv_data)[0] -
		    '0');
		if (s->migrated_from < 4)
			mrc = store_migrate(s, txn, &s->migrated_items);
		if (mrc == 0)
			mrc = store_migrate_timeline(s, txn,
			    &s->migrated_records);
		if (mrc == 0)
			mrc = MDB_NOTFOUND;   /* relabel, below */
	} else if (mrc == 0 && (v.mv_size != strlen(STORE_LAYOUT_VERSION) ||
	    memcmp(v.mv_data, STORE_LAYOUT_VERSION, v.mv_size) != 0)) {
		return rm_fail(why, RM_ESTORE,
		    "store open: meta.layout: version %.*s, expected %s",
		    (int)(v.mv_size > 16 ? 16 : v.mv_size),
		    (const char *)v.mv_data, STORE_LAYOUT_VERSION);
	}
	if (mrc == MDB_NOTFOUND) {
		v.mv_data = STORE_LAYOUT_VERSION;
		v.mv_size = strlen(STORE_LAYOUT_VERSION);
		mrc = mdb_put(txn, s->db_meta, &k, &v, 0);
	}
	if (mrc == MDB_MAP_FULL)
		return mrc;
	if (mrc == ENOMEM)
		return rm_fail(why, RM_ENOMEM, "store open: migration: out "
		    "of memory");
	if (mrc != 0)
		return store_mdb_fail(why, mrc, "store open: meta.layout");
	return RM_OK;
}

/* One attempt: open the sub-databases and check / write the layout in
 * one write transaction. RM_OK, an RM_ error, or MDB_MAP_FULL. */
static int
store_open_txn(store *s, rm_why *why)
{
	static const struct {
		const char *name;
		size_t off;
		unsigned flags;
	} dbs[] = {
		{ "records", offsetof(store, db_records), 0 },
		{ "latest", offsetof(store, db_latest), 0 },
		{ "log", offsetof(store, db_log), 0 },
		{ "heads", offsetof(store, db_heads), 0 },
		{ "active", offsetof(store, db_active),
		    MDB_DUPSORT | MDB_DUPFIXED },
		{ "index", offsetof(store, db_index),
		    MDB_DUPSORT | MDB_DUPFIXED },
		{ "forks", offsetof(store, db_forks), 0 },
		{ "meta", offsetof(store, db_meta), 0 },
		{ "within", offsetof(store, db_within),
		    MDB_DUPSORT | MDB_DUPFIXED },
		{ "history", offsetof(store, db_history),
		    MDB_DUPSORT | MDB_DUPFIXED },
		{ "timeline", offsetof(store, db_timeline), 0 },
		{ "timesum", offsetof(store, db_timesum), 0 },
	};
	MDB_txn *txn;
	size_t i;
	int mrc;

	if ((mrc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return store_mdb_fail(why, mrc, "store open: begin");
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)s + dbs[i].off);

		mrc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE | dbs[i].flags,
		    dbi);
		if (mrc != 0) {
			mdb_txn_abort(txn);
			return rm_fail(why, RM_ESTORE, "store open: db %s: %s",
			    dbs[i].name, mdb_strerror(mrc));
		}
	}
	mrc = store_layout(s, txn, why);
	if (mrc == RM_OK && (mrc = mdb_txn_commit(txn)) != 0)
		return mrc == MDB_MAP_FULL ? MDB_MAP_FULL :
		    store_mdb_fail(why, mrc, "store open: commit");
	if (mrc != RM_OK)
		mdb_txn_abort(txn);
	return mrc;
}

/* Open the sub-databases, check the layout and migrate an old one. A
 * migration that fills the map aborts, doubles it (no other
 * transaction is open yet) and starts again, as the writer does. */
static int
store_open_dbs(store *s, rm_why *why)
{
	MDB_envinfo info;
	unsigned tries;
	int rv = RM_OK;

	for (tries = 0; tries <= STORE_GROW_MAX; tries++) {
		s->migrated_from = 0;
		s->migrated_items = s->migrated_records = 0;
		if ((rv = store_open_txn(s, why)) != MDB_MAP_FULL)
			return rv;
		if ((rv = mdb_env_info(s->env, &info)) != 0 ||
		    (rv = mdb_env_set_mapsize(s->env, info.me_mapsize * 2)) != 0)
			return store_mdb_fail(why, rv, "store open: grow map");
	}
	return rm_fail(why, RM_ESTORE, "store open: migration: map full "
	    "after %u doublings", tries);
}

/*
 * One process per store: LMDB itself allows several writers from several
 * processes, but each riskmeshd assumes it is the only one assigning its
 * agency's seq numbers. Hold an exclusive flock on dir/riskmesh.lock for
 * the life of the store (released by the kernel if the process dies).
 */
static int
store_lock_dir(store *s, const char *dir, rm_why *why)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/riskmesh.lock", dir) >=
	    (int)sizeof(path))
		return rm_fail(why, RM_EINVAL, "store open: %s: path too long",
		    dir);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return rm_fail(why, RM_EIO, "store open: %s: %s", path,
		    strerror(errno));
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(s->lock_fd);
		s->lock_fd = -1;
		if (e == EWOULDBLOCK)
			return rm_fail(why, RM_EBUSY, "store open: %s is in use "
			    "by another process", dir);
		return rm_fail(why, RM_EIO, "store open: %s: %s", path,
		    strerror(e));
	}
	return RM_OK;
}

static int
store_env_open(store *s, const struct store_opts *opts, rm_why *why)
{
	size_t map = opts->map_size_bytes ? opts->map_size_bytes :
	    STORE_MAP_DEFAULT;
	unsigned readers = opts->max_readers ? opts->max_readers :
	    STORE_READERS_DEFAULT;
	int mrc, dead = 0;

	if ((mrc = mdb_env_create(&s->env)) != 0)
		return store_mdb_fail(why, mrc, "store open: env create");
	if ((mrc = mdb_env_set_maxdbs(s->env, STORE_MAXDBS)) != 0 ||
	    (mrc = mdb_env_set_maxreaders(s->env, readers)) != 0 ||
	    (mrc = mdb_env_set_mapsize(s->env, map)) != 0)
		return store_mdb_fail(why, mrc, "store open: env config");
	/* MDB_NOTLS: read transactions are not tied to a thread (nng and
	 * libcoap callbacks run on arbitrary threads). No MDB_NOSYNC or
	 * MDB_NOMETASYNC: a commit is durable when it returns. */
	if ((mrc = mdb_env_open(s->env, opts->dir, MDB_NOTLS, 0600)) != 0)
		return rm_fail(why, RM_ESTORE, "store open: %s: %s", opts->dir,
		    mdb_strerror(mrc));
	/* Readers left behind by a killed process would pin old pages. */
	if ((mrc = mdb_reader_check(s->env, &dead)) != 0)
		return store_mdb_fail(why, mrc, "store open: reader check");
	return store_open_dbs(s, why);
}

int
store_open(const struct store_opts *opts, store **out, rm_why *why)
{
	pthread_rwlockattr_t rwa;
	store *s;
	int rv;

	if (opts == NULL || opts->dir == NULL || opts->dir[0] == '\0')
		return rm_fail(why, RM_EINVAL, "store open: dir: required");
	if ((rv = store_mkdir(opts->dir, why)) != RM_OK)
		return rv;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return rm_fail(why, RM_ENOMEM, "store open: out of memory");
	s->group_max = opts->group_max ? opts->group_max : STORE_GROUP_DEFAULT;
	s->rbsr_chunk = opts->rbsr_chunk_keys ? opts->rbsr_chunk_keys :
	    STORE_RBSR_CHUNK_DEFAULT;
	if (s->rbsr_chunk < STORE_RBSR_CHUNK_MIN)
		s->rbsr_chunk = STORE_RBSR_CHUNK_MIN;
	if (s->rbsr_chunk > STORE_RBSR_CHUNK_MAX)
		s->rbsr_chunk = STORE_RBSR_CHUNK_MAX;
	s->progress = opts->migrate_progress;
	s->progress_arg = opts->migrate_progress_arg;
	s->lock_fd = -1;
	pthread_rwlockattr_init(&rwa);
	pthread_rwlockattr_setkind_np(&rwa,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->resize_lk, &rwa);
	pthread_rwlockattr_destroy(&rwa);
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->work_cv, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	if ((rv = store_lock_dir(s, opts->dir, why)) != RM_OK)
		goto fail;
	if ((rv = store_env_open(s, opts, why)) != RM_OK)
		goto fail;
	if (pthread_create(&s->writer, NULL, store_writer_main, s) != 0) {
		rv = rm_fail(why, RM_ENOMEM, "store open: writer thread");
		goto fail;
	}
	s->writer_started = true;
	*out = s;
	return RM_OK;

fail:
	if (s->env != NULL)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pthread_cond_destroy(&s->done_cv);
	pthread_cond_destroy(&s->work_cv);
	pthread_mutex_destroy(&s->mtx);
	pthread_rwlock_destroy(&s->resize_lk);
	free(s);
	return rv;
}

void
store_close(store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mtx);
	s->closing = true;
	pthread_cond_broadcast(&s->work_cv);
	pthread_mutex_unlock(&s->mtx);
	if (s->writer_started)
		pthread_join(s->writer, NULL);
	mdb_env_close(s->env);
	close(s->lock_fd);
	pthread_cond_destroy(&s->done_cv);
	pthread_cond_destroy(&s->work_cv);
	pthread_mutex_destroy(&s->mtx);
	pthread_rwlock_destroy(&s->resize_lk);
	free(s);
}

void
store_set_observer(store *s,
    void (*fn)(void *arg, const struct store_event *ev), void *arg)
{
	pthread_mutex_lock(&s->mtx);
	s->obs = fn;
	s->obs_arg = arg;
	pthread_mutex_unlock(&s->mtx);
}

static uint64_t
store_entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat st;

	return mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
}

/* Open and resolved entries of `forks` (few: a fork holds its origin). */
static int
store_count_forks(store *s, MDB_txn *txn, struct store_stats *st)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(txn, s->db_forks, &cur)) != 0)
		return mrc;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (v.mv_size == STORE_FORK_RESOLVED_LEN)
			st->forks_resolved++;
		else
			st->forks_open++;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* Entries of dbi whose key starts with prefix[0..n). */
static uint64_t
store_count_prefix(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint64_t count = 0;
	int mrc;

	if (mdb_cursor_open(txn, dbi, &cur) != 0)
		return 0;
	k.mv_data = (void *)prefix;
	k.mv_size = n;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0 &&
	    k.mv_size >= n && memcmp(k.mv_data, prefix, n) == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		count++;
	mdb_cursor_close(cur);
	return count;
}

int
store_get_stats(store *s, struct store_stats *out)
{
	struct store_stats st;
	MDB_envinfo info;
	MDB_stat est;
	MDB_txn *txn;
	int mrc;

	memset(&st, 0, sizeof(st));
	if ((mrc = store_rd_begin(s, &txn)) != 0)
		return RM_ESTORE;
	st.records = store_entries(txn, s->db_records);
	st.migrated_from = s->migrated_from;
	st.migrated_items = s->migrated_items;
	st.migrated_records = s->migrated_records;
	st.rbsr_keys = store_entries(txn, s->db_timeline);
	st.rbsr_chunks = store_entries(txn, s->db_timesum);
	st.origins = store_entries(txn, s->db_heads);
	/* `active` holds every kind's in-force versions, keyed by kind
	 * name NUL area: the alerts are the "alert\0" range. */
	st.active_alerts = store_count_prefix(txn, s->db_active,
	    rm_kind_alert.name, strlen(rm_kind_alert.name) + 1);
	if (store_meta_get_u64(s, txn, "forks", &st.forks) != 0 ||
	    store_meta_get_u64(s, txn, "equivocations",
	    &st.equivocations) != 0 || store_count_forks(s, txn, &st) != 0) {
		store_rd_end(s, txn);
		return RM_ESTORE;
	}
	if (mdb_env_info(s->env, &info) == 0 &&
	    mdb_env_stat(s->env, &est) == 0) {
		st.map_size_bytes = info.me_mapsize;
		st.map_used_bytes = (uint64_t)(info.me_last_pgno + 1) *
		    est.ms_psize;
	}
	store_rd_end(s, txn);
	pthread_mutex_lock(&s->mtx);
	st.commits = s->commits;
	st.jobs = s->jobs;
	pthread_mutex_unlock(&s->mtx);
	*out = st;
	return RM_OK;
}
