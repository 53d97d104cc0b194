/*
 * test_base.c -- errors, buffers, time, hex and UTF-8.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "rm_test.h"

static void
test_errors(void)
{
	rm_why why;

	CU_ASSERT_STRING_EQUAL(rm_errname(RM_EBADSIG), "EBADSIG");
	CU_ASSERT_STRING_EQUAL(rm_strerror(RM_OK), "success");
	CU_ASSERT_STRING_EQUAL(rm_strerror(9999), "unknown error");
	CU_ASSERT_EQUAL(rm_fail(&why, RM_EMISSING, "alert.%s: required", "event"),
	    RM_EMISSING);
	CU_ASSERT_STRING_EQUAL(why.msg, "alert.event: required");
	CU_ASSERT_EQUAL(rm_fail(NULL, RM_EIO, "x"), RM_EIO);
	for (int e = 0; e < RM_ERR_COUNT; e++)
		CU_ASSERT_STRING_NOT_EQUAL(rm_strerror(e), "unknown error");
}

static void
test_buf_limit(void)
{
	rm_buf b = RM_BUF_INIT;

	b.limit = 4;
	CU_ASSERT_EQUAL(rm_buf_append(&b, "abc", 3), RM_OK);
	CU_ASSERT_EQUAL(rm_buf_append(&b, "de", 2), RM_ETOOBIG);
	CU_ASSERT_EQUAL(b.len, 3);
	CU_ASSERT_EQUAL(rm_buf_printf(&b, "%d", 7), RM_OK);
	CU_ASSERT_EQUAL(b.len, 4);
	CU_ASSERT(memcmp(b.data, "abc7", 4) == 0);
	rm_buf_fini(&b);
	CU_ASSERT_PTR_NULL(b.data);
}

static void
test_time(void)
{
	rm_utc_ms t;
	char s[32];

	CU_ASSERT_EQUAL(rm_utc_parse("2026-08-15T06:00:00+08:00", &t), RM_OK);
	CU_ASSERT_EQUAL(t, 1786744800000LL);
	rm_utc_format(t, s);
	CU_ASSERT_STRING_EQUAL(s, "2026-08-14T22:00:00.000Z");
	CU_ASSERT_EQUAL(rm_utc_parse("2026-08-14T22:00:00.25Z", &t), RM_OK);
	CU_ASSERT_EQUAL(t, 1786744800250LL);
	/* CAP requires an explicit offset */
	CU_ASSERT_EQUAL(rm_utc_parse("2026-08-15T06:00:00", &t), RM_EBADVALUE);
	CU_ASSERT_EQUAL(rm_utc_parse("2026-02-30T06:00:00Z", &t), RM_EBADVALUE);
	CU_ASSERT_EQUAL(rm_utc_parse("2026-13-01T06:00:00Z", &t), RM_EBADVALUE);
	CU_ASSERT(rm_mono_now_ms() > 0);
}

static void
test_hex_utf8(void)
{
	uint8_t raw[3] = { 0x00, 0xab, 0xff }, back[3];
	char hex[7];

	rm_hex_encode(raw, 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "00abff");
	CU_ASSERT_EQUAL(rm_hex_decode("00ABff", back, 3), RM_OK);
	CU_ASSERT(memcmp(raw, back, 3) == 0);
	CU_ASSERT_EQUAL(rm_hex_decode("00abf", back, 3), RM_EMALFORMED);
	CU_ASSERT_EQUAL(rm_hex_decode("00abfg", back, 3), RM_EMALFORMED);
	CU_ASSERT_EQUAL(rm_hex_digit('7'), 7);
	CU_ASSERT_EQUAL(rm_hex_digit('F'), 15);
	CU_ASSERT_EQUAL(rm_hex_digit('a'), 10);
	CU_ASSERT_EQUAL(rm_hex_digit('g'), -1);
	CU_ASSERT_EQUAL(rm_hex_digit('%'), -1);
	CU_ASSERT(rm_utf8_valid("台风 red", strlen("台风 red")));
	CU_ASSERT(!rm_utf8_valid("\xc0\xaf", 2));        /* overlong */
	CU_ASSERT(!rm_utf8_valid("\xed\xa0\x80", 3));    /* surrogate */
	CU_ASSERT(!rm_utf8_valid("\xe5\x8f", 2));        /* truncated */
	CU_ASSERT(!rm_utf8_valid("a\0b", 3));            /* NUL */
}

static void
test_file_atomic(void)
{
	char dir[] = "/tmp/rmtestXXXXXX", path[64];
	rm_buf b = RM_BUF_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	CU_ASSERT_EQUAL(rm_file_write_atomic(path, "hello", 5, 0600, NULL), RM_OK);
	CU_ASSERT_EQUAL(rm_file_read(path, 100, &b, NULL), RM_OK);
	CU_ASSERT_EQUAL(b.len, 5);
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(rm_file_read(path, 4, &b, NULL), RM_ETOOBIG);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(rm_file_read("/nonexistent/x", 4, &b, NULL), RM_EIO);
	unlink(path);
	rmdir(dir);
	rm_buf_fini(&b);
}

/* Names round-trip through rm_log_level_parse (the config uses both). */
static void
test_log_level_names(void)
{
	rm_log_level l;

	for (int i = RM_LOG_DEBUG; i <= RM_LOG_ERR; i++) {
		CU_ASSERT_EQUAL(rm_log_level_parse(rm_log_level_name(
		    (rm_log_level)i), &l), RM_OK);
		CU_ASSERT_EQUAL(l, i);
	}
	CU_ASSERT_STRING_EQUAL(rm_log_level_name(RM_LOG_WARN), "warn");
	CU_ASSERT_STRING_EQUAL(rm_log_level_name((rm_log_level)99), "info");
	CU_ASSERT_EQUAL(rm_log_level_parse("warning", &l), RM_EBADVALUE);
}

/* At most `burst` lines per window; the next allowed line learns how
 * many were held back. */
static void
test_log_limit(void)
{
	static rm_log_limit l = RM_LOG_LIMIT(3, 50);
	unsigned long long dropped = 99;
	struct timespec ts = { 0, 60 * 1000000L };

	CU_ASSERT(rm_log_allow(&l, &dropped));
	CU_ASSERT_EQUAL(dropped, 0);
	CU_ASSERT(rm_log_allow(&l, NULL));
	CU_ASSERT(rm_log_allow(&l, NULL));
	for (int i = 0; i < 5; i++)
		CU_ASSERT(!rm_log_allow(&l, &dropped));
	/* a new window after 50 ms (waiting longer changes nothing) */
	while (nanosleep(&ts, &ts) != 0)
		;
	CU_ASSERT(rm_log_allow(&l, &dropped));
	CU_ASSERT_EQUAL(dropped, 5);
	CU_ASSERT(rm_log_allow(&l, &dropped));
	CU_ASSERT_EQUAL(dropped, 0);
}

/* A control character in a logged string never reaches the log raw. */
static void
test_log_controls(void)
{
	char out[512];
	int fds[2], saved;
	ssize_t n;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	saved = dup(STDERR_FILENO);
	CU_ASSERT_FATAL(saved >= 0 && dup2(fds[1], STDERR_FILENO) >= 0);
	rm_log_sec("test", "headline %s", "h\x1b[2J\x07\r\nforged line\x7f");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	CU_ASSERT_FATAL(n > 0);
	out[n] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "headline h [2J   forged line \n"));
	CU_ASSERT_PTR_NULL(strchr(out, '\x1b'));
	CU_ASSERT_EQUAL(strchr(out, '\n'), out + n - 1);   /* one line */
}

static CU_TestInfo base_tests[] = {
	{ "error names and rm_why", test_errors },
	{ "buffer limit keeps contents", test_buf_limit },
	{ "RFC 3339 time", test_time },
	{ "hex and UTF-8", test_hex_utf8 },
	{ "atomic file write and bounded read", test_file_atomic },
	{ "log level names", test_log_level_names },
	{ "log rate limit", test_log_limit },
	{ "log never writes control characters", test_log_controls },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("common.base", base_tests);
}
