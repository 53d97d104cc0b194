/*
 * text.c -- hex and UTF-8 validation.
 */
#include <string.h>

#include "common/common.h"

void
rm_hex_encode(const void *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *q = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[q[i] >> 4];
		out[2 * i + 1] = hx[q[i] & 15];
	}
	out[2 * n] = '\0';
}

int
rm_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
rm_hex_decode(const char *s, void *out, size_t n)
{
	uint8_t *q = out;

	if (strlen(s) != 2 * n)
		return RM_EMALFORMED;
	for (size_t i = 0; i < n; i++) {
		int hi = rm_hex_digit(s[2 * i]);
		int lo = rm_hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return RM_EMALFORMED;
		q[i] = (uint8_t)(hi << 4 | lo);
	}
	return RM_OK;
}

void
rm_hash_hex(const rm_hash *h, char out[65])
{
	rm_hex_encode(h->b, RM_HASH_BYTES, out);
}

int
rm_hash_parse(const char *s, rm_hash *out)
{
	rm_hash h;

	if (rm_hex_decode(s, h.b, RM_HASH_BYTES) != RM_OK)
		return RM_EMALFORMED;
	*out = h;
	return RM_OK;
}

bool
rm_utf8_valid(const char *p, size_t n)
{
	const uint8_t *s = (const uint8_t *)p;
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t len;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}
