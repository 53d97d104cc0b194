/*
 * test_store_crash.c -- kill -9 during writes loses nothing that was
 * acknowledged. A child process (forked before any environment is open
 * in this process: LMDB environments must not cross fork()) writes
 * records with store_put_wait on one thread and asynchronous store_put
 * on another, and sends each acknowledged hash through a pipe. The
 * parent SIGKILLs it mid-stream, then checks that the environment opens
 * cleanly (stale readers cleared), every acknowledged hash is present,
 * the logs are contiguous and writing continues.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h>

#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define SYNC_ORG "120000.sync"
#define ASYNC_ORG "120000.async"
#define ACKS_BEFORE_KILL 3000
#define ACKS_MAX 100000

static int ack_fd = -1;

static void
send_ack(const rm_hash *h)
{
	ssize_t n = write(ack_fd, h->b, RM_HASH_BYTES);   /* atomic: < PIPE_BUF */

	if (n != RM_HASH_BYTES)
		_exit(3);
}

static void
async_done(void *arg, int err, const struct store_put_result *res)
{
	(void)arg;
	if (err == RM_OK)
		send_ack(&res->hash);
}

struct child_ctx {
	store *s;
};

/* Asynchronous writer: bursts of 32 chained records, ack per callback. */
static void *
child_async(void *arg)
{
	struct child_ctx *c = arg;
	struct rm_record r;
	struct rm_alert ra;
	rm_buf b = RM_BUF_INIT;
	rm_hash h, prev;
	char oid[32];
	uint64_t seq;

	for (seq = 1; seq < ACKS_MAX; seq++) {
		snprintf(oid, sizeof(oid), "a-%llu", (unsigned long long)seq);
		sfx_record(&r, &ra, ASYNC_ORG, oid, 1, seq, seq > 1 ? &prev : NULL,
		    "120000", RM_MSGTYPE_ALERT, T0 + (rm_utc_ms)seq, 0);
		rm_buf_reset(&b);
		if (sfx_seal(NULL, &r, &b, &h, NULL) != RM_OK)
			_exit(4);
		while (store_put(c->s, b.data, b.len, &h, NULL, async_done,
		    NULL) == RM_ENOMEM)
			;
		prev = h;
	}
	return NULL;
}

static void
child_main(const char *dir)
{
	struct store_opts o = { .dir = dir, .map_size_bytes = 1024 * 1024 };
	struct store_put_result res;
	struct child_ctx c;
	struct rm_record r;
	struct rm_alert ra;
	rm_buf b = RM_BUF_INIT, got = RM_BUF_INIT;
	rm_hash h, prev;
	pthread_t tid;
	char oid[32];
	uint64_t seq;

	if (store_open(&o, &c.s, NULL) != RM_OK)
		_exit(2);
	if (pthread_create(&tid, NULL, child_async, &c) != 0)
		_exit(2);
	for (seq = 1; seq < ACKS_MAX; seq++) {
		snprintf(oid, sizeof(oid), "s-%llu", (unsigned long long)seq);
		sfx_record(&r, &ra, SYNC_ORG, oid, 1, seq, seq > 1 ? &prev : NULL,
		    "120000", RM_MSGTYPE_ALERT, T0 + (rm_utc_ms)seq, 0);
		rm_buf_reset(&b);
		if (sfx_seal(NULL, &r, &b, &h, NULL) != RM_OK)
			_exit(4);
		if (store_put_wait(c.s, b.data, b.len, &h, NULL,
		    &res) != RM_OK || !res.stored)
			_exit(5);
		send_ack(&h);
		/* Hold read transactions too, so that the kill can leave
		 * reader slots behind. */
		rm_buf_reset(&got);
		if (store_get(c.s, &h, &got) != RM_OK)
			_exit(6);
		prev = h;
	}
	_exit(0);
}

static void
check_readers(const char *dir)
{
	MDB_env *env;
	int dead = -1;

	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 8);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	CU_ASSERT_EQUAL(mdb_reader_check(env, &dead), 0);
	CU_ASSERT(dead >= 0);
	dead = -1;
	CU_ASSERT_EQUAL(mdb_reader_check(env, &dead), 0);
	CU_ASSERT_EQUAL(dead, 0);   /* the first check cleared them all */
	mdb_env_close(env);
}

struct vec2 {
	uint64_t sync, async;
};

static void
vec_each(void *arg, const char *origin, uint64_t seq, const rm_hash *head)
{
	struct vec2 *v = arg;

	(void)head;
	if (strcmp(origin, SYNC_ORG) == 0)
		v->sync = seq;
	else if (strcmp(origin, ASYNC_ORG) == 0)
		v->async = seq;
}

static void
test_kill9(void)
{
	static rm_hash acks[ACKS_MAX];
	struct store_put_result res;
	struct store_stats st;
	struct rm_record r;
	struct rm_alert ra;
	struct vec2 v = { 0, 0 };
	size_t nacks = 0, have = 0, i, missing = 0;
	char dir[256];
	int fds[2], status = 0;
	pid_t pid;
	rm_why why = { "", "" };
	store *s;

	sfx_tmpdir(dir);
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		ack_fd = fds[1];
		child_main(dir);
	}
	close(fds[1]);
	/* Read acks; kill once enough arrived, then drain the rest: every
	 * hash in the pipe was acknowledged before the kill. */
	for (;;) {
		ssize_t n = read(fds[0], (uint8_t *)acks + have,
		    sizeof(acks) - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		if (pid > 0 && have / RM_HASH_BYTES >= ACKS_BEFORE_KILL) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			pid = 0;
		}
	}
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	nacks = have / RM_HASH_BYTES;
	CU_ASSERT(nacks >= ACKS_BEFORE_KILL);

	check_readers(dir);
	s = sfx_open(dir, 0);
	for (i = 0; i < nacks; i++)
		if (!store_has(s, &acks[i]))
			missing++;
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT(st.records >= nacks);
	if (getenv("SFX_DEBUG") != NULL)
		fprintf(stderr, "acks %zu records %llu map %llu\n", nacks,
		    (unsigned long long)st.records,
		    (unsigned long long)st.map_size_bytes);
	CU_ASSERT_EQUAL(st.forks, 0);
	/* Logs are contiguous: every stored record is in its vector. */
	CU_ASSERT_EQUAL(store_vector(s, vec_each, &v), RM_OK);
	CU_ASSERT_EQUAL(v.sync + v.async, st.records);
	/* Writing continues after the crash. */
	sfx_record(&r, &ra, SYNC_ORG, "after", 0, 0, NULL, "120000",
	    RM_MSGTYPE_ALERT, T0, 0);
	CU_ASSERT_EQUAL(store_issue(s, &r, sfx_seal, NULL, &res, &why), RM_OK);
	CU_ASSERT_EQUAL(r.seq, v.sync + 1);
	store_close(s);
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "kill9_keeps_acked", test_kill9 },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.crash", tests);
}
