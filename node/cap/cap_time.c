/*
 * cap_time.c -- CAP 1.2 §3.3.2 times: "2026-08-15T06:00:00+08:00",
 * read keeping the instant and the offset, written back the same; and
 * the identifier rule of §3.2.1 shared by identifier, sender and
 * references.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/cap/cap_int.h"

#define CAP_TIME_LEN 25   /* YYYY-MM-DDThh:mm:ss+hh:mm */

/* The pattern of the CAP 1.2 schema: \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d
 * [-,+]\d\d:\d\d. */
static bool
shape_ok(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd+dd:dd";

	for (size_t i = 0; i < CAP_TIME_LEN; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    pat[i] == '+' ? s[i] != '+' && s[i] != '-' : s[i] != pat[i])
			return false;
	}
	return true;
}

int
cap_time_parse(struct cap_ctx *c, const char *s, struct cap_time *out)
{
	char t[CAP_TIME_LEN + 1];
	size_t n = strlen(s);
	rm_utc_ms at;
	int off;

	/* xs:dateTime collapses white space around the value. */
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	while (n > 0 && strchr(" \t\r\n", s[0]) != NULL) {
		s++;
		n--;
	}
	if (n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
		return cap_fail(c, RM_EBADVALUE, "\"%.40s\": \"Z\" is not "
		    "allowed (CAP 1.2 §3.3.2: an explicit offset; UTC is "
		    "-00:00)", s);
	if (n == 19 || (n > 19 && s[19] == '.' && strpbrk(s + 19, "+-") ==
	    NULL))
		return cap_fail(c, RM_EBADVALUE, "\"%.40s\": no time zone "
		    "offset (CAP 1.2 §3.3.2: e.g. 2026-08-15T06:00:00+08:00)",
		    s);
	if (n > 19 && s[19] == '.')
		return cap_fail(c, RM_EBADVALUE, "\"%.40s\": fractional "
		    "seconds are not allowed (CAP 1.2 §3.3.2)", s);
	if (n != CAP_TIME_LEN || !shape_ok(s))
		return cap_fail(c, RM_EBADVALUE, "\"%.40s\" is not a CAP time "
		    "YYYY-MM-DDThh:mm:ss+hh:mm (CAP 1.2 §3.3.2)", s);
	memcpy(t, s, CAP_TIME_LEN);
	t[CAP_TIME_LEN] = '\0';
	if (strcmp(t + 19, "+00:00") == 0)
		return cap_fail(c, RM_EBADVALUE, "\"%s\": UTC is written "
		    "-00:00 (CAP 1.2 §3.3.2)", t);
	if (t[17] > '5' || rm_utc_parse(t, &at) != RM_OK)
		return cap_fail(c, RM_EBADVALUE, "\"%s\" is not a valid date, "
		    "time and offset (CAP 1.2 §3.3.2)", t);
	off = ((t[20] - '0') * 10 + (t[21] - '0')) * 60 +
	    (t[23] - '0') * 10 + (t[24] - '0');
	out->set = true;
	out->at_ms = at;
	out->offset_min = (int16_t)(t[19] == '-' ? -off : off);
	return RM_OK;
}
