/*
 * repr_text.c -- text that is safe to echo in a JSON body or a log line.
 */
#include <string.h>

#include "node/repr/repr.h"

/* Length of the UTF-8 sequence led by c (1 for ASCII and bad leads). */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

void
repr_text_clean(const char *in, char *out, size_t outlen)
{
	static const char hx[] = "0123456789abcdef";
	char tmp[RM_WHY_MAX * 4];
	size_t i = 0, o = 0, n, cap;

	if (outlen == 0)
		return;
	/* Room for the text, without the NUL; units are never split. */
	cap = (outlen < sizeof(tmp) ? outlen : sizeof(tmp)) - 1;
	n = strlen(in);
	while (i < n) {
		unsigned char c = (unsigned char)in[i];
		size_t len = utf8_len(c);

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 > cap)
				break;
			tmp[o++] = (char)c;
			i++;
		} else if (c >= 0x80 && len > 1 && i + len <= n &&
		    rm_utf8_valid(in + i, len)) {
			if (o + len > cap)
				break;
			memcpy(tmp + o, in + i, len);
			o += len;
			i += len;
		} else {
			/* control character or a byte that is not UTF-8 */
			if (o + 4 > cap)
				break;
			tmp[o++] = '\\';
			tmp[o++] = 'x';
			tmp[o++] = hx[c >> 4];
			tmp[o++] = hx[c & 15];
			i++;
		}
	}
	memcpy(out, tmp, o);
	out[o] = '\0';
}

