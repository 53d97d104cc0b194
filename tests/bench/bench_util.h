/*
 * bench_util.h -- what the fan-out benchmarks (coap_fanout.c,
 * mqtt_fanout.c) share: wall-clock ns, medians, and a process's CPU
 * time from /proc/PID/stat.
 */
#ifndef RM_BENCH_UTIL_H
#define RM_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline int64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int
bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static inline int64_t
bench_median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* CPU time of process pid so far in ms (utime + stime, clock-tick
 * resolution), -1 when pid <= 0 or unreadable. */
static inline int64_t
bench_cpu_ms(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the fields after the command, which may hold spaces: "(...)" */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu", &ut, &st) != 2)
		return -1;
	return (int64_t)((ut + st) * 1000 / (unsigned long long)
	    sysconf(_SC_CLK_TCK));
}

/* Wait until process pid used no CPU for 300 ms (at most 60 s), calling
 * meanwhile() every 300 ms (read and acknowledge what arrives); its CPU
 * time in ms then, -1 unknown. */
static inline int64_t
bench_idle_cpu_ms(int pid, void (*meanwhile)(void))
{
	int64_t prev = bench_cpu_ms(pid), cur;

	for (int i = 0; i < 200 && prev >= 0; i++) {
		meanwhile();
		usleep(300000);
		if ((cur = bench_cpu_ms(pid)) == prev)
			return cur;
		prev = cur;
	}
	return prev;
}

#endif
