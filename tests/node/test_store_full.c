/*
 * test_store_full.c -- a full disk: the writes LMDB makes for a commit
 * fail with ENOSPC (pwrite and writev are interposed here: the test
 * executable's definitions win over libc's for liblmdb). The commit
 * fails with RM_ESTORE and a reason that says so ("disk full (ENOSPC)
 * at DIR: nothing of this batch was stored"), nothing is stored, and
 * the store writes again once there is room.
 */
#define _GNU_SOURCE   /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rm_test.h"
#include "test_store_fx.h"

#define T0 1786000000000LL
#define ORG "120000.met"

static atomic_bool disk_full;

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t);

	if (atomic_load(&disk_full)) {
		errno = ENOSPC;
		return -1;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "pwrite");
	return real(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	ssize_t (*real)(int, const struct iovec *, int);

	if (atomic_load(&disk_full)) {
		errno = ENOSPC;
		return -1;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "writev");
	return real(fd, iov, n);
}

static int
issue(store *s, const char *oid, rm_why *why)
{
	static struct rm_alert bodies[4];
	static unsigned next;
	struct store_put_result res;
	struct rm_record r;

	sfx_record(&r, &bodies[next++ % 4], ORG, oid, 0, 0, NULL, "120000",
	    RM_MSGTYPE_ALERT, T0, 0);
	return store_issue(s, &r, sfx_seal, NULL, &res, why);
}

static void
test_disk_full(void)
{
	struct store_stats st;
	rm_why why = { "", "" };
	char dir[256], want[512];
	store *s;

	sfx_tmpdir(dir);
	s = sfx_open(dir, 0);
	CU_ASSERT_EQUAL(issue(s, "a1", &why), RM_OK);
	atomic_store(&disk_full, true);
	CU_ASSERT_EQUAL(issue(s, "a2", &why), RM_ESTORE);
	atomic_store(&disk_full, false);
	snprintf(want, sizeof(want), "disk full (ENOSPC) at %s: nothing of "
	    "this batch was stored", dir);
	CU_ASSERT_STRING_EQUAL(why.msg, want);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, 1);
	/* room again: writing goes on */
	CU_ASSERT_EQUAL(issue(s, "a3", &why), RM_OK);
	CU_ASSERT_EQUAL(store_get_stats(s, &st), RM_OK);
	CU_ASSERT_EQUAL(st.records, 2);
	store_close(s);
	sfx_rmdir(dir);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "disk_full", test_disk_full },
		CU_TEST_INFO_NULL,
	};

	RM_SUITE("store.full", tests);
}
