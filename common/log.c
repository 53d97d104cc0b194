/*
 * log.c -- the one logger: levels, a per-role tag, a security channel.
 *
 * Lines are written with a single write(2) so that lines from several
 * threads never interleave.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

static atomic_int log_level = RM_LOG_INFO;

static const char *const level_names[] = {
	"debug", "info", "notice", "warn", "err",
};

void
rm_log_set_level(rm_log_level level)
{
	atomic_store(&log_level, (int)level);
}

rm_log_level
rm_log_get_level(void)
{
	return (rm_log_level)atomic_load(&log_level);
}

int
rm_log_level_parse(const char *s, rm_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (rm_log_level)i;
			return RM_OK;
		}
	}
	return RM_EBADVALUE;
}

const char *
rm_log_level_name(rm_log_level level)
{
	if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0]))
		return level_names[RM_LOG_INFO];
	return level_names[level];
}

static void
log_emit(rm_log_level level, const char *prefix, const char *tag,
    const char *fmt, va_list ap)
{
	char line[1024];
	char ts[32];
	int n, m;

	rm_utc_format(rm_utc_now_ms(), ts);
	n = snprintf(line, sizeof(line), "%s %-6s %s%s: ", ts,
	    level_names[level], prefix, tag);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	/* Never let a peer-supplied string forge extra log lines or reach
	 * a terminal as a control sequence: every C0 control and DEL
	 * becomes a space (UTF-8 multi-byte sequences are left alone). */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
rm_vlog(rm_log_level level, const char *tag, const char *fmt, va_list ap)
{
	if ((int)level < atomic_load(&log_level))
		return;
	log_emit(level, "", tag, fmt, ap);
}

void
rm_log(rm_log_level level, const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rm_vlog(level, tag, fmt, ap);
	va_end(ap);
}

void
rm_log_sec(const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(RM_LOG_WARN, "sec/", tag, fmt, ap);
	va_end(ap);
}

void
rm_fatal(const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(RM_LOG_ERR, "fatal/", tag, fmt, ap);
	va_end(ap);
	abort();
}

bool
rm_log_allow(rm_log_limit *l, unsigned long long *dropped)
{
	long long now = (long long)rm_mono_now_ms();
	long long start = atomic_load(&l->window_start_ms);

	if (start == 0 || now - start >= (long long)l->window_ms) {
		/* One thread opens the next window; the others see it. */
		if (atomic_compare_exchange_strong(&l->window_start_ms, &start,
		    now))
			atomic_store(&l->used, 0);
	}
	if (atomic_fetch_add(&l->used, 1) < l->burst) {
		unsigned long long d = atomic_exchange(&l->dropped, 0);

		if (dropped != NULL)
			*dropped = d;
		return true;
	}
	atomic_fetch_add(&l->dropped, 1);
	return false;
}
