/*
 * fuzz_indicator.c -- libFuzzer harness for the indicator kinds'
 * decoders (schemas/indicator_kind.c, indicator_def_kind.c) through
 * record_decode, seeded with indicator and indicator_def records
 * (corpus/indicator, written by Debian's python3-cbor2).
 *
 * Properties: no crash, leak or UB on any input; on success the record
 * re-encodes to exactly the input bytes and validates; a series' points
 * ascend strictly and hold canonical decimals whose text parses back to
 * the same value; the index keys are 1..RM_INDEX_KEY_MAX bytes; on
 * failure the error is a documented code with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
key_ok(void *arg, const char *key)
{
	size_t n = strlen(key);

	(void)arg;
	if (n == 0 || n > RM_INDEX_KEY_MAX)
		abort();
	return RM_OK;
}

static void
check_series(const struct rm_indicator *s)
{
	char t[RM_DECIMAL_TEXT_MAX];
	struct rm_decimal d;

	for (size_t i = 0; i < s->n_points; i++) {
		if (i > 0 && s->points[i].t <= s->points[i - 1].t)
			abort();
		if (!decimal_valid(s->points[i].v))
			abort();
		decimal_format(s->points[i].v, t);
		if (decimal_parse(t, strlen(t), &d) != RM_OK ||
		    d.m != s->points[i].v.m || d.e != s->points[i].v.e)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm_record rec;
	rm_buf b = RM_BUF_INIT;
	rm_why why = { "", "" };
	char line[256];
	int rv;

	rv = record_decode(data, size, &rec, &why);
	if (rv != RM_OK) {
		if (why.msg[0] == '\0')
			abort();
		switch (rv) {
		case RM_ETOOBIG: case RM_EMALFORMED: case RM_ENONCANON:
		case RM_EMISSING: case RM_EBADVALUE: case RM_EUNKNOWN:
			return 0;
		default:
			abort();
		}
	}
	if (record_validate(&rec, &why) != RM_OK ||
	    record_encode(&rec, &b, &why) != RM_OK ||
	    b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	if (record_indicator(&rec) != NULL)
		check_series(record_indicator(&rec));
	if (rec.body != NULL && rec.kind->index_keys != NULL)
		(void)rec.kind->index_keys(&rec, key_ok, NULL);
	record_summary(&rec, line, sizeof(line));
	rm_buf_fini(&b);
	record_fini(&rec);
	return 0;
}
