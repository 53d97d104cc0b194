/*
 * fuzz_cap_model.c -- libFuzzer harness for cap_model_decode(), the CBOR
 * form of a CAP 1.2 message an alert record carries ("cap",
 * schemas/cap_model.h).
 *
 * Properties: no crash, leak or UB on any input; on failure *out is
 * zeroed and the error is a documented one with a non-empty rm_why; on
 * success the model passes cap_model_check, re-encodes to exactly the
 * input bytes (the decoder accepts only what the encoder writes), and
 * cap_write makes a document that cap_parse reads back unless the model
 * breaks a rule only the XML reader checks (then cap_parse refuses).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cap_alert zero;
	struct cap_alert a, b;
	rm_buf enc = RM_BUF_INIT, xml = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	rv = cap_model_decode(data, size, &a, &why);
	if (rv != RM_OK) {
		if (memcmp(&a, &zero, sizeof(a)) != 0 || why.msg[0] == '\0')
			abort();
		switch (rv) {
		case RM_ETOOBIG: case RM_EMALFORMED: case RM_ENONCANON:
		case RM_EMISSING: case RM_EBADVALUE: case RM_EUNKNOWN:
		case RM_ENOMEM:
			return 0;
		default:
			abort();
		}
	}
	if (cap_model_check(&a, &why) != RM_OK)
		abort();
	if (cap_model_encode(&a, &enc) != RM_OK || enc.len != size ||
	    memcmp(enc.data, data, size) != 0)
		abort();
	if (cap_write(&a, &xml, &why) == RM_OK &&
	    cap_parse(xml.data, xml.len, &b, &why) == RM_OK) {
		if (cap_alert_equal(&a, &b, &why) != RM_OK)
			abort();
		cap_alert_fini(&b);
	}
	rm_buf_fini(&enc);
	rm_buf_fini(&xml);
	cap_alert_fini(&a);
	return 0;
}
