/*
 * fuzz_indicator_csv.c -- libFuzzer harness for the bulk value reader
 * of POST /v1/indicators (indicator_csv_read, schemas/indicator_csv.c).
 *
 * Properties: no crash, leak or UB on any input; every value returned
 * has a valid code and area code, a canonical decimal and a line within
 * the input; every refused row has a reason; the reader ends with
 * RM_OK or one of its documented errors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
bad(void *arg, const struct rm_ind_row_err *e)
{
	(void)arg;
	if (e->reason[0] == '\0' || e->err == RM_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm_ind_value *v = NULL;
	size_t nv = 0, nbad = 0;
	int rv;

	rv = indicator_csv_read((const char *)data, size, 10000, &v, &nv, bad,
	    NULL, &nbad);
	if (rv != RM_OK && rv != RM_EMALFORMED && rv != RM_EBADVALUE &&
	    rv != RM_ETOOBIG && rv != RM_EMISSING && rv != RM_ENOMEM)
		abort();
	for (size_t i = 0; i < nv; i++)
		if (!indicator_code_valid(v[i].code, strlen(v[i].code)) ||
		    !area_code_valid(v[i].area) || !decimal_valid(v[i].v) ||
		    v[i].line < 2 || v[i].line > size + 1)
			abort();
	free(v);
	return 0;
}
