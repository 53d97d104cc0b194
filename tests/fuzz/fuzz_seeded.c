/*
 * fuzz_seeded.c -- the shared input scheme of fuzz_seeded.h.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_seeded.h"

/* check() on an exact-size heap copy of p[0..n). */
static void
check_copy(fuzz_check_fn check, const uint8_t *p, size_t n)
{
	uint8_t *buf;

	if ((buf = malloc(n ? n : 1)) == NULL)
		return;
	if (n > 0)
		memcpy(buf, p, n);
	check(buf, n);
	free(buf);
}

int
fuzz_seeded_run(const uint8_t *data, size_t size, fuzz_seed_fn seed,
    fuzz_check_fn check)
{
	rm_buf b = RM_BUF_INIT;

	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		check_copy(check, data + 1, size - 1);
		return 0;
	}
	seed(size > 1 ? data[1] : 0, &b);
	if (b.len == 0) {
		rm_buf_fini(&b);
		return 0;
	}
	for (size_t i = 2; i + 1 < size; i += 2)
		if (data[i] < b.len)
			b.data[data[i]] ^= data[i + 1];
	/* an odd length also truncates */
	if ((size & 1) == 1 && size > 2)
		b.len -= data[size - 1] % b.len;
	check_copy(check, b.data, b.len);
	rm_buf_fini(&b);
	return 0;
}
