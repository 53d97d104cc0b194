/*
 * test_coap_raw.h -- the one piece of a raw CoAP client (RFC 7252 §3)
 * shared by tests/node/test_coap_flood.c and the fan-out benchmark
 * (tests/bench/coap_fanout.c), which both talk to the server over a
 * plain UDP socket instead of running libcoap's client per request.
 */
#ifndef RM_TEST_COAP_RAW_H
#define RM_TEST_COAP_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does the option list p[0..n) (RFC 7252 §3.1) hold option number
 * `want`? */
static inline bool
raw_has_option(const uint8_t *p, size_t n, unsigned want)
{
	unsigned num = 0;
	size_t i = 0;

	while (i < n && p[i] != 0xff) {
		unsigned d = p[i] >> 4, l = p[i] & 0x0f;
		i++;
		if (d == 13 && i < n)
			d = 13u + p[i++];
		else if (d == 14 && i + 1 < n) {
			d = 269u + (unsigned)(p[i] << 8 | p[i + 1]);
			i += 2;
		} else if (d == 15)
			return false;
		if (l == 13 && i < n)
			l = 13u + p[i++];
		else if (l == 14 && i + 1 < n) {
			l = 269u + (unsigned)(p[i] << 8 | p[i + 1]);
			i += 2;
		} else if (l == 15)
			return false;
		num += d;
		if (num == want)
			return true;
		i += l;
	}
	return false;
}

#endif
