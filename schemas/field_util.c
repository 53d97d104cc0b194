/*
 * field_util.c -- field rules the record kinds share (schemas_int.h):
 * bounded UTF-8 text, enumerations over a table of names, and lists of
 * agency ids (sorted, unique). Reentrant, no shared state; no logging.
 */
#include <string.h>

#include "schemas/schemas_int.h"

/* The first character of valid UTF-8 p[0..n) that text may not hold
 * (sch_text_check), as its code point in *cp and its offset; n if none. */
static size_t
text_bad_at(const unsigned char *p, size_t n, bool lines, unsigned *cp)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];

		if (c < 0x20 || c == 0x7f) {
			if (lines && (c == '\n' || c == '\t'))
				continue;
			*cp = c;
			return i;
		}
		/* C1: U+0080..U+009F is C2 80..C2 9F */
		if (c == 0xc2 && i + 1 < n && p[i + 1] < 0xa0) {
			*cp = p[i + 1];
			return i;
		}
		/* U+202A..U+202E: E2 80 AA..AE; U+2066..U+2069: E2 81 A6..A9 */
		if (c == 0xe2 && i + 2 < n &&
		    ((p[i + 1] == 0x80 && p[i + 2] >= 0xaa && p[i + 2] <= 0xae) ||
		    (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9))) {
			*cp = 0x2000 | ((unsigned)(p[i + 1] & 0x3f) << 6) |
			    (p[i + 2] & 0x3f);
			return i;
		}
	}
	return n;
}

int
sch_text_plain(const char *s, const char *field, bool lines, rm_why *why)
{
	size_t n = strlen(s), at;
	unsigned cp = 0;

	if ((at = text_bad_at((const unsigned char *)s, n, lines, &cp)) < n)
		return rm_fail(why, RM_EBADVALUE, "%s: control character "
		    "U+%04X at byte %zu (%s)", field, cp, at, lines ?
		    "text may hold line feeds and tabs, no other control or "
		    "bidirectional formatting character" : "one line of text: "
		    "no control or bidirectional formatting character");
	return RM_OK;
}

static int
text_check(const char *s, const char *field, size_t max, bool required,
    bool lines, rm_why *why)
{
	size_t n;

	if (s == NULL && !required)
		return RM_OK;
	n = s != NULL ? strlen(s) : 0;
	if (n == 0 || n > max || !rm_utf8_valid(s, n))
		return rm_fail(why, n == 0 ? RM_EMISSING : RM_EBADVALUE,
		    "%s: 1..%zu bytes of UTF-8", field, max);
	return sch_text_plain(s, field, lines, why);
}

int
sch_text_check(const char *s, const char *field, size_t max, bool required,
    rm_why *why)
{
	return text_check(s, field, max, required, false, why);
}

int
sch_text_check_lines(const char *s, const char *field, size_t max,
    bool required, rm_why *why)
{
	return text_check(s, field, max, required, true, why);
}

const char *
sch_enum_name(const char *const *t, size_t n, int v)
{
	return v >= 1 && (size_t)v <= n ? t[v - 1] : NULL;
}

int
sch_enum_find(const char *const *t, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, t[i]) == 0)
			return (int)i + 1;
	return 0;
}

int
sch_agency_ids_check(const char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    const char *field, rm_why *why)
{
	for (size_t i = 0; i < n; i++) {
		if (!agency_id_valid(ids[i]))
			return rm_fail(why, RM_EBADVALUE, "%s[%zu]: \"%.64s\" is "
			    "not an agency id (%s)", field, i, ids[i],
			    RM_AGENCY_ID_RULE);
		if (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0)
			return rm_fail(why, RM_EBADVALUE, "%s: not sorted or "
			    "repeated at [%zu] (%s)", field, i, ids[i]);
	}
	return RM_OK;
}

int
sch_agency_list_encode(const char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    rm_buf *b)
{
	int rv = rm_cbor_put_array(b, n);

	for (size_t i = 0; rv == RM_OK && i < n; i++)
		rv = rm_cbor_put_cstr(b, ids[i]);
	return rv;
}

int
sch_agency_list_decode(rm_cbor_rd *rd, const char *field,
    char (*ids)[RM_AGENCY_ID_MAX + 1], size_t max, size_t *n, rm_why *why)
{
	size_t m;
	int rv;

	if ((rv = sch_dec_array(rd, field, &m, why)) != RM_OK)
		return rv;
	if (m == 0 || m > max)
		return rm_fail(why, RM_EBADVALUE, "%s: 1..%zu agencies, got %zu",
		    field, max, m);
	for (size_t i = 0; i < m; i++)
		if ((rv = sch_dec_fixed(rd, field, ids[i], sizeof(ids[i]),
		    why)) != RM_OK)
			return rv;
	*n = m;
	return RM_OK;
}

int
sch_agency_list_check(const char (*ids)[RM_AGENCY_ID_MAX + 1], size_t n,
    size_t max, const char *field, rm_why *why)
{
	if (n == 0 || n > max)
		return rm_fail(why, n == 0 ? RM_EMISSING : RM_EBADVALUE,
		    "%s: 1..%zu agencies, got %zu", field, max, n);
	return sch_agency_ids_check(ids, n, field, why);
}

int
sch_put_text_entry(rm_buf *b, const char *key, const char *v)
{
	int rv = rm_cbor_put_cstr(b, key);

	return rv != RM_OK ? rv : rm_cbor_put_cstr(b, v);
}
