/*
 * fuzz_record.c -- libFuzzer harness for record_decode().
 *
 * Properties: no crash, leak or UB on any input; on success the record
 * re-encodes to exactly the input bytes (decode accepts only what encode
 * produces) and validates; on failure *out is left zeroed and the error
 * is one of the documented codes with a non-empty rm_why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rm_record zero;
	struct rm_record rec;
	rm_buf b = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	rv = record_decode(data, size, &rec, &why);
	if (rv != RM_OK) {
		if (memcmp(&rec, &zero, sizeof(rec)) != 0 || why.msg[0] == '\0')
			abort();
		switch (rv) {
		case RM_ETOOBIG: case RM_EMALFORMED: case RM_ENONCANON:
		case RM_EMISSING: case RM_EBADVALUE: case RM_EUNKNOWN:
			return 0;
		default:
			abort();
		}
	}
	if (record_validate(&rec, &why) != RM_OK)
		abort();
	if (record_encode(&rec, &b, &why) != RM_OK)
		abort();
	if (b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	(void)record_in_force(&rec, 0);
	rm_buf_fini(&b);
	record_fini(&rec);
	return 0;
}
