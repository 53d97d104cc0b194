/*
 * fuzz_cap.c -- libFuzzer harness for the CAP 1.2 reader and writer
 * (node/cap: cap_parse, cap_write, cap_alert_equal).
 *
 * Properties: no crash, leak or UB on any input; a refusal is one of
 * the documented errors with a reason; an accepted document written by
 * cap_write is accepted again as the same alert, and writing that one
 * gives the same bytes (the normal form is a fixed point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_alert a, b;
	rm_buf o1 = RM_BUF_INIT, o2 = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv = cap_parse(data, size, &a, &why);

	if (rv != RM_OK) {
		if (why.msg[0] == '\0' || (rv != RM_ETOOBIG &&
		    rv != RM_EMALFORMED && rv != RM_EBADVALUE &&
		    rv != RM_EMISSING && rv != RM_EUNKNOWN && rv != RM_ENOMEM))
			abort();
		return 0;
	}
	if (cap_write(&a, &o1, &why) != RM_OK ||
	    cap_parse(o1.data, o1.len, &b, &why) != RM_OK)
		abort();
	if (cap_alert_equal(&a, &b, &why) != RM_OK ||
	    cap_write(&b, &o2, &why) != RM_OK || o1.len != o2.len ||
	    memcmp(o1.data, o2.data, o1.len) != 0)
		abort();
	cap_alert_fini(&a);
	cap_alert_fini(&b);
	rm_buf_fini(&o1);
	rm_buf_fini(&o2);
	return 0;
}
