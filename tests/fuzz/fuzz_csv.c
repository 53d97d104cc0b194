/*
 * fuzz_csv.c -- libFuzzer harness for the RFC 4180 reader (rm_csv_next).
 *
 * Properties: no crash, leak or UB on any input; every record's fields
 * are valid UTF-8; records start on non-decreasing lines; the reader
 * ends with RM_ENOTFOUND or one of its documented errors, with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rm_buf scratch = RM_BUF_INIT;
	const char *f[RM_CSV_FIELDS_MAX];
	size_t n, line, last = 0;
	rm_why why = { "", "" };
	rm_csv c;
	int rv;

	rm_csv_init(&c, (const char *)data, size);
	while ((rv = rm_csv_next(&c, &scratch, f, RM_CSV_FIELDS_MAX, &n,
	    &line, &why)) == RM_OK) {
		if (n == 0 || line < last)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!rm_utf8_valid(f[i], strlen(f[i])))
				abort();
		last = line;
	}
	if (rv != RM_ENOTFOUND && (why.msg[0] == '\0' ||
	    (rv != RM_EMALFORMED && rv != RM_EBADVALUE && rv != RM_ETOOBIG &&
	    rv != RM_ENOMEM)))
		abort();
	rm_buf_fini(&scratch);
	return 0;
}
