/*
 * record_sample.c -- write the encoded typhoon sample record (fixtures.c)
 * to the file named by argv[1], for check_cbor2.py: an independent CBOR
 * implementation must decode it and re-encode it canonically to the same
 * bytes.
 */
#include <stdio.h>

#include "schemas/schemas.h"
#include "fixtures.h"

int
main(int argc, char **argv)
{
	struct rm_record r;
	rm_buf b = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	if (argc != 2) {
		fprintf(stderr, "usage: %s out.cbor\n", argv[0]);
		return 2;
	}
	fx_typhoon(&r);
	if ((rv = record_encode(&r, &b, &why)) != RM_OK) {
		fprintf(stderr, "record_encode: %s: %s\n", rm_errname(rv),
		    why.msg);
		return 1;
	}
	if ((rv = rm_file_write_atomic(argv[1], b.data, b.len, 0644, &why)) !=
	    RM_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], why.msg);
		rm_buf_fini(&b);
		return 1;
	}
	rm_buf_fini(&b);
	return 0;
}
