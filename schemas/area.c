/*
 * area.c -- GB/T 2260 area codes (with the 9- and 12-digit township and
 * village extensions) and the agency / object identifiers built on them.
 */
#include <string.h>

#include "schemas/schemas_int.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of an area code at the start of s (6, 9 or 12 digits followed
 * by a non-digit), or 0. */
static size_t
area_code_span(const char *s)
{
	size_t n = 0;

	while (n <= RM_AREA_CODE_MAX && is_digit(s[n]))
		n++;
	if (n != 6 && n != 9 && n != 12)
		return 0;
	if (s[0] == '0' && s[1] == '0')
		return 0;
	return n;
}

bool
area_code_valid(const char *s)
{
	size_t n;

	if (s == NULL || (n = area_code_span(s)) == 0)
		return false;
	return s[n] == '\0';
}

size_t
area_code_prefix(const char *code, char out[RM_AREA_CODE_MAX + 1])
{
	size_t n = 0;

	if (code != NULL)
		while (n < RM_AREA_CODE_MAX && code[n] != '\0')
			n++;
	/* Levels: province 2, city 2, county 2, township 3, village 3. */
	while (n > 2) {
		size_t lv = n > 6 ? 3 : 2;
		size_t i;

		for (i = n - lv; i < n; i++)
			if (code[i] != '0')
				break;
		if (i < n)
			break;
		n -= lv;
	}
	if (n > 0)
		memcpy(out, code, n);
	out[n] = '\0';
	return n;
}

bool
area_contains(const char *outer, const char *inner)
{
	char pre[RM_AREA_CODE_MAX + 1];
	size_t n;

	if (!area_code_valid(outer) || !area_code_valid(inner))
		return false;
	n = area_code_prefix(outer, pre);
	return strncmp(inner, pre, n) == 0;
}

bool
area_overlaps(const char *a, const char *b)
{
	return area_contains(a, b) || area_contains(b, a);
}

bool
agency_id_valid(const char *s)
{
	size_t n, i;

	if (s == NULL || (n = area_code_span(s)) == 0 || s[n] != '.')
		return false;
	for (i = 0; s[n + 1 + i] != '\0'; i++) {
		char c = s[n + 1 + i];

		if (i >= RM_AGENCY_NAME_MAX)
			return false;
		if (!(c >= 'a' && c <= 'z') && !is_digit(c) && c != '_' &&
		    c != '-')
			return false;
	}
	return i >= 1;
}

bool
object_id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (i >= RM_OBJECT_ID_MAX)
			return false;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !is_digit(c) && c != '.' && c != '_' && c != ':' &&
		    c != '-')
			return false;
	}
	/* "." and ".." would name a directory in a URL path. */
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return i >= 1;
}
